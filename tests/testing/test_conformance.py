"""The conformance suite (``hurwicz.testing.check_mechanism``) over every registered mechanism
and a grid of its parameters — and proof that the suite can fail: deliberately broken
mechanisms registered here are caught, each by the check aimed at its defect."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel, ConfigDict

import hurwicz as hz
from hurwicz.auditing.spec import DSIC, AuditSpec, audit_spec, properties
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import register, unregister
from hurwicz.mechanisms.auctions.single_item import FirstPrice, SecondPrice
from hurwicz.testing import ConformanceError, check_mechanism, numeric_leaves, parameter_grid

# other test modules register throwaway mechanisms (families "test..."): not ours to check
NAMES = [n for n in hz.names() if not n.startswith("test")]


@pytest.mark.parametrize("name", NAMES)
def test_every_mechanism_conforms(name: str) -> None:
    report = check_mechanism(name, samples=12, seed=1)
    assert report.passed, report.summary()
    assert report.settings >= 1
    # every group of checks ran at least once
    expected = {"json_round_trip", "deterministic", "key_order", "agents_in_outcome",
                "pickle", "cli_json"}
    spec = audit_spec(hz.mechanism(name, **parameter_grid(name)[0]))
    if any(numeric_leaves(d) for d in spec.edge_cases()):
        expected.add("bad_values_refused")
    if hz.mechanism(name, **parameter_grid(name)[0]).active_claims():
        expected.add("claims_hold")
    if "batch" in hz.describe(name)["capabilities"]:
        expected.add("run_batch_agrees")
    assert expected <= set(report.checks), set(report.checks)


def test_the_grid_covers_defaults_boundaries_seeds_and_enums() -> None:
    grid = parameter_grid("auction.second_price")
    assert {"reserve": 0.0, "tie_break": "lowest_name"} in grid
    assert {"reserve": 3.0, "tie_break": "lowest_name"} in grid  # a positive reserve
    assert {"reserve": 0.0, "tie_break": 7} in grid  # a seeded tie-break
    stv = parameter_grid("voting.stv")
    assert {g["quota"] for g in stv} == {"droop", "hare"}
    assert {g["transfer"] for g in stv} == {"wigm", "gregory", "scottish"}
    assert {g["seats"] for g in stv} >= {1, 2}
    # required parameters take their declared example
    assert parameter_grid("funding.clarke")[0] == {"cost": 10.0}


# --- broken mechanisms: the suite must catch each one ---------------------------------------
@register
class LyingFirstPrice(FirstPrice):
    """First price that claims to be truthful."""

    name = "testconf.lying_first_price"
    family = "testconf"
    claims = ("dsic",)


@register
class DriftingBatch(SecondPrice):
    """Second price whose batch path charges one cent more than ``run``."""

    name = "testconf.drifting_batch"
    family = "testconf"
    claims = ()

    def run_batch(self, reports, layout=None):
        out = super().run_batch(reports, layout)
        out.payments = out.payments + 0.01 * out.allocation
        return out


class LooseBids(BaseModel):
    model_config = ConfigDict(extra="forbid")  # not strict, NaN allowed: the defects
    bids: dict[str, float]


class FirstKeyAudit(AuditSpec):
    report_kind = "scalar"
    report_field = "bids"
    properties = properties(DSIC)

    def sample(self, rng: np.random.Generator, agents: int | None = None,
               **options: Any) -> dict[str, Any]:
        n = 3 if agents is None else agents
        return {"bids": {f"a{i}": float(rng.integers(1, 9)) for i in range(n)}}


@register
class FirstKeyWins(Mechanism):
    """The bidder listed first wins, whatever it bids (and NaN bids are accepted)."""

    name = "testconf.first_key_wins"
    family = "testconf"
    Input = LooseBids
    Audit = FirstKeyAudit

    def run_parsed(self, inp: LooseBids) -> Outcome:
        names = list(inp.bids)
        alloc = {n: int(i == 0) for i, n in enumerate(names)}
        return Outcome(self.name, {}, dict(sorted(alloc.items())),
                       dict.fromkeys(sorted(names), 0.0), {"winners": names[:1]})


@register
class UntestableClaim(FirstKeyWins):
    """Claims to be strategy-proof, but its sampler only ever draws empty auctions."""

    name = "testconf.untestable_claim"
    claims = ("dsic",)

    class Audit(FirstKeyAudit):
        def sample(self, rng, agents=None, **options):
            return {"bids": {}}


def failed_checks(name: str) -> set[str]:
    # mechanisms registered by this test exist in this process only: no subprocess CLI run
    return {f["check"] for f in check_mechanism(name, samples=8, subprocess_cli=False).failures}


def test_a_false_claim_fails_the_suite() -> None:
    assert "claims_hold" in failed_checks("testconf.lying_first_price")
    with pytest.raises(ConformanceError, match="dsic is violated"):
        check_mechanism("testconf.lying_first_price", samples=8, cli=False,
                        raise_on_failure=True)


def test_a_batch_path_that_disagrees_with_run_fails() -> None:
    assert failed_checks("testconf.drifting_batch") == {"run_batch_agrees"}


def test_key_order_dependence_and_accepted_nan_fail() -> None:
    failed = failed_checks("testconf.first_key_wins")
    assert {"key_order", "bad_values_refused"} <= failed


def test_a_claim_nothing_tests_fails() -> None:
    report = check_mechanism("testconf.untestable_claim", samples=4, cli=False)
    messages = [f["message"] for f in report.failures if f["check"] == "claims_hold"]
    assert messages and "not tested" in messages[0]


def teardown_module() -> None:
    for name in ("testconf.lying_first_price", "testconf.drifting_batch",
                 "testconf.first_key_wins", "testconf.untestable_claim"):
        unregister(name)
