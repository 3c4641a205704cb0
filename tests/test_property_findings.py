"""Faults the property-based tests (test_properties.py) found, each pinned by a focused
example: huge and foreign-script numbers, Windows-1252 text that looks like UTF-8,
Swedish punctuation taken for Mac Roman, multi-line cells taken for a runaway quote,
and English library text in the one line an evaluator reads."""

from __future__ import annotations

import errno
import re

import pytest
from builders import (
    FC_HEADER,
    PROGRAM_HEADER,
    PROGRAM_ROWS,
    rewrite_parts,
    write_csv,
    write_round,
    write_xlsx,
)
from swedish import assert_swedish_line

from evaluation.errors import InputError, os_error, os_reason
from evaluation.intake.cells import CellError, parse_count
from evaluation.intake.encoding import decode
from evaluation.intake.validation import validate_round


def by_reason(result, reason):
    return [f for f in result.report.findings if f.reason == reason]


# -- numbers -------------------------------------------------------------------------------


def test_a_workbook_number_too_large_for_a_float_is_an_implausible_count(tmp_path):
    """openpyxl reads `<v>999…9</v>` (400 digits) as a Python int; float() of it raised
    OverflowError, which ended validation with a traceback."""
    data = write_round(tmp_path, skip=("program",))
    rows = [list(r) for r in PROGRAM_ROWS]
    rows[0][4] = 987654321987  # participants, replaced below by 400 nines
    path = write_xlsx(tmp_path / "2024" / "program.xlsx", {"Program": [PROGRAM_HEADER, *rows]})

    def nines(parts: dict[str, bytes]) -> None:
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
            b"<v>987654321987</v>", b"<v>" + b"9" * 400 + b"</v>")

    rewrite_parts(path, nines)
    result = validate_round(data, 2024)
    [f] = result.report.rejected
    assert (f.reason, f.row, f.column) == ("implausible_count", 2, "Antal föräldrar som påbörjat")
    assert result.report.counts["program"].rows_in == 2


@pytest.mark.parametrize("value", [10**400, -(10**400), "1" * 400])
def test_numbers_beyond_a_float_are_said_to_be_implausible_or_negative(value):
    with pytest.raises(CellError) as err:
        parse_count(value)
    assert err.value.reason == ("negative_count" if str(value).startswith("-")
                                else "implausible_count")


@pytest.mark.parametrize("text", ["١٢", "１２", "inf", "Infinity", "NaN", "0x10", "1_000"])
def test_a_count_in_other_digits_or_python_syntax_is_not_a_number(text):
    """float() reads these; Excel and the survey never write them."""
    with pytest.raises(CellError) as err:
        parse_count(text)
    assert err.value.reason == "not_a_number"


@pytest.mark.parametrize(("text", "count"), [("12", 12), (" 33 137 ", 33137), ("+5", 5),
                                             ("2,0", 2), ("2.0", 2), ("1\u00a0200", 1200)])
def test_counts_as_swedish_excel_writes_them_still_read(text, count):
    assert parse_count(text) == count


# -- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Ä–",  # C4 96: UTF-8's "Ė"
    "\u00a0Ä–",  # as many stray bytes as UTF-8 characters: Windows-1252 wins the tie
    "Kostnad 5€ per träff",
    "•Punkt",
    "och så vidare… Örebro",
])
def test_windows_1252_text_reads_back_unchanged(text):
    decoded = decode(text.encode("cp1252"), "program.csv")
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_utf8_with_a_stray_byte_and_utf8_read_as_1252_are_still_told_apart():
    assert decode("Örebro\n".encode() + b"Nora\x96\n", "p.csv").stray_lines == [2]
    assert decode("Förskola".encode(), "p.csv").text == "Förskola"
    with pytest.raises(InputError, match="teckenkodningen"):
        decode("Örebro …rebro".encode("mac_roman"), "p.csv")  # Mac Roman's Ö is "…" in 1252


def test_a_broken_utf16_file_says_so_in_swedish():
    with pytest.raises(InputError) as err:
        decode(b"\xff\xfe" + "Kommun".encode("utf-16-le") + b"\x00\xd8", "program.csv")
    assert_swedish_line(str(err.value), "program.csv")


# -- CSV quoting ------------------------------------------------------------------------------


def test_a_multi_line_cell_holding_a_separator_is_a_cell_not_a_runaway_quote(tmp_path):
    """A cell like "Föräldrastöd; steg 1⏎steg 2" stopped the round as a quote that
    swallowed lines; only lines that hold whole records are that."""
    data = write_round(tmp_path)
    rows = [["Örebro", '"Föräldrastöd; steg 1\r\nsteg 2"', "Förskola", "1", "8", "", "", "",
             "", ""],
            ["Nora", "ABC", "Skola", "1", "-1", "", "", "", "", ""]]
    write_csv(tmp_path / "2024" / "program.csv", PROGRAM_HEADER, rows)
    result = validate_round(data, 2024)
    frame = result.tables["program"]
    assert frame["programme_name"].tolist() == ["Föräldrastöd; steg 1\r\nsteg 2"]
    [f] = result.report.rejected
    assert f.row == 3


def test_a_quote_that_closes_lines_later_is_still_a_runaway_quote(tmp_path):
    data = write_round(tmp_path)
    rows = [["Örebro", f"Program {i}", "Skola", "1", "10", "", "", "", "", ""]
            for i in range(6)]
    rows[0][1] = '"ABC'  # opened here ...
    rows[4][1] = 'X"'  # ... closed four lines later
    write_csv(tmp_path / "2024" / "program.csv", PROGRAM_HEADER, rows)
    with pytest.raises(InputError, match=r"program\.csv, textrad 2: ett citattecken"):
        validate_round(data, 2024)


def test_a_field_beyond_the_csv_limit_is_one_swedish_line(tmp_path):
    data = write_round(tmp_path)
    write_csv(tmp_path / "2024" / "familjecentraler_x.csv", FC_HEADER,
              [["Nora", "x" * (5 << 20), "Ja", "Ja", "Ja", "Ja"]])
    with pytest.raises(InputError) as err:
        validate_round(data, 2024)
    assert "familjecentraler_x.csv, textrad 2" in str(err.value)
    assert_swedish_line(str(err.value), "familjecentraler_x.csv")


# -- the one line an evaluator reads ------------------------------------------------------------


def test_broken_workbook_xml_is_said_in_swedish_with_the_parser_named(tmp_path):
    data = write_round(tmp_path)

    def break_xml(parts: dict[str, bytes]) -> None:
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:-40] + b"<row <c"

    rewrite_parts(tmp_path / "2024" / "enkat.xlsx", break_xml)
    with pytest.raises(InputError) as err:
        validate_round(data, 2024)
    message = str(err.value)
    assert_swedish_line(message, "enkat.xlsx", str(tmp_path))
    assert "arbetsbokens XML är trasig" in message
    assert re.search(r"teknisk orsak: \w+", message)


def test_operating_system_errors_are_said_in_swedish():
    error = PermissionError(errno.EACCES, "Permission denied", "/srv/ut/2026")
    assert os_reason(error) == "åtkomst nekas (behörighet saknas)"
    assert os_error(error) == "/srv/ut/2026: åtkomst nekas (behörighet saknas)"
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "disken är full"
    assert os_reason(OSError(errno.ENXIO, "No such device or address")) == "systemfel ENXIO"
