"""What ``hurwicz describe`` shows about a mechanism's input: the schema in a few lines, and a
small example input that runs.

The example comes from the family's audit specification: the first sample of three agents (seeds
0, 1, ...) that runs and gives someone something, else the first that runs, else the first of
the family's degenerate cases that runs. A required parameter takes its
first declared example (``json_schema_extra={"examples": [...]}``), which
:func:`example_input` returns so that the command line can print the ``--param`` to pass.

Example:
    >>> data, params = example_input("auction.second_price")
    >>> sorted(data), params
    (['bids'], {})
    >>> [r["field"] for r in schema_rows(describe_schema("funding.quadratic"))][:3]
    ['contributions', 'contributions[].contributor', 'contributions[].project']
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

import numpy as np

from hurwicz.core.errors import HurwiczError, InputError
from hurwicz.core.outcome import to_jsonable

#: samples of three agents tried (seeds 0, 1, ...) before the family's degenerate cases
EXAMPLE_SEEDS = 10
EXAMPLE_AGENTS = 3


def describe_schema(name: str) -> dict[str, Any] | None:
    """The JSON schema of a mechanism's input.

    Example:
        >>> describe_schema("auction.first_price")["required"]
        ['bids']
    """
    from hurwicz.core.registry import get

    cls = get(name)
    return cls.Input.model_json_schema() if cls.Input is not None else None


# --- the schema, compactly ----------------------------------------------------------------------
def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e6:
        x = int(x)
    return f"{x:g}" if isinstance(x, float) or abs(x) >= 1e6 else str(x)


def _size(low: int | None, high: int | None, unit: str) -> str:
    if low and high is not None:
        return f" ({low}–{high} {unit})"
    if low:
        return f" (≥ {low} {unit})"
    if high is not None:
        return f" (≤ {high} {unit})"
    return ""


class _Schema:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs = root.get("$defs", {})

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            node = self.defs[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def leaf(self, node: Mapping[str, Any]) -> str:
        """A leaf type with its constraints: ``number in [0, 1e+15]``, ``string (1–256)``."""
        kind = node.get("type", "any")
        lo = (f"[{_num(node['minimum'])}" if "minimum" in node else
              f"({_num(node['exclusiveMinimum'])}" if "exclusiveMinimum" in node else None)
        hi = (f"{_num(node['maximum'])}]" if "maximum" in node else
              f"{_num(node['exclusiveMaximum'])})" if "exclusiveMaximum" in node else None)
        if lo and hi:
            kind += f" in {lo}, {hi}"
        elif lo:
            kind += f" {'≥' if lo[0] == '[' else '>'} {lo[1:]}"
        elif hi:
            kind += f" {'≤' if hi[-1] == ']' else '<'} {hi[:-1]}"
        return kind + _size(node.get("minLength"), node.get("maxLength"), "chars")

    def type(self, node: Mapping[str, Any]) -> str:
        if "$ref" in node:
            target = self.resolve(node)
            return target.get("title", "object") if "properties" in target else self.type(target)
        if "enum" in node:
            return " | ".join(json.dumps(v, ensure_ascii=False) for v in node["enum"])
        if "const" in node:
            return json.dumps(node["const"], ensure_ascii=False)
        for key in ("anyOf", "oneOf"):
            if key in node:
                return " | ".join(self.type(option) for option in node[key])
        kind = node.get("type")
        if kind == "array":
            items = self.type(node.get("items", {}))
            size = _size(node.get("minItems"), node.get("maxItems"), "items")
            return f"list of {items if ' | ' not in items else f'({items})'}{size}"
        if kind == "object" and "properties" not in node:
            keys = self.leaf({"type": "name", **node.get("propertyNames", {})})
            values = self.type(node.get("additionalProperties", {}))
            return "{" + f"{keys}: {values}" + "}"
        if kind == "object":
            return node.get("title", "object")
        return self.leaf(node)

    def rows(self, node: Mapping[str, Any], prefix: str = "") -> list[dict[str, Any]]:
        node = self.resolve(node)
        required = set(node.get("required", []))
        out = []
        for field, sub in node.get("properties", {}).items():
            path = f"{prefix}{field}"
            out.append({"field": path, "type": self.type(sub), "required": field in required,
                        "default": sub.get("default"), "description": sub.get("description", "")})
            out += self._children(sub, path)
        return out

    def _children(self, node: Mapping[str, Any], path: str) -> list[dict[str, Any]]:
        """Rows of objects nested in ``node`` (list items, map values, unions)."""
        node = self.resolve(node) if "$ref" in node else node
        if "properties" in node:
            return self.rows(node, path + ".")
        out = []
        for key in ("anyOf", "oneOf"):
            for option in node.get(key, []):
                out += self._children(option, path)
        if node.get("type") == "array" and "items" in node:
            out += self._children(node["items"], path + "[]")
        if node.get("type") == "object" and isinstance(node.get("additionalProperties"), dict):
            out += self._children(node["additionalProperties"], path + ".<name>")
        return out


def schema_rows(schema: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """One row per input field, nested fields included (``contributions[].amount``,
    ``bids.<name>[].value``): ``field, type`` (with constraints), ``required``, ``default``,
    ``description``.

    Example:
        >>> rows = schema_rows(describe_schema("auction.second_price"))
        >>> rows[0]["field"], rows[0]["type"], rows[0]["required"]
        ('bids', '{name (1–256 chars): number in [0, 1e+15]}', True)
    """
    if not schema:
        return []
    return _Schema(schema).rows(schema)


# --- a minimal example input --------------------------------------------------------------------
def example_params(name: str) -> dict[str, Any]:
    """Values for the required parameters: each one's first declared example.

    Example:
        >>> example_params("auction.posted_price"), example_params("auction.first_price")
        ({'price': 5.0}, {})
    """
    from hurwicz.core.registry import get

    out = {}
    for pname, info in get(name).Params.model_fields.items():
        if info.is_required():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            examples = list(extra.get("examples", []))
            if not examples:
                raise InputError("example", f"{name}: parameter {pname!r} is required and "
                                 "declares no example")
            out[pname] = examples[0]
    return out


def _candidates(spec: Any) -> list[Any]:
    out = []
    for agents, seed in [(EXAMPLE_AGENTS, s) for s in range(EXAMPLE_SEEDS)] + [(None, 0)]:
        try:
            out.append(spec.sample(np.random.default_rng(seed), agents))
        except (HurwiczError, TypeError, ValueError):
            continue
    cases = list(spec.edge_cases())
    out += sorted((c for c in cases if c), key=lambda c: -len(json.dumps(to_jsonable(c))))
    return out


def _eventful(outcome: Any) -> bool:
    """Someone gets something (a unit, a slot, a partner, a winner)."""
    return any(v not in (None, 0, 0.0, False, "", [], {}) for v in outcome.allocation.values())


def example_input(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A small input that runs, and the required parameters it runs with.

    Example:
        >>> data, params = example_input("funding.clarke")
        >>> params
        {'cost': 10.0}
    """
    from hurwicz.auditing.spec import audit_spec
    from hurwicz.core.registry import mechanism

    params = example_params(name)
    mech = mechanism(name, **params)
    runs = []
    for data in _candidates(audit_spec(mech)):
        document = json.loads(json.dumps(to_jsonable(data)))
        try:
            outcome = mech.run(document)
        except HurwiczError:
            continue
        if _eventful(outcome):
            return document, params
        runs.append(document)
    if runs:
        return runs[0], params
    raise InputError("example", f"{name}: no example input runs")


def pretty_json(value: Any, width: int = 88, indent: int = 0, column: int | None = None) -> str:
    """JSON text that keeps whatever fits in ``width`` columns on one line and breaks the rest
    one level at a time (Unicode shown as Unicode).

    Example:
        >>> print(pretty_json({"bids": {"a": 1, "b": 2}, "xs": [[1, 2], [3, 4]]}, width=30))
        {
          "bids": {"a": 1, "b": 2},
          "xs": [[1, 2], [3, 4]]
        }
    """
    flat = json.dumps(value, ensure_ascii=False)
    start = indent if column is None else column
    if start + len(flat) <= width or not isinstance(value, dict | list) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            key = json.dumps(str(k), ensure_ascii=False) + ": "
            items.append(pad + key + pretty_json(v, width, indent + 2, indent + 2 + len(key)))
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + pretty_json(v, width, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def param_flags(params: Mapping[str, Any]) -> list[str]:
    """``--param`` arguments that pass ``params`` on the command line (shell-quoted).

    Example:
        >>> param_flags({"price": 5.0, "prior": "uniform:0,1", "xs": [1, 2]})
        ['--param price=5.0', '--param prior=uniform:0,1', "--param 'xs=[1, 2]'"]
    """
    flags = []
    for key, value in params.items():
        text = json.dumps(value, ensure_ascii=False)
        if isinstance(value, str):
            try:
                json.loads(value)
            except json.JSONDecodeError:
                text = value  # read back as text, needs no quotes
        flags.append(f"--param {shlex.quote(f'{key}={text}')}")
    return flags
