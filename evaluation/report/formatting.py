"""Numbers as Swedish readers expect them: "1 234,5", "45 %", "9 av 12".

The thousands separator and the space before "%" are a no-break space
(U+00A0), so a figure never breaks across lines; negative numbers take the
minus sign (U+2212). Rounding is half away from zero, as people round by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from evaluation.text import MINUS, MISSING, NBSP, is_missing, number

if TYPE_CHECKING:
    from evaluation.indicators.registry import Indicator, Unit

#: Shown for a value withheld by disclosure control that is not itself a small count.
WITHHELD = ".."
DEFAULT_THRESHOLD = 5


_missing = is_missing


def signed(value: float | int | None, decimals: int = 0) -> str:
    """A change: "+3", "−1,5", "±0"."""
    if _missing(value):
        return MISSING
    text = number(value, decimals)
    if text.startswith(MINUS):
        return text
    return "±" + text if set(text) <= set("0,") else "+" + text


def percent(share: float | None, decimals: int = 0) -> str:
    """A share 0–1 as percent: 0.45 -> "45 %"."""
    if _missing(share):
        return MISSING
    return f"{number(float(share) * 100, decimals)}{NBSP}%"


def percentage_points(difference: float | None, decimals: int = 0) -> str:
    """A change in a share: 0.05 -> "+5 procentenheter"."""
    if _missing(difference):
        return MISSING
    return f"{signed(float(difference) * 100, decimals)} procentenheter"


def census(numerator: int | None, denominator: int | None) -> str:
    """A census of municipalities: "9 av 12"."""
    if _missing(numerator) or _missing(denominator):
        return MISSING
    return f"{int(numerator)} av {int(denominator)}"


def count(value: int | None, threshold: int = DEFAULT_THRESHOLD) -> str:
    """A count of people: "<5" when from 1 to threshold − 1, else the number."""
    if _missing(value):
        return MISSING
    if threshold > 0 and 1 <= int(value) < threshold:
        return f"<{threshold}"
    return number(int(value))


def yes_no(value: object) -> str:
    if _missing(value):
        return MISSING
    return "Ja" if bool(value) else "Nej"


def _unit(row: Mapping[str, object]) -> Unit:
    from evaluation.indicators.registry import REGISTRY

    return REGISTRY[str(row["indicator"])].unit_info


def value_text(row: Mapping[str, object], decimals: int | None = None) -> str:
    """An indicator row's value as shown in reports, by the indicator's unit."""
    if bool(row.get("suppressed", False)):
        return WITHHELD
    value = row.get("value")
    if _missing(value):
        return MISSING
    info = _unit(row)
    unit = info.id
    if unit == "andel_kommuner":
        if row.get("level") == "municipality":
            return yes_no(float(value) >= 0.5)
        # no-break spaces: "11 av 12" stays on one line in a narrow table column
        return census(row.get("numerator"), row.get("denominator")).replace(" ", NBSP)
    if unit == "andel":
        return percent(value, info.decimals if decimals is None else decimals)
    if unit == "antal" and row.get("level") == "municipality" and decimals is None:
        return number(value, 0)
    return number(value, info.decimals if decimals is None else decimals)


def interval_text(row: Mapping[str, object], decimals: int | None = None) -> str:
    """An indicator row's confidence interval, "15–39 %" or "1,0–1,8"; empty if none."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if bool(row.get("suppressed", False)) or _missing(low) or _missing(high):
        return ""
    info = _unit(row)
    d = info.decimals if decimals is None else decimals
    if info.share:
        return f"{number(float(low) * 100, d)}–{percent(high, d)}"
    return f"{number(low, d)}–{number(high, d)}"


def confidence(level: float) -> str:
    """The confidence level as running text writes it: 0.95 -> "95 %" (the setting
    `confidence_level`, never a fixed 95)."""
    scaled = float(level) * 100
    return f"{number(scaled, 0 if scaled.is_integer() else 1)} %"


def participants_text(rows: pd.DataFrame) -> pd.Series:
    """Participants of uptake rows as published: ".." when withheld (never "<5",
    which would say 1 to 4), "–" when unknown."""
    flags = rows["suppressed"].astype(bool) if "suppressed" in rows else \
        pd.Series(False, index=rows.index)
    return pd.Series(
        [WITHHELD if f else (MISSING if pd.isna(n) else number(int(n)))
         for n, f in zip(rows["participants"], flags, strict=True)],
        index=rows.index, dtype="str")


def unit_text(ind: Indicator) -> str:
    return ind.unit_info.text
