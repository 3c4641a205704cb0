"""Secondary cell choice and the intruder audit over linked tables, by linear
programming (DESIGN §5).

The published tables of a round are one system of linear forms over atomic
counts (each programme row's participants, completed, women and men). A
published figure fixes its form; a withheld one does not. An intruder who knows
every published figure, that counts are never negative and that completed and
women + men never exceed participants, can bound each withheld count by two
linear programmes (its minimum and its maximum): the audit of τ-Argus and
sdcTable. A sensitive count (from 1 to threshold − 1, published or implied) is
protected when that range is at least `threshold` wide.

Cells to withhold besides the primary ones are chosen as τ-Argus' and
sdcTable's optimal and heuristic methods do, one sensitive count at a time: an
LP looks for the cheapest other table that agrees with everything still
published but moves the sensitive count by enough; the cells that table changes
are withheld (Kelly, Golden and Assad 1992; Fischetti and Salazar 1999).
Each cell's cost says what its loss is worth, so programme rows go before a
municipality's totals and those before the county's.

The audit reduces the system first (a published single count is a fixed bound,
a published total whose declared parts are all published says nothing new) and
solves each withheld count over its connected part only, which keeps a national
round fast. Most counts need no linear programme at all: every table the
programmes have found so far that agrees with what is published (the true one,
each range's extremes, each cell choice's table) is kept as a witness, and a
count two witnesses already set at least `threshold` apart is protected, its
range at least that wide. A count the witnesses cannot tell apart is first
solved over its neighbourhood (its rows and the nearest terms of the totals
they are in, every other count at its true value, so each solution is a real
table and another witness), and only then exactly over its connected part:
a failure or a cell found "determined" is always the exact programme's answer.
A protected count's recorded range is the part of it the witnesses reach.
Cells are chosen over the neighbourhood too, except in small systems, where
the whole part's choice is cheap and can withhold less; in large ones the
choice is sized from the neighbourhood's range, which may withhold more than
the exact range would need but never less than protects the count.

A large system (more than `WHOLE` counts) is first worked through in blocks of
neighbouring counts (`evaluation.analysis.blocks`): one programme per block finds
witnesses for many counts at once, and one kept cell-choice programme per block
serves its counts one after another; only what a block cannot settle goes to
the per-form programmes above. Small systems, the example rounds among them,
never take that path.

scipy is imported where a programme is solved, not with the module: the report
kernels import this module through the stored round and never solve one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from evaluation.errors import ConsistencyError

TOLERANCE = 1e-6
#: Up to this many counts, cells are chosen over the whole connected part.
WHOLE = 1500
PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Form:
    """A linear form over atomic counts: Σ coef · x[var], with its true value."""

    key: tuple
    terms: tuple[tuple[int, float], ...]
    value: int
    #: Keys of forms this one is the sum of (a total and its parts), if declared.
    parts: tuple[tuple, ...] = ()


@dataclass
class Unit:
    """Figures published or withheld together (one cell of a table, or an
    indicator row whose numerator and denominator go together)."""

    key: tuple
    forms: list[Form]
    cost: float
    #: Swedish description of the cell, for messages.
    label: str


@dataclass
class Linked:
    """Linked tables as one linear system."""

    #: True value of each atomic count.
    values: list[int] = field(default_factory=list)
    #: What the intruder knows as each count's least value (0, or 1 when an
    #: offering shows the count is positive).
    lower: list[float] = field(default_factory=list)
    #: Forms the intruder knows are ≤ 0 (completed − participants, …).
    inequalities: list[Form] = field(default_factory=list)
    units: dict[tuple, Unit] = field(default_factory=dict)
    #: Counts implied by publication, besides the units' forms (started −
    #: completed, started − women − men); labels in Swedish.
    implied: list[tuple[Form, str]] = field(default_factory=list)

    def var(self, value: int, lower: float = 0.0) -> int:
        self.values.append(int(value))
        self.lower.append(float(lower))
        return len(self.values) - 1

    def add(self, key: tuple, forms: Sequence[Form], cost: float, label: str) -> None:
        self.units[key] = Unit(key, list(forms), cost, label)

    def sensitive(self, threshold: int) -> list[tuple[Form, str]]:
        """Every form with a value from 1 to threshold − 1, published or implied."""
        out = [(f, u.label) for u in self.units.values() for f in u.forms
               if 1 <= f.value < threshold]
        out += [(f, label) for f, label in self.implied if 1 <= f.value < threshold]
        return out

    @staticmethod
    def combine(parts: Iterable[Linked]) -> Linked:
        """Several linked systems as one, their counts side by side."""
        out = Linked()
        for part in parts:
            offset = len(out.values)

            def shift(f: Form, o: int = offset) -> Form:
                return Form(f.key, tuple((v + o, c) for v, c in f.terms), f.value, f.parts)

            out.values += part.values
            out.lower += part.lower
            out.inequalities += [shift(f) for f in part.inequalities]
            for key, unit in part.units.items():
                out.units[key] = Unit(key, [shift(f) for f in unit.forms], unit.cost,
                                      unit.label)
            out.implied += [(shift(f), label) for f, label in part.implied]
        return out


# --------------------------------------------------------------------------- audit


@dataclass(frozen=True)
class Range:
    key: tuple
    label: str
    value: int
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass
class AuditResult:
    threshold: int
    #: Sensitive counts and their feasible ranges.
    ranges: list[Range]
    #: Withheld cells whose value follows exactly from what is published.
    determined: list[tuple] = field(default_factory=list)

    @property
    def failures(self) -> list[Range]:
        return [r for r in self.ranges if r.width < self.threshold - TOLERANCE]

    @property
    def passed(self) -> bool:
        return not self.failures


class _Reduced:
    """The intruder's system after fixing published single counts and dropping
    totals that say nothing new, split into connected parts."""

    def __init__(self, linked: Linked, withheld: set[tuple],
                 witnesses: Witnesses | None = None, recheck: bool = True,
                 near: _Neighbourhood | None = None) -> None:
        n = len(linked.values)
        self.linked = linked
        self.withheld = withheld
        self.near = near
        self.fixed: dict[int, float] = {}
        published: dict[tuple, Form] = {}
        for key, unit in linked.units.items():
            if key in withheld:
                continue
            for f in unit.forms:
                published[f.key] = f
                if len(f.terms) == 1 and f.terms[0][1] == 1.0:
                    self.fixed[f.terms[0][0]] = float(f.value)
        rows: list[tuple[Form, str]] = []
        for f in published.values():
            if len(f.terms) == 1 and f.terms[0][1] == 1.0:
                continue
            if f.parts and all(p in published for p in f.parts):
                continue  # the sum of published parts: nothing new
            rows.append((f, "eq"))
        rows += [(f, "ub") for f in linked.inequalities]
        parent = list(range(n))

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        self.rows: list[tuple[list[tuple[int, float]], float, str]] = []
        for f, kind in rows:
            free = [(v, c) for v, c in f.terms if v not in self.fixed]
            if not free:
                continue
            constant = sum(c * self.fixed[v] for v, c in f.terms if v in self.fixed)
            rhs = (f.value if kind == "eq" else 0.0) - constant
            self.rows.append((free, rhs, kind))
            first = find(free[0][0])
            for v, _ in free[1:]:
                parent[find(v)] = first
        self.find = find
        self.by_component: dict[int, list[int]] = {}
        for i, (free, _, _) in enumerate(self.rows):
            self.by_component.setdefault(find(free[0][0]), []).append(i)
        self._cache: dict[frozenset, tuple] = {}
        self.witnesses = witnesses or Witnesses(linked)
        if recheck:  # not needed when only more is withheld than the witnesses saw
            self.witnesses.keep_feasible(list(published.values()), linked.inequalities)

    def _system(self, components: frozenset) -> tuple:
        if components in self._cache:
            return self._cache[components]
        row_ids = [i for c in sorted(components) for i in self.by_component.get(c, [])]
        variables = sorted({v for i in row_ids for v, _ in self.rows[i][0]}
                           | {v for v in range(len(self.linked.values))
                              if v not in self.fixed and self.find(v) in components
                              and not row_ids})
        index = {v: j for j, v in enumerate(variables)}
        parts: dict[str, tuple[list, list, list, list]] = {
            "eq": ([], [], [], []), "ub": ([], [], [], [])}
        for i in row_ids:
            free, rhs, kind = self.rows[i]
            r, cidx, data, b = parts[kind]
            row = len(b)
            for v, c in free:
                r.append(row)
                cidx.append(index[v])
                data.append(c)
            b.append(rhs)

        def matrix(kind: str):
            from scipy.sparse import coo_matrix

            r, cidx, data, b = parts[kind]
            if not b:
                return None, None
            return coo_matrix((data, (r, cidx)), shape=(len(b), len(variables))).tocsr(), \
                np.array(b, dtype=float)

        a_eq, b_eq = matrix("eq")
        a_ub, b_ub = matrix("ub")
        bounds = [(self.linked.lower[v], None) for v in variables]
        system = (index, a_eq, b_eq, a_ub, b_ub, bounds)
        self._cache[components] = system
        return system

    def range(self, form: Form, wide: float | None = None) -> tuple[float, float]:
        """The count's feasible range; with `wide`, a range the witnesses already
        show to be at least `wide` (less the tolerance) is returned without solving."""
        if wide is not None:
            low, high = self.witnesses.span(form)
            if high - low >= wide - TOLERANCE:
                return low, high
            if self._near_widens(form, wide):
                return self.witnesses.span(form)
        return self.exact_range(form)

    def _free(self, form: Form) -> bool:
        return any(v not in self.fixed for v, _ in form.terms)

    def _near_widens(self, form: Form, wide: float) -> bool:
        """Whether the neighbourhood's extremes (kept as witnesses) show the form at
        least `wide` wide; a count of published single counts only is left to the
        exact range, which needs no programme for it."""
        if self.near is None or not self._free(form):
            return False
        return _near_widens(self.near, self.witnesses, form, self.withheld, wide)

    def determined(self, form: Form) -> bool:
        """True when the published figures fix the form's value."""
        if not np.isclose(*self.witnesses.span(form)):
            return False  # two tables that agree with everything published differ on it
        self._near_widens(form, 1.0)
        if not np.isclose(*self.witnesses.span(form)):
            return False
        return bool(np.isclose(*self.exact_range(form)))

    def exact_range(self, form: Form) -> tuple[float, float]:
        from scipy.optimize import linprog

        constant = sum(c * self.fixed[v] for v, c in form.terms if v in self.fixed)
        free = [(v, c) for v, c in form.terms if v not in self.fixed]
        if not free:
            return constant, constant
        components = frozenset(self.find(v) for v, _ in free)
        index, a_eq, b_eq, a_ub, b_ub, bounds = self._system(components)
        objective = np.zeros(len(index))
        for v, c in free:
            objective[index[v]] += c
        out = []
        for sign in (1.0, -1.0):
            res = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                          bounds=bounds, method="highs")
            if res.status == 3:  # unbounded
                out.append(-sign * np.inf)
            elif res.status != 0:
                raise ConsistencyError(f"granskningen av röjanderisken kunde inte lösas för "
                                       f"{form.key}: {res.message}")
            else:
                out.append(sign * res.fun + constant)
                self.witnesses.add_partial(index, res.x)
        return out[0], out[1]


def _matrix(forms: Sequence[Form], n: int):
    """The forms as rows of a sparse matrix over the n atomic counts."""
    from scipy.sparse import coo_matrix

    rows = [i for i, f in enumerate(forms) for _ in f.terms]
    cols = [v for f in forms for v, _ in f.terms]
    data = [c for f in forms for _, c in f.terms]
    return coo_matrix((data, (rows, cols)), shape=(len(forms), n)).tocsr()


class Witnesses:
    """Tables that agree with every published figure: the true table and the ones
    the linear programmes found. Any two of them bound a withheld count's range
    from inside. Each is kept as its deviation from the true table over the
    counts it changes, so a witness found over a few rows costs a few numbers."""

    def __init__(self, linked: Linked) -> None:
        self.values = np.array(linked.values, dtype=float)
        self.lower = np.array(linked.lower, dtype=float)
        #: Per witness: the counts it changes and by how much (None once dropped).
        self.changes: list[tuple[np.ndarray, np.ndarray] | None] = []
        #: Count -> {witness: deviation}.
        self.by_var: dict[int, dict[int, float]] = {}

    def __len__(self) -> int:
        """The witnesses kept, the true table among them."""
        return 1 + sum(c is not None for c in self.changes)

    def add_change(self, counts: Sequence[int], deviation: np.ndarray) -> None:
        counts = np.asarray(counts, dtype=int)
        deviation = np.asarray(deviation, dtype=float)
        moved = np.abs(deviation) > 1e-9
        counts, deviation = counts[moved], deviation[moved]
        if not len(counts):
            return  # the true table again
        w = len(self.changes)
        self.changes.append((counts, deviation))
        for v, d in zip(counts.tolist(), deviation.tolist(), strict=True):
            self.by_var.setdefault(v, {})[w] = d

    def add(self, table: np.ndarray) -> None:
        table = np.asarray(table, dtype=float)
        self.add_partial(dict(enumerate(range(len(table)))), table)

    def add_partial(self, index: dict[int, int], solution: np.ndarray) -> None:
        """A solution over some of the counts; every other count keeps its true value
        (over a connected part the parts share no equation, so the table agrees)."""
        counts = np.fromiter(index, dtype=int, count=len(index))
        at = np.fromiter(index.values(), dtype=int, count=len(index))
        self.add_change(counts, np.asarray(solution, dtype=float)[at] - self.values[counts])

    def tables(self) -> list[np.ndarray]:
        """Every witness as a whole table (for checks; the search never needs them)."""
        out = [self.values.copy()]
        for change in self.changes:
            if change is not None:
                table = self.values.copy()
                table[change[0]] += change[1]
                out.append(table)
        return out

    def span(self, form: Form) -> tuple[float, float]:
        base = float(sum(c * self.values[v] for v, c in form.terms))
        moved: dict[int, float] = {}
        for v, c in form.terms:
            for w, d in self.by_var.get(v, {}).items():
                moved[w] = moved.get(w, 0.0) + c * d
        if not moved:
            return base, base
        return base + min(0.0, min(moved.values())), base + max(0.0, max(moved.values()))

    def _drop(self, w: int) -> None:
        change = self.changes[w]
        if change is None:
            return
        for v in change[0].tolist():
            self.by_var[v].pop(w, None)
        self.changes[w] = None

    def keep_feasible(self, published: Sequence[Form], inequalities: Sequence[Form]) -> None:
        """Drop the tables that disagree with what is now published (a table found
        while a cell was withheld no longer counts once the cell is published);
        each is checked on the forms that hold a count it changes."""
        if not any(c is not None for c in self.changes):
            return  # the true table agrees with everything
        from scipy.sparse import csr_matrix

        alive = [w for w, c in enumerate(self.changes) if c is not None]
        n = len(self.values)
        counts = np.concatenate([self.changes[w][0] for w in alive])
        deviation = np.concatenate([self.changes[w][1] for w in alive])
        owner = np.repeat(np.arange(len(alive)), [len(self.changes[w][0]) for w in alive])
        moved = csr_matrix((deviation, (counts, owner)), shape=(n, len(alive)))  # counts × tables
        bad = np.zeros(len(alive), dtype=bool)
        np.logical_or.at(bad, owner, self.values[counts] + deviation
                         < self.lower[counts] - TOLERANCE)
        if published:
            shift = (_matrix(published, n) @ moved).tocoo()
            np.logical_or.at(bad, shift.col, np.abs(shift.data) > TOLERANCE)
        if inequalities:
            forms = _matrix(inequalities, n)
            base = forms @ self.values - np.array([f.value for f in inequalities], dtype=float)
            shift = (forms @ moved).tocoo()
            np.logical_or.at(bad, shift.col, base[shift.row] + shift.data > TOLERANCE)
        for w in np.asarray(alive)[bad].tolist():
            self._drop(w)


class _Neighbourhood:
    """Linear programmes over a few counts around a form, every other count held at
    its true value: any solution is then a table that agrees with everything
    published (or, for a cell choice, with everything but the cells it picks), so
    its extremes are witnesses and its cells do protect the count. The counts are
    the form's, those of the small figures that hold them (a row's cells, a
    programme's uptake), a window of the nearest terms of each large figure
    (a municipality's or the county's total) and the other counts of every row
    they fall in."""

    #: A figure with at most this many terms brings in all of them.
    SMALL = 40
    #: Terms taken on either side of the form's count in a larger figure.
    WINDOW = 24

    def __init__(self, linked: Linked) -> None:
        self.linked = linked
        self.values = np.array(linked.values, dtype=float)
        self.lower = np.array(linked.lower, dtype=float) - self.values
        self.order = {key: i for i, key in enumerate(linked.units)}
        self.units_of: dict[int, list[tuple]] = {}
        for key, unit in linked.units.items():
            for v in {v for f in unit.forms for v, _ in f.terms}:
                self.units_of.setdefault(v, []).append(key)
        self.inequalities_of: dict[int, list[int]] = {}
        for i, f in enumerate(linked.inequalities):
            for v, _ in f.terms:
                self.inequalities_of.setdefault(v, []).append(i)
        self.slack = [float(-sum(c * self.values[v] for v, c in f.terms) + f.value)
                      for f in linked.inequalities]
        self._position: dict[tuple, dict[int, int]] = {}
        self._coef: dict[tuple, dict[int, float]] = {}

    def counts(self, form: Form, window: int) -> list[int]:
        start = {v for v, _ in form.terms}
        near = set(start)
        for v in start:
            for key in self.units_of.get(v, ()):
                for f in self.linked.units[key].forms:
                    if len(f.terms) <= self.SMALL:
                        near.update(u for u, _ in f.terms)
                        continue
                    position = self._position.get(f.key)
                    if position is None:
                        position = self._position[f.key] = {
                            u: i for i, (u, _) in enumerate(f.terms)}
                    if v in position:
                        i = position[v]
                        near.update(u for u, _ in f.terms[max(0, i - window):i + window + 1])
        for v in list(near):
            for i in self.inequalities_of.get(v, ()):
                near.update(u for u, _ in self.linked.inequalities[i].terms)
        return sorted(near)

    def _coefficients(self, form: Form) -> dict[int, float]:
        """The form's coefficient per count (terms of one count added up)."""
        coef = self._coef.get(form.key)
        if coef is None:
            coef = {}
            for v, c in form.terms:
                coef[v] = coef.get(v, 0.0) + c
            coef = self._coef[form.key] = {v: c for v, c in coef.items() if c != 0.0}
        return coef

    def _system(self, columns: list[int], withheld: set[tuple]):
        """The published figures and inequalities over `columns`, in deviations
        from the true table: figure rows (each owned by a unit) and ≤ rows."""
        index = {v: j for j, v in enumerate(columns)}
        units = sorted({k for v in columns for k in self.units_of.get(v, ())
                        if k not in withheld}, key=self.order.__getitem__)
        # Each figure's terms over the columns, found from the columns' side: a
        # county's total has a term for every row, the neighbourhood a few dozen.
        coefs: dict[tuple, dict[int, float]] = {}
        for v, j in index.items():
            for key in self.units_of.get(v, ()):
                if key in withheld:
                    continue
                for f in self.linked.units[key].forms:
                    c = self._coefficients(f).get(v)
                    if c:
                        coefs.setdefault(f.key, {})[j] = c
        rows: list[tuple[int, dict[int, float]]] = []  # (unit number, coefficients)
        for u, key in enumerate(units):
            for f in self.linked.units[key].forms:
                coef = coefs.get(f.key)
                if coef:
                    rows.append((u, coef))
        g_ids = sorted({i for v in columns for i in self.inequalities_of.get(v, ())})
        g_rows = []
        for i in g_ids:
            coef = {}
            for v, c in self.linked.inequalities[i].terms:
                if v in index:
                    coef[index[v]] = coef.get(index[v], 0.0) + c
            g_rows.append(coef)
        g_rhs = np.array([self.slack[i] for i in g_ids], dtype=float)
        return index, units, rows, g_rows, g_rhs

    @staticmethod
    def _sparse(rows: Sequence[dict[int, float]], width: int):
        from scipy.sparse import csr_matrix

        r = [i for i, coef in enumerate(rows) for _ in coef]
        c = [j for coef in rows for j in coef]
        d = [x for coef in rows for x in coef.values()]
        return csr_matrix((d, (r, c)), shape=(len(rows), width))

    def extreme(self, form: Form, withheld: set[tuple], sign: float,
                window: int | None = None) -> tuple[list[int], np.ndarray] | None:
        """The table (as changed counts and deviations) that moves the form furthest
        up (sign 1) or down (sign −1) over the neighbourhood; None when the
        programme does not end in an optimum (unbounded: left to the exact range)."""
        from scipy.optimize import linprog

        columns = self.counts(form, self.WINDOW if window is None else window)
        index, _units, rows, g_rows, g_rhs = self._system(columns, withheld)
        n = len(columns)
        objective = np.zeros(n)
        for v, c in form.terms:
            objective[index[v]] -= sign * c
        a_eq = self._sparse([coef for _, coef in rows], n) if rows else None
        a_ub = self._sparse(g_rows, n) if g_rows else None
        res = linprog(objective, A_ub=a_ub, b_ub=g_rhs if g_rows else None, A_eq=a_eq,
                      b_eq=np.zeros(len(rows)) if rows else None,
                      bounds=list(zip(self.lower[columns], [None] * n, strict=True)),
                      method="highs")
        if res.status != 0:
            return None
        return columns, res.x

    def choose(self, form: Form, withheld: set[tuple], move: float,
               window: int | None = None) -> tuple[set[tuple], list[int], np.ndarray] | None:
        """The cheapest cells to withhold (by cell cost) so that a table agreeing
        with every other published figure moves the form by `move`, over the
        neighbourhood: the cells, and that table's changed counts and deviations.
        None when no such table exists over the neighbourhood."""
        from scipy.optimize import linprog
        columns = self.counts(form, self.WINDOW if window is None else window)
        index, units, rows, g_rows, g_rhs = self._system(columns, withheld)
        n, m = len(columns), len(units)
        signed = []  # each figure twice, + and −, as the whole-part programme has them
        for u, coef in rows:
            for sign in (1.0, -1.0):
                signed.append({**{j: sign * c for j, c in coef.items()}, n + u: -1.0})
        signed += g_rows
        a_ub = self._sparse(signed, n + m)
        b_ub = np.concatenate([np.zeros(2 * len(rows)), g_rhs])
        a_eq = np.zeros((1, n + m))
        for v, c in form.terms:
            a_eq[0, index[v]] += c
        costs = np.array([self.linked.units[k].cost for k in units], dtype=float)
        objective = np.concatenate([np.full(n, 1e-6), costs])
        bounds = list(zip(self.lower[columns], [None] * n, strict=True)) + [(0, None)] * m
        res = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.array([move]),
                      bounds=bounds, method="highs")
        if res.status != 0:
            return None
        chosen = {units[j] for j, s in enumerate(res.x[n:]) if s > TOLERANCE}
        return chosen, columns, res.x[:n]


def _near_widens(near: _Neighbourhood, witnesses: Witnesses, form: Form,
                 withheld: set[tuple], wide: float) -> bool:
    """Whether the neighbourhood's extremes, kept as witnesses, show the form at least
    `wide` wide: up first, down only when up was not enough."""
    for sign in (1.0, -1.0):
        found = near.extreme(form, withheld, sign)
        if found is not None:
            witnesses.add_change(*found)
        low, high = witnesses.span(form)
        if high - low >= wide - TOLERANCE:
            return True
    return False


def audit(linked: Linked, withheld: set[tuple], threshold: int,
          touching: set[tuple] | None = None,
          witnesses: Witnesses | None = None) -> AuditResult:
    """Each sensitive count's feasible range from the published figures alone.

    With `touching` (unit keys), only the counts linked to those units are
    solved: the rest were audited before and nothing new reaches them.
    `witnesses` are tables found before (by `protect`); those that disagree with
    what `withheld` publishes are dropped first."""
    reduced = _Reduced(linked, withheld, witnesses, near=_Neighbourhood(linked))
    near = None
    if touching is not None:
        near = {reduced.find(v) for key in touching for f in linked.units[key].forms
                for v, _ in f.terms if v not in reduced.fixed}
    ranges = []
    for form, label in linked.sensitive(threshold):
        if near is not None and not any(reduced.find(v) in near for v, _ in form.terms
                                        if v not in reduced.fixed):
            continue
        low, high = reduced.range(form, wide=threshold)
        ranges.append(Range(form.key, label, form.value, low, high))
    determined = []
    for key in (withheld if touching is None else withheld & touching):
        if all(reduced.determined(f) for f in linked.units[key].forms):
            determined.append(key)
    return AuditResult(threshold, ranges, determined)


# ------------------------------------------------------------------ cell choice


class _CellChoice:
    """The cell-choice programme of one linked system, built once: each call
    selects the published units' rows and solves over the connected part of the
    table (counts linked by a published figure or an inequality) that holds the
    count to protect, which is the whole programme where everything is linked.
    Counts outside that part cannot help: moving one changes no figure the
    programme may move for free, and each figure moved costs its cell's price."""

    def __init__(self, linked: Linked) -> None:
        from scipy.sparse import coo_matrix

        self.linked = linked
        self.n = n = len(linked.values)
        self.keys = list(linked.units)
        self.values = np.array(linked.values, dtype=float)
        rows, cols, data, owner = [], [], [], []
        for j, key in enumerate(self.keys):
            for f in linked.units[key].forms:
                for sign in (1.0, -1.0):
                    row = len(owner)
                    for v, c in f.terms:
                        rows.append(row)
                        cols.append(v)
                        data.append(sign * c)
                    owner.append(j)
        self.owner = np.array(owner, dtype=int)
        self.forms = coo_matrix((data, (rows, cols)), shape=(len(owner), n)).tocsr()
        self.inequalities = _matrix(linked.inequalities, n)
        self.g_rhs = -(self.inequalities @ self.values)
        self.costs = np.array([linked.units[k].cost for k in self.keys], dtype=float)
        self.lower = np.array(linked.lower, dtype=float) - self.values

    def part(self, published: np.ndarray, start: Sequence[int]) -> np.ndarray:
        """The counts linked to `start` through published figures and inequalities."""
        from scipy.sparse import bmat, csr_matrix
        from scipy.sparse.csgraph import connected_components

        links = bmat([[self.forms[published[self.owner]]], [self.inequalities]]).tocsr()
        links.data[:] = 1.0
        graph = csr_matrix(bmat([[None, links.T], [links, None]]))  # counts and figures
        _, labels = connected_components(graph, directed=False)
        return np.isin(labels[:self.n], labels[list(start)])

    def solve(self, withheld: set[tuple], form: Form, move: float
              ) -> tuple[set[tuple], np.ndarray]:
        from scipy.optimize import linprog
        from scipy.sparse import coo_matrix, hstack

        published = np.array([k not in withheld for k in self.keys])
        inside = self.part(published, [v for v, _ in form.terms])
        columns = np.flatnonzero(inside)
        form_rows = np.flatnonzero(published[self.owner])
        forms = self.forms[form_rows][:, columns]
        touching = np.diff(forms.indptr) > 0
        units = np.unique(self.owner[form_rows[touching]])  # in the units' order
        form_rows = form_rows[np.isin(self.owner[form_rows], units)]
        forms = self.forms[form_rows][:, columns]
        slack_of = {j: i for i, j in enumerate(units)}
        slack = coo_matrix((np.full(len(form_rows), -1.0),
                            (np.arange(len(form_rows)),
                             [slack_of[j] for j in self.owner[form_rows]])),
                           shape=(len(form_rows), len(units)))
        inequalities = self.inequalities[:, columns]
        g_rows = np.flatnonzero(np.diff(inequalities.indptr) > 0)
        a_ub = hstack([forms, slack]).tocsr()
        a_ub = _stack_rows(a_ub, inequalities[g_rows], len(units))
        b_ub = np.concatenate([np.zeros(len(form_rows)), self.g_rhs[g_rows]])
        index = {v: i for i, v in enumerate(columns)}
        a_eq = coo_matrix(([c for _, c in form.terms],
                           ([0] * len(form.terms), [index[v] for v, _ in form.terms])),
                          shape=(1, len(columns) + len(units))).tocsr()
        objective = np.concatenate([np.full(len(columns), 1e-6), self.costs[units]])
        bounds = [(low, None) for low in self.lower[columns]] + [(0, None)] * len(units)
        res = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.array([move]),
                      bounds=bounds, method="highs")
        if res.status != 0:
            raise ConsistencyError(f"inget skydd hittades för {form.key}: {res.message}")
        chosen = {self.keys[j] for j, s in zip(units, res.x[len(columns):], strict=True)
                  if s > TOLERANCE}
        table = self.values.copy()
        table[columns] += res.x[:len(columns)]
        return chosen, table


def _stack_rows(top, bottom, extra_columns: int):
    """`top` over `bottom` widened by `extra_columns` empty columns."""
    from scipy.sparse import csr_matrix, vstack

    wide = csr_matrix((bottom.data, bottom.indices, bottom.indptr),
                      shape=(bottom.shape[0], bottom.shape[1] + extra_columns))
    return vstack([top, wide]).tocsr()


def _deviation(linked: Linked, withheld: set[tuple], form: Form, move: float,
               choice: _CellChoice | None = None) -> tuple[set[tuple], np.ndarray]:
    """Units to withhold so that another table, agreeing with every other published
    figure, moves `form` by `move`: the cheapest such table by cell cost; and
    that table (which agrees with everything published once they are withheld)."""
    return (choice or _CellChoice(linked)).solve(withheld, form, move)


def _block_system(linked: Linked, sensitive: Sequence[Form]):
    """The linked system as `evaluation.analysis.blocks` matrices. A block holds
    whole rows: their inequalities, what they imply and their sensitive sums (a
    figure over far-apart counts is left to the per-form loop)."""
    from evaluation.analysis.blocks import BlockSystem

    n = len(linked.values)
    keys = list(linked.units)
    forms = [f for k in keys for f in linked.units[k].forms]
    owner = np.repeat(np.arange(len(keys)), [len(linked.units[k].forms) for k in keys])
    values = np.array(linked.values, dtype=float)
    inequalities = _matrix(linked.inequalities, n)
    slack = np.array([f.value for f in linked.inequalities], dtype=float) \
        - inequalities @ values
    spans = [(min(v for v, _ in f.terms), max(v for v, _ in f.terms))
             for f in [*linked.inequalities, *(f for f, _ in linked.implied), *sensitive]
             if f.terms]
    spans = [(a, b) for a, b in spans if b - a <= _Neighbourhood.SMALL]
    return BlockSystem(_matrix(forms, n), owner,
                       np.array([linked.units[k].cost for k in keys], dtype=float),
                       inequalities, slack, np.array(linked.lower) - values, spans)


def _blockwise(linked: Linked, withheld: dict[tuple, str], sensitive: Sequence[Form],
               threshold: int, witnesses: Witnesses, unit_of: dict[tuple, tuple],
               singles: dict[int, list[tuple]]) -> None:
    """Witnesses and cells for a large system's sensitive forms, a block of
    neighbouring counts at a time (`evaluation.analysis.blocks`): first tables
    that pull the forms apart, then one cell choice per block for the forms they
    leave too narrow. What a block cannot settle is left to the per-form loop."""
    from evaluation.analysis.blocks import CHOOSE_SIZE, WIDEN_SIZE

    n = len(linked.values)
    keys = list(linked.units)
    system = _block_system(linked, sensitive)
    sensitive = [f for f in sensitive if f.terms]
    targets = _matrix(sensitive, n)
    first = np.array([min(v for v, _ in f.terms) for f in sensitive], dtype=int)
    last = np.array([max(v for v, _ in f.terms) for f in sensitive], dtype=int)

    def narrow(ids: np.ndarray) -> np.ndarray:
        spans = [witnesses.span(sensitive[i]) for i in ids]
        return np.array([i for i, (low, high) in zip(ids, spans, strict=True)
                         if high - low < threshold - TOLERANCE], dtype=int)

    def published() -> np.ndarray:
        return np.array([k not in withheld for k in keys])

    def loose(i: int) -> bool:
        """Whether a count of the form is withheld alone (its table may move it)."""
        return any(all(k in withheld for k in singles.get(v, ())) for v, _ in
                   sensitive[i].terms)

    for first_count, last_count in system.blocks(WIDEN_SIZE):
        if last_count - first_count > 4 * WIDEN_SIZE:
            continue
        inside = np.flatnonzero((first >= first_count) & (last < last_count))
        for _ in range(8):
            need = narrow(np.array([i for i in inside if loose(i)], dtype=int))
            if not len(need):
                break
            found = system.widen((first_count, last_count), published(),
                                 targets[need][:, first_count:last_count], threshold)
            if found is None:
                break
            for table in found:
                witnesses.add_change(np.arange(first_count, last_count), table)
            if len(narrow(need)) > 0.95 * len(need):
                break  # the next round would add little
    for first_count, last_count in system.blocks(CHOOSE_SIZE):
        if last_count - first_count > 4 * CHOOSE_SIZE:
            continue
        need = narrow(np.flatnonzero((first >= first_count) & (last < last_count)))
        chooser = system.chooser((first_count, last_count), published(),
                                 targets[need][:, first_count:last_count]) \
            if len(need) else None
        if chooser is None:
            continue
        for number, i in enumerate(need.tolist()):
            form = sensitive[i]
            low, high = witnesses.span(form)
            if high - low >= threshold - TOLERANCE:
                continue
            kind = SECONDARY if loose(i) or unit_of.get(form.key) in withheld else PRIMARY
            found = chooser.solve(number, low + threshold - form.value)
            if found is None:
                continue
            units, table = found
            for unit in units.tolist():
                withheld.setdefault(keys[unit], kind)
            witnesses.add_change(np.arange(first_count, last_count), table)


@dataclass
class Protection:
    """Which cells a round withholds, and why."""

    withheld: dict[tuple, str]
    audit: AuditResult
    #: The tables the audit was proved with (they agree with every published figure).
    witnesses: Witnesses | None = None

    @property
    def primary(self) -> int:
        return sum(v == PRIMARY for v in self.withheld.values())

    @property
    def secondary(self) -> int:
        return sum(v == SECONDARY for v in self.withheld.values())


def protect(linked: Linked, threshold: int, secondary: bool = True,
            fixed: dict[tuple, str] | None = None) -> Protection:
    """Primary cells, then (unless `secondary` is False, for testing the audit)
    the cheapest complementary cells, then release of withheld cells that protect
    nothing (their value follows from what is published anyway)."""
    withheld: dict[tuple, str] = dict(fixed or {})
    if threshold <= 0:
        return Protection(withheld, AuditResult(threshold, []))
    sensitive = linked.sensitive(threshold)
    for key, unit in linked.units.items():
        if any(1 <= f.value < threshold for f in unit.forms):
            withheld.setdefault(key, PRIMARY)
    # Withholding more only widens every range, so a table found on the way still
    # agrees with what is published at the end, until a cell is released.
    witnesses = Witnesses(linked)
    if secondary:
        near = _Neighbourhood(linked)
        # A small system is cheap to solve whole, and the whole part's choice can be
        # cheaper than any neighbourhood's.
        whole = len(linked.values) <= WHOLE
        choice: _CellChoice | None = None
        reduced: _Reduced | None = None
        singles: dict[int, list[tuple]] = {}  # count -> units publishing it alone
        unit_of: dict[tuple, tuple] = {}  # form -> its unit
        for key, unit in linked.units.items():
            for f in unit.forms:
                unit_of[f.key] = key
                if len(f.terms) == 1 and f.terms[0][1] == 1.0:
                    singles.setdefault(f.terms[0][0], []).append(key)
        if not whole:
            _blockwise(linked, withheld, [f for f, _ in sensitive], threshold, witnesses,
                       unit_of, singles)
        for form, _label in sensitive:
            low, high = witnesses.span(form)
            if high - low >= threshold - TOLERANCE:
                continue
            if any(all(k in withheld for k in singles.get(v, ())) for v, _ in form.terms):
                if _near_widens(near, witnesses, form, set(withheld), threshold):
                    continue
                if whole:
                    if reduced is None:
                        reduced = _Reduced(linked, set(withheld), witnesses, recheck=False)
                    low, high = reduced.exact_range(form)
                    if high - low >= threshold - TOLERANCE:
                        continue
                    exact = True
                else:
                    # The neighbourhood's range lies inside the exact one: moving the
                    # form from its low end by `threshold` protects it either way,
                    # and the final audit is exact.
                    low, high = witnesses.span(form)
                    exact = False
            else:  # every count in it is published: the form is known exactly
                low = high = float(form.value)
                exact = True
            kind = PRIMARY if exact and np.isclose(low, high) \
                and unit_of.get(form.key) not in withheld else SECONDARY
            move = low + threshold - form.value
            found = None if whole else near.choose(form, set(withheld), move)
            if found is None:  # nothing over the neighbourhood: the whole part
                choice = choice or _CellChoice(linked)
                keys, table = choice.solve(set(withheld), form, move)
                witnesses.add(table)
            else:
                keys, columns, deviation = found
                witnesses.add_change(columns, deviation)
            for key in keys:
                withheld.setdefault(key, kind)
            reduced = None
    result = audit(linked, set(withheld), threshold, witnesses=witnesses)
    released = [k for k in result.determined if withheld.get(k) == SECONDARY]
    for key in released:
        del withheld[key]
    if released:
        result = audit(linked, set(withheld), threshold, witnesses=witnesses)
    return Protection(withheld, result, witnesses)
