"""Command line: `python -m evaluation validate|run|template|example`.

Exit codes: 0 success, 1 invalid input, a failed report or an output that cannot be
written, 2 usage error (each error of `evaluation.errors` carries its own); 128 + the
signal's number when stopped by SIGINT, SIGTERM or SIGHUP. No traceback ever reaches the
terminal: every error is one Swedish line, its traceback goes to the run log, and an
unexpected error's also to a log file in the temp folder, which the line names.
The options mirror the library functions' arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from evaluation.errors import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    EvaluationError,
    ParameterError,
    Stopped,
    os_error,
)
from evaluation.vocab import DEFAULT_REGION, ROUNDS

#: argparse's own messages in Swedish. argparse reads every text it shows through
#: gettext (`argparse._`); `SwedishArgumentParser` lends it this table while it builds,
#: parses or formats, and puts gettext back afterwards, so nothing global stays changed.
ARGPARSE_SWEDISH = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "optional arguments": "flaggor",
    "show this help message and exit": "visa den här hjälptexten och avsluta",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "följande argument krävs: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "okänt kommando %(parser_name)r (välj bland %(choices)s)",
    "invalid %(type)s value: %(value)r": "ogiltigt värde: %(value)r",
    "expected one argument": "ett värde krävs",
    "expected at most one argument": "högst ett värde får anges",
    "expected at least one argument": "minst ett värde krävs",
    "expected %s argument": "%s värde krävs",
    "expected %s arguments": "%s värden krävs",
    "ambiguous option: %(option)s could match %(matches)s":
        "flaggan %(option)s är tvetydig: den kan vara %(matches)s",
    "not allowed with argument %s": "får inte anges tillsammans med %s",
    "ignored explicit argument %r": "flaggan tar inget värde: %r",
    "one of the arguments %s is required": "ett av argumenten %s krävs",
    "unexpected option string: %s": "oväntad flagga: %s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
}


@contextlib.contextmanager
def _swedish_argparse() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]

    def one(text: str) -> str:
        return ARGPARSE_SWEDISH.get(text, text)

    def plural(singular: str, many: str, n: int) -> str:
        return one(singular if n == 1 else many)

    argparse._, argparse.ngettext = one, plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class SwedishArgumentParser(argparse.ArgumentParser):
    """argparse that speaks Swedish: usage, help, headings and every error message
    ("fel: följande argument krävs: --data"); a usage error still exits with code 2.
    Sub-commands are parsers of this class too. Not for use from several threads at
    once (it lends argparse its table while it works)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with _swedish_argparse():
            super().__init__(*args, **kwargs)

    def parse_args(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with _swedish_argparse():
            return super().parse_args(*args, **kwargs)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with _swedish_argparse():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self) -> str:
        with _swedish_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        with _swedish_argparse():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        """Usage and one line, as every other error of the command line: "fel: …"."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"fel: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from evaluation.intake.arguments import non_negative, positive, round_year

    rounds = ", ".join(map(str, ROUNDS))
    parser = SwedishArgumentParser(
        prog="python -m evaluation",
        description="Uppföljning av den regionala strategin för föräldraskapsstöd.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")
    data_help = "datamappen, med en mapp per omgång (MAPP/<år>/)"
    round_help = f"omgångens år, ett av {rounds}"
    county = "länskod eller länets namn (standard 18)"

    p = sub.add_parser("validate", help="granska en omgångs indata: skriv ut varje problem "
                                        "och varje kommuns insamlingsstatus")
    p.add_argument("--data", required=True, type=Path, metavar="MAPP", help=data_help)
    p.add_argument("--round", required=True, type=round_year, dest="year", metavar="ÅR",
                   help=round_help)
    p.add_argument("--region", default=DEFAULT_REGION, metavar="LÄN",
                   help=f"{county}, eller all för alla län")
    p.add_argument("--out", type=Path, default=Path("reports"), metavar="MAPP",
                   help="utdatamapp: hela valideringsrapporten skrivs till "
                        "MAPP/.validation/<år>/validation.csv; mappen skapas om den saknas "
                        "(standard reports)")
    p.add_argument("--feedback", type=Path, default=None, metavar="MAPP",
                   help="skriv en återkopplingsarbetsbok på svenska per kommun med problem, "
                        "och insamlingsstatusen (HTML, XLSX), i MAPP (skapas om den saknas; "
                        "mappen ovanför måste finnas)")
    p.add_argument("--strict", action="store_true",
                   help="avsluta med kod 1 om någon rad avvisas")

    p = sub.add_parser("run", help="kör och publicera en omgång")
    p.add_argument("--data", required=True, type=Path, metavar="MAPP", help=data_help)
    p.add_argument("--round", required=True, type=round_year, dest="year", metavar="ÅR",
                   help=round_help)
    p.add_argument("--out", type=Path, default=Path("reports"), metavar="MAPP",
                   help="webbplatsens mapp: omgången publiceras i MAPP/<år>/; mappen skapas "
                        "om den saknas (standard reports)")
    p.add_argument("--region", default=DEFAULT_REGION, metavar="LÄN",
                   help=f"{county}, eller all: alla län och hela landet")
    p.add_argument("--jobs", type=positive, default=None, metavar="N",
                   help="rapporter som körs samtidigt (standard: en per processorkärna)")
    p.add_argument("--municipality", nargs="+", default=None, metavar="KOD|NAMN",
                   help="bara dessa kommunprofiler, med kod eller namn (1880, Örebro, "
                        "Orebro); en kommun som anges flera gånger görs en gång")
    p.add_argument("--strict", action="store_true",
                   help="avbryt utan att publicera något om någon rad avvisas")
    p.add_argument("--quiet", action="store_true", help="ingen förloppsindikator")
    p.add_argument("--force", action="store_true",
                   help="kör även när den publicerade omgången redan är aktuell")

    p = sub.add_parser("template", help="skriv enkätens arbetsbok, eller en per kommun")
    p.add_argument("--round", required=True, type=round_year, dest="year", metavar="ÅR",
                   help=round_help)
    p.add_argument("--out", required=True, type=Path, metavar="FIL.xlsx|MAPP",
                   help="arbetsboken som skrivs (dess mapp måste finnas); med "
                        "--per-municipality en mapp, som skapas om mappen ovanför finns")
    p.add_argument("--region", default=DEFAULT_REGION, metavar="LÄN", help=county)
    p.add_argument("--prefill", type=Path, default=None, metavar="MAPP",
                   help="datamapp: fyll i förra omgångens struktur (namn, sektorer, "
                        "ja/nej-svar; antal lämnas tomma)")
    p.add_argument("--per-municipality", action="store_true",
                   help="en arbetsbok per kommun i länet, MAPP/<kod>-<namn>.xlsx")

    p = sub.add_parser("example", help="skriv syntetiska exempelomgångar")
    p.add_argument("--out", required=True, type=Path, metavar="MAPP",
                   help="datamappen att skriva MAPP/<år>/ i; skapas om den saknas")
    p.add_argument("--region", default=DEFAULT_REGION, metavar="LÄN",
                   help=f"{county}, eller all för alla Sveriges kommuner")
    p.add_argument("--seed", type=non_negative, default=0, metavar="N",
                   help="slumpfrö för svaren (standard 0: det dokumenterade exemplet)")
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
    if args.feedback is not None:  # feedback written into the data would be read as input
        check_output_folder(args.feedback, args.data, "--feedback")
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
        print(f"\nÅterkoppling: {len(letters)} arbetsbok/arbetsböcker i {args.feedback}; "
              f"insamlingsstatus: {pages[0].name}, {pages[1].name}")
    if args.strict and result.report.rejected:
        _error(f"--strict: {len(result.report.rejected)} rad(er) avvisade")
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
        print(f"Omgång {args.year} är redan aktuell i {run.path} (indata, parametrar och kod "
              f"är oförändrade); inget ändrades. Ange --force för att köra den igen.")
    else:
        print(f"Omgång {args.year} publicerad: {run.path} ({run.seconds:.0f} s)")
    print(f"Logg: {run.log}")
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from evaluation.intake.arguments import check_parent, check_region, previous_round
    from evaluation.intake.validation import validate_round
    from evaluation.publish.staging import check_output_file, check_output_folder
    from evaluation.tools.template import write_municipality_templates, write_template
    from evaluation.vocab import is_national

    if is_national(args.region):
        raise ParameterError("--region all: enkätens arbetsbok görs för ett län i taget")
    check_region(args.region)
    check_output_file(args.out, args.prefill)
    if args.per_municipality:  # a folder: neither the root, a home, nor above the data
        check_output_folder(args.out, args.prefill, data_option="--prefill")
        check_parent(args.out, "--out")
    else:
        if args.out.suffix.lower() != ".xlsx":
            raise ParameterError(f"--out {str(args.out)!r}: enkätens arbetsbok måste vara en "
                                 ".xlsx-fil (eller ange --per-municipality och en mapp)")
        if not args.out.parent.is_dir():
            raise ParameterError(f"--out {str(args.out)!r}: mappen {str(args.out.parent)!r} "
                                 "finns inte; skapa den först")
    prefill = None
    if args.prefill is not None:
        prefill = validate_round(args.prefill, previous_round(args.year), region=args.region)
    if args.per_municipality:
        paths = write_municipality_templates(args.out, args.year, region=args.region,
                                             prefill=prefill)
        print(f"Enkätens arbetsböcker för omgång {args.year}: {len(paths)} i {args.out}")
        return EXIT_OK
    path = write_template(args.out, args.year, region=args.region, prefill=prefill)
    print(f"Enkätens arbetsbok för omgång {args.year}: {path}")
    return EXIT_OK


def _example(args: argparse.Namespace) -> int:
    from evaluation.publish.staging import check_output_folder
    from evaluation.tools.example import write_example

    check_output_folder(args.out)  # neither the root nor a home folder
    paths = write_example(args.out, region=args.region, seed=args.seed)
    print(f"Syntetiska exempeldata: {len(paths)} fil(er) under {args.out}")
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
    args = parser.parse_args(argv)  # usage errors exit 2 with argparse's (Swedish) message
    if not logging.getLogger().handlers:  # warnings (e.g. a stale lock taken over) on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        # errors reach the user as the command's own one-line message, never a traceback
        handler.addFilter(lambda record: record.levelno == logging.WARNING)
        handler.setFormatter(MaskingFormatter("varning: %(message)s"))
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
    except EvaluationError as exc:  # the tree says the exit code: 1 data, input or report
        if exc.exit_code == EXIT_USAGE:
            parser.print_usage(sys.stderr)
        logging.getLogger("evaluation").info("%s: %s", type(exc).__name__, exc,
                                             exc_info=exc)  # the run log, if one is open
        _error(str(exc))
        return exc.exit_code
    except Stopped as exc:
        print(f"avbruten ({exc.name}): inget publicerades", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("avbruten: inget publicerades", file=sys.stderr)
        return 128 + signal.SIGINT
    except OSError as exc:
        _log_traceback(exc)
        _error(f"kan inte läsa eller skriva {os_error(exc)}")
        return EXIT_INVALID
    except Exception as exc:  # a fault of the toolkit itself: one line, traceback in a log
        log = _log_traceback(exc)
        _error(f"oväntat fel ({type(exc).__name__}: {str(exc)[:200]})"
               + (f"; detaljer i {log}" if log else ""))
        return EXIT_INVALID
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
