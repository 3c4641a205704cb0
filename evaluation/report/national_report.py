"""What the national overview shows: the counties side by side on every indicator,
with the country's value, as Swedish tables and charts with text alternatives.

The overview notebook's cells call these functions; text from the data is
escaped here (through `report.table` and friends), once.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from evaluation.analysis.national import COUNTRY, COUNTRY_CODE, NationalResult
from evaluation.errors import Severity
from evaluation.indicators.registry import REGISTRY, Indicator, by_goal_area
from evaluation.report import charts, headline
from evaluation.report import formatting as fmt
from evaluation.report.sections import (
    Html,
    change_text,
    goal_area_title,
    heading,
    indicator_summary,
    paragraph,
    status_badge,
    synthetic_notice,
    table,
    target_text,
)
from evaluation.report.sections import status_rows as county_status_rows
from evaluation.text import swedish_sort_key

COUNTRY_LABEL = "Riket"


def _rows(result: NationalResult, indicator: str, year: int | None = None) -> pd.DataFrame:
    frame = result.indicators
    year = result.year if year is None else year
    return frame.loc[(frame["round"] == year) & (frame["indicator"] == indicator)
                     & frame["level"].isin([COUNTRY, "county"])]


def _country_row(result: NationalResult, indicator: str) -> dict:
    rows = _rows(result, indicator)
    rows = rows.loc[rows["level"] == COUNTRY]
    return rows.iloc[0].to_dict() if len(rows) else {}


def _county_rows(result: NationalResult, indicator: str) -> dict[str, dict]:
    rows = _rows(result, indicator)
    return {r["area_code"]: r for r in rows.loc[rows["level"] == "county"].to_dict("records")}


def reported_counties(result: NationalResult) -> list[tuple[str, str]]:
    """(code, name) of the counties with a report, in Swedish alphabetical order."""
    table_ = result.county_table.loc[result.county_table["reported"]]
    pairs = list(zip(table_["code"], table_["name"], strict=True))
    return sorted(pairs, key=lambda p: swedish_sort_key(p[1]))


# ---------------------------------------------------------------- opening


def title(result: NationalResult) -> Html:
    """The overview's one h1, with the synthetic-data notice where it applies."""
    text = f"Föräldraskapsstöd i hela landet: nationell översikt {result.year}"
    lead = (f"Länen sida vid sida på varje indikator i uppföljningen av strategin för "
            f"föräldraskapsstöd 2024–2030, omgång {result.year}, med rikets värde.")
    notice = synthetic_notice(result.country) if result.extra.get(
        "synthetic") else ""
    return Html(f"<h1>{escape(text)}</h1><p>{escape(lead)}</p>{notice}")


def _change(result: NationalResult, ind: Indicator) -> str:
    """The country's change; for municipality counts, how many gained and lost."""
    country = result.country
    if country.previous_year is None:
        return "Första omgången"
    frame = country.changes
    match = frame.loc[(frame["round"] == result.year) & (frame["indicator"] == ind.id)
                      & (frame["area_code"] == COUNTRY_CODE)]
    if ind.census and len(match) and match.iloc[0]["gained"] is not None:
        gained = len(match.iloc[0]["gained"] or ())
        lost = len(match.iloc[0]["lost"] or ())
        if not gained and not lost:
            return "Oförändrat"
        parts = [f"{sign}{n} {'kommun' if n == 1 else 'kommuner'}"
                 for sign, n in (("+", gained), ("−", lost)) if n]
        return ", ".join(parts)
    return change_text(country, ind.id, COUNTRY_CODE)


def status_rows(result: NationalResult) -> list[dict[str, object]]:
    """The country's rows of the national round page: as a county's, with the change
    in municipalities counted rather than named (they would be hundreds)."""
    rows = county_status_rows(result.country, COUNTRY_CODE)
    for row in rows:
        row["change"] = _change(result, REGISTRY[str(row["indicator"])])
    return rows


def country_overview(result: NationalResult) -> Html:
    """Every indicator for the country: value, change, target and status."""
    rows = []
    for ind in REGISTRY.values():
        row = _country_row(result, ind.id)
        value = fmt.value_text(row) if row else fmt.MISSING
        interval = fmt.interval_text(row) if row else ""
        if interval:
            value = f"{value} ({interval})"
        rows.append([f"{ind.id} {ind.title}", value, _change(result, ind), target_text(ind),
                     status_badge(row.get("status"))])
    prev = result.country.previous_year
    return table(f"Rikets indikatorer {result.year}",
                 ["Indikator", "Riket", f"Förändring sedan {prev}" if prev else "Förändring",
                  "Mål 2030", "Status"], rows)


# ---------------------------------------------------------------- counties side by side


def counties_table(result: NationalResult, area: str) -> Html:
    """One goal area: a row per county and one for the country, a column per indicator."""
    indicators = by_goal_area()[area]
    by_indicator = {ind.id: _county_rows(result, ind.id) for ind in indicators}
    country = [fmt.value_text(r) if (r := _country_row(result, ind.id)) else fmt.MISSING
               for ind in indicators]
    rows = [[Html(f"<strong>{COUNTRY_LABEL}</strong>"), *country]]
    for code, name in reported_counties(result):
        rows.append([name, *(fmt.value_text(by_indicator[ind.id][code])
                             if code in by_indicator[ind.id] else fmt.MISSING
                             for ind in indicators)])
    return table(f"{goal_area_title(area)}: länen {result.year}",
                 ["Län", *(f"{ind.id} {ind.title}" for ind in indicators)], rows,
                 numeric=tuple(range(1, len(indicators) + 1)), wide=True)


def _entries(result: NationalResult, indicator: str) -> tuple[dict, list[dict]]:
    country = _country_row(result, indicator)
    counties = _county_rows(result, indicator)
    names = dict(reported_counties(result))
    entries = [{**counties[c], "name": names[c]} for c in names if c in counties]
    return country, entries


def _state(row: dict) -> str:
    if bool(row.get("suppressed")):
        return "suppressed"
    return "missing" if row.get("value") is None or pd.isna(row.get("value")) else "value"


def _label(row: dict, unit: str) -> str:
    state = _state(row)
    if state != "value":
        return charts.WITHHELD_LABEL if state == "suppressed" else charts.MISSING_LABEL
    if unit == "andel_kommuner":
        return f"{fmt.census(row['numerator'], row['denominator'])} " \
               f"({charts.format_value(row['value'], unit)})"
    return fmt.value_text(row)  # as the tables write it: a county's mean 2 is "2,0"


def _ordered(entries: list[dict]) -> list[dict]:
    rank = {"value": 0, "suppressed": 1, "missing": 2}
    return sorted(entries, key=lambda e: (rank[_state(e)],
                                          -float(e["value"]) if _state(e) == "value" else 0.0,
                                          swedish_sort_key(e["name"])))


def county_bars(result: NationalResult, ind: Indicator) -> charts.ReportFigure:
    """The counties' values in the round, sorted, against the country and the target."""
    unit = "andel" if ind.unit == "andel_kommuner" else ind.unit
    country, entries = _entries(result, ind.id)
    entries = _ordered(entries)
    n = max(len(entries), 1)
    fig = charts.new_figure(8.5, 0.4 * n + 2.6)
    ax = fig.add_subplot()
    ys = np.arange(len(entries))
    shown = [(y, e) for y, e in zip(ys, entries, strict=True) if _state(e) == "value"]
    ax.barh([y for y, _ in shown], [float(e["value"]) for _, e in shown], height=0.6,
            color=charts.BAR_COLOUR, zorder=2)
    whole = float(country["value"]) if country and _state(country) == "value" else None
    target = ind.target_value
    top = max([*(float(e["value"]) for _, e in shown), whole or 0.0, target or 0.0, 1e-9])
    right = top * 1.35
    if unit in charts.SHARE_UNITS and top > 0.8:
        right = max(right, 1.3)
    ax.set_xlim(0, right)
    for y, e in zip(ys, entries, strict=True):
        state = _state(e)
        x = float(e["value"]) if state == "value" else 0.0
        ax.text(x + right * 0.01, y, _label(e, ind.unit), va="center", ha="left",
                fontsize=charts.SMALL_FONT_SIZE, zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
                style="normal" if state == "value" else "italic",
                color="black" if state == "value" else charts.NOTE_COLOUR)
    handles = []
    if whole is not None:
        handles.append(ax.axvline(whole, color=charts.COUNTY_COLOUR, linewidth=2, zorder=3,
                                  label=f"{COUNTRY_LABEL}: {_label(country, ind.unit)}"))
    if target is not None:
        handles.append(ax.axvline(target, color=charts.TARGET_COLOUR, linewidth=2,
                                  linestyle=(0, (5, 3)), zorder=3,
                                  label=f"Mål 2030: {charts.format_value(target, unit)}"))
    ax.set_yticks(ys, [e["name"] for e in entries], fontsize=charts.SMALL_FONT_SIZE)
    ax.set_ylim(len(entries) - 0.4, -0.6)
    charts.apply_unit_axis(ax.xaxis, unit)
    if unit in charts.SHARE_UNITS and right > 1:  # room for labels, no tick beyond 100 %
        ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= 1])
        ax.set_xlim(0, right)
    ax.tick_params(axis="x", labelsize=charts.SMALL_FONT_SIZE)
    ax.set_xlabel(charts.AXIS_LABELS.get(unit, ""), fontsize=charts.FONT_SIZE)
    ax.grid(axis="x", color="#DDDDDD", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    charts.add_title(fig, f"{ind.title} {result.year}, per län")
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=2,
                   fontsize=charts.FONT_SIZE, frameon=False)
    fig.alt_text = alt_text_county_bars(result, ind)
    return fig


def alt_text_county_bars(result: NationalResult, ind: Indicator) -> str:
    """What `county_bars` shows, in Swedish: the country, highest and lowest, every county."""
    country, entries = _entries(result, ind.id)
    parts = [f"Stapeldiagram: {ind.title} {result.year}, per län."]
    if country:
        parts.append(f"{COUNTRY_LABEL}: {_spoken(country, ind.unit)}.")
    if ind.target_value is not None:
        parts.append(f"Mål 2030: {fmt.percent(ind.target_value)}.")
    shown = [e for e in entries if _state(e) == "value"]
    if shown:
        high = max(float(e["value"]) for e in shown)
        low = min(float(e["value"]) for e in shown)
        highest = charts.join_names(sorted(e["name"] for e in shown if float(e["value"]) == high))
        lowest = charts.join_names(sorted(e["name"] for e in shown if float(e["value"]) == low))
        parts.append(f"Högst: {highest}. Lägst: {lowest}.")
    every = sorted(entries, key=lambda e: swedish_sort_key(e["name"]))
    if every:
        parts.append("Alla län: " + "; ".join(f"{e['name']} {_spoken(e, ind.unit)}"
                                             for e in every) + ".")
    return " ".join(parts)


def _spoken(row: dict, unit: str) -> str:
    text = _label(row, unit)
    if unit == "per_1000" and _state(row) == "value":
        return f"{text} per 1{fmt.NBSP}000"
    return text


def show_indicator(result: NationalResult, ind: Indicator) -> None:
    """An indicator's heading, the country's value, the counties' chart and the
    country's trend."""
    from IPython.display import display

    from evaluation.report.display import show_figure
    from evaluation.report.empty_charts import has_values, no_chart, reason

    display(heading(f"{ind.id} {ind.title}", 3))
    display(indicator_summary(result.country, ind, COUNTRY_CODE, label="Riket"))
    where = {"year": result.year, "level": "county"}
    if has_values(result.indicators, ind.id, **where):
        fig = county_bars(result, ind)
        show_figure(fig, alt=fig.alt_text)
    else:
        display(Html(no_chart(f"{ind.title} per län",
                              reason(result.indicators, ind.id, **where))))
    if len(result.years) > 1:
        frame = result.country.indicators
        args = (frame, ind.id, COUNTRY_CODE, f"{ind.title}, {COUNTRY_LABEL}", ind.unit,
                ind.target_value)
        if has_values(frame, ind.id, area_code=COUNTRY_CODE):
            show_figure(charts.trend_chart(*args), alt=charts.alt_text_trend(*args))
        else:
            display(Html(no_chart(args[3], reason(frame, ind.id, area_code=COUNTRY_CODE))))


def show_goal_area(result: NationalResult, area: str) -> None:
    from IPython.display import display

    display(heading(goal_area_title(area), 2))
    display(headline.goal_area(result.country, area))
    display(counties_table(result, area))
    for ind in by_goal_area()[area]:
        show_indicator(result, ind)


# ---------------------------------------------------------------- response and quality


def response_table(result: NationalResult) -> Html:
    """Every county: municipalities, how many answered, and whether it has a report."""
    frame = result.county_table
    rows = []
    for r in sorted(frame.to_dict("records"), key=lambda r: swedish_sort_key(r["name"])):
        share = fmt.percent(r["answered"] / r["municipalities"]) if r["municipalities"] \
            else fmt.MISSING
        rows.append([r["name"], fmt.number(r["municipalities"]), fmt.number(r["answered"]),
                     share, "Ja" if r["reported"] else "Nej"])
    total = int(frame["municipalities"].sum())
    answered = int(frame["answered"].sum())
    rows.append([Html(f"<strong>{COUNTRY_LABEL}</strong>"), fmt.number(total),
                 fmt.number(answered), fmt.percent(answered / total) if total else fmt.MISSING,
                 ""])
    return table(f"Svar per län {result.year}",
                 ["Län", "Kommuner", "Svarade", "Svarsfrekvens", "Länsrapport"], rows,
                 numeric=(1, 2, 3))


def response_text(result: NationalResult) -> Html:
    frame = result.county_table
    answered, total = int(frame["answered"].sum()), int(frame["municipalities"].sum())
    text = (headline.answered_sentence(answered, total, result.year, " i landet") + " "
            + headline.counties_sentence(frame))
    missing = sorted(frame.loc[~frame["reported"], "name"], key=swedish_sort_key)
    if missing:
        text += (" Inga uppgifter (varken enkätsvar eller vårdenheter) kom från "
                 f"{charts.join_names(missing)}, som därför saknar länsrapport.")
    return paragraph(text)


def quality_by_county(result: NationalResult) -> Html:
    """Rows read, accepted, warned and rejected per county."""
    names = dict(reported_counties(result))
    rows = []
    for code, name in names.items():
        counts = result.counties[code].validation.counts.values()
        rows.append([name, *(fmt.number(sum(getattr(c, part) for c in counts))
                             for part in ("rows_in", "accepted", "accepted_with_warning",
                                          "rejected"))])
    return table(f"Inlästa rader per län {result.year}",
                 ["Län", "Rader", "Godkända", "varav med varning", "Avvisade"], rows,
                 numeric=(1, 2, 3, 4))


def unassigned_findings(result: NationalResult) -> Html:
    """Findings that belong to no county: shown here, since no county report has them."""
    from evaluation.report.sections import findings_per_file

    findings = [f for f in result.unassigned if f.severity is not Severity.INFO]
    if not findings:
        return paragraph("Alla varningar och avvisade rader hör till ett län och visas i "
                         "länets rapport.")
    return findings_per_file(findings, "Varningar och avvisade rader som inte hör till "
                                       "något län")


def row_counts(result: NationalResult) -> Html:
    """Rows read and their outcome for the whole country."""
    from evaluation.report.sections import row_counts as county_row_counts

    return county_row_counts(result.country)


def findings_by_reason(result: NationalResult) -> Html:
    from evaluation.report.sections import findings_by_reason as county_findings

    return county_findings(result.country)

