"""The validation report as people read it: a terminal summary and `validation.csv`,
both in Swedish (evaluators forward them to the municipalities)."""

from __future__ import annotations

from pathlib import Path

from evaluation.model import ValidationReport
from evaluation.safe_text import inert_frame

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
    return "\n".join(lines)


def write_validation_csv(report: ValidationReport, path: str | Path) -> Path:
    """Every warning and rejection (and file-level note), UTF-8 with BOM for Excel.

    Input cells are written as inert text: a value such as `=HYPERLINK(...)` stays text.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    inert_frame(report.findings_frame()).to_csv(path, index=False, encoding="utf-8-sig")
    return path
