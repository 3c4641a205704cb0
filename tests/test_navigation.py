"""Ways through the site: path, neighbours, table of contents and footer of a report."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from evaluation import navigation as nav
from evaluation.config import Settings

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


def test_profile_path_leads_to_the_site_the_round_and_the_county_report():
    html = nav.breadcrumb(result(), "1814")
    assert '<a href="../../index.html">Alla uppföljningar</a>' in html
    assert '<a href="../index.html">Uppföljning 2026, Örebro län</a>' in html
    assert '<a href="../regional.html">Regionrapport</a>' in html
    assert '<li aria-current="page">Lekeberg</li>' in html
    assert 'Föregående kommun: <a href="1860.html">Laxå</a>' in html
    assert 'Nästa kommun: <a href="1885.html">Lindesberg</a>' in html


def test_county_of_a_national_run_lies_one_folder_deeper():
    html = nav.breadcrumb(result(site_root="../../"))
    assert '<a href="../../index.html">Alla uppföljningar</a>' in html


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
    assert '<h2 id="målområde-1-ett-kunskapsbaserat-arbetssätt">' in page
    assert ('<ol><li><a href="#Sammanfattning">Sammanfattning</a></li>'
            '<li><a href="#målområde-1-ett-kunskapsbaserat-arbetssätt">Målområde 1: Ett '
            'kunskapsbaserat arbetssätt</a></li><li><a href="#datakvalitet">Datakvalitet</a>'
            "</li></ol>") in page


def test_heading_ids_stay_unique():
    page = nav.finish_page("<main><h2>Program</h2><h2>Program</h2></main>")
    assert '<h2 id="program">' in page and '<h2 id="program-2">' in page


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
