"""Reading single cells as Swedish offices write them.

Each parser returns the parsed value, or raises `CellError` with what was
expected; blank cells are missing (None), never "no" and never zero.
"""

from __future__ import annotations

import math
import re

from evaluation.personal_numbers import mask, masked_value
from evaluation.text import normalize


class CellError(ValueError):
    """A cell value that cannot be read as its column's kind."""

    def __init__(self, message: str, expected: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.reason = reason


YES = frozenset({"ja", "j", "x", "1", "yes", "y", "sant", "true", "finns"})
NO = frozenset({"nej", "n", "0", "no", "falskt", "false", "finns ej", "saknas"})
BLANK_MARKERS = frozenset({"", "-", "–", "—", ".", "..", "nan", "none", "null"})

#: No count of parents, groups or children can exceed Sweden's population (10.55 million
#: at the end of 2023, SCB), rounded up: a larger figure is a typing error, not a count.
MAX_COUNT = 10_600_000
_SCIENTIFIC = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d+$")
_THOUSANDS = re.compile(r"(?<=\d)[\s\u00a0\u202f\u2009'](?=\d{3}(?:\D|$))")


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().replace("\u00a0", "") in BLANK_MARKERS


def cell_text(value: object) -> str:
    """A cell as text for messages: whole floats lose their `.0`, as Excel shows them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_yesno(value: object) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    key = normalize(value)
    if key in YES:
        return True
    if key in NO:
        return False
    raise CellError("inte ett ja/nej-svar", "Ja eller Nej (också J/N, X, 1/0; tomt om okänt)",
                    "yesno_unreadable")


def parse_number(value: object) -> float | None:
    """A number written with a decimal comma and space-separated thousands."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("inte ett tal", "ett tal", "not_a_number")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u2212", "-")
    text = _THOUSANDS.sub("", text)
    if _SCIENTIFIC.search(text):
        raise CellError("tal i grundpotensform (som 1e3) godtas inte som antal",
                        "talet utskrivet med siffror, som 1000", "scientific_notation")
    if "_" in text:  # Python reads "1_000", Excel does not
        raise CellError("inte ett tal", "ett heltal, 0 eller mer", "not_a_number")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise CellError("inte ett tal", "ett heltal, 0 eller mer", "not_a_number") from None


def parse_count(value: object) -> int | None:
    number = parse_number(value)
    if number is None:
        return None
    if not math.isfinite(number) or not number.is_integer():
        raise CellError("inte ett heltal", "ett heltal, 0 eller mer", "not_whole")
    if number < 0:
        raise CellError("negativt antal", "ett heltal, 0 eller mer", "negative_count")
    if number > MAX_COUNT:
        raise CellError(f"orimligt stort antal: fler än Sveriges befolkning ({MAX_COUNT:,})"
                        .replace(",", "\u00a0"),
                        f"ett heltal från 0 till {MAX_COUNT:,}".replace(",", "\u00a0"),
                        "implausible_count")
    return int(number)


# --- personal identity numbers -------------------------------------------------


def find_personnummer(value: object) -> str | None:
    """The cell's text with every personal identity number masked, when it holds one
    (the rules are those of `evaluation.personal_numbers`), else None."""
    return masked_value(value)


def mask_personnummer(text: str) -> str:
    return mask(text)
