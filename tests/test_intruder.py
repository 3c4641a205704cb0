"""An intruder with only the published files of a round (indicators.csv, every HTML
page) tries subtraction across the tables and recovers nothing withheld."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evaluation.cli import main
from evaluation.intake.reference import load_reference

WITHHELD = ".."
THRESHOLD = 5


class Tables(HTMLParser):
    """Every table of a page: caption and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            caption = "".join(self._caption).strip()
            self.tables[-1] = (caption, self.tables[-1][1])
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self.tables:
                self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data):
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)


def tables(path: Path) -> list[tuple[str, list[list[str]]]]:
    parser = Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


def number(text: str) -> int | None:
    text = text.replace("\u00a0", "").replace(" ", "")
    return int(text) if re.fullmatch(r"\d+", text) else None


@pytest.fixture(scope="module")
def round_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("intruder") / "reports"
    assert main(["run", "--data", "data/example", "--round", "2026", "--out", str(out),
                 "--quiet"]) == 0
    return out / "2026"


def test_no_table_cell_says_a_count_is_small(round_folder):
    for page in round_folder.rglob("*.html"):
        for _caption, rows in tables(page):
            assert not any(re.fullmatch(r"<\s*\d+", cell) for row in rows for cell in row)


def test_subtraction_across_published_tables_recovers_nothing(round_folder):
    with (round_folder / "indicators.csv").open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["round"] == "2026"]
    codes = load_reference().county_municipalities("18")["code"].tolist()
    totals = {(r["area_code"], r["indicator"]): r for r in rows}

    # programme rows of every profile: (programme, started, completed)
    profile_rows: dict[str, list[tuple[str, str, str]]] = {}
    for code in codes:
        page = round_folder / "kommuner" / f"{code}.html"
        found = [t for caption, t in tables(page) if caption == "Program som erbjuds"]
        profile_rows[code] = [(r[0], r[4], r[5]) for r in (found[0][1:] if found else [])]

    recovered = []
    for code, prog in profile_rows.items():
        # started − completed on a row, both published
        for name, started, completed in prog:
            s, c = number(started), number(completed)
            if s is not None and c is not None:
                assert not 1 <= s - c < THRESHOLD, (code, name, s, c)
        # the municipality's 1.4 numerator minus its published rows
        total = totals.get((code, "1.4"))
        hidden = [p for p in prog if p[1] == WITHHELD]
        if total and total["suppressed"] == "false" and len(hidden) == 1:
            recovered.append((code, hidden[0][0]))
    # the county's 1.4 numerator minus the published municipalities
    hidden_munis = [c for c in codes if totals.get((c, "1.4"), {}).get("suppressed") == "true"]
    if totals[("18", "1.4")]["suppressed"] == "false":
        assert len(hidden_munis) != 1
    # uptake: the county's participants per programme minus the profiles' rows
    uptake = [t for caption, t in tables(round_folder / "regional.html")
              if caption == "Program som erbjuds 2026"][0]
    for row in uptake[1:]:
        name, county = row[0], number(row[5])
        if county is None:
            continue
        cells = [p for rows_ in profile_rows.values() for p in rows_ if p[0] == name]
        if sum(p[1] == WITHHELD for p in cells) == 1:
            recovered.append(("18", name))
    assert recovered == []
