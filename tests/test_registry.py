"""The registry: an indicator is defined once, with its measure, and appears everywhere."""

from __future__ import annotations

import pytest
from builders import base_round, make_reference

from evaluation.errors import ParameterError
from evaluation.indicators.context import Cell
from evaluation.indicators.registry import REGISTRY, indicator, register
from evaluation.indicators.table import indicator_table
from evaluation.report.methods import methods_markdown
from evaluation.settings import Settings


def test_an_indicator_id_can_be_registered_only_once():
    with pytest.raises(ParameterError, match="indicator '1.1' is registered twice"):
        register(REGISTRY["1.1"])


def test_an_unknown_goal_area_is_refused():
    with pytest.raises(ParameterError, match="unknown goal area '9'"):
        indicator("9.1", "Påhittad", goal_area="9", definition="", unit="andel",
                  numerator="", denominator="", sources=("kommun",), target="monitored",
                  method="census", census=False)(lambda ctx: {})
    assert "9.1" not in REGISTRY


@pytest.fixture
def extra_indicator():
    """A made-up indicator 2.9, registered by one decorated measure and removed after."""
    @indicator("2.9", "Kommuner med påhittad verksamhet", goal_area="2",
               definition="En påhittad verksamhet för provet.", unit="andel_kommuner",
               numerator="Kommuner med verksamheten", denominator="Kommuner som svarat",
               sources=("kommun",), target=1.0, method="census", census=True)
    def made_up(ctx):
        return {code: Cell(1, 1, 1.0) for code in ctx.answered}

    yield REGISTRY["2.9"]
    del REGISTRY["2.9"]


def test_a_registered_measure_reaches_the_tidy_table_and_the_methods_page(extra_indicator):
    table = indicator_table(base_round(2024), make_reference(), Settings())
    rows = table.loc[table["indicator"] == "2.9"]
    answered = rows.loc[rows["level"] == "municipality"].dropna(subset=["value"])
    assert len(rows) == 5 and len(answered) > 0
    assert (answered["value"] == 1.0).all()
    text = methods_markdown()
    assert "#### 2.9 Kommuner med påhittad verksamhet" in text
    assert text.index("#### 2.6 ") < text.index("#### 2.9 ") < text.index("#### 3.1 ")
