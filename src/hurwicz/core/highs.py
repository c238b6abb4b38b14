"""HiGHS, set up once for every exact solve in hurwicz: a silent solver, zero MIP gaps, and a
check of the solver's answer that says whether optimality was *proven*.

What ``exact: true`` means (see DESIGN.md, "What exact means"): the solver stopped with model
status *optimal* and its final gap (incumbent minus proven bound) is within the tolerance below,
so that no solution is better than the one returned by more than that tolerance.

The tolerance rule (:func:`abs_gap_for`):

* objective coefficients that are all whole numbers (integer supports, tallies, unit weights):
  every objective value is an integer, two different values differ by at least 1, and an
  absolute gap of ``0.5`` (below half of that) proves the optimum exactly;
* otherwise ``max(1e-6, 1e-12 × scale)``, where ``scale`` is an upper bound on |objective|
  given by the caller (Σ of the largest bid of every bidder, Σ of the best incoming weight of
  every pair...). 1e-6 is HiGHS's ``mip_feasibility_tolerance``: its branch and bound prunes
  every node that could improve on the incumbent by less than that, so no smaller objective
  difference can be resolved (the smallest difference that can matter); 1e-12 × scale keeps
  the gap above the rounding noise of sums of very large objectives. A looser 1e-9 × scale
  (≈ 1e-4 for a 12-item auction with bids near 1000 per item) would let HiGHS stop short of
  optima that near-ties decide by less than that. A gap this small only ever costs search
  time: HiGHS closes it by exhausting its tree.

The relative gap is always 0 (HiGHS's default 1e-4 lets a 12 000 objective stop 1.2 away from
the optimum, far more than the differences near-tied instances are decided by).

The HiGHS banner ("Running HiGHS 1.16.0 ...") is written to the process's standard output by
the first ``highspy.Highs()`` of the process, before any option can be set: :func:`new_highs`
builds that first instance with file descriptors 1 and 2 pointed at ``/dev/null`` (C buffers
flushed before they are restored), so ``--json`` output stays one JSON document.

Example:
    >>> import numpy as np
    >>> h = new_highs(abs_gap=abs_gap_for([3.0, 2.0]))
    >>> inf = highspy.kHighsInf
    >>> _ = h.addRows(1, np.array([-inf]), np.array([1.0]), 0, np.zeros(0, np.int32),
    ...               np.zeros(0, np.int32), np.zeros(0))
    >>> _ = h.addCols(2, np.array([-3.0, -2.0]), np.zeros(2), np.ones(2), 2,
    ...               np.array([0, 1], np.int32), np.array([0, 0], np.int32), np.ones(2))
    >>> _ = h.changeColsIntegrality(2, np.array([0, 1], np.int32),
    ...                             np.full(2, highspy.HighsVarType.kInteger))
    >>> _ = h.run()
    >>> highs_proof(h, 0.5)
    Proof(exact=True, gap=0.0, status='Optimal')
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

INTEGER_ABS_GAP = 0.5
HIGHS_FEASIBILITY_TOLERANCE = 1e-6  # HiGHS's default mip_feasibility_tolerance
RELATIVE_TOLERANCE = 1e-12  # of the objective's scale: above double rounding of large sums
_MAX_EXACT_FLOAT = 2.0**53

_construct_lock = threading.Lock()
_banner_silenced = False


def is_integral(values: Iterable[float] | np.ndarray) -> bool:
    """Whether every value is a whole number that a double holds exactly (|v| < 2⁵³).

    Example:
        >>> is_integral([1.0, -3.0, 0.0]), is_integral([1000.25]), is_integral([])
        (True, False, True)
    """
    arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, float)
    if arr.size == 0:
        return True
    return bool(np.all(np.isfinite(arr)) and np.all(np.abs(arr) < _MAX_EXACT_FLOAT)
                and np.all(arr == np.round(arr)))


def abs_gap_for(costs: Iterable[float] | np.ndarray, scale: float | None = None) -> float:
    """The absolute MIP gap that proves optimality for these objective coefficients: 0.5 when
    they are whole numbers, else ``max(1e-6, 1e-12 × scale)`` with ``scale`` an upper bound on
    the objective's magnitude (default Σ|cost|).

    Example:
        >>> abs_gap_for([4.0, 7.0]), abs_gap_for([1000.5, 2000.0], scale=3000.0)
        (0.5, 1e-06)
        >>> abs_gap_for([0.5], scale=1e9)  # huge objectives: relative to their scale
        0.001
    """
    arr = np.asarray(list(costs) if not isinstance(costs, np.ndarray) else costs, float)
    if is_integral(arr):
        return INTEGER_ABS_GAP
    bound = float(np.abs(arr).sum()) if scale is None else float(scale)
    return max(HIGHS_FEASIBILITY_TOLERANCE, RELATIVE_TOLERANCE * bound)


def proven_tolerance(abs_gap: float) -> float:
    """How far from the optimum a solve proven with ``abs_gap`` may be: HiGHS never resolves
    differences below its feasibility tolerance (1e-6); for whole-number objectives the 0.5 gap
    proves the optimum itself (no other value lies within it).

    Example:
        >>> proven_tolerance(0.5), proven_tolerance(3e-8), proven_tolerance(3e-4)
        (0.5, 1e-06, 0.0003)
    """
    return max(float(abs_gap), HIGHS_FEASIBILITY_TOLERANCE)


def _flush_c_stdio() -> None:
    with contextlib.suppress(Exception):  # no C library to flush (e.g. Windows): nothing to do
        ctypes.CDLL(None).fflush(None)


@contextlib.contextmanager
def _descriptors_to_devnull() -> Iterator[None]:
    """Point file descriptors 1 and 2 at /dev/null for the duration (C-level output too)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        saved = [os.dup(1), os.dup(2)]
    except OSError:  # a closed descriptor: nothing there to protect
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        yield
    finally:
        _flush_c_stdio()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def new_highs(abs_gap: float, time_limit: float | None = None, threads: int = 1,
              seed: int = 0) -> highspy.Highs:
    """A silent ``highspy.Highs``: no banner, no log, relative MIP gap 0, absolute gap
    ``abs_gap`` (see :func:`abs_gap_for`), one thread and a fixed seed (deterministic runs),
    and an optional time limit in seconds.

    The banner is written once per process, by the first construction; that one is made with
    stdout and stderr redirected (later ones print nothing and are not redirected, so other
    threads' output is never swallowed).

    Example:
        >>> h = new_highs(abs_gap=0.5, time_limit=2.0)
        >>> h.getOptionValue("mip_rel_gap")[1], h.getOptionValue("output_flag")[1]
        (0.0, False)
    """
    h = _silent_highs()
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("threads", int(threads))
    _claim_scheduler(int(threads))
    set_gaps(h, abs_gap)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    return h


def _silent_highs() -> highspy.Highs:
    """A ``highspy.Highs`` with no log; the first one of the process is built with its banner
    sent to ``/dev/null`` (see :func:`new_highs`)."""
    global _banner_silenced
    with _construct_lock:
        if _banner_silenced:
            h = highspy.Highs()
        else:
            with _descriptors_to_devnull():
                h = highspy.Highs()
            _banner_silenced = True
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def _claim_scheduler(threads: int) -> None:
    """Make sure a solver asking for ``threads`` threads can run in this process.

    HiGHS keeps one thread pool per process, sized by the first solve that runs; a later
    solver asking for another size stops at once (``run()`` gives an error and the model
    status "Not Set"). Another library in the same process (PuLP's HiGHS, as abcvoting uses
    it) may have started the pool with another size: every exact solve of hurwicz would then
    fail. An empty model is run with the size asked for (about 0.1 ms); if HiGHS refuses it,
    the pool is reset (waiting for running solves), and the next solve starts one of the
    right size. A library that leaves the size to HiGHS (its default) runs on that pool.

    Example:
        >>> _claim_scheduler(1)
        >>> probe = _silent_highs()
        >>> _ = probe.setOptionValue("threads", 1)
        >>> probe.run() == highspy.HighsStatus.kOk
        True
    """
    probe = _silent_highs()
    probe.setOptionValue("threads", threads)
    if probe.run() == highspy.HighsStatus.kError:
        highspy.Highs.resetGlobalScheduler(True)


def set_gaps(h: highspy.Highs, abs_gap: float) -> None:
    """Relative MIP gap 0 and absolute gap ``abs_gap`` on an existing solver.

    Example:
        >>> h = new_highs(abs_gap=0.5)
        >>> set_gaps(h, 1e-6)
        >>> h.getOptionValue("mip_abs_gap")[1]
        1e-06
    """
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", float(abs_gap))


def warm_started_run(h: highspy.Highs, col_value: Sequence[float]) -> highspy.HighsModelStatus:
    """Solve starting from a feasible ``col_value``, and make sure the solution read back is
    the solver's: highspy 1.16 can report the optimum's objective while ``getSolution()`` still
    returns the warm start (seen on a 6-bid auction). When the column values do not add up to
    the reported objective, the model is solved again from scratch.

    Example:
        >>> import numpy as np
        >>> h = new_highs(abs_gap=0.5)
        >>> inf = highspy.kHighsInf
        >>> _ = h.addRows(1, np.array([-inf]), np.array([1.0]), 0, np.zeros(0, np.int32),
        ...               np.zeros(0, np.int32), np.zeros(0))
        >>> _ = h.addCols(2, np.array([-3.0, -2.0]), np.zeros(2), np.ones(2), 2,
        ...               np.array([0, 1], np.int32), np.array([0, 0], np.int32), np.ones(2))
        >>> _ = h.changeColsIntegrality(2, np.array([0, 1], np.int32),
        ...                             np.full(2, highspy.HighsVarType.kInteger))
        >>> warm_started_run(h, [0.0, 1.0]) == highspy.HighsModelStatus.kOptimal
        True
        >>> [v + 0.0 for v in h.getSolution().col_value]
        [1.0, 0.0]
    """
    start = highspy.HighsSolution()
    start.col_value = list(col_value)
    h.setSolution(start)
    h.run()
    if not _solution_is_current(h):
        h.clearSolver()
        h.run()
    return h.getModelStatus()


def _solution_is_current(h: highspy.Highs) -> bool:
    info = h.getInfo()
    if int(info.primal_solution_status) != int(highspy.kSolutionStatusFeasible):
        return True  # nothing to read back: the caller handles a missing solution
    lp = h.getLp()
    x = np.asarray(h.getSolution().col_value)
    cost = np.asarray(lp.col_cost_)
    if x.size != cost.size:
        return False
    objective = float(cost @ x) + float(lp.offset_)
    reported = float(info.objective_function_value)
    return abs(objective - reported) <= 1e-9 * max(1.0, abs(reported))


@dataclass(frozen=True)
class Proof:
    """Whether a solve proved optimality, the solver's final relative gap
    ((incumbent − bound) / |incumbent|, ``inf`` without an incumbent) and its status."""

    exact: bool
    gap: float
    status: str


def _judge(optimal: bool, objective: float, bound: float | None, is_mip: bool,
           abs_gap: float) -> tuple[bool, float]:
    if not is_mip:
        return optimal, 0.0 if optimal else math.inf
    if bound is None or not math.isfinite(objective) or not math.isfinite(bound):
        return False, math.inf
    absolute = abs(objective - bound)
    relative = absolute / abs(objective) if objective != 0 else (0.0 if absolute == 0 else
                                                                 math.inf)
    return optimal and absolute <= proven_tolerance(abs_gap) * (1 + 1e-12), relative


def highs_proof(h: highspy.Highs, abs_gap: float) -> Proof:
    """Read a finished ``highspy`` solve: exact only when the model status is optimal and, for
    a MIP, the final gap |incumbent − dual bound| is within :func:`proven_tolerance`.

    Example:
        >>> h = new_highs(abs_gap=0.5)
        >>> _ = h.run()  # an empty model: nothing to prove optimal
        >>> highs_proof(h, 0.5).exact
        False
    """
    status = h.getModelStatus()
    info = h.getInfo()
    optimal = status == highspy.HighsModelStatus.kOptimal
    is_mip = int(info.mip_node_count) >= 0
    bound = float(info.mip_dual_bound) if is_mip else None
    exact, gap = _judge(optimal, float(info.objective_function_value), bound, is_mip, abs_gap)
    return Proof(exact, gap, h.modelStatusToString(status))


def reported_gap(gap: float) -> float | None:
    """A gap as outcomes report it: ``None`` when it is not finite (no incumbent, or a zero
    incumbent with a nonzero bound), since JSON has no infinity.

    Example:
        >>> reported_gap(0.0), reported_gap(0.25), reported_gap(math.inf)
        (0.0, 0.25, None)
    """
    return float(gap) if math.isfinite(gap) else None


def milp_options(time_limit: float | None = None) -> dict[str, Any]:
    """Options for ``scipy.optimize.milp``: silent and with a zero relative gap. (scipy does
    not expose HiGHS's absolute gap, which stays at its 1e-6 default: below 0.5 for
    whole-number objectives, and HiGHS's own resolution otherwise.)

    Example:
        >>> milp_options(time_limit=5)
        {'disp': False, 'mip_rel_gap': 0.0, 'time_limit': 5.0}
    """
    options: dict[str, Any] = {"disp": False, "mip_rel_gap": 0.0}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    return options


MILP_ABS_GAP = HIGHS_FEASIBILITY_TOLERANCE  # the absolute gap scipy's milp runs HiGHS with


def milp_proof(res: Any, abs_gap: float = MILP_ABS_GAP) -> Proof:
    """Read a ``scipy.optimize.milp`` result: exact only when ``res.status == 0`` (optimal) and
    the final gap |fun − mip_dual_bound| is within :func:`proven_tolerance` of ``abs_gap``.

    Example:
        >>> import numpy as np
        >>> from scipy.optimize import Bounds, LinearConstraint, milp
        >>> res = milp(np.array([-3.0, -2.0]), integrality=np.ones(2), bounds=Bounds(0, 1),
        ...            constraints=[LinearConstraint(np.ones((1, 2)), -np.inf, 1)],
        ...            options=milp_options())
        >>> milp_proof(res, 0.5)
        Proof(exact=True, gap=0.0, status='Optimal')
    """
    status = int(res.status)
    names = {0: "Optimal", 1: "Time or iteration limit reached", 2: "Infeasible",
             3: "Unbounded", 4: "Solver error"}
    if res.x is None or res.fun is None:
        return Proof(False, math.inf, names.get(status, str(res.message)))
    bound = getattr(res, "mip_dual_bound", None)
    is_mip = getattr(res, "mip_gap", None) is not None  # None after a pure LP
    exact, gap = _judge(status == 0, float(res.fun), None if bound is None else float(bound),
                        is_mip, abs_gap)
    return Proof(exact, gap, names.get(status, str(res.message)))
