"""Evaluators' settings: what counts as evidence-based, disclosure threshold,
confidence level. Kept in `data/config.toml` so that they are data, not code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from evaluation.errors import ParameterError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
#: The evaluators' settings: the source tree's, or the copy a wheel carries.
DEFAULT_CONFIG = (DATA_DIR / "config.toml" if (DATA_DIR / "config.toml").is_file()
                  else Path(__file__).resolve().parent / "config.toml")
EVIDENCE_CLASSES = ("A", "B", "C", "D")
#: Tables of config.toml that describe the published site, kept in `Settings.extra`.
SITE_SECTIONS = ("publisher", "accessibility")
#: Tables of the configuration file read by the modules they concern (`load_section`).
SECTIONS = ("survey", "open_data")


@dataclass(frozen=True)
class Settings:
    evidence_based_classes: tuple[str, ...] = ("A", "B")
    suppression_threshold: int = 5
    confidence_level: float = 0.95
    boundary_file: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.evidence_based_classes) - set(EVIDENCE_CLASSES)
        if unknown:
            raise ParameterError(
                f"evidence_based_classes: unknown class {sorted(unknown)!r}; "
                f"expected some of {list(EVIDENCE_CLASSES)}"
            )
        if not isinstance(self.suppression_threshold, int) or self.suppression_threshold < 0:
            raise ParameterError(
                f"suppression_threshold must be a whole number >= 0, "
                f"got {self.suppression_threshold!r}"
            )
        if not 0 < self.confidence_level < 1:
            raise ParameterError(
                f"confidence_level must lie strictly between 0 and 1, "
                f"got {self.confidence_level!r}"
            )

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)


def load_settings(path: str | Path | None = None) -> Settings:
    """Settings from a TOML file (the project's `data/config.toml` by default)."""
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{path.name}: not valid TOML: {exc}") from exc
    known = {"evidence_based_classes", "suppression_threshold", "confidence_level",
             "boundary_file", *SECTIONS}
    # the site's publisher and accessibility statement (evaluation.publish.accessibility)
    sections = {k: raw.pop(k) for k in SITE_SECTIONS if k in raw}
    unknown = set(raw) - known
    if unknown:
        raise ParameterError(f"{path.name}: unknown setting(s) {sorted(unknown)}")
    if "evidence_based_classes" in raw:
        raw["evidence_based_classes"] = tuple(raw["evidence_based_classes"])
    for section in SECTIONS:
        raw.pop(section, None)
    return Settings(**raw, extra=sections)


def load_section(name: str, path: str | Path | None = None) -> dict:
    """One table of the configuration file (e.g. `[open_data]`), empty when absent."""
    path = Path(path) if path else DEFAULT_CONFIG
    if name not in SECTIONS:
        raise ParameterError(f"unknown configuration section {name!r}; known: {list(SECTIONS)}")
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{path.name}: not valid TOML: {exc}") from exc
    section = raw.get(name, {})
    if not isinstance(section, dict):
        raise ParameterError(f"{path.name}: [{name}] must be a table of settings")
    return section
