"""What readers see of the published round: the uptake table at 1 280 px, counts in
that table and on charts, reference lines clear of value labels, census figures that
stay on one line. The layout checks run in headless Chromium where it is installed."""

from __future__ import annotations

import importlib.util
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pandas as pd
import pytest

from evaluation.analysis.rounds import compute
from evaluation.report import charts
from evaluation.report import sections as report
from evaluation.report.formatting import NBSP, value_text

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "evaluation" / "templates"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def result(example_result):
    return example_result


class _Rows(HTMLParser):
    """The header and the rows of the first table, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _rows(html: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


# -- the uptake table -------------------------------------------------------------


def test_programme_nobody_offered_last_round_counts_zero_municipalities_then(result):
    programmes = result.uptake.programmes
    before = set(programmes.loc[programmes["round"] == result.previous_year, "programme"])
    now = programmes.loc[programmes["round"] == result.year]
    new = now.loc[~now["programme"].isin(before), "name"].tolist()
    assert new, "the example round has a programme new since the last round"
    header, *rows = _rows(report.uptake_table(result))
    column = header.index(f"Kommuner {result.previous_year}")
    by_name = {r[0]: r for r in rows}
    for name in new:
        assert by_name[name][column] == "0"
    counts = programmes.loc[programmes["round"] == result.previous_year]
    for r in counts.itertuples():
        if r.name in by_name:
            assert by_name[r.name][column] == str(r.municipalities)


def test_first_round_has_no_previous_count_to_show():
    first = compute(REPO / "data" / "example", 2024)
    header, *rows = _rows(report.uptake_table(first))
    column = header.index("Förra omgången")
    assert {r[column] for r in rows} == {"–"}


def test_uptake_table_is_marked_wide_and_other_tables_are_not(result):
    assert 'class="table-scroll table-wide"' in report.uptake_table(result)
    assert "table-wide" not in report.table("T", ["a", "b"], [["x", "1"]])


def _stylesheet() -> str:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES)).get_template(
        "style.css.j2").render()


def _page(body: str) -> str:
    """A report page as the export writes it: the stylesheet, the output wrapper."""
    return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><style>'
            f"{_stylesheet()}</style></head><body><main class=\"rapport\">"
            f'<div class="jp-Cell"><div class="jp-OutputArea-output" '
            f'data-mime-type="text/html">{body}</div></div></main></body></html>')


def _browser_check():
    spec = importlib.util.spec_from_file_location("browser_check",
                                                  REPO / "scripts" / "browser_check.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("browser_check", module)
    spec.loader.exec_module(module)
    return module


def _measure(page: Path, width: int, script: str):
    pytest.importorskip("playwright")
    playwright, browser = _browser_check().launch(CHROMIUM)
    try:
        tab = browser.new_page(viewport={"width": width, "height": 900})
        tab.goto(page.as_uri())
        return tab.evaluate(script)
    finally:
        browser.close()
        playwright.stop()


_FITS = """(() => {
  const box = document.querySelector('.table-scroll');
  const page = document.documentElement;
  return [box.scrollWidth <= box.clientWidth, page.scrollWidth <= page.clientWidth,
          box.getBoundingClientRect().left >= 0];
})()"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_every_uptake_column_shows_at_1280_px_without_the_page_scrolling(result, tmp_path):
    page = tmp_path / "uptake.html"
    page.write_text(_page(report.uptake_table(result)), encoding="utf-8")
    assert _measure(page, 1280, _FITS) == [True, True, True]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_uptake_table_scrolls_inside_its_box_on_a_narrow_window(result, tmp_path):
    page = tmp_path / "uptake.html"
    page.write_text(_page(report.uptake_table(result)), encoding="utf-8")
    table_fits, page_fits, inside = _measure(page, 600, _FITS)
    assert not table_fits and page_fits and inside


# -- census figures ----------------------------------------------------------------


def test_census_value_keeps_its_words_together():
    row = {"indicator": "3.1", "level": "county", "numerator": 11, "denominator": 12,
           "value": 11 / 12, "suppressed": False}
    assert value_text(row) == f"11{NBSP}av{NBSP}12"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_census_in_the_profiles_county_column_stays_on_one_line(result, tmp_path):
    html = report.profile_overview(result, "1880")
    page = tmp_path / "profile.html"
    page.write_text(_page(html), encoding="utf-8")
    script = """(() => {
      const cells = Array.from(document.querySelectorAll('td'))
        .filter(td => / av /.test(td.textContent.replace(/\\u00a0/g, ' ')));
      return [cells.length, Math.max(...cells.map(td => {
        const r = document.createRange(); r.selectNodeContents(td);
        return r.getClientRects().length; }))];
    })()"""
    cells, most_lines = _measure(page, 1280, script)
    assert cells > 0 and most_lines == 1


# -- charts -----------------------------------------------------------------------


def test_whole_counts_are_labelled_without_decimals():
    assert charts.format_value(5.0, "antal") == "5"
    assert charts.format_value(0.0, "antal") == "0"
    assert charts.format_value(2.14, "antal") == "2,1"
    assert charts.format_value(2.0, "per_1000") == "2,0"


def _counts_table(county: float, values: dict[str, float]) -> pd.DataFrame:
    rows = [{"round": 2026, "level": "county", "area_code": "18", "area_name": "Örebro län",
             "indicator": "1.2", "numerator": None, "denominator": None, "value": county,
             "ci_low": None, "ci_high": None, "target": None, "status": "",
             "suppressed": False}]
    rows += [{**rows[0], "level": "municipality", "area_code": code,
              "area_name": f"{code} kommun", "value": value}
             for code, value in values.items()]
    return pd.DataFrame(rows).astype({"value": "Float64", "target": "Float64"})


@pytest.mark.parametrize(("county", "values"), [
    (2.1, {"1880": 5, "1883": 3, "1881": 2, "1882": 2, "1861": 1, "1864": 0}),
    (0.667, {"1863": 1.0, "1883": 0.8, "1880": 0.7, "1881": 0.667, "1814": 0.6, "1885": 0.4}),
])
def test_county_line_runs_clear_of_every_value_label(county, values):
    unit = "antal" if county > 1 else "andel"
    fig = charts.municipality_bars(_counts_table(county, values), "1.2", 2026,
                                   "Evidensbaserade program per kommun", unit)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    line_x = ax.transData.transform((county, 0))[0]
    labels = [t for t in ax.texts if re.fullmatch(r"[\d,]+(\u00a0%)?", t.get_text())]
    assert len(labels) == len(values)
    for label in labels:
        box = label.get_window_extent(renderer)
        assert not box.x0 - 1 <= line_x <= box.x1 + 1, label.get_text()
