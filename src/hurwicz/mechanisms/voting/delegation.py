"""Liquid democracy: transitive delegation, then any ranked rule on the weighted ballots.

Input: ``{"candidates": [...], "ballots": [{"voter": "v1", "ranking": [...]}],
"delegations": {"v2": "v1", "v3": "v2"}}``. Each delegation is followed until it reaches a voter
who cast a ballot; that voter's ballot counts once more. Documented rule for the broken cases:
a delegation that runs into a *cycle* or *dangles* (reaches someone who neither votes nor
delegates, or an unknown name) is an abstention, and is reported in ``result.cycles`` /
``result.dangling``. A voter who votes and also delegates is an error (ambiguous), and so is an
election where nobody votes directly (``ballots``: there is no ballot for any delegation to
reach).

Example:
    >>> import hurwicz as hz
    >>> out = hz.mechanism("voting.liquid").run({"candidates": ["x", "y"], "ballots": [
    ...     {"voter": "a", "ranking": ["x", "y"]}, {"voter": "b", "ranking": ["y", "x"]}],
    ...     "delegations": {"c": "a", "d": "c"}})
    >>> out.result["weights"], out.result["winners"]
    ({'a': 3, 'b': 1}, ['x'])
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import InputError, ParameterError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import mechanism, register
from hurwicz.core.types import Name
from hurwicz.io.ballot_groups import RankedBallots

from .audit import LiquidAudit


class VoterBallot(BaseModel):
    """A named voter's ranking."""

    model_config = ConfigDict(strict=True, extra="forbid")
    voter: Name
    ranking: list[Name | list[Name]]


class LiquidInput(BaseModel):
    """Candidates, direct ballots and delegations (delegator → delegate)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    candidates: list[Name] = Field(min_length=1)
    ballots: list[VoterBallot]
    delegations: dict[Name, Name] = Field(default_factory=dict)


class LiquidParams(BaseModel):
    """Which rule counts the weighted ballots."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    rule: str = Field("voting.plurality", description="a registered single-winner ranked "
                      "voting rule (not voting.liquid)")


def check_rule(name: str) -> None:
    """Refuse a counting rule liquid democracy cannot use: it must be a registered
    single-winner rule over ranked ballots (not liquid democracy itself).

    Example:
        >>> try:
        ...     check_rule("voting.approval")
        ... except ParameterError as err:
        ...     print(err)
        params.rule: voting.approval is not a single-winner ranked rule (voting.plurality, ...)
    """
    from hurwicz.core.errors import UnknownMechanismError
    from hurwicz.core.registry import get

    from .ranked import RankedRule

    try:
        cls = get(name)
    except UnknownMechanismError as err:
        raise ParameterError("rule", str(err.message)) from None
    params = getattr(cls, "Params", None)
    single = params is None or "seats" not in getattr(params, "model_fields", {})
    if not (isinstance(cls, type) and issubclass(cls, RankedRule) and single):
        raise ParameterError("rule", f"{name} is not a single-winner ranked rule "
                             "(voting.plurality, ...)")


def resolve(ballots: list[str], delegations: dict[str, str]
            ) -> tuple[dict[str, int], dict[str, str], list[list[str]], list[str]]:
    """Weights of direct voters, each delegator's final delegate, cycles and dangling chains.

    Example:
        >>> resolve(["a"], {"b": "a", "c": "d", "d": "c", "e": "zz"})
        ({'a': 2}, {'b': 'a'}, [['c', 'd']], ['e'])
    """
    voters = set(ballots)
    weights = dict.fromkeys(ballots, 1)
    final: dict[str, str] = {}
    cycles: list[list[str]] = []
    dangling: list[str] = []
    seen_cycles: set[frozenset[str]] = set()
    for start in sorted(delegations):
        path = [start]
        node = delegations[start]
        while node not in voters and node in delegations and node not in path:
            path.append(node)
            node = delegations[node]
        if node in voters:
            final[start] = node
            weights[node] += 1
        elif node in path:
            cycle = path[path.index(node):]
            key = frozenset(cycle)
            if key not in seen_cycles:
                seen_cycles.add(key)
                k = cycle.index(min(cycle))
                cycles.append(cycle[k:] + cycle[:k])
        else:
            dangling.append(start)
    return weights, final, cycles, dangling


@register
class LiquidDemocracy(Mechanism):
    """Liquid democracy: resolve delegations, then count with ``rule``.

    Example:
        >>> import hurwicz as hz
        >>> hz.mechanism("voting.liquid", rule="voting.borda").params.rule
        'voting.borda'
    """

    name = "voting.liquid"
    family = "voting"
    version = "2"  # the counting rules' version 2 (exact tallies, tie_broken), no-voter error
    Audit = LiquidAudit
    summary = "Transitive delegation, then a ranked rule on the weighted ballots."
    claims = ()
    Input = LiquidInput
    Params = LiquidParams

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        check_rule(self.params.rule)

    def parse_input(self, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("ballots"), RankedBallots):
            data = {**data, "ballots": data["ballots"].as_list()}  # read from a file
        return super().parse_input(data)

    def run_parsed(self, inp: LiquidInput) -> Outcome:
        names = [b.voter for b in inp.ballots]
        if not names:
            raise InputError("ballots", "no voter cast a ballot (every delegation needs a "
                             "voter who votes at its end)")
        if len(set(names)) != len(names):
            raise InputError("ballots", "a voter casts two ballots")
        both = set(names) & set(inp.delegations)
        if both:
            raise InputError(f"delegations.{sorted(both)[0]}", "votes directly and delegates")
        rule = mechanism(self.params.rule)  # checked when the mechanism was made
        weights, final, cycles, dangling = resolve(names, inp.delegations)
        data = {"candidates": inp.candidates,
                "ballots": [{"ranking": b.ranking, "count": weights[b.voter]}
                            for b in inp.ballots]}
        inner = rule.run(data)
        winner = inner.result["winners"][0]
        counted = {k: v for k, v in inner.result.items() if k != "ballot_counts"}
        everyone = names + sorted(inp.delegations)
        return Outcome(self.name, self.param_dict(), dict.fromkeys(everyone, winner),
                       dict.fromkeys(everyone, 0.0),
                       {**counted, "weights": weights, "delegates": final,
                        "cycles": cycles, "dangling": dangling,
                        "abstaining": sorted({v for c in cycles for v in c} | set(dangling)
                                             | {s for s in inp.delegations
                                                if s not in final})},
                       {"voters": len(everyone), "counted": sum(weights.values())})
