"""Text normalisation for matching what people type against what the toolkit knows.

Matching ignores case, surrounding and repeated space, diacritics (å ä ö é ü …)
and the kind of dash, so "Hälso- och sjukvård", "HALSO- OCH SJUKVARD" and
"hälso–och sjukvård " all compare equal.
"""

from __future__ import annotations

import re
import unicodedata

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
