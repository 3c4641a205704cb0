"""The toolkit's exception tree.

Structural faults stop a run (exit code 1); row faults never raise, they are
recorded as rejections in the validation report instead.
"""

from __future__ import annotations

import errno

from evaluation.personal_numbers import mask

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
    """Base class: every error the toolkit raises on purpose. Its text never shows a
    personal identity number (a file or folder name may hold one): those are masked."""

    def __str__(self) -> str:
        return mask(super().__str__())


class InputError(EvaluationError):
    """A structural fault in a round's input: unreadable file, missing table or
    column, no data for the round. Nothing is published."""


class StrictModeError(InputError):
    """`--strict` was given and at least one row was rejected."""


class ParameterError(EvaluationError):
    """A parameter given to the library or a notebook is not valid."""


class ReportError(EvaluationError):
    """A report notebook failed; names the report and the failing cell."""

    def __init__(self, report: str, cell: int | None, message: str) -> None:
        self.report = report
        self.cell = cell
        where = f"cell {cell}" if cell is not None else "en okänd cell"
        super().__init__(f"Rapporten {report!r} misslyckades i {where}: {message}")


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
