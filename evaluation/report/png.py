"""A figure as a PNG, laid out once and painted once.

`savefig(bbox_inches="tight")` lays a constrained-layout figure out, measures it
again for the tight box and paints it: three passes. Here constrained layout runs
once and is frozen, the figure is painted once on the Agg canvas, and the picture
is cropped to what was drawn plus the 0.1 in edge `bbox_inches="tight"` left.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image

#: White space kept around what was drawn, in inches (`savefig`'s default `pad_inches`).
EDGE_INCHES = 0.1


def lay_out(fig: Figure) -> None:
    """Place the axes now, once, and keep them there (constrained layout would
    measure every label again each time the figure is drawn)."""
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        engine.execute(fig)
        fig.set_layout_engine("none")


def _cropped(pixels: np.ndarray, edge: int) -> np.ndarray:
    """The smallest box around every pixel unlike the corner's (the figure's
    background), with `edge` pixels of background around it."""
    background = pixels[0, 0]
    drawn = (pixels != background).any(axis=2)
    rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    if rows.size == 0:
        return pixels
    box = pixels[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    out = np.empty((box.shape[0] + 2 * edge, box.shape[1] + 2 * edge, pixels.shape[2]),
                   dtype=pixels.dtype)
    out[...] = background
    out[edge:edge + box.shape[0], edge:edge + box.shape[1]] = box
    return out


def png_bytes(fig: Figure, dpi: float | None = None) -> bytes:
    """The figure as a PNG, in RGB when it is opaque (an alpha channel would only be
    split off again by every PDF). No "Software" or time tag: the PNG carries nothing
    about the machine that drew it. The figure's own dpi is left as it was."""
    own_dpi = fig.dpi
    if dpi is not None and dpi != own_dpi:
        fig.set_dpi(dpi)
    try:
        lay_out(fig)
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        resolution = fig.dpi
    finally:
        if fig.dpi != own_dpi:
            fig.set_dpi(own_dpi)
    opaque = bool((rgba[..., 3] == 255).all())
    pixels = rgba[..., :3] if opaque else rgba
    pixels = _cropped(pixels, round(EDGE_INCHES * resolution))
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(
        buffer, format="png", dpi=(resolution, resolution))
    return buffer.getvalue()
