"""The index pages of the published site: one per round and one for all rounds.

Pages are rendered with jinja2 (autoescape on) from `templates/site_*.html.j2`,
in Swedish, without script, with relative links only; a round page refuses to
link to a file that is not in the round's folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from evaluation.errors import ParameterError
from evaluation.publish.navigation import contents, finish_page
from evaluation.report.style import STATUS_STYLE
from evaluation.vocab import (
    ACHIEVED,
    BASELINE,
    NO_SURE_CHANGE,
    NOT_ON_TRACK,
    ON_TRACK,
    STATUSES,
)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

#: Status of an indicator against its target: the Swedish text shown, and the
#: CSS class that colours it. English ids are accepted as well.
STATUS_TEXT = {**{status: status for status in STATUSES}, "met": ACHIEVED,
               "on_track": ON_TRACK, "off_track": NOT_ON_TRACK, "baseline": BASELINE,
               "no_sure_change": NO_SURE_CHANGE}
STATUS_CLASS = {status: f"status-{STATUS_STYLE[status].css}" for status in STATUSES}
#: Columns of a status row, each with the other names it may come under.
STATUS_COLUMNS = {"indicator": ("indicator", "id"), "title": ("title",),
                  "value": ("value", "value_text"), "target": ("target", "target_text"),
                  "status": ("status", "status_text"), "change": ("change", "change_text")}
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Link:
    """A page or file of the round, by its path relative to the round folder."""

    title: str
    href: str
    description: str = ""
    #: True for a municipality profile (listed under "Kommunprofiler").
    municipality: bool = False
    #: The page's PDF version, relative to the round folder, if there is one.
    pdf: str = ""
    #: A county's regional report, for a county listed on a national round's page.
    report: str = ""


@dataclass(frozen=True)
class PageFrame:
    """What frames a page besides its own content: the path at the top, the
    headline, the synthetic-data notice and the footer, as trusted markup made by
    `evaluation.publish.navigation` and `evaluation.report.headline` (they escape their text)."""

    header: str = ""
    headline: str = ""
    notice: str = ""
    footer: str = ""

    def parts(self) -> dict[str, Markup]:
        return {"header": Markup(self.header), "headline": Markup(self.headline),
                "notice": Markup(self.notice), "footer": Markup(self.footer)}


@dataclass(frozen=True)
class RoundLink:
    year: int
    href: str


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _as_link(item: Link | Mapping[str, Any] | Sequence[str]) -> Link:
    if isinstance(item, Link):
        return item
    if isinstance(item, Mapping):
        return Link(**item)
    return Link(*item)


def _check_relative(href: str) -> None:
    if "://" in href or href.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:", href):
        raise ParameterError(f"link {href!r}: only links relative to the round folder are "
                             "published")


def _blank(value: Any) -> bool:
    """None, NaN and pandas' NA (whose comparisons are neither true nor false)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True


def _status_rows(rows: Iterable[Mapping[str, Any]] | Any) -> list[dict[str, str]]:
    if hasattr(rows, "to_dict"):  # a pandas DataFrame
        rows = rows.to_dict(orient="records")
    result = []
    for number, row in enumerate(rows, start=1):
        out: dict[str, str] = {}
        for column, names in STATUS_COLUMNS.items():
            value = next((row[n] for n in names if n in row), None)
            if value is None and column in ("indicator", "title"):
                raise ParameterError(f"status row {number}: no {column!r} (got {sorted(row)})")
            out[column] = "" if _blank(value) else str(value)
        raw = out["status"].strip()
        text = STATUS_TEXT.get(raw.casefold(), raw)
        if raw and text not in STATUS_CLASS:
            raise ParameterError(
                f"status row {number} ({out['indicator']}): unknown status {raw!r}; expected "
                f"one of {sorted(STATUS_CLASS)}"
            )
        out["status"] = text or "–"
        out["status_class"] = STATUS_CLASS.get(text, "")
        result.append(out)
    return result


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def write_round_index(
    round_dir: Path,
    year: int,
    region_name: str,
    reports: Sequence[Link | Mapping[str, Any] | Sequence[str]],
    status_rows: Iterable[Mapping[str, Any]] | Any,
    downloads: Sequence[Link | Mapping[str, Any] | Sequence[str]],
    *,
    published: dt.date | None = None,
    parent: Link | None = None,
    frame: PageFrame | None = None,
) -> Path:
    """Write `<round_dir>/index.html`: links to the regional report, every
    municipality profile and the downloads, and the status overview table.

    Every linked file must already exist in `round_dir` (ParameterError if not),
    so a published round never has a broken link. `parent` is the page one level
    up (all rounds by default; the national round for a county in a national run).
    """
    round_dir = Path(round_dir)
    links = [_as_link(r) for r in reports]
    files = [_as_link(d) for d in downloads]
    _check_links(round_dir, links + files)
    parent = parent or Link("Alla uppföljningar", "../index.html")
    _check_relative(parent.href)
    page = _environment().get_template("site_round.html.j2").render(
        parent=parent,
        year=int(year),
        region_name=region_name,
        regional=[link for link in links if not link.municipality],
        municipalities=[link for link in links if link.municipality],
        status_rows=_status_rows(status_rows),
        downloads=files,
        published=(published or dt.date.today()).isoformat(),
        contents=Markup(contents()),
        **(frame or PageFrame()).parts(),
    )
    return _write(round_dir / "index.html", finish_page(page))


def _check_links(folder: Path, links: Sequence[Link]) -> None:
    for link in links:
        for href in (link.href, link.pdf, link.report):
            if not href:
                continue
            _check_relative(href)
            if not (folder / href).is_file():
                raise ParameterError(f"link {href!r} ({link.title}): no such file in the round")


def write_national_index(
    round_dir: Path,
    year: int,
    reports: Sequence[Link | Mapping[str, Any] | Sequence[str]],
    counties: Sequence[Link | Mapping[str, Any] | Sequence[str]],
    status_rows: Iterable[Mapping[str, Any]] | Any,
    downloads: Sequence[Link | Mapping[str, Any] | Sequence[str]],
    *,
    without_report: Sequence[str] = (),
    published: dt.date | None = None,
    frame: PageFrame | None = None,
) -> Path:
    """Write `<round_dir>/index.html` of a national round: the overview, every
    county's round page, the country's status table and the downloads.

    As for a county's round, every linked file must already exist.
    """
    round_dir = Path(round_dir)
    links = [_as_link(r) for r in reports]
    county_links = [_as_link(c) for c in counties]
    files = [_as_link(d) for d in downloads]
    _check_links(round_dir, links + county_links + files)
    page = _environment().get_template("site_national.html.j2").render(
        year=int(year),
        reports=links,
        counties=county_links,
        without_report=list(without_report),
        status_rows=_status_rows(status_rows),
        downloads=files,
        published=(published or dt.date.today()).isoformat(),
        contents=Markup(contents()),
        **(frame or PageFrame()).parts(),
    )
    return _write(round_dir / "index.html", finish_page(page))


def published_rounds(out_dir: Path) -> list[int]:
    """Years with a published round under `out_dir`, newest first."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    years = [int(p.name) for p in out_dir.iterdir()
             if p.is_dir() and _YEAR.match(p.name) and (p / "index.html").is_file()]
    return sorted(years, reverse=True)


def write_site_index(out_dir: Path, *, heading: str = "Uppföljning av föräldraskapsstöd",
                     region_name: str = "", frame: PageFrame | None = None) -> Path:
    """Write `<out_dir>/index.html` listing every published round, newest first;
    `region_name` names the county (or "hela landet") in the lead."""
    out_dir = Path(out_dir)
    rounds = [RoundLink(year, f"{year}/index.html") for year in published_rounds(out_dir)]
    page = _environment().get_template("site_index.html.j2").render(
        heading=heading, rounds=rounds, region_name=region_name,
        **(frame or PageFrame()).parts(),
    )
    return _write(out_dir / "index.html", page)
