"""The shapes most measures share (DESIGN §4): a census of yes/no answers over the
answering municipalities, a ratio summed over the county with an optional interval,
and blank-aware "all" and "any" (three-valued logic: a blank is unknown, never "no").
A goal module's measure is mostly one of these applied to the right rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from evaluation.indicators.context import Cell, Cells, RoundContext
from evaluation.indicators.statistics import proportion, rate


def known(value: object) -> bool:
    return value is not None and not pd.isna(value)


def census(ctx: RoundContext, flags: pd.Series) -> Cells:
    """Yes/no per answering municipality: 1 of 1 or 0 of 1; the county counts
    the municipalities with a known answer (census, no interval)."""
    cells: Cells = {}
    yes = answered = 0
    for code in ctx.answered:
        flag = flags.get(code, pd.NA)
        if not known(flag):
            continue
        hit = int(bool(flag))
        cells[code] = Cell(hit, 1, float(hit))
        yes += hit
        answered += 1
    if answered:
        cells[ctx.region] = Cell(yes, answered, yes / answered)
    return cells


def ratio(
    ctx: RoundContext,
    numerators: pd.Series,
    denominators: pd.Series,
    codes: Iterable[str],
    per: float = 1.0,
    interval: str | None = None,
) -> Cells:
    """Numerator over denominator per municipality, and summed over the county's
    municipalities where both are known. `interval` is "wilson", "poisson" (exact
    below 10 events, Byar from 10) or None."""
    level = ctx.settings.confidence_level
    cells: Cells = {}
    sum_num = sum_den = 0
    any_known = False

    def cell(num: int, den: int) -> Cell | None:
        if den <= 0:
            return None
        value = num / den * per
        low = high = None
        if interval == "wilson":
            est = proportion(num, den, level)
            low, high = est.low, est.high
        elif interval == "poisson":
            est = rate(num, den, per=per, level=level)
            low, high = est.low, est.high
        return Cell(num, den, value, low, high)

    for code in codes:
        num, den = numerators.get(code, pd.NA), denominators.get(code, pd.NA)
        if not (known(num) and known(den)):
            continue
        num, den = int(num), int(den)
        sum_num += num
        sum_den += den
        any_known = True
        made = cell(num, den)
        if made is not None:
            cells[code] = made
    if any_known:
        made = cell(sum_num, sum_den)
        if made is not None:
            cells[ctx.region] = made
    return cells


def by_municipality(frame: pd.DataFrame, codes: Iterable[str],
                    reduce: Callable[[pd.DataFrame], object]) -> pd.Series:
    """`reduce` applied to each municipality's rows (also to no rows)."""
    groups = {code: part for code, part in frame.groupby("municipality", sort=False)}
    empty = frame.iloc[0:0]
    return pd.Series({code: reduce(groups.get(code, empty)) for code in codes}, dtype=object)


def census_by(ctx: RoundContext, rows: pd.DataFrame,
              reduce: Callable[[pd.DataFrame], object]) -> Cells:
    """The census of a yes/no that `reduce` reads from each answering municipality's rows."""
    return census(ctx, by_municipality(rows, ctx.answered, reduce))


def all_of(frame: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    """Row-wise AND with blanks as unknown: False if any is False, NA if unsure."""
    result = pd.Series(True, index=frame.index, dtype="boolean")
    for col in columns:
        result = result & frame[col].astype("boolean")
    return result


def any_of(values: pd.Series) -> object:
    """True if any is True, False if all are False (or none), else NA."""
    values = values.astype("boolean")
    if values.fillna(False).any():
        return True
    if values.isna().any():
        return pd.NA
    return False


def sum_or_missing(values: pd.Series) -> object:
    """Sum of the given counts; missing when there are rows but every count is blank."""
    if len(values) and values.isna().all():
        return pd.NA
    return int(values.fillna(0).sum())


def offered(ctx: RoundContext) -> pd.DataFrame:
    """Programme rows with at least one participant or group."""
    return ctx.program.loc[ctx.program["offered"]]


def answer(column: str) -> Callable[[RoundContext], Cells]:
    """The census of one yes/no question of the municipality table."""
    def measure(ctx: RoundContext) -> Cells:
        return census(ctx, ctx.kommun[column])

    measure.__name__ = f"answer_{column}"
    return measure


@dataclass(frozen=True)
class ProgrammeCounts:
    """Which counts of the programme rows a parent-based indicator sums: only rows
    where every named count is known take part. An empty denominator means the
    denominator is not a count of parents (children, from the population table).
    Disclosure control links these sums to the programme rows they add up."""

    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.numerator, *self.denominator)))


def parent_share(counts: ProgrammeCounts) -> Callable[[RoundContext], Cells]:
    """A share of parents with Wilson's interval, from the programme rows where
    every count it needs is filled in."""
    def total(columns: tuple[str, ...]) -> Callable[[pd.DataFrame], int]:
        return lambda g: int(sum(g[c].sum() for c in columns))

    def measure(ctx: RoundContext) -> Cells:
        rows = ctx.program.dropna(subset=list(counts.columns))
        num = by_municipality(rows, ctx.answered, total(counts.numerator))
        den = by_municipality(rows, ctx.answered, total(counts.denominator))
        return ratio(ctx, num, den, ctx.answered, interval="wilson")

    return measure
