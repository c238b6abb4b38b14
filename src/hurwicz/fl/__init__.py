"""Federated learning with strategic clients: a seeded FedAvg simulation (non-IID Dirichlet
splits of a bundled scikit-learn dataset, honest / free-rider / low-quality / poisoner / sybil
clients, robust aggregation), per-round contribution values in the spirit of GTG-Shapley and
rewards paid from a budget. Needs scikit-learn (the ``fl`` extra).

Example:
    >>> import hurwicz as hz
    >>> rep = hz.fl.simulate(clients={"honest": 2, "poisoner": 1}, rounds=2, seed=3)
    >>> rep.checks["poisoners_paid_nothing"]
    True
"""

from .simulate import (
    CLIENT_TYPES,
    FLConfig,
    SimulationReport,
    aggregate,
    dirichlet_split,
    identities,
    load_dataset,
    retraining_shapley,
    simulate,
    split_data,
)

__all__ = ["CLIENT_TYPES", "FLConfig", "SimulationReport", "aggregate", "dirichlet_split",
           "identities", "load_dataset", "retraining_shapley", "simulate", "split_data"]
