"""Numbers as Swedish readers expect them: "1 234,5", "45 %", "9 av 12".

The thousands separator and the space before "%" are a no-break space
(U+00A0), so a figure never breaks across lines; negative numbers take the
minus sign (U+2212). Rounding is half away from zero, as people round by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from evaluation.indicators.registry import Indicator

NBSP = "\u00a0"
MINUS = "\u2212"
#: Shown for a value that does not exist (not answered, nothing to divide by).
MISSING = "–"
#: Shown for a value withheld by disclosure control that is not itself a small count.
WITHHELD = ".."
DEFAULT_THRESHOLD = 5

#: The unit of each kind of indicator, as the downloads name it.
UNIT_TEXT: dict[str, str] = {
    "andel_kommuner": "andel av kommunerna (0–1)",
    "andel": "andel (0–1)",
    "per_1000": "per 1 000 barn",
    "antal": "antal per kommun",
}
#: Decimals per unit when a row is shown (municipality counts are whole).
UNIT_DECIMALS = {"andel": 0, "per_1000": 1, "antal": 1}


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def number(value: float | int | None, decimals: int = 0) -> str:
    """1234.5 -> "1 234,5" (no-break space between thousands, decimal comma)."""
    if _missing(value):
        return MISSING
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    negative = rounded < 0
    text = f"{abs(rounded):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return f"{MINUS}{text}" if negative else text


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


def _unit(row: Mapping[str, object]) -> str:
    from evaluation.indicators.registry import REGISTRY

    return REGISTRY[str(row["indicator"])].unit


def value_text(row: Mapping[str, object], decimals: int | None = None) -> str:
    """An indicator row's value as shown in reports, by the indicator's unit."""
    if bool(row.get("suppressed", False)):
        return WITHHELD
    value = row.get("value")
    if _missing(value):
        return MISSING
    unit = _unit(row)
    if unit == "andel_kommuner":
        if row.get("level") == "municipality":
            return yes_no(float(value) >= 0.5)
        # no-break spaces: "11 av 12" stays on one line in a narrow table column
        return census(row.get("numerator"), row.get("denominator")).replace(" ", NBSP)
    if unit == "andel":
        return percent(value, UNIT_DECIMALS["andel"] if decimals is None else decimals)
    if unit == "antal" and row.get("level") == "municipality" and decimals is None:
        return number(value, 0)
    return number(value, UNIT_DECIMALS[unit] if decimals is None else decimals)


def interval_text(row: Mapping[str, object], decimals: int | None = None) -> str:
    """An indicator row's confidence interval, "15–39 %" or "1,0–1,8"; empty if none."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if bool(row.get("suppressed", False)) or _missing(low) or _missing(high):
        return ""
    unit = _unit(row)
    if unit in ("andel", "andel_kommuner"):
        d = UNIT_DECIMALS["andel"] if decimals is None else decimals
        return f"{number(float(low) * 100, d)}–{percent(high, d)}"
    d = UNIT_DECIMALS.get(unit, 1) if decimals is None else decimals
    return f"{number(low, d)}–{number(high, d)}"


def unit_text(ind: Indicator) -> str:
    return UNIT_TEXT.get(ind.unit, ind.unit)
