"""The built wheel: it carries the notebooks and reference tables as data, builds
without warnings, and runs a round when installed outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    """The wheel `pip wheel --no-deps .` builds, with the build's output."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", str(out), str(REPO)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    [wheel] = out.glob("evaluation-*.whl")
    return wheel, done.stdout + done.stderr


def test_wheel_carries_the_notebooks_and_reference_tables_as_data(built):
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    notebooks = {n for n in names if n.startswith("evaluation/report_notebooks/")}
    assert notebooks == {f"evaluation/report_notebooks/{name}.ipynb"
                         for name in ("regional", "kommunprofil", "nationell")}
    assert {"evaluation/reference_data/municipalities.csv",
            "evaluation/reference_data/programmes.csv"} <= names
    assert {"evaluation/templates/report.html.j2", "evaluation/templates/style.css.j2"} <= names
    assert not any("__pycache__" in n or ".ipynb_checkpoints" in n for n in names)


def test_wheel_builds_without_warnings(built):
    _, output = built
    assert "warning" not in output.lower(), output


def test_source_tree_keeps_notebooks_and_reference_tables_free_of_code():
    assert not (REPO / "notebooks" / "__init__.py").exists()
    assert not (REPO / "data" / "reference" / "__init__.py").exists()


def test_installed_wheel_runs_a_round_outside_the_source_tree(built, tmp_path):
    wheel, _ = built
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; "
                                "print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # The wheel unpacked as pip installs it; its dependencies from this environment,
    # which comes after it on the path (the source tree itself stays off it), with
    # their Jupyter data (nbconvert's base templates, the kernel spec).
    zipfile.ZipFile(wheel).extractall(site)
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()

    def evaluation(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(python), "-m", "evaluation", *args], cwd=work,
                              capture_output=True, text=True, timeout=900,
                              env={"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin",
                                   "HOME": str(tmp_path),
                                   "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")})

    where = subprocess.run([str(python), "-c", "import evaluation; print(evaluation.__file__)"],
                           cwd=work, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site))
    assert evaluation("example", "--out", "data").returncode == 0
    done = evaluation("run", "--data", "data", "--round", "2024", "--out", "site",
                      "--municipality", "1880")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (work / "site" / "2024" / "regional.html").is_file()
    assert (work / "site" / "2024" / "kommuner" / "1880.html").is_file()


def test_evaluators_settings_are_tracked_and_not_ignored():
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)

    if git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git checkout")
    assert git("ls-files", "--error-unmatch", "data/config.toml").returncode == 0
    assert git("check-ignore", "--no-index", "-q", "data/config.toml").returncode == 1
