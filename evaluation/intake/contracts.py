"""The promise intake makes to everything downstream, checked with pandera.

Generated from `evaluation.intake.schema`, so a new column is checked by being declared
once. A failure here is a fault in the toolkit, not in the input: input faults
are findings of `evaluation.intake.validation`.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa

from evaluation.intake.model import SOURCE_COLUMNS
from evaluation.intake.schema import SECTORS, TABLES, UNIT_TYPES, Column, Table


def _column(col: Column) -> pa.Column:
    nullable = not (col.required and col.kind not in ("yesno",))
    if col.kind == "municipality":
        return pa.Column(str, pa.Check.str_matches(r"^\d{4}$"), nullable=False)
    if col.kind == "yesno":
        return pa.Column("boolean", nullable=True)
    if col.kind == "count":
        return pa.Column("Int64", pa.Check.ge(0), nullable=nullable)
    if col.kind == "sector":
        return pa.Column(str, pa.Check.isin([s.id for s in SECTORS]), nullable=False)
    if col.kind == "unit_type":
        return pa.Column(str, pa.Check.isin(list(UNIT_TYPES)), nullable=False)
    return pa.Column(str, nullable=nullable, coerce=False)


@cache
def table_schema(table_id: str) -> pa.DataFrameSchema:
    table: Table = TABLES[table_id]
    columns = {c.id: _column(c) for c in table.columns}
    if table_id == "program":
        columns["programme_name"] = pa.Column(str, nullable=False)
        columns["in_catalogue"] = pa.Column(bool)
        checks = [
            pa.Check(lambda d: ~(d.completed > d.participants).fillna(False),
                     error="completed <= participants"),
            pa.Check(lambda d: ~((d.participants_women + d.participants_men)
                                 > d.participants).fillna(False),
                     error="women + men <= participants"),
        ]
    else:
        checks = []
    columns["source_file"] = pa.Column(str)
    columns["source_sheet"] = pa.Column(str)
    columns["source_row"] = pa.Column("int64", pa.Check.ge(1))
    assert set(SOURCE_COLUMNS) <= set(columns)
    return pa.DataFrameSchema(columns, checks=checks, strict=True, ordered=True,
                              unique=list(table.key), name=table_id)


def check_tables(tables: dict[str, pd.DataFrame]) -> None:
    for table_id, frame in tables.items():
        table_schema(table_id).validate(frame, lazy=True)
