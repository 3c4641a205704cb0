"""Comparison with the county by whether the municipality's interval excludes it."""

from __future__ import annotations

from evaluation.indicators.statistics import proportion
from evaluation.report.comparison import HIGHER, LOWER, NO_SURE_DIFFERENCE, compare, parent_based


def own(x, n):
    est = proportion(x, n, 0.95)
    return {"value": x / n, "ci_low": est.low, "ci_high": est.high, "suppressed": False}


def test_laxas_hundred_percent_of_eight_is_no_sure_difference_from_77_percent():
    # 8 of 8 parents: the Wilson interval is 68–100 %, which holds the county's 77 %
    row = own(8, 8)
    assert abs(row["ci_low"] - 8 / (8 + 1.959964**2)) < 1e-6  # Wilson, x = n: n/(n+z²)
    assert compare(row, {"value": 0.77}) == NO_SURE_DIFFERENCE


def test_interval_wholly_above_or_below_the_county_value_is_higher_or_lower():
    assert compare(own(90, 100), {"value": 0.77}) == HIGHER  # 83–95 %
    assert compare(own(50, 100), {"value": 0.77}) == LOWER  # 40–60 %


def test_withheld_or_missing_values_get_no_comparison():
    assert compare({"suppressed": True}, {"value": 0.5}) is None
    assert compare(own(5, 10), {"value": None, "suppressed": False}) is None
    assert compare(None, {"value": 0.5}) is None


def test_the_parent_based_indicators_are_compared():
    assert parent_based() == ["1.4", "1.5", "1.6"]


def _bars_table():
    import pandas as pd

    rows = [{"round": 2026, "level": "county", "area_code": "18", "area_name": "Örebro län",
             "indicator": "1.6", "numerator": 708, "denominator": 922, "value": 0.77,
             "ci_low": 0.74, "ci_high": 0.79, "status": None, "suppressed": False}]
    laxa = own(8, 8)
    rows.append({"round": 2026, "level": "municipality", "area_code": "1860",
                 "area_name": "Laxå kommun", "indicator": "1.6", "numerator": 8,
                 "denominator": 8, "status": None, **laxa})
    return pd.DataFrame(rows)


def test_bar_chart_names_each_interval_in_its_alt_text_and_draws_it():
    from matplotlib.collections import LineCollection

    from evaluation.report import charts

    table = _bars_table()
    args = (table, "1.6", 2026, "Andel deltagare som fullföljt", "andel", None)
    assert "Laxå 100\u00a0% (68–100\u00a0%)" in charts.alt_text_bars(*args)
    fig = charts.municipality_bars(*args)
    bars = fig.axes[0]
    assert any(isinstance(c, LineCollection) for c in bars.collections)  # error bars
