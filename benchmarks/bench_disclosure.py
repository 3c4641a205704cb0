"""Disclosure control of large rounds, stage by stage.

For each N: the example rounds with N extra local programme rows
(`evaluation.tools.large`), then the stages that lead to the round's protection,
timed one after another in this process (wall seconds): reading and validating
both rounds, indicators, uptake, linking the published tables, and `protect`
(secondary cell choice, the intruder audit, release of cells that protect nothing).
Prints the linked system's size, the cells withheld and whether the audit passed.

    python benchmarks/bench_disclosure.py 500 2000 [20000]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def measure(rows: int, work: Path, year: int) -> dict:
    import pandas as pd

    from evaluation.analysis.audit import protect
    from evaluation.analysis.published import link_round
    from evaluation.analysis.rounds import history
    from evaluation.analysis.uptake import uptake
    from evaluation.indicators.context import build_context
    from evaluation.indicators.table import indicator_table
    from evaluation.intake.reference import load_reference
    from evaluation.settings import load_settings
    from evaluation.tools.large import write_large_round

    data = work / f"data-{rows}"
    write_large_round(data, rows, year=year)
    reference, settings = load_reference(), load_settings()
    times: dict[str, float] = {}
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        times[stage] = now - started
        started = now

    rounds = history(data, year, reference=reference)
    lap("read and validate")
    contexts = [build_context(r, reference, settings) for r in rounds]
    internal = pd.concat([indicator_table(r, reference, settings) for r in rounds],
                         ignore_index=True)
    lap("indicators")
    taken = uptake(rounds, reference, settings)
    lap("uptake")
    ctx = contexts[-1]
    linked = link_round(ctx, internal.loc[internal["round"] == year],
                        taken.programmes.loc[taken.programmes["round"] == year],
                        taken.by_evidence_class.loc[taken.by_evidence_class["round"] == year])
    lap("link tables")
    protection = protect(linked.linked, settings.suppression_threshold)
    lap("protect")
    shutil.rmtree(data, ignore_errors=True)
    return {"rows": rows, "times": times, "counts": len(linked.linked.values),
            "sensitive": len(linked.linked.sensitive(settings.suppression_threshold)),
            "primary": protection.primary, "secondary": protection.secondary,
            "passed": protection.audit.passed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="+", help="extra programme rows")
    parser.add_argument("--round", type=int, default=2026, dest="year")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-disclosure-"))
    try:
        results = [measure(n, work, args.year) for n in args.rows]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stages = list(results[0]["times"])
    print(f"round {args.year} of the example data with extra programme rows "
          "(wall seconds per stage)")
    print(f"{'rows':>7}" + "".join(f"{s:>19}" for s in stages)
          + f"{'counts':>8}{'sensitive':>10}{'primary':>9}{'secondary':>10}{'audit':>7}")
    for r in results:
        print(f"{r['rows']:>7}" + "".join(f"{r['times'][s]:>19.1f}" for s in stages)
              + f"{r['counts']:>8}{r['sensitive']:>10}{r['primary']:>9}{r['secondary']:>10}"
              + f"{'passed' if r['passed'] else 'FAILED':>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
