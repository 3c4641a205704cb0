"""Checking the parameters of the report notebooks.

papermill only warns about a parameter the notebook does not declare, so the
runner checks names against the notebook before executing it, and the first
cell after `parameters` checks values through `load_for_report`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evaluation.exceptions import ParameterError


def declared_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares in its `parameters` cell (name -> info)."""
    import papermill

    return dict(papermill.inspect_notebook(str(notebook)))


def check_names(notebook: str | Path, parameters: Mapping[str, Any]) -> None:
    declared = declared_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ParameterError(
            f"{Path(notebook).name}: unknown parameter(s) {unknown}; "
            f"the notebook declares {sorted(declared)}"
        )


def load_for_report(result_path: str | Path = "", municipality: str | None = None, *,
                    data_dir: str | Path = "", year: int | None = None,
                    region: str = "18"):
    """The computed round a report shows, after checking the report's parameters.

    A run hands every notebook the round it computed (`result_path`); opened by
    hand in JupyterLab with `result_path` empty, the notebook computes the round
    from `data_dir` and `year` itself.
    """
    from evaluation.results import RoundResult

    if str(result_path):
        path = Path(result_path)
        if not path.is_file():
            raise ParameterError(
                f"result_path: no computed round at {path.name!r}; leave it empty to compute "
                "the round from data_dir and year"
            )
        result = RoundResult.load(path)
    else:
        if not str(data_dir) or year is None:
            raise ParameterError("give result_path, or data_dir and year to compute the round")
        from evaluation.runner import compute

        result = compute(data_dir, int(year), str(region))
    if municipality is not None:
        code = str(municipality).strip()
        known = result.municipalities["code"].tolist()
        if code not in known:
            raise ParameterError(
                f"municipality: {municipality!r} is not a municipality code of "
                f"{result.region_name}; expected one of {', '.join(known)}"
            )
    return result
