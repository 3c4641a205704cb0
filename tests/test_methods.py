"""The method appendix is generated from the registry and says the rules in Swedish."""

from __future__ import annotations

from evaluation.indicators.registry import REGISTRY
from evaluation.report.methods import indicator_section, methods_markdown, write_methods
from evaluation.settings import Settings


def test_every_indicator_appears_with_its_id_and_title():
    text = methods_markdown()
    for ind in REGISTRY.values():
        assert f"#### {ind.id} {ind.title}" in text


def test_goal_areas_are_headings_in_order():
    text = methods_markdown()
    positions = [text.index(h) for h in (
        "### Målområde 1: Ett kunskapsbaserat arbetssätt",
        "### Målområde 2: Ett tillgängligt stöd",
        "### Målområde 3: En stödjande organisation",
        "### Datakvalitet")]
    assert positions == sorted(positions)


def test_indicator_section_states_method_target_and_status_rule():
    rate = indicator_section(REGISTRY["1.4"])
    assert "Byars metod" in rate and "Stigande värde" in rate
    assert "Röjandeskydd" in rate
    census = indicator_section(REGISTRY["3.2"])
    assert "utan konfidensintervall" in census
    assert "100\u00a0%" in census
    assert "En kommun utan grupp har inte alla fem sektorer" in census
    monitored = indicator_section(REGISTRY["1.5"])
    assert "Ingen status" in monitored


def test_blank_rule_and_status_rule_are_written_out():
    text = " ".join(methods_markdown().split())
    assert "Ett tomt svar betyder att uppgiften saknas, aldrig nej" in text
    assert "nämnaren" in text.lower()
    assert "förlängs som en rät linje från omgångens värde till 2030" in text
    assert "(n − ½)/n" in text


def test_status_rules_name_the_fixed_population_the_sure_change_and_the_centres():
    text = " ".join(methods_markdown().split())
    assert "bara bland de kommuner som har ett värde i båda omgångarna" in text
    assert "**ingen säker förändring** (≈)" in text
    assert "bedöms på antalet familjecentraler" in text
    assert "En andel stannar inom 0–100 %" in text
    assert "avgör inte statusen" in text
    assert "annars ingen säker förändring" in indicator_section(REGISTRY["1.4"])
    assert "inte på förändringar i antalet barn" in indicator_section(REGISTRY["2.2"])


def test_docs_methods_page_is_generated_from_the_current_code():
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs" / "metoder.md"
    assert docs.read_text(encoding="utf-8") == methods_markdown(), (
        "docs/metoder.md is out of date: regenerate it with "
        "evaluation.report.methods.write_methods")


def test_settings_shape_the_text():
    text = methods_markdown(Settings(evidence_based_classes=("A", "B", "C"),
                                     suppression_threshold=10))
    assert "klasserna A, B och C" in text
    assert "från 1 till 9" in text and "”<10”" in text
    off = methods_markdown(Settings(suppression_threshold=0))
    assert "avstängt" in off


def test_write_methods_writes_utf8_markdown(tmp_path):
    path = write_methods(tmp_path / "docs" / "metoder.md")
    content = path.read_bytes().decode("utf-8")
    assert content.startswith("# Metoder och definitioner")
    assert "Föräldrar i program per 1 000 barn 0–17 år" in content
