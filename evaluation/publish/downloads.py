"""The round's downloads: the indicator table for Excel users and for machines, and
the open-data metadata that lists it on dataportal.se (DESIGN §6).

    indicators.csv    RFC 4180, UTF-8 with BOM, the DESIGN §6 columns in order, then
                      the indicator's title and unit
    indicators.xlsx   formatted for Swedish Excel: a sheet per level, titles, goal
                      areas and units, number formats, frozen header, "Om data"
    indicators.json   JSON-stat 2.0 (`evaluation.publish.jsonstat`)
    dcat.rdf          DCAT-AP-SE metadata of the round's dataset (`evaluation.publish.dcat`)
    program.csv       the published municipality × programme table with the county's
                      participants per programme: every offering a page shortens

Every file is written from the published (disclosure-controlled) tables only; text
cells that a spreadsheet would take for a formula are written inert.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from evaluation.analysis.results import csv_frame
from evaluation.indicators.registry import REGISTRY, Indicator
from evaluation.indicators.table import TIDY_COLUMNS
from evaluation.publish.jsonstat import write_jsonstat
from evaluation.report.formatting import MISSING, WITHHELD, unit_text
from evaluation.spreadsheet import fit_columns, inert, inert_frame, set_cell, write_row

CSV_NAME = "indicators.csv"
XLSX_NAME = "indicators.xlsx"
JSON_NAME = "indicators.json"
DCAT_NAME = "dcat.rdf"
PROGRAMME_NAME = "program.csv"
PROGRAMME_COLUMNS = ("round", "level", "area_code", "area_name", "programme", "programme_name",
                     "evidence_class", "sector", "sector_name", "participants",
                     "participants_suppressed", "completed", "completed_suppressed")
#: Shown for "not applicable" (Kolada's symbols, with ".." and "–" of `formatting`).
NOT_APPLICABLE = "."

LEVEL_SHEETS: dict[str, str] = {"country": "Riket", "county": "Län",
                                "municipality": "Kommuner"}
LEVEL_TEXT: dict[str, str] = {"country": "riket", "county": "län", "municipality": "kommun"}
ABOUT_SHEET = "Om data"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"
COUNT_FORMAT = "#,##0"
SOURCE_TEXT = ("Kommunernas svar på enkäten om föräldraskapsstöd, regionens förteckning över "
               "barnmorskemottagningar (BMM) och barnavårdscentraler (BVC) och SCB:s "
               "befolkningsstatistik.")


class DownloadFiles(NamedTuple):
    csv: Path
    xlsx: Path
    json: Path
    dcat: Path


def download_links(programmes: bool = True) -> list[tuple[str, str, str]]:
    """(title, file, description) of every download, as the round page lists them;
    `programmes=False` for a page without a programme table (the national overview)."""
    links = [
        ("Indikatorer (CSV)", CSV_NAME,
         "Alla indikatorer för maskinell läsning: UTF-8, kommaseparerad, punkt som decimaltecken"),
        ("Indikatorer (Excel)", XLSX_NAME,
         "Samma tabell formaterad för Excel, ett blad per nivå och bladet Om data"),
        ("Indikatorer (JSON-stat)", JSON_NAME,
         "Samma tabell i JSON-stat 2.0, det format som SCB:s PxWeb och de nordiska "
         "statistikbyråerna använder"),
        ("Program (CSV)", PROGRAMME_NAME,
         "Varje programinsats per kommun och sektor, och länets deltagare per program: "
         "samma värden som sidorna visar, också där sidorna visar ett urval"),
        ("Metadata (DCAT-AP-SE)", DCAT_NAME,
         "Beskrivning av datamängden för Sveriges dataportal (RDF/XML)"),
    ]
    return [link for link in links if programmes or link[1] != PROGRAMME_NAME]


def target_label(ind: Indicator) -> str:
    if ind.target_value is not None:
        return f"{ind.target_value:.0%}".replace("%", " %")
    return {"rising": "ökande", "monitored": "följs"}.get(str(ind.target), str(ind.target))


# -- CSV -------------------------------------------------------------------------------


def download_frame(indicators: pd.DataFrame) -> pd.DataFrame:
    """The CSV's rows: the DESIGN §6 columns unchanged and in order, then `title` and
    `unit`; text cells inert for spreadsheets."""
    frame = csv_frame(indicators)
    frame["title"] = frame["indicator"].map(lambda i: REGISTRY[i].title if i in REGISTRY else "")
    frame["unit"] = frame["indicator"].map(lambda i: unit_text(REGISTRY[i])
                                           if i in REGISTRY else "")
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(inert)
    return frame


def write_csv(indicators: pd.DataFrame, path: str | Path) -> Path:
    """RFC 4180 (CRLF, quotes only where needed), UTF-8 with BOM so that Excel reads
    å, ä and ö; dot decimals, a withheld value empty with `suppressed` true."""
    path = Path(path)
    download_frame(indicators).to_csv(path, index=False, encoding="utf-8-sig",
                                      lineterminator="\r\n")
    return path


def programme_frame(result: Any) -> pd.DataFrame:
    """The rows of `program.csv`: each round's published programme rows (level
    municipality) and the county's participants per programme (level county, no
    sector); a withheld count is empty with its `_suppressed` flag true."""
    from evaluation.report.sections import SECTOR_LABELS

    names = dict(zip(result.municipalities["code"], result.municipalities["name"],
                     strict=True))
    frames = []
    for year, published in sorted(result.rounds.items()):
        rows = published.tables["program"]
        frames.append(pd.DataFrame({
            "round": year, "level": "municipality", "area_code": rows["municipality"],
            "area_name": rows["municipality"].map(names), "programme": rows["programme"],
            "programme_name": rows["programme_name"], "evidence_class": rows["evidence_class"],
            "sector": rows["sector"], "sector_name": rows["sector"].map(SECTOR_LABELS),
            "participants": rows["participants"],
            "participants_suppressed": rows["participants_withheld"],
            "completed": rows["completed"], "completed_suppressed": rows["completed_withheld"],
        }))
    county = result.uptake.programmes
    county = county.loc[county["municipalities"] > 0]
    frames.append(pd.DataFrame({
        "round": county["round"], "level": "county", "area_code": result.region,
        "area_name": result.region_name, "programme": county["programme"],
        "programme_name": county["name"], "evidence_class": county["evidence_class"],
        "sector": "", "sector_name": "", "participants": county["participants"],
        "participants_suppressed": county["suppressed"], "completed": pd.NA,
        "completed_suppressed": False,
    }))
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True)
    frame = frame.sort_values(["round", "level", "area_code", "programme_name", "sector"],
                              key=lambda c: c.map(str), kind="stable")
    for column in ("participants", "completed"):
        frame[column] = frame[column].astype("Int64")
    for column in ("participants_suppressed", "completed_suppressed"):
        frame[column] = frame[column].astype(bool).map({True: "true", False: "false"})
    return inert_frame(frame[list(PROGRAMME_COLUMNS)].reset_index(drop=True))


def write_programme_csv(result: Any, path: str | Path) -> Path:
    """`program.csv` as `indicators.csv` is written: RFC 4180, UTF-8 with BOM."""
    path = Path(path)
    programme_frame(result).to_csv(path, index=False, encoding="utf-8-sig",
                                   lineterminator="\r\n")
    return path


# -- XLSX ------------------------------------------------------------------------------


def _columns(level: float) -> list[tuple[str, str]]:
    """(header, what it holds) of a level sheet, in order."""
    ci = f"{level:.0%}".replace("%", " %")
    return [
        ("Omgång", "Uppföljningsomgångens år."),
        ("Nivå", "Riket, län eller kommun."),
        ("Kod", "Läns- eller kommunkod (SCB), riket 00."),
        ("Område", "Länets eller kommunens namn."),
        ("Indikator", "Indikatorns nummer."),
        ("Indikatorns namn", "Indikatorns namn som i rapporterna."),
        ("Målområde", "Strategins målområde."),
        ("Enhet", "Vad värdet anger."),
        ("Täljare", "Antal i täljaren."),
        ("Nämnare", "Antal i nämnaren."),
        ("Värde", "Indikatorns värde: andelar i procent, övriga med en decimal."),
        (f"Nedre gräns ({ci})", f"Konfidensintervallets nedre gräns, {ci}."),
        (f"Övre gräns ({ci})", f"Konfidensintervallets övre gräns, {ci}."),
        ("Mål 2030", "Strategins mål för 2030."),
        ("Status", "Status mot målet: uppnått, på väg, ej på väg, ingen säker förändring "
                   "eller baslinje."),
        ("Skyddat", "Ja när värdet är skyddat av röjandekontroll."),
    ]


def _blank(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _number_format(ind: Indicator | None) -> str:
    if ind is not None and ind.unit in ("andel", "andel_kommuner"):
        return PERCENT_FORMAT
    return DECIMAL_FORMAT


def _level_rows(ws: Worksheet, frame: pd.DataFrame, headers: Sequence[str]) -> None:
    write_row(ws, 1, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for number, record in enumerate(frame.to_dict("records"), start=2):
        ind = REGISTRY.get(record["indicator"])
        withheld = bool(record["suppressed"])
        gap = WITHHELD if withheld else MISSING
        cells: list[tuple[object, str | None]] = [
            (int(record["round"]), None),
            (LEVEL_TEXT.get(record["level"], record["level"]), None),
            (record["area_code"], None),
            (record["area_name"], None),
            (record["indicator"], None),
            (ind.title if ind else "", None),
            (ind.goal_area_name if ind else "", None),
            (unit_text(ind) if ind else "", None),
        ]
        for column in ("numerator", "denominator"):
            value = record[column]
            cells.append((gap if _blank(value) else int(value), COUNT_FORMAT))
        fmt = _number_format(ind)
        for column in ("value", "ci_low", "ci_high"):
            value = record[column]
            if _blank(value) and column != "value" and not withheld:
                cells.append((NOT_APPLICABLE if not _blank(record["value"]) else MISSING, None))
            else:
                cells.append((gap if _blank(value) else float(value), fmt))
        target = record["target"]
        cells.append((float(target), fmt) if not _blank(target)
                     else (target_label(ind) if ind else MISSING, None))
        status = record["status"]
        cells.append((MISSING if _blank(status) else str(status), None))
        cells.append(("Ja" if withheld else "Nej", None))
        for column, (value, number_format) in enumerate(cells, start=1):
            cell = set_cell(ws.cell(row=number, column=column), value)
            if number_format and not isinstance(value, str):
                cell.number_format = number_format
            elif isinstance(value, str) and value in (WITHHELD, MISSING, NOT_APPLICABLE):
                cell.alignment = Alignment(horizontal="right")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    fit_columns(ws, minimum=10, maximum=45)
    for letter in "IJKLMN":  # numbers: narrow columns with wrapped headers
        ws.column_dimensions[letter].width = 13
    ws.row_dimensions[1].height = 32
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _about(ws: Worksheet, title: str, years: Sequence[int], columns: list[tuple[str, str]],
           publisher: str, licence: str) -> None:
    bold = Font(bold=True)
    lines: list[tuple[object, ...] | None] = [
        (title,),
        (f"Omgångar: {', '.join(map(str, years))}. Uppföljningen görs vartannat år "
         "(2024, 2026, 2028 och 2030).",),
        None,
        ("Källa",),
        (SOURCE_TEXT + (f" Sammanställt och publicerat av {publisher}." if publisher else ""),),
        ("Licens",),
        (licence or "Se publiceringsplatsen.",),
        None,
        ("Symboler",),
        (WITHHELD, "Skyddat: värdet visas inte för att skydda enskilda (röjandekontroll)."),
        (MISSING, "Saknas: uppgiften finns inte, till exempel för att kommunen inte svarat."),
        (NOT_APPLICABLE, "Ej tillämpligt: till exempel konfidensintervall för en totalräkning "
                         "av länets kommuner."),
        ("Andelar visas i procent. I CSV- och JSON-filerna är de bråk mellan 0 och 1.",),
        None,
        ("Kolumner",),
        *columns,
        None,
        ("Indikatorer",),
        ("Indikator", "Namn", "Målområde", "Enhet", "Definition", "Täljare", "Nämnare",
         "Mål 2030"),
        *((ind.id, ind.title, ind.goal_area_name, unit_text(ind), ind.definition,
           ind.numerator, ind.denominator, target_label(ind)) for ind in REGISTRY.values()),
    ]
    headings = {"Källa", "Licens", "Symboler", "Kolumner", "Indikatorer"}
    widths = {"A": 18, "B": 60, "C": 30, "D": 22, "E": 70, "F": 40, "G": 40, "H": 12}
    table_header = next(n for n, line in enumerate(lines, start=1)
                        if line is not None and line[:2] == ("Indikator", "Namn"))
    for number, line in enumerate(lines, start=1):
        if line is None:
            continue
        write_row(ws, number, line)
        first = ws.cell(row=number, column=1)
        if number == 1:
            first.font = Font(bold=True, size=14)
        elif line[0] in headings and len(line) == 1:
            first.font = Font(bold=True, size=12)
        elif number == table_header:
            for cell in ws[number]:
                cell.font = bold
        if len(line) == 1 and number > 1 and line[0] not in headings:
            # a sentence: wrapped over the first columns, its row tall enough
            ws.merge_cells(start_row=number, start_column=1, end_row=number, end_column=3)
            first.alignment = Alignment(wrap_text=True, vertical="top")
            across = (widths["A"] + widths["B"] + widths["C"]) * 1.1
            ws.row_dimensions[number].height = 15 * max(1, math.ceil(len(str(line[0])) / across))
        elif len(line) > 1:
            for cell in ws[number]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            lines_needed = max(math.ceil(len(str(v)) / (widths[chr(64 + i)] * 1.1))
                               for i, v in enumerate(line, start=1))
            ws.row_dimensions[number].height = 15 * max(1, lines_needed)
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_xlsx(indicators: pd.DataFrame, path: str | Path, *, title: str,
               confidence_level: float = 0.95, publisher: str = "",
               licence: str = "") -> Path:
    """The indicator table formatted for Swedish Excel: one sheet per level, then
    "Om data" with the definitions, symbols and source."""
    path = Path(path)
    columns = _columns(confidence_level)
    headers = [h for h, _ in columns]
    frame = indicators[TIDY_COLUMNS]
    wb = Workbook()
    wb.remove(wb.active)
    for level, sheet in LEVEL_SHEETS.items():
        rows = frame.loc[frame["level"] == level]
        if len(rows):
            _level_rows(wb.create_sheet(sheet), rows, headers)
    years = sorted(int(y) for y in frame["round"].unique())
    _about(wb.create_sheet(ABOUT_SHEET), title, years, columns, publisher, licence)
    wb.properties.title = title
    wb.properties.language = "sv-SE"
    wb.properties.creator = publisher or None
    wb.save(path)
    return path


# -- every download --------------------------------------------------------------------


def _site_path(result: Any, folder: Path) -> str:
    """Where the folder sits in the published site: `<year>/`, or `<year>/<county>/`
    for a county of a national round (whose folder is named by its county code)."""
    region = str(getattr(result, "region", ""))
    if region and folder.name == region:
        return f"{result.year}/{region}/"
    return f"{result.year}/"


def write_indicator_files(result: Any, folder: str | Path, *,
                          published: dt.date | None = None,
                          config: str | Path | None = None) -> DownloadFiles:
    """Write the four downloads of a round (or of a county of a national round) into
    `folder`, from the result's published indicator table of every round so far."""
    from evaluation.publish.dcat import load_open_data, swedish_place, write_dcat

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    published = published or dt.date.today()
    open_data = load_open_data(config)
    region_name = str(result.region_name)
    title = (f"Uppföljning av föräldraskapsstöd i {swedish_place(region_name)}: "
             f"indikatorer {result.year}")
    settings = getattr(result, "settings", None)
    level = settings.confidence_level if settings is not None else 0.95
    files = DownloadFiles(
        csv=write_csv(result.indicators, folder / CSV_NAME),
        xlsx=write_xlsx(result.indicators, folder / XLSX_NAME, title=title,
                        confidence_level=level, publisher=open_data.publisher,
                        licence=open_data.licence),
        json=write_jsonstat(result.indicators, folder / JSON_NAME, title=title,
                            source=open_data.publisher, updated=published),
        dcat=folder / DCAT_NAME,
    )
    years = sorted(int(y) for y in result.indicators["round"].unique())
    write_dcat(files.dcat, open_data, year=int(result.year), years=years,
               region_name=region_name, site_path=_site_path(result, folder),
               files=[files.csv, files.xlsx, files.json], published=published)
    return files


__all__ = ["CSV_NAME", "DCAT_NAME", "JSON_NAME", "PROGRAMME_NAME", "XLSX_NAME", "DownloadFiles",
           "download_frame", "download_links", "programme_frame", "write_csv",
           "write_indicator_files", "write_programme_csv", "write_xlsx"]
