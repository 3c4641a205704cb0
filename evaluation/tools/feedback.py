"""Feedback letters: for each municipality whose files have problems, a Swedish
workbook listing its own rejected rows and warnings, ready to e-mail.

Built from the findings' structured fields (file, sheet, row, column, value,
expected, closest match, reason code); the advice on what to do is this module's
own, by reason code. Each finding is matched to its municipality by the input row
it concerns (intake records every row's municipality); a file-level finding goes
to the one municipality whose rows the file holds. Findings about the region's or
SCB's tables, or that name no municipality of the county, go to the evaluator's
own list instead of to a municipality.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from evaluation.intake.model import Finding, RoundData
from evaluation.intake.reasons import reason_label
from evaluation.intake.reference import Reference, load_reference
from evaluation.intake.validation import Origins
from evaluation.spreadsheet import set_cell, write_row
from evaluation.tools.template import SURVEY_TABLES, municipality_file_name, save_workbook
from evaluation.vocab import is_national

#: Tables a municipality answers itself; problems in the others go to the evaluator.
OWN_TABLES = frozenset(t.id for t in SURVEY_TABLES)
PROBLEMS = ("rejected", "warning")
SEVERITY_TEXT = {"rejected": "Avvisad", "warning": "Varning"}
OTHER_FILE = "övriga-problem.xlsx"

#: What the municipality does about each kind of problem, in plain Swedish.
ACTIONS: dict[str, str] = {
    "municipality_missing": "Skriv kommunens namn i kolumnen Kommun och skicka raden igen.",
    "unknown_municipality": "Skriv kommunens namn som i listan (till exempel Örebro) eller "
                            "kommunkoden, och skicka raden igen.",
    "outside_county": "Raden gäller en kommun utanför länet. Kontrollera kommunens namn; "
                      "hör raden inte till er, ta bort den.",
    "yesno_unreadable": "Skriv Ja eller Nej. Svaret räknas nu som saknat.",
    "yesno_blank": "Fyll i Ja eller Nej om svaret är känt. Ett tomt svar räknas som saknat, "
                   "aldrig som nej.",
    "negative_count": "Skriv antalet som ett heltal, 0 eller större, och skicka raden igen.",
    "not_whole": "Skriv antalet som ett heltal utan decimaler och skicka raden igen.",
    "not_a_number": "Skriv bara siffror (till exempel 12), utan text, mellanslag eller "
                    "enhet, och skicka raden igen.",
    "count_missing": "Fyll i antalet (0 om det inte fanns några) och skicka raden igen.",
    "value_missing": "Fyll i den tomma cellen och skicka raden igen.",
    "unknown_sector": "Välj sektorn i listan: Förskola, Skola, Socialtjänst, Hälso- och "
                      "sjukvård eller Civilsamhälle, och skicka raden igen.",
    "unknown_unit_type": "Skriv BMM eller BVC och skicka raden igen.",
    "unclassified_programme": "Kontrollera programmets namn. Finns det i listan, välj det "
                              "där; annars behöver ni inte göra något: programmet tas med "
                              "som eget program utan evidensklass.",
    "personnummer": "Ta bort personnumret ur filen: enkäten ska inte innehålla några "
                    "personuppgifter. Skicka sedan raden igen.",
    "completed_above_participants": "Kontrollera antalen: fler kan inte ha fullföljt än "
                                    "som påbörjat. Rätta och skicka raden igen.",
    "gender_above_participants": "Kontrollera antalen: kvinnor och män tillsammans kan inte "
                                 "vara fler än deltagarna. Rätta och skicka raden igen.",
    "not_offered": "Fyll i antal grupper eller deltagare om programmet erbjöds; erbjöds "
                   "det inte, ta bort raden.",
    "group_without_group": "Kontrollera svaren: sektorer anges ingå i en grupp som enligt "
                           "svaret inte finns. Rätta antingen gruppfrågan eller sektorerna.",
    "exact_duplicate": "Raden finns två gånger; den första är med. Ta bort kopian.",
    "conflicting_duplicate": "Samma program, sektor eller enhet finns på flera rader med "
                             "olika svar. Behåll en rad med rätt svar och skicka den igen.",
    "scb_total": "Inget att göra: läns- och riksrader i SCB:s tabell används inte.",
    "scb_empty": "Kontrollera SCB-uttaget: raden saknar siffror.",
    "young_above_all": "Kontrollera befolkningstalen: barn 0–5 år kan inte vara fler än "
                       "barn 0–17 år.",
    "unknown_sheet": "Fliken eller filen lästes inte in. Använd enkätens flikar utan att "
                     "byta namn på dem.",
    "count_above_children": "Kontrollera antalet: det är fler än två föräldrar per barn "
                            "0–17 år i kommunen. Skriv det rätta antalet och skicka raden igen.",
    "formula_without_value": "Cellen har en formel utan sparat värde. Öppna filen i Excel, "
                             "spara den och skicka den igen.",
    "hidden_sheet": "Fliken är dold och lästes inte in. Visa fliken (högerklicka på en flik, "
                    "Ta fram) om den ska vara med, eller ta bort den.",
    "implausible_count": "Antalet är orimligt stort. Skriv det rätta antalet som ett heltal "
                         "och skicka raden igen.",
    "near_miss_header": "Kolumnrubriken liknar en av enkätens men stämmer inte och lästes inte "
                        "in. Använd rubriken som i enkäten.",
    "scientific_notation": "Skriv antalet som ett vanligt heltal (till exempel 1000), inte "
                           "som 1e3, och skicka raden igen.",
    "stray_byte": "Filen har ett tecken som inte går att läsa. Spara filen som CSV UTF-8 "
                  "eller som Excel-arbetsbok och skicka den igen.",
    "unread_file": "Filen lästes inte in. Spara den som Excel-arbetsbok (.xlsx) eller CSV "
                   "och skicka den igen.",
    "unread_folder": "Filer i undermappar läses inte in. Lägg filen direkt i omgångens mapp.",
    "ignored_column": "Kolumnen lästes inte in. Använd enkätens kolumner utan att lägga "
                      "till egna.",
}
GENERIC_ACTION = "Kontrollera uppgiften, rätta den i filen och skicka filen igen."

_HEADERS = ("Allvar", "Fil", "Flik", "Rad", "Kolumn", "Värde", "Problem", "Förväntat",
            "Närmaste träff", "Så rättar du")
_WIDTHS = (10, 24, 16, 6, 24, 18, 34, 30, 18, 50)
_HEADER_FILL = PatternFill("solid", start_color="FFD9E1F2")


@dataclass(frozen=True)
class Feedback:
    """The problems of one round, by municipality code, and those of no municipality."""

    by_municipality: dict[str, list[Finding]]
    other: list[Finding]


def action(reason: str) -> str:
    return ACTIONS.get(reason, GENERIC_ACTION)


def _scope(reference: Reference, region: str) -> set[str]:
    if is_national(region):
        return set(reference.municipalities["code"])
    return set(reference.county_municipalities(region)["code"])


def assign_findings(data: RoundData, origins: Origins,
                    reference: Reference | None = None) -> Feedback:
    """Every warning and rejection of the round, matched to the municipality whose
    answer it concerns."""
    reference = reference or load_reference()
    scope = _scope(reference, data.region)
    by_row = {(o.file, o.sheet, o.row): o.municipality for o in origins.rows}
    by_file: dict[str, set[str]] = {}
    for o in origins.rows:
        if o.municipality in scope and o.table in OWN_TABLES:
            by_file.setdefault(o.file, set()).add(o.municipality)
    mine: dict[str, list[Finding]] = {}
    other: list[Finding] = []
    for finding in data.report.findings:
        if finding.severity not in PROBLEMS:
            continue
        code = None
        if finding.table in OWN_TABLES or not finding.table:
            code = by_row.get((finding.file, finding.sheet, finding.row))
            if code not in scope:
                owners = by_file.get(finding.file, set())
                code = next(iter(owners)) if len(owners) == 1 else None
        if code in scope:
            mine.setdefault(code, []).append(finding)
        else:
            other.append(finding)
    return Feedback(mine, other)


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (PROBLEMS.index(f.severity), f.file, f.sheet,
                                           f.row or 0, f.column))


def _write_findings(ws: Worksheet, first_row: int, findings: Sequence[Finding]) -> None:
    write_row(ws, first_row, _HEADERS)
    for cell in ws[first_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for number, f in enumerate(_sorted(findings), start=first_row + 1):
        values = (SEVERITY_TEXT[f.severity], f.file, f.sheet or "–", f.row, f.column or "–",
                  f.value or "–", reason_label(f.reason), f.expected or "–",
                  f.suggestion or "–", action(f.reason))
        for column, value in enumerate(values, start=1):
            cell = set_cell(ws.cell(row=number, column=column), value)
            cell.alignment = Alignment(wrap_text=True, vertical="top",
                                       horizontal="left" if column == 4 else None)
            if column == 1 and f.severity == "rejected":
                cell.font = Font(bold=True)
        # wrapped text needs its height set: spreadsheet programs do not grow a row
        lines = max(math.ceil(len(str(v)) * 1.1 / (w - 1)) for v, w in zip(values, _WIDTHS,
                                                                            strict=True))
        ws.row_dimensions[number].height = 15 * max(lines, 1)
    for index, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    ws.print_title_rows = f"{first_row}:{first_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def feedback_workbook(name: str, year: int, findings: Sequence[Finding], *,
                      county: str = "") -> Workbook:
    """One municipality's letter: what was rejected or needs checking, and what to do."""
    rejected = sum(f.severity == "rejected" for f in findings)
    warned = len(findings) - rejected
    wb = Workbook()
    ws = wb.active
    ws.title = "Återkoppling"
    intro = [
        f"Återkoppling på enkätsvaren – {name}, uppföljningsomgång {year}",
        f"Tack för era svar till uppföljningen av strategin för föräldraskapsstöd"
        f"{' i ' + county if county else ''}. Vi har gått igenom filerna ni skickade.",
        f"{rejected} rad{'er' if rejected != 1 else ''} kunde inte tas med (Avvisad) och "
        f"{warned} uppgift{'er' if warned != 1 else ''} togs med men bör kontrolleras "
        "(Varning).",
        "Rätta uppgifterna i er enkätfil enligt kolumnen ”Så rättar du” och skicka hela "
        "filen igen. Rad anges som i Excel.",
    ]
    for row, text in enumerate(intro, start=1):
        cell = set_cell(ws.cell(row=row, column=1), text)
        cell.font = Font(bold=True, size=14) if row == 1 else Font()
    _write_findings(ws, len(intro) + 2, findings)
    wb.properties.title = intro[0]
    wb.properties.language = "sv-SE"
    return wb


def write_feedback(data: RoundData, origins: Origins, folder: str | Path, *,
                   reference: Reference | None = None,
                   timestamp: dt.datetime | None = None) -> list[Path]:
    """Write `folder/<code>-<name>-återkoppling.xlsx` for every municipality with a
    warning or rejection (none for the others), and `övriga-problem.xlsx` for the
    evaluator when some problems belong to no municipality. `folder` is created."""
    reference = reference or load_reference()
    folder = Path(folder)
    folder.mkdir(exist_ok=True)
    feedback = assign_findings(data, origins, reference)
    stamp = timestamp or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    county = "" if is_national(data.region) else str(reference.county(data.region)["name"])
    names = reference.municipalities.set_index("code")
    written = []
    for code in sorted(feedback.by_municipality):
        full, short = str(names.loc[code, "name"]), str(names.loc[code, "short_name"])
        wb = feedback_workbook(full, data.year, feedback.by_municipality[code], county=county)
        path = folder / municipality_file_name(code, short).replace(".xlsx",
                                                                    "-återkoppling.xlsx")
        written.append(save_workbook(wb, path, stamp))
    if feedback.other:
        wb = feedback_workbook("problem som inte hör till en kommuns svar", data.year,
                               feedback.other, county=county)
        written.append(save_workbook(wb, folder / OTHER_FILE, stamp))
    return written


__all__ = ["ACTIONS", "Feedback", "action", "assign_findings", "feedback_workbook",
           "write_feedback"]
