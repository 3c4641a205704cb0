"""Between rounds: change since the previous round, trends, and status against target.

Status rule (also in the method appendix, `evaluation.methods`):

- *uppnått*: the value meets a numeric target (value ≥ target).
- *baslinje*: the area's first round with a value: nothing to judge a direction by.
- two rounds with a value: the change between them is extended in a straight
  line to 2030; *på väg* when that line reaches the target, else *ej på väg*.
- three or more rounds: the GLM trend (binomial for shares, Poisson for rates)
  fitted to every round so far; *på väg* when its 2030 projection (point
  estimate) reaches the target. Should the model not fit, the two-round rule
  on the latest two rounds applies.
- A share "reaches" 100 % when the projected count rounds to all of them:
  projection ≥ (n − ½)/n with n the latest denominator. Without this a
  logistic projection, which never equals 1 exactly, could never be on track.
- "rising" targets: *på väg* when the value rose (two rounds) or the GLM slope
  is positive (three or more; beyond rounding noise), else *ej på väg*; never
  *uppnått*.
- "monitored" indicators, missing and withheld values: no status.
- In or after the target year a target not met is *ej på väg*.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import pandas as pd

from evaluation.compute import COUNTY, MUNICIPALITY, indicator_table
from evaluation.config import Settings
from evaluation.exceptions import ParameterError
from evaluation.indicators import REGISTRY, Indicator
from evaluation.model import RoundData
from evaluation.reference import Reference
from evaluation.schema import TARGET_YEAR
from evaluation.statistics import (
    StatisticsError,
    Trend,
    proportion_difference,
    rate_ratio,
    rate_trend,
    share_trend,
)

ACHIEVED = "uppnått"
ON_TRACK = "på väg"
NOT_ON_TRACK = "ej på väg"
BASELINE = "baslinje"
STATUSES: tuple[str, ...] = (ACHIEVED, ON_TRACK, NOT_ON_TRACK, BASELINE)

CHANGE_COLUMNS: list[str] = [
    "round", "previous_round", "level", "area_code", "indicator", "previous_value", "value",
    "difference", "ratio", "change_low", "change_high", "change_method", "gained", "lost",
]
TREND_COLUMNS: list[str] = [
    "round", "level", "area_code", "indicator", "rounds", "slope", "p_value", "projection",
    "projection_low", "projection_high",
]
_KEY = ["level", "area_code", "indicator"]
_EPSILON = 1e-9


def _as_table(history: pd.DataFrame | Sequence[pd.DataFrame]) -> pd.DataFrame:
    if isinstance(history, pd.DataFrame):
        return history
    frames = [f for f in history if len(f)]
    if not frames:
        return pd.DataFrame(columns=["round", *_KEY, "numerator", "denominator", "value"])
    return pd.concat(frames, ignore_index=True)


def _known(value: object) -> bool:
    return value is not None and not pd.isna(value)


def _published(row: Mapping[str, object]) -> bool:
    """A value that may be used: present and not withheld."""
    return _known(row["value"]) and not bool(row.get("suppressed", False))


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


# ---------------------------------------------------------------------------- change


def _paired_census(municipal: pd.DataFrame, previous: int,
                   current: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Municipalities that turned yes and turned no (known in both rounds)."""
    before = municipal.loc[municipal["round"] == previous].set_index("area_code")["value"]
    after = municipal.loc[municipal["round"] == current].set_index("area_code")["value"]
    both = before.dropna().index.intersection(after.dropna().index)
    gained = tuple(sorted(c for c in both if before[c] < 0.5 <= after[c]))
    lost = tuple(sorted(c for c in both if after[c] < 0.5 <= before[c]))
    return gained, lost


def change_method(ind: Indicator) -> str:
    """How a change is measured: census, newcombe, rate_ratio or difference."""
    if ind.census:
        return "census"
    return {"wilson": "newcombe", "poisson_byar": "rate_ratio"}.get(ind.method, "difference")


def _change(ind: Indicator, now: Mapping[str, object], before: Mapping[str, object],
            level: float) -> dict:
    method = change_method(ind)
    out: dict = {"difference": None, "ratio": None, "change_low": None, "change_high": None,
                 "change_method": method}
    if not (_published(now) and _published(before)):
        return out
    out["difference"] = float(now["value"]) - float(before["value"])
    counts = [now["numerator"], now["denominator"], before["numerator"], before["denominator"]]
    if not all(_known(c) for c in counts):
        return out
    x1, n1, x2, n2 = (int(c) for c in counts)
    if method == "newcombe":
        est = proportion_difference(x1, n1, x2, n2, level)
        out.update(difference=est.value, change_low=est.low, change_high=est.high)
    elif method == "rate_ratio":
        est = rate_ratio(x1, n1, x2, n2, level)
        out.update(ratio=est.value, change_low=est.low, change_high=est.high)
    return out


_NOTHING = {"value": None, "numerator": None, "denominator": None, "suppressed": False}


def changes(history: pd.DataFrame | Sequence[pd.DataFrame], level: float = 0.95) -> pd.DataFrame:
    """Change since the previous round for every indicator, area and round after the first.

    Yes/no census indicators give the municipalities that gained and lost at
    county level (a paired census); parent shares the Newcombe interval of the
    difference; rates over parents the rate ratio with its exact interval; the
    rest the plain difference. Withheld values give no change.
    """
    table = _as_table(history)
    rounds = sorted(int(r) for r in table["round"].unique())
    municipal = {ind: part for ind, part in
                 table.loc[table["level"] == MUNICIPALITY].groupby("indicator")}
    records = []
    for previous, current in zip(rounds, rounds[1:], strict=False):
        before = {(r["level"], r["area_code"], r["indicator"]): r
                  for r in _records(table.loc[table["round"] == previous])}
        for now in _records(table.loc[table["round"] == current]):
            key = (now["level"], now["area_code"], now["indicator"])
            ind = REGISTRY[key[2]]
            prev = before.get(key, _NOTHING)
            record = {
                "round": current, "previous_round": previous, "level": key[0],
                "area_code": key[1], "indicator": key[2],
                "previous_value": prev["value"] if _published(prev) else None,
                "value": now["value"] if _published(now) else None,
                **_change(ind, now, prev, level),
                "gained": None, "lost": None,
            }
            if ind.census and key[0] == COUNTY and ind.id in municipal:
                record["gained"], record["lost"] = _paired_census(municipal[ind.id],
                                                                  previous, current)
            records.append(record)
    frame = pd.DataFrame(records, columns=CHANGE_COLUMNS)
    for col in ("previous_value", "value", "difference", "ratio", "change_low", "change_high"):
        frame[col] = frame[col].astype("Float64")
    frame["round"] = frame["round"].astype("int64")
    frame["previous_round"] = frame["previous_round"].astype("int64")
    return frame


# ----------------------------------------------------------------------------- trend


@functools.lru_cache(maxsize=4096)
def _fit(kind: str, per: float, years: tuple[int, ...], nums: tuple[int, ...],
         dens: tuple[int, ...], level: float, target_year: int) -> Trend:
    if kind == "share":
        return share_trend(years, nums, dens, target_year=target_year, level=level)
    return rate_trend(years, nums, dens, per=per, target_year=target_year, level=level)


def _fit_records(ind: Indicator, records: Sequence[Mapping[str, object]], level: float,
                 target_year: int) -> Trend:
    return _fit(ind.trend_kind, ind.per,
                tuple(int(r["round"]) for r in records),
                tuple(int(r["numerator"]) for r in records),
                tuple(int(r["denominator"]) for r in records),
                level, target_year)


def fit_trend(ind: Indicator, series: pd.DataFrame, level: float = 0.95,
              target_year: int = TARGET_YEAR) -> Trend:
    """The GLM trend of one area's rounds (`round`, `numerator`, `denominator`):
    binomial for shares, Poisson with log-population offset for rates and means."""
    return _fit_records(ind, _records(series), level, target_year)


def _usable(records: Sequence[Mapping[str, object]]) -> list[Mapping[str, object]]:
    """Published rounds that carry the counts a trend needs."""
    return [r for r in records
            if _published(r) and _known(r["numerator"]) and _known(r["denominator"])]


def trends(history: pd.DataFrame | Sequence[pd.DataFrame], level: float = 0.95,
           target_year: int = TARGET_YEAR) -> pd.DataFrame:
    """GLM trend per indicator and area for each round with three or more values so far."""
    table = _as_table(history)
    records = []
    for key, group in table.groupby(_KEY, sort=False):
        ind = REGISTRY[key[2]]
        usable = _usable(_records(group.sort_values("round")))
        for i in range(3, len(usable) + 1):
            part = usable[:i]
            current = int(part[-1]["round"])
            if current > target_year:
                continue
            try:
                trend = _fit_records(ind, part, level, target_year)
            except StatisticsError:
                continue
            records.append({
                "round": current, "level": key[0], "area_code": key[1], "indicator": key[2],
                "rounds": i, "slope": trend.slope, "p_value": trend.p_value,
                "projection": trend.projection, "projection_low": trend.projection_low,
                "projection_high": trend.projection_high,
            })
    frame = pd.DataFrame(records, columns=TREND_COLUMNS)
    return frame.sort_values(["round", "indicator", "level", "area_code"],
                             ignore_index=True) if len(frame) else frame


# ---------------------------------------------------------------------------- status


def reaches(target: float, projection: float, denominator: object) -> bool:
    """A projected share reaches the target when its count rounds to the target's:
    projection ≥ target − ½/n (plain comparison without a denominator)."""
    tolerance = 0.5 / float(denominator) if _known(denominator) and denominator else 0.0
    return projection >= target - tolerance - _EPSILON


def _two_round(ind: Indicator, prev: Mapping[str, object], now: Mapping[str, object],
               target_year: int) -> str:
    v0, v1 = float(prev["value"]), float(now["value"])
    if ind.target_value is None:
        return ON_TRACK if v1 > v0 + _EPSILON else NOT_ON_TRACK
    y0, y1 = int(prev["round"]), int(now["round"])
    projection = v1 + (v1 - v0) / (y1 - y0) * (target_year - y1)
    return ON_TRACK if reaches(ind.target_value, projection, now["denominator"]) \
        else NOT_ON_TRACK


def _judge(ind: Indicator, series: Sequence[Mapping[str, object]], level: float,
           target_year: int) -> str | None:
    if ind.target == "monitored" or not series:
        return None
    now = series[-1]
    if not _published(now):
        return None
    target = ind.target_value
    if target is not None and float(now["value"]) >= target - _EPSILON:
        return ACHIEVED
    usable = [r for r in series if _published(r)]
    if len(usable) < 2:
        return BASELINE
    if int(now["round"]) >= target_year:
        return NOT_ON_TRACK
    with_counts = _usable(usable)
    if len(usable) >= 3 and len(with_counts) == len(usable):
        try:
            trend = _fit_records(ind, with_counts, level, target_year)
        except StatisticsError:
            pass
        else:
            if target is None:
                return ON_TRACK if trend.slope > _EPSILON else NOT_ON_TRACK
            return ON_TRACK if reaches(target, trend.projection, now["denominator"]) \
                else NOT_ON_TRACK
    return _two_round(ind, usable[-2], now, target_year)


def judge(ind: Indicator, series: pd.DataFrame, level: float = 0.95,
          target_year: int = TARGET_YEAR) -> str | None:
    """Status of the last row of `series` (one area's rounds so far, oldest first)."""
    return _judge(ind, _records(series.sort_values("round")), level, target_year)


def assign_status(history: pd.DataFrame | Sequence[pd.DataFrame], level: float = 0.95,
                  target_year: int = TARGET_YEAR) -> pd.DataFrame:
    """The tidy table with `status` filled in for every row, from the rounds up to its own."""
    table = _as_table(history).copy()
    status: dict[object, str | None] = {}
    for key, group in table.groupby(_KEY, sort=False):
        ind = REGISTRY[key[2]]
        group = group.sort_values("round")
        records = _records(group)
        for i, index in enumerate(group.index):
            status[index] = _judge(ind, records[: i + 1], level, target_year)
    table["status"] = pd.Series(status, dtype="str").reindex(table.index)
    return table


def history_table(rounds: Sequence[RoundData], reference: Reference,
                  settings: Settings) -> pd.DataFrame:
    """The tidy indicator table for every round, oldest first, with status filled in."""
    if not rounds:
        raise ParameterError("history_table needs at least one round")
    years = [r.year for r in rounds]
    if len(set(years)) != len(years):
        raise ParameterError(f"rounds must be distinct years, got {years}")
    regions = {r.region for r in rounds}
    if len(regions) != 1:
        raise ParameterError(f"rounds must be of one region, got {sorted(regions)}")
    ordered = sorted(rounds, key=lambda r: r.year)
    tables = [indicator_table(r, reference, settings) for r in ordered]
    table = pd.concat(tables, ignore_index=True)
    return assign_status(table, settings.confidence_level)
