"""The national round (`--region all`): every county at once, and the country.

A national round is read and validated once, then cut by county; each county
with data is computed exactly as if it had been run alone. The country
("Riket", area code "00") is computed over all municipalities that answered
exactly as a county is over its own, by treating Sweden as one county of every
municipality (DESIGN §6 allows the level "country").
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evaluation.analysis.results import RoundResult, Stored, protected_round, reference_facts
from evaluation.analysis.rounds import is_synthetic
from evaluation.analysis.status import assign_status, changes, trends
from evaluation.analysis.uptake import uptake
from evaluation.errors import ParameterError
from evaluation.indicators.context import COUNTY, MUNICIPALITY
from evaluation.indicators.table import TIDY_COLUMNS, indicator_table
from evaluation.intake.model import Finding, RoundData, TableCount, ValidationReport
from evaluation.intake.reference import Reference, load_reference
from evaluation.intake.schema import TABLES
from evaluation.intake.validation import Origins, validate_round_with_origins
from evaluation.settings import Settings, load_settings
from evaluation.vocab import ALL_REGIONS, ROUNDS

COUNTRY = "country"
COUNTRY_CODE = "00"
COUNTRY_NAME = "Riket"
#: Order of the levels in the published table: the country first.
LEVEL_ORDER = {COUNTRY: 0, COUNTY: 1, MUNICIPALITY: 2}


@functools.lru_cache(maxsize=4)
def country_reference(reference: Reference) -> Reference:
    """The reference with Sweden as one county ("00", Riket) holding every municipality,
    so that the county computation gives the country's values unchanged."""
    counties = pd.DataFrame({"code": [COUNTRY_CODE], "name": [COUNTRY_NAME],
                             "short_name": [COUNTRY_NAME]}, dtype="str")
    municipalities = reference.municipalities.assign(county_code=COUNTRY_CODE)
    return Reference(counties, municipalities, reference.catalogue, reference.population)


# ------------------------------------------------------------------ splitting by county


def _file_counties(origins: Origins, county_of: Mapping[str, str]) -> dict[str, set[str]]:
    """The counties whose rows each file holds."""
    files: dict[str, set[str]] = defaultdict(set)
    for row in origins.rows:
        if row.municipality in county_of:
            files[row.file].add(county_of[row.municipality])
    return files


def finding_county(finding: Finding, rows: Mapping[tuple[str, str, int], str | None],
                   files: Mapping[str, set[str]], county_of: Mapping[str, str]) -> str | None:
    """The county a finding is about: its row's municipality's, or for a note on a
    whole file, the one county whose rows the file holds; None when neither tells."""
    if finding.row is not None and (finding.file, finding.sheet, finding.row) in rows:
        code = rows[(finding.file, finding.sheet, finding.row)]
        return county_of.get(code) if code else None
    counties = files.get(finding.file, set())
    return next(iter(counties)) if len(counties) == 1 else None


def _county_report(report: ValidationReport, origins: Origins, county: str,
                   county_of: Mapping[str, str]) -> ValidationReport:
    rows = {(r.file, r.sheet, r.row): r.municipality for r in origins.rows}
    files = _file_counties(origins, county_of)
    mine = [r for r in origins.rows if county_of.get(r.municipality or "") == county]
    counts = {}
    for table_id in TABLES:
        own = [r for r in mine if r.table == table_id]
        rejected = sum(r.outcome == "rejected" for r in own)
        blank = sum(n for (t, file, _sheet), n in origins.blank_rows.items()
                    if t == table_id and files.get(file) == {county})
        counts[table_id] = TableCount(table_id, rows_in=len(own), accepted=len(own) - rejected,
                                      accepted_with_warning=sum(r.outcome == "warning"
                                                                for r in own),
                                      rejected=rejected, blank_rows_skipped=blank)
    findings = [f for f in report.findings
                if finding_county(f, rows, files, county_of) == county]
    used = {r.file for r in mine}
    return ValidationReport(year=report.year, region=county, findings=findings, counts=counts,
                            files=[f for f in report.files if f in used])


def has_data(round_: RoundData) -> bool:
    """A county is reported when a municipality answered or the region listed a unit."""
    return bool(len(round_.tables["kommun"]) or len(round_.tables["vardenheter"]))


def split_round(round_: RoundData, origins: Origins,
                reference: Reference) -> dict[str, RoundData]:
    """The national round cut into one round per county that has data."""
    munis = reference.municipalities
    county_of = dict(zip(munis["code"], munis["county_code"], strict=True))
    parts = {}
    for county in reference.counties["code"]:
        codes = set(munis.loc[munis["county_code"] == county, "code"])
        tables = {name: frame.loc[frame["municipality"].isin(codes)].reset_index(drop=True)
                  for name, frame in round_.tables.items()}
        part = RoundData(round_.year, str(county), tables,
                         _county_report(round_.report, origins, str(county), county_of))
        if has_data(part):
            parts[str(county)] = part
    return parts


def unassigned_findings(round_: RoundData, origins: Origins,
                        reference: Reference) -> list[Finding]:
    """Findings that belong to no county (a national total, an unknown municipality)."""
    munis = reference.municipalities
    county_of = dict(zip(munis["code"], munis["county_code"], strict=True))
    rows = {(r.file, r.sheet, r.row): r.municipality for r in origins.rows}
    files = _file_counties(origins, county_of)
    return [f for f in round_.report.findings
            if finding_county(f, rows, files, county_of) is None]


# ------------------------------------------------------------------ the country


def _as_country(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(level=frame["level"].replace({COUNTY: COUNTRY}))


def compute_country(rounds: Iterable[RoundData], reference: Reference, settings: Settings,
                    counties: Mapping[str, RoundResult],
                    links: Mapping[str, Mapping[int, tuple]] | None = None) -> RoundResult:
    """The country's indicators, changes, trends and uptake over the national rounds.

    The country's totals are linked to the counties' published tables: each is
    the sum of the counties' totals, protected and audited with them
    (`evaluation.analysis.country_disclosure`)."""
    from evaluation.analysis.country_disclosure import protect_country

    ordered = sorted(rounds, key=lambda r: r.year)
    whole = country_reference(reference)
    as_one = [RoundData(r.year, COUNTRY_CODE, r.tables, r.report) for r in ordered]
    level = settings.confidence_level
    internal = pd.concat([indicator_table(r, whole, settings) for r in as_one],
                         ignore_index=True)
    raw_uptake = uptake(as_one, whole, settings)
    country_rows = internal.loc[internal["level"] == COUNTY]
    protected = protect_country(country_rows, raw_uptake, counties, links or {}, settings)
    country = protected.indicators
    municipal = pd.concat([c.indicators.loc[c.indicators["level"] == MUNICIPALITY]
                           for c in counties.values()], ignore_index=True) \
        if counties else internal.iloc[0:0]
    # judged with every municipality: the fixed population of the census shares
    # one index over both, or the statuses of one would land on rows of the other
    judged = assign_status(pd.concat([country, municipal], ignore_index=True), level)
    country = judged.loc[judged["level"] == COUNTY]
    change = changes(pd.concat([country, municipal], ignore_index=True), level)
    change = change.loc[change["level"] == COUNTY].reset_index(drop=True)
    current = ordered[-1]
    municipalities = whole.county_municipalities(COUNTRY_CODE)
    return RoundResult(
        year=current.year, region=COUNTRY_CODE, region_name=COUNTRY_NAME,
        municipalities=municipalities,
        years=[r.year for r in ordered], rounds=protected.rounds,
        indicators=_as_country(country[TIDY_COLUMNS]).reset_index(drop=True),
        changes=_as_country(change), trends=_as_country(trends(country, level)),
        uptake=protected.uptake, validation=current.report, settings=settings,
        extra={"disclosure": protected.summary}, **reference_facts(whole, municipalities),
    )


# ------------------------------------------------------------------ the national result


@dataclass
class NationalResult(Stored):
    """A national round: the country, every county with data, and the tidy table of
    all levels, already disclosure-controlled."""

    kind = "national result"

    year: int
    years: list[int]
    country: RoundResult
    #: Counties with data this round, by code, each as if it had run alone.
    counties: dict[str, RoundResult]
    #: Every county of Sweden: code, name, short_name, municipalities, answered, reported.
    county_table: pd.DataFrame
    #: Country, county and municipality rows of every round so far (DESIGN §6).
    indicators: pd.DataFrame
    #: The national validation report of this round (every file, every finding).
    validation: ValidationReport
    #: Findings of this round that belong to no county.
    unassigned: list[Finding]
    settings: Settings
    extra: dict = field(default_factory=dict)

    @property
    def region_name(self) -> str:
        return COUNTRY_NAME

    def table(self, year: int | None = None) -> pd.DataFrame:
        """The published rows of one round (this round by default), every level."""
        year = self.year if year is None else year
        return self.indicators.loc[self.indicators["round"] == year].reset_index(drop=True)


def national_table(country: RoundResult, counties: Mapping[str, RoundResult]) -> pd.DataFrame:
    """Country, then each county (by code) with its municipalities, round by round."""
    parts = [country.indicators, *(counties[c].indicators for c in sorted(counties))]
    table = pd.concat(parts, ignore_index=True)[TIDY_COLUMNS]
    order = table["level"].map(LEVEL_ORDER)
    position = pd.Series(range(len(table)), index=table.index)
    keyed = table.assign(_round=table["round"], _order=order, _pos=position)
    keyed = keyed.sort_values(["_round", "_order", "_pos"], kind="stable")
    return keyed[TIDY_COLUMNS].reset_index(drop=True)


def _county_table(reference: Reference, national: RoundData,
                  counties: Mapping[str, RoundResult]) -> pd.DataFrame:
    munis = reference.municipalities
    answered = set(national.answered)
    rows = []
    for county in reference.counties.to_dict("records"):
        codes = munis.loc[munis["county_code"] == county["code"], "code"]
        rows.append({"code": county["code"], "name": county["name"],
                     "short_name": county["short_name"], "municipalities": len(codes),
                     "answered": int(codes.isin(answered).sum()),
                     "reported": county["code"] in counties})
    return pd.DataFrame(rows)


def earlier_rounds(data: str | Path, year: int) -> list[int]:
    return [y for y in ROUNDS if y < year and (Path(data) / str(y)).is_dir()]


def compute_national(data: str | Path, year: int, strict: bool = False,
                     settings: Settings | None = None,
                     reference: Reference | None = None) -> NationalResult:
    """Read and validate every round once, split it by county, compute each county
    with data and the country."""

    reference = reference or load_reference()
    settings = settings or load_settings()
    national: dict[int, RoundData] = {}
    per_county: dict[str, list[RoundData]] = defaultdict(list)
    unassigned: list[Finding] = []
    for y in [*earlier_rounds(data, year), year]:
        round_, origins = validate_round_with_origins(
            data, y, ALL_REGIONS, strict=strict and y == year, reference=reference)
        national[y] = round_
        for code, part in split_round(round_, origins, reference).items():
            per_county[code].append(part)
        if y == year:
            unassigned = unassigned_findings(round_, origins, reference)
    synthetic = is_synthetic(data, year)
    counties: dict[str, RoundResult] = {}
    links: dict[str, dict] = {}
    for code, parts in sorted(per_county.items()):
        if parts[-1].year != year:
            continue  # data in earlier rounds only: nothing to report this round
        counties[code], links[code] = protected_round(parts, reference, settings)
        counties[code].extra["synthetic"] = synthetic
    country = compute_country(national.values(), reference, settings, counties, links)
    country.extra["synthetic"] = synthetic
    return NationalResult(
        year=year, years=sorted(national), country=country, counties=counties,
        county_table=_county_table(reference, national[year], counties),
        indicators=national_table(country, counties), validation=national[year].report,
        unassigned=unassigned, settings=settings, extra={"synthetic": synthetic},
    )


def load_for_overview(result_path: str | Path = "", *, data_dir: str | Path = "",
                      year: int | None = None) -> NationalResult:
    """The national result the overview shows: the one a run hands over, or, opened by
    hand with `result_path` empty, computed from `data_dir` and `year`."""
    if str(result_path):
        path = Path(result_path)
        if not path.is_file():
            raise ParameterError(
                f"result_path: no computed national round at {path.name!r}; leave it empty "
                "to compute the round from data_dir and year"
            )
        return NationalResult.load(path)
    if not str(data_dir) or year is None:
        raise ParameterError("give result_path, or data_dir and year to compute the round")
    return compute_national(data_dir, int(year))
