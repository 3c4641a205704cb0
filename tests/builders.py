"""Test inputs built by hand: small valid rounds written to disk in the shapes offices
send (for intake tests), and canonical tables and rounds in memory (for the rest)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from evaluation.intake.model import RoundData, ValidationReport
from evaluation.intake.reference import Reference
from evaluation.intake.schema import TABLES

KOMMUN_HEADER = ["Kommun", "Lednings- eller samverkansgrupp finns", "Förskola ingår i gruppen",
                 "Skola ingår i gruppen", "Socialtjänst ingår i gruppen",
                 "Hälso- och sjukvård ingår i gruppen", "Civilsamhälle ingår i gruppen",
                 "Lokal plan eller strategi för föräldraskapsstöd",
                 "Rutin för systematisk uppföljning"]
FC_HEADER = ["Kommun", "Namn", "Barnmorskemottagning (BMM)", "Barnavårdscentral (BVC)",
             "Öppen förskola", "Förebyggande socialtjänst"]
PROGRAM_HEADER = ["Kommun", "Program", "Sektor", "Antal grupper", "Antal föräldrar som påbörjat",
                  "Varav kvinnor", "Varav män", "Antal föräldrar som fullföljt",
                  "Följs upp systematiskt", "Har utvärderats"]
UNIT_HEADER = ["Enhet", "Enhetstyp", "Kommun", "Samlokaliserad med öppen förskola",
               "Samlokaliserad med förebyggande socialtjänst"]
POP_HEADER = ["Kommun", "Antal barn 0–17 år", "Antal barn 0–5 år"]

KOMMUN_ROWS = [
    ["Örebro", "Ja", "Ja", "Ja", "Ja", "Ja", "Ja", "Ja", "Ja"],
    ["Nora", "Nej", "", "", "", "", "", "Nej", "Nej"],
]
FC_ROWS = [["Örebro", "Familjecentralen Vivalla", "Ja", "Ja", "Ja", "Ja"]]
PROGRAM_ROWS = [
    ["Örebro", "ABC", "Förskola", "4", "40", "30", "10", "32", "Ja", "Nej"],
    ["Nora", "Komet", "Socialtjänst", "1", "8", "6", "2", "6", "Nej", "Nej"],
]
UNIT_ROWS = [
    ["BVC Vivalla", "BVC", "Örebro", "Ja", "Ja"],
    ["BMM Nora", "BMM", "Nora", "Nej", "Nej"],
]
POP_ROWS = [["Örebro", "33 137", "11 046"], ["Nora", "2 101", "700"]]


def write_csv(path: Path, header: list[str], rows: list[list[object]], sep: str = ";",
              encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [sep.join(str(c) for c in header)]
    lines += [sep.join("" if c is None else str(c) for c in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_round(data: Path, year: int = 2024, *, program_rows: list[list[object]] | None = None,
                kommun_rows: list[list[object]] | None = None,
                skip: tuple[str, ...] = ()) -> Path:
    """A complete small round for Örebro län: a workbook plus CSV files."""
    folder = data / str(year)
    sheets = {
        "Kommun": [KOMMUN_HEADER, *(kommun_rows if kommun_rows is not None else KOMMUN_ROWS)],
        "Familjecentraler": [FC_HEADER, *FC_ROWS],
    }
    write_xlsx(folder / "enkat.xlsx", {k: v for k, v in sheets.items() if k.lower() not in skip})
    if "program" not in skip:
        write_csv(folder / "program.csv", PROGRAM_HEADER,
                  program_rows if program_rows is not None else PROGRAM_ROWS)
    if "vardenheter" not in skip:
        write_csv(folder / "vardenheter.csv", UNIT_HEADER, UNIT_ROWS)
    if "befolkning" not in skip:
        write_csv(folder / "befolkning.csv", POP_HEADER, POP_ROWS)
    return data


# ---------------------------------------------------------------- tables in memory
#
# Canonical tables as intake hands them on (typed columns, blanks as <NA>), built by
# hand for the indicator, status and uptake tests and for the intake contract.

_DTYPES = {"yesno": "boolean", "count": "Int64"}


def frame(table_id: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical table as intake hands it on: typed columns, blanks as <NA>."""
    table = TABLES[table_id]
    data = {}
    for col in table.columns:
        values = [row.get(col.id) for row in rows]
        data[col.id] = pd.Series(values, dtype=_DTYPES.get(col.kind, "object"))
    out = pd.DataFrame(data)
    if table_id == "program":
        out["in_catalogue"] = pd.Series([row.get("in_catalogue", True) for row in rows],
                                        dtype=bool)
        out["programme_name"] = out["programme"]
    return out


def intake_frame(table_id: str, rows: list[dict], source_file: str = "enkat.xlsx") -> pd.DataFrame:
    """`frame` with the columns in intake's order and where each row came from, as
    validation returns it (the shape the intake contract promises)."""
    out = frame(table_id, rows)
    extra = ["programme_name", "in_catalogue"] if table_id == "program" else []
    out = out[[c.id for c in TABLES[table_id].columns] + extra]
    out["source_file"] = source_file
    out["source_sheet"] = TABLES[table_id].label
    out["source_row"] = pd.Series(range(2, len(rows) + 2), dtype="int64")
    return out


def make_round(year: int, **tables: list[dict]) -> RoundData:
    data = {name: frame(name, tables.get(name, [])) for name in TABLES}
    return RoundData(year=year, region="18", tables=data,
                     report=ValidationReport(year=year, region="18"))


def make_reference() -> Reference:
    """Four municipalities of county 18 and a catalogue of four programmes of the
    tests' own, so that editing the shipped reference tables changes no test."""
    counties = pd.DataFrame({"code": ["18"], "name": ["Örebro län"], "short_name": ["Örebro"]})
    municipalities = pd.DataFrame({
        "code": ["1880", "1881", "1884", "1885"],
        "name": ["Örebro kommun", "Kumla kommun", "Nora kommun", "Lindesbergs kommun"],
        "short_name": ["Örebro", "Kumla", "Nora", "Lindesberg"],
        "county_code": ["18"] * 4,
        "lat": [59.27, 59.12, 59.52, 59.59], "lon": [15.21, 15.14, 14.99, 15.23],
    })
    catalogue = pd.DataFrame({
        "id": ["alfa", "beta", "gamma", "delta"],
        "name": ["Alfa", "Beta", "Gamma", "Delta"],
        "aliases": [[], [], [], []],
        "age_min": pd.array([0, 3, 13, 6], dtype="Int64"),
        "age_max": pd.array([5, 12, 17, 12], dtype="Int64"),
        "levels": [("universal",), ("universal", "selective"), ("indicated",), ("universal",)],
        "evidence_class": ["A", "B", "C", "D"],
        "evidence_note": [""] * 4,
        "source": [""] * 4,
    })
    return Reference(counties, municipalities, catalogue)


def prog(code, programme, sector, groups=None, participants=None, women=None, men=None,
         completed=None, followed_up=None, in_catalogue=True) -> dict:
    """One row of the programme table."""
    return {"municipality": code, "programme": programme, "sector": sector, "groups": groups,
            "participants": participants, "participants_women": women,
            "participants_men": men, "completed": completed, "followed_up": followed_up,
            "in_catalogue": in_catalogue}


ALL_FIVE = dict(group_preschool=True, group_school=True, group_social_services=True,
                group_health_care=True, group_civil_society=True)

KOMMUN = [
    {"municipality": "1880", "steering_group": True, **ALL_FIVE, "local_plan": True,
     "followup_routine": True},
    # Kumla: no group at all; the routine question left blank.
    {"municipality": "1881", "steering_group": False, "local_plan": True,
     "followup_routine": None},
    # Lindesberg: group, but health care left blank.
    {"municipality": "1885", "steering_group": True, "group_preschool": True,
     "group_school": True, "group_social_services": True, "group_health_care": None,
     "group_civil_society": True, "local_plan": False, "followup_routine": True},
]
PROGRAM = [
    prog("1880", "alfa", "preschool", 2, 20, 15, 5, 16, True),
    prog("1880", "gamma", "social_services", 1, 10, 6, 4, 8, False),
    prog("1880", "Eget samtalsstöd", "school", 1, 6, in_catalogue=False),
    prog("1880", "beta", "health_care", groups=1, participants=0),  # offered: groups > 0
    prog("1881", "beta", "school", 0, 0, followed_up=False),        # not offered
    prog("1881", "delta", "civil_society", 1, 3, 3, 0, 3, True),
    prog("1885", "beta", "preschool", 3, 30, 20, 10, 24, True),
    prog("1885", "beta", "social_services", groups=1, followed_up=True),
]
FAMILJECENTRALER = [
    {"municipality": "1880", "name": "Familjecentralen Vivalla", "bmm": True, "bvc": True,
     "open_preschool": True, "social_services": True},
    {"municipality": "1880", "name": "Familjecentralen Brickeberg", "bmm": False, "bvc": True,
     "open_preschool": True, "social_services": False},
    {"municipality": "1885", "name": "Familjecentralen Lindesberg", "bmm": None, "bvc": True,
     "open_preschool": True, "social_services": True},
]
VARDENHETER = [
    {"unit": "BMM Örebro", "unit_type": "BMM", "municipality": "1880",
     "co_located_open_preschool": True, "co_located_social_services": True},
    {"unit": "BMM Nora", "unit_type": "BMM", "municipality": "1884",
     "co_located_open_preschool": False, "co_located_social_services": None},
    {"unit": "BMM Kumla", "unit_type": "BMM", "municipality": "1881",
     "co_located_open_preschool": True, "co_located_social_services": None},
    {"unit": "BVC Vivalla", "unit_type": "BVC", "municipality": "1880",
     "co_located_open_preschool": True, "co_located_social_services": True},
    {"unit": "BVC Centrum", "unit_type": "BVC", "municipality": "1880",
     "co_located_open_preschool": True, "co_located_social_services": False},
    {"unit": "BVC Nora", "unit_type": "BVC", "municipality": "1884",
     "co_located_open_preschool": True, "co_located_social_services": True},
    {"unit": "BVC Lindesberg", "unit_type": "BVC", "municipality": "1885",
     "co_located_open_preschool": False, "co_located_social_services": False},
]
BEFOLKNING = [
    {"municipality": "1880", "children_0_17": 10000, "children_0_5": 3000},
    {"municipality": "1881", "children_0_17": 4000, "children_0_5": 1200},
    {"municipality": "1884", "children_0_17": 2000, "children_0_5": 600},
    {"municipality": "1885", "children_0_17": 5000, "children_0_5": 1500},
]


def base_round(year: int = 2024) -> RoundData:
    """The hand-built round of four municipalities that test_indicators works out by hand."""
    return make_round(year, kommun=KOMMUN, program=PROGRAM,
                      familjecentraler=FAMILJECENTRALER,
                      vardenheter=VARDENHETER, befolkning=BEFOLKNING)


def rewrite_parts(path: Path, change) -> Path:
    """Rewrite a workbook's zip parts: `change` takes {part name: bytes} and edits it in
    place, as a generator that writes its own XML (or a broken one) would have."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    change(parts)
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return path


# ---------------------------------------------------------------- a national round
#
# Two counties, Gotland (one municipality, a workbook) and Blekinge (five, CSV files),
# for the national run and its pages.

YES5 = ["Ja"] * 5
#: Gotland: one municipality, answering in a workbook.
GOTLAND = {
    "Kommun": [KOMMUN_HEADER, ["Gotland", "Ja", *YES5, "Ja", "Nej"]],
    "Familjecentraler": [FC_HEADER, ["Gotland", "Familjecentralen Visby", "Ja", "Ja", "Ja", "Ja"]],
    "Program": [PROGRAM_HEADER, ["Gotland", "ABC", "Förskola", 3, 30, 20, 10, 25, "Ja", "Nej"]],
}
#: Blekinge: Karlskrona, Ronneby and Karlshamn answer in CSV files; Sölvesborg and
#: Olofström do not answer. Karlshamn's 4 men are withheld in its own figures.
BLEKINGE_KOMMUN = [
    ["Karlskrona", "Ja", *YES5, "Ja", "Ja"],
    ["Ronneby", "Nej", "", "", "", "", "", "Nej", "Nej"],
    ["Karlshamn", "Ja", "Ja", "Ja", "Nej", "Ja", "Nej", "Nej", "Ja"],
]
BLEKINGE_PROGRAM = [
    ["Karlskrona", "COPE", "Socialtjänst", 4, 40, 30, 10, 30, "Ja", "Nej"],
    ["Ronneby", "Komet", "Socialtjänst", 2, 20, 15, 5, 18, "Nej", "Nej"],
    ["Karlshamn", "ABC", "Skola", 1, 10, 6, 4, 9, "Ja", "Nej"],
    ["Karlshamn", "Komet", "Socialtjänst", 1, "-2", "", "", "", "Nej", "Nej"],  # rejected
]
UNITS = [
    ["BVC Visby", "BVC", "0980", "Ja", "Ja"],
    ["BMM Visby", "BMM", "0980", "Ja", "Nej"],
    ["BVC Karlskrona", "BVC", "1080", "Ja", "Ja"],
    ["BVC Sölvesborg", "BVC", "1083", "Nej", "Nej"],
]
POPULATION = [  # children 0–17 and 0–5; the national total is rejected, in no county
    ["00 Riket", "2 000 000", "600 000"],
    ["Gotland", "10 000", "3 000"], ["Karlskrona", "12 000", "4 000"],
    ["Ronneby", "5 000", "1 500"], ["Karlshamn", "6 000", "2 000"],
    ["Sölvesborg", "3 000", "1 000"], ["Olofström", "2 000", "700"],
]
PROFILES = ["0980", "1080"]


def write_two_counties(data: Path, year: int = 2026) -> Path:
    folder = data / str(year)
    write_xlsx(folder / "enkat_gotland.xlsx", GOTLAND)
    write_csv(folder / "kommun_blekinge.csv", KOMMUN_HEADER, BLEKINGE_KOMMUN)
    write_csv(folder / "familjecentraler_blekinge.csv", FC_HEADER, [])
    write_csv(folder / "program_blekinge.csv", PROGRAM_HEADER, BLEKINGE_PROGRAM)
    write_csv(folder / "vardenheter.csv", UNIT_HEADER, UNITS)
    write_csv(folder / "befolkning.csv", POP_HEADER, POPULATION)
    return data
