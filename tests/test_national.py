"""A national round (`--region all`): every county at once, and the country.

The run uses a small hand-made round of two counties, Gotland (one
municipality) and Blekinge (five, of which three answer), so that the
country's values can be worked out by hand below; only two profiles are made
to keep it quick.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from builders import PROFILES, write_two_counties

from evaluation.analysis.national import compute_national
from evaluation.analysis.rounds import compute
from evaluation.cli import main
from evaluation.tools.example import write_national_example


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        for name, value in attrs:
            if name == "href" and value:
                self.links.append((tag, value))


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("national")
    data = write_two_counties(base / "data")
    out = base / "reports"
    assert main(["run", "--data", str(data), "--round", "2026", "--out", str(out),
                 "--region", "all", "--municipality", *PROFILES, "--quiet"]) == 0
    return out, base


def country_rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "2026" / "indicators.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {r["indicator"]: r for r in rows if r["level"] == "country"}


def test_national_round_has_the_national_layout(published):
    out, _ = published
    round_dir = out / "2026"
    for name in ("index.html", "nationell.html", "indicators.csv", "indicators.xlsx",
                 "validation.csv", "manifest.json", "notebooks/nationell.ipynb",
                 "09/index.html", "09/regional.html", "09/kommuner/0980.html",
                 "10/index.html", "10/regional.html", "10/kommuner/1080.html",
                 "notebooks/10/regional.ipynb", "notebooks/09/kommunprofil-0980.ipynb"):
        assert (round_dir / name).is_file(), name
    assert sorted(p.relative_to(round_dir).as_posix() for p in round_dir.glob("*/kommuner/*")) \
        == ["09/kommuner/0980.html", "10/kommuner/1080.html"]
    assert (out / "index.html").is_file()
    assert not list(out.rglob("*.pkl"))
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


def test_overview_shows_both_counties_and_the_country_in_swedish_without_code(published):
    out, _ = published
    page = parse(out / "2026" / "nationell.html")
    text = (out / "2026" / "nationell.html").read_text(encoding="utf-8")
    assert '<html lang="sv"' in text
    for words in ("Föräldraskapsstöd i hela landet: nationell översikt 2026", "Riket",
                  "Blekinge län", "Gotlands län", "Länen sida vid sida",
                  "Målområde 2: Ett tillgängligt stöd", "Svar och datakvalitet",
                  "Stapeldiagram: Föräldrar i program per 1 000 barn 0–17 år 2026, per län"):
        assert words in text.replace("\u00a0", " "), words
    for forbidden in ("Traceback", "load_for_overview", "result_path", "import ",
                      "jp-InputArea"):
        assert forbidden not in text, forbidden
    assert page.images and all((img.get("alt") or "").strip() for img in page.images)
    assert all(img["src"].startswith("data:image/png") for img in page.images)


def test_country_values_are_computed_over_every_answering_municipality(published):
    out, _ = published
    rows = country_rows(out)
    assert {r["area_code"] for r in rows.values()} == {"00"}
    assert {r["area_name"] for r in rows.values()} == {"Riket"}
    # 1.4: parents 30 + 40 + 20 + 10 over children 10 000 + 12 000 + 5 000 + 6 000
    # of the four municipalities that answered (the rejected row does not count).
    assert rows["1.4"]["numerator"] == "100" and rows["1.4"]["denominator"] == "33000"
    assert float(rows["1.4"]["value"]) == pytest.approx(100 / 33000 * 1000)
    # 1.5: men 10 + 10 + 5 + 4 of 100 parents; Karlshamn's 4 men are withheld in its own
    # figures, but the country's total hides no one.
    assert float(rows["1.5"]["value"]) == pytest.approx(29 / 100)
    assert rows["1.5"]["suppressed"] == "false"
    # 3.1: a group in Gotland, Karlskrona and Karlshamn, not in Ronneby.
    assert (rows["3.1"]["numerator"], rows["3.1"]["denominator"]) == ("3", "4")
    # D.1: four of Sweden's 290 municipalities answered.
    assert (rows["D.1"]["numerator"], rows["D.1"]["denominator"]) == ("4", "290")
    # 2.4: BVC co-located with both services: Visby and Karlskrona, not Sölvesborg.
    assert (rows["2.4"]["numerator"], rows["2.4"]["denominator"]) == ("2", "3")


def test_indicator_table_holds_country_counties_and_their_municipalities(published):
    out, _ = published
    table = pd.read_csv(out / "2026" / "indicators.csv", dtype=str)
    areas = table.groupby("level")["area_code"].unique().to_dict()
    assert sorted(areas["country"]) == ["00"]
    assert sorted(areas["county"]) == ["09", "10"]
    assert sorted(areas["municipality"]) == ["0980", "1060", "1080", "1081", "1082", "1083"]
    assert table["level"].iloc[0] == "country"
    karlshamn = table.loc[(table["area_code"] == "1082") & (table["indicator"] == "1.5")]
    assert karlshamn["suppressed"].tolist() == ["true"] and karlshamn["value"].isna().all()


def test_every_link_of_the_national_and_county_pages_resolves(published):
    out, _ = published
    pages = [out / "index.html", out / "2026" / "index.html", out / "2026" / "09" / "index.html",
             out / "2026" / "10" / "index.html"]
    for page in pages:
        ids = set(re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8")))
        for _, href in parse(page).links:
            assert not re.match(r"^\s*(https?:)?//", href), (page, href)
            path, _, fragment = href.partition("#")
            if path:
                assert (page.parent / path).resolve().is_file(), (page, href)
            else:  # the table of contents: an anchor on the page itself
                assert fragment in ids, (page, href)
    national = {h for _, h in parse(out / "2026" / "index.html").links}
    assert {"nationell.html", "09/index.html", "10/index.html", "indicators.csv",
            "../index.html"} <= national
    county = (out / "2026" / "10" / "index.html").read_text(encoding="utf-8")
    assert "Uppföljning 2026 i hela landet" in county and "Blekinge län" in county
    assert "2026/index.html" in {h for _, h in parse(out / "index.html").links}


def test_findings_are_reported_with_their_county_and_the_rest_nationally(published):
    out, _ = published
    blekinge = (out / "2026" / "10" / "validation.csv").read_text(encoding="utf-8-sig")
    gotland = (out / "2026" / "09" / "validation.csv").read_text(encoding="utf-8-sig")
    everything = (out / "2026" / "validation.csv").read_text(encoding="utf-8-sig")
    assert "program_blekinge.csv" in blekinge and "program_blekinge.csv" not in gotland
    assert "00 Riket" not in blekinge and "00 Riket" not in gotland
    assert "program_blekinge.csv" in everything
    # The rejected value itself is only in the full report, outside the published round.
    assert "00 Riket" not in everything
    full = (out / ".validation" / "2026" / "validation.csv").read_text(encoding="utf-8-sig")
    assert "00 Riket" in full
    overview = (out / "2026" / "nationell.html").read_text(encoding="utf-8")
    assert "Varningar och avvisade rader som inte hör till något län" in overview
    assert "00 Riket" not in overview


def test_validate_all_accepts_municipalities_of_several_counties(tmp_path, capsys):
    data = write_two_counties(tmp_path / "data")
    assert main(["validate", "--data", str(data), "--round", "2026", "--region", "all",
                 "--out", str(tmp_path / "out")]) == 0
    findings = pd.read_csv(tmp_path / "out" / ".validation" / "2026" / "validation.csv",
                           encoding="utf-8-sig")
    assert "outside_county" not in set(findings["reason"])
    assert set(findings.loc[findings["severity"] == "rejected", "value"]) == {"'-2", "00 Riket"}
    # The same round checked for Blekinge alone: Gotland lies outside it.
    assert main(["validate", "--data", str(data), "--round", "2026", "--region", "10",
                 "--out", str(tmp_path / "one")]) == 0
    one = pd.read_csv(tmp_path / "one" / ".validation" / "2026" / "validation.csv",
                      encoding="utf-8-sig")
    assert "outside_county" in set(one["reason"])


@pytest.mark.parametrize("command", [
    ["run", "--data", "DATA", "--round", "2026", "--out", "OUT"],
    ["example", "--out", "DATA"],
    ["validate", "--data", "DATA", "--round", "2026"],
])
def test_unknown_region_is_a_usage_error(command, tmp_path, capsys):
    args = [str(tmp_path / a) if a in ("DATA", "OUT") else a for a in command]
    write_two_counties(tmp_path / "DATA")
    assert main([*args, "--region", "99"]) == 2
    assert "okänt län '99'" in capsys.readouterr().err


def test_county_in_a_national_round_equals_the_county_run_alone(tmp_path):
    data = tmp_path / "data"
    write_national_example(data, seed=5, counties=["09", "10"])
    national = compute_national(data, 2026)
    assert sorted(national.counties) == ["09", "10"]
    for code in ("09", "10"):
        alone = compute(data, 2026, code)
        pd.testing.assert_frame_equal(national.counties[code].indicators, alone.indicators)
        counts = {c.table: (c.rows_in, c.rejected) for c in alone.validation.counts.values()}
        mine = {c.table: (c.rows_in, c.rejected)
                for c in national.counties[code].validation.counts.values()}
        # A county alone also reads, and rejects, the other county's rows.
        assert all(mine[t][0] <= counts[t][0] for t in counts)


def test_no_country_cell_gives_away_a_single_withheld_county_cell(published):
    out, _ = published
    with (out / "2026" / "indicators.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["indicator"] in ("1.4", "1.5", "1.6")]
    for indicator in ("1.4", "1.5", "1.6"):
        country = [r for r in rows if r["indicator"] == indicator and r["level"] == "country"]
        counties = [r for r in rows if r["indicator"] == indicator and r["level"] == "county"]
        hidden = sum(r["suppressed"] == "true" for r in counties)
        if country and country[0]["suppressed"] == "false":
            assert hidden != 1  # the country minus the published counties would tell
    manifest = json.loads((out / "2026" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["cells_withheld"]) == {"00", "09", "10"}


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_national_example_covers_every_municipality_quickly_and_reproducibly(tmp_path):
    import time

    from evaluation.intake.validation import validate_round

    started = time.perf_counter()
    write_national_example(tmp_path / "a", seed=2, years=(2026,))
    assert time.perf_counter() - started < 20
    round_ = validate_round(tmp_path / "a", 2026, "all")
    population = round_.tables["befolkning"]
    assert len(population) == 290
    children = population.set_index("municipality")["children_0_17"]
    assert children["0180"] > 20 * children.median()  # Stockholm is a large city
    assert 250 < len(round_.answered) < 290  # some municipalities do not answer
    participants = round_.tables["program"]["participants"].dropna()
    assert ((participants >= 1) & (participants <= 4)).any()  # withheld when published
    readme = (tmp_path / "a" / "2026" / "LASMIG.txt").read_text(encoding="utf-8")
    assert "Syntetiska exempeldata" in readme and "påhittat" in readme
    assert "--region all" in readme
    write_national_example(tmp_path / "b", seed=2, years=(2026,))
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_overview_notebook_is_committed_clean_and_checks_its_parameters_first():
    import nbformat

    from evaluation.publish.national_run import OVERVIEW
    from evaluation.report.parameters import NOTEBOOKS, declared_parameters

    nb = nbformat.read(NOTEBOOKS / OVERVIEW, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert [c.id for c in nb.cells] == [f"national-{i:02d}" for i in range(len(nb.cells))]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "load_for_overview(" in code[1].source
    assert set(declared_parameters(NOTEBOOKS / OVERVIEW)) == {"result_path", "data_dir", "year"}


def test_overview_opened_by_hand_computes_the_round_from_its_data_folder():
    from evaluation.analysis.national import load_for_overview
    from evaluation.report.parameters import NOTEBOOKS

    result = load_for_overview("", data_dir=NOTEBOOKS.parent / "data" / "example", year=2026)
    assert sorted(result.counties) == ["18"]  # the shipped example holds Örebro län only
    assert result.county_table["reported"].sum() == 1 and len(result.county_table) == 21


def test_the_four_downloads_exist_for_the_round_and_each_county_and_parse(published):
    from openpyxl import load_workbook
    from pyjstat import pyjstat
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT

    out, _ = published
    for folder, levels in ((out / "2026", {"Riket", "Län", "Kommuner"}),
                           (out / "2026" / "09", {"Län", "Kommuner"}),
                           (out / "2026" / "10", {"Län", "Kommuner"})):
        with (folder / "indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows and "title" in rows[0]
        assert set(load_workbook(folder / "indicators.xlsx").sheetnames) == levels | {"Om data"}
        table = pyjstat.Dataset.read((folder / "indicators.json").read_text(encoding="utf-8"))
        assert len(table.write("dataframe")) == len(rows) * 5
        graph = Graph().parse(folder / "dcat.rdf", format="xml")
        downloads = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
        site = "https://example.org/foraldraskapsstod/" + folder.relative_to(out).as_posix()
        assert downloads == {f"{site}/indicators.{ext}" for ext in ("csv", "xlsx", "json")}
        assert URIRef(f"{site}/index.html") in set(graph.objects(None, DCAT.landingPage))
    root = Graph().parse(out / "2026" / "dcat.rdf", format="xml")
    titles = {str(t) for t in root.objects(None, URIRef("http://purl.org/dc/terms/title"))}
    assert "Uppföljning av föräldraskapsstöd i hela landet 2026: indikatorer" in titles
    county_page = (out / "2026" / "09" / "index.html").read_text(encoding="utf-8")
    for name in ("indicators.csv", "indicators.xlsx", "indicators.json", "dcat.rdf"):
        assert f'href="{name}"' in county_page
