"""Publishing a national round (`run --region all`): every county with data gets its
round page, regional report and municipality profiles under `OUT/<year>/<cc>/`,
and the country its overview, all from one computation and one staging folder.

    OUT/<year>/index.html             the national round: overview, counties, status
    OUT/<year>/nationell.html         the counties side by side on every indicator
    OUT/<year>/<cc>/index.html        a county's round page (as a county run's)
    OUT/<year>/<cc>/regional.html, OUT/<year>/<cc>/kommuner/<code>.html
    OUT/<year>/indicators.csv/.xlsx/.json, dcat.rdf   every level: country, county,
                                      municipality (each county's own in <cc>/)
    OUT/<year>/validation.csv, manifest.json, notebooks/

Every report of the round goes through one call of `execute_notebooks`, so the
workers stay busy from the first report to the last.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from evaluation.analysis.national import NationalResult, compute_national
from evaluation.errors import ParameterError
from evaluation.intake.validation_report import (
    full_report_path,
    write_full_report,
    write_validation_csv,
)
from evaluation.publish.downloads import write_indicator_files
from evaluation.publish.execute import NotebookJob
from evaluation.publish.methods_page import write_methods_page
from evaluation.publish.site import Link, write_national_index
from evaluation.publish.site_pages import national_frame, write_site_pages
from evaluation.publish.staging import publish, staging, write_manifest
from evaluation.publish.steps import (
    downloads,
    execute_reports,
    record_withheld,
    write_county_pages,
)
from evaluation.report.national_report import status_rows
from evaluation.report.parameters import PROFILE, REGIONAL, check_names, notebook
from evaluation.settings import Settings
from evaluation.text import swedish_sort_key

log = logging.getLogger(__name__)

OVERVIEW = "nationell.ipynb"
NATIONAL_RESULT_FILE = "nationell.pkl"
#: Where a county's computed round waits for its reports, inside the staging folder.
COUNTY_RESULT_FILE = "round.pkl"


def _profile_codes(result: NationalResult, municipalities: Sequence[str] | None) -> list[str]:
    """The municipality profiles to make: every municipality of a reported county, or
    the ones asked for (each must lie in a reported county)."""
    known = [c for county in result.counties.values()
             for c in county.municipalities["code"].tolist()]
    if not municipalities:
        return known
    unknown = [c for c in municipalities if c not in known]
    if unknown:
        raise ParameterError(f"--municipality: {', '.join(unknown)} är inte kommunkoder i ett "
                             "län med data i den här omgången")
    return list(dict.fromkeys(municipalities))


def _jobs(result: NationalResult, stage: Path, codes: Sequence[str],
          settings: Settings) -> list[NotebookJob]:
    wanted = set(codes)
    jobs = [NotebookJob(
        name="nationell", notebook=notebook(OVERVIEW),
        output=stage / "notebooks" / OVERVIEW,
        parameters={"result_path": NATIONAL_RESULT_FILE}, html=stage / "nationell.html",
        title=f"Nationell översikt: föräldraskapsstöd i hela landet {result.year}")]
    for cc, county in sorted(result.counties.items()):
        result_path = f"{cc}/{COUNTY_RESULT_FILE}"
        jobs.append(NotebookJob(
            name=f"{cc}/regional", notebook=notebook(REGIONAL),
            output=stage / "notebooks" / cc / "regional.ipynb",
            parameters={"result_path": result_path, "boundary_file": settings.boundary_file},
            html=stage / cc / "regional.html",
            title=f"Regionrapport: föräldraskapsstöd i {county.region_name} {result.year}"))
        names = county.municipalities.set_index("code")["short_name"]
        for code in county.municipalities["code"]:
            if code not in wanted:
                continue
            jobs.append(NotebookJob(
                name=f"{cc}/kommuner/{code}", notebook=notebook(PROFILE),
                output=stage / "notebooks" / cc / f"kommunprofil-{code}.ipynb",
                parameters={"result_path": result_path, "municipality": code},
                html=stage / cc / "kommuner" / f"{code}.html",
                title=f"Kommunprofil: {names[code]} {result.year}"))
    checked: set[Path] = set()
    for job in jobs:  # one check per notebook: papermill only warns on unknown names
        if job.notebook not in checked:
            check_names(job.notebook, job.parameters)
            checked.add(job.notebook)
    return jobs


def _write_round_files(result: NationalResult, stage: Path, inputs: list[Path],
                       parameters: dict, timings: dict[str, float], codes: Sequence[str],
                       print_: str | None) -> None:
    write_indicator_files(result, stage)  # type: ignore[arg-type]  # has .indicators
    write_validation_csv(result.validation, stage / "validation.csv")
    write_manifest(stage / "manifest.json", inputs, parameters, timings, print_)
    record_withheld(stage / "manifest.json",
                    {"00": result.country.extra.get("disclosure", {}),
                     **{cc: c.extra.get("disclosure", {}) for cc, c in result.counties.items()}})
    for cc, county in result.counties.items():
        write_county_pages(county, stage / cc, codes, manifest="../manifest.json",
                           parent=Link(f"Uppföljning {county.year} i hela landet",
                                       "../index.html"))
    frame = result.county_table
    counties = []
    for row in sorted(frame.loc[frame["reported"]].to_dict("records"),
                      key=lambda r: swedish_sort_key(r["name"])):
        many = "kommun" if row["municipalities"] == 1 else "kommuner"
        counties.append(Link(row["name"], f"{row['code']}/index.html",
                             f"{row['answered']} av {row['municipalities']} {many} svarade",
                             report=f"{row['code']}/regional.html"))
    without = sorted(frame.loc[~frame["reported"], "name"], key=swedish_sort_key)
    reports = [Link("Nationell översikt", "nationell.html",
                    f"Länen sida vid sida på varje indikator, med rikets värde {result.year}")]
    write_methods_page(stage, result.country)
    reports.append(Link("Metoder och definitioner", "metoder.html",
                        "Hur varje indikator beräknas och bedöms"))
    write_national_index(stage, result.year, reports, counties, status_rows(result),
                         downloads(programmes=False), without_report=without,
                         frame=national_frame(result.country))


def build_national(data: str | Path, year: int, out: Path, jobs: int | None,
                   municipalities: Sequence[str] | None, strict: bool, progress: bool,
                   settings: Settings, inputs: list[Path], parameters: dict, print_: str,
                   started: float) -> Path:
    """Compute the national round, execute every report, publish `out/<year>/`.

    As a county's run: nothing is published unless every report succeeds, and a
    failing report's staging folder is kept under `out/.failed/<year>/`.
    """
    timings: dict[str, float] = {}
    result = compute_national(data, year, strict, settings)
    for count in result.validation.counts.values():
        log.info("%s: %d rad(er) inlästa, %d godkända (%d med varning), %d avvisade",
                 count.table, count.rows_in, count.accepted, count.accepted_with_warning,
                 count.rejected)
    log.info("län med data: %s", ", ".join(sorted(result.counties)) or "inga")
    timings["read_validate_compute"] = round(time.perf_counter() - started, 3)
    full = write_full_report(result.validation, full_report_path(out, year))
    log.info("hela valideringsrapporten (publiceras inte): %s",
             full.relative_to(out).as_posix())
    codes = _profile_codes(result, municipalities)

    stage = staging(out, year)
    try:
        pickles = [result.save(stage / NATIONAL_RESULT_FILE)]
        for county in result.counties.values():  # its pages lie one folder deeper
            county.extra.update(site_root="../../", profiles=[
                c for c in county.municipalities["code"] if c in set(codes)])
        pickles += [county.save(stage / cc / COUNTY_RESULT_FILE)
                    for cc, county in result.counties.items()]
        execute_reports(_jobs(result, stage, codes, settings), stage, out, year, jobs,
                        progress, timings, private=pickles)
        timings["total"] = round(time.perf_counter() - started, 3)
        _write_round_files(result, stage, inputs,
                           {**parameters, "rounds": result.years,
                            "counties": sorted(result.counties)},
                           timings, codes, print_)
        target = publish(stage, out, year)
    except BaseException:
        if stage.exists():  # a failed report's stage was moved to .failed/ already
            shutil.rmtree(stage, ignore_errors=True)
        raise
    write_site_pages(out, result.country, settings, region_name="hela landet")
    return target
