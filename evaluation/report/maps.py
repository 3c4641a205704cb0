"""The county map: municipalities coloured by a value and labelled with name and value.

Real boundaries come from a GeoJSON file when one is configured (drawn with
matplotlib patches, no GIS stack needed); without one, a tile map gives every
municipality one equal square placed by its point, so small municipalities stay
as visible as large ones. Colour is a sequential colour-blind-safe scale, and every
area also carries its value as text.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import withStroke
from scipy.optimize import linear_sum_assignment

from evaluation.errors import ParameterError
from evaluation.report.charts import (
    FONT_SIZE,
    MISSING_LABEL,
    PALETTE,
    SMALL_FONT_SIZE,
    WITHHELD_LABEL,
    ReportFigure,
    add_footnote,
    add_title,
    apply_unit_axis,
    check_unit,
    display_name,
    format_value,
    ink_for,
    join_names,
    new_figure,
    spoken_value,
    swedish_sort_key,
    yes_no_text,
)

log = logging.getLogger(__name__)

#: cividis (Nuñez et al. 2018) is built to read the same with red–green colour blindness;
#: reversed, so that a darker area has a higher value.
COLOUR_MAP = "cividis_r"
YES_COLOUR = PALETTE["blue"]
NO_COLOUR = "#E8E8E8"
#: Cells per tile in the grid the points are placed on: room to keep their shape.
_GRID_SLACK = 1.3
_TILE_INCHES = 1.15


# ------------------------------------------------------------------------ values


def values_from_table(table: pd.DataFrame, indicator: str, year: int
                      ) -> tuple[dict[str, float | None], dict[str, str]]:
    """The municipalities' values of one indicator and round, and the labels that
    replace a value: ".. skyddat" for a withheld one, "– saknas" for a missing one."""
    rows = table.loc[(table["indicator"].astype(str) == str(indicator))
                     & (table["round"].astype(int) == int(year))
                     & (table["level"] == "municipality")]
    if rows.empty:
        raise ParameterError(f"no municipality rows for indicator {indicator!r} in round {year}")
    values: dict[str, float | None] = {}
    labels: dict[str, str] = {}
    for row in rows.to_dict("records"):
        code = str(row["area_code"])
        value = row["value"]
        values[code] = None if pd.isna(value) else float(value)
        if bool(row["suppressed"]):
            values[code] = None
            labels[code] = WITHHELD_LABEL
        elif values[code] is None:
            labels[code] = MISSING_LABEL
    return values, labels


def _value_text(code: str, values: Mapping[str, float | None], labels: Mapping[str, str],
                unit: str) -> tuple[float | None, str]:
    if code in labels:
        return None, labels[code]
    value = values.get(code)
    if value is None or pd.isna(value):
        return None, MISSING_LABEL
    if unit == "andel_kommuner":
        return float(value), yes_no_text(float(value))
    return float(value), format_value(value, unit)


class _Colours:
    """One scale for the tile and the boundary map: sequential, or yes/no."""

    def __init__(self, values: Iterable[float | None], unit: str) -> None:
        known = [float(v) for v in values if v is not None and not pd.isna(v)]
        self.unit = unit
        self.cmap = colormaps[COLOUR_MAP]
        high = max(known, default=1.0)
        low = 0.0 if min(known, default=0.0) >= 0 else min(known)
        if high <= low:
            high = low + 1.0
        self.norm = Normalize(vmin=low, vmax=high)

    def face(self, value: float | None) -> str | tuple:
        if value is None:
            return "white"
        if self.unit == "andel_kommuner":
            return YES_COLOUR if value >= 0.5 else NO_COLOUR
        return self.cmap(self.norm(value))

    def legend(self, fig: Figure, ax, blank: bool) -> None:
        """A colour bar in the unit, or the two yes/no colours, under the map."""
        if self.unit == "andel_kommuner":
            handles = [Patch(facecolor=YES_COLOUR, edgecolor="black", label="Ja"),
                       Patch(facecolor=NO_COLOUR, edgecolor="black", label="Nej")]
            if blank:
                handles.append(Patch(facecolor="white", edgecolor="#777777", hatch="///",
                                     label=f"{MISSING_LABEL.capitalize()} eller "
                                           f"{WITHHELD_LABEL}"))
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                      ncol=len(handles), fontsize=FONT_SIZE, frameon=False)
            return
        bar = fig.colorbar(ScalarMappable(norm=self.norm, cmap=self.cmap), ax=ax,
                           orientation="horizontal", shrink=0.6, aspect=30, pad=0.02)
        apply_unit_axis(bar.ax.xaxis, self.unit)
        bar.ax.tick_params(labelsize=FONT_SIZE)


def _frame(municipalities: pd.DataFrame | Iterable[str]) -> pd.DataFrame:
    """Code, short name and point of each municipality, from a frame or from codes."""
    if isinstance(municipalities, pd.DataFrame):
        frame = municipalities.copy()
    else:
        from evaluation.intake.reference import load_reference

        codes = [str(c) for c in municipalities]
        ref = load_reference().municipalities
        frame = ref.loc[ref["code"].isin(codes)].copy()
        unknown = sorted(set(codes) - set(frame["code"]))
        if unknown:
            raise ParameterError(f"unknown municipality codes {unknown}")
    missing = {"code", "lat", "lon"} - set(frame.columns)
    if missing:
        raise ParameterError(f"municipalities need columns code, lat and lon; "
                             f"missing {sorted(missing)}")
    frame["code"] = frame["code"].astype(str)
    if "short_name" not in frame:
        frame["short_name"] = [display_name(c, n) for c, n in
                               zip(frame["code"], frame.get("name", frame["code"]), strict=True)]
    return frame.sort_values("code").reset_index(drop=True)


# ------------------------------------------------------------------------ tile map


def _projected(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Points in a plane where one unit east is as long as one unit north."""
    lat = frame["lat"].astype(float).to_numpy()
    lon = frame["lon"].astype(float).to_numpy()
    return lon * math.cos(math.radians(float(lat.mean()))), lat


def tile_positions(municipalities: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """One grid square per municipality, (column, row) with column 0 in the west and
    row 0 in the north.

    The points are scaled onto a grid with some room to spare and each is given the
    free square that keeps the total squared distance smallest (an optimal
    assignment, so no two share a square and the result does not depend on the
    order of the rows); empty rows and columns are then closed up.
    """
    frame = _frame(municipalities)
    n = len(frame)
    if n == 0:
        return {}
    x, y = _projected(frame)
    width, height = float(np.ptp(x)), float(np.ptp(y))
    aspect = min(4.0, max(0.25, (width + 1e-9) / (height + 1e-9)))
    cols = max(1, round(math.sqrt(_GRID_SLACK * n * aspect)))
    rows = max(1, math.ceil(_GRID_SLACK * n / cols))
    while cols * rows < n:
        rows += 1
    px = (x - x.min()) / width * (cols - 1) if width > 0 else np.zeros(n)
    py = (y.max() - y) / height * (rows - 1) if height > 0 else np.zeros(n)
    cells = np.array([(c, r) for r in range(rows) for c in range(cols)], dtype=float)
    cost = (px[:, None] - cells[None, :, 0]) ** 2 + (py[:, None] - cells[None, :, 1]) ** 2
    points, chosen = linear_sum_assignment(cost)
    placed = {int(p): (int(cells[c, 0]), int(cells[c, 1])) for p, c in zip(points, chosen,
                                                                              strict=True)}
    used_cols = sorted({c for c, _ in placed.values()})
    used_rows = sorted({r for _, r in placed.values()})
    col_index = {c: i for i, c in enumerate(used_cols)}
    row_index = {r: i for i, r in enumerate(used_rows)}
    return {frame.loc[p, "code"]: (col_index[c], row_index[r]) for p, (c, r) in placed.items()}


def _tile_name(name: str) -> str:
    """Long two-word names on two lines: "Upplands\\nVäsby"."""
    if len(name) <= 11:
        return name
    for sep in (" ", "-"):
        if sep in name:
            head, tail = name.split(sep, 1)
            return f"{head}{'-' if sep == '-' else ''}\n{tail}"
    return name


def tile_map(values: Mapping[str, float | None], municipalities: pd.DataFrame, title: str,
             unit: str, labels: Mapping[str, str] | None = None) -> ReportFigure:
    """Every municipality as one square, coloured by its value and labelled with its
    short name and the value (".. skyddat" / "– saknas" where there is none)."""
    check_unit(unit)
    frame = _frame(municipalities)
    labels = dict(labels or {})
    positions = tile_positions(frame)
    n_cols = max((c for c, _ in positions.values()), default=0) + 1
    n_rows = max((r for _, r in positions.values()), default=0) + 1
    colours = _Colours((values.get(c) for c in frame["code"] if c not in labels), unit)
    fig = new_figure(max(6.0, n_cols * _TILE_INCHES + 0.6),
                     n_rows * _TILE_INCHES + 2.2)
    ax = fig.add_subplot()
    blank = False
    for code, name in zip(frame["code"], frame["short_name"], strict=True):
        col, row = positions[code]
        value, text = _value_text(code, values, labels, unit)
        blank = blank or value is None
        face = colours.face(value)
        ax.add_patch(Rectangle((col + 0.03, -row + 0.03), 0.94, 0.94, facecolor=face,
                               edgecolor="#777777" if value is None else "white",
                               hatch="///" if value is None else None, linewidth=1.0))
        ink = ink_for(face) if value is not None else "black"
        ax.text(col + 0.5, -row + 0.62, _tile_name(str(name)), ha="center", va="center",
                fontsize=SMALL_FONT_SIZE, color=ink,
                bbox=None if value is not None else _label_box())
        ax.text(col + 0.5, -row + 0.25, text, ha="center", va="center",
                fontsize=SMALL_FONT_SIZE, color=ink, style="italic" if value is None else None,
                bbox=None if value is not None else _label_box())
    ax.set_xlim(0, n_cols)
    ax.set_ylim(-n_rows + 1, 1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    add_title(fig, title)
    colours.legend(fig, ax, blank)
    add_footnote(fig, "Lika stora rutor, placerade ungefär som på kartan.")
    fig.alt_text = alt_text_map(values, frame, title, unit, labels)
    return fig


def _label_box() -> dict:
    return {"facecolor": "white", "edgecolor": "none", "pad": 1.0}


# ------------------------------------------------------------------------ boundary map


@lru_cache(maxsize=4)
def _features(path: str, modified: float) -> dict[str, dict]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if data.get("type") != "FeatureCollection":
        raise ParameterError(f"{Path(path).name}: not a GeoJSON FeatureCollection")
    out: dict[str, dict] = {}
    for feature in data.get("features", []):
        code = str((feature.get("properties") or {}).get("id", ""))
        if code and feature.get("geometry"):
            out[code] = feature["geometry"]
    return out


def read_boundaries(boundary_file: str | Path) -> dict[str, dict]:
    """Geometry by municipality code (`properties.id`) from a GeoJSON file, read once."""
    path = Path(boundary_file)
    return _features(str(path.resolve()), path.stat().st_mtime)


def _polygons(geometry: Mapping) -> list[list]:
    """A Polygon's or MultiPolygon's parts, each a list of rings (outer ring first)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ParameterError(f"unsupported geometry type {kind!r}; expected Polygon or "
                         "MultiPolygon")


def _ring_path(rings: list, scale: float) -> MplPath:
    """One polygon with its holes as a single path, lon scaled to match lat."""
    vertices, codes = [], []
    for ring in rings:
        points = np.asarray(ring, dtype=float)[:, :2]
        if len(points) < 3:
            continue
        points = points * [scale, 1.0]
        vertices.extend(points.tolist())
        vertices.append(points[0].tolist())
        codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1)
                     + [MplPath.CLOSEPOLY])
    return MplPath(vertices, codes)


def boundary_map(values: Mapping[str, float | None], boundary_file: str | Path,
                 codes: pd.DataFrame | Iterable[str], title: str, unit: str,
                 labels: Mapping[str, str] | None = None) -> ReportFigure:
    """The municipalities' real boundaries, coloured by value, with name and value
    written at each municipality's point.

    `codes` is the municipalities to draw: a frame with code, lat, lon (and
    short_name), or the codes alone (points and names then come from the reference
    tables).
    """
    check_unit(unit)
    frame = _frame(codes)
    labels = dict(labels or {})
    geometry = read_boundaries(boundary_file)
    absent = sorted(set(frame["code"]) - set(geometry))
    if absent:
        raise ParameterError(f"{Path(boundary_file).name}: no boundary for municipality "
                             f"codes {absent}")
    colours = _Colours((values.get(c) for c in frame["code"] if c not in labels), unit)
    scale = math.cos(math.radians(float(frame["lat"].astype(float).mean())))

    parts = [(code, _ring_path(rings, scale)) for code in frame["code"]
             for rings in _polygons(geometry[code])]
    extent = np.vstack([path.vertices for _, path in parts])
    (x0, y0), (x1, y1) = extent.min(axis=0), extent.max(axis=0)
    span = max(x1 - x0, y1 - y0, 1e-6)
    size = 7.0
    fig = new_figure(max(6.0, size * (x1 - x0) / span + 0.8), size * (y1 - y0) / span + 2.4)
    ax = fig.add_subplot()
    blank = False
    for code, path in parts:
        value, _ = _value_text(code, values, labels, unit)
        ax.add_patch(PathPatch(path, facecolor=colours.face(value), edgecolor="#333333",
                               linewidth=0.8, hatch="///" if value is None else None))
        blank = blank or value is None
    halo = [withStroke(linewidth=3, foreground="white")]
    for code, name, lat, lon in zip(frame["code"], frame["short_name"], frame["lat"],
                                    frame["lon"], strict=True):
        _, text = _value_text(code, values, labels, unit)
        ax.text(float(lon) * scale, float(lat), f"{name}\n{text}", ha="center", va="center",
                fontsize=SMALL_FONT_SIZE, color="black", path_effects=halo,
                linespacing=1.1)
    pad = span * 0.03
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    add_title(fig, title)
    colours.legend(fig, ax, blank)
    if blank and unit != "andel_kommuner":
        add_footnote(fig, f"Streckad yta: {MISSING_LABEL} eller {WITHHELD_LABEL}.")
    fig.alt_text = alt_text_map(values, frame, title, unit, labels)
    return fig


def county_map(values: Mapping[str, float | None], municipalities: pd.DataFrame, title: str,
               unit: str, boundary_file: str | Path | None = None,
               labels: Mapping[str, str] | None = None) -> ReportFigure:
    """The boundary map when a boundary file is configured and covers the
    municipalities, else the tile map."""
    if boundary_file:
        try:
            return boundary_map(values, boundary_file, municipalities, title, unit, labels)
        except (OSError, ValueError, KeyError, TypeError, ParameterError) as exc:
            # Name the file only: a report must not show the machine's paths.
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            log.warning("boundary map not drawn from %s, showing the tile map instead: %s",
                        Path(boundary_file).name, reason)
    return tile_map(values, municipalities, title, unit, labels)


def alt_text_map(values: Mapping[str, float | None], municipalities: pd.DataFrame,
                 title: str, unit: str, labels: Mapping[str, str] | None = None) -> str:
    """What the county map shows, in Swedish: highest, lowest and every municipality."""
    check_unit(unit)
    frame = _frame(municipalities)
    labels = dict(labels or {})
    entries = sorted(
        ((str(name), *_value_text(code, values, labels, unit))
         for code, name in zip(frame["code"], frame["short_name"], strict=True)),
        key=lambda e: swedish_sort_key(e[0]),
    )
    parts = [f"Karta: {title}, per kommun."]
    shown = [(name, value) for name, value, _ in entries if value is not None]
    if shown and unit != "andel_kommuner":
        high = max(v for _, v in shown)
        low = min(v for _, v in shown)
        highest = join_names([n for n, v in shown if v == high])
        lowest = join_names([n for n, v in shown if v == low])
        parts.append(f"Högst {highest} {spoken_value(high, unit)}, "
                     f"lägst {lowest} {spoken_value(low, unit)}.")
    parts.append("Värden: " + ", ".join(f"{name} {text}" for name, _, text in entries) + ".")
    return " ".join(parts)


__all__ = [
    "COLOUR_MAP", "alt_text_map", "boundary_map", "county_map",
    "read_boundaries", "tile_map", "tile_positions", "values_from_table",
]
