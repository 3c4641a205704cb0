"""Index pages: every link resolves, rounds newest first, status as text and colour."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from evaluation.errors import ParameterError
from evaluation.publish.site import Link, published_rounds, write_round_index, write_site_index


class Links(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attrs))
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])


def broken_links(page: Path) -> list[str]:
    """Links of a page that are not relative or point to no file."""
    broken = []
    for href in Links(page.read_text(encoding="utf-8")).hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("/"):
            broken.append(href)
        elif parts.path and not (page.parent / unquote(parts.path)).is_file():
            broken.append(href)
    return broken


def status_by_row(markup: str) -> dict[str, tuple[list[str], str]]:
    """Row header -> (classes, text) of the status badge in that row of the page's tables."""
    found = {}
    for row in BeautifulSoup(markup, "html.parser").select("tr"):
        head, badge = row.find("th", scope="row"), row.select_one("td span.status")
        if head and badge:
            found[head.get_text(strip=True)] = (badge["class"], badge.get_text(strip=True))
    return found


STATUS = [
    {"indicator": "1.1", "title": "Kommuner som erbjuder minst ett evidensbaserat program",
     "value": "9 av 12", "target": "100 %", "status": "på väg"},
    {"indicator": "2.1", "title": "Kommuner med minst en familjecentral",
     "value": "12 av 12", "target": "100 %", "status": "uppnått"},
    {"indicator": "3.2", "title": "Kommuner där alla fem sektorer ingår i gruppen",
     "value": "4 av 12", "target": "100 %", "status": "ej på väg"},
    {"indicator": "1.4", "title": "Föräldrar i program per 1 000 barn 0–17 år",
     "value": "21,3", "target": "ökande", "status": "baslinje"},
]


def make_round(out: Path, year: int, status=STATUS) -> Path:
    round_dir = out / str(year)
    for name in ("regional.html", "kommuner/1880.html", "kommuner/1814.html",
                 "indicators.csv", "indicators.xlsx", "validation.csv", "manifest.json"):
        (round_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (round_dir / name).write_text("x", encoding="utf-8")
    reports = [
        Link("Regionrapport", "regional.html", "länets uppföljning"),
        Link("Örebro", "kommuner/1880.html", municipality=True),
        Link("Lekeberg", "kommuner/1814.html", municipality=True),
    ]
    downloads = [Link("Indikatorer (CSV)", "indicators.csv"),
                 ("Indikatorer (Excel)", "indicators.xlsx"),
                 {"title": "Valideringsrapport", "href": "validation.csv"},
                 Link("Körningens manifest", "manifest.json")]
    return write_round_index(round_dir, year, "Örebro län", reports, status, downloads,
                             published=dt.date(2026, 5, 4))


def test_round_page_links_every_report_and_download_and_all_resolve(tmp_path):
    page = make_round(tmp_path, 2026)
    write_site_index(tmp_path)

    links = Links(page.read_text(encoding="utf-8"))
    files = {h for h in links.hrefs if not h.startswith("#")}
    assert files == {"../index.html", "regional.html", "kommuner/1880.html",
                     "kommuner/1814.html", "indicators.csv", "indicators.xlsx",
                     "validation.csv", "manifest.json"}
    # the table of contents leads to every section heading of the page
    anchors = [h[1:] for h in links.hrefs if h.startswith("#")]
    assert anchors == [a["id"] for t, a in links.tags if t == "h2" and a.get("id")
                       and a["id"] != "innehall-rubrik"]
    assert anchors == ["rapporter", "kommunprofiler", "status-mot-målen", "data-att-ladda-ned"]
    assert broken_links(page) == []
    assert broken_links(tmp_path / "index.html") == []


def test_round_page_is_swedish_with_real_headings_and_table_headers(tmp_path):
    markup = make_round(tmp_path, 2026).read_text(encoding="utf-8")
    tags = Links(markup).tags
    assert ("html", {"lang": "sv"}) in tags
    assert [t for t, _ in tags].count("h1") == 1
    soup = BeautifulSoup(markup, "html.parser")
    assert {"Kommunprofiler", "Status mot målen"} <= {h.get_text() for h in soup.find_all("h2")}
    assert [a.get("scope") for t, a in tags if t == "th"].count("col") == 5
    assert [a.get("scope") for t, a in tags if t == "th"].count("row") == 4
    assert not [t for t, _ in tags if t in ("script", "link", "img")]
    assert ("meta", {"http-equiv": "Content-Security-Policy",
                     "content": "default-src 'none'; img-src data:; style-src 'unsafe-inline'"}) \
        in tags
    assert "Publicerad 2026-05-04" in markup


def test_status_is_shown_as_text_and_as_colour(tmp_path):
    markup = make_round(tmp_path, 2026).read_text(encoding="utf-8")
    assert status_by_row(markup) == {
        "1.1": (["status", "status-pa-vag"], "på väg"),
        "2.1": (["status", "status-uppnatt"], "uppnått"),
        "3.2": (["status", "status-ej-pa-vag"], "ej på väg"),
        "1.4": (["status", "status-baslinje"], "baslinje")}
    for css_class in ("status-pa-vag", "status-uppnatt", "status-ej-pa-vag", "status-baslinje"):
        assert f".{css_class} {{ color:" in markup


def test_status_rows_may_come_as_a_dataframe_with_english_status_ids(tmp_path):
    frame = pd.DataFrame({
        "indicator": ["2.3", "D.1"],
        "title": ["Andel BMM samlokaliserade", "Svarsfrekvens"],
        "value_text": ["40 %", pd.NA],
        "target_text": ["100 %", "100 %"],
        "status": ["off_track", "met"],
    })
    markup = make_round(tmp_path, 2026, status=frame).read_text(encoding="utf-8")
    assert status_by_row(markup) == {"2.3": (["status", "status-ej-pa-vag"], "ej på väg"),
                                     "D.1": (["status", "status-uppnatt"], "uppnått")}
    assert "<NA>" not in markup and "&lt;NA&gt;" not in markup


def test_unknown_status_is_rejected_with_the_accepted_ones(tmp_path):
    with pytest.raises(ParameterError, match="unknown status 'klart'.*'baslinje'"):
        make_round(tmp_path, 2026, status=[
            {"indicator": "1.1", "title": "x", "value": "1", "target": "1", "status": "klart"}])


def test_text_from_the_data_is_escaped(tmp_path):
    rows = [{"indicator": "2.1", "title": "Familjecentral <script>alert(1)</script>",
             "value": "1", "target": "1", "status": "uppnått"}]
    markup = make_round(tmp_path, 2026, status=rows).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "<script>" not in markup


def test_link_to_a_missing_file_is_refused(tmp_path):
    (tmp_path / "2026").mkdir()
    with pytest.raises(ParameterError, match="'kommuner/1861.html'.*no such file"):
        write_round_index(tmp_path / "2026", 2026, "Örebro län",
                          [Link("Askersund", "kommuner/1861.html", municipality=True)], [], [])


def test_absolute_or_external_link_is_refused(tmp_path):
    (tmp_path / "2026").mkdir()
    for href in ("https://example.org/r.html", "/etc/passwd"):
        with pytest.raises(ParameterError, match="relative"):
            write_round_index(tmp_path / "2026", 2026, "Örebro län", [Link("x", href)], [], [])


def test_site_index_lists_published_rounds_newest_first(tmp_path):
    for year in (2024, 2028, 2026):
        make_round(tmp_path, year)
    (tmp_path / "2030").mkdir()  # no index.html: not published
    (tmp_path / ".staging-2030-123").mkdir()
    (tmp_path / "notes").mkdir()

    page = write_site_index(tmp_path)

    assert published_rounds(tmp_path) == [2028, 2026, 2024]
    hrefs = Links(page.read_text(encoding="utf-8")).hrefs
    assert hrefs == ["2028/index.html", "2026/index.html", "2024/index.html"]
    assert broken_links(page) == []
    assert "Uppföljning 2028</a> (senaste)" in page.read_text(encoding="utf-8")


def test_site_index_without_rounds_says_so(tmp_path):
    markup = write_site_index(tmp_path).read_text(encoding="utf-8")
    assert "Ingen uppföljning är publicerad än." in markup
    assert Links(markup).hrefs == []


def test_round_page_shows_the_change_column_frame_and_pdf_links(tmp_path):
    from evaluation.publish.site import PageFrame

    round_dir = tmp_path / "2026"
    for name in ("regional.html", "regional.pdf", "kommuner/1880.html", "kommuner/1880.pdf"):
        (round_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (round_dir / name).write_text("x", encoding="utf-8")
    status = [dict(STATUS[0], change="+1 (Laxå)"),
              dict(STATUS[3], status="ingen säker förändring", change="−0,2")]
    frame = PageFrame(header='<nav class="sokvag">väg</nav>',
                      headline='<div class="i-korthet">Tre uppnådda.</div>',
                      notice='<p class="notice">Syntetiska exempeldata.</p>',
                      footer='<footer class="sidfot">fot</footer>')
    page = write_round_index(
        round_dir, 2026, "Örebro län",
        [Link("Regionrapport", "regional.html"), Link("Regionrapport som PDF", "regional.pdf"),
         Link("Örebro", "kommuner/1880.html", municipality=True, pdf="kommuner/1880.pdf")],
        status, [], frame=frame).read_text(encoding="utf-8")
    table = BeautifulSoup(page, "html.parser").find("table")
    header = [th.get_text(strip=True) for th in table.find_all("th", scope="col")]
    changes = {tr.th.get_text(strip=True): tr.find_all("td")[header.index("Förändring") - 1]
               .get_text(strip=True) for tr in table.find_all("tr") if tr.find("th", scope="row")}
    assert changes == {"1.1": "+1 (Laxå)", "1.4": "−0,2"}
    assert status_by_row(page)["1.4"] == (["status", "status-ingen-saker"],
                                          "ingen säker förändring")
    assert page.index("Syntetiska exempeldata") < page.index("Tre uppnådda.") \
        < page.index('<h2 id="innehall-rubrik">Innehåll</h2>') \
        < page.index('<h2 id="rapporter">Rapporter</h2>')
    assert page.index('<header class="sidhuvud">') < page.index("<main>") \
        < page.index('<footer class="sidfot">')
    assert '<a href="kommuner/1880.pdf">PDF-version för Örebro</a>' in page
    assert "Alla uppföljningar</a></p>" not in page  # the path replaces the plain link


def test_pdf_link_to_a_missing_file_is_refused(tmp_path):
    (tmp_path / "2026" / "kommuner").mkdir(parents=True)
    (tmp_path / "2026" / "kommuner" / "1880.html").write_text("x")
    with pytest.raises(ParameterError, match="kommuner/1880.pdf"):
        write_round_index(tmp_path / "2026", 2026, "Örebro län",
                          [Link("Örebro", "kommuner/1880.html", municipality=True,
                                 pdf="kommuner/1880.pdf")],
                          STATUS, [])


def test_site_index_names_the_county(tmp_path):
    make_round(tmp_path, 2026)
    page = write_site_index(tmp_path, region_name="Örebro län").read_text(encoding="utf-8")
    assert "2024–2030 i Örebro län görs vartannat år" in page
