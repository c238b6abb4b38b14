"""Contributions and payments inside a real Flower (``flwr``) run.

Two FedAvg strategies that, besides aggregating, value every client's submitted update each
round and pay a per-round budget in proportion to the values:

* :class:`ContributionFedAvg` subclasses Flower's current strategy,
  ``flwr.serverapp.strategy.FedAvg`` (the Message API of ``ServerApp`` / ``ClientApp``);
  clients are named by their node id.
* :class:`LegacyContributionFedAvg` subclasses ``flwr.server.strategy.FedAvg`` (the
  ``NumPyClient`` API: ``start_server`` / ``start_client``, ``start_simulation``); a client
  is named by the string it puts in its fit metrics under ``"client"`` (else its proxy id).

Both delegate to a :class:`ContributionLedger`, which needs no Flower and is where the
valuation lives. It is the per-round game of :mod:`hurwicz.fl.simulate` (in the spirit of
GTG-Shapley, Liu et al. 2022): with ``θ`` the global model the round started from and
``Δ_i = θ_i − θ`` client ``i``'s update, ``v(S) = U(θ + Σ_{i∈S} s_i Δ_i) − U(θ)``, where
``U`` is a server-side validation utility and ``s_i`` the FedAvg weight (``n_i / Σ n`` over
the whole round with ``reconstruction="full"``, so that a client sending the global model back
is a null player; renormalised over ``S`` with ``"subset"``). Each client's contribution is
its exact Shapley value (all 2^n subsets, up to ``max_exact`` clients; truncated Monte Carlo
beyond). The round's ``budget_per_round`` is paid in proportion to positive contributions
(:func:`~hurwicz.fl.simulate.proportional_rewards`): a client whose update did not
raise the utility that round (a free rider; a poisoner, as a rule) gets nothing.
When no client contributed positively nothing is paid that round.

``utility`` is any callable on the model's list of numpy arrays; :class:`SoftmaxValidation`
is the utility of hurwicz's own softmax model (``[W]``) and takes the simulation's vectorised
path. Flower is imported only when a strategy class is first used, so ``import hurwicz.fl``
never needs it; without it the strategies raise an ``ImportError`` saying
``pip install 'hurwicz[flower]'``.

Example:
    >>> import numpy as np
    >>> utility = lambda arrays: -float(np.sum((arrays[0] - 1.0) ** 2))  # best model: 1
    >>> ledger = ContributionLedger(utility, budget_per_round=10.0)
    >>> rec = ledger.record(1, [np.zeros(2)], {"good": ([np.ones(2)], 50),
    ...                                        "lazy": ([np.zeros(2)], 50)})
    >>> rec.rewards, rec.contributions["lazy"]
    ({'good': 10.0, 'lazy': 0.0}, 0.0)
    >>> rec.payments["good"]  # hurwicz's sign: negative = the client receives money
    -10.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from hurwicz.core.errors import InputError
from hurwicz.valuation import Game, ValuationResult, shapley

from .model import accuracy, log_loss
from .simulate import MAX_EXACT_IDENTITIES, FLConfig, RoundGame, _shares, proportional_rewards

#: What to install when Flower is missing.
FLOWER_HINT = ("the Flower adapter needs Flower (flwr): pip install 'hurwicz[flower]'")

Utility = Callable[[list[np.ndarray]], float]


@dataclass(frozen=True)
class SoftmaxValidation:
    """Validation utility of hurwicz's softmax model (parameters ``[W]``, see
    :mod:`hurwicz.fl.model`): minus the mean log-loss (``metric="loss"``) or the accuracy on
    ``(X, y)``. The ledger evaluates it for all coalitions at once.

    Example:
        >>> u = SoftmaxValidation(np.zeros((2, 1)), np.array([0, 1]))
        >>> round(u([np.zeros((2, 2))]), 6)
        -0.693147
    """

    X: np.ndarray
    y: np.ndarray
    metric: Literal["loss", "accuracy"] = "loss"

    def __call__(self, arrays: Sequence[np.ndarray]) -> float:
        W = arrays[0]
        if self.metric == "accuracy":
            return float(accuracy(W, self.X, self.y))
        return -float(log_loss(W, self.X, self.y))


@dataclass
class RoundContribution:
    """One round's valuation: each client's contribution (Shapley value of the round game),
    reward (money paid to it, ≥ 0) and payment (hurwicz's sign convention: ``−reward``)."""

    server_round: int
    contributions: dict[str, float]
    rewards: dict[str, float]
    payments: dict[str, float]
    stderr: dict[str, float]
    budget: float
    method: str
    calls: int
    utility_before: float
    grand_value: float
    efficiency_residual: float
    num_examples: dict[str, float] = field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        """Flat scalar metrics for Flower (``contribution/NAME``, ``reward/NAME``).

        Example:
            >>> r = RoundContribution(1, {"a": 0.5}, {"a": 2.0}, {"a": -2.0}, {"a": 0.0},
            ...                       2.0, "exact", 2, -1.0, 0.5, 0.0)
            >>> r.metrics()
            {'contribution/a': 0.5, 'reward/a': 2.0}
        """
        return {**{f"contribution/{k}": v for k, v in self.contributions.items()},
                **{f"reward/{k}": v for k, v in self.rewards.items()}}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document.

        Example:
            >>> r = RoundContribution(1, {"a": 0.5}, {"a": 2.0}, {"a": -2.0}, {"a": 0.0},
            ...                       2.0, "exact", 2, -1.0, 0.5, 0.0)
            >>> r.to_dict()["rewards"]
            {'a': 2.0}
        """
        return {"server_round": self.server_round, "contributions": self.contributions,
                "rewards": self.rewards, "payments": self.payments, "stderr": self.stderr,
                "budget": self.budget, "method": self.method, "calls": self.calls,
                "utility_before": self.utility_before, "grand_value": self.grand_value,
                "efficiency_residual": self.efficiency_residual,
                "num_examples": self.num_examples}


class UpdateGame(Game):
    """One round's game for any model: ``v(S) = U(θ + Σ_{i∈S} s_i Δ_i) − U(θ)``.

    Example:
        >>> g = UpdateGame(["a", "b"], lambda p: float(p[0].sum()), [np.zeros(1)],
        ...                [[np.ones(1)], [np.zeros(1)]], np.array([1.0, 1.0]), "full")
        >>> g.all_values().tolist()
        [0.0, 0.5, 0.0, 0.5]
    """

    def __init__(self, names: list[str], utility: Utility, global_arrays: list[np.ndarray],
                 updates: list[list[np.ndarray]], weights: np.ndarray,
                 reconstruction: str) -> None:
        super().__init__(names)
        self.utility, self.global_arrays, self.updates = utility, global_arrays, updates
        self.weights, self.reconstruction = weights, reconstruction
        self.base = float(utility(global_arrays))

    def _evaluate(self, mask: int) -> float:
        if mask == 0:
            return 0.0
        share = _shares(np.array([mask]), self.weights, self.reconstruction)[0]
        arrays = [g + sum(share[k] * self.updates[k][j] for k in range(self.n) if share[k])
                  for j, g in enumerate(self.global_arrays)]
        return float(self.utility(arrays)) - self.base


class ContributionLedger:
    """Values the updates of each round and pays ``budget_per_round`` in proportion; keeps the
    :attr:`history` (one :class:`RoundContribution` per round). No Flower needed.

    Example:
        >>> u = lambda p: -float(np.sum((p[0] - 1.0) ** 2))
        >>> ledger = ContributionLedger(u, budget_per_round=1.0)
        >>> for t in (1, 2):
        ...     _ = ledger.record(t, [np.zeros(1)], {"a": ([np.ones(1)], 1),
        ...                                          "b": ([np.ones(1) / 2], 1)})
        >>> ledger.history[0].contributions  # v(a) = 0.75, v(b) = 0.4375, v(ab) = 0.9375
        {'a': 0.625, 'b': 0.3125}
        >>> {k: round(v, 6) for k, v in ledger.totals()["rewards"].items()}
        {'a': 1.333333, 'b': 0.666667}
    """

    def __init__(self, utility: Utility, budget_per_round: float = 1.0, *,
                 reconstruction: Literal["full", "subset"] = "full",
                 max_exact: int = MAX_EXACT_IDENTITIES, tmc_permutations: int = 200,
                 seed: int = 0) -> None:
        if not callable(utility):
            raise InputError("utility", "must be a callable on the model's list of arrays")
        if (isinstance(budget_per_round, bool)
                or not isinstance(budget_per_round, int | float)
                or not math.isfinite(budget_per_round) or budget_per_round < 0):
            raise InputError("budget_per_round", "must be a finite number ≥ 0, got "
                             f"{budget_per_round!r}")
        if reconstruction not in ("full", "subset"):
            raise InputError("reconstruction", f"must be 'full' or 'subset', got "
                             f"{reconstruction!r}")
        if isinstance(max_exact, bool) or not isinstance(max_exact, int) \
                or not 0 <= max_exact <= 20:
            raise InputError("max_exact", "must be an integer from 0 to 20")
        if isinstance(tmc_permutations, bool) or not isinstance(tmc_permutations, int) \
                or tmc_permutations < 2:
            raise InputError("tmc_permutations", "must be an integer ≥ 2")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise InputError("seed", "must be a non-negative integer")
        self.utility, self.budget_per_round = utility, float(budget_per_round)
        self.reconstruction, self.max_exact = reconstruction, max_exact
        self.tmc_permutations, self.seed = tmc_permutations, seed
        self.history: list[RoundContribution] = []

    def _game(self, names: list[str], global_arrays: list[np.ndarray],
              updates: list[list[np.ndarray]], weights: np.ndarray) -> Game:
        u = self.utility
        if (isinstance(u, SoftmaxValidation) and len(global_arrays) == 1
                and global_arrays[0].ndim == 2):  # the simulation's vectorised game
            cfg = FLConfig(utility=u.metric, reconstruction=self.reconstruction)
            return RoundGame(names, cfg, global_arrays[0],
                             np.stack([d[0] for d in updates]), weights, u.X, u.y)
        return UpdateGame(names, u, global_arrays, updates, weights, self.reconstruction)

    def record(self, server_round: int, global_arrays: Sequence[np.ndarray],
               results: Mapping[str, tuple[Sequence[np.ndarray], float]]
               ) -> RoundContribution:
        """Value one round: ``global_arrays`` is the model the round started from,
        ``results`` maps each client to the model it sent back and its number of examples.

        Example:
            >>> ledger = ContributionLedger(lambda p: float(p[0][0]), 4.0)
            >>> ledger.record(1, [np.zeros(1)], {"x": ([np.ones(1)], 3),
            ...                                  "y": ([-np.ones(1)], 1)}).rewards
            {'x': 4.0, 'y': 0.0}
        """
        base = [np.asarray(a, dtype=float) for a in global_arrays]
        if not all(np.isfinite(a).all() for a in base):
            raise InputError("global_arrays", "the global model has a NaN or infinite entry")
        if not results:
            raise InputError("results", "no client results to value")
        names = [str(n) for n in results]
        if len(set(names)) != len(names):
            raise InputError("results", "client names must be distinct")
        updates: list[list[np.ndarray]] = []
        weights = []
        for name, (arrays, examples) in results.items():
            arrays = [np.asarray(a, dtype=float) for a in arrays]
            if [a.shape for a in arrays] != [b.shape for b in base]:
                raise InputError(f"results.{name}", "the model's arrays do not have the "
                                 "global model's shapes")
            if not all(np.isfinite(a).all() for a in arrays):
                raise InputError(f"results.{name}", "the update has a NaN or infinite entry")
            if isinstance(examples, bool | np.bool_) or not (
                    isinstance(examples, int | float | np.integer | np.floating)
                    and math.isfinite(examples) and examples > 0):
                raise InputError(f"results.{name}", f"number of examples must be > 0, got "
                                 f"{examples!r}")
            updates.append([a - b for a, b in zip(arrays, base)])
            weights.append(float(examples))
        game = self._game(names, base, updates, np.array(weights))
        if game.n <= self.max_exact:
            res: ValuationResult = shapley(game)
        else:
            res = shapley(game, "tmc", max_permutations=self.tmc_permutations,
                          truncation=0.001, seed=self.seed + int(server_round))
        values = {n: float(res.values[n]) for n in names}
        rewards = proportional_rewards(values, self.budget_per_round)
        rec = RoundContribution(
            server_round=int(server_round), contributions=values, rewards=rewards,
            payments={n: -r for n, r in rewards.items()},
            stderr={n: float(res.stderr[n]) for n in names}, budget=self.budget_per_round,
            method=res.method, calls=int(res.calls), utility_before=float(game.base),
            grand_value=float(res.grand_value),
            efficiency_residual=float(res.efficiency_residual),
            num_examples=dict(zip(names, weights)))
        self.history.append(rec)
        return rec

    def totals(self) -> dict[str, dict[str, float]]:
        """Contributions and rewards summed over the recorded rounds.

        Example:
            >>> ContributionLedger(lambda p: 0.0).totals()
            {'contributions': {}, 'rewards': {}}
        """
        contributions: dict[str, float] = {}
        rewards: dict[str, float] = {}
        for rec in self.history:
            for n, v in rec.contributions.items():
                contributions[n] = contributions.get(n, 0.0) + v
                rewards[n] = rewards.get(n, 0.0) + rec.rewards[n]
        return {"contributions": contributions, "rewards": rewards}


# --- the Flower strategies (built on first use) ----------------------------------------------
def _import_flwr() -> None:
    try:
        import flwr  # noqa: F401
    except ImportError as err:
        raise ImportError(FLOWER_HINT) from err


class _LedgerMixin:
    """What both strategies share: the ledger, its history and totals."""

    ledger: ContributionLedger

    @property
    def history(self) -> list[RoundContribution]:
        """One :class:`RoundContribution` per aggregated round."""
        return self.ledger.history

    def totals(self) -> dict[str, dict[str, float]]:
        """Contributions and rewards summed over rounds."""
        return self.ledger.totals()


def _ledger_options(options: dict[str, Any]) -> dict[str, Any]:
    keys = ("reconstruction", "max_exact", "tmc_permutations", "seed")
    return {k: options.pop(k) for k in keys if k in options}


def _build_message_api() -> type:
    _import_flwr()
    from flwr.app import MetricRecord
    from flwr.serverapp.strategy import FedAvg

    class ContributionFedAvg(_LedgerMixin, FedAvg):
        """Flower's FedAvg (Message API) that values each round's updates and pays
        ``budget_per_round`` in proportion; per-round results in :attr:`history`, and as
        ``contribution/NODE`` and ``reward/NODE`` in the round's train metrics."""

        def __init__(self, *, utility: Utility, budget_per_round: float = 1.0,
                     **options: Any) -> None:
            ledger = _ledger_options(options)
            super().__init__(**options)
            self.ledger = ContributionLedger(utility, budget_per_round, **ledger)
            self._global: list[np.ndarray] | None = None

        def configure_train(self, server_round, arrays, config, grid):  # type: ignore[no-untyped-def]
            self._global = arrays.to_numpy_ndarrays()
            return super().configure_train(server_round, arrays, config, grid)

        def aggregate_train(self, server_round, replies):  # type: ignore[no-untyped-def]
            replies = list(replies)
            arrays, metrics = super().aggregate_train(server_round, replies)
            if arrays is None or self._global is None:
                return arrays, metrics
            submitted = {}
            for msg in replies:
                if msg.has_error():
                    continue
                content = msg.content
                record = content[self.arrayrecord_key] if self.arrayrecord_key in \
                    content.array_records else next(iter(content.array_records.values()))
                examples = next(iter(content.metric_records.values()))[self.weighted_by_key]
                submitted[str(msg.metadata.src_node_id)] = (record.to_numpy_ndarrays(),
                                                            examples)
            rec = self.ledger.record(server_round, self._global, submitted)
            metrics = metrics if metrics is not None else MetricRecord()
            for key, value in rec.metrics().items():
                metrics[key] = value
            return arrays, metrics

    ContributionFedAvg.__module__ = __name__
    ContributionFedAvg.__qualname__ = "ContributionFedAvg"
    return ContributionFedAvg


def _build_legacy() -> type:
    _import_flwr()
    from flwr.common import parameters_to_ndarrays
    from flwr.server.strategy import FedAvg

    class LegacyContributionFedAvg(_LedgerMixin, FedAvg):
        """Flower's FedAvg (``NumPyClient`` API) that values each round's updates and pays
        ``budget_per_round`` in proportion; per-round results in :attr:`history`, and as
        ``contribution/NAME`` and ``reward/NAME`` in the round's fit metrics. A client is
        named by its fit metric ``name_key`` (default ``"client"``), else its proxy id."""

        def __init__(self, *, utility: Utility, budget_per_round: float = 1.0,
                     name_key: str = "client", **options: Any) -> None:
            ledger = _ledger_options(options)
            super().__init__(**options)
            self.ledger = ContributionLedger(utility, budget_per_round, **ledger)
            self.name_key = name_key
            self._global: list[np.ndarray] | None = None

        def configure_fit(self, server_round, parameters, client_manager):  # type: ignore[no-untyped-def]
            self._global = parameters_to_ndarrays(parameters)
            return super().configure_fit(server_round, parameters, client_manager)

        def aggregate_fit(self, server_round, results, failures):  # type: ignore[no-untyped-def]
            params, metrics = super().aggregate_fit(server_round, results, failures)
            if params is None or self._global is None:
                return params, metrics
            submitted = {}
            for proxy, res in results:
                name = str(res.metrics.get(self.name_key, proxy.cid))
                if name in submitted:
                    raise InputError(self.name_key, f"two clients are named {name!r}")
                submitted[name] = (parameters_to_ndarrays(res.parameters), res.num_examples)
            rec = self.ledger.record(server_round, self._global, submitted)
            return params, {**metrics, **rec.metrics()}

    LegacyContributionFedAvg.__module__ = __name__
    LegacyContributionFedAvg.__qualname__ = "LegacyContributionFedAvg"
    return LegacyContributionFedAvg


_BUILDERS = {"ContributionFedAvg": _build_message_api,
             "LegacyContributionFedAvg": _build_legacy}


def __getattr__(name: str) -> Any:  # the strategies import Flower on first use
    if name in _BUILDERS:
        cls = _BUILDERS[name]()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# the strategies (ContributionFedAvg, LegacyContributionFedAvg) are left out of __all__ so that
# a star import works without Flower
__all__ = ["FLOWER_HINT", "ContributionLedger", "RoundContribution", "SoftmaxValidation",
           "UpdateGame"]
