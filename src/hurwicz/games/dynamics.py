"""Learning dynamics on normal-form games, as seeded simulations.

Each function plays a game repeatedly and returns a :class:`LearningResult`: the time-averaged
strategy of every player, the exploitability of that average (sum over players of the regret
of the averaged profile — 0 exactly at a Nash equilibrium) at checkpoints, and a verdict:

* ``"converged"`` — the averaged profile is an ε-Nash equilibrium (exploitability ≤
  ``tol`` × payoff range) at the end *and* over the last quarter of the checkpoints, and
  its exploitability is not growing there (up more than tenfold and above ``1e-6`` × range
  counts as drifting away);
* ``"converging"`` — not yet within ``tol``, but the exploitability of the average keeps
  falling (log-log slope ≤ −1/4 over the second half: fictitious play in matching pennies);
* ``"cycling"`` — play keeps moving among profiles while the exploitability of the average
  does not decay (Shapley's 3×3 game under fictitious play: the empirical frequencies
  circle a triangle and never settle);
* ``"not converged"`` — neither.

Dynamics: :func:`fictitious_play` (Brown 1951; simultaneous best responses to the empirical
frequencies, ties broken by a seeded draw), :func:`replicator` (discrete-time, multi-
population: ``xᵢ ← xᵢ · (fᵢ + c) / (f̄ + c)``, payoffs shifted positive), :func:`hedge`
(multiplicative weights with full-information feedback; each player's external regret is
reported with the bound ``R · √(T ln k / 2)`` for payoffs in a range of width ``R`` and the
learning rate ``η = √(8 ln k / T) / R``; Freund & Schapire 1999), :func:`regret_matching`
(Hart & Mas-Colell 2000: play each action with probability ∝ its positive cumulative regret,
sampled; the empirical joint distribution approaches the set of correlated equilibria and
its largest CE violation is reported).

Example:
    >>> from hurwicz.games import Game
    >>> shapley = Game([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0, 1, 0], [0, 0, 1], [1, 0, 0]]])
    >>> fictitious_play(shapley, rounds=3000, seed=0, initial=(0, 0)).verdict
    'cycling'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from hurwicz.core.errors import InputError

if TYPE_CHECKING:
    from .game import Game


@dataclass
class LearningResult:
    """What a learning simulation reports."""

    dynamics: str
    rounds: int
    average: list[list[float]]
    final: list[list[float]]
    exploitability: list[tuple[int, float]]
    verdict: str
    converged: bool
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"dynamics": self.dynamics, "rounds": self.rounds, "average": self.average,
                "final": self.final, "exploitability": [list(x) for x in self.exploitability],
                "verdict": self.verdict, "converged": self.converged, **self.extra}


def _range(game: Game) -> float:
    lo = min(float(a.min()) for a in game.payoffs)
    hi = max(float(a.max()) for a in game.payoffs)
    return max(hi - lo, 1e-12)


def exploitability(game: Game, strategies: list[np.ndarray]) -> float:
    """Sum of the players' regrets at a mixed profile (0 exactly at a Nash equilibrium).

    Example:
        >>> from hurwicz.games import Game
        >>> g = Game.bimatrix([[1, -1], [-1, 1]])
        >>> exploitability(g, [np.array([.5, .5]), np.array([.5, .5])])
        0.0
    """
    return float(sum(max(r, 0.0) for r in game.regret([list(s) for s in strategies])))


def _checkpoints(rounds: int, count: int = 40) -> set[int]:
    return {max(1, round(rounds * (k + 1) / count)) for k in range(count)}


def _verdict(game: Game, history: list[tuple[int, float]], moving: bool, tol: float
             ) -> tuple[str, bool]:
    scale = _range(game)
    last = history[-(max(1, len(history) // 4)):]
    converged = all(e <= tol * scale for _, e in last)
    # an average still inside the tolerance but drifting away (exploitability up more than
    # tenfold over the last quarter, well above rounding: Hedge started at the unstable
    # uniform equilibrium of Shapley's game) has not converged
    if converged and len(last) >= 2 and last[-1][1] > max(10 * last[0][1], 1e-6 * scale):
        converged = False
    if converged:
        return "converged", True
    if not moving:
        return "not converged", False
    # still moving: does the exploitability of the average decay (log-log slope over the
    # second half of the run), or does it stay put while play circles?
    half = [(t, e) for t, e in history[len(history) // 2:] if e > 0]
    if len(half) >= 3:
        slope = np.polyfit(np.log([t for t, _ in half]), np.log([e for _, e in half]), 1)[0]
        if slope <= -0.25:
            return "converging", False
    return "cycling", False


def _validate(game: Game, rounds: int) -> None:
    if not isinstance(rounds, int) or rounds < 1:
        raise InputError("rounds", "must be a positive integer")
    if game.n_players < 2:
        raise InputError("payoffs", "learning dynamics need at least two players")


def fictitious_play(game: Game, rounds: int = 2000, seed: int = 0,
                    initial: tuple[int, ...] | None = None, tol: float = 1e-2
                    ) -> LearningResult:
    """Simultaneous fictitious play: every round each player best-responds to the others'
    empirical frequencies so far (ties broken uniformly by a seeded draw); ``initial`` is the
    first profile (seeded uniform draw when None). Reports the empirical frequencies.

    Example:
        >>> from hurwicz.games import Game
        >>> r = fictitious_play(Game.bimatrix([[1, -1], [-1, 1]]), rounds=4000, seed=1)
        >>> r.verdict, [round(p, 1) for p in r.average[0]]
        ('converging', [0.5, 0.5])
    """
    _validate(game, rounds)
    rng = np.random.default_rng(seed)
    n = game.n_players
    counts = [np.zeros(k) for k in game.shape]
    prof = (tuple(int(rng.integers(k)) for k in game.shape) if initial is None
            else tuple(initial))
    if len(prof) != n or any(not 0 <= a < k for a, k in zip(prof, game.shape)):
        raise InputError("initial", f"a profile of {n} action indices")
    history: list[tuple[int, float]] = []
    checks = _checkpoints(rounds)
    switches_late = 0
    for t in range(1, rounds + 1):
        for p, a in enumerate(prof):
            counts[p][a] += 1
        freqs = [c / t for c in counts]
        if t in checks:
            history.append((t, exploitability(game, freqs)))
        new = []
        for p in range(n):
            dev = game.deviation_payoffs(freqs, p)
            best = np.flatnonzero(dev >= dev.max() - 1e-12)
            new.append(int(best[0] if len(best) == 1 else rng.choice(best)))
        new_prof = tuple(new)
        if t > rounds // 2 and new_prof != prof:
            switches_late += 1
        prof = new_prof
    freqs = [c / rounds for c in counts]
    verdict, ok = _verdict(game, history, switches_late > 0, tol)
    return LearningResult("fictitious_play", rounds, [f.tolist() for f in freqs],
                          [np.eye(k)[a].tolist() for k, a in zip(game.shape, prof)],
                          history, verdict, ok, {"switches_in_second_half": switches_late})


def _initial_mixed(game: Game, rng: np.random.Generator, initial: Any) -> list[np.ndarray]:
    if initial is None:
        return [rng.dirichlet(np.ones(k)) for k in game.shape]
    out = [np.asarray(s, dtype=float) for s in initial]
    if len(out) != game.n_players or any(len(s) != k or np.any(s <= 0) or
                                         not math.isclose(s.sum(), 1.0, abs_tol=1e-9)
                                         for s, k in zip(out, game.shape)):
        raise InputError("initial", "one interior probability vector per player")
    return out


def replicator(game: Game, rounds: int = 2000, seed: int = 0, initial: Any = None,
               tol: float = 1e-2) -> LearningResult:
    """Discrete-time multi-population replicator dynamics ``xᵢ ← xᵢ (fᵢ + c)/(f̄ + c)`` with
    ``c`` making every payoff positive; starts from ``initial`` (a seeded interior point when
    None). Reports the time average and the final state.

    Example:
        >>> from hurwicz.games import Game
        >>> pd = Game([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])
        >>> r = replicator(pd, rounds=500, seed=0)
        >>> [round(p, 3) for p in r.final[0]]
        [0.0, 1.0]
    """
    _validate(game, rounds)
    rng = np.random.default_rng(seed)
    x = _initial_mixed(game, rng, initial)
    c = 1.0 - min(float(a.min()) for a in game.payoffs)
    total = [np.zeros(k) for k in game.shape]
    history: list[tuple[int, float]] = []
    checks = _checkpoints(rounds)
    moving = False
    for t in range(1, rounds + 1):
        for p in range(game.n_players):
            total[p] += x[p]
        if t in checks:
            history.append((t, exploitability(game, [s / t for s in total])))
        fit = [game.deviation_payoffs(x, p) + c for p in range(game.n_players)]
        new = [x[p] * fit[p] / float(x[p] @ fit[p]) for p in range(game.n_players)]
        if t > rounds // 2 and max(float(np.abs(a - b).max()) for a, b in zip(new, x)) > 1e-6:
            moving = True
        x = new
    avg = [s / rounds for s in total]
    verdict, ok = _verdict(game, history, moving, tol)
    return LearningResult("replicator", rounds, [a.tolist() for a in avg],
                          [s.tolist() for s in x], history, verdict, ok)


def hedge(game: Game, rounds: int = 2000, seed: int = 0, eta: float | None = None,
          tol: float = 1e-2) -> LearningResult:
    """Hedge (multiplicative weights) for every player with full information: weights ∝
    ``exp(η · cumulative expected payoff)``. Reports each player's external regret (best fixed
    action in hindsight minus the payoff received, over the run) next to the theoretical bound
    ``ln k / η + η T R² / 8`` (``R`` the payoff range), which is ``R √(T ln k / 2)`` at the
    default ``η = √(8 ln k / T)/R``. The time averages
    form an ε-coarse correlated equilibrium with ε = regret / T, and in zero-sum games they
    converge to the minimax strategies.

    Example:
        >>> from hurwicz.games import Game
        >>> r = hedge(Game.bimatrix([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]), rounds=3000, seed=0)
        >>> all(reg <= b for reg, b in zip(r.extra["regret"], r.extra["regret_bound"]))
        True
    """
    _validate(game, rounds)
    rng = np.random.default_rng(seed)
    R = _range(game)
    n = game.n_players
    if eta is not None and not (math.isfinite(eta) and eta > 0):
        raise InputError("eta", "must be a positive finite learning rate")
    etas = [eta if eta is not None else math.sqrt(8 * math.log(max(k, 2)) / rounds) / R
            for k in game.shape]
    cum = [rng.normal(0, 1e-9, k) for k in game.shape]  # seeded, negligible tie-breaking
    total = [np.zeros(k) for k in game.shape]
    received = np.zeros(n)
    history: list[tuple[int, float]] = []
    checks = _checkpoints(rounds)
    moving = False
    prev: list[np.ndarray] | None = None
    for t in range(1, rounds + 1):
        x = []
        for p in range(n):
            z = etas[p] * cum[p]
            w = np.exp(z - z.max())
            x.append(w / w.sum())
        for p in range(n):
            dev = game.deviation_payoffs(x, p)
            received[p] += float(x[p] @ dev)
            cum[p] = cum[p] + dev
            total[p] += x[p]
        if t in checks:
            history.append((t, exploitability(game, [s / t for s in total])))
        if prev is not None and t > rounds // 2 and \
                max(float(np.abs(a - b).max()) for a, b in zip(x, prev)) > 1e-6:
            moving = True
        prev = x
    regret = [float(cum[p].max() - received[p]) for p in range(n)]
    # ln k / η + η T R² / 8 (Freund & Schapire): R √(T ln k / 2) at the default η
    bound = [math.log(max(k, 2)) / e + e * rounds * R * R / 8 for k, e in zip(game.shape, etas)]
    avg = [s / rounds for s in total]
    verdict, ok = _verdict(game, history, moving, tol)
    return LearningResult("hedge", rounds, [a.tolist() for a in avg],
                          [s.tolist() for s in prev or []], history, verdict, ok,
                          {"regret": regret, "regret_bound": bound, "eta": etas})


def regret_matching(game: Game, rounds: int = 5000, seed: int = 0, tol: float = 1e-2
                    ) -> LearningResult:
    """Regret matching (Hart & Mas-Colell 2000): each player samples an action with
    probability proportional to its positive cumulative (unconditional) regret, uniformly
    when none is positive. Reports the empirical marginals and, in ``extra``, the empirical
    joint distribution's largest coarse-correlated-equilibrium violation (→ 0).

    Example:
        >>> from hurwicz.games import Game
        >>> r = regret_matching(Game([[[0, 7], [2, 6]], [[0, 2], [7, 6]]]), rounds=4000, seed=0)
        >>> r.extra["cce_violation"] < 0.2
        True
    """
    from .correlated import max_violation

    _validate(game, rounds)
    rng = np.random.default_rng(seed)
    n = game.n_players
    regrets = [np.zeros(k) for k in game.shape]
    joint = np.zeros(game.shape)
    counts = [np.zeros(k) for k in game.shape]
    history: list[tuple[int, float]] = []
    checks = _checkpoints(rounds)
    switches = 0
    prof: tuple[int, ...] | None = None
    for t in range(1, rounds + 1):
        new = []
        for p in range(n):
            pos = np.maximum(regrets[p], 0.0)
            s = pos.sum()
            probs = pos / s if s > 0 else np.full(len(pos), 1 / len(pos))
            new.append(int(rng.choice(len(probs), p=probs)))
        cur = tuple(new)
        if prof is not None and t > rounds // 2 and cur != prof:
            switches += 1
        prof = cur
        joint[cur] += 1
        for p in range(n):
            counts[p][cur[p]] += 1
            idx = list(cur)
            idx[p] = slice(None)
            u = game.payoffs[p][tuple(idx)]
            regrets[p] += u - u[cur[p]]
        if t in checks:
            history.append((t, exploitability(game, [c / t for c in counts])))
    avg = [c / rounds for c in counts]
    verdict, ok = _verdict(game, history, switches > 0, tol)
    dist = joint / rounds
    return LearningResult("regret_matching", rounds, [a.tolist() for a in avg],
                          [np.eye(k)[a].tolist() for k, a in zip(game.shape, prof or ())],
                          history, verdict, ok,
                          {"cce_violation": max_violation(game, dist, coarse=True),
                           "ce_violation": max_violation(game, dist, coarse=False)})
