"""A round computed once and stored, so that every notebook of the round reads the
same figures instead of recomputing them (DESIGN §2)."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pandas as pd

from evaluation.analysis.disclosure import protect_round
from evaluation.analysis.published import PublishedRound
from evaluation.analysis.status import assign_status, changes, trends
from evaluation.analysis.uptake import Uptake, uptake
from evaluation.errors import ParameterError
from evaluation.indicators.compute import TIDY_COLUMNS, build_context
from evaluation.indicators.table import indicator_table
from evaluation.intake.model import RoundData, ValidationReport
from evaluation.intake.reference import Reference
from evaluation.settings import Settings


class Stored:
    """A computed result kept as a pickle in the run's staging folder, so that every
    notebook of the run reads it instead of recomputing."""

    kind = "result"

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """A stored result (only ever load files this toolkit wrote: pickle runs code)."""
        path = Path(path)
        if not path.is_file():
            raise ParameterError(f"no stored {cls.kind} at {path.name!r}")
        with path.open("rb") as handle:
            result = pickle.load(handle)
        if not isinstance(result, cls):
            raise ParameterError(f"{path.name} does not hold a {cls.kind}")
        return result


@dataclass
class RoundResult(Stored):
    """Everything the round's reports show, already disclosure-controlled: the
    round's published tables and nothing else (no count of parents before
    disclosure control, no validated input table)."""

    kind = "round result"

    year: int
    region: str
    region_name: str
    #: The county's municipalities: code, name, short_name, lat, lon.
    municipalities: pd.DataFrame
    #: Years of the rounds so far, oldest first; the last is `year`.
    years: list[int]
    #: The published survey tables of each round, by year (counts protected).
    rounds: dict[int, PublishedRound]
    #: The published tidy indicator table of every round so far (DESIGN §6).
    indicators: pd.DataFrame
    changes: pd.DataFrame
    trends: pd.DataFrame
    uptake: Uptake
    validation: ValidationReport
    settings: Settings
    extra: dict = field(default_factory=dict)

    @property
    def current(self) -> PublishedRound:
        return self.rounds[self.year]

    @property
    def previous_year(self) -> int | None:
        return self.years[-2] if len(self.years) > 1 else None

    def table(self, year: int | None = None) -> pd.DataFrame:
        """The published indicator rows of one round (this round by default)."""
        year = self.year if year is None else year
        return self.indicators.loc[self.indicators["round"] == year].reset_index(drop=True)

def compute_round(history: Sequence[RoundData], reference: Reference,
                  settings: Settings) -> RoundResult:
    """Compute a round and everything it is compared with; the last year is the round.

    Every round's linked tables are protected and audited before anything is
    kept: a failing audit raises `DisclosureError` and nothing is published."""
    return protected_round(history, reference, settings)[0]


def protected_round(history: Sequence[RoundData], reference: Reference,
                    settings: Settings) -> tuple[RoundResult, dict]:
    """The round's result, and (internal, never stored) its linked tables and
    protection per year, which a national round links to the country's totals."""
    if not history:
        raise ParameterError("compute_round needs at least one round")
    ordered = sorted(history, key=lambda r: r.year)
    years = [r.year for r in ordered]
    if len(set(years)) != len(years):
        raise ParameterError(f"rounds must be distinct years, got {years}")
    regions = {r.region for r in ordered}
    if len(regions) != 1:
        raise ParameterError(f"rounds must be of one region, got {sorted(regions)}")
    current = ordered[-1]
    level = settings.confidence_level

    contexts = [build_context(r, reference, settings) for r in ordered]
    internal = pd.concat([indicator_table(r, reference, settings) for r in ordered],
                         ignore_index=True)
    raw_uptake = uptake(ordered, reference, settings)
    protected = protect_round(contexts, internal, raw_uptake, settings)
    published = assign_status(protected.indicators, level)
    county = reference.county(current.region)
    result = RoundResult(
        year=current.year,
        region=str(county["code"]),
        region_name=str(county["name"]),
        municipalities=reference.county_municipalities(current.region),
        years=years,
        rounds=protected.rounds,
        indicators=published[TIDY_COLUMNS],
        changes=changes(published, level),
        trends=trends(published, level),
        uptake=protected.uptake,
        validation=current.report,
        settings=settings,
        extra={"disclosure": protected.summary},
    )
    return result, protected.links


def csv_frame(indicators: pd.DataFrame) -> pd.DataFrame:
    """The tidy table as written to CSV: exact columns, `suppressed` as true/false."""
    frame = indicators[TIDY_COLUMNS].copy()
    frame["suppressed"] = frame["suppressed"].map({True: "true", False: "false"})
    return frame
