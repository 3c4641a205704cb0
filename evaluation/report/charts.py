"""Report charts: municipalities against the county and the target, trends over the
rounds, the offering matrix and reach by evidence class, with Swedish text alternatives.

Every chart says what it shows in text as well as in colour: values are written
beside bars and points, status has its own marker and label, missing and withheld
values are written out. Colours are the Okabe–Ito palette, which stays apart for
the common kinds of colour blindness. Figures are built on the Agg canvas without
pyplot, so a report run holds no global figure state and needs no display.
"""

from __future__ import annotations

import base64
import html
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from evaluation.errors import ParameterError
from evaluation.indicators.registry import UNITS as UNIT_KINDS
from evaluation.report.formatting import NBSP, census, number, percent
from evaluation.report.png import lay_out, png_bytes
from evaluation.report.style import (
    EVIDENCE_CLASS_STYLE,
    PALETTE,
    status_style,
)
from evaluation.text import swedish_sort_key
from evaluation.vocab import TARGET_YEAR

FONT_SIZE = 11
SMALL_FONT_SIZE = 10
TITLE_SIZE = 13
BAR_COLOUR = PALETTE["blue"]
COUNTY_COLOUR = PALETTE["black"]
TARGET_COLOUR = PALETTE["vermillion"]
NOTE_COLOUR = "#404040"

SHARE_UNITS = tuple(u.id for u in UNIT_KINDS.values() if u.share)
UNITS = tuple(UNIT_KINDS)
#: Kolada's symbols, the one vocabulary of every table, chart and legend.
WITHHELD_LABEL = ".. skyddat"
MISSING_LABEL = "– saknas"
COUNTY_LABEL = "Länet"
#: Axis titles where the ticks do not carry the unit themselves (as "%" does).
AXIS_LABELS = {"per_1000": f"Per 1{NBSP}000", "antal": "Antal"}


# ------------------------------------------------------------------------ formatting


def check_unit(unit: str) -> None:
    """Refuse a unit the charts cannot format, before anything is drawn."""
    if unit not in UNITS:
        raise ParameterError(f"unknown unit {unit!r}; expected one of {list(UNITS)}")


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def format_value(value: float | None, unit: str) -> str:
    """A value as written on a chart: "45 %" for shares, "12,3" for rates and counts."""
    check_unit(unit)
    if _missing(value):
        return MISSING_LABEL
    if unit in SHARE_UNITS:
        return percent(value)
    if unit == "antal" and float(value).is_integer():
        return number(value, 0)  # a whole count reads "5", not "5,0"
    return number(value, 1)


def spoken_value(value: float | None, unit: str) -> str:
    """A value as written in a text alternative: rates say what they are per."""
    text = format_value(value, unit)
    if unit == "per_1000" and not _missing(value):
        return f"{text} per 1{NBSP}000"
    return text


def _interval(low: float, high: float, unit: str) -> str:
    """ "18–24 %" or "1,0–1,8": the unit is written once."""
    if unit in SHARE_UNITS:
        return f"{number(low * 100)}–{percent(high)}"
    return f"{number(low, 1)}–{number(high, 1)}"


def ink_for(face: object) -> str:
    """Black or white text, whichever reads better on the face colour."""
    r, g, b, _ = mcolors.to_rgba(face)
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def yes_no_text(value: float) -> str:
    """A municipality's yes/no answer, stored as the share 1 or 0, as "Ja" or "Nej"."""
    return "Ja" if value >= 0.5 else "Nej"


def _tick_formatter(unit: str, step: float) -> FuncFormatter:
    """Axis ticks in the unit: "40 %" or "2,5" with as many decimals as the step needs."""
    scaled = abs(step) * (100 if unit in SHARE_UNITS else 1)
    decimals = next((d for d in range(4) if math.isclose(scaled, round(scaled, d),
                                                         abs_tol=1e-9)), 3)
    if unit in SHARE_UNITS:
        return FuncFormatter(lambda x, _pos: percent(x, decimals))
    return FuncFormatter(lambda x, _pos: number(x, decimals))


def apply_unit_axis(axis, unit: str) -> None:
    """Round tick steps, written in Swedish in the unit, on an axis whose limits are set."""
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))
    ticks = axis.get_major_locator().tick_values(*axis.get_view_interval())
    step = float(np.diff(ticks).min()) if len(ticks) > 1 else 1.0
    axis.set_major_formatter(_tick_formatter(unit, step))


def _value_axis(ax, which: str, unit: str) -> None:
    """The value axis of bars ("x") and trends ("y"): unit ticks, axis title, a light grid
    behind the data, no frame on the top and right."""
    apply_unit_axis(getattr(ax, f"{which}axis"), unit)
    ax.tick_params(axis=which, labelsize=FONT_SIZE)
    (ax.set_xlabel if which == "x" else ax.set_ylabel)(AXIS_LABELS.get(unit, ""),
                                                      fontsize=FONT_SIZE)
    ax.grid(axis=which, color="#DDDDDD", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width, break_on_hyphens=False)) or str(text)


def join_names(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


# ------------------------------------------------------------------------ tidy rows


#: Municipality code -> the short name readers know ("Lekeberg", not "Lekebergs
#: kommun"), as the round result carries it (`RoundResult.short_names`).
Names = Mapping[str, str]


def display_name(code: str, name: object = None, names: Names | None = None) -> str:
    """The short name from `names`, else the table's name, else the code."""
    short = (names or {}).get(str(code))
    if short:
        return short
    return str(code) if _missing(name) else str(name)


@dataclass(frozen=True)
class _Entry:
    code: str
    name: str
    value: float | None
    state: str  # "value", "suppressed" or "missing"
    low: float | None = None
    high: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    status: str = ""
    round: int = 0


def _float(value: object) -> float | None:
    return None if _missing(value) else float(value)


def _entry(row: Mapping[str, object], names: Names | None = None) -> _Entry:
    suppressed = bool(row.get("suppressed")) if not _missing(row.get("suppressed")) else False
    value = _float(row.get("value"))
    state = "suppressed" if suppressed else ("missing" if value is None else "value")
    status = row.get("status")
    code = str(row.get("area_code"))
    name = (display_name(code, row.get("area_name"), names)
            if row.get("level") == "municipality"
            else str(row.get("area_name")))
    return _Entry(
        code=code, name=name,
        value=None if suppressed else value, state=state,
        low=_float(row.get("ci_low")), high=_float(row.get("ci_high")),
        numerator=_float(row.get("numerator")), denominator=_float(row.get("denominator")),
        status="" if _missing(status) else str(status), round=int(row.get("round", 0)),
    )


def _select(table: pd.DataFrame, **where: object) -> pd.DataFrame:
    mask = pd.Series(True, index=table.index)
    for column, wanted in where.items():
        mask &= table[column].astype(str) == str(wanted)
    return table.loc[mask]


@dataclass(frozen=True)
class _Round:
    county: _Entry | None
    municipalities: list[_Entry]
    target: float | None


def _target(rows: pd.DataFrame, target: float | None) -> float | None:
    if target is not None:
        return float(target)
    known = [float(t) for t in rows["target"] if not _missing(t)] if "target" in rows else []
    return known[0] if known else None


def _round_rows(table: pd.DataFrame, indicator: str, year: int,
                target: float | None, names: Names | None = None) -> _Round:
    rows = _select(table, indicator=indicator, round=int(year))
    if rows.empty:
        raise ParameterError(f"no rows for indicator {indicator!r} in round {year}")
    county = [_entry(r) for r in rows.loc[rows["level"] == "county"].to_dict("records")]
    munis = [_entry(r, names)
             for r in rows.loc[rows["level"] == "municipality"].to_dict("records")]
    if not munis:
        raise ParameterError(f"no municipality rows for indicator {indicator!r} in round {year}")
    return _Round(county[0] if county else None, munis, _target(rows, target))


def _ordered(entries: Iterable[_Entry]) -> list[_Entry]:
    """Highest value first; withheld, then missing, alphabetically at the end."""
    rank = {"value": 0, "suppressed": 1, "missing": 2}
    return sorted(entries, key=lambda e: (rank[e.state],
                                          -(e.value or 0.0) if e.state == "value" else 0.0,
                                          swedish_sort_key(e.name)))


def _with_year(title: str, year: int) -> str:
    return title if str(year) in title else f"{title} {year}"


# ------------------------------------------------------------------------ figures


class ReportFigure(Figure):
    """A figure that carries its text alternative and shows itself in a notebook as an
    image with that text as its `alt`, so the published HTML keeps it."""

    alt_text: str = ""

    def png_bytes(self, dpi: float | None = None) -> bytes:
        return png_bytes(self, dpi)

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png_bytes()).decode("ascii")
        return (f'<img src="data:image/png;base64,{data}" '
                f'alt="{html.escape(self.alt_text, quote=True)}">')


def new_figure(width: float, height: float) -> ReportFigure:
    """A figure on the Agg canvas, laid out so that labels never leave the image."""
    fig = ReportFigure(figsize=(width, height), layout="constrained", dpi=100)
    FigureCanvasAgg(fig)
    return fig


def add_title(fig: Figure, title: str) -> None:
    """The title at the figure's left edge, wrapped to the figure's width."""
    width = int((fig.get_figwidth() - 0.3) * 8.5)
    fig.suptitle(_wrap(title, width), x=0.01, ha="left", fontsize=TITLE_SIZE,
                 fontweight="bold")


def add_footnote(fig: Figure, text: str) -> None:
    """A note under the chart, inside the layout so that nothing covers it."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=FONT_SIZE)


def _note_box() -> dict:
    return {"facecolor": "white", "edgecolor": "none", "pad": 1.0}


def _line_legend(fig: Figure, handles: list, ncol: int = 2) -> None:
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=ncol,
                   fontsize=FONT_SIZE, frameon=False)


def municipality_bars(table: pd.DataFrame, indicator: str, year: int, title: str, unit: str,
                      target: float | None = None, names: Names | None = None) -> ReportFigure:
    """The municipalities' values in one round, sorted, against the county and the target.

    `target` defaults to the table's target for the indicator. Yes/no indicators
    (unit "andel_kommuner") are drawn as a table of dots under "Ja" and "Nej".
    """
    check_unit(unit)
    data = _round_rows(table, indicator, year, target, names)
    if unit == "andel_kommuner":
        fig = _yes_no_dots(data, _with_year(title, year))
    else:
        fig = _bars(data, _with_year(title, year), unit)
    fig.alt_text = alt_text_bars(table, indicator, year, title, unit, target, names)
    return fig


def _bars(data: _Round, title: str, unit: str) -> ReportFigure:
    entries = _ordered(data.municipalities)
    n = len(entries)
    fig = new_figure(8.5, 0.42 * n + 2.6)
    ax = fig.add_subplot()
    ys = np.arange(n)
    shown = [(y, e) for y, e in zip(ys, entries, strict=True) if e.state == "value"]
    ax.barh([y for y, _ in shown], [e.value for _, e in shown], height=0.6, color=BAR_COLOUR,
            zorder=2)
    with_ci = [(y, e) for y, e in shown if e.low is not None and e.high is not None]
    if with_ci:  # parent-based values: their 95 % interval as error bars
        ax.errorbar([e.value for _, e in with_ci], [y for y, _ in with_ci],
                    xerr=[[e.value - e.low for _, e in with_ci],
                          [e.high - e.value for _, e in with_ci]],
                    fmt="none", ecolor="#1b1b1b", elinewidth=1.2, capsize=3, zorder=3)

    known = [e.value for _, e in shown]
    county = data.county.value if data.county else None
    top = max([*known, county or 0.0, data.target or 0.0, 1e-9])
    right = top * 1.22
    if unit in SHARE_UNITS and top > 0.85:
        right = max(right, 1.12)
    ax.set_xlim(0, right)
    known += [e.high for _, e in with_ci]
    right = max(right, max(known, default=0.0) * 1.12)
    ax.set_xlim(0, right)
    value_labels = []
    for y, e in zip(ys, entries, strict=True):
        if e.state == "value":
            x = e.high if e.low is not None and e.high is not None else e.value
            value_labels.append(ax.text(x + right * 0.01, y, format_value(e.value, unit),
                                        va="center", ha="left", fontsize=FONT_SIZE,
                                        bbox=_note_box(), zorder=4))
        else:
            label = WITHHELD_LABEL if e.state == "suppressed" else MISSING_LABEL
            ax.text(right * 0.01, y, label, va="center", ha="left", fontsize=FONT_SIZE,
                    style="italic", color=NOTE_COLOUR, zorder=4)

    handles = []
    if county is not None:
        handles.append(ax.axvline(county, color=COUNTY_COLOUR, linewidth=2, zorder=3,
                                  label=f"{COUNTY_LABEL}: {format_value(county, unit)}"))
    if data.target is not None:
        handles.append(ax.axvline(data.target, color=TARGET_COLOUR, linewidth=2,
                                  linestyle=(0, (5, 3)), zorder=3,
                                  label=f"Mål {TARGET_YEAR}: {format_value(data.target, unit)}"))

    ax.set_yticks(ys, [e.name for e in entries], fontsize=FONT_SIZE)
    ax.set_ylim(n - 0.4, -0.6)
    _value_axis(ax, "x", unit)
    add_title(fig, title)
    _line_legend(fig, handles)
    _clear_of_lines(fig, ax, value_labels, [x for x in (county, data.target) if x is not None],
                    gap=right * 0.01)
    return fig


def _clear_of_lines(fig: Figure, ax, labels: Sequence[Text], lines: Sequence[float],
                    gap: float) -> None:
    """Move a value label that a county or target line would cross to just right of
    the line, so that no line runs through a figure."""
    if not labels or not lines:
        return
    lay_out(fig)  # the final layout: text widths in data units
    renderer = fig.canvas.get_renderer()
    inverse = ax.transData.inverted()
    for label in labels:
        for line in sorted(lines):
            box = label.get_window_extent(renderer)
            (x0, _), (x1, _) = inverse.transform([(box.x0, box.y0), (box.x1, box.y0)])
            if x0 - gap / 2 <= line <= x1 + gap / 2:
                label.set_x(line + gap)


def _yes_no_dots(data: _Round, title: str) -> ReportFigure:
    """A dot table: a filled dot under "Ja" or an open ring under "Nej" per municipality."""
    rank = {"Ja": 0, "Nej": 1}
    entries = sorted(
        data.municipalities,
        key=lambda e: (rank[yes_no_text(e.value)] if e.state == "value" else
                       (2 if e.state == "suppressed" else 3), swedish_sort_key(e.name)),
    )
    n = len(entries)
    fig = new_figure(6.5, 0.42 * n + 2.4)
    ax = fig.add_subplot()
    ys = np.arange(n)
    for y, e in zip(ys, entries, strict=True):
        if e.state != "value":
            label = WITHHELD_LABEL if e.state == "suppressed" else MISSING_LABEL
            ax.text(0.5, y, label, ha="center", va="center", fontsize=FONT_SIZE,
                    style="italic", color=NOTE_COLOUR)
        elif yes_no_text(e.value) == "Ja":
            ax.plot(0, y, marker="o", markersize=13, color=BAR_COLOUR, linestyle="none")
        else:
            ax.plot(1, y, marker="o", markersize=13, markerfacecolor="white",
                    markeredgecolor=COUNTY_COLOUR, markeredgewidth=1.6, linestyle="none")
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xticks([0, 1], ["Ja", "Nej"], fontsize=FONT_SIZE, fontweight="bold")
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    ax.set_yticks(ys, [e.name for e in entries], fontsize=FONT_SIZE)
    ax.tick_params(axis="y", length=0)
    for y in ys:
        ax.axhline(y + 0.5, color="#E0E0E0", linewidth=0.8)
    for side in ax.spines.values():
        side.set_visible(False)
    add_title(fig, title)
    notes = []
    if data.county is not None and data.county.state == "value":
        notes.append(f"{COUNTY_LABEL}: {_census_text(data.county)}")
    if data.target is not None:
        notes.append(f"Mål {TARGET_YEAR}: {percent(data.target)}")
    if notes:
        add_footnote(fig, "   ".join(notes))
    return fig


def _census_text(entry: _Entry) -> str:
    """ "9 av 12 (75 %)" when the counts are known, else the share alone."""
    if entry.numerator is not None and entry.denominator:
        return f"{census(entry.numerator, entry.denominator)} ({percent(entry.value)})"
    return percent(entry.value)


def _point_label(entry: _Entry, unit: str) -> str:
    if unit == "andel_kommuner" and entry.numerator is not None and entry.denominator:
        return census(entry.numerator, entry.denominator)
    return format_value(entry.value, unit)


def _trend_rows(table: pd.DataFrame, indicator: str, area_code: str,
                target: float | None, names: Names | None = None
                ) -> tuple[list[_Entry], float | None]:
    rows = _select(table, indicator=indicator, area_code=area_code)
    if rows.empty:
        raise ParameterError(f"no rows for indicator {indicator!r} and area {area_code!r}")
    rows = rows.sort_values("round")
    return [_entry(r, names) for r in rows.to_dict("records")], _target(rows, target)


def trend_chart(table: pd.DataFrame, indicator: str, area_code: str, title: str, unit: str,
                target: float | None = None, target_year: int = TARGET_YEAR,
                names: Names | None = None) -> ReportFigure:
    """One area's value over the rounds with its interval and the target line to 2030.

    Each point's marker, colour and legend entry give its status; a round with a
    withheld or missing value is written out instead of drawn.
    """
    check_unit(unit)
    entries, target = _trend_rows(table, indicator, area_code, target, names)
    fig = new_figure(8.5, 5.2)
    ax = fig.add_subplot()
    shown = [e for e in entries if e.state == "value"]
    xs = [e.round for e in shown]
    ys = [e.value for e in shown]
    if len(shown) > 1:
        ax.plot(xs, ys, color=BAR_COLOUR, linewidth=2, zorder=2)
    for e in shown:
        if e.low is not None and e.high is not None:
            ax.errorbar([e.round], [e.value], yerr=[[e.value - e.low], [e.high - e.value]],
                        fmt="none", ecolor=BAR_COLOUR, elinewidth=1.6, capsize=7, zorder=2)

    handles: list = []
    seen: set[str] = set()
    for e in shown:
        style = status_style(e.status)
        ax.plot([e.round], [e.value], marker=style.marker, markersize=11, color=style.colour,
                markeredgecolor=COUNTY_COLOUR, markeredgewidth=1.0, linestyle="none", zorder=3)
        if style.label not in seen:
            seen.add(style.label)
            handles.append(Line2D([], [], marker=style.marker, markersize=10, color=style.colour,
                                  markeredgecolor=COUNTY_COLOUR, linestyle="none",
                                  label=f"{style.label} {style.symbol}"))

    highs = [e.high if e.high is not None else e.value for e in shown]
    top = max([*highs, target or 0.0, 1e-9])
    upper = top * 1.2
    if unit in SHARE_UNITS:
        upper = min(max(upper, 0.1), 1.15)
    ax.set_ylim(0, upper)
    for e in shown:
        above = (e.high if e.high is not None else e.value) + upper * 0.03
        ax.text(e.round, above, _point_label(e, unit), ha="center", va="bottom",
                fontsize=FONT_SIZE, bbox=_note_box(), zorder=4)
    for e in entries:
        if e.state != "value":
            label = WITHHELD_LABEL if e.state == "suppressed" else MISSING_LABEL
            ax.text(e.round, upper * 0.5, label, ha="center", va="center", fontsize=FONT_SIZE,
                    style="italic", color=NOTE_COLOUR)

    rounds = [e.round for e in entries]
    first = min(rounds)
    last = max(target_year, max(rounds))
    if target is not None:
        handles.append(ax.hlines(target, first, target_year, colors=TARGET_COLOUR,
                                 linestyles=(0, (5, 3)), linewidth=2, zorder=1,
                                 label=f"Mål {target_year}: {format_value(target, unit)}"))
        ax.plot([target_year], [target], marker="*", markersize=14, color=TARGET_COLOUR,
                linestyle="none", zorder=3)
    ticks = sorted(set(rounds) | set(range(first, last + 1, 2)))
    ax.set_xticks(ticks, [str(t) for t in ticks], fontsize=FONT_SIZE)
    ax.set_xlim(first - 0.8, last + 0.8)
    _value_axis(ax, "y", unit)
    area = entries[-1].name
    add_title(fig, title if area in title else f"{title}, {area}")
    _line_legend(fig, handles, ncol=min(4, max(1, len(handles))))
    fig.alt_text = alt_text_trend(table, indicator, area_code, title, unit, target, target_year,
                                  names)
    return fig


# ------------------------------------------------------------------------ uptake


def _matrix_labels(matrix: pd.DataFrame, municipality_names: Names | None,
                   programme_names: Mapping[str, str] | None) -> tuple[list[str], list[str]]:
    munis = [display_name(str(c), None, municipality_names) for c in matrix.index]
    progs = [(programme_names or {}).get(str(p)) or str(p) for p in matrix.columns]
    return munis, progs


def matrix_chart(matrix: pd.DataFrame, title: str,
                 municipality_names: Mapping[str, str] | None = None,
                 programme_names: Mapping[str, str] | None = None) -> ReportFigure:
    """Which municipality offers which programme: "●" where it does, "–" where unknown.

    `matrix` has municipalities as rows (codes or names) and programmes as columns
    (catalogue ids or names), as `evaluation.analysis.uptake` builds it. Programmes are drawn
    as rows so that their names stay horizontal; the last column counts municipalities.
    """
    munis, progs = _matrix_labels(matrix, municipality_names, programme_names)
    order = sorted(range(len(munis)), key=lambda i: swedish_sort_key(munis[i]))
    munis = [munis[i] for i in order]
    values = matrix.iloc[order].T
    n_prog, n_muni = values.shape
    wrapped = [_wrap(p, 34) for p in progs]
    lines = sum(max(1, w.count("\n") + 1) for w in wrapped)
    fig = new_figure(3.6 + 0.55 * (n_muni + 1.5), 0.34 * lines + 0.16 * n_prog + 2.8)
    ax = fig.add_subplot()
    for i, (_, row) in enumerate(values.iterrows()):
        for j, cell in enumerate(row):
            if _missing(cell):
                ax.text(j, i, "–", ha="center", va="center", fontsize=FONT_SIZE,
                        color=NOTE_COLOUR)
            elif bool(cell):
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#D6EAF5",
                                       edgecolor="none", zorder=1))
                ax.text(j, i, "●", ha="center", va="center", fontsize=FONT_SIZE + 2,
                        color=PALETTE["blue"], zorder=2)
        offered = int(sum(bool(c) for c in row if not _missing(c)))
        ax.text(n_muni + 0.4, i, str(offered), ha="center", va="center", fontsize=FONT_SIZE,
                fontweight="bold")
    for x in np.arange(-0.5, n_muni, 1.0):
        ax.axvline(x, color="#E0E0E0", linewidth=0.8, zorder=0)
    for y in np.arange(-0.5, n_prog, 1.0):
        ax.axhline(y, color="#E0E0E0", linewidth=0.8, zorder=0)
    ax.set_xlim(-0.5, n_muni + 1.0)
    ax.set_ylim(n_prog - 0.5, -0.5)
    ax.set_xticks([*range(n_muni), n_muni + 0.4], [*munis, "Antal\nkommuner"],
                  fontsize=FONT_SIZE, rotation=50, ha="left", rotation_mode="anchor")
    ax.xaxis.tick_top()
    ax.set_yticks(range(n_prog), wrapped, fontsize=FONT_SIZE)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    add_title(fig, title)
    add_footnote(fig, "● = programmet erbjuds    – = kommunen har inte svarat")
    fig.alt_text = alt_text_matrix(matrix, title, municipality_names, programme_names)
    return fig


def _class_shares(counts: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    numeric = counts.apply(pd.to_numeric, errors="coerce").astype("float64")
    totals = numeric.sum(axis=1, min_count=1)
    return numeric.div(totals.where(totals > 0), axis=0), totals


def stacked_share_chart(counts: pd.DataFrame, title: str, unit_label: str = "deltagare",
                        withheld: Mapping[tuple[str, str], str] | None = None) -> ReportFigure:
    """Each row of `counts` as a 100 % bar split by its columns (e.g. evidence classes).

    Every segment has its own colour and hatch and, when wide enough, its label
    written in it; the total is written at the right. An empty cell is a withheld
    count: shares are then of the published counts, and `withheld` ((row, column)
    -> text such as "<5") is written beside the total.
    """
    shares, totals = _class_shares(counts)
    rows = [str(r) for r in counts.index]
    n = len(rows)
    fig = new_figure(9.0, 0.7 * n + 2.6)
    ax = fig.add_subplot()
    handles = []
    for k, column in enumerate(counts.columns):
        colour, hatch = EVIDENCE_CLASS_STYLE.get(
            str(column), (list(PALETTE.values())[k % len(PALETTE)], ""))
        left = shares.iloc[:, :k].fillna(0).sum(axis=1).to_numpy()
        width = shares.iloc[:, k].fillna(0).to_numpy()
        ax.barh(range(n), width, left=left, height=0.6, color=colour, hatch=hatch,
                edgecolor="white", linewidth=1.0)
        handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor="white",
                             label=_class_label(column)))
        for i in range(n):
            if width[i] >= 0.09:
                text = f"{_short_class(column)} {percent(width[i])}"
                ax.text(left[i] + width[i] / 2, i, text, ha="center", va="center",
                        fontsize=SMALL_FONT_SIZE, color=ink_for(colour),
                        bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.5})
    for i, row in enumerate(rows):
        total = totals.iloc[i]
        text = (f"inga {unit_label}" if _missing(total) or total == 0
                else f"{number(total)} {unit_label}")
        hidden = [f"{_short_class(c)} {t}" for (r, c), t in (withheld or {}).items()
                  if str(r) == row]
        if hidden:
            text += "\n+ skyddat: " + ", ".join(hidden)
        ax.text(1.02, i, text, ha="left", va="center", fontsize=FONT_SIZE)
    ax.set_xlim(0, 1.0)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_yticks(range(n), rows, fontsize=FONT_SIZE)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(_tick_formatter("andel", 0.2))
    ax.tick_params(axis="x", labelsize=FONT_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    add_title(fig, title)
    fig.legend(handles=handles, loc="outside lower center", ncol=min(5, len(handles)),
               fontsize=FONT_SIZE, frameon=False)
    fig.alt_text = alt_text_stacked(counts, title, unit_label, withheld)
    return fig


def _short_class(column: object) -> str:
    return "Ej klass." if str(column) == "Ej klassificerat" else str(column)


def _class_label(column: object) -> str:
    text = str(column)
    return f"Klass {text}" if text in ("A", "B", "C", "D") else text


def _reach_counts(by_class: pd.DataFrame) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    classes = [c for c in EVIDENCE_CLASS_STYLE if c in set(by_class["evidence_class"])]
    classes += [c for c in dict.fromkeys(by_class["evidence_class"]) if c not in classes]
    counts = by_class.pivot(index="round", columns="evidence_class", values="participants")
    counts = counts.reindex(columns=classes)
    counts.index = [str(r) for r in counts.index]
    withheld = {}
    if "suppressed" in by_class:
        for row in by_class.loc[by_class["suppressed"].astype(bool)].to_dict("records"):
            withheld[(str(row["round"]), str(row["evidence_class"]))] = str(
                row.get("participants_text") or "..")
    return counts, withheld


def evidence_reach_chart(by_class: pd.DataFrame, title: str) -> ReportFigure:
    """Participants by evidence class, one 100 % bar per round (from `uptake`)."""
    counts, withheld = _reach_counts(by_class)
    return stacked_share_chart(counts, title, withheld=withheld)


# ------------------------------------------------------------------------ text alternatives


def alt_text_bars(table: pd.DataFrame, indicator: str, year: int, title: str, unit: str,
                  target: float | None = None, names: Names | None = None) -> str:
    """What `municipality_bars` shows, in Swedish: county, highest and lowest, every value."""
    check_unit(unit)
    data = _round_rows(table, indicator, year, target, names)
    heading = f"{_with_year(title, year)} per kommun"
    entries = sorted(data.municipalities, key=lambda e: swedish_sort_key(e.name))
    shown = [e for e in entries if e.state == "value"]
    withheld = [e.name for e in entries if e.state == "suppressed"]
    missing = [e.name for e in entries if e.state == "missing"]
    parts = []
    if unit == "andel_kommuner":
        parts.append(f"Punkttabell: {heading}.")
        if data.county is not None and data.county.state == "value":
            parts.append(f"{COUNTY_LABEL} {_census_text(data.county)}.")
        if data.target is not None:
            parts.append(f"Mål {TARGET_YEAR}: {percent(data.target)}.")
        yes = [e.name for e in shown if yes_no_text(e.value) == "Ja"]
        no = [e.name for e in shown if yes_no_text(e.value) == "Nej"]
        parts.append(f"Ja: {', '.join(yes) if yes else 'ingen kommun'}.")
        parts.append(f"Nej: {', '.join(no) if no else 'ingen kommun'}.")
    else:
        parts.append(f"Stapeldiagram: {heading}.")
        if data.county is not None and data.county.state == "value":
            parts.append(f"{COUNTY_LABEL} {spoken_value(data.county.value, unit)}.")
        elif data.county is not None and data.county.state == "suppressed":
            parts.append(f"{COUNTY_LABEL} {WITHHELD_LABEL}.")
        if shown:
            high = max(e.value for e in shown)
            low = min(e.value for e in shown)
            highest = join_names([e.name for e in shown if e.value == high])
            lowest = join_names([e.name for e in shown if e.value == low])
            parts.append(f"Högst {highest} {spoken_value(high, unit)}, "
                         f"lägst {lowest} {spoken_value(low, unit)}.")
        if data.target is not None:
            parts.append(f"Mål {TARGET_YEAR}: {spoken_value(data.target, unit)}.")
        values = [f"{e.name} {format_value(e.value, unit)}"
                  + (f" ({_interval(e.low, e.high, unit)})"
                     if e.low is not None and e.high is not None else "") for e in shown]
        if values:
            parts.append(f"Värden: {', '.join(values)}.")
    if withheld:
        parts.append(f"Skyddat (..): {', '.join(withheld)}.")
    if missing:
        parts.append(f"Svar saknas: {', '.join(missing)}.")
    return " ".join(parts)


def alt_text_trend(table: pd.DataFrame, indicator: str, area_code: str, title: str, unit: str,
                   target: float | None = None, target_year: int = TARGET_YEAR,
                   names: Names | None = None) -> str:
    """What `trend_chart` shows, in Swedish: each round's value, interval and status."""
    check_unit(unit)
    entries, target = _trend_rows(table, indicator, area_code, target, names)
    area = entries[-1].name
    rounds = [e.round for e in entries]
    span = str(rounds[0]) if len(set(rounds)) == 1 else f"{rounds[0]}–{rounds[-1]}"
    heading = title if area in title else f"{title}, {area}"
    parts = [f"Linjediagram: {heading}, {span}."]
    for e in entries:
        if e.state != "value":
            label = WITHHELD_LABEL if e.state == "suppressed" else MISSING_LABEL
            parts.append(f"{e.round}: {label}.")
            continue
        text = f"{e.round}: {_point_label(e, unit)}"
        if unit == "andel_kommuner" and e.numerator is not None and e.denominator:
            text += f" ({percent(e.value)})"
        if unit == "per_1000":
            text += f" per 1{NBSP}000"
        if e.low is not None and e.high is not None:
            text += f" (konfidensintervall {_interval(e.low, e.high, unit)})"
        if e.status:
            text += f", {status_style(e.status).label.lower()}"
        parts.append(text + ".")
    if target is not None:
        parts.append(f"Mål {target_year}: {spoken_value(target, unit)}.")
    return " ".join(parts)


def alt_text_matrix(matrix: pd.DataFrame, title: str,
                    municipality_names: Mapping[str, str] | None = None,
                    programme_names: Mapping[str, str] | None = None) -> str:
    """What `matrix_chart` shows: for every programme, the municipalities offering it."""
    munis, progs = _matrix_labels(matrix, municipality_names, programme_names)
    parts = [f"Matris: {title}. {len(munis)} kommuner och {len(progs)} program."]
    for j, prog in enumerate(progs):
        column = matrix.iloc[:, j]
        offering = sorted((m for m, v in zip(munis, column, strict=True)
                           if not _missing(v) and bool(v)), key=swedish_sort_key)
        if offering:
            many = "kommun" if len(offering) == 1 else "kommuner"
            parts.append(f"{prog}: {len(offering)} {many} ({', '.join(offering)}).")
        else:
            parts.append(f"{prog}: ingen kommun.")
    unanswered = [m for m, (_, row) in zip(munis, matrix.iterrows(), strict=True)
                  if row.isna().all() and len(row)]
    if unanswered:
        parts.append(f"Har inte svarat: {', '.join(sorted(unanswered, key=swedish_sort_key))}.")
    return " ".join(parts)


def alt_text_stacked(counts: pd.DataFrame, title: str, unit_label: str = "deltagare",
                     withheld: Mapping[tuple[str, str], str] | None = None) -> str:
    """What `stacked_share_chart` shows: each row's total and its split, in percent."""
    shares, totals = _class_shares(counts)
    parts = [f"Stapeldiagram: {title}."]
    for i, row in enumerate(counts.index):
        total = totals.iloc[i]
        if _missing(total) or total == 0:
            parts.append(f"{row}: inga {unit_label}.")
            continue
        split = [f"{_class_label(c)} {percent(shares.iloc[i, k])}"
                 for k, c in enumerate(counts.columns) if not _missing(shares.iloc[i, k])]
        hidden = [f"{_class_label(c)} {t}" for (r, c), t in (withheld or {}).items()
                  if str(r) == str(row)]
        text = f"{row}: {number(total)} {unit_label}"
        if hidden:
            text += f" i klasser med publicerade antal; {', '.join(split)}"
            text += f"; skyddat: {', '.join(hidden)}"
        else:
            text += f"; {', '.join(split)}"
        parts.append(text + ".")
    return " ".join(parts)


def alt_text_evidence_reach(by_class: pd.DataFrame, title: str) -> str:
    """What `evidence_reach_chart` shows."""
    counts, withheld = _reach_counts(by_class)
    return alt_text_stacked(counts, title, withheld=withheld)


# ------------------------------------------------------------------------ adoption

#: The newest round is solid blue; earlier rounds, newest first, differ by colour
#: and hatch, so rounds can be told apart without colour.
NEWEST_ROUND_STYLE = (PALETTE["blue"], "")
EARLIER_ROUND_STYLES = ((PALETTE["sky_blue"], "//"), (PALETTE["orange"], ".."),
                        (PALETTE["bluish_green"], "xx"))


def _adoption_counts(programmes: pd.DataFrame, names: Mapping[str, str] | None,
                     only: Sequence[str] | None = None) -> pd.DataFrame:
    """Municipalities offering each programme (rows) per round (columns); with `only`,
    those programmes (ids), every round still a column."""
    counts = programmes.pivot_table(index="name", columns="round", values="municipalities",
                                    aggfunc="sum", fill_value=0)
    if only is not None:
        keep = set(programmes.loc[programmes["programme"].isin(set(only)), "name"])
        counts = counts.loc[[name for name in counts.index if name in keep]]
    counts = counts.sort_values(list(counts.columns)[::-1], ascending=False)
    counts.index = [(names or {}).get(str(i), str(i)) for i in counts.index]
    return counts


#: At most this many programmes in a chart of programmes: a county that reports every
#: local activity would otherwise draw hundreds of rows (megabytes of image); the
#: uptake table lists them all.
CHART_PROGRAMMES = 25


def most_offered(programmes: pd.DataFrame, limit: int | None = None) -> list[str]:
    """The `limit` (default `CHART_PROGRAMMES`) programmes offered by most municipalities
    in the newest round (then in the rounds before, then by name): the ones a chart of
    programmes draws.

    `programmes` is `Uptake.programmes`; municipalities offering a programme are a
    published count of municipalities, not of parents, so ranking by them shows nothing
    disclosure control withheld.
    """
    if programmes.empty:
        return []
    counts = programmes.pivot_table(index="programme", columns="round", values="municipalities",
                                    aggfunc="sum", fill_value=0)
    names = programmes.drop_duplicates("programme").set_index("programme")["name"]
    order = sorted(counts.index, key=lambda p: (
        [-int(counts.at[p, year]) for year in sorted(counts.columns, reverse=True)],
        swedish_sort_key(str(names.get(p, p)))))
    return [str(p) for p in order[:CHART_PROGRAMMES if limit is None else limit]]


def adoption_chart(programmes: pd.DataFrame, title: str,
                   names: Mapping[str, str] | None = None,
                   only: Sequence[str] | None = None) -> ReportFigure:
    """How many municipalities offer each programme, one bar per round.

    `programmes` is `Uptake.programmes` (one row per programme and round); `only`:
    the programmes to draw (ids, as `most_offered` gives them), all by default.
    """
    counts = _adoption_counts(programmes, names, only)
    rounds = list(counts.columns)[-1 - len(EARLIER_ROUND_STYLES):]
    styles = [*EARLIER_ROUND_STYLES[:len(rounds) - 1][::-1], NEWEST_ROUND_STYLE]
    n, k = len(counts), len(rounds)
    fig = new_figure(9.0, 0.55 * n * max(k, 1) ** 0.5 + 2.6)
    ax = fig.add_subplot()
    height = 0.8 / max(k, 1)
    handles = []
    for j, year in enumerate(rounds):
        colour, hatch = styles[j]
        ys = np.arange(n) - 0.4 + height * (j + 0.5)
        values = counts[year].to_numpy()
        ax.barh(ys, values, height=height * 0.92, color=colour, hatch=hatch,
                edgecolor="white", linewidth=0.8)
        for y, v in zip(ys, values, strict=True):
            ax.text(v + 0.1, y, f"{int(v)}", va="center", fontsize=SMALL_FONT_SIZE)
        handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor="white", label=str(year)))
    ax.set_yticks(range(n), [_wrap(name, 28) for name in counts.index], fontsize=FONT_SIZE)
    ax.set_ylim(n - 0.5, -0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Antal kommuner", fontsize=FONT_SIZE)
    ax.tick_params(axis="x", labelsize=FONT_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    add_title(fig, title)
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles),
               fontsize=FONT_SIZE, frameon=False)
    fig.alt_text = alt_text_adoption(programmes, title, names, only)
    return fig


def alt_text_adoption(programmes: pd.DataFrame, title: str,
                      names: Mapping[str, str] | None = None,
                      only: Sequence[str] | None = None) -> str:
    """What `adoption_chart` shows, in Swedish: every programme's count per round."""
    counts = _adoption_counts(programmes, names, only)
    rounds = [str(r) for r in counts.columns]
    parts = [f"Stapeldiagram: {title}, antal kommuner per program och omgång "
             f"({join_names(rounds)})."]
    for name, row in counts.iterrows():
        values = ", ".join(f"{r}: {int(v)}" for r, v in zip(rounds, row, strict=True))
        parts.append(f"{name}: {values}.")
    return " ".join(parts)
