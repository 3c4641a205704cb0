"""Synthetic example rounds: reproducible, shaped like real answers, faults planted,
and readable by intake with exactly the planted findings."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from evaluation.errors import ParameterError
from evaluation.tools.example import write_example

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "data" / "example"
#: SCB, 31 December 2023, ages 0–15 (Regionfakta), by municipality code.
AGES_0_15 = {"1882": 1811, "1862": 1489, "1861": 3157, "1863": 1020, "1883": 5115,
             "1881": 4740, "1860": 887, "1814": 1962, "1885": 4120, "1864": 571,
             "1884": 1868, "1880": 29455}
OREBRO_LAN = {"1814": "Lekeberg", "1860": "Laxå", "1861": "Hallsberg", "1862": "Degerfors",
              "1863": "Hällefors", "1864": "Ljusnarsberg", "1880": "Örebro", "1881": "Kumla",
              "1882": "Askersund", "1883": "Karlskoga", "1884": "Nora", "1885": "Lindesberg"}
EVIDENCE_BASED = {"abc", "cope", "komet", "triple_p", "incredible_years"}  # classes A and B
FILES_2024 = {
    "LASMIG.txt", "befolkning.csv", "enkat_askersund.xlsx", "enkat_degerfors.xlsx",
    "enkat_karlskoga.xlsx", "enkat_lekeberg.xlsx", "enkat_lindesberg.xlsx",
    "enkat_orebro.xlsx", "familjecentraler_nora.csv", "kommun_hallefors.csv",
    "kommun_nora.csv", "program_hallefors.csv", "program_nora.csv", "samlad_enkat.xlsx",
    "vardenheter.xlsx",
}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example")
    write_example(out)
    return out


@pytest.fixture(scope="module")
def rounds(example: Path) -> dict:
    from evaluation.intake.validation import validate_round

    return {year: validate_round(example, year) for year in (2024, 2026)}


def read_csv(path: Path, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline=""),
                           delimiter=";"))


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()


# -- reproducible -------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(example, tmp_path):
    again = write_example(tmp_path)
    assert len(again) == 32
    for path in again:
        assert path.read_bytes() == (example / path.relative_to(tmp_path)).read_bytes(), path


def test_different_seed_gives_different_counts(example, tmp_path):
    other = write_example(tmp_path, seed=1)
    changed = {p.name for p in other
               if p.read_bytes() != (example / p.relative_to(tmp_path)).read_bytes()}
    assert {"program_nora.csv", "enkat_orebro.xlsx", "befolkning.csv",
            "befolkning_scb.csv"} <= changed
    # The planted faults and the scenario do not depend on the seed.
    assert {p.name for p in other} == {p.name for p in example.rglob("*") if p.is_file()}


def test_committed_example_data_are_what_the_generator_writes(example):
    committed = sorted(p.relative_to(COMMITTED) for p in COMMITTED.rglob("*") if p.is_file())
    generated = sorted(p.relative_to(example) for p in example.rglob("*") if p.is_file())
    assert committed == generated
    for relative in generated:
        assert (COMMITTED / relative).read_bytes() == (example / relative).read_bytes(), relative


def test_workbooks_carry_fixed_dates_of_their_round(example):
    props = openpyxl.load_workbook(example / "2026" / "enkat_orebro.xlsx").properties
    assert props.created.year == 2026 and props.created == props.modified


# -- shape -----------------------------------------------------------------------------------


def test_round_folders_hold_the_offices_mix_of_files(example):
    assert {p.name for p in (example / "2024").iterdir()} == FILES_2024
    names_2026 = {p.name for p in (example / "2026").iterdir()}
    assert names_2026 == (FILES_2024 - {"befolkning.csv"}) | {
        "befolkning_scb.csv", "enkat_ljusnarsberg.xlsx", "familjecentraler_hallefors.csv"}


def test_survey_workbooks_hold_the_three_tables_and_combined_one_several(example):
    wb = openpyxl.load_workbook(example / "2024" / "enkat_askersund.xlsx")
    assert {"Kommun", "Familjecentraler", "Program"} <= set(wb.sheetnames)
    combined = [r[0] for r in sheet_rows(example / "2024" / "samlad_enkat.xlsx", "Kommun")[1:]]
    assert combined == ["Hallsberg", "Kumla", "Laxå"]


def test_population_2024_is_a_simple_table_with_space_thousands(example):
    rows = read_csv(example / "2024" / "befolkning.csv", "utf-8")
    assert rows[0] == ["Kommun", "Antal barn 0–17 år", "Antal barn 0–5 år"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == set(OREBRO_LAN.values())
    assert by_name["Örebro"][1].replace(" ", "").isdigit() and " " in by_name["Örebro"][1]


def test_population_2026_is_scbs_own_export_by_age(example):
    raw = (example / "2026" / "befolkning_scb.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = read_csv(example / "2026" / "befolkning_scb.csv", "cp1252")
    assert rows[0][0].startswith("Folkmängd")
    assert rows[1] == ["region", *(f"{age} år" for age in range(18))]
    assert sorted(r[0] for r in rows[2:]) == sorted(f"{c} {n}" for c, n in OREBRO_LAN.items())
    assert all(value.isdigit() for r in rows[2:] for value in r[1:])


def test_population_is_derived_from_scbs_ages_0_to_15_of_2023(rounds):
    for data in rounds.values():
        population = data.tables["befolkning"].set_index("municipality")
        assert sorted(population.index) == sorted(OREBRO_LAN)
        for code, base in AGES_0_15.items():
            assert population.at[code, "children_0_17"] == pytest.approx(base * 18 / 16,
                                                                         rel=0.06)
            assert population.at[code, "children_0_5"] == pytest.approx(base * 6 / 16, rel=0.08)


def test_readme_says_the_data_are_synthetic_and_how_population_was_made(example):
    for year in (2024, 2026):
        text = (example / str(year) / "LASMIG.txt").read_text(encoding="utf-8")
        assert text.startswith("Syntetiska exempeldata")
        assert "18/16" in text and "6/16" in text and "2023" in text
        assert "--seed 0" in text
    assert "Ljusnarsberg besvarade inte" in (example / "2024" / "LASMIG.txt").read_text(
        encoding="utf-8")


# -- planted faults, as written ---------------------------------------------------------------


@pytest.mark.parametrize("year", [2024, 2026])
def test_municipality_names_arrive_as_offices_write_them(example, year):
    folder = example / str(year)
    assert read_csv(folder / "program_hallefors.csv", "cp1252")[1][0] == "Hallefors"
    assert read_csv(folder / "kommun_nora.csv", "utf-8-sig")[1][0] == "NORA"
    assert sheet_rows(folder / "enkat_orebro.xlsx", "Kommun")[1][0] == "Örebro kommun"
    assert 1880 in [r[2] for r in sheet_rows(folder / "vardenheter.xlsx", "Vårdenheter")]


@pytest.mark.parametrize("year", [2024, 2026])
def test_yes_no_arrives_as_x_ja_j_and_1(example, year):
    folder = example / str(year)
    kommun = sheet_rows(folder / "samlad_enkat.xlsx", "Kommun")
    assert "X" in {v for row in kommun[1:] for v in row[2:7]}
    assert read_csv(folder / "kommun_nora.csv", "utf-8-sig")[1][1] in {"ja", "nej"}
    assert "J" in {v for row in read_csv(folder / "program_hallefors.csv", "cp1252")[1:]
                   for v in row[8:]}
    program = sheet_rows(folder / "samlad_enkat.xlsx", f"Program {year}")
    assert 1 in {v for row in program[2:] for v in row[8:]}


@pytest.mark.parametrize("year", [2024, 2026])
def test_files_have_a_title_row_a_trailing_blank_row_and_mixed_encodings(example, year):
    folder = example / str(year)
    program = sheet_rows(folder / "samlad_enkat.xlsx", f"Program {year}")
    assert program[0][0].startswith("Föräldraskapsstöd") and program[0][1:] == (None,) * 9
    assert program[1][:3] == ("Kommun", "Program", "Sektor")
    raw = (folder / "program_nora.csv").read_bytes()
    assert raw.endswith(b"\r\n;;;;;;;;;\r\n")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert (folder / "kommun_nora.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "Familjeverkstan" in {r[1] for r in read_csv(folder / "program_hallefors.csv",
                                                        "cp1252")}


# -- read by intake ---------------------------------------------------------------------------


def test_twelve_municipalities_and_one_answers_only_in_2026(rounds):
    first, second = rounds[2024], rounds[2026]
    assert first.answered == sorted(set(OREBRO_LAN) - {"1864"})
    assert second.answered == sorted(OREBRO_LAN)
    for data in rounds.values():
        assert set(data.tables["vardenheter"]["municipality"]) == set(OREBRO_LAN)


@pytest.mark.parametrize("year", [2024, 2026])
def test_example_round_has_only_the_planted_rejections_and_warnings(rounds, year):
    report = rounds[year].report
    rejected = sorted(f.reason for f in report.rejected)
    assert rejected == ["completed_above_participants", "exact_duplicate"]
    assert {f.value for f in report.warnings} == {"Familjeverkstan"}
    counts = report.counts
    assert all(c.balanced for c in counts.values())
    assert counts["program"].blank_rows_skipped == 2
    assert sum(c.rejected for c in counts.values()) == 2


def test_unlisted_programme_is_kept_as_unclassified(rounds):
    program = rounds[2024].tables["program"]
    unlisted = program.loc[~program["in_catalogue"], "programme"]
    assert set(unlisted) == {"Familjeverkstan"}


def test_progress_between_rounds_follows_the_scenario(rounds):
    def offered(year: int, code: str) -> set[str]:
        program = rounds[year].tables["program"]
        return set(program.loc[program["municipality"] == code, "programme"])

    # Laxå adopts its first evidence-based programme; Hallsberg stops offering COPE.
    assert not offered(2024, "1860") & EVIDENCE_BASED
    assert offered(2026, "1860") & EVIDENCE_BASED
    assert "cope" in offered(2024, "1861") and "cope" not in offered(2026, "1861")
    groups = [int(rounds[y].tables["kommun"]["steering_group"].sum()) for y in (2024, 2026)]
    plans = [int(rounds[y].tables["kommun"]["local_plan"].sum()) for y in (2024, 2026)]
    assert groups == [8, 11] and plans == [3, 7]


@pytest.mark.parametrize("year", [2024, 2026])
def test_programme_shapes_are_realistic(rounds, year):
    program = rounds[year].tables["program"]
    answered = len(rounds[year].answered)
    per_municipality = program.groupby("municipality")["programme"].nunique()
    assert 3 <= per_municipality.mean() <= 5
    opp_share = program.loc[program["programme"] == "opp", "municipality"].nunique() / answered
    assert 0.6 <= opp_share <= 0.85
    assert program["participants_women"].sum() > program["participants_men"].sum()
    both = program.dropna(subset=["participants", "completed"])
    rate = both["completed"] / both["participants"]
    assert rate.between(0.5, 1.0).all()
    assert 0.6 <= both["completed"].sum() / both["participants"].sum() <= 0.9
    assert program["participants"].between(1, 4).any()  # exercises disclosure control


def test_family_centres_include_family_centre_like_units(rounds):
    centres = rounds[2024].tables["familjecentraler"]
    lindesberg = centres.loc[centres["municipality"] == "1885"]
    assert len(lindesberg) == 2 and sorted(lindesberg["bmm"].tolist()) == [False, True]
    orebro = centres.loc[centres["municipality"] == "1880"]
    assert len(orebro) >= 4 and not orebro["bmm"].all()


def test_units_are_many_in_orebro_and_few_in_small_municipalities(rounds):
    units = rounds[2024].tables["vardenheter"].groupby("municipality").size()
    assert units["1880"] >= 10
    assert units["1864"] <= 2 and units["1860"] <= 2


# -- parameters -------------------------------------------------------------------------------


def test_folder_holding_other_files_is_not_overwritten(tmp_path):
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "program.csv").write_text("Kommun;Program\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="not example data"):
        write_example(tmp_path)
    assert (tmp_path / "2024" / "program.csv").exists()


def test_year_that_is_no_round_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="2025"):
        write_example(tmp_path, years=(2025,))


def test_another_county_gets_synthetic_rounds_with_one_late_answer(tmp_path):
    from evaluation.intake.validation import validate_round

    write_example(tmp_path, region="03", years=(2024,))
    data = validate_round(tmp_path, 2024, region="03")
    assert len(data.tables["befolkning"]) == 8  # Uppsala län's municipalities
    assert len(data.answered) == 7
    assert "påhittat" in (tmp_path / "2024" / "LASMIG.txt").read_text(encoding="utf-8")
