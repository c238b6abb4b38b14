"""The incentive audit engine: ``hz.audit(mechanism, ...)`` → :class:`AuditReport`.

Families supply audit specifications (:class:`AuditSpec`); the engine consumes them.

Example:
    >>> import hurwicz as hz
    >>> hz.audit("auction.all_pay", agents=2, prior="uniform:0,1", properties=["ir"],
    ...          samples=100).check("ir").holds
    False
"""

from .engine import audit, parse_adversary
from .report import AuditReport, CheckRecord
from .spec import NOT_APPLICABLE, AuditSpec, Property, audit_spec, outcome_property

__all__ = ["NOT_APPLICABLE", "AuditReport", "AuditSpec", "CheckRecord", "Property", "audit",
           "audit_spec", "outcome_property", "parse_adversary"]
