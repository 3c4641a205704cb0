"""Hostile and unusual inputs: every row seen or a finding that says why not, plausible
numbers only, encodings, no traceback, inert output, the input never touched."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import (
    FC_HEADER,
    KOMMUN_HEADER,
    KOMMUN_ROWS,
    POP_HEADER,
    PROGRAM_HEADER,
    PROGRAM_ROWS,
    UNIT_HEADER,
    write_csv,
    write_round,
    write_xlsx,
)

from evaluation.analysis.rounds import history
from evaluation.cli import main
from evaluation.errors import InputError, ParameterError
from evaluation.intake.reasons import REASONS
from evaluation.intake.validation import normalize_region, validate_round
from evaluation.intake.validation_report import format_report, write_full_report
from evaluation.publish.staging import write_manifest
from evaluation.tools.template import write_template


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def by_reason(result, reason):
    return [f for f in result.report.findings if f.reason == reason]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaluation", *args], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "PYTHONPATH": str(
                              Path(__file__).resolve().parent.parent)})


def one_swedish_line(proc: subprocess.CompletedProcess, code: int = 1) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.strip().splitlines() if line.startswith("fel: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


# -- 1. the input is sacred -------------------------------------------------------------


@pytest.mark.parametrize("where", ["equal", "inside", "inside_round", "above"])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_out_that_is_inside_or_above_the_data_is_refused_and_nothing_changes(tmp_path, where,
                                                                           command):
    data = write_round(tmp_path / "data")
    before = snapshot(tmp_path)
    out = {"equal": data, "inside": data / "rapporter", "inside_round": data / "2024",
           "above": tmp_path}[where]
    code = main([command, "--data", str(data), "--round", "2024", "--out", str(out)])
    assert code == 2
    assert snapshot(tmp_path) == before


def test_template_may_not_write_into_the_data_it_is_prefilled_from(tmp_path, capsys):
    data = write_round(tmp_path / "data")
    before = snapshot(data)
    code = main(["template", "--round", "2026", "--prefill", str(data),
                 "--out", str(data / "2024" / "enkat-2026.xlsx")])
    assert code == 2
    assert "datamappen" in capsys.readouterr().err
    assert snapshot(data) == before


@pytest.mark.parametrize("out", ["/", str(Path.home())])
def test_out_may_not_be_the_root_or_a_home_folder(tmp_path, out, capsys):
    data = write_round(tmp_path / "data")
    assert main(["run", "--data", str(data), "--round", "2024", "--out", out]) == 2
    assert "roten eller en hemkatalog" in capsys.readouterr().err


def test_a_round_folder_that_is_not_a_published_round_is_never_replaced(tmp_path, capsys):
    data = write_round(tmp_path / "data")
    out = tmp_path / "out"
    (out / "2024").mkdir(parents=True)
    (out / "2024" / "viktigt.xlsx").write_bytes(b"egna filer")
    code = main(["run", "--data", str(data), "--round", "2024", "--out", str(out), "--quiet"])
    assert code == 2
    assert "ingen publicerad omgång" in capsys.readouterr().err
    assert snapshot(out) == {"2024/viktigt.xlsx": b"egna filer"}


# -- 2. every row seen, or a finding that says why not ------------------------------------


def _units(n: int) -> list[list[object]]:
    return [[f"BVC {i}", "BVC", "Örebro" if i % 2 else "Nora", "Ja", "Nej"] for i in range(n)]


def test_sheet_with_a_wrong_declared_dimension_is_read_to_its_last_row(tmp_path):
    data = write_round(tmp_path, skip=("vardenheter",))
    path = write_xlsx(tmp_path / "2024" / "vardenheter.xlsx",
                      {"Vårdenheter": [UNIT_HEADER, *_units(24)]})
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:E5"', parts[sheet])
    if b"<dimension" not in parts[sheet]:
        parts[sheet] = parts[sheet].replace(b"<sheetViews>",
                                            b'<dimension ref="A1:E5"/><sheetViews>')
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    assert b'<dimension ref="A1:E5"' in zipfile.ZipFile(path).read(sheet)
    result = validate_round(data, 2024)
    assert result.report.counts["vardenheter"].rows_in == 24
    assert len(result.tables["vardenheter"]) == 24


def test_formula_without_a_saved_value_is_a_finding_naming_the_cell(tmp_path):
    data = write_round(tmp_path, skip=("program",))
    rows = [list(r) for r in PROGRAM_ROWS]
    rows[1][4] = "=3+5"  # participants, as a formula no program has calculated
    write_xlsx(tmp_path / "2024" / "program.xlsx", {"Program": [PROGRAM_HEADER, *rows]})
    result = validate_round(data, 2024)
    [f] = by_reason(result, "formula_without_value")
    assert (f.severity, f.file, f.sheet, f.row, f.column, f.value) == (
        "warning", "program.xlsx", "Program", 3, "Antal föräldrar som påbörjat", "=3+5")
    assert "cell E3" in f.message
    assert "öppna och spara filen i Excel" in f.expected


def test_csv_quote_that_swallows_lines_stops_naming_the_line_where_it_opens(tmp_path):
    data = write_round(tmp_path)
    rows = [["Örebro", f"Program {i}", "Skola", "1", "10", "", "", "", "", ""]
            for i in range(33)]
    rows[0][1] = '"ABC'  # opened, never closed
    write_csv(tmp_path / "2024" / "program.csv", PROGRAM_HEADER, rows)
    with pytest.raises(InputError) as err:
        validate_round(data, 2024)
    assert "program.csv, textrad 2" in str(err.value)
    assert "citattecken" in str(err.value)


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_xls_and_ods_are_refused_with_save_as_xlsx(tmp_path, suffix):
    data = write_round(tmp_path)
    (tmp_path / "2024" / f"program_nora{suffix}").write_bytes(b"\xd0\xcf\x11\xe0 gammal")
    with pytest.raises(InputError, match=r"spara den som Excel-arbetsbok \(\.xlsx\)"):
        validate_round(data, 2024)


def test_files_and_sheets_not_read_are_warnings_everywhere_the_evaluator_looks(tmp_path):
    data = write_round(tmp_path)
    folder = tmp_path / "2024"
    (folder / "anteckningar.txt").write_text("program i Nora: 3", encoding="utf-8")
    write_csv(folder / "program_lekeberg.csv.txt", PROGRAM_HEADER, PROGRAM_ROWS[:1])
    write_csv(folder / "inkommet" / "program_kumla.csv", PROGRAM_HEADER, PROGRAM_ROWS[:1])
    write_xlsx(folder / "lekeberg.xlsx", {"Blad1": [PROGRAM_HEADER, *PROGRAM_ROWS],
                                         "Blad2": [["x"]]})
    path = write_xlsx(folder / "gammalt.xlsx", {"Program": [PROGRAM_HEADER, *PROGRAM_ROWS],
                                                "Anteckning": [["synlig"]]})
    wb = openpyxl.load_workbook(path)
    wb["Program"].sheet_state = "hidden"
    wb.save(path)

    result = validate_round(data, 2024)
    warned = {(f.file, f.sheet, f.reason) for f in result.report.findings
              if f.severity == "warning"}
    assert {("anteckningar.txt", "", "unread_file"),
            ("program_lekeberg.csv.txt", "", "unread_file"),
            ("inkommet/", "", "unread_folder"),
            ("lekeberg.xlsx", "Blad1", "unknown_sheet"),
            ("gammalt.xlsx", "Program", "hidden_sheet")} <= warned
    hidden = by_reason(result, "hidden_sheet")[0]
    assert "dolt" in hidden.message
    assert by_reason(result, "unread_file")[1].expected == "byt namn till program_lekeberg.csv"
    text = format_report(result.report)
    assert "VARNING    gammalt.xlsx, blad 'Program': bladet 'Program' är dolt" in text
    csv_text = write_full_report(result.report, tmp_path / "v.csv").read_text("utf-8-sig")
    assert "inkommet/" in csv_text and "hidden_sheet" in csv_text
    assert all(f.reason in REASONS for f in result.report.findings)


def test_header_that_nearly_matches_is_a_warning_with_the_closest_label(tmp_path):
    header = ["Antal föräldrar som påbörjat (totalt)" if h == "Antal föräldrar som påbörjat"
              else h for h in PROGRAM_HEADER]
    data = write_round(tmp_path)
    write_csv(tmp_path / "2024" / "program.csv", header, PROGRAM_ROWS)
    result = validate_round(data, 2024)
    [f] = by_reason(result, "near_miss_header")
    assert (f.severity, f.row, f.column, f.suggestion) == (
        "warning", 1, "Antal föräldrar som påbörjat (totalt)", "Antal föräldrar som påbörjat")


# -- 3. plausible numbers only --------------------------------------------------------------


def _program(participants: object) -> list[list[object]]:
    return [["Örebro", "ABC", "Förskola", "4", participants, "", "", "", "Ja", "Nej"]]


@pytest.mark.parametrize(("value", "reason"), [
    ("101012342", "implausible_count"),  # a personnummer without its leading zero
    ("70000", "count_above_children"),  # Örebro has 33 137 children aged 0–17
    ("1e3", "scientific_notation"),
    ("99999999999999999999", "implausible_count"),
])
def test_implausible_counts_are_rejected_with_the_reason(tmp_path, value, reason):
    result = validate_round(write_round(tmp_path, program_rows=_program(value)), 2024)
    [f] = [f for f in result.report.rejected if f.table == "program"]
    assert (f.reason, f.column, f.value) == (reason, "Antal föräldrar som påbörjat", value)
    assert result.tables["program"].empty


def test_offering_of_up_to_two_parents_a_child_is_accepted(tmp_path):
    result = validate_round(write_round(tmp_path, program_rows=_program("66274")), 2024)
    assert result.tables["program"]["participants"].tolist() == [66274]


def test_municipality_population_above_the_country_is_rejected(tmp_path):
    data = write_round(tmp_path)
    write_csv(tmp_path / "2024" / "befolkning.csv", POP_HEADER,
              [["Örebro", "33137000", "11046"], ["Nora", "2 101", "700"]])
    result = validate_round(data, 2024)
    [f] = result.report.rejected
    assert (f.reason, f.column) == ("implausible_count", "Antal barn 0–17 år")


# -- 4. encodings ---------------------------------------------------------------------------


def test_utf16_with_bom_is_read(tmp_path):
    data = write_round(tmp_path)
    write_csv(tmp_path / "2024" / "program.csv", PROGRAM_HEADER, PROGRAM_ROWS, sep="\t",
              encoding="utf-16")
    result = validate_round(data, 2024)
    assert result.tables["program"]["municipality"].tolist() == ["1880", "1884"]
    assert result.tables["program"]["sector"].tolist() == ["preschool", "social_services"]


def test_mac_roman_stops_naming_the_file_and_the_detected_encoding(tmp_path):
    data = write_round(tmp_path)
    write_csv(tmp_path / "2024" / "program.csv", PROGRAM_HEADER,
              [["Örebro", "Föräldrastöd i grupp", "Förskola", "1", "8", "", "", "", "", ""]],
              encoding="mac_roman")
    with pytest.raises(InputError) as err:
        validate_round(data, 2024)
    message = str(err.value)
    assert message.startswith("Omgång 2024: program.csv: teckenkodningen")
    assert re.search(r"ser ut som \S+, varken UTF-8 eller Windows-1252", message)


def test_windows_1252_is_still_read(tmp_path):
    data = write_round(tmp_path)
    write_csv(tmp_path / "2024" / "program.csv", PROGRAM_HEADER, PROGRAM_ROWS,
              encoding="cp1252")
    assert len(validate_round(data, 2024).tables["program"]) == 2


def test_stray_byte_in_utf8_is_reported_at_its_row_and_the_rest_reads_right(tmp_path):
    data = write_round(tmp_path)
    path = write_csv(tmp_path / "2024" / "program.csv", PROGRAM_HEADER,
                     [*PROGRAM_ROWS, ["Örebro", "Komet", "Skola", "1", "5", "", "", "", "", ""]])
    raw = path.read_bytes().replace(b"Komet;Socialtj", b"Komet\x96;Socialtj")
    path.write_bytes(raw)
    result = validate_round(data, 2024)
    [f] = by_reason(result, "stray_byte")
    assert (f.severity, f.file, f.row) == ("warning", "program.csv", 3)
    assert result.tables["program"]["municipality"].tolist() == ["1880", "1884", "1880"]
    assert result.tables["program"]["sector"].tolist()[1] == "social_services"


# -- 5. no traceback, ever ------------------------------------------------------------------


def test_malformed_sheet_xml_is_one_line_naming_the_file(tmp_path):
    data = write_round(tmp_path / "data")
    path = tmp_path / "data" / "2024" / "enkat.xlsx"
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:-40] + b"<row <c"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    line = one_swedish_line(cli("validate", "--data", str(data), "--round", "2024",
                                "--out", str(tmp_path / "out")))
    assert "enkat.xlsx" in line


def test_huge_count_long_field_and_latin1_file_name_give_no_traceback(tmp_path):
    write_round(tmp_path / "data", program_rows=_program("99999999999999999999"))
    folder = tmp_path / "data" / "2024"
    write_csv(folder / "familjecentraler_lang.csv", FC_HEADER,
              [["Nora", "x" * 200_000, "Ja", "Ja", "Ja", "Ja"]])
    latin1 = os.fsdecode("familjecentraler_h\xe4llefors.csv".encode("latin-1"))
    write_csv(folder / latin1, FC_HEADER, [["Hällefors", "FC Hällefors", "Ja", "Ja", "Ja", "Ja"]])
    proc = cli("validate", "--data", str(tmp_path / "data"), "--round", "2024",
               "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    result = validate_round(tmp_path / "data", 2024)
    assert "familjecentraler_hällefors.csv" in result.report.files
    assert result.report.counts["familjecentraler"].rows_in == 3
    [f] = [f for f in result.report.rejected if f.table == "program"]
    assert f.reason == "implausible_count"


@pytest.mark.parametrize("command", ["validate", "run"])
def test_out_that_is_a_file_is_one_line(tmp_path, command):
    data = write_round(tmp_path / "data")
    (tmp_path / "fil").write_text("x")
    line = one_swedish_line(cli(command, "--data", str(data), "--round", "2024",
                                "--out", str(tmp_path / "fil"), "--quiet"
                                if command == "run" else "--strict"))
    assert "fil" in line


def test_validate_from_a_folder_it_cannot_write_is_one_line(tmp_path):
    data = write_round(tmp_path / "data")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where ./reports would go")
    line = one_swedish_line(cli("validate", "--data", str(data), "--round", "2024",
                                "--out", str(blocked / "reports")))
    assert "blocked" in line


# -- 6. nothing harmful in what we write ----------------------------------------------------

HYPERLINK = '=HYPERLINK("http://example.com","Klicka här")'


def test_validation_csv_writes_formula_like_cells_as_inert_text(tmp_path):
    rows = [["Örebro", HYPERLINK, "+Skola", "1", "8", "", "", "", "", ""],
            ["Nora", "@SUM(1)", "-Skola", "1", "8", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path / "data", program_rows=rows), 2024)
    path = write_full_report(result.report, tmp_path / "v.csv")  # the one with values
    with open(path, encoding="utf-8-sig", newline="") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    assert "'" + HYPERLINK in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_template_prefill_writes_input_text_never_as_a_formula(tmp_path):
    data = write_round(tmp_path / "data")
    write_xlsx(tmp_path / "data" / "2024" / "enkat.xlsx", {
        "Kommun": [KOMMUN_HEADER, *KOMMUN_ROWS]})
    write_csv(tmp_path / "data" / "2024" / "familjecentraler.csv", FC_HEADER,
              [["Örebro", HYPERLINK, "Ja", "Ja", "Ja", "Ja"]])
    path = write_template(tmp_path / "enkat-2026.xlsx", 2026,
                          prefill=validate_round(data, 2024))
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert HYPERLINK in [c.value for c in cells]
    assert not [c.coordinate for c in cells if c.data_type == "f"
                and isinstance(c.value, str) and "HYPERLINK" in c.value]


# -- 8. region, earlier rounds, row numbers, manifest ---------------------------------------


@pytest.mark.parametrize("given", ["Örebro län", " 18", "18.0", "orebro", "18"])
def test_region_is_a_county_code_or_name_normalised(tmp_path, given):
    assert normalize_region(given) == "18"
    result = validate_round(write_round(tmp_path), 2024, region=given)
    assert not result.report.rejected
    assert result.region == "18"


def test_unknown_region_is_a_usage_error_on_every_command(tmp_path, capsys):
    data = write_round(tmp_path / "data")
    with pytest.raises(ParameterError, match="menade du 'Örebro län'"):
        normalize_region("Örebo län")
    assert main(["validate", "--data", str(data), "--round", "2024", "--region", "Narnia",
                 "--out", str(tmp_path / "o")]) == 2
    assert "okänt län 'Narnia'" in capsys.readouterr().err


def test_broken_earlier_round_is_named(tmp_path):
    data = write_round(tmp_path, year=2026)
    write_round(tmp_path, year=2024, skip=("kommun",))
    with pytest.raises(InputError, match=r"^Omgång 2024 i .*tabell saknas: 'Kommun'"):
        history(data, 2026)
    (tmp_path / "2024" / "program.csv").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match=r"^Omgång 2024"):
        history(data, 2026)


def test_rows_after_a_multi_line_cell_keep_their_excel_row_numbers(tmp_path):
    data = write_round(tmp_path)
    rows = [["Örebro", "ABC", "Förskola", "4", "40", "", "", "", "", ""],
            ["Nora", '"Komet\r\n(två rader)"', "Socialtjänst", "1", "8", "", "", "", "", ""],
            ["Nora", "ABC", "Skola", "1", "-1", "", "", "", "", ""]]
    write_csv(tmp_path / "2024" / "program.csv", PROGRAM_HEADER, rows)
    result = validate_round(data, 2024)
    assert result.tables["program"]["source_row"].tolist() == [2, 3]
    [f] = result.report.rejected
    assert f.row == 4  # as Excel shows it: the cell with a line break is one row


def test_manifest_lists_inputs_relative_to_data_as_named_through_symlinks(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "program_2024.csv").write_text("abc", encoding="utf-8")
    data = tmp_path / "data"
    (data / "2024").mkdir(parents=True)
    (data / "2024" / "program.csv").symlink_to(store / "program_2024.csv")
    (data / "2024" / "kommun.csv").write_text("", encoding="utf-8")
    path = write_manifest(tmp_path / "m.json", [data / "2024" / "program.csv",
                                               data / "2024" / "kommun.csv"], {}, {},
                          data=data)
    files = [r["file"] for r in json.loads(path.read_text(encoding="utf-8"))["inputs"]]
    assert files == ["2024/kommun.csv", "2024/program.csv"]
