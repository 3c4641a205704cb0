"""The registry of follow-up indicators (DESIGN §4): each indicator's metadata on
its measure, as pandera's `register_builtin_check` puts a check's on its
implementation.

A goal module (`goal1`, `goal2`, `goal3`, `quality`) defines each measure once and
registers it with `@indicator(...)` or one of the shared shapes below; the
package's `__init__` imports the goal modules, so `REGISTRY` is complete whichever
module is imported first. The regional report, the municipality profiles, the
downloads and the methods page iterate over `REGISTRY`, so a new indicator is one
entry in a goal module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from evaluation.errors import ParameterError
from evaluation.indicators.context import Cells, RoundContext
from evaluation.indicators.patterns import ProgrammeCounts, parent_share

UnitId = Literal["andel_kommuner", "antal", "per_1000", "andel"]
Method = Literal["census", "wilson", "poisson_byar", "mean"]
ChangeMethod = Literal["census", "newcombe", "rate_ratio", "difference"]
Target = float | Literal["rising", "monitored"]
Direction = Literal["higher", "neutral"]
ParentCount = Literal["numerator", "denominator", "complement"]
Measure = Callable[[RoundContext], Cells]

GOAL_AREAS: dict[str, str] = {
    "1": "Ett kunskapsbaserat arbetssätt",
    "2": "Ett tillgängligt stöd",
    "3": "En stödjande organisation",
    "D": "Datakvalitet",
}


@dataclass(frozen=True)
class Unit:
    """What an indicator's value is: its Swedish names and how it is shown."""

    id: str
    #: As the methods page names it.
    label: str
    #: As the downloads name it.
    text: str
    #: A share 0–1, shown as percent.
    share: bool
    #: Decimals when a value is shown (a share in percent).
    decimals: int


UNITS: dict[str, Unit] = {u.id: u for u in (
    Unit("andel", "andel", "andel (0–1)", True, 0),
    Unit("andel_kommuner", "andel kommuner", "andel av kommunerna (0–1)", True, 0),
    Unit("per_1000", "per 1 000", "per 1 000 barn", False, 1),
    Unit("antal", "antal", "antal per kommun", False, 1),
)}
ANSWERED = "Kommuner som besvarat frågan"


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it measures, how it is computed and judged."""

    id: str
    title: str
    goal_area: str
    definition: str
    unit: UnitId
    numerator: str
    denominator: str
    sources: tuple[str, ...]
    target: Target
    method: Method
    census: bool
    compute: Measure
    direction: Direction = "higher"
    #: Which of numerator, denominator and their difference count parents, so
    #: that small values are withheld (DESIGN §5).
    parent_counts: tuple[ParentCount, ...] = ()
    #: The programme-row counts the numerator and denominator sum (parent-based only).
    programme_counts: ProgrammeCounts | None = None
    blanks: str = ""
    #: What a status is judged on: the value, or the numerator alone (2.2: the number
    #: of centres, so that a change in the number of children alone moves nothing).
    judged_on: Literal["value", "numerator"] = "value"
    #: The programme catalogue's facts (evidence class, target ages, levels) count.
    uses_catalogue: bool = False
    #: What a municipality has when a yes/no indicator is yes ("Sju av tolv kommuner
    #: har nu …", "Sedan 2024 har Nora fått …"); empty: said by its title.
    has: str = ""
    #: What a municipality did, for a census said as a verb ("… kommuner besvarade
    #: enkäten"); takes the place of `has`.
    did: str = ""
    #: Another indicator whose numerator counts every participant: the report says
    #: how many of them this one rests on ("922 av 1 795 deltagare …").
    coverage_of: str = ""
    coverage_text: str = ""
    #: Place among the trend charts of a municipality profile (0: none).
    profile_trend: int = 0
    #: Drawn as the regional report's map.
    on_map: bool = False

    @property
    def goal_area_name(self) -> str:
        return GOAL_AREAS[self.goal_area]

    @property
    def unit_info(self) -> Unit:
        return UNITS[self.unit]

    @property
    def target_value(self) -> float | None:
        """The numeric target, or None for "rising" and "monitored"."""
        return float(self.target) if isinstance(self.target, int | float) else None

    @property
    def trend_kind(self) -> Literal["share", "rate"]:
        """Binomial GLM for shares, Poisson GLM for rates and means."""
        return "share" if UNITS[self.unit].share else "rate"

    @property
    def per(self) -> float:
        """Scale of a rate: per 1 000 children, or per municipality for a mean."""
        return 1000.0 if self.unit == "per_1000" else 1.0

    @property
    def change_method(self) -> ChangeMethod:
        """How a change is measured: census, newcombe, rate_ratio or difference."""
        if self.census:
            return "census"
        return {"wilson": "newcombe", "poisson_byar": "rate_ratio"}.get(  # type: ignore
            self.method, "difference")

    @property
    def fixed_population(self) -> bool:
        """Judged over the municipalities known in both rounds: census shares of
        municipalities, the mean per municipality and the count behind 2.2."""
        return self.census or self.method == "mean" or self.judged_on == "numerator"


#: Every indicator by id, in the order the goal modules register them (DESIGN §4).
REGISTRY: dict[str, Indicator] = {}


def register(ind: Indicator) -> Indicator:
    """Add an indicator; an id may be registered once."""
    if ind.id in REGISTRY:
        raise ParameterError(f"indicator {ind.id!r} is registered twice")
    if ind.goal_area not in GOAL_AREAS:
        raise ParameterError(f"indicator {ind.id!r}: unknown goal area {ind.goal_area!r}")
    if ind.unit not in UNITS:
        raise ParameterError(f"indicator {ind.id!r}: unknown unit {ind.unit!r}")
    REGISTRY[ind.id] = ind
    return ind


def indicator(id: str, title: str, **metadata: object) -> Callable[[Measure], Measure]:
    """Register the decorated measure as indicator `id` with its metadata (the
    fields of `Indicator`); the measure itself is returned unchanged."""
    def decorate(measure: Measure) -> Measure:
        register(Indicator(id=id, title=title, compute=measure, **metadata))  # type: ignore
        return measure

    return decorate


YESNO_BLANK = ("Ett tomt svar räknas som saknat, inte som nej: nämnaren är de kommuner "
               "som besvarat frågan.")
#: How a programme row counts as offered, which several indicators' blanks repeat.
OFFERED = ("Ett program räknas som erbjudet när det har minst en deltagare eller minst en "
           "grupp; en rad där båda saknas räknas inte.")


def municipality_share(id: str, title: str, goal_area: str, definition: str,
                       sources: tuple[str, ...], blanks: str = YESNO_BLANK,
                       **metadata: object) -> Callable[[Measure], Measure]:
    """Register a census share of the answering municipalities with target 100 %."""
    return indicator(id, title, goal_area=goal_area, definition=definition,
                     unit="andel_kommuner", numerator=title, denominator=ANSWERED,
                     sources=sources, target=1.0, method="census", census=True,
                     blanks=blanks, **metadata)


def parent_share_indicator(id: str, title: str, goal_area: str, counts: ProgrammeCounts,
                           definition: str, **metadata: object) -> Measure:
    """Register a share of parents summed over the programme rows, with Wilson's
    interval; its numerator, denominator and their difference are counts of parents,
    protected as parts of the programme rows they add up."""
    return indicator(id, title, goal_area=goal_area, definition=definition, unit="andel",
                     sources=("program",), target="monitored", method="wilson", census=False,
                     parent_counts=("numerator", "denominator", "complement"),
                     programme_counts=counts, **metadata)(parent_share(counts))


def get(indicator_id: str) -> Indicator:
    """The indicator with this id; the error lists the known ids."""
    try:
        return REGISTRY[indicator_id]
    except KeyError:
        raise ParameterError(
            f"unknown indicator {indicator_id!r}; expected one of {list(REGISTRY)}"
        ) from None


def by_goal_area() -> dict[str, list[Indicator]]:
    """Indicators grouped by goal area, in registry order."""
    groups: dict[str, list[Indicator]] = {area: [] for area in GOAL_AREAS}
    for ind in REGISTRY.values():
        groups[ind.goal_area].append(ind)
    return groups


def parent_based() -> list[Indicator]:
    """Indicators whose numerator and denominator sum programme-row counts of parents."""
    return [ind for ind in REGISTRY.values() if ind.programme_counts is not None]
