"""Intervals, comparisons and trends behind the indicators.

The methods are those of English public-health practice (PHE indicator
methods), so that the region's figures can be read like any published
indicator: Wilson intervals for shares, exact Poisson or Byar's intervals for
rates, Newcombe's interval for the change in a share, and GLM trends for the
projection towards 2030. Every function checks its input and raises
`StatisticsError` with a message that names the offending value.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from evaluation.errors import StatisticsError

if TYPE_CHECKING:
    import statsmodels.api as sm
    from statsmodels.genmod.generalized_linear_model import GLMResults

# statsmodels and scipy.stats are imported where they are used: they take seconds
# to import, and the report kernels load this module without fitting anything.

__all__ = [
    "BYAR_THRESHOLD",
    "MIN_TREND_ROUNDS",
    "Estimate",
    "StatisticsError",
    "Trend",
    "proportion",
    "proportion_difference",
    "rate",
    "rate_ratio",
    "rate_trend",
    "share_trend",
]

#: Counts below this get the exact Poisson interval, counts at or above it Byar's.
BYAR_THRESHOLD = 10
#: A trend line through fewer rounds than this says nothing about 2030.
MIN_TREND_ROUNDS = 3


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    `value` is a share as a fraction 0–1, a rate per `per`, a difference or a
    ratio; `low` and `high` are None where no interval applies.
    """

    value: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Trend:
    """A fitted trend over the rounds and where it leads by the target year.

    `slope` is per year on the link scale (logit for shares, log for rates);
    `p_value` is the likelihood-ratio test of a zero slope; `projection` and
    `fitted` are on the natural scale (a fraction, or a rate per `per`).
    """

    slope: float
    p_value: float
    projection: float
    projection_low: float
    projection_high: float
    fitted: dict[int, float]


def _trend(
    years: Sequence[int] | np.ndarray,
    fitted: Sequence[float] | np.ndarray,
    slope: float,
    deviance_drop: float,
    projection: float,
    low: float,
    high: float,
) -> Trend:
    """A Trend from a fit (or its limit): the slope's p-value from the drop in deviance."""
    return Trend(
        slope=float(slope),
        p_value=_lr_p_value(deviance_drop),
        projection=float(projection),
        projection_low=float(low),
        projection_high=float(high),
        fitted={int(t): float(v) for t, v in zip(years, fitted, strict=True)},
    )


# --------------------------------------------------------------------------- checks


def _count(value: object) -> int:
    """A whole, non-negative count; floats such as 12.0 from a spreadsheet pass."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise StatisticsError(f"antal ska vara heltal, 0 eller mer: fick {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise StatisticsError(f"antal ska vara heltal, 0 eller mer: fick {value}")
    return int(number)


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise StatisticsError(f"{name} ska vara ett tal: fick {value!r}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise StatisticsError(f"{name} ska vara ett ändligt tal: fick {value}")
    if number <= 0:
        raise StatisticsError(f"{name} ska vara större än 0: fick {value}")
    return number


def _alpha(level: object) -> float:
    if isinstance(level, bool) or not isinstance(level, numbers.Real):
        raise StatisticsError(f"konfidensnivån ska vara ett tal: fick {level!r}")
    if not 0 < float(level) < 1:
        raise StatisticsError(f"konfidensnivån ska ligga mellan 0 och 1: fick {level}")
    return 1.0 - float(level)


def _part_of_whole(part_name: str, part: object, whole_name: str, whole: object) -> tuple[int, int]:
    x = _count(part)
    n = _count(whole)
    if n == 0:
        raise StatisticsError(f"{whole_name} ska vara större än 0: fick {whole}")
    if x > n:
        raise StatisticsError(f"{part_name} ({x}) är större än {whole_name} ({n})")
    return x, n


def _clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return float(min(max(value, low), high))


# ------------------------------------------------------------------ single figures


def proportion(numerator: int, denominator: int, level: float = 0.95) -> Estimate:
    """Share with its Wilson score interval, which keeps within 0–1 and holds
    its coverage for the small counts of a single municipality."""
    from statsmodels.stats.proportion import proportion_confint

    alpha = _alpha(level)
    x, n = _part_of_whole("numerator", numerator, "denominator", denominator)
    low, high = proportion_confint(x, n, alpha=alpha, method="wilson")
    return Estimate(x / n, _clip(low), _clip(high))


def _count_interval(count: int, alpha: float) -> tuple[float, float]:
    """Interval for a Poisson count: exact (chi-square) below `BYAR_THRESHOLD`,
    Byar's approximation from it on, as PHE's indicator methods do."""
    from scipy.stats import norm
    from statsmodels.stats.rates import confint_poisson

    if count < BYAR_THRESHOLD:
        low, high = confint_poisson(count, 1.0, alpha=alpha, method="exact-c")
        return float(low), float(high)
    z = float(norm.ppf(1 - alpha / 2))
    low = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = count + 1
    high = upper * (1 - 1 / (9 * upper) + z / (3 * math.sqrt(upper))) ** 3
    return low, high


def rate(count: int, population: float, per: float = 1000, level: float = 0.95) -> Estimate:
    """Events per `per` of the population, with the exact Poisson interval for
    counts under 10 and Byar's method for larger counts."""
    alpha = _alpha(level)
    x = _count(count)
    pop = _positive("population", population)
    scale = _positive("per", per) / pop
    low, high = _count_interval(x, alpha)
    return Estimate(x * scale, low * scale, high * scale)


# ------------------------------------------------------------ change between rounds


def proportion_difference(
    x1: int, n1: int, x2: int, n2: int, level: float = 0.95
) -> Estimate:
    """Difference p1 − p2 with Newcombe's hybrid score interval (Newcombe 1998,
    method 10), built from the two Wilson intervals."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    alpha = _alpha(level)
    a, m = _part_of_whole("x1", x1, "n1", n1)
    b, n = _part_of_whole("x2", x2, "n2", n2)
    low, high = confint_proportions_2indep(
        a, m, b, n, method="newcomb", compare="diff", alpha=alpha
    )
    return Estimate(a / m - b / n, _clip(low, -1.0), _clip(high, -1.0))


def rate_ratio(
    count1: int, population1: float, count2: int, population2: float, level: float = 0.95
) -> Estimate:
    """Ratio of two rates with the exact conditional (binomial) interval.

    Given the total count, count1 is binomial with p = R·pop1 / (R·pop1 + pop2)
    where R is the rate ratio; the Clopper–Pearson interval for p is mapped to
    R = p / (1 − p) · pop2 / pop1 (Breslow & Day vol. II, §2.2). It is exact at
    any count, so the change stays honest for small municipalities.

    When both counts are 0 there is no ratio: the value is NaN and there is no
    interval. When only count2 is 0 the ratio and its upper limit are infinite.
    """
    from statsmodels.stats.proportion import proportion_confint

    alpha = _alpha(level)
    c1 = _count(count1)
    c2 = _count(count2)
    pop1 = _positive("population1", population1)
    pop2 = _positive("population2", population2)
    total = c1 + c2
    if total == 0:
        return Estimate(math.nan, None, None)
    p_low, p_high = proportion_confint(c1, total, alpha=alpha, method="beta")

    def to_ratio(p: float) -> float:
        p = _clip(p)
        return math.inf if p >= 1.0 else p / (1.0 - p) * pop2 / pop1

    value = math.inf if c2 == 0 else (c1 / pop1) / (c2 / pop2)
    return Estimate(value, to_ratio(p_low), to_ratio(p_high))


# -------------------------------------------------------------------------- trends


def _rounds(
    years: Sequence[int], columns: dict[str, Sequence[object]], target_year: int
) -> tuple[np.ndarray, int]:
    """The checked years (as given, not yet sorted) and the checked target year."""
    lengths = [len(years), *(len(v) for v in columns.values())]
    if len(set(lengths)) != 1:
        names = ["years", *columns]
        listed = ", ".join(names[:-1]) + f" och {names[-1]}"
        counts = ", ".join(str(n) for n in lengths[:-1]) + f" och {lengths[-1]}"
        raise StatisticsError(f"{listed} ska vara lika långa: fick {counts}")
    if len(years) < MIN_TREND_ROUNDS:
        raise StatisticsError(f"en trend kräver minst {MIN_TREND_ROUNDS} omgångar: fick "
                              f"{len(years)}")
    checked = []
    for year in years:
        whole = (
            not isinstance(year, bool)
            and isinstance(year, numbers.Real)
            and math.isfinite(year)
            and year == int(year)
        )
        if not whole:
            raise StatisticsError(f"years ska vara hela årtal: fick {year!r}")
        checked.append(int(year))
    seen: set[int] = set()
    for year in checked:
        if year in seen:
            raise StatisticsError(f"years ska vara olika år: fick {year} mer än en gång")
        seen.add(year)
    if isinstance(target_year, bool) or not isinstance(target_year, numbers.Integral):
        raise StatisticsError(f"target_year ska vara ett helt årtal: fick {target_year!r}")
    if target_year < max(checked):
        raise StatisticsError(f"target_year ({target_year}) ligger före den senaste omgången "
                              f"({max(checked)})")
    return np.array(checked, dtype=float), int(target_year)


def _design(years: np.ndarray, target_year: int) -> tuple[np.ndarray, np.ndarray]:
    """Design matrix on the year centred at the rounds' mean, and the target's row."""
    centre = years.mean()
    exog = np.column_stack([np.ones_like(years), years - centre])
    return exog, np.array([[1.0, target_year - centre]])


def _fit(model: sm.GLM) -> GLMResults:
    """Fit a GLM whose data are known not to be separated.

    Separation is ruled out before fitting, so statsmodels' separation warning
    can only mean that the line passes exactly through every round, which
    identifies the fit fully; it is silenced for that reason.
    """
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        result = model.fit()
        _ = result.null_deviance  # fits the null model lazily: inside the filter too
        return result


def _lr_p_value(deviance_drop: float) -> float:
    """Likelihood-ratio p-value for the slope (1 degree of freedom)."""
    from scipy.stats import chi2

    return float(chi2.sf(max(deviance_drop, 0.0), 1))


def _binomial_separation(y: np.ndarray, n: np.ndarray) -> int:
    """+1 or −1 when the shares are separated by year (no finite ML fit), else 0.

    With one covariate, the logit fit diverges exactly when every round before
    some round is at 0 % and every round after it at 100 % (or the reverse);
    that round may lie anywhere in between. All rounds at 0 % or all at 100 %
    are the flat case of this and return +1 / −1 as well.
    """
    at_zero = y == 0
    at_full = y == n
    k = len(y)
    for pivot in range(k):
        if at_zero[:pivot].all() and at_full[pivot + 1:].all():
            return 1
        if at_full[:pivot].all() and at_zero[pivot + 1:].all():
            return -1
    return 0


def share_trend(years: Sequence[int], numerators: Sequence[int], denominators: Sequence[int],
                target_year: int = 2030, level: float = 0.95) -> Trend:
    """Logistic trend of a share over the rounds (binomial GLM, logit link).

    When the shares are separated by year – every round at 100 % (12 of 12
    each time), or at 0 % before some round and 100 % after it – the
    maximum-likelihood line lies at the boundary and has no finite slope.
    Its limit is reported instead: fitted values and the projection are the
    limit shares (1.0 for a share that is full in the last round); the slope
    is 0.0 when every round sits at the same boundary, else ±inf. The
    projection interval is the Wilson interval of the pooled rounds when all
    sit at one boundary (a flat trend fits them exactly), otherwise the whole
    range 0–1, as a trend that cannot be estimated bounds nothing.
    """
    import statsmodels.api as sm

    alpha = _alpha(level)
    year_array, target = _rounds(
        years, {"numerators": numerators, "denominators": denominators}, target_year
    )
    pairs = [
        _part_of_whole("numerator", x, "denominator", n)
        for x, n in zip(numerators, denominators, strict=True)
    ]
    order = np.argsort(year_array)
    year_array = year_array[order]
    y = np.array([pairs[i][0] for i in order], dtype=float)
    n = np.array([pairs[i][1] for i in order], dtype=float)
    exog, target_row = _design(year_array, target)

    direction = _binomial_separation(y, n)
    if direction:
        return _separated_share_trend(year_array, y, n, direction, target, alpha)

    result = _fit(sm.GLM(np.column_stack([y, n - y]), exog, family=sm.families.Binomial()))
    low, high = result.get_prediction(target_row).conf_int(alpha=alpha)[0]
    return _trend(year_array, result.fittedvalues, result.params[1],
                  result.null_deviance - result.deviance, result.predict(target_row)[0], low, high)


def _separated_share_trend(
    years: np.ndarray, y: np.ndarray, n: np.ndarray, direction: int, target: int, alpha: float
) -> Trend:
    """The limit of the logit fit for separated shares (see `share_trend`)."""
    from scipy.stats import binom
    from statsmodels.stats.proportion import proportion_confint

    flat = bool((y == n).all() or (y == 0).all())
    fitted = y / n
    if flat:
        slope = 0.0
        projection = float(fitted[-1])
    else:
        slope = math.inf if direction > 0 else -math.inf
        # Past the last round the limit line sits at the boundary it heads for,
        # even when the last round is the one round between 0 % and 100 %.
        projection = float(fitted[-1]) if target == years[-1] else float(direction > 0)
    if flat:
        low, high = proportion_confint(int(y.sum()), int(n.sum()), alpha=alpha, method="wilson")
        low, high = _clip(low), _clip(high)
    else:
        low, high = 0.0, 1.0
    pooled = y.sum() / n.sum()
    limit_loglik = binom.logpmf(y, n, fitted).sum()
    null_loglik = binom.logpmf(y, n, pooled).sum()
    return _trend(years, fitted, slope, 2 * (limit_loglik - null_loglik), projection, low, high)


def rate_trend(
    years: Sequence[int],
    counts: Sequence[int],
    populations: Sequence[float],
    per: float = 1000,
    target_year: int = 2030,
    level: float = 0.95,
) -> Trend:
    """Log-linear trend of a rate over the rounds (Poisson GLM with a
    log-population offset).

    The fit has no finite slope when every count is 0, or when only the first
    or only the last round has events. Then the limit is reported: all zero
    gives slope 0.0, fitted and projected rate 0 and the exact Poisson interval
    of the pooled rounds; events only in the last round give slope +inf and an
    infinite projection, events only in the first give slope −inf and a
    projection of 0, both with the interval 0 to infinity.
    """
    import statsmodels.api as sm

    alpha = _alpha(level)
    year_array, target = _rounds(
        years, {"counts": counts, "populations": populations}, target_year
    )
    scale = _positive("per", per)
    checked_counts = [_count(c) for c in counts]
    checked_pops = [_positive("population", p) for p in populations]
    order = np.argsort(year_array)
    year_array = year_array[order]
    y = np.array([checked_counts[i] for i in order], dtype=float)
    pop = np.array([checked_pops[i] for i in order], dtype=float)
    exog, target_row = _design(year_array, target)

    positive = np.flatnonzero(y > 0)
    if positive.size == 0 or (positive.size == 1 and positive[0] in (0, len(y) - 1)):
        return _separated_rate_trend(year_array, y, pop, scale, positive, target, alpha)

    result = _fit(sm.GLM(y, exog, family=sm.families.Poisson(), offset=np.log(pop)))
    offset = np.array([math.log(scale)])
    low, high = result.get_prediction(target_row, offset=offset).conf_int(alpha=alpha)[0]
    fitted = result.fittedvalues / pop * scale
    return _trend(year_array, fitted, result.params[1], result.null_deviance - result.deviance,
                  result.predict(target_row, offset=offset)[0], low, high)


def _separated_rate_trend(
    years: np.ndarray,
    y: np.ndarray,
    pop: np.ndarray,
    scale: float,
    positive: np.ndarray,
    target: int,
    alpha: float,
) -> Trend:
    """The limit of the log-linear fit when it has no finite slope (see `rate_trend`)."""
    from scipy.stats import poisson

    fitted_counts = y.copy()
    last_rate = float(y[-1] / pop[-1] * scale)
    if positive.size == 0:
        slope, projection = 0.0, 0.0
        _, high = _count_interval(0, alpha)
        low, high = 0.0, float(high / pop.sum() * scale)
    elif positive[0] == len(y) - 1:
        slope, low, high = math.inf, 0.0, math.inf
        projection = last_rate if target == years[-1] else math.inf
    else:
        slope, projection, low, high = -math.inf, 0.0, 0.0, math.inf
    pooled_rate = y.sum() / pop.sum()
    limit_loglik = poisson.logpmf(y, fitted_counts).sum()
    null_loglik = poisson.logpmf(y, pooled_rate * pop).sum()
    fitted = fitted_counts / pop * scale
    return _trend(years, fitted, slope, 2 * (limit_loglik - null_loglik), projection, low, high)
