"""A whole round through `python -m evaluation run`, against the naive way.

`run` includes the tagged PDFs (regional report and every profile, WeasyPrint),
which the script checks are there; the naive way runs the same notebooks one
after another with the papermill CLI and then `jupyter nbconvert --to html
--no-input`, reading the same computed round (computed once, as `run` does),
and makes no PDF. Both are timed as whole processes,
alternating A B A B, and the script prints the median of each, the ratio of
the medians and the median of the pairwise ratios, plus the peak memory of the
whole process tree (summed resident memory, sampled every 50 ms) and the
median CPU time of the whole tree, which a busy shared machine disturbs less
than wall time.

    python benchmarks/bench_round.py [--data data/example] [--round 2026] [--repeat 3]
                                     [--without-pdf]

`--without-pdf` times `run` as it was before it printed PDFs (the same command with
the reports' PDFs left out), to compare with figures measured then.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def _rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak summed RSS (bytes) of a command and all its children."""
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss(_children(proc.pid)))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} … failed ({proc.returncode}):\n{err[-2000:]}")
    return seconds, peak


def cpu_of_children() -> float:
    """CPU seconds (user + system) of every finished child process and its descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: `python -m evaluation run …` with every report's PDF left out.
WITHOUT_PDF = (
    "import dataclasses, sys\n"
    "import evaluation.publish.runner as runner\n"
    "from evaluation.cli import main\n"
    "jobs = runner._jobs\n"
    "runner._jobs = lambda *a: [dataclasses.replace(j, pdf=None) for j in jobs(*a)]\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def naive_script(data: Path, year: int, region: str, work: Path) -> Path:
    """A shell script doing the round the naive way, one notebook after another."""
    from evaluation.intake.reference import load_reference

    bindir = Path(sys.executable).parent
    codes = load_reference().county_municipalities(region)["code"].tolist()
    lines = [
        "set -e",
        f"cd {work}",
        f"{sys.executable} -c \"from evaluation.publish.runner import compute; "
        f"compute('{data}', {year}, '{region}').save('round.pkl')\"",
        f"{bindir}/papermill --no-progress-bar {ROOT}/notebooks/regional.ipynb regional.ipynb "
        f"-p result_path round.pkl",
        f"{bindir}/jupyter nbconvert --to html --no-input regional.ipynb",
    ]
    for code in codes:
        lines += [
            f"{bindir}/papermill --no-progress-bar {ROOT}/notebooks/kommunprofil.ipynb "
            f"k{code}.ipynb -p result_path round.pkl -r municipality {code}",
            f"{bindir}/jupyter nbconvert --to html --no-input k{code}.ipynb",
        ]
    script = work / "naive.sh"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return script


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "example")
    parser.add_argument("--round", type=int, default=2026, dest="year")
    parser.add_argument("--region", default="18")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--without-pdf", action="store_true",
                        help="run without the PDFs, as before they were printed")
    args = parser.parse_args()
    data = args.data.resolve()

    work = Path(tempfile.mkdtemp(prefix="bench-round-"))
    try:
        # A fresh output folder for every run: a run skips a round already up to date.
        def ours_cmd(i: int) -> list[str]:
            arguments = ["run", "--data", str(data), "--round", str(args.year), "--region",
                         args.region, "--out", str(work / f"ours-{i}"), "--quiet"]
            if args.without_pdf:
                return [sys.executable, "-c", WITHOUT_PDF, *arguments]
            return [sys.executable, "-m", "evaluation", *arguments]

        naive_dir = work / "naive"
        naive_dir.mkdir()
        naive_cmd = ["bash", str(naive_script(data, args.year, args.region, naive_dir))]
        ours, naive = [], []
        cpu: dict[str, list[float]] = {"ours": [], "naive": []}
        for i in range(args.repeat):
            print(f"run {i + 1}/{args.repeat} …", file=sys.stderr)
            for key, rows, command, cwd in (("ours", ours, ours_cmd(i), ROOT),
                                            ("naive", naive, naive_cmd, naive_dir)):
                before = cpu_of_children()
                rows.append(timed(command, cwd))
                cpu[key].append(cpu_of_children() - before)
        last = work / f"ours-{args.repeat - 1}" / str(args.year)
        manifest = json.loads((last / "manifest.json").read_text())
        pdfs = sorted(p.relative_to(last).as_posix() for p in last.rglob("*.pdf"))
        profiles = len(list((last / "kommuner").glob("*.html")))
        if args.without_pdf:
            if pdfs:
                raise SystemExit(f"`run` without PDFs made {len(pdfs)} PDF(s)")
        elif "regional.pdf" not in pdfs or len(pdfs) != profiles + 1:
            raise SystemExit(f"`run` made {len(pdfs)} PDF(s), expected {profiles + 1}")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def med(values: list[float]) -> float:
        return statistics.median(values)

    ours_s, naive_s = [s for s, _ in ours], [s for s, _ in naive]
    print(f"round {args.year}, region {args.region}, {args.repeat} runs each, "
          f"{os.cpu_count()} cores")
    print(f"{'':28}{'median s':>10}{'min s':>8}{'max s':>8}{'peak MB':>9}{'CPU s':>8}")
    if args.without_pdf:
        print("`evaluation run` without its PDFs, as the naive way")
    else:
        print(f"`evaluation run` includes {len(pdfs)} tagged PDFs (regional.pdf and "
              f"{len(pdfs) - 1} profiles); the naive way makes none")
    ours_name = "evaluation run, no PDF" if args.without_pdf else "evaluation run + PDF"
    for name, key, rows in ((ours_name, "ours", ours),
                            ("naive papermill+nbconvert", "naive", naive)):
        seconds = [s for s, _ in rows]
        peak = max(m for _, m in rows) / 2**20
        print(f"{name:28}{med(seconds):>10.1f}{min(seconds):>8.1f}{max(seconds):>8.1f}"
              f"{peak:>9.0f}{med(cpu[key]):>8.1f}")
    pairwise = [n / o for o, n in zip(ours_s, naive_s, strict=True)]
    print(f"speed-up, ratio of medians (naive / run): {med(naive_s) / med(ours_s):.2f}x")
    print(f"speed-up, median of pairwise ratios:      {med(pairwise):.2f}x")
    print(f"CPU time, ratio of medians (naive / run): {med(cpu['naive']) / med(cpu['ours']):.2f}x"
          " (CPU s: whole process tree, median; less disturbed by a busy machine)")
    print("where the time goes in the last `run` (seconds):")
    for key, value in manifest.get("timings", {}).items():
        print(f"  {key:28}{value:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
