"""Decoding the text files offices send: UTF-8 (with or without BOM), UTF-16 with BOM
("Unicode text" from Excel), or Windows-1252 (what Swedish Excel saves as "CSV").

Anything else stops with a message naming the detected encoding, rather than being
read as garbled text; a UTF-8 file with a few stray bytes is read as UTF-8 and the
lines holding them are reported, rather than the whole file being garbled.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.errors import InputError

#: Bytes Windows-1252 leaves undefined: a file holding them is not Windows-1252.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
#: Windows-1252 letters Swedish text never holds; they are what Mac Roman's å, ä, ö and
#: other 8-bit encodings turn into when read as Windows-1252.
_CP1252_UNLIKELY = frozenset("ŒœŠšŽžŸƒˆ˜‰‹›†‡™")
#: Windows-1252 punctuation that Swedish text holds, but never inside a word.
_INSIDE_WORD = re.compile(r"\w[€…•]|[€…•]\w")
REPLACEMENT = "\ufffd"


@dataclass
class Decoded:
    """A file's text, the encoding it was read as, and the lines holding stray bytes."""

    text: str
    encoding: str
    stray_lines: list[int] = field(default_factory=list)


def detected_encoding(raw: bytes) -> str:
    """charset-normalizer's best guess, for messages ("okänd" when it has none)."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    return best.encoding if best is not None else "okänd"


def plausible_cp1252(text: str) -> bool:
    """Windows-1252 text as Swedish offices write it, not another 8-bit encoding."""
    return not (set(text) & _CP1252_UNLIKELY) and not _INSIDE_WORD.search(text)


def decode(raw: bytes, name: str = "filen") -> Decoded:
    """The text of a CSV file; raises `InputError` for an encoding it cannot trust."""
    if raw.startswith(codecs.BOM_UTF8):
        return _utf8(raw[len(codecs.BOM_UTF8):], "utf-8-sig")
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return Decoded(raw.decode(codec), codec)
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: filen börjar som {codec.upper()} men går inte att "
                                 f"läsa som det ({exc.reason} vid byte {exc.start}); spara "
                                 "den igen som CSV UTF-8") from None
    if _looks_utf16_without_bom(raw):
        codec = "utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"
        try:
            return Decoded(raw.decode(codec), codec)
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if _has_utf8_sequences(raw):
        return _utf8(raw, "utf-8")
    if b"\x00" not in raw and not (set(raw) & _CP1252_UNDEFINED):
        text = raw.decode("cp1252")
        if plausible_cp1252(text):
            return Decoded(text, "cp1252")
    raise InputError(
        f"{name}: teckenkodningen går inte att läsa säkert (den ser ut som "
        f"{detected_encoding(raw)}, varken UTF-8 eller Windows-1252); spara filen igen "
        "som \"CSV UTF-8 (kommaavgränsad)\" i Excel")


def _looks_utf16_without_bom(raw: bytes) -> bool:
    sample = raw[:4000]
    if len(sample) < 4:
        return False
    zeros_even = sample[0::2].count(0)
    zeros_odd = sample[1::2].count(0)
    half = len(sample) // 2
    return max(zeros_even, zeros_odd) > 0.4 * half and min(zeros_even, zeros_odd) < 0.05 * half


def _has_utf8_sequences(raw: bytes) -> bool:
    """At least one well-formed multi-byte UTF-8 character: the file is UTF-8 at heart."""
    return re.search(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}",
                     raw) is not None


def _utf8(raw: bytes, encoding: str) -> Decoded:
    text = raw.decode("utf-8", errors="replace")
    stray: list[int] = []
    if REPLACEMENT in text:
        stray = [n for n, line in enumerate(text.splitlines(), 1) if REPLACEMENT in line]
    return Decoded(text, encoding, stray)


def shown_name(path: str | Path) -> str:
    """A file name as people read it, even when it is not valid UTF-8 on disk.

    Names written by Windows tools on a Linux share often arrive as Windows-1252
    bytes; Python keeps them as surrogate escapes, which cannot be printed.
    """
    name = Path(path).name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("utf-8", errors="replace")
