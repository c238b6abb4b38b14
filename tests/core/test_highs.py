"""The shared HiGHS set-up (hurwicz.core.highs): the gap rule, the optimality proof checks, and
a solver that prints nothing.

HiGHS semantics relied on (HiGHS 1.16 documentation, "Options" and "Info"): ``mip_rel_gap`` and
``mip_abs_gap`` stop the branch and bound once (incumbent − dual bound) falls below them,
``mip_dual_bound`` is the proven bound and ``mip_gap`` the relative gap; model status
``Optimal`` alone therefore does not mean "no better solution", which is what these checks add.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap

import highspy
import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from hurwicz.core.highs import (
    HIGHS_FEASIBILITY_TOLERANCE,
    INTEGER_ABS_GAP,
    abs_gap_for,
    highs_proof,
    is_integral,
    milp_options,
    milp_proof,
    new_highs,
    proven_tolerance,
    reported_gap,
)


def test_gap_rule() -> None:
    """Whole numbers: 0.5 (< 1, the smallest difference between two integer objectives);
    otherwise HiGHS's resolution 1e-6, or 1e-12 of the objective's scale when that is larger."""
    assert abs_gap_for([1.0, 2.0, 3.0]) == INTEGER_ABS_GAP
    assert abs_gap_for(np.array([1000.0, 2000.0])) == 0.5
    assert abs_gap_for([1000.01, 2000.0], scale=3000.0) == HIGHS_FEASIBILITY_TOLERANCE
    assert abs_gap_for([0.5], scale=1e10) == pytest.approx(1e-2)
    assert abs_gap_for([0.25, 0.5]) == HIGHS_FEASIBILITY_TOLERANCE  # default scale Σ|c|
    assert not is_integral([2.0**53])  # beyond exact doubles: not treated as whole
    assert not is_integral([1.0, float("nan")])
    assert proven_tolerance(0.5) == 0.5
    assert proven_tolerance(1e-9) == HIGHS_FEASIBILITY_TOLERANCE


def _knapsack(values: np.ndarray, weights: np.ndarray, capacity: float) -> highspy.Highs:
    h = new_highs(abs_gap_for(values))
    n = len(values)
    h.addRows(1, np.array([-highspy.kHighsInf]), np.array([capacity]), 0,
              np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    h.addCols(n, -values, np.zeros(n), np.ones(n), n, np.arange(n, dtype=np.int32),
              np.zeros(n, np.int32), weights.astype(float))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.full(n, highspy.HighsVarType.kInteger))
    return h


def test_highs_proof_optimal_and_time_limited() -> None:
    rng = np.random.default_rng(0)
    values = rng.integers(1000, 1100, size=12).astype(float)
    weights = rng.integers(10, 40, size=12).astype(float)
    h = _knapsack(values, weights, 150.0)
    h.run()
    proof = highs_proof(h, 0.5)
    assert proof.exact and proof.status == "Optimal" and proof.gap == 0.0
    best = max(sum(values[list(s)]) for r in range(13)
               for s in itertools.combinations(range(12), r)
               if sum(weights[list(s)]) <= 150)
    assert -h.getInfo().objective_function_value == best  # whole numbers: compared exactly
    # a node limit of 0 leaves only the root: whatever it found is not a proof
    hard = _knapsack(rng.uniform(1000, 1001, 60), rng.uniform(10, 40, 60), 400.0)
    hard.setOptionValue("mip_max_nodes", 0)
    hard.setOptionValue("presolve", "off")
    hard.run()
    stopped = highs_proof(hard, abs_gap_for([0.5]))
    assert stopped.exact is False and stopped.status != "Optimal"
    assert stopped.gap > 0


def test_milp_proof() -> None:
    cost = -np.array([3.0, 2.0, 2.0])
    cons = [LinearConstraint(np.array([[2.0, 1.0, 1.0]]), -np.inf, 2.0)]
    res = milp(cost, integrality=np.ones(3), bounds=Bounds(0, 1), constraints=cons,
               options=milp_options())
    assert milp_proof(res, INTEGER_ABS_GAP).exact and res.fun == -4.0
    infeasible = milp(cost, integrality=np.ones(3), bounds=Bounds(0, 1),
                      constraints=[LinearConstraint(np.ones((1, 3)), 4.0, 5.0)],
                      options=milp_options())
    proof = milp_proof(infeasible)
    assert proof.exact is False and proof.status == "Infeasible" and reported_gap(proof.gap) \
        is None
    lp = milp(cost, integrality=np.zeros(3), bounds=Bounds(0, 1), constraints=cons,
              options=milp_options())
    assert milp_proof(lp).exact  # a pure LP: the optimal status is the proof
    assert milp_options(3) == {"disp": False, "mip_rel_gap": 0.0, "time_limit": 3.0}


def test_new_highs_sets_the_gaps_and_silences() -> None:
    h = new_highs(1e-6, time_limit=5.0, seed=3)
    assert h.getOptionValue("mip_rel_gap")[1] == 0.0
    assert h.getOptionValue("mip_abs_gap")[1] == 1e-6
    assert h.getOptionValue("time_limit")[1] == 5.0
    assert h.getOptionValue("random_seed")[1] == 3
    assert h.getOptionValue("threads")[1] == 1
    assert h.getOptionValue("output_flag")[1] is False


def test_no_banner_in_a_fresh_process() -> None:
    """The banner is printed by the process's first ``highspy.Highs()``: in a fresh interpreter
    neither that first construction nor later ones (nor a solve) write anything to the process's
    stdout or stderr, whether they are pipes (block-buffered C stdio) or not."""
    script = textwrap.dedent("""
        import numpy as np
        from hurwicz.core.highs import new_highs
        a = new_highs(0.5)
        b = new_highs(0.5)
        b.addVar(0.0, 1.0)
        b.run()
        print("done")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout == "done\n"
    assert out.stderr == ""


def test_banner_is_emitted_without_the_redirect() -> None:
    """The check above is not vacuous: a bare ``highspy.Highs()`` does print the banner (with
    highspy 1.16; if a later version stops printing it, this test says so)."""
    script = "import highspy; highspy.Highs()"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True)
    assert "HiGHS" in out.stdout + out.stderr


def test_json_parses_reported_gaps() -> None:
    assert json.loads(json.dumps({"gap": reported_gap(float("inf"))})) == {"gap": None}


def test_exact_solves_run_after_another_library_sized_the_thread_pool() -> None:
    """HiGHS keeps one thread pool per process, sized by the first solve. PuLP's HiGHS (as
    abcvoting calls it) started it with two threads in a benchmark, and every exact solve of
    hurwicz then stopped at once: ``run()`` gave an error, the model status "Not Set", and
    ``hz.voting.axioms.priceability`` a SolverError. ``new_highs`` now claims the pool (run in
    a fresh interpreter: the pool is process-wide)."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import highspy
        foreign = highspy.Highs()
        foreign.setOptionValue("output_flag", False)
        foreign.setOptionValue("threads", 2)
        assert foreign.run() == highspy.HighsStatus.kOk  # the pool now has two threads
        import hurwicz as hz
        election = {"candidates": ["a", "b", "c", "d"], "ballots": [
            {"ranking": ["a", "b", "c", "d"], "count": 3}, {"ranking": ["b", "c", "d", "a"]},
            {"ranking": ["c", "a", "d", "b"], "count": 2}]}
        out = hz.mechanism("voting.kemeny_young").run(election)
        assert out.result["winners"] == ["a"], out.result
        approvals = {"candidates": ["a", "b", "c"], "ballots": [
            {"approve": ["a", "b"], "count": 2}, {"approve": ["c"]}]}
        assert hz.voting.axioms.priceability(approvals, ["a", "c"]).satisfied
        other = highspy.Highs()  # a library leaving the pool's size to HiGHS still runs
        other.setOptionValue("output_flag", False)
        assert other.run() == highspy.HighsStatus.kOk
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")
