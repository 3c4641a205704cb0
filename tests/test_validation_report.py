"""The two validation reports: the full one with every value stays with the evaluator,
the published one counts findings by reason and shows no cell value."""

from __future__ import annotations

import pandas as pd
from builders import PROGRAM_ROWS, write_round

from evaluation.intake.validation import validate_round
from evaluation.intake.validation_report import (
    count_by_reason,
    full_report_path,
    write_full_report,
    write_validation_csv,
)

# women (2) + men (1) exceed participants (2); and a second row with two problems.
BAD_ROWS = [
    *PROGRAM_ROWS,
    ["Nora", "ABC", "Skola", "1", "2", "2", "1", "", "", ""],
    ["Nora", "Connect", "Skola", "1", "-3", "", "", "", "", ""],
    ["Örebro", "Connect", "Skola", "1", "4,5", "", "", "", "", ""],
]


def _round(tmp_path):
    return validate_round(write_round(tmp_path / "data", program_rows=BAD_ROWS), 2024)


def test_published_validation_csv_counts_rows_by_reason_without_values(tmp_path):
    report = _round(tmp_path).report
    path = write_validation_csv(report, tmp_path / "out" / "2024" / "validation.csv")
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert frame.columns.tolist() == ["round", "table", "file", "severity", "severity_label",
                                      "reason", "reason_label", "rows"]
    rejected = frame.loc[frame["severity"] == "rejected"].set_index("reason")["rows"]
    assert rejected.to_dict() == {"gender_above_participants": 1, "negative_count": 1,
                                  "not_whole": 1}
    assert frame.loc[frame["reason"] == "gender_above_participants", "reason_label"].item() \
        == "Kvinnor och män är fler än deltagarna"
    text = path.read_text(encoding="utf-8-sig")
    for value in ("kvinnor (2)", "män (1)", "-3", "4,5", "4.5", "fler än deltagarna ("):
        assert value not in text


def test_full_report_keeps_every_value_and_lives_outside_the_round(tmp_path):
    report = _round(tmp_path).report
    out = tmp_path / "out"
    path = write_full_report(report, full_report_path(out, 2024))
    assert path == out / ".validation" / "2024" / "validation.csv"
    assert (out / "2024") not in path.parents
    text = path.read_text(encoding="utf-8-sig")
    assert "kvinnor (2) + män (1) är fler än deltagarna (2)" in text
    assert ",'-3," in text  # kept, and inert in Excel (OWASP: a leading '-' is escaped)


def test_a_row_with_several_findings_of_one_reason_counts_once(tmp_path):
    from evaluation.intake.model import Finding

    findings = [Finding("warning", "kommun", "a.csv", "", 4, "Skola", "", "blank",
                        reason="yesno_blank"),
                Finding("warning", "kommun", "a.csv", "", 4, "Förskola", "", "blank",
                        reason="yesno_blank"),
                Finding("warning", "kommun", "a.csv", "", 5, "Skola", "", "blank",
                        reason="yesno_blank")]
    assert count_by_reason(findings)["rows"].tolist() == [2]
