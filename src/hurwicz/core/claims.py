"""Claims: the properties theory gives a mechanism, each true under a stated condition on its
parameters.

A mechanism lists ``claims`` as :class:`Claim` objects (a bare string is an unconditional
claim). ``Claim("efficient", when=lambda p: p.reserve == 0, condition="reserve = 0")`` is
active only for configurations where ``when(params)`` is true; ``describe`` shows each claim
with its condition, and the conformance suite (:mod:`hurwicz.testing`) audits every active
claim over a grid of parameter values.

Example:
    >>> from types import SimpleNamespace
    >>> c = Claim("efficient", when=lambda p: p.reserve == 0, condition="reserve = 0")
    >>> c.holds_for(SimpleNamespace(reserve=0.0)), c.holds_for(SimpleNamespace(reserve=2.0))
    (True, False)
    >>> as_claim("dsic").condition
    'always'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Claim:
    """A property claimed for the parameter values where ``when(params)`` is true.

    Example:
        >>> Claim("dsic").to_dict()
        {'property': 'dsic', 'condition': 'always'}
    """

    property: str
    when: Callable[[Any], bool] | None = None
    condition: str = "always"

    def holds_for(self, params: Any) -> bool:
        """Whether the claim is active for these (validated) parameters.

        Example:
            >>> Claim("ir").holds_for(None)
            True
        """
        return True if self.when is None else bool(self.when(params))

    def to_dict(self) -> dict[str, str]:
        """``{"property": ..., "condition": ...}`` for ``describe`` and ``list --json``.

        Example:
            >>> Claim("anonymous", when=bool, condition="mode = individual").to_dict()
            {'property': 'anonymous', 'condition': 'mode = individual'}
        """
        return {"property": self.property, "condition": self.condition}


def as_claim(claim: Claim | str) -> Claim:
    """A :class:`Claim` from a claim or a bare property name (unconditional).

    Example:
        >>> as_claim("ir") == Claim("ir")
        True
    """
    return claim if isinstance(claim, Claim) else Claim(str(claim))


def active(claims: Iterable[Claim | str], params: Any) -> tuple[str, ...]:
    """Names of the claims active for ``params``, in declaration order.

    Example:
        >>> from types import SimpleNamespace
        >>> active(["dsic", Claim("efficient", when=lambda p: p.r == 0)], SimpleNamespace(r=1))
        ('dsic',)
    """
    return tuple(c.property for c in map(as_claim, claims) if c.holds_for(params))
