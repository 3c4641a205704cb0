"""Data quality: how many of the county's municipalities answered (DESIGN §4)."""

from __future__ import annotations

from evaluation.indicators.context import Cell, Cells, RoundContext
from evaluation.indicators.registry import indicator


@indicator(
    "D.1", "Svarsfrekvens", goal_area="D",
    definition="Kommuner som besvarat enkäten av länets kommuner.",
    unit="andel_kommuner",
    numerator="Kommuner som besvarat enkäten",
    denominator="Kommuner i länet",
    sources=("kommun",), target=1.0, method="census", census=True,
    blanks="En kommun har svarat när den finns med i tabellen Kommun.",
    did="besvarade enkäten",
)
def response_rate(ctx: RoundContext) -> Cells:
    """Every municipality of the county is known: one that did not answer counts 0."""
    answered = set(ctx.answered)
    cells = {code: Cell(int(code in answered), 1, float(code in answered))
             for code in ctx.municipalities}
    total = len(ctx.municipalities)
    if total:
        cells[ctx.region] = Cell(len(answered), total, len(answered) / total)
    return cells
