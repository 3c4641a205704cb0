"""Reading a round's files into raw tables, keeping where every value came from.

Files are `.xlsx` workbooks (one table a sheet) and `.csv` files (one table a
file), named by the table they hold as their name's first word (DESIGN §3).
Nothing is interpreted here beyond finding the header row and matching headers
to column ids; values stay as written, for validation to judge.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from evaluation.cells import is_blank
from evaluation.exceptions import InputError
from evaluation.personal_numbers import mask
from evaluation.schema import BEFOLKNING, ROUNDS, TABLES, Table, table_for_name
from evaluation.text import normalize

#: Sheets of the survey workbook that hold no data.
IGNORED_SHEETS = frozenset({"instruktioner", "listor", "lasmig", "readme"})
HEADER_SEARCH_ROWS = 15


@dataclass
class RawRow:
    number: int  # the row number as Excel (or a text editor) shows it
    values: dict[str, object]


@dataclass
class RawTable:
    table: Table
    file: str
    sheet: str
    header_row: int
    rows: list[RawRow] = field(default_factory=list)
    blank_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    scb_ages: dict[str, tuple[int, int]] | None = None  # SCB export: column -> age range


@dataclass
class RawRound:
    year: int
    folder: Path
    files: list[Path]
    tables: list[RawTable]
    notes: list[tuple[str, str, str]]  # (file, sheet, message) about skipped sheets/files


def round_folder(data_dir: str | Path, year: int) -> Path:
    if year not in ROUNDS:
        raise InputError(
            f"{year} is not a follow-up round; rounds are {', '.join(map(str, ROUNDS))}"
        )
    folder = Path(data_dir) / str(year)
    if not folder.is_dir():
        raise InputError(f"No data for round {year}: folder {folder} does not exist")
    return folder


def round_files(folder: Path) -> list[Path]:
    files = sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in {".xlsx", ".xlsm", ".csv"}
        and not p.name.startswith(("~$", ".~lock", "."))
    )
    if not files:
        raise InputError(f"No data for round {folder.name}: no .xlsx or .csv file in {folder}")
    return files


def read_round(data_dir: str | Path, year: int) -> RawRound:
    folder = round_folder(data_dir, year)
    files = round_files(folder)
    tables: list[RawTable] = []
    notes: list[tuple[str, str, str]] = []
    for path in files:
        if path.suffix.lower() == ".csv":
            table = table_for_name(path.stem)
            if table is None:
                notes.append((mask(path.name), "", _unknown_name_message(path.stem, "file")))
                continue
            tables.append(_read_grid(table, mask(path.name), "", _csv_rows(path)))
        else:
            tables.extend(_read_workbook(path, notes))
    return RawRound(year=year, folder=folder, files=files, tables=tables, notes=notes)


def _unknown_name_message(name: str, what: str) -> str:
    names = ", ".join(t.label for t in TABLES.values())
    return f"{what} {mask(name)!r} names no table and was not read (tables: {names})"


# --- CSV -------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """UTF-8 with or without BOM, else Windows-1252 (what Swedish Excel saves)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    best, best_score = ";", -1
    for delim in (";", ",", "\t"):
        counts = [len(next(csv.reader([line], delimiter=delim))) - 1 for line in lines]
        # The delimiter that splits the most lines into the most fields wins.
        score = sum(c for c in counts if c > 0) + 1000 * sum(1 for c in counts if c > 0)
        if score > best_score:
            best, best_score = delim, score
    return best


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{mask(path.name)}: cannot be read: {exc.strerror or exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    start = 1
    for cells in reader:
        yield start, list(cells)
        start = reader.line_num + 1


# --- Excel -----------------------------------------------------------------------


def _read_workbook(path: Path, notes: list[tuple[str, str, str]]) -> list[RawTable]:
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(f"{mask(path.name)}: cannot be read as an Excel workbook ({exc})") from exc
    try:
        data_sheets = [ws for ws in wb.worksheets if normalize(ws.title) not in IGNORED_SHEETS]
        file_table = table_for_name(path.stem)
        tables = []
        for ws in data_sheets:
            table = table_for_name(ws.title)
            if table is None and file_table is not None and len(data_sheets) == 1:
                table = file_table  # e.g. program_nora.xlsx with a single sheet "Blad1"
            if table is None:
                notes.append((mask(path.name), mask(ws.title),
                              _unknown_name_message(ws.title, "sheet")))
                continue
            rows = ((i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), 1))
            tables.append(_read_grid(table, mask(path.name), mask(ws.title), rows))
        return tables
    finally:
        wb.close()


# --- headers -----------------------------------------------------------------------


def header_aliases(table: Table) -> dict[str, str]:
    """Every accepted spelling of each header, normalised, to its column id."""
    aliases: dict[str, str] = {}
    for col in table.columns:
        forms = {col.id, col.id.replace("_", " "), col.label}
        if "(" in col.label:
            forms.add(re.sub(r"\s*\(.*?\)", "", col.label))
            forms.update(re.findall(r"\((.*?)\)", col.label))
        for form in forms:
            aliases[normalize(form)] = col.id
    return aliases


_AGE = re.compile(r"^(\d+)\s*(?:-\s*(\d+)|(\+))?\s*(?:ar)?$")


def parse_age_header(header: object) -> tuple[int, int] | None:
    """`"0 år"` -> (0, 0), `"0-5 år"` -> (0, 5), `"100+ år"` -> (100, 200)."""
    match = _AGE.match(normalize(header))
    if not match:
        return None
    low = int(match.group(1))
    if match.group(3):
        return low, 200
    return low, int(match.group(2)) if match.group(2) else low


def _check_age_coverage(where: str, row: int, ranges: list[tuple[int, int]]) -> None:
    """SCB columns must add up to exactly 0–17 and 0–5, each age once."""
    for top in (17, 5):
        ages = [a for low, high in ranges if high <= top for a in range(low, high + 1)]
        straddles = [(lo, hi) for lo, hi in ranges if lo <= top < hi]
        if sorted(ages) != list(range(top + 1)) or straddles:
            raise InputError(
                f"{where}, row {row}: the SCB age columns do not add up to ages 0–{top} "
                f"exactly; expected one column per age (\"0 år\", \"1 år\", …) or age "
                f"groups that split at {top}/{top + 1}")


def _match_header(table: Table, cells: list[object]) -> dict[int, str]:
    aliases = header_aliases(table)
    return {i: aliases[normalize(c)] for i, c in enumerate(cells)
            if not is_blank(c) and normalize(c) in aliases}


def _scb_header(cells: list[object]) -> tuple[int, dict[int, tuple[int, int]]] | None:
    """SCB's own export: a `region` column and one column per age or age group."""
    names = [normalize(c) for c in cells]
    if "region" not in names:
        return None
    ages = {i: r for i, c in enumerate(cells) if (r := parse_age_header(c)) is not None}
    return (names.index("region"), ages) if len(ages) >= 2 else None


def _read_grid(table: Table, file: str, sheet: str,
               rows: Iterator[tuple[int, list[object]]]) -> RawTable:
    where = f"{file}" + (f", sheet {sheet!r}" if sheet else "")
    buffered: list[tuple[int, list[object]]] = []
    header: tuple[int, dict[int, str]] | None = None
    scb: tuple[int, dict[int, tuple[int, int]]] | None = None
    for number, cells in rows:
        buffered.append((number, cells))
        matched = _match_header(table, cells)
        if matched and (header is None or len(matched) > len(header[1])):
            header = (number, matched)
        if table is BEFOLKNING and scb is None and (found := _scb_header(cells)):
            scb = found
            header = (number, {found[0]: "municipality"})
            break
        if header and len(header[1]) == len(table.columns):
            break
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        expected = ", ".join(c.label for c in table.columns if c.required)
        raise InputError(f"{where}: no header row found for table {table.id!r} in the first "
                         f"{HEADER_SEARCH_ROWS} rows; expected headers such as {expected}")
    header_row, columns = header
    if len(set(columns.values())) != len(columns):
        dupes = sorted({c for c in columns.values() if list(columns.values()).count(c) > 1})
        raise InputError(f"{where}, row {header_row}: column(s) {dupes} appear more than once")
    if scb is None:
        missing = [c for c in table.columns if c.required and c.id not in columns.values()]
        if missing:
            names = ", ".join(f"{c.label!r} ({c.id})" for c in missing)
            raise InputError(f"{where}: table {table.id!r} lacks required column(s) {names} "
                             f"in header row {header_row}")

    raw = RawTable(table=table, file=file, sheet=sheet, header_row=header_row)
    header_line = next(cells for n, cells in buffered if n == header_row)
    raw.ignored_columns = [mask(str(c)) for i, c in enumerate(header_line)
                           if not is_blank(c) and i not in columns
                           and not (scb and i in scb[1])]
    if scb is not None:
        raw.scb_ages = {str(header_line[i]): rng for i, rng in scb[1].items()}
        _check_age_coverage(where, header_row, list(raw.scb_ages.values()))
        columns = {scb[0]: "municipality", **{i: str(header_line[i]) for i in scb[1]}}

    def data_rows() -> Iterator[tuple[int, list[object]]]:
        yield from ((n, c) for n, c in buffered if n > header_row)
        yield from rows

    for number, cells in data_rows():
        values = {col: (cells[i] if i < len(cells) else None) for i, col in columns.items()}
        extra = [c for i, c in enumerate(cells) if i not in columns and not is_blank(c)]
        if all(is_blank(v) for v in values.values()) and not extra:
            raw.blank_rows += 1
            continue
        if extra:
            values["__extra__"] = extra
        raw.rows.append(RawRow(number=number, values=values))
    return raw
