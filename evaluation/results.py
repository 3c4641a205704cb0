"""A round computed once and stored, so that every notebook of the round reads the
same figures instead of recomputing them (DESIGN §2)."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pandas as pd

from evaluation.compute import TIDY_COLUMNS, indicator_table
from evaluation.config import Settings
from evaluation.disclosure import suppress_table, suppress_uptake
from evaluation.exceptions import ParameterError
from evaluation.model import RoundData, ValidationReport
from evaluation.reference import Reference
from evaluation.status import assign_status, changes, trends
from evaluation.uptake import Uptake, uptake


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
    """Everything the round's reports show, already disclosure-controlled."""

    kind = "round result"

    year: int
    region: str
    region_name: str
    #: The county's municipalities: code, name, short_name, lat, lon.
    municipalities: pd.DataFrame
    #: Years of the rounds so far, oldest first; the last is `year`.
    years: list[int]
    #: The validated data of each round, by year (internal: not for display).
    rounds: dict[int, RoundData]
    #: The published tidy indicator table of every round so far (DESIGN §6).
    indicators: pd.DataFrame
    changes: pd.DataFrame
    trends: pd.DataFrame
    uptake: Uptake
    validation: ValidationReport
    settings: Settings
    extra: dict = field(default_factory=dict)

    @property
    def current(self) -> RoundData:
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
    """Compute a round and everything it is compared with; the last year is the round."""
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
    threshold = settings.suppression_threshold

    internal = pd.concat([indicator_table(r, reference, settings) for r in ordered],
                         ignore_index=True)
    published = assign_status(suppress_table(internal, threshold), level)
    county = reference.county(current.region)
    return RoundResult(
        year=current.year,
        region=str(county["code"]),
        region_name=str(county["name"]),
        municipalities=reference.county_municipalities(current.region),
        years=years,
        rounds={r.year: r for r in ordered},
        indicators=published[TIDY_COLUMNS],
        changes=changes(published, level),
        trends=trends(published, level),
        uptake=suppress_uptake(uptake(ordered, reference, settings), threshold),
        validation=current.report,
        settings=settings,
    )


def csv_frame(indicators: pd.DataFrame) -> pd.DataFrame:
    """The tidy table as written to CSV: exact columns, `suppressed` as true/false."""
    frame = indicators[TIDY_COLUMNS].copy()
    frame["suppressed"] = frame["suppressed"].map({True: "true", False: "false"})
    return frame
