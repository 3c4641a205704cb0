"""The validation report as people read it: a terminal summary and `validation.csv`."""

from __future__ import annotations

from pathlib import Path

from evaluation.model import ValidationReport

_SEVERITY_ORDER = {"rejected": 0, "warning": 1, "info": 2}


def format_report(report: ValidationReport) -> str:
    counts = report.counts_frame()
    lines = [f"Round {report.year}, region {report.region}: {len(report.files)} file(s)", ""]
    header = f"{'table':<18}{'rows':>6}{'accepted':>10}{'warned':>8}{'rejected':>10}"
    lines += [header, "-" * len(header)]
    for row in counts.itertuples(index=False):
        lines.append(f"{row.table:<18}{row.rows_in:>6}{row.accepted:>10}"
                     f"{row.accepted_with_warning:>8}{row.rejected:>10}")
    total = counts[["rows_in", "accepted", "accepted_with_warning", "rejected"]].sum()
    lines.append("-" * len(header))
    lines.append(f"{'all':<18}{total.rows_in:>6}{total.accepted:>10}"
                 f"{total.accepted_with_warning:>8}{total.rejected:>10}")
    balanced = all(c.balanced for c in report.counts.values())
    lines.append(f"rows in = accepted + rejected: {'yes' if balanced else 'NO'}")
    findings = sorted(report.findings,
                      key=lambda f: (_SEVERITY_ORDER[f.severity], f.file, f.sheet, f.row or 0))
    if findings:
        lines.append("")
        for finding in findings:
            lines.append(f"{finding.severity.upper():<9}{finding}")
    else:
        lines += ["", "No problems found."]
    return "\n".join(lines)


def write_validation_csv(report: ValidationReport, path: str | Path) -> Path:
    """Every warning and rejection (and file-level note), UTF-8 with BOM for Excel."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    report.findings_frame().to_csv(path, index=False, encoding="utf-8-sig")
    return path
