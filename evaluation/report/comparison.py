"""A municipality's parent-based values against the county, as Fingertips does it.

A value built on a few dozen parents is uncertain: Laxå's "100 %" may rest on
eight parents (68–100 %). For each parent-based indicator the profile shows the
municipality's value with its 95 % interval and says whether it differs from
the county's value: "högre än länet" when the whole interval lies above it,
"lägre än länet" when it lies below, otherwise "ingen säker skillnad". Every
verdict has a symbol and a word, never colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import pandas as pd

from evaluation.indicators.registry import REGISTRY
from evaluation.report import formatting as fmt

HIGHER = "högre än länet"
NO_SURE_DIFFERENCE = "ingen säker skillnad"
LOWER = "lägre än länet"
SYMBOLS = {HIGHER: "▲", NO_SURE_DIFFERENCE: "●", LOWER: "▼"}


class _Html(str):
    def _repr_html_(self) -> str:
        return str(self)


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def compare(own: Mapping[str, object] | None, county: Mapping[str, object] | None) -> str | None:
    """The verdict for one municipality's row against the county's row; None when
    either value is missing or withheld or the municipality's row has no interval."""
    if not own or not county or bool(own.get("suppressed")) or bool(county.get("suppressed")):
        return None
    low, high = _float(own.get("ci_low")), _float(own.get("ci_high"))
    value = _float(county.get("value"))
    if low is None or high is None or value is None:
        return None
    if low > value:
        return HIGHER
    if high < value:
        return LOWER
    return NO_SURE_DIFFERENCE


def parent_based() -> list[str]:
    """The indicators counted in parents (1.4–1.6): those with an interval per municipality."""
    return [i for i, ind in REGISTRY.items() if ind.parent_counts]


def _row(table: pd.DataFrame, year: int, indicator: str, area: str) -> dict | None:
    match = table.loc[(table["round"] == year) & (table["indicator"] == indicator)
                      & (table["area_code"] == area)]
    return match.iloc[0].to_dict() if len(match) else None


def verdict_text(verdict: str | None, own: Mapping[str, object] | None) -> str:
    if verdict is not None:
        return f'<span aria-hidden="true">{SYMBOLS[verdict]}</span> {escape(verdict.capitalize())}'
    if own and bool(own.get("suppressed")):
        return f"{fmt.WITHHELD} skyddat värde"
    return f"{fmt.MISSING} uppgift saknas"


def county_comparison(result: object, code: str) -> _Html:
    """The profile's section: each parent-based value, its interval, the county's
    value and the stated comparison."""
    names = result.municipalities.set_index("code")["short_name"].astype(str)
    rows = []
    for ind_id in parent_based():
        ind = REGISTRY[ind_id]
        own = _row(result.indicators, result.year, ind_id, code)
        county = _row(result.indicators, result.year, ind_id, result.region)
        interval = fmt.interval_text(own) if own else ""
        rows.append(
            f'<tr><th scope="row">{escape(ind.id)} {escape(ind.title)}</th>'
            f'<td class="tal">{escape(fmt.value_text(own) if own else fmt.MISSING)}</td>'
            f'<td class="tal">{escape(interval or fmt.MISSING)}</td>'
            f'<td class="tal">{escape(fmt.value_text(county) if county else fmt.MISSING)}</td>'
            f"<td>{verdict_text(compare(own, county), own)}</td></tr>")
    caption = f"{names.get(code, code)} jämfört med länet {result.year}: värden som bygger på " \
              "föräldrar"
    return _Html(
        "<h2>Jämfört med länet</h2>"
        "<p>Värden som bygger på antal föräldrar är osäkra när föräldrarna är få. Därför visas "
        "kommunens värde med ett 95 % konfidensintervall. Ligger hela intervallet över länets "
        "värde är kommunen högre än länet. Ligger det under är kommunen lägre. Annars finns "
        "ingen säker skillnad.</p>"
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(caption)}">'
        f'<table class="report-table"><caption>{escape(caption)}</caption><thead><tr>'
        '<th scope="col">Indikator</th><th scope="col">Kommunen</th>'
        '<th scope="col">95 % konfidensintervall</th><th scope="col">Länet</th>'
        '<th scope="col">Jämförelse med länet</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="muted">▲ högre än länet, ● ingen säker skillnad, ▼ lägre än länet; '
        f"{fmt.WITHHELD} skyddat värde (röjandeskydd); {fmt.MISSING} uppgift saknas.</p>")
