"""The indicator table as JSON-stat 2.0, the format of SCB's PxWeb API and the Nordic
statistics APIs: one dataset with the dimensions round, area, indicator and
measure, values in row-major order, withheld values null with status "..".
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.indicators.registry import REGISTRY
from evaluation.report.formatting import WITHHELD, unit_text

DIMENSIONS = ("round", "area", "indicator", "measure")
#: The measures of every indicator cell, with their Swedish labels.
MEASURES: dict[str, str] = {
    "value": "värde",
    "ci_low": "konfidensintervallets nedre gräns",
    "ci_high": "konfidensintervallets övre gräns",
    "numerator": "täljare",
    "denominator": "nämnare",
}
LEVEL_ORDER = {"country": 0, "county": 1, "municipality": 2}
_DECIMALS = {"andel": 3, "andel_kommuner": 3, "per_1000": 1, "antal": 1}


def _number(value: Any) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    number = float(value)
    if math.isinf(number) or math.isnan(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _areas(frame: pd.DataFrame) -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
    """Area codes (country, counties, municipalities), their names, and the
    hierarchy (a county's municipalities; the country's counties)."""
    areas = (frame[["level", "area_code", "area_name"]].drop_duplicates("area_code")
             .assign(order=lambda f: f["level"].map(LEVEL_ORDER).fillna(9))
             .sort_values(["order", "area_code"]))
    codes = areas["area_code"].astype(str).tolist()
    labels = dict(zip(codes, areas["area_name"].astype(str), strict=True))
    levels = dict(zip(codes, areas["level"], strict=True))
    child: dict[str, list[str]] = {}
    for code in codes:
        if levels[code] == "municipality" and code[:2] in labels:
            child.setdefault(code[:2], []).append(code)
        elif levels[code] == "county":
            parent = next((c for c in codes if levels[c] == "country"), None)
            if parent is not None:
                child.setdefault(parent, []).append(code)
    return codes, labels, child


def to_jsonstat(indicators: pd.DataFrame, *, title: str, source: str = "",
                updated: dt.date | None = None) -> dict[str, Any]:
    """The published indicator table (every round so far) as one JSON-stat dataset."""
    rounds = [str(y) for y in sorted(int(y) for y in indicators["round"].unique())]
    areas, area_labels, child = _areas(indicators)
    present = set(indicators["indicator"].astype(str))
    ids = [i for i in REGISTRY if i in present] + sorted(present - set(REGISTRY))
    measures = list(MEASURES)
    size = [len(rounds), len(areas), len(ids), len(measures)]
    values: list[float | int | None] = [None] * math.prod(size)
    status: dict[str, str] = {}
    position = {
        "round": {r: n for n, r in enumerate(rounds)},
        "area": {a: n for n, a in enumerate(areas)},
        "indicator": {i: n for n, i in enumerate(ids)},
    }
    for record in indicators.to_dict("records"):
        base = ((position["round"][str(int(record["round"]))] * size[1]
                 + position["area"][str(record["area_code"])]) * size[2]
                + position["indicator"][str(record["indicator"])]) * size[3]
        for offset, measure in enumerate(measures):
            values[base + offset] = _number(record[measure])
            if bool(record["suppressed"]) and values[base + offset] is None:
                status[str(base + offset)] = WITHHELD
    indicator_labels = {i: REGISTRY[i].title if i in REGISTRY else i for i in ids}
    units = {}
    for i in ids:
        if i in REGISTRY:
            units[i] = {"label": unit_text(REGISTRY[i]),
                        "decimals": _DECIMALS.get(REGISTRY[i].unit, 1)}
    area_category: dict[str, Any] = {"index": areas, "label": area_labels}
    if child:
        area_category["child"] = child
    dataset: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": title,
        "id": list(DIMENSIONS),
        "size": size,
        "role": {"time": ["round"], "geo": ["area"], "metric": ["indicator"]},
        "dimension": {
            "round": {"label": "omgång", "category": {
                "index": rounds, "label": {r: r for r in rounds}}},
            "area": {"label": "område", "category": area_category},
            "indicator": {"label": "indikator", "category": {
                "index": ids, "label": indicator_labels, "unit": units}},
            "measure": {"label": "mått", "category": {"index": measures, "label": MEASURES}},
        },
        "value": values,
        "note": ["Andelar är bråk mellan 0 och 1; antal per 1 000 barn som tal.",
                 f"Status {WITHHELD!r}: värdet är skyddat av röjandekontroll och visas inte."],
        "extension": {"status": {WITHHELD: "skyddat (röjandekontroll)"}},
    }
    if status:
        dataset["status"] = status
    if source:
        dataset["source"] = source
    if updated is not None:
        dataset["updated"] = updated.isoformat()
    return dataset


def write_jsonstat(indicators: pd.DataFrame, path: str | Path, *, title: str,
                   source: str = "", updated: dt.date | None = None) -> Path:
    path = Path(path)
    dataset = to_jsonstat(indicators, title=title, source=source, updated=updated)
    path.write_text(json.dumps(dataset, ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")
    return path


__all__ = ["DIMENSIONS", "MEASURES", "to_jsonstat", "write_jsonstat"]
