"""A round's published rules: which mechanism (name, version, parameters) runs on which base
input, the schedule, who may take part and what happens to unrevealed commitments.

The rules are fixed when the round is created; their hash is the transcript's first entry
and the round id is derived from it, so they cannot change afterwards.

Example:
    >>> rules = make_rules({"mechanism": "auction.second_price",
    ...                     "commit_deadline": "2026-01-01T00:00:00Z",
    ...                     "reveal_deadline": "2026-01-01T00:10:00Z"},
    ...                    operator="ab" * 32, created="2025-12-31T23:00:00.000000Z")
    >>> rules["mechanism"]["params"], rules["input"], rules["unrevealed"]
    ({'reserve': 0.0, 'tie_break': 'lowest_name'}, {'bids': {}}, 'exclude')
    >>> round_id(rules) == round_id(dict(rules))
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hurwicz.auditing.spec import audit_spec
from hurwicz.core.capabilities import ScalarReports
from hurwicz.core.errors import HurwiczError, InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import mechanism as build_mechanism

from .canonical import document_hash
from .clock import format_time, parse_time

RULES_FORMAT = "hurwicz-rules/1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SPEC_FIELDS = {"mechanism", "params", "input", "commit_deadline", "reveal_deadline",
                "eligibility", "unrevealed", "title"}


def _base_input(mech: Mechanism, given: Any) -> dict[str, Any]:
    if given is not None:
        if not isinstance(given, dict):
            raise InputError("input", "must be a JSON object (the input without reports)")
        base = given
    else:
        try:
            if not isinstance(mech, ScalarReports):
                raise NotImplementedError
            base = mech.input_from_reports({})
        except (NotImplementedError, InputError):
            raise InputError("input", f"{mech.name} needs a base input (e.g. the candidates); "
                             "pass one with --input") from None
    try:
        audit_spec(mech).with_reports(base, {})
    except (NotImplementedError, HurwiczError):
        raise InputError("mechanism", f"{mech.name} cannot take reports one participant at a "
                         "time, so it cannot run as a round") from None
    return base


def _eligibility(value: Any) -> Any:
    if value in (None, "open"):
        return "open"
    keys = value.get("keys") if isinstance(value, dict) else value
    if not isinstance(keys, list) or not keys:
        raise InputError("eligibility", "must be \"open\" or a non-empty list of public keys")
    for i, key in enumerate(keys):
        if not isinstance(key, str) or not _HEX64.match(key):
            raise InputError(f"eligibility.keys[{i}]", "must be a 64-hex Ed25519 public key")
    if len(set(keys)) != len(keys):
        raise InputError("eligibility.keys", "lists a key twice")
    return {"keys": sorted(keys)}


def _unrevealed(value: Any) -> Any:
    if value in (None, "exclude"):
        return "exclude"
    if isinstance(value, dict) and set(value) == {"default"}:
        return {"default": value["default"]}
    raise InputError("unrevealed", 'must be "exclude" or {"default": REPORT}')


def make_rules(spec: Mapping[str, Any], operator: str, created: str) -> dict[str, Any]:
    """Validate a round specification and return the rules document to publish.

    ``spec`` keys: ``mechanism`` (name), ``params``, ``input`` (base input without reports;
    default: the mechanism's empty input), ``commit_deadline`` and ``reveal_deadline`` (ISO
    8601 or ``+30s``-style, relative to ``created``), ``eligibility`` (``"open"`` or a list of
    public keys), ``unrevealed`` (``"exclude"`` or ``{"default": REPORT}``), ``title``.

    Example:
        >>> make_rules({"mechanism": "auction.second_price", "commit_deadline": "+1m",
        ...             "reveal_deadline": "+30s"}, "ab" * 32, "2026-01-01T00:00:00Z")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: reveal_deadline: must be after commit_deadline
    """
    unknown = set(spec) - _SPEC_FIELDS
    if unknown:
        raise InputError(sorted(unknown)[0], f"unknown field; expected {sorted(_SPEC_FIELDS)}")
    name = spec.get("mechanism")
    if not isinstance(name, str):
        raise InputError("mechanism", "a registered mechanism name is required")
    params = spec.get("params") or {}
    if not isinstance(params, dict):
        raise InputError("params", "must be a JSON object")
    mech = build_mechanism(name, **params)
    now = parse_time(created, "created")
    if "commit_deadline" not in spec or "reveal_deadline" not in spec:
        raise InputError("commit_deadline", "both commit_deadline and reveal_deadline are needed")
    commit_at = parse_time(spec["commit_deadline"], "commit_deadline", now)
    reveal_at = parse_time(spec["reveal_deadline"], "reveal_deadline", now)
    if commit_at <= now:
        raise InputError("commit_deadline", "must be in the future")
    if reveal_at <= commit_at:
        raise InputError("reveal_deadline", "must be after commit_deadline")
    if not _HEX64.match(operator):
        raise InputError("operator", "must be a 64-hex Ed25519 public key")
    rules = {
        "format": RULES_FORMAT,
        "title": str(spec.get("title") or ""),
        "mechanism": {"name": mech.name, "version": mech.version, "params": mech.param_dict()},
        "input": _base_input(mech, spec.get("input")),
        "schedule": {"commit_deadline": format_time(commit_at),
                     "reveal_deadline": format_time(reveal_at)},
        "eligibility": _eligibility(spec.get("eligibility")),
        "unrevealed": _unrevealed(spec.get("unrevealed")),
        "operator": operator,
        "created": format_time(now),
    }
    return rules


def rules_hash(rules: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the canonical rules.

    Example:
        >>> len(rules_hash({"a": 1}))
        64
    """
    return document_hash(dict(rules))


def round_id(rules: Mapping[str, Any]) -> str:
    """The round id: ``r`` + the first 24 hex digits of the rules hash.

    Example:
        >>> round_id({"a": 1})[:1]
        'r'
    """
    return "r" + rules_hash(rules)[:24]


def round_mechanism(rules: Mapping[str, Any]) -> Mechanism:
    """The mechanism the rules name, with their parameters; refuses another version.

    Example:
        >>> round_mechanism({"mechanism": {"name": "auction.second_price", "version": "2",
        ...                                "params": {}}}).name
        'auction.second_price'
    """
    spec = rules["mechanism"]
    mech = build_mechanism(spec["name"], **spec.get("params", {}))
    if str(mech.version) != str(spec.get("version")):
        raise HurwiczError(f"the rules name {spec['name']} version {spec.get('version')}, but "
                           f"this hurwicz has version {mech.version}", "rules.mechanism.version")
    return mech


def compute_outcome(rules: Mapping[str, Any], reports: Mapping[str, Any]) -> Outcome:
    """Run the round's mechanism on its base input with the given reports (by name).

    Example:
        >>> rules = {"mechanism": {"name": "auction.second_price", "version": "2",
        ...          "params": {}}, "input": {"bids": {}}}
        >>> compute_outcome(rules, {"a": 5, "b": 3}).payments
        {'a': 3.0, 'b': 0.0}
    """
    mech = round_mechanism(rules)
    return mech.run(audit_spec(mech).with_reports(rules["input"],
                                                  dict(sorted(reports.items()))))
