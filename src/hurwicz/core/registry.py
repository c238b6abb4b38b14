"""The mechanism registry: ``hz.mechanism(name, **params)`` and its metadata.

Mechanisms register themselves with :func:`register`; every module under
``hurwicz.mechanisms`` is imported on first lookup, so adding a file adds its mechanisms.

Example:
    >>> import hurwicz as hz
    >>> m = hz.mechanism("auction.second_price", reserve=0.0)
    >>> info = describe("auction.second_price")
    >>> info["family"], info["params"][0]["name"]
    ('auction', 'reserve')
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import pkgutil
import re
import typing
from typing import Any, TypeVar

from .errors import UnknownMechanismError
from .mechanism import Mechanism

_REGISTRY: dict[str, type[Mechanism]] = {}
_LOADED = False
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")

T = TypeVar("T", bound=type[Mechanism])


def register(cls: T) -> T:
    """Class decorator that adds a :class:`Mechanism` subclass to the registry.

    Example:
        >>> from hurwicz.core.mechanism import Mechanism
        >>> @register
        ... class Echo(Mechanism):
        ...     name, family, summary = "test.echo", "test", "Returns nothing."
        ...     def run_parsed(self, inp): ...
        >>> "test.echo" in names()
        True
        >>> unregister("test.echo")
    """
    if not _NAME.match(cls.name or ""):
        raise ValueError(f"mechanism name must look like 'family.rule', got {cls.name!r}")
    if cls.family != cls.name.split(".")[0]:
        raise ValueError(f"{cls.name}: family {cls.family!r} must be the name's prefix")
    existing = _REGISTRY.get(cls.name)
    if existing is not None and existing.__qualname__ != cls.__qualname__:
        raise ValueError(f"mechanism {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a mechanism (for tests that register throwaway mechanisms).

    Example:
        >>> unregister("no.such")  # no error if absent
    """
    _REGISTRY.pop(name, None)


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    package = importlib.import_module("hurwicz.mechanisms")
    for mod in pkgutil.walk_packages(package.__path__, prefix="hurwicz.mechanisms."):
        if mod.name.rsplit(".", 1)[-1] != "cli":  # command-line modules load with the CLI
            importlib.import_module(mod.name)


_FAMILIES_LOADED: set[str] = set()


def _load_family(name: str) -> None:
    """Import the modules of the package ``hurwicz.mechanisms.<family>`` of a mechanism name
    (once), so that looking up one mechanism need not import every family (and what they
    import: a command that runs a voting rule starts faster). A name it does not register is
    then looked up after :func:`_load_all`."""
    family = name.split(".", 1)[0]
    if _LOADED or family in _FAMILIES_LOADED or not family.isidentifier():
        return
    _FAMILIES_LOADED.add(family)
    spec = importlib.util.find_spec(f"hurwicz.mechanisms.{family}")
    if spec is None or spec.submodule_search_locations is None:  # no such package
        return
    package = importlib.import_module(f"hurwicz.mechanisms.{family}")
    for mod in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        if mod.name.rsplit(".", 1)[-1] != "cli":
            importlib.import_module(mod.name)


def names() -> list[str]:
    """Sorted names of all registered mechanisms.

    Example:
        >>> "auction.first_price" in names()
        True
    """
    _load_all()
    return sorted(_REGISTRY)


def get(name: str) -> type[Mechanism]:
    """The class registered under ``name``; raises :class:`UnknownMechanismError`.

    Example:
        >>> get("auction.second_price").family
        'auction'
    """
    if name not in _REGISTRY:
        _load_family(name)
    if name not in _REGISTRY:
        _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)
        raise UnknownMechanismError(name, close) from None


def mechanism(name: str, **params: Any) -> Mechanism:
    """Look up a mechanism by name and configure it; parameters are validated.

    Example:
        >>> mechanism("auction.second_price", reserve=1.5).params.reserve
        1.5
    """
    return get(name)(**params)


def _type_name(annotation: Any) -> str:
    if annotation is None:
        return "None"
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin is not None:
        args = typing.get_args(annotation)
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            return " | ".join(_type_name(a) for a in args)
        inner = ", ".join(_type_name(a) for a in args)
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    return getattr(annotation, "__name__", str(annotation))


def param_specs(cls: type[Mechanism]) -> list[dict[str, Any]]:
    """Name, type, default, whether required and description of each parameter.

    Example:
        >>> [p["name"] for p in param_specs(get("auction.second_price"))]
        ['reserve', 'tie_break']
    """
    specs = []
    for pname, field in cls.Params.model_fields.items():
        required = field.is_required()
        specs.append(
            {
                "name": pname,
                "type": _type_name(field.annotation),
                "default": None if required else field.get_default(call_default_factory=True),
                "required": required,
                "description": field.description or "",
            }
        )
    return specs


def describe(name: str) -> dict[str, Any]:
    """Metadata of a mechanism: ``name, family, summary, version, params, claims`` (every
    claim), ``claim_conditions`` (when each holds), ``capabilities``, ``report_kind``,
    ``properties`` (what its family's audit specification can check), the docstring and the
    input schema.

    Example:
        >>> info = describe("auction.second_price")
        >>> info["claims"], info["claim_conditions"]["efficient"]
        (['dsic', 'ir', 'efficient', 'budget_balance'], 'reserve = 0')
        >>> info["capabilities"]
        ['batch', 'scalar_reports']
    """
    from .capabilities import capabilities

    cls = get(name)
    doc = inspect.cleandoc(cls.__doc__ or "")
    claims = cls.claim_list()
    spec = getattr(cls, "Audit", None)
    return {
        "name": cls.name,
        "family": cls.family,
        "summary": cls.summary,
        "version": cls.version,
        "params": param_specs(cls),
        "claims": [c.property for c in claims],
        "claim_conditions": {c.property: c.condition for c in claims},
        "capabilities": capabilities(cls),
        "report_kind": getattr(spec, "report_kind", None),
        "properties": sorted(getattr(spec, "properties", {})),
        "batch": "batch" in capabilities(cls),
        "doc": doc,
        "input_schema": cls.Input.model_json_schema() if cls.Input is not None else None,
    }


def list_mechanisms(family: str | None = None) -> list[dict[str, Any]]:
    """Metadata of every registered mechanism (optionally one family), sorted by name.

    Example:
        >>> [m["name"] for m in list_mechanisms("auction")][:2]
        ['auction.all_pay', 'auction.dutch']
    """
    out = []
    for n in names():
        info = describe(n)
        if family is None or info["family"] == family:
            info.pop("doc")
            info.pop("input_schema")
            out.append(info)
    return out
