"""Goal area 2, accessible support: family centres, co-located maternity and child
health care, programmes for every age and for every level of need (DESIGN §4)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from evaluation.indicators.context import Cells, RoundContext
from evaluation.indicators.patterns import (
    all_of,
    any_of,
    by_municipality,
    census_by,
    known,
    offered,
    ratio,
)
from evaluation.indicators.registry import OFFERED, Measure, indicator, municipality_share

#: Age bands of the strategy's "throughout the child's upbringing (0–17)".
AGE_BANDS: tuple[tuple[int, int], ...] = ((0, 5), (6, 12), (13, 17))
UNIVERSAL = "universal"
TARGETED = frozenset({"selective", "indicated"})
#: The services a full family centre has on site.
CENTRE_SERVICES = ("bmm", "bvc", "open_preschool", "social_services")


def full_centre(frame: pd.DataFrame) -> pd.Series:
    """A full family centre: all four services answered yes (blank: unknown)."""
    return all_of(frame, CENTRE_SERVICES)


def centre_like(frame: pd.DataFrame) -> pd.Series:
    """A family centre or a family-centre-like unit: BVC plus öppen förskola or
    förebyggande socialtjänst, each answered yes (a full centre always qualifies)."""
    like = frame["bvc"].fillna(False) & (frame["open_preschool"].fillna(False)
                                         | frame["social_services"].fillna(False))
    return like.astype(bool)


@municipality_share(
    "2.1", "Kommuner med minst en familjecentral", "2",
    "Kommunen har minst en fullständig familjecentral: barnmorskemottagning, "
    "barnavårdscentral, öppen förskola och förebyggande socialtjänst på samma plats.",
    ("kommun", "familjecentraler"),
    blanks=("En kommun som svarat men inte angett någon familjecentral räknas som nej. "
            "En enhet med ett tomt svar räknas som okänd; kommunens svar blir okänt om "
            "ingen annan enhet är en fullständig familjecentral."),
    has="minst en familjecentral",
)
def has_family_centre(ctx: RoundContext) -> Cells:
    fc = ctx.familjecentraler
    return census_by(ctx, fc.assign(full=full_centre(fc)), lambda g: any_of(g["full"]))


@indicator(
    "2.2", "Familjecentraler per 1 000 barn 0–5 år", goal_area="2",
    definition=("Familjecentraler och familjecentralsliknande verksamheter (BVC och "
                "öppen förskola eller förebyggande socialtjänst på samma plats) per "
                "1 000 barn 0–5 år."),
    unit="per_1000",
    numerator="Familjecentraler och familjecentralsliknande verksamheter",
    denominator="Barn 0–5 år i kommunerna som besvarat enkäten",
    sources=("familjecentraler", "befolkning"), target="rising", method="census",
    census=False, judged_on="numerator",
    blanks="En enhet räknas bara när de verksamheter som krävs är besvarade med ja.",
)
def family_centres_per_1000(ctx: RoundContext) -> Cells:
    fc = ctx.familjecentraler
    fc = fc.assign(like=centre_like(fc))
    counts = by_municipality(fc, ctx.answered, lambda g: int(g["like"].sum()))
    return ratio(ctx, counts, ctx.population["children_0_5"], ctx.answered, per=1000)


def co_located(unit_type: str):
    """Units of one type co-located with both öppen förskola and förebyggande
    socialtjänst, over every unit of the region's list."""
    def measure(ctx: RoundContext) -> Cells:
        units = ctx.vardenheter.loc[ctx.vardenheter["unit_type"] == unit_type]
        both = all_of(units, ("co_located_open_preschool", "co_located_social_services"))
        units = units.assign(both=both).dropna(subset=["both"])
        codes = list(ctx.municipalities)
        num = by_municipality(units, codes, lambda g: int(g["both"].sum()))
        den = by_municipality(units, codes, len)
        return ratio(ctx, num, den, codes)

    measure.__name__ = f"{unit_type.lower()}_co_located"
    return measure


_CO_LOCATED_BLANKS = ("En enhet med ett nej räknas som ej samlokaliserad; en enhet vars svar "
                      "är tomt och som inte har något nej räknas inte.")


def _co_located_indicator(id_: str, unit_type: str, title: str, units: str):
    return indicator(
        id_, title, goal_area="2",
        definition=(f"{units.capitalize()} samlokaliserade med både öppen förskola och "
                    "förebyggande socialtjänst, av alla "
                    f"{units} i regionens förteckning (även i kommuner som inte besvarat "
                    "enkäten)."),
        unit="andel",
        numerator=f"{unit_type} samlokaliserade med öppen förskola och förebyggande "
                  "socialtjänst",
        denominator=f"{unit_type} i regionens förteckning",
        sources=("vardenheter",), target=1.0, method="census", census=False,
        blanks=_CO_LOCATED_BLANKS,
    )(co_located(unit_type))


bmm_co_located = _co_located_indicator("2.3", "BMM", "Andel BMM samlokaliserade",
                                       "barnmorskemottagningar")
bvc_co_located = _co_located_indicator("2.4", "BVC", "Andel BVC samlokaliserade",
                                       "barnavårdscentraler")


def _catalogue_offered(ctx: RoundContext) -> pd.DataFrame:
    rows = offered(ctx)
    rows = rows.loc[rows["in_catalogue"].astype(bool)]
    return rows.join(ctx.catalogue[["age_min", "age_max", "levels"]], on="programme")


def _catalogue_share(id: str, title: str, definition: str, unknown: str,
                     has: str) -> Callable[[Callable[[pd.DataFrame], bool]], Measure]:
    """Register a census share judged, per municipality, on the catalogue's facts
    (target ages, levels) of the programmes it offers; the decorated function takes a
    municipality's offered catalogue rows. Programmes outside the catalogue have no
    such facts and do not count."""
    def decorate(judge: Callable[[pd.DataFrame], bool]) -> Measure:
        def measure(ctx: RoundContext) -> Cells:
            return census_by(ctx, _catalogue_offered(ctx), judge)

        measure.__name__ = judge.__name__
        blanks = f"{OFFERED} Program utanför katalogen har ingen känd {unknown} och räknas inte."
        return municipality_share(id, title, "2", definition, ("kommun", "program"),
                                  blanks=blanks, uses_catalogue=True, has=has)(measure)

    return decorate


@_catalogue_share(
    "2.5", "Kommuner med program för alla åldrar",
    "De erbjudna katalogprogrammens målåldrar når in i vart och ett av åldersspannen "
    "0–5, 6–12 och 13–17 år (varje spann överlappar minst ett programs målålder).",
    unknown="målålder", has="program för alla åldrar",
)
def all_ages(rows: pd.DataFrame) -> bool:
    ranges = [(int(lo), int(hi)) for lo, hi in zip(rows["age_min"], rows["age_max"],
                                                    strict=True)
              if known(lo) and known(hi)]
    return all(any(lo <= band_hi and band_lo <= hi for lo, hi in ranges)
               for band_lo, band_hi in AGE_BANDS)


@_catalogue_share(
    "2.6", "Kommuner med både universellt och riktat stöd", unknown="nivå",
    has="både universellt och riktat stöd",
    definition=("Kommunen erbjuder minst ett universellt program och minst ett selektivt "
                "eller indikerat program, enligt programkatalogens nivåer."),
)
def universal_and_targeted(rows: pd.DataFrame) -> bool:
    levels = {level for row_levels in rows["levels"] for level in (row_levels or ())}
    return UNIVERSAL in levels and bool(levels & TARGETED)
