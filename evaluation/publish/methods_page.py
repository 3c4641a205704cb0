"""The round's methods page (`OUT/<year>/metoder.html`): the method appendix of
`evaluation.report.methods` as a page of its own, so the reports link to it instead of
repeating it, with a table of contents, the path and the footer."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import mistune
from markupsafe import Markup

from evaluation.publish.navigation import (
    METHODS_PAGE,
    STATEMENT_PAGE,
    area_name,
    breadcrumb_html,
    contents,
    finish_page,
    footer_html,
    publisher,
    round_title,
)
from evaluation.publish.site import PageFrame, _environment, _write
from evaluation.report.methods import methods_markdown


def methods_html(settings: object) -> str:
    """The method appendix as HTML (its text is the project's own, not data)."""
    text = methods_markdown(settings)
    html = mistune.html(text)
    # the table of contents follows the lead paragraph
    return re.sub(r"(</p>)", lambda m: m.group(1) + contents(), html, count=1)


def write_methods_page(folder: Path, result: object, published: dt.date | None = None) -> Path:
    """Write `<folder>/metoder.html` for the round of `result`."""
    site = str((getattr(result, "extra", {}) or {}).get("site_root", "../"))
    published = published or dt.date.today()
    frame = PageFrame(
        header=breadcrumb_html([("Alla uppföljningar", site + "index.html"),
                                (round_title(result), "index.html"),
                                ("Metoder och definitioner", None)]),
        footer=footer_html(publisher(result.settings), published, METHODS_PAGE,
                           site + STATEMENT_PAGE, [(f"Uppföljning {result.year}",
                                                    "index.html")]),
    )
    page = _environment().get_template("site_methods.html.j2").render(
        year=result.year, region_name=area_name(result),
        body=Markup(methods_html(result.settings)), **frame.parts())
    return _write(Path(folder) / METHODS_PAGE, finish_page(page, depth=3))
