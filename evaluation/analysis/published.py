"""The published tables of a round: one set of linked tables, protected once.

Every figure a page, chart, map, download or notebook shows comes from these
tables (DESIGN §5):

- **programme rows**: municipality × programme × sector, with participants,
  completed, women and men;
- **municipality and county totals**, which are the numerators and
  denominators of 1.4 (participants), 1.5 (men; women + men) and 1.6
  (completed; participants with a known completion);
- **uptake**: the county's participants per programme and per evidence class;
- for a national run, **country totals** of the same.

They are linked: each total is the sum of its parts. Primary protection
withholds every count from 1 to threshold − 1 and every count publication
implies (started − completed, started − women − men); secondary protection and
the audit are `evaluation.analysis.audit`'s linear programmes over all of them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from evaluation.analysis.audit import Form, Linked, Protection
from evaluation.errors import ConsistencyError
from evaluation.indicators.context import COUNTY, MUNICIPALITY, RoundContext
from evaluation.indicators.patterns import ProgrammeCounts
from evaluation.indicators.registry import parent_based

COUNT_COLUMNS = ("participants", "completed", "participants_women", "participants_men")
COUNT_LABELS = {"participants": "deltagare", "completed": "fullföljt",
                "participants_women": "kvinnor", "participants_men": "män"}
#: Counts a programme row publishes. Women and men are published in the
#: municipality's and the county's totals (1.5) only: per row they are mostly
#: small (fathers are few in most groups), and withholding them there, with the
#: cells that would then have to go with them, loses more than it shows.
ROW_PUBLISHED = ("participants", "completed")
#: What withholding a cell loses: programme rows before a municipality's totals,
#: those before uptake, the county's and the country's totals last.
COSTS = {"row": 1.0, "municipality": 6.0, "uptake": 10.0, "class": 15.0, "county": 40.0,
         "country": 200.0}
WITHHELD_COLUMNS = ("numerator", "denominator", "value", "ci_low", "ci_high", "status")


@dataclass
class PublishedRound:
    """A round's published survey tables: answers without counts of parents as they
    were given, programme rows with their counts after disclosure control."""

    year: int
    region: str
    answered: list[str]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def row_key(region: str, year: int, row: int, column: str) -> tuple:
    return ("row", region, year, row, column)


def indicator_key(region: str, year: int, area: str, indicator: str) -> tuple:
    return ("ind", region, year, area, indicator)


def uptake_key(region: str, year: int, programme: str) -> tuple:
    return ("uptake", region, year, programme)


def class_key(region: str, year: int, evidence_class: str) -> tuple:
    return ("class", region, year, evidence_class)


@dataclass
class RoundLinks:
    """One round's linked tables and where their figures sit."""

    linked: Linked
    #: Indicator key -> its forms (numerator, denominator).
    indicator_forms: dict[tuple, list[Form]]


def _sum(forms: list[Form], key: tuple, parts: bool = True) -> Form:
    terms: dict[int, float] = {}
    for f in forms:
        for v, c in f.terms:
            terms[v] = terms.get(v, 0.0) + c
    return Form(key, tuple(terms.items()), sum(f.value for f in forms),
                tuple(f.key for f in forms) if parts else ())


#: How a message names the part of an indicator that does not reconcile.
_PART = {"numerator": "täljaren", "denominator": "nämnaren"}


def _check(form: Form, expected: object, what: str) -> None:
    if pd.isna(expected) or int(expected) != form.value:
        raise ConsistencyError(f"de publicerade tabellerna stämmer inte med indikatorerna: "
                               f"{what} är {form.value}, indikatortabellen har {expected}")


def link_round(ctx: RoundContext, tidy: pd.DataFrame, programmes: pd.DataFrame,
               by_class: pd.DataFrame) -> RoundLinks:
    """The linked tables of one county round, from its programme rows; every total is
    checked against the indicator and uptake tables it must equal."""
    linked = Linked()
    region, year = ctx.region, ctx.year
    prog = ctx.program
    names = ctx.municipalities
    var: dict[tuple[int, str], int] = {}
    cells: dict[tuple[int, str], Form] = {}
    offered = prog.loc[prog["offered"]]
    singles = offered.groupby(["municipality", "programme"]).size().to_dict()
    for i, r in enumerate(prog.to_dict("records")):
        where = f"{r['programme_name']} ({r['sector']}), {names[r['municipality']]} {year}"
        groups = r.get("groups")
        for col in COUNT_COLUMNS:
            value = r[col]
            if pd.isna(value):
                continue
            shown = col == "participants" and r["offered"] and (pd.isna(groups) or groups == 0) \
                and singles.get((r["municipality"], r["programme"])) == 1
            index = linked.var(int(value), 1.0 if shown else 0.0)
            var[(i, col)] = index
            key = row_key(region, year, i, col)
            cells[(i, col)] = Form(key, ((index, 1.0),), int(value))
            label = f"{COUNT_LABELS[col]}, {where}"
            if col in ROW_PUBLISHED:
                linked.add(key, [cells[(i, col)]], COSTS["row"], label)
            else:  # coarsened: counted in the totals, never published per row
                linked.implied.append((cells[(i, col)], label))
        p = var.get((i, "participants"))
        c = var.get((i, "completed"))
        if p is not None and c is not None:
            linked.inequalities.append(Form(("le", i, "completed"), ((c, 1.0), (p, -1.0)), 0))
            linked.implied.append((Form(("implied", region, year, i, "not_completed"),
                                        ((p, 1.0), (c, -1.0)),
                                        int(r["participants"]) - int(r["completed"])),
                                   f"påbörjat men inte fullföljt, {where}"))
        sexes = [(var[(i, s)], int(r[s])) for s in ("participants_women", "participants_men")
                 if (i, s) in var]
        if p is not None and sexes:
            linked.inequalities.append(Form(("le", i, "sexes"),
                                            (*((v, 1.0) for v, _ in sexes), (p, -1.0)), 0))
            linked.implied.append((Form(("implied", region, year, i, "other_sex"),
                                        ((p, 1.0), *((v, -1.0) for v, _ in sexes)),
                                        int(r["participants"]) - sum(n for _, n in sexes)),
                                   f"deltagare utan uppgift om kön, {where}"))

    rows_of: dict[str, list[int]] = {}
    for i, code in enumerate(prog["municipality"]):
        rows_of.setdefault(code, []).append(i)
    tidy = tidy.set_index(["area_code", "indicator"])
    forms: dict[tuple, list[Form]] = {}

    def muni_forms(code: str, counts: ProgrammeCounts) -> list[list[Form]]:
        """The programme-row cells a municipality's numerator and denominator sum:
        only rows where every count the indicator needs is known."""
        rows = [i for i in rows_of.get(code, [])
                if all((i, c) in cells for c in counts.columns)]
        return [[cells[(i, c)] for i in rows for c in columns]
                for columns in (counts.numerator, counts.denominator) if columns]

    for ind in parent_based():
        indicator, counts = ind.id, ind.programme_counts
        county_parts: list[list[Form]] = [[], []]
        for code in names:
            if (code, indicator) not in tidy.index:
                continue
            row = tidy.loc[(code, indicator)]
            if pd.isna(row["numerator"]):
                continue
            key = indicator_key(region, year, code, indicator)
            made = []
            for j, (parts, column) in enumerate(zip(muni_forms(code, counts),
                                                    ("numerator", "denominator"),
                                                    strict=False)):
                form = _sum(parts, (*key, column))
                _check(form, row[column], f"{_PART[column]} för {indicator} i {names[code]}")
                county_parts[j].append(form)
                if form.terms:
                    made.append(form)
            if made:
                forms[key] = made
                linked.add(key, made, COSTS["municipality"],
                           f"{indicator} för {names[code]} {year}")
        if (region, indicator) in tidy.index and not pd.isna(
                tidy.loc[(region, indicator), "numerator"]):
            key = indicator_key(region, year, region, indicator)
            made = []
            for parts, column in zip(county_parts, ("numerator", "denominator"), strict=False):
                if column == "denominator" and not counts.denominator:
                    continue  # children, not parents
                form = _sum(parts, (*key, column))
                _check(form, tidy.loc[(region, indicator), column],
                       f"{_PART[column]} för {indicator} i {ctx.county_name}")
                if form.terms:
                    made.append(form)
            if made:
                forms[key] = made
                linked.add(key, made, COSTS["county"], f"{indicator} för {ctx.county_name} {year}")

    offered_rows = [i for i, on in enumerate(prog["offered"]) if on]
    rows_by: dict[str, dict[object, list[int]]] = {}  # column -> value -> offered rows
    for column in ("programme", "evidence_class"):
        grouped = rows_by[column] = {}
        values = prog[column].tolist()
        for i in offered_rows:
            if not pd.isna(values[i]):  # a missing value matches no published total
                grouped.setdefault(values[i], []).append(i)

    def link_participants(column: str, row: dict, key: str, cost: float, label: str) -> None:
        """Link a published participant total as the sum of its offered rows' cells."""
        parts = [cells[(i, "participants")] for i in rows_by[column].get(row[column], ())
                 if (i, "participants") in cells]
        if parts:
            form = _sum(parts, key)
            _check(form, row["participants"], label)
            linked.add(key, [form], cost, label)

    for r in programmes.to_dict("records"):
        link_participants("programme", r, uptake_key(region, year, r["programme"]),
                          COSTS["uptake"],
                          f"deltagare i {r['name']}, {ctx.county_name} {year}")
    for r in by_class.to_dict("records"):
        link_participants("evidence_class", r, class_key(region, year, r["evidence_class"]),
                          COSTS["class"],
                          f"deltagare i evidensklass {r['evidence_class']}, "
                          f"{ctx.county_name} {year}")
    return RoundLinks(linked, forms)


# ------------------------------------------------------------------ applying


def published_program(ctx: RoundContext, withheld: dict[tuple, str]) -> pd.DataFrame:
    """The programme rows as published: a withheld count is empty, its flag true;
    women and men are not published per row."""
    frame = ctx.program.drop(columns=[c for c in COUNT_COLUMNS if c not in ROW_PUBLISHED])
    for col in ROW_PUBLISHED:
        flags = [row_key(ctx.region, ctx.year, i, col) in withheld for i in range(len(frame))]
        frame[f"{col}_withheld"] = pd.Series(flags, index=frame.index, dtype=bool)
        frame[col] = frame[col].astype("Int64").mask(frame[f"{col}_withheld"])
    return frame


def published_round(ctx: RoundContext, withheld: dict[tuple, str]) -> PublishedRound:
    """The survey tables a report may show for one round."""
    return PublishedRound(
        year=ctx.year, region=ctx.region, answered=list(ctx.answered),
        tables={
            "kommun": ctx.kommun.reset_index(),
            "familjecentraler": ctx.familjecentraler.copy(),
            "vardenheter": ctx.vardenheter.copy(),
            "program": published_program(ctx, withheld),
        },
    )


def withhold_indicators(table: pd.DataFrame, withheld: dict[tuple, str],
                        region: str) -> pd.DataFrame:
    """The tidy indicator table with the withheld rows emptied and flagged."""
    out = table.copy()
    flags = pd.Series(
        [indicator_key(region, int(y), str(a), str(i)) in withheld
         for y, a, i in zip(out["round"], out["area_code"], out["indicator"], strict=True)],
        index=out.index, dtype=bool)
    for col in WITHHELD_COLUMNS:
        if col in out:
            out[col] = out[col].mask(flags)
    out["suppressed"] = out["suppressed"].astype(bool) | flags
    return out


def withhold_participants(frame: pd.DataFrame, withheld: dict[tuple, str], region: str,
                          kind: str, column: str) -> pd.DataFrame:
    """Uptake rows with withheld participants emptied and flagged."""
    key = uptake_key if kind == "uptake" else class_key
    out = frame.copy()
    flags = pd.Series([key(region, int(y), str(v)) in withheld
                       for y, v in zip(out["round"], out[column], strict=True)],
                      index=out.index, dtype=bool)
    out["participants"] = out["participants"].astype("Int64").mask(flags)
    out["suppressed"] = flags
    return out


def counts(protection: Protection) -> dict[str, int]:
    return {"primary": protection.primary, "secondary": protection.secondary,
            "total": len(protection.withheld)}


__all__ = ["COUNTY", "MUNICIPALITY", "PublishedRound", "RoundLinks", "link_round"]
