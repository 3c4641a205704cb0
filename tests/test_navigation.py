"""Ways through the site: path, neighbours, table of contents and footer of a report."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
from bs4 import BeautifulSoup

from evaluation.publish import navigation as nav
from evaluation.settings import Settings

NAMES = pd.DataFrame({"code": ["1880", "1814", "1860", "1885"],
                      "short_name": ["Örebro", "Lekeberg", "Laxå", "Lindesberg"]})


def result(**extra):
    return SimpleNamespace(year=2026, region_name="Örebro län", municipalities=NAMES,
                           settings=Settings(extra={"publisher": {"name": "Region X"}}),
                           extra=extra)


def test_profiles_link_their_neighbours_in_the_round_pages_swedish_order():
    r = result()
    assert nav.profile_order(r) == ["1860", "1814", "1885", "1880"]
    assert nav.neighbours(r, "1860") == (None, "1814")
    assert nav.neighbours(r, "1885") == ("1814", "1880")
    assert nav.neighbours(r, "1880") == ("1885", None)


def test_only_published_profiles_are_neighbours():
    r = result(profiles=["1880", "1860"])
    assert nav.neighbours(r, "1880") == ("1860", None)


def path_items(html: str, label: str = "Du är här") -> list[tuple[str, str | None]]:
    """(text, link or None) of each item of the navigation list named `label`, in order."""
    found = BeautifulSoup(html, "html.parser").find("nav", attrs={"aria-label": label})
    return [(" ".join(li.get_text().split()), li.a["href"] if li.a else None)
            for li in found.find_all("li")]


def test_profile_path_leads_to_the_site_the_round_and_the_county_report():
    html = nav.breadcrumb(result(), "1814")
    assert path_items(html) == [("Alla uppföljningar", "../../index.html"),
                                ("Uppföljning 2026, Örebro län", "../index.html"),
                                ("Regionrapport", "../regional.html"),
                                ("Lekeberg", None)]
    here = BeautifulSoup(html, "html.parser").find("li", attrs={"aria-current": "page"})
    assert here.get_text() == "Lekeberg"
    assert path_items(html, "Andra kommuner") == [("Föregående kommun: Laxå", "1860.html"),
                                                  ("Nästa kommun: Lindesberg", "1885.html")]


def test_county_of_a_national_run_lies_one_folder_deeper():
    html = nav.breadcrumb(result(site_root="../../"))
    assert path_items(html)[0] == ("Alla uppföljningar", "../../index.html")


def test_footer_names_publisher_date_methods_and_accessibility_statement():
    html = nav.footer(result(), "1814", published=dt.date(2026, 12, 1))
    assert "Publicerad av Region X" in html and '<time datetime="2026-12-01">' in html
    assert '<a href="../metoder.html">Metoder och definitioner</a>' in html
    assert '<a href="../../tillganglighet.html">Tillgänglighetsredogörelse</a>' in html


def test_finish_page_moves_path_and_footer_out_of_main_and_fills_the_contents():
    body = ("<html><body>\n<main>"
            '<div><nav aria-labelledby="innehall-rubrik" class="innehall"></nav></div>'
            '<h2 id="Sammanfattning">Sammanfattning<a class="anchor-link" href="#x">¶</a></h2>'
            "<h2>Målområde 1: Ett kunskapsbaserat arbetssätt</h2><h2>Datakvalitet</h2>"
            '<div><nav aria-label="Du är här" class="sokvag"><ol><li>A</li></ol></nav>'
            '<footer class="sidfot"><p>F</p></footer></div></main>\n</body></html>')
    page = nav.finish_page(body)
    assert page.index('<header class="sidhuvud"><nav aria-label="Du är här"') \
        < page.index("<main>")
    assert page.index('<footer class="sidfot">') > page.index("</main>")
    soup = BeautifulSoup(page, "html.parser")
    assert [h.get("id") for h in soup.find_all("h2")] == [
        "innehall-rubrik", "Sammanfattning", "målområde-1-ett-kunskapsbaserat-arbetssätt",
        "datakvalitet"]
    contents = soup.find("nav", class_="innehall")
    assert [(a.get_text(), a["href"]) for a in contents.select("ol > li > a")] == [
        ("Sammanfattning", "#Sammanfattning"),
        ("Målområde 1: Ett kunskapsbaserat arbetssätt",
         "#målområde-1-ett-kunskapsbaserat-arbetssätt"),
        ("Datakvalitet", "#datakvalitet")]


def test_heading_ids_stay_unique():
    page = nav.finish_page("<main><h2>Program</h2><h2>Program</h2></main>")
    ids = [h.get("id") for h in BeautifulSoup(page, "html.parser").find_all("h2")]
    assert ids == ["program", "program-2"]


def test_reference_page_lists_its_subsections_under_each_section():
    body = ('<main><nav aria-labelledby="innehall-rubrik" class="innehall"></nav>'
            "<h2>Indikatorer</h2><h3>Målområde 1</h3><h3>Målområde 2</h3>"
            "<h2>Gemensamma regler</h2><h3>Tomma svar</h3><h4>Detalj</h4></main>")
    page = nav.finish_page(body, depth=3)
    assert '<h3 id="målområde-1">Målområde 1</h3>' in page and "<h4>Detalj</h4>" in page
    assert ('<ol><li><a href="#indikatorer">Indikatorer</a><ol>'
            '<li><a href="#målområde-1">Målområde 1</a></li>'
            '<li><a href="#målområde-2">Målområde 2</a></li></ol></li>'
            '<li><a href="#gemensamma-regler">Gemensamma regler</a><ol>'
            '<li><a href="#tomma-svar">Tomma svar</a></li></ol></li></ol>') in page
    # a report keeps its table of contents to the sections
    assert "målområde-1" not in nav.finish_page(body)
