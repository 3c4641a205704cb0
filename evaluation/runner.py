"""Running a round end to end: read and validate once, compute once, execute every
report notebook in parallel, publish atomically (DESIGN §6–7)."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from evaluation.arguments import resolve_municipalities
from evaluation.config import Settings, load_settings
from evaluation.downloads import download_links, write_indicator_files
from evaluation.exceptions import InputError, ParameterError, ReportError
from evaluation.execute import (
    NotebookJob,
    NotebookPool,
    choose_reports_per_kernel,
    execute_notebooks,
    notebook_imports,
    pdf_failures,
)
from evaluation.fingerprint import fingerprint, published_fingerprint
from evaluation.methods_page import write_methods_page
from evaluation.model import RoundData
from evaluation.parameters import check_names, notebooks_folder
from evaluation.pdf import pdf_links
from evaluation.publish import (
    RunLock,
    check_output_folder,
    check_replaceable,
    keep_failed,
    publish,
    staging,
    write_manifest,
)
from evaluation.reading import round_files, round_folder
from evaluation.reference import Reference, load_reference
from evaluation.report import status_rows
from evaluation.results import RoundResult, compute_round
from evaluation.runlog import run_log
from evaluation.schema import DEFAULT_REGION, ROUNDS
from evaluation.site import Link, write_round_index
from evaluation.site_pages import round_frame, write_site_pages
from evaluation.text import swedish_sort_key
from evaluation.validation import is_national, validate_round
from evaluation.validation_report import (
    full_report_path,
    write_full_report,
    write_validation_csv,
)

log = logging.getLogger(__name__)

NOTEBOOKS = notebooks_folder()
REGIONAL = "regional.ipynb"
PROFILE = "kommunprofil.ipynb"
RESULT_FILE = "round.pkl"
SYNTHETIC_MARKERS = ("LASMIG.txt", "README.txt")


def notebook(name: str) -> Path:
    path = NOTEBOOKS / name
    if not path.is_file():
        raise ParameterError(f"report notebook {name!r} not found in {NOTEBOOKS.name}/")
    return path


def history(data: str | Path, year: int, region: str = DEFAULT_REGION, strict: bool = False,
            reference: Reference | None = None) -> list[RoundData]:
    """The round and every earlier round found in the data folder, validated."""
    years = [y for y in ROUNDS if y < year and (Path(data) / str(y)).is_dir()]
    earlier = [validate_round(data, y, region, reference=reference) for y in years]
    return [*earlier, validate_round(data, year, region, strict=strict, reference=reference)]


def is_synthetic(data: str | Path, year: int) -> bool:
    """Example data say so in their read-me, and the reports repeat it."""
    folder = Path(data) / str(year)
    for name in SYNTHETIC_MARKERS:
        path = folder / name
        if path.is_file() and "syntetisk" in path.read_text(encoding="utf-8",
                                                             errors="replace").lower():
            return True
    return False


def compute(data: str | Path, year: int, region: str = DEFAULT_REGION, strict: bool = False,
            settings: Settings | None = None,
            reference: Reference | None = None,
            rounds: Sequence[RoundData] | None = None) -> RoundResult:
    """Read, validate and compute a round (with its earlier rounds) once; `rounds`:
    the validated rounds, when `history` has read them already."""
    reference = reference or load_reference()
    settings = settings or load_settings()
    if rounds is None:
        rounds = history(data, year, region, strict, reference)
    result = compute_round(rounds, reference, settings)
    result.extra["synthetic"] = is_synthetic(data, year)
    return result


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


def execute_reports(job_list: Sequence[NotebookJob], stage: Path, out: Path, year: int,
                    jobs: int | None, progress: bool, timings: dict[str, float],
                    private: Sequence[Path], pool: NotebookPool | None = None) -> None:
    """Execute every report of a staged round (on `pool` when one was started for
    them), then delete the `private` files (they hold unsuppressed figures). A
    failed report moves the stage to `.failed/<year>/` and raises `ReportError`
    naming the report and its cell."""
    step = time.perf_counter()
    if pool is not None:
        outcomes = pool.run(job_list)
    else:
        outcomes = execute_notebooks(
            job_list, workers=jobs, progress=progress, cwd=stage,
            reports_per_kernel=choose_reports_per_kernel(len(job_list), jobs))
    timings["reports"] = round(time.perf_counter() - step, 3)
    for part in ("execute", "export"):  # summed over reports, across workers
        timings[f"reports_{part}_sum"] = round(
            sum(o.timings.get(part, 0.0) for o in outcomes), 3)
    timings["kernel_start_retries"] = sum(o.kernel_retries for o in outcomes)
    for path in private:
        path.unlink()
    pdfs = pdf_failures(job_list)  # PDFs are printed beside the next report's run
    outcomes = [replace(o, ok=False, error=pdfs[o.job.name]) if o.ok and o.job.name in pdfs
                else o for o in outcomes]
    failed = [o for o in outcomes if not o.ok]
    if failed:
        for o in failed:
            log.error("report %s failed in cell %s: %s", o.job.name, o.failed_cell, o.error)
        first = failed[0]
        dest = keep_failed(stage, out, year)
        where = Path(first.job.output).relative_to(stage)
        raise ReportError(first.job.name, first.failed_cell,
                          f"{first.error}; the executed notebook is kept as "
                          f"{out.name}/{dest.relative_to(out).as_posix()}/{where}")


def write_county_pages(result: RoundResult, folder: Path, codes: Sequence[str], *,
                       manifest: str = "manifest.json", parent: Link | None = None) -> None:
    """A county's round page and its downloads (indicators, validation report).

    `codes` are the profiles published; `manifest` and `parent` let a county of a
    national round point to the round's shared manifest and page.
    """
    write_indicator_files(result, folder)
    write_validation_csv(result.validation, folder / "validation.csv")
    write_methods_page(folder, result)
    names = result.municipalities.set_index("code")["short_name"]
    own = [c for c in result.municipalities["code"] if c in set(codes)]
    reports = [Link("Regionrapport", "regional.html",
                    f"Länets rapport: status, målområden och datakvalitet {result.year}")]
    reports += pdf_links(folder, [("Regionrapport som PDF", "regional.pdf")])
    reports.append(Link("Metoder och definitioner", "metoder.html",
                        "Hur varje indikator beräknas och bedöms"))
    reports += [Link(str(names[c]), f"kommuner/{c}.html", municipality=True,
                     pdf=f"kommuner/{c}.pdf" if (folder / "kommuner" / f"{c}.pdf").is_file()
                     else "")
                for c in sorted(own, key=lambda c: swedish_sort_key(str(names[c])))]
    frame = round_frame(result, parent=(parent.title, parent.href) if parent else None)
    write_round_index(folder, result.year, result.region_name, reports, status_rows(result),
                      downloads(manifest), parent=parent, frame=frame)


def downloads(manifest: str = "manifest.json") -> list[Link]:
    """The files a round page offers for download."""
    return [
        *(Link(*link) for link in download_links()),
        Link("Valideringsrapport (CSV)", "validation.csv",
             "Varningar och avvisade rader räknade per tabell, fil och orsak"),
        Link("Körningsmanifest (JSON)", manifest,
             "Indata med kontrollsummor, parametrar, versioner och tider"),
    ]


def record_withheld(manifest: Path, summaries: dict[str, dict]) -> None:
    """Add the cells disclosure control withheld, per area and round, to the manifest."""
    import json

    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["cells_withheld"] = {area: {"threshold": s.get("threshold"),
                                     "rounds": s.get("rounds", {})}
                              for area, s in summaries.items()}
    manifest.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")


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
        log.info("round %s, region %s: %d input file(s), fingerprint %s", year, region,
                 len(inputs), print_[:12])
        if not force and published_fingerprint(out / str(year)) == print_:
            log.info("round %s is up to date: nothing changed since it was published", year)
            return RunResult(out / str(year), True, time.perf_counter() - started, log_path)
        path = _build(data, year, out, region, jobs, municipalities, strict, progress, settings,
                      inputs, parameters, print_, started)
        log.info("published round %s in %.1f s", year, time.perf_counter() - started)
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
        log.info("%s: %d row(s) in, %d accepted (%d with a warning), %d rejected",
                 count.table, count.rows_in, count.accepted, count.accepted_with_warning,
                 count.rejected)
    timings["read_validate_compute"] = round(time.perf_counter() - started, 3)
    full = write_full_report(result.validation, full_report_path(out, year))
    log.info("full validation report (not published): %s", full.relative_to(out).as_posix())
    known = result.municipalities["code"].tolist()
    codes = list(municipalities) if municipalities else known
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ParameterError(f"--municipality: {unknown} not municipality code(s) of "
                             f"{result.region_name}; expected some of {', '.join(known)}")
    result.extra["profiles"] = list(codes)
    return result


def _build(data: str | Path, year: int, out: Path, region: str, jobs: int | None,
           municipalities: Sequence[str] | None, strict: bool, progress: bool,
           settings: Settings, inputs: list[Path], parameters: dict, print_: str,
           started: float) -> Path:
    if is_national(region):
        from evaluation.national_run import build_national

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
                            progress, timings, private=[stage / RESULT_FILE], pool=pool)
        timings["total"] = round(time.perf_counter() - started, 3)
        write_manifest(stage / "manifest.json", inputs,
                       {**parameters, "rounds": result.years}, timings, print_, data=data)
        record_withheld(stage / "manifest.json", {result.region: result.extra["disclosure"]})
        write_county_pages(result, stage, codes)
        target = publish(stage, out, year)
    except BaseException:
        if stage.exists():  # a failed report's stage was moved to .failed/ already
            shutil.rmtree(stage, ignore_errors=True)
        raise
    write_site_pages(out, result, settings)
    return target


__all__ = ["RunResult", "compute", "history", "run_round", "InputError"]
