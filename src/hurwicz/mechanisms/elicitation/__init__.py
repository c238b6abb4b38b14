"""Information elicitation: scoring rules, market scoring rules (LMSR), peer prediction and
truth serums. Also the ``hz.elicitation`` namespace: vectorised scoring functions and the
equilibrium analysis of peer mechanisms.

Example:
    >>> import hurwicz as hz
    >>> "elicitation.lmsr" in hz.names()
    True
    >>> round(float(hz.elicitation.crps_normal(0.0, 0.0, 1.0)), 6)
    0.233695
"""

from .model import (
    CrowdReport,
    SignalModel,
    TruthfulnessReport,
    random_model,
    simulate_crowd,
    strategy_matrix,
    truthfulness,
)
from .rules import (
    PROBABILITY_TOLERANCE,
    brier_score,
    crps_ensemble,
    crps_normal,
    expected_crps_normal,
    expected_score,
    interval_score,
    linear_score,
    log_score,
    pinball_loss,
    quadratic_score,
    spherical_score,
)

__all__ = ["PROBABILITY_TOLERANCE", "CrowdReport", "SignalModel", "TruthfulnessReport",
           "brier_score", "crps_ensemble", "crps_normal", "expected_crps_normal",
           "expected_score", "interval_score", "linear_score", "log_score", "pinball_loss",
           "quadratic_score", "random_model", "simulate_crowd", "spherical_score",
           "strategy_matrix", "truthfulness"]
