"""Run a round's report notebooks in parallel, each in a fresh kernel.

Notebooks run in worker processes (one per core by default), so the CPU-bound
parts (papermill's bookkeeping, nbconvert's HTML export) run in parallel too,
and a worker exports its own reports to HTML with an exporter it loads once.
Each worker starts the kernel for its next report while the current one runs,
which hides kernel start-up; every report still gets a kernel of its own, shut
down when the report is done.

Kernels talk to their worker over IPC sockets named by a fresh id (on POSIX),
as papermill's and jupyter_client's maintainers recommend for kernels started
side by side: there is no port to race for ("ZMQError: Address already in
use"). A kernel that still fails to start (died before replying to
kernel_info, did not respond in time) is replaced and retried with back-off.
An error raised by a cell is never retried: it is the report's own failure.

Workers are spawned, not forked: a script that calls `execute_notebooks` must
guard its entry point with `if __name__ == "__main__":`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

#: Modules a worker never needs and that cost seconds to import: jsonschema
#: loads the optional `rfc3987_syntax` format checker (it builds a grammar at
#: import) when installed, and nbformat's schema never uses that format.
_SKIPPED_IMPORTS = ("rfc3987_syntax",)

#: Name under which the pre-started-kernel engine is registered with papermill.
ENGINE_NAME = "evaluation"

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_START_MESSAGES = (
    "Kernel died before replying to kernel_info",
    "Kernel didn't respond",
    "Address already in use",
)

T = TypeVar("T")


@dataclass(frozen=True)
class NotebookJob:
    """One report to produce: a notebook, its parameters and where it goes."""

    name: str
    notebook: Path
    output: Path
    parameters: dict[str, Any]
    #: When set, the worker exports the executed notebook to this HTML file
    #: (only if execution succeeded).
    html: Path | None = None
    #: Page title of the HTML export (the job name when empty).
    title: str = ""


@dataclass(frozen=True)
class JobResult:
    """What happened to one job.

    `failed_cell` is the execution count of the cell that raised ("In [N]" in
    the kept notebook), or for a cell without one its 1-based position among
    the code cells; None when the failure was not in a cell.
    """

    job: NotebookJob
    ok: bool
    seconds: float
    failed_cell: int | None
    error: str | None
    #: Wall time in seconds by step: "execute" (kernel start included), "export".
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    #: Kernel starts that failed and were retried.
    kernel_retries: int = 0


class KernelStartError(RuntimeError):
    """A kernel could not be started, even after retries."""


class KernelStartFailed(RuntimeError):
    """A kernel failed while starting, before any cell ran (retried)."""


def strip_ansi(text: str) -> str:
    """Terminal colour codes out of a message (tracebacks carry them)."""
    return _ANSI.sub("", text)


def short_error(ename: str, evalue: str, limit: int = 300) -> str:
    """`ValueError: message`, on one line and of bounded length."""
    value = " ".join(strip_ansi(str(evalue)).split())
    text = f"{ename}: {value}" if value else ename
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_kernel_start_race(exc: BaseException) -> bool:
    """True for the transient failures of kernels started side by side."""
    if isinstance(exc, KernelStartFailed):
        return True
    try:
        import zmq
    except ImportError:  # pragma: no cover - every kernel needs pyzmq
        zmq = None
    if zmq is not None and isinstance(exc, zmq.ZMQError):
        return True
    return isinstance(exc, RuntimeError) and any(s in str(exc) for s in _START_MESSAGES)


def retry_kernel_start(
    launch: Callable[[], Any],
    use: Callable[[Any], T],
    discard: Callable[[Any], None],
    attempts: int = 4,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, int]:
    """`use(kernel)` on a freshly launched kernel, and how many failed starts it took.

    A failure is retried on a new kernel only when it is a known start race
    (`is_kernel_start_race`), with exponential back-off and jitter so that
    workers that collided once do not collide again. Anything else (an error
    in a cell, an unknown kernel name) propagates at once. A kernel that
    failed is discarded either way.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    last: BaseException | None = None
    for attempt in range(attempts):
        kernel = None
        try:
            kernel = launch()
            return use(kernel), attempt
        except Exception as exc:
            if kernel is not None:
                with contextlib.suppress(Exception):
                    discard(kernel)
            if not is_kernel_start_race(exc):
                raise
            last = exc.__cause__ if isinstance(exc, KernelStartFailed) and exc.__cause__ else exc
            if attempt + 1 < attempts:
                sleep(backoff * (2**attempt) + random.uniform(0, backoff))
    raise KernelStartError(
        f"kernel did not start after {attempts} attempts: "
        f"{short_error(type(last).__name__, str(last))}"
    ) from last


def execute_notebooks(
    jobs: Sequence[NotebookJob],
    workers: int | None = None,
    progress: bool = True,
    kernel_name: str | None = None,
    cwd: Path | None = None,
    *,
    start_timeout: float = 60.0,
    start_attempts: int = 4,
    cell_timeout: float | None = None,
    prestart: bool = True,
) -> list[JobResult]:
    """Execute every job in parallel; one result per job, in job order.

    A failing notebook does not stop the others; its partially executed copy,
    with the failing cell and its error, is written to its output path.
    `cwd` is the kernels' working directory (default: the current one);
    `prestart=False` starts each kernel only when its report begins.
    """
    jobs = list(jobs)
    if not jobs:
        return []
    names = [job.name for job in jobs]
    if len(set(names)) != len(names):
        raise ValueError("job names must be unique")
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    workers = min(workers, len(jobs))
    settings = _WorkerSettings(
        kernel_name=kernel_name,
        cwd=str(Path(cwd).resolve()) if cwd is not None else os.getcwd(),
        start_timeout=start_timeout,
        start_attempts=start_attempts,
        cell_timeout=cell_timeout,
        prestart=prestart,
        export=any(job.html is not None for job in jobs),
    )
    for job in jobs:
        job.output.parent.mkdir(parents=True, exist_ok=True)
        if job.html is not None:
            job.html.parent.mkdir(parents=True, exist_ok=True)

    from tqdm import tqdm

    ctx = multiprocessing.get_context("spawn")
    unclaimed = ctx.Value("i", len(jobs))
    results: dict[str, JobResult] = {}
    bar = tqdm(
        total=len(jobs),
        desc="rapporter",
        file=sys.stderr,
        disable=not progress,
        bar_format="{desc}: {n_fmt}/{total_fmt} klara [{elapsed}]",
    )
    with bar, ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(settings, unclaimed),
    ) as pool:
        futures = {pool.submit(_run_job, job): job for job in jobs}
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # the worker itself died (killed, out of memory)
                    result = JobResult(job, False, 0.0, None,
                                       short_error(type(exc).__name__, str(exc)))
                results[job.name] = result
                bar.update(1)
        except BaseException:  # Ctrl-C: start nothing new; workers take their kernels down
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [results[job.name] for job in jobs]


# --------------------------------------------------------------------------
# Worker side: everything below runs in the worker processes.


@dataclass(frozen=True)
class _WorkerSettings:
    kernel_name: str | None
    cwd: str
    start_timeout: float
    start_attempts: int
    cell_timeout: float | None
    prestart: bool
    export: bool = False


class _Worker:
    """Per-process state: settings, a short socket directory and a spare kernel."""

    def __init__(self, settings: _WorkerSettings, unclaimed: Any) -> None:
        self.settings = settings
        self.unclaimed = unclaimed
        # IPC socket paths must stay short (about 100 bytes): a short directory in /tmp.
        self.runtime = Path(tempfile.mkdtemp(prefix="evk-"))
        self.spare: tuple[str, Any] | None = None

    def launch(self, kernel_name: str) -> Any:
        """Start a kernel process; it boots on its own while the worker goes on."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        options: dict[str, Any] = {"kernel_name": kernel_name}
        if os.name == "posix":
            kernel_id = uuid.uuid4().hex[:16]
            options.update(transport="ipc",
                           connection_file=str(self.runtime / f"k-{kernel_id}.json"))
        km = AsyncKernelManager(**options)
        # An in-memory history database: kernels sharing one history file lock it.
        run_sync(km.start_kernel)(
            extra_arguments=["--HistoryManager.hist_file=:memory:"], cwd=self.settings.cwd
        )
        return km

    @staticmethod
    def discard(km: Any) -> None:
        from jupyter_core.utils import run_sync

        try:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        finally:
            with contextlib.suppress(Exception):
                run_sync(km.cleanup_resources)()

    def kernel_for(self, kernel_name: str) -> Any:
        """The spare kernel if it is of the right kind, else a new one."""
        spare, self.spare = self.spare, None
        if spare is not None:
            if spare[0] == kernel_name:
                return spare[1]
            with contextlib.suppress(Exception):
                self.discard(spare[1])
        return self.launch(kernel_name)

    def claim(self) -> bool:
        """Count this job as taken; True when jobs are still waiting for a worker."""
        with self.unclaimed.get_lock():
            self.unclaimed.value -= 1
            return self.unclaimed.value > 0

    def start_spare(self, kernel_name: str) -> None:
        try:
            self.spare = (kernel_name, self.launch(kernel_name))
        except Exception:  # the next job starts its own kernel, with retries
            self.spare = None

    def close(self) -> None:
        if self.spare is not None:
            with contextlib.suppress(Exception):
                self.discard(self.spare[1])
            self.spare = None
        shutil.rmtree(self.runtime, ignore_errors=True)


_WORKER: _Worker | None = None


def _init_worker(settings: _WorkerSettings, unclaimed: Any) -> None:
    global _WORKER
    for name in _SKIPPED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    import logging
    from multiprocessing.util import Finalize

    _WORKER = _Worker(settings, unclaimed)
    Finalize(_WORKER, _WORKER.close, exitpriority=10)
    if settings.prestart:
        # The first kernel boots while this worker loads papermill and nbconvert.
        _WORKER.start_spare(settings.kernel_name or "python3")

    import papermill.engines

    logging.getLogger("papermill").setLevel(logging.WARNING)
    papermill.engines.papermill_engines.register(ENGINE_NAME, _engine_class())
    if settings.export:
        from evaluation.export import warm_up

        warm_up()


def _engine_class() -> type:
    from jupyter_core.utils import run_sync
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.log import logger

    class Client(PapermillNotebookClient):
        """Tells a kernel that failed to start apart from a cell that failed."""

        async def async_start_new_kernel_client(self):
            try:
                return await super().async_start_new_kernel_client()
            except Exception as exc:
                raise KernelStartFailed(short_error(type(exc).__name__, str(exc))) from exc

        start_new_kernel_client = run_sync(async_start_new_kernel_client)

    class PrestartedKernelEngine(NBClientEngine):
        """papermill's nbclient engine on a kernel that is already booting; the
        kernel and its client are shut down when the notebook is done."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, km=None, **kwargs):
            kwargs.pop("input_path", None)
            client = Client(
                nb_man, km=km, kernel_name=kernel_name, timeout=execution_timeout,
                startup_timeout=start_timeout, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file,
                shutdown_kernel="immediate", **kwargs,
            )
            return client.execute(cleanup_kc=True)

    return PrestartedKernelEngine


def _notebook_kernel_name(path: Path, default: str | None) -> str:
    if default:
        return default
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return nb.metadata.get("kernelspec", {}).get("name") or "python3"


def _failed_cell(output: Path, exec_count: int | None) -> int | None:
    if exec_count is not None:
        return int(exec_count)
    import nbformat

    try:
        nb = nbformat.read(output, as_version=4)
    except Exception:
        return None
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    last_started = None
    for position, cell in enumerate(code_cells, start=1):
        state = cell.get("metadata", {}).get("papermill", {})
        number = cell.get("execution_count") or position
        if state.get("exception"):
            return number
        if state.get("start_time"):
            last_started = number
    # A time-out or a dead kernel ends the run in the last cell that started.
    return last_started


def _portable_path(path: str, cwd: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(cwd)).as_posix()
    except ValueError:
        return Path(path).name


def _portable_metadata(job: NotebookJob, cwd: str) -> None:
    """papermill records the notebook's input and output paths as given (absolute
    here); the executed notebook is published, so they become relative to `cwd`."""
    import nbformat

    nb = nbformat.read(job.output, as_version=4)
    record = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if record.get(key):
            record[key] = _portable_path(record[key], cwd)
    nbformat.write(nb, job.output)


def _run_job(job: NotebookJob) -> JobResult:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    worker = _WORKER
    assert worker is not None, "worker not initialised"
    settings = worker.settings
    began = time.perf_counter()
    timings: dict[str, float] = {}
    retries = 0
    more = worker.claim()

    def result(ok: bool, cell: int | None = None, error: str | None = None) -> JobResult:
        return JobResult(job, ok, round(time.perf_counter() - began, 3), cell, error,
                         timings, retries)

    try:
        kernel_name = _notebook_kernel_name(job.notebook, settings.kernel_name)
    except Exception as exc:
        return result(False, None, short_error(type(exc).__name__, str(exc)))
    spare_wanted = [more and settings.prestart]

    def run(km: Any) -> None:
        if spare_wanted.pop() if spare_wanted else False:
            worker.start_spare(kernel_name)  # boots while this report runs
        papermill.execute_notebook(
            str(job.notebook), str(job.output), parameters=dict(job.parameters),
            engine_name=ENGINE_NAME, km=km, kernel_name=kernel_name,
            progress_bar=False, start_timeout=settings.start_timeout,
            execution_timeout=settings.cell_timeout, cwd=settings.cwd,
        )

    t0 = time.perf_counter()
    try:
        _, retries = retry_kernel_start(
            lambda: worker.kernel_for(kernel_name), run, worker.discard,
            attempts=settings.start_attempts,
        )
    except PapermillExecutionError as exc:
        timings["execute"] = round(time.perf_counter() - t0, 3)
        cell = _failed_cell(job.output, exc.exec_count)
        return result(False, cell, short_error(exc.ename, exc.evalue))
    except Exception as exc:  # no kernel, a kernel that died mid-run, a time-out
        timings["execute"] = round(time.perf_counter() - t0, 3)
        cell = _failed_cell(job.output, None) if job.output.exists() else None
        return result(False, cell, short_error(type(exc).__name__, str(exc)))
    timings["execute"] = round(time.perf_counter() - t0, 3)
    _portable_metadata(job, settings.cwd)

    if job.html is not None:
        from evaluation.export import export_html

        t0 = time.perf_counter()
        try:
            export_html(job.output, job.html, job.title or job.name)
        except Exception as exc:
            timings["export"] = round(time.perf_counter() - t0, 3)
            return result(False, None, "export: " + short_error(type(exc).__name__, str(exc)))
        timings["export"] = round(time.perf_counter() - t0, 3)
    return result(True)
