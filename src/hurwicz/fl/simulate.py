"""A federated-learning simulation with strategic clients, per-round contribution values and
rewards paid from a budget.

* **Data**: a dataset bundled with scikit-learn (``digits`` by default; works offline) is
  split into a test set, a server-held validation set and one share per data owner; the owners'
  shares are non-IID: for every class, the class's examples are divided among the owners in
  proportions drawn from a symmetric Dirichlet(``alpha``) (Hsu, Qi & Brown 2019).
* **Training**: FedAvg (McMahan et al. 2017) on a numpy softmax-regression model: every round,
  each client runs ``local_epochs`` of mini-batch SGD from the global model and sends its
  update; the server aggregates the updates — the data-size weighted mean (FedAvg), or the
  robust coordinate-wise ``median`` or ``trimmed_mean`` (Yin et al. 2018).
* **Clients**: ``honest``; ``free_rider`` (holds data but sends the global model back, plus
  Gaussian noise of scale ``free_rider_noise``); ``low_quality`` (a share ``label_noise`` of
  its labels replaced by random ones); ``poisoner`` (label flipping: class ``c`` becomes
  ``C − 1 − c``); ``sybil`` (one data set behind ``sybil_identities`` identities, each sending
  an update trained on the same data).
* **Contribution**: in the spirit of GTG-Shapley (Liu, Chen, Yang, Lv & Cong 2022, ACM TIST):
  no retraining — in round ``t`` the utility of a set ``S`` of clients is the validation
  performance of the model *reconstructed* from their updates, ``U(θ_t + agg(Δ_S)) − U(θ_t)``
  (so that ``v(∅) = 0``). Under the mean, ``agg(Δ_S)`` keeps each member's share of the
  whole round (``reconstruction="full"``, the default: a client that sends the global model
  back is then a null player) or renormalises over ``S`` as GTG-Shapley does
  (``"subset"``); both track the retraining reference (tests), the default more closely at
  high learning rates, where dilution by an empty update can *help* a subset model and so
  credit a free rider. Each client's round value is the Shapley value of that game
  (exact over all subsets for up to :data:`MAX_EXACT_IDENTITIES` identities, truncated Monte
  Carlo beyond). Contributions are summed over rounds. :func:`retraining_shapley` computes the
  expensive reference — Shapley values of "train FedAvg from scratch on S" — for small runs.
* **Rewards**: the budget is paid in proportion to positive contributions; a client whose total
  contribution is ≤ 0 receives nothing — always a free rider that sends the global model back
  (a null player), usually but not always a poisoner (see ``checks``; on the documented
  walkthrough configuration a poisoner was paid in 2 of 30 seeds). Splitting one data set into
  several identities can raise its owner's total reward: this is not sybil-proof.

Every random draw comes from ``seed`` (one stream per client and round), so a configuration
replays bit for bit.

Example:
    >>> rep = simulate({"clients": {"honest": 3, "free_rider": 1, "poisoner": 1}, "rounds": 4,
    ...                 "seed": 1})
    >>> rep.accuracy > 0.5, rep.checks["free_riders_and_poisoners_at_bottom"]
    (True, True)
    >>> rep.by_type["poisoner"]["reward"]
    0.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hurwicz.core.errors import HurwiczError, InputError
from hurwicz.core.validation import validate_model
from hurwicz.valuation import Game, ValuationResult, shapley

from .model import accuracy, augment, sgd

#: Client types, in report order.
CLIENT_TYPES = ("honest", "free_rider", "low_quality", "poisoner", "sybil")
#: Most identities for which each round's Shapley values are exact (2^n subsets).
MAX_EXACT_IDENTITIES = 14
#: Most identities for the retraining reference (2^n complete trainings).
MAX_RETRAINING_IDENTITIES = 10
DATASETS = ("digits", "iris", "wine", "breast_cancer")

ClientType = Literal["honest", "free_rider", "low_quality", "poisoner", "sybil"]


class FLConfig(BaseModel):
    """The simulation's configuration (JSON for ``hurwicz fl simulate CONFIG``)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    dataset: Literal["digits", "iris", "wine", "breast_cancer"] = "digits"
    clients: dict[ClientType, int] = Field(
        default_factory=lambda: {"honest": 6, "free_rider": 1, "low_quality": 1,
                                 "poisoner": 1, "sybil": 1},
        description="how many data owners of each type")
    rounds: int = Field(10, ge=1, le=1000)
    local_epochs: int = Field(1, ge=1, le=100)
    learning_rate: float = Field(0.5, gt=0, le=100, allow_inf_nan=False)
    batch_size: int = Field(32, ge=1, le=100_000)
    alpha: float = Field(1.0, gt=0, le=1e6, allow_inf_nan=False,
                         description="Dirichlet concentration: small = very non-IID")
    aggregation: Literal["mean", "median", "trimmed_mean"] = "mean"
    trim: float = Field(0.2, ge=0, lt=0.5, allow_inf_nan=False,
                        description="share trimmed at each end by trimmed_mean")
    budget: float = Field(100.0, gt=0, le=1e15, allow_inf_nan=False)
    label_noise: float = Field(0.5, ge=0, le=1, allow_inf_nan=False)
    free_rider_noise: float = Field(0.0, ge=0, le=1e3, allow_inf_nan=False)
    sybil_identities: int = Field(3, ge=1, le=16)
    utility: Literal["loss", "accuracy"] = Field(
        "loss", description="validation utility: minus the log-loss, or the accuracy")
    reconstruction: Literal["full", "subset"] = Field(
        "full", description="a coalition's model under the mean: the round's FedAvg restricted "
        "to its members' shares (full: a client that sends nothing is a null player) or "
        "renormalised over its members (subset, as in GTG-Shapley); median and trimmed_mean "
        "aggregate the members' updates")
    tmc_permutations: int = Field(200, ge=2, le=1_000_000)
    validation_fraction: float = Field(0.2, gt=0, lt=0.5, allow_inf_nan=False)
    test_fraction: float = Field(0.2, gt=0, lt=0.5, allow_inf_nan=False)
    min_samples: int = Field(10, ge=1, le=100_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)


@dataclass(frozen=True)
class Identity:
    """One identity the server sees: its name, type, owner (data share) and index."""

    name: str
    kind: str
    owner: int


@dataclass
class Split:
    """Test, validation and the owners' data."""

    X_test: np.ndarray
    y_test: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    owners: list[tuple[np.ndarray, np.ndarray]]
    classes: int


@dataclass
class SimulationReport:
    """What :func:`simulate` found: accuracy, contributions, rewards, ranking and checks."""

    config: dict[str, Any]
    accuracy: float
    accuracy_by_round: list[float]
    clients: dict[str, dict[str, Any]]
    by_type: dict[str, dict[str, Any]]
    ranking: list[str]
    checks: dict[str, bool]
    utility_calls: int
    max_efficiency_residual: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document.

        Example:
            >>> rep = simulate({"clients": {"honest": 2}, "rounds": 1})
            >>> sorted(rep.to_dict())[:3]
            ['accuracy', 'accuracy_by_round', 'budget']
        """
        return {"config": self.config, "accuracy": self.accuracy,
                "accuracy_by_round": self.accuracy_by_round, "clients": self.clients,
                "by_type": self.by_type, "ranking": self.ranking, "checks": self.checks,
                "utility_calls": self.utility_calls,
                "max_efficiency_residual": self.max_efficiency_residual, **self.extra}


# --- data ------------------------------------------------------------------------------------
def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Features scaled to comparable ranges and integer labels of a bundled dataset.

    Example:
        >>> X, y = load_dataset("iris")
        >>> X.shape, sorted(set(y.tolist()))
        ((150, 4), [0, 1, 2])
    """
    try:
        from sklearn import datasets
    except ImportError as err:  # the fl extra
        raise HurwiczError("the federated simulation needs scikit-learn's bundled datasets: "
                           "pip install 'hurwicz[fl]'") from err
    if name not in DATASETS:
        raise InputError("dataset", f"must be one of {', '.join(DATASETS)}")
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    X = np.asarray(X, dtype=float)
    if name == "digits":
        X = X / 16.0
    else:
        std = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return X, np.asarray(y, dtype=int)


def dirichlet_split(y: np.ndarray, owners: int, alpha: float, rng: np.random.Generator,
                    min_samples: int = 1, tries: int = 200) -> list[np.ndarray]:
    """Indices of each owner's examples: every class divided in Dirichlet(alpha) proportions;
    redrawn until every owner has ``min_samples`` examples.

    Example:
        >>> parts = dirichlet_split(np.repeat([0, 1], 50), 3, 1.0, np.random.default_rng(0), 5)
        >>> sum(len(p) for p in parts), min(len(p) for p in parts) >= 5
        (100, True)
    """
    classes = np.unique(y)
    for _ in range(tries):
        parts: list[list[int]] = [[] for _ in range(owners)]
        for c in classes:
            idx = rng.permutation(np.flatnonzero(y == c))
            share = rng.dirichlet(np.full(owners, alpha))
            cuts = (np.cumsum(share)[:-1] * len(idx)).astype(int)
            for k, chunk in enumerate(np.split(idx, cuts)):
                parts[k].extend(chunk.tolist())
        if min(len(p) for p in parts) >= min_samples:
            return [np.array(sorted(p), dtype=int) for p in parts]
    raise InputError("alpha", f"no Dirichlet split in {tries} draws gives every owner "
                     f"{min_samples} examples: raise alpha or lower min_samples")


def split_data(cfg: FLConfig, owners: int) -> Split:
    """Test, validation and ``owners`` non-IID shares of the configured dataset."""
    X, y = load_dataset(cfg.dataset)
    rng = np.random.default_rng([cfg.seed, 0])
    order = rng.permutation(len(y))
    n_test = round(cfg.test_fraction * len(y))
    n_val = round(cfg.validation_fraction * len(y))
    test, val, rest = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
    if owners * cfg.min_samples > len(rest):
        raise InputError("clients", f"{owners} data owners with min_samples={cfg.min_samples} "
                         f"each need {owners * cfg.min_samples} examples; {cfg.dataset} leaves "
                         f"{len(rest)} for the owners: fewer clients or a lower min_samples")
    parts = dirichlet_split(y[rest], owners, cfg.alpha, rng, cfg.min_samples)
    return Split(X[test], y[test], X[val], y[val],
                 [(X[rest][p], y[rest][p]) for p in parts], int(y.max()) + 1)


# --- clients ---------------------------------------------------------------------------------
def identities(cfg: FLConfig) -> list[Identity]:
    """The identities of a configuration: ``honest1``, ``free_rider1``, ..., and for a sybil
    owner ``sybil1.id1`` ... ``sybil1.idK``.

    Example:
        >>> [i.name for i in identities(FLConfig(clients={"honest": 1, "sybil": 1},
        ...                                                sybil_identities=2))]
        ['honest1', 'sybil1.id1', 'sybil1.id2']
    """
    out: list[Identity] = []
    owner = 0
    for kind in CLIENT_TYPES:
        for k in range(cfg.clients.get(kind, 0)):
            if kind == "sybil":
                out += [Identity(f"sybil{k + 1}.id{j + 1}", kind, owner)
                        for j in range(cfg.sybil_identities)]
            else:
                out.append(Identity(f"{kind}{k + 1}", kind, owner))
            owner += 1
    return out


def _local_data(cfg: FLConfig, kind: str, X: np.ndarray, y: np.ndarray, classes: int,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if kind == "low_quality":
        y = y.copy()
        noisy = rng.random(len(y)) < cfg.label_noise
        y[noisy] = rng.integers(0, classes, int(noisy.sum()))
    elif kind == "poisoner":
        y = classes - 1 - y
    return X, y


def _update(cfg: FLConfig, ident: Identity, W: np.ndarray, data: tuple[np.ndarray, np.ndarray],
            rng: np.random.Generator) -> np.ndarray:
    if ident.kind == "free_rider":
        if cfg.free_rider_noise == 0:
            return np.zeros_like(W)
        return rng.normal(0.0, cfg.free_rider_noise, W.shape)
    X, y = data
    return sgd(W, X, y, cfg.local_epochs, cfg.learning_rate, cfg.batch_size, rng) - W


# --- aggregation -----------------------------------------------------------------------------
def aggregate(updates: np.ndarray, weights: np.ndarray, how: str, trim: float) -> np.ndarray:
    """One aggregate of ``updates`` (``[clients, ...]``): the ``weights``-weighted mean
    (FedAvg), the coordinate-wise median, or the coordinate-wise mean after trimming
    ``floor(trim × clients)`` values at each end.

    Example:
        >>> u = np.array([[0.0], [1.0], [10.0]])
        >>> [float(aggregate(u, np.ones(3), h, 0.34)[0])
        ...  for h in ("mean", "median", "trimmed_mean")]
        [3.6666666666666665, 1.0, 1.0]
    """
    if len(updates) == 0:
        return np.zeros(updates.shape[1:])
    if how == "mean":
        return np.tensordot(weights / weights.sum(), updates, axes=1)
    if how == "median":
        return np.median(updates, axis=0)
    cut = int(np.floor(trim * len(updates)))
    ordered = np.sort(updates, axis=0)
    return ordered[cut:len(updates) - cut].mean(axis=0)


def _shares(masks: np.ndarray, weights: np.ndarray, reconstruction: str) -> np.ndarray:
    """FedAvg weights of each coalition's members: renormalised within the coalition
    (``subset``) or each client's share of the whole round (``full``)."""
    n = len(weights)
    member = ((masks[:, None] >> np.arange(n)[None, :]) & 1).astype(float)
    w = member * weights[None, :]
    if reconstruction == "full":
        return w / weights.sum()
    total = w.sum(axis=1, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


def _members(masks: np.ndarray, n: int) -> np.ndarray:
    return ((masks[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)


def _order_statistics(updates: np.ndarray, member: np.ndarray, how: str,
                      trim: float) -> np.ndarray:
    """Coordinate-wise median or trimmed mean of each coalition's updates, for all coalitions
    at once: ``updates`` ``[clients, params]``, ``member`` ``[coalitions, clients]``.

    Example:
        >>> u = np.array([[0.0], [1.0], [10.0]])
        >>> _order_statistics(u, np.array([[1, 1, 1], [1, 0, 1]], bool), "median", 0.0)
        array([[1.],
               [5.]])
    """
    order = np.argsort(updates, axis=0, kind="stable")
    ordered = np.take_along_axis(updates, order, axis=0)
    inside = member[:, order]  # [coalitions, rank, params]: is the r-th smallest a member?
    rank = np.cumsum(inside, axis=1) - 1
    size = member.sum(axis=1)[:, None, None]
    if how == "median":
        pick = inside & ((rank == (size - 1) // 2) | (rank == size // 2))
    else:
        cut = np.floor(trim * size)
        pick = inside & (rank >= cut) & (rank < size - cut)
    count = pick.sum(axis=1)
    total = (pick * ordered[None]).sum(axis=1)
    return np.divide(total, count, out=np.zeros_like(total), where=count > 0)


def _logit_utility(cfg: FLConfig, logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Validation utility of a stack of class-major logits ``[models, classes, examples]``."""
    examples = np.arange(len(y))
    if cfg.utility == "accuracy":
        return (logits.argmax(axis=1) == y[None, :]).mean(axis=1)
    picked = logits[:, y, examples]
    shift = logits.max()  # one shift: logits of a linear model stay far from exp's range
    total = np.exp(logits - shift).sum(axis=1)
    if not (total > 1e-300).all():  # an underflow: shift per model and example instead
        row = logits.max(axis=1, keepdims=True)
        return (picked - row[:, 0, :] - np.log(np.exp(logits - row).sum(axis=1))).mean(axis=1)
    return (picked - shift - np.log(total)).mean(axis=1)


def _utility(cfg: FLConfig, models: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Validation utility of a stack of models ``[models, features + 1, classes]``."""
    logits = np.matmul(augment(X)[None], models).transpose(0, 2, 1)
    return _logit_utility(cfg, logits, y)


class RoundGame(Game):
    """One round's contribution game: ``v(S) = U(W + agg(Δ_S)) − U(W)`` on validation."""

    def __init__(self, names: list[str], cfg: FLConfig, W: np.ndarray, updates: np.ndarray,
                 weights: np.ndarray, X: np.ndarray, y: np.ndarray) -> None:
        super().__init__(names)
        self.cfg, self.W, self.updates, self.weights, self.X, self.y = \
            cfg, W, updates, weights, X, y
        self.base = float(_utility(cfg, W[None], X, y)[0])

    def _evaluate(self, mask: int) -> float:
        return float(self._values(np.array([mask]))[0])

    def _values(self, masks: np.ndarray) -> np.ndarray:
        out = np.empty(len(masks))
        Xa = augment(self.X)
        base_logits = (Xa @ self.W).T  # class-major [classes, examples]: fast reductions
        linear = self.cfg.aggregation == "mean"
        if linear:  # logits are linear in the update: X(W + Σ s_i Δ_i) = XW + Σ s_i XΔ_i
            client_logits = np.einsum("vf,kfc->kcv", Xa, self.updates).reshape(self.n, -1)
        for start in range(0, len(masks), 512):
            chunk = masks[start:start + 512]
            if linear:
                share = _shares(chunk, self.weights, self.cfg.reconstruction)
                delta = (share @ client_logits).reshape((len(chunk), *base_logits.shape))
            else:
                agg = _order_statistics(self.updates.reshape(self.n, -1), _members(chunk, self.n),
                                        self.cfg.aggregation, self.cfg.trim)
                delta = np.matmul(Xa[None], agg.reshape((len(chunk), *self.W.shape))
                                  ).transpose(0, 2, 1)
            out[start:start + 512] = _logit_utility(self.cfg, base_logits[None] + delta,
                                                    self.y) - self.base
        out[masks == 0] = 0.0
        return out

    def all_values(self) -> np.ndarray:
        values = self._values(np.arange(1 << self.n, dtype=np.int64))
        self.calls += len(values)
        return values


def _round_shapley(game: RoundGame, cfg: FLConfig, round_index: int) -> ValuationResult:
    if game.n <= MAX_EXACT_IDENTITIES:
        return shapley(game)
    return shapley(game, "tmc", max_permutations=cfg.tmc_permutations, truncation=0.001,
                   seed=cfg.seed + round_index)


def proportional_rewards(contributions: Mapping[str, float], budget: float
                         ) -> dict[str, float]:
    """The ``budget`` paid in proportion to positive contributions; a contribution ≤ 0, or
    within rounding of zero (a free rider sending the global model back is a null player of
    every round's game), earns nothing. Nothing is paid when no contribution is positive.

    Example:
        >>> proportional_rewards({"a": 3.0, "b": 1.0, "c": -2.0, "d": 0.0}, 100.0)
        {'a': 75.0, 'b': 25.0, 'c': 0.0, 'd': 0.0}
    """
    eps = 1e-9 * max(1.0, sum(abs(v) for v in contributions.values()))
    positive = {n: (v if v > eps else 0.0) for n, v in contributions.items()}
    mass = sum(positive.values())
    paid = {n: (budget * positive[n] / mass if mass > 0 else 0.0) for n in contributions}
    # shares of a budget can round up past it (100·(⅓+⅓+⅓) = 100.00000000000001): take the
    # excess off the largest reward until the total, summed either way, is within the budget
    while paid and max(sum(paid.values()), math.fsum(paid.values())) > budget:
        top = max(paid, key=lambda n: paid[n])
        excess = max(sum(paid.values()), math.fsum(paid.values())) - budget
        paid[top] = max(0.0, min(paid[top] - excess, math.nextafter(paid[top], 0.0)))
    return paid


# --- the simulation --------------------------------------------------------------------------
def _parse(config: Any) -> FLConfig:
    cfg = config if isinstance(config, FLConfig) else validate_model(FLConfig, config or {})
    for kind, count in cfg.clients.items():
        if count < 0 or count > 1000:
            raise InputError(f"clients.{kind}", "must be an integer from 0 to 1000")
    if sum(cfg.clients.values()) < 1:
        raise InputError("clients", "at least one client is needed")
    return cfg


def _train(cfg: FLConfig, split: Split, idents: list[Identity], active: list[int],
           contributions: bool):
    """FedAvg over the ``active`` identities; per-round Shapley values when asked."""
    features = split.X_val.shape[1]
    W = np.zeros((features + 1, split.classes))
    local = [_local_data(cfg, i.kind, *split.owners[i.owner], split.classes,
                         np.random.default_rng([cfg.seed, 1, i.owner])) for i in idents]
    weights_all = np.array([len(split.owners[i.owner][1]) for i in idents], dtype=float)
    history: list[float] = []
    rounds: list[ValuationResult] = []
    for t in range(cfg.rounds):
        updates = np.stack([_update(cfg, idents[k], W, local[k],
                                    np.random.default_rng([cfg.seed, 2, k, t])) for k in active]
                           ) if active else np.zeros((0, *W.shape))
        weights = weights_all[active]
        if contributions and active:
            game = RoundGame([idents[k].name for k in active], cfg, W, updates, weights,
                             split.X_val, split.y_val)
            rounds.append(_round_shapley(game, cfg, t))
        W = W + aggregate(updates, weights, cfg.aggregation, cfg.trim)
        history.append(float(accuracy(W, split.X_test, split.y_test)))
    return W, history, rounds


def simulate(config: Mapping[str, Any] | FLConfig | None = None, **options: Any
             ) -> SimulationReport:
    """Run the federated simulation described by ``config`` (see :class:`FLConfig`; keyword
    options override it) and return accuracy, contributions, rewards and the ranking.

    Example:
        >>> rep = simulate(clients={"honest": 2, "free_rider": 1}, rounds=2)
        >>> rep.ranking[-1], rep.clients["free_rider1"]["reward"]
        ('free_rider1', 0.0)
    """
    raw = dict(config.model_dump() if isinstance(config, FLConfig) else (config or {}))
    cfg = _parse({**raw, **options})
    idents = identities(cfg)
    owners = len({i.owner for i in idents})
    split = split_data(cfg, owners)
    _, history, rounds = _train(cfg, split, idents, list(range(len(idents))), True)
    names = [i.name for i in idents]
    per_round = {n: [r.values[n] for r in rounds] for n in names}
    total = {n: float(sum(v)) for n, v in per_round.items()}
    reward = proportional_rewards(total, cfg.budget)
    ranking = sorted(names, key=lambda n: (-total[n], n))
    clients = {i.name: {"type": i.kind, "owner": i.owner,
                        "samples": len(split.owners[i.owner][1]),
                        "contribution": total[i.name], "reward": reward[i.name],
                        "rank": ranking.index(i.name) + 1,
                        "contribution_by_round": per_round[i.name]} for i in idents}
    by_type: dict[str, dict[str, Any]] = {}
    for kind in CLIENT_TYPES:
        members = [i.name for i in idents if i.kind == kind]
        if members:
            by_type[kind] = {"identities": len(members),
                             "owners": len({clients[m]["owner"] for m in members}),
                             "reward": float(sum(reward[m] for m in members)),
                             "contribution": float(sum(total[m] for m in members)),
                             "best_rank": min(clients[m]["rank"] for m in members),
                             "worst_rank": max(clients[m]["rank"] for m in members)}
    bad = [n for n in names if clients[n]["type"] in ("free_rider", "poisoner")]
    good = [n for n in names if clients[n]["type"] not in ("free_rider", "poisoner")]
    checks = {
        "free_riders_and_poisoners_at_bottom": all(
            clients[b]["rank"] > clients[g]["rank"] for b in bad for g in good),
        "poisoners_paid_nothing": all(reward[n] == 0.0 for n in names
                                      if clients[n]["type"] == "poisoner"),
        "free_riders_paid_nothing": all(reward[n] == 0.0 for n in names
                                        if clients[n]["type"] == "free_rider"),
    }
    return SimulationReport(
        config=cfg.model_dump(), accuracy=history[-1], accuracy_by_round=history,
        clients=clients, by_type=by_type, ranking=ranking, checks=checks,
        utility_calls=int(sum(r.calls for r in rounds)),
        max_efficiency_residual=float(max((abs(r.efficiency_residual) for r in rounds),
                                          default=0.0)),
        extra={"contribution_method": "exact" if len(idents) <= MAX_EXACT_IDENTITIES
               else "tmc", "budget": cfg.budget})


def retraining_shapley(config: Mapping[str, Any] | FLConfig | None = None, **options: Any
                       ) -> ValuationResult:
    """The reference the per-round values approximate: exact Shapley values of the game
    ``v(S) = U(FedAvg trained from scratch on S's clients) − U(initial model)`` on the
    validation set (2^n complete trainings; at most :data:`MAX_RETRAINING_IDENTITIES`).

    Example:
        >>> ref = retraining_shapley(clients={"honest": 2, "poisoner": 1}, rounds=2)
        >>> ref.values["poisoner1"] < 0 < ref.values["honest1"]
        True
    """
    raw = dict(config.model_dump() if isinstance(config, FLConfig) else (config or {}))
    cfg = _parse({**raw, **options})
    idents = identities(cfg)
    if len(idents) > MAX_RETRAINING_IDENTITIES:
        raise InputError("clients", f"{len(idents)} identities: retraining Shapley trains "
                         f"2^n models and allows at most {MAX_RETRAINING_IDENTITIES}")
    split = split_data(cfg, len({i.owner for i in idents}))
    W0 = np.zeros((split.X_val.shape[1] + 1, split.classes))
    base = float(_utility(cfg, W0[None], split.X_val, split.y_val)[0])
    values = np.zeros(1 << len(idents))
    for mask in range(1, 1 << len(idents)):
        active = [k for k in range(len(idents)) if mask >> k & 1]
        W, _, _ = _train(cfg, split, idents, active, False)
        values[mask] = float(_utility(cfg, W[None], split.X_val, split.y_val)[0]) - base
    return shapley(Game.from_array([i.name for i in idents], values))


__all__ = ["CLIENT_TYPES", "FLConfig", "SimulationReport", "aggregate", "dirichlet_split",
           "identities", "load_dataset", "retraining_shapley", "simulate", "split_data"]
