"""The incentive audit engine: ``hz.audit(mechanism, ...)`` → :class:`AuditReport`.

Example:
    >>> import hurwicz as hz
    >>> hz.audit("auction.all_pay", agents=2, prior="uniform:0,1", properties=["ir"],
    ...          samples=100).check("ir").holds
    False
"""

from .engine import audit, family_properties, parse_adversary
from .report import AuditReport, CheckRecord

__all__ = ["AuditReport", "CheckRecord", "audit", "family_properties", "parse_adversary"]


class _CallableModule(__import__("types").ModuleType):
    """Lets ``hz.audit(...)`` call the engine although ``hurwicz.audit`` is also a package:
    importing a submodule rebinds the package attribute to the module, so the module itself
    forwards calls to :func:`audit`."""

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return audit(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule
