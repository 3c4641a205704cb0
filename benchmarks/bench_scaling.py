"""Cost per report as a round grows: the regional report plus 12, 50 and 290 profiles.

Every size runs in a process of its own, timed with the memory sampler of
bench_round.py: wall seconds, CPU seconds of the whole process tree (workers
and kernels included, so a busy shared machine shows less in it than in wall
time) and peak summed resident memory. The profiles are the example round's
municipality profiles repeated under different output names, so the work per
report stays the same and a rise in the cost per report is a scaling
regression.

`--national` times a whole national round instead, as a scheduled job runs
it: synthetic data for every county (`python -m evaluation example --region
all`), then `python -m evaluation run --region all` (21 county reports, 290
profiles and the national overview), with the run's own timings from its
manifest. Where the toolkit cannot make national data, it runs the same number
of notebooks from the example round: 22 county-sized reports and 290 profiles.

`--programme-rows N` times a whole county round that is large in another way:
the example rounds with N extra programme rows (`evaluation.tools.large`), published
with `python -m evaluation run` (PDFs included), and prints the largest page,
PDF and executed notebook besides the times.

    python benchmarks/bench_scaling.py [--sizes 12 50 290] [--reports-per-kernel auto 1]
    python benchmarks/bench_scaling.py --national
    python benchmarks/bench_scaling.py --programme-rows 2000 20000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_round import ROOT, cpu_of_children, timed

NOTEBOOKS = ROOT / "notebooks"


def child(work: Path, regional: int, profiles: int, per_kernel: str, jobs: int | None) -> int:
    """One measured run: build the jobs and execute them as `python -m evaluation run` does."""
    from evaluation.analysis.results import RoundResult
    from evaluation.publish.execute import NotebookJob, choose_reports_per_kernel, execute_notebooks

    result = RoundResult.load(work / "round.pkl")
    codes = result.municipalities["code"].tolist()
    stage = work / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    job_list = [NotebookJob(
        name=f"regional-{i}", notebook=NOTEBOOKS / "regional.ipynb",
        output=stage / "notebooks" / f"regional-{i}.ipynb",
        parameters={"result_path": "../round.pkl"}, html=stage / f"regional-{i}.html",
        title=f"Regionrapport {i}") for i in range(regional)]
    for i in range(profiles):
        code = codes[i % len(codes)]
        job_list.append(NotebookJob(
            name=f"kommuner/{i:03d}-{code}", notebook=NOTEBOOKS / "kommunprofil.ipynb",
            output=stage / "notebooks" / f"kommunprofil-{i:03d}-{code}.ipynb",
            parameters={"result_path": "../round.pkl", "municipality": code},
            html=stage / "kommuner" / f"{i:03d}-{code}.html", title=f"Kommunprofil {code}"))
    n = choose_reports_per_kernel(len(job_list)) if per_kernel == "auto" else int(per_kernel)
    stage.mkdir(parents=True)
    started = time.perf_counter()
    outcomes = execute_notebooks(job_list, workers=jobs, progress=False, cwd=stage,
                                 reports_per_kernel=n)
    summary = {
        "seconds": time.perf_counter() - started,
        "reports_per_kernel": n,
        "failed": [f"{o.job.name}: {o.error}" for o in outcomes if not o.ok],
        "timings": {part: sum(o.timings.get(part, 0.0) for o in outcomes)
                    for part in ("kernel", "execute", "export")},
    }
    (work / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return 0


def national(work: Path, year: int) -> bool:
    """Time a real national round; False when the toolkit cannot make national data."""
    import subprocess

    data, out = work / "national", work / "out"
    made = subprocess.run([sys.executable, "-m", "evaluation", "example", "--out", str(data),
                           "--region", "all"], cwd=ROOT, capture_output=True, text=True)
    if made.returncode != 0:
        print("no national example data (python -m evaluation example --region all): "
              "timing the same number of notebooks from the example round", file=sys.stderr)
        return False
    print(f"national round {year} …", file=sys.stderr)
    cpu = cpu_of_children()
    seconds, peak = timed([sys.executable, "-m", "evaluation", "run", "--data", str(data),
                           "--round", str(year), "--region", "all", "--out", str(out),
                           "--quiet"], ROOT)
    cpu = cpu_of_children() - cpu
    reports = len(list((out / str(year)).rglob("*.html"))) - len(
        list((out / str(year)).rglob("index.html")))
    manifest = json.loads((out / str(year) / "manifest.json").read_text(encoding="utf-8"))
    print(f"national round {year}: python -m evaluation run --region all, "
          f"{os.cpu_count()} cores")
    print(f"{'reports':>8}{'wall s':>9}{'s/report':>10}{'CPU s':>9}{'CPU s/report':>13}"
          f"{'peak MB':>9}")
    print(f"{reports:>8}{seconds:>9.1f}{seconds / reports:>10.2f}{cpu:>9.1f}"
          f"{cpu / reports:>13.2f}{peak / 2**20:>9.0f}")
    print("where the time goes (seconds, from the run's manifest):")
    for key, value in manifest.get("timings", {}).items():
        print(f"  {key:28}{value:>8}")
    return True


def large_rounds(work: Path, year: int, sizes: list[int]) -> None:
    """Time `run` on the example rounds with each number of extra programme rows."""
    from evaluation.tools.large import write_large_round

    rows = []
    for size in sizes:
        data, out = work / f"data-{size}", work / f"out-{size}"
        write_large_round(data, size, year=year)
        print(f"round {year} with {size} extra programme rows …", file=sys.stderr)
        cpu = cpu_of_children()
        seconds, peak = timed([sys.executable, "-m", "evaluation", "run", "--data", str(data),
                               "--round", str(year), "--out", str(out), "--quiet"], ROOT)
        cpu = cpu_of_children() - cpu
        published = out / str(year)
        if not (published / "manifest.json").is_file():
            raise SystemExit(f"the round with {size} extra rows was not published")
        largest = {kind: max((f.stat().st_size for f in published.rglob(f"*.{kind}")),
                             default=0) / 2**20 for kind in ("html", "pdf", "ipynb")}
        manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
        rows.append((size, seconds, cpu, peak, largest, manifest.get("timings", {})))
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    print(f"round {year} of the example data with extra programme rows, "
          f"python -m evaluation run (13 reports and their PDFs), {os.cpu_count()} cores")
    print(f"{'rows':>7}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}{'largest page MB':>17}"
          f"{'PDF MB':>8}{'notebook MB':>13}{'compute s':>11}{'reports s':>11}")
    for size, seconds, cpu, peak, largest, timings in rows:
        print(f"{size:>7}{seconds:>9.1f}{cpu:>9.1f}{peak / 2**20:>9.0f}{largest['html']:>17.2f}"
              f"{largest['pdf']:>8.2f}{largest['ipynb']:>13.2f}"
              f"{timings.get('read_validate_compute', 0):>11.1f}{timings.get('reports', 0):>11.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "example")
    parser.add_argument("--round", type=int, default=2026, dest="year")
    parser.add_argument("--sizes", type=int, nargs="+", default=[12, 50, 290],
                        help="numbers of profiles, each with one regional report")
    parser.add_argument("--national", action="store_true",
                        help="a whole national round (overrides --sizes)")
    parser.add_argument("--programme-rows", type=int, nargs="+", default=None,
                        help="whole county rounds with this many extra programme rows")
    parser.add_argument("--reports-per-kernel", nargs="+", default=["auto"],
                        help="'auto' (the rule a run uses) and/or numbers")
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: cores)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--regional", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.regional, args.sizes[0], args.reports_per_kernel[0],
                     args.jobs)

    from evaluation.analysis.rounds import compute

    work = Path(tempfile.mkdtemp(prefix="bench-scaling-"))
    rows = []
    try:
        if args.national and national(work, args.year):
            return 0
        if args.programme_rows:
            large_rounds(work, args.year, args.programme_rows)
            return 0
        compute(args.data.resolve(), args.year).save(work / "round.pkl")
        runs = [(22, 290)] if args.national else [(1, n) for n in args.sizes]
        for regional, profiles in runs:
            for per_kernel in args.reports_per_kernel:
                print(f"{regional} + {profiles} reports, reports per kernel {per_kernel} …",
                      file=sys.stderr)
                command = [sys.executable, __file__, "--child", str(work), "--regional",
                           str(regional), "--sizes", str(profiles), "--reports-per-kernel",
                           per_kernel]
                if args.jobs:
                    command += ["--jobs", str(args.jobs)]
                cpu = cpu_of_children()
                seconds, peak = timed(command, ROOT)
                cpu = cpu_of_children() - cpu
                summary = json.loads((work / "summary.json").read_text(encoding="utf-8"))
                if summary["failed"]:
                    raise SystemExit("failed reports:\n" + "\n".join(summary["failed"][:5]))
                rows.append((regional + profiles, summary["reports_per_kernel"], seconds, cpu,
                             peak, summary))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"round {args.year} of {args.data.name}, {args.jobs or os.cpu_count()} workers, "
          f"{os.cpu_count()} cores; reports = county-sized + profiles")
    print(f"{'reports':>8}{'per kernel':>11}{'wall s':>9}{'s/report':>10}{'CPU s':>9}"
          f"{'CPU s/report':>13}{'peak MB':>9}")
    for reports, per_kernel, seconds, cpu, peak, _ in rows:
        print(f"{reports:>8}{per_kernel:>11}{seconds:>9.1f}{seconds / reports:>10.2f}"
              f"{cpu:>9.1f}{cpu / reports:>13.2f}{peak / 2**20:>9.0f}")
    print("summed over reports, across workers (wall s): kernel = waiting for a ready kernel")
    for reports, per_kernel, *_, summary in rows:
        parts = "  ".join(f"{k} {v:.1f}" for k, v in summary["timings"].items())
        print(f"{reports:>8}{per_kernel:>11}  {parts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
