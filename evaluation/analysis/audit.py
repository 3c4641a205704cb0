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
round fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

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

    def __init__(self, linked: Linked, withheld: set[tuple]) -> None:
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

    def range(self, form: Form) -> tuple[float, float]:
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
                raise RuntimeError(f"audit LP failed for {form.key}: {res.message}")
            else:
                out.append(sign * res.fun + constant)
        return out[0], out[1]


def audit(linked: Linked, withheld: set[tuple], threshold: int,
          touching: set[tuple] | None = None) -> AuditResult:
    """Each sensitive count's feasible range from the published figures alone.

    With `touching` (unit keys), only the counts linked to those units are
    solved: the rest were audited before and nothing new reaches them."""
    reduced = _Reduced(linked, withheld)
    near = None
    if touching is not None:
        near = {reduced.find(v) for key in touching for f in linked.units[key].forms
                for v, _ in f.terms if v not in reduced.fixed}
    ranges = []
    for form, label in linked.sensitive(threshold):
        if near is not None and not any(reduced.find(v) in near for v, _ in form.terms
                                        if v not in reduced.fixed):
            continue
        low, high = reduced.range(form)
        ranges.append(Range(form.key, label, form.value, low, high))
    determined = []
    for key in (withheld if touching is None else withheld & touching):
        forms = linked.units[key].forms
        if all(np.isclose(*reduced.range(f)) for f in forms):
            determined.append(key)
    return AuditResult(threshold, ranges, determined)


# ------------------------------------------------------------------ cell choice


def _deviation(linked: Linked, withheld: set[tuple], form: Form, move: float
               ) -> set[tuple]:
    """Units to withhold so that another table, agreeing with every other published
    figure, moves `form` by `move`: the cheapest such table by cell cost."""
    n = len(linked.values)
    published = [u for k, u in linked.units.items() if k not in withheld]
    m = len(published)
    rows, cols, data, b_ub = [], [], [], []
    row = 0
    for j, unit in enumerate(published):
        for f in unit.forms:
            for sign in (1.0, -1.0):
                for v, c in f.terms:
                    rows.append(row)
                    cols.append(v)
                    data.append(sign * c)
                rows.append(row)
                cols.append(n + j)
                data.append(-1.0)
                b_ub.append(0.0)
                row += 1
    values = np.array(linked.values, dtype=float)
    for f in linked.inequalities:  # G (x + δ) ≤ 0
        for v, c in f.terms:
            rows.append(row)
            cols.append(v)
            data.append(c)
        b_ub.append(-sum(c * values[v] for v, c in f.terms))
        row += 1
    a_ub = coo_matrix((data, (rows, cols)), shape=(row, n + m)).tocsr()
    a_eq = coo_matrix(([c for _, c in form.terms], ([0] * len(form.terms),
                                                    [v for v, _ in form.terms])),
                      shape=(1, n + m)).tocsr()
    objective = np.concatenate([np.full(n, 1e-6), [u.cost for u in published]])
    bounds = [(linked.lower[v] - values[v], None) for v in range(n)] + [(0, None)] * m
    res = linprog(objective, A_ub=a_ub, b_ub=np.array(b_ub), A_eq=a_eq,
                  b_eq=np.array([move]), bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"no protecting table for {form.key}: {res.message}")
    slack = res.x[n:]
    return {published[j].key for j in range(m) if slack[j] > TOLERANCE}


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
    if secondary:
        reduced = _Reduced(linked, set(withheld))
        for form, _label in sensitive:
            low, high = reduced.range(form)
            if high - low >= threshold - TOLERANCE:
                continue
            kind = PRIMARY if np.isclose(low, high) and not any(
                form in u.forms for k, u in linked.units.items() if k in withheld) \
                else SECONDARY
            for key in _deviation(linked, set(withheld), form, low + threshold - form.value):
                withheld.setdefault(key, kind)
            reduced = _Reduced(linked, set(withheld))
    result = audit(linked, set(withheld), threshold)
    released = [k for k in result.determined if withheld.get(k) == SECONDARY]
    for key in released:
        del withheld[key]
    if released:
        result = audit(linked, set(withheld), threshold)
    return Protection(withheld, result)
