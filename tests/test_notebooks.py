"""The report notebooks as evaluators meet them in JupyterLab and in git."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from evaluation.errors import ParameterError
from evaluation.publish.execute import NotebookJob, execute_notebooks
from evaluation.report.parameters import (
    NOTEBOOKS,
    PROFILE,
    REGIONAL,
    _as_declared,
    _assigned,
    check_names,
    check_parameters,
    declared_parameters,
    load_for_report,
    resolve_path,
    unknown_parameter_message,
)

REPO = Path(__file__).resolve().parent.parent
NATIONAL = "nationell.ipynb"
ALL_NOTEBOOKS = [REGIONAL, PROFILE, NATIONAL]
PAPERMILL = Path(sys.executable).parent / "papermill"


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_notebooks_are_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_parameters_cell_is_followed_by_the_library_check(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "check_parameters(globals())" in code[1].source
    assert {"result_path", "data_dir", "year"} <= set(declared_parameters(NOTEBOOKS / name))


def test_unknown_parameter_is_refused_before_execution():
    with pytest.raises(ParameterError, match=r"kommunprofil.ipynb: Okänd parameter "
                                             r"'municipalty' \(menade du 'municipality'\?\)"):
        check_names(NOTEBOOKS / PROFILE, {"municipalty": "1880"})


def test_unknown_parameter_message_is_one_swedish_line_with_the_closest_name():
    message = unknown_parameter_message(["yaer"], ["result_path", "data_dir", "year", "region"])
    assert message == ("Okänd parameter 'yaer' (menade du 'year'?). Anteckningsboken har "
                       "parametrarna result_path, data_dir, year och region.")
    assert "menade du" not in unknown_parameter_message(["zzz"], ["year"])
    assert unknown_parameter_message(["yr", "regoin"], ["year", "region"]).startswith(
        "Okända parametrar 'regoin' (menade du 'region'?), 'yr' (menade du 'year'?).")


def test_declared_and_injected_names_are_read_from_the_cell_source():
    declared = 'result_path: str = ""  # comment\nyear: int = 2026\nregion = "18"\n'
    assert _assigned(declared) == {"result_path": "str", "year": "int", "region": None}
    assert list(_assigned("# Parameters\nyaer = 2028\n")) == ["yaer"]
    assert _assigned("not python (") == {}


def test_relative_path_is_found_in_the_working_directory_first(tmp_path):
    (tmp_path / "data" / "example").mkdir(parents=True)
    found = resolve_path("data_dir", "data/example", cwd=tmp_path)
    assert found == (tmp_path / "data" / "example").resolve()


def test_relative_default_is_found_beside_the_notebooks_from_another_folder(tmp_path):
    found = resolve_path("data_dir", "../data/example", cwd=tmp_path)
    assert found == (NOTEBOOKS / ".." / "data" / "example").resolve()


def test_missing_path_parameter_is_named_in_one_swedish_line(tmp_path):
    with pytest.raises(ParameterError, match=r"^data_dir: 'saknas/2026' finns varken i "
                                             r"arbetsmappen eller i anteckningsböckernas mapp"):
        resolve_path("data_dir", "saknas/2026", cwd=tmp_path)
    with pytest.raises(ParameterError, match="finns inte"):
        resolve_path("boundary_file", str(tmp_path / "gränser.geojson"))


def test_unknown_municipality_parameter_names_the_known_codes():
    with pytest.raises(ParameterError, match="'9999' är inte en kommunkod i Örebro län"):
        load_for_report("", "9999", data_dir=NOTEBOOKS.parent / "data" / "example", year=2026)


def _papermill(name: str, out: Path, *parameters: str) -> subprocess.CompletedProcess:
    """The papermill command line, run from the repository root as a scheduler would."""
    return subprocess.run([str(PAPERMILL), f"notebooks/{name}", str(out), *parameters,
                           "--log-level", "ERROR", "--no-progress-bar"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_plain_papermill_from_the_repository_root_runs_with_the_defaults(name, tmp_path):
    done = _papermill(name, tmp_path / name)
    assert done.returncode == 0, done.stderr[-2000:]
    nb = nbformat.read(tmp_path / name, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []


@pytest.mark.parametrize(("name", "typo", "closest"), [
    (REGIONAL, "yaer", "year"), (PROFILE, "municipalty", "municipality"),
    (NATIONAL, "data_dri", "data_dir")])
def test_plain_papermill_refuses_a_misspelt_parameter_in_swedish(name, typo, closest, tmp_path):
    done = _papermill(name, tmp_path / name, "-p", typo, "2028")
    assert done.returncode != 0
    message = f"Okänd parameter {typo!r} (menade du {closest!r}?)."
    assert message in done.stderr
    nb = nbformat.read(tmp_path / name, as_version=4)
    [error] = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if o.output_type == "error"]
    [line] = error.traceback  # the message alone, no traceback
    assert message in line


def test_profile_runs_with_its_defaults_as_opened_in_jupyterlab(tmp_path):
    job = NotebookJob(name="profil", notebook=NOTEBOOKS / PROFILE,
                      output=tmp_path / "profil.ipynb", parameters={},
                      html=tmp_path / "profil.html", title="Kommunprofil")
    [outcome] = execute_notebooks([job], workers=1, progress=False, cwd=NOTEBOOKS)
    assert outcome.ok, outcome.error
    html = (tmp_path / "profil.html").read_text(encoding="utf-8")
    assert "Kommunprofil: Örebro 2026" in html
    assert "Syntetiska exempeldata" in html


def test_missing_default_path_is_left_for_the_code_that_uses_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"data_dir": "saknas", "result_path": "round.pkl", "year": 2026}
    (tmp_path / "round.pkl").write_bytes(b"")
    check_parameters(namespace)
    assert namespace["data_dir"] == "saknas"
    assert namespace["result_path"] == str((tmp_path / "round.pkl").resolve())
    with pytest.raises(ParameterError, match="^data_dir: mappen 'saknas' finns varken"):
        load_for_report("", data_dir="saknas", year=2026)


def test_plain_papermill_refuses_a_data_dir_that_exists_nowhere(tmp_path):
    done = _papermill(REGIONAL, tmp_path / REGIONAL, "-p", "data_dir", "saknas")
    assert done.returncode != 0
    assert ("data_dir: 'saknas' finns varken i arbetsmappen eller i anteckningsböckernas "
            "mapp (notebooks/)") in done.stderr


def test_given_values_take_the_declared_type():
    assert _as_declared("municipality", 1814, "str") == "1814"
    assert _as_declared("year", "2024", "int") == 2024
    assert _as_declared("year", 2024, "int") == 2024
    assert _as_declared("data_dir", "x", None) == "x"
    with pytest.raises(ParameterError, match=r"^year: '2O24' är inte ett heltal\.$"):
        _as_declared("year", "2O24", "int")


def test_readme_papermill_command_builds_another_municipalitys_profile(tmp_path):
    done = _papermill(PROFILE, tmp_path / "profil.ipynb",
                      "-p", "municipality", "1814", "-p", "year", "2024")
    assert done.returncode == 0, done.stderr[-2000:]
    nb = nbformat.read(tmp_path / "profil.ipynb", as_version=4)
    shown = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells
                    if c.cell_type == "code" for o in c.outputs)
    assert "Kommunprofil: Lekeberg 2024" in shown
