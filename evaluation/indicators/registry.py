"""The follow-up indicators (DESIGN §4): the one place each is defined.

The regional report, the municipality profiles, the CSV export and the method
appendix all iterate over `REGISTRY`, so a new indicator is one new entry here
and a measure in `evaluation.indicators.compute`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from evaluation.errors import ParameterError
from evaluation.indicators import compute
from evaluation.indicators.compute import Cells, RoundContext

Unit = Literal["andel_kommuner", "antal", "per_1000", "andel"]
Method = Literal["census", "wilson", "poisson_byar", "mean"]
Target = float | Literal["rising", "monitored"]
Direction = Literal["higher", "neutral"]
ParentCount = Literal["numerator", "denominator", "complement"]

GOAL_AREAS: dict[str, str] = {
    "1": "Ett kunskapsbaserat arbetssätt",
    "2": "Ett tillgängligt stöd",
    "3": "En stödjande organisation",
    "D": "Datakvalitet",
}
UNIT_LABELS: dict[str, str] = {
    "andel_kommuner": "andel kommuner",
    "antal": "antal",
    "per_1000": "per 1 000",
    "andel": "andel",
}
ANSWERED = "Kommuner som besvarat frågan"


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it measures, how it is computed and judged."""

    id: str
    title: str
    goal_area: str
    definition: str
    unit: Unit
    numerator: str
    denominator: str
    sources: tuple[str, ...]
    target: Target
    method: Method
    census: bool
    compute: Callable[[RoundContext], Cells]
    direction: Direction = "higher"
    #: Which of numerator, denominator and their difference count parents, so
    #: that small values are withheld (DESIGN §5).
    parent_counts: tuple[ParentCount, ...] = ()
    blanks: str = ""
    #: What a status is judged on: the value, or the numerator alone (2.2: the number
    #: of centres, so that a change in the number of children alone moves nothing).
    judged_on: Literal["value", "numerator"] = "value"

    @property
    def goal_area_name(self) -> str:
        return GOAL_AREAS[self.goal_area]

    @property
    def target_value(self) -> float | None:
        """The numeric target, or None for "rising" and "monitored"."""
        return float(self.target) if isinstance(self.target, int | float) else None

    @property
    def trend_kind(self) -> Literal["share", "rate"]:
        """Binomial GLM for shares, Poisson GLM for rates and means."""
        return "share" if self.unit in ("andel_kommuner", "andel") else "rate"

    @property
    def per(self) -> float:
        """Scale of a rate: per 1 000 children, or per municipality for a mean."""
        return 1000.0 if self.unit == "per_1000" else 1.0


_YESNO_BLANK = ("Ett tomt svar räknas som saknat, inte som nej: nämnaren är de kommuner "
                "som besvarat frågan.")
_OFFERED = ("Ett program räknas som erbjudet när det har minst en deltagare eller minst en "
            "grupp; en rad där båda saknas räknas inte.")


def _municipality_share(id_: str, title: str, area: str, definition: str,
                        measure: Callable[[RoundContext], Cells], sources: tuple[str, ...],
                        blanks: str = _YESNO_BLANK) -> Indicator:
    return Indicator(
        id=id_, title=title, goal_area=area, definition=definition, unit="andel_kommuner",
        numerator=title, denominator=ANSWERED, sources=sources, target=1.0,
        method="census", census=True, compute=measure, blanks=blanks,
    )


_INDICATORS: tuple[Indicator, ...] = (
    _municipality_share(
        "1.1", "Kommuner som erbjuder minst ett evidensbaserat program", "1",
        "Kommunen erbjuder minst ett program vars evidensklass i programkatalogen räknas som "
        "evidensbaserad. Program som inte finns i katalogen räknas aldrig som "
        "evidensbaserade.",
        compute.offers_evidence_based, ("kommun", "program"),
        blanks=_OFFERED + " En kommun som svarat men inte angett något program räknas som nej.",
    ),
    Indicator(
        id="1.2", title="Evidensbaserade program per kommun", goal_area="1",
        definition=("Antal olika evidensbaserade program som kommunen erbjuder. Länets värde "
                    "är medelvärdet över de kommuner som besvarat enkäten."),
        unit="antal",
        numerator="Antal olika evidensbaserade program (summerat över kommunerna)",
        denominator="Kommuner som besvarat enkäten",
        sources=("kommun", "program"), target="rising", method="mean", census=False,
        compute=compute.evidence_based_count, blanks=_OFFERED,
    ),
    _municipality_share(
        "1.3", "Kommuner där minst två sektorer erbjuder program", "1",
        "Minst två olika sektorer (förskola, skola, socialtjänst, hälso- och sjukvård, "
        "civilsamhälle) erbjuder program i kommunen; alla program räknas, även de som inte "
        "finns i katalogen.",
        compute.two_sectors, ("kommun", "program"), blanks=_OFFERED,
    ),
    Indicator(
        id="1.4", title="Föräldrar i program per 1 000 barn 0–17 år", goal_area="1",
        definition=("Antal föräldrar som påbörjat ett program, per 1 000 barn 0–17 år i "
                    "kommunen. Länets värde avser de kommuner som besvarat enkäten."),
        unit="per_1000",
        numerator="Föräldrar som påbörjat ett program",
        denominator="Barn 0–17 år i kommunerna som besvarat enkäten",
        sources=("program", "befolkning"), target="rising", method="poisson_byar",
        census=False, compute=compute.participants_per_1000,
        parent_counts=("numerator",),
        blanks=("Tomma deltagarantal räknas inte; en kommun där alla programrader saknar "
                "deltagarantal får inget värde. En kommun utan programrader har 0 deltagare."),
    ),
    Indicator(
        id="1.5", title="Andel män bland deltagande föräldrar", goal_area="1",
        definition="Deltagande män delat med deltagande kvinnor och män.",
        unit="andel",
        numerator="Deltagande män",
        denominator="Deltagande kvinnor och män",
        sources=("program",), target="monitored", method="wilson", census=False,
        compute=compute.share_men, direction="neutral",
        parent_counts=("numerator", "denominator", "complement"),
        blanks="Endast programrader där både kvinnor och män är ifyllda räknas.",
    ),
    Indicator(
        id="1.6", title="Andel deltagare som fullföljt", goal_area="1",
        definition="Föräldrar som fullföljt delat med föräldrar som påbörjat ett program.",
        unit="andel",
        numerator="Föräldrar som fullföljt",
        denominator="Föräldrar som påbörjat",
        sources=("program",), target="monitored", method="wilson", census=False,
        compute=compute.share_completed,
        parent_counts=("numerator", "denominator", "complement"),
        blanks="Endast programrader där både påbörjat och fullföljt är ifyllda räknas.",
    ),
    Indicator(
        id="1.7", title="Andel programinsatser som följs upp systematiskt", goal_area="1",
        definition=("Erbjudna program (en rad per program och sektor) som följs upp "
                    "systematiskt, av de erbjudna program där frågan besvarats."),
        unit="andel",
        numerator="Programinsatser som följs upp systematiskt",
        denominator="Programinsatser där frågan besvarats",
        sources=("program",), target=1.0, method="census", census=False,
        compute=compute.share_followed_up,
        blanks=_OFFERED + " Ett tomt svar om uppföljning räknas som saknat.",
    ),
    _municipality_share(
        "2.1", "Kommuner med minst en familjecentral", "2",
        "Kommunen har minst en fullständig familjecentral: barnmorskemottagning, "
        "barnavårdscentral, öppen förskola och förebyggande socialtjänst på samma plats.",
        compute.has_family_centre, ("kommun", "familjecentraler"),
        blanks=("En kommun som svarat men inte angett någon familjecentral räknas som nej. "
                "En enhet med ett tomt svar räknas som okänd; kommunens svar blir okänt om "
                "ingen annan enhet är en fullständig familjecentral."),
    ),
    Indicator(
        id="2.2", title="Familjecentraler per 1 000 barn 0–5 år", goal_area="2",
        definition=("Familjecentraler och familjecentralsliknande verksamheter (BVC och "
                    "öppen förskola eller förebyggande socialtjänst på samma plats) per "
                    "1 000 barn 0–5 år."),
        unit="per_1000",
        numerator="Familjecentraler och familjecentralsliknande verksamheter",
        denominator="Barn 0–5 år i kommunerna som besvarat enkäten",
        sources=("familjecentraler", "befolkning"), target="rising", method="census",
        census=False, compute=compute.family_centres_per_1000, judged_on="numerator",
        blanks="En enhet räknas bara när de verksamheter som krävs är besvarade med ja.",
    ),
    Indicator(
        id="2.3", title="Andel BMM samlokaliserade", goal_area="2",
        definition=("Barnmorskemottagningar samlokaliserade med både öppen förskola och "
                    "förebyggande socialtjänst, av alla barnmorskemottagningar i regionens "
                    "förteckning (även i kommuner som inte besvarat enkäten)."),
        unit="andel",
        numerator="BMM samlokaliserade med öppen förskola och förebyggande socialtjänst",
        denominator="BMM i regionens förteckning",
        sources=("vardenheter",), target=1.0, method="census", census=False,
        compute=compute.bmm_co_located,
        blanks=("En enhet med ett nej räknas som ej samlokaliserad; en enhet vars svar är "
                "tomt och som inte har något nej räknas inte."),
    ),
    Indicator(
        id="2.4", title="Andel BVC samlokaliserade", goal_area="2",
        definition=("Barnavårdscentraler samlokaliserade med både öppen förskola och "
                    "förebyggande socialtjänst, av alla barnavårdscentraler i regionens "
                    "förteckning (även i kommuner som inte besvarat enkäten)."),
        unit="andel",
        numerator="BVC samlokaliserade med öppen förskola och förebyggande socialtjänst",
        denominator="BVC i regionens förteckning",
        sources=("vardenheter",), target=1.0, method="census", census=False,
        compute=compute.bvc_co_located,
        blanks=("En enhet med ett nej räknas som ej samlokaliserad; en enhet vars svar är "
                "tomt och som inte har något nej räknas inte."),
    ),
    _municipality_share(
        "2.5", "Kommuner med program för alla åldrar", "2",
        "De erbjudna katalogprogrammens målåldrar når in i vart och ett av åldersspannen "
        "0–5, 6–12 och 13–17 år (varje spann överlappar minst ett programs målålder).",
        compute.all_ages, ("kommun", "program"),
        blanks=_OFFERED + " Program utanför katalogen har ingen känd målålder och räknas inte.",
    ),
    _municipality_share(
        "2.6", "Kommuner med både universellt och riktat stöd", "2",
        "Kommunen erbjuder minst ett universellt program och minst ett selektivt eller "
        "indikerat program, enligt programkatalogens nivåer.",
        compute.universal_and_targeted, ("kommun", "program"),
        blanks=_OFFERED + " Program utanför katalogen har ingen känd nivå och räknas inte.",
    ),
    _municipality_share(
        "3.1", "Kommuner med lednings- eller samverkansgrupp", "3",
        "Det finns en lednings- eller samverkansgrupp för föräldraskapsstöd i kommunen.",
        compute.steering_group, ("kommun",),
    ),
    _municipality_share(
        "3.2", "Kommuner där alla fem sektorer ingår i gruppen", "3",
        "Förskola, skola, socialtjänst, hälso- och sjukvård och civilsamhälle ingår alla i "
        "gruppen. En kommun utan grupp har inte alla fem sektorer i gruppen.",
        compute.all_five_sectors, ("kommun",),
        blanks=("Ett nej för gruppen eller för någon sektor ger nej; ett tomt svar ger "
                "okänt (räknas inte) så länge inget annat svar är nej."),
    ),
    _municipality_share(
        "3.3", "Kommuner med lokal plan för föräldraskapsstöd", "3",
        "Kommunen har en lokal plan eller strategi för föräldraskapsstöd.",
        compute.local_plan, ("kommun",),
    ),
    _municipality_share(
        "3.4", "Kommuner med rutin för systematisk uppföljning", "3",
        "Kommunen har en rutin för systematisk uppföljning av föräldraskapsstödet.",
        compute.followup_routine, ("kommun",),
    ),
    Indicator(
        id="D.1", title="Svarsfrekvens", goal_area="D",
        definition="Kommuner som besvarat enkäten av länets kommuner.",
        unit="andel_kommuner",
        numerator="Kommuner som besvarat enkäten",
        denominator="Kommuner i länet",
        sources=("kommun",), target=1.0, method="census", census=True,
        compute=compute.response_rate,
        blanks="En kommun har svarat när den finns med i tabellen Kommun.",
    ),
)

#: Every indicator by id, in the order of DESIGN §4.
REGISTRY: dict[str, Indicator] = {ind.id: ind for ind in _INDICATORS}


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
