"""Writing cells that spreadsheet programs read safely, shared by every CSV and XLSX
the toolkit writes (downloads, the validation report, workbooks for municipalities).

Text from the input (a family-centre name, a programme typed by hand) may begin
with a character that Excel or LibreOffice takes for the start of a formula
(OWASP's CSV injection rule: `=`, `+`, `-`, `@`, tab, carriage return; `=HYPERLINK(...)`
turns live). Such text is written with a leading apostrophe in CSV, and as a plain
string cell with Excel's quote prefix in XLSX, so it shows as written and never runs.
Numbers are left as numbers: only text is ever a formula.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def inert(value: object) -> object:
    """`value` as a CSV cell: formula-like text gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells are all inert (column names included)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(inert)
    out.columns = [inert(c) for c in out.columns]
    return out


def set_cell(cell: Cell, value: object) -> Cell:
    """Write `value` to an openpyxl cell as data: text that looks like a formula is
    stored as a string (openpyxl would otherwise write it as a formula) and shown
    with Excel's quote prefix."""
    if is_formula_like(value):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write_row(ws: Worksheet, row: int, values: Iterable[object], start: int = 1) -> None:
    """Write one row of values as data, from column `start`."""
    for column, value in enumerate(values, start=start):
        set_cell(ws.cell(row=row, column=column), value)


def fit_columns(ws: Worksheet, *, minimum: int = 8, maximum: int = 60,
                padding: int = 2) -> None:
    """Column widths that fit the longest value of each column (within bounds)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            longest = max(len(line) for line in str(cell.value).splitlines() or [""])
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(
            max(width + padding, minimum), maximum)


__all__ = ["FORMULA_STARTS", "fit_columns", "inert", "inert_frame", "is_formula_like",
           "set_cell", "write_row"]
