"""Uptake over two hand-built rounds with a known adopter, leaver and newcomer.

2024: Örebro offers alfa (20 parents) and gamma (10); Kumla delta (3); Lindesberg
beta (30); Nora does not answer.
2026: Örebro alfa (25) and beta (8), gamma dropped; Kumla alfa (4), delta dropped;
Lindesberg beta (30) and an unclassified programme (7); Nora answers with alfa (6).
"""

from __future__ import annotations

import pandas as pd
import pytest
from builders import make_reference, make_round, prog

from evaluation.analysis.results import compute_round
from evaluation.analysis.uptake import uptake
from evaluation.settings import Settings

ANSWERS = [{"municipality": code, "steering_group": True, "local_plan": True,
            "followup_routine": True} for code in ("1880", "1881", "1885")]

ROUND_2024 = make_round(2024, kommun=ANSWERS, program=[
    prog("1880", "alfa", "preschool", 2, 20),
    prog("1880", "gamma", "social_services", 1, 10),
    prog("1881", "delta", "civil_society", 1, 3),
    prog("1885", "beta", "preschool", 3, 30),
])
ROUND_2026 = make_round(2026, kommun=[*ANSWERS, {"municipality": "1884",
                                                  "steering_group": False}], program=[
    prog("1880", "alfa", "preschool", 2, 25),
    prog("1880", "beta", "health_care", 1, 8),
    prog("1880", "gamma", "social_services", 0, 0),  # listed, but nothing offered
    prog("1881", "alfa", "school", 1, 4),
    prog("1885", "beta", "preschool", 2, 20),
    prog("1885", "beta", "school", 1, 10),
    prog("1885", "Eget program", "school", 1, 7, in_catalogue=False),
    prog("1884", "alfa", "preschool", 1, 6),
])


@pytest.fixture(scope="module")
def result():
    return uptake([ROUND_2026, ROUND_2024], make_reference(), Settings())


def programme(result, year: int, programme_id: str) -> pd.Series:
    rows = result.programmes
    hit = rows.loc[(rows["round"] == year) & (rows["programme"] == programme_id)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_programme_rows_count_municipalities_participants_and_sectors(result):
    alfa = programme(result, 2026, "alfa")
    assert alfa["municipality_codes"] == ("1880", "1881", "1884")
    assert alfa["municipalities"] == 3
    assert alfa["participants"] == 25 + 4 + 6
    assert alfa["sectors"] == ("preschool", "school")
    beta = programme(result, 2026, "beta")
    assert beta["participants"] == 8 + 20 + 10
    assert beta["sectors"] == ("preschool", "school", "health_care")
    assert beta["name"] == "Beta" and beta["evidence_class"] == "B" and beta["evidence_based"]


def test_adopter_is_a_municipality_that_answered_both_rounds_and_now_offers_it(result):
    # Kumla takes up alfa; Nora offers it too but did not answer in 2024.
    assert programme(result, 2026, "alfa")["adopters"] == ("1881",)
    assert programme(result, 2026, "beta")["adopters"] == ("1880",)
    assert programme(result, 2026, "alfa")["leavers"] == ()


def test_leaver_of_a_programme_nobody_offers_any_more_is_kept(result):
    # Örebro still lists gamma, with no groups and no participants: it has left it.
    gamma = programme(result, 2026, "gamma")
    assert gamma["leavers"] == ("1880",)
    assert gamma["municipalities"] == 0
    assert programme(result, 2026, "delta")["leavers"] == ("1881",)


def test_first_round_has_no_adopters_or_leavers(result):
    first = result.programmes.loc[result.programmes["round"] == 2024]
    assert first["adopters"].isna().all() and first["leavers"].isna().all()


def test_municipality_new_to_evidence_based_programmes_is_named(result):
    # Kumla had only delta (class D) in 2024 and has alfa (A) in 2026. Örebro and
    # Lindesberg had evidence-based programmes already; Nora did not answer in 2024.
    newcomers = result.new_evidence_based
    assert newcomers["municipality"].tolist() == ["1881"]
    assert newcomers.iloc[0]["programmes"] == ("alfa",)
    assert newcomers.iloc[0]["area_name"] == "Kumla kommun"


def test_participants_by_evidence_class_include_the_unclassified(result):
    classes = result.by_evidence_class
    now = classes.loc[classes["round"] == 2026].set_index("evidence_class")
    assert now["participants"].to_dict() == {"A": 35, "B": 38, "C": 0, "D": 0,
                                             "Ej klassificerat": 7}
    assert now.loc["A", "municipalities"] == 3
    assert not now.loc["Ej klassificerat", "evidence_based"]


def test_matrix_shows_offers_and_leaves_silent_municipalities_empty(result):
    matrix = result.matrix
    assert matrix.index.tolist() == ["1880", "1881", "1884", "1885"]
    assert sorted(matrix.columns) == ["Eget program", "alfa", "beta"]
    assert bool(matrix.loc["1880", "beta"]) and not bool(matrix.loc["1880", "Eget program"])
    assert bool(matrix.loc["1885", "Eget program"])
    only_2024 = uptake([ROUND_2024], make_reference(), Settings()).matrix
    assert only_2024.loc["1884"].isna().all()  # Nora did not answer


def test_small_participant_counts_are_withheld_as_two_dots_and_large_ones_shown():
    published = compute_round([ROUND_2024, ROUND_2026], make_reference(), Settings()).uptake
    first = published.programmes.loc[published.programmes["round"] == 2024]
    by_id = first.set_index("programme")
    # delta: 3 parents, withheld as ".." (never "<5", which would say 1 to 4)
    assert by_id.loc["delta", "participants_text"] == ".."
    assert pd.isna(by_id.loc["delta", "participants"])
    assert by_id.loc["alfa", "participants_text"] == "20"
    classes = published.by_evidence_class.set_index(["round", "evidence_class"])
    assert classes.loc[(2024, "D"), "participants_text"] == ".."
    assert "<5" not in set(published.programmes["participants_text"])
    assert not classes.loc[(2026, "A"), "suppressed"]
