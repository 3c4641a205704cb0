"""Disclosure control over linked tables: hand-built cases an intruder could undo,
the audit catching them, and the example rounds passing it."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from evaluation.analysis.audit import Form, Linked, audit, protect
from evaluation.analysis.disclosure import DisclosureError, protect_round, require_passed
from evaluation.analysis.results import RoundResult
from evaluation.analysis.rounds import compute, history
from evaluation.intake.reference import load_reference
from evaluation.settings import Settings, load_settings

THRESHOLD = 5


def county_of(counts: dict[str, int]) -> tuple[Linked, dict[str, tuple]]:
    """Municipalities' counts and the county total, as linked cells."""
    linked = Linked()
    keys = {}
    parts = []
    for name, value in counts.items():
        v = linked.var(value)
        key = ("cell", name)
        form = Form(key, ((v, 1.0),), value)
        linked.add(key, [form], 1.0, name)
        keys[name] = key
        parts.append(form)
    total = Form(("total",), tuple((f.terms[0][0], 1.0) for f in parts),
                 sum(counts.values()), tuple(f.key for f in parts))
    linked.add(("total",), [total], 10.0, "länet")
    return linked, keys


def test_a_county_total_minus_its_published_parts_is_caught():
    linked, keys = county_of({"Laxå": 3, "Kumla": 40, "Nora": 25})
    result = audit(linked, {keys["Laxå"]}, THRESHOLD)
    assert not result.passed
    failure = result.failures[0]
    assert failure.label == "Laxå"
    assert failure.low == pytest.approx(3) and failure.high == pytest.approx(3)


def test_a_second_cell_makes_the_small_count_unrecoverable():
    linked, keys = county_of({"Laxå": 3, "Kumla": 40, "Nora": 25})
    protection = protect(linked, THRESHOLD)
    assert protection.audit.passed
    assert keys["Laxå"] in protection.withheld
    # the cheapest complement is one municipality, never the county total
    assert ("total",) not in protection.withheld
    assert protection.primary == 1 and protection.secondary == 1
    laxa = next(r for r in protection.audit.ranges if r.label == "Laxå")
    assert laxa.width >= THRESHOLD


def test_started_minus_completed_on_a_profile_row_is_caught():
    linked = Linked()
    started, completed = linked.var(9), linked.var(8)
    linked.add(("started",), [Form(("started",), ((started, 1.0),), 9)], 1.0, "påbörjat")
    linked.add(("completed",), [Form(("completed",), ((completed, 1.0),), 8)], 1.0,
               "fullföljt")
    linked.inequalities.append(Form(("le",), ((completed, 1.0), (started, -1.0)), 0))
    linked.implied.append((Form(("gap",), ((started, 1.0), (completed, -1.0)), 1),
                           "inte fullföljt"))
    assert audit(linked, set(), THRESHOLD).failures[0].label == "inte fullföljt"
    protection = protect(linked, THRESHOLD)
    assert protection.audit.passed
    assert protection.withheld  # one of the two is withheld for the implied 1


def test_a_withheld_figure_that_protects_nothing_is_released():
    linked, keys = county_of({"Laxå": 3, "Kumla": 40, "Nora": 25})
    protection = protect(linked, THRESHOLD, fixed={("total",): "secondary",
                                                   keys["Kumla"]: "secondary"})
    # with Laxå, Kumla and the total all withheld nothing pins any of them; but a
    # total known from its published parts would be released
    linked2, keys2 = county_of({"Kumla": 40, "Nora": 25})
    released = protect(linked2, THRESHOLD, fixed={("total",): "secondary"})
    assert ("total",) not in released.withheld
    assert protection.audit.passed


def test_threshold_zero_withholds_nothing():
    linked, _ = county_of({"Laxå": 3, "Kumla": 40})
    assert protect(linked, 0).withheld == {}


@pytest.fixture(scope="module", params=[2024, 2026])
def example(request) -> RoundResult:
    return compute("data/example", request.param)


def test_example_rounds_pass_the_audit_and_count_what_they_withhold(example):
    summary = example.extra["disclosure"]
    counts = summary["rounds"][str(example.year)]
    assert counts["primary"] > 0 and counts["secondary"] > 0
    assert summary["sensitive_counts_audited"] > 0


def test_skipping_secondary_protection_is_caught_by_the_audit():
    from evaluation.analysis.uptake import uptake
    from evaluation.indicators.compute import build_context
    from evaluation.indicators.table import indicator_table

    reference, settings = load_reference(), load_settings()
    rounds = history("data/example", 2026, "18", reference=reference)
    contexts = [build_context(r, reference, settings) for r in rounds]
    internal = pd.concat([indicator_table(r, reference, settings) for r in rounds],
                         ignore_index=True)
    raw = uptake(rounds, reference, settings)
    with pytest.raises(DisclosureError, match="Publiceringen stoppades: uppgiften om"):
        protect_round(contexts, internal, raw, settings, secondary=False)


def test_audit_failure_message_is_one_swedish_line():
    linked, keys = county_of({"Laxå": 3, "Kumla": 40})
    with pytest.raises(DisclosureError) as caught:
        require_passed(audit(linked, {keys["Laxå"]}, THRESHOLD))
    text = str(caught.value)
    assert "\n" not in text and "Laxå" in text and "Inget publicerades" in text


def _walk(obj, seen=None):
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(k, seen)
            yield from _walk(v, seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for v in obj:
            yield from _walk(v, seen)
    elif hasattr(obj, "__dict__") and not isinstance(obj, pd.DataFrame | pd.Series | type):
        yield from _walk(vars(obj), seen)


def test_no_unprotected_count_reaches_the_stored_round(example, tmp_path):
    from evaluation.analysis.audit import Linked as LinkedTables
    from evaluation.intake.model import RoundData

    back = pickle.loads(pickle.dumps(example))
    objects = list(_walk(back))
    # no validated input round and no linked tables (they hold the true values)
    assert not any(isinstance(o, RoundData | LinkedTables) for o in objects)
    # every withheld programme count is empty in the stored tables
    raw = {r.year: r for r in history("data/example", example.year, "18")}[example.year]
    raw_prog = raw.tables["program"]
    stored = back.current.tables["program"]
    for col in ("participants", "completed"):
        flagged = stored[f"{col}_withheld"]
        assert flagged.any()
        assert stored.loc[flagged, col].isna().all()
    # women and men are published only as totals
    assert not {"participants_women", "participants_men"} & set(stored.columns)
    small = raw_prog["participants"].between(1, THRESHOLD - 1)
    assert small.any()
    assert stored["participants"].between(1, THRESHOLD - 1).sum() == 0
    table = back.indicators
    for col in ("numerator", "denominator", "value"):
        assert table.loc[table["suppressed"], col].isna().all()


def test_a_disabled_threshold_publishes_every_count():
    result = compute("data/example", 2024, settings=Settings(suppression_threshold=0))
    assert not result.indicators["suppressed"].any()
    assert not result.current.tables["program"]["participants_withheld"].any()
