"""The intruder audit on a national synthetic round: linear programming over every
published table of the round at once (each county's linked tables, the county
totals and the country totals that join them), passing as published and
catching a deliberately weakened suppression at county and at country level.

Two synthetic counties (Gotland, one municipality; Blekinge, five) keep it to a
few seconds while the country's totals still link the counties: a country total
minus one county's published figure is the other county's.
"""

from __future__ import annotations

import pytest

import evaluation.analysis.country_disclosure as country_disclosure
from evaluation.analysis.audit import SECONDARY, Linked, audit
from evaluation.analysis.national import compute_national
from evaluation.analysis.published import indicator_key
from evaluation.tools.example import write_national_example

THRESHOLD = 5
COUNTRY = country_disclosure.COUNTRY_CODE
COUNTIES = ["09", "10"]


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """The round's linked tables per year (all counties and the country as one system)
    and what the round withholds in them, as `compute_national` decided."""
    data = tmp_path_factory.mktemp("national-audit") / "data"
    write_national_example(data, seed=5, counties=COUNTIES)
    seen: dict = {"linked": []}
    combine, protect_country = Linked.combine, country_disclosure.protect_country
    withhold = country_disclosure.withhold_indicators

    def record_combine(parts):
        seen["linked"].append(combine(parts))
        return seen["linked"][-1]

    def record_protect(rows, raw, counties, links, settings):
        seen["links"] = links
        return protect_country(rows, raw, counties, links, settings)

    def record_withhold(table, withheld, region):
        seen["country"] = dict(withheld)
        return withhold(table, withheld, region)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Linked, "combine", staticmethod(record_combine))
        patch.setattr(country_disclosure, "protect_country", record_protect)
        patch.setattr(country_disclosure, "withhold_indicators", record_withhold)
        result = compute_national(data, 2026)
    rounds = {}
    for linked in seen["linked"]:
        year = next(iter(linked.units))[2]
        withheld = {k: v for per in seen["links"].values() if year in per
                    for k, v in per[year][1].withheld.items()}
        withheld.update({k: v for k, v in seen["country"].items() if k[2] == year})
        rounds[year] = (linked, withheld)
    return result, rounds


def test_the_audit_covers_county_and_country_totals(national):
    result, rounds = national
    assert sorted(result.counties) == COUNTIES and sorted(rounds) == [2024, 2026]
    for year, (linked, _) in rounds.items():
        for area in [*COUNTIES, COUNTRY]:
            assert indicator_key(area, year, area, "1.4") in linked.units
        assert any(key[1] == COUNTRY and key[0] == "uptake" for key in linked.units)


def test_the_published_national_round_passes_the_audit(national):
    result, rounds = national
    audited = set()
    for linked, withheld in rounds.values():
        checked = audit(linked, set(withheld), THRESHOLD)
        assert checked.passed, checked.failures[:1]
        audited |= {r.key[1] for r in checked.ranges if r.key[0] in ("row", "implied")}
    assert audited == set(COUNTIES)  # small counts of both counties were bounded
    counts = result.country.extra["disclosure"]["rounds"]
    assert sum(c["secondary"] for c in counts.values()) > 0  # the country withholds too


@pytest.mark.parametrize("level", [*COUNTIES, COUNTRY])
def test_publishing_the_secondary_cells_of_one_level_is_caught(national, level):
    _, rounds = national
    caught = []
    for linked, withheld in rounds.values():
        weakened = {k for k, v in withheld.items() if not (k[1] == level and v == SECONDARY)}
        if len(weakened) < len(withheld):
            caught.append(audit(linked, weakened, THRESHOLD).passed is False)
    assert caught and all(caught)
