"""The survey workbook municipalities fill in: Swedish instructions, one sheet per
table with the schema's labels as headers, and drop-down lists, so that answers
arrive in the shape intake reads (DESIGN §3).

A previous round's answers can be filled in, so a municipality updates rather
than retypes them.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from evaluation.exceptions import ParameterError
from evaluation.model import RoundData
from evaluation.reference import Reference, load_reference
from evaluation.schema import (
    DEFAULT_REGION,
    FAMILJECENTRALER,
    KOMMUN,
    PROGRAM,
    ROUNDS,
    SECTORS,
    UNIT_TYPES,
    VARDENHETER,
    Column,
    Table,
)
from evaluation.text import swedish_sort_key

#: Tables a municipality answers, in the order of the workbook's sheets.
SURVEY_TABLES: tuple[Table, ...] = (KOMMUN, FAMILJECENTRALER, PROGRAM)
INSTRUCTIONS_SHEET = "Instruktioner"
LISTS_SHEET = "Listor"
YES, NO = "Ja", "Nej"
#: Rows below the header that carry the drop-down lists (more when prefilled).
INPUT_ROWS = 500

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", start_color="FFD9E1F2")
_OPTIONAL_FILL = PatternFill("solid", start_color="FFF2F2F2")
_TITLE_FONT = Font(bold=True, size=14)
_HEADING_FONT = Font(bold=True, size=12)


# -- lists -------------------------------------------------------------------------


def _list_values(reference: Reference, region: str) -> dict[str, list[str]]:
    """The drop-down lists by column kind, as the hidden sheet holds them."""
    names = reference.county_municipalities(region)["short_name"].tolist()
    programmes = reference.catalogue["name"].tolist()
    return {
        "yesno": [YES, NO],
        "municipality": sorted(names, key=swedish_sort_key),
        "programme": sorted(programmes, key=swedish_sort_key),
        "sector": [s.label for s in SECTORS],
        "unit_type": list(UNIT_TYPES),
    }


_LIST_HEADINGS = {"yesno": "Ja/Nej", "municipality": "Kommun", "programme": "Program",
                  "sector": "Sektor", "unit_type": "Enhetstyp"}


def _write_lists(ws: Worksheet, lists: dict[str, list[str]]) -> dict[str, str]:
    """Fill the hidden sheet; return each list's absolute range for data validation."""
    ranges = {}
    for index, (kind, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        ws.cell(row=1, column=index, value=_LIST_HEADINGS[kind]).font = _HEADER_FONT
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=index, value=value)
        ws.column_dimensions[letter].width = max(len(v) for v in values) + 2
        ranges[kind] = (f"{quote_sheetname(ws.title)}!${letter}$2:${letter}${len(values) + 1}")
    ws.sheet_state = "hidden"
    return ranges


# -- validation of cells ---------------------------------------------------------------


def _validation(col: Column, ranges: dict[str, str]) -> DataValidation | None:
    """Excel's own check for a column: a list, or a whole number of 0 or more."""
    text = "Välj kommunen i listan." if col.kind == "municipality" else col.help
    prompt = dict(showInputMessage=True, promptTitle=col.label[:32].rstrip(), prompt=text[:255])
    if col.kind == "count":
        return DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
            showErrorMessage=True, errorStyle="stop", errorTitle="Heltal",
            error="Skriv ett heltal, 0 eller större, utan decimaler eller text. "
                  "Lämna cellen tom om antalet inte är känt.",
            **prompt,
        )
    if col.kind == "programme":
        # An information box only: a programme outside the list may still be typed.
        return DataValidation(
            type="list", formula1=ranges["programme"], allow_blank=True,
            showErrorMessage=True, errorStyle="information", errorTitle="Program utanför listan",
            error="Programmet finns inte i listan. Välj OK för att behålla namnet du skrev; "
                  "det redovisas då som eget program.",
            **prompt,
        )
    if col.kind in ("yesno", "municipality", "sector", "unit_type"):
        errors = {
            "yesno": ("Ja eller Nej", "Välj Ja eller Nej. Lämna cellen tom om svaret inte "
                                      "är känt: tom betyder vet ej, inte nej."),
            "municipality": ("Kommun", "Välj kommunen i listan."),
            "sector": ("Sektor", "Välj sektorn i listan."),
            "unit_type": ("Enhetstyp", "Välj BMM eller BVC."),
        }
        title, text = errors[col.kind]
        return DataValidation(
            type="list", formula1=ranges[col.kind], allow_blank=True,
            showErrorMessage=True, errorStyle="stop", errorTitle=title, error=text, **prompt,
        )
    return None


def _write_table_sheet(ws: Worksheet, table: Table, ranges: dict[str, str],
                       rows: Sequence[Sequence[object]], lists: dict[str, list[str]]) -> None:
    last_row = 1 + max(INPUT_ROWS, len(rows) + 100)
    for index, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=index, value=col.label)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if col.required else _OPTIONAL_FILL
        letter = get_column_letter(index)
        longest = max([len(col.label), *(len(v) for v in lists.get(col.kind, []))])
        ws.column_dimensions[letter].width = min(max(longest + 3, 12), 50)
        validation = _validation(col, ranges)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(validation)
    for row_number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            if value is not None:
                cell = ws.cell(row=row_number, column=index, value=value)
                if cell.data_type == "f":  # input text is never written as a formula
                    cell.data_type = "s"
    ws.freeze_panes = "A2"


# -- instructions ----------------------------------------------------------------------


def _instructions(year: int, county: str, tables: Sequence[Table],
                  prefill_year: int | None, municipality: str | None) -> list[list[str]]:
    sheets = ", ".join(t.label for t in tables[:-1]) + " och " + tables[-1].label
    who = f"{municipality} kommun" if municipality else "kommunen"
    lines: list[list[str]] = [
        ["Uppföljning av strategin för föräldraskapsstöd 2024–2030"],
        [f"Enkät för uppföljningsomgång {year} – {county}"],
        [],
        ["Om enkäten"],
        [f"Kommunerna i {county}, regionen och övriga parter följer vartannat år upp den "
         "gemensamma strategin för föräldraskapsstöd. Svaren visar hur arbetet med "
         "kunskapsbaserade program, familjecentraler och samverkan utvecklas."],
        [f"Omgången gäller år {year}. Antal avser verksamheten under {year}."],
        [],
        ["Så fyller du i"],
        [f"1. Fyll i flikarna {sheets}. Ändra inte flikarnas namn eller kolumnrubrikerna."],
        [f"2. Kommun: en rad för {who}."],
        ["3. Familjecentraler: en rad per familjecentral eller familjecentralsliknande "
         "verksamhet, med de verksamheter som finns på plats."],
        ["4. Program: en rad per program och sektor. Erbjuder både förskolan och "
         "socialtjänsten samma program blir det två rader."],
        ["5. Välj i listorna där sådana finns. Finns programmet inte i listan, skriv "
         "programmets namn."],
        ["6. Lämna en cell tom om du inte vet svaret. Tom betyder ”vet ej / ej besvarat”, "
         "aldrig ”nej”: skriv Nej när svaret är nej."],
        ["7. Antal anges som heltal (0, 1, 2 …) utan decimaler, mellanslag eller text."],
        ["8. Kolumner med blå rubrik behövs för uppföljningen; kolumner med grå rubrik "
         "är frivilliga."],
        ["9. Inga personuppgifter: skriv inga namn på deltagare och inga personnummer "
         "någonstans i enkäten. Rader med något som liknar ett personnummer tas inte med."],
        ["10. Spara filen som Excel-arbetsbok (.xlsx) och skicka den till kontaktpersonen."],
    ]
    if prefill_year is not None:
        lines.append([f"Flikarna är ifyllda med svaren från omgång {prefill_year}. Uppdatera "
                      f"dem så att de gäller {year}: ändra, lägg till och ta bort rader."])
    lines += [
        [],
        ["Kontakt"],
        ["Frågor om enkäten: ____________________ (namn, e-post och telefon fylls i av "
         "regionen)"],
        [],
        ["Kolumner"],
    ]
    return lines


def _write_instructions(ws: Worksheet, year: int, county: str, tables: Sequence[Table],
                        prefill_year: int | None, municipality: str | None) -> None:
    lines = _instructions(year, county, tables, prefill_year, municipality)
    headings = {"Om enkäten", "Så fyller du i", "Kontakt", "Kolumner"}
    for row, line in enumerate(lines, start=1):
        if not line:
            continue
        cell = ws.cell(row=row, column=1, value=line[0])
        if row == 1:
            cell.font = _TITLE_FONT
        elif line[0] in headings:
            cell.font = _HEADING_FONT
    row = len(lines) + 1
    for col_index, heading in enumerate(("Flik", "Kolumn", "Beskrivning", "Obligatorisk"), 1):
        ws.cell(row=row, column=col_index, value=heading).font = _HEADER_FONT
    for table in tables:
        for col in table.columns:
            row += 1
            for col_index, value in enumerate(
                (table.label, col.label, col.help, YES if col.required else NO), start=1
            ):
                ws.cell(row=row, column=col_index, value=value)
    for letter, width in zip("ABCD", (18, 48, 40, 14), strict=True):
        ws.column_dimensions[letter].width = width


# -- prefill -------------------------------------------------------------------------


def _display(col: Column, value: object, reference: Reference,
             programme_names: dict[str, str]) -> object:
    """A canonical value as the survey shows it (short name, Ja/Nej, label)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if col.kind == "municipality":
        return reference.municipality_name(str(value))
    if col.kind == "yesno":
        return YES if bool(value) else NO
    if col.kind == "count":
        return int(value)
    if col.kind == "programme":
        return programme_names.get(str(value), str(value))
    if col.kind == "sector":
        return next((s.label for s in SECTORS if s.id == value), str(value))
    return str(value)


def prefill_rows(prefill: RoundData, table: Table, reference: Reference,
                 municipality: str | None = None) -> list[list[object]]:
    """Last round's accepted rows of one table, written as the survey shows them."""
    frame = prefill.tables.get(table.id)
    if frame is None or frame.empty:
        return []
    if municipality is not None:
        frame = frame.loc[frame["municipality"] == municipality]
    programme_names = dict(zip(reference.catalogue["id"], reference.catalogue["name"],
                               strict=True))
    rows = [
        [_display(col, record[col.id], reference, programme_names) for col in table.columns]
        for record in frame.to_dict("records")
    ]
    # By municipality, each keeping its own order, so a municipality finds its rows together.
    where = table.column_ids.index("municipality")
    return sorted(rows, key=lambda row: swedish_sort_key(str(row[where])))


# -- workbook ------------------------------------------------------------------------


def build_template(year: int, region: str = DEFAULT_REGION, prefill: RoundData | None = None,
                   *, municipality: str | None = None, include_units: bool = False,
                   reference: Reference | None = None) -> Workbook:
    """The survey workbook in memory, for callers that fill or style it further.

    `municipality` (code or name) limits the prefilled rows to one municipality;
    `include_units` adds the region's sheet of BMM/BVC units.
    """
    if year not in ROUNDS:
        raise ParameterError(f"{year} is not a follow-up round; rounds are "
                             f"{', '.join(map(str, ROUNDS))}")
    reference = reference or load_reference()
    county = str(reference.county(region)["name"])
    region_code = str(reference.county(region)["code"])
    code = name = None
    if municipality is not None:
        match = reference.resolve_municipality(municipality, region_code)
        if match.code is None or match.county_code != region_code:
            hint = f"; did you mean {match.closest!r}?" if match.closest else ""
            raise ParameterError(f"municipality {municipality!r} is not in {county}{hint}")
        code, name = match.code, match.name
    if prefill is not None and prefill.region != region_code:
        raise ParameterError(f"the prefilled round is for county {prefill.region!r}, "
                             f"not {region_code!r}")
    tables = SURVEY_TABLES + ((VARDENHETER,) if include_units else ())

    wb = Workbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS_SHEET
    _write_instructions(instructions, year, county, tables,
                        prefill.year if prefill is not None else None, name)
    sheets = [wb.create_sheet(table.label) for table in tables]
    lists = _list_values(reference, region_code)
    ranges = _write_lists(wb.create_sheet(LISTS_SHEET), lists)
    for ws, table in zip(sheets, tables, strict=True):
        rows = prefill_rows(prefill, table, reference, code) if prefill is not None else []
        _write_table_sheet(ws, table, ranges, rows, lists)
    wb.active = 0
    wb.properties.title = f"Enkät föräldraskapsstöd {year}"
    wb.properties.subject = f"Uppföljning av strategin för föräldraskapsstöd, {county}"
    wb.properties.creator = county
    wb.properties.language = "sv-SE"
    return wb


def write_template(path: str | Path, year: int, region: str = DEFAULT_REGION,
                   prefill: RoundData | None = None, *, municipality: str | None = None,
                   include_units: bool = False) -> Path:
    """Write the survey workbook for round `year` to `path` (.xlsx)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ParameterError(f"the survey workbook must be an .xlsx file, got {path.name!r}")
    wb = build_template(year, region, prefill, municipality=municipality,
                        include_units=include_units)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, path, dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
    return path


# -- reproducible saving -----------------------------------------------------------------


class _StampedZip(zipfile.ZipFile):
    """A zip archive whose entries all carry one timestamp instead of the clock's."""

    stamp: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, compress_type=None,  # type: ignore[override]
                 compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.stamp)
            info.compress_type = self.compression
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None,  # type: ignore[override]
              compresslevel=None):
        with open(filename, "rb") as handle:
            data = handle.read()
        self.writestr(str(arcname or filename), data, compress_type, compresslevel)


def save_workbook(wb: Workbook, path: str | Path, timestamp: dt.datetime) -> Path:
    """Save with `timestamp` as created/modified date and zip entry time, so the same
    workbook saved twice gives the same bytes (openpyxl's own save stamps the clock)."""
    path = Path(path)
    wb.properties.created = timestamp
    wb.properties.modified = timestamp
    archive = _StampedZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.stamp = (max(timestamp.year, 1980), timestamp.month, timestamp.day,
                     timestamp.hour, timestamp.minute, timestamp.second)
    ExcelWriter(wb, archive).save()
    return path


__all__ = ["build_template", "prefill_rows", "save_workbook",
           "swedish_sort_key", "write_template"]
