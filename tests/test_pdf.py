"""The board's PDFs: tagged PDF/UA-1 made from the published HTML, headline included."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from evaluation.publish.pdf import printable, write_pdf
from evaluation.report.headline import as_html

SENTENCES = ["Av elva indikatorer med mål är tre uppnådda, två på väg och sex inte på väg.",
             "Sju av elva kommuner har nu minst en familjecentral, två fler än 2024."]
PAGE = ('<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        "<title>Regionrapport: föräldraskapsstöd i Örebro län 2026</title></head><body>"
        '<header class="sidhuvud"><a href="../index.html">Alla uppföljningar</a></header>'
        f"<main><h1>Föräldraskapsstöd i Örebro län</h1>{as_html(SENTENCES)}"
        '<p>Se <a href="#i-korthet">I korthet</a> och <a href="metoder.html">metoder</a>.</p>'
        "</main></body></html>")


def test_links_out_of_the_page_become_text_and_anchors_stay():
    text = printable(PAGE)
    assert 'href="../index.html"' not in text and 'href="metoder.html"' not in text
    assert "<span>metoder</span>" in text and 'href="#i-korthet"' in text


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="needs poppler-utils")
def test_pdf_is_tagged_titled_and_holds_the_headline(tmp_path):
    html = tmp_path / "regional.html"
    html.write_text(PAGE, encoding="utf-8")
    pdf = write_pdf(html, tmp_path / "regional.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert "Tagged:          yes" in info
    assert "Title:           Regionrapport: föräldraskapsstöd i Örebro län 2026" in info
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    for sentence in SENTENCES:
        assert sentence in text
    assert str(tmp_path) not in pdf.read_bytes().decode("latin-1")  # no path of the machine


def test_a_pdf_that_failed_or_was_not_written_fails_its_report(tmp_path):
    from evaluation.publish.execute import NotebookJob, pdf_error_file, pdf_failures

    def job(name):
        html = tmp_path / f"{name}.html"
        html.write_text("<html></html>", encoding="utf-8")
        return NotebookJob(name, tmp_path / "x.ipynb", tmp_path / f"{name}.ipynb", {},
                           html=html, pdf=tmp_path / f"{name}.pdf")

    ok, broken, missing = job("ok"), job("broken"), job("missing")
    ok.pdf.write_bytes(b"%PDF-1.7")
    pdf_error_file(broken.pdf).write_text("OSError: no pango", encoding="utf-8")
    assert pdf_failures([ok, broken, missing]) == {"broken": "pdf: OSError: no pango",
                                                    "missing": "pdf: not written"}
