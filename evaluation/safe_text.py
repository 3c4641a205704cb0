"""Text cells that stay text when a spreadsheet opens them (OWASP's CSV-injection rule).

A cell written to CSV or XLSX that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return is a formula to Excel and LibreOffice (`=HYPERLINK(...)` turns live). Such a
cell is written with a leading apostrophe, which both show as plain text. Numbers are
left as numbers: only text is ever a formula.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """`value` unchanged, unless it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells are all inert (column names included)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(inert)
    out.columns = [inert(c) for c in out.columns]
    return out
