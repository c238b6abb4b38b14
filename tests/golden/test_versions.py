"""A mechanism's ``version`` changes whenever its behaviour does, so that a credible round can
tell which behaviour it ran. Golden outcomes of fixed inputs (tests/golden/outcomes.json) pin
the behaviour: an outcome that changes while the version does not fails here; after a deliberate
change, bump the mechanism's ``version`` and rerun tests/golden/make_goldens.py NAME."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import hurwicz as hz

GOLDEN = json.loads(Path(__file__).with_name("outcomes.json").read_text())


def registered() -> list[str]:
    """Registered mechanisms, without the throwaway ones other tests register ("test...")."""
    return [n for n in hz.names() if not n.startswith("test")]


def same(a: Any, b: Any) -> bool:
    """Equal JSON values, floats within 1e-9 relative (platform rounding, not behaviour)."""
    if isinstance(a, float) or isinstance(b, float):
        return (isinstance(a, int | float) and isinstance(b, int | float)
                and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_every_mechanism_has_golden_outcomes() -> None:
    missing = sorted(set(registered()) - set(GOLDEN))
    assert not missing, f"add golden outcomes: python tests/golden/make_goldens.py {missing}"
    assert all(GOLDEN[n]["cases"] for n in registered())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_outcomes_change_only_with_the_version(name: str) -> None:
    entry = GOLDEN[name]
    version = hz.get(name).version
    changed = []
    for case in entry["cases"]:
        out = hz.mechanism(name, **case["params"]).run(case["input"]).to_dict()
        if not same(json.loads(json.dumps(out)), case["outcome"]):
            changed.append(case["input"])
    if version == entry["version"]:
        assert not changed, (f"{name}'s outcome changed without a version bump (still "
                             f"{version!r}) on {changed[0]}: bump `version` and rerun "
                             f"tests/golden/make_goldens.py {name}")
    else:
        pytest.fail(f"{name} is now version {version!r} (golden: {entry['version']!r}): "
                    f"rerun tests/golden/make_goldens.py {name}")


def test_the_check_catches_a_changed_outcome(monkeypatch) -> None:
    """The guard can fail: a second price that charges one cent more, same version."""
    from hurwicz.mechanisms.auctions.single_item import SecondPrice

    original = SecondPrice._kernel

    def cent_more(self, bids, prio):
        k = original(self, bids, prio)
        k["payments"] = k["payments"] + 0.01 * k["allocation"]
        return k

    monkeypatch.setattr(SecondPrice, "_kernel", cent_more)
    with pytest.raises(AssertionError, match="without a version bump"):
        test_outcomes_change_only_with_the_version("auction.second_price")
