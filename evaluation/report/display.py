"""What report notebooks display charts with, so that every chart published
carries a text alternative (WCAG 2.1 AA, 1.1.1) and renders as inline data."""

from __future__ import annotations

import base64
import html
from typing import Any

from evaluation.errors import ParameterError
from evaluation.report.png import png_bytes


def figure_html(fig: Any, alt: str, caption: str | None = None, dpi: int = 110) -> str:
    """A matplotlib figure as `<figure><img src="data:..." alt="..."></figure>`."""
    if not isinstance(alt, str) or not alt.strip():
        raise ParameterError("alt: every chart needs a text alternative, got an empty one")
    data = base64.b64encode(png_bytes(fig, dpi)).decode("ascii")
    parts = [f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt.strip())}">']
    if caption:
        parts.append(f"<figcaption>{html.escape(caption)}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)


def show_figure(fig: Any, alt: str, caption: str | None = None, dpi: int = 110) -> None:
    """Display a chart with its alt text and close it (so it is not shown twice)."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    markup = figure_html(fig, alt, caption, dpi)
    plt.close(fig)
    display({"text/html": markup, "text/plain": alt.strip()}, raw=True)
