"""The validation report in its two forms (DESIGN §3, §6).

* The **full report**: every finding with its file, sheet, row, column, value
  and message, for the evaluator and for feedback to the municipalities. It is
  written outside the published round, in `OUT/.validation/<year>/validation.csv`
  (a dot-folder, like the run logs: copied to no web server).
* The **published summary**, `OUT/<year>/validation.csv`: findings counted by
  table, file, outcome and reason; no row numbers, no cell values, no messages.

Both, like the terminal summary, never show a personal identity number: every
text is masked once more as it is written. Both are in Swedish: evaluators forward
them to the municipalities, and input cells are written as inert text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evaluation.intake.model import Finding, ValidationReport
from evaluation.intake.reasons import SEVERITY_LABELS, reason_label
from evaluation.personal_numbers import mask
from evaluation.spreadsheet import inert_frame

#: Folder of the full validation reports, inside the output folder.
FULL_REPORT_DIR = ".validation"
SUMMARY_COLUMNS = ["round", "table", "file", "severity", "severity_label", "reason",
                   "reason_label", "rows"]

_SEVERITY_ORDER = {"rejected": 0, "warning": 1, "info": 2}
_SEVERITY_WORD = {"rejected": "AVVISAD", "warning": "VARNING", "info": "UPPLYSNING"}


def format_report(report: ValidationReport) -> str:
    counts = report.counts_frame()
    region = "hela landet" if report.region == "all" else f"län {report.region}"
    lines = [f"Omgång {report.year}, {region}: {len(report.files)} fil(er)", ""]
    header = f"{'tabell':<18}{'rader':>6}{'godkända':>10}{'varning':>9}{'avvisade':>10}"
    lines += [header, "-" * len(header)]
    for row in counts.itertuples(index=False):
        lines.append(f"{row.table:<18}{row.rows_in:>6}{row.accepted:>10}"
                     f"{row.accepted_with_warning:>9}{row.rejected:>10}")
    total = counts[["rows_in", "accepted", "accepted_with_warning", "rejected"]].sum()
    lines.append("-" * len(header))
    lines.append(f"{'alla':<18}{total.rows_in:>6}{total.accepted:>10}"
                 f"{total.accepted_with_warning:>9}{total.rejected:>10}")
    balanced = all(c.balanced for c in report.counts.values())
    lines.append(f"inlästa rader = godkända + avvisade: {'ja' if balanced else 'NEJ'}")
    findings = sorted(report.findings,
                      key=lambda f: (_SEVERITY_ORDER[f.severity], f.file, f.sheet, f.row or 0))
    if findings:
        lines.append("")
        for finding in findings:
            lines.append(f"{_SEVERITY_WORD[finding.severity]:<11}{finding}")
    else:
        lines += ["", "Inga problem hittades."]
    return mask("\n".join(lines))


def full_report_path(out: str | Path, year: int) -> Path:
    """Where the full validation report of a round goes: beside, never inside, the
    published round."""
    return Path(out) / FULL_REPORT_DIR / str(int(year)) / "validation.csv"


def write_full_report(report: ValidationReport, path: str | Path) -> Path:
    """Every warning and rejection (and file-level note) with its value and message,
    UTF-8 with BOM for Excel. Not for publication."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = report.findings_frame()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: mask(v) if isinstance(v, str) else v)
    inert_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _row_key(finding: Finding) -> tuple:
    """One input row (a row may carry several findings of one reason); a file-level
    note is its own key."""
    if finding.row is None:
        return (finding.file, finding.sheet, finding.column, finding.message)
    return (finding.file, finding.sheet, finding.row)


def count_by_reason(findings: list[Finding], year: int | None = None) -> pd.DataFrame:
    """Findings counted as rows per table, file, outcome and reason: what may be
    published about the data's quality (no row, column, value or message)."""
    groups: dict[tuple[str, str, str, str], set] = {}
    for f in findings:
        groups.setdefault((f.table, f.file, f.severity, f.reason), set()).add(_row_key(f))
    order = {"rejected": 0, "warning": 1, "info": 2}
    records = [{"round": year, "table": table, "file": mask(file), "severity": severity,
                "severity_label": SEVERITY_LABELS.get(severity, severity), "reason": reason,
                "reason_label": reason_label(reason), "rows": len(keys)}
               for (table, file, severity, reason), keys in sorted(
                   groups.items(), key=lambda kv: (order.get(kv[0][2], 3), kv[0][0],
                                                   kv[0][1], kv[0][3]))]
    frame = pd.DataFrame(records, columns=SUMMARY_COLUMNS)
    frame["rows"] = frame["rows"].astype("int64")
    return frame


def write_validation_csv(report: ValidationReport, path: str | Path) -> Path:
    """The published `validation.csv`: findings counted by reason, no cell values,
    UTF-8 with BOM for Excel."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    inert_frame(count_by_reason(report.findings, report.year)).to_csv(path, index=False,
                                                         encoding="utf-8-sig")
    return path
