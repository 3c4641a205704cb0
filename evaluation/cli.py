"""Command line: `python -m evaluation validate|run|template|example`.

Exit codes: 0 success, 1 invalid input, a failed report or an output that cannot be
written, 2 usage error; 128 + the signal's number when stopped by SIGINT, SIGTERM or
SIGHUP. No traceback ever reaches the terminal: every error is one Swedish line, and
an unexpected one's traceback goes to the run log (or a log file in the temp folder).
The options mirror the library functions' arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from evaluation.errors import EvaluationError, LockedError, ParameterError, Stopped
from evaluation.vocab import DEFAULT_REGION, ROUNDS

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    from evaluation.intake.arguments import positive, round_year

    rounds = ", ".join(map(str, ROUNDS))
    parser = argparse.ArgumentParser(
        prog="python -m evaluation",
        description="Follow-up of the regional strategy for parenting support.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data_help = "data folder holding one folder per round (DATA/<year>/)"
    round_help = f"round year, one of {rounds}"

    p = sub.add_parser("validate", help="check a round's inputs and print every problem and "
                                        "each municipality's collection status")
    p.add_argument("--data", required=True, type=Path, help=data_help)
    p.add_argument("--round", required=True, type=round_year, dest="year", help=round_help)
    p.add_argument("--region", default=DEFAULT_REGION,
                   help="county code (default 18), or all for every county")
    p.add_argument("--out", type=Path, default=Path("reports"),
                   help="output folder: the full report goes to "
                        "OUT/.validation/<year>/validation.csv, created if missing "
                        "(default reports)")
    p.add_argument("--feedback", type=Path, default=None, metavar="DIR",
                   help="write a Swedish feedback workbook per municipality with problems, "
                        "and the collection status (HTML, XLSX), into DIR (created if "
                        "missing; its parent must exist)")
    p.add_argument("--strict", action="store_true", help="exit 1 on any rejected row")

    p = sub.add_parser("run", help="execute and publish a round")
    p.add_argument("--data", required=True, type=Path, help=data_help)
    p.add_argument("--round", required=True, type=round_year, dest="year", help=round_help)
    p.add_argument("--out", type=Path, default=Path("reports"),
                   help="site folder: the round is published to OUT/<year>/, created if "
                        "missing (default reports)")
    p.add_argument("--region", default=DEFAULT_REGION,
                   help="county code (default 18), or all: every county and the country")
    p.add_argument("--jobs", type=positive, default=None,
                   help="reports executed in parallel (default: one per core)")
    p.add_argument("--municipality", nargs="+", default=None, metavar="CODE|NAME",
                   help="only these municipality profiles, by code or name "
                        "(1880, Örebro, Orebro)")
    p.add_argument("--strict", action="store_true",
                   help="fail, publishing nothing, on any rejected row")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true",
                   help="run even when the published round is up to date")

    p = sub.add_parser("template", help="write the survey workbook, or one per municipality")
    p.add_argument("--round", required=True, type=round_year, dest="year", help=round_help)
    p.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx|DIR",
                   help="the workbook to write (its folder must exist); with "
                        "--per-municipality a folder, created if its parent exists")
    p.add_argument("--region", default=DEFAULT_REGION, help="county code (default 18)")
    p.add_argument("--prefill", type=Path, default=None, metavar="DATA",
                   help="data folder: fill in the previous round's structure (names, sectors, "
                        "yes/no answers; counts stay blank)")
    p.add_argument("--per-municipality", action="store_true",
                   help="one workbook per municipality of the county, DIR/<code>-<name>.xlsx")

    p = sub.add_parser("example", help="write synthetic example rounds")
    p.add_argument("--out", required=True, type=Path,
                   help="data folder to write DATA/<year>/ into, created if missing")
    p.add_argument("--region", default=DEFAULT_REGION,
                   help="county code (default 18), or all for every municipality of Sweden")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the random answers (default 0: the documented example)")
    return parser


def _validate(args: argparse.Namespace) -> int:
    from evaluation.intake.arguments import check_parent, check_region, check_round_folder
    from evaluation.intake.validation import validate_round_with_origins
    from evaluation.intake.validation_report import (
        format_report,
        full_report_path,
        write_full_report,
    )
    from evaluation.publish.staging import check_output_folder
    from evaluation.tools.collection import collection_status, format_status, write_status
    from evaluation.tools.feedback import write_feedback

    check_region(args.region)
    check_output_folder(args.out, args.data)
    if args.feedback is not None:
        check_parent(args.feedback, "--feedback")
    check_round_folder(args.data, args.year)
    result, origins = validate_round_with_origins(args.data, args.year, region=args.region,
                                                  strict=False)
    print(_printable(format_report(result.report)))
    csv_path = write_full_report(result.report, full_report_path(args.out, args.year))
    print(f"\nAlla fynd: {csv_path}")
    status = collection_status(result, origins, args.data / str(args.year))
    from evaluation.vocab import is_national

    print("\n" + format_status(status, received_only=is_national(args.region)))
    if args.feedback is not None:
        letters = write_feedback(result, origins, args.feedback)
        from evaluation.intake.reference import load_reference

        name = ("hela landet" if is_national(args.region)
                else str(load_reference().county(args.region)["name"]))
        pages = write_status(status, args.feedback, year=args.year, region_name=name)
        print(f"\nFeedback: {len(letters)} workbook(s) in {args.feedback}; collection "
              f"status: {pages[0].name}, {pages[1].name}")
    if args.strict and result.report.rejected:
        print(f"error: --strict: {len(result.report.rejected)} row(s) rejected",
              file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _check_region(region: str) -> None:
    """An unknown county is a usage error, said before a run takes its lock or log."""
    from evaluation.intake.reference import load_reference
    from evaluation.vocab import is_national

    if not is_national(region):
        load_reference().county(region)


def _run(args: argparse.Namespace) -> int:
    from evaluation.intake.arguments import check_round_folder, resolve_municipalities
    from evaluation.publish.runner import run_round

    _check_region(args.region)
    municipalities = resolve_municipalities(args.municipality, args.region)
    check_round_folder(args.data, args.year)
    run = run_round(args.data, args.year, out=args.out, region=args.region,
                    jobs=args.jobs, municipalities=municipalities,
                    strict=args.strict, progress=not args.quiet, force=args.force)
    if run.up_to_date:
        print(f"Round {args.year} is up to date in {run.path} (inputs, parameters and code "
              f"unchanged); nothing was changed. Use --force to run it again.")
    else:
        print(f"Published round {args.year}: {run.path} ({run.seconds:.0f} s)")
    print(f"Log: {run.log}")
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from evaluation.intake.arguments import check_parent, check_region, previous_round
    from evaluation.intake.validation import validate_round
    from evaluation.publish.staging import check_output_file
    from evaluation.tools.template import write_municipality_templates, write_template
    from evaluation.vocab import is_national

    if is_national(args.region):
        raise ParameterError("--region all: a survey workbook is made for one county")
    check_region(args.region)
    check_output_file(args.out, args.prefill)
    if args.per_municipality:
        check_parent(args.out, "--out")
    else:
        if args.out.suffix.lower() != ".xlsx":
            raise ParameterError(f"--out {str(args.out)!r}: the survey workbook must be an "
                                 ".xlsx file (or give --per-municipality and a folder)")
        if not args.out.parent.is_dir():
            raise ParameterError(f"--out {str(args.out)!r}: folder {str(args.out.parent)!r} "
                                 "does not exist; create it first")
    prefill = None
    if args.prefill is not None:
        prefill = validate_round(args.prefill, previous_round(args.year), region=args.region)
    if args.per_municipality:
        paths = write_municipality_templates(args.out, args.year, region=args.region,
                                             prefill=prefill)
        print(f"Survey workbooks for round {args.year}: {len(paths)} in {args.out}")
        return EXIT_OK
    path = write_template(args.out, args.year, region=args.region, prefill=prefill)
    print(f"Survey workbook for round {args.year}: {path}")
    return EXIT_OK


def _example(args: argparse.Namespace) -> int:
    from evaluation.tools.example import write_example

    paths = write_example(args.out, region=args.region, seed=args.seed)
    print(f"Synthetic example data: {len(paths)} file(s) under {args.out}")
    return EXIT_OK


COMMANDS = {"validate": _validate, "run": _run, "template": _template, "example": _example}


def _printable(text: str) -> str:
    """Text the terminal can show, whatever bytes a file name held."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _error(text: str) -> None:
    print(_printable(f"fel: {text}"), file=sys.stderr)


def _log_traceback(exc: BaseException) -> Path | None:
    """The traceback of an unexpected error, kept in a log file rather than shown."""
    logging.getLogger("evaluation").error("oväntat fel", exc_info=exc)
    try:
        path = Path(tempfile.gettempdir()) / (
            f"evaluation-{dt.datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}.log")
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        return path
    except OSError:
        return None


def _os_error(exc: OSError) -> str:
    name = exc.filename if exc.filename is not None else ""
    what = exc.strerror or type(exc).__name__
    return f"{name}: {what}" if name else what


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signum)


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
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):  # a scheduler's stop, as Ctrl-C
        try:
            previous[signum] = signal.signal(signum, _stop)
        except (ValueError, OSError):  # not the main thread
            pass
    try:
        if getattr(args, "region", None) is not None:
            from evaluation.intake.validation import normalize_region

            args.region = normalize_region(args.region)
        return COMMANDS[args.command](args)
    except ParameterError as exc:
        parser.print_usage(sys.stderr)
        _error(str(exc))
        return EXIT_USAGE
    except LockedError as exc:
        _error(str(exc))
        return EXIT_INVALID
    except EvaluationError as exc:
        _error(str(exc))
        return EXIT_INVALID
    except Stopped as exc:
        print(f"avbruten ({exc.name}): inget publicerades", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("avbruten: inget publicerades", file=sys.stderr)
        return 128 + signal.SIGINT
    except OSError as exc:
        _log_traceback(exc)
        _error(f"kan inte läsa eller skriva {_os_error(exc)}")
        return EXIT_INVALID
    except Exception as exc:  # a fault of the toolkit itself: one line, traceback in a log
        log = _log_traceback(exc)
        _error(f"oväntat fel ({type(exc).__name__}: {str(exc)[:200]})"
               + (f"; detaljer i {log}" if log else ""))
        return EXIT_INVALID
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
