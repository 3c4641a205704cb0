"""Recognising and masking Swedish personal identity numbers (DESIGN §3 "Bad input").

The toolkit holds no personal data, so anything that looks like a personnummer
or a samordningsnummer is refused where it enters (a cell rejects its row) and
masked wherever text leaves (messages, logs, the terminal, the manifest, every
report). "Looks like" is deliberately wider than "is valid":

* six or eight digits of a real date, a separator and four digits, whatever the
  check digit: ``850101-1234``, ``19850101–1234`` (en dash), ``850101+1234``,
  ``850101 1234``. Separators are ``-``, ``+``, every Unicode dash or hyphen
  (category Pd), the minus sign U+2212, the non-breaking and soft hyphens, or a
  space (with or without a dash);
* twelve bare digits whose first eight are a real date (century 18, 19 or 20),
  whatever the check digit;
* ten bare digits whose first six are a real date *and* whose last digit is a
  valid Luhn check digit, so that most phone numbers and other ten-digit codes
  pass.

A samordningsnummer is a personnummer with 60 added to the day (day 61–91).
The mask keeps the number's shape and replaces every digit with ``X``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

MASK_DIGIT = "X"

#: Every dash of Unicode category Pd (Unicode 14), the minus signs, the soft hyphen.
DASHES = (
    "\u002d\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a"
    "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
    "\u2212\u207b\u208b\u2796\u00ad"
)
PLUSES = "+\ufe62\uff0b"
#: Spaces and invisible characters that may stand around or instead of a dash.
_GAP = r"[\s\u00ad\u200b\u200c\u200d\u2060\ufeff]"
_SEPARATOR = (rf"(?:{_GAP}{{0,2}}[{re.escape(DASHES + PLUSES)}]{_GAP}{{0,2}}"
              rf"|{_GAP}{{1,2}})")
_CANDIDATE = re.compile(
    rf"(?<!\d)(?P<century>\d{{2}})?(?P<date>\d{{6}})(?P<separator>{_SEPARATOR})?"
    rf"(?P<tail>\d{{4}})(?!\d)"
)
_CENTURIES = (18, 19, 20)


@dataclass(frozen=True)
class Found:
    """One number in a text: where it stands and how it is shown masked."""

    start: int
    end: int
    masked: str


def _digits(text: str) -> str:
    """Any Unicode decimal digits as ASCII digits (int() reads them all)."""
    return "".join(str(int(ch)) for ch in text)


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check over YYMMDDNNNC: weights 2, 1, 2, 1, … from the left,
    digits of each product summed; valid when the total ends in 0."""
    total = 0
    for i, ch in enumerate(_digits(digits)):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def real_date(yymmdd: str, century: int | None = None) -> bool:
    """A real calendar date, or one whose day is that of a samordningsnummer (+60).

    Without a century any of 1800, 1900 and 2000 will do (29 February of '00)."""
    yymmdd = _digits(yymmdd)
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > 60:
        day -= 60
    for c in (century,) if century is not None else _CENTURIES:
        try:
            date(c * 100 + yy, month, day)
        except ValueError:
            continue
        return True
    return False


def _looks_like(match: re.Match[str]) -> bool:
    century, yymmdd, separator, tail = match.group("century", "date", "separator", "tail")
    if century is not None and int(_digits(century)) not in _CENTURIES:
        return False
    if not real_date(yymmdd, int(_digits(century)) if century is not None else None):
        return False
    if separator or century is not None:
        return True  # with a separator, or twelve digits: whatever the check digit
    return luhn_ok(yymmdd + tail)  # ten bare digits: only with a valid check digit


def _mask(text: str) -> str:
    return re.sub(r"\d", MASK_DIGIT, text)


def find_all(text: str) -> list[Found]:
    """Every personal identity number in `text`, with its masked form."""
    return [Found(m.start(), m.end(), _mask(m.group(0)))
            for m in _CANDIDATE.finditer(text) if _looks_like(m)]


def contains(value: object) -> bool:
    """True when the text of `value` holds anything that looks like a number."""
    return bool(find_all(_text(value))) if value is not None else False


def mask(text: str) -> str:
    """`text` with every personal identity number's digits replaced by X."""
    if not isinstance(text, str) or not text:
        return text
    found = find_all(text)
    if not found:
        return text
    parts, last = [], 0
    for hit in found:
        parts += [text[last:hit.start], hit.masked]
        last = hit.end
    parts.append(text[last:])
    return "".join(parts)


_MASKED = re.compile(rf"(?<![\dX])(?:XX)?X{{6}}(?:{_SEPARATOR})?X{{4}}(?![\dX])")


def was_masked(text: object) -> bool:
    """True when `text` shows a number masked by `mask` (its shape in X)."""
    return isinstance(text, str) and bool(_MASKED.search(text))


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def masked_value(value: object) -> str | None:
    """The cell's text masked when it holds a number, else None (bools never do)."""
    if value is None or isinstance(value, bool):
        return None
    text = _text(value).strip()
    return mask(text) if find_all(text) else None


def mask_data(value: Any) -> Any:
    """A JSON-like structure with every string (keys included) masked."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {mask_data(k): mask_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(v) for v in value]
    return value


# ------------------------------------------------------------------ writers


class MaskingFormatter(logging.Formatter):
    """A log formatter whose every line (tracebacks included) is masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class MaskingStream:
    """A text stream that masks what is written to it (the terminal's last defence).

    Each write is masked on its own; the toolkit writes whole messages and lines.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(mask(text))
        return len(text)

    def writelines(self, lines: Iterator[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
