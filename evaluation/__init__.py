"""Follow-up toolkit for a regional parenting-support strategy.

The public API is what the command line calls; the layers below it (intake,
indicators, analysis, report, publish, tools) are the implementation. The functions
load lazily: importing any part of the package, or starting the command line, would
otherwise load pandas, statsmodels and the notebook machinery first.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from evaluation.errors import (
    EvaluationError,
    InputError,
    LockedError,
    ParameterError,
    ReportError,
    Stopped,
    StrictModeError,
)

_LAZY = {
    "validate_round": ("evaluation.intake.validation", "validate_round"),
    "compute_round": ("evaluation.analysis.rounds", "compute"),
    "run_round": ("evaluation.publish.runner", "run_round"),
    "write_template": ("evaluation.tools.template", "write_template"),
    "write_example": ("evaluation.tools.example", "write_example"),
}

__all__ = [
    "validate_round", "compute_round", "run_round", "write_template", "write_example",
    "EvaluationError", "InputError", "StrictModeError", "ParameterError", "ReportError",
    "LockedError", "Stopped",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'evaluation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
