"""Ways through the published site: the path at the top of each page, a table of
contents on long pages, links between neighbouring profiles, and the footer.

A report is made in a notebook, so its cells emit the parts (`breadcrumb`,
`contents`, `footer`) and `finish_page`, run on the exported HTML, puts the
path before `<main>`, the footer after it, gives every section heading an id
and fills the table of contents from those headings. Every link is relative,
so a site opens from disk and from any web server folder.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape, unescape

from evaluation.text import swedish_sort_key

METHODS_PAGE = "metoder.html"
#: What the pages of a national round call their area.
NATIONAL_AREA = "hela landet"
STATEMENT_PAGE = "tillganglighet.html"
#: Publisher named in every footer when the configuration names none.
DEFAULT_PUBLISHER = "Exempelregionen (exempelsajt, ingen verklig myndighet)"

_CONTENTS = '<nav class="innehall" aria-labelledby="innehall-rubrik"></nav>'
# bleach writes attributes in alphabetical order: match them in any order
_BREADCRUMB = re.compile(r'<nav[^>]*\sclass="sokvag"[^>]*>.*?</nav>', re.DOTALL)
_NEIGHBOURS = re.compile(r'<nav[^>]*\sclass="grannar"[^>]*>.*?</nav>', re.DOTALL)
_FOOTER = re.compile(r'<footer[^>]*\sclass="sidfot"[^>]*>.*?</footer>', re.DOTALL)
_PLACEHOLDER = re.compile(r'<nav[^>]*\sclass="innehall"[^>]*>\s*</nav>')
_H2 = re.compile(r"<h(?P<level>2)(?P<attrs>[^>]*)>(?P<body>.*?)</h2>", re.DOTALL)
_H2_H3 = re.compile(r"<h(?P<level>[23])(?P<attrs>[^>]*)>(?P<body>.*?)</h(?P=level)>", re.DOTALL)
_ID = re.compile(r'\sid="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Place:
    """Where a page lies: relative links from it to the round folder and the site."""

    to_round: str
    to_site: str

    def round(self, path: str = "index.html") -> str:
        return self.to_round + path

    def site(self, path: str = "index.html") -> str:
        return self.to_site + path


def place(result: object, code: str | None = None) -> Place:
    """A report's place: the regional report lies in the round folder, a profile in
    its `kommuner/` folder; the round folder lies `site_root` below the site
    (`../` for a county's run, `../../` for a county of a national run)."""
    extra = getattr(result, "extra", {}) or {}
    to_round = "" if code is None else "../"
    return Place(to_round, to_round + str(extra.get("site_root", "../")))


def area_name(result: object) -> str:
    """The round's area as a page names it: the county, or "hela landet" for the country
    of a national round (whose tables call it "Riket")."""
    from evaluation.analysis.national import COUNTRY_CODE

    if getattr(result, "region", None) == COUNTRY_CODE:
        return NATIONAL_AREA
    return str(result.region_name)


def round_title(result: object) -> str:
    """"Uppföljning 2026, Örebro län": the round page's name in every path."""
    return f"Uppföljning {result.year}, {area_name(result)}"


def publisher(settings: object) -> str:
    extra = getattr(settings, "extra", {}) or {}
    return str((extra.get("publisher") or {}).get("name") or DEFAULT_PUBLISHER)


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def breadcrumb_html(items: Sequence[tuple[str, str | None]]) -> str:
    """The path to a page: (text, href) pairs, the last one (the page itself) unlinked."""
    parts = []
    for text, href in items:
        parts.append(f"<li>{_link(href, text)}</li>" if href
                     else f'<li aria-current="page">{escape(text)}</li>')
    return f'<nav class="sokvag" aria-label="Du är här"><ol>{"".join(parts)}</ol></nav>'


def profile_order(result: object) -> list[str]:
    """The published profiles in the order the round page lists them (by Swedish name)."""
    names = result.municipalities.set_index("code")["short_name"].astype(str)
    extra = getattr(result, "extra", {}) or {}
    codes = [c for c in extra.get("profiles") or names.index if c in names.index]
    return sorted(codes, key=lambda c: swedish_sort_key(names[c]))


def neighbours(result: object, code: str) -> tuple[str | None, str | None]:
    """The profiles before and after `code` in the round page's list."""
    order = profile_order(result)
    if code not in order:
        return None, None
    i = order.index(code)
    return (order[i - 1] if i > 0 else None), (order[i + 1] if i + 1 < len(order) else None)


class _Html(str):
    def _repr_html_(self) -> str:
        return str(self)


def breadcrumb(result: object, code: str | None = None, page: str = "Regionrapport") -> _Html:
    """A report's path: all rounds › the round › the page (`page` names a report in the
    round folder: the regional report, the national overview); a profile also links the
    county report and its neighbours in the list."""
    where = place(result, code)
    items: list[tuple[str, str | None]] = [
        ("Alla uppföljningar", where.site()),
        (round_title(result), where.round()),
    ]
    if code is None:
        return _Html(breadcrumb_html([*items, (page, None)]))
    names = result.municipalities.set_index("code")["short_name"].astype(str)
    items += [("Regionrapport", where.round("regional.html")), (names[code], None)]
    before, after = neighbours(result, code)
    links = []
    if before:
        links.append(f'<li>Föregående kommun: {_link(before + ".html", names[before])}</li>')
    if after:
        links.append(f'<li>Nästa kommun: {_link(after + ".html", names[after])}</li>')
    near = (f'<nav class="grannar" aria-label="Andra kommuner"><ul>{"".join(links)}</ul></nav>'
            if links else "")
    return _Html(breadcrumb_html(items).replace("</nav>", "</nav>" + near, 1)
                 if near else breadcrumb_html(items))


def contents() -> _Html:
    """Where the table of contents goes; `finish_page` fills it from the h2 headings."""
    return _Html(_CONTENTS)


def footer_html(publisher_name: str, published: dt.date, methods_href: str | None,
                statement_href: str, links: Sequence[tuple[str, str]] = ()) -> str:
    """The footer of every page: publisher, publication date, methods, accessibility
    (`methods_href` None where no round is published yet)."""
    items = [*([_link(methods_href, "Metoder och definitioner")] if methods_href else []),
             _link(statement_href, "Tillgänglighetsredogörelse"),
             *(_link(href, text) for text, href in links)]
    date = published.isoformat()
    return (f'<footer class="sidfot"><p>Publicerad av {escape(publisher_name)} '
            f'<time datetime="{date}">{date}</time>.</p>'
            f'<ul>{"".join(f"<li>{i}</li>" for i in items)}</ul></footer>')


def footer(result: object, code: str | None = None,
           published: dt.date | None = None) -> _Html:
    """A report's footer (its date is the day the round is built)."""
    where = place(result, code)
    return _Html(footer_html(publisher(result.settings), published or dt.date.today(),
                             where.round(METHODS_PAGE), where.site(STATEMENT_PAGE),
                             [(f"Uppföljning {result.year}", where.round()),
                              ("Indikatorerna som data (CSV)", where.round("indicators.csv"))]))


def methods_link(result: object, code: str | None = None) -> _Html:
    """The report's methods section: a pointer to the round's methods page."""
    href = place(result, code).round(METHODS_PAGE)
    return _Html(f"<h2>Metoder</h2><p>Hur varje indikator beräknas och bedöms står på sidan "
                 f"{_link(href, 'Metoder och definitioner')}.</p>")


def frame(result: object, code: str | None = None, page: str = "Regionrapport") -> _Html:
    """The path and the footer of a report; `finish_page` moves them into place."""
    return _Html(breadcrumb(result, code, page) + footer(result, code))


def slug(text: str) -> str:
    """A heading's id: lower case, å ä ö kept, other signs as hyphens."""
    text = re.sub(r"[^\wåäöÅÄÖ]+", "-", unescape(_TAG.sub("", text)).strip().casefold())
    return text.strip("-") or "avsnitt"


def _heading_text(body: str) -> str:
    body = re.sub(r'<a class="anchor-link".*?</a>', "", body, flags=re.DOTALL)
    return " ".join(unescape(_TAG.sub("", body)).split())


def finish_page(html: str, depth: int = 2) -> str:
    """Place the path before `<main>` and the footer after it, give every h2 an id,
    and fill the table of contents (if the page has one) from the h2 headings; with
    `depth` 3 the h3 headings too, listed under their h2 (a long reference page)."""
    crumb = None if '<header class="sidhuvud">' in html else _BREADCRUMB.search(html)
    if crumb:
        html = html[:crumb.start()] + html[crumb.end():]
        html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n<header class=\"sidhuvud\">"
                      + crumb.group(0) + "</header>", html, count=1)
    near = _NEIGHBOURS.search(html)
    if near and crumb:
        html = html[:near.start()] + html[near.end():]
        html = html.replace("</header>", near.group(0) + "</header>", 1)
    foot = _FOOTER.search(html)
    if foot:
        html = html[:foot.start()] + html[foot.end():]
        html = html.replace("</main>", "</main>\n" + foot.group(0), 1)
    used: set[str] = set(_ID.findall(html))
    entries: list[tuple[str, str, list[tuple[str, str]]]] = []

    def name(match: re.Match) -> str:
        level, attrs, body = match.group("level"), match.group("attrs"), match.group("body")
        text = _heading_text(body)
        found = _ID.search(attrs)
        if found:
            ident = found.group(1)
        else:
            ident, n = slug(text), 2
            while ident in used:
                ident, n = f"{slug(text)}-{n}", n + 1
            used.add(ident)
            attrs += f' id="{ident}"'
        if ident == "innehall-rubrik":
            pass
        elif level == "2" or not entries:
            entries.append((ident, text, []))
        else:
            entries[-1][2].append((ident, text))
        return f"<h{level}{attrs}>{body}</h{level}>"

    html = (_H2_H3 if depth >= 3 else _H2).sub(name, html)
    placeholder = _PLACEHOLDER.search(html)
    if placeholder:
        html = (html[:placeholder.start()] + contents_html(entries)
                + html[placeholder.end():])
    return html


def contents_html(entries: Sequence[tuple] | Mapping[str, str]) -> str:
    """A table of contents from (id, text) pairs, for pages made without a notebook;
    an entry (id, text, [(id, text), …]) lists its subsections under it."""
    pairs = entries.items() if isinstance(entries, Mapping) else entries

    def item(entry: tuple) -> str:
        ident, text, *rest = entry
        sub = "".join(item(s) for s in (rest[0] if rest else ()))
        return (f'<li><a href="#{escape(ident)}">{escape(text)}</a>'
                f'{f"<ol>{sub}</ol>" if sub else ""}</li>')

    return ('<nav class="innehall" aria-labelledby="innehall-rubrik">'
            f'<h2 id="innehall-rubrik">Innehåll</h2><ol>{"".join(map(item, pairs))}</ol></nav>')
