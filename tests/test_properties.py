"""Property-based tests of the intake: random and mutated cells, CSV bytes and workbooks
never end in an unexpected exception, and every row written is a row in, at the row
number Excel shows (DESIGN §3 "Bad input", issue 11 item 5).

Two kinds of property:

* **well-formed files** (any separator, quoting, line ending, encoding Excel writes,
  BOM, title rows, shuffled headers, hostile cell values, hidden sheets, formulas
  without saved values, merged title cells, wrong declared dimensions): validation
  succeeds, and the table's rows in are exactly the rows written that hold something,
  each accepted or rejected under its own row number;
* **mutated bytes** (stray, inserted, deleted and flipped bytes, broken workbook XML,
  other encodings): validation ends in a result whose rows reconcile, or in one of the
  toolkit's own errors, whose text is one Swedish line naming the file.

The examples are derandomised (conftest.py); HYPOTHESIS_PROFILE=explore searches at
random, twenty times as far.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from builders import (
    FC_HEADER,
    KOMMUN_HEADER,
    POP_HEADER,
    PROGRAM_HEADER,
    UNIT_HEADER,
    write_round,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from swedish import assert_swedish_line

from evaluation.cli import main
from evaluation.errors import EvaluationError, Reason
from evaluation.intake.cells import (
    MAX_COUNT,
    CellError,
    cell_text,
    is_blank,
    parse_count,
    parse_yesno,
)
from evaluation.intake.encoding import decode
from evaluation.intake.validation import validate_round
from evaluation.personal_numbers import contains, masked_value

#: How many times the CI budget of examples to try (HYPOTHESIS_SCALE; 20 when exploring).
SCALE = int(os.environ.get("HYPOTHESIS_SCALE",
                           "20" if os.environ.get("HYPOTHESIS_PROFILE") == "explore" else "1"))
YEAR = 2024

#: Rows of each table in the small valid round the generated file is added to.
BASE_ROWS = {"kommun": 2, "familjecentraler": 1, "program": 2, "vardenheter": 2,
             "befolkning": 2}
HEADERS = {"kommun": KOMMUN_HEADER, "familjecentraler": FC_HEADER, "program": PROGRAM_HEADER,
           "vardenheter": UNIT_HEADER, "befolkning": POP_HEADER}
#: Column kinds in header order, and the column that marks a row as holding something.
KINDS = {
    "kommun": ["municipality", *["yesno"] * 8],
    "familjecentraler": ["municipality", "text", "yesno", "yesno", "yesno", "yesno"],
    "program": ["municipality", "text", "sector", "count", "count", "count", "count", "count",
                "yesno", "yesno"],
    "vardenheter": ["text", "unit_type", "municipality", "yesno", "yesno"],
    "befolkning": ["municipality", "count", "count"],
}
MARKER = {"kommun": 0, "familjecentraler": 1, "program": 1, "vardenheter": 0, "befolkning": 0}
#: Tables a generated file may hold in the well-formed properties (a generated table
#: Kommun could reject the round's only answers as duplicates, a structural fault).
ROW_TABLES = ["familjecentraler", "program", "vardenheter", "befolkning"]

# -- cells ---------------------------------------------------------------------------------

#: What Swedish offices write, and what breaks naive readers.
OFFICE = [
    "Ja", "nej", "JA", "X", "x", "1", "0", "J", "n", "sant", "finns ej", "Ja ", "ja.",
    "33 137", "33\u00a0137", "2\u202f101", "1,5", "2.0", "12", "007", "+5", "1e3", "1E+03",
    "-1", "\u22123", "99999999999999999999", "1" * 400, "101012342", "1_000", "١٢", "１２",
    "inf", "NaN", "Infinity", "0x10", "=SUM(A1:A3)", '=HYPERLINK("http://x","Klicka")',
    "+46 19 12 34 56", "@x", "Örebro", "Orebro", "ÖREBRO", "Örebro kommun", "1880",
    "1880 Örebro", "Örebro 1880", "1881 Örebro", "NORA", "Noras kommun", "Hallefors",
    "Lekebergs kommun", "Uppsala", "Narnia", "Förskola", "skola", "SOCIALTJÄNST",
    "hälso- och sjukvård", "Halso och sjukvard", "civilsamhället", "BVC", "BMM", "mvc",
    "ABC", "Komet", "De otroliga åren", "Familjecentralen Vivalla", "19121212-1212",
    "121212-1212", "121212+1212", "191212121212", "811218-9876", "<script>alert(1)</script>",
    "a\u00adb", "\u200b", "\ufeffx", "x\u2028y", "é", "ü", "€ 5", "5€", "…", "–", "—",
]
BLANKS = ["", " ", "  "]
#: Characters a Swedish office's text holds, separators and quotes included.
SWEDISH_TEXT = st.text(alphabet=st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list("åäöÅÄÖéü ,.;:-–()/&%'\"!?+=@\t") + ["\u00a0"]), min_size=1, max_size=16)
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=16)


def _valid(kind: str) -> st.SearchStrategy[str]:
    return {
        "municipality": st.sampled_from(["Örebro", "Nora", "1880", "Hallsberg", "Kumla",
                                         "Lekeberg", "Laxå", "1861", "Askersunds kommun"]),
        "yesno": st.sampled_from(["Ja", "Nej", "", "X", "1", "0"]),
        "count": st.one_of(st.integers(0, 500).map(str), st.sampled_from(["", "1 200"])),
        "text": SWEDISH_TEXT,
        "sector": st.sampled_from(["Förskola", "Skola", "Socialtjänst", "Hälso- och sjukvård",
                                   "Civilsamhälle"]),
        "unit_type": st.sampled_from(["BMM", "BVC"]),
    }[kind]


def csv_cell(kind: str, text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A cell as text: mostly a value of its kind, else anything an office might write."""
    return st.one_of(_valid(kind), _valid(kind), st.sampled_from(OFFICE + BLANKS), text,
                     st.integers(-(10**30), 10**30).map(str))


def _xlsx_safe(value: object) -> object:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


FORMULAS = ["=1+1", "=SUMMA(A1:A3)", "=A1", '="Ja"', "=NA()"]


def xlsx_cell(kind: str) -> st.SearchStrategy[object]:
    """A cell as a workbook holds it: text, numbers of every kind, truth values, dates,
    formulas that were never calculated, or nothing."""
    return st.one_of(
        csv_cell(kind, SWEDISH_TEXT).map(_xlsx_safe),
        st.integers(-(10**15), 10**15),
        st.floats(allow_nan=True, allow_infinity=False),
        st.booleans(),
        st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
        st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
        st.sampled_from(FORMULAS),
        st.none(),
    )


CELL_VALUES = st.one_of(
    st.sampled_from(OFFICE + BLANKS), ANY_TEXT, st.integers(-(10**400), 10**400),
    st.floats(), st.booleans(), st.none(), st.datetimes(), st.dates(), st.times(),
    st.decimals(allow_nan=True))


@settings(max_examples=200 * SCALE)
@given(CELL_VALUES)
def test_every_cell_parses_or_says_why_in_swedish(value):
    for parse in (parse_count, parse_yesno):
        try:
            parsed = parse(value)
        except CellError as exc:
            assert isinstance(exc.reason, Reason)
            assert_swedish_line(exc.message)
            assert_swedish_line(exc.expected)
            continue
        if parse is parse_count:
            assert parsed is None or (type(parsed) is int and 0 <= parsed <= MAX_COUNT)
        else:
            assert parsed in (None, True, False)
        if parsed is None:
            assert is_blank(value)
    assert isinstance(cell_text(value), str)
    masked = masked_value(value)
    assert masked is None or not contains(masked)


@settings(max_examples=200 * SCALE)
@given(st.one_of(st.sampled_from(OFFICE), ANY_TEXT))
def test_a_count_is_read_only_from_digits_as_excel_writes_them(text):
    """Python's float() reads "١٢", "１２", "inf" and "1_000"; Excel and the survey do
    not: a count is ASCII digits with space-separated thousands, nothing else."""
    try:
        count = parse_count(text)
    except CellError:
        return
    if count is not None:
        bare = re.sub(r"[\s\u00a0\u202f\u2009']", "", text.strip())
        assert re.fullmatch(r"\+?[0-9]+(?:[.,]0*)?", bare), (text, count)


# -- encodings -----------------------------------------------------------------------------

#: Text as Swedish offices write it. Where "…" or "€" stands right before a letter, a
#: Windows-1252 file is taken for Mac Roman ("…rebro" is its "Örebro"): not generated.
SWEDISH_FILE_TEXT = st.text(alphabet=st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ;,.:-\r\n\"'()")
    + list("åäöÅÄÖéüÉÜ–—…€•’”\u00a0§½")), min_size=1, max_size=60).filter(
        lambda text: not re.search(r"[…€][^\W\d_]", text))


@settings(max_examples=200 * SCALE)
@given(SWEDISH_FILE_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_text_in_the_encodings_excel_writes_reads_back_unchanged(text, encoding):
    decoded = decode(text.encode(encoding), "program.csv")
    assert decoded.text == text
    assert decoded.stray_lines == []


# -- well-formed CSV files -------------------------------------------------------------------


class Raw(bytes):
    """File bytes that Hypothesis shows briefly when it reports a failing example."""

    def __repr__(self) -> str:
        head = bytes(self[:120])
        return f"Raw({len(self)} bytes, starting {head!r})"


@dataclass
class Written:
    """A generated table file: which rows hold something, as Excel numbers them."""

    table: str
    name: str
    content_rows: list[int]  # Excel row numbers of the rows that hold something
    blank_rows: int  # blank rows below the header
    hidden_rows: int = 0  # rows of hidden sheets, which are not read


@st.composite
def header(draw, table: str) -> tuple[list[str], list[int]]:
    """Header cells as offices spell them, shuffled, with unknown columns mixed in; and,
    for each header cell, the index of its column in the builder's header (-1: extra)."""
    from evaluation.intake.schema import TABLES
    from evaluation.text import strip_diacritics

    columns = TABLES[table].columns
    labels = HEADERS[table]
    cells = []
    for i, label in enumerate(labels):
        column = next(c for c in columns if c.label == label) if any(
            c.label == label for c in columns) else None
        forms = [label, label.upper(), label.lower(), strip_diacritics(label), f" {label} "]
        if column is not None:
            forms.append(column.id)
        cells.append((draw(st.sampled_from(forms)), i))
    extras = draw(st.lists(st.sampled_from(["Kommentar", "Övrigt", "", "Anteckning"]),
                           max_size=2))
    cells += [(e, -1) for e in extras]
    cells = draw(st.permutations(cells))
    return [c for c, _ in cells], [i for _, i in cells]


TITLE_ROWS = st.lists(st.lists(st.sampled_from(
    ["Enkät om föräldraskapsstöd 2024", "Uppgifter från kommunen", "", "Fyll i en rad per "
     "insats", "Version 2"]), min_size=1, max_size=3), max_size=3)


@st.composite
def rows(draw, table: str, order: list[int], cell) -> tuple[list[list[object]], list[bool]]:
    """Data rows in header order: content rows (their marker column always holds
    something) and blank rows."""
    kinds = KINDS[table]
    marker = MARKER[table]
    n = draw(st.integers(0, 12))
    out, content = [], []
    for i in range(n):
        if draw(st.integers(0, 5)) == 0:
            out.append([draw(st.sampled_from(BLANKS)) if draw(st.booleans()) else None
                        for _ in order])
            content.append(False)
            continue
        row = []
        for index in order:
            if index == -1:
                row.append(draw(st.one_of(st.none(), st.sampled_from(BLANKS), SWEDISH_TEXT)))
            elif index == marker:
                if kinds[index] == "text":
                    row.append(f"Rad {i} " + draw(st.sampled_from(["", "x", "ÅÄÖ"])))
                else:
                    row.append(draw(st.sampled_from(["Örebro", "Nora", "1880", "Kumla",
                                                     "Narnia", "Orebro", "19121212-1212"])))
            else:
                row.append(draw(cell(kinds[index])))
        out.append(row)
        content.append(True)
    return out, content


def _csv_text(records: list[list[object]], delimiter: str, quoting: int,
              terminator: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=terminator)
    for record in records:
        writer.writerow(["" if c is None else c for c in record])
    return buffer.getvalue()


@st.composite
def csv_file(draw, tables=ROW_TABLES) -> tuple[Written, bytes]:
    table = draw(st.sampled_from(tables))
    head, order = draw(header(table))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"]))

    def cell(kind: str) -> st.SearchStrategy[str]:
        # A cell with a line break holds at most one separator: more, and it would be a
        # quote that swallowed lines, which a well-formed file never has.
        return csv_cell(kind, SWEDISH_TEXT).filter(
            lambda c: not ("\n" in c or "\r" in c) or c.count(delimiter) <= 1)

    title = draw(TITLE_ROWS)
    data, content = draw(rows(table, order, cell))
    # multi-line cells, as Excel writes them (quoted)
    if data and draw(st.booleans()):
        r = draw(st.integers(0, len(data) - 1))
        c = draw(st.integers(0, len(order) - 1))
        if content[r] and order[c] not in (-1, MARKER[table]):
            data[r][c] = draw(st.sampled_from(["rad ett\r\nrad två",
                                                f"steg 1{delimiter} grupp\nsteg 2"]))
    if data and draw(st.integers(0, 9)) == 0:  # a huge free-text field
        r = draw(st.integers(0, len(data) - 1))
        if content[r]:
            data[r][order.index(MARKER[table])] = "Rad " + "x" * 250_000
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    terminator = draw(st.sampled_from(["\r\n", "\n"]))
    text = _csv_text([*title, head, *data], delimiter, quoting, terminator)
    # what Windows-1252 cannot hold, Excel saves as "?"
    raw = text.encode(encoding, errors="replace" if encoding == "cp1252" else "strict")
    header_row = len(title) + 1
    written = Written(table, f"{table}_hyp.csv",
                      [header_row + 1 + i for i, c in enumerate(content) if c],
                      sum(1 for c in content if not c))
    return written, Raw(raw)


@contextmanager
def round_with(name: str, raw: bytes) -> Iterator[Path]:
    """A small valid round in a fresh folder, with the generated file added to it."""
    with tempfile.TemporaryDirectory() as tmp:
        data = write_round(Path(tmp) / "data")
        (data / str(YEAR) / name).write_bytes(raw)
        yield data


def validated(written: Written, raw: bytes):
    """The round validated with the generated file in it."""
    with round_with(written.name, raw) as data:
        return validate_round(data, YEAR)


def rows_seen(result, written: Written) -> tuple[set[int], set[int]]:
    """Rows of the written file accepted, and rows rejected (by row number)."""
    frame = result.tables[written.table]
    accepted = set(frame.loc[frame["source_file"] == written.name, "source_row"])
    rejected = {f.row for f in result.report.findings
                if f.severity == "rejected" and f.file == written.name}
    return accepted, rejected


def assert_every_row_accounted_for(result, written: Written, exact_blanks: bool) -> None:
    count = result.report.counts[written.table]
    assert count.rows_in == BASE_ROWS[written.table] + len(written.content_rows)
    assert count.rows_in == count.accepted + count.rejected
    assert len(result.tables[written.table]) == count.accepted
    if exact_blanks:
        assert count.blank_rows_skipped == written.blank_rows
    else:  # blank rows at a sheet's end are not stored in the workbook at all
        assert count.blank_rows_skipped <= written.blank_rows
    accepted, rejected = rows_seen(result, written)
    assert not accepted & rejected
    assert accepted | rejected == set(written.content_rows)
    for table, other in result.report.counts.items():
        assert other.balanced, table
        assert len(result.tables[table]) == other.accepted, table


@settings(max_examples=50 * SCALE)
@given(csv_file())
def test_well_formed_csv_reads_every_row_at_its_excel_row_number(generated):
    written, raw = generated
    assert_every_row_accounted_for(validated(written, raw), written, exact_blanks=True)


# -- well-formed workbooks -------------------------------------------------------------------

SHEET_NAMES = {
    "kommun": ["Kommun", "KOMMUN", "kommun 2024"],
    "familjecentraler": ["Familjecentraler", "FAMILJECENTRALER", "familjecentral", "FC"],
    "program": ["Program", "PROGRAM", "program 2024", "Programs"],
    "vardenheter": ["Vårdenheter", "Vardenheter", "vårdenhet", "Enheter"],
    "befolkning": ["Befolkning", "BEFOLKNING", "Population"],
}


def _set_dimension(raw: bytes, ref: str) -> bytes:
    """Every sheet of the workbook declares `ref` as its dimension (some generators lie)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    for name, content in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            if b"<dimension" in content:
                content = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(),
                                 content)
            else:
                content = content.replace(b"<sheetViews>",
                                          f'<dimension ref="{ref}"/><sheetViews>'.encode(), 1)
            parts[name] = content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@st.composite
def workbook(draw, tables=ROW_TABLES, merge_anywhere: bool = False) -> tuple[Written, bytes]:
    table = draw(st.sampled_from(tables))
    head, order = draw(header(table))
    title = draw(TITLE_ROWS)
    data, content = draw(rows(table, order, xlsx_cell))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    noise = draw(st.lists(st.sampled_from(["Instruktioner", "Listor", "dold", "Anteckningar"]),
                          unique=True, max_size=3))
    hidden_rows = 0
    position = draw(st.integers(0, len(noise)))
    for name in [*noise[:position], "TABLE", *noise[position:]]:
        if name == "TABLE":
            ws = wb.create_sheet(draw(st.sampled_from(SHEET_NAMES[table])))
            for record in [*title, head, *data]:
                ws.append([_xlsx_safe(c) for c in record])
            if title and draw(st.booleans()):  # a merged title, as over grouped headers
                ws.merge_cells(start_row=1, start_column=1, end_row=len(title),
                               end_column=max(1, len(head) // 2))
            if merge_anywhere and ws.max_row > 1 and draw(st.booleans()):
                ws.merge_cells(start_row=draw(st.integers(1, ws.max_row)), start_column=1,
                               end_row=ws.max_row, end_column=draw(st.integers(1, len(head))))
        elif name == "dold":  # a hidden copy of the table: never read, always said
            ws = wb.create_sheet(f"{SHEET_NAMES[table][0]} (gammal)"[:31])
            ws.append(HEADERS[table])
            ws.append(["x"] * len(HEADERS[table]))
            ws.sheet_state = draw(st.sampled_from(["hidden", "veryHidden"]))
            hidden_rows += 1
        else:
            ws = wb.create_sheet(name)
            ws.append(["Läs detta först", 1, None, "=1+1"])
    buffer = io.BytesIO()
    wb.save(buffer)
    raw = buffer.getvalue()
    if draw(st.booleans()):
        raw = _set_dimension(raw, draw(st.sampled_from(["A1:B2", "A1", "A1:Z3"])))
    header_row = len(title) + 1
    written = Written(table, f"{table}_hyp.xlsx",
                      [header_row + 1 + i for i, c in enumerate(content) if c],
                      sum(1 for c in content if not c), hidden_rows)
    return written, Raw(raw)


@settings(max_examples=40 * SCALE)
@given(workbook())
def test_well_formed_workbook_reads_every_visible_row_and_says_what_it_skips(generated):
    written, raw = generated
    result = validated(written, raw)
    assert_every_row_accounted_for(result, written, exact_blanks=False)
    reasons = {f.reason for f in result.report.findings if f.file == written.name}
    if written.hidden_rows:
        assert "hidden_sheet" in reasons


# -- mutated bytes -----------------------------------------------------------------------------


def assert_intake_holds(data: Path, name: str) -> None:
    """Validation ends in a reconciled result or one Swedish line naming the file."""
    try:
        result = validate_round(data, YEAR)
    except EvaluationError as exc:
        assert_swedish_line(str(exc), name, str(data))
        # every fault lies in the one file; only "no answers accepted" is the round's
        assert name in str(exc) or "inga kommuners svar" in str(exc), str(exc)
        return
    for table, count in result.report.counts.items():
        assert count.balanced, table
        assert len(result.tables[table]) == count.accepted, table
        assert count.rows_in >= BASE_ROWS[table], (table, count)


@st.composite
def mutated(draw, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        what = draw(st.sampled_from(["insert", "delete", "flip", "truncate", "stray"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if what == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif what == "delete":
            del data[at:at + draw(st.integers(1, 16))]
        elif what == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif what == "truncate":
            del data[at:]
        else:
            data[at:at] = bytes([draw(st.integers(0x80, 0xFF))])
    return bytes(data)


@st.composite
def mutated_csv(draw) -> tuple[str, bytes]:
    written, raw = draw(csv_file(tables=list(HEADERS)))
    if draw(st.booleans()):  # another encoding altogether
        encoding = draw(st.sampled_from(["mac_roman", "utf-16-be", "latin-1", "utf-32"]))
        text = decode(raw, written.name).text if raw else ""
        raw = text.encode(encoding, errors="replace")
    return written.name, Raw(draw(mutated(raw)) if draw(st.booleans()) else raw)


@settings(max_examples=50 * SCALE)
@given(mutated_csv())
def test_mutated_csv_bytes_end_in_reconciled_rows_or_one_swedish_line(generated):
    name, raw = generated
    with round_with(name, raw) as data:
        assert_intake_holds(data, name)


def _mutate_xml(draw, raw: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    targets = sorted(n for n in parts if n.endswith(".xml"))
    name = draw(st.sampled_from(targets))
    parts[name] = draw(mutated(parts[name]))
    if draw(st.integers(0, 4)) == 0:
        del parts[draw(st.sampled_from(targets))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return buffer.getvalue()


@st.composite
def mutated_workbook(draw) -> tuple[str, bytes]:
    written, raw = draw(workbook(tables=list(HEADERS), merge_anywhere=True))
    how = draw(st.sampled_from(["xml", "xml", "bytes", "none"]))
    if how == "xml":
        raw = _mutate_xml(draw, raw)
    elif how == "bytes":
        raw = draw(mutated(raw))
    return written.name, Raw(raw)


@settings(max_examples=40 * SCALE)
@given(mutated_workbook())
def test_mutated_workbooks_end_in_reconciled_rows_or_one_swedish_line(generated):
    name, raw = generated
    with round_with(name, raw) as data:
        assert_intake_holds(data, name)


@settings(max_examples=15 * SCALE)
@given(st.one_of(mutated_csv(), mutated_workbook()))
def test_validate_on_the_command_line_never_shows_a_traceback(generated):
    """`python -m evaluation validate`, in process: exit 0 or 1, and an error is one line."""
    name, raw = generated
    with round_with(name, raw) as data:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["validate", "--data", str(data), "--round", str(YEAR),
                         "--out", str(data.parent / "out")])
    errors = err.getvalue().strip().splitlines()
    assert code in (0, 1), err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if code == 1:
        [line] = errors
        assert line.startswith("fel: ") and "oväntat fel" not in line, line
        assert_swedish_line(line, name, str(data))
    else:
        assert "inlästa rader = godkända + avvisade: ja" in out.getvalue()


def test_profiles_are_deterministic_in_ci():
    """The suite's examples do not depend on the run (no database, derandomised)."""
    if os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci":
        pytest.skip("another profile was chosen")
    current = settings()
    assert current.derandomize and current.database is None and current.deadline is None
