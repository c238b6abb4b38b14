"""Outcome checks for voting rules, exposed to the audit engine (``PROPERTIES``).

Each check returns ``None`` when the property holds on that election, else a JSON-ready
witness.

Example:
    >>> import hurwicz as hz
    >>> e = {"candidates": ["a", "b", "c"], "ballots": [{"ranking": ["a", "b", "c"], "count": 3},
    ...      {"ranking": ["b", "c", "a"], "count": 2}, {"ranking": ["c", "b", "a"], "count": 2}]}
    >>> condorcet_consistent(None, e, hz.mechanism("voting.plurality").run(e))
    {'condorcet_winner': 'b', 'winners': ['a']}
"""

from __future__ import annotations

from typing import Any

from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome

from .profile import Profile
from .ranked import condorcet_winner


def condorcet_consistent(mech: Mechanism | None, data: Any,
                         outcome: Outcome) -> dict[str, Any] | None:
    """If a candidate beats every other one head to head, it must be the (only) winner.

    Example:
        >>> import hurwicz as hz
        >>> e = {"candidates": ["a", "b"], "ballots": [{"ranking": ["a", "b"]}]}
        >>> condorcet_consistent(None, e, hz.mechanism("voting.copeland").run(e)) is None
        True
    """
    profile = Profile.from_input(data)
    winner = condorcet_winner(profile)
    if winner is None:
        return None
    name = profile.candidates[winner]
    if outcome.result["winners"] == [name]:
        return None
    return {"condorcet_winner": name, "winners": outcome.result["winners"]}


def committee_size(mech: Mechanism | None, data: Any, outcome: Outcome) -> dict[str, Any] | None:
    """A committee rule elects exactly ``seats`` distinct candidates (when there are enough).

    Example:
        >>> import hurwicz as hz
        >>> e = {"candidates": ["a", "b"], "ballots": [{"approve": ["a"]}]}
        >>> m = hz.mechanism("voting.pav", seats=2)
        >>> committee_size(m, e, m.run(e)) is None
        True
    """
    seats = getattr(getattr(mech, "params", None), "seats", 1)
    winners = outcome.result["winners"]
    expected = min(seats, len(data["candidates"]))
    if len(winners) == expected and len(set(winners)) == len(winners):
        return None
    return {"seats": seats, "winners": winners}


PROPERTIES = {"condorcet": condorcet_consistent, "committee_size": committee_size}
