"""Checking the parameters of the report notebooks.

papermill only warns about a parameter the notebook does not declare and runs
on. So the runner checks names against the notebook before executing it, and
the first cell after `parameters` calls `check_parameters(globals())`, which
refuses a name that papermill injected but the notebook does not declare, also
under the plain papermill command line; `load_for_report` then checks values.

Relative paths in parameters (names ending in `_dir`, `_path` or `_file`) are
looked up in the working directory, then in the notebooks' own folder, so that
`papermill notebooks/regional.ipynb out.ipynb` from the repository root finds
the default `../data/example` as JupyterLab, started in `notebooks/`, does.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Mapping, MutableMapping
from importlib import resources
from pathlib import Path
from typing import Any

from evaluation.errors import ParameterError
from evaluation.settings import PROJECT_ROOT

#: The package that carries the notebooks in an installed wheel (see pyproject.toml).
SHIPPED_NOTEBOOKS = "evaluation.report_notebooks"
#: The first line of the cell papermill injects after the `parameters` cell.
INJECTED_MARKER = "# Parameters"
PATH_SUFFIXES = ("_dir", "_path", "_file")


class NotebookParameterError(ParameterError):
    """A parameter refused inside a notebook; shown as its message alone, without a
    traceback, in the notebook and in papermill's report of the failing cell."""

    def _render_traceback_(self) -> list[str]:  # IPython's hook for how an error shows
        return [f"{type(self).__name__}: {self}"]


def notebooks_folder() -> Path:
    """The report notebooks: the source tree's `notebooks/`, or, installed from a wheel,
    the copy shipped inside the package."""
    source = PROJECT_ROOT / "notebooks"
    if source.is_dir():
        return source
    try:  # a namespace package (no __init__.py): ask for a file, then take its folder
        regional = resources.files(SHIPPED_NOTEBOOKS).joinpath("regional.ipynb")
    except ModuleNotFoundError:
        return source
    return Path(str(regional)).parent


NOTEBOOKS = notebooks_folder()
REGIONAL = "regional.ipynb"
PROFILE = "kommunprofil.ipynb"


def notebook(name: str) -> Path:
    """The report notebook `name` a run executes; a missing one is a usage fault."""
    path = NOTEBOOKS / name
    if not path.is_file():
        raise ParameterError(f"report notebook {name!r} not found in {NOTEBOOKS.name}/")
    return path


def declared_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares in its `parameters` cell (name -> info)."""
    import papermill

    return dict(papermill.inspect_notebook(str(notebook)))


def unknown_parameter_message(unknown: Iterable[str], declared: Iterable[str]) -> str:
    """One Swedish line naming each unknown name with the closest declared one."""
    declared = list(declared)
    parts = []
    for name in sorted(unknown):
        closest = difflib.get_close_matches(name, declared, n=1, cutoff=0.5)
        hint = f" (menade du {closest[0]!r}?)" if closest else ""
        parts.append(f"{name!r}{hint}")
    which = "Okänd parameter" if len(parts) == 1 else "Okända parametrar"
    return (f"{which} {', '.join(parts)}. Anteckningsboken har parametrarna "
            f"{_swedish_list(declared)}.")


def check_names(notebook: str | Path, parameters: Mapping[str, Any]) -> None:
    """Refuse, before execution, a parameter the notebook does not declare."""
    declared = declared_parameters(notebook)
    unknown = set(parameters) - set(declared)
    if unknown:
        raise ParameterError(f"{Path(notebook).name}: "
                             + unknown_parameter_message(unknown, declared))


def check_parameters(namespace: MutableMapping[str, Any]) -> None:
    """Check a notebook's parameters in its own namespace (`globals()`), in the cell
    right after `parameters`.

    Refuses a name papermill injected that the `parameters` cell does not declare,
    read from the kernel's input history (papermill runs the injected cell right
    after the declared one), and converts a given value to the declared type. Then
    replaces each relative path parameter by the absolute path it names (see the
    module's docstring); a path given that exists nowhere is refused, a default one
    is left for the code that uses it.
    """
    names, declared = _injected_and_declared() or ({}, {})
    unknown = set(names) - set(declared)
    if unknown:
        raise NotebookParameterError(unknown_parameter_message(unknown, declared))
    for name in names:  # given values in the declared type: `-p municipality 1814` is text
        if name in namespace:
            namespace[name] = _as_declared(name, namespace[name], declared[name])
    for name, value in list(namespace.items()):
        if (not name.startswith("_") and name.endswith(PATH_SUFFIXES)
                and isinstance(value, str) and value):
            try:
                namespace[name] = str(resolve_path(name, value))
            except NotebookParameterError:
                if name in names:  # given, and wrong; a default is checked where used
                    raise


def resolve_path(name: str, value: str | Path, cwd: Path | None = None) -> Path:
    """A path parameter as an absolute path: as given when absolute, else found in the
    working directory or, failing that, in the notebooks' folder."""
    path = Path(value).expanduser()
    if path.is_absolute():
        places = [path]
    else:
        places = [(cwd or Path.cwd()) / path, notebooks_folder() / path]
    for place in places:
        if place.exists():
            return place.resolve()
    if path.is_absolute():
        raise NotebookParameterError(f"{name}: {str(value)!r} finns inte.")
    raise NotebookParameterError(
        f"{name}: {str(value)!r} finns varken i arbetsmappen eller i anteckningsböckernas "
        "mapp (notebooks/); ange sökvägen från någon av dem eller som en absolut sökväg.")


def load_for_report(result_path: str | Path = "", municipality: str | None = None, *,
                    data_dir: str | Path = "", year: int | None = None,
                    region: str = "18"):
    """The computed round a report shows, after checking the report's parameters.

    A run hands every notebook the round it computed (`result_path`); opened by
    hand in JupyterLab with `result_path` empty, the notebook computes the round
    from `data_dir` and `year` itself.
    """
    from evaluation.analysis.results import RoundResult

    if str(result_path):
        path = Path(result_path)
        if not path.is_file():
            raise NotebookParameterError(
                f"result_path: ingen beräknad omgång i {path.name!r}; lämna result_path tom "
                "för att beräkna omgången från data_dir och year.")
        result = RoundResult.load(path)
    else:
        if not str(data_dir) or year is None:
            raise NotebookParameterError(
                "Ange result_path, eller data_dir och year för att beräkna omgången.")
        from evaluation.analysis.rounds import compute

        if not Path(data_dir).is_dir():
            raise NotebookParameterError(
                f"data_dir: mappen {str(data_dir)!r} finns varken i arbetsmappen eller i "
                "anteckningsböckernas mapp (notebooks/); ange den från någon av dem eller "
                "som en absolut sökväg.")
        result = compute(data_dir, int(year), str(region))
    if municipality is not None:
        code = str(municipality).strip()
        known = result.municipalities["code"].tolist()
        if code not in known:
            raise NotebookParameterError(
                f"municipality: {str(municipality)!r} är inte en kommunkod i "
                f"{result.region_name}; välj en av {', '.join(known)}.")
    return result


# ----------------------------------------------------------------- the kernel's history


def _injected_and_declared() -> tuple[dict[str, str | None], dict[str, str | None]] | None:
    """The names papermill's injected cell assigns and those the `parameters` cell
    before it declares; None when no injected cell has run (opened by hand)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None:
        return None
    history = list(shell.history_manager.input_hist_raw)
    for index in range(len(history) - 1, 0, -1):
        if history[index].lstrip().splitlines()[:1] == [INJECTED_MARKER]:
            return _assigned(history[index]), _assigned(history[index - 1])
    return None


def _assigned(source: str) -> dict[str, str | None]:
    """The top-level names a cell assigns, in order, each with its declared type
    (`x: int = 1` -> "int"; `x = 1` -> None)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    names: dict[str, str | None] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names.update(dict.fromkeys(t.id for t in node.targets if isinstance(t, ast.Name)))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            annotation = node.annotation
            names[node.target.id] = annotation.id if isinstance(annotation, ast.Name) else None
    return names


#: The declared types a given value is converted to (papermill's `-p` reads "1814"
#: as a number, `-r` keeps text).
_CONVERT = {"str": str, "int": int, "float": float}


def _as_declared(name: str, value: Any, declared: str | None) -> Any:
    convert = _CONVERT.get(declared or "")
    if convert is None or isinstance(value, convert) and not isinstance(value, bool):
        return value
    if convert is str and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if convert is not str and isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return convert(value)
        except ValueError:
            pass
    kind = {"str": "text", "int": "ett heltal", "float": "ett tal"}[declared]
    raise NotebookParameterError(f"{name}: {value!r} är inte {kind}.")


def _swedish_list(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items) or "inga"
    return f"{', '.join(items[:-1])} och {items[-1]}"
