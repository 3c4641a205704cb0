"""Swedish number formatting: no-break space for thousands, decimal comma."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.report.formatting import (
    MISSING,
    NBSP,
    WITHHELD,
    census,
    count,
    interval_text,
    number,
    percent,
    percentage_points,
    signed,
    value_text,
)


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(1234.5, 1, f"1{NBSP}234,5"), (33137, 0, f"33{NBSP}137"), (1234567.891, 2,
     f"1{NBSP}234{NBSP}567,89"), (0.5, 0, "1"), (2.5, 0, "3"), (2.675, 2, "2,68"),
     (-1234.5, 1, f"\u22121{NBSP}234,5"), (-0.04, 1, "0,0"), (7, 1, "7,0")],
)
def test_number_uses_no_break_space_decimal_comma_and_rounds_half_up(value, decimals, text):
    assert number(value, decimals) == text


def test_missing_value_is_a_dash():
    assert number(None) == number(float("nan")) == number(pd.NA) == MISSING == "–"
    assert percent(None) == census(None, 12) == count(None) == MISSING


def test_percent_of_a_share():
    assert percent(0.45) == f"45{NBSP}%"
    assert percent(0.4567, 1) == f"45,7{NBSP}%"
    assert percent(1.0) == f"100{NBSP}%"


def test_census_of_municipalities():
    assert census(9, 12) == "9 av 12"


def test_small_count_shows_less_than_threshold():
    assert count(3) == "<5"
    assert count(0) == "0"
    assert count(5) == "5"
    assert count(1234) == f"1{NBSP}234"
    assert count(7, threshold=10) == "<10"
    assert count(3, threshold=0) == "3"


def test_changes_carry_their_sign():
    assert signed(3) == "+3"
    assert signed(-1.5, 1) == "\u22121,5"
    assert signed(0) == "±0"
    assert percentage_points(0.05) == "+5 procentenheter"


def row(indicator, level, numerator, denominator, value, suppressed=False, low=None,
        high=None):
    return {"indicator": indicator, "level": level, "numerator": numerator,
            "denominator": denominator, "value": value, "suppressed": suppressed,
            "ci_low": low, "ci_high": high}


def test_value_text_follows_the_unit_of_the_indicator():
    assert value_text(row("3.1", "county", 9, 12, 0.75)) == f"9{NBSP}av{NBSP}12"
    assert value_text(row("3.1", "municipality", 1, 1, 1.0)) == "Ja"
    assert value_text(row("3.1", "municipality", 0, 1, 0.0)) == "Nej"
    assert value_text(row("1.5", "county", 19, 63, 19 / 63)) == f"30{NBSP}%"
    assert value_text(row("1.4", "county", 69, 19000, 69 / 19)) == "3,6"
    assert value_text(row("1.2", "county", 3, 2, 1.5)) == "1,5"
    assert value_text(row("1.2", "municipality", 2, 1, 2.0)) == "2"


def test_value_text_of_withheld_and_missing_rows():
    assert value_text(row("1.4", "municipality", None, None, None, suppressed=True)) \
        == WITHHELD
    assert value_text(row("3.1", "municipality", None, None, None)) == MISSING


def test_interval_text_by_unit():
    share = row("1.5", "county", 19, 63, 0.3016, low=0.2035, high=0.4222)
    assert interval_text(share) == f"20–42{NBSP}%"
    rate = row("1.4", "county", 69, 19000, 3.63, low=2.8256, high=4.5977)
    assert interval_text(rate) == "2,8–4,6"
    assert interval_text(row("3.1", "county", 9, 12, 0.75)) == ""
