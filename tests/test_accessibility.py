"""The accessibility statement: Digg's required parts, filled from the configuration."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluation.errors import ParameterError
from evaluation.publish.accessibility import DIGG_COMPLAINT_URL, statement_settings, write_statement
from evaluation.settings import DEFAULT_CONFIG, Settings, load_settings


def test_default_config_describes_an_example_site_with_every_required_part(tmp_path):
    page = write_statement(tmp_path, load_settings(DEFAULT_CONFIG),
                           today=dt.date(2026, 12, 1)).read_text(encoding="utf-8")
    assert "hör till en exempelsajt" in page and "ingen verklig myndighets" in page
    for text in ("Exempelregionen, enheten för uppföljning står bakom",  # responsible body
                 'href="mailto:tillganglighet@exempelregionen.example"',  # contact
                 "Rapportera brister",  # how to report problems
                 f'href="{DIGG_COMPLAINT_URL}"',  # Digg's complaint function
                 "delvis förenlig med lagen om tillgänglighet",  # compliance level
                 "Innehåll som inte är tillgängligt",  # known shortcomings
                 '<time datetime="2026-12-01">2026-12-01</time>'):  # assessment date
        assert text in page, text
    assert '<footer class="sidfot">' in page and 'lang="sv"' in page


def test_a_real_authoritys_statement_has_no_example_notice(tmp_path):
    settings = Settings(extra={"publisher": {"name": "Region Örebro län"}, "accessibility": {
        "example": False, "responsible": "Region Örebro län", "compliance": "helt",
        "contact_email": "a@b.se", "assessed": "2026-11-30"}})
    page = write_statement(tmp_path, settings).read_text(encoding="utf-8")
    assert "exempelsajt" not in page
    assert "helt förenlig" in page and "Region Örebro län står bakom" in page


@pytest.mark.parametrize("key, value, message", [
    ("compliance", "ganska", r"compliance: 'ganska' är inte ett av helt, delvis, inte"),
    ("assessed", "1 dec", r"assessed: '1 dec' är inget datum"),
    ("report_form", "https://x.example/f", "måste vara en relativ länk"),
    ("colour", "blå", r"okänd inställning \['colour'\]"),
])
def test_bad_settings_are_refused_in_swedish_naming_the_setting(key, value, message):
    with pytest.raises(ParameterError, match=message):
        statement_settings(Settings(extra={"accessibility": {key: value}}))
