"""The frame of the site's own pages (site index, round page): path, headline,
synthetic-data notice and footer, and the site-wide pages a run writes beside
the rounds (the site index and the accessibility statement)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from evaluation.publish.accessibility import write_statement
from evaluation.publish.navigation import (
    METHODS_PAGE,
    STATEMENT_PAGE,
    breadcrumb_html,
    footer_html,
    publisher,
    round_title,
)
from evaluation.publish.site import PageFrame, published_rounds, write_site_index
from evaluation.report import headline


def _notice(result: object) -> str:
    extra = getattr(result, "extra", {}) or {}
    if not extra.get("synthetic"):
        return ""
    from evaluation.report.sections import synthetic_notice

    return str(synthetic_notice(result))


def round_frame(result: object, published: dt.date | None = None,
                parent: tuple[str, str] | None = None) -> PageFrame:
    """A county's round page: path, the round's headline, notice and footer.
    `parent` is (text, href) of the page above (the national round in a national run)."""
    site = str((getattr(result, "extra", {}) or {}).get("site_root", "../"))
    path = [("Alla uppföljningar", site + "index.html")]
    if parent:
        path.append(parent)
    path.append((round_title(result), None))
    return PageFrame(
        header=breadcrumb_html(path),
        headline=headline.as_html(headline.round_sentences(result)),
        notice=_notice(result),
        footer=footer_html(publisher(result.settings), published or dt.date.today(),
                           METHODS_PAGE, site + STATEMENT_PAGE),
    )


def national_frame(country: object, published: dt.date | None = None) -> PageFrame:
    """A national round page: path, the country's headline, notice and footer."""
    return PageFrame(
        header=breadcrumb_html([("Alla uppföljningar", "../index.html"),
                                (round_title(country), None)]),
        headline=headline.as_html(headline.round_sentences(country)),
        notice=_notice(country),
        footer=footer_html(publisher(country.settings), published or dt.date.today(),
                           METHODS_PAGE, "../" + STATEMENT_PAGE),
    )


_HEADLINE = re.compile(r'<div class="i-korthet">.*?</div>', re.DOTALL)


def newest_headline(out: Path, rounds: list[int]) -> str:
    """The newest round's headline as its round page shows it, for the site index
    (whichever round a run has just published)."""
    page = Path(out) / str(rounds[0]) / "index.html" if rounds else None
    found = _HEADLINE.search(page.read_text(encoding="utf-8")) \
        if page is not None and page.is_file() else None
    if not found:
        return ""
    return found.group(0).replace(">I korthet</h2>",
                                  f">I korthet: uppföljning {rounds[0]}</h2>", 1)


def write_site_pages(out: Path, result: object, settings: object,
                     region_name: str | None = None) -> None:
    """The site index (naming the county, with the newest round's headline, the notice
    and the footer) and the accessibility statement, after a round is published."""
    out = Path(out)
    rounds = published_rounds(out)
    methods = (f"{rounds[0]}/{METHODS_PAGE}" if rounds
               and (out / str(rounds[0]) / METHODS_PAGE).is_file() else None)
    frame = PageFrame(
        headline=newest_headline(out, rounds),
        notice=_notice(result),
        footer=footer_html(publisher(settings), dt.date.today(), methods, STATEMENT_PAGE),
    )
    write_site_index(out, region_name=region_name or str(result.region_name), frame=frame)
    write_statement(out, settings)
