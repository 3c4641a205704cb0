"""HTML export: no code, no prompts, no loads from outside, escaped data text,
no paths of the machine, alt text on charts."""

from __future__ import annotations

import base64
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from evaluation.errors import ParameterError, ReportError
from evaluation.publish.export import export_html, sanitize_html, scrub_paths
from evaluation.report.display import figure_html

matplotlib.use("Agg")

PNG_1PX = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
           "60e6kgAAAABJRU5ErkJggg==")
SCRIPT = "<script>alert(1)</script>"


class Page(HTMLParser):
    """Every tag with its attributes, the text of <style> blocks and the visible text."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in_style = False
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        (self.styles if self._in_style else self.text).append(data)

    def named(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def assert_passes_strict_csp(page: Page) -> None:
    """default-src 'none'; img-src data:; style-src 'unsafe-inline' allows no
    script, no external resource and images only as data."""
    for tag, attrs in page.tags:
        assert tag not in {"script", "link", "iframe", "object", "embed", "base", "form"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in {"src", "srcset", "poster", "data"}:
                assert value.startswith("data:"), (tag, name, value[:60])
            if name == "href":
                assert "://" not in value and not value.startswith("//"), (tag, value)
            if name == "style":
                assert "url(" not in value and "@import" not in value
    for css in page.styles:
        assert "@import" not in css and "url(" not in css and "http" not in css


def executed_notebook(path: Path, machine_dir: Path) -> Path:
    """A notebook as papermill leaves it, with everything a report must not show."""
    nb = new_notebook()
    nb.metadata["papermill"] = {"input_path": str(machine_dir / "in.ipynb"),
                                "output_path": str(machine_dir / "out.ipynb")}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    params = new_code_cell("data_dir = 'PARAMETER_CELL_SOURCE'", execution_count=1,
                           metadata={"tags": ["parameters"]})
    injected = new_code_cell("data_dir = 'INJECTED_CELL_SOURCE'", execution_count=2,
                             metadata={"tags": ["injected-parameters"]},
                             outputs=[new_output("stream", name="stdout",
                                                 text="INJECTED_OUTPUT\n")])
    heading = new_markdown_cell("# Regionrapport för Örebro län\n\nStatus för **2026**.")
    table = new_code_cell("frame  # CODE_SOURCE_MARKER", execution_count=3, outputs=[
        new_output("execute_result", execution_count=3, data={
            "text/plain": "frame",
            "text/html": (
                "<style scoped>.dataframe thead th { text-align: right; }</style>"
                "<table border=\"1\" class=\"dataframe\"><thead><tr><th>namn</th><th>antal</th>"
                "</tr></thead><tbody><tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"
                "<td>3</td></tr></tbody></table>"
            ),
        }),
    ])
    hostile = new_code_cell("display(...)", execution_count=4, outputs=[
        new_output("display_data", data={
            "text/markdown": f"Familjecentral **{SCRIPT}**",
            "text/plain": "md",
        }),
        new_output("display_data", data={
            "text/html": (
                f"<p onclick=\"steal()\">Klicka {SCRIPT}</p>"
                "<img src=\"https://cdn.example.org/track.png\" alt=\"spårning\">"
                "<a href=\"https://cdn.example.org/\">extern</a>"
                "<a href=\"kommuner/1880.html\">Örebro</a>"
                "<style>@import url(https://fonts.example.org/font.css);</style>"
                "<span style=\"background: url(https://x.example.org/a.png)\">bakgrund</span>"
                "<iframe src=\"https://example.org\"></iframe>"
            ),
            "text/plain": "html",
        }),
        new_output("display_data", data={
            "application/javascript": "alert('js output')",
            "text/plain": "JS_FALLBACK_TEXT",
        }),
    ])
    chart = new_code_cell("show_figure(fig, alt)", execution_count=5, outputs=[
        new_output("display_data", data={
            "text/html": f'<figure><img src="data:image/png;base64,{PNG_1PX}" '
                         f'alt="Andel kommuner med familjecentral, 2024–2026"></figure>',
            "text/plain": "figur",
        }),
        new_output("display_data", data={"image/png": PNG_1PX, "text/plain": "<Figure>"}),
    ])
    printing = new_code_cell("print(Path.cwd())", execution_count=6, outputs=[
        new_output("stream", name="stdout", text=f"Läste {machine_dir}/data/2026/program.csv\n"),
        new_output("stream", name="stderr",
                   text=f"{machine_dir}/.venv/lib/pandas/core.py:1: FutureWarning: STDERR_TEXT\n"),
    ])
    hidden = new_code_cell("secret()", execution_count=7, metadata={"tags": ["remove-cell"]},
                           outputs=[new_output("stream", name="stdout", text="REMOVED_CELL\n")])
    nb.cells = [params, injected, heading, table, hostile, chart, printing, hidden]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def exported(tmp_path) -> tuple[str, Page, Path]:
    machine_dir = tmp_path / "build" / "machine"
    machine_dir.mkdir(parents=True)
    source = executed_notebook(machine_dir / "regional.ipynb", machine_dir)
    html = export_html(source, tmp_path / "site" / "regional.html",
                       "Regionrapport <Örebro län> 2026")
    markup = html.read_text(encoding="utf-8")
    return markup, Page(markup), tmp_path


def test_report_is_swedish_and_titled_with_escaped_title(exported):
    markup, page, _ = exported
    assert page.named("html") == [{"lang": "sv"}]
    assert {"http-equiv": "Content-Security-Policy",
            "content": "default-src 'none'; img-src data:; style-src 'unsafe-inline'"} \
        in page.named("meta")
    assert "<title>Regionrapport &lt;Örebro län&gt; 2026</title>" in markup
    assert "Regionrapport för Örebro län" in page.visible


def test_report_has_no_code_prompts_or_parameter_cells(exported):
    markup, page, _ = exported
    for hidden in ("CODE_SOURCE_MARKER", "PARAMETER_CELL_SOURCE", "INJECTED_CELL_SOURCE",
                   "INJECTED_OUTPUT", "REMOVED_CELL", "STDERR_TEXT", "In&nbsp;[", "Out[",
                   "JS_FALLBACK_TEXT", "alert('js output')"):
        assert hidden not in markup, hidden


def test_script_from_the_data_shows_as_text_and_never_runs(exported):
    markup, page, _ = exported
    assert not page.named("script")
    assert page.visible.count(SCRIPT) == 3  # table cell, markdown output, html output
    assert not page.named("iframe")


def test_report_passes_a_strict_content_security_policy(exported):
    markup, page, _ = exported
    assert_passes_strict_csp(page)
    loads = [v for _, attrs in page.tags for v in attrs.values()] + page.styles
    assert not [v for v in loads if "http:" in v or "https:" in v]
    links = [a["href"] for a in page.named("a") if not a.get("href", "#").startswith("#")]
    assert links == ["kommuner/1880.html"]
    assert "extern" in page.visible  # the link text stays, the external target goes


def test_report_holds_no_path_of_the_building_machine(exported):
    markup, _, tmp_path = exported
    assert str(tmp_path) not in markup
    assert "/build/machine" not in markup
    assert "program.csv" in markup  # the printed line stays, without its directory


def test_charts_are_inline_images_with_alt_text(exported):
    _, page, _ = exported
    images = page.named("img")
    assert len(images) == 2  # the one from outside is gone
    assert all(img["src"].startswith("data:image/png;base64,") for img in images)
    assert images[0]["alt"] == "Andel kommuner med familjecentral, 2024–2026"
    assert images[1]["alt"] == "Bild utan textbeskrivning"  # Swedish, never nbconvert's English


def test_data_tables_keep_their_headers(exported):
    _, page, _ = exported
    assert len(page.named("th")) == 2 and len(page.named("td")) == 2
    assert any(".dataframe thead th" in css for css in page.styles)


def test_failed_notebook_is_never_exported(tmp_path):
    nb = new_notebook()
    nb.cells = [new_code_cell("1/0", execution_count=1, outputs=[
        new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                   traceback=["Traceback", "ZeroDivisionError: division by zero"])])]
    nbformat.write(nb, tmp_path / "failed.ipynb")

    with pytest.raises(ReportError, match="cell 1.*ZeroDivisionError"):
        export_html(tmp_path / "failed.ipynb", tmp_path / "failed.html", "Rapport")
    assert not (tmp_path / "failed.html").exists()


def test_sanitizer_keeps_report_markup_and_escapes_the_rest():
    cleaned = sanitize_html(
        '<h2 id="a">Mål</h2><table><caption>T</caption><thead><tr><th scope="col">x</th></tr>'
        '</thead><tbody><tr><td class="tal">1</td></tr></tbody></table>'
        '<a href="#a">upp</a><a href="javascript:alert(1)">js</a><svg onload="x()"></svg>'
    )
    assert '<h2 id="a">Mål</h2>' in cleaned
    assert '<th scope="col">x</th>' in cleaned and '<td class="tal">1</td>' in cleaned
    assert '<a href="#a">upp</a>' in cleaned
    assert "<a>js</a>" in cleaned
    assert "&lt;svg" in cleaned and "<svg" not in cleaned


def test_style_block_that_loads_nothing_is_kept_and_one_that_loads_is_dropped():
    kept = sanitize_html("<style>td { color: #333; }</style><p>a</p>")
    dropped = sanitize_html("<style>td { background: u\\72l(http://x) }</style><p>a</p>")
    assert "<style>td { color: #333; }</style>" in kept
    assert "<style>" not in dropped and dropped.endswith("<p>a</p>")


def test_scrubbing_paths_leaves_inline_image_data_alone():
    data = base64.b64encode(b"\xfe\xda\xd9\xa6\x9b\xff" * 4).decode()
    markup = f'<p>/srv/build/x.csv</p><img src="data:image/png;base64,/srv/build{data}">'
    scrubbed = scrub_paths(markup, ["/srv/build"])
    assert scrubbed.startswith("<p>…/x.csv</p>")
    assert f"base64,/srv/build{data}" in scrubbed


def test_figure_html_escapes_alt_text_and_refuses_an_empty_one():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([2024, 2026], [3, 5])
    markup = figure_html(fig, 'Andel "på väg" <2030>', caption="Källa: enkät")
    page = Page(markup)
    [img] = page.named("img")
    assert img["alt"] == 'Andel "på väg" <2030>'
    assert img["src"].startswith("data:image/png;base64,iVBORw0KGgo")
    assert "Källa: enkät" in page.visible
    with pytest.raises(ParameterError, match="text alternative"):
        figure_html(fig, "  ")
    plt.close(fig)


def test_scroll_region_for_wide_tables_survives_but_nothing_else_interactive():
    from evaluation.publish.export import sanitize_html

    kept = sanitize_html('<div role="region" tabindex="0" aria-label="Tabell">t</div>')
    assert kept == '<div role="region" tabindex="0" aria-label="Tabell">t</div>'
    dropped = sanitize_html('<div role="button" tabindex="3" onclick="x()">t</div>')
    assert dropped == "<div>t</div>"
