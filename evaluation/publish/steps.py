"""The steps a county run and a national run share: executing the staged reports, a
county's round page with its downloads, and the manifest's record of withheld cells."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from evaluation.analysis.results import RoundResult
from evaluation.errors import ReportError
from evaluation.intake.validation_report import write_validation_csv
from evaluation.publish.downloads import (
    PROGRAMME_NAME,
    download_links,
    write_indicator_files,
    write_programme_csv,
)
from evaluation.publish.execute import (
    NotebookJob,
    NotebookPool,
    choose_reports_per_kernel,
    execute_notebooks,
    pdf_failures,
)
from evaluation.publish.methods_page import write_methods_page
from evaluation.publish.pdf import pdf_links
from evaluation.publish.site import Link, write_round_index
from evaluation.publish.site_pages import round_frame
from evaluation.publish.staging import keep_failed
from evaluation.report.sections import status_rows
from evaluation.text import swedish_sort_key

log = logging.getLogger(__name__)


def execute_reports(job_list: Sequence[NotebookJob], stage: Path, out: Path, year: int,
                    jobs: int | None, progress: bool, timings: dict[str, float],
                    private: Sequence[Path], pool: NotebookPool | None = None,
                    beside: Callable[[], object] | None = None) -> None:
    """Execute every report of a staged round (on `pool` when one was started for
    them), then delete the `private` files (they hold unsuppressed figures). A
    failed report moves the stage to `.failed/<year>/` and raises `ReportError`
    naming the report and its cell.

    `beside` runs in a thread of this process while the workers run the reports
    (this process only waits for them then); it has ended, and its error is
    raised, before anything else happens to the stage."""
    from concurrent.futures import ThreadPoolExecutor

    step = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="beside") as side:
        written = side.submit(beside) if beside is not None else None
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
    pdfs = pdf_failures(job_list)  # the PDFs were printed by free workers
    outcomes = [replace(o, ok=False, error=pdfs[o.job.name]) if o.ok and o.job.name in pdfs
                else o for o in outcomes]
    failed = [o for o in outcomes if not o.ok]
    if failed:
        for o in failed:
            log.error("rapporten %s misslyckades i cell %s: %s", o.job.name, o.failed_cell,
                      o.error)
        first = failed[0]
        dest = keep_failed(stage, out, year)
        where = Path(first.job.output).relative_to(stage)
        raise ReportError(first.job.name, first.failed_cell,
                          f"{first.error}; den körda anteckningsboken finns kvar som "
                          f"{out.name}/{dest.relative_to(out).as_posix()}/{where}",
                          error_name=first.error_name)
    if written is not None:
        written.result()


def write_county_files(result: RoundResult, folder: Path) -> None:
    """A county's downloads, validation report and methods page: what its round page
    links besides the reports (written while the reports run)."""
    write_indicator_files(result, folder)
    write_programme_csv(result, Path(folder) / PROGRAMME_NAME)
    write_validation_csv(result.validation, folder / "validation.csv")
    write_methods_page(folder, result)


def write_county_pages(result: RoundResult, folder: Path, codes: Sequence[str], *,
                       manifest: str = "manifest.json", parent: Link | None = None,
                       files: bool = True) -> None:
    """A county's round page and (unless `files` is False: written already by
    `write_county_files`) its downloads, validation report and methods page.

    `codes` are the profiles published; `manifest` and `parent` let a county of a
    national round point to the round's shared manifest and page.
    """
    if files:
        write_county_files(result, folder)
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


def downloads(manifest: str = "manifest.json", programmes: bool = True) -> list[Link]:
    """The files a round page offers for download (`programmes`: a county's, with its
    programme table)."""
    return [
        *(Link(*link) for link in download_links(programmes)),
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
