"""Collection status: one row per municipality of the county, so the evaluator sees
at a glance who has answered, with which tables, how many rows went through, and
whom to chase (printed by `validate`, and written as an HTML page and a workbook
beside the feedback letters).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import jinja2
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from evaluation.intake.model import RoundData
from evaluation.intake.reference import Reference, load_reference
from evaluation.intake.schema import TABLES
from evaluation.intake.validation import Origins
from evaluation.spreadsheet import fit_columns, write_row
from evaluation.text import swedish_sort_key
from evaluation.tools.template import SURVEY_TABLES, save_workbook
from evaluation.vocab import is_national

HTML_NAME = "insamlingsstatus.html"
XLSX_NAME = "insamlingsstatus.xlsx"
STATUS_COLUMNS = ["code", "municipality", "answered", "tables", "accepted", "warning",
                  "rejected", "last_file", "last_time"]
HEADERS = {"code": "Kod", "municipality": "Kommun", "answered": "Svarat",
           "tables": "Inkomna tabeller", "accepted": "Godkända rader",
           "warning": "Rader med varning", "rejected": "Avvisade rader",
           "last_file": "Senaste fil", "last_time": "Senast ändrad"}
NUMBERS = ("accepted", "warning", "rejected")
#: Municipalities without an answer named in the summary line (the table lists all).
MAX_LISTED = 12
_OWN = [t.id for t in SURVEY_TABLES]
_MISSING_FILL = PatternFill("solid", start_color="FFFDE2E1")
_PROBLEM_FILL = PatternFill("solid", start_color="FFFFF4CE")


def collection_status(data: RoundData, origins: Origins, folder: str | Path,
                      reference: Reference | None = None) -> pd.DataFrame:
    """One row per municipality (of the county, or of Sweden for a national round):
    answered (an accepted row in Kommun), the survey tables received, the survey
    rows accepted, accepted with a warning and rejected, and the most recently
    changed of the files holding its rows, with that file's time."""
    reference = reference or load_reference()
    if is_national(data.region):
        municipalities = reference.municipalities.sort_values("code")
    else:
        municipalities = reference.county_municipalities(data.region)
    answered = set(data.answered)
    folder = Path(folder)
    rows = [o for o in origins.rows if o.table in _OWN and o.municipality]
    records = []
    for code, name in zip(municipalities["code"], municipalities["name"], strict=True):
        own = [o for o in rows if o.municipality == code]
        tables = [TABLES[t].label for t in _OWN if any(o.table == t for o in own)]
        times = {}
        for file in {o.file for o in own}:
            path = folder / file
            if path.is_file():
                times[file] = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(
                    microsecond=0)
        last = max(times, key=lambda f: (times[f], f)) if times else ""
        records.append({
            "code": str(code), "municipality": str(name),
            "answered": "Ja" if code in answered else "Nej",
            "tables": ", ".join(tables) or "–",
            "accepted": sum(o.outcome == "accepted" for o in own),
            "warning": sum(o.outcome == "warning" for o in own),
            "rejected": sum(o.outcome == "rejected" for o in own),
            "last_file": last or "–",
            "last_time": times[last].strftime("%Y-%m-%d %H:%M") if last else "–",
        })
    frame = pd.DataFrame(records, columns=STATUS_COLUMNS)
    return frame.sort_values("municipality", key=lambda s: s.map(swedish_sort_key),
                             ignore_index=True)


def summary(frame: pd.DataFrame) -> str:
    answered = int((frame["answered"] == "Ja").sum())
    problems = int(((frame["warning"] > 0) | (frame["rejected"] > 0)).sum())
    missing = frame.loc[frame["answered"] == "Nej", "municipality"].tolist()
    text = (f"{answered} av {len(frame)} kommuner har svarat; {problems} har avvisade rader "
            "eller varningar.")
    if missing:
        shown = missing[:MAX_LISTED]
        more = len(missing) - len(shown)
        text += " Inget svar från: " + ", ".join(shown) + (f" och {more} till" if more else "")
        text += "."
    return text


def format_status(frame: pd.DataFrame, *, received_only: bool = False) -> str:
    """The status as a terminal table, in Swedish; with `received_only` (a national
    round's 290 municipalities) only those whose files arrived are listed, while the
    summary still counts every municipality."""
    listed = frame.loc[frame["tables"] != "–"] if received_only else frame
    shown = listed.rename(columns=HEADERS)
    widths = {h: max(len(h), *(len(str(v)) for v in shown[h])) for h in shown.columns}
    line = "  ".join(f"{h:>{widths[h]}}" if HEADERS_BY_LABEL[h] in NUMBERS
                     else f"{h:<{widths[h]}}" for h in shown.columns)
    out = ["Insamlingsstatus", "", line, "-" * len(line)]
    for record in shown.to_dict("records"):
        out.append("  ".join(f"{record[h]!s:>{widths[h]}}" if HEADERS_BY_LABEL[h] in NUMBERS
                             else f"{record[h]!s:<{widths[h]}}" for h in shown.columns))
    out += ["", summary(frame)]
    return "\n".join(out)


HEADERS_BY_LABEL = {label: column for column, label in HEADERS.items()}


def _css(record: dict) -> str:
    if record["answered"] == "Nej":
        return "missing"
    return "problems" if record["warning"] or record["rejected"] else ""


@functools.lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parents[1] / "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("collection.html.j2")


def title(year: int, region_name: str) -> str:
    return f"Insamlingsstatus, uppföljningsomgång {year} – {region_name}"


def write_status_html(frame: pd.DataFrame, path: str | Path, *, year: int,
                      region_name: str) -> Path:
    path = Path(path)
    rows = [{"cells": [record[c] for c in STATUS_COLUMNS], "css": _css(record)}
            for record in frame.to_dict("records")]
    numbers = [STATUS_COLUMNS.index(c) + 1 for c in NUMBERS]
    page = _template().render(title=title(year, region_name), summary=summary(frame),
                              headers=[HEADERS[c] for c in STATUS_COLUMNS], rows=rows,
                              numbers=numbers)
    path.write_text(page, encoding="utf-8")
    return path


def write_status_xlsx(frame: pd.DataFrame, path: str | Path, *, year: int, region_name: str,
                      timestamp: dt.datetime | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Insamlingsstatus"
    write_row(ws, 1, [title(year, region_name)])
    ws["A1"].font = Font(bold=True, size=14)
    write_row(ws, 2, [summary(frame)])
    write_row(ws, 4, [HEADERS[c] for c in STATUS_COLUMNS])
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for number, record in enumerate(frame.to_dict("records"), start=5):
        write_row(ws, number, [record[c] for c in STATUS_COLUMNS])
        fill = {"missing": _MISSING_FILL, "problems": _PROBLEM_FILL}.get(_css(record))
        if fill is not None:
            for cell in ws[number]:
                cell.fill = fill
    fit_columns(ws, maximum=40)
    ws.column_dimensions["A"].width = 8
    ws.freeze_panes = "A5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    stamp = timestamp or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return save_workbook(wb, path, stamp)


def write_status(frame: pd.DataFrame, folder: str | Path, *, year: int,
                 region_name: str) -> tuple[Path, Path]:
    """The status page and workbook in `folder` (created)."""
    folder = Path(folder)
    folder.mkdir(exist_ok=True)
    return (write_status_html(frame, folder / HTML_NAME, year=year, region_name=region_name),
            write_status_xlsx(frame, folder / XLSX_NAME, year=year, region_name=region_name))


__all__ = ["collection_status", "format_status", "summary", "write_status",
           "write_status_html", "write_status_xlsx"]
