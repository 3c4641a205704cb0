"""One error tree: exit codes, structured fields, and no traceback on the terminal."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import pytest
from builders import write_round

from evaluation.errors import (
    CellError,
    ConsistencyError,
    ContractError,
    EvaluationError,
    InputError,
    KernelStartError,
    LockedError,
    ParameterError,
    Reason,
    ReportError,
    Severity,
    StatisticsError,
    StrictModeError,
    reason_label,
)
from evaluation.intake.contracts import check_tables
from evaluation.intake.validation import validate_round

PERSONNUMMER = "19121212-1212"


@pytest.mark.parametrize(("error", "code"), [
    (InputError("x"), 1), (StrictModeError("x"), 1), (CellError("x", "y", "not_whole"), 1),
    (StatisticsError("x"), 1), (ConsistencyError("x"), 1), (ReportError("r", 3, "x"), 1),
    (KernelStartError("x"), 1), (LockedError("x"), 1), (ParameterError("x"), 2),
])
def test_data_input_and_report_faults_exit_1_usage_faults_exit_2(error, code):
    assert isinstance(error, EvaluationError)
    assert error.exit_code == code


def test_kernel_start_failure_is_a_report_error_with_its_name():
    error = KernelStartError("kernel did not start after 4 attempts")
    assert isinstance(error, ReportError)
    assert error.error_name == "KernelStartError"
    assert error.cell is None


def test_fields_are_masked_and_survive_pickling():
    error = InputError(f"fel i {PERSONNUMMER}", file=f"{PERSONNUMMER}.xlsx", sheet="Program",
                       row=7, column="Kommun", value=PERSONNUMMER, expected="en kommun",
                       closest="Nora", reason="personnummer")
    assert PERSONNUMMER not in str(error)
    assert PERSONNUMMER not in repr(error.fields)
    assert error.fields["row"] == 7 and error.fields["closest"] == "Nora"
    assert error.reason is Reason.PERSONNUMMER
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is InputError and copy.fields == error.fields and str(copy) == str(error)
    report = pickle.loads(pickle.dumps(ReportError("regional", 4, "boom",
                                                   error_name="KeyError")))
    assert (report.report, report.cell, report.error_name) == ("regional", 4, "KeyError")


def test_reworded_error_keeps_its_kind_and_fields():
    error = InputError("tabell saknas", file="enkat.xlsx")
    reworded = error.reworded("Omgång 2024: tabell saknas")
    assert type(reworded) is InputError
    assert str(reworded) == "Omgång 2024: tabell saknas" and reworded.file == "enkat.xlsx"


def test_severity_and_reason_are_their_codes_with_swedish_labels():
    assert Severity.REJECTED == "rejected" and str(Severity.WARNING) == "warning"
    assert [s.label for s in Severity] == ["Avvisad", "Varning", "Upplysning"]
    assert Severity.INFO.word == "UPPLYSNING"
    assert sorted(Severity, key=lambda s: s.rank) == [Severity.REJECTED, Severity.WARNING,
                                                      Severity.INFO]
    assert Reason("unknown_municipality").label == "Okänd kommun"
    assert reason_label("exact_duplicate") == "Dubblettrad (exakt kopia, den första behålls)"
    assert reason_label("") == "Övrigt"
    assert len({r.label for r in Reason}) == len(Reason)


def test_findings_carry_the_enums_and_a_misspelt_reason_fails_where_it_is_made(tmp_path):
    from evaluation.intake.model import Finding

    rows = [["Nora", "ABC", "Skola", "1", "-2", "", "", "", "", ""]]
    report = validate_round(write_round(tmp_path, program_rows=rows), 2024).report
    assert report.findings
    assert all(isinstance(f.severity, Severity) and isinstance(f.reason, Reason)
               for f in report.findings)
    with pytest.raises(ValueError, match="negative_cuont"):
        Finding("rejected", "program", "p.csv", "", 2, "", "", "x", reason="negative_cuont")


def test_contract_breach_names_table_column_check_and_the_input_cell(tmp_path):
    tables = validate_round(write_round(tmp_path), 2024).tables
    frame = tables["kommun"].copy()
    frame.loc[0, "municipality"] = f"Örebro {PERSONNUMMER}"
    with pytest.raises(ContractError) as caught:
        check_tables({"kommun": frame})
    error = caught.value
    assert (error.table, error.column, error.failures) == ("kommun", "municipality", 1)
    assert error.check == r"str_matches('^\d{4}$')"
    assert (error.file, error.sheet, error.row) == ("enkat.xlsx", "Kommun",
                                                    int(frame.loc[0, "source_row"]))
    assert PERSONNUMMER not in str(error) and PERSONNUMMER not in str(error.value)
    assert str(error).startswith("Tabellen 'Kommun' bryter mot kontrollen")
    assert isinstance(error, ConsistencyError) and error.exit_code == 1


def test_rows_that_do_not_reconcile_stop_with_a_consistency_error(tmp_path, monkeypatch):
    from evaluation.intake import validation

    frame = validation._frame
    monkeypatch.setattr(validation, "_frame", lambda table, rows: frame(table, rows).iloc[1:])
    with pytest.raises(ConsistencyError, match="raderna stämmer inte"):
        validate_round(write_round(tmp_path), 2024)


def test_published_tables_that_disagree_with_the_indicators_stop_with_a_swedish_consistency_error(
        tmp_path, monkeypatch):
    from evaluation.analysis import disclosure
    from evaluation.analysis.rounds import compute

    link = disclosure.link_round

    def tampered(ctx, tidy, *args):
        tidy = tidy.copy()
        county = (tidy["indicator"] == "1.4") & (tidy["area_code"] == ctx.region)
        tidy.loc[county, "numerator"] += 1
        return link(ctx, tidy, *args)

    monkeypatch.setattr(disclosure, "link_round", tampered)
    with pytest.raises(ConsistencyError) as caught:
        compute(write_round(tmp_path), 2024)
    assert str(caught.value).startswith(
        "de publicerade tabellerna stämmer inte med indikatorerna: täljaren för 1.4 i Örebro län")
    assert caught.value.exit_code == 1


# --- through `python -m evaluation`, each kind of fault forced in the child ---------------

#: Loaded by the child (and its report workers) from PYTHONPATH before anything else: it
#: plants one fault, chosen by EVALUATION_TEST_FAULT, in the real code path.
SITECUSTOMIZE = textwrap.dedent('''
    import os

    fault = os.environ.get("EVALUATION_TEST_FAULT")
    if fault == "statistics":  # a real StatisticsError from the measures' intervals
        from evaluation.indicators import statistics

        check = statistics._part_of_whole  # looked up when called: every share meets it
        statistics._part_of_whole = lambda part_name, part, whole_name, whole: check(
            part_name, -1, whole_name, whole)
    elif fault == "contract":  # a tidy table that breaks pandera's schema
        from evaluation.intake import validation

        frame = validation._frame

        def broken(table, rows):
            result = frame(table, rows)
            if table.id == "kommun":
                result.loc[result.index[0], "municipality"] = "Örebro"
            return result

        validation._frame = broken
    elif fault == "kernel":  # every kernel start times out, as on an overloaded machine
        from jupyter_client.manager import AsyncKernelManager

        async def start_kernel(self, **kwargs):
            raise RuntimeError("Kernel didn't respond in 60 seconds")

        AsyncKernelManager.start_kernel = start_kernel
    elif fault == "unexpected":  # a fault of the toolkit itself
        from evaluation.intake import validation

        def crash(*args, **kwargs):
            return {}["no such key"]

        validation.validate_round_with_origins = crash
''')


def _run_with_fault(tmp_path, fault: str, *args: str) -> subprocess.CompletedProcess:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {**os.environ, "EVALUATION_TEST_FAULT": fault, "TMPDIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "evaluation", *args], capture_output=True,
                          text=True, env=env, timeout=600)


def _one_swedish_line(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("fel: ")
    return lines[0]


def test_statistics_fault_exits_1_not_as_a_usage_error(tmp_path):
    data = write_round(tmp_path / "data")
    proc = _run_with_fault(tmp_path, "statistics", "run", "--data", str(data), "--round",
                           "2024", "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 1
    line = _one_swedish_line(proc)
    assert line == "fel: antal ska vara heltal, 0 eller mer: fick -1"
    log = next((tmp_path / "out" / ".logs").glob("2024-*.log")).read_text(encoding="utf-8")
    assert "Traceback" in log and "StatisticsError" in log


def test_schema_contract_fault_exits_1_with_one_line(tmp_path):
    data = write_round(tmp_path / "data")
    proc = _run_with_fault(tmp_path, "contract", "validate", "--data", str(data), "--round",
                           "2024", "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    line = _one_swedish_line(proc)
    assert line == ("fel: Tabellen 'Kommun' bryter mot kontrollen str_matches('^\\d{4}$') i "
                    "kolumnen 'municipality' (värde 'Örebro'), första gången i enkat.xlsx "
                    "rad 2; 1 fel. Det är ett fel i verktyget, inte i indata: inget "
                    "publicerades")
    assert "SchemaError" not in proc.stderr


def test_kernel_start_failure_exits_1_naming_the_report(tmp_path):
    data = write_round(tmp_path / "data")
    proc = _run_with_fault(tmp_path, "kernel", "run", "--data", str(data), "--round", "2024",
                           "--out", str(tmp_path / "out"), "--quiet", "--jobs", "1",
                           "--municipality", "1880")
    assert proc.returncode == 1
    line = _one_swedish_line(proc)
    assert line.startswith("fel: Rapporten ")
    assert "KernelStartError: kärnan startade inte efter 4 försök: RuntimeError: Kernel " \
           "didn't respond in 60 seconds" in line
    assert not (tmp_path / "out" / "2024").exists()  # nothing published


def test_unexpected_exception_exits_1_with_its_traceback_in_a_log_file(tmp_path):
    data = write_round(tmp_path / "data")
    proc = _run_with_fault(tmp_path, "unexpected", "validate", "--data", str(data),
                           "--round", "2024", "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    line = _one_swedish_line(proc)
    assert line.startswith("fel: oväntat fel (KeyError: 'no such key'); detaljer i ")
    log = line.split("detaljer i ", 1)[1]
    assert log.startswith(str(tmp_path))
    text = open(log, encoding="utf-8").read()
    assert "Traceback" in text and "KeyError: 'no such key'" in text


def test_missing_column_error_carries_file_sheet_row_column_and_closest_match(tmp_path):
    from builders import PROGRAM_HEADER, PROGRAM_ROWS, write_csv

    data = write_round(tmp_path)
    header = ["Sektorn" if h == "Sektor" else h for h in PROGRAM_HEADER]
    write_csv(data / "2024" / "program.csv", header, PROGRAM_ROWS)
    with pytest.raises(InputError) as caught:
        validate_round(data, 2024)
    error = caught.value
    assert (error.file, error.sheet, error.row) == ("program.csv", "", 1)
    assert error.column == "'Sektor'"
    assert error.closest == "Sektor"
    assert error.exit_code == 1
