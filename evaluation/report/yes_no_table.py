"""One municipality × indicator table for the yes/no indicators of a goal area.

A yes/no indicator per municipality is one of four things: yes, no, not
answered, or withheld. A table with a row per municipality and a column per
indicator shows on one screen what a chart per indicator (a column of twelve
dots) shows on twelve; each cell says it with a symbol and a word, never colour
alone, and in Kolada's vocabulary for what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd

from evaluation.indicators.registry import REGISTRY
from evaluation.report.formatting import MISSING, WITHHELD
from evaluation.text import swedish_sort_key

YES = '<span class="ja"><span aria-hidden="true">✔</span> Ja</span>'
NO = '<span class="nej"><span aria-hidden="true">✘</span> Nej</span>'
CELL_MISSING = f'<span class="saknas">{MISSING} saknas</span>'
CELL_WITHHELD = f'<span class="skyddat">{WITHHELD} skyddat</span>'


class _Html(str):
    def _repr_html_(self) -> str:
        return str(self)


def yes_no_ids(area: str) -> list[str]:
    """The goal area's yes/no indicators (censuses of municipalities)."""
    return [i for i, ind in REGISTRY.items()
            if ind.goal_area == area and ind.unit == "andel_kommuner"]


def cell(row: dict | None) -> str:
    """One municipality's answer as symbol and text."""
    if row is None:
        return CELL_MISSING
    if bool(row.get("suppressed")):
        return CELL_WITHHELD
    value = row.get("value")
    if value is None or pd.isna(value):
        return CELL_MISSING
    return YES if float(value) >= 0.5 else NO


def yes_no_table(indicators: pd.DataFrame, municipalities: pd.DataFrame, year: int,
                 ids: Sequence[str], caption: str) -> str:
    """Rows: municipalities (by Swedish name); columns: the indicators; a last row
    with the county's count of yes."""
    rows = indicators.loc[(indicators["round"] == year) & (indicators["level"] == "municipality")
                          & (indicators["indicator"].isin(list(ids)))]
    by_key = {(r["area_code"], r["indicator"]): r for r in rows.to_dict("records")}
    names = municipalities.set_index("code")["short_name"].astype(str)
    head = "".join(f'<th scope="col">{escape(i)} {escape(REGISTRY[i].title)}</th>' for i in ids)
    body = []
    for code in sorted(names.index, key=lambda c: swedish_sort_key(names[c])):
        cells = "".join(f"<td>{cell(by_key.get((code, i)))}</td>" for i in ids)
        body.append(f'<tr><th scope="row">{escape(names[code])}</th>{cells}</tr>')
    totals = []
    for i in ids:
        values = [cell(by_key.get((c, i))) for c in names.index]
        totals.append(f'<td class="tal">{values.count(YES)} av '
                      f"{values.count(YES) + values.count(NO)}</td>")
    body.append(f'<tr><th scope="row">Antal med ja</th>{"".join(totals)}</tr>')
    return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(caption)}">'
            f'<table class="report-table ja-nej"><caption>{escape(caption)}</caption>'
            f'<thead><tr><th scope="col">Kommun</th>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
            f'<p class="muted">✔ Ja, ✘ Nej; {MISSING} saknas: kommunen har inte besvarat '
            f"frågan; {WITHHELD} skyddat: värdet visas inte (röjandeskydd).</p>")


def goal_area_table(result: object, area: str) -> _Html:
    """The goal area's yes/no indicators for every municipality of the round."""
    ids = yes_no_ids(area)
    if not ids:
        return _Html("")
    return _Html(yes_no_table(result.indicators, result.municipalities, result.year, ids,
                              f"Kommunernas ja/nej-svar {result.year}"))
