"""What intake hands on: a validated round and its validation report.

Canonical table columns are those of `evaluation.intake.schema`, typed as:
municipality -> 4-digit code (str, "1880"); yesno -> pandas "boolean" (blank is
<NA>, never False); count -> "Int64"; text -> str; sector -> a sector id of
`schema.SECTORS`; unit_type -> "BMM" or "BVC"; programme -> catalogue id when
known, else the name as written (column `in_catalogue` tells which).
Every table also carries `source_file`, `source_sheet` and `source_row` (the row
number as Excel shows it), so any figure can be traced back to its cell.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import pandas as pd

from evaluation.personal_numbers import mask

Severity = Literal["rejected", "warning", "info"]
SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row")


@dataclass(frozen=True)
class Finding:
    """One problem with one input row (or one file, for file-level notes)."""

    severity: Severity
    table: str
    file: str
    sheet: str
    row: int | None
    column: str
    value: str
    message: str
    expected: str = ""
    suggestion: str = ""
    #: Stable code of the rule that fired; `evaluation.intake.reasons` gives its Swedish label.
    reason: str = ""

    def __post_init__(self) -> None:
        # A file, sheet, header or value may hold a personal identity number: a
        # finding never carries one, whoever made it.
        for name in ("table", "file", "sheet", "column", "value", "message", "expected",
                     "suggestion"):
            text = getattr(self, name)
            if isinstance(text, str) and text:
                object.__setattr__(self, name, mask(text))

    @property
    def closest(self) -> str:
        """The closest known name or label, when the value is a near miss."""
        return self.suggestion

    def location(self) -> str:
        """Where the finding is, as Excel shows it: file, sheet, row, column."""
        parts = [self.file]
        if self.sheet:
            parts.append(f"blad {self.sheet!r}")
        if self.row is not None:
            parts.append(f"rad {self.row}")
        if self.column:
            parts.append(f"kolumn {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        if self.value:
            text += f" (värde {self.value!r})"
        if self.expected:
            text += f"; förväntat: {self.expected}"
        if self.suggestion:
            text += f"; menade du {self.suggestion!r}?"
        return text


FINDING_COLUMNS = [f for f in Finding.__dataclass_fields__]


@dataclass(frozen=True)
class TableCount:
    """Row reconciliation for one table: rows in = accepted + rejected."""

    table: str
    rows_in: int
    accepted: int
    accepted_with_warning: int
    rejected: int
    blank_rows_skipped: int = 0

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.accepted + self.rejected


@dataclass
class ValidationReport:
    year: int
    region: str
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, TableCount] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "rejected"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def findings_frame(self) -> pd.DataFrame:
        rows = [asdict(f) for f in self.findings]
        frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
        frame.insert(0, "round", self.year)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def counts_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [asdict(c) for c in self.counts.values()],
            columns=["table", "rows_in", "accepted", "accepted_with_warning", "rejected",
                     "blank_rows_skipped"],
        )


@dataclass
class RoundData:
    """A validated round: the tidy tables every indicator is computed from."""

    year: int
    region: str
    tables: dict[str, pd.DataFrame]
    report: ValidationReport

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def answered(self) -> list[str]:
        """Municipality codes that answered the survey (a row in table kommun)."""
        return sorted(self.tables["kommun"]["municipality"].unique().tolist())
