"""The toolkit's exception tree, and the severities and reasons of its findings.

One tree, as papermill's `PapermillExecutionError` and pandera's `SchemaError`:
every error the toolkit raises is an `EvaluationError` that carries the exit code
of the command line and structured fields (where in the input, or which report
and cell), so that a caller reads the fields rather than parsing the text.

    EvaluationError                  exit 1
    ├── InputError                   a structural fault in a round's input
    │   ├── StrictModeError          --strict and a row was rejected
    │   └── CellError                one cell that cannot be read (becomes a finding)
    ├── StatisticsError              figures a statistical method cannot accept
    ├── ConsistencyError             the toolkit's check of its own work failed
    │   └── ContractError            tidy tables that break intake's contract (pandera)
    ├── ReportError                  a report failed: report name, cell, error name
    │   └── KernelError              its kernel failed
    │       ├── KernelStartFailed    while starting (retried)
    │       └── KernelStartError     did not start, even after retries
    ├── LockedError                  another run holds the output folder
    └── ParameterError               exit 2: a usage fault (argument or parameter)

Row faults never raise: they are findings in the validation report, each with a
`Severity` and a `Reason`, enums whose members are their stable codes (so
`validation.csv` writes "rejected", "unknown_municipality") and whose `label` is
the Swedish text readers see. Both live here, not in `vocab`, because the errors
carry them and the bottom modules do not import one another (the layer contract).
"""

from __future__ import annotations

import enum
import errno
from enum import auto
from typing import Any, ClassVar, Self, TypeVar

from evaluation.personal_numbers import mask

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Labelled(enum.StrEnum):
    """A code that is its own string value, with a Swedish label for readers; `auto()`
    makes the code the member's name in lower case, as `validation.csv` writes it."""

    label: str

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last: list[Any]) -> str:
        return name.lower()

    def __new__(cls, code: str, label: str) -> _Labelled:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member


class Severity(_Labelled):
    """How a finding ends its row: rejected, accepted with a warning, or a note."""

    REJECTED = auto(), "Avvisad"
    WARNING = auto(), "Varning"
    INFO = auto(), "Upplysning"

    @property
    def word(self) -> str:
        """As the terminal report prefixes a line: AVVISAD, VARNING, UPPLYSNING."""
        return self.label.upper()

    @property
    def rank(self) -> int:
        """Sort order: rejections first, notes last."""
        return list(Severity).index(self)


class Reason(_Labelled):
    """The validation rule a finding comes from; `label` groups findings in reports."""

    MUNICIPALITY_MISSING = auto(), "Kommun saknas"
    UNKNOWN_MUNICIPALITY = auto(), "Okänd kommun"
    OUTSIDE_COUNTY = auto(), "Kommun utanför länet"
    YESNO_UNREADABLE = auto(), "Ja/nej-svar som inte gick att läsa (räknas som saknat)"
    YESNO_BLANK = auto(), "Tomt ja/nej-svar (räknas som saknat, inte som nej)"
    NEGATIVE_COUNT = auto(), "Negativt antal"
    NOT_WHOLE = auto(), "Antal som inte är ett heltal"
    NOT_A_NUMBER = auto(), "Värde som inte är ett tal"
    COUNT_MISSING = auto(), "Obligatoriskt antal saknas"
    VALUE_MISSING = auto(), "Obligatoriskt värde saknas"
    UNKNOWN_SECTOR = auto(), "Okänd sektor"
    UNKNOWN_UNIT_TYPE = auto(), "Okänd enhetstyp (ska vara BMM eller BVC)"
    UNCLASSIFIED_PROGRAMME = auto(), "Program som inte finns i programkatalogen (oklassificerat)"
    PERSONNUMMER = auto(), "Personnummer eller liknande (raden avvisad, numret sparas inte)"
    SCB_TOTAL = auto(), "Läns- eller riksrad i SCB-tabellen (används inte)"
    SCB_EMPTY = auto(), "Rad utan siffror i SCB-tabellen"
    COMPLETED_ABOVE_PARTICIPANTS = auto(), "Fler har fullföljt än påbörjat"
    GENDER_ABOVE_PARTICIPANTS = auto(), "Kvinnor och män är fler än deltagarna"
    NOT_OFFERED = auto(), "Varken grupper eller deltagare angivna (räknas inte som erbjudet)"
    GROUP_WITHOUT_GROUP = auto(), "Sektor anges ingå i en grupp som inte finns"
    YOUNG_ABOVE_ALL = auto(), "Fler barn 0–5 år än 0–17 år"
    EXACT_DUPLICATE = auto(), "Dubblettrad (exakt kopia, den första behålls)"
    CONFLICTING_DUPLICATE = auto(), "Motstridiga dubbletter (alla avvisas)"
    UNKNOWN_SHEET = auto(), "Blad eller fil som inte motsvarar någon tabell (inte inläst)"
    IGNORED_COLUMN = auto(), "Kolumn som inte ingår i tabellen (inte inläst)"
    SCIENTIFIC_NOTATION = auto(), "Antal i grundpotensform (som 1e3)"
    IMPLAUSIBLE_COUNT = auto(), "Orimligt stort antal (över Sveriges befolkning)"
    COUNT_ABOVE_CHILDREN = auto(), "Fler deltagare än två per barn 0–17 år i kommunen"
    UNREAD_FILE = auto(), "Fil i ett format som inte läses (inte inläst)"
    UNREAD_FOLDER = auto(), "Undermapp (inte inläst)"
    HIDDEN_SHEET = auto(), "Dolt blad (inte inläst)"
    NEAR_MISS_HEADER = auto(), "Rubrik som nästan stämmer (kolumnen inte inläst)"
    FORMULA_WITHOUT_VALUE = auto(), "Formel utan sparat värde (läst som tom)"
    STRAY_BYTE = auto(), "Tecken som inte är giltig UTF-8"


def reason_label(code: str) -> str:
    """The Swedish label of a reason code; an unknown code shows as itself."""
    try:
        return Reason(code).label
    except ValueError:
        return code or "Övrigt"


#: The structured fields an error may carry (None where they do not apply). Texts are
#: masked: a file, sheet, header or value may hold a personal identity number.
FIELDS = ("file", "sheet", "row", "column", "value", "expected", "closest", "reason")

#: What the operating system's errors mean, in Swedish (its own texts are English).
OS_REASONS = {
    errno.EACCES: "åtkomst nekas (behörighet saknas)",
    errno.EPERM: "åtgärden tillåts inte (behörighet saknas)",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut",
    errno.ENOENT: "finns inte",
    errno.ENOTDIR: "en del av sökvägen är ingen mapp",
    errno.EISDIR: "är en mapp, inte en fil",
    errno.EEXIST: "finns redan",
    errno.ENOTEMPTY: "mappen är inte tom",
    errno.ENAMETOOLONG: "namnet är för långt",
    errno.ELOOP: "för många symboliska länkar i rad",
    errno.EIO: "läs- eller skrivfel på disken",
    errno.EBUSY: "används av ett annat program",
    errno.EXDEV: "ligger på ett annat filsystem",
    errno.EMFILE: "för många öppna filer",
    errno.ENFILE: "för många öppna filer",
}


def os_reason(exc: OSError) -> str:
    """An operating-system error in Swedish: "åtkomst nekas (behörighet saknas)"."""
    if exc.errno in OS_REASONS:
        return OS_REASONS[exc.errno]
    if exc.errno is not None:
        return f"systemfel {errno.errorcode.get(exc.errno, exc.errno)}"
    return f"systemfel ({type(exc).__name__})"


def os_error(exc: OSError) -> str:
    """The file an operating-system error is about and what went wrong, in Swedish."""
    name = exc.filename if exc.filename is not None else ""
    return f"{name}: {os_reason(exc)}" if name else os_reason(exc)


class EvaluationError(Exception):
    """Base class: every error the toolkit raises on purpose.

    `exit_code` is what the command line exits with; the keyword fields say where the
    fault is (file, sheet, row as Excel shows it, column, the value, what was expected,
    the closest known name, the reason). Its text never shows a personal identity
    number: those are masked.
    """

    exit_code: ClassVar[int] = EXIT_INVALID

    def __init__(self, *args: object, file: str | None = None, sheet: str | None = None,
                 row: int | None = None, column: str | None = None,
                 value: object = None, expected: str | None = None,
                 closest: str | None = None, reason: Reason | str | None = None) -> None:
        super().__init__(*args)
        self.file = _masked(file)
        self.sheet = _masked(sheet)
        self.row = row
        self.column = _masked(column)
        self.value = _masked(None if value is None else str(value))
        self.expected = _masked(expected)
        self.closest = _masked(closest)
        self.reason = Reason(reason) if reason else None

    def __str__(self) -> str:
        return mask(super().__str__())

    @property
    def fields(self) -> dict[str, Any]:
        """The structured fields that are set."""
        return {name: getattr(self, name) for name in FIELDS
                if getattr(self, name, None) is not None}

    def reworded(self, message: str) -> Self:
        """The same error, fields and all, with another message (say, naming its round)."""
        return _rebuild(type(self), (message,), self.__dict__)

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other arguments than their message: rebuild from the state, so
        # that an error crosses a process boundary (a worker) intact.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[E], args: tuple[object, ...], state: dict[str, Any]) -> E:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


E = TypeVar("E", bound=EvaluationError)


def _masked(text: str | None) -> str | None:
    return mask(text) if isinstance(text, str) and text else text


class InputError(EvaluationError):
    """A structural fault in a round's input: unreadable file, missing table or
    column, no data for the round. Nothing is published."""


class StrictModeError(InputError):
    """`--strict` was given and at least one row was rejected."""


class CellError(InputError):
    """A cell value that cannot be read as its column's kind. Validation turns it into
    a finding that rejects the row; it ends a run only where a caller lets it."""

    def __init__(self, message: str, expected: str, reason: Reason | str, **fields: Any) -> None:
        super().__init__(message, expected=expected, reason=reason, **fields)
        self.message = message


class StatisticsError(EvaluationError):
    """Figures that a statistical method cannot accept: a fault in the data (exit 1),
    not in how the toolkit was called."""


class ConsistencyError(EvaluationError):
    """The toolkit's check of its own work failed (rows that do not reconcile, tables
    that break a contract): a fault of the toolkit, not of the input. Nothing is
    published."""


class ContractError(ConsistencyError):
    """A tidy table breaks the contract intake makes to everything downstream.

    `table`, `column` and `check` name the first breach, `failures` how many cells
    break it; the pandera error is the cause."""

    def __init__(self, message: str, *, table: str, column: str | None, check: str,
                 failures: int, **fields: Any) -> None:
        super().__init__(message, column=column, **fields)
        self.table = table
        self.check = check
        self.failures = failures


class ParameterError(EvaluationError):
    """A parameter given to the command line, the library or a notebook is not valid:
    a usage fault."""

    exit_code: ClassVar[int] = EXIT_USAGE


class ReportError(EvaluationError):
    """A report notebook failed; names the report, the failing cell and the error."""

    def __init__(self, report: str, cell: int | None, message: str, *,
                 error_name: str | None = None) -> None:
        self.report = report
        self.cell = cell
        #: The exception's name in the notebook (`ZeroDivisionError`), when known.
        self.error_name = error_name
        where = f"cell {cell}" if cell is not None else "en okänd cell"
        super().__init__(f"Rapporten {report!r} misslyckades i {where}: {message}")


class KernelError(ReportError):
    """A report's kernel failed, not its code. Raised inside the worker, before it knows
    the report's name; the worker reports it as the report's failure."""

    def __init__(self, message: str, report: str = "") -> None:
        EvaluationError.__init__(self, message)
        self.report = report
        self.cell = None
        self.error_name = type(self).__name__


class KernelStartFailed(KernelError):
    """A kernel failed while starting, before any cell ran (retried)."""


class KernelStartError(KernelError):
    """A kernel could not be started, even after retries."""


class LockedError(EvaluationError):
    """Another run holds the lock on the output folder."""


class Stopped(KeyboardInterrupt):
    """The run was told to stop (SIGTERM from a scheduler, SIGHUP from a closed
    terminal): it cleans up exactly as after Ctrl-C, which it extends."""

    def __init__(self, signum: int) -> None:
        import signal

        self.signum = int(signum)
        self.name = signal.Signals(signum).name
        super().__init__(f"avbruten av {self.name}")
