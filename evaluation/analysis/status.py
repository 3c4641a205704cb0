"""Between rounds: change since the previous round, trends, and status against target.

Status rule (also in the method appendix, `evaluation.report.methods`):

- *uppnått*: the value meets a numeric target (value ≥ target).
- *baslinje*: the area's first round with a value, or no municipality answered
  both of the rounds compared: nothing to judge a direction by.
- One projection rule from the second round on: the change between the latest
  two rounds with a value, per year, is extended in a straight line from the
  current value to 2030, a share bounded to 0–100 %; *på väg* when it reaches the
  target, else *ej på väg*. A third round changes the rounds compared, never
  the rule, so a verdict cannot flip because a model was switched. (The GLM
  trend over three or more rounds, `trends`, describes; it does not judge.)
- Census shares of municipalities and the mean per municipality (1.2) are
  judged on a fixed population: their change is measured over the
  municipalities with a value in both rounds (a paired census), so that a
  municipality joining or leaving the respondents moves nothing.
- Parent shares and rates (1.4–1.6): *på väg* or *ej på väg* only when the
  change's interval (Newcombe for shares, the exact rate-ratio interval for
  rates) excludes no change; otherwise *ingen säker förändring*.
- 2.2 is judged on the number of centres (over the fixed population), not on
  its rate per child.
- A share "reaches" 100 % when the projected count rounds to all of them:
  projection ≥ (n − ½)/n with n the latest denominator.
- "rising" targets: *på väg* when the change judged is positive, else *ej på
  väg*; never *uppnått*.
- "monitored" indicators, missing and withheld values: no status.
- In or after the target year a numeric target not met is *ej på väg*.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from evaluation.indicators.context import COUNTY, MUNICIPALITY
from evaluation.indicators.registry import REGISTRY, Indicator
from evaluation.indicators.statistics import (
    StatisticsError,
    Trend,
    proportion_difference,
    rate_ratio,
    rate_trend,
    share_trend,
)
from evaluation.vocab import (
    ACHIEVED,
    BASELINE,
    NO_SURE_CHANGE,
    NOT_ON_TRACK,
    ON_TRACK,
    TARGET_YEAR,
)

CHANGE_COLUMNS: list[str] = [
    "round", "previous_round", "level", "area_code", "indicator", "previous_value", "value",
    "difference", "ratio", "change_low", "change_high", "change_method", "gained", "lost",
    "fixed_areas", "fixed_difference",
]
PROJECTION_COLUMNS: list[str] = [
    "round", "previous_round", "level", "area_code", "indicator", "fixed_areas", "change",
    "per_year", "projection", "status",
]
TREND_COLUMNS: list[str] = [
    "round", "level", "area_code", "indicator", "rounds", "slope", "p_value", "projection",
    "projection_low", "projection_high", "fixed_areas",
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


def _change(ind: Indicator, now: Mapping[str, object], before: Mapping[str, object],
            level: float) -> dict:
    method = ind.change_method
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
    fixed = _municipal(table)
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
                "gained": None, "lost": None, "fixed_areas": None, "fixed_difference": None,
            }
            if _published(now) and _published(prev) and ind.fixed_population:
                judged = judged_change(ind, now, prev, fixed)
                if judged is not None:
                    record["fixed_areas"] = judged.areas
                    record["fixed_difference"] = judged.change
            if ind.census and key[0] == COUNTY and ind.id in municipal:
                record["gained"], record["lost"] = _paired_census(municipal[ind.id],
                                                                  previous, current)
            records.append(record)
    frame = pd.DataFrame(records, columns=CHANGE_COLUMNS)
    for col in ("previous_value", "value", "difference", "ratio", "change_low", "change_high",
                "fixed_difference"):
        frame[col] = frame[col].astype("Float64")
    frame["fixed_areas"] = frame["fixed_areas"].astype("Int64")
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


def _usable(records: Sequence[Mapping[str, object]]) -> list[Mapping[str, object]]:
    """Published rounds that carry the counts a trend needs."""
    return [r for r in records
            if _published(r) and _known(r["numerator"]) and _known(r["denominator"])]


def trends(history: pd.DataFrame | Sequence[pd.DataFrame], level: float = 0.95,
           target_year: int = TARGET_YEAR) -> pd.DataFrame:
    """GLM trend per indicator and area for each round with three or more values so far.

    A county's census share, mean per municipality or 2.2 count is fitted over its
    fixed population: the municipalities with a value in every round of the fit.
    The trend describes; statuses follow `assess`.
    """
    table = _as_table(history)
    municipal = _municipal(table)
    records = []
    for key, group in table.groupby(_KEY, sort=False):
        ind = REGISTRY[key[2]]
        usable = _usable(_records(group.sort_values("round")))
        for i in range(3, len(usable) + 1):
            part, areas = _panel(ind, usable[:i], municipal)
            current = int(usable[i - 1]["round"])
            if current > target_year or not part:
                continue
            try:
                trend = _fit_records(ind, part, level, target_year)
            except StatisticsError:
                continue
            records.append({
                "round": current, "level": key[0], "area_code": key[1], "indicator": key[2],
                "rounds": i, "slope": trend.slope, "p_value": trend.p_value,
                "projection": trend.projection, "projection_low": trend.projection_low,
                "projection_high": trend.projection_high, "fixed_areas": areas,
            })
    frame = pd.DataFrame(records, columns=TREND_COLUMNS)
    return frame.sort_values(["round", "indicator", "level", "area_code"],
                             ignore_index=True) if len(frame) else frame


# ------------------------------------------------------------------ fixed population

#: Municipality rows of a table by (indicator, round): {area_code: row}.
Municipal = dict[tuple[str, int], dict[str, Mapping[str, object]]]


def _municipal(table: pd.DataFrame) -> Municipal:
    out: Municipal = {}
    part = table.loc[table["level"] == MUNICIPALITY]
    for r in _records(part):
        out.setdefault((str(r["indicator"]), int(r["round"])), {})[str(r["area_code"])] = r
    return out


def _belongs(municipality: str, area: str) -> bool:
    """A municipality's code starts with its county's; the country ("00") holds all."""
    return area == "00" or municipality.startswith(area)


@dataclass(frozen=True)
class Judged:
    """The change a status is judged on, between two rounds of one area."""

    change: float            # in the value's unit, or in centres for 2.2
    areas: int | None        # municipalities of the fixed population (None: the area alone)


def _sums(rows: Sequence[Mapping[str, object]]) -> tuple[int, int]:
    return (sum(int(r["numerator"]) for r in rows), sum(int(r["denominator"]) for r in rows))


def judged_change(ind: Indicator, now: Mapping[str, object], before: Mapping[str, object],
                  municipal: Municipal | None = None) -> Judged | None:
    """The change of `now` since `before` as the status judges it.

    A county's census share, mean or 2.2 count is compared over the
    municipalities with a published value in both rounds; without municipality
    rows (or for other indicators) the area's own values are compared. None when
    nothing can be compared (no municipality in both rounds).
    """
    numerator_only = ind.judged_on == "numerator"
    if now["level"] == COUNTY and ind.fixed_population and municipal is not None:
        key_now = (ind.id, int(now["round"]))
        key_before = (ind.id, int(before["round"]))
        if key_now in municipal or key_before in municipal:
            after_rows = municipal.get(key_now, {})
            before_rows = municipal.get(key_before, {})
            area = str(now["area_code"])
            codes = sorted(c for c in after_rows.keys() & before_rows.keys()
                           if _belongs(c, area) and _usable([after_rows[c]])
                           and _usable([before_rows[c]]))
            if not codes:
                return None
            x1, n1 = _sums([after_rows[c] for c in codes])
            x0, n0 = _sums([before_rows[c] for c in codes])
            if numerator_only:
                return Judged(float(x1 - x0), len(codes))
            return Judged(x1 / n1 * ind.per - x0 / n0 * ind.per, len(codes))
    if numerator_only:
        if not (_usable([now]) and _usable([before])):
            return None
        return Judged(float(int(now["numerator"]) - int(before["numerator"])), None)
    return Judged(float(now["value"]) - float(before["value"]), None)


def _panel(ind: Indicator, part: Sequence[Mapping[str, object]],
           municipal: Municipal) -> tuple[list[Mapping[str, object]], int | None]:
    """A county's rounds summed over the municipalities known in all of them (an
    empty list when there are none); other areas' rounds as they are."""
    first = part[0]
    keys = [(ind.id, int(r["round"])) for r in part]
    if not (first["level"] == COUNTY and ind.fixed_population
            and any(k in municipal for k in keys)):
        return list(part), None
    area = str(first["area_code"])
    rounds = [municipal.get(k, {}) for k in keys]
    codes = sorted(c for c in set.intersection(*(set(r) for r in rounds))
                   if _belongs(c, area) and all(_usable([r[c]]) for r in rounds))
    if not codes:
        return [], 0
    summed = []
    for record, rows in zip(part, rounds, strict=True):
        x, n = _sums([rows[c] for c in codes])
        summed.append({"round": record["round"], "numerator": x, "denominator": n})
    return summed, len(codes)


# ---------------------------------------------------------------------------- status


def reaches(target: float, projection: float, denominator: object) -> bool:
    """A projected share reaches the target when its count rounds to the target's:
    projection ≥ target − ½/n (plain comparison without a denominator)."""
    tolerance = 0.5 / float(denominator) if _known(denominator) and denominator else 0.0
    return projection >= target - tolerance - _EPSILON


def project(ind: Indicator, value: float, per_year: float, years: float) -> float:
    """The straight line from the current value, bounded: a share to 0–100 %, a rate
    or count to 0 and above."""
    projection = value + per_year * years
    high = 1.0 if ind.trend_kind == "share" else math.inf
    return min(max(projection, 0.0), high)


def _sure(ind: Indicator, now: Mapping[str, object], before: Mapping[str, object],
          level: float) -> bool:
    """Whether a parent share's or rate's change excludes no change at `level`."""
    counts = [now["numerator"], now["denominator"], before["numerator"], before["denominator"]]
    if not all(_known(c) for c in counts):
        return False
    x1, n1, x0, n0 = (int(c) for c in counts)
    try:
        if ind.change_method == "rate_ratio":
            est = rate_ratio(x1, n1, x0, n0, level)
            return est.low is not None and (est.low > 1.0 or est.high < 1.0)
        est = proportion_difference(x1, n1, x0, n0, level)
    except StatisticsError:
        return False
    return est.low is not None and (est.low > 0.0 or est.high < 0.0)


@dataclass(frozen=True)
class Assessment:
    """A status with what it rests on (for tests, the methods page and debugging)."""

    status: str | None
    previous_round: int | None = None
    change: float | None = None
    fixed_areas: int | None = None
    per_year: float | None = None
    projection: float | None = None


def assess(ind: Indicator, series: Sequence[Mapping[str, object]], level: float = 0.95,
           target_year: int = TARGET_YEAR, municipal: Municipal | None = None) -> Assessment:
    """The status of the last row of `series` (one area's rounds, oldest first)."""
    if ind.target == "monitored" or not series:
        return Assessment(None)
    now = series[-1]
    if not _published(now):
        return Assessment(None)
    target = ind.target_value
    if target is not None and float(now["value"]) >= target - _EPSILON:
        return Assessment(ACHIEVED)
    usable = [r for r in series if _published(r)]
    if len(usable) < 2:
        return Assessment(BASELINE)
    before = usable[-2]
    previous = int(before["round"])
    if target is not None and int(now["round"]) >= target_year:
        return Assessment(NOT_ON_TRACK, previous)
    judged = judged_change(ind, now, before, municipal)
    if judged is None:
        return Assessment(BASELINE, previous)
    if ind.parent_counts and not _sure(ind, now, before, level):
        return Assessment(NO_SURE_CHANGE, previous, judged.change, judged.areas)
    per_year = judged.change / (int(now["round"]) - previous)
    if target is None:  # rising
        status = ON_TRACK if judged.change > _EPSILON else NOT_ON_TRACK
        return Assessment(status, previous, judged.change, judged.areas, per_year)
    projection = project(ind, float(now["value"]), per_year, target_year - int(now["round"]))
    status = ON_TRACK if reaches(target, projection, now["denominator"]) else NOT_ON_TRACK
    return Assessment(status, previous, judged.change, judged.areas, per_year, projection)


def _assessments(table: pd.DataFrame, level: float,
                 target_year: int) -> dict[object, tuple[Mapping[str, object], Assessment]]:
    municipal = _municipal(table)
    out: dict[object, tuple[Mapping[str, object], Assessment]] = {}
    for key, group in table.groupby(_KEY, sort=False):
        ind = REGISTRY[key[2]]
        group = group.sort_values("round")
        records = _records(group)
        for i, index in enumerate(group.index):
            out[index] = (records[i], assess(ind, records[: i + 1], level, target_year,
                                             municipal))
    return out


def assign_status(history: pd.DataFrame | Sequence[pd.DataFrame], level: float = 0.95,
                  target_year: int = TARGET_YEAR) -> pd.DataFrame:
    """The tidy table with `status` filled in for every row, from the rounds up to its own.

    A county's row is judged with the table's municipality rows of that county,
    when there are any (the fixed population of census shares).
    """
    table = _as_table(history).copy()
    labels = table.index  # judged by position: two frames stacked may share labels
    table = table.reset_index(drop=True)
    judged = _assessments(table, level, target_year)
    status = {index: a.status for index, (_, a) in judged.items()}
    table["status"] = pd.Series(status, dtype="str").reindex(table.index)
    table.index = labels
    return table


def projections(history: pd.DataFrame | Sequence[pd.DataFrame], level: float = 0.95,
                target_year: int = TARGET_YEAR) -> pd.DataFrame:
    """What every status from the second round on rests on: the rounds compared, the
    change judged (and over how many municipalities), per year, and the bounded
    2030 projection for numeric targets."""
    table = _as_table(history)
    records = []
    for row, a in _assessments(table, level, target_year).values():
        if a.previous_round is None:
            continue
        records.append({"round": int(row["round"]), "previous_round": a.previous_round,
                        "level": row["level"], "area_code": row["area_code"],
                        "indicator": row["indicator"], "fixed_areas": a.fixed_areas,
                        "change": a.change, "per_year": a.per_year,
                        "projection": a.projection, "status": a.status})
    frame = pd.DataFrame(records, columns=PROJECTION_COLUMNS)
    for col in ("change", "per_year", "projection"):
        frame[col] = frame[col].astype("Float64")
    frame["fixed_areas"] = frame["fixed_areas"].astype("Int64")
    return frame
