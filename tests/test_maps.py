"""The county map: tile placement, the tile and boundary maps, and the fallback between them."""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path

import matplotlib.colors as mcolors
import pandas as pd
import pytest
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

from evaluation.errors import ParameterError
from evaluation.intake.reference import load_reference
from evaluation.report import maps
from evaluation.settings import PROJECT_ROOT

pytestmark = pytest.mark.filterwarnings("error")

NBSP = "\u00a0"
SHARED_BOUNDARIES = PROJECT_ROOT.parent / "shared" / "reference" / "municipalities.geojson"
needs_boundaries = pytest.mark.skipif(not SHARED_BOUNDARIES.exists(),
                                      reason="shared boundary file not present")

#: Örebro län, written out: code, short name, a point inside the municipality (lat, lon).
OREBRO_LAN = pd.DataFrame(
    [("1814", "Lekeberg", 59.1794, 14.7914), ("1860", "Laxå", 58.9189, 14.5475),
     ("1861", "Hallsberg", 59.0038, 15.2453), ("1862", "Degerfors", 59.1627, 14.4240),
     ("1863", "Hällefors", 59.7777, 14.6167), ("1864", "Ljusnarsberg", 59.9371, 14.9679),
     ("1880", "Örebro", 59.2638, 15.3313), ("1881", "Kumla", 59.1242, 15.1394),
     ("1882", "Askersund", 58.8532, 14.9532), ("1883", "Karlskoga", 59.3775, 14.5661),
     ("1884", "Nora", 59.5349, 14.8897), ("1885", "Lindesberg", 59.6489, 15.3320)],
    columns=["code", "short_name", "lat", "lon"],
)
#: Share of men per municipality; Hällefors did not answer, Ljusnarsberg is withheld.
VALUES = {"1814": 0.30, "1860": 0.10, "1861": 0.25, "1862": 0.15, "1863": None,
          "1864": None, "1880": 0.24, "1881": 0.12, "1882": 0.20, "1883": 0.22,
          "1884": 0.35, "1885": 0.28}
LABELS = {"1864": ".. skyddat"}


def sv(text: str) -> str:
    return text.replace(" %", f"{NBSP}%")


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


# ------------------------------------------------------------------------ tile positions


def test_tiles_are_unique_for_orebro_lan():
    positions = maps.tile_positions(OREBRO_LAN)
    assert set(positions) == set(OREBRO_LAN["code"])
    assert len(set(positions.values())) == 12


def test_tiles_keep_west_east_and_north_south_order_in_orebro_lan():
    positions = maps.tile_positions(OREBRO_LAN)
    points = OREBRO_LAN.set_index("code")
    for a, b in itertools.permutations(points.index, 2):
        if points.loc[a, "lon"] < points.loc[b, "lon"]:
            assert positions[a][0] <= positions[b][0], (a, b)
        if points.loc[a, "lat"] > points.loc[b, "lat"]:
            assert positions[a][1] <= positions[b][1], (a, b)
    # Ljusnarsberg is the northernmost municipality, Askersund the southernmost.
    assert positions["1864"][1] == 0
    assert positions["1882"][1] == max(r for _, r in positions.values())
    # Degerfors is in the far west, Örebro and Lindesberg in the east.
    assert positions["1862"][0] == 0
    assert positions["1880"][0] == positions["1885"][0] == max(
        c for c, _ in positions.values())


def test_tile_positions_do_not_depend_on_row_order():
    shuffled = OREBRO_LAN.sample(frac=1, random_state=7)
    assert maps.tile_positions(shuffled) == maps.tile_positions(OREBRO_LAN)


def test_one_municipality_gets_the_single_tile():
    gotland = pd.DataFrame({"code": ["0980"], "short_name": ["Gotland"],
                            "lat": [57.5], "lon": [18.5]})
    assert maps.tile_positions(gotland) == {"0980": (0, 0)}


def test_points_on_one_latitude_stay_in_west_to_east_order():
    line = pd.DataFrame({"code": ["a", "b", "c", "d"], "lat": [60.0] * 4,
                         "lon": [16.0, 14.0, 15.0, 13.0]})
    positions = maps.tile_positions(line)
    assert sorted(positions, key=lambda c: positions[c][0]) == ["d", "b", "c", "a"]
    assert len({r for _, r in positions.values()}) == 1


def test_every_county_and_the_21_counties_get_unique_tiles():
    ref = load_reference()
    for county in ref.counties["code"]:
        munis = ref.county_municipalities(county)
        positions = maps.tile_positions(munis)
        assert len(set(positions.values())) == len(munis), county
    counties = (ref.municipalities.groupby("county_code")[["lat", "lon"]].mean()
                .reset_index().rename(columns={"county_code": "code"}))
    assert len(counties) == 21
    assert len(set(maps.tile_positions(counties).values())) == 21


# ------------------------------------------------------------------------ tile map


@pytest.fixture(scope="module")
def tiles():
    return maps.tile_map(VALUES, OREBRO_LAN, "Andel män 2026", "andel", LABELS)


def _tile_faces(fig) -> list[Rectangle]:
    return [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]


def test_tile_map_draws_one_labelled_square_per_municipality(tiles):
    assert len(_tile_faces(tiles)) == 12
    written = texts(tiles)
    for name in OREBRO_LAN["short_name"]:
        assert name in written
    assert sv("35 %") in written and sv("10 %") in written
    assert ".. skyddat" in written and "– saknas" in written


def test_higher_value_gets_the_darker_tile_and_missing_ones_are_hatched(tiles):
    faces = {}
    for patch in _tile_faces(tiles):
        faces[(round(patch.get_x()), round(-patch.get_y()))] = patch
    positions = maps.tile_positions(OREBRO_LAN)

    def luminance(code: str) -> float:
        r, g, b, _ = faces[positions[code]].get_facecolor()
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert luminance("1884") < luminance("1882") < luminance("1860")  # 35 %, 20 %, 10 %
    assert faces[positions["1863"]].get_hatch() == "///"
    assert mcolors.to_hex(faces[positions["1863"]].get_facecolor()) == "#ffffff"


def test_tile_labels_do_not_overlap(tiles):
    tiles.canvas.draw()
    renderer = tiles.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in tiles.axes[0].texts]
    assert len(boxes) == 24
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_yes_no_tile_map_writes_ja_and_nej():
    answers = {"1814": 1.0, "1860": 0.0}
    fig = maps.tile_map(answers, OREBRO_LAN.iloc[:2], "Lokal plan 2026", "andel_kommuner")
    assert texts(fig).count("Ja") == 2  # the tile and the legend
    assert texts(fig).count("Nej") == 2


def test_values_from_table_marks_withheld_and_missing():
    table = pd.DataFrame({
        "round": [2026] * 4, "level": ["county", "municipality", "municipality",
                                       "municipality"],
        "area_code": ["18", "1814", "1860", "1861"], "indicator": ["1.5"] * 4,
        "value": pd.array([0.2, 0.3, None, None], dtype="Float64"),
        "suppressed": [False, False, True, False],
    })
    values, labels = maps.values_from_table(table, "1.5", 2026)
    assert values == pytest.approx({"1814": 0.3, "1860": None, "1861": None}, abs=1e-12)
    assert labels == {"1860": ".. skyddat", "1861": "– saknas"}


def test_map_alt_text_lists_every_municipality():
    text = maps.alt_text_map(VALUES, OREBRO_LAN, "Andel män 2026", "andel", LABELS)
    assert text == sv(
        "Karta: Andel män 2026, per kommun. Högst Nora 35 %, lägst Laxå 10 %. Värden: "
        "Askersund 20 %, Degerfors 15 %, Hallsberg 25 %, Hällefors – saknas, "
        "Karlskoga 22 %, Kumla 12 %, Laxå 10 %, Lekeberg 30 %, Lindesberg 28 %, "
        "Ljusnarsberg .. skyddat, Nora 35 %, Örebro 24 %.")


# ------------------------------------------------------------------------ boundary map


def _parts_in_file(path: Path, codes: set[str]) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    parts = 0
    for feature in data["features"]:
        if feature["properties"]["id"] in codes:
            geometry = feature["geometry"]
            parts += 1 if geometry["type"] == "Polygon" else len(geometry["coordinates"])
    return parts


@needs_boundaries
def test_boundary_map_draws_every_polygon_of_orebro_lan():
    fig = maps.boundary_map(VALUES, SHARED_BOUNDARIES, OREBRO_LAN, "Andel män 2026",
                            "andel", LABELS)
    patches = [p for p in fig.axes[0].patches if isinstance(p, PathPatch)]
    assert len(patches) == _parts_in_file(SHARED_BOUNDARIES, set(OREBRO_LAN["code"])) >= 12
    written = texts(fig)
    assert sv("Nora\n35 %") in written
    assert "Ljusnarsberg\n.. skyddat" in written
    assert "Hällefors\n– saknas" in written


@needs_boundaries
def test_boundary_map_labels_do_not_overlap_in_orebro_lan(tmp_path):
    fig = maps.boundary_map(VALUES, SHARED_BOUNDARIES, list(OREBRO_LAN["code"]),
                            "Andel män 2026", "andel", LABELS)
    fig.savefig(tmp_path / "boundary.png")
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
    assert len(boxes) == 12
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def _write_geojson(path: Path) -> Path:
    square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    hole = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6], [0.4, 0.4]]
    island = [[[2, 0], [3, 0], [3, 1], [2, 0]]]
    islet = [[[2, 2], [2.5, 2], [2.5, 2.5], [2, 2]]]
    features = [
        {"type": "Feature", "properties": {"id": "0001"},
         "geometry": {"type": "Polygon", "coordinates": [square, hole]}},
        {"type": "Feature", "properties": {"id": "0002"},
         "geometry": {"type": "MultiPolygon", "coordinates": [island, islet]}},
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    return path


TWO_AREAS = pd.DataFrame({"code": ["0001", "0002"], "short_name": ["Väst", "Öst"],
                          "lat": [0.5, 0.5], "lon": [0.5, 2.5]})


def test_multipolygons_become_one_patch_per_part_and_holes_stay_open(tmp_path):
    path = _write_geojson(tmp_path / "areas.geojson")
    fig = maps.boundary_map({"0001": 0.5, "0002": 0.25}, path, TWO_AREAS, "Test", "andel")
    patches = [p for p in fig.axes[0].patches if isinstance(p, PathPatch)]
    assert len(patches) == 3
    holed = patches[0].get_path()
    assert list(holed.codes).count(MplPath.MOVETO) == 2


def test_county_map_uses_boundaries_when_the_file_covers_the_county(tmp_path):
    path = _write_geojson(tmp_path / "areas.geojson")
    fig = maps.county_map({"0001": 0.5}, TWO_AREAS, "Test", "andel", boundary_file=path)
    assert any(isinstance(p, PathPatch) for p in fig.axes[0].patches)


def test_county_map_falls_back_to_tiles_without_a_readable_file(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="evaluation.report.maps")
    for boundary_file in (None, "", tmp_path / "missing.geojson"):
        fig = maps.county_map(VALUES, OREBRO_LAN, "Andel män 2026", "andel",
                              boundary_file=boundary_file, labels=LABELS)
        assert len(_tile_faces(fig)) == 12
    assert "missing.geojson" in caplog.text
    assert str(tmp_path) not in caplog.text
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    fig = maps.county_map(VALUES, OREBRO_LAN, "Andel män 2026", "andel", boundary_file=broken)
    assert len(_tile_faces(fig)) == 12


def test_boundary_file_without_the_county_is_refused_and_the_tile_map_shown(tmp_path):
    path = _write_geojson(tmp_path / "areas.geojson")
    with pytest.raises(ParameterError, match=r"no boundary for municipality codes \['1814'"):
        maps.boundary_map(VALUES, path, OREBRO_LAN, "Andel män 2026", "andel")
    fig = maps.county_map(VALUES, OREBRO_LAN, "Andel män 2026", "andel", boundary_file=path)
    assert len(_tile_faces(fig)) == 12


def test_map_text_is_at_least_ten_points(tiles, tmp_path):
    tiles.savefig(tmp_path / "tiles.png")
    sizes = [t.get_fontsize() for t in tiles.findobj(Text) if t.get_text()]
    assert min(sizes) >= 10


def test_tile_map_carries_its_text_alternative(tiles):
    assert tiles.alt_text.startswith(sv("Karta: Andel män 2026, per kommun. Högst Nora 35 %"))
