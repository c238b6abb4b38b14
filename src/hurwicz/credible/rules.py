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
from hurwicz.core.errors import AuditError, HurwiczError, InputError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.outcome import Outcome
from hurwicz.core.registry import mechanism as build_mechanism

from .canonical import document_hash
from .clock import format_time, parse_absolute_time, parse_time

RULES_FORMAT = "hurwicz-rules/1"
_HEX64 = re.compile(r"[0-9a-f]{64}")  # always used with fullmatch ("$" allows a newline)
_SPEC_FIELDS = {"mechanism", "params", "input", "commit_deadline", "reveal_deadline",
                "eligibility", "unrevealed", "title", "witnesses"}
#: Deepest nesting of arrays and objects accepted in rules, reports and submissions.
MAX_DEPTH = 32
#: Largest integer magnitude accepted (I-JSON, RFC 7493: exact in every JSON implementation).
MAX_SAFE_INTEGER = 2**53 - 1
MAX_TITLE = 200
#: What a mechanism's own parsing may raise on malformed data that is no HurwiczError.
_MALFORMED = (HurwiczError, ValueError, TypeError, LookupError, AttributeError,
              ArithmeticError, RecursionError)
_PROBE = "probe"


def _unicode_problem(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (not valid Unicode text)"
    return None


def check_json_data(value: Any, field: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse anything that is not plain, interoperable JSON data (I-JSON, RFC 7493): objects
    with string keys, arrays, valid Unicode strings (no lone surrogates), finite numbers,
    integers within ±(2**53 − 1), booleans and null, nested at most ``max_depth`` deep.

    Example:
        >>> check_json_data({"bids": [1, 2.5, "x", None]}, "report")
        >>> check_json_data({"a": [float("nan")]}, "report")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: report.a[0]: must be a finite number
        >>> check_json_data([[[1]]], "input", max_depth=2)
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: input: is nested deeper than 2 levels
    """
    if type(value) is str and value.isascii():  # the common case, at once: ASCII is valid
        return
    stack: list[tuple[Any, str, int]] = [(value, field, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            if depth >= max_depth:
                raise InputError(field, f"is nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key, sub in item.items():
                    if not isinstance(key, str):
                        raise InputError(where, f"has a key that is not a string: {key!r}")
                    problem = _unicode_problem(key)
                    if problem:
                        raise InputError(where, f"has a key that {problem}")
                    stack.append((sub, f"{where}.{key[:40]}", depth + 1))
            else:
                stack.extend((sub, f"{where}[{i}]", depth + 1) for i, sub in enumerate(item))
        elif isinstance(item, str):
            problem = _unicode_problem(item)
            if problem:
                raise InputError(where, problem)
        elif item is None or isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_SAFE_INTEGER:
                raise InputError(where, "is an integer too large to be exact in JSON (more "
                                 "than 2**53 - 1 in magnitude)")
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                raise InputError(where, "must be a finite number")
        else:
            raise InputError(where, f"is not JSON data ({type(item).__name__})")


def check_report(mech: Mechanism, base: Mapping[str, Any], name: str, report: Any,
                 field: str = "report") -> None:
    """Refuse ``report`` unless the mechanism accepts it as participant ``name``'s part of the
    base input (the family's audit specification puts it in; the mechanism's own validation
    judges it). Clients call this before committing; the server at every reveal.

    Example:
        >>> import hurwicz as hz
        >>> mech = hz.mechanism("auction.second_price")
        >>> check_report(mech, {"bids": {}}, "alice", 10)
        >>> try:
        ...     check_report(mech, {"bids": {}}, "alice", -5)
        ... except InputError as err:
        ...     print(err.message[:55])
        not a valid report for auction.second_price: bids.alice
    """
    check_json_data(report, field)
    try:
        mech.parse_input(audit_spec(mech).with_reports(dict(base), {name: report}))
    except HurwiczError as err:
        raise InputError(field, f"not a valid report for {mech.name}: {err}") from None
    except _MALFORMED as err:
        raise InputError(field, f"not a valid report for {mech.name} (wrong shape: "
                         f"{type(err).__name__}: {err})") from None


def _probe_reports(spec: Any, base: dict[str, Any]) -> list[Any]:
    """A few reports a participant could make, from the family's report domain: a base input
    that refuses every report (and the empty profile) is not valid."""
    try:
        domain = spec.report_domain(base, _PROBE)
    except _MALFORMED:
        return []
    kind = domain.get("kind")
    candidates = list(domain.get("candidates") or [])
    if kind == "scalar":
        return [float(domain.get("low") or 0.0), 1.0]
    if kind == "ranking":
        return [candidates, candidates[:1]]
    if kind == "approval":
        return [candidates[:1]]
    if kind == "scores":
        return [{c: domain.get("low", 0) for c in candidates}]
    if kind == "vector":
        return [[1.0]]
    if kind == "contributions":
        return [{p: 1.0 for p in list(domain.get("projects") or [])[:1]}]
    return []


def _check_base_input(mech: Mechanism, base: dict[str, Any], default: Any) -> None:
    """Refuse a base input the mechanism cannot run on, whatever the participants report."""
    check_json_data(base, "input")
    try:
        spec = audit_spec(mech)
        empty = spec.with_reports(base, {})
    except (NotImplementedError, AuditError):
        raise InputError("mechanism", f"{mech.name} cannot take reports one participant at a "
                         "time, so it cannot run as a round") from None
    except _MALFORMED as err:
        raise InputError("input", f"not a valid base input for {mech.name}: {err!r}") from None
    try:
        mech.parse_input(empty)
        return
    except _MALFORMED as err:
        first = err
    probes = ([default] if default is not None else []) + _probe_reports(spec, base)
    for probe in probes:
        try:
            mech.parse_input(spec.with_reports(base, {_PROBE: probe}))
            return
        except _MALFORMED:
            continue
    message = str(first) if isinstance(first, HurwiczError) else repr(first)
    raise InputError("input", f"not a valid base input for {mech.name}: {message}")


def _base_input(mech: Mechanism, given: Any) -> dict[str, Any]:
    if given is not None:
        if not isinstance(given, dict):
            raise InputError("input", "must be a JSON object (the input without reports)")
        return given
    try:
        if not isinstance(mech, ScalarReports):
            raise NotImplementedError
        return mech.input_from_reports({})
    except (NotImplementedError, InputError):
        raise InputError("input", f"{mech.name} needs a base input (e.g. the candidates); "
                         "pass one with --input") from None


def _eligibility(value: Any) -> Any:
    if value in (None, "open"):
        return "open"
    keys = value.get("keys") if isinstance(value, dict) else value
    if not isinstance(keys, list) or not keys:
        raise InputError("eligibility", "must be \"open\" or a non-empty list of public keys")
    for i, key in enumerate(keys):
        if not isinstance(key, str) or not _HEX64.fullmatch(key):
            raise InputError(f"eligibility.keys[{i}]", "must be a 64-hex Ed25519 public key")
    if len(set(keys)) != len(keys):
        raise InputError("eligibility.keys", "lists a key twice")
    return {"keys": sorted(keys)}


def check_witnesses(value: Any, field: str = "witnesses") -> dict[str, Any]:
    """The witnesses of a round: ``{"keys": [public keys], "quorum": k}`` with 1 <= k <= the
    number of keys (keys are sorted, so the same set always hashes the same).

    Example:
        >>> check_witnesses({"keys": ["bb" * 32, "aa" * 32], "quorum": 2})["keys"][0][:4]
        'aaaa'
        >>> check_witnesses({"keys": ["aa" * 32], "quorum": 2})
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: witnesses.quorum: must be an integer from 1 to 1
    """
    if not isinstance(value, dict) or set(value) != {"keys", "quorum"}:
        raise InputError(field, 'must be {"keys": [public keys], "quorum": k}')
    keys = value["keys"]
    if not isinstance(keys, list) or not keys:
        raise InputError(f"{field}.keys", "must be a non-empty list of public keys")
    for i, key in enumerate(keys):
        if not isinstance(key, str) or not _HEX64.fullmatch(key):
            raise InputError(f"{field}.keys[{i}]", "must be a 64-hex Ed25519 public key")
    if len(set(keys)) != len(keys):
        raise InputError(f"{field}.keys", "lists a key twice")
    quorum = value["quorum"]
    if type(quorum) is not int or not 1 <= quorum <= len(keys):
        raise InputError(f"{field}.quorum", f"must be an integer from 1 to {len(keys)}")
    return {"keys": sorted(keys), "quorum": quorum}


def _unrevealed(value: Any, mech: Mechanism, base: dict[str, Any]) -> Any:
    if value is None or value == "exclude":
        return "exclude"
    if isinstance(value, dict) and set(value) == {"default"} and value["default"] is not None:
        check_report(mech, base, "unrevealed", value["default"], "unrevealed.default")
        return {"default": value["default"]}
    raise InputError("unrevealed", 'must be "exclude" or {"default": REPORT}')


def make_rules(spec: Mapping[str, Any], operator: str, created: str) -> dict[str, Any]:
    """Validate a round specification and return the rules document to publish.

    ``spec`` keys: ``mechanism`` (name), ``params``, ``input`` (base input without reports;
    default: the mechanism's empty input), ``commit_deadline`` and ``reveal_deadline`` (ISO
    8601 or ``+30s``-style, relative to ``created``), ``eligibility`` (``"open"`` or a list of
    public keys), ``unrevealed`` (``"exclude"`` or ``{"default": REPORT}``), ``title``,
    ``witnesses`` (``{"keys": [...], "quorum": k}``: the commit phase then closes at a tree
    head cosigned by k of them; rounds without it have no ``witnesses`` field).

    Example:
        >>> make_rules({"mechanism": "auction.second_price", "commit_deadline": "+1m",
        ...             "reveal_deadline": "+30s"}, "ab" * 32, "2026-01-01T00:00:00Z")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: reveal_deadline: must be after commit_deadline
    """
    if not isinstance(spec, Mapping):
        raise InputError(None, "the round specification must be a JSON object")
    unknown = set(spec) - _SPEC_FIELDS
    if unknown:
        raise InputError(str(sorted(map(str, unknown))[0]),
                         f"unknown field; expected {sorted(_SPEC_FIELDS)}")
    for key in sorted(spec):
        check_json_data(spec[key], key)
    name = spec.get("mechanism")
    if not isinstance(name, str):
        raise InputError("mechanism", "a registered mechanism name is required")
    params = spec.get("params") or {}
    if not isinstance(params, dict):
        raise InputError("params", "must be a JSON object")
    title = spec.get("title")
    if title is not None and not isinstance(title, str):
        raise InputError("title", "must be a string")
    if title is not None and len(title) > MAX_TITLE:
        raise InputError("title", f"must be at most {MAX_TITLE} characters")
    try:
        mech = build_mechanism(name, **params)
    except HurwiczError:
        raise
    except _MALFORMED as err:
        raise InputError("params", f"not valid parameters for {name}: {err!r}") from None
    now = parse_time(created, "created")
    if "commit_deadline" not in spec or "reveal_deadline" not in spec:
        raise InputError("commit_deadline", "both commit_deadline and reveal_deadline are needed")
    commit_at = parse_time(spec["commit_deadline"], "commit_deadline", now)
    reveal_at = parse_time(spec["reveal_deadline"], "reveal_deadline", now)
    if commit_at <= now:
        raise InputError("commit_deadline", "must be in the future")
    if reveal_at <= commit_at:
        raise InputError("reveal_deadline", "must be after commit_deadline")
    if not isinstance(operator, str) or not _HEX64.fullmatch(operator):
        raise InputError("operator", "must be a 64-hex Ed25519 public key")
    base = _base_input(mech, spec.get("input"))
    unrevealed = spec.get("unrevealed")
    default = unrevealed.get("default") if isinstance(unrevealed, dict) else None
    _check_base_input(mech, base, default)
    rules = {
        "format": RULES_FORMAT,
        "title": title or "",
        "mechanism": {"name": mech.name, "version": mech.version, "params": mech.param_dict()},
        "input": base,
        "schedule": {"commit_deadline": format_time(commit_at),
                     "reveal_deadline": format_time(reveal_at)},
        "eligibility": _eligibility(spec.get("eligibility")),
        "unrevealed": _unrevealed(unrevealed, mech, base),
        "operator": operator,
        "created": format_time(now),
    }
    if spec.get("witnesses") is not None:
        rules["witnesses"] = check_witnesses(spec["witnesses"])
    check_json_data(rules, "rules")  # e.g. parameter values the mechanism filled in
    return rules


def rules_hash(rules: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the canonical rules.

    Example:
        >>> len(rules_hash({"a": 1}))
        64
    """
    return document_hash(dict(rules))


def round_id(rules: Mapping[str, Any]) -> str:
    """The round id: ``r`` + the whole SHA-256 of the canonical rules (64 hex digits), so that
    two rule sets share an id only if SHA-256 collides (a shorter prefix can be matched by
    brute force: 40 bits take seconds).

    Example:
        >>> round_id({"a": 1})
        'r015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862'
    """
    return "r" + rules_hash(rules)


_RULES_SHAPE: dict[str, Any] = {
    "format": str, "title": str, "mechanism": dict, "input": dict, "schedule": dict,
    "eligibility": (str, dict), "unrevealed": (str, dict), "operator": str, "created": str,
}


def check_rules_document(rules: Any) -> None:
    """Refuse a published rules document (entry 0 of a transcript, or a server's answer) that
    does not have the shape :func:`make_rules` gives: every field present with the right type,
    deadlines and creation time readable. (Whether the mechanism exists and accepts the
    parameters is for :func:`round_mechanism`.)

    Example:
        >>> check_rules_document({"format": "hurwicz-rules/1"})
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: rules.title: is missing
    """
    if not isinstance(rules, Mapping):
        raise InputError("rules", "must be a JSON object")
    if rules.get("format") != RULES_FORMAT:
        raise InputError("rules.format", f"must be {RULES_FORMAT!r}")
    for name, kind in _RULES_SHAPE.items():
        if name not in rules:
            raise InputError(f"rules.{name}", "is missing")
        if not isinstance(rules[name], kind):
            raise InputError(f"rules.{name}", "has the wrong type")
    unknown = sorted(set(rules) - set(_RULES_SHAPE) - {"witnesses"}, key=str)
    if unknown:
        raise InputError(f"rules.{str(unknown[0])[:40]}", "is not a field of the rules")
    mech = rules["mechanism"]
    if not (isinstance(mech.get("name"), str) and isinstance(mech.get("version"), str)
            and isinstance(mech.get("params"), dict) and len(mech) == 3):
        raise InputError("rules.mechanism", "must be {name: string, version: string, params: "
                         "object}")
    schedule = rules["schedule"]
    if set(schedule) != {"commit_deadline", "reveal_deadline"}:
        raise InputError("rules.schedule", "must hold commit_deadline and reveal_deadline")
    for which in ("commit_deadline", "reveal_deadline"):
        parse_absolute_time(schedule[which], f"rules.schedule.{which}")
    parse_absolute_time(rules["created"], "rules.created")
    elig = rules["eligibility"]
    if elig != "open" and not (isinstance(elig, dict) and set(elig) == {"keys"}
                               and isinstance(elig["keys"], list)
                               and all(isinstance(k, str) for k in elig["keys"])):
        raise InputError("rules.eligibility", 'must be "open" or {"keys": [public keys]}')
    unrevealed = rules["unrevealed"]
    if unrevealed != "exclude" and not (isinstance(unrevealed, dict)
                                        and set(unrevealed) == {"default"}):
        raise InputError("rules.unrevealed", 'must be "exclude" or {"default": REPORT}')
    if not _HEX64.fullmatch(rules["operator"]):
        raise InputError("rules.operator", "must be a 64-hex Ed25519 public key")
    if "witnesses" in rules:
        check_witnesses(rules["witnesses"], "rules.witnesses")


def round_mechanism(rules: Mapping[str, Any]) -> Mechanism:
    """The mechanism the rules name, with their parameters; refuses another version.

    Example:
        >>> round_mechanism({"mechanism": {"name": "auction.second_price", "version": "2",
        ...                                "params": {}}}).name
        'auction.second_price'
    """
    spec = rules["mechanism"]
    try:
        mech = build_mechanism(spec["name"], **spec.get("params", {}))
    except HurwiczError:
        raise
    except _MALFORMED as err:
        raise InputError("rules.mechanism.params", f"not valid parameters for "
                         f"{spec.get('name')}: {err!r}") from None
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
