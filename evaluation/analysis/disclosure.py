"""Disclosure control of a round, as one layer over its linked published tables
(DESIGN §5; the tables are named in `evaluation.analysis.published`).

Primary: every count of parents from 1 to threshold − 1 in any published cell,
at any level, and every count publication implies (started − completed,
started − women − men, a total minus its published parts), is withheld or
hidden by the cells chosen for it. Secondary: the cheapest complementary cells
by the linear-programming method of τ-Argus and sdcTable (`evaluation.analysis.audit`).
The intruder audit then bounds every sensitive count from what is published;
a count that can be narrowed to fewer than `threshold` values stops the run.

Every withheld figure is shown as ".." (Kolada's symbol for a protected value),
never as "<5", which would tell an intruder the count lies between 1 and 4.

The threshold is configuration; 0 turns disclosure control off (internal use).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from evaluation.analysis.audit import AuditResult, Protection, Range, protect
from evaluation.analysis.published import (
    PublishedRound,
    RoundLinks,
    link_round,
    published_round,
    withhold_indicators,
    withhold_participants,
)
from evaluation.analysis.uptake import Uptake
from evaluation.errors import EvaluationError
from evaluation.indicators.compute import RoundContext
from evaluation.report.formatting import number
from evaluation.settings import Settings


class DisclosureError(EvaluationError):
    """The intruder audit found a withheld count that can be worked out from what
    would be published: nothing is published."""


def _bound(value: float) -> str:
    return "obegränsat" if value == float("inf") else number(round(value, 2), 0)


def audit_message(failure: Range, threshold: int) -> str:
    """The one-line Swedish message that stops a run."""
    return (f"Publiceringen stoppades: uppgiften om {failure.label} kan räknas fram ur det "
            f"som skulle publiceras (mellan {_bound(failure.low)} och {_bound(failure.high)}, "
            f"minst {threshold} möjliga värden krävs). Inget publicerades.")


def require_passed(result: AuditResult) -> None:
    if not result.passed:
        raise DisclosureError(audit_message(result.failures[0], result.threshold))


@dataclass
class ProtectedRound:
    """A county's rounds after disclosure control."""

    indicators: pd.DataFrame
    uptake: Uptake
    rounds: dict[int, PublishedRound]
    #: Cells withheld per round, primarily and secondarily, and the audit's size.
    summary: dict
    #: Internal (never stored: it holds the true values): each year's linked
    #: tables and protection, for a national round's country totals.
    links: dict[int, tuple[RoundLinks, Protection]] = field(default_factory=dict)


def protect_round(contexts: Sequence[RoundContext], internal: pd.DataFrame, raw: Uptake,
                  settings: Settings, secondary: bool = True) -> ProtectedRound:
    """Protect and audit every round of a county; raises `DisclosureError` when the
    audit fails. `secondary=False` leaves out the complementary cells (to show
    the audit catching a weakened protection)."""
    threshold = settings.suppression_threshold
    withheld: dict[tuple, str] = {}
    links: dict[int, tuple[RoundLinks, Protection]] = {}
    per_round: dict[str, dict[str, int]] = {}
    started = time.perf_counter()
    sensitive = 0
    region = contexts[-1].region if contexts else ""
    for ctx in contexts:
        year = ctx.year
        tidy = internal.loc[internal["round"] == year]
        programmes = raw.programmes.loc[raw.programmes["round"] == year]
        classes = raw.by_evidence_class.loc[raw.by_evidence_class["round"] == year]
        linked = link_round(ctx, tidy, programmes, classes)
        protection = protect(linked.linked, threshold, secondary=secondary)
        require_passed(protection.audit)
        sensitive += len(protection.audit.ranges)
        withheld.update(protection.withheld)
        links[year] = (linked, protection)
        per_round[str(year)] = {"primary": protection.primary,
                                "secondary": protection.secondary}
    summary = {
        "threshold": threshold,
        "rounds": per_round,
        "sensitive_counts_audited": sensitive,
        "audit_seconds": round(time.perf_counter() - started, 3),
    }
    uptake = replace(
        raw,
        programmes=withhold_participants(raw.programmes, withheld, region, "uptake",
                                         "programme"),
        by_evidence_class=withhold_participants(raw.by_evidence_class, withheld, region,
                                                "class", "evidence_class"),
    )
    return ProtectedRound(
        indicators=withhold_indicators(internal, withheld, region),
        uptake=uptake,
        rounds={ctx.year: published_round(ctx, withheld) for ctx in contexts},
        summary=summary,
        links=links,
    )


def withheld_counts(summary: dict, year: int) -> tuple[int, int]:
    """Primarily and secondarily withheld cells of one round."""
    counts = summary.get("rounds", {}).get(str(year), {})
    return int(counts.get("primary", 0)), int(counts.get("secondary", 0))
