"""Statistics against published reference values and hand-worked answers.

Reference values: PHE indicator methods (Wilson, Byar's and exact Poisson
intervals as published with PHEindicatormethods), Newcombe (1998) Statistics in
Medicine 17:873, Table II. Closed forms are worked out in the comments.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from scipy.stats import binom

from evaluation.errors import EvaluationError, ParameterError
from evaluation.indicators.statistics import (
    Estimate,
    StatisticsError,
    proportion,
    proportion_difference,
    rate,
    rate_ratio,
    rate_trend,
    share_trend,
)

pytestmark = pytest.mark.filterwarnings("error")

Z95 = NormalDist().inv_cdf(0.975)
YEARS = [2024, 2026, 2028]


def published(value: float, places: int | None = None) -> object:
    """A published figure: within 1e-6, or within rounding when given to fewer places."""
    tolerance = 1e-6 if places is None else max(1e-6, 0.5 * 10.0**-places)
    return pytest.approx(value, abs=tolerance, rel=0)


def ratio(value: float) -> object:
    """A ratio of counts computed in floating point: within one rounding of the exact
    value (limits at exactly 0 or 1, set by the code rather than computed, stay ==)."""
    return pytest.approx(value, rel=1e-12, abs=1e-15)


def expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def chi2_1df_sf(statistic: float) -> float:
    """Upper tail of chi-square with 1 df: P(Z² > s) = erfc(sqrt(s / 2))."""
    return math.erfc(math.sqrt(statistic / 2))


# ------------------------------------------------------------------ proportion


def test_wilson_interval_matches_phe_reference_for_65_of_100():
    result = proportion(65, 100)
    assert result.value == ratio(65 / 100)
    assert result.low == published(0.552544433)
    assert result.high == published(0.736357518)


def test_wilson_interval_at_998_percent_matches_phe_reference():
    result = proportion(65, 100, level=0.998)
    assert result.low == published(0.495494657)
    assert result.high == published(0.778354061)


def test_wilson_interval_matches_phe_reference_for_1045_of_5000():
    result = proportion(1045, 5000)
    assert result.value == pytest.approx(0.209)
    assert result.low == published(0.197955499)
    assert result.high == published(0.220491304)


def test_zero_of_n_has_lower_limit_zero_and_wilson_upper_limit():
    # Wilson with x = 0: upper = z² / (n + z²).
    result = proportion(0, 20)
    assert result == Estimate(0.0, 0.0, pytest.approx(Z95**2 / (20 + Z95**2)))


def test_n_of_n_has_upper_limit_one_and_wilson_lower_limit():
    # Wilson with x = n: lower = n / (n + z²).
    result = proportion(12, 12)
    assert result.value == 1.0
    assert result.high == 1.0
    assert result.low == pytest.approx(12 / (12 + Z95**2))


def test_whole_float_counts_from_a_spreadsheet_are_accepted():
    assert proportion(65.0, 100.0) == proportion(65, 100)


def test_numerator_above_denominator_is_rejected():
    with pytest.raises(StatisticsError) as error:
        proportion(12, 10)
    assert str(error.value) == "numerator (12) är större än denominator (10)"


def test_zero_denominator_is_rejected():
    with pytest.raises(StatisticsError) as error:
        proportion(0, 0)
    assert str(error.value) == "denominator ska vara större än 0: fick 0"


@pytest.mark.parametrize(
    ("numerator", "shown"), [(-1, "-1"), (2.5, "2.5"), (math.nan, "nan"), ("7", "'7'")]
)
def test_negative_fractional_or_missing_counts_are_rejected(numerator, shown):
    with pytest.raises(StatisticsError) as error:
        proportion(numerator, 10)
    assert str(error.value) == f"antal ska vara heltal, 0 eller mer: fick {shown}"


@pytest.mark.parametrize("level", [0, 1, 1.2, -0.5])
def test_confidence_level_outside_zero_and_one_is_rejected(level):
    with pytest.raises(StatisticsError) as error:
        proportion(5, 10, level=level)
    assert str(error.value) == f"konfidensnivån ska ligga mellan 0 och 1: fick {level}"


def test_statistics_errors_are_data_faults_not_usage_errors():
    with pytest.raises(EvaluationError) as error:
        proportion(-1, 10)
    assert not isinstance(error.value, ParameterError)
    assert error.value.exit_code == 1


# ------------------------------------------------------------------------ rate


def test_byars_interval_for_count_65_matches_phe_reference():
    result = rate(65, 100, per=100)
    assert result.value == 65
    assert result.low == published(50.1631877)
    assert result.high == published(82.8491385)


def test_byars_interval_for_count_1045_matches_phe_reference():
    # PHE gives the upper limit to five decimals only: 1110.33121.
    result = rate(1045, 1000, per=1000)
    assert result.value == pytest.approx(1045)
    assert result.low == published(982.593202)
    assert result.high == published(1110.33121, places=5)


def test_exact_interval_for_one_per_hundred_matches_phe_reference():
    result = rate(1, 100, per=100)
    assert result.value == 1
    assert result.low == published(0.0253178)
    assert result.high == published(5.5716434)


def test_count_zero_has_exact_interval_from_zero():
    # Exact upper limit for 0 events: chi2(0.975, 2) / 2 = −ln(0.025) events.
    result = rate(0, 4000, per=1000)
    assert result.value == 0
    assert result.low == 0
    assert result.high == pytest.approx(-math.log(0.025) / 4)


def test_count_nine_uses_the_exact_interval():
    # Garwood's exact limits for 9 events: 4.11537 – 17.08480.
    result = rate(9, 1, per=1)
    assert result.low == pytest.approx(4.115373, abs=1e-6)
    assert result.high == pytest.approx(17.084803, abs=1e-6)


def test_count_ten_switches_to_byars_method():
    # Byar: L = x(1 − 1/(9x) − z/(3√x))³, U = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³.
    result = rate(10, 1, per=1)
    assert result.low == pytest.approx(10 * (1 - 1 / 90 - Z95 / (3 * math.sqrt(10))) ** 3)
    assert result.high == pytest.approx(11 * (1 - 1 / 99 + Z95 / (3 * math.sqrt(11))) ** 3)


def test_rate_is_scaled_per_thousand_by_default():
    result = rate(65, 13000)
    assert result.value == pytest.approx(5.0)
    assert result.low == published(50.1631877 / 13)
    assert result.high == published(82.8491385 / 13)


def test_zero_population_is_rejected():
    with pytest.raises(StatisticsError) as error:
        rate(3, 0)
    assert str(error.value) == "population ska vara större än 0: fick 0"


def test_negative_count_in_a_rate_is_rejected():
    with pytest.raises(StatisticsError) as error:
        rate(-1, 1000)
    assert str(error.value) == "antal ska vara heltal, 0 eller mer: fick -1"


def test_per_must_be_positive():
    with pytest.raises(StatisticsError) as error:
        rate(3, 1000, per=0)
    assert str(error.value) == "per ska vara större än 0: fick 0"


# ------------------------------------------------------- proportion difference


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    [
        (56, 70, 48, 80, 0.0524, 0.3339),  # Table II (a)
        (9, 10, 3, 10, 0.1705, 0.8090),  # Table II (b)
        (5, 56, 0, 29, -0.0381, 0.1926),  # Table II (d)
        (0, 10, 0, 20, -0.1611, 0.2775),  # Table II (e)
    ],
)
def test_newcombe_interval_matches_newcombe_1998_table_ii(x1, n1, x2, n2, low, high):
    result = proportion_difference(x1, n1, x2, n2)
    assert result.value == pytest.approx(x1 / n1 - x2 / n2)
    assert result.low == pytest.approx(low, abs=5e-5)
    assert result.high == pytest.approx(high, abs=5e-5)


def test_newcombe_interval_for_all_against_none_reaches_one():
    # Newcombe's U = d + sqrt((u1 − p1)² + (p2 − l2)²) = 1 + 0 when p1 = 1 = u1, p2 = 0 = l2.
    result = proportion_difference(10, 10, 0, 20)
    assert result.value == 1.0
    assert result.high == 1.0
    # L = 1 − sqrt((1 − l1)² + u2²) with Wilson l1 = n/(n+z²), u2 = z²/(m+z²).
    l1 = 10 / (10 + Z95**2)
    u2 = Z95**2 / (20 + Z95**2)
    assert result.low == pytest.approx(1 - math.sqrt((1 - l1) ** 2 + u2**2))


def test_difference_with_x2_above_n2_is_rejected():
    with pytest.raises(StatisticsError) as error:
        proportion_difference(3, 10, 12, 10)
    assert str(error.value) == "x2 (12) är större än n2 (10)"


def test_difference_with_zero_n1_is_rejected():
    with pytest.raises(StatisticsError) as error:
        proportion_difference(0, 0, 1, 10)
    assert str(error.value) == "n1 ska vara större än 0: fick 0"


# ------------------------------------------------------------------ rate ratio


def test_rate_ratio_of_one_event_each_has_closed_form_exact_limits():
    # Given 2 events, count1 ~ Bin(2, p). Clopper–Pearson for 1 of 2:
    # 1 − (1 − p)² = 0.025 gives p_L = 1 − √0.975; 1 − p² = 0.025 gives p_U = √0.975.
    # With equal populations R = p / (1 − p).
    root = math.sqrt(0.975)
    result = rate_ratio(1, 5000, 1, 5000)
    assert result.value == 1.0
    assert result.low == pytest.approx((1 - root) / root)
    assert result.high == pytest.approx(root / (1 - root))


def test_rate_ratio_with_no_events_in_the_first_rate_starts_at_zero():
    # 0 of 3: p_U solves (1 − p)³ = 0.025; R_U = p_U / (1 − p_U) · pop2 / pop1.
    p_high = 1 - 0.025 ** (1 / 3)
    result = rate_ratio(0, 2000, 3, 1000)
    assert result.value == 0.0
    assert result.low == 0.0
    assert result.high == pytest.approx(p_high / (1 - p_high) * 1000 / 2000)


def test_rate_ratio_with_no_events_in_the_second_rate_is_infinite():
    # 3 of 3: p_L solves p³ = 0.025.
    p_low = 0.025 ** (1 / 3)
    result = rate_ratio(3, 1000, 0, 1000)
    assert result.value == math.inf
    assert result.high == math.inf
    assert result.low == pytest.approx(p_low / (1 - p_low))


def test_rate_ratio_limits_leave_half_alpha_in_each_conditional_tail():
    # The defining property of the exact conditional interval: at R_L the
    # chance of count1 or more of the 48 events is 2.5 %, at R_U of count1 or fewer.
    count1, pop1, count2, pop2 = 30, 2000, 18, 2500
    result = rate_ratio(count1, pop1, count2, pop2)
    assert result.value == pytest.approx((30 / 2000) / (18 / 2500))

    def share(ratio: float) -> float:
        return ratio * pop1 / (ratio * pop1 + pop2)

    total = count1 + count2
    assert binom.sf(count1 - 1, total, share(result.low)) == pytest.approx(0.025)
    assert binom.cdf(count1, total, share(result.high)) == pytest.approx(0.025)


def test_rate_ratio_without_any_events_has_no_value_and_no_interval():
    result = rate_ratio(0, 1000, 0, 1200)
    assert math.isnan(result.value)
    assert result.low is None and result.high is None


def test_rate_ratio_with_zero_population_is_rejected():
    with pytest.raises(StatisticsError) as error:
        rate_ratio(3, 1000, 2, 0)
    assert str(error.value) == "population2 ska vara större än 0: fick 0"


# ----------------------------------------------------------------- share trend
#
# Shares 100/300, 100/200, 200/300 have odds 1/2, 1, 2: they lie exactly on a
# logistic line with slope ln 2 / 2 per year and logit 0 at 2026, so the ML
# fit passes through them. In 2030 the logit is 2 ln 2, odds 4, share 0.8.
# Information with t = year − 2026 and w = n p (1 − p): w = 200/3, 50, 200/3,
# Σw = 550/3, Σwt = 0, Σwt² = 1600/3; Var(logit at t = 4) = 3/550 + 16 · 3/1600.
# Null deviance with pooled p = 1/2: 400 ln(2/3) + 800 ln(4/3); residual 0.

SHARE_X = [100, 100, 200]
SHARE_N = [300, 200, 300]


def test_share_trend_recovers_an_exact_logistic_line():
    trend = share_trend(YEARS, SHARE_X, SHARE_N)
    assert trend.slope == pytest.approx(math.log(2) / 2, abs=1e-8)
    assert trend.projection == pytest.approx(0.8, abs=1e-8)
    assert trend.fitted == pytest.approx({2024: 1 / 3, 2026: 0.5, 2028: 2 / 3}, abs=1e-8)


def test_share_trend_projection_interval_matches_hand_worked_wald_limits():
    trend = share_trend(YEARS, SHARE_X, SHARE_N)
    se = math.sqrt(3 / 550 + 16 * 3 / 1600)
    assert trend.projection_low == pytest.approx(expit(2 * math.log(2) - Z95 * se), abs=1e-7)
    assert trend.projection_high == pytest.approx(expit(2 * math.log(2) + Z95 * se), abs=1e-7)


def test_share_trend_p_value_is_the_likelihood_ratio_test_of_the_slope():
    trend = share_trend(YEARS, SHARE_X, SHARE_N)
    deviance_drop = 400 * math.log(2 / 3) + 800 * math.log(4 / 3)
    assert trend.p_value == pytest.approx(chi2_1df_sf(deviance_drop), rel=1e-5)


def test_share_trend_does_not_depend_on_the_order_of_the_rounds():
    forward = share_trend(YEARS, SHARE_X, SHARE_N)
    shuffled = share_trend([2028, 2024, 2026], [200, 100, 100], [300, 300, 200])
    assert shuffled.projection == pytest.approx(forward.projection)
    assert shuffled.fitted == pytest.approx(forward.fitted)


def test_share_trend_with_huge_counts_recovers_a_falling_curve_over_four_rounds():
    # logit p = 1 − 0.1 (year − 2024), n = 10⁹ per round, numerators rounded.
    years = [2024, 2026, 2028, 2030]
    n = 10**9
    numerators = [round(n * expit(1 - 0.1 * (y - 2024))) for y in years]
    trend = share_trend(years, numerators, [n] * 4, target_year=2032)
    assert trend.slope == pytest.approx(-0.1, abs=1e-6)
    assert trend.projection == pytest.approx(expit(1 - 0.8), abs=1e-6)


def test_share_trend_fit_solves_the_binomial_score_equations():
    # Data off any line: the ML fit must still satisfy Σ(x − n p̂) = 0 and
    # Σ t (x − n p̂) = 0, and its fitted logits must lie on one straight line.
    years = [2024, 2026, 2028, 2030]
    x = [300, 320, 310, 350]
    n = [1000, 1000, 1000, 1000]
    trend = share_trend(years, x, n)
    residuals = [xi - ni * trend.fitted[y] for y, xi, ni in zip(years, x, n, strict=True)]
    assert sum(residuals) == pytest.approx(0, abs=1e-5)
    assert sum((y - 2027) * r for y, r in zip(years, residuals, strict=True)) == pytest.approx(
        0, abs=1e-4
    )
    logits = [math.log(trend.fitted[y] / (1 - trend.fitted[y])) for y in years]
    assert logits[1] - logits[0] == pytest.approx(2 * trend.slope)
    assert logits[3] - logits[2] == pytest.approx(2 * trend.slope)
    assert math.log(trend.projection / (1 - trend.projection)) == pytest.approx(logits[3])


def test_full_share_every_round_projects_one_without_a_slope():
    # 36 of 36 pooled: Wilson lower limit n / (n + z²).
    trend = share_trend(YEARS, [12, 12, 12], [12, 12, 12])
    assert trend.slope == 0.0
    assert trend.p_value == 1.0
    assert trend.projection == 1.0
    assert trend.projection_high == 1.0
    assert trend.projection_low == pytest.approx(36 / (36 + Z95**2))
    assert trend.fitted == {2024: 1.0, 2026: 1.0, 2028: 1.0}


def test_empty_share_every_round_projects_zero():
    trend = share_trend(YEARS, [0, 0, 0], [10, 10, 10])
    assert trend.slope == 0.0
    assert trend.projection == 0.0
    assert trend.projection_low == 0.0
    assert trend.projection_high == pytest.approx(Z95**2 / (30 + Z95**2))


def test_share_reaching_full_after_the_first_round_projects_one():
    # 5/10 then 10/10 twice: the ML line runs to 100 % with an infinite slope.
    # LR statistic: limit log-likelihood has only round 1 at p = 1/2; the null
    # has pooled p = 5/6 everywhere (binomial coefficients cancel).
    trend = share_trend(YEARS, [5, 10, 10], [10, 10, 10])
    assert trend.slope == math.inf
    assert trend.projection == 1.0
    assert (trend.projection_low, trend.projection_high) == (0.0, 1.0)
    assert trend.fitted == {2024: 0.5, 2026: 1.0, 2028: 1.0}
    limit = 10 * math.log(0.5)
    null = 25 * math.log(5 / 6) + 5 * math.log(1 / 6)
    assert trend.p_value == pytest.approx(chi2_1df_sf(2 * (limit - null)))


def test_separated_share_projected_to_its_last_round_is_that_rounds_share():
    trend = share_trend(YEARS, [0, 0, 4], [10, 10, 10], target_year=2028)
    assert trend.slope == math.inf
    assert trend.projection == ratio(4 / 10)
    beyond = share_trend(YEARS, [0, 0, 4], [10, 10, 10])
    assert beyond.projection == 1.0


def test_share_falling_to_zero_projects_zero():
    trend = share_trend(YEARS, [7, 0, 0], [9, 8, 10])
    assert trend.slope == -math.inf
    assert trend.projection == 0.0


def test_share_trend_needs_three_rounds():
    with pytest.raises(StatisticsError) as error:
        share_trend([2024, 2026], [1, 2], [10, 10])
    assert str(error.value) == "en trend kräver minst 3 omgångar: fick 2"


def test_share_trend_rejects_sequences_of_different_length():
    with pytest.raises(StatisticsError) as error:
        share_trend(YEARS, [1, 2, 3], [10, 10])
    assert str(error.value) == (
        "years, numerators och denominators ska vara lika långa: fick 3, 3 och 2"
    )


def test_share_trend_rejects_a_repeated_year():
    with pytest.raises(StatisticsError) as error:
        share_trend([2024, 2026, 2026], [1, 2, 3], [10, 10, 10])
    assert str(error.value) == "years ska vara olika år: fick 2026 mer än en gång"


def test_share_trend_rejects_a_target_before_the_last_round():
    with pytest.raises(StatisticsError) as error:
        share_trend(YEARS, [1, 2, 3], [10, 10, 10], target_year=2026)
    assert str(error.value) == "target_year (2026) ligger före den senaste omgången (2028)"


def test_share_trend_rejects_a_numerator_above_its_denominator():
    with pytest.raises(StatisticsError) as error:
        share_trend(YEARS, [1, 12, 3], [10, 10, 10])
    assert str(error.value) == "numerator (12) är större än denominator (10)"


# ------------------------------------------------------------------ rate trend
#
# Counts 100, 200, 400 per 1 000 each round double every two years: log rate
# has slope ln 2 / 2 and the 2030 rate is 800 per 1 000. With t = year − 2026
# and weights μ = 100, 200, 400 the information is [[700, 600], [600, 2000]],
# determinant 1 040 000; Var(log μ at t = 4) = (2000 − 8 · 600 + 16 · 700) / 1 040 000.
# Null deviance with pooled 700/3 per round: 2 Σ y ln(y / (700/3)).

RATE_COUNTS = [100, 200, 400]
RATE_POPS = [1000, 1000, 1000]


def test_rate_trend_recovers_an_exact_exponential_line():
    trend = rate_trend(YEARS, RATE_COUNTS, RATE_POPS)
    assert trend.slope == pytest.approx(math.log(2) / 2, rel=1e-7)
    assert trend.projection == pytest.approx(800, rel=1e-7)
    assert trend.fitted == pytest.approx({2024: 100, 2026: 200, 2028: 400}, rel=1e-7)


def test_rate_trend_projection_interval_matches_hand_worked_wald_limits():
    trend = rate_trend(YEARS, RATE_COUNTS, RATE_POPS)
    se = math.sqrt((2000 - 8 * 600 + 16 * 700) / 1_040_000)
    assert trend.projection_low == pytest.approx(800 * math.exp(-Z95 * se), rel=1e-6)
    assert trend.projection_high == pytest.approx(800 * math.exp(Z95 * se), rel=1e-6)


def test_rate_trend_p_value_is_the_likelihood_ratio_test_of_the_slope():
    trend = rate_trend(YEARS, RATE_COUNTS, RATE_POPS)
    mean = 700 / 3
    deviance = 2 * sum(y * math.log(y / mean) for y in RATE_COUNTS)
    assert trend.p_value == pytest.approx(chi2_1df_sf(deviance), rel=1e-4)


def test_rate_trend_uses_population_as_offset_and_per_as_scale():
    # The same rates in populations of different sizes, per 100 instead of per 1 000.
    trend = rate_trend(YEARS, [50, 200, 800], [500, 1000, 2000], per=100)
    assert trend.slope == pytest.approx(math.log(2) / 2, rel=1e-7)
    assert trend.projection == pytest.approx(80, rel=1e-7)
    assert trend.fitted == pytest.approx({2024: 10, 2026: 20, 2028: 40}, rel=1e-7)


def test_rate_trend_without_events_projects_zero_with_exact_upper_limit():
    # Pooled: 0 events in 3 000; exact upper −ln(0.025) events → per 1 000.
    trend = rate_trend(YEARS, [0, 0, 0], RATE_POPS)
    assert trend.slope == 0.0
    assert trend.p_value == 1.0
    assert trend.projection == 0.0
    assert trend.projection_low == 0.0
    assert trend.projection_high == pytest.approx(-math.log(0.025) / 3)


def test_rate_trend_with_events_only_in_the_last_round_rises_without_bound():
    trend = rate_trend(YEARS, [0, 0, 5], RATE_POPS)
    assert trend.slope == math.inf
    assert trend.projection == math.inf
    assert trend.fitted == ratio({2024: 0.0, 2026: 0.0, 2028: 5 / 1000 * 1000})
    at_last = rate_trend(YEARS, [0, 0, 5], RATE_POPS, target_year=2028)
    assert at_last.projection == ratio(5 / 1000 * 1000)


def test_rate_trend_with_events_only_in_the_first_round_projects_zero():
    trend = rate_trend(YEARS, [6, 0, 0], RATE_POPS)
    assert trend.slope == -math.inf
    assert trend.projection == 0.0


def test_rate_trend_needs_three_rounds():
    with pytest.raises(StatisticsError) as error:
        rate_trend([2024, 2026], [1, 2], [1000, 1000])
    assert str(error.value) == "en trend kräver minst 3 omgångar: fick 2"


def test_rate_trend_rejects_a_zero_population():
    with pytest.raises(StatisticsError) as error:
        rate_trend(YEARS, [1, 2, 3], [1000, 0, 1000])
    assert str(error.value) == "population ska vara större än 0: fick 0"


def test_results_are_plain_floats_for_export():
    for estimate in (rate(12, 3000), rate(3, 3000), proportion_difference(1, 2, 1, 3),
                     rate_ratio(3, 4, 5, 6), proportion(1, 3)):
        assert all(type(v) is float for v in (estimate.value, estimate.low, estimate.high))


def test_flat_rate_trend_fits_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trend = rate_trend([2024, 2026, 2028], [48, 48, 48], [35238, 35238, 35238])
    assert abs(trend.slope) < 1e-9
    assert trend.projection == pytest.approx(48 / 35238 * 1000)
