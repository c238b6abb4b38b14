"""A small linear-programming helper on HiGHS (highspy) for the games package.

Example:
    >>> import numpy as np
    >>> from scipy.sparse import csc_matrix
    >>> x, obj = solve_lp(np.array([1.0, 1.0]), csc_matrix(np.array([[1.0, 1.0]])),
    ...                   np.array([1.0]), np.array([np.inf]), maximize=False)
    >>> round(obj, 9)
    1.0
"""

from __future__ import annotations

import highspy
import numpy as np
from scipy.sparse import csc_matrix

from hurwicz.core.errors import SolverError
from hurwicz.core.highs import new_highs


def solve_lp(cost: np.ndarray, matrix: csc_matrix, row_lower: np.ndarray,
             row_upper: np.ndarray, col_lower: np.ndarray | None = None,
             col_upper: np.ndarray | None = None, maximize: bool = False
             ) -> tuple[np.ndarray, float]:
    """Optimise ``cost · x`` subject to ``row_lower ≤ matrix x ≤ row_upper`` and column
    bounds (default ``x ≥ 0``); returns the solution and the objective. Raises
    :class:`~hurwicz.core.errors.SolverError` unless HiGHS proves optimality.
    """
    inf = highspy.kHighsInf
    k = len(cost)
    lp = highspy.HighsLp()
    lp.num_col_ = k
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.zeros(k) if col_lower is None else np.asarray(col_lower, float)
    lp.col_upper_ = np.full(k, inf) if col_upper is None else np.asarray(col_upper, float)
    lp.row_lower_ = np.where(np.isinf(row_lower), -inf, row_lower).astype(float)
    lp.row_upper_ = np.where(np.isinf(row_upper), inf, row_upper).astype(float)
    lp.col_lower_ = np.where(np.isinf(lp.col_lower_), -inf, lp.col_lower_)
    lp.col_upper_ = np.where(np.isinf(lp.col_upper_), inf, lp.col_upper_)
    mat = csc_matrix(matrix)
    mat.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data.astype(float)
    lp.a_matrix_.num_col_ = k
    lp.a_matrix_.num_row_ = matrix.shape[0]
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    h = new_highs(abs_gap=1e-9)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS: {h.modelStatusToString(status)}", "lp")
    x = np.asarray(h.getSolution().col_value, dtype=float)
    return x, float(h.getInfo().objective_function_value)
