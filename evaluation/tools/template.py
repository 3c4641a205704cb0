"""The survey workbook municipalities fill in: Swedish instructions, one sheet per
table with the schema's labels as headers, and drop-down lists, so that answers
arrive in the shape intake reads (DESIGN §3).

A previous round's answers can be filled in, so a municipality updates rather
than retypes them.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from evaluation.errors import ParameterError
from evaluation.intake.model import RoundData
from evaluation.intake.reference import Reference, load_reference
from evaluation.intake.schema import (
    FAMILJECENTRALER,
    KOMMUN,
    PROGRAM,
    SECTORS,
    UNIT_TYPES,
    VARDENHETER,
    Column,
    Table,
)
from evaluation.settings import load_section
from evaluation.spreadsheet import set_cell
from evaluation.text import swedish_sort_key
from evaluation.vocab import DEFAULT_REGION, ROUNDS

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
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)
#: Columns the indicators rest on: marked as needed in the survey even where intake
#: accepts a blank (1.4–1.7 on the counts and follow-up, 3.2 on the group's sectors).
CORE_COLUMNS = frozenset({
    "participants", "participants_women", "participants_men", "completed", "followed_up",
    "group_preschool", "group_school", "group_social_services", "group_health_care",
    "group_civil_society",
})
#: Width of the free-text columns (a family centre's name, a coordinator).
TEXT_WIDTH = 40
DEFAULT_REFERENCE_PERIOD = "verksamheten under {previous}"


def is_core(col: Column) -> bool:
    """Whether the survey marks the column as needed for the follow-up."""
    return col.required or col.id in CORE_COLUMNS


def reference_period(year: int, config: str | Path | None = None) -> str:
    """The period the round's counts cover, as the instructions name it
    ("verksamheten under 2027" for round 2028), from `[survey]` of the configuration."""
    pattern = str(load_section("survey", config).get("reference_period")
                  or DEFAULT_REFERENCE_PERIOD)
    try:
        return pattern.format(year=year, previous=year - 1)
    except (KeyError, IndexError, ValueError) as exc:
        raise ParameterError(f"configuration [survey] reference_period {pattern!r}: only "
                             "{year} and {previous} may be filled in") from exc


def survey_contact(config: str | Path | None = None) -> str:
    return str(load_section("survey", config).get("contact") or "").strip()


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
    _protect(ws)
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
                       rows: Sequence[Sequence[object]], lists: dict[str, list[str]],
                       fixed: str | None = None) -> None:
    """A table's sheet: protected headers, editable input rows with Excel's checks.

    `fixed` is the one municipality of a municipality's own workbook: its name stands
    in the Kommun sheet, locked, and is the only entry of the municipality list.
    """
    last_row = 1 + max(INPUT_ROWS, len(rows) + 100)
    for index, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=index, value=col.label)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if is_core(col) else _OPTIONAL_FILL
        cell.alignment = _WRAP
        letter = get_column_letter(index)
        longest = max([*(len(w) for w in col.label.split()),
                       min(len(col.label), 24), *(len(v) for v in lists.get(col.kind, []))])
        width = TEXT_WIDTH if col.kind == "text" else min(max(longest + 3, 12), 50)
        ws.column_dimensions[letter].width = width
        validation = _validation(col, ranges)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(validation)
    ws.row_dimensions[1].height = 15 * max(
        math.ceil(len(c.label) / max(ws.column_dimensions[get_column_letter(i)].width - 2, 1))
        for i, c in enumerate(table.columns, start=1))
    for row_number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            if value is not None:
                set_cell(ws.cell(row=row_number, column=index), value)
    # The columns are unlocked as a whole (a column style, so no empty cells are
    # written); the header cells carry their own style and stay locked.
    for index in range(1, len(table.columns) + 1):
        ws.column_dimensions[get_column_letter(index)].protection = _UNLOCKED
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row, max_col=len(table.columns)):
        for cell in row:
            cell.protection = _UNLOCKED
    for cell in ws[1]:
        cell.protection = Protection(locked=True)
    if fixed is not None and table.id == "kommun":
        where = table.column_ids.index("municipality") + 1
        set_cell(ws.cell(row=2, column=where), fixed).protection = Protection(locked=True)
    _protect(ws)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    _fit_to_page(ws, tall=False)


def _protect(ws: Worksheet) -> None:
    """Sheet protection without a password: headers and lists cannot be typed over
    by mistake; unlocked cells stay editable, drop-down lists keep working."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # column widths may still be changed
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _fit_to_page(ws: Worksheet, *, tall: bool) -> None:
    """Print on the page's width (and, with `tall`, on one page)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if tall else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# -- instructions ----------------------------------------------------------------------


def _instructions(year: int, county: str, tables: Sequence[Table],
                  prefill_year: int | None, municipality: str | None, period: str,
                  contact: str) -> list[list[str]]:
    sheets = ", ".join(t.label for t in tables[:-1]) + " och " + tables[-1].label
    who = municipality or "kommunen"
    title = f"Enkät för uppföljningsomgång {year} – {county}"
    if municipality:
        title = f"Enkät för uppföljningsomgång {year} – {municipality}, {county}"
    lines: list[list[str]] = [
        ["Uppföljning av strategin för föräldraskapsstöd 2024–2030"],
        [title],
        [],
        ["Om enkäten"],
        [f"Kommunerna i {county}, regionen och övriga parter följer vartannat år upp den "
         "gemensamma strategin för föräldraskapsstöd. Svaren visar hur arbetet med "
         "kunskapsbaserade program, familjecentraler och samverkan utvecklas."],
        [f"Omgången gäller år {year}. Alla antal avser {period}."],
        [],
        ["Så fyller du i"],
        [f"1. Fyll i flikarna {sheets}. Ändra inte flikarnas namn eller kolumnrubrikerna "
         "(rubrikerna är skyddade)."],
        [f"2. Kommun: en rad för {who}."],
        ["3. Familjecentraler: en rad per familjecentral eller familjecentralsliknande "
         "verksamhet, med de verksamheter som finns på plats."],
        ["4. Program: en rad per program och sektor. Erbjuder både förskolan och "
         "socialtjänsten samma program blir det två rader."],
        ["5. Välj i listorna där sådana finns. Finns programmet inte i listan, skriv "
         "programmets namn."],
        ["6. Lämna en cell tom om du inte vet svaret. Tom betyder ”vet ej / ej besvarat”, "
         "aldrig ”nej”: skriv Nej när svaret är nej."],
        [f"7. Antal anges som heltal (0, 1, 2 …) utan decimaler, mellanslag eller text, "
         f"för {period}."],
        ["8. Kolumner med blå rubrik behövs för uppföljningen, fyll i dem; kolumner med "
         "grå rubrik är frivilliga."],
        ["9. Inga personuppgifter: skriv inga namn på deltagare och inga personnummer "
         "någonstans i enkäten. Rader med något som liknar ett personnummer tas inte med."],
        ["10. Spara filen som Excel-arbetsbok (.xlsx) och skicka den till kontaktpersonen."],
    ]
    if prefill_year is not None:
        lines.append([f"Flikarna är ifyllda med svaren från omgång {prefill_year}: "
                      "familjecentraler, program och sektorer och ja/nej-svaren. Kontrollera "
                      f"att de gäller {year}: ändra, lägg till och ta bort rader. Alla antal "
                      f"är tomma: fyll i dem för {period}."])
    lines += [
        [],
        ["Kontakt"],
        [f"Frågor om enkäten: {contact}" if contact else
         "Frågor om enkäten: ____________________ (namn, e-post och telefon fylls i av "
         "regionen)"],
        [],
        ["Kolumner"],
    ]
    return lines


#: Width of the instruction sheet's four columns (tab, column, description, needed).
_INSTRUCTION_WIDTHS = (18, 42, 34, 16)


def _write_instructions(ws: Worksheet, year: int, county: str, tables: Sequence[Table],
                        prefill_year: int | None, municipality: str | None, period: str,
                        contact: str) -> None:
    """Instructions wrapped over the sheet's width and printed on one page."""
    lines = _instructions(year, county, tables, prefill_year, municipality, period, contact)
    headings = {"Om enkäten", "Så fyller du i", "Kontakt", "Kolumner"}
    chars = sum(_INSTRUCTION_WIDTHS) * 1.25  # characters on a line across A:D
    for row, line in enumerate(lines, start=1):
        if not line:
            continue
        cell = ws.cell(row=row, column=1, value=line[0])
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        cell.alignment = _WRAP
        if row == 1:
            cell.font = _TITLE_FONT
            ws.row_dimensions[row].height = 20
        elif line[0] in headings:
            cell.font = _HEADING_FONT
            ws.row_dimensions[row].height = 18
        else:
            ws.row_dimensions[row].height = 15 * math.ceil(len(line[0]) / chars)
    row = len(lines) + 1
    for col_index, heading in enumerate(("Flik", "Kolumn", "Beskrivning",
                                         "Behövs för uppföljningen"), 1):
        cell = ws.cell(row=row, column=col_index, value=heading)
        cell.font = _HEADER_FONT
        cell.alignment = _WRAP
    ws.row_dimensions[row].height = 30
    for table in tables:
        for col in table.columns:
            row += 1
            for col_index, value in enumerate(
                (table.label, col.label, col.help, YES if is_core(col) else NO), start=1
            ):
                ws.cell(row=row, column=col_index, value=value).alignment = _WRAP
    for letter, width in zip("ABCD", _INSTRUCTION_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "portrait"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    _fit_to_page(ws, tall=True)
    _protect(ws)


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
                 municipality: str | None = None, *,
                 counts: bool = False) -> list[list[object]]:
    """Last round's accepted rows of one table, written as the survey shows them:
    the structure (names, sectors, yes/no answers), with every count blank unless
    `counts` (a stale count left unchanged would pass for this round's)."""
    frame = prefill.tables.get(table.id)
    if frame is None or frame.empty:
        return []
    if municipality is not None:
        frame = frame.loc[frame["municipality"] == municipality]
    programme_names = dict(zip(reference.catalogue["id"], reference.catalogue["name"],
                               strict=True))
    rows = [
        [None if col.kind == "count" and not counts
         else _display(col, record[col.id], reference, programme_names)
         for col in table.columns]
        for record in frame.to_dict("records")
    ]
    # By municipality, each keeping its own order, so a municipality finds its rows together.
    where = table.column_ids.index("municipality")
    return sorted(rows, key=lambda row: swedish_sort_key(str(row[where])))


# -- workbook ------------------------------------------------------------------------


def build_template(year: int, region: str = DEFAULT_REGION, prefill: RoundData | None = None,
                   *, municipality: str | None = None, include_units: bool = False,
                   own: bool = False, reference: Reference | None = None,
                   config: str | Path | None = None) -> Workbook:
    """The survey workbook in memory, for callers that fill or style it further.

    `municipality` (code or name) limits the prefilled rows to one municipality;
    with `own` the workbook is that municipality's own: its name fixed in the Kommun
    sheet and the only one in the municipality list. `include_units` adds the
    region's sheet of BMM/BVC units.
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
        code = match.code
        munis = reference.municipalities
        name = str(munis.loc[munis["code"] == code, "name"].iloc[0])  # "Lekebergs kommun"
    if own and code is None:
        raise ParameterError("a municipality's own workbook needs its municipality")
    if prefill is not None and prefill.region != region_code:
        raise ParameterError(f"the prefilled round is for county {prefill.region!r}, "
                             f"not {region_code!r}")
    tables = SURVEY_TABLES + ((VARDENHETER,) if include_units else ())

    wb = Workbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS_SHEET
    _write_instructions(instructions, year, county, tables,
                        prefill.year if prefill is not None else None, name,
                        reference_period(year, config), survey_contact(config))
    sheets = [wb.create_sheet(table.label) for table in tables]
    lists = _list_values(reference, region_code)
    short = reference.municipality_name(code) if own and code else None
    if short is not None:
        lists["municipality"] = [short]
    ranges = _write_lists(wb.create_sheet(LISTS_SHEET), lists)
    for ws, table in zip(sheets, tables, strict=True):
        rows = prefill_rows(prefill, table, reference, code) if prefill is not None else []
        _write_table_sheet(ws, table, ranges, rows, lists, fixed=short)
    wb.active = 0
    # sheets cannot be renamed, moved, deleted or unhidden (intake reads them by name)
    wb.security = WorkbookProtection(lockStructure=True)
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
    if not path.parent.is_dir():
        raise ParameterError(f"folder {str(path.parent)!r} does not exist; create it first")
    wb = build_template(year, region, prefill, municipality=municipality,
                        include_units=include_units)
    save_workbook(wb, path, dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
    return path


def municipality_file_name(code: str, name: str) -> str:
    """`1880-Örebro.xlsx`: code first, so the files sort as the county lists them
    and each stays recognisable when mailed back."""
    safe = "".join(ch for ch in name if ch.isalnum() or ch in " -").strip().replace(" ", "-")
    return f"{code}-{safe}.xlsx"


def write_municipality_templates(folder: str | Path, year: int, region: str = DEFAULT_REGION,
                                 prefill: RoundData | None = None, *,
                                 reference: Reference | None = None,
                                 config: str | Path | None = None) -> list[Path]:
    """One workbook per municipality of the county, `folder/<code>-<name>.xlsx`, each
    with only that municipality: its name fixed, last round's structure prefilled
    (names, sectors, yes/no answers) and every count blank.

    `folder` is created when its parent exists.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{str(folder)!r} is a file, not a folder")
    if not folder.parent.is_dir():
        raise ParameterError(f"folder {str(folder.parent)!r} does not exist; create it first")
    reference = reference or load_reference()
    municipalities = reference.county_municipalities(region)
    stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    books = [(str(code), str(name), build_template(
                 year, region, prefill, municipality=str(code), own=True,
                 reference=reference, config=config))
             for code, name in zip(municipalities["code"], municipalities["short_name"],
                                   strict=True)]
    folder.mkdir(exist_ok=True)
    return [save_workbook(wb, folder / municipality_file_name(code, name), stamp)
            for code, name, wb in books]


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


__all__ = ["CORE_COLUMNS", "build_template", "is_core", "municipality_file_name",
           "prefill_rows", "reference_period", "save_workbook", "swedish_sort_key",
           "write_municipality_templates", "write_template"]
