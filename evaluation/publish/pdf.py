"""Tagged, accessible PDFs (PDF/UA-1) of the reports, for the board's documents.

Each PDF is made with WeasyPrint from the same HTML as the published page, so
the two never differ; the shared stylesheet's print rules give A4 pages with
page numbers, a table of contents with page numbers, and charts that keep
their width. Links to other pages of the site mean nothing on paper and would
carry the build machine's paths, so they become plain text; links inside the
page (the table of contents) stay links.

Once a report is done, its PDF is printed by the next worker that is free, the
largest page first (`evaluation.publish.execute`); a run waits for every PDF.

WeasyPrint needs the system's Pango libraries (Debian: libpango-1.0-0,
libpangoft2-1.0-0), which `make setup` and `.ci/run` install.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from evaluation.publish.site import Link

#: The PDF profile: PDF/UA-1 is tagged (structure, reading order, alt texts, language).
PDF_VARIANT = "pdf/ua-1"
_OUTSIDE_LINK = re.compile(r'<a\s+(?:[^>]*?\s)?href="(?!#)[^"]*"[^>]*>(.*?)</a>', re.DOTALL)


def printable(html: str) -> str:
    """The page's HTML as the PDF shows it: links out of the page become text."""
    return _OUTSIDE_LINK.sub(lambda m: f"<span>{m.group(1)}</span>", html)


def warm_up() -> None:
    """Import WeasyPrint and load the fonts now (about 1.5 s), so a worker pays it
    while its first kernel boots, not in its first report. Without WeasyPrint
    installed nothing happens here: the first PDF then names the missing library."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError):
        return
    HTML(string='<html lang="sv"><title>-</title><p>å</p></html>').write_pdf()


def write_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Write a tagged PDF/UA-1 of a published HTML page."""
    from weasyprint import HTML

    html_path, pdf_path = Path(html_path), Path(pdf_path)
    text = printable(html_path.read_text(encoding="utf-8"))
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf_path.with_name(pdf_path.name + ".part")
    HTML(string=text, base_url=None).write_pdf(str(tmp), pdf_variant=PDF_VARIANT)
    tmp.replace(pdf_path)
    return pdf_path


def pdf_links(folder: Path, wanted: Sequence[tuple[str, str]]) -> list[Link]:
    """Links to those of the wanted PDFs that were made (a run with PDFs off has none)."""
    return [Link(title, href, "Utskriftsvänlig, tillgänglig PDF (PDF/UA)")
            for title, href in wanted if (Path(folder) / href).is_file()]
