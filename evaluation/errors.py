"""The toolkit's exception tree.

Structural faults stop a run (exit code 1); row faults never raise, they are
recorded as rejections in the validation report instead.
"""

from __future__ import annotations

from evaluation.personal_numbers import mask


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
        where = f"cell {cell}" if cell is not None else "an unknown cell"
        super().__init__(f"Report {report!r} failed in {where}: {message}")


class LockedError(EvaluationError):
    """Another run holds the lock on the output folder."""


class Stopped(KeyboardInterrupt):
    """The run was told to stop (SIGTERM from a scheduler, SIGHUP from a closed
    terminal): it cleans up exactly as after Ctrl-C, which it extends."""

    def __init__(self, signum: int) -> None:
        import signal

        self.signum = int(signum)
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")
