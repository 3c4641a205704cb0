"""Text normalisation for matching what people type against what the toolkit knows,
and numbers written as Swedish readers expect them ("1 234,5"), which messages of
every layer use (`evaluation.report.formatting` builds the reports' texts on it).

Matching ignores case, surrounding and repeated space, diacritics (å ä ö é ü …)
and the kind of dash, so "Hälso- och sjukvård", "HALSO- OCH SJUKVARD" and
"hälso–och sjukvård " all compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

NBSP = "\u00a0"
MINUS = "\u2212"
#: Shown for a value that does not exist (not answered, nothing to divide by).
MISSING = "–"
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_SPACE = re.compile(r"\s+")
_WORD_SPLIT = re.compile(r"[\s_\-.]+")


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: object) -> str:
    """Fold a header, name or code to the form used for comparison."""
    if text is None:
        return ""
    s = str(text).translate(_DASHES).replace("\u00a0", " ")
    s = strip_diacritics(s).casefold()
    s = _SPACE.sub(" ", s).strip()
    s = re.sub(r"\s*-\s*", "-", s)
    return s


def first_word(name: str) -> str:
    """The first word of a file stem or sheet name: `program_hallefors` -> `program`."""
    parts = [p for p in _WORD_SPLIT.split(name.strip()) if p]
    return parts[0] if parts else ""


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def swedish_sort_key(text: object) -> str:
    """Swedish alphabetical order: å, ä and ö come after z (Örebro last, not first)."""
    return str(text).casefold().translate(_SWEDISH_ORDER)


def is_missing(value: object) -> bool:
    """None, NaN, NA or NaT."""
    return value is None or bool(pd.isna(value))


def number(value: float | int | None, decimals: int = 0) -> str:
    """1234.5 -> "1 234,5" (no-break space between thousands, decimal comma)."""
    if is_missing(value):
        return MISSING
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    negative = rounded < 0
    text = f"{abs(rounded):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return f"{MINUS}{text}" if negative else text
