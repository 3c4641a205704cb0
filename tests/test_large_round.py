"""The large synthetic round: thousands of local programme rows beside the example's,
every one of them read, none lost, keys that never repeat."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.errors import ParameterError
from evaluation.intake.validation import validate_round
from evaluation.tools.large import LARGE_FILE, local_programme_rows, write_large_round

CODES = ["1814", "1860", "1880"]


def test_local_rows_have_unique_keys_and_consistent_counts():
    rows = local_programme_rows(CODES, 400, seed=3)
    assert len(rows) == 400
    keys = {(r[0], r[1], r[2]) for r in rows}
    assert len(keys) == 400
    for _code, _name, _sector, groups, started, women, men, completed, _f, _e in rows:
        assert groups == 1 and 2 <= started <= 40
        assert women + men <= started and 0 <= completed <= started
    assert {r[0] for r in rows} == set(CODES)


def test_local_rows_are_reproducible_from_the_seed():
    assert local_programme_rows(CODES, 50, seed=1) == local_programme_rows(CODES, 50, seed=1)
    assert local_programme_rows(CODES, 50, seed=1) != local_programme_rows(CODES, 50, seed=2)


def test_a_negative_number_of_rows_is_refused_in_swedish():
    with pytest.raises(ParameterError, match="antalet rader ska vara 0 eller fler: fick -1"):
        local_programme_rows(CODES, -1)


def test_every_extra_row_is_read_and_accepted(tmp_path: Path):
    plain = validate_round(_example(tmp_path / "plain"), 2026)
    path = write_large_round(tmp_path / "large", 600, seed=0)
    assert path.name == LARGE_FILE
    large = validate_round(tmp_path / "large", 2026)
    before, after = plain.report.counts["program"], large.report.counts["program"]
    assert after.rows_in == before.rows_in + 600
    assert after.rejected == before.rejected
    assert after.rows_in == after.accepted + after.rejected
    assert len(large.tables["program"]) == len(plain.tables["program"]) + 600
    assert large.answered == plain.answered


def _example(folder: Path) -> Path:
    from evaluation.tools.example import write_example

    write_example(folder)
    return folder
