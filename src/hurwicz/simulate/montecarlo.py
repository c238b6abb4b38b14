"""``hz.evaluate``: expected revenue, welfare, efficiency and utilities under a strategy.

Profiles are drawn in fixed chunks, each with a seed spawned from ``seed``, so the numbers do
not depend on the number of workers or on the executor (local processes or Dask).

Example:
    >>> import hurwicz as hz
    >>> r = evaluate("auction.second_price", agents=2, prior="uniform:0,1", samples=20_000)
    >>> abs(r["revenue"]["mean"] - 1 / 3) < 4 * r["revenue"]["stderr"]
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hurwicz.core.capabilities import BatchLayout, BatchPath
from hurwicz.core.errors import ParameterError
from hurwicz.core.mechanism import Mechanism
from hurwicz.core.priors import Prior, parse_priors, sample_profiles
from hurwicz.core.registry import mechanism as make_mechanism
from hurwicz.executors import chunk_seeds, map_chunks, open_executor, split

from .evaluation import Evaluation
from .strategies import parse_strategy

CHUNK = 50_000
#: bins of ``histograms=True``
HISTOGRAM_BINS = 30


def _chunk(mech: Any, priors: Sequence[Prior], strategy: Callable, size: int,
           seed: np.random.SeedSequence, layout: BatchLayout | None,
           keep: bool = False) -> dict[str, Any]:
    values = sample_profiles(priors, np.random.default_rng(seed), size)
    out = mech.run_batch(strategy(values), layout)
    n = values.shape[1]
    alloc = out.allocation.reshape(size, n, -1).sum(2)
    pay = out.payments.reshape(size, n, -1).sum(2)
    revenue = pay.sum(axis=1)
    welfare = (values * alloc).sum(axis=1)
    util = values * alloc - pay
    res = {
        "n": size,
        "revenue": (revenue.sum(), (revenue**2).sum()),
        "welfare": (welfare.sum(), (welfare**2).sum()),
        "utility": (util.sum(axis=0), (util**2).sum(axis=0)),
    }
    if keep:  # the values themselves, for histograms
        res["values"] = {"revenue": revenue, "welfare": welfare}
    best = mech.optimal_welfare_batch(values, layout)
    if best is not None:
        res["optimal"] = (best.sum(), (best**2).sum(), (best * welfare).sum())
    return res


def _summary(total: float, squares: float, n: int) -> dict[str, float]:
    mean = total / n
    var = max(squares / n - mean**2, 0.0) * n / max(n - 1, 1)
    return {"mean": float(mean), "stderr": float(math.sqrt(var / n))}


def evaluate(
    mech: Mechanism | str,
    agents: int,
    prior: str | Prior | Sequence[str | Prior],
    strategy: Any = "truthful",
    samples: int = 100_000,
    seed: int = 0,
    workers: int = 1,
    executor: str | None = None,
    params: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    histograms: bool | int = False,
    progress: Callable[..., None] | None = None,
) -> Evaluation:
    """Monte Carlo evaluation of a batch mechanism with agents following ``strategy``.

    Args:
        mech: a configured mechanism with a batch path, or a registered name (configured with
            ``params``).
        agents: how many agents each profile has.
        prior: the prior of values: ``"uniform:0,1"``, a :class:`~hurwicz.core.priors.Prior`,
            or one per agent for asymmetric agents.
        strategy: ``"truthful"``, ``"shade:A"`` (bid A × value), ``"bne"`` (the mechanism's
            Bayes-Nash equilibrium), ``"best_response[:ROUNDS]"``, or a function from values
            (``[batch, agents]``) to reports.
        samples: profiles to draw.
        seed: the same seed gives the same numbers, whatever ``workers``/``executor``.
        workers: how many worker processes (1: run in this process); also the number of
            workers of a ``"dask:local"`` cluster.
        executor: ``"local"`` (processes), ``"dask:local"`` or ``"dask://HOST:PORT"``.
        params: mechanism parameters (when ``mech`` is a name).
        context: the non-report part of the batch input (e.g. ``{"slots": [1, 0.5]}``).
        histograms: also return the distributions of revenue and welfare over the profiles,
            binned (``True``: 30 bins, or that many bins): ``result["histograms"][quantity]``
            is ``{"edges": [...], "counts": [...]}``. Keeps every profile's revenue and
            welfare in memory meanwhile (16 bytes a profile).
        progress: called as ``progress(profiles_done, samples, "")`` after each chunk of
            profiles (for progress bars; the engine prints nothing).

    Returns:
        An :class:`~hurwicz.simulate.evaluation.Evaluation` (a ``dict``): ``revenue``,
        ``welfare`` and, where the mechanism defines its optimum, ``efficiency`` (E[welfare] /
        E[optimal welfare]) and ``optimal_welfare``, each ``{"mean", "stderr"}``;
        ``utility``, one per agent; and the settings (``mechanism, params, agents, prior,
        strategy, samples, seed``). ``to_frame()`` gives a pandas DataFrame; notebooks show it
        as a table.

    Example:
        >>> import hurwicz as hz
        >>> r = hz.evaluate("auction.first_price", agents=3, prior="uniform:0,1",
        ...                 strategy="bne", samples=10_000, seed=1)
        >>> round(r["revenue"]["mean"], 1)
        0.5
    """
    if isinstance(mech, str):
        mech = make_mechanism(mech, **(params or {}))
    if not isinstance(mech, BatchPath):
        raise ParameterError("mechanism", f"{mech.name} has no batch path to simulate")
    if samples < 2:
        raise ParameterError("samples", "needs at least 2 samples")
    priors = parse_priors(prior, agents)
    layout = mech.layout(agents, context)
    strat = parse_strategy(strategy, mech, priors, seed, layout)
    bins = 0 if histograms is False else HISTOGRAM_BINS if histograms is True else histograms
    if not isinstance(bins, int | np.integer) or bins < 0:
        raise ParameterError("histograms", "True, False or a number of bins")
    sizes = split(samples, CHUNK)
    seeds = chunk_seeds(seed, len(sizes))
    done = np.cumsum(sizes)

    def chunk_done(i: int) -> None:
        if progress is not None:
            progress(int(done[i]), samples, "")

    if progress is not None:
        progress(0, samples, "")
    with open_executor(workers, executor) as ex:
        results = map_chunks(_chunk, [(mech, priors, strat, s, sd, layout, bins > 0)
                                      for s, sd in zip(sizes, seeds)], ex, done=chunk_done)
    n = sum(r["n"] for r in results)
    report = Evaluation({
        "mechanism": mech.name,
        "params": mech.param_dict(),
        "agents": agents,
        "prior": prior if isinstance(prior, str) else [str(p) for p in prior]
        if isinstance(prior, list | tuple) else str(prior),
        "strategy": getattr(strat, "name", getattr(strat, "__name__", "custom")),
        "samples": n,
        "seed": seed,
        "revenue": _summary(sum(r["revenue"][0] for r in results),
                            sum(r["revenue"][1] for r in results), n),
        "welfare": _summary(sum(r["welfare"][0] for r in results),
                            sum(r["welfare"][1] for r in results), n),
    })
    util_sum = sum(r["utility"][0] for r in results)
    util_sq = sum(r["utility"][1] for r in results)
    report["utility"] = [_summary(float(util_sum[i]), float(util_sq[i]), n)
                         for i in range(agents)]
    if "optimal" in results[0]:
        w_mean = report["welfare"]["mean"]
        o = _summary(sum(r["optimal"][0] for r in results),
                     sum(r["optimal"][1] for r in results), n)
        ratio = w_mean / o["mean"] if o["mean"] > 0 else 1.0
        # delta method for a ratio of two correlated means
        cross = sum(r["optimal"][2] for r in results) / n - w_mean * o["mean"]
        var = (report["welfare"]["stderr"] ** 2 / o["mean"] ** 2
               + w_mean**2 * o["stderr"] ** 2 / o["mean"] ** 4
               - 2 * w_mean * cross / n / o["mean"] ** 3) if o["mean"] > 0 else 0.0
        report["optimal_welfare"] = o
        report["efficiency"] = {"mean": float(ratio), "stderr": float(math.sqrt(max(var, 0)))}
    if bins:
        report["histograms"] = {
            key: _histogram(np.concatenate([r["values"][key] for r in results]), bins)
            for key in ("revenue", "welfare")}
    return report


def _histogram(values: np.ndarray, bins: int) -> dict[str, list]:
    counts, edges = np.histogram(values, bins=bins)
    return {"edges": [float(e) + 0.0 for e in edges], "counts": [int(c) for c in counts]}
