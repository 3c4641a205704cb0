"""Disclosure control of a large round (the example rounds with a thousand local
programme rows): every sensitive count protected, a weakened protection caught,
and every table the proof rests on agrees with what is published."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.analysis.audit import TOLERANCE, Form, Linked, Witnesses, audit, protect
from evaluation.analysis.published import link_round
from evaluation.analysis.rounds import history
from evaluation.analysis.uptake import uptake
from evaluation.indicators.context import build_context
from evaluation.indicators.table import indicator_table
from evaluation.intake.reference import load_reference
from evaluation.settings import load_settings
from evaluation.tools.large import write_large_round

THRESHOLD = 5


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Linked:
    folder: Path = tmp_path_factory.mktemp("large")
    write_large_round(folder, 1000, seed=0)
    reference, settings = load_reference(), load_settings()
    rounds = history(folder, 2026, reference=reference)
    ctx = build_context(rounds[-1], reference, settings)
    internal = pd.concat([indicator_table(r, reference, settings) for r in rounds],
                         ignore_index=True)
    raw = uptake(rounds, reference, settings)
    return link_round(ctx, internal.loc[internal["round"] == 2026],
                      raw.programmes.loc[raw.programmes["round"] == 2026],
                      raw.by_evidence_class.loc[raw.by_evidence_class["round"] == 2026]).linked


@pytest.fixture(scope="module")
def protection(large: Linked):
    return protect(large, THRESHOLD)


def test_every_sensitive_count_of_the_large_round_is_protected(large, protection):
    sensitive = large.sensitive(THRESHOLD)
    assert len(large.values) > 4000 and len(sensitive) > 1000
    result = protection.audit
    assert result.passed and not result.determined
    assert {r.key for r in result.ranges} == {f.key for f, _ in sensitive}
    assert min(r.width for r in result.ranges) >= THRESHOLD - TOLERANCE
    assert protection.primary > 0 and protection.secondary > 0
    # an audit from scratch, with no tables found on the way, agrees
    again = audit(large, set(protection.withheld), THRESHOLD)
    assert again.passed and not again.determined


def test_a_weakened_protection_of_the_large_round_is_caught(large, protection):
    assert not protect(large, THRESHOLD, secondary=False).audit.passed
    # publishing one cell chosen to protect a count that is published exactly
    weakened = dict(protection.withheld)
    key = next(k for k, unit in large.units.items() if k in weakened
               and len(unit.forms) == 1 and len(unit.forms[0].terms) == 1
               and unit.forms[0].value >= THRESHOLD and _guards_implied(large, k))
    del weakened[key]
    assert not audit(large, set(weakened), THRESHOLD).passed


def _guards_implied(linked: Linked, key: tuple) -> bool:
    """The unit is a row's count whose row's other published count is withheld too,
    and the two differ by a sensitive amount (started − completed)."""
    count = linked.units[key].forms[0].terms[0][0]
    return any(1 <= f.value < THRESHOLD and len(f.terms) == 2
               and count in {v for v, _ in f.terms} for f, _ in linked.implied)


def test_every_witness_agrees_with_every_published_figure(large, protection):
    tables = protection.witnesses.tables()
    assert len(tables) > 100
    published = [f for k, unit in large.units.items() if k not in protection.withheld
                 for f in unit.forms]
    lower = np.array(large.lower)
    for table in tables:
        assert (table >= lower - TOLERANCE).all()
        for f in published:
            assert abs(sum(c * table[v] for v, c in f.terms) - f.value) <= TOLERANCE
        for f in large.inequalities:
            assert sum(c * table[v] for v, c in f.terms) <= f.value + TOLERANCE


def test_a_witness_that_disagrees_with_a_published_figure_is_dropped():
    linked = Linked()
    a, b = linked.var(3), linked.var(4)
    total = Form(("total",), ((a, 1.0), (b, 1.0)), 7)
    witnesses = Witnesses(linked)
    witnesses.add_change([a, b], np.array([2.0, -2.0]))  # keeps the total
    witnesses.add_change([a], np.array([1.0]))  # does not
    assert witnesses.span(Form(("a",), ((a, 1.0),), 3)) == (3.0, 5.0)
    witnesses.keep_feasible([total], [])
    assert len(witnesses) == 2
    assert witnesses.span(Form(("a",), ((a, 1.0),), 3)) == (3.0, 5.0)
    witnesses.keep_feasible([total, Form(("b",), ((b, 1.0),), 4)], [])
    assert len(witnesses) == 1
    assert witnesses.span(Form(("a",), ((a, 1.0),), 3)) == (3.0, 3.0)
