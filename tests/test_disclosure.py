"""Disclosure control: primary and secondary suppression on hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.disclosure import complementary, is_small, small_counts, suppress_table
from evaluation.status import changes


def rows(indicator: str, county: tuple[int, int], munis: dict[str, tuple[int, int] | None],
         per: float = 1000.0, year: int = 2024) -> list[dict]:
    out = []
    for level, code, counts in [("county", "18", county),
                                *(("municipality", c, v) for c, v in munis.items())]:
        num, den = counts if counts is not None else (None, None)
        out.append({
            "round": year, "level": level, "area_code": code, "area_name": code,
            "indicator": indicator, "numerator": num, "denominator": den,
            "value": None if num is None else num / den * per,
            "ci_low": None if num is None else 0.0, "ci_high": None if num is None else 1.0,
            "target": None, "status": None if num is None else "baslinje",
            "suppressed": False,
        })
    return out


def tidy(*parts: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([r for part in parts for r in part])
    for col in ("numerator", "denominator"):
        frame[col] = frame[col].astype("Int64")
    for col in ("value", "ci_low", "ci_high"):
        frame[col] = frame[col].astype("Float64")
    frame["status"] = frame["status"].astype("str")
    return frame


def withheld(table: pd.DataFrame, indicator: str = "1.4") -> list[str]:
    part = table.loc[(table["indicator"] == indicator) & table["suppressed"]]
    return part["area_code"].tolist()


RATE = rows("1.4", (100, 20000), {"1880": (3, 5000), "1881": (40, 5000), "1885": (57, 10000)})


def test_small_count_is_withheld_with_its_value_interval_and_status():
    out = suppress_table(tidy(RATE), threshold=5)
    kumla = out.loc[out["area_code"] == "1880"].iloc[0]
    assert kumla["suppressed"]
    for col in ("numerator", "denominator", "value", "ci_low", "ci_high", "status"):
        assert pd.isna(kumla[col]), col


def test_one_hidden_cell_beside_a_published_total_hides_the_next_smallest():
    # 3 is hidden; 100 − 40 − 57 would give it back, so 40 (smaller than 57) goes too.
    out = suppress_table(tidy(RATE), threshold=5)
    assert withheld(out) == ["1880", "1881"]
    assert out.loc[out["area_code"] == "18", "numerator"].iloc[0] == 100


def test_two_hidden_cells_need_no_third():
    table = tidy(rows("1.4", (100, 20000),
                      {"1880": (3, 5000), "1881": (2, 5000), "1885": (95, 10000)}))
    assert withheld(suppress_table(table, threshold=5)) == ["1880", "1881"]


def test_small_county_total_is_withheld_too():
    # County 4 parents: itself small. Its one municipality with parents is hidden; the
    # total is not published, so nothing else needs to go.
    table = tidy(rows("1.4", (4, 20000),
                      {"1880": (4, 5000), "1881": (0, 5000), "1885": (0, 10000)}))
    assert withheld(suppress_table(table, threshold=5)) == ["18", "1880"]


def test_two_municipalities_one_hidden_hides_the_other():
    # 30 − 27 = 3: with only two municipalities the second one (27) is hidden as well.
    table = tidy(rows("1.4", (30, 9000), {"1880": (3, 5000), "1881": (27, 4000)}))
    assert withheld(suppress_table(table, threshold=5)) == ["1880", "1881"]


def test_a_municipality_alone_with_few_parents_hides_the_county_as_well():
    # Only Örebro answered, with 3 parents: the county total is the same 3.
    table = tidy(rows("1.4", (3, 5000), {"1880": (3, 5000), "1881": None}))
    assert withheld(suppress_table(table, threshold=5)) == ["18", "1880"]


def test_zero_is_not_a_small_count():
    table = tidy(rows("1.4", (60, 20000), {"1880": (0, 5000), "1881": (60, 15000)}))
    assert withheld(suppress_table(table, threshold=5)) == []


def test_threshold_is_configurable_and_zero_turns_it_off():
    table = tidy(rows("1.4", (100, 20000),
                      {"1880": (7, 5000), "1881": (40, 5000), "1885": (53, 10000)}))
    assert withheld(suppress_table(table, threshold=5)) == []
    assert withheld(suppress_table(table, threshold=10)) == ["1880", "1881"]
    assert withheld(suppress_table(tidy(RATE), threshold=0)) == []


def test_share_of_parents_checks_the_complement_as_well():
    # 28 men of 30 parents leaves 2 women: a count of 1–4, so the share is withheld.
    table = tidy(rows("1.5", (58, 90), {"1880": (28, 30), "1881": (30, 60)}, per=1.0))
    out = suppress_table(table, threshold=5)
    assert withheld(out, "1.5") == ["1880", "1881"]


def test_census_indicators_are_never_withheld():
    table = tidy(rows("3.1", (2, 3), {"1880": (1, 1), "1881": (0, 1), "1885": (1, 1)},
                      per=1.0))
    assert withheld(suppress_table(table, threshold=5), "3.1") == []


def test_each_round_is_protected_on_its_own():
    table = tidy(RATE, rows("1.4", (100, 20000),
                            {"1880": (33, 5000), "1881": (10, 5000), "1885": (57, 10000)},
                            year=2026))
    out = suppress_table(table, threshold=5)
    assert out.loc[out["suppressed"], "round"].tolist() == [2024, 2024]


def test_change_is_not_given_where_either_round_is_withheld():
    table = tidy(RATE, rows("1.4", (120, 20000),
                            {"1880": (20, 5000), "1881": (40, 5000), "1885": (60, 10000)},
                            year=2026))
    out = changes(suppress_table(table, threshold=5))
    by_area = out.set_index("area_code")
    assert pd.isna(by_area.loc["1880", "ratio"])      # withheld in 2024
    assert pd.isna(by_area.loc["1881", "ratio"])      # the second cell in 2024
    assert by_area.loc["1885", "ratio"] == pytest.approx(60 / 57)


def test_small_counts_and_the_complementary_cell_are_found_in_a_plain_series():
    counts = pd.Series([0, 3, 12, 8, None], index=list("abcde"), dtype="Int64")
    small = small_counts(counts, 5)
    assert small.tolist() == [False, True, False, False, False]
    assert complementary(counts, small).tolist() == [False, False, False, True, False]
    assert not complementary(counts, small, total_published=False).any()
    assert is_small(1, 5) and is_small(4, 5) and not is_small(5, 5) and not is_small(0, 5)


def test_municipality_withheld_in_one_parent_indicator_is_withheld_in_all():
    # 1.4 hides 1880 (3 parents) and its second cell 1881 (40). Nothing in 1.6 is small,
    # but it counts the same parents: 1881's 40 who started would give back its 1.4
    # figure, so 1881 is withheld there as well. 1880 has no 1.6 value, so 1881 is the
    # only hidden 1.6 cell beside a published total: 1885 goes too, and then in 1.4 as
    # well (hiding more never uncovers anything).
    completed = rows("1.6", (77, 97), {"1880": None, "1881": (30, 40), "1885": (47, 57)},
                     per=1.0)
    out = suppress_table(tidy(RATE, completed), threshold=5)
    assert withheld(out, "1.6") == ["1881", "1885"]
    assert withheld(out, "1.4") == ["1880", "1881", "1885"]


def test_second_cell_chosen_for_one_indicator_protects_the_others():
    # 1.5: only 1885 is small (2 women beside 55 men). Its second cell is the next
    # smallest there: 1880 (5 men, 5 women) rather than 1881 (10 men). 1.4 has nothing
    # small, but then holds exactly these two hidden cells, so no third is needed.
    men = rows("1.5", (70, 100), {"1880": (5, 10), "1881": (10, 33), "1885": (55, 57)},
               per=1.0)
    rate = rows("1.4", (100, 20000), {"1880": (10, 5000), "1881": (33, 5000),
                                      "1885": (57, 10000)})
    out = suppress_table(tidy(rate, men), threshold=5)
    assert withheld(out, "1.5") == ["1880", "1885"]
    assert withheld(out, "1.4") == ["1880", "1885"]
