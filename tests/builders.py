"""Small, valid rounds written to disk in the shapes offices send, for intake tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl

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
