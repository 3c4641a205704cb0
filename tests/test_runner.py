"""A whole round through the runner: the published pages, links, escaping and atomicity.

Runs on small counties (Blekinge: 5 municipalities; Gotland: 1) to keep it quick.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from builders import write_csv

from evaluation.cli import main
from evaluation.intake.reference import load_reference
from evaluation.publish import runner
from evaluation.publish.accessibility import DIGG_COMPLAINT_URL
from evaluation.report import parameters
from evaluation.tools.example import write_example

BLEKINGE = "10"
SCRIPT_NAME = "<script>alert('x')</script> Familjecentralen"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append((name, value))


def links(path: Path) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("blekinge")
    data = base / "data"
    write_example(data, region=BLEKINGE, seed=3, years=(2024, 2026))
    codes = load_reference().county_municipalities(BLEKINGE)["code"].tolist()
    write_csv(data / "2026" / "familjecentraler_extra.csv",
              ["Kommun", "Namn", "BMM", "BVC", "Öppen förskola", "Förebyggande socialtjänst"],
              [[codes[0], SCRIPT_NAME, "Ja", "Ja", "Ja", "Ja"]])
    out = base / "reports"
    assert main(["run", "--data", str(data), "--round", "2026", "--out", str(out),
                 "--region", BLEKINGE, "--quiet"]) == 0
    return out, codes, base


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_round_has_the_published_layout(published):
    out, codes, _ = published
    round_dir = out / "2026"
    for name in ("index.html", "regional.html", "indicators.csv", "indicators.xlsx",
                 "validation.csv", "manifest.json", "notebooks/regional.ipynb"):
        assert (round_dir / name).is_file(), name
    assert sorted(p.stem for p in (round_dir / "kommuner").glob("*.html")) == sorted(codes)
    assert (out / "index.html").is_file()
    assert not (round_dir / runner.RESULT_FILE).exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


def test_reports_are_swedish_with_no_code_or_traceback(published):
    out, codes, _ = published
    regional = (out / "2026" / "regional.html").read_text(encoding="utf-8")
    assert '<html lang="sv"' in regional
    for heading in ("Sammanfattning", "Målområde 1: Ett kunskapsbaserat arbetssätt",
                    "Målområde 3: En stödjande organisation", "Evidensbaserade metoder",
                    "Datakvalitet", "Blekinge län"):
        assert heading in regional, heading
    profile = (out / "2026" / "kommuner" / f"{codes[0]}.html").read_text(encoding="utf-8")
    assert "Kommunprofil:" in profile and "Familjecentraler och samlokalisering" in profile
    for page in html_files(out):
        text = page.read_text(encoding="utf-8")
        for forbidden in ("Traceback", "load_for_report", "result_path", "import ",
                          "In&nbsp;[", "jp-InputArea"):
            assert forbidden not in text, (page.name, forbidden)


def test_reports_load_nothing_from_outside(published):
    out, _, _ = published
    for page in html_files(out):
        for attr, value in links(page):
            if page.name == "tillganglighet.html" and value == DIGG_COMPLAINT_URL:
                continue  # the statement must link Digg's complaint form (a link, no load)
            assert not re.match(r"^\s*(https?:)?//", value), (page, attr, value[:80])
            if attr == "src":
                assert value.startswith("data:image/"), (page, value[:40])
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower().replace("&lt;script", ""), page
        assert "@import" not in text and "url(http" not in text


def test_text_from_the_data_is_escaped(published):
    out, codes, _ = published
    profile = (out / "2026" / "kommuner" / f"{codes[0]}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in profile
    assert "<script>alert(" not in profile


def test_every_link_on_the_index_pages_resolves(published):
    out, codes, _ = published
    pages = [out / "index.html", out / "2026" / "index.html"]
    found = 0
    for page in pages:
        for attr, href in links(page):
            if attr != "href" or href.startswith("#"):
                continue
            target = (page.parent / href.split("#")[0]).resolve()
            assert target.is_file(), (page.name, href)
            found += 1
    round_links = {h for a, h in links(out / "2026" / "index.html") if a == "href"}
    assert {f"kommuner/{c}.html" for c in codes} <= round_links
    assert "regional.html" in round_links and "indicators.csv" in round_links
    assert found >= len(codes) + 6


def test_no_path_of_the_building_machine_is_published(published):
    out, _, base = published
    for page in [*html_files(out), *out.rglob("*.json"), *out.rglob("*.ipynb")]:
        text = page.read_text(encoding="utf-8")
        assert str(base) not in text, page
        assert str(Path.cwd()) not in text, page


def test_manifest_lists_inputs_with_checksums(published):
    out, _, base = published
    manifest = json.loads((out / "2026" / "manifest.json").read_text(encoding="utf-8"))
    inputs = {i["file"]: i["sha256"] for i in manifest["inputs"]}
    some = next(p for p in (base / "data" / "2026").iterdir() if p.suffix == ".csv")
    assert inputs[f"2026/{some.name}"] == hashlib.sha256(some.read_bytes()).hexdigest()
    assert any(name.startswith("2024/") for name in inputs)
    assert manifest["parameters"]["region"] == BLEKINGE
    assert manifest["packages"]["pandas"]


def _tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failing_report_publishes_nothing_and_names_the_cell(tmp_path, monkeypatch, capsys):
    data, out = tmp_path / "data", tmp_path / "reports"
    write_example(data, region="09", seed=1, years=(2024, 2026))
    args = ["run", "--data", str(data), "--round", "2026", "--out", str(out), "--region", "09",
            "--quiet"]
    assert main(args) == 0
    before = _tree_digest(out / "2026")

    broken = tmp_path / "notebooks"
    shutil.copytree(parameters.NOTEBOOKS, broken)
    profile = nbformat.read(broken / parameters.PROFILE, as_version=4)
    failing = next(i for i, c in enumerate(profile.cells)
                   if c.cell_type == "code" and "profile_overview" in c.source)
    profile.cells[failing].source = "raise ValueError('trasig cell')"
    nbformat.write(profile, broken / parameters.PROFILE)
    monkeypatch.setattr(parameters, "NOTEBOOKS", broken)
    capsys.readouterr()

    assert main(args) == 1
    err = capsys.readouterr().err
    assert "Report 'kommuner/0980' failed in cell" in err
    assert "ValueError: trasig cell" in err
    assert _tree_digest(out / "2026") == before
    kept = out / ".failed" / "2026" / "notebooks" / "kommunprofil-0980.ipynb"
    executed = nbformat.read(kept, as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    raised = next(c for c in code if "trasig cell" in c.source)
    # The cell named is the one that raised, by its "In [N]" in the kept notebook: the
    # code cells of the notebook before it, plus the parameters cell papermill injects.
    injected = [c for c in code if "injected-parameters" in c.metadata.get("tags", [])]
    before_failing = sum(1 for c in profile.cells[:failing] if c.cell_type == "code")
    assert len(injected) == 1
    assert raised.execution_count == before_failing + len(injected) + 1
    assert re.search(r"failed in cell (\d+)", err).group(1) == str(raised.execution_count)


def _published_state(out: Path) -> dict[str, str]:
    """Every published file; the run's own log and lock files are not part of it."""
    return {k: v for k, v in _tree_digest(out).items()
            if not k.startswith((".logs/", ".lock"))}


@pytest.fixture(scope="module")
def gotland(tmp_path_factory):
    base = tmp_path_factory.mktemp("gotland")
    data, out = base / "data", base / "reports"
    write_example(data, region="09", seed=2, years=(2024, 2026))
    args = ["run", "--data", str(data), "--round", "2026", "--out", str(out), "--region", "09",
            "--quiet"]
    assert main(args) == 0
    return data, out, args


def test_unchanged_rerun_says_up_to_date_and_changes_nothing(gotland, capsys):
    data, out, args = gotland
    before = _published_state(out)
    logs = len(list((out / ".logs").glob("*.log")))
    capsys.readouterr()
    assert main(args) == 0
    said = capsys.readouterr().out
    assert "Round 2026 is up to date" in said
    assert _published_state(out) == before
    assert len(list((out / ".logs").glob("*.log"))) == logs + 1


def test_force_and_changed_input_run_again(gotland, capsys):
    data, out, args = gotland
    manifest = (out / "2026" / "manifest.json").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--force"]) == 0
    assert "Published round 2026" in capsys.readouterr().out
    assert (out / "2026" / "manifest.json").read_text(encoding="utf-8") != manifest

    population = next((data / "2024").glob("befolkning*"))
    population.write_bytes(population.read_bytes() + b"\n")  # a trailing blank row
    assert main(args) == 0
    said = capsys.readouterr().out
    assert "Published round 2026" in said and "up to date" not in said


def test_every_run_leaves_a_log_naming_what_it_did(gotland):
    _, out, _ = gotland
    newest = max((out / ".logs").glob("2026-*.log"), key=lambda p: p.stat().st_mtime_ns)
    text = newest.read_text(encoding="utf-8")
    assert "round 2026, region 09" in text
    assert "published round 2026" in text or "is up to date" in text


def test_second_run_on_the_same_output_exits_at_once(gotland, capsys):
    from evaluation.publish.staging import RunLock

    _, out, args = gotland
    with RunLock(out):
        assert main([*args, "--force"]) == 1
    err = capsys.readouterr().err
    assert "is in use by another run" in err


def test_every_chart_has_a_text_alternative(published):
    out, _, _ = published

    class Images(HTMLParser):
        alts: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.alts.append(dict(attrs).get("alt") or "")

    parser = Images()
    parser.feed((out / "2026" / "regional.html").read_text(encoding="utf-8"))
    assert len(parser.alts) >= 20
    assert all(len(alt) > 30 for alt in parser.alts)
    assert not any(alt == "Bild utan textbeskrivning" for alt in parser.alts)


def test_round_page_links_the_four_downloads(published):
    out, _, _ = published
    page = (out / "2026" / "index.html").read_text(encoding="utf-8")
    for name in ("indicators.csv", "indicators.xlsx", "indicators.json", "dcat.rdf"):
        assert (out / "2026" / name).is_file(), name
        assert f'href="{name}"' in page, name
