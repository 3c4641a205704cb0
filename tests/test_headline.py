"""The headline in words, sentence by sentence, from hand-built indicator tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from evaluation.report import headline as h

COUNTY = "18"
NAMES = pd.DataFrame({"code": ["1814", "1860", "1884"],
                      "short_name": ["Lekeberg", "Laxå", "Nora"]})


def row(year, indicator, value, status=None, area="18", level="county", numerator=None,
        denominator=None, suppressed=False):
    return {"round": year, "level": level, "area_code": area, "indicator": indicator,
            "numerator": numerator, "denominator": denominator, "value": value,
            "status": status, "suppressed": suppressed}


def change(year, indicator, low=None, high=None, method="difference", area="18",
           level="county"):
    return {"round": year, "previous_round": year - 2, "level": level, "area_code": area,
            "indicator": indicator, "change_low": low, "change_high": high,
            "change_method": method}


def result(rows, changes=(), year=2026, previous=2024):
    return SimpleNamespace(
        indicators=pd.DataFrame(rows), year=year, previous_year=previous, region=COUNTY,
        changes=pd.DataFrame(list(changes), columns=["round", "previous_round", "level",
                                                     "area_code", "indicator", "change_low",
                                                     "change_high", "change_method"]),
        municipalities=NAMES)


def test_number_words_up_to_twelve_and_figures_above():
    assert [h.number_word(n) for n in (0, 1, 7, 12)] == ["noll", "en", "sju", "tolv"]
    assert h.number_word(1, neuter=True) == "ett"
    assert h.number_word(1234) == "1\u00a0234"


def test_a_sentence_never_starts_with_a_digit():
    assert h.sentence("16 kommuner har svarat") == "Totalt 16 kommuner har svarat."
    assert h.sentence("sju av tolv") == "Sju av tolv."


def test_status_sentence_counts_every_status_including_no_sure_change():
    rows = [row(2026, "2.1", 1.0, "uppnått"), row(2026, "3.1", 0.9, "på väg"),
            row(2026, "3.2", 0.3, "ej på väg"), row(2026, "3.3", 0.5, "ej på väg"),
            row(2026, "1.4", 28.0, "ingen säker förändring"),
            row(2026, "1.5", 0.4, None)]  # monitored: no target, not counted
    counts = h.status_counts(pd.DataFrame(rows), 2026, COUNTY)
    assert counts == {"uppnått": 1, "på väg": 1, "ej på väg": 2, "ingen säker förändring": 1}
    assert h.status_sentences(counts) == [
        "Av fem indikatorer med mål är en uppnådd, en på väg, två inte på väg och en utan "
        "säker förändring."]


def test_status_sentences_name_baseline_and_missing_status():
    counts = {"uppnått": 2, "baslinje": 3, "": 1}
    assert h.status_sentences(counts) == [
        "Av sex indikatorer med mål är två uppnådda.",
        "Tre indikatorer har bara en mätning än, så riktningen går inte att bedöma.",
        "För en indikator finns ingen status, eftersom värdet saknas eller är skyddat."]


def test_a_single_indicator_is_said_in_the_singular():
    assert h.status_sentences({"uppnått": 1}) == ["Den enda indikatorn med mål är uppnådd."]


def test_census_change_is_said_as_municipalities_more_than_last_round():
    rows = [row(2024, "2.1", 5 / 11, numerator=5, denominator=11),
            row(2026, "2.1", 7 / 11, "ej på väg", numerator=7, denominator=11)]
    changes = h.largest_changes(pd.DataFrame(rows), pd.DataFrame(), 2026, 2024, COUNTY)
    assert [c.text for c in changes] == [
        "Sju av elva kommuner har nu minst en familjecentral, två fler än 2024."]


def test_largest_changes_are_ranked_and_unsure_changes_left_out():
    rows = [row(2024, "3.3", 3 / 12, numerator=3, denominator=12),
            row(2026, "3.3", 7 / 12, numerator=7, denominator=12),
            row(2024, "3.4", 4 / 12, numerator=4, denominator=12),
            row(2026, "3.4", 3 / 12, numerator=3, denominator=12),
            row(2024, "1.6", 0.70, numerator=70, denominator=100),
            row(2026, "1.6", 0.90, numerator=90, denominator=100),
            row(2024, "1.5", 0.30, numerator=30, denominator=100),
            row(2026, "1.5", 0.40, numerator=40, denominator=100)]
    changes = [change(2026, "1.6", 0.05, 0.30, "newcombe"),
               change(2026, "1.5", -0.03, 0.22, "newcombe")]  # includes 0: not sure
    found = h.largest_changes(pd.DataFrame(rows), pd.DataFrame(changes), 2026, 2024, COUNTY)
    assert [c.text for c in found] == [
        "Sju av tolv kommuner har nu en lokal plan för föräldraskapsstöd, fyra fler än 2024.",
        "Andelen deltagare som fullföljt ökade från 70\u00a0% till 90\u00a0%.",
        "Tre av tolv kommuner har nu en rutin för systematisk uppföljning, en färre än 2024."]


def test_withheld_values_give_no_change():
    rows = [row(2024, "1.6", 0.7, numerator=70, denominator=100),
            row(2026, "1.6", None, suppressed=True)]
    assert h.largest_changes(pd.DataFrame(rows), pd.DataFrame(), 2026, 2024, COUNTY) == []


def test_regional_headline_first_round_says_there_is_no_change_yet():
    r = result([row(2024, "2.1", 0.5, "baslinje", numerator=6, denominator=12)],
               year=2024, previous=None)
    assert h.regional_sentences(r) == [
        "Av en indikator med mål har en bara en mätning än, så riktningen går inte att "
        "bedöma.",
        "Omgången 2024 är den första, så det finns ingen förändring att beskriva än."]


def test_round_headline_has_statuses_and_at_most_two_changes():
    rows = []
    for ind, (before, now) in {"2.1": (5, 7), "3.1": (8, 11), "3.3": (3, 4)}.items():
        rows += [row(2024, ind, before / 12, "baslinje", numerator=before, denominator=12),
                 row(2026, ind, now / 12, "på väg", numerator=now, denominator=12)]
    sentences = h.round_sentences(result(rows))
    assert sentences == [
        "Av tre indikatorer med mål är tre på väg.",
        "Elva av tolv kommuner har nu en lednings- eller samverkansgrupp, tre fler än 2024.",
        "Sju av tolv kommuner har nu minst en familjecentral, två fler än 2024."]


@pytest.fixture
def profile_rows():
    m = {"area": "1884", "level": "municipality"}
    return [row(2024, "3.3", 0.0, "baslinje", **m), row(2026, "3.3", 1.0, "uppnått", **m),
            row(2024, "2.1", 1.0, "uppnått", **m), row(2026, "2.1", 0.0, "ej på väg", **m),
            row(2026, "1.6", None, None, suppressed=True, **m),
            row(2026, "1.4", None, None, suppressed=True, **m)]


def test_profile_headline_names_what_the_municipality_gained_and_lost(profile_rows):
    assert h.profile_sentences(result(profile_rows), "1884") == [
        "Av tre indikatorer med mål är en uppnådd och en inte på väg.",
        "För en indikator finns ingen status, eftersom värdet saknas eller är skyddat.",
        "Sedan 2024 har Nora fått en lokal plan för föräldraskapsstöd.",
        "Sedan 2024 har Nora inte längre minst en familjecentral.",
        "Två värden visas inte, eftersom de bygger på för få föräldrar (röjandeskydd)."]


def test_profile_headline_with_every_value_withheld_is_still_sentences():
    m = {"area": "1860", "level": "municipality", "suppressed": True}
    rows = [row(2026, i, None, None, **m) for i in ("1.4", "1.5", "1.6")]
    assert h.profile_sentences(result(rows, previous=None), "1860") == [
        "För en indikator finns ingen status, eftersom värdet saknas eller är skyddat.",
        "Tre värden visas inte, eftersom de bygger på för få föräldrar (röjandeskydd)."]


def test_goal_area_summary_counts_only_its_own_indicators():
    rows = [row(2026, "2.1", 1.0, "uppnått"), row(2026, "3.1", 0.9, "ingen säker förändring"),
            row(2026, "3.2", 0.2, "ej på väg")]
    assert h.goal_area_sentences(result(rows, previous=None), "3") == [
        "Av två indikatorer med mål är en inte på väg och en utan säker förändring."]


def test_headline_html_escapes_and_lists_each_sentence():
    html = h.as_html(["A < B.", "C."])
    items = BeautifulSoup(html, "html.parser").select("ul > li")
    assert [(li.get_text(), li.decode_contents()) for li in items] == [
        ("A < B.", "A &lt; B."), ("C.", "C.")]
    assert h.plain(html) == "I korthet A &lt; B. C."


# -- large numbers (a national round): a word opens every sentence, never a figure


def test_census_change_over_hundreds_of_municipalities_opens_with_a_word():
    rows = [row(2024, "3.4", 48 / 265, numerator=48, denominator=265),
            row(2026, "3.4", 117 / 278, numerator=117, denominator=278),
            row(2024, "D.1", 265 / 290, numerator=265, denominator=290),
            row(2026, "D.1", 278 / 290, numerator=278, denominator=290)]
    found = h.largest_changes(pd.DataFrame(rows), pd.DataFrame(), 2026, 2024, COUNTY)
    assert [c.text for c in found] == [
        "Nu har 117 av 278 kommuner en rutin för systematisk uppföljning, 69 fler än 2024.",
        "Den här omgången besvarade 278 av 290 kommuner enkäten, 13 fler än 2024."]


def test_many_baseline_indicators_are_counted_without_a_figure_first():
    assert h.status_sentences({"uppnått": 2, "baslinje": 14}) == [
        "Av 16 indikatorer med mål är två uppnådda.",
        "För 14 indikatorer finns bara en mätning än, så riktningen går inte att bedöma."]


@pytest.mark.parametrize(("answered", "total", "where", "expected"), [
    (11, 12, "", "Elva av tolv kommuner besvarade enkäten 2026."),
    (12, 12, "", "Alla tolv kommuner besvarade enkäten 2026."),
    (278, 290, " i landet", "Av 290 kommuner i landet besvarade 278 enkäten 2026."),
])
def test_who_answered_is_said_in_words_or_opens_with_a_word(answered, total, where, expected):
    assert h.answered_sentence(answered, total, 2026, where) == expected


def test_national_headline_adds_how_many_counties_sent_data():
    rows = [row(2026, "2.1", 1.0, "uppnått", area="00", level="country")]
    country = result(rows, previous=None)
    country.region = "00"
    counties = pd.DataFrame({"code": ["09", "10", "18"], "reported": [True, True, False]})
    national = SimpleNamespace(country=country, county_table=counties)
    assert h.national_sentences(national) == [
        "Den enda indikatorn med mål är uppnådd.",
        "Omgången 2026 är den första, så det finns ingen förändring att beskriva än.",
        "Uppgifter kom från två av tre län."]
