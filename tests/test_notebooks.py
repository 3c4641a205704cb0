"""The report notebooks as evaluators meet them in JupyterLab and in git."""

from __future__ import annotations

import nbformat
import pytest

from evaluation.exceptions import ParameterError
from evaluation.execute import NotebookJob, execute_notebooks
from evaluation.parameters import check_names, declared_parameters, load_for_report
from evaluation.runner import NOTEBOOKS, PROFILE, REGIONAL


@pytest.mark.parametrize("name", [REGIONAL, PROFILE])
def test_notebooks_are_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", [REGIONAL, PROFILE])
def test_parameters_cell_is_followed_by_the_library_check(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "load_for_report(" in code[1].source
    assert {"result_path", "data_dir", "year", "region"} <= set(declared_parameters(
        NOTEBOOKS / name))


def test_unknown_parameter_is_refused_before_execution():
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['municipalty'\]"):
        check_names(NOTEBOOKS / PROFILE, {"municipalty": "1880"})


def test_unknown_municipality_parameter_names_the_known_codes():
    with pytest.raises(ParameterError, match="'9999' is not a municipality code of Örebro län"):
        load_for_report("", "9999", data_dir=NOTEBOOKS.parent / "data" / "example", year=2026)


def test_profile_runs_with_its_defaults_as_opened_in_jupyterlab(tmp_path):
    job = NotebookJob(name="profil", notebook=NOTEBOOKS / PROFILE,
                      output=tmp_path / "profil.ipynb", parameters={},
                      html=tmp_path / "profil.html", title="Kommunprofil")
    [outcome] = execute_notebooks([job], workers=1, progress=False, cwd=NOTEBOOKS)
    assert outcome.ok, outcome.error
    html = (tmp_path / "profil.html").read_text(encoding="utf-8")
    assert "Kommunprofil: Örebro 2026" in html
    assert "Syntetiska exempeldata" in html
