"""The tidy indicator table of a round: every registered indicator's measure applied to
the county and each of its municipalities (DESIGN §6)."""

from __future__ import annotations

import pandas as pd

from evaluation.indicators.context import COUNTY, MUNICIPALITY, Cell, build_context
from evaluation.indicators.registry import REGISTRY
from evaluation.intake.model import RoundData
from evaluation.intake.reference import Reference
from evaluation.settings import Settings

#: Columns of the tidy indicator table, in order (DESIGN §6).
TIDY_COLUMNS: list[str] = [
    "round", "level", "area_code", "area_name", "indicator", "numerator", "denominator",
    "value", "ci_low", "ci_high", "target", "status", "suppressed",
]
TIDY_DTYPES: dict[str, str] = {
    "round": "int64", "level": "str", "area_code": "str", "area_name": "str",
    "indicator": "str", "numerator": "Int64", "denominator": "Int64", "value": "Float64",
    "ci_low": "Float64", "ci_high": "Float64", "target": "Float64", "status": "str",
    "suppressed": "bool",
}


def empty_table() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in TIDY_DTYPES.items()})


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The tidy table with exactly the §6 columns and dtypes."""
    frame = frame[TIDY_COLUMNS].copy()
    for col, dtype in TIDY_DTYPES.items():
        if dtype == "str":
            frame[col] = frame[col].astype("string").astype(dtype)
        else:
            frame[col] = frame[col].astype(dtype)
    return frame.reset_index(drop=True)


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
