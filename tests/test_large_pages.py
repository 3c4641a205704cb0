"""Pages of a round with many programmes stay short: tables of programmes list at most
`TABLE_ROWS` rows and say where the rest is, charts draw the most offered."""

from __future__ import annotations

import re

from evaluation.report import sections as report


def _body_rows(html: str) -> int:
    return html.split("<tbody>", 1)[1].count("<tr>")


def test_a_profile_with_more_programmes_than_a_table_holds_lists_catalogue_ones_first(
        example_result, monkeypatch):
    own = example_result.current.tables["program"]
    own = own.loc[own["municipality"] == "1880"]
    assert len(own) > 3
    assert _body_rows(report.programmes(example_result, "1880")) == len(own)  # all of them
    monkeypatch.setattr(report, "TABLE_ROWS", 3)
    html = report.programmes(example_result, "1880")
    assert _body_rows(html) == 3
    assert html.startswith(
        f"<p>Tabellen visar 3 av {len(own)} programinsatser: först programmen i "
        "programkatalogen, sedan de övriga, i bokstavsordning. Alla finns i filen "
        '<a href="../program.csv">program.csv</a> bland omgångens nedladdningar.</p>')
    shown = re.findall(r'<th scope="row">([^<]*)</th>', html)
    catalogue = own.loc[own["in_catalogue"]].sort_values("programme_name")
    assert shown == catalogue["programme_name"].head(3).tolist()


def test_the_uptake_table_of_more_programmes_than_a_table_holds_is_shortened_and_says_so(
        example_result, monkeypatch):
    full = report.uptake_table(example_result)
    rows = _body_rows(full)
    monkeypatch.setattr(report, "TABLE_ROWS", 4)
    html = report.uptake_table(example_result)
    assert _body_rows(html) == 4
    assert html.startswith(
        f"<p>Tabellen visar 4 av {rows} program: de evidensbaserade först, sedan efter hur "
        "många kommuner som erbjuder dem. Alla finns i filen "
        '<a href="program.csv">program.csv</a> bland omgångens nedladdningar.</p>')
    first = re.findall(r'<th scope="row">([^<]*)</th>', full)[:4]
    assert re.findall(r'<th scope="row">([^<]*)</th>', html) == first


LIMIT_BYTES = 5 * 2**20


def test_a_round_of_thousands_of_programme_rows_publishes_small_pages_and_every_row(
        tmp_path):
    import csv

    from evaluation.publish.runner import run_round
    from evaluation.tools.large import write_large_round

    rows = 2000
    write_large_round(tmp_path / "data", rows)
    published = run_round(tmp_path / "data", 2026, tmp_path / "out",
                          municipalities=["1880"], progress=False).path
    pages = {p.relative_to(published).as_posix(): p.stat().st_size
             for p in published.rglob("*") if p.suffix in (".html", ".pdf", ".ipynb")}
    assert "regional.html" in pages and "kommuner/1880.pdf" in pages
    assert max(pages.values()) < LIMIT_BYTES, pages
    profile = (published / "kommuner" / "1880.html").read_text(encoding="utf-8")
    assert "programinsatser: först programmen i programkatalogen" in profile
    with (published / "program.csv").open(encoding="utf-8-sig", newline="") as handle:
        offerings = [r for r in csv.DictReader(handle)
                     if r["round"] == "2026" and r["level"] == "municipality"]
    assert sum(r["programme_name"].startswith("Lokalt program") for r in offerings) == rows
