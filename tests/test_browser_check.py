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
        ("round index", "2026/index.html"),
        ("regional report", "2026/regional.html"),
        ("municipality profile", "2026/kommuner/1814.html"),
    ]


def test_given_round_and_municipality_are_the_ones_opened(tmp_path):
    pages = bc.select_pages(_published(tmp_path), 2024, "1880")
    assert [p.path for p in pages] == [
        "index.html", "2024/index.html", "2024/regional.html", "2024/kommuner/1880.html",
    ]


def test_unknown_round_is_a_usage_error_naming_the_rounds_found(tmp_path):
    with pytest.raises(bc.UsageError, match=r"no round 2028 in .*; rounds found: 2024, 2026"):
        bc.select_pages(_published(tmp_path), 2028)


def test_folder_without_a_round_is_a_usage_error(tmp_path):
    (tmp_path / "notes").mkdir()
    with pytest.raises(bc.UsageError, match="no published round"):
        bc.select_pages(tmp_path)


def test_round_without_profiles_still_lists_a_profile_to_report_missing(tmp_path):
    pages = bc.select_pages(_published(tmp_path, rounds=(2026,), codes=()))
    assert pages[-1].path == "2026/kommuner/<code>.html"


def test_screenshot_names_are_flat_so_every_page_type_shares_one_folder():
    assert bc.Page("municipality profile", "2026/kommuner/1880.html").screenshot_name == (
        "2026-kommuner-1880.png")
    assert bc.Page("site index", "index.html").screenshot_name == "index.png"


# -- reading axe-core results ---------------------------------------------------------

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
    assert {v.page for v in violations} == {"2026/regional.html"}


def test_clean_axe_result_has_no_violations():
    assert bc.parse_axe_violations({"violations": [], "passes": []}, "index.html") == []


def test_rules_axe_could_not_decide_are_counted_by_element():
    assert bc.parse_axe_undecided(AXE_RESULT) == [("color-contrast", 2)]


def test_printed_violation_names_rule_impact_help_link_and_elements():
    result = bc.PageResult(bc.Page("regional report", "2026/regional.html"),
                           violations=bc.parse_axe_violations(AXE_RESULT, "x"))
    lines = bc.format_result(result)
    assert lines[0] == "== 2026/regional.html (regional report)"
    assert ("   axe serious color-contrast: Elements must meet minimum color contrast ratio "
            "thresholds (2 elements)") in lines
    assert "       at main > p" in lines and "       at td:nth-child(2)" in lines
    assert "       https://dequeuniversity.com/rules/axe/4.14/image-alt" in lines


def test_axe_is_asked_for_the_wcag_2_0_and_2_1_a_and_aa_tags():
    expression = bc.axe_run_expression(bc.AXE_TAGS)
    assert '["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]' in expression
    assert "axe.run(document" in expression


# -- reading DevTools events ------------------------------------------------------------


def _console(kind, *values):
    return {"method": "Runtime.consoleAPICalled",
            "params": {"type": kind, "args": [{"type": "string", "value": v} for v in values],
                       "stackTrace": {"callFrames": [
                           {"url": f"{ORIGIN}/index.html", "lineNumber": 11}]}}}


def test_console_errors_and_uncaught_exceptions_are_problems_but_warnings_are_not():
    events = [
        _console("error", "diagram saknas"),
        _console("warning", "bara en varning"),
        _console("log", "hej"),
        {"method": "Runtime.exceptionThrown", "params": {"exceptionDetails": {
            "text": "Uncaught", "url": f"{ORIGIN}/index.html", "lineNumber": 3,
            "exception": {"description": "ReferenceError: x is not defined\n    at index"}}}},
        {"method": "Log.entryAdded", "params": {"entry": {
            "level": "error", "source": "security", "text": "Refused to load the image"}}},
        {"method": "Log.entryAdded", "params": {"entry": {
            "level": "error", "source": "network", "text": "Failed to load resource: 404"}}},
    ]
    problems = bc.problems_from_events(events, "index.html", ORIGIN)
    assert [(p.category, p.detail) for p in problems] == [
        ("console error", f"diagram saknas ({ORIGIN}/index.html:12)"),
        ("console error", f"ReferenceError: x is not defined ({ORIGIN}/index.html:4)"),
        ("console error", "Refused to load the image"),
    ]


def _request(request_id, url):
    return {"method": "Network.requestWillBeSent",
            "params": {"requestId": request_id, "request": {"url": url}}}


def test_failed_requests_and_http_errors_are_listed_with_their_urls():
    events = [
        _request("1", f"{ORIGIN}/2026/regional.html"),
        {"method": "Network.responseReceived",
         "params": {"requestId": "1", "response": {"url": f"{ORIGIN}/2026/regional.html",
                                                   "status": 200}}},
        _request("2", f"{ORIGIN}/2026/karta.svg"),
        {"method": "Network.responseReceived",
         "params": {"requestId": "2", "response": {"url": f"{ORIGIN}/2026/karta.svg",
                                                   "status": 404}}},
        _request("3", f"{ORIGIN}/2026/stil.css"),
        {"method": "Network.loadingFailed",
         "params": {"requestId": "3", "errorText": "net::ERR_CONNECTION_RESET"}},
        _request("4", f"{ORIGIN}/2026/app.js"),
        {"method": "Network.loadingFailed",
         "params": {"requestId": "4", "errorText": "net::ERR_BLOCKED_BY_CLIENT",
                    "blockedReason": "csp"}},
    ]
    problems = bc.problems_from_events(events, "2026/regional.html", ORIGIN)
    assert [(p.category, p.detail) for p in problems] == [
        ("failed request", f"{ORIGIN}/2026/karta.svg: HTTP 404"),
        ("failed request", f"{ORIGIN}/2026/stil.css: net::ERR_CONNECTION_RESET"),
        ("failed request", f"{ORIGIN}/2026/app.js: csp"),
    ]


def test_request_to_another_host_is_listed_once_as_an_outside_request():
    events = [
        _request("1", "https://cdn.example.org/plotly.min.js"),
        {"method": "Network.loadingFailed",
         "params": {"requestId": "1", "errorText": "net::ERR_NAME_NOT_RESOLVED"}},
        _request("2", "data:image/png;base64,iVBORw0KGgo="),
        _request("3", "http://127.0.0.1:9999/index.html"),
    ]
    problems = bc.problems_from_events(events, "index.html", ORIGIN)
    assert [(p.category, p.detail) for p in problems] == [
        ("outside request", "https://cdn.example.org/plotly.min.js"),
        ("outside request", "http://127.0.0.1:9999/index.html"),
    ]


def test_favicon_the_browser_asks_for_by_itself_is_not_a_failure():
    events = [
        _request("9", f"{ORIGIN}/favicon.ico"),
        {"method": "Network.responseReceived",
         "params": {"requestId": "9", "response": {"url": f"{ORIGIN}/favicon.ico",
                                                   "status": 404}}},
    ]
    assert bc.problems_from_events(events, "index.html", ORIGIN) == []


# -- command line ---------------------------------------------------------------------


def test_missing_folder_exits_2(tmp_path, capsys):
    assert bc.main([str(tmp_path / "saknas")]) == 2
    assert "error: no such folder" in capsys.readouterr().err


def test_missing_axe_core_exits_2_and_says_how_to_install_it(tmp_path, capsys):
    out = _published(tmp_path)
    assert bc.main([str(out), "--axe", str(tmp_path / "axe.min.js")]) == 2
    assert "run `npm ci` in scripts/ first" in capsys.readouterr().err


def test_unknown_option_exits_2(tmp_path, capsys):
    assert bc.main([str(tmp_path), "--colour"]) == 2


# -- a real run in Chromium -------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
HEAD = ('<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{0}</title>'
        '<link rel="icon" href="data:,"></head><body><main><h1>{0}</h1>')
PNG_1PX = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4"
           "nGNoaGgAAAMEAYFL09IQAAAAAElFTkSuQmCC")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
@pytest.mark.skipif(not bc.DEFAULT_AXE.exists(), reason="needs `npm ci` in scripts/")
def test_round_with_one_faulty_report_fails_and_names_each_fault(tmp_path, capsys):
    pytest.importorskip("websocket")
    out = tmp_path / "reports"
    (out / "2026" / "kommuner").mkdir(parents=True)
    clean = "<p>Föräldraskapsstöd i länet.</p></main></body></html>"
    (out / "index.html").write_text(HEAD.format("Uppföljningar") + clean, encoding="utf-8")
    (out / "2026" / "index.html").write_text(HEAD.format("2026") + clean, encoding="utf-8")
    (out / "2026" / "kommuner" / "1880.html").write_text(
        HEAD.format("Örebro") + f'<img src="{PNG_1PX}" alt="Diagram">' + clean,
        encoding="utf-8")
    (out / "2026" / "regional.html").write_text(
        HEAD.format("Regionrapport") + f'<img src="{PNG_1PX}"><img src="saknas.png" alt="x">'
        '<script>console.error("trasig")</script>' + clean, encoding="utf-8")

    code = bc.main([str(out)])
    printed = capsys.readouterr().out

    assert code == 1
    regional = printed.split("== 2026/regional.html")[1].split("==")[0]
    assert "axe critical image-alt: Images must have alternative text (1 element)" in regional
    assert "image not loaded: saknas.png" in regional
    assert "failed request: 2026/saknas.png: HTTP 404" in regional
    assert "console error: trasig (2026/regional.html:1)" in regional
    profile = printed.split("== 2026/kommuner/1880.html")[1]
    assert "\n   ok\n" in profile
    shots = sorted(p.name for p in (out / ".screenshots").iterdir())
    assert shots == ["2026-index.png", "2026-kommuner-1880.png", "2026-regional.png",
                     "index.png"]
    assert (out / ".screenshots" / "index.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
