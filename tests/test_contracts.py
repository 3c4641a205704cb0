import pytest
from builders import write_round

from evaluation.errors import ContractError
from evaluation.intake.contracts import check_tables
from evaluation.intake.validation import validate_round


def test_validated_tables_keep_the_contract(tmp_path):
    tables = validate_round(write_round(tmp_path), 2024).tables
    check_tables(tables)  # raises on any breach


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [("program", "completed", 99), ("kommun", "municipality", "Örebro"),
     ("program", "sector", "förskola"), ("vardenheter", "unit_type", "MVC")],
)
def test_contract_catches_a_table_that_breaks_it(tmp_path, table, column, value):
    tables = validate_round(write_round(tmp_path), 2024).tables
    frame = tables[table].copy()
    frame.loc[0, column] = value
    with pytest.raises(ContractError):
        check_tables({table: frame})
