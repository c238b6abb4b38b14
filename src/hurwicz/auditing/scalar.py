"""Incentive and outcome checks for mechanisms with scalar reports and a batch path.

Profiles are drawn from the prior in fixed chunks (each with its own spawned seed), every
candidate misreport of :func:`~hurwicz.auditing.profiles.scalar_candidates` is evaluated through
``run_batch`` at once, and the most profitable deviations are refined by a compass (pattern)
search. The best violation is replayed through ``run`` before it is reported.

Example:
    >>> import numpy as np, hurwicz as hz
    >>> m = hz.mechanism("auction.first_price")
    >>> res = dsic_chunk(m, [hz.parse_prior("uniform:0,1")] * 2, 200, np.random.SeedSequence(0))
    >>> res["max_gain"] > 0.1
    True
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from hurwicz.core.capabilities import BatchLayout
from hurwicz.core.priors import Prior, sample_profiles

from .profiles import report_ceiling, scalar_candidates

LOCAL_STARTS = 6
LOCAL_ITERATIONS = 12
LOCAL_POINTS = 17


def utilities(mech: Any, values: np.ndarray, reports: np.ndarray,
              layout: BatchLayout | None = None) -> np.ndarray:
    """Quasilinear utilities ``[batch, agents]`` of true ``values`` when ``reports`` are played.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> m = hz.mechanism("auction.second_price")
        >>> utilities(m, np.array([[3.0, 1.0]]), np.array([[3.0, 1.0]])).tolist()
        [[2.0, 0.0]]
    """
    out = mech.run_batch(reports, layout)
    alloc = out.allocation.reshape(out.allocation.shape[0], out.allocation.shape[1], -1).sum(2)
    pay = out.payments.reshape(out.payments.shape[0], out.payments.shape[1], -1).sum(2)
    return values * alloc - pay


def deviation_gains(mech: Any, values: np.ndarray, agent: int,
                    candidates: np.ndarray, base_utility: np.ndarray,
                    layout: BatchLayout | None = None) -> np.ndarray:
    """Gain ``[profiles, K]`` of ``agent`` from reporting each candidate instead of the truth.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> m = hz.mechanism("auction.first_price")
        >>> v = np.array([[1.0, 0.2]])
        >>> base = utilities(m, v, v)[:, 0]
        >>> deviation_gains(m, v, 0, np.array([[0.3]]), base).round(6).tolist()
        [[0.7]]
    """
    s, k = candidates.shape
    reps = np.repeat(values[None, :, :], k, axis=0)  # [K, S, n]
    reps[:, :, agent] = candidates.T
    util = utilities(mech, np.repeat(values[None], k, axis=0).reshape(k * s, -1),
                     reps.reshape(k * s, -1), layout)[:, agent].reshape(k, s).T
    return util - base_utility[:, None]


def _compass(mech: Any, values: np.ndarray, agent: int, start: np.ndarray,
             base_utility: np.ndarray, ceiling: float,
             layout: BatchLayout | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Refine each start report by a shrinking pattern search; returns (reports, gains, evals)."""
    best = start.copy()
    offsets = np.linspace(-1.0, 1.0, LOCAL_POINTS)
    step = ceiling / 8
    evals = 0
    best_gain = deviation_gains(mech, values, agent, best[:, None], base_utility, layout)[:, 0]
    for _ in range(LOCAL_ITERATIONS):
        cands = np.clip(best[:, None] + step * offsets[None, :], 0.0, ceiling)
        gains = deviation_gains(mech, values, agent, cands, base_utility, layout)
        evals += cands.shape[1]
        idx = gains.argmax(axis=1)
        rows = np.arange(len(best))
        better = gains[rows, idx] > best_gain
        best = np.where(better, cands[rows, idx], best)
        best_gain = np.where(better, gains[rows, idx], best_gain)
        step /= 3
    return best, best_gain, evals


def dsic_chunk(mech: Any, priors: Sequence[Prior], size: int,
               seed: np.random.SeedSequence, layout: BatchLayout | None = None,
               grid: int = 16) -> dict[str, Any]:
    """Search one chunk of sampled profiles for a profitable unilateral misreport.

    Returns the best gain found, where, and how much was evaluated.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> m = hz.mechanism("auction.second_price")
        >>> r = dsic_chunk(m, [hz.parse_prior("uniform:0,1")] * 3, 100, np.random.SeedSequence(1))
        >>> r["max_gain"] <= 1e-9
        True
    """
    rng = np.random.default_rng(seed)
    values = sample_profiles(priors, rng, size)
    return dsic_on_profiles(mech, values, priors, grid=grid, rng=rng, layout=layout)


def dsic_on_profiles(mech: Any, values: np.ndarray, priors: Sequence[Prior],
                     grid: int = 16, rng: np.random.Generator | None = None,
                     report_space: np.ndarray | None = None,
                     layout: BatchLayout | None = None) -> dict[str, Any]:
    """DSIC search on given profiles. With ``report_space`` (a finite type space) only those
    reports are tried (the exhaustive mode); otherwise breakpoints, grid and local search.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> m = hz.mechanism("auction.second_price")
        >>> dsic_on_profiles(m, np.array([[1.0, 2.0]]), [hz.parse_prior("uniform:0,2")] * 2,
        ...                  report_space=np.array([1.0, 2.0]))["max_gain"]
        0.0
    """
    rng = rng or np.random.default_rng(0)
    s, n = values.shape
    ceiling = report_ceiling(priors, mech)
    base = utilities(mech, values, values, layout)
    best = {"max_gain": -np.inf, "profile": None, "agent": None, "deviation": None,
            "method": None}
    evaluated = 0
    for i in range(n):
        if report_space is not None:
            cands = np.broadcast_to(report_space, (s, len(report_space))).copy()
            labels = [f"type:{v:g}" for v in report_space]
        else:
            cands, labels = scalar_candidates(mech, values, i, ceiling, grid=grid,
                                              layout=layout)
        gains = deviation_gains(mech, values, i, cands, base[:, i], layout)
        evaluated += cands.shape[1]
        per_profile = gains.max(axis=1)
        arg = gains.argmax(axis=1)
        method = "exhaustive" if report_space is not None else "breakpoints"
        if report_space is None:
            # local search from the most promising profiles and a few random ones
            top = np.argsort(-per_profile)[:LOCAL_STARTS]
            extra = rng.choice(s, size=min(2, s), replace=False)
            starts = np.unique(np.concatenate([top, extra]))
            refined, rgain, evals = _compass(mech, values[starts], i,
                                             cands[starts, arg[starts]], base[starts, i], ceiling,
                                             layout)
            evaluated += evals
            improved = rgain > per_profile[starts]
            for pos in np.nonzero(improved)[0]:
                row = starts[pos]
                per_profile[row] = rgain[pos]
                cands[row, arg[row]] = refined[pos]
                labels_local = "local"
                if rgain[pos] > best["max_gain"]:
                    best.update(max_gain=float(rgain[pos]), profile=values[row].copy(), agent=i,
                                deviation=float(refined[pos]), method=labels_local)
        row = int(per_profile.argmax())
        if per_profile[row] > best["max_gain"]:
            best.update(max_gain=float(per_profile[row]), profile=values[row].copy(), agent=i,
                        deviation=float(cands[row, arg[row]]),
                        method=f"{method}:{labels[arg[row]]}")
    best["profiles"] = s
    best["deviations_per_profile"] = round(evaluated / max(n, 1))
    return best


def ir_chunk(mech: Any, priors: Sequence[Prior], size: int,
             seed: np.random.SeedSequence, layout: BatchLayout | None = None) -> dict[str, Any]:
    """Lowest truthful utility in a chunk of profiles (ex-post participation).

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> r = ir_chunk(hz.mechanism("auction.all_pay"), [hz.parse_prior("uniform:0,1")] * 2,
        ...              50, np.random.SeedSequence(0))
        >>> r["max_gain"] > 0
        True
    """
    values = sample_profiles(priors, np.random.default_rng(seed), size)
    return ir_on_profiles(mech, values, layout)


def ir_on_profiles(mech: Any, values: np.ndarray,
                   layout: BatchLayout | None = None) -> dict[str, Any]:
    """Largest gain from staying out (−truthful utility) over the given profiles.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> ir_on_profiles(hz.mechanism("auction.second_price"), np.array([[1.0, 0.5]]))["max_gain"]
        -0.0
    """
    util = utilities(mech, values, values, layout)
    loss = -util
    row, agent = np.unravel_index(int(loss.argmax()), loss.shape)
    return {"max_gain": float(loss[row, agent]), "profile": values[row].copy(),
            "agent": int(agent), "profiles": values.shape[0]}


def outcome_chunk(mech: Any, priors: Sequence[Prior], size: int,
                  seed: np.random.SeedSequence,
                  layout: BatchLayout | None = None) -> dict[str, Any]:
    """Sums for revenue, welfare, budget balance and efficiency over a chunk of profiles.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> r = outcome_chunk(hz.mechanism("auction.second_price"),
        ...                   [hz.parse_prior("uniform:0,1")] * 2, 1000, np.random.SeedSequence(0))
        >>> r["n"], 0.2 < r["revenue"][0] / r["n"] < 0.45
        (1000, True)
    """
    values = sample_profiles(priors, np.random.default_rng(seed), size)
    return outcome_on_profiles(mech, values, layout)


def outcome_on_profiles(mech: Any, values: np.ndarray,
                        layout: BatchLayout | None = None) -> dict[str, Any]:
    """:func:`outcome_chunk` on given profiles (e.g. every profile of a discrete prior).

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> outcome_on_profiles(hz.mechanism("auction.second_price"),
        ...                     np.array([[1.0, 2.0]]))["efficiency_loss"][0]
        0.0
    """
    size = values.shape[0]
    out = mech.run_batch(values, layout)
    alloc = out.allocation.reshape(size, values.shape[1], -1).sum(2)
    revenue = out.revenue()
    welfare = (values * alloc).sum(axis=1)
    res: dict[str, Any] = {
        "n": size,
        "revenue": (float(revenue.sum()), float((revenue**2).sum())),
        "welfare": (float(welfare.sum()), float((welfare**2).sum())),
        "min_revenue": (float(revenue.min()), values[int(revenue.argmin())].copy()),
        "max_abs_revenue": (float(np.abs(revenue).max()), values[int(np.abs(revenue).argmax())]
                            .copy()),
    }
    best = mech.optimal_welfare_batch(values, layout)
    if best is not None:
        loss = best - welfare
        res["efficiency_loss"] = (float(loss.max()), values[int(loss.argmax())].copy())
        res["optimal_welfare"] = float(best.sum())
    return res


def monotone_chunk(mech: Any, priors: Sequence[Prior], size: int,
                   seed: np.random.SeedSequence,
                   layout: BatchLayout | None = None) -> dict[str, Any]:
    """Largest drop in an agent's allocation when it raises its own report.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> monotone_chunk(hz.mechanism("auction.first_price"), [hz.parse_prior("uniform:0,1")] * 2,
        ...                100, np.random.SeedSequence(0))["max_gain"]
        0.0
    """
    rng = np.random.default_rng(seed)
    values = sample_profiles(priors, rng, size)
    n = values.shape[1]
    worst = {"max_gain": 0.0, "profile": None, "agent": None, "deviation": None}
    base = mech.run_batch(values, layout).allocation.reshape(size, n, -1).sum(2)
    for i in range(n):
        raised = values.copy()
        raised[:, i] = values[:, i] + rng.exponential(values[:, i].std() + 1e-9, size)
        after = mech.run_batch(raised, layout).allocation.reshape(size, n, -1).sum(2)
        drop = base[:, i] - after[:, i]
        row = int(drop.argmax())
        if drop[row] > worst["max_gain"]:
            worst = {"max_gain": float(drop[row]), "profile": values[row].copy(), "agent": i,
                     "deviation": float(raised[row, i])}
    worst["profiles"] = size
    return worst


def coalition_chunk(mech: Any, priors: Sequence[Prior], size: int,
                    seed: np.random.SeedSequence, k: int, layout: BatchLayout | None = None,
                    joint: int = 48) -> dict[str, Any]:
    """Best joint gain (sum of utilities) of a coalition of ``k`` agents over a chunk.

    Each member draws its report from its own breakpoint candidates; ``joint`` random
    combinations are tried per profile and coalition, plus 'all but the highest member bid 0'.

    Example:
        >>> import numpy as np, hurwicz as hz
        >>> r = coalition_chunk(hz.mechanism("auction.second_price"),
        ...                     [hz.parse_prior("uniform:0,1")] * 3, 200,
        ...                     np.random.SeedSequence(0), 2)
        >>> r["max_gain"] > 0.01
        True
    """
    rng = np.random.default_rng(seed)
    values = sample_profiles(priors, rng, size)
    s, n = values.shape
    ceiling = report_ceiling(priors, mech)
    base = utilities(mech, values, values, layout)
    groups = list(itertools.combinations(range(n), k))
    if len(groups) > 10:
        groups = [groups[g] for g in rng.choice(len(groups), 10, replace=False)]
    best = {"max_gain": -np.inf, "profile": None, "agents": None, "deviation": None}
    for group in groups:
        cand = {i: scalar_candidates(mech, values, i, ceiling, grid=8, layout=layout)[0]
                for i in group}
        reps = np.repeat(values[None], joint + 1, axis=0)  # [J, S, n]
        for i in group:
            pick = rng.integers(0, cand[i].shape[1], size=(joint, s))
            reps[:joint, :, i] = np.take_along_axis(cand[i], pick.T, axis=1).T
        # the classic ring: every member but the highest-valued one bids zero
        top = np.array(group)[values[:, list(group)].argmax(axis=1)]
        for i in group:
            reps[joint, :, i] = np.where(top == i, values[:, i], 0.0)
        util = utilities(mech, np.repeat(values[None], joint + 1, axis=0).reshape(-1, n),
                         reps.reshape(-1, n), layout).reshape(joint + 1, s, n)
        gain = util[:, :, list(group)].sum(axis=2) - base[:, list(group)].sum(axis=1)[None, :]
        j, row = np.unravel_index(int(gain.argmax()), gain.shape)
        if gain[j, row] > best["max_gain"]:
            best = {"max_gain": float(gain[j, row]), "profile": values[row].copy(),
                    "agents": list(group), "deviation": reps[j, row, list(group)].copy()}
    best["profiles"] = s
    best["deviations_per_profile"] = joint + 1
    best["coalitions"] = len(groups)
    return best


def bic_for_agent(mech: Any, priors: Sequence[Prior], agent: int, seed: int,
                  types: int = 9, reports: int = 24, others: int = 2000,
                  layout: BatchLayout | None = None) -> dict[str, Any]:
    """Interim check for one agent: for a grid of its types, the best expected gain of a
    misreport against the others' truthful reports drawn from the prior (common random
    numbers), refined by pattern search; with its Monte Carlo standard error.

    Example:
        >>> import hurwicz as hz
        >>> r = bic_for_agent(hz.mechanism("auction.first_price"),
        ...                   [hz.parse_prior("uniform:0,1")] * 2, 0, seed=0, others=500)
        >>> r["max_gain"] > 0.05
        True
    """
    rng = np.random.default_rng(seed)
    prior = priors[agent]
    if prior.discrete:
        type_grid = np.asarray(prior.values, dtype=float)  # type: ignore[attr-defined]
    else:
        type_grid = np.asarray(prior.quantile(np.linspace(0.05, 0.95, types)), dtype=float)
    ceiling = report_ceiling(priors, mech)
    sample = sample_profiles(priors, rng, others)
    report_grid = np.linspace(0.0, ceiling, reports)
    best = {"max_gain": -np.inf, "type": None, "deviation": None, "stderr": None}
    for t in type_grid:
        cands = np.concatenate([[t], report_grid, sample[:, [j for j in range(len(priors))
                                                             if j != agent]].mean(0)])
        vals = sample.copy()
        vals[:, agent] = t
        u = _interim(mech, vals, agent, cands, layout)  # [R, others]
        mean = u.mean(axis=1)
        r = int(mean.argmax())
        # refine around the best report
        step = ceiling / reports
        current, current_mean = cands[r], mean[r]
        for _ in range(8):
            local = np.clip(current + step * np.linspace(-1, 1, 9), 0, ceiling)
            lu = _interim(mech, vals, agent, local, layout).mean(axis=1)
            if lu.max() > current_mean:
                current, current_mean = local[int(lu.argmax())], lu.max()
            step /= 3
        diff = _interim(mech, vals, agent, np.array([current]), layout)[0] - u[0]
        gain = float(diff.mean())
        if gain > best["max_gain"]:
            best = {"max_gain": gain, "type": float(t), "deviation": float(current),
                    "stderr": float(diff.std(ddof=1) / np.sqrt(others)),
                    "truthful_expected": float(u[0].mean()),
                    "deviating_expected": float(current_mean)}
    best["types"] = len(type_grid)
    best["others_samples"] = others
    return best


def _interim(mech: Any, vals: np.ndarray, agent: int, reports: np.ndarray,
             layout: BatchLayout | None) -> np.ndarray:
    r, s = len(reports), vals.shape[0]
    reps = np.repeat(vals[None], r, axis=0)
    reps[:, :, agent] = reports[:, None]
    util = utilities(mech, np.repeat(vals[None], r, axis=0).reshape(r * s, -1),
                     reps.reshape(r * s, -1), layout)
    return util[:, agent].reshape(r, s)
