"""The HTML readers see of each report section, pinned by snapshots (as great-tables does).

Any change to a value, a label, a class or the order of rows in these sections shows up
as a failing test and, once accepted with `pytest --snapshot-update`, as a reviewable diff
of the files in `tests/__snapshots__/test_report_snapshots/`. The round is the committed
example round 2026 of Örebro län, so the snapshots hold no dates, timings or paths.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from evaluation.report import sections as report


class HtmlSnapshot(SingleFileSnapshotExtension):
    """One readable .html file per snapshot, one tag or text per line."""

    _write_mode = WriteMode.TEXT
    file_extension = "html"

    def serialize(self, data, **kwargs):
        return BeautifulSoup(str(data), "html.parser").prettify()


@pytest.fixture
def html_snapshot(snapshot):
    return snapshot.use_extension(HtmlSnapshot)


@pytest.fixture
def result(example_result):
    return example_result


def test_status_overview_shows_every_indicator_as_published(result, html_snapshot):
    assert report.status_overview(result) == html_snapshot


@pytest.mark.parametrize("code", ["1880", "1864"])
def test_profile_overview_shows_the_municipality_against_the_county(result, code,
                                                                      html_snapshot):
    assert report.profile_overview(result, code) == html_snapshot


def test_uptake_table_shows_every_programme_with_adopters_and_leavers(result, html_snapshot):
    assert report.uptake_table(result) == html_snapshot


def test_data_quality_section_shows_counts_withheld_figures_and_reasons(result,
                                                                         html_snapshot):
    section = "".join([report.response_text(result), report.row_counts(result),
                       report.disclosure_text(result), report.findings_by_reason(result),
                       report.findings_list(result)])
    assert section == html_snapshot


def test_snapshot_text_keeps_every_change_a_reader_would_see(result):
    """Pretty-printing only re-indents: a changed figure, class or attribute still differs."""
    shown = str(report.status_overview(result))
    serialize = HtmlSnapshot().serialize
    assert serialize(shown) == serialize(shown)
    for old, new in (("(Laxå)", "(Nora)"), ('class="status', 'class="state'),
                     ('scope="col"', 'scope="row"')):
        assert old in shown
        assert serialize(shown.replace(old, new, 1)) != serialize(shown)
