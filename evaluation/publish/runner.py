"""Running a round end to end: read and validate once, compute once, execute every
report notebook in parallel, publish atomically (DESIGN §6–7)."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evaluation.analysis.results import RoundResult
from evaluation.analysis.rounds import compute, history
from evaluation.errors import InputError, ParameterError
from evaluation.intake.arguments import resolve_municipalities
from evaluation.intake.model import RoundData
from evaluation.intake.reading import round_files, round_folder
from evaluation.intake.reference import Reference, load_reference
from evaluation.intake.validation_report import (
    full_report_path,
    write_full_report,
)
from evaluation.publish.execute import (
    NotebookJob,
    NotebookPool,
    choose_reports_per_kernel,
    notebook_imports,
)
from evaluation.publish.fingerprint import fingerprint, published_fingerprint
from evaluation.publish.runlog import run_log
from evaluation.publish.site_pages import write_site_pages
from evaluation.publish.staging import (
    RunLock,
    check_output_folder,
    check_replaceable,
    publish,
    staging,
    write_manifest,
)
from evaluation.publish.steps import (
    execute_reports,
    record_withheld,
    write_county_files,
    write_county_pages,
)
from evaluation.report.parameters import (
    PROFILE,
    REGIONAL,
    check_names,
    notebook,
)
from evaluation.settings import Settings, load_settings
from evaluation.vocab import DEFAULT_REGION, ROUNDS, is_national

log = logging.getLogger(__name__)

RESULT_FILE = "round.pkl"


def _jobs(result: RoundResult, stage: Path, codes: Sequence[str],
          settings: Settings) -> list[NotebookJob]:
    names = result.municipalities.set_index("code")["short_name"]
    regional_params = {"result_path": RESULT_FILE, "boundary_file": settings.boundary_file}
    jobs = [NotebookJob(
        name="regional", notebook=notebook(REGIONAL),
        output=stage / "notebooks" / "regional.ipynb", parameters=regional_params,
        html=stage / "regional.html", pdf=stage / "regional.pdf",
        title=f"Regionrapport: föräldraskapsstöd i {result.region_name} {result.year}")]
    for code in codes:
        jobs.append(NotebookJob(
            name=f"kommuner/{code}", notebook=notebook(PROFILE),
            output=stage / "notebooks" / f"kommunprofil-{code}.ipynb",
            parameters={"result_path": RESULT_FILE, "municipality": code},
            html=stage / "kommuner" / f"{code}.html", pdf=stage / "kommuner" / f"{code}.pdf",
            title=f"Kommunprofil: {names[code]} {result.year}"))
    for job in jobs[:2]:
        check_names(job.notebook, job.parameters)
    return jobs


@dataclass(frozen=True)
class RunResult:
    """What a run did: where the round is, and whether it was already up to date."""

    path: Path
    up_to_date: bool
    seconds: float
    log: Path


def run_parameters(year: int, region: str, municipalities: Sequence[str] | None,
                   strict: bool, settings: Settings) -> dict:
    """Everything besides inputs and code that shapes what a run publishes."""
    return {"round": year, "region": region,
            "municipalities": sorted(municipalities) if municipalities else "all",
            "strict": strict, "evidence_based_classes": list(settings.evidence_based_classes),
            "suppression_threshold": settings.suppression_threshold,
            "confidence_level": settings.confidence_level,
            "boundary_file": settings.boundary_file}


def round_inputs(data: str | Path, year: int) -> list[Path]:
    """The input files of the round and of every earlier round it is compared with."""
    round_folder(data, year)
    years = [y for y in ROUNDS if y <= year and (Path(data) / str(y)).is_dir()]
    return [f for y in years for f in round_files(Path(data) / str(y))]


def run_round(data: str | Path, year: int, out: str | Path = "reports",
              region: str = DEFAULT_REGION, jobs: int | None = None,
              municipalities: Sequence[str] | None = None, strict: bool = False,
              progress: bool = True, settings: Settings | None = None,
              force: bool = False) -> RunResult:
    """Publish round `year` from `data` into `out/<year>/` (`municipalities`: the
    profiles to make, by code or name; all by default).

    Nothing is published unless every report succeeds: a failing report raises
    `ReportError` naming the report and cell, its notebook is kept under
    `out/.failed/<year>/`, and the previously published round is untouched.
    A round whose inputs, parameters and code are those of the published one is
    left as it is ("up to date") unless `force` is given.
    """
    started = time.perf_counter()
    out = Path(out)
    check_output_folder(out, data)  # the input is never touched, whatever --out says
    check_replaceable(out / str(year))
    settings = settings or load_settings()
    # codes or names, checked before the lock and the log are taken
    municipalities = resolve_municipalities(municipalities, region)
    with RunLock(out), run_log(out, year) as log_path:
        parameters = run_parameters(year, region, municipalities, strict, settings)
        inputs = round_inputs(data, year)
        print_ = fingerprint(inputs, parameters)
        log.info("omgång %s, län %s: %d indatafil(er), fingeravtryck %s", year, region,
                 len(inputs), print_[:12])
        if not force and published_fingerprint(out / str(year)) == print_:
            log.info("omgång %s är redan aktuell: inget har ändrats sedan den publicerades",
                     year)
            return RunResult(out / str(year), True, time.perf_counter() - started, log_path)
        path = _build(data, year, out, region, jobs, municipalities, strict, progress, settings,
                      inputs, parameters, print_, started)
        log.info("omgång %s publicerad på %.1f s", year, time.perf_counter() - started)
        return RunResult(path, False, time.perf_counter() - started, log_path)


def report_imports() -> list[str]:
    """The modules the report notebooks import, for their kernels to load at start."""
    return list(dict.fromkeys(m for name in (REGIONAL, PROFILE)
                              for m in notebook_imports(notebook(name))))


def _compute_staged(data: str | Path, year: int, region: str, strict: bool,
                    settings: Settings, reference: Reference, rounds: Sequence[RoundData],
                    out: Path, municipalities: Sequence[str] | None, started: float,
                    timings: dict[str, float]) -> RoundResult:
    """The computed county round, its full validation report written outside the
    round, and the profiles to make checked (`result.extra["profiles"]`)."""
    result = compute(data, year, region, strict, settings, reference, rounds)
    for count in result.validation.counts.values():
        log.info("%s: %d rad(er) inlästa, %d godkända (%d med varning), %d avvisade",
                 count.table, count.rows_in, count.accepted, count.accepted_with_warning,
                 count.rejected)
    timings["read_validate_compute"] = round(time.perf_counter() - started, 3)
    full = write_full_report(result.validation, full_report_path(out, year))
    log.info("hela valideringsrapporten (publiceras inte): %s",
             full.relative_to(out).as_posix())
    known = result.municipalities["code"].tolist()
    codes = list(municipalities) if municipalities else known
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ParameterError(f"--municipality: {', '.join(unknown)} är inte kommunkoder i "
                             f"{result.region_name}; förväntat: några av {', '.join(known)}")

    result.extra["profiles"] = list(codes)
    return result


def _build(data: str | Path, year: int, out: Path, region: str, jobs: int | None,
           municipalities: Sequence[str] | None, strict: bool, progress: bool,
           settings: Settings, inputs: list[Path], parameters: dict, print_: str,
           started: float) -> Path:
    if is_national(region):
        from evaluation.publish.national_run import build_national  # its charts: not for a county

        return build_national(data, year, out, jobs, municipalities, strict, progress,
                              settings, inputs, parameters, print_, started)
    timings: dict[str, float] = {}
    reference = load_reference()
    rounds = history(data, year, region, strict, reference)  # invalid input stops here
    expected = 1 + len(municipalities or reference.county_municipalities(region))
    stage = staging(out, year)
    try:
        # The workers load their libraries and boot their first kernels (which import
        # what the report notebooks import) while this process computes the round.
        with NotebookPool(expected, jobs, progress, cwd=stage,
                          reports_per_kernel=choose_reports_per_kernel(expected, jobs),
                          preload=report_imports()) as pool:
            result = _compute_staged(data, year, region, strict, settings, reference, rounds,
                                     out, municipalities, started, timings)
            codes = result.extra["profiles"]
            result.save(stage / RESULT_FILE)
            execute_reports(_jobs(result, stage, codes, settings), stage, out, year, jobs,
                            progress, timings, private=[stage / RESULT_FILE], pool=pool,
                            beside=lambda: write_county_files(result, stage))
        timings["total"] = round(time.perf_counter() - started, 3)
        write_manifest(stage / "manifest.json", inputs,
                       {**parameters, "rounds": result.years}, timings, print_, data=data)
        record_withheld(stage / "manifest.json", {result.region: result.extra["disclosure"]})
        write_county_pages(result, stage, codes, files=False)
        target = publish(stage, out, year)
    except BaseException:
        if stage.exists():  # a failed report's stage was moved to .failed/ already
            shutil.rmtree(stage, ignore_errors=True)
        raise
    write_site_pages(out, result, settings)
    return target


__all__ = ["RunResult", "compute", "history", "run_round", "InputError"]
