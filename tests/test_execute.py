"""Parallel notebook execution: fresh kernels, failures kept, start races retried.

Toy notebooks are built with nbformat's builders and import nothing heavy, so
these tests stay light on a shared two-core machine.
"""

from __future__ import annotations

import errno
import json
import sys
from pathlib import Path

import nbformat
import pytest
import zmq
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from evaluation.publish.execute import (
    KernelStartError,
    KernelStartFailed,
    NotebookJob,
    choose_reports_per_kernel,
    execute_notebooks,
    is_kernel_start_race,
    retry_kernel_start,
    short_error,
)


def write_notebook(path: Path, *sources: str, parameters: str = "label = 'standard'") -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    nb.cells += [new_markdown_cell(s[3:]) if s.startswith("md:") else new_code_cell(s)
                 for s in sources]
    nbformat.write(nb, path)
    return path


def stdout_of(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("name") == "stdout")


def test_notebooks_run_in_parallel_workers_each_with_a_fresh_kernel(tmp_path):
    source = write_notebook(
        tmp_path / "report.ipynb",
        "import os\nprint(f'label={label} kernel={os.getpid()} worker={os.getppid()}')\n"
        "print('seen_before' in globals())\nseen_before = True",
    )
    jobs = [NotebookJob(f"kommuner/{code}", source, tmp_path / "out" / f"{code}.ipynb",
                        {"label": code}, html=tmp_path / "site" / f"{code}.html",
                        title=f"Kommunprofil {code}")
            for code in ("1880", "1814", "1860", "1861")]

    results = execute_notebooks(jobs, workers=2, progress=False, cwd=tmp_path)

    assert [r.job.name for r in results] == [j.name for j in jobs]
    assert all(r.ok and r.error is None and r.failed_cell is None for r in results)
    lines = {code: stdout_of(tmp_path / "out" / f"{code}.ipynb").split()
             for code in ("1880", "1814", "1860", "1861")}
    for code, words in lines.items():
        assert words[0] == f"label={code}"
        assert words[3] == "False"  # nothing left from another report
    kernels = {words[1] for words in lines.values()}
    workers = {words[2] for words in lines.values()}
    assert len(kernels) == 4
    assert len(workers) == 2
    page = (tmp_path / "site" / "1814.html").read_text(encoding="utf-8")
    assert "<title>Kommunprofil 1814</title>" in page
    assert "label=1814 kernel=" in page
    assert "os.getpid" not in page and "label = " not in page  # no code, no parameters
    assert all(set(r.timings) == {"kernel", "execute", "export"} for r in results)
    record = nbformat.read(tmp_path / "out" / "1814.ipynb", as_version=4).metadata.papermill
    assert (record.input_path, record.output_path) == ("report.ipynb", "out/1814.ipynb")


def test_failing_notebook_names_its_cell_and_keeps_partial_output(tmp_path):
    good = write_notebook(tmp_path / "good.ipynb", "print('klar')")
    bad = write_notebook(
        tmp_path / "bad.ipynb",
        "x = 1",
        "md:Text between the cells",
        "raise ValueError('trasigt värde i \\x1b[31mfärg\\x1b[0m')",
        "print('aldrig')",
    )
    jobs = [NotebookJob("regional", good, tmp_path / "regional.ipynb", {"label": "a"}),
            NotebookJob("kommuner/1880", bad, tmp_path / "1880.ipynb", {"label": "b"},
                        html=tmp_path / "1880.html")]

    ok, failed = execute_notebooks(jobs, workers=2, progress=False)

    assert ok.ok and stdout_of(tmp_path / "regional.ipynb").strip() == "klar"
    assert not failed.ok
    # In [1] parameters, In [2] papermill's injected parameters, In [3] x = 1, In [4] raise
    assert failed.failed_cell == 4
    assert failed.error == "ValueError: trasigt värde i färg"
    assert failed.kernel_retries == 0
    assert not (tmp_path / "1880.html").exists()  # a failed report is never exported
    kept = nbformat.read(tmp_path / "1880.ipynb", as_version=4)
    raising = next(c for c in kept.cells if c.cell_type == "code" and "raise" in c.source)
    assert [o.output_type for o in raising.outputs] == ["error"]
    assert raising.outputs[0].ename == "ValueError"
    never = next(c for c in kept.cells if c.cell_type == "code" and "aldrig" in c.source)
    assert never.outputs == []


FLAKY_KERNEL = """
import os, runpy, sys
marker = sys.argv[2]
if not os.path.exists(marker):
    open(marker, "w").close()
    sys.exit(3)          # dies before replying to kernel_info, like a lost start race
sys.argv = ["ipykernel_launcher", "-f", sys.argv[1]]
runpy.run_module("ipykernel_launcher", run_name="__main__")
"""


def test_cell_that_runs_past_the_time_limit_fails_its_report_without_retry(tmp_path):
    source = write_notebook(tmp_path / "slow.ipynb", "x = 1", "import time; time.sleep(30)")

    [result] = execute_notebooks(
        [NotebookJob("regional", source, tmp_path / "slow-out.ipynb", {})],
        workers=1, progress=False, cell_timeout=1,
    )

    assert not result.ok
    assert result.error.startswith("CellTimeoutError")
    assert result.failed_cell == 3  # parameters, x = 1, the sleeping cell
    assert result.kernel_retries == 0
    assert result.seconds < 20


def test_kernel_that_dies_while_starting_is_replaced_and_the_report_runs(tmp_path, monkeypatch):
    script = tmp_path / "flaky_kernel.py"
    script.write_text(FLAKY_KERNEL, encoding="utf-8")
    spec = tmp_path / "jupyter" / "kernels" / "flaky"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(script), "{connection_file}", str(tmp_path / "died")],
        "display_name": "flaky", "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    source = write_notebook(tmp_path / "report.ipynb", "print(label)")

    [result] = execute_notebooks(
        [NotebookJob("regional", source, tmp_path / "out.ipynb", {"label": "andra försöket"})],
        workers=1, progress=False, kernel_name="flaky",
    )

    assert (tmp_path / "died").exists()
    assert result.ok, result.error
    assert result.kernel_retries == 1
    assert stdout_of(tmp_path / "out.ipynb").strip() == "andra försöket"


class FakeKernel:
    def __init__(self, number: int) -> None:
        self.number = number


def fake_launcher():
    launched: list[FakeKernel] = []

    def launch() -> FakeKernel:
        launched.append(FakeKernel(len(launched) + 1))
        return launched[-1]

    return launch, launched


def test_start_race_is_retried_with_growing_backoff_on_new_kernels():
    launch, launched = fake_launcher()
    discarded, sleeps = [], []

    def use(kernel: FakeKernel) -> str:
        if kernel.number < 3:
            raise KernelStartFailed("RuntimeError: Kernel died before replying to kernel_info")
        return f"kernel {kernel.number}"

    value, retries = retry_kernel_start(launch, use, discarded.append, attempts=4,
                                        backoff=0.5, sleep=sleeps.append)

    assert (value, retries) == ("kernel 3", 2)
    assert [k.number for k in discarded] == [1, 2]
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 1.5


def test_error_in_a_cell_is_not_retried():
    launch, launched = fake_launcher()

    def use(kernel: FakeKernel) -> None:
        raise ValueError("a real failure of the report")

    with pytest.raises(ValueError, match="real failure"):
        retry_kernel_start(launch, use, lambda k: None, attempts=4, sleep=lambda s: None)
    assert len(launched) == 1


def test_kernel_that_never_starts_gives_up_after_the_last_attempt():
    launch, launched = fake_launcher()

    def use(kernel: FakeKernel) -> None:
        raise zmq.ZMQError(errno.EADDRINUSE)

    with pytest.raises(KernelStartError, match="did not start after 3 attempts: ZMQError"):
        retry_kernel_start(launch, use, lambda k: None, attempts=3, sleep=lambda s: None)
    assert len(launched) == 3


@pytest.mark.parametrize(("exc", "race"), [
    (zmq.ZMQError(errno.EADDRINUSE), True),
    (RuntimeError("Kernel died before replying to kernel_info"), True),
    (RuntimeError("Kernel didn't respond in 60 seconds"), True),
    (KernelStartFailed("TimeoutError: timed out"), True),
    (DeadKernelError("Kernel died"), False),
    (CellTimeoutError("A cell timed out while it was being executed"), False),
    (ValueError("Kernel died before replying to kernel_info"), False),
])
def test_only_kernel_start_failures_count_as_start_races(exc, race):
    assert is_kernel_start_race(exc) is race


def test_error_message_is_one_line_without_colour_codes():
    assert short_error("KeyError", "\x1b[0;31m'1880'\x1b[0m\n  not found") == \
        "KeyError: '1880' not found"
    assert len(short_error("ValueError", "x" * 1000, limit=50)) == 50


def test_no_jobs_means_no_workers_and_no_results():
    assert execute_notebooks([], progress=False) == []


def test_job_names_must_be_unique(tmp_path):
    job = NotebookJob("regional", tmp_path / "a.ipynb", tmp_path / "b.ipynb", {})
    with pytest.raises(ValueError, match="unique"):
        execute_notebooks([job, job], progress=False)


def test_missing_notebook_is_a_failed_job_not_a_crash_and_progress_is_shown(tmp_path, capsys):
    job = NotebookJob("regional", tmp_path / "missing.ipynb", tmp_path / "out.ipynb", {})

    [result] = execute_notebooks([job], progress=True, prestart=False)

    assert not result.ok
    assert result.failed_cell is None
    assert result.error.startswith("FileNotFoundError")
    assert "rapporter: 1/1 klara [00:0" in capsys.readouterr().err


REPORT_STATE = (
    "import os\nimport matplotlib\nimport matplotlib.pyplot as plt\n"
    "print(f'label={label} kernel={os.getpid()}')\n"
    "print('left_by_earlier_report' in globals(), plt.get_fignums(), matplotlib.get_backend(),\n"
    "      matplotlib.rcParams['lines.linewidth'], os.getcwd() == start_dir)"
)
REPORT_LEAVES = (
    "left_by_earlier_report = label\n"
    "plt.rcParams['lines.linewidth'] = 7\n"
    "plt.switch_backend('agg')  # the inline backend would show and close the figure\n"
    "figure = plt.figure()\n"
    "os.chdir('/')"
)


def test_kernel_serving_several_reports_shows_each_nothing_of_the_one_before(tmp_path):
    source = write_notebook(
        tmp_path / "report.ipynb", REPORT_STATE, REPORT_LEAVES,
        "print(plt.get_fignums(), matplotlib.get_backend())",
        parameters=f"label = 'standard'\nstart_dir = {str(tmp_path)!r}",
    )
    codes = ("1880", "1814", "1860")
    jobs = [NotebookJob(f"kommuner/{code}", source, tmp_path / "out" / f"{code}.ipynb",
                        {"label": code}) for code in codes]

    results = execute_notebooks(jobs, workers=1, progress=False, cwd=tmp_path,
                                reports_per_kernel=2)

    assert all(r.ok for r in results), [r.error for r in results]
    lines = {code: stdout_of(tmp_path / "out" / f"{code}.ipynb").splitlines()
             for code in codes}
    kernels = [lines[code][0].split()[1] for code in codes]
    assert kernels[0] == kernels[1] != kernels[2]  # two reports, then a new kernel
    for code in codes:
        assert lines[code][0].startswith(f"label={code} ")
        # no variable, no open figure, the kernel's own backend, matplotlib's default
        # line width, the run's folder
        assert lines[code][1] == "False [] module://matplotlib_inline.backend_inline 1.5 True"
        assert lines[code][2] == "[1] agg"  # each report did leave a figure open
    second = nbformat.read(tmp_path / "out" / "1814.ipynb", as_version=4)
    # parameters, injected parameters, then the three cells: counted as in a fresh kernel
    assert [c.execution_count for c in second.cells if c.cell_type == "code"] == [1, 2, 3, 4, 5]


def test_failed_report_on_a_shared_kernel_is_named_and_its_kernel_replaced(tmp_path):
    good = write_notebook(tmp_path / "good.ipynb", "import os\nprint(os.getpid())")
    bad = write_notebook(tmp_path / "bad.ipynb", "import os\nprint(os.getpid())",
                         "raise ValueError('trasigt')", "print('aldrig')")
    jobs = [NotebookJob("kommuner/1880", good, tmp_path / "1880.ipynb", {}),
            NotebookJob("kommuner/1814", bad, tmp_path / "1814.ipynb", {}),
            NotebookJob("kommuner/1860", good, tmp_path / "1860.ipynb", {})]

    first, failed, after = execute_notebooks(jobs, workers=1, progress=False,
                                             reports_per_kernel=10)

    assert first.ok and after.ok
    # In [1] parameters (none injected), In [2] the pid, In [3] raise: as in a fresh kernel
    assert (failed.ok, failed.failed_cell, failed.error) == (False, 3, "ValueError: trasigt")
    pids = [stdout_of(tmp_path / f"{code}.ipynb").strip() for code in ("1880", "1814", "1860")]
    assert pids[0] == pids[1]  # the failing report ran on the kernel it shared
    assert pids[2] != pids[1]  # and that kernel served no report after it


@pytest.mark.parametrize(("reports", "workers", "per_kernel"), [
    (1, 2, 1), (2, 2, 1), (4, 4, 1),  # one report per worker: nothing to share
    (3, 2, 25), (13, 2, 25), (312, 2, 25),
])
def test_kernels_are_shared_once_a_worker_has_more_than_one_report(reports, workers,
                                                                   per_kernel):
    assert choose_reports_per_kernel(reports, workers) == per_kernel


def test_kernel_must_serve_at_least_one_report(tmp_path):
    job = NotebookJob("regional", tmp_path / "a.ipynb", tmp_path / "b.ipynb", {})
    with pytest.raises(ValueError, match="reports_per_kernel must be at least 1"):
        execute_notebooks([job], progress=False, reports_per_kernel=0)
