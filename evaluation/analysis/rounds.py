"""A round and its earlier rounds, read from the data folder, validated and computed
once: what a run publishes and what a notebook opened by hand shows."""

from __future__ import annotations

from pathlib import Path

from evaluation.analysis.results import RoundResult, compute_round
from evaluation.intake.model import RoundData
from evaluation.intake.reference import Reference, load_reference
from evaluation.intake.validation import validate_round
from evaluation.settings import Settings, load_settings
from evaluation.vocab import DEFAULT_REGION, ROUNDS

SYNTHETIC_MARKERS = ("LASMIG.txt", "README.txt")


def history(data: str | Path, year: int, region: str = DEFAULT_REGION, strict: bool = False,
            reference: Reference | None = None) -> list[RoundData]:
    """The round and every earlier round found in the data folder, validated."""
    years = [y for y in ROUNDS if y < year and (Path(data) / str(y)).is_dir()]
    earlier = [validate_round(data, y, region, reference=reference) for y in years]
    return [*earlier, validate_round(data, year, region, strict=strict, reference=reference)]


def is_synthetic(data: str | Path, year: int) -> bool:
    """Example data say so in their read-me, and the reports repeat it."""
    folder = Path(data) / str(year)
    for name in SYNTHETIC_MARKERS:
        path = folder / name
        if path.is_file() and "syntetisk" in path.read_text(encoding="utf-8",
                                                             errors="replace").lower():
            return True
    return False


def compute(data: str | Path, year: int, region: str = DEFAULT_REGION, strict: bool = False,
            settings: Settings | None = None,
            reference: Reference | None = None) -> RoundResult:
    """Read, validate and compute a round (with its earlier rounds) once."""
    reference = reference or load_reference()
    settings = settings or load_settings()
    result = compute_round(history(data, year, region, strict, reference), reference, settings)
    result.extra["synthetic"] = is_synthetic(data, year)
    return result
