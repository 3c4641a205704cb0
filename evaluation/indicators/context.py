"""A round's tables cut to one county and prepared once for every indicator's measure
(DESIGN §4), and the cell each measure gives per area.

Blank answers are missing, never "no": a yes/no share counts only the
municipalities that answered that question, and a combination of answers (all
five sectors, co-location with two services) follows three-valued logic, so it
is "no" as soon as one part is "no" and missing only while it could still be
either. Municipalities that did not answer the survey get empty survey-based
values; the region's BMM/BVC list (2.3, 2.4) and the response rate (D.1) are
known for every municipality.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from evaluation.intake.model import RoundData
from evaluation.intake.reference import Reference
from evaluation.settings import Settings

COUNTY = "county"
MUNICIPALITY = "municipality"

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
