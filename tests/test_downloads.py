"""The round's downloads, each read back with its own reader: csv, openpyxl, a
JSON-stat reader (pyjstat) and validator, rdflib."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest
from jsonstat_validator import validate_jsonstat
from pyjstat import pyjstat
from rdflib import Graph, Literal, URIRef, namespace

from evaluation.analysis.rounds import compute
from evaluation.errors import ParameterError
from evaluation.indicators.registry import REGISTRY
from evaluation.indicators.table import TIDY_COLUMNS
from evaluation.publish import dcat
from evaluation.publish.dcat import load_open_data
from evaluation.publish.downloads import write_indicator_files

PUBLISHED = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def result():
    return compute("data/example", 2026)


@pytest.fixture(scope="module")
def files(result, tmp_path_factory):
    return write_indicator_files(result, tmp_path_factory.mktemp("round"), published=PUBLISHED)


def test_csv_is_rfc4180_utf8_with_bom_and_keeps_the_design_columns_in_order(result, files):
    raw = files.csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == len(result.indicators) + 1  # CRLF after every record
    assert b"\n" not in raw.replace(b"\r\n", b"")
    with files.csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [*TIDY_COLUMNS, "title", "unit"]
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert len(records) == len(result.indicators)
    withheld = [r for r in records if r["suppressed"] == "true"]
    assert len(withheld) == int(result.indicators["suppressed"].sum()) > 0
    assert all(r["value"] == "" for r in withheld)
    orebro = next(r for r in records if r["area_code"] == "1880" and r["indicator"] == "1.4"
                  and r["round"] == "2026")
    assert orebro["area_name"] == "Örebro kommun"
    assert orebro["title"] == "Föräldrar i program per 1 000 barn 0–17 år"
    assert orebro["unit"] == "per 1 000 barn"


def test_xlsx_has_a_sheet_per_level_with_titles_units_number_formats_and_om_data(result,
                                                                                   files):
    wb = openpyxl.load_workbook(files.xlsx)
    assert wb.sheetnames == ["Län", "Kommuner", "Om data"]
    sheet = wb["Kommuner"]
    header = [c.value for c in sheet[1]]
    assert header[:8] == ["Omgång", "Nivå", "Kod", "Område", "Indikator", "Indikatorns namn",
                          "Målområde", "Enhet"]
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row - 1 == int((result.indicators["level"] == "municipality").sum())
    rows = {(r[0].value, r[2].value, r[4].value): r for r in sheet.iter_rows(min_row=2)}
    share = rows[(2026, "1880", "3.1")]
    value = share[header.index("Värde")]
    assert value.value == 1.0 and value.number_format == "0.0%"
    assert share[header.index("Målområde")].value == "En stödjande organisation"
    rate = rows[(2026, "1880", "1.4")][header.index("Värde")]
    assert rate.number_format == "0.0" and isinstance(rate.value, float)
    withheld = [r for r in sheet.iter_rows(min_row=2) if r[header.index("Skyddat")].value == "Ja"]
    assert withheld and all(r[header.index("Värde")].value == ".." for r in withheld)
    assert sheet.column_dimensions["F"].width >= 30  # titles readable
    about = [c for row in wb["Om data"].iter_rows(values_only=True) for c in row if c]
    for words in ("Källa", "Symboler", "..", "–", REGISTRY["2.2"].definition):
        assert words in about, words
    assert "publicerat av Region Örebro län" in " ".join(map(str, about))


def test_text_that_looks_like_a_formula_is_written_inert_in_csv_and_xlsx(result, tmp_path):
    hostile = result.indicators.copy()
    hostile["area_name"] = hostile["area_name"].where(hostile["area_code"] != "1880",
                                                      '=HYPERLINK("http://x","klicka")')
    copy = type(result).__new__(type(result))
    copy.__dict__.update(result.__dict__, indicators=hostile)
    files = write_indicator_files(copy, tmp_path, published=PUBLISHED)
    with files.csv.open(encoding="utf-8-sig", newline="") as handle:
        names = {r["area_name"] for r in csv.DictReader(handle) if r["area_code"] == "1880"}
    assert names == {'\'=HYPERLINK("http://x","klicka")'}
    sheet = openpyxl.load_workbook(files.xlsx)["Kommuner"]
    cells = [r[3] for r in sheet.iter_rows(min_row=2) if r[2].value == "1880"]
    assert cells and all(c.data_type == "s" and c.value.startswith("=") for c in cells)


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pyjstat")
def test_jsonstat_is_valid_and_reads_back_with_pyjstat_to_the_published_values(result, files):
    dataset = json.loads(files.json.read_text(encoding="utf-8"))
    assert validate_jsonstat(dataset)
    assert dataset["version"] == "2.0" and dataset["class"] == "dataset"
    assert dataset["id"] == ["round", "area", "indicator", "measure"]
    table = pyjstat.Dataset.read(files.json.read_text(encoding="utf-8")).write(
        "dataframe", naming="id")
    assert len(table) == 2 * 13 * 18 * 5
    published = result.indicators.set_index(["round", "area_code", "indicator"])
    for (year, area, indicator), row in published.iterrows():
        if pd.isna(row["value"]):
            continue
        got = table.loc[(table["round"] == str(year)) & (table["area"] == area)
                        & (table["indicator"] == indicator) & (table["measure"] == "value"),
                        "value"]
        assert got.tolist() == [pytest.approx(float(row["value"]))]
    # every withheld measure is null with status "..", and nothing else carries one
    withheld = published.loc[published["suppressed"]]
    expected = sum(int(pd.isna(withheld[m]).sum()) for m in
                   ("value", "ci_low", "ci_high", "numerator", "denominator"))
    assert len(dataset["status"]) == expected > 0
    assert set(dataset["status"].values()) == {".."}
    assert all(dataset["value"][int(i)] is None for i in dataset["status"])
    assert dataset["dimension"]["area"]["category"]["child"]["18"][0] == "1814"


def test_dcat_parses_and_holds_the_dcat_ap_se_mandatory_properties(files):
    DCAT, DCTERMS, FOAF, RDF = namespace.DCAT, namespace.DCTERMS, namespace.FOAF, namespace.RDF
    g = Graph().parse(files.dcat, format="xml")
    catalog = next(g.subjects(RDF.type, DCAT.Catalog))
    dataset = next(g.subjects(RDF.type, DCAT.Dataset))
    assert (catalog, DCAT.dataset, dataset) in g
    for subject in (catalog, dataset):
        titles = {t.language for t in g.objects(subject, DCTERMS.title)}
        descriptions = {t.language for t in g.objects(subject, DCTERMS.description)}
        assert titles == descriptions == {"sv", "en"}
        publisher = g.value(subject, DCTERMS.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in g
        assert g.value(publisher, FOAF.name) == Literal("Region Örebro län", lang="sv")
    assert Literal("Uppföljning av föräldraskapsstöd i Örebro län 2026: indikatorer",
                   lang="sv") in set(g.objects(dataset, DCTERMS.title))
    contact = g.value(dataset, DCAT.contactPoint)
    assert str(g.value(contact, dcat.VCARD.hasEmail)).startswith("mailto:")
    assert g.value(dataset, DCTERMS.accrualPeriodicity) == dcat.BIENNIAL
    period = g.value(dataset, DCTERMS.temporal)
    assert str(g.value(period, DCAT.startDate)) == "2024-01-01"
    assert str(g.value(period, DCAT.endDate)) == "2026-12-31"
    distributions = set(g.objects(dataset, DCAT.distribution))
    downloads = {str(g.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1] for d in distributions}
    assert downloads == {"indicators.csv", "indicators.xlsx", "indicators.json"}
    for d in distributions:
        assert g.value(d, DCTERMS.license) == URIRef(
            "http://creativecommons.org/licenses/by/4.0/")
        assert str(g.value(d, DCAT.accessURL)).startswith("https://")
        assert g.value(d, DCTERMS.format) is not None
    # no blank nodes: every subject and object resource has an IRI
    assert not [t for t in g if any(type(x).__name__ == "BNode" for x in t)]


def test_open_data_settings_missing_a_value_are_refused(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[open_data]\nbase_url = "https://example.org/"\npublisher = "R"\n',
                      encoding="utf-8")
    with pytest.raises(ParameterError, match="saknar publisher_url, contact_name"):
        load_open_data(config)
    config.write_text('[open_data]\nbase_url = "example.org"\npublisher = "R"\n'
                      'publisher_url = "https://r.se/"\ncontact_name = "R"\n'
                      'contact_email = "a@r.se"\nlicence = "http://l/"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="fullständig http"):
        load_open_data(config)


def _programme_rows(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_programme_csv_holds_every_published_offering_and_the_county_per_programme(result,
                                                                                 files):
    from evaluation.publish.downloads import PROGRAMME_COLUMNS, PROGRAMME_NAME, write_programme_csv

    path = write_programme_csv(result, files.csv.parent / PROGRAMME_NAME)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _programme_rows(path)
    assert list(rows[0]) == list(PROGRAMME_COLUMNS)
    for year, published in result.rounds.items():
        program = published.tables["program"]
        own = [r for r in rows if r["round"] == str(year) and r["level"] == "municipality"]
        assert len(own) == len(program)  # every offering, none left out
        for r, (_, p) in zip(own, program.sort_values(["municipality", "programme_name", "sector"],
                                                       key=lambda c: c.map(str),
                                                       kind="stable").iterrows(), strict=True):
            assert (r["area_code"], r["programme"], r["sector"]) == (
                p["municipality"], p["programme"], p["sector"])
            for column in ("participants", "completed"):
                withheld = bool(p[f"{column}_withheld"])
                assert r[f"{column}_suppressed"] == ("true" if withheld else "false")
                # a withheld count is empty: the file shows nothing a page does not
                assert r[column] == ("" if pd.isna(p[column]) else str(int(p[column])))
        uptake = result.uptake.programmes
        uptake = uptake.loc[(uptake["round"] == year) & (uptake["municipalities"] > 0)]
        county = {r["programme"]: r for r in rows
                  if r["round"] == str(year) and r["level"] == "county"}
        assert set(county) == set(uptake["programme"])
        for _, u in uptake.iterrows():
            row = county[u["programme"]]
            assert row["area_code"] == "18" and row["sector"] == ""
            assert row["participants"] == ("" if pd.isna(u["participants"])
                                           else str(int(u["participants"])))
            assert row["participants_suppressed"] == ("true" if u["suppressed"] else "false")


def test_a_programme_name_that_looks_like_a_formula_is_written_inert(result, tmp_path):
    from evaluation.publish.downloads import write_programme_csv

    copy = type(result).__new__(type(result))
    program = result.rounds[2026].tables["program"].copy()
    program["programme_name"] = '=HYPERLINK("http://x","klicka")'
    rounds = dict(result.rounds)
    rounds[2026] = type(rounds[2026])(2026, "18", rounds[2026].answered,
                                      {**rounds[2026].tables, "program": program})
    copy.__dict__.update(result.__dict__, rounds=rounds)
    rows = _programme_rows(write_programme_csv(copy, tmp_path / "program.csv"))
    names = {r["programme_name"] for r in rows if r["round"] == "2026"
             and r["level"] == "municipality"}
    assert names == {'\'=HYPERLINK("http://x","klicka")'}
