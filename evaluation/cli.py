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

from evaluation.exceptions import EvaluationError, LockedError, ParameterError, Stopped
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
                   help="folder for validation-<year>.csv (default reports)")
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
    from evaluation.publish import check_output_folder
    from evaluation.validation import validate_round
    from evaluation.validation_report import format_report, write_validation_csv

    check_output_folder(args.out, args.data)
    result = validate_round(args.data, args.year, region=args.region, strict=False)
    print(_printable(format_report(result.report)))
    csv_path = write_validation_csv(result.report, args.out / f"validation-{args.year}.csv")
    print(f"\nAlla fynd: {csv_path}")
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
    from evaluation.publish import check_output_file
    from evaluation.template import write_template
    from evaluation.validation import validate_round

    check_output_file(args.out, args.prefill)
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
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 with argparse's message
    if not logging.getLogger().handlers:  # warnings (e.g. a stale lock taken over) on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        # errors reach the user as the command's own one-line message, never a traceback
        handler.addFilter(lambda record: record.levelno == logging.WARNING)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logging.getLogger().addHandler(handler)
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):  # a scheduler's stop, as Ctrl-C
        try:
            previous[signum] = signal.signal(signum, _stop)
        except (ValueError, OSError):  # not the main thread
            pass
    try:
        if getattr(args, "region", None) is not None:
            from evaluation.validation import normalize_region

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
