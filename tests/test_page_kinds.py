"""Every kind of page of a published round, county and national, read as a reader
would: it has the headline, a table of contents when it is long, a footer with the
publisher, the methods page and the accessibility statement, and a way back to its
round and the site, so that no page is a dead end.

Pages are parsed with BeautifulSoup, never searched as strings. Two small sites are
published once each: the documented example round 2026 of Örebro län with two
profiles, and a national round 2024–2026 of two counties (see `test_national`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from builders import PROFILES, write_two_counties

from evaluation.cli import main
from evaluation.indicators.registry import REGISTRY

YEAR = 2026
#: A page with this many headings below its title (h2, h3) or more is long: it
#: needs a table of contents.
LONG = 4
NBSP = "\u00a0"


@dataclass(frozen=True)
class Kind:
    """A page kind: where it is, the round page above it (None: a site-wide page),
    and whether it shows the round's figures (so the headline and, for example data,
    the synthetic-data notice)."""

    name: str
    path: str
    round_page: str | None
    figures: bool
    long: bool


COUNTY_KINDS = [
    Kind("site index", "index.html", None, True, False),
    Kind("accessibility statement", "tillganglighet.html", None, False, True),
    Kind("round page", f"{YEAR}/index.html", f"{YEAR}/index.html", True, True),
    Kind("regional report", f"{YEAR}/regional.html", f"{YEAR}/index.html", True, True),
    Kind("municipality profile", f"{YEAR}/kommuner/1880.html", f"{YEAR}/index.html", True,
         True),
    Kind("profile, every value withheld", f"{YEAR}/kommuner/1864.html", f"{YEAR}/index.html",
         True, True),
    Kind("methods page", f"{YEAR}/metoder.html", f"{YEAR}/index.html", False, True),
]
NATIONAL_KINDS = [
    Kind("site index", "index.html", None, True, False),
    Kind("accessibility statement", "tillganglighet.html", None, False, True),
    Kind("national round page", f"{YEAR}/index.html", f"{YEAR}/index.html", True, True),
    Kind("national overview", f"{YEAR}/nationell.html", f"{YEAR}/index.html", True, True),
    Kind("national methods page", f"{YEAR}/metoder.html", f"{YEAR}/index.html", False, True),
    Kind("county round page", f"{YEAR}/10/index.html", f"{YEAR}/10/index.html", True, True),
    Kind("regional report", f"{YEAR}/10/regional.html", f"{YEAR}/10/index.html", True, True),
    Kind("municipality profile", f"{YEAR}/10/kommuner/1080.html", f"{YEAR}/10/index.html",
         True, True),
    Kind("methods page", f"{YEAR}/10/metoder.html", f"{YEAR}/10/index.html", False, True),
]


@pytest.fixture(scope="module")
def county_site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("county-site")
    assert main(["example", "--out", str(base / "data")]) == 0
    out = base / "reports"
    assert main(["run", "--data", str(base / "data"), "--round", str(YEAR), "--out", str(out),
                 "--municipality", "1880", "1864", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def national_site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("national-site")
    data = base / "data"
    for year in (2024, YEAR):
        write_two_counties(data, year)
    (data / str(YEAR) / "LASMIG.txt").write_text("Syntetiska exempeldata.\n", encoding="utf-8")
    out = base / "reports"
    assert main(["run", "--data", str(data), "--round", str(YEAR), "--out", str(out),
                 "--region", "all", "--municipality", *PROFILES, "--quiet"]) == 0
    return out


class Page:
    """A published page, parsed, with its links resolved against the site folder."""

    def __init__(self, out: Path, path: str) -> None:
        self.out, self.path = out, out / path
        self.soup = BeautifulSoup(self.path.read_text(encoding="utf-8"), "html.parser")

    def hrefs(self) -> list[str]:
        return [a["href"] for a in self.soup.find_all("a", href=True)]

    def target(self, href: str) -> Path | None:
        """The file a relative link leads to (None for mailto: and other sites)."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            return None
        if not parts.path:
            return self.path
        return (self.path.parent / unquote(parts.path)).resolve()

    def links_to(self, path: str) -> bool:
        wanted = (self.out / path).resolve()
        return any(self.target(h) == wanted for h in self.hrefs())

    def sections(self) -> list:
        return [h for h in self.soup.find_all("h2") if h.get("id") != "innehall-rubrik"]

    def headings(self) -> list:
        return [h for h in self.soup.find_all(["h2", "h3"])
                if h.get("id") != "innehall-rubrik" and not h.find_parent("nav")]


@pytest.fixture(params=[*(("county", k) for k in COUNTY_KINDS),
                        *(("national", k) for k in NATIONAL_KINDS)],
                ids=lambda p: f"{p[0]}: {p[1].name}")
def page(request, county_site, national_site) -> tuple[Page, Kind]:
    site, kind = request.param
    out = county_site if site == "county" else national_site
    assert (out / kind.path).is_file(), f"{kind.name}: {kind.path} was not published"
    return Page(out, kind.path), kind


def test_every_page_is_swedish_with_one_main_heading(page):
    p, kind = page
    assert p.soup.html["lang"] == "sv"
    assert len(p.soup.find_all("h1")) == 1, kind.name
    assert p.soup.find("main") is not None


def test_pages_with_figures_open_with_the_headline_in_sentences(page):
    p, kind = page
    box = p.soup.select_one("div.i-korthet")
    if not kind.figures:
        assert box is None
        return
    assert box is not None, f"{kind.name}: no headline"
    sentences = [li.get_text(" ", strip=True) for li in box.find_all("li")]
    assert sentences, kind.name
    for text in sentences:
        assert text.endswith(".") and text[0].isupper(), text
    # the headline comes before the page's first section
    first = p.sections()[0]
    assert box.find("h2") is first or first in box.find_all_next("h2")


def test_long_pages_have_a_table_of_contents_leading_to_every_section(page):
    p, kind = page
    headings = p.headings()
    assert (len(headings) >= LONG) == kind.long, f"{kind.name}: {len(headings)} headings"
    toc = p.soup.select_one("nav.innehall")
    if not kind.long:
        assert toc is None
        return
    assert toc is not None, f"{kind.name} is long but has no table of contents"
    assert toc.get("aria-labelledby") == "innehall-rubrik"
    top = [li.find("a", recursive=False) for li in toc.find("ol").find_all("li", recursive=False)]
    sections = p.sections()
    assert [a["href"] for a in top] == [f"#{h['id']}" for h in sections]
    assert [a.get_text(strip=True) for a in top] == \
        [h.get_text(" ", strip=True).replace("¶", "").strip() for h in sections]
    subsections = {f"#{h['id']}" for h in p.soup.find_all("h3") if h.get("id")}
    for a in toc.select("ol ol a"):  # a long reference page lists its subsections too
        assert a["href"] in subsections, a["href"]


def test_every_page_has_the_footer_with_publisher_date_methods_and_statement(page):
    p, kind = page
    footer = p.soup.select_one("footer.sidfot")
    assert footer is not None, kind.name
    assert footer.find_parent("main") is None
    assert footer.get_text(" ", strip=True).startswith("Publicerad av ")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", footer.find("time")["datetime"])
    targets = {p.target(a["href"]) for a in footer.find_all("a", href=True)}
    assert (p.out / "tillganglighet.html").resolve() in targets
    methods = [t for t in targets if t is not None and t.name == "metoder.html"]
    assert methods and all(t.is_file() for t in methods), kind.name
    if kind.round_page:  # a round's page names that round's own methods page
        assert (p.out / kind.round_page).parent.resolve() / "metoder.html" in targets


def test_no_page_is_a_dead_end(page):
    p, kind = page
    if kind.path != "index.html":
        assert p.links_to("index.html"), f"{kind.name}: no link to the site index"
        crumb = p.soup.select_one("header.sidhuvud nav.sokvag")
        assert crumb is not None and crumb.find_parent("main") is None
        assert crumb.select_one('[aria-current="page"]') is not None
    if kind.round_page and kind.path != kind.round_page:
        assert p.links_to(kind.round_page), f"{kind.name}: no link back to its round"
    if kind.path == "index.html":
        assert p.links_to(f"{YEAR}/index.html")


def test_every_link_of_every_page_leads_somewhere(page):
    p, kind = page
    ids = {e["id"] for e in p.soup.find_all(id=True)}
    for href in p.hrefs():
        target = p.target(href)
        if target is None:
            assert href.startswith(("mailto:", "https://")), href
            continue
        assert target.is_file(), f"{kind.name}: {href}"
        fragment = urlsplit(href).fragment
        if fragment and target == p.path:
            assert fragment in ids, f"{kind.name}: {href}"


def test_pages_with_example_figures_say_so(page):
    p, kind = page
    notice = p.soup.select_one("p.notice")
    if kind.figures:
        assert notice is not None, kind.name
        assert notice.get_text(" ", strip=True).startswith("Syntetiska exempeldata.")


# -- the round pages and the national overview -----------------------------------------


def _status_table(p: Page):
    return next(t for t in p.soup.find_all("table")
                if t.caption and "mål 2030" in t.caption.get_text())


@pytest.mark.parametrize("site,path", [("county", f"{YEAR}/index.html"),
                                       ("national", f"{YEAR}/index.html"),
                                       ("national", f"{YEAR}/10/index.html")])
def test_round_pages_show_the_change_since_the_last_round(site, path, county_site,
                                                          national_site):
    p = Page(county_site if site == "county" else national_site, path)
    table = _status_table(p)
    header = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    column = header.index("Förändring")
    changes = [tr.find_all(["th", "td"])[column].get_text(strip=True)
               for tr in table.tbody.find_all("tr")]
    assert len(changes) == len(REGISTRY) and all(changes)
    assert "Första omgången" not in changes


def _area_rows(out: Path, level: str) -> dict[str, dict[str, str]]:
    with (out / str(YEAR) / "indicators.csv").open(encoding="utf-8-sig") as handle:
        return {r["indicator"]: r for r in csv.DictReader(handle)
                if r["level"] == level and r["round"] == str(YEAR)}


def _country_rows(out: Path) -> dict[str, dict[str, str]]:
    return _area_rows(out, "country")


def test_national_round_page_links_every_county_page_and_report(national_site):
    p = Page(national_site, f"{YEAR}/index.html")
    with (national_site / str(YEAR) / "indicators.csv").open(encoding="utf-8-sig") as handle:
        counties = {r["area_code"] for r in csv.DictReader(handle) if r["level"] == "county"}
    assert counties == {"09", "10"}
    for cc in counties:
        assert p.links_to(f"{YEAR}/{cc}/index.html") and p.links_to(f"{YEAR}/{cc}/regional.html")
    county = Page(national_site, f"{YEAR}/10/index.html")
    assert county.links_to(f"{YEAR}/index.html")  # and back up to the national round


def _swedish(n: str) -> str:
    return f"{int(float(n)):,}".replace(",", NBSP)


@pytest.mark.parametrize("site,level,path", [("national", "country", "nationell.html"),
                                             ("county", "county", "regional.html")])
def test_reports_state_completion_coverage_with_its_counts(site, level, path, county_site,
                                                          national_site):
    """As the published table has them: 1.6's denominator of 1.4's participants."""
    out = county_site if site == "county" else national_site
    rows = _area_rows(out, level)
    known, every = rows["1.6"]["denominator"], rows["1.4"]["numerator"]
    assert known and every
    text = Page(out, f"{YEAR}/{path}").soup.get_text(" ", strip=True)
    expected = (f"Andelen räknas på de {_swedish(known)} av {_swedish(every)} deltagare som "
                "har uppgift om fullföljande.")
    assert " ".join(expected.split()) in " ".join(text.split())


def test_national_overview_opens_each_goal_area_with_its_summary(national_site):
    p = Page(national_site, f"{YEAR}/nationell.html")
    areas = [h for h in p.sections() if h.get_text(strip=True).startswith("Målområde")]
    assert len(areas) == 3
    for heading in areas:
        summary = heading.find_next(["p", "table"])
        assert summary.name == "p" and "omrade-sammanfattning" in summary["class"]
        assert summary.get_text(strip=True)[0].isupper()


def test_country_status_follows_the_country_values(national_site):
    """A met target is "uppnått" and only then; an indicator without one has no status
    (the country's statuses were once taken from municipality rows)."""
    for ind_id, row in _country_rows(national_site).items():
        ind = REGISTRY[ind_id]
        if ind.target == "monitored":
            assert row["status"] == "", ind_id
        elif ind.target == "rising":
            assert row["status"] != "uppnått", ind_id
        elif ind.target_value is not None and row["value"]:
            met = float(row["value"]) >= ind.target_value - 1e-9
            assert (row["status"] == "uppnått") == met, (ind_id, row["value"], row["status"])
