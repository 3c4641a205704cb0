"""A whole round run on inputs with personal identity numbers planted in every place
they can enter: none of them, in any of its forms, reaches any output file or the
terminal.

The round is a small county (Blekinge: 5 municipalities) to keep it quick.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from builders import FC_HEADER, PROGRAM_HEADER, write_csv, write_xlsx

from evaluation.intake.reference import load_reference
from evaluation.tools.example import write_example

BLEKINGE = "10"
ROOT = Path(__file__).resolve().parent.parent

#: Each planted number: (century or "", date part, last four), and how it is written.
PLANTED = {
    "family-centre name": ("19", "850101", "1234"),   # 19850101-1234, check digit wrong
    "family-centre name, plus sign": ("", "240229", "5555"),   # 240229+5555
    "programme name": ("", "620315", "4433"),         # 620315–4433 (en dash)
    "header": ("", "530422", "7719"),                 # 530422−7719 (minus sign)
    "sheet name": ("", "701063", "2391"),             # 701063‑2391 (non-breaking hyphen)
    "file name": ("19", "121212", "1212"),            # 191212121212 (twelve bare digits)
    "SCB export cell": ("", "811218", "9876"),        # 8112189876 (ten digits, Luhn valid)
    "free text": ("", "460101", "9807"),              # "… 460101 9807 …" (a space)
}


def _plant(data: Path, codes: list[str]) -> None:
    folder = data / "2026"
    write_csv(folder / "familjecentraler_extra.csv", FC_HEADER, [
        [codes[0], "Familjecentralen 19850101-1234", "Ja", "Ja", "Ja", "Ja"],
        [codes[0], "Familjecentralen Väster 240229+5555", "Ja", "Ja", "Ja", "Ja"],
    ])
    write_csv(folder / "program_extra.csv", [*PROGRAM_HEADER, "Kontakt 530422\u22127719"], [
        [codes[1], "ABC 620315\u20134433", "Förskola", "1", "9", "", "", "", "Ja", "", ""],
        [codes[1], "Komet", "Civilsamhälle", "1", "7", "", "", "", "Ja", "",
         "Ring Anna på 460101 9807 eller 0455-30 30 00"],
    ])
    write_xlsx(folder / "bilaga.xlsx", {"Program 701063\u20112391": [
        PROGRAM_HEADER, [codes[2], "Connect", "Skola", "1", "6", "", "", "", "Nej", ""]]})
    write_csv(folder / "program_191212121212.csv", PROGRAM_HEADER,
              [[codes[3], "Cope", "Skola", "1", "11", "", "", "", "Ja", ""]])
    scb = folder / "befolkning_scb.csv"
    lines = scb.read_text(encoding="cp1252").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(f'"{codes[2]} '))
    cells = lines[row].split(";")
    cells[3] = "8112189876"
    lines[row] = ";".join(cells)
    scb.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")


def _pattern(century: str, date: str, tail: str) -> re.Pattern[str]:
    """The number in any form: with or without its century, joined by nothing or by
    up to three characters that are not digits (any dash, plus, space)."""
    head = f"(?:{century})?" if century else "(?:18|19|20)?"
    return re.compile(rf"(?<!\d){head}{date}\D{{0,3}}{tail}(?!\d)")


def _texts(path: Path) -> list[str]:
    """What a file says, decoded as a reader would see it (JSON unescaped, HTML
    entities resolved, workbooks unzipped)."""
    data = path.read_bytes()
    if path.suffix in (".xlsx", ".zip"):
        with zipfile.ZipFile(path) as book:
            return [html.unescape(book.read(n).decode("utf-8", "replace"))
                    for n in book.namelist()]
    text = data.decode("utf-8", "replace")
    texts = [text, html.unescape(text)]
    if path.suffix in (".json", ".ipynb"):
        texts.append(json.dumps(json.loads(text), ensure_ascii=False))
    return texts


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("planted")
    data = base / "data"
    write_example(data, region=BLEKINGE, seed=3, years=(2024, 2026))
    codes = load_reference().county_municipalities(BLEKINGE)["code"].tolist()
    _plant(data, codes)
    out = base / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "evaluation", "run", "--data", str(data), "--round", "2026",
         "--out", str(out), "--region", BLEKINGE, "--jobs", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return out, done.stdout + done.stderr


def test_the_planted_numbers_were_read_and_refused(planted_run):
    out, _ = planted_run
    full = (out / ".validation" / "2026" / "validation.csv").read_text(encoding="utf-8-sig")
    assert full.count("personnummer") >= 6
    for masked in ("XXXXXXXX-XXXX", "XXXXXX+XXXX", "XXXXXX\u2013XXXX", "XXXXXX\u2212XXXX",
                   "XXXXXX\u2011XXXX", "XXXXXXXXXXXX", "XXXXXXXXXX", "XXXXXX XXXX"):
        assert masked in full, masked


def test_no_planted_number_reaches_any_output_file_or_the_terminal(planted_run):
    out, terminal = planted_run
    files = [p for p in out.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".html", ".csv", ".xlsx", ".json", ".ipynb", ".log"} <= kinds
    patterns = {where: _pattern(*parts) for where, parts in PLANTED.items()}
    leaks = []
    for path in files:
        name = path.relative_to(out).as_posix()
        for where, pattern in patterns.items():
            if pattern.search(name):
                leaks.append((where, name, "file name"))
            if any(pattern.search(text) for text in _texts(path)):
                leaks.append((where, name, "content"))
    for where, pattern in patterns.items():
        if pattern.search(terminal):
            leaks.append((where, "terminal", ""))
    assert leaks == []
