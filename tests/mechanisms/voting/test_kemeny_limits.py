"""Kemeny–Young's exact ILP (HiGHS, double precision) refuses counts whose net pairwise
supports it cannot sum exactly, instead of failing inside the solver."""

from __future__ import annotations

import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError


def election(counts: list[int]) -> dict:
    rankings = [["a", "b", "c", "d"], ["a", "b", "d", "c"], ["a", "c", "b", "d"]]
    return {"candidates": ["a", "b", "c", "d"],
            "ballots": [{"ranking": r, "count": c} for r, c in zip(rankings, counts)]}


def test_counts_beyond_exact_double_sums_are_refused_naming_the_ballots() -> None:
    # found by review: counts [2**53, 2**53 - 1, 1] ended in "SolverError: Kemeny tie-break
    # found no candidate" (the optimal-face constraint cannot be stated exactly)
    with pytest.raises(InputError, match=r"ballots: .*2\*\*52"):
        hz.mechanism("voting.kemeny_young").run(election([2**53, 2**53 - 1, 1]))


def test_large_counts_below_the_limit_are_decided_exactly() -> None:
    # a > b > c > d agrees with every voter on a's pairs and b > d, with all but the third
    # voter group on b > c, and with groups 1 and 3 on c > d (margin 2): N = 2**41 voters
    # agree 4N + (N - 1) + (2**40 + 1) = 11 * 2**40 times, an exact integer
    out = hz.mechanism("voting.kemeny_young").run(election([2**40, 2**40 - 1, 1]))
    assert out.result["ranking"] == ["a", "b", "c", "d"]
    assert out.result["kemeny_score"] == 11 * 2**40
