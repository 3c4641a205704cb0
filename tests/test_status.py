"""Change, trend and status over synthetic rounds whose answers are known."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from builders import base_round, make_reference

from evaluation.analysis.results import compute_round
from evaluation.analysis.status import (
    assign_status,
    changes,
    project,
    projections,
    reaches,
    trends,
)
from evaluation.errors import ParameterError
from evaluation.indicators.registry import REGISTRY
from evaluation.settings import Settings
from evaluation.vocab import ACHIEVED, BASELINE, NO_SURE_CHANGE, NOT_ON_TRACK, ON_TRACK


def row(year, indicator, numerator, denominator, area="18", level="county", per=1.0,
        suppressed=False):
    value = None if numerator is None else numerator / denominator * per
    return {"round": year, "level": level, "area_code": area, "area_name": area,
            "indicator": indicator, "numerator": numerator, "denominator": denominator,
            "value": value, "ci_low": None, "ci_high": None, "target": None, "status": None,
            "suppressed": suppressed}


def tidy(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame["numerator"] = frame["numerator"].astype("Int64")
    frame["denominator"] = frame["denominator"].astype("Int64")
    frame["value"] = frame["value"].astype("Float64")
    return frame


def status_of(table: pd.DataFrame, year: int, indicator: str, area: str = "18") -> object:
    out = assign_status(table)
    hit = out.loc[(out["round"] == year) & (out["indicator"] == indicator)
                  & (out["area_code"] == area), "status"]
    assert len(hit) == 1
    return hit.iloc[0]


YEARS = (2024, 2026, 2028)


# -------------------------------------------------------------------------- status


def test_first_round_is_the_baseline():
    assert status_of(tidy(row(2024, "3.1", 6, 12)), 2024, "3.1") == BASELINE


def test_target_met_is_achieved_even_in_the_first_round():
    assert status_of(tidy(row(2024, "3.1", 12, 12)), 2024, "3.1") == ACHIEVED


def test_each_row_keeps_its_own_status_when_stacked_frames_share_index_labels():
    """The country's rows judged beside municipality rows from other frames (a
    national round): the same labels 0, 1, … must not swap their statuses."""
    county = tidy(row(2024, "3.3", 9, 12), row(2026, "3.3", 12, 12))
    municipal = tidy(row(2024, "3.3", 0, 1, area="1880", level="municipality"),
                     row(2026, "3.3", 0, 1, area="1880", level="municipality"))
    stacked = assign_status(pd.concat([county, municipal]))
    assert list(stacked.index) == [0, 1, 0, 1]
    assert stacked["status"].tolist() == [BASELINE, ACHIEVED, BASELINE, NOT_ON_TRACK]


def test_two_rounds_extend_the_change_in_a_straight_line_to_2030():
    # 9/12 -> 10/12 over 2024–2026: +1/12 per two years, four years left: 10/12 + 2/12 = 1.
    on_track = tidy(row(2024, "3.3", 9, 12), row(2026, "3.3", 10, 12))
    assert status_of(on_track, 2026, "3.3") == ON_TRACK
    # 8/12 -> 9/12: 9/12 + 2/12 = 11/12 = 0.917 < (12 − ½)/12 = 0.958.
    short = tidy(row(2024, "3.3", 8, 12), row(2026, "3.3", 9, 12))
    assert status_of(short, 2026, "3.3") == NOT_ON_TRACK


def test_falling_share_is_not_on_track():
    table = tidy(row(2024, "3.1", 10, 12), row(2026, "3.1", 9, 12))
    assert status_of(table, 2026, "3.1") == NOT_ON_TRACK


def test_three_rounds_extend_the_latest_change_by_the_same_straight_line():
    # 4/12, 8/12, 11/12: the latest change, +3/12 in two years, from 11/12 reaches
    # 14/12 in 2030, bounded to 100 %: on track.
    rising = tidy(*(row(y, "2.1", x, 12) for y, x in zip(YEARS, (4, 8, 11), strict=True)))
    assert status_of(rising, 2028, "2.1") == ON_TRACK
    # 3/12, 4/12, 4/12: no change since 2026, so 4/12 in 2030.
    flat = tidy(*(row(y, "2.1", x, 12) for y, x in zip(YEARS, (3, 4, 4), strict=True)))
    assert status_of(flat, 2028, "2.1") == NOT_ON_TRACK


def test_a_third_round_does_not_switch_the_rule():
    # 2/12, 2/12, 8/12: a logistic fit through all three projects about 85 % for 2030,
    # the straight line of the latest change 8/12 + 6/12 = 14/12 (bounded: 100 %).
    # One rule from the second round on: the verdict is that of the two-round line.
    three = tidy(*(row(y, "3.4", x, 12) for y, x in zip(YEARS, (2, 2, 8), strict=True)))
    two = tidy(row(2026, "3.4", 2, 12), row(2028, "3.4", 8, 12))
    assert status_of(three, 2028, "3.4") == status_of(two, 2028, "3.4") == ON_TRACK


def test_rising_target_is_on_track_when_the_rate_surely_rises_and_never_achieved():
    # 1 000, 2 000, 3 000 per 100 000: every ratio's interval lies far above 1.
    up = tidy(*(row(y, "1.4", c, 100000, per=1000)
                for y, c in zip(YEARS, (1000, 2000, 3000), strict=True)))
    down = tidy(*(row(y, "1.4", c, 100000, per=1000)
                  for y, c in zip(YEARS, (3000, 2000, 1000), strict=True)))
    assert status_of(up, 2026, "1.4") == ON_TRACK
    assert status_of(up, 2028, "1.4") == ON_TRACK
    assert status_of(down, 2026, "1.4") == NOT_ON_TRACK
    assert status_of(down, 2028, "1.4") == NOT_ON_TRACK


def test_unchanged_rate_is_no_sure_change():
    same = tidy(*(row(y, "1.4", 20, 10000, per=1000) for y in YEARS))
    assert status_of(same, 2026, "1.4") == NO_SURE_CHANGE
    assert status_of(same, 2028, "1.4") == NO_SURE_CHANGE


def test_monitored_indicator_has_no_status():
    table = tidy(*(row(y, "1.5", x, 40) for y, x in zip(YEARS, (5, 8, 12), strict=True)))
    assert assign_status(table)["status"].isna().all()


def test_withheld_and_missing_values_have_no_status_and_are_skipped():
    table = tidy(row(2024, "1.4", 10, 10000, per=1000),
                 row(2026, "1.4", None, None, suppressed=True),
                 row(2028, "1.4", 30, 10000, per=1000))
    assert pd.isna(status_of(table, 2026, "1.4"))
    # 2028 is judged on 2024 and 2028 only: it rose, but 10 -> 30 children's parents
    # per 10 000 is a ratio of 3 whose exact interval (1.43–6.88) lies above 1.
    assert status_of(table, 2028, "1.4") == ON_TRACK


def test_in_the_target_year_a_target_not_met_is_not_on_track():
    table = tidy(row(2028, "3.1", 9, 12), row(2030, "3.1", 11, 12))
    assert status_of(table, 2030, "3.1") == NOT_ON_TRACK


def test_a_share_reaches_the_target_when_its_count_rounds_to_all():
    assert reaches(1.0, 11.5 / 12, 12)
    assert not reaches(1.0, 11.4 / 12, 12)
    assert reaches(1.0, 1.0, None)


def test_municipality_yes_no_series_is_judged_as_well():
    table = tidy(row(2024, "3.1", 0, 1, area="1880", level="municipality"),
                 row(2026, "3.1", 0, 1, area="1880", level="municipality"),
                 row(2028, "3.1", 1, 1, area="1880", level="municipality"))
    out = assign_status(table).set_index("round")["status"]
    assert out.to_dict() == {2024: BASELINE, 2026: NOT_ON_TRACK, 2028: ACHIEVED}


# -------------------------------------------------------------------------- change


def census_rounds() -> pd.DataFrame:
    # Round 1: 1880 yes, 1881 no, 1885 yes; round 2: 1880 yes, 1881 yes, 1885 no;
    # 1884 answered only in round 2 (yes), so it is neither gained nor lost.
    rows = [row(2024, "3.1", 2, 3), row(2026, "3.1", 3, 4)]
    for year, answers in ((2024, {"1880": 1, "1881": 0, "1885": 1}),
                          (2026, {"1880": 1, "1881": 1, "1885": 0, "1884": 1})):
        for code, yes in answers.items():
            rows.append(row(year, "3.1", yes, 1, area=code, level="municipality"))
    return tidy(*rows)


def test_census_change_names_the_municipalities_gained_and_lost():
    out = changes(census_rounds())
    county = out.loc[(out["level"] == "county")].iloc[0]
    assert county["gained"] == ("1881",)
    assert county["lost"] == ("1885",)
    assert county["difference"] == pytest.approx(3 / 4 - 2 / 3)
    assert county["change_method"] == "census"
    assert (county["round"], county["previous_round"]) == (2026, 2024)


def test_parent_share_change_has_newcombes_interval():
    # Newcombe (1998), Statistics in Medicine 17:873, table II, example (a):
    # 56/70 − 48/80 = 0.2000, method 10 interval 0.0524 to 0.3339.
    table = tidy(row(2024, "1.5", 48, 80), row(2026, "1.5", 56, 70))
    change = changes(table).iloc[0]
    assert change["change_method"] == "newcombe"
    assert change["difference"] == pytest.approx(0.2)
    assert change["change_low"] == pytest.approx(0.0524, abs=5e-5)
    assert change["change_high"] == pytest.approx(0.3339, abs=5e-5)


def test_rate_change_is_a_rate_ratio_with_an_interval():
    # 30 per 10 000 after 20 per 10 000: ratio 1.5.
    table = tidy(row(2024, "1.4", 20, 10000, per=1000), row(2026, "1.4", 30, 10000, per=1000))
    change = changes(table).iloc[0]
    assert change["change_method"] == "rate_ratio"
    assert change["ratio"] == pytest.approx(1.5)
    assert change["difference"] == pytest.approx(1.0)  # 3.0 − 2.0 per 1 000
    assert change["change_low"] < 1.5 < change["change_high"]


def test_mean_change_is_the_plain_difference():
    table = tidy(row(2024, "1.2", 6, 4), row(2026, "1.2", 10, 4))
    change = changes(table).iloc[0]
    assert change["change_method"] == "difference"
    assert change["difference"] == pytest.approx(1.0)  # 2.5 − 1.5
    assert pd.isna(change["change_low"])


def test_no_change_is_given_for_a_withheld_value():
    table = tidy(row(2024, "1.4", None, None, suppressed=True),
                 row(2026, "1.4", 30, 10000, per=1000))
    change = changes(table).iloc[0]
    assert pd.isna(change["previous_value"]) and pd.isna(change["ratio"])
    assert pd.isna(change["difference"])


def test_first_round_alone_has_no_changes():
    assert changes(tidy(row(2024, "3.1", 2, 3))).empty


# --------------------------------------------------------------------------- trend


def test_trend_needs_three_rounds_and_follows_the_rate():
    counts = (10, 20, 40)
    table = tidy(*(row(y, "1.4", c, 10000, per=1000)
                   for y, c in zip(YEARS, counts, strict=True)))
    out = trends(table)
    assert out["round"].tolist() == [2028]
    fit = out.iloc[0]
    # Counts doubling every round over the same population lie exactly on a log-linear
    # line: slope ln 2 / 2 per year, and 2030 projects 80 per 10 000 = 8.0 per 1 000.
    assert fit["slope"] == pytest.approx(math.log(2) / 2, rel=1e-6)
    assert fit["projection"] == pytest.approx(8.0, rel=1e-6)
    assert fit["projection_low"] < 8.0 < fit["projection_high"]


def test_trend_accepts_a_list_of_round_tables():
    tables = [tidy(row(y, "3.1", x, 12)) for y, x in zip(YEARS, (4, 8, 11), strict=True)]
    out = trends(tables)
    assert len(out) == 1 and out.iloc[0]["slope"] > 0


# ------------------------------------------------------------------- whole rounds


def test_history_table_fills_status_for_every_round():
    table = compute_round([base_round(2026), base_round(2024)], make_reference(),
                          Settings()).indicators
    assert table["round"].unique().tolist() == [2024, 2026]
    county = table.loc[(table["level"] == "county") & (table["indicator"] == "3.4")]
    # 2 of 2 who answered the routine question in both rounds: achieved.
    assert county["status"].tolist() == [ACHIEVED, ACHIEVED]
    rate = table.loc[(table["area_code"] == "18") & (table["indicator"] == "1.4")]
    # The same rate twice: the ratio's interval holds 1, no sure change.
    assert rate["status"].tolist() == [BASELINE, NO_SURE_CHANGE]


def test_history_of_the_same_year_twice_is_refused():
    with pytest.raises(ParameterError, match=r"distinct years, got \[2024, 2024\]"):
        compute_round([base_round(2024), base_round(2024)], make_reference(), Settings())


# ------------------------------------------------- the cases measured on the examples

ÖREBRO = ("1814", "1860", "1861", "1862", "1863", "1864", "1880", "1881", "1882", "1883",
          "1884", "1885")


def census(indicator: str, year: int, yes: set[str], answered: tuple[str, ...]) -> list[dict]:
    """A county's census share and the yes/no row of each municipality that answered."""
    rows = [row(year, indicator, len(yes & set(answered)), len(answered))]
    rows += [row(year, indicator, int(code in yes), 1, area=code, level="municipality")
             for code in answered]
    return rows


def county_projection(table: pd.DataFrame, year: int, indicator: str) -> pd.Series:
    out = projections(table)
    return out.loc[(out["round"] == year) & (out["indicator"] == indicator)
                   & (out["level"] == "county")].iloc[0]


EARLIER = ÖREBRO[:5] + ÖREBRO[6:]  # Ljusnarsberg (1864) answers from 2026 on


def test_county_rate_ratio_of_0_99_with_interval_holding_1_is_no_sure_change():
    # County 1.4 of the example rounds: 1 790 parents per 61 988 children, then 1 795
    # per 62 643: ratio 0,99 (0,93–1,06).
    table = tidy(row(2024, "1.4", 1790, 61988, per=1000),
                 row(2026, "1.4", 1795, 62643, per=1000))
    change = changes(table).iloc[0]
    # as published, to two decimals
    assert (change["ratio"], change["change_low"], change["change_high"]) == pytest.approx(
        (0.99, 0.93, 1.06), abs=0.005)
    assert status_of(table, 2026, "1.4") == NO_SURE_CHANGE


def test_a_new_respondent_without_a_programme_does_not_make_1_1_off_track():
    # 2024: 10 of 11 offer one (not Laxå, 1860); 2026: all 11 of them do, and the new
    # respondent Ljusnarsberg does not: 11 of 12, a "fall" of who answered.
    before = set(EARLIER) - {"1860"}
    after = set(EARLIER)
    table = tidy(*census("1.1", 2024, before, EARLIER), *census("1.1", 2026, after, ÖREBRO))
    # On all respondents: 10/11 -> 11/12 projects 11/12 + 2 × 0.0076 = 93 %: off track.
    # On the 11 that answered both: +1/11 in two years, from 11/12: past 100 %.
    assert status_of(table, 2026, "1.1") == ON_TRACK
    judged = county_projection(table, 2026, "1.1")
    assert judged["fixed_areas"] == 11
    assert judged["change"] == pytest.approx(1 / 11)
    assert judged["projection"] == 1.0
    fixed = changes(table)
    county = fixed.loc[fixed["level"] == "county"].iloc[0]
    assert county["fixed_difference"] == pytest.approx(1 / 11)
    assert county["difference"] == pytest.approx(11 / 12 - 10 / 11)


@pytest.mark.parametrize(("indicator", "before", "after"), [
    # 2.1: the same 8 municipalities both rounds; Ljusnarsberg joins without a centre.
    ("2.1", set(EARLIER[:8]), set(EARLIER[:8])),
    # 2.6: one gained (Lekeberg) and one lost (Hallsberg): no change in number.
    ("2.6", set(EARLIER[1:10]), set(EARLIER[1:10]) - {"1861"} | {"1814"}),
])
def test_a_share_falling_only_by_who_answered_is_judged_as_unchanged(indicator, before,
                                                                      after):
    table = tidy(*census(indicator, 2024, before, EARLIER),
                 *census(indicator, 2026, after, ÖREBRO))
    county = table.loc[(table["level"] == "county")].set_index("round")
    assert county.loc[2026, "value"] < county.loc[2024, "value"]  # it "fell"
    judged = county_projection(table, 2026, indicator)
    assert judged["change"] == 0
    # No change: the projection is this round's value, not a falling line below it.
    assert judged["projection"] == pytest.approx(county.loc[2026, "value"])
    assert status_of(table, 2026, indicator) == NOT_ON_TRACK


def test_a_projection_past_100_percent_is_bounded():
    # 3.1: 8 of 11, then 11 of 12 (two gained, the new respondent has a group): the
    # straight line reaches 11/12 + 2 × 2/11 = 128 % in 2030; bounded to 100 %.
    before = set(EARLIER[:8])
    after = set(EARLIER[:10]) | {"1864"}
    table = tidy(*census("3.1", 2024, before, EARLIER), *census("3.1", 2026, after, ÖREBRO))
    judged = county_projection(table, 2026, "3.1")
    assert judged["projection"] == 1.0
    assert status_of(table, 2026, "3.1") == ON_TRACK
    assert project(REGISTRY["3.1"], 0.2, -0.1, 4) == 0.0
    assert project(REGISTRY["1.4"], 10.0, 2.0, 4) == pytest.approx(10.0 + 2.0 * 4, rel=1e-12)


def test_a_made_up_2028_round_gives_the_same_verdict_with_two_or_three_rounds():
    # 2.1 going 8 -> 10 of 12 between 2026 and 2028 (a logistic fit through 8/11, 8/12,
    # 10/12 would say off track, the two-round line on track).
    r2024 = census("2.1", 2024, set(EARLIER[:8]), EARLIER)
    r2026 = census("2.1", 2026, set(EARLIER[:8]), ÖREBRO)
    r2028 = census("2.1", 2028, set(EARLIER[:10]), ÖREBRO)
    three = status_of(tidy(*r2024, *r2026, *r2028), 2028, "2.1")
    two = status_of(tidy(*r2026, *r2028), 2028, "2.1")
    assert three == two == ON_TRACK  # 10/12 + 2/12 = 100 % in 2030


def test_2_2_is_judged_on_the_number_of_centres_not_on_the_children():
    def centres(year, count, children, area="1880"):
        return row(year, "2.2", count, children, area=area, level="municipality", per=1000)

    # Two centres both rounds, fewer children: the rate rose, the centres did not.
    fewer_children = tidy(centres(2024, 2, 500), centres(2026, 2, 450))
    assert status_of(fewer_children, 2026, "2.2", "1880") == NOT_ON_TRACK
    # A third centre for many more children: the rate fell, the centres rose.
    more_centres = tidy(centres(2024, 2, 500), centres(2026, 3, 800))
    assert status_of(more_centres, 2026, "2.2", "1880") == ON_TRACK
    # The county: centres counted over the municipalities that answered both rounds
    # (1881 joins in 2026 with one centre; 1880 keeps its two).
    county = tidy(row(2024, "2.2", 2, 500, per=1000), centres(2024, 2, 500),
                  row(2026, "2.2", 3, 700, per=1000), centres(2026, 2, 450),
                  centres(2026, 1, 250, area="1881"))
    assert status_of(county, 2026, "2.2") == NOT_ON_TRACK
    assert county_projection(county, 2026, "2.2")["change"] == 0


def test_a_county_is_judged_on_its_own_municipalities_and_the_country_on_all():
    # Örebro län (18) and Blekinge (10) in one table: Blekinge's 1081 gaining a group
    # moves the country's fixed change, never Örebro läns.
    rows = [row(2024, "3.1", 1, 2), row(2026, "3.1", 1, 2),
            row(2024, "3.1", 1, 3, area="00"), row(2026, "3.1", 2, 3, area="00")]
    for year, answers in ((2024, {"1880": 1, "1881": 0, "1081": 0}),
                          (2026, {"1880": 1, "1881": 0, "1081": 1})):
        rows += [row(year, "3.1", yes, 1, area=code, level="municipality")
                 for code, yes in answers.items()]
    out = projections(tidy(*rows))
    county = out.loc[(out["level"] == "county")].set_index("area_code")
    assert county.loc["18", ["fixed_areas", "change"]].tolist() == [2, 0]
    assert county.loc["00", "fixed_areas"] == 3
    assert county.loc["00", "change"] == pytest.approx(1 / 3)


def test_a_census_trend_is_fitted_over_the_municipalities_of_every_round():
    # 3.3 over three rounds: 11 municipalities answer each time (3, 5, 7 with a plan);
    # Ljusnarsberg joins in 2028 without one. The trend is that of 3/11, 5/11, 7/11.
    answered = {2024: EARLIER, 2026: EARLIER, 2028: ÖREBRO}
    yes = {2024: set(EARLIER[:3]), 2026: set(EARLIER[:5]), 2028: set(EARLIER[:7])}
    table = tidy(*(r for y in YEARS for r in census("3.3", y, yes[y], answered[y])))
    county = trends(table).query("level == 'county'").iloc[0]
    assert county["fixed_areas"] == 11
    panel = tidy(*(row(y, "3.3", x, 11) for y, x in zip(YEARS, (3, 5, 7), strict=True)))
    expected = trends(panel).iloc[0]
    assert county["slope"] == pytest.approx(expected["slope"])
    assert county["projection"] == pytest.approx(expected["projection"])
