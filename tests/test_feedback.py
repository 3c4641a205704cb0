"""Feedback letters and collection status on the example data, whose planted faults
are listed in its read-me."""

from __future__ import annotations

import openpyxl
import pytest
from bs4 import BeautifulSoup

from evaluation.cli import main
from evaluation.intake.model import Finding
from evaluation.intake.reasons import REASONS
from evaluation.intake.validation import validate_round_with_origins
from evaluation.tools.collection import collection_status
from evaluation.tools.feedback import ACTIONS, assign_findings, write_feedback

#: Municipalities with a planted warning or rejection in example round 2026 (LASMIG.txt):
#: Karlskoga's completed > started, Hällefors' Familjeverkstan, and in the combined
#: workbook Hallsberg's and Kumla's Familjeverkstan and Laxå's duplicate row.
WITH_FAULTS = {"1883", "1863", "1861", "1881", "1860"}


@pytest.fixture(scope="module")
def validated():
    return validate_round_with_origins("data/example", 2026)


@pytest.fixture(scope="module")
def letters(validated, tmp_path_factory):
    folder = tmp_path_factory.mktemp("out") / "feedback"
    return folder, write_feedback(*validated, folder)


def test_a_letter_for_every_municipality_with_a_planted_fault_and_none_else(letters):
    folder, paths = letters
    assert {p.name.split("-")[0] for p in paths} == WITH_FAULTS
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths)


def test_each_letter_lists_only_its_own_problems_with_what_to_do(letters, validated):
    _, paths = letters
    laxa = next(p for p in paths if p.name == "1860-Laxå-återkoppling.xlsx")
    ws = openpyxl.load_workbook(laxa).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Återkoppling på enkätsvaren – Laxå kommun, uppföljningsomgång 2026"
    header = rows.index(next(r for r in rows if r and r[0] == "Allvar"))
    assert rows[header] == ("Allvar", "Fil", "Flik", "Rad", "Kolumn", "Värde", "Problem",
                            "Förväntat", "Närmaste träff", "Så rättar du")
    problems = [r for r in rows[header + 1:] if r[0]]
    assert [(r[0], r[1], r[2], r[3]) for r in problems] == [
        ("Avvisad", "samlad_enkat.xlsx", "Program 2026", 17),
        ("Varning", "samlad_enkat.xlsx", "Program 2026", 15)]
    assert problems[0][6] == REASONS["exact_duplicate"]
    assert problems[0][9] == ACTIONS["exact_duplicate"]
    assert problems[1][5] == "Familjeverkstan"
    karlskoga = openpyxl.load_workbook(
        next(p for p in paths if p.name.startswith("1883"))).active
    values = [r for r in karlskoga.iter_rows(values_only=True) if r and r[0] == "Avvisad"]
    assert len(values) == 1 and values[0][5] == "16" and values[0][3] == 7


def test_every_reason_has_advice_in_swedish():
    assert set(REASONS) <= set(ACTIONS)


def test_a_file_level_problem_goes_to_the_one_municipality_of_its_file(validated):
    data, origins = validated
    note = Finding("warning", "program", "enkat_karlskoga.xlsx", "Program", None,
                   "Egen kolumn", "", "column not read", reason="ignored_column")
    data.report.findings.append(note)
    try:
        feedback = assign_findings(data, origins)
    finally:
        data.report.findings.remove(note)
    assert note in feedback.by_municipality["1883"]
    assert note not in feedback.other


def test_collection_status_lists_all_twelve_with_their_rows(validated):
    data, origins = validated
    status = collection_status(data, origins, "data/example/2026")
    assert len(status) == 12 and status["answered"].eq("Ja").all()
    laxa = status.set_index("code").loc["1860"]
    assert (laxa["warning"], laxa["rejected"]) == (1, 1)
    assert laxa["last_file"] == "samlad_enkat.xlsx"
    ljusnarsberg = status.set_index("code").loc["1864"]
    assert ljusnarsberg["tables"] == "Kommun, Program"
    own = [o for o in origins.rows if o.table in ("kommun", "familjecentraler", "program")]
    assert status[["accepted", "warning", "rejected"]].to_numpy().sum() == len(own)


def test_validate_prints_the_status_and_writes_it_beside_the_feedback(tmp_path, capsys):
    folder = tmp_path / "feedback"
    assert main(["validate", "--data", "data/example", "--round", "2026", "--out",
                 str(tmp_path / "v"), "--feedback", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Insamlingsstatus" in out and "12 av 12 kommuner har svarat" in out
    page = (folder / "insamlingsstatus.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "sv"
    body_rows = soup.select("tbody > tr")
    assert len(body_rows) == 12
    assert "Örebro kommun" in {td.get_text(strip=True) for tr in body_rows
                               for td in tr.find_all(["th", "td"])}
    ws = openpyxl.load_workbook(folder / "insamlingsstatus.xlsx").active
    names = [r[1] for r in ws.iter_rows(min_row=5, values_only=True)]
    assert len(names) == 12 and "Örebro kommun" in names
    assert len(list(folder.glob("*-återkoppling.xlsx"))) == len(WITH_FAULTS)


def test_a_value_that_looks_like_a_formula_is_written_as_text(tmp_path):
    from evaluation.tools.feedback import feedback_workbook

    finding = Finding("rejected", "program", "program.csv", "", 3, "Program", "@SUM(A1)",
                      "", reason="value_missing")
    wb = feedback_workbook("Nora kommun", 2026, [finding])
    wb.save(tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    cells = [c for row in ws.iter_rows() for c in row if c.value == "@SUM(A1)"]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_national_status_lists_every_municipality_and_prints_those_that_sent_files(validated):
    from evaluation.intake.validation import validate_round_with_origins
    from evaluation.tools.collection import format_status

    data, origins = validate_round_with_origins("data/example", 2026, region="all")
    status = collection_status(data, origins, "data/example/2026")
    assert len(status) == 290 and (status["answered"] == "Ja").sum() == 12
    text = format_status(status, received_only=True)
    assert "12 av 290 kommuner har svarat" in text and "och 266 till." in text
    rows = [line for line in text.splitlines() if line[:4].isdigit()]
    assert len(rows) == 12 and all(line.startswith("18") for line in rows)
