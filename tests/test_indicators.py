"""Every indicator on one small hand-built round, with the arithmetic worked out by hand.

The county "18" here has four municipalities:
- 1880 Örebro answered, has a group with all five sectors, a full family centre;
- 1881 Kumla answered, has no group, no family centre, and few parents;
- 1884 Nora did not answer, but the region lists BMM/BVC units there;
- 1885 Lindesberg answered with some blanks.
The programme catalogue is the test's own, so that editing the shipped one changes
nothing here: alfa (A, 0–5, universal), beta (B, 3–12, universal+selective),
gamma (C, 13–17, indicated), delta (D, 6–12, universal). Classes A and B count
as evidence-based.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from builders import (
    BEFOLKNING,
    KOMMUN,
    base_round,
    make_reference,
    make_round,
)

from evaluation.analysis.results import RoundResult, compute_round
from evaluation.indicators.compute import TIDY_COLUMNS
from evaluation.indicators.registry import GOAL_AREAS, REGISTRY, get
from evaluation.indicators.table import indicator_table
from evaluation.intake.reference import Reference
from evaluation.publish.downloads import write_indicator_files
from evaluation.settings import Settings

Z95 = 1.959963984540054  # standard normal quantile for a 95 % interval

@pytest.fixture(scope="module")
def reference() -> Reference:
    return make_reference()


@pytest.fixture(scope="module")
def table(reference) -> pd.DataFrame:
    return indicator_table(base_round(), reference, Settings())


def cell(table: pd.DataFrame, indicator: str, area: str) -> pd.Series:
    rows = table.loc[(table["indicator"] == indicator) & (table["area_code"] == area)]
    assert len(rows) == 1
    return rows.iloc[0]


def check(table, indicator, area, numerator, denominator, value=None):
    row = cell(table, indicator, area)
    if numerator is None:
        assert pd.isna(row["numerator"]) and pd.isna(row["denominator"])
        assert pd.isna(row["value"])
        return
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    expected = numerator / denominator if value is None else value
    assert row["value"] == pytest.approx(expected)


# --------------------------------------------------------------------------- registry


def test_registry_holds_the_eighteen_indicators_in_design_order():
    assert list(REGISTRY) == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "2.1", "2.2",
                              "2.3", "2.4", "2.5", "2.6", "3.1", "3.2", "3.3", "3.4", "D.1"]
    assert REGISTRY["1.4"].title == "Föräldrar i program per 1 000 barn 0–17 år"
    assert REGISTRY["3.2"].title == "Kommuner där alla fem sektorer ingår i gruppen"
    assert REGISTRY["D.1"].goal_area_name == GOAL_AREAS["D"] == "Datakvalitet"


def test_registry_targets_and_methods_follow_the_design_table():
    rising = {i for i, ind in REGISTRY.items() if ind.target == "rising"}
    monitored = {i for i, ind in REGISTRY.items() if ind.target == "monitored"}
    assert rising == {"1.2", "1.4", "2.2"}
    assert monitored == {"1.5", "1.6"}
    assert all(ind.target_value == 1.0 for i, ind in REGISTRY.items()
               if i not in rising | monitored)
    assert REGISTRY["1.4"].method == "poisson_byar"
    assert {REGISTRY["1.5"].method, REGISTRY["1.6"].method} == {"wilson"}
    assert REGISTRY["1.2"].method == "mean"


def test_unknown_indicator_is_refused_with_the_known_ids():
    with pytest.raises(Exception, match=r"unknown indicator '9\.9'.*'1\.1'"):
        get("9.9")


# ------------------------------------------------------------------------ the table


def test_tidy_table_has_exactly_the_design_columns_and_one_row_per_indicator_and_area(
        table):
    assert list(table.columns) == TIDY_COLUMNS == [
        "round", "level", "area_code", "area_name", "indicator", "numerator", "denominator",
        "value", "ci_low", "ci_high", "target", "status", "suppressed"]
    # 18 indicators × (county + 4 municipalities, the one that did not answer included)
    assert len(table) == 18 * 5
    assert set(table["level"]) == {"county", "municipality"}
    assert cell(table, "1.1", "18")["area_name"] == "Örebro län"
    assert cell(table, "1.1", "1884")["area_name"] == "Nora kommun"
    assert (table["round"] == 2024).all()
    assert not table["suppressed"].any()


def test_targets_are_one_for_100_percent_and_empty_for_rising_or_monitored(table):
    assert cell(table, "3.1", "18")["target"] == 1.0
    assert pd.isna(cell(table, "1.4", "18")["target"])
    assert pd.isna(cell(table, "1.5", "1880")["target"])


def test_municipality_that_did_not_answer_has_no_survey_values(table):
    nora = table.loc[table["area_code"] == "1884"].set_index("indicator")
    survey = [i for i in REGISTRY if i not in {"2.3", "2.4", "D.1"}]
    assert nora.loc[survey, "value"].isna().all()
    assert nora.loc["D.1", "value"] == 0.0


# ------------------------------------------------------------- goal area 1, by hand


def test_1_1_evidence_based_offer_counts_classes_a_and_b_only(table):
    # Örebro offers alfa (A); Kumla offers delta (D) only — beta has no groups and no
    # participants, so it is not offered; Lindesberg offers beta (B). County: 2 of 3.
    check(table, "1.1", "1880", 1, 1)
    check(table, "1.1", "1881", 0, 1)
    check(table, "1.1", "1885", 1, 1)
    check(table, "1.1", "1884", None, None)
    check(table, "1.1", "18", 2, 3)


def test_1_1_follows_which_classes_the_settings_call_evidence_based(reference):
    # With A–D all evidence-based, Kumla's delta (D) counts too: 3 of 3.
    wide = indicator_table(base_round(), reference,
                           Settings(evidence_based_classes=("A", "B", "C", "D")))
    check(wide, "1.1", "1881", 1, 1)
    check(wide, "1.1", "18", 3, 3)


def test_1_2_counts_distinct_evidence_based_programmes_and_averages_them(table):
    # Örebro: alfa, beta (beta offered through groups = 1) -> 2; Kumla 0;
    # Lindesberg: beta in two sectors is one programme -> 1. County mean (2+0+1)/3 = 1.0.
    check(table, "1.2", "1880", 2, 1, 2.0)
    check(table, "1.2", "1881", 0, 1, 0.0)
    check(table, "1.2", "1885", 1, 1, 1.0)
    check(table, "1.2", "18", 3, 3, 1.0)


def test_1_3_needs_two_sectors_among_offered_programmes(table):
    # Örebro: förskola, socialtjänst, skola, hälso- och sjukvård (4); Kumla: civilsamhälle
    # only (its skola row offers nothing); Lindesberg: förskola, socialtjänst. County 2 of 3.
    check(table, "1.3", "1880", 1, 1)
    check(table, "1.3", "1881", 0, 1)
    check(table, "1.3", "1885", 1, 1)
    check(table, "1.3", "18", 2, 3)


def test_1_4_parents_per_1000_children_with_byar_interval(table):
    # Örebro 20+10+6+0 = 36 / 10 000 × 1000 = 3.6; Kumla 0+3 = 3 / 4 000 → 0.75;
    # Lindesberg 30 + (blank) = 30 / 5 000 → 6.0; Nora did not answer: nothing.
    # County 69 / 19 000 × 1000 = 3.6316 (Nora's 2 000 children are not in the denominator).
    check(table, "1.4", "1880", 36, 10000, 3.6)
    check(table, "1.4", "1881", 3, 4000, 0.75)
    check(table, "1.4", "1885", 30, 5000, 6.0)
    check(table, "1.4", "1884", None, None)
    check(table, "1.4", "18", 69, 19000, 69 / 19000 * 1000)
    county = cell(table, "1.4", "18")
    # Byar (count 69 >= 10): low = O(1 - 1/(9O) - z/(3√O))³, high with O+1.
    o = 69
    low = o * (1 - 1 / (9 * o) - Z95 / (3 * math.sqrt(o))) ** 3
    high = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z95 / (3 * math.sqrt(o + 1))) ** 3
    assert county["ci_low"] == pytest.approx(low / 19000 * 1000, rel=1e-9)   # 2.8256
    assert county["ci_high"] == pytest.approx(high / 19000 * 1000, rel=1e-9)  # 4.5977


def test_1_4_small_count_uses_the_exact_poisson_interval(table):
    # Kumla: 3 parents. Exact 95 % limits for a count of 3 are 0.6187 and 8.7673
    # (Garwood; standard Poisson tables), so 0.1547 and 2.1918 per 1 000 of 4 000.
    kumla = cell(table, "1.4", "1881")
    assert kumla["ci_low"] == pytest.approx(0.6187 / 4, abs=1e-4)
    assert kumla["ci_high"] == pytest.approx(8.7673 / 4, abs=1e-4)


def wilson(x: int, n: int, z: float = Z95) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_1_5_share_of_men_counts_rows_with_both_women_and_men(table):
    # Örebro: alfa 5 of 20, gamma 4 of 10 (the other rows lack women/men) -> 9/30;
    # Kumla 0/3; Lindesberg 10/30. County (9+0+10)/(30+3+30) = 19/63.
    check(table, "1.5", "1880", 9, 30)
    check(table, "1.5", "1881", 0, 3)
    check(table, "1.5", "1885", 10, 30)
    check(table, "1.5", "18", 19, 63)
    low, high = wilson(19, 63)  # 0.2035, 0.4222
    county = cell(table, "1.5", "18")
    assert (county["ci_low"], county["ci_high"]) == (pytest.approx(low), pytest.approx(high))


def test_1_6_share_completed_counts_rows_with_both_counts(table):
    # Örebro 16/20 + 8/10 = 24/30; Kumla 3/3; Lindesberg 24/30 (its second row has no
    # participants). County 51/63.
    check(table, "1.6", "1880", 24, 30)
    check(table, "1.6", "1881", 3, 3)
    check(table, "1.6", "1885", 24, 30)
    check(table, "1.6", "18", 51, 63)
    low, high = wilson(3, 3)  # 0.4385, 1.0
    kumla = cell(table, "1.6", "1881")
    assert kumla["ci_low"] == pytest.approx(low)
    assert kumla["ci_high"] == pytest.approx(high)


def test_1_7_followed_up_over_offerings_where_it_was_answered(table):
    # Örebro: alfa yes, gamma no, the other two blank -> 1/2; Kumla: delta yes (beta is
    # not offered, its "no" does not count) -> 1/1; Lindesberg: 2/2. County 4/5, no interval.
    check(table, "1.7", "1880", 1, 2)
    check(table, "1.7", "1881", 1, 1)
    check(table, "1.7", "1885", 2, 2)
    check(table, "1.7", "18", 4, 5)
    assert pd.isna(cell(table, "1.7", "18")["ci_low"])


# ------------------------------------------------------------- goal area 2, by hand


def test_2_1_full_family_centre_and_blank_service_leaves_it_unknown(table):
    # Örebro has a full centre; Kumla has none (no); Lindesberg's only unit has BMM
    # blank, so whether it is full is unknown. County: 1 of the 2 known.
    check(table, "2.1", "1880", 1, 1)
    check(table, "2.1", "1881", 0, 1)
    check(table, "2.1", "1885", None, None)
    check(table, "2.1", "18", 1, 2)


def test_2_2_counts_full_and_family_centre_like_units_per_1000_young_children(table):
    # Örebro: Vivalla (full) + Brickeberg (BVC + öppen förskola) = 2 / 3 000 × 1000;
    # Kumla 0 / 1 200; Lindesberg 1 (BVC + both, BMM blank) / 1 500.
    # County 3 / 5 700 × 1000 = 0.5263; a census of units: no interval.
    check(table, "2.2", "1880", 2, 3000, 2 / 3)
    check(table, "2.2", "1881", 0, 1200, 0.0)
    check(table, "2.2", "1885", 1, 1500, 2 / 3)
    check(table, "2.2", "18", 3, 5700, 3 / 5.7)
    assert pd.isna(cell(table, "2.2", "18")["ci_high"])


def test_2_3_bmm_share_counts_every_listed_unit_even_where_nobody_answered(table):
    # Örebro 1/1; Nora (did not answer) 0/1: "no" beats the blank; Kumla's unit has a
    # yes and a blank: unknown, left out. County 1/2.
    check(table, "2.3", "1880", 1, 1)
    check(table, "2.3", "1884", 0, 1)
    check(table, "2.3", "1881", None, None)
    check(table, "2.3", "1885", None, None)
    check(table, "2.3", "18", 1, 2)


def test_2_4_bvc_share_counts_every_listed_unit(table):
    # Örebro 1/2; Nora 1/1; Lindesberg 0/1; Kumla has no BVC. County 2/4.
    check(table, "2.4", "1880", 1, 2)
    check(table, "2.4", "1884", 1, 1)
    check(table, "2.4", "1885", 0, 1)
    check(table, "2.4", "1881", None, None)
    check(table, "2.4", "18", 2, 4)


def test_2_5_every_age_band_must_meet_an_offered_programme(table):
    # Örebro: alfa 0–5, beta 3–12, gamma 13–17 -> all three bands; Kumla: delta 6–12
    # only; Lindesberg: beta 3–12 misses 13–17. County 1 of 3.
    check(table, "2.5", "1880", 1, 1)
    check(table, "2.5", "1881", 0, 1)
    check(table, "2.5", "1885", 0, 1)
    check(table, "2.5", "18", 1, 3)


def test_2_6_universal_and_targeted_levels_may_come_from_one_programme(table):
    # Örebro: universal (alfa) and indicated (gamma); Kumla: delta universal only;
    # Lindesberg: beta is universal and selective. County 2 of 3.
    check(table, "2.6", "1880", 1, 1)
    check(table, "2.6", "1881", 0, 1)
    check(table, "2.6", "1885", 1, 1)
    check(table, "2.6", "18", 2, 3)


# ------------------------------------------------------------- goal area 3, by hand


def test_3_1_steering_group(table):
    check(table, "3.1", "1880", 1, 1)
    check(table, "3.1", "1881", 0, 1)
    check(table, "3.1", "1885", 1, 1)
    check(table, "3.1", "18", 2, 3)


def test_3_2_municipality_without_a_group_has_not_all_five_sectors(table):
    # Örebro all five; Kumla no group -> no; Lindesberg health care blank -> unknown.
    # County 1 of the 2 known.
    check(table, "3.2", "1880", 1, 1)
    check(table, "3.2", "1881", 0, 1)
    check(table, "3.2", "1885", None, None)
    check(table, "3.2", "18", 1, 2)


def test_3_3_local_plan(table):
    check(table, "3.3", "1880", 1, 1)
    check(table, "3.3", "1881", 1, 1)
    check(table, "3.3", "1885", 0, 1)
    check(table, "3.3", "18", 2, 3)


def test_3_4_blank_answer_is_missing_not_no(table):
    # Kumla left the routine blank: the county is 2 of the 2 who answered the question.
    check(table, "3.4", "1881", None, None)
    check(table, "3.4", "18", 2, 2)


def test_d_1_response_rate_counts_every_municipality_of_the_county(table):
    check(table, "D.1", "1880", 1, 1)
    check(table, "D.1", "1884", 0, 1)
    check(table, "D.1", "18", 3, 4)


def test_round_without_programmes_gives_no_and_zero_not_missing(reference):
    round_ = make_round(2024, kommun=KOMMUN[:1], befolkning=BEFOLKNING)
    table = indicator_table(round_, reference, Settings())
    check(table, "1.1", "1880", 0, 1)
    check(table, "1.2", "1880", 0, 1, 0.0)
    check(table, "1.4", "1880", 0, 10000, 0.0)
    check(table, "1.5", "1880", None, None)
    check(table, "2.1", "1880", 0, 1)


# ------------------------------------------------- published round and its files


@pytest.fixture(scope="module")
def result(reference) -> RoundResult:
    return compute_round([base_round(2024), base_round(2026)], reference, Settings())


def test_published_round_withholds_small_parent_counts_and_a_second_cell(result):
    table = result.table(2026)
    # 1.4: Kumla has 3 parents (1–4): withheld. The county's 69 is published, so
    # Kumla's 3 would follow from 69 minus the others: a second municipality is
    # withheld too, chosen by the linear programme, and the county stays.
    kumla = cell(table, "1.4", "1881")
    assert kumla["suppressed"]
    assert kumla[["numerator", "denominator", "value", "ci_low", "ci_high"]].isna().all()
    assert pd.isna(kumla["status"])
    others = [c for c in ("1880", "1885") if cell(table, "1.4", c)["suppressed"]]
    assert len(others) == 1
    assert cell(table, "1.4", "18")["numerator"] == 69
    for indicator in ("1.5", "1.6"):
        assert cell(table, indicator, "1881")["suppressed"]
    # Census indicators are never withheld.
    assert not table.loc[table["indicator"] == "3.1", "suppressed"].any()


def test_published_round_has_status_from_the_published_values(result):
    table = result.table(2026)
    assert cell(table, "3.1", "1880")["status"] == "uppnått"
    # 2 of 3 both rounds: the straight line stays at 2/3 -> not on track.
    assert cell(table, "3.1", "18")["status"] == "ej på väg"
    assert cell(result.table(2024), "3.1", "18")["status"] == "baslinje"
    assert pd.isna(cell(table, "1.5", "18")["status"])  # monitored


def test_indicator_csv_has_the_design_columns_and_withheld_cells_empty(result, tmp_path):
    files = write_indicator_files(result, tmp_path)
    text = files.csv.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == ("round,level,area_code,area_name,indicator,numerator,denominator,"
                        "value,ci_low,ci_high,target,status,suppressed,title,unit")
    kumla_rate = [line for line in lines if line.startswith("2026,municipality,1881,")
                  and ",1.4," in line]
    assert kumla_rate == ["2026,municipality,1881,Kumla kommun,1.4,,,,,,,,true,"
                          "Föräldrar i program per 1 000 barn 0–17 år,per 1 000 barn"]
    county_share = [line for line in lines if line.startswith("2026,county,18,")
                    and ",1.1," in line]
    assert county_share == ["2026,county,18,Örebro län,1.1,2,3,0.6666666666666666,,,1.0,"
                            "ej på väg,false,Kommuner som erbjuder minst ett evidensbaserat "
                            "program,andel av kommunerna (0–1)"]
    back = pd.read_csv(files.csv, dtype={"area_code": str}, encoding="utf-8-sig")
    assert len(back) == len(result.indicators) == 2 * 18 * 5


def test_round_result_is_stored_and_read_back(result, tmp_path):
    path = result.save(tmp_path / "result.pkl")
    back = RoundResult.load(path)
    assert back.year == 2026 and back.years == [2024, 2026]
    assert back.region == "18" and back.region_name == "Örebro län"
    assert back.municipalities["code"].tolist() == ["1880", "1881", "1884", "1885"]
    pd.testing.assert_frame_equal(back.indicators, result.indicators)
    assert set(back.rounds) == {2024, 2026}


def test_loading_something_else_is_refused(tmp_path):
    with pytest.raises(Exception, match="no stored round result"):
        RoundResult.load(tmp_path / "missing.pkl")
