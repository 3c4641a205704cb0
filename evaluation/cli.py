"""Command line: `python -m evaluation validate|run|template|example`.

Exit codes: 0 success, 1 invalid input or a failed report, 2 usage error.
The options mirror the library functions' arguments.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from evaluation.exceptions import EvaluationError, LockedError, ParameterError
from evaluation.schema import DEFAULT_REGION

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation",
        description="Follow-up of the regional strategy for parenting support.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a round's inputs and print every problem")
    p.add_argument("--data", required=True, type=Path, help="data folder holding <year>/")
    p.add_argument("--round", required=True, type=_year, dest="year", help="round year")
    p.add_argument("--region", default=DEFAULT_REGION,
                   help="county code (default 18), or all for every county")
    p.add_argument("--out", type=Path, default=Path("reports"),
                   help="output folder: the full report goes to "
                        "OUT/.validation/<year>/validation.csv (default reports)")
    p.add_argument("--strict", action="store_true", help="fail on any rejected row")

    p = sub.add_parser("run", help="execute and publish a round")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--round", required=True, type=_year, dest="year")
    p.add_argument("--out", type=Path, default=Path("reports"))
    p.add_argument("--region", default=DEFAULT_REGION,
                   help="county code (default 18), or all: every county and the country")
    p.add_argument("--jobs", type=int, default=None, help="parallel reports (default: cores)")
    p.add_argument("--municipality", nargs="+", default=None, metavar="CODE",
                   help="only these municipality profiles")
    p.add_argument("--strict", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true",
                   help="run even when the published round is up to date")

    p = sub.add_parser("template", help="write the blank survey workbook")
    p.add_argument("--round", required=True, type=_year, dest="year")
    p.add_argument("--out", required=True, type=Path, help="FILE.xlsx")
    p.add_argument("--region", default=DEFAULT_REGION)
    p.add_argument("--prefill", type=Path, default=None,
                   help="data folder: fill in the previous round's answers")

    p = sub.add_parser("example", help="write synthetic example rounds")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--region", default=DEFAULT_REGION,
                   help="county code (default 18), or all for every municipality of Sweden")
    p.add_argument("--seed", type=int, default=0)
    return parser


def _validate(args: argparse.Namespace) -> int:
    from evaluation.validation import validate_round
    from evaluation.validation_report import format_report, full_report_path, write_full_report

    result = validate_round(args.data, args.year, region=args.region, strict=False)
    print(format_report(result.report))
    csv_path = write_full_report(result.report, full_report_path(args.out, args.year))
    print(f"\nEvery finding: {csv_path}")
    if args.strict and result.report.rejected:
        print(f"error: --strict: {len(result.report.rejected)} row(s) rejected",
              file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _check_region(region: str) -> None:
    """An unknown county is a usage error, said before a run takes its lock or log."""
    from evaluation.reference import load_reference
    from evaluation.validation import is_national

    if not is_national(region):
        load_reference().county(region)


def _run(args: argparse.Namespace) -> int:
    from evaluation.runner import run_round

    if args.jobs is not None and args.jobs < 1:
        raise ParameterError(f"--jobs must be 1 or more, got {args.jobs}")
    _check_region(args.region)
    run = run_round(args.data, args.year, out=args.out, region=args.region,
                    jobs=args.jobs, municipalities=args.municipality,
                    strict=args.strict, progress=not args.quiet, force=args.force)
    if run.up_to_date:
        print(f"Round {args.year} is up to date in {run.path} (inputs, parameters and code "
              f"unchanged); nothing was changed. Use --force to run it again.")
    else:
        print(f"Published round {args.year}: {run.path} ({run.seconds:.0f} s)")
    print(f"Log: {run.log}")
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from evaluation.template import write_template
    from evaluation.validation import validate_round

    prefill = None
    if args.prefill is not None:
        prefill = validate_round(args.prefill, args.year - 2, region=args.region)
    path = write_template(args.out, args.year, region=args.region, prefill=prefill)
    print(f"Survey workbook for round {args.year}: {path}")
    return EXIT_OK


def _example(args: argparse.Namespace) -> int:
    from evaluation.example import write_example

    paths = write_example(args.out, region=args.region, seed=args.seed)
    print(f"Synthetic example data: {len(paths)} file(s) under {args.out}")
    return EXIT_OK


COMMANDS = {"validate": _validate, "run": _run, "template": _template, "example": _example}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; everything it prints passes the personal-number mask."""
    from evaluation.personal_numbers import MaskingStream

    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = MaskingStream(stdout), MaskingStream(stderr)  # type: ignore
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: Sequence[str] | None) -> int:
    from evaluation.personal_numbers import MaskingFormatter

    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 with argparse's message
    if not logging.getLogger().handlers:  # warnings (e.g. a stale lock taken over) on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        # errors reach the user as the command's own one-line message, never a traceback
        handler.addFilter(lambda record: record.levelno == logging.WARNING)
        handler.setFormatter(MaskingFormatter("%(levelname)s: %(message)s"))
        logging.getLogger().addHandler(handler)
    try:
        return COMMANDS[args.command](args)
    except ParameterError as exc:
        parser.print_usage(sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
