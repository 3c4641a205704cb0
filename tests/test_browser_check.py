"""The browser check of a published round: which pages it opens, how it reads what
Chromium and axe-core report, and (where Chromium is installed) a real run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "browser_check.py"
_spec = importlib.util.spec_from_file_location("browser_check", SCRIPT)
bc = importlib.util.module_from_spec(_spec)
sys.modules["browser_check"] = bc
_spec.loader.exec_module(bc)

ORIGIN = "http://127.0.0.1:8123"


def _published(tmp_path: Path, rounds=(2024, 2026), codes=("1880", "1814", "1860")) -> Path:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("<html></html>")
    (out / ".screenshots").mkdir()
    for year in rounds:
        (out / str(year) / "kommuner").mkdir(parents=True)
        for code in codes:
            (out / str(year) / "kommuner" / f"{code}.html").write_text("<html></html>")
    return out


# -- choosing pages ------------------------------------------------------------------


def test_newest_round_and_lowest_municipality_code_are_chosen(tmp_path):
    pages = bc.select_pages(_published(tmp_path))
    assert [(p.kind, p.path) for p in pages] == [
        ("site index", "index.html"),
        ("accessibility statement", "tillganglighet.html"),
        ("round index", "2026/index.html"),
        ("regional report", "2026/regional.html"),
        ("methods page", "2026/metoder.html"),
        ("municipality profile", "2026/kommuner/1814.html"),
    ]


def test_given_round_and_municipality_are_the_ones_opened(tmp_path):
    pages = bc.select_pages(_published(tmp_path), 2024, "1880")
    assert [p.path for p in pages][2:] == [
        "2024/index.html", "2024/regional.html", "2024/metoder.html", "2024/kommuner/1880.html",
    ]


def _national(tmp_path: Path) -> Path:
    out = tmp_path / "reports"
    round_dir = out / "2026"
    for name in ("index.html", "nationell.html", "metoder.html", "09/index.html",
                 "09/regional.html", "10/index.html", "10/kommuner/1082.html",
                 "10/kommuner/1080.html"):
        (round_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (round_dir / name).write_text("<html></html>")
    return out


def test_national_round_opens_its_own_pages_and_one_county_with_a_profile(tmp_path):
    pages = bc.select_pages(_national(tmp_path))
    assert [(p.kind, p.path) for p in pages][2:] == [
        ("national round index", "2026/index.html"),
        ("national overview", "2026/nationell.html"),
        ("national methods page", "2026/metoder.html"),
        ("round index", "2026/10/index.html"),
        ("regional report", "2026/10/regional.html"),
        ("methods page", "2026/10/metoder.html"),
        ("municipality profile", "2026/10/kommuner/1080.html"),
    ]
    assert [p.path for p in bc.select_pages(_national(tmp_path / "b"), 2026, "0980")][-1] \
        == "2026/09/kommuner/0980.html"
    assert bc.missing_pdfs(_national(tmp_path / "c"), 2026) == []  # a national run prints none


def test_unknown_round_is_a_usage_error_naming_the_rounds_found(tmp_path):
    with pytest.raises(bc.UsageError, match=r"no round 2028 in .*; rounds found: 2024, 2026"):
        bc.select_pages(_published(tmp_path), 2028)


def test_folder_without_a_round_is_a_usage_error(tmp_path):
    (tmp_path / "notes").mkdir()
    with pytest.raises(bc.UsageError, match="no published round"):
        bc.select_pages(tmp_path)


def test_screenshot_names_are_flat_so_every_page_kind_shares_one_folder():
    assert bc.Page("x", "2026/kommuner/1880.html").screenshot_name == "2026-kommuner-1880.png"


# -- PDFs, links and requests -------------------------------------------------------------


def test_every_profile_and_the_regional_report_need_a_pdf(tmp_path):
    out = _published(tmp_path, rounds=(2026,), codes=("1880", "1814"))
    (out / "2026" / "regional.pdf").write_bytes(b"%PDF-1.7 ...")
    (out / "2026" / "kommuner" / "1880.pdf").write_bytes(b"not a pdf")
    missing = [p.detail for p in bc.missing_pdfs(out, 2026)]
    assert missing == ["2026/kommuner/1814.pdf", "2026/kommuner/1880.pdf"]


def test_links_to_missing_files_and_anchors_are_broken_but_outside_sites_are_not_followed(
        tmp_path):
    out = _published(tmp_path, rounds=(2026,), codes=("1880",))
    page = f"{ORIGIN}/2026/kommuner/1880.html"
    hrefs = ["../../index.html", "../saknas.html", "#finns", "#saknas", "1880.html#finns",
             "https://www.digg.se/tdosanmalan", "mailto:a@b.example", "../"]
    (out / "2026" / "index.html").write_text("<html></html>")
    problems = bc.broken_links(hrefs, page, ORIGIN, out, ["finns"], "p")
    assert [p.detail for p in problems] == ["../saknas.html", "#saknas"]


def test_only_requests_to_other_hosts_are_outside():
    assert bc.is_outside("https://cdn.example/x.js", ORIGIN)
    assert not bc.is_outside(f"{ORIGIN}/2026/index.html", ORIGIN)
    assert not bc.is_outside("data:image/png;base64,AAAA", ORIGIN)


# -- reading axe-core ---------------------------------------------------------------------

AXE_RESULT = {
    "violations": [
        {"id": "color-contrast", "impact": "serious",
         "help": "Elements must meet minimum color contrast ratio thresholds",
         "helpUrl": "https://dequeuniversity.com/rules/axe/4.14/color-contrast",
         "nodes": [{"target": ["main > p"]}, {"target": ["td:nth-child(2)"]}]},
        {"id": "image-alt", "impact": "critical", "help": "Images must have alternative text",
         "helpUrl": "https://dequeuniversity.com/rules/axe/4.14/image-alt",
         "nodes": [{"target": [["iframe#map", "img.tile"]]}]},
        {"id": "region", "impact": "moderate", "help": "All page content should be "
         "contained by landmarks", "helpUrl": "", "nodes": [{"target": ["footer > p"]}]},
    ],
    "incomplete": [{"id": "color-contrast", "nodes": [{"target": ["h1"]}, {"target": ["a"]}]}],
}


def test_axe_violations_come_most_severe_first_with_every_element():
    violations = bc.parse_axe_violations(AXE_RESULT, "2026/regional.html")
    assert [(v.rule, v.impact) for v in violations] == [
        ("image-alt", "critical"), ("color-contrast", "serious"), ("region", "moderate")]
    assert violations[0].targets == ("iframe#map >> img.tile",)
    assert violations[1].targets == ("main > p", "td:nth-child(2)")


def test_clean_axe_result_has_no_violations():
    assert bc.parse_axe_violations({"violations": [], "passes": []}, "index.html") == []


def test_printed_violation_names_rule_impact_help_link_and_elements():
    result = bc.PageResult(bc.Page("regional report", "2026/regional.html"),
                           violations=bc.parse_axe_violations(AXE_RESULT, "x"))
    lines = bc.format_result(result)
    assert lines[0] == "== 2026/regional.html (regional report)"
    assert ("   axe serious color-contrast: Elements must meet minimum color contrast ratio "
            "thresholds (2 elements)") in lines
    assert "       at main > p" in lines and "       at td:nth-child(2)" in lines


def test_axe_is_asked_for_the_wcag_2_0_and_2_1_a_and_aa_tags():
    options = bc.axe_options()
    assert options["runOnly"] == {"type": "tag",
                                  "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}


def test_axe_core_ships_inside_the_installed_package():
    base = pytest.importorskip("axe_playwright_python.base")
    assert base.AXE_FILE_PATH.is_file() and "axe" in base.AXE_SCRIPT[:2000]


def test_missing_folder_exits_2(tmp_path, capsys):
    assert bc.main([str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_unknown_option_exits_2(tmp_path, capsys):
    assert bc.main([str(tmp_path), "--nonsense"]) == 2


# -- a real run in Chromium -------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
HEAD = ('<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{0}</title>'
        '<link rel="icon" href="data:,"></head><body><main><h1>{0}</h1>')
PNG_1PX = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4"
           "nGNoaGgAAAMEAYFL09IQAAAAAElFTkSuQmCC")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_site_with_one_faulty_report_fails_and_names_each_fault(tmp_path, capsys):
    pytest.importorskip("playwright")
    pytest.importorskip("axe_playwright_python")
    out = tmp_path / "reports"
    (out / "2026" / "kommuner").mkdir(parents=True)
    clean = "<p>Föräldraskapsstöd i länet.</p></main></body></html>"
    for name, title in (("index.html", "Uppföljningar"), ("tillganglighet.html", "Redogörelse"),
                        ("2026/index.html", "2026"), ("2026/metoder.html", "Metoder")):
        (out / name).write_text(HEAD.format(title) + clean, encoding="utf-8")
    (out / "2026" / "kommuner" / "1880.html").write_text(
        HEAD.format("Örebro") + f'<img src="{PNG_1PX}" alt="Diagram">' + clean,
        encoding="utf-8")
    (out / "2026" / "regional.html").write_text(
        HEAD.format("Regionrapport") + f'<img src="{PNG_1PX}"><img src="saknas.png" alt="x">'
        '<img src="https://cdn.example/karta.png" alt="karta"><a href="borta.html">borta</a>'
        '<script>console.error("trasig")</script>' + clean, encoding="utf-8")
    (out / "2026" / "kommuner" / "1880.pdf").write_bytes(b"%PDF-1.7")

    code = bc.main([str(out)])
    printed = capsys.readouterr().out

    assert code == 1
    regional = printed.split("== 2026/regional.html")[1].split("==")[0]
    assert "axe critical image-alt: Images must have alternative text (1 element)" in regional
    assert "image not loaded: 2026/saknas.png" in regional
    assert "failed request: 2026/saknas.png: HTTP 404" in regional
    assert "console error: trasig" in regional
    assert "broken link: borta.html" in regional
    assert "outside request: https://cdn.example/karta.png" in regional
    profile = printed.split("== 2026/kommuner/1880.html")[1].split("==")[0]
    assert "\n   ok\n" in profile
    assert "missing pdf: 2026/regional.pdf" in printed
    shots = sorted(p.name for p in (out / ".screenshots").iterdir())
    assert shots == ["2026-index.png", "2026-kommuner-1880.png", "2026-metoder.png",
                     "2026-regional.png", "index.png", "tillganglighet.png"]
