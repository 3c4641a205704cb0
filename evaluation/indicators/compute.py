"""Indicator values of one round: one tidy row per indicator and area (DESIGN §4, §6).

Blank answers are missing, never "no": a yes/no share counts only the
municipalities that answered that question, and a combination of answers (all
five sectors, co-location with two services) follows three-valued logic, so it
is "no" as soon as one part is "no" and missing only while it could still be
either. Municipalities that did not answer the survey get empty survey-based
values; the region's BMM/BVC list (2.3, 2.4) and the response rate (D.1) are
known for every municipality.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from evaluation.indicators.statistics import proportion, rate
from evaluation.intake.model import RoundData
from evaluation.intake.reference import Reference
from evaluation.settings import Settings

#: Columns of the tidy indicator table, in order (DESIGN §6).
TIDY_COLUMNS: list[str] = [
    "round", "level", "area_code", "area_name", "indicator", "numerator", "denominator",
    "value", "ci_low", "ci_high", "target", "status", "suppressed",
]
TIDY_DTYPES: dict[str, str] = {
    "round": "int64", "level": "str", "area_code": "str", "area_name": "str",
    "indicator": "str", "numerator": "Int64", "denominator": "Int64", "value": "Float64",
    "ci_low": "Float64", "ci_high": "Float64", "target": "Float64", "status": "str",
    "suppressed": "bool",
}
COUNTY = "county"
MUNICIPALITY = "municipality"

#: Age bands of the strategy's "throughout the child's upbringing (0–17)".
AGE_BANDS: tuple[tuple[int, int], ...] = ((0, 5), (6, 12), (13, 17))
UNIVERSAL = "universal"
TARGETED = frozenset({"selective", "indicated"})
GROUP_SECTORS = ("group_preschool", "group_school", "group_social_services",
                 "group_health_care", "group_civil_society")
NOT_CLASSIFIED = "Ej klassificerat"


@dataclass(frozen=True)
class Cell:
    """One area's figure: numerator, denominator, value and its interval."""

    numerator: int | None = None
    denominator: int | None = None
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


Cells = dict[str, Cell]


@dataclass
class RoundContext:
    """A round's tables cut to one county and prepared once for every indicator."""

    year: int
    region: str
    county_name: str
    municipalities: dict[str, str]
    answered: list[str]
    kommun: pd.DataFrame
    program: pd.DataFrame
    familjecentraler: pd.DataFrame
    vardenheter: pd.DataFrame
    population: pd.DataFrame
    catalogue: pd.DataFrame
    settings: Settings


def _in(frame: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    return frame.loc[frame["municipality"].isin(list(codes))].reset_index(drop=True)


def build_context(round_: RoundData, reference: Reference, settings: Settings) -> RoundContext:
    """Cut the round to its county and mark what each programme row counts as."""
    county = reference.county(round_.region)
    munis = reference.county_municipalities(round_.region)
    names = dict(zip(munis["code"], munis["name"], strict=True))
    answered = [code for code in round_.answered if code in names]

    catalogue = reference.catalogue.set_index("id")
    program = _in(round_.table("program"), answered)
    offered = (program["participants"].fillna(0) > 0) | (program["groups"].fillna(0) > 0)
    classes = program["programme"].map(catalogue["evidence_class"])
    classes = classes.where(program["in_catalogue"].astype(bool), NOT_CLASSIFIED)
    program = program.assign(
        offered=offered.astype(bool),
        evidence_class=classes.fillna(NOT_CLASSIFIED).astype(str),
    )
    program["evidence_based"] = program["evidence_class"].isin(
        settings.evidence_based_classes
    ) & program["in_catalogue"].astype(bool)

    population = _in(round_.table("befolkning"), names).set_index("municipality")
    return RoundContext(
        year=round_.year,
        region=str(county["code"]),
        county_name=str(county["name"]),
        municipalities=names,
        answered=answered,
        kommun=_in(round_.table("kommun"), answered).set_index("municipality"),
        program=program,
        familjecentraler=_in(round_.table("familjecentraler"), answered),
        vardenheter=_in(round_.table("vardenheter"), names),
        population=population,
        catalogue=catalogue,
        settings=settings,
    )


# ----------------------------------------------------------------------- patterns


def _known(value: object) -> bool:
    return value is not None and not pd.isna(value)


def census(ctx: RoundContext, flags: pd.Series) -> Cells:
    """Yes/no per answering municipality: 1 of 1 or 0 of 1; the county counts
    the municipalities with a known answer (census, no interval)."""
    cells: Cells = {}
    yes = known = 0
    for code in ctx.answered:
        flag = flags.get(code, pd.NA)
        if not _known(flag):
            continue
        hit = int(bool(flag))
        cells[code] = Cell(hit, 1, float(hit))
        yes += hit
        known += 1
    if known:
        cells[ctx.region] = Cell(yes, known, yes / known)
    return cells


def ratio(
    ctx: RoundContext,
    numerators: pd.Series,
    denominators: pd.Series,
    codes: Iterable[str],
    per: float = 1.0,
    interval: str | None = None,
) -> Cells:
    """Numerator over denominator per municipality, and summed over the county's
    municipalities where both are known. `interval` is "wilson", "poisson" (exact
    below 10 events, Byar from 10) or None."""
    level = ctx.settings.confidence_level
    cells: Cells = {}
    sum_num = sum_den = 0
    any_known = False

    def cell(num: int, den: int) -> Cell | None:
        if den <= 0:
            return None
        value = num / den * per
        low = high = None
        if interval == "wilson":
            est = proportion(num, den, level)
            low, high = est.low, est.high
        elif interval == "poisson":
            est = rate(num, den, per=per, level=level)
            low, high = est.low, est.high
        return Cell(num, den, value, low, high)

    for code in codes:
        num, den = numerators.get(code, pd.NA), denominators.get(code, pd.NA)
        if not (_known(num) and _known(den)):
            continue
        num, den = int(num), int(den)
        sum_num += num
        sum_den += den
        any_known = True
        made = cell(num, den)
        if made is not None:
            cells[code] = made
    if any_known:
        made = cell(sum_num, sum_den)
        if made is not None:
            cells[ctx.region] = made
    return cells


def _by_municipality(frame: pd.DataFrame, codes: Iterable[str],
                     reduce: Callable[[pd.DataFrame], object]) -> pd.Series:
    """`reduce` applied to each municipality's rows (also to no rows)."""
    groups = {code: part for code, part in frame.groupby("municipality", sort=False)}
    empty = frame.iloc[0:0]
    return pd.Series({code: reduce(groups.get(code, empty)) for code in codes}, dtype=object)


def _kleene_all(frame: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    """Row-wise AND with blanks as unknown: False if any is False, NA if unsure."""
    result = pd.Series(True, index=frame.index, dtype="boolean")
    for col in columns:
        result = result & frame[col].astype("boolean")
    return result


def _kleene_any(values: pd.Series) -> object:
    """True if any is True, False if all are False (or none), else NA."""
    values = values.astype("boolean")
    if values.fillna(False).any():
        return True
    if values.isna().any():
        return pd.NA
    return False


# ----------------------------------------------------------------------- measures


def _offered(ctx: RoundContext) -> pd.DataFrame:
    return ctx.program.loc[ctx.program["offered"]]


def offers_evidence_based(ctx: RoundContext) -> Cells:
    rows = _offered(ctx)
    flags = _by_municipality(rows, ctx.answered, lambda g: bool(g["evidence_based"].any()))
    return census(ctx, flags)


def evidence_based_count(ctx: RoundContext) -> Cells:
    """Distinct evidence-based programmes; the county value is the mean per municipality."""
    rows = _offered(ctx)
    rows = rows.loc[rows["evidence_based"]]
    counts = _by_municipality(rows, ctx.answered, lambda g: g["programme"].nunique())
    cells: Cells = {code: Cell(int(n), 1, float(n)) for code, n in counts.items()}
    if ctx.answered:
        total = int(sum(counts))
        cells[ctx.region] = Cell(total, len(ctx.answered), total / len(ctx.answered))
    return cells


def two_sectors(ctx: RoundContext) -> Cells:
    rows = _offered(ctx)
    flags = _by_municipality(rows, ctx.answered, lambda g: g["sector"].nunique() >= 2)
    return census(ctx, flags)


def _sum_or_missing(values: pd.Series) -> object:
    """Sum of the given counts; missing when there are rows but every count is blank."""
    if len(values) and values.isna().all():
        return pd.NA
    return int(values.fillna(0).sum())


def participants_per_1000(ctx: RoundContext) -> Cells:
    participants = _by_municipality(ctx.program, ctx.answered,
                                    lambda g: _sum_or_missing(g["participants"]))
    children = ctx.population["children_0_17"]
    return ratio(ctx, participants, children, ctx.answered, per=1000, interval="poisson")


def share_men(ctx: RoundContext) -> Cells:
    rows = ctx.program.dropna(subset=["participants_women", "participants_men"])
    num = _by_municipality(rows, ctx.answered, lambda g: int(g["participants_men"].sum()))
    den = _by_municipality(rows, ctx.answered,
                           lambda g: int(g["participants_women"].sum()
                                         + g["participants_men"].sum()))
    return ratio(ctx, num, den, ctx.answered, interval="wilson")


def share_completed(ctx: RoundContext) -> Cells:
    rows = ctx.program.dropna(subset=["completed", "participants"])
    num = _by_municipality(rows, ctx.answered, lambda g: int(g["completed"].sum()))
    den = _by_municipality(rows, ctx.answered, lambda g: int(g["participants"].sum()))
    return ratio(ctx, num, den, ctx.answered, interval="wilson")


def share_followed_up(ctx: RoundContext) -> Cells:
    rows = _offered(ctx).dropna(subset=["followed_up"])
    num = _by_municipality(rows, ctx.answered, lambda g: int(g["followed_up"].sum()))
    den = _by_municipality(rows, ctx.answered, len)
    return ratio(ctx, num, den, ctx.answered)


def _full_centre(frame: pd.DataFrame) -> pd.Series:
    return _kleene_all(frame, ("bmm", "bvc", "open_preschool", "social_services"))


def has_family_centre(ctx: RoundContext) -> Cells:
    fc = ctx.familjecentraler
    fc = fc.assign(full=_full_centre(fc))
    flags = _by_municipality(fc, ctx.answered, lambda g: _kleene_any(g["full"]))
    return census(ctx, flags)


def family_centres_per_1000(ctx: RoundContext) -> Cells:
    """Full and family-centre-like units: BVC plus öppen förskola or förebyggande
    socialtjänst, each answered yes (a full centre always qualifies)."""
    fc = ctx.familjecentraler
    like = fc["bvc"].fillna(False) & (fc["open_preschool"].fillna(False)
                                      | fc["social_services"].fillna(False))
    fc = fc.assign(like=like.astype(bool))
    counts = _by_municipality(fc, ctx.answered, lambda g: int(g["like"].sum()))
    return ratio(ctx, counts, ctx.population["children_0_5"], ctx.answered, per=1000)


def _co_located(ctx: RoundContext, unit_type: str) -> Cells:
    units = ctx.vardenheter.loc[ctx.vardenheter["unit_type"] == unit_type]
    both = _kleene_all(units, ("co_located_open_preschool", "co_located_social_services"))
    units = units.assign(both=both).dropna(subset=["both"])
    codes = list(ctx.municipalities)
    num = _by_municipality(units, codes, lambda g: int(g["both"].sum()))
    den = _by_municipality(units, codes, len)
    return ratio(ctx, num, den, codes)


def bmm_co_located(ctx: RoundContext) -> Cells:
    return _co_located(ctx, "BMM")


def bvc_co_located(ctx: RoundContext) -> Cells:
    return _co_located(ctx, "BVC")


def _catalogue_offered(ctx: RoundContext) -> pd.DataFrame:
    rows = _offered(ctx)
    rows = rows.loc[rows["in_catalogue"].astype(bool)]
    return rows.join(ctx.catalogue[["age_min", "age_max", "levels"]], on="programme")


def _covers_all_ages(rows: pd.DataFrame) -> bool:
    ranges = [(int(lo), int(hi)) for lo, hi in zip(rows["age_min"], rows["age_max"],
                                                    strict=True)
              if _known(lo) and _known(hi)]
    return all(any(lo <= band_hi and band_lo <= hi for lo, hi in ranges)
               for band_lo, band_hi in AGE_BANDS)


def all_ages(ctx: RoundContext) -> Cells:
    flags = _by_municipality(_catalogue_offered(ctx), ctx.answered, _covers_all_ages)
    return census(ctx, flags)


def _universal_and_targeted(rows: pd.DataFrame) -> bool:
    levels = {level for row_levels in rows["levels"] for level in (row_levels or ())}
    return UNIVERSAL in levels and bool(levels & TARGETED)


def universal_and_targeted(ctx: RoundContext) -> Cells:
    flags = _by_municipality(_catalogue_offered(ctx), ctx.answered, _universal_and_targeted)
    return census(ctx, flags)


def _answer(column: str) -> Callable[[RoundContext], Cells]:
    def measure(ctx: RoundContext) -> Cells:
        return census(ctx, ctx.kommun[column])

    measure.__name__ = f"answer_{column}"
    return measure


steering_group = _answer("steering_group")
local_plan = _answer("local_plan")
followup_routine = _answer("followup_routine")


def all_five_sectors(ctx: RoundContext) -> Cells:
    """No group means not all five sectors; a blank sector leaves it unknown."""
    flags = _kleene_all(ctx.kommun, ("steering_group", *GROUP_SECTORS))
    return census(ctx, flags)


def response_rate(ctx: RoundContext) -> Cells:
    answered = set(ctx.answered)
    cells = {code: Cell(int(code in answered), 1, float(code in answered))
             for code in ctx.municipalities}
    total = len(ctx.municipalities)
    if total:
        cells[ctx.region] = Cell(len(answered), total, len(answered) / total)
    return cells


# --------------------------------------------------------------------------- table


def empty_table() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in TIDY_DTYPES.items()})


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The tidy table with exactly the §6 columns and dtypes."""
    frame = frame[TIDY_COLUMNS].copy()
    for col, dtype in TIDY_DTYPES.items():
        if dtype == "str":
            frame[col] = frame[col].astype("string").astype(dtype)
        else:
            frame[col] = frame[col].astype(dtype)
    return frame.reset_index(drop=True)
