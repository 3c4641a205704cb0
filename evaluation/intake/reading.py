"""Reading a round's files into raw tables, keeping where every value came from.

Files are `.xlsx` workbooks (one table a sheet) and `.csv` files (one table a
file), named by the table they hold as their name's first word (DESIGN §3).
Nothing is interpreted here beyond finding the header row and matching headers
to column ids; values stay as written, for validation to judge.

Every row seen is handed on, and whatever is not read says so: a file or sheet
left out (its format, its place, its name, hidden), a header that nearly matches,
a formula without a saved value, a line with a stray byte is a warning finding.
A file that cannot be read with confidence (a quote that swallows lines, an
encoding that is neither UTF-8 nor Windows-1252, broken workbook XML) stops the
round with one Swedish line naming the file.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from evaluation.errors import InputError
from evaluation.intake.cells import is_blank
from evaluation.intake.encoding import REPLACEMENT, decode, shown_name
from evaluation.intake.model import Finding
from evaluation.intake.schema import BEFOLKNING, TABLES, Table, table_for_name
from evaluation.personal_numbers import mask
from evaluation.text import normalize
from evaluation.vocab import ROUNDS

#: Sheets of the survey workbook that hold no data.
IGNORED_SHEETS = frozenset({"instruktioner", "listor", "lasmig", "readme"})
#: Files of a round folder that are documentation, not data (read by nobody).
READ_ME_FILES = frozenset({"readme.txt", "lasmig.txt", "readme.md", "lasmig.md"})
HEADER_SEARCH_ROWS = 15
DATA_SUFFIXES = frozenset({".xlsx", ".xlsm", ".csv"})
#: Spreadsheet formats the toolkit does not read: saved again as .xlsx they are.
OTHER_SPREADSHEETS = frozenset({".xls", ".ods", ".xlsb", ".numbers", ".fods"})
#: A CSV field may be long (free text), but not without bound.
CSV_FIELD_LIMIT = 1 << 22
#: How close a header must be to a known label to be reported as a near miss.
NEAR_MISS_CUTOFF = 0.75
SAVE_AS_XLSX = "öppna filen och spara den som Excel-arbetsbok (.xlsx)"


@dataclass
class RawRow:
    number: int  # the row number as Excel shows it
    values: dict[str, object]
    #: Warnings about this row found while reading (a formula without value, a stray byte).
    findings: list[Finding] = field(default_factory=list)


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
    #: Warnings about the table as read (near-miss headers).
    findings: list[Finding] = field(default_factory=list)


@dataclass
class RawRound:
    year: int
    folder: Path
    files: list[Path]
    tables: list[RawTable]
    #: Files and sheets that were not read, each with why (warnings).
    findings: list[Finding] = field(default_factory=list)


def _where(file: str, sheet: str = "", row: int | None = None) -> str:
    text = file + (f", blad {sheet!r}" if sheet else "")
    return text + (f", rad {row}" if row is not None else "")


def round_folder(data_dir: str | Path, year: int) -> Path:
    if year not in ROUNDS:
        raise InputError(
            f"{year} är inte en uppföljningsomgång; omgångarna är "
            f"{', '.join(map(str, ROUNDS))}")
    folder = Path(data_dir) / str(year)
    if not folder.is_dir():
        raise InputError(f"Inga data för omgång {year}: mappen {folder} finns inte")
    return folder


def _is_data_file(path: Path) -> bool:
    return (path.is_file() and path.suffix.lower() in DATA_SUFFIXES
            and not path.name.startswith(("~$", ".~lock", ".")))


def round_files(folder: Path) -> list[Path]:
    """The files of a round folder that are read, in name order."""
    try:
        files = sorted(p for p in folder.iterdir() if _is_data_file(p))
    except OSError as exc:
        raise InputError(f"Mappen {folder} går inte att läsa: {exc.strerror or exc}") from None
    if not files:
        raise InputError(f"Inga data för omgång {folder.name}: ingen .xlsx- eller .csv-fil "
                         f"i {folder}")
    return files


def skipped_files(folder: Path) -> list[Finding]:
    """A warning for everything in a round folder that is not read, saying why.

    Spreadsheets in formats not read stop the round instead (`unread_spreadsheets`);
    Excel's and LibreOffice's lock files, hidden files and read-me files are passed
    over in silence: they are never data.
    """
    findings = []
    for path in sorted(folder.iterdir()):
        name = mask(shown_name(path))
        if name.startswith(("~$", ".~lock", ".")) or name.casefold() in READ_ME_FILES:
            continue
        if path.is_dir():
            findings.append(_file_warning(
                name + "/", "unread_folder",
                "mappen läses inte: bara filer direkt i omgångens mapp läses",
                f"flytta filerna till {folder.name}/"))
        elif path.is_file() and not _is_data_file(path):
            suffix = path.suffix.lower()
            if suffix in OTHER_SPREADSHEETS:
                continue
            if name.casefold().endswith(".csv.txt"):
                hint = f"byt namn till {name[:-4]}"
            else:
                hint = "en .xlsx- eller .csv-fil"
            findings.append(_file_warning(name, "unread_file",
                                          f"filen läses inte: formatet {suffix or '(inget)'} "
                                          "läses inte", hint))
    return findings


def unread_spreadsheets(folder: Path) -> None:
    """`.xls`, `.ods` and the like are refused, never skipped: they hold answers."""
    others = sorted(shown_name(p) for p in folder.iterdir()
                    if p.is_file() and p.suffix.lower() in OTHER_SPREADSHEETS
                    and not p.name.startswith(("~$", ".~lock", ".")))
    if others:
        raise InputError(f"{others[0]}: formatet {Path(others[0]).suffix} läses inte; "
                         f"{SAVE_AS_XLSX} och lägg den i stället för den gamla"
                         + (f" (gäller också {', '.join(others[1:])})" if others[1:] else ""))


def _file_warning(file: str, reason: str, message: str, expected: str, sheet: str = "",
                  suggestion: str = "") -> Finding:
    return Finding("warning", "", file, sheet, None, "", "", message, expected=expected,
                   suggestion=suggestion, reason=reason)


def read_round(data_dir: str | Path, year: int) -> RawRound:
    folder = round_folder(data_dir, year)
    files = round_files(folder)
    unread_spreadsheets(folder)
    tables: list[RawTable] = []
    findings = skipped_files(folder)
    for path in files:
        name = mask(shown_name(path))
        try:
            if path.suffix.lower() == ".csv":
                table = table_for_name(path.stem)
                if table is None:
                    findings.append(_unknown_name(name, "", path.stem))
                    continue
                tables.append(_read_csv(table, path, name))
            else:
                tables.extend(_read_workbook(path, name, findings))
        except InputError:
            raise
        except RecursionError:
            raise InputError(f"{name}: filen går inte att läsa (för djupt nästlad)") from None
        except (OSError, MemoryError) as exc:
            raise InputError(f"{name}: filen går inte att läsa: "
                             f"{getattr(exc, 'strerror', None) or type(exc).__name__}") from None
        except Exception as exc:  # a library's parser meeting a file it cannot read
            raise InputError(f"{name}: filen går inte att läsa ({type(exc).__name__}: "
                             f"{str(exc)[:200]}); {SAVE_AS_XLSX}") from exc
    return RawRound(year=year, folder=folder, files=files, tables=tables, findings=findings)


def _unknown_name(file: str, sheet: str, name: str) -> Finding:
    names = ", ".join(t.label for t in TABLES.values())
    what = "bladet" if sheet else "filen"
    close = difflib.get_close_matches(normalize(name), [normalize(t.label) for t in
                                                        TABLES.values()], n=1, cutoff=0.6)
    closest = next((t.label for t in TABLES.values() if close and normalize(t.label) == close[0]),
                   "")
    return _file_warning(file, "unknown_sheet",
                         f"{what} {name!r} läses inte: namnet börjar inte med någon tabells namn",
                         f"ett namn som börjar med {names}", sheet=sheet, suggestion=closest)


# --- CSV -------------------------------------------------------------------------


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


def _read_csv(table: Table, path: Path, name: str) -> RawTable:
    decoded = decode(path.read_bytes(), name)
    stray: dict[int, list[int]] = {}
    raw = _read_grid(table, name, "", _csv_rows(decoded.text, name, stray))
    by_number = {r.number: r for r in raw.rows}
    for number, lines in sorted(stray.items()):
        finding = Finding("warning", table.id, name, "", number, "", "",
                          f"raden har ett tecken som inte är giltig UTF-8 (textrad "
                          f"{lines[0]}); det visas som {REPLACEMENT!r}",
                          expected="en fil sparad som CSV UTF-8",
                          reason="stray_byte")
        (by_number[number].findings if number in by_number else raw.findings).append(finding)
    return raw


def _csv_rows(text: str, name: str,
              stray: dict[int, list[int]]) -> Iterator[tuple[int, list[object]]]:
    """Records with their row number as Excel shows them (a multi-line cell is one row).

    A quoted field that holds a line break and the delimiter is taken for a quote
    that was never closed (it swallowed the lines after it): the file is refused,
    naming the line where that quote opens.
    """
    delimiter = sniff_delimiter(text)
    csv.field_size_limit(min(CSV_FIELD_LIMIT, sys.maxsize))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    record, line = 0, 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{name}, textrad {reader.line_num}: raden går inte att läsa som "
                             f"CSV ({exc})") from None
        record += 1
        for i, cell in enumerate(cells):
            if ("\n" in cell or "\r" in cell) and delimiter in cell:
                opens = line + sum(c.count("\n") for c in cells[:i])
                raise InputError(
                    f"{name}, textrad {opens}: ett citattecken (\") öppnas i kolumn {i + 1} "
                    f"men stängs inte på raden, så {cell.count(chr(10))} följande rader läses "
                    "som en enda cell; ta bort citattecknet eller stäng det")
            if REPLACEMENT in cell:
                stray.setdefault(record, []).append(line)
        yield record, list(cells)
        line = reader.line_num + 1


# --- Excel -----------------------------------------------------------------------


def _formula_sheets(path: Path) -> bool:
    """True when any sheet of the workbook holds a formula (`<f>` element)."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with archive.open(info) as handle:
                    while chunk := handle.read(1 << 20):
                        if b"<f>" in chunk or b"<f " in chunk or b":f>" in chunk:
                            return True
    return False


def _unsaved_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet, the cells holding a formula (row, column index) -> formula text."""
    if not _formula_sheets(path):
        return {}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found: dict[str, dict[tuple[int, int], str]] = {}
        for ws in wb.worksheets:
            ws.reset_dimensions()
            cells = {}
            for r, row in enumerate(ws.iter_rows(values_only=True), 1):
                for c, value in enumerate(row):
                    if isinstance(value, str) and value.startswith("="):
                        cells[(r, c)] = value
            if cells:
                found[ws.title] = cells
        return found
    finally:
        wb.close()


def _read_workbook(path: Path, name: str, findings: list[Finding]) -> list[RawTable]:
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise InputError(f"{name}: filen går inte att läsa som Excel-arbetsbok "
                         f"({type(exc).__name__}); {SAVE_AS_XLSX}") from None
    try:
        data_sheets = [ws for ws in wb.worksheets if normalize(ws.title) not in IGNORED_SHEETS]
        visible = [ws for ws in data_sheets if ws.sheet_state == "visible"]
        file_table = table_for_name(path.stem)
        formulas: dict[str, dict[tuple[int, int], str]] | None = None
        tables = []
        for ws in data_sheets:
            table = table_for_name(ws.title)
            if ws.sheet_state != "visible":
                findings.append(_file_warning(
                    name, "hidden_sheet",
                    f"bladet {ws.title!r} är dolt och läses inte",
                    "visa bladet (högerklicka på en flik, Ta fram) om det ska läsas",
                    sheet=ws.title))
                continue
            if table is None and file_table is not None and len(visible) == 1:
                table = file_table  # e.g. program_nora.xlsx with a single sheet "Blad1"
            if table is None:
                findings.append(_unknown_name(name, ws.title, ws.title))
                continue
            ws.reset_dimensions()  # read every row, whatever the sheet declares
            if formulas is None:
                formulas = _unsaved_formulas(path)
            raw = _read_grid(table, name, mask(ws.title),
                             ((i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True),
                                                                 1)),
                             formulas.get(ws.title, {}))
            tables.append(raw)
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


def closest_header(table: Table, header: object) -> str | None:
    """The label of the column a header nearly matches, or None."""
    key = normalize(header)
    if not key:
        return None
    aliases = header_aliases(table)
    labels = {c.id: c.label for c in table.columns}
    contained = [a for a in aliases if len(a) >= 6 and a in key and key != a]
    if contained:
        return labels[aliases[max(contained, key=len)]]
    close = difflib.get_close_matches(key, list(aliases), n=1, cutoff=NEAR_MISS_CUTOFF)
    return labels[aliases[close[0]]] if close else None


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


def _check_age_coverage(where: str, ranges: list[tuple[int, int]]) -> None:
    """SCB columns must add up to exactly 0–17 and 0–5, each age once."""
    for top in (17, 5):
        ages = [a for low, high in ranges if high <= top for a in range(low, high + 1)]
        straddles = [(lo, hi) for lo, hi in ranges if lo <= top < hi]
        if sorted(ages) != list(range(top + 1)) or straddles:
            raise InputError(
                f"{where}: SCB-tabellens ålderskolumner går inte exakt ihop till åldrarna "
                f"0–{top}; förväntat: en kolumn per ålder (\"0 år\", \"1 år\", …) eller "
                f"åldersgrupper som delar vid {top}/{top + 1}")


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


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _read_grid(table: Table, file: str, sheet: str,
               rows: Iterator[tuple[int, list[object]]],
               formulas: dict[tuple[int, int], str] | None = None) -> RawTable:
    where = _where(file, sheet)
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
        expected = ", ".join(repr(c.label) for c in table.columns if c.required)
        raise InputError(f"{where}: ingen rubrikrad för tabellen {table.label!r} bland de "
                         f"första {HEADER_SEARCH_ROWS} raderna; förväntat: rubriker som "
                         f"{expected}")
    header_row, columns = header
    if len(set(columns.values())) != len(columns):
        dupes = sorted({table.column(c).label for c in columns.values()
                        if list(columns.values()).count(c) > 1})
        raise InputError(f"{_where(file, sheet, header_row)}: kolumnen/kolumnerna "
                         f"{', '.join(map(repr, dupes))} finns mer än en gång")
    header_line = next(cells for n, cells in buffered if n == header_row)
    unmatched = [(i, c) for i, c in enumerate(header_line)
                 if not is_blank(c) and i not in columns and not (scb and i in scb[1])]
    near = {i: hit for i, c in unmatched if (hit := closest_header(table, c))}
    if scb is None:
        missing = [c for c in table.columns if c.required and c.id not in columns.values()]
        if missing:
            names = ", ".join(repr(c.label) for c in missing)
            hints = [f"{header_line[i]!r} liknar {hit!r}" for i, hit in near.items()
                     if hit in {c.label for c in missing}]
            raise InputError(f"{_where(file, sheet, header_row)}: tabellen {table.label!r} "
                             f"saknar obligatorisk kolumn {names} i rubrikraden"
                             + (f" ({'; '.join(hints)})" if hints else ""))

    raw = RawTable(table=table, file=file, sheet=sheet, header_row=header_row)
    raw.ignored_columns = [mask(str(c)) for i, c in unmatched if i not in near]
    for i, hit in near.items():
        raw.findings.append(Finding(
            "warning", table.id, file, sheet, header_row, str(header_line[i]),
            str(header_line[i]),
            "rubriken känns inte igen och kolumnen läses inte, men liknar en känd rubrik",
            expected=f"rubriken {hit!r} exakt", suggestion=hit, reason="near_miss_header"))
    if scb is not None:
        raw.scb_ages = {str(header_line[i]): rng for i, rng in scb[1].items()}
        _check_age_coverage(_where(file, sheet, header_row), list(raw.scb_ages.values()))
        columns = {scb[0]: "municipality", **{i: str(header_line[i]) for i in scb[1]}}
    labels = {c.id: c.label for c in table.columns}
    formulas_by_row: dict[int, list[tuple[int, str]]] = {}
    for (r, i), formula in (formulas or {}).items():
        formulas_by_row.setdefault(r, []).append((i, formula))

    def data_rows() -> Iterator[tuple[int, list[object]]]:
        yield from ((n, c) for n, c in buffered if n > header_row)
        yield from rows

    for number, cells in data_rows():
        values = {col: (cells[i] if i < len(cells) else None) for i, col in columns.items()}
        extra = [c for i, c in enumerate(cells) if i not in columns and not is_blank(c)]
        unsaved = [(i, f) for i, f in formulas_by_row.get(number, ())
                   if i >= len(cells) or cells[i] is None]
        if all(is_blank(v) for v in values.values()) and not extra and not unsaved:
            raw.blank_rows += 1
            continue
        if extra:
            values["__extra__"] = extra
        row = RawRow(number=number, values=values)
        for i, formula in unsaved:
            column = labels.get(columns.get(i, ""), columns.get(i, ""))
            row.findings.append(Finding(
                "warning", table.id, file, sheet, number, str(column), formula[:120],
                f"cell {_column_letter(i)}{number} har en formel utan sparat värde och läses "
                "som tom", expected="öppna och spara filen i Excel, så att formelns värde "
                "sparas", reason="formula_without_value"))
        raw.rows.append(row)
    return raw
