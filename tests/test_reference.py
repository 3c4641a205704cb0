"""Reference tables, programme catalogue and the matching of written names.

Expected codes are SCB's municipality codes (kommunkoder), looked up by hand.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from evaluation.errors import ParameterError
from evaluation.intake.reference import LEVELS, Match, load_reference
from evaluation.settings import EVIDENCE_CLASSES, REFERENCE_DIR

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "reference"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared reference facts absent")

OREBRO_LAN = {
    "1814": "Lekeberg", "1860": "Laxå", "1861": "Hallsberg", "1862": "Degerfors",
    "1863": "Hällefors", "1864": "Ljusnarsberg", "1880": "Örebro", "1881": "Kumla",
    "1882": "Askersund", "1883": "Karlskoga", "1884": "Nora", "1885": "Lindesberg",
}


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def _shared_rows(name: str) -> list[dict[str, str]]:
    with open(SHARED / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- tables ------------------------------------------------------------------------------


def test_sweden_has_21_counties_and_290_municipalities(ref):
    assert len(ref.counties) == 21
    assert len(ref.municipalities) == 290
    assert ref.counties["code"].is_unique
    assert ref.municipalities["code"].is_unique


def test_orebro_lan_lists_its_twelve_municipalities_by_code(ref):
    frame = ref.county_municipalities("18")
    assert dict(zip(frame["code"], frame["short_name"], strict=True)) == OREBRO_LAN
    assert frame["code"].tolist() == sorted(OREBRO_LAN)


def test_codes_are_text_with_leading_zeros_kept(ref):
    assert ref.municipalities["code"].str.fullmatch(r"\d{4}").all()
    assert ref.counties["code"].str.fullmatch(r"\d{2}").all()
    assert ref.municipalities["county_code"].isin(ref.counties["code"]).all()
    first = ref.municipalities.sort_values("code").iloc[0]
    assert (first["code"], first["short_name"], first["county_code"]) == (
        "0114", "Upplands Väsby", "01")


def test_every_municipality_has_a_point_in_sweden(ref):
    munis = ref.municipalities
    assert munis["lat"].between(55.0, 69.1).all()
    assert munis["lon"].between(10.9, 24.2).all()


def test_county_is_found_by_code_number_or_name(ref):
    assert ref.county("18")["name"] == "Örebro län"
    assert ref.county(18)["short_name"] == "Örebro"
    assert ref.county("Örebro län")["code"] == "18"
    assert ref.county("1")["name"] == "Stockholms län"


def test_unknown_county_is_rejected_with_closest_match(ref):
    with pytest.raises(ParameterError, match=r"okänt län '99'"):
        ref.county("99")
    with pytest.raises(ParameterError, match=r"menade du 'Örebro län'"):
        ref.county("Orebo lan")


def test_municipality_name_is_the_short_name(ref):
    assert ref.municipality_name("1880") == "Örebro"
    assert ref.municipality_name("0114") == "Upplands Väsby"
    with pytest.raises(ParameterError, match="okänd kommunkod '9999'"):
        ref.municipality_name("9999")


def test_population_holds_orebro_lan_for_2023(ref):
    pop = ref.population
    assert sorted(pop["code"]) == sorted(OREBRO_LAN)
    assert set(pop["year"]) == {2023}
    assert pop.loc[pop["code"] == "1880", "population_total"].item() == 159348
    # County totals as published by Regionfakta for 31 December 2023.
    assert pop["population_total"].sum() == 308116
    assert pop["population_0_15"].sum() == 56195


# -- municipality resolution ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Örebro", "1880"),
        ("Örebro kommun", "1880"),
        ("Lekebergs kommun", "1814"),
        ("Lekeberg kommun", "1814"),
        ("1880", "1880"),
        (1880, "1880"),
        (1880.0, "1880"),
        ("1880.0", "1880"),
        ("1880 Örebro", "1880"),
        ("Örebro (1880)", "1880"),
        ("NORA", "1884"),
        (" nora ", "1884"),
        ("Orebro", "1880"),
        ("Hallefors", "1863"),
        ("HALLEFORS KOMMUN", "1863"),
        ("114", "0114"),
        (114, "0114"),
        ("0114", "0114"),
        ("Upplands-Väsby", "0114"),
        ("Region Gotland", "0980"),
        ("Gotlands kommun", "0980"),
        ("Mönsterås kommun", "0861"),
        ("Malung-Sälens kommun", "2023"),
        ("Stockholms stad", "0180"),
    ],
)
def test_municipality_is_resolved_however_it_is_written(ref, written, code):
    match = ref.resolve_municipality(written)
    assert match.code == code
    assert match.closest is None
    assert match.county_code == code[:2]


def test_resolved_municipality_carries_short_name_and_county(ref):
    assert ref.resolve_municipality("Lekebergs kommun", region="18") == Match(
        "1814", "Lekeberg", None, "18")


def test_habo_and_habo_with_ring_are_told_apart_by_spelling(ref):
    assert ref.resolve_municipality("Habo").code == "0643"
    assert ref.resolve_municipality("Håbo").code == "0305"


def test_name_without_diacritics_prefers_the_given_region(ref):
    assert ref.resolve_municipality("Habo", region="03").code == "0305"
    assert ref.resolve_municipality("HABO kommun", region="03").code == "0305"
    assert ref.resolve_municipality("Habo", region="06").code == "0643"


def test_name_written_with_diacritics_is_not_bent_to_the_region(ref):
    match = ref.resolve_municipality("Håbo", region="06")
    assert (match.code, match.county_code) == ("0305", "03")


def test_municipality_outside_the_region_still_resolves_with_its_county(ref):
    match = ref.resolve_municipality("Uppsala kommun", region="18")
    assert (match.code, match.name, match.county_code) == ("0380", "Uppsala", "03")
    assert ref.resolve_municipality("1780", region="18").county_code == "17"


def test_unknown_municipality_is_rejected_with_closest_match(ref):
    assert ref.resolve_municipality("Lindesbreg") == Match(None, None, "Lindesberg")
    assert ref.resolve_municipality("Örbro kommun", region="18").closest == "Örebro"


def test_closest_match_is_sought_within_the_region(ref):
    assert ref.resolve_municipality("Karlstadd").closest == "Karlstad"
    assert ref.resolve_municipality("Karlstadd", region="18").closest == "Karlskoga"


def test_code_and_name_that_disagree_are_not_resolved(ref):
    match = ref.resolve_municipality("1880 Nora")
    assert match.code is None
    assert match.closest == "Örebro"


@pytest.mark.parametrize("written", ["9999", 9999, 18.5, "", "   ", None, math.nan, pd.NA, True])
def test_blank_or_unknown_code_is_not_resolved(ref, written):
    match = ref.resolve_municipality(written)
    assert match.code is None
    assert not match.found


def test_nonsense_name_has_no_closest_match(ref):
    assert ref.resolve_municipality("xyz") == Match(None, None, None)


def test_unknown_region_is_a_parameter_error(ref):
    with pytest.raises(ParameterError, match="okänt län"):
        ref.resolve_municipality("Örebro", region="77")


# -- programmes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "pid"),
    [
        ("abc", "abc"),
        ("ABC – Alla Barn i Centrum", "abc"),
        ("ABC - Alla barn i centrum", "abc"),
        ("alla barn i centrum", "abc"),
        ("ABC Tonår", "abc_tonar"),
        ("abc tonar", "abc_tonar"),
        ("Lilla ABC", "lilla_abc"),
        ("COPE", "cope"),
        ("Community Parent Education", "cope"),
        ("KOMET", "komet"),
        ("Komet 12-18", "komet_tonar"),
        ("Connect", "connect"),
        ("ICDP", "icdp"),
        ("Vagledande samspel", "icdp"),
        ("Triple P", "triple_p"),
        ("triple-p", "triple_p"),
        ("Incredible Years", "incredible_years"),
        ("De otroliga åren", "incredible_years"),
        ("De otroliga åren (Incredible Years)", "incredible_years"),
        ("Föräldrastegen", "foraldrastegen"),
        ("ÖPP", "opp"),
        ("OPP", "opp"),
        ("EFFEKT", "opp"),
        ("ÖPP/EFFEKT", "opp"),
        ("Örebro preventionsprogram", "opp"),
        ("ÄFT", "aft"),
        ("Älskade förbannade tonåring", "aft"),
    ],
)
def test_programme_is_resolved_by_id_name_or_alias(ref, written, pid):
    match = ref.resolve_programme(written)
    assert match.code == pid
    assert match.closest is None


def test_resolved_programme_carries_its_display_name(ref):
    assert ref.resolve_programme("abc") == Match("abc", "ABC – Alla Barn i Centrum", None)


def test_unknown_programme_is_rejected_with_closest_match(ref):
    assert ref.resolve_programme("Tripel P") == Match(None, None, "Triple P")
    assert ref.resolve_programme("Familjeverkstan").code is None
    assert ref.resolve_programme(None) == Match(None, None, None)


# -- catalogue ---------------------------------------------------------------------------

# Target ages and levels of the main programmes, read by hand from programmes.md.
MAIN_PROGRAMMES = {
    "abc": (3, 12, {"universal"}),
    "cope": (3, 12, {"universal", "selective"}),
    "komet": (3, 11, {"selective", "indicated"}),
    "connect": (8, 18, {"universal", "selective"}),
    "icdp": (0, 17, {"universal"}),
    "triple_p": (0, 16, {"universal", "selective", "indicated"}),
    "incredible_years": (3, 8, {"indicated"}),
    "foraldrastegen": (13, 17, {"selective"}),
    "opp": (12, 14, {"universal"}),
    "aft": (13, 17, {"universal"}),
}


def test_catalogue_holds_the_ten_programmes_with_their_ages_and_levels(ref):
    cat = ref.catalogue.set_index("id")
    for pid, (age_min, age_max, levels) in MAIN_PROGRAMMES.items():
        row = cat.loc[pid]
        assert (row["age_min"], row["age_max"], set(row["levels"])) == (
            age_min, age_max, levels), pid


def test_catalogue_values_come_from_the_allowed_sets(ref):
    cat = ref.catalogue
    assert cat["id"].is_unique
    assert cat["evidence_class"].isin(EVIDENCE_CLASSES).all()
    assert all(row and set(row) <= set(LEVELS) for row in cat["levels"])
    assert (cat["age_min"] <= cat["age_max"]).all()
    assert cat["age_min"].between(0, 18).all() and cat["age_max"].between(0, 18).all()
    assert all(isinstance(a, list) for a in cat["aliases"])
    assert cat["evidence_note"].str.len().gt(20).all()
    assert cat["source"].str.len().gt(0).all()


def test_programme_found_harmful_or_ineffective_is_class_d(ref):
    cat = ref.catalogue.set_index("id")
    assert cat.loc["foraldrastegen", "evidence_class"] == "D"
    assert cat.loc["opp", "evidence_class"] == "D"


def _copy_tables(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder, ignore=shutil.ignore_patterns("__*"))
    return folder


def test_edited_catalogue_with_unknown_evidence_class_is_refused(tmp_path):
    folder = _copy_tables(tmp_path)
    path = folder / "programmes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",universal,B,", ",universal,E,", 1),
                    encoding="utf-8")
    with pytest.raises(ParameterError, match=r"programme 'abc': evidence_class 'E'"):
        load_reference(folder)


def test_edited_catalogue_with_an_alias_naming_two_programmes_is_refused(tmp_path):
    folder = _copy_tables(tmp_path)
    path = folder / "programmes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("COPE|", "COPE|Komet|", 1),
                    encoding="utf-8")
    with pytest.raises(ParameterError, match="names both"):
        load_reference(folder)


def test_reference_is_read_once_per_folder(tmp_path):
    assert load_reference() is load_reference()
    folder = _copy_tables(tmp_path)
    own = load_reference(folder)
    assert own is load_reference(str(folder))
    assert own is not load_reference()


def test_reference_tables_ship_inside_the_package():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["sources"]["data/reference"] == "evaluation/reference_data"
    assert "data/reference" in wheel["only-include"]  # the built wheel: test_packaging.py


# -- agreement with the published facts -----------------------------------------------------


@needs_shared
def test_counties_agree_with_the_published_facts(ref):
    facts = {r["county_code"]: (r["county_name"], r["county_name_short"])
             for r in _shared_rows("counties.csv")}
    ours = {r.code: (r.name, r.short_name) for r in ref.counties.itertuples()}
    assert ours == facts


#: Genitives the source data set gets wrong, as the municipalities write their names.
OFFICIAL_NAMES = {"0880": "Kalmar kommun", "2080": "Falu kommun",
                  "2513": "Överkalix kommun", "2514": "Kalix kommun"}
#: Official names that do not follow the genitive rule below.
IRREGULAR_GENITIVES = {"Falun": "Falu", "Kalmar": "Kalmar"}


def official_name(short: str) -> str:
    """"<short>s kommun", but no extra s after a vowel or s, x, z ("Eda kommun",
    "Torsås kommun", "Kalix kommun")."""
    stem = IRREGULAR_GENITIVES.get(short)
    if stem is None:
        stem = short if short[-1].casefold() in "aeiouyåäösxz" else short + "s"
    return f"{stem} kommun"


def test_every_municipality_is_named_by_its_official_genitive(ref):
    wrong = {r.code: (r.name, official_name(r.short_name))
             for r in ref.municipalities.itertuples() if r.name != official_name(r.short_name)}
    assert wrong == {}
    names = ref.municipalities.set_index("code")["name"]
    assert {code: names[code] for code in OFFICIAL_NAMES} == OFFICIAL_NAMES
    assert names["1814"] == "Lekebergs kommun" and names["1730"] == "Eda kommun"


@pytest.mark.parametrize("written", ["Falu kommun", "Faluns kommun", "Falun", "FALU KOMMUN"])
def test_falun_is_found_by_its_official_name_and_as_offices_misspell_it(ref, written):
    assert ref.resolve_municipality(written).code == "2080"


@pytest.mark.parametrize("written,code", [("Kalmars kommun", "0880"), ("Kalix kommun", "2514"),
                                          ("Kalixs kommun", "2514"),
                                          ("Överkalix kommun", "2513")])
def test_corrected_names_and_their_old_misspellings_both_resolve(ref, written, code):
    assert ref.resolve_municipality(written).code == code


@needs_shared
def test_municipalities_agree_with_the_published_facts(ref):
    """Codes, short names and counties as published; full names too, but for the
    source's genitive faults, which the toolkit corrects."""
    facts = {r["municipality_code"]: (OFFICIAL_NAMES.get(r["municipality_code"],
                                                         r["municipality_name"]),
                                      r["municipality_name_short"], r["county_code"])
             for r in _shared_rows("municipalities.csv")}
    ours = {r.code: (r.name, r.short_name, r.county_code)
            for r in ref.municipalities.itertuples()}
    assert ours == facts


@needs_shared
def test_municipality_points_are_the_boundary_files_inner_points(ref):
    geo = json.loads((SHARED / "municipalities.geojson").read_text(encoding="utf-8"))
    points = {f["properties"]["id"]: f["properties"]["geo_point_2d"] for f in geo["features"]}
    ours = ref.municipalities.set_index("code")
    assert set(points) == set(ours.index)
    for code, (lat, lon) in points.items():
        assert ours.loc[code, "lat"] == pytest.approx(lat, abs=5e-5)
        assert ours.loc[code, "lon"] == pytest.approx(lon, abs=5e-5)


@needs_shared
def test_population_agrees_with_the_published_facts(ref):
    facts = {r["municipality_code"]: (int(r["population_total"]), int(r["population_0_15"]))
             for r in _shared_rows("orebro-population-2023.csv")}
    ours = {r.code: (r.population_total, r.population_0_15)
            for r in ref.population.itertuples()}
    assert ours == facts


@needs_shared
def test_own_tables_are_not_copies_of_the_source_files():
    for ours, theirs in [("counties.csv", "counties.csv"),
                         ("municipalities.csv", "municipalities.csv"),
                         ("population.csv", "orebro-population-2023.csv")]:
        assert (REFERENCE_DIR / ours).read_bytes() != (SHARED / theirs).read_bytes()


def test_a_written_name_is_resolved_once_however_often_it_is_written(ref, monkeypatch):
    from evaluation.intake import reference as module

    calls = []
    closest = module._closest
    monkeypatch.setattr(module, "_closest", lambda *a: calls.append(a) or closest(*a))
    first = ref.resolve_programme("Lokalt föräldrastöd 7")
    again = [ref.resolve_programme("Lokalt föräldrastöd 7") for _ in range(50)]
    assert first.code is None and all(m == first for m in again)
    assert len(calls) == 1  # the closest-name search ran for the first one only
    assert ref.resolve_municipality("Lekebergs kommun", region="18").code == "1814"
    assert ref.resolve_municipality("Lekebergs kommun", region="18").code == "1814"
    # a number and the same number as text are different cells
    assert ref.resolve_municipality(1814).code == ref.resolve_municipality("1814").code == "1814"
