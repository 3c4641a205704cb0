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
range at least that wide. Only a count the witnesses cannot tell apart is
solved exactly, so every decision (protected or not, which cells, which to
release) is the one exact ranges give; a protected count's recorded range is
then the part of it the witnesses reach.

scipy is imported where a programme is solved, not with the module: the report
kernels import this module through the stored round and never solve one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from evaluation.errors import ConsistencyError

TOLERANCE = 1e-6
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
                 witnesses: Witnesses | None = None, recheck: bool = True) -> None:
        n = len(linked.values)
        self.linked = linked
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
        return self.exact_range(form)

    def determined(self, form: Form) -> bool:
        """True when the published figures fix the form's value."""
        if not np.isclose(*self.witnesses.span(form)):
            return False  # two tables that agree with everything published differ on it
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
    """Tables (one value per atomic count) that agree with every published figure:
    the true table and the ones the linear programmes found. Any two of them
    bound a withheld count's range from inside."""

    def __init__(self, linked: Linked) -> None:
        self.values = np.array(linked.values, dtype=float)
        self.lower = np.array(linked.lower, dtype=float)
        self.tables: list[np.ndarray] = [self.values.copy()]
        self._stacked: np.ndarray | None = None

    def add(self, table: np.ndarray) -> None:
        self.tables.append(np.asarray(table, dtype=float))
        self._stacked = None

    def add_partial(self, index: dict[int, int], solution: np.ndarray) -> None:
        """A solution over one connected part; every other count keeps its true value
        (the parts share no equation, so the whole table still agrees)."""
        table = self.values.copy()
        table[list(index)] = solution
        self.add(table)

    def matrix(self) -> np.ndarray:
        if self._stacked is None:
            self._stacked = np.vstack(self.tables)
        return self._stacked

    def span(self, form: Form) -> tuple[float, float]:
        if not form.terms:
            return float(form.value), float(form.value)
        columns = [v for v, _ in form.terms]
        at = self.matrix()[:, columns] @ np.array([c for _, c in form.terms])
        return float(at.min()), float(at.max())

    def keep_feasible(self, published: Sequence[Form], inequalities: Sequence[Form]) -> None:
        """Drop the tables that disagree with what is now published (a table found
        while a cell was withheld no longer counts once the cell is published)."""
        if len(self.tables) == 1:
            return  # the true table agrees with everything
        tables = self.matrix()
        ok = (tables >= self.lower - TOLERANCE).all(axis=1)
        for forms, equal in ((published, True), (inequalities, False)):
            if not forms:
                continue
            at = _matrix(forms, len(self.values)) @ tables.T  # forms × tables
            value = np.array([f.value for f in forms], dtype=float)[:, None]
            ok &= ((np.abs(at - value) if equal else at - value) <= TOLERANCE).all(axis=0)
        if not ok.all():
            self.tables = [t for t, keep in zip(self.tables, ok, strict=True) if keep]
            self._stacked = None


def audit(linked: Linked, withheld: set[tuple], threshold: int,
          touching: set[tuple] | None = None,
          witnesses: Witnesses | None = None) -> AuditResult:
    """Each sensitive count's feasible range from the published figures alone.

    With `touching` (unit keys), only the counts linked to those units are
    solved: the rest were audited before and nothing new reaches them.
    `witnesses` are tables found before (by `protect`); those that disagree with
    what `withheld` publishes are dropped first."""
    reduced = _Reduced(linked, withheld, witnesses)
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


@dataclass
class Protection:
    """Which cells a round withholds, and why."""

    withheld: dict[tuple, str]
    audit: AuditResult

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
        choice = _CellChoice(linked)
        reduced = _Reduced(linked, set(withheld), witnesses)
        for form, _label in sensitive:
            low, high = reduced.range(form, wide=threshold)
            if high - low >= threshold - TOLERANCE:
                continue
            kind = PRIMARY if np.isclose(low, high) and not any(
                form in u.forms for k, u in linked.units.items() if k in withheld) \
                else SECONDARY
            keys, table = _deviation(linked, set(withheld), form,
                                     low + threshold - form.value, choice)
            for key in keys:
                withheld.setdefault(key, kind)
            witnesses.add(table)
            reduced = _Reduced(linked, set(withheld), witnesses, recheck=False)
    result = audit(linked, set(withheld), threshold, witnesses=witnesses)
    released = [k for k in result.determined if withheld.get(k) == SECONDARY]
    for key in released:
        del withheld[key]
    if released:
        result = audit(linked, set(withheld), threshold, witnesses=witnesses)
    return Protection(withheld, result)
