"""A profile whose every value is withheld shows sentences, never empty axes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluation.analysis.rounds import compute
from evaluation.report import display, headline
from evaluation.report import sections as report
from evaluation.report.empty_charts import has_values, no_chart, reason

DATA = Path(__file__).resolve().parent.parent / "data" / "example"
CODE = "1864"


@pytest.fixture(scope="module")
def withheld_everywhere():
    """The example round 2026 with every value of Ljusnarsberg withheld, as disclosure
    control leaves a municipality with very few parents."""
    result = compute(DATA, 2026)
    table = result.indicators.copy()
    own = table["area_code"] == CODE
    table.loc[own, ["value", "ci_low", "ci_high"]] = pd.NA
    table.loc[own, ["numerator", "denominator"]] = pd.NA
    table.loc[own, "suppressed"] = True
    table.loc[own, "status"] = None
    result.indicators = table
    return result


def test_a_table_with_only_withheld_values_has_nothing_to_draw(withheld_everywhere):
    table = withheld_everywhere.indicators
    assert not has_values(table, "1.4", area_code=CODE)
    assert has_values(table, "1.4", area_code="1880")
    assert reason(table, "1.4", area_code=CODE).startswith("alla värden är skyddade")


def test_profile_trends_with_every_value_withheld_are_sentences_not_charts(
        withheld_everywhere, monkeypatch):
    shown, figures = [], []
    monkeypatch.setattr(report, "_display", lambda *items: shown.extend(items))
    monkeypatch.setattr(display, "show_figure", lambda fig, alt="": figures.append(alt))
    report.show_municipality_trends(withheld_everywhere, CODE)
    assert figures == []
    assert [str(s) for s in shown] == [
        no_chart("Föräldrar i program per 1 000 barn 0–17 år, Ljusnarsberg",
                 "alla värden är skyddade (”..”): de bygger på för få föräldrar"),
        no_chart("Evidensbaserade program per kommun, Ljusnarsberg",
                 "alla värden är skyddade (”..”): de bygger på för få föräldrar"),
    ]


def test_profile_trends_with_values_still_draw_charts(withheld_everywhere, monkeypatch):
    figures = []
    monkeypatch.setattr(report, "_display", lambda *items: None)
    monkeypatch.setattr(display, "show_figure", lambda fig, alt="": figures.append(alt))
    report.show_municipality_trends(withheld_everywhere, "1880")
    assert len(figures) == 2 and all("Örebro" in alt for alt in figures)


def test_profile_headline_with_every_value_withheld_says_so_in_sentences(withheld_everywhere):
    sentences = headline.profile_sentences(withheld_everywhere, CODE)
    assert sentences == [
        "För 16 indikatorer finns ingen status, eftersom värdet saknas eller är skyddat.",
        "Här visas inte 18 värden, eftersom de bygger på för få föräldrar (röjandeskydd).",
    ]


def test_uptake_charts_of_more_programmes_than_a_chart_holds_say_so_and_draw_the_most_offered(
        example_result, monkeypatch):
    from evaluation.report import charts

    shown, figures = [], []
    monkeypatch.setattr(charts, "CHART_PROGRAMMES", 3)
    monkeypatch.setattr(report, "_display", lambda *items: shown.extend(items))
    monkeypatch.setattr(display, "show_figure", lambda fig, alt="": figures.append(alt))
    report.show_uptake_charts(example_result)
    programmes = example_result.uptake.programmes
    listed = programmes.loc[programmes["round"].isin([2024, 2026]), "programme"].nunique()
    assert [str(s) for s in shown] == [
        f"<p>Diagrammen visar de 3 av {listed} program som flest kommuner erbjuder. Alla finns "
        f'i filen <a href="program.csv">program.csv</a> bland omgångens nedladdningar.</p>']
    adoption, matrix, reach = figures
    top = charts.most_offered(programmes, 3)
    names = example_result.programme_names
    assert adoption.count(": 2024: ") == 3 and "12 kommuner och 3 program." in matrix
    for programme in top:
        assert names.get(programme, programme) in adoption
    assert "evidensklass" in reach
