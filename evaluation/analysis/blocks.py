"""Linear programmes over blocks of neighbouring counts, many forms in one
programme: how a large round's disclosure control stays fast (DESIGN §5).

A round with tens of thousands of programme rows has tens of thousands of
sensitive counts; one programme per count, each over its neighbourhood, costs
more in building and starting the programmes than in solving them. Counts that
lie next to each other (a programme row's counts, rows of one municipality) are
cut into blocks that split no small figure, and each block is solved as one
programme, every count outside it held at its true value, so each solution is a
table that agrees with everything published outside the block as well:

- `widen` finds two tables at once that pull each of the block's sensitive
  forms apart, up to the threshold: kept as witnesses, they protect most forms
  without any programme of their own;
- `chooser` keeps one block's cell-choice programme and solves it for one
  form after another, each from the last one's basis; a cell withheld for one
  form is free for the next, as in the per-form choice.

Whatever a block cannot settle is left to the per-form programmes, and the
exact audit is the gate either way. This module knows matrices only: the
callers in `evaluation.analysis.audit` say what the rows mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Counts per block: for the witness programme, and for the cell choice, whose
#: size grows with the block's counts times its forms.
WIDEN_SIZE = 2000
CHOOSE_SIZE = 600
#: A solved slack or shortfall above this counts.
TOLERANCE = 1e-6


class BlockSystem:
    """The published figures and inequalities of a linked system as matrices,
    ready to be cut into blocks of counts."""

    def __init__(self, forms, owner: np.ndarray, costs: np.ndarray, inequalities,
                 slack: np.ndarray, lower: np.ndarray,
                 spans: Sequence[tuple[int, int]]) -> None:
        """`forms`: every unit's figures as rows over the counts (CSR), `owner`
        the unit of each row, `costs` each unit's cost; `inequalities` the ≤ rows
        and `slack` what each leaves at the true table; `lower` each count's least
        deviation; `spans` the first and last count of every small figure, which
        no block may split."""
        self.n = forms.shape[1]
        self.columns = forms.tocsc()
        self.owner = np.asarray(owner, dtype=int)
        self.costs = np.asarray(costs, dtype=float)
        self.inequalities = inequalities.tocsc()
        self.slack = np.asarray(slack, dtype=float)
        self.lower = np.asarray(lower, dtype=float)
        inside = np.zeros(self.n + 1, dtype=int)
        for first, last in spans:
            if last > first:
                inside[first + 1] += 1
                inside[last + 1] -= 1
        #: Whether a block may start at each count.
        self.cut = np.cumsum(inside)[:self.n] == 0

    def blocks(self, size: int) -> list[tuple[int, int]]:
        """Consecutive ranges of about `size` counts, none splitting a small figure."""
        starts = np.flatnonzero(self.cut)
        out, first = [], 0
        while first < self.n:
            later = starts[np.searchsorted(starts, first + size):]
            last = int(later[0]) if len(later) else self.n
            out.append((first, last))
            first = last
        return out

    def _rows(self, block: tuple[int, int], published: np.ndarray):
        """The published figures and the inequalities over the block's counts:
        figure rows, their units (renumbered), those units' numbers, ≤ rows and
        their right-hand sides."""
        first, last = block
        figures = self.columns[:, first:last].tocsr()
        keep = np.flatnonzero((np.diff(figures.indptr) > 0) & published[self.owner])
        figures = figures[keep]
        units, owner = np.unique(self.owner[keep], return_inverse=True)
        inequalities = self.inequalities[:, first:last].tocsr()
        g_keep = np.flatnonzero(np.diff(inequalities.indptr) > 0)
        return figures, owner, units, inequalities[g_keep], self.slack[g_keep]

    def widen(self, block: tuple[int, int], published: np.ndarray, targets,
              threshold: float) -> tuple[np.ndarray, np.ndarray] | None:
        """Two tables over the block (deviations, one row each) that pull each
        target form (rows over the block's counts) as far apart as they can, up
        to `threshold`; None when the programme fails."""
        from scipy.optimize import linprog
        from scipy.sparse import bmat, identity

        figures, _owner, _units, inequalities, rhs = self._rows(block, published)
        m, k = block[1] - block[0], targets.shape[0]
        # t ≤ f·(up − down), the tables agree with every published figure
        a_ub = _widen(bmat([[-targets, targets, identity(k)],
                            [inequalities, None, None],
                            [None, inequalities, None]], format="csr"), 2 * m + k)
        a_eq = bmat([[figures, None], [None, figures]], format="csr") \
            if figures.shape[0] else None
        if a_eq is not None:
            a_eq = _widen(a_eq, 2 * m + k)
        lower = self.lower[block[0]:block[1]]
        bounds = np.column_stack([np.concatenate([lower, lower, np.zeros(k)]),
                                  np.concatenate([np.full(2 * m, np.inf),
                                                  np.full(k, float(threshold))])])
        res = linprog(np.concatenate([np.zeros(2 * m), np.full(k, -1.0)]),
                      A_ub=a_ub, b_ub=np.concatenate([np.zeros(k), rhs, rhs]),
                      A_eq=a_eq, b_eq=None if a_eq is None else np.zeros(a_eq.shape[0]),
                      bounds=bounds, method="highs")
        if res.status != 0:
            return None
        return res.x[:m], res.x[m:2 * m]

    def chooser(self, block: tuple[int, int], published: np.ndarray, targets
                ) -> Chooser | None:
        """The block's cell-choice programme for the target forms (rows over the
        block's counts), ready for one form after another; None where the
        solver's interface is not there (scipy before 1.15)."""
        try:
            from scipy.optimize._highspy import _core
        except ImportError:
            return None
        return Chooser(_core, self, block, published, targets)


class Chooser:
    """One block's cell-choice programme, kept between forms. Each target form
    has a column that equals it; a form's move is a bound on its column, and a
    cell once withheld costs nothing from then on (its slack is free, as if its
    figure were gone). Only bounds and costs change, so HiGHS starts each solve
    from the last one's basis and factors. Held through scipy's own build of
    HiGHS, the solver behind `scipy.optimize.linprog`, because re-solving a
    kept model is what makes a large round fast."""

    def __init__(self, core, system: BlockSystem, block: tuple[int, int],
                 published: np.ndarray, targets) -> None:
        from scipy.sparse import bmat, coo_matrix, csr_matrix, identity

        figures, owner, units, inequalities, rhs = system._rows(block, published)
        self.m = m = block[1] - block[0]
        self.units = units
        self.costs = system.costs[units].copy()
        q, r, g, k = len(units), figures.shape[0], inequalities.shape[0], targets.shape[0]
        slack_of = coo_matrix((np.full(2 * r, -1.0),
                               (np.arange(2 * r), np.concatenate([owner, owner]))),
                              shape=(2 * r, q))
        parts = [[bmat([[figures], [-figures]]), slack_of, None]]
        if g:
            parts.append([inequalities, None, None])
        parts.append([targets, None, -identity(k)])
        matrix = bmat(parts, format="csr")
        matrix = csr_matrix((matrix.data, matrix.indices, matrix.indptr),
                            shape=(matrix.shape[0], m + q + k))
        self.target = m + q  # the first form's column
        lp = core.HighsLp()
        lp.num_col_, lp.num_row_ = m + q + k, matrix.shape[0]
        lp.col_cost_ = np.concatenate([np.full(m, 1e-6), self.costs, np.zeros(k)])
        lp.col_lower_ = np.concatenate([system.lower[block[0]:block[1]], np.zeros(q),
                                        np.full(k, -np.inf)])
        lp.col_upper_ = np.full(m + q + k, np.inf)
        lp.row_lower_ = np.concatenate([np.full(2 * r + g, -np.inf), np.zeros(k)])
        lp.row_upper_ = np.concatenate([np.zeros(2 * r), rhs, np.zeros(k)])
        lp.a_matrix_.format_ = core.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = m + q + k, matrix.shape[0]
        self.core = core
        self.highs = core._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(lp)

    def solve(self, target: int, move: float) -> tuple[np.ndarray, np.ndarray] | None:
        """The units to withhold (by number) so that a table agreeing with every
        other published figure moves target form number `target` up by `move`,
        and that table over the block; None when the block has none."""
        highs, column = self.highs, self.target + target
        highs.changeColBounds(column, move, np.inf)
        highs.run()
        optimal = highs.getModelStatus() == self.core.HighsModelStatus.kOptimal
        x = np.asarray(highs.getSolution().col_value) if optimal else None
        highs.changeColBounds(column, -np.inf, np.inf)
        if x is None:
            return None
        slack = x[self.m:self.target]
        picked = np.flatnonzero((slack > TOLERANCE) & (self.costs > 0))
        for j in picked.tolist():
            self.costs[j] = 0.0
            highs.changeColCost(self.m + j, 0.0)
        return self.units[picked], x[:self.m]


def _widen(matrix, width: int):
    """`matrix` with empty columns added up to `width`."""
    from scipy.sparse import csr_matrix

    return csr_matrix((matrix.data, matrix.indices, matrix.indptr),
                      shape=(matrix.shape[0], width))
