"""Executed notebook -> a published HTML report.

A report is read by the public, offline and under a strict content-security
policy (`default-src 'none'; img-src data:; style-src 'unsafe-inline'`), so the
export has no code, prompts, parameter cells, tracebacks or stderr, no script
and no external load, and shows text from the data as text: HTML and Markdown
outputs pass an allow-list sanitizer (bleach) in which `<script>` is escaped,
links stay inside the site and images are inline data. The page also
declares that policy itself (a CSP meta element), so a browser would block
whatever slipped through. Paths of the machine that built the report are
removed as a last line of defence.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import tempfile
from pathlib import Path

import bleach
import nbformat
from bleach.css_sanitizer import ALLOWED_CSS_PROPERTIES, CSSSanitizer

from evaluation.errors import ReportError
from evaluation.publish.navigation import finish_page

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
REPORT_TEMPLATE = TEMPLATES / "report.html.j2"

#: Cells with one of these tags never reach a report.
REMOVED_CELL_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})
#: Cells with this tag keep nothing but are not an error.
REMOVED_OUTPUT_TAGS = frozenset({"remove-output"})
#: Output types a report may show, best first; scripts and widgets are never shown.
SHOWN_MIMETYPES = ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg",
                   "text/latex", "text/plain")
#: Outputs that only make sense live in a notebook: dropped whole.
INTERACTIVE_MIMETYPES = frozenset({
    "application/javascript", "text/javascript",
    "application/vnd.jupyter.widget-view+json", "application/vnd.bokehjs_exec.v0+json",
    "application/vnd.plotly.v1+json",
})
#: Alt text nbconvert gives an image without one (it is English): replaced by ours.
_NBCONVERT_ALT = "No description has been provided for this image"
MISSING_ALT = "Bild utan textbeskrivning"

log = logging.getLogger(__name__)

_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
    # the page's path, table of contents and footer (evaluation.publish.navigation)
    "nav", "footer", "header",
})
_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "style"},
    "a": {"href"},
    # a wide table scrolls in a region that keyboard users can reach (WCAG 2.1.1)
    "div": {"role", "tabindex", "aria-label"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope", "headers"},
    "td": {"colspan", "rowspan", "headers"},
    "table": {"border"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type"},
    "time": {"datetime"},
    "nav": {"aria-label", "aria-labelledby"},
    "li": {"aria-current"},
}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*:|//|\\\\)")
#: CSS that could load something (url(), @import, image-set) or hide it (escapes).
_UNSAFE_CSS = re.compile(r"url\s*\(|@import|image-set|expression\s*\(|\\|binding|behavior",
                         re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL | re.IGNORECASE)
_CSS = CSSSanitizer(allowed_css_properties=frozenset(ALLOWED_CSS_PROPERTIES) | {
    "background-color", "border", "border-bottom", "border-collapse", "border-left",
    "border-right", "border-spacing", "border-top", "margin", "margin-bottom", "margin-left",
    "margin-right", "margin-top", "max-width", "min-width", "padding", "padding-bottom",
    "padding-left", "padding-right", "padding-top", "text-transform",
} - {"cursor"})
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_DATA_URI = re.compile(r"data:[^\"'\s)]+")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name not in _ATTRIBUTES["*"] and name not in _ATTRIBUTES.get(tag, ()):
        return False
    if name == "src":
        return bool(_DATA_IMAGE.match(value))
    if name == "href":
        return not _SCHEME.match(value)
    if name == "style":
        return not _UNSAFE_CSS.search(value)
    if name == "role":
        return value == "region"
    if name == "tabindex":
        return value == "0"
    return True


def sanitize_html(fragment: str) -> str:
    """HTML from an output or Markdown cell, made safe to publish.

    Unknown tags (`<script>`, `<iframe>`, ...) are escaped so they show as
    text; links may only point inside the site; images only to inline data;
    `<style>` blocks that could load anything are dropped.
    """
    cleaned = bleach.clean(
        fragment,
        tags=_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "data"},  # narrowed further by _allowed_attribute
        css_sanitizer=_CSS,
        strip=False,
        strip_comments=True,
    )
    cleaned = _IMG_WITHOUT_SRC.sub("", cleaned)  # its outside source was refused
    return _STYLE_BLOCK.sub(
        lambda m: "" if _UNSAFE_CSS.search(m.group(1)) else m.group(0), cleaned
    )


def _machine_paths(executed: Path) -> list[str]:
    candidates = {
        executed.resolve().parent, Path.cwd(), Path.home(), Path(sys.prefix),
        Path(sys.base_prefix), Path(tempfile.gettempdir()), TEMPLATES.parent.parent,
    }
    paths = {str(p) for p in candidates if len(p.parts) > 1}
    paths |= {p.replace("/", "\\") for p in paths}
    return sorted(paths, key=len, reverse=True)


def scrub_paths(html: str, paths: list[str]) -> str:
    """Replace the given absolute paths with "…", leaving inline data untouched."""
    if not paths:
        return html
    pattern = re.compile("|".join(re.escape(p) for p in paths) + r"(?=[/\\\"'\s<>:;,)]|$)")
    pieces = []
    last = 0
    for match in _DATA_URI.finditer(html):
        pieces.append(pattern.sub("…", html[last:match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(pattern.sub("…", html[last:]))
    return "".join(pieces)


def prepare_notebook(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The cells and outputs a reader may see, and no build metadata.

    Raises ReportError if the notebook holds an error: a failed report is
    never published.
    """
    kept = []
    for position, cell in enumerate(nb.cells, start=1):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVED_CELL_TAGS:
            continue
        if cell.get("metadata", {}).get("papermill", {}).get("exception"):
            raise ReportError(name, cell.get("execution_count") or position,
                              "the notebook holds a failed cell")
        if cell.cell_type == "code":
            outputs = []
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    raise ReportError(name, cell.get("execution_count") or position,
                                      f"{output.ename}: {output.evalue}")
                if output.output_type == "stream":
                    if output.name == "stdout":
                        outputs.append(output)
                    continue
                data = output.get("data", {})
                if any(k in INTERACTIVE_MIMETYPES for k in data):
                    continue  # its text fallback ("VBox(...)") means nothing on paper
                data = {k: v for k, v in data.items() if k in SHOWN_MIMETYPES}
                if data:
                    output["data"] = data
                    outputs.append(output)
            cell["outputs"] = [] if tags & REMOVED_OUTPUT_TAGS else outputs
        elif cell.cell_type == "markdown" and "papermill-error-cell-tag" in tags:
            continue
        cell["metadata"] = {"tags": sorted(tags)} if tags else {}
        kept.append(cell)
    nb.cells = kept
    language = nb.metadata.get("language_info", {})
    nb.metadata = nbformat.NotebookNode(
        {"language_info": {"name": language.get("name", "python")}}
    )
    return nb


@functools.lru_cache(maxsize=1)
def _exporter():
    """One configured exporter per process: loading its templates is the slow part."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    # Off: embedding re-parses inline HTML piecewise and garbles escaped text.
    # Report charts are inline data already (evaluation.report.display).
    config.HTMLExporter.embed_images = False
    config.HTMLExporter.sanitize_html = False  # ours is applied in the template
    config.HTMLExporter.language_code = "sv"
    config.NbConvertBase.display_data_priority = list(SHOWN_MIMETYPES)
    exporter = HTMLExporter(config=config, template_file=str(REPORT_TEMPLATE))
    exporter.register_filter("report_clean", sanitize_html)
    return exporter


def warm_up() -> None:
    """Load the exporter and its templates now (a worker does it before its first report)."""
    _exporter().environment.get_template(REPORT_TEMPLATE.name)


def export_html(executed: Path, html: Path, title: str) -> Path:
    """Write the published HTML report of an executed notebook."""
    executed = Path(executed)
    html = Path(html)
    nb = nbformat.read(executed, as_version=4)
    nb = prepare_notebook(nb, title)
    resources = {
        "metadata": {"name": title, "path": str(executed.resolve().parent)},
        "report_title": title,
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    missing = body.count(f'alt="{_NBCONVERT_ALT}"')
    if missing:
        log.warning("%s: %d image(s) without alt text", title, missing)
        body = body.replace(f'alt="{_NBCONVERT_ALT}"', f'alt="{MISSING_ALT}"')
    body = scrub_paths(body, _machine_paths(executed))
    body = finish_page(body)
    html.parent.mkdir(parents=True, exist_ok=True)
    tmp = html.with_name(html.name + ".part")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html)
    return html
