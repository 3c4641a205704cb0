"""What a message an evaluator reads must be: one line, in Swedish.

A rough but independent check: quoted names and values (which may be in any
language) are cut out, then no common English word may remain and some Swedish
must. It catches an untranslated message, not bad Swedish.
"""

from __future__ import annotations

import re

#: English words that no Swedish message of the toolkit holds outside quotes.
ENGLISH = frozenset("""
    the is are not cannot can't could does doesn't exist exists error errors invalid expected
    unknown file files folder line must found failed unexpected should denied permission
    directory missing required usage choose arguments unrecognized ambiguous
    allowed published round rounds running stopped workbook workbooks
    warning took over stale lock held another which where with without
    """.split())
#: Swedish letters, or a word of the toolkit's Swedish messages.
SWEDISH_WORDS = """
    och inte går fel filen mappen rad saknas finns kan är för som eller ange omgång ogiltigt
    krävs okänt okänd välj flaggan varning avbruten ett en tal antal heltal negativt mer av
    till på med om från den det ja nej tomt värde rader raden bladet kolumn kolumnen tabell
    tabellen fil under alla fynd inga ingen logg publicerad aktuell syntetiska exempeldata
    """.split()
SWEDISH = re.compile(rf"[åäöÅÄÖ]|\b({'|'.join(SWEDISH_WORDS)})\b", re.IGNORECASE)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|«[^»]*»")


def english_words(text: str) -> list[str]:
    """The English words of `text` outside quotes and paths."""
    bare = _QUOTED.sub(" ", text)
    bare = re.sub(r"\S*[/\\]\S*", " ", bare)  # paths and file names with folders
    bare = re.sub(r"(?<!\w)--?[\w-]+", " ", bare)  # options: --round, -h
    return [w for w in re.findall(r"[A-Za-z][A-Za-z']*:?", bare) if w.lower() in ENGLISH]


def assert_swedish_line(text: str, *names: str) -> None:
    """`text` is one line of Swedish (names may be cut out first: they are not text)."""
    assert text.strip(), "empty message"
    assert "\n" not in text.strip() and "\r" not in text, f"more than one line: {text!r}"
    assert "Traceback" not in text, text
    for name in names:
        text = text.replace(name, " ")
    assert not english_words(text), f"English in a message: {english_words(text)}: {text!r}"
    assert SWEDISH.search(text), f"no Swedish in a message: {text!r}"
