"""Report charts: what each figure draws and says, read back from its Axes.

The tidy tables are written out by hand for Örebro län; every expected text,
count and position below follows from those rows, not from the code under test.
"""

from __future__ import annotations

import itertools

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.text import Text

from evaluation.errors import ParameterError
from evaluation.report import charts, style

pytestmark = pytest.mark.filterwarnings("error")

NBSP = "\u00a0"
SHARE_TITLE = "Andel män bland deltagande föräldrar"

#: code, name as the tidy table has it, and the short name readers know.
OREBRO_LAN = [
    ("1814", "Lekebergs kommun", "Lekeberg"),
    ("1860", "Laxå kommun", "Laxå"),
    ("1861", "Hallsbergs kommun", "Hallsberg"),
    ("1862", "Degerfors kommun", "Degerfors"),
    ("1863", "Hällefors kommun", "Hällefors"),
    ("1864", "Ljusnarsbergs kommun", "Ljusnarsberg"),
    ("1880", "Örebro kommun", "Örebro"),
    ("1881", "Kumla kommun", "Kumla"),
    ("1882", "Askersunds kommun", "Askersund"),
    ("1883", "Karlskoga kommun", "Karlskoga"),
    ("1884", "Nora kommun", "Nora"),
    ("1885", "Lindesbergs kommun", "Lindesberg"),
]
SHORT = {code: short for code, _, short in OREBRO_LAN}
#: Catalogue names, as the round result carries them.
PROGRAMMES = {"abc": "ABC – Alla Barn i Centrum", "komet": "Komet"}
MATRIX_NAMES = {"municipality_names": SHORT, "programme_names": PROGRAMMES}
#: Share of men, 2026. Ljusnarsberg is withheld, Hällefors did not answer.
SHARES = {"1814": 0.30, "1860": 0.10, "1861": 0.25, "1862": 0.15, "1863": None,
          "1864": "withheld", "1880": 0.24, "1881": 0.12, "1882": 0.20, "1883": 0.22,
          "1884": 0.35, "1885": 0.28}
#: Yes/no answers (local plan), 2026: 1 yes, 0 no, None not answered.
ANSWERS = {"1814": 1, "1860": 0, "1861": 1, "1862": 1, "1863": None, "1864": 1,
           "1880": 1, "1881": 1, "1882": 0, "1883": 1, "1884": 1, "1885": 1}


def sv(text: str) -> str:
    """Expected text as typed here, with the no-break space Swedish figures use."""
    return text.replace(" %", f"{NBSP}%").replace("1 000", f"1{NBSP}000")


def row(year: int, level: str, code: str, name: str, indicator: str, value: object, *,
        numerator: int | None = None, denominator: int | None = None,
        ci: tuple[float, float] | None = None, target: float | None = None,
        status: str = "") -> dict:
    withheld = value == "withheld"
    return {
        "round": year, "level": level, "area_code": code, "area_name": name,
        "indicator": indicator, "numerator": numerator, "denominator": denominator,
        "value": None if withheld else value,
        "ci_low": ci[0] if ci else None, "ci_high": ci[1] if ci else None,
        "target": target, "status": status, "suppressed": withheld,
    }


def tidy(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    return frame.astype({"round": "int64", "numerator": "Int64", "denominator": "Int64",
                         "value": "Float64", "ci_low": "Float64", "ci_high": "Float64",
                         "target": "Float64", "suppressed": "bool"})


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rows = [row(2026, "county", "18", "Örebro län", "1.5", 0.21, ci=(0.18, 0.24),
                status="på väg"),
            row(2024, "county", "18", "Örebro län", "1.5", 0.18, ci=(0.15, 0.21),
                status="baslinje"),
            row(2028, "county", "18", "Örebro län", "1.5", "withheld"),
            row(2026, "county", "18", "Örebro län", "3.3", 0.75, numerator=9,
                denominator=12, target=1.0, status="på väg"),
            row(2024, "county", "18", "Örebro län", "3.3", 0.5, numerator=6,
                denominator=12, target=1.0, status="baslinje"),
            row(2026, "county", "18", "Örebro län", "1.4", 8.5, ci=(7.9, 9.1))]
    for code, name, _ in OREBRO_LAN:
        rows.append(row(2026, "municipality", code, name, "1.5", SHARES[code]))
        rows.append(row(2026, "municipality", code, name, "3.3", ANSWERS[code], target=1.0))
        rows.append(row(2026, "municipality", code, name, "1.4",
                        12.34 if code == "1880" else 4.56))
    return tidy(rows)


@pytest.fixture(scope="module")
def bars(table):
    return charts.municipality_bars(table, "1.5", 2026, SHARE_TITLE, "andel", target=0.5,
                                    names=SHORT)


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def y_label_positions(ax) -> dict[str, float]:
    return {label.get_text(): y for label, y in zip(ax.get_yticklabels(), ax.get_yticks(),
                                                    strict=True)}


def bar_widths(ax) -> dict[float, float]:
    """Bar y centre -> width, for the bars of a horizontal bar chart."""
    return {round(p.get_y() + p.get_height() / 2, 6): p.get_width()
            for p in ax.containers[0].patches}


# ------------------------------------------------------------------------ bars


def test_bars_one_per_municipality_with_a_value_highest_first(bars):
    ax = bars.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == ["Nora", "Lekeberg", "Lindesberg", "Hallsberg", "Örebro", "Karlskoga",
                     "Askersund", "Degerfors", "Kumla", "Laxå", "Ljusnarsberg", "Hällefors"]
    widths = bar_widths(ax)
    assert len(widths) == 10
    positions = y_label_positions(ax)
    assert widths[positions["Nora"]] == pytest.approx(0.35)
    assert widths[positions["Laxå"]] == pytest.approx(0.10)


def test_withheld_value_has_no_bar_and_reads_skyddat(bars):
    ax = bars.axes[0]
    y = y_label_positions(ax)["Ljusnarsberg"]
    assert y not in bar_widths(ax)
    labels = [t for t in ax.texts if t.get_position()[1] == y]
    assert [t.get_text() for t in labels] == [".. skyddat"]


def test_municipality_that_did_not_answer_reads_svar_saknas(bars):
    ax = bars.axes[0]
    y = y_label_positions(ax)["Hällefors"]
    assert y not in bar_widths(ax)
    assert [t.get_text() for t in ax.texts if t.get_position()[1] == y] == ["– saknas"]


def test_each_bar_is_labelled_with_its_percent(bars):
    ax = bars.axes[0]
    y = y_label_positions(ax)
    by_row = {t.get_position()[1]: t.get_text() for t in ax.texts}
    assert by_row[y["Nora"]] == sv("35 %")
    assert by_row[y["Örebro"]] == sv("24 %")


def test_county_line_and_dashed_target_line_are_drawn_and_labelled(bars):
    ax = bars.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    county = lines[sv("Länet: 21 %")]
    target = lines[sv("Mål 2030: 50 %")]
    assert county.get_xdata()[0] == pytest.approx(0.21)
    assert target.get_xdata()[0] == pytest.approx(0.5)
    assert county.get_linestyle() == "-"
    assert target.get_linestyle() == "--"
    legend = [t.get_text() for t in bars.legends[0].get_texts()]
    assert legend == [sv("Länet: 21 %"), sv("Mål 2030: 50 %")]


def test_target_defaults_to_the_tables_target(table):
    fig = charts.municipality_bars(table, "1.4", 2026, "Föräldrar i program", "per_1000",
                                   target=None, names=SHORT)
    assert not any(label.startswith("Mål") for label in
                   (line.get_label() for line in fig.axes[0].get_lines()))


def test_share_axis_reads_percent_with_a_space(bars):
    bars.canvas.draw()
    ticks = [t.get_text() for t in bars.axes[0].get_xticklabels() if t.get_text()]
    assert sv("0 %") in ticks and sv("20 %") in ticks
    assert all(t.endswith(f"{NBSP}%") for t in ticks)


def test_rate_bars_use_a_decimal_comma(table):
    fig = charts.municipality_bars(table, "1.4", 2026, "Föräldrar i program", "per_1000",
                                   names=SHORT)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert "12,3" in [t.get_text() for t in ax.texts]
    assert "4,6" in [t.get_text() for t in ax.texts]
    assert sv("Länet: 8,5") in [line.get_label() for line in ax.get_lines()]
    assert not any("." in t.get_text() for t in ax.get_xticklabels())
    assert ax.get_xlabel() == sv("Per 1 000")


def test_tick_steps_of_two_and_a_half_keep_their_decimal():
    axis_ticks = charts._tick_formatter("per_1000", 2.5)
    assert [axis_ticks(x) for x in (0, 2.5, 5.0)] == ["0,0", "2,5", "5,0"]
    assert charts._tick_formatter("andel", 0.2)(0.4) == sv("40 %")


def test_yes_no_indicator_is_a_dot_table_under_ja_and_nej(table):
    fig = charts.municipality_bars(table, "3.3", 2026, "Kommuner med lokal plan",
                                   "andel_kommuner", names=SHORT)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Ja", "Nej"]
    assert not ax.patches
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    filled = [d for d in dots if d.get_xdata()[0] == 0]
    hollow = [d for d in dots if d.get_xdata()[0] == 1]
    assert len(filled) == 9 and len(hollow) == 2
    assert all(mcolors.to_hex(d.get_markerfacecolor()) == "#ffffff" for d in hollow)
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names[:9] == ["Degerfors", "Hallsberg", "Karlskoga", "Kumla", "Lekeberg",
                         "Lindesberg", "Ljusnarsberg", "Nora", "Örebro"]
    assert names[9:] == ["Askersund", "Laxå", "Hällefors"]
    assert "– saknas" in [t.get_text() for t in ax.texts]
    assert sv("Länet: 9 av 12 (75 %)   Mål 2030: 100 %") in texts(fig)


def test_no_labels_overlap_for_twelve_municipalities(bars):
    bars.canvas.draw()
    renderer = bars.canvas.get_renderer()
    ax = bars.axes[0]
    names = [t.get_window_extent(renderer) for t in ax.get_yticklabels()]
    values = [t.get_window_extent(renderer) for t in ax.texts]
    for a, b in itertools.combinations(names, 2):
        assert not a.overlaps(b)
    for a, b in itertools.combinations(values, 2):
        assert not a.overlaps(b)
    for name, value in itertools.product(names, values):
        assert not name.overlaps(value)


# ------------------------------------------------------------------------ trend


def test_trend_draws_intervals_status_markers_and_target_to_2030(table):
    fig = charts.trend_chart(table, "1.5", "18", SHARE_TITLE, "andel", target=0.5)
    ax = fig.axes[0]
    markers = {line.get_marker(): line for line in ax.get_lines()
               if line.get_linestyle() == "None" and line.get_marker() in "s^"}
    # positions are the table's values drawn as given: equal to float precision
    assert (markers["s"].get_xdata()[0], markers["s"].get_ydata()[0]) == pytest.approx(
        (2024, 0.18), abs=1e-12)
    assert (markers["^"].get_xdata()[0], markers["^"].get_ydata()[0]) == pytest.approx(
        (2026, 0.21), abs=1e-12)
    intervals = [c for c in ax.collections if isinstance(c, LineCollection)
                 and c.get_label() != sv("Mål 2030: 50 %")]
    segments = sorted(tuple(v for point in s for v in point) for c in intervals
                      for s in c.get_segments() if s[0][0] == s[1][0])
    assert segments == [pytest.approx((2024, 0.15, 2024, 0.21), abs=1e-12),
                        pytest.approx((2026, 0.18, 2026, 0.24), abs=1e-12)]
    target = next(c for c in ax.collections if c.get_label() == sv("Mål 2030: 50 %"))
    assert [tuple(v for point in s for v in point) for s in target.get_segments()] == [
        pytest.approx((2024, 0.5, 2030, 0.5), abs=1e-12)]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024", "2026", "2028", "2030"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Baslinje ■", "På väg ↗", sv("Mål 2030: 50 %")]
    assert ".. skyddat" in [t.get_text() for t in ax.texts]


def test_trend_with_one_round_shows_the_census_and_the_tables_target(table):
    one = table.loc[table["round"] == 2024]
    fig = charts.trend_chart(one, "3.3", "18", "Kommuner med lokal plan", "andel_kommuner")
    ax = fig.axes[0]
    assert "6 av 12" in [t.get_text() for t in ax.texts]
    assert any(c.get_label() == sv("Mål 2030: 100 %") for c in ax.collections)
    assert fig.get_suptitle() == "Kommuner med lokal plan, Örebro län"


def test_trend_with_two_rounds_joins_them_with_a_line(table):
    fig = charts.trend_chart(table, "3.3", "18", "Kommuner med lokal plan", "andel_kommuner")
    joined = [line for line in fig.axes[0].get_lines() if len(line.get_xdata()) == 2]
    assert len(joined) == 1
    assert list(joined[0].get_xdata()) == [2024, 2026]
    assert list(joined[0].get_ydata()) == pytest.approx([0.5, 0.75], abs=1e-12)


# ------------------------------------------------------------------------ matrix, reach


@pytest.fixture(scope="module")
def matrix() -> pd.DataFrame:
    frame = pd.DataFrame(
        {"abc": [True, pd.NA, True], "komet": [False, pd.NA, True],
         "Egen föräldragrupp": [True, pd.NA, False]},
        index=pd.Index(["1882", "1814", "1880"], name="municipality"), dtype="boolean")
    frame.columns.name = "programme"
    return frame


def test_matrix_marks_offered_cells_with_dots_and_unanswered_with_dashes(matrix):
    fig = charts.matrix_chart(matrix, "Program 2026", **MATRIX_NAMES)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts].count("●") == 4
    assert [t.get_text() for t in ax.texts].count("–") == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "ABC – Alla Barn i Centrum", "Komet", "Egen föräldragrupp"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Askersund", "Lekeberg", "Örebro", "Antal\nkommuner"]
    counts = [t.get_text() for t in ax.texts if t.get_text().isdigit()]
    assert counts == ["2", "1", "1"]


def test_matrix_alt_text_names_who_offers_each_programme(matrix):
    assert charts.alt_text_matrix(matrix, "Program 2026", **MATRIX_NAMES) == (
        "Matris: Program 2026. 3 kommuner och 3 program. "
        "ABC – Alla Barn i Centrum: 2 kommuner (Askersund, Örebro). "
        "Komet: 1 kommun (Örebro). Egen föräldragrupp: 1 kommun (Askersund). "
        "Har inte svarat: Lekeberg.")


@pytest.fixture(scope="module")
def by_class() -> pd.DataFrame:
    rows = []
    for year, counts in ((2024, (30, 50, 0, 0, 20)), (2026, (60, 90, 30, None, 20))):
        for cls, n in zip(("A", "B", "C", "D", "Ej klassificerat"), counts, strict=True):
            rows.append({"round": year, "evidence_class": cls, "participants": n,
                         "suppressed": n is None, "participants_text": "<5" if n is None
                         else str(n)})
    return pd.DataFrame(rows).astype({"participants": "Int64"})


def test_reach_by_evidence_class_writes_shares_and_totals(by_class):
    fig = charts.evidence_reach_chart(by_class, "Deltagare efter evidensklass")
    ax = fig.axes[0]
    written = [t.get_text() for t in ax.texts]
    assert written == [sv("A 30 %"), sv("A 30 %"), sv("B 50 %"), sv("B 45 %"), sv("C 15 %"),
                       sv("Ej klass. 20 %"), sv("Ej klass. 10 %"),
                       "100 deltagare", "200 deltagare\n+ skyddat: D <5"]
    hatches = {p.get_hatch() for p in ax.patches}
    assert len(hatches) == 5
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Klass A", "Klass B", "Klass C", "Klass D", "Ej klassificerat"]


def test_reach_alt_text_gives_each_rounds_split(by_class):
    assert charts.alt_text_evidence_reach(by_class, "Deltagare efter evidensklass") == sv(
        "Stapeldiagram: Deltagare efter evidensklass. 2024: 100 deltagare; Klass A 30 %, "
        "Klass B 50 %, Klass C 0 %, Klass D 0 %, Ej klassificerat 20 %. 2026: 200 deltagare "
        "i klasser med publicerade antal; Klass A 30 %, Klass B 45 %, Klass C 15 %, "
        "Ej klassificerat 10 %; skyddat: Klass D <5.")


# ------------------------------------------------------------------------ text alternatives


def test_bars_alt_text_lists_every_municipality_in_swedish_format(table):
    text = charts.alt_text_bars(table, "1.5", 2026, SHARE_TITLE, "andel", target=0.5, names=SHORT)
    assert text == sv(
        "Stapeldiagram: Andel män bland deltagande föräldrar 2026 per kommun. Länet 21 %. "
        "Högst Nora 35 %, lägst Laxå 10 %. Mål 2030: 50 %. Värden: Askersund 20 %, "
        "Degerfors 15 %, Hallsberg 25 %, Karlskoga 22 %, Kumla 12 %, Laxå 10 %, "
        "Lekeberg 30 %, Lindesberg 28 %, Nora 35 %, Örebro 24 %. Skyddat (..): Ljusnarsberg. "
        "Svar saknas: Hällefors.")


def test_rate_alt_text_says_per_thousand(table):
    text = charts.alt_text_bars(table, "1.4", 2026, "Föräldrar i program", "per_1000", names=SHORT)
    assert text.startswith(sv("Stapeldiagram: Föräldrar i program 2026 per kommun. "
                              "Länet 8,5 per 1 000. Högst Örebro 12,3 per 1 000, lägst "))
    assert sv("Värden: Askersund 4,6, Degerfors 4,6,") in text


def test_yes_no_alt_text_lists_ja_and_nej(table):
    text = charts.alt_text_bars(table, "3.3", 2026, "Kommuner med lokal plan",
                                "andel_kommuner", names=SHORT)
    assert text == sv(
        "Punkttabell: Kommuner med lokal plan 2026 per kommun. Länet 9 av 12 (75 %). "
        "Mål 2030: 100 %. Ja: Degerfors, Hallsberg, Karlskoga, Kumla, Lekeberg, Lindesberg, "
        "Ljusnarsberg, Nora, Örebro. Nej: Askersund, Laxå. Svar saknas: Hällefors.")


def test_trend_alt_text_gives_each_round_with_interval_and_status(table):
    text = charts.alt_text_trend(table, "1.5", "18", SHARE_TITLE, "andel", target=0.5)
    assert text == sv(
        "Linjediagram: Andel män bland deltagande föräldrar, Örebro län, 2024–2028. "
        "2024: 18 % (konfidensintervall 15–21 %), baslinje. "
        "2026: 21 % (konfidensintervall 18–24 %), på väg. 2028: .. skyddat. "
        "Mål 2030: 50 %.")


# ------------------------------------------------------------------------ style, legibility


def test_every_status_differs_by_marker_and_symbol_not_only_colour():
    styles = list(style.STATUS_STYLE.values())
    assert len({s.marker for s in styles}) == len(styles)
    assert len({s.symbol for s in styles}) == len(styles)
    assert style.status_style(None).label == "Ingen bedömning"
    assert style.status_style(pd.NA).label == "Ingen bedömning"
    assert style.status_style("På väg").label == "På väg"


#: Okabe & Ito (2008), "Color Universal Design": the eight colours, and the neutral grey
#: R's `palette.colors(palette = "Okabe-Ito")` adds as its ninth.
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7", "#999999"}


def _hex(colour) -> str:
    return mcolors.to_hex(colour).upper()


def test_bars_lines_and_status_markers_are_drawn_in_okabe_ito_colours(table, bars):
    ax = bars.axes[0]
    drawn = {_hex(p.get_facecolor()) for p in ax.containers[0].patches}
    drawn |= {_hex(line.get_color()) for line in ax.get_lines()}
    trend = charts.trend_chart(table, "1.5", "18", SHARE_TITLE, "andel", target=0.5).axes[0]
    markers = [line for line in trend.get_lines() if line.get_marker() in "s^"]
    assert markers
    drawn |= {_hex(line.get_markerfacecolor()) for line in markers}
    drawn |= {_hex(c) for coll in trend.collections for c in coll.get_edgecolor()}
    assert drawn <= OKABE_ITO, drawn - OKABE_ITO
    # bars, county line and target line each in a colour of their own
    lines = {line.get_label(): _hex(line.get_color()) for line in ax.get_lines()}
    bar_colours = {_hex(p.get_facecolor()) for p in ax.containers[0].patches}
    assert len(bar_colours) == 1
    assert len({*bar_colours, lines[sv("Länet: 21 %")], lines[sv("Mål 2030: 50 %")]}) == 3


def test_unknown_unit_and_missing_rows_are_refused(table):
    with pytest.raises(ParameterError, match="unknown unit 'procent'"):
        charts.municipality_bars(table, "1.5", 2026, SHARE_TITLE, "procent", names=SHORT)
    with pytest.raises(ParameterError, match=r"no rows for indicator '1\.5' in round 2030"):
        charts.municipality_bars(table, "1.5", 2030, SHARE_TITLE, "andel", names=SHORT)


def test_all_text_is_at_least_ten_points_and_renders_without_missing_glyphs(
        table, bars, matrix, by_class, tmp_path):
    figures = {
        "bars": bars,
        "dots": charts.municipality_bars(table, "3.3", 2026, "Kommuner med lokal plan",
                                         "andel_kommuner", names=SHORT),
        "trend": charts.trend_chart(table, "1.5", "18", SHARE_TITLE, "andel", target=0.5),
        "matrix": charts.matrix_chart(matrix, "Program 2026", **MATRIX_NAMES),
        "reach": charts.evidence_reach_chart(by_class, "Deltagare efter evidensklass"),
    }
    for name, fig in figures.items():
        fig.savefig(tmp_path / f"{name}.png")  # a missing glyph warns, and warnings fail
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
        sizes = [t.get_fontsize() for t in fig.findobj(Text)
                 if t.get_text() and t.get_visible()]
        assert sizes and min(sizes) >= 10, name
    assert np.allclose(figures["bars"].get_size_inches()[0], 8.5)


def test_figure_shows_in_html_as_an_image_with_its_escaped_text_alternative(table):
    fig = charts.municipality_bars(table, "1.5", 2026, "Andel <script>x</script>", "andel",
                                   names=SHORT)
    assert fig.alt_text.startswith("Stapeldiagram: Andel <script>x</script> 2026 per kommun.")
    shown = fig._repr_html_()
    assert shown.startswith('<img src="data:image/png;base64,')
    assert 'alt="Stapeldiagram: Andel &lt;script&gt;x&lt;/script&gt; 2026 per kommun.' in shown
    assert "<script>" not in shown


def test_adoption_chart_has_one_bar_per_programme_and_round_and_says_each_count():
    from evaluation.report.charts import adoption_chart, alt_text_adoption

    programmes = pd.DataFrame({
        "round": [2024, 2024, 2026, 2026, 2026],
        "name": ["ABC", "Komet", "ABC", "Komet", "Connect"],
        "municipalities": [6, 5, 10, 7, 4],
    })
    fig = adoption_chart(programmes, "Kommuner per program")
    bars = [p for p in fig.axes[0].patches if p.get_width() > 0]
    # 3 programmes × 2 rounds, less Connect's 0 in 2024
    assert sorted(round(b.get_width()) for b in bars) == [4, 5, 6, 7, 10]
    alt = alt_text_adoption(programmes, "Kommuner per program")
    assert "ABC: 2024: 6, 2026: 10." in alt
    assert "Connect: 2024: 0, 2026: 4." in alt
    assert alt.index("ABC") < alt.index("Komet") < alt.index("Connect")


def _many_programmes(count: int) -> pd.DataFrame:
    """`count` local programmes offered in 2026 by 12, 11, … municipalities (cycling),
    and ABC, offered by 3 municipalities in 2024 and 2 in 2026."""
    rows = [{"round": 2024, "programme": "abc", "name": "ABC", "municipalities": 3},
            {"round": 2026, "programme": "abc", "name": "ABC", "municipalities": 2}]
    rows += [{"round": 2026, "programme": f"Lokalt {i:03d}", "name": f"Lokalt {i:03d}",
              "municipalities": 12 - i % 12} for i in range(count)]
    return pd.DataFrame(rows)


def test_most_offered_ranks_by_municipalities_in_the_newest_round_then_name():
    programmes = _many_programmes(40)
    shown = charts.most_offered(programmes)
    assert len(shown) == charts.CHART_PROGRAMMES == 25
    # 12 municipalities: Lokalt 000, 012, 024, 036; 11: 001, 013, 025, 037; …
    assert shown[:5] == ["Lokalt 000", "Lokalt 012", "Lokalt 024", "Lokalt 036", "Lokalt 001"]
    assert "abc" not in shown  # 2 municipalities now: below every local programme
    assert charts.most_offered(_many_programmes(3)) == [
        "Lokalt 000", "Lokalt 001", "Lokalt 002", "abc"]


def test_a_chart_of_hundreds_of_programmes_draws_only_the_most_offered_with_every_round():
    programmes = _many_programmes(400)
    shown = charts.most_offered(programmes)
    fig = charts.adoption_chart(programmes, "Kommuner per program", only=shown)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 25 and set(labels) <= set(programmes["name"])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["2024", "2026"]
    alt = charts.alt_text_adoption(programmes, "Kommuner per program", only=shown)
    assert "Lokalt 000: 2024: 0, 2026: 12." in alt and "Lokalt 011" not in alt
    # the image no longer grows with the programmes: 400 draw as 25 do
    few = charts.adoption_chart(programmes, "Kommuner per program",
                                only=charts.most_offered(_many_programmes(25)))
    assert fig.get_size_inches()[1] == pytest.approx(few.get_size_inches()[1])
