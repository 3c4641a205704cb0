"""The promise intake makes to everything downstream, checked with pandera.

Generated from `evaluation.intake.schema`, so a new column is checked by being declared
once. A failure here is a fault in the toolkit, not in the input: input faults
are findings of `evaluation.intake.validation`. It is raised as a `ContractError`
naming the first breach; pandera's own error is its cause.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from evaluation.errors import ContractError
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
    return pa.DataFrameSchema(columns, checks=checks, strict=True, ordered=True,
                              unique=list(table.key), name=table_id)


def check_tables(tables: dict[str, pd.DataFrame]) -> None:
    """Raise `ContractError` on the first table that breaks its schema."""
    for table_id, frame in tables.items():
        try:
            table_schema(table_id).validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            raise contract_error(table_id, frame, exc.failure_cases) from exc


def contract_error(table_id: str, frame: pd.DataFrame, cases: pd.DataFrame) -> ContractError:
    """The first breach in pandera's failure cases, with the input cell it came from."""
    first = cases.iloc[0]
    check = str(first["check"])
    # a check over the whole frame lists every column of the row: name none of them
    column = None if first["schema_context"] == "DataFrameSchema" else str(first["column"])
    failures = int((cases["check"] == check).sum()) if column is None else int(
        ((cases["check"] == check) & (cases["column"] == column)).sum())
    index = first["index"]
    # a frame-wide check on the columns (missing, extra, moved) names the column as its case
    row_wise = index is not None and not pd.isna(index)
    value = first["failure_case"] if column is not None or not row_wise else None
    where = {}
    if row_wise and index in frame.index and set(SOURCE_COLUMNS) <= set(frame):
        source = frame.loc[index]
        where = {"file": str(source["source_file"]), "sheet": str(source["source_sheet"]),
                 "row": int(source["source_row"])}
    text = (f"Tabellen {TABLES[table_id].label!r} bryter mot kontrollen {check}"
            + (f" i kolumnen {column!r}" if column else "")
            + (f" (värde {str(value)!r})" if value is not None else "")
            + (f", första gången i {where['file']} rad {where['row']}" if where else "")
            + f"; {failures} fel. Det är ett fel i verktyget, inte i indata: inget "
              "publicerades")
    return ContractError(text, table=table_id, column=column, check=check,
                         failures=failures, value=value, **where)
