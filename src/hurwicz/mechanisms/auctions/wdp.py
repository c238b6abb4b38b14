"""Exact winner determination for combinatorial auctions (XOR bids) on HiGHS.

Variables x_b ∈ {0, 1} per bid; each item is sold at most once (Σ_{b ∋ item} x_b ≤ 1), each
bidder wins at most one of its bids (XOR), and Σ v_b x_b is maximised. The model is built once;
VCG pivot problems reuse it by fixing one bidder's columns to zero (``changeColsBounds``) and are
warm-started with the main allocation minus that bidder's bundle, which is feasible for them.

Example:
    >>> w = WinnerDetermination(["A", "B"], [("a", ["A", "B"], 10.0), ("b", ["A"], 6.0),
    ...                                      ("c", ["B"], 5.0)])
    >>> sol = w.solve()
    >>> sol.welfare, sol.winning_bids, sol.exact
    (11.0, [1, 2], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from hurwicz.core.errors import SolverError


@dataclass
class WdpSolution:
    """Welfare, winning bid indices, exactness and the MIP gap of one solve."""

    welfare: float
    winning_bids: list[int]
    exact: bool
    mip_gap: float
    status: str


class WinnerDetermination:
    """A reusable HiGHS model of the winner determination problem.

    ``bids`` is a list of ``(bidder, items, value)``; ``time_limit`` bounds every solve.
    """

    def __init__(self, items: Sequence[str], bids: Sequence[tuple[str, Sequence[str], float]],
                 time_limit: float | None = None) -> None:
        self.items = list(items)
        self.bids = list(bids)
        self.bidders = sorted({b for b, _, _ in self.bids})
        item_index = {it: i for i, it in enumerate(self.items)}
        bidder_index = {b: len(self.items) + j for j, b in enumerate(self.bidders)}
        rows, cols = [], []
        for k, (bidder, bundle, _) in enumerate(self.bids):
            for it in set(bundle):
                rows.append(item_index[it])
                cols.append(k)
            rows.append(bidder_index[bidder])
            cols.append(k)
        n_rows = len(self.items) + len(self.bidders)
        n_cols = len(self.bids)
        matrix = sparse.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_rows, n_cols))
        lp = highspy.HighsLp()
        lp.num_col_ = n_cols
        lp.num_row_ = n_rows
        lp.col_cost_ = np.array([v for _, _, v in self.bids], dtype=float)
        lp.col_lower_ = np.zeros(n_cols)
        lp.col_upper_ = np.ones(n_cols)
        lp.row_lower_ = np.full(n_rows, -highspy.kHighsInf)
        lp.row_upper_ = np.ones(n_rows)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cols
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("random_seed", 0)
        self.highs.setOptionValue("threads", 1)
        if time_limit is not None:
            self.highs.setOptionValue("time_limit", float(time_limit))
        self.highs.passModel(lp)
        self.solves = 0
        self._bids_of = {b: [k for k, (who, _, _) in enumerate(self.bids) if who == b]
                         for b in self.bidders}

    def solve(self, without: str | None = None,
              warm_start: Sequence[int] | None = None) -> WdpSolution:
        """Solve the WDP (optionally with one bidder's bids removed), warm-started from a
        feasible set of winning bid indices when given.

        Example:
            >>> w = WinnerDetermination(["A"], [("a", ["A"], 3.0), ("b", ["A"], 2.0)])
            >>> w.solve(without="a").welfare
            2.0
        """
        if not self.bids:
            return WdpSolution(0.0, [], True, 0.0, "empty")
        removed = self._bids_of.get(without, []) if without is not None else []
        if removed:
            idx = np.array(removed, dtype=np.int32)
            self.highs.changeColsBounds(len(idx), idx, np.zeros(len(idx)), np.zeros(len(idx)))
        try:
            if warm_start is not None:
                start = highspy.HighsSolution()
                col = np.zeros(len(self.bids))
                col[list(warm_start)] = 1.0
                start.col_value = list(col)
                self.highs.setSolution(start)
            self.highs.run()
            self.solves += 1
            status = self.highs.getModelStatus()
            info = self.highs.getInfo()
            if status not in (highspy.HighsModelStatus.kOptimal,
                              highspy.HighsModelStatus.kTimeLimit):
                raise SolverError(f"HiGHS: {self.highs.modelStatusToString(status)}",
                                  "winner_determination")
            values = np.asarray(self.highs.getSolution().col_value)
            if values.size == 0:
                raise SolverError("HiGHS found no feasible allocation within the time limit",
                                  "winner_determination")
            winners = [int(k) for k in np.nonzero(values > 0.5)[0]]
            welfare = float(sum(self.bids[k][2] for k in winners))
            exact = status == highspy.HighsModelStatus.kOptimal
            gap = 0.0 if exact else float(info.mip_gap)
            return WdpSolution(welfare, winners, exact, gap,
                               self.highs.modelStatusToString(status))
        finally:
            if removed:
                idx = np.array(removed, dtype=np.int32)
                self.highs.changeColsBounds(len(idx), idx, np.zeros(len(idx)),
                                            np.ones(len(idx)))
