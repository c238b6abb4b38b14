"""Core model: outcomes, the mechanism protocol, the registry, priors, utilities and errors.

Example:
    >>> from hurwicz.core import mechanism, parse_prior
    >>> mechanism("auction.second_price").name
    'auction.second_price'
"""

from .capabilities import (
    BatchLayout,
    BatchPath,
    BotIdentities,
    EquilibriumStrategies,
    ScalarReports,
    SybilSplitting,
    capabilities,
)
from .claims import Claim
from .errors import (
    AuditError,
    HurwiczError,
    InputError,
    ParameterError,
    PriorError,
    SolverError,
    UnknownMechanismError,
)
from .mechanism import Mechanism, NoParams
from .outcome import BatchOutcome, Outcome, to_jsonable
from .priors import (
    Beta,
    Discrete,
    Exponential,
    Mixture,
    Normal,
    Prior,
    Uniform,
    parse_prior,
    parse_priors,
    sample_profiles,
)
from .registry import describe, get, list_mechanisms, mechanism, names, register, unregister
from .utility import quasilinear, quasilinear_batch
from .validation import validate_model, validate_params

__all__ = [
    "AuditError",
    "BatchLayout",
    "BatchOutcome",
    "BatchPath",
    "Beta",
    "BotIdentities",
    "Claim",
    "Discrete",
    "EquilibriumStrategies",
    "Exponential",
    "HurwiczError",
    "InputError",
    "Mechanism",
    "Mixture",
    "NoParams",
    "Normal",
    "Outcome",
    "ParameterError",
    "Prior",
    "PriorError",
    "ScalarReports",
    "SolverError",
    "SybilSplitting",
    "Uniform",
    "UnknownMechanismError",
    "capabilities",
    "describe",
    "get",
    "list_mechanisms",
    "mechanism",
    "names",
    "parse_prior",
    "parse_priors",
    "quasilinear",
    "quasilinear_batch",
    "register",
    "sample_profiles",
    "to_jsonable",
    "unregister",
    "validate_model",
    "validate_params",
]
