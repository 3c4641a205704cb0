"""Validating a round: every input row ends accepted, accepted with a warning,
or rejected with a reason, and the counts reconcile (DESIGN §3 "Bad input").

Structural faults raise `InputError`; row faults become findings. With region
"all" a municipality anywhere in Sweden is accepted, and each row's origin is kept so
that a national round can be split by county.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evaluation.errors import (
    ConsistencyError,
    InputError,
    ParameterError,
    Reason,
    Severity,
    StrictModeError,
)
from evaluation.intake.cells import (
    CellError,
    cell_text,
    find_personnummer,
    is_blank,
    parse_count,
    parse_yesno,
)
from evaluation.intake.contracts import check_tables
from evaluation.intake.encoding import shown_name
from evaluation.intake.model import SOURCE_COLUMNS, Finding, RoundData, TableCount, ValidationReport
from evaluation.intake.reading import RawRound, RawRow, RawTable, read_round
from evaluation.intake.reference import Reference, load_reference
from evaluation.intake.schema import (
    GROUP_COLUMNS,
    REQUIRED_TABLES,
    SECTORS,
    TABLES,
    UNIT_TYPES,
    Column,
    Table,
)
from evaluation.personal_numbers import contains, mask, was_masked
from evaluation.text import normalize
from evaluation.vocab import ALL_REGIONS, DEFAULT_REGION, is_national

#: Parents in one offering may be at most this many times the municipality's children
#: 0–17 (two parents a child); more is rejected as implausible (DESIGN §3).
PARTICIPANTS_PER_CHILD = 2
_UNIT_TYPE_NAMES = {
    "bmm": "BMM",
    "barnmorskemottagning": "BMM",
    "mvc": "BMM",
    "modrahalsovard": "BMM",
    "bvc": "BVC",
    "barnavardscentral": "BVC",
    "barnhalsovard": "BVC",
}


def resolve_sector(value: object) -> tuple[str | None, str | None]:
    """Sector id for a written sector, or (None, closest label)."""
    try:
        return _sector_of(type(value), value)
    except TypeError:  # an unhashable cell
        return _resolve_sector(value)


@functools.lru_cache(maxsize=4096)
def _sector_of(_kind: type, value: object) -> tuple[str | None, str | None]:
    """A written sector resolved once: a large round repeats a handful of them."""
    return _resolve_sector(value)


def _resolve_sector(value: object) -> tuple[str | None, str | None]:
    key = normalize(value)
    forms: dict[str, str] = {}
    for sector in SECTORS:
        for form in (sector.id, sector.id.replace("_", " "), sector.label, *sector.aliases):
            forms[normalize(form)] = sector.id
    if key in forms:
        return forms[key], None
    labels = {normalize(s.label): s.label for s in SECTORS}
    close = difflib.get_close_matches(key, list(labels) + list(forms), n=1, cutoff=0.5)
    if not close:
        return None, None
    hit = close[0]
    return None, labels.get(hit) or next(s.label for s in SECTORS if s.id == forms[hit])


@dataclass
class _Row:
    """One input row on its way through validation."""

    raw: RawRow
    source: RawTable
    values: dict[str, object] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(f.severity == Severity.REJECTED for f in self.findings)

    def note(
        self,
        reason: Reason,
        severity: Severity,
        column: Column | None,
        value: object,
        message: str,
        expected: str = "",
        suggestion: str = "",
    ) -> None:
        text = cell_text(value)
        self.findings.append(
            Finding(
                severity=severity,
                table=self.source.table.id,
                file=self.source.file,
                sheet=self.source.sheet,
                row=self.raw.number,
                column=column.label if column else "",
                value=text[:120],
                message=message,
                expected=expected,
                suggestion=suggestion or "",
                reason=reason,
            )
        )


@dataclass(frozen=True)
class RowOrigin:
    """Which municipality one input row is about (None: not known), and how it ended."""

    table: str
    file: str
    sheet: str
    row: int
    municipality: str | None
    outcome: str  # "accepted", "warning" or "rejected"


@dataclass
class Origins:
    """Every input row's origin, and the blank rows skipped per (table, file, sheet)."""

    rows: list[RowOrigin] = field(default_factory=list)
    blank_rows: dict[tuple[str, str, str], int] = field(default_factory=dict)


class _Validator:
    def __init__(self, reference: Reference, region: str) -> None:
        self.reference = reference
        if is_national(region):
            self.region: str | None = None
            self.county_name = "Sverige"
        else:
            county = reference.county(region)
            self.region = str(county["code"])
            self.county_name = str(county["name"])

    # -- cells --------------------------------------------------------------------

    def municipality(self, row: _Row, col: Column, value: object) -> str | None:
        if is_blank(value):
            row.note(Reason.MUNICIPALITY_MISSING, Severity.REJECTED, col, value, "kommun saknas",
                     f"en kommun i {self.county_name}")
            return None
        match = self.reference.resolve_municipality(value, self.region)
        if match.code is None:
            row.note(Reason.UNKNOWN_MUNICIPALITY, Severity.REJECTED, col, value, "okänd kommun",
                     f"en kommun i {self.county_name}", match.closest or "")
            return None
        if self.region is not None and match.county_code != self.region:
            county = self.reference.county(match.county_code)["name"]
            row.note(Reason.OUTSIDE_COUNTY, Severity.REJECTED, col, value,
                     f"{match.name} ligger i {county}, utanför {self.county_name}",
                     f"en kommun i {self.county_name}")
            return None
        return match.code

    def cell(self, row: _Row, col: Column, value: object) -> object:
        kind = col.kind
        if kind == "municipality":
            return self.municipality(row, col, value)
        if kind == "yesno":
            try:
                answer = parse_yesno(value)
            except CellError as exc:
                row.note(Reason.YESNO_UNREADABLE, Severity.WARNING, col, value,
                         f"{exc.message}: räknas som saknat", exc.expected)
                return None
            if answer is None and col.required:
                row.note(Reason.YESNO_BLANK, Severity.WARNING, col, value,
                         "tomt svar: räknas som saknat, inte som nej", "Ja eller Nej")
            return answer
        if kind == "count":
            try:
                count = parse_count(value)
            except CellError as exc:
                row.note(exc.reason, Severity.REJECTED, col, value, exc.message, exc.expected)
                return None
            if count is None and col.required:
                row.note(Reason.COUNT_MISSING, Severity.REJECTED, col, value,
                         "obligatoriskt antal saknas", "ett heltal, 0 eller mer")
            return count
        if is_blank(value):
            if col.required:
                row.note(Reason.VALUE_MISSING, Severity.REJECTED, col, value, f"{col.label} saknas",
                         col.help)
            return None
        if kind == "sector":
            sector, closest = resolve_sector(value)
            if sector is None:
                row.note(Reason.UNKNOWN_SECTOR, Severity.REJECTED, col, value, "okänd sektor",
                         ", ".join(s.label for s in SECTORS), closest or "")
            return sector
        if kind == "unit_type":
            unit_type = _UNIT_TYPE_NAMES.get(normalize(value))
            if unit_type is None:
                row.note(Reason.UNKNOWN_UNIT_TYPE, Severity.REJECTED, col, value, "okänd enhetstyp",
                         " eller ".join(UNIT_TYPES))
            return unit_type
        if kind == "programme":
            match = self.reference.resolve_programme(value)
            if match.code is None:
                row.note(
                    Reason.UNCLASSIFIED_PROGRAMME,
                    Severity.WARNING,
                    col,
                    value,
                    "programmet finns inte i programkatalogen: behålls som oklassificerat "
                    "(räknas aldrig som evidensbaserat)",
                    "ett program i programkatalogen",
                    match.closest or "",
                )
                row.values["in_catalogue"] = False
                row.values["programme_name"] = cell_text(value)
                return cell_text(value)
            row.values["in_catalogue"] = True
            row.values["programme_name"] = match.name
            return match.code
        return cell_text(value)

    # -- rows ---------------------------------------------------------------------

    def row(self, source: RawTable, raw: RawRow) -> _Row:
        row = _Row(raw=raw, source=source, findings=list(raw.findings))
        table = source.table
        cells = [(c, raw.values.get(c.id)) for c in table.columns if c.id in raw.values]
        extra = raw.values.get("__extra__", [])
        # every value of the row, SCB's age columns included (they are no table column)
        others = [(None, v) for k, v in raw.values.items()
                  if k != "__extra__" and k not in table.column_ids]
        for col, value in [*cells, *others, *((None, v) for v in extra)]:
            masked = find_personnummer(value)
            if masked:
                row.note(
                    Reason.PERSONNUMMER,
                    Severity.REJECTED,
                    col,
                    masked,
                    "ser ut som ett personnummer eller samordningsnummer: raden avvisas och "
                    "numret sparas inte",
                    "inga personuppgifter i enkäten",
                )
                return row
        if source.scb_ages is not None:
            return self.scb_row(row)
        for col, value in cells:
            row.values[col.id] = self.cell(row, col, value)
        if not row.rejected:
            getattr(self, f"rules_{table.id}", lambda r: None)(row)
        return row

    def scb_row(self, row: _Row) -> _Row:
        col = TABLES["befolkning"].column("municipality")
        region = row.raw.values.get("municipality")
        code = normalize(region).split(" ")[0] if not is_blank(region) else ""
        if code.isdigit() and len(code) <= 2:
            row.note(Reason.SCB_TOTAL, Severity.REJECTED, col, region,
                     "en läns- eller riksrad, inte en kommun: används inte", "en rad per kommun")
            return row
        ages = row.source.scb_ages or {}
        values = {name: row.raw.values.get(name) for name in ages}
        if all(is_blank(v) for v in values.values()):
            row.note(Reason.SCB_EMPTY, Severity.REJECTED, col, region,
                     "raden har inga siffror (en anteckningsrad?)",
                     "en kommun med en siffra per ålder")
            return row
        row.values["municipality"] = self.municipality(row, col, region)
        sums = {"children_0_17": 0, "children_0_5": 0}
        for name, (_low, high) in ages.items():
            try:
                count = parse_count(values[name])
            except CellError as exc:
                row.findings.append(
                    Finding(
                        Severity.REJECTED,
                        "befolkning",
                        row.source.file,
                        row.source.sheet,
                        row.raw.number,
                        name,
                        cell_text(values[name]),
                        exc.message,
                        exc.expected,
                        reason=exc.reason,
                    )
                )
                continue
            if count is None:
                continue
            if high <= 17:
                sums["children_0_17"] += count
            if high <= 5:
                sums["children_0_5"] += count
        row.values.update(sums)
        return row

    def origin(self, row: _Row) -> RowOrigin:
        code = row.values.get("municipality")
        if not isinstance(code, str):
            code = self.reference.resolve_municipality(row.raw.values.get("municipality")).code
        outcome = "rejected" if row.rejected else ("warning" if row.findings else "accepted")
        return RowOrigin(row.source.table.id, row.source.file, row.source.sheet,
                         row.raw.number, code, outcome)

    def rules_program(self, row: _Row) -> None:
        v = row.values
        table = TABLES["program"]
        participants, completed = v.get("participants"), v.get("completed")
        women, men = v.get("participants_women"), v.get("participants_men")
        if participants is not None and completed is not None and completed > participants:
            row.note(Reason.COMPLETED_ABOVE_PARTICIPANTS, Severity.REJECTED,
                     table.column("completed"), completed,
                     f"fler har fullföljt ({completed}) än påbörjat ({participants})",
                     "antal som fullföljt ≤ antal som påbörjat")
        if (
            participants is not None
            and women is not None
            and men is not None
            and women + men > participants
        ):
            row.note(Reason.GENDER_ABOVE_PARTICIPANTS, Severity.REJECTED,
                     table.column("participants_men"), men,
                     f"kvinnor ({women}) + män ({men}) är fler än deltagarna ({participants})",
                     "kvinnor + män ≤ antal som påbörjat")
        if not row.rejected and participants is None and v.get("groups") is None:
            row.note(Reason.NOT_OFFERED, Severity.WARNING, table.column("participants"), "",
                     "varken grupper eller deltagare angivna: räknas inte som erbjudet",
                     "antal grupper eller antal föräldrar som påbörjat")

    def rules_kommun(self, row: _Row) -> None:
        v = row.values
        table = TABLES["kommun"]
        if v.get("steering_group") is False:
            for col_id in GROUP_COLUMNS:
                if v.get(col_id):
                    row.note(Reason.GROUP_WITHOUT_GROUP, Severity.WARNING, table.column(col_id),
                             "Ja", "sektorn anges ingå i en grupp, men det finns ingen grupp",
                             "tomt eller Nej när det inte finns någon grupp")

    def rules_befolkning(self, row: _Row) -> None:
        v = row.values
        young, all_ = v.get("children_0_5"), v.get("children_0_17")
        if young is not None and all_ is not None and young > all_:
            row.note(Reason.YOUNG_ABOVE_ALL, Severity.REJECTED,
                     TABLES["befolkning"].column("children_0_5"), young,
                     f"fler barn 0–5 år ({young}) än 0–17 år ({all_})",
                     "barn 0–5 år ≤ barn 0–17 år")


def _where(row: _Row) -> str:
    sheet = f", blad {row.source.sheet!r}" if row.source.sheet else ""
    return f"rad {row.raw.number} i {row.source.file}{sheet}"


def _duplicates(table: Table, rows: list[_Row]) -> None:
    """Exact repeats are rejected after the first; conflicting answers all rejected."""
    groups: dict[tuple, list[_Row]] = defaultdict(list)
    for row in rows:
        if not row.rejected:
            key = tuple(normalize(row.values.get(k)) for k in table.key)
            groups[key].append(row)
    key_cols = ", ".join(table.column(k).label for k in table.key)
    for group in groups.values():
        if len(group) < 2:
            continue
        content = [tuple(r.values.get(c) for c in table.column_ids) for r in group]
        first = group[0]
        if len(set(content)) == 1:
            for other in group[1:]:
                other.note(
                    Reason.EXACT_DUPLICATE,
                    Severity.REJECTED,
                    None,
                    "",
                    f"exakt kopia av {_where(first)}",
                    f"en rad per {key_cols}",
                )
        else:
            for row in group:
                others = "; ".join(_where(o) for o in group if o is not row)
                row.note(Reason.CONFLICTING_DUPLICATE, Severity.REJECTED, None, "",
                         f"olika svar för samma {key_cols}: också {others}",
                         f"en rad per {key_cols}")


_DTYPES = {"yesno": "boolean", "count": "Int64"}


def _frame(table: Table, rows: list[_Row]) -> pd.DataFrame:
    extra = ["programme_name", "in_catalogue"] if table.id == "program" else []
    columns = [*table.column_ids, *extra, *SOURCE_COLUMNS]
    records = [
        {
            **{c: r.values.get(c) for c in table.column_ids + extra},
            "source_file": r.source.file,
            "source_sheet": r.source.sheet,
            "source_row": r.raw.number,
        }
        for r in rows
        if not r.rejected
    ]
    frame = pd.DataFrame(records, columns=columns)
    for col in table.columns:
        frame[col.id] = frame[col.id].astype(_DTYPES.get(col.kind, "str"))
    if extra:
        frame["in_catalogue"] = frame["in_catalogue"].astype("bool")
        frame["programme_name"] = frame["programme_name"].astype("str")
    frame["source_file"] = frame["source_file"].astype("str")
    frame["source_sheet"] = frame["source_sheet"].astype("str")
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame.reset_index(drop=True)

def normalize_region(region: object, reference: Reference | None = None) -> str:
    """A county given by code or name ("18", " 18", "18.0", "Örebro län", "orebro") as
    its two-digit code, or "all"; anything else is a `ParameterError` (a usage fault)."""
    if is_national(region):
        return ALL_REGIONS
    text = str(region).strip() if region is not None else ""
    if re.fullmatch(r"\d{1,2}(?:[.,]0+)?", text):
        text = text.split(".")[0].split(",")[0]
    reference = reference or load_reference()
    try:
        return str(reference.county(text)["code"])
    except ParameterError:
        known = {normalize(n): str(n) for n in reference.counties["name"]}
        close = difflib.get_close_matches(normalize(text), list(known), n=1, cutoff=0.6)
        raise ParameterError(
            f"--region: okänt län {str(region)!r}; förväntat: en länskod som 18 eller ett "
            f"läns namn som Örebro län, eller all för hela landet"
            + (f"; menade du {known[close[0]]!r}?" if close else "")) from None


def _in_round(exc: InputError, year: int) -> InputError:
    """A structural fault that names its round (a broken earlier round stops a run too)."""
    text = str(exc)
    if f"omgång {year}" in text.casefold():
        return exc
    return exc.reworded(f"Omgång {year}: {text}")


def _plausible_participants(program: list[_Row], befolkning: list[_Row]) -> None:
    """More parents in one offering than twice the municipality's children 0–17 is a
    typing error (a personnummer without its leading zero, a stray digit), not a count.
    """
    children = {r.values.get("municipality"): r.values.get("children_0_17")
                for r in befolkning if not r.rejected}
    table = TABLES["program"]
    for row in program:
        if row.rejected:
            continue
        bound = children.get(row.values.get("municipality"))
        if not isinstance(bound, int) or bound <= 0:
            continue
        for col_id in ("participants", "participants_women", "participants_men", "completed"):
            value = row.values.get(col_id)
            if isinstance(value, int) and value > PARTICIPANTS_PER_CHILD * bound:
                row.note(
                    Reason.COUNT_ABOVE_CHILDREN,
                    Severity.REJECTED,
                    table.column(col_id),
                    value,
                    f"orimligt stort antal: fler än {PARTICIPANTS_PER_CHILD} gånger kommunens "
                    f"barn 0–17 år ({bound})",
                    f"högst {PARTICIPANTS_PER_CHILD * bound} föräldrar i en programinsats",
                )
                break


def _masked_names(raw: RawRound) -> list[Finding]:
    """A note for each file, sheet and header whose name held a personal identity
    number (shown masked, the number is never stored)."""
    message = ("namnet ser ut att innehålla ett personnummer: det visas maskerat; "
               "byt namn på filen, bladet eller kolumnen")
    names = [(mask(p.name), "", "") for p in raw.files if contains(p.name)]
    names += [(t.file, t.sheet, "") for t in raw.tables if was_masked(t.sheet)]
    names += [(t.file, t.sheet, c) for t in raw.tables for c in t.ignored_columns
              if was_masked(c)]
    names += [(f.file, f.sheet, "") for f in raw.findings
              if was_masked(f.sheet) and not was_masked(f.file)]
    return [Finding(Severity.INFO, "", file, sheet, None, column, "", message,
                    "inga personuppgifter i namn på filer, blad eller kolumner",
                    reason=Reason.PERSONNUMMER)
            for file, sheet, column in dict.fromkeys(names)]


def validate_round(data_dir: str | Path, year: int, region: str = DEFAULT_REGION,
                   strict: bool = False, reference: Reference | None = None) -> RoundData:
    """Read and validate one round's files into canonical tables and a report.

    `region` is a county code, or "all" for a national round (any municipality
    of Sweden is accepted).
    """
    return validate_round_with_origins(data_dir, year, region, strict, reference)[0]


def validate_round_with_origins(
    data_dir: str | Path,
    year: int,
    region: str = DEFAULT_REGION,
    strict: bool = False,
    reference: Reference | None = None,
) -> tuple[RoundData, Origins]:
    """As `validate_round`, with where every row came from (for splitting by county)."""
    reference = reference or load_reference()
    region = normalize_region(region, reference)
    validator = _Validator(reference, region)
    try:
        raw = read_round(data_dir, year)
    except InputError as exc:
        raise _in_round(exc, year) from exc
    report = ValidationReport(year=year, region=region,
                              files=[mask(shown_name(p)) for p in raw.files])
    origins = Origins()
    report.findings.extend(raw.findings)

    report.findings.extend(_masked_names(raw))

    present = {t.table.id for t in raw.tables}
    missing = [TABLES[t] for t in REQUIRED_TABLES if t not in present]
    if missing:
        names = ", ".join(f"{t.label!r} (ett blad eller en fil som heter {t.label})"
                          for t in missing)
        unread = [f"{f.file}{', blad ' + repr(f.sheet) if f.sheet else ''}: {f.message}"
                  for f in raw.findings]
        raise InputError(f"Omgång {year} i {raw.folder}: tabell saknas: {names}"
                         + (f". Inte inläst: {'; '.join(unread[:5])}" if unread else ""))

    by_table: dict[str, list[_Row]] = {}
    for table_id in TABLES:
        sources = [t for t in raw.tables if t.table.id == table_id]
        rows: list[_Row] = []
        for source in sources:
            report.findings.extend(source.findings)
            for column in source.ignored_columns:
                report.findings.append(
                    Finding(
                        Severity.INFO,
                        table_id,
                        source.file,
                        source.sheet,
                        source.header_row,
                        column,
                        "",
                        "kolumnen ingår inte i tabellen och läses inte (kontrollerad för "
                        "personuppgifter)",
                        reason=Reason.IGNORED_COLUMN,
                    )
                )
            rows.extend(validator.row(source, r) for r in source.rows)
        _duplicates(TABLES[table_id], rows)
        by_table[table_id] = rows
    _plausible_participants(by_table["program"], by_table["befolkning"])

    tables: dict[str, pd.DataFrame] = {}
    for table_id, rows in by_table.items():
        table = TABLES[table_id]
        sources = [t for t in raw.tables if t.table.id == table_id]
        for row in rows:
            report.findings.extend(row.findings)
            origins.rows.append(validator.origin(row))
        for source in sources:
            where = (table_id, source.file, source.sheet)
            origins.blank_rows[where] = origins.blank_rows.get(where, 0) + source.blank_rows
        rejected = sum(r.rejected for r in rows)
        warned = sum(1 for r in rows if not r.rejected and r.findings)
        count = TableCount(
            table_id,
            rows_in=len(rows),
            accepted=len(rows) - rejected,
            accepted_with_warning=warned,
            rejected=rejected,
            blank_rows_skipped=sum(s.blank_rows for s in sources),
        )
        frame = _frame(table, rows)
        if not count.balanced or len(frame) != count.accepted:  # a fault of the toolkit
            raise ConsistencyError(
                f"Omgång {year}, tabell {table.label}: raderna stämmer inte "
                f"({count.rows_in} inlästa, {count.accepted} godkända, {count.rejected} "
                f"avvisade, {len(frame)} i tabellen); inget publicerades")
        report.counts[table_id] = count
        tables[table_id] = frame

    if sum(c.rows_in for c in report.counts.values()) == 0:
        raise InputError(f"Inga data för omgång {year}: filerna i {raw.folder} har inga rader")
    if not len(tables["kommun"]):
        raise InputError(f"Inga data för omgång {year}: inga kommuners svar i tabellen Kommun "
                         "godkändes")
    check_tables(tables)
    result = RoundData(year=year, region=region, tables=tables, report=report)
    if strict and report.rejected:
        raise StrictModeError(
            f"--strict: {len(report.rejected)} rad(er) avvisade i omgång {year}; första: "
            f"{report.rejected[0]}"
        )
    return result, origins
