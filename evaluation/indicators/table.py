"""The tidy indicator table of a round: every registered indicator's measure applied to
the county and each of its municipalities (DESIGN §6). It sits above both the measures
(`compute`) and the registry that names them, so neither imports the other back."""

from __future__ import annotations

import pandas as pd

from evaluation.indicators.compute import (
    COUNTY,
    MUNICIPALITY,
    TIDY_COLUMNS,
    Cell,
    build_context,
    empty_table,
    typed,
)
from evaluation.indicators.registry import REGISTRY
from evaluation.intake.model import RoundData
from evaluation.intake.reference import Reference
from evaluation.settings import Settings


def indicator_table(round_: RoundData, reference: Reference, settings: Settings) -> pd.DataFrame:
    """Every indicator for the county and each of its municipalities (DESIGN §6)."""
    ctx = build_context(round_, reference, settings)
    areas = [(COUNTY, ctx.region, ctx.county_name),
             *((MUNICIPALITY, code, name) for code, name in ctx.municipalities.items())]
    rows = []
    for indicator in REGISTRY.values():
        cells = indicator.compute(ctx)
        for level, code, name in areas:
            cell = cells.get(code, Cell())
            rows.append({
                "round": ctx.year, "level": level, "area_code": code, "area_name": name,
                "indicator": indicator.id,
                "numerator": cell.numerator, "denominator": cell.denominator,
                "value": cell.value, "ci_low": cell.ci_low, "ci_high": cell.ci_high,
                "target": indicator.target_value, "status": None, "suppressed": False,
            })
    if not rows:
        return empty_table()
    return typed(pd.DataFrame(rows, columns=TIDY_COLUMNS))
