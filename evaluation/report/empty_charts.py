"""A sentence instead of a chart that would have nothing to draw.

A chart whose every value is missing or withheld shows only empty axes (every
tick "0") and labels like "svar saknas": it says less than one sentence does,
and says it worse. The report asks here first, and writes the sentence.
"""

from __future__ import annotations

from html import escape

import pandas as pd


def _published(rows: pd.DataFrame) -> pd.DataFrame:
    withheld = rows["suppressed"].fillna(False).astype(bool) if "suppressed" in rows else False
    return rows.loc[rows["value"].notna() & ~withheld]


def _chart_rows(table: pd.DataFrame, indicator: str, area_code: str | None,
                year: int | None, level: str | None) -> pd.DataFrame:
    """The rows one chart draws: an indicator, narrowed by area, round and level."""
    rows = table.loc[table["indicator"] == indicator]
    for column, wanted in (("area_code", area_code), ("round", year), ("level", level)):
        if wanted is not None:
            rows = rows.loc[rows[column] == wanted]
    return rows


def has_values(table: pd.DataFrame, indicator: str, *, area_code: str | None = None,
               year: int | None = None, level: str | None = None) -> bool:
    """Whether the chart of `indicator` (for one area over the rounds, or for one
    round across areas of a level) has at least one value to draw."""
    rows = _chart_rows(table, indicator, area_code, year, level)
    return not _published(rows).empty


def reason(table: pd.DataFrame, indicator: str, *, area_code: str | None = None,
           year: int | None = None, level: str | None = None) -> str:
    """Why there is nothing to draw: withheld, not answered, or both."""
    rows = _chart_rows(table, indicator, area_code, year, level)
    withheld = bool(rows["suppressed"].fillna(False).astype(bool).any()) if len(rows) else False
    missing = bool((rows["value"].isna() & ~rows["suppressed"].fillna(False).astype(bool)).any()) \
        if len(rows) else True
    if withheld and missing:
        return ("värdena är antingen skyddade (”..”, de bygger på för få föräldrar) eller "
                "saknas (”–”)")
    if withheld:
        return "alla värden är skyddade (”..”): de bygger på för få föräldrar"
    return "uppgift saknas (”–”) för alla omgångar"


def no_chart(title: str, why: str) -> str:
    """The paragraph shown instead of the chart."""
    return (f'<p class="inget-diagram"><strong>{escape(title)}:</strong> inget diagram, '
            f"eftersom {escape(why)}.</p>")
