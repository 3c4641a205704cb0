"""Block programmes of a large round's disclosure control: blocks split no row,
the kept cell choice finds the cheapest cells of a system worked out by hand,
and protection without the kept solver still passes the exact audit."""

from __future__ import annotations

import builtins

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from evaluation.analysis import audit as audit_module
from evaluation.analysis.audit import Form, Linked, _block_system, audit, protect
from evaluation.analysis.blocks import BlockSystem

THRESHOLD = 5


def _two_rows() -> tuple[Linked, list[tuple]]:
    """Two programme rows of one municipality (participants, completed) and its
    two totals. Row 1 has 10 started and 7 completed: 3 not completed, known
    exactly from the published cells. Row 2 has 10 and 2."""
    linked = Linked()
    p1, c1, p2, c2 = (linked.var(v) for v in (10, 7, 10, 2))
    cells = [("p1", p1, 10), ("c1", c1, 7), ("p2", p2, 10), ("c2", c2, 2)]
    for key, v, value in cells:
        linked.add((key,), [Form((key,), ((v, 1.0),), value)], 1.0, key)
    linked.add(("P",), [Form(("P",), ((p1, 1.0), (p2, 1.0)), 20)], 6.0, "P")
    linked.add(("C",), [Form(("C",), ((c1, 1.0), (c2, 1.0)), 9)], 6.0, "C")
    for i, (p, c) in enumerate(((p1, c1), (p2, c2))):
        linked.inequalities.append(Form(("le", i), ((c, 1.0), (p, -1.0)), 0))
    linked.implied.append((Form(("not", 1), ((p1, 1.0), (c1, -1.0)), 3), "row 1"))
    return linked, list(linked.units)


def _system(linked: Linked) -> BlockSystem:
    return _block_system(linked, [f for f, _ in linked.sensitive(THRESHOLD)])


def test_blocks_never_split_a_row():
    linked, _ = _two_rows()
    system = _system(linked)
    # counts 0–1 and 2–3 are rows: a block may start at 0 or 2 only
    assert system.blocks(1) == [(0, 2), (2, 4)]
    assert system.blocks(3) == [(0, 4)]


def test_the_kept_cell_choice_finds_the_cheapest_cells_worked_out_by_hand():
    linked, keys = _two_rows()
    system = _system(linked)
    published = np.ones(len(keys), dtype=bool)
    target = csr_matrix(np.array([[1.0, -1.0, 0.0, 0.0]]))  # started − completed, row 1
    chooser = system.chooser((0, 4), published, target)
    if chooser is None:
        pytest.skip("scipy's HiGHS interface is not there")
    units, table = chooser.solve(0, THRESHOLD)
    # Row 1's "not completed" moves by 5 when 5 completed go from row 1 to row 2
    # (c1 7 → 2, c2 2 → 7) or 5 started from row 2 to row 1 (p1 10 → 15,
    # p2 10 → 5): two cells at cost 1 either way, totals kept; moving a total
    # costs 6 a unit.
    chosen = {keys[u] for u in units}
    assert chosen in ({("c1",), ("c2",)}, {("p1",), ("p2",)})
    assert table @ np.array([1.0, -1.0, 0.0, 0.0]) >= THRESHOLD - 1e-6
    assert np.isclose(table[0] + table[2], 0.0) and np.isclose(table[1] + table[3], 0.0)
    assert np.all(np.array(linked.values) + table >= 0)
    # once withheld, the same cells cost nothing: asking again withholds no more
    again = chooser.solve(0, THRESHOLD)
    assert again is not None and len(again[0]) == 0


def test_protection_without_the_kept_solver_still_passes_the_exact_audit(monkeypatch):
    """Where scipy has no HiGHS interface of its own (before 1.15), a large system
    is protected by the per-form programmes, and the exact audit passes."""
    real_import = builtins.__import__

    def no_core(name, *args, **kwargs):
        if name.startswith("scipy.optimize._highspy"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    linked, _ = _two_rows()
    monkeypatch.setattr(audit_module, "WHOLE", 0)  # take the large systems' path
    monkeypatch.setattr(builtins, "__import__", no_core)
    protection = protect(linked, THRESHOLD)
    monkeypatch.undo()
    assert protection.audit.passed
    assert audit(linked, set(protection.withheld), THRESHOLD).passed
    assert set(protection.withheld) in ({("c1",), ("c2",)}, {("p1",), ("p2",)})


def test_the_block_path_protects_a_small_system_as_the_exact_audit_requires(monkeypatch):
    linked, _ = _two_rows()
    monkeypatch.setattr(audit_module, "WHOLE", 0)
    protection = protect(linked, THRESHOLD)
    assert protection.audit.passed
    assert set(protection.withheld) in ({("c1",), ("c2",)}, {("p1",), ("p2",)})
    fresh = audit(linked, set(protection.withheld), THRESHOLD)
    assert fresh.passed and not fresh.determined
