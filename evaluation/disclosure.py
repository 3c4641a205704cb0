"""Disclosure control for everything published (DESIGN §5).

Primary: a count of parents from 1 to threshold − 1 is shown as "<5", and a
share or rate built on such a count is withheld (value, interval, numerator
and denominator emptied, `suppressed` true). For a share of parents every
parent count is checked: numerator, denominator and their difference (the
women beside the men, the parents who did not complete). County totals that
are small are withheld the same way.

Secondary: where exactly one municipality's cell is withheld and the county
total is published, the total minus the published cells would give it away,
so the next smallest cell is withheld too (or, with no other cell, the county
total). A municipality withheld in one parent-based indicator is withheld in
all of them for that round, as they count the same parents.

The threshold is configuration; 0 turns disclosure control off (internal use).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from evaluation.compute import COUNTY, MUNICIPALITY
from evaluation.formatting import WITHHELD, count
from evaluation.indicators import REGISTRY, Indicator
from evaluation.uptake import Uptake

WITHHELD_COLUMNS = ("numerator", "denominator", "value", "ci_low", "ci_high", "status")


def is_small(value: object, threshold: int) -> bool:
    """A count from 1 to threshold − 1: too few to show."""
    if value is None or pd.isna(value):
        return False
    return 1 <= int(value) < threshold


def small_counts(counts: pd.Series, threshold: int) -> pd.Series:
    """Which counts are too small to show."""
    return pd.Series([is_small(v, threshold) for v in counts], index=counts.index, dtype=bool)


def complementary(counts: pd.Series, hidden: pd.Series, total_published: bool = True
                  ) -> pd.Series:
    """Cells to withhold besides `hidden` so that no hidden cell follows from the total.

    With exactly one hidden cell and the total published, the smallest other
    cell with a count (the smallest positive one if any) is withheld as well.
    """
    extra = pd.Series(False, index=counts.index, dtype=bool)
    if not total_published or int(hidden.sum()) != 1:
        return extra
    candidates = counts.loc[~hidden & counts.notna()]
    if not len(candidates):
        return extra
    positive = candidates.loc[candidates > 0]
    pool = positive if len(positive) else candidates
    extra[pool.astype(float).sort_values(kind="stable").index[0]] = True
    return extra


def _parent_counts(row: pd.Series, ind: Indicator) -> list[object]:
    num, den = row["numerator"], row["denominator"]
    out: list[object] = []
    for part in ind.parent_counts:
        if part == "numerator":
            out.append(num)
        elif part == "denominator":
            out.append(den)
        elif not (pd.isna(num) or pd.isna(den)):
            out.append(int(den) - int(num))
    return out


def _row_is_small(row: pd.Series, ind: Indicator, threshold: int) -> bool:
    return any(is_small(v, threshold) for v in _parent_counts(row, ind))


def _smallest_count(row: pd.Series, ind: Indicator) -> float:
    """The size of a cell for choosing which one to withhold second."""
    values = [int(v) for v in _parent_counts(row, ind) if not pd.isna(v)]
    positive = [v for v in values if v > 0]
    return float(min(positive)) if positive else float("inf") if values else float("nan")


def suppress_table(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The tidy indicator table as it may be published.

    A municipality's figures about parents are withheld together, in every
    parent-based indicator of the round: 1.4, 1.5 and 1.6 count the same parents,
    so a total shown in one would give away a cell hidden in another.
    """
    out = table.copy()
    if "suppressed" not in out:
        out["suppressed"] = False
    if threshold <= 0 or not len(out):
        return out
    withheld = pd.Series(False, index=out.index, dtype=bool)
    parent_based = [i for i, ind in REGISTRY.items() if ind.parent_counts]
    for _, group in out.loc[out["indicator"].isin(parent_based)].groupby("round", sort=False):
        withheld |= _withheld_in_round(group, threshold).reindex(out.index, fill_value=False)
    for col in WITHHELD_COLUMNS:
        if col in out:
            out[col] = out[col].mask(withheld)
    out["suppressed"] = out["suppressed"].astype(bool) | withheld
    return out


def _withheld_in_round(group: pd.DataFrame, threshold: int) -> pd.Series:
    """Rows of one round's parent-based indicators to withhold."""
    small = pd.Series(
        [_row_is_small(row, REGISTRY[row["indicator"]], threshold)
         for row in group.to_dict("records")],
        index=group.index, dtype=bool,
    )
    munis = group["level"] == MUNICIPALITY
    county = group["level"] == COUNTY
    has_value = group["value"].notna()
    hidden_areas = set(group.loc[munis & small, "area_code"])
    hidden_county = set(group.loc[county & small, "indicator"])

    changed = True
    while changed:
        changed = False
        for indicator, part in group.groupby("indicator", sort=False):
            if indicator in hidden_county or not (part["level"] == COUNTY).any():
                continue
            cells = part.loc[munis[part.index] & has_value[part.index]]
            hidden = cells["area_code"].isin(hidden_areas)
            if int(hidden.sum()) != 1:
                continue
            ind = REGISTRY[indicator]
            sizes = cells.apply(lambda r, i=ind: _smallest_count(r, i), axis=1)
            extra = complementary(sizes, hidden)
            if extra.any():
                hidden_areas.add(cells.loc[extra, "area_code"].iloc[0])
            else:
                hidden_county.add(indicator)
            changed = True
    return ((munis & has_value & group["area_code"].isin(hidden_areas))
            | (county & group["indicator"].isin(hidden_county)))


def _suppress_counts(frame: pd.DataFrame, threshold: int, by: str = "round") -> pd.DataFrame:
    """Withhold small participant counts per `by` group, with a complementary cell,
    and add their display text."""
    frame = frame.copy()
    frame["participants"] = frame["participants"].astype("Int64")
    primary = small_counts(frame["participants"], threshold) if threshold > 0 else \
        pd.Series(False, index=frame.index, dtype=bool)
    secondary = pd.Series(False, index=frame.index, dtype=bool)
    if threshold > 0:
        for _, group in frame.groupby(by, sort=False):
            secondary |= complementary(group["participants"], primary[group.index]).reindex(
                frame.index, fill_value=False)
    text = [WITHHELD if second else count(n, threshold)
            for n, second in zip(frame["participants"], secondary, strict=True)]
    frame["participants_text"] = pd.Series(text, index=frame.index, dtype="str")
    frame["suppressed"] = primary | secondary
    frame["participants"] = frame["participants"].mask(frame["suppressed"])
    return frame


def suppress_uptake(uptake: Uptake, threshold: int) -> Uptake:
    """Uptake as it may be published: small participant counts shown as "<5"."""
    return replace(
        uptake,
        programmes=_suppress_counts(uptake.programmes, threshold),
        by_evidence_class=_suppress_counts(uptake.by_evidence_class, threshold),
    )
