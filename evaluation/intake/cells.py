"""Reading single cells as Swedish offices write them.

Each parser returns the parsed value, or raises `CellError` with what was
expected and the `Reason`; blank cells are missing (None), never "no" and never zero.
"""

from __future__ import annotations

import math
import re

from evaluation.errors import CellError, Reason
from evaluation.personal_numbers import mask, masked_value
from evaluation.text import normalize

YES = frozenset({"ja", "j", "x", "1", "yes", "y", "sant", "true", "finns"})
NO = frozenset({"nej", "n", "0", "no", "falskt", "false", "finns ej", "saknas"})
BLANK_MARKERS = frozenset({"", "-", "–", "—", ".", "..", "nan", "none", "null"})

#: No count of parents, groups or children can exceed Sweden's population (10.55 million
#: at the end of 2023, SCB), rounded up: a larger figure is a typing error, not a count.
MAX_COUNT = 10_600_000
_SCIENTIFIC = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d+$")
#: A number as Excel writes it in text: ASCII digits, one decimal comma or point.
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)$")
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
                    Reason.YESNO_UNREADABLE)


def parse_number(value: object) -> float | None:
    """A number written with a decimal comma and space-separated thousands.

    Text is read only when it is written with ASCII digits, as Excel and the survey write
    numbers: Python's `float` would also take "١٢", "１２", "inf" and "nan". A whole
    number too large for a float (a workbook may hold one) is infinite, not an error.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("inte ett tal", "ett tal", Reason.NOT_A_NUMBER)
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    text = str(value).strip().replace("\u2212", "-")
    text = _THOUSANDS.sub("", text)
    if _SCIENTIFIC.search(text):
        raise CellError("tal i grundpotensform (som 1e3) godtas inte som antal",
                        "talet utskrivet med siffror, som 1000", Reason.SCIENTIFIC_NOTATION)
    if not _PLAIN_NUMBER.match(text):  # "1_000", "0x10", "inf", digits of other scripts
        raise CellError("inte ett tal", "ett heltal, 0 eller mer", Reason.NOT_A_NUMBER)
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise CellError("inte ett tal", "ett heltal, 0 eller mer", Reason.NOT_A_NUMBER) from None


def parse_count(value: object) -> int | None:
    number = parse_number(value)
    if number is None:
        return None
    if math.isnan(number):
        raise CellError("inte ett tal", "ett heltal, 0 eller mer", Reason.NOT_A_NUMBER)
    if math.isfinite(number) and not number.is_integer():
        raise CellError("inte ett heltal", "ett heltal, 0 eller mer", Reason.NOT_WHOLE)
    if number < 0:
        raise CellError("negativt antal", "ett heltal, 0 eller mer", Reason.NEGATIVE_COUNT)
    if number > MAX_COUNT:  # infinite too: digits beyond what a float holds
        raise CellError(f"orimligt stort antal: fler än Sveriges befolkning ({MAX_COUNT:,})"
                        .replace(",", "\u00a0"),
                        f"ett heltal från 0 till {MAX_COUNT:,}".replace(",", "\u00a0"),
                        Reason.IMPLAUSIBLE_COUNT)
    return int(number)


# --- personal identity numbers -------------------------------------------------


def find_personnummer(value: object) -> str | None:
    """The cell's text with every personal identity number masked, when it holds one
    (the rules are those of `evaluation.personal_numbers`), else None."""
    return masked_value(value)


def mask_personnummer(text: str) -> str:
    return mask(text)
