"""The intake contract (evaluation.intake.contracts), tested on frames built by hand.

Validation calls the contract on every round it returns, so a validated round can never
show that the contract catches anything: these tests hand it tables that break one
promise each and check that it names that promise, and a table that keeps them all.
"""

import pandas as pd
import pandera.errors
import pytest
from builders import BEFOLKNING, FAMILJECENTRALER, KOMMUN, PROGRAM, VARDENHETER, intake_frame

from evaluation.intake.contracts import check_tables, table_schema

VALID = {"kommun": KOMMUN, "familjecentraler": FAMILJECENTRALER, "program": PROGRAM,
         "vardenheter": VARDENHETER, "befolkning": BEFOLKNING}


def failures(table_id: str, frame: pd.DataFrame) -> set[tuple[str, str]]:
    """(column or table, check) of every breach the contract reports."""
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        table_schema(table_id).validate(frame, lazy=True)
    cases = caught.value.failure_cases
    return {(str(col) if col is not None else table_id, str(check))
            for col, check in zip(cases["column"], cases["check"], strict=True)}


def valid(table_id: str) -> pd.DataFrame:
    return intake_frame(table_id, VALID[table_id])


def test_tables_built_as_intake_hands_them_on_keep_the_contract():
    check_tables({table_id: valid(table_id) for table_id in VALID})  # raises on any breach


@pytest.mark.parametrize(
    ("table_id", "row", "column", "value", "check"),
    [("program", 0, "completed", 21, "completed <= participants"),
     ("program", 0, "participants_men", 6, "women + men <= participants"),
     ("program", 1, "groups", -1, "greater_than_or_equal_to(0)"),
     ("kommun", 0, "municipality", "Örebro", r"str_matches('^\d{4}$')"),
     ("program", 0, "sector", "förskola", "isin"),
     ("vardenheter", 0, "unit_type", "MVC", "isin"),
     ("befolkning", 0, "children_0_17", pd.NA, "not_nullable"),
     ("familjecentraler", 0, "name", None, "not_nullable"),
     ("program", 0, "source_row", 0, "greater_than_or_equal_to(1)")],
)
def test_contract_names_the_value_that_breaks_it(table_id, row, column, value, check):
    frame = valid(table_id)
    frame.loc[row, column] = value
    found = failures(table_id, frame)
    assert any(col == column and check in name for col, name in found), found


def test_a_count_that_is_not_a_whole_number_type_breaks_the_contract():
    frame = valid("program")
    frame["participants"] = frame["participants"].astype("Float64")
    assert ("participants", "dtype('Int64')") in failures("program", frame)


def test_yes_no_as_text_breaks_the_contract():
    frame = valid("kommun")
    frame["local_plan"] = frame["local_plan"].map({True: "Ja", False: "Nej"})
    assert ("local_plan", "dtype('boolean')") in failures("kommun", frame)


def test_two_rows_with_the_same_key_break_the_contract():
    frame = valid("familjecentraler")
    frame.loc[1, "name"] = frame.loc[0, "name"]
    assert any(check == "multiple_fields_uniqueness" for _, check in failures(
        "familjecentraler", frame))


def test_a_missing_an_extra_or_a_moved_column_breaks_the_contract():
    frame = valid("befolkning")
    assert ("befolkning", "column_in_dataframe") in failures(
        "befolkning", frame.drop(columns=["source_row"]))
    assert ("befolkning", "column_in_schema") in failures(
        "befolkning", frame.assign(comment="x"))
    moved = frame[["children_0_17", *[c for c in frame.columns if c != "children_0_17"]]]
    assert ("befolkning", "column_ordered") in failures("befolkning", moved)


def test_check_tables_checks_every_table_it_is_given():
    broken = valid("vardenheter")
    broken.loc[0, "unit_type"] = "MVC"
    with pytest.raises(pandera.errors.SchemaErrors):
        check_tables({"kommun": valid("kommun"), "vardenheter": broken})
