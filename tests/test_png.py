"""Charts become PNGs laid out once and painted once, cropped as `bbox_inches="tight"` crops."""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from evaluation.report.png import EDGE_INCHES, png_bytes


def _figure_with_a_square(facecolor: str = "white") -> Figure:
    fig = Figure(figsize=(4, 3), dpi=100, facecolor=facecolor)
    # A 1 in × 0.5 in black box at figure inches (1.5, 1.0), nothing else drawn.
    fig.patches.append(Rectangle((1.5 / 4, 1.0 / 3), 1 / 4, 0.5 / 3, transform=fig.transFigure,
                                 facecolor="black", edgecolor="none", figure=fig))
    return fig


def test_picture_is_cropped_to_what_was_drawn_with_the_tight_edge():
    image = Image.open(io.BytesIO(png_bytes(_figure_with_a_square(), dpi=200)))
    edge = round(EDGE_INCHES * 200)
    assert image.size == (200 + 2 * edge, 100 + 2 * edge)
    assert image.getpixel((0, 0)) == (255, 255, 255)
    assert image.getpixel((edge + 100, edge + 50)) == (0, 0, 0)


def test_opaque_chart_is_rgb_and_a_transparent_one_keeps_its_alpha():
    assert Image.open(io.BytesIO(png_bytes(_figure_with_a_square()))).mode == "RGB"
    transparent = _figure_with_a_square(facecolor="none")
    assert Image.open(io.BytesIO(png_bytes(transparent))).mode == "RGBA"


def test_the_figures_own_dpi_is_left_as_it_was():
    fig = _figure_with_a_square()
    png_bytes(fig, dpi=220)
    assert fig.dpi == 100
    assert Image.open(io.BytesIO(png_bytes(fig))).size[0] == 100 + 2 * round(EDGE_INCHES * 100)


def test_png_carries_no_software_tag():
    image = Image.open(io.BytesIO(png_bytes(_figure_with_a_square())))
    assert "Software" not in image.info
