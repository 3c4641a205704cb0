"""The command line as a scheduler and an evaluator meet it: exit codes and messages."""

from __future__ import annotations

import subprocess
import sys

from builders import PROGRAM_ROWS, write_round

from evaluation.cli import main


def test_validate_clean_round_exits_0_and_writes_validation_csv(tmp_path, capsys):
    data = write_round(tmp_path / "data")
    code = main(["validate", "--data", str(data), "--round", "2024", "--out",
                 str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert "inlästa rader = godkända + avvisade: ja" in out
    assert (tmp_path / "out" / ".validation" / "2024" / "validation.csv").exists()


def test_validate_lists_every_rejection_and_strict_exits_1(tmp_path, capsys):
    rows = [*PROGRAM_ROWS, ["Nora", "ABC", "Skola", "1", "-2", "", "", "", "", ""]]
    data = write_round(tmp_path / "data", program_rows=rows)
    args = ["validate", "--data", str(data), "--round", "2024", "--out", str(tmp_path / "o")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert ("AVVISAD    program.csv, rad 4, kolumn 'Antal föräldrar som påbörjat': negativt "
            "antal (värde '-2'); förväntat: ett heltal, 0 eller mer") in out
    assert main([*args, "--strict"]) == 1
    full = tmp_path / "o" / ".validation" / "2024" / "validation.csv"
    csv_text = full.read_text(encoding="utf-8-sig")
    assert "negativt antal" in csv_text


def test_missing_sheet_exits_1_naming_the_sheet(tmp_path, capsys):
    data = write_round(tmp_path / "data", skip=("kommun",))
    code = main(["validate", "--data", str(data), "--round", "2024",
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "tabell saknas: 'Kommun' (ett blad eller en fil som heter Kommun)" in err
    assert "Traceback" not in err


def test_wrong_command_line_exits_2_with_usage_not_traceback(tmp_path):
    for args in (["validate", "--round", "2024"], ["frobnicate"],
                 ["validate", "--data", str(tmp_path), "--round", "tjugo"],
                 ["validate", "--data", str(tmp_path), "--round", "2024", "--region", "99"]):
        proc = subprocess.run([sys.executable, "-m", "evaluation", *args],
                              capture_output=True, text=True)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "användning:" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_failed_run_prints_one_line_error_and_no_traceback(tmp_path):
    data = write_round(tmp_path / "data", skip=("kommun",))
    proc = subprocess.run([sys.executable, "-m", "evaluation", "run", "--data", str(data),
                           "--round", "2024", "--out", str(tmp_path / "out"), "--quiet"],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"fel: Omgång 2024 i {data / '2024'}: tabell saknas: 'Kommun' "
        "(ett blad eller en fil som heter Kommun)"]
    log = next((tmp_path / "out" / ".logs").glob("2024-*.log")).read_text(encoding="utf-8")
    assert "Traceback" in log and "tabell saknas: 'Kommun'" in log
