"""Run a round's report notebooks in parallel, each in a fresh or a recycled kernel.

Notebooks run in worker processes (one per core by default), so the CPU-bound
parts (papermill's bookkeeping, nbconvert's HTML export) run in parallel too,
and a worker exports its own reports to HTML with an exporter it loads once.
Each worker starts its next kernel while the current report runs, which hides
kernel start-up.

Starting a kernel and importing pandas, matplotlib and the library costs
about 2.5 s of CPU per kernel, more than a municipality profile itself (about
0.8 s). With `reports_per_kernel=N` a worker's kernel therefore serves up to N
reports in turn: between two reports the kernel's namespace is cleared
(IPython's reset, which also restarts the execution counter, so "In [N]" and
a failing cell's number mean the same as in a fresh kernel), every matplotlib
figure is closed, the backend, rcParams and the working directory are restored.
Imported modules stay, which is the point. After N reports, or after any failure, the
kernel is shut down and the next report gets a new one. `N=1` (the default)
gives every report a kernel of its own; `choose_reports_per_kernel` is the
rule a run uses.

Kernels talk to their worker over IPC sockets named by a fresh id (on POSIX),
as papermill's and jupyter_client's maintainers recommend for kernels started
side by side: there is no port to race for ("ZMQError: Address already in
use"). A kernel that still fails to start (died before replying to
kernel_info, did not respond in time) is replaced and retried with back-off.
An error raised by a cell is never retried: it is the report's own failure.

The executed notebook is written once, when the report is done (papermill's
save after every cell costs more than the smaller reports' cells); a report
that fails, times out or loses its kernel is written as far as it got.

`NotebookPool` starts the workers, and their first kernels, before the jobs
are known: a run starts them before it computes the round, so that loading
papermill, nbconvert, WeasyPrint and the notebooks' own imports overlaps the
computation instead of following it.

Workers are spawned, not forked: a script that calls `execute_notebooks` must
guard its entry point with `if __name__ == "__main__":`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from evaluation.errors import KernelError, KernelStartError, KernelStartFailed

#: Modules a worker never needs and that cost seconds to import: jsonschema
#: loads the optional `rfc3987_syntax` format checker (it builds a grammar at
#: import) when installed, and nbformat's schema never uses that format.
_SKIPPED_IMPORTS = ("rfc3987_syntax",)

#: Name under which the held-kernel engine is registered with papermill.
ENGINE_NAME = "evaluation"

#: Reports one kernel serves in turn when a round shares kernels. Kernel start
#: and imports (about 2.5 s of CPU) are then paid once per 25 reports, and a
#: kernel's memory is bounded by replacing it that often (benchmarks/README.md).
REPORTS_PER_KERNEL = 25

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_START_MESSAGES = (
    "Kernel died before replying to kernel_info",
    "Kernel didn't respond",
    "Address already in use",
)

#: Module, inside a kernel that serves several reports, holding what is restored
#: between two reports.
_KERNEL_MODULE = "_evaluation_report_kernel"
#: Kernel-side code, run once before a kernel's first report. It loads pyplot as
#: the reports do, because the inline backend adjusts rcParams when it loads:
#: the rcParams recorded are then those a report in a fresh kernel starts from.
#: `gc.freeze` after the reset keeps the collector from re-scanning the imported
#: modules' objects: a full collection in a kernel with pandas and matplotlib
#: loaded takes 0.1-0.15 s, and IPython's reset runs one.
_KERNEL_HELPERS = '''
import gc
import os
import sys
import warnings

from IPython import get_ipython

try:
    import matplotlib
    import matplotlib.pyplot
except ImportError:
    matplotlib = None

cwd = os.getcwd()
backend = rc = None
if matplotlib is not None:
    backend = matplotlib.get_backend()
    rc = dict(matplotlib.rcParams.copy())
    del rc["backend"]
gc.freeze()


def reset():
    """Leave nothing of one report to the next but the imported modules."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
        if backend is not None and matplotlib.get_backend() != backend:
            pyplot.switch_backend(backend)
    if rc is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(rc)
    os.chdir(cwd)
    get_ipython().reset(new_session=True)  # namespace, output cache, the In [N] counter
    # What is left is the imported modules: the collector need not scan them again.
    gc.freeze()
'''
_KERNEL_SETUP = (
    "import sys as _sys, types as _types\n"
    f"_module = _types.ModuleType({_KERNEL_MODULE!r})\n"
    f"exec({_KERNEL_HELPERS!r}, _module.__dict__)\n"
    "_sys.modules[_module.__name__] = _module\n"
    "del _sys, _types, _module\n"
)
_KERNEL_RESET = f"__import__({_KERNEL_MODULE!r}).reset()"

T = TypeVar("T")


def choose_reports_per_kernel(reports: int, workers: int | None = None) -> int:
    """How many reports one kernel serves in a round of `reports` reports.

    Kernels are shared whenever a worker has more than one report to run: even
    a county's 13 reports take half the time that way (benchmarks/README.md),
    and the reset between reports is tested to leave nothing behind. Only when
    every worker runs a single report is there nothing to share.
    """
    if reports < 0:
        raise ValueError(f"reports must be 0 or more, got {reports}")
    workers = workers or os.cpu_count() or 1
    return 1 if reports <= workers else REPORTS_PER_KERNEL


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
    #: When set (with `html`), the worker also prints the HTML to this tagged PDF.
    pdf: Path | None = None


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
    #: Wall time in seconds by step: "execute" (getting a ready kernel included),
    #: "kernel" (of which getting a ready kernel), "export".
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    #: Kernel starts that failed and were retried.
    kernel_retries: int = 0
    #: The name of the exception that failed the job (`ZeroDivisionError`,
    #: `KernelStartError`), None when it succeeded or its PDF alone failed.
    error_name: str | None = None
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
        f"kärnan startade inte efter {attempts} försök: "
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
    reports_per_kernel: int = 1,
) -> list[JobResult]:
    """Execute every job in parallel; one result per job, in job order.

    A failing notebook does not stop the others; its partially executed copy,
    with the failing cell and its error, is written to its output path.
    `cwd` is the kernels' working directory (default: the current one);
    `prestart=False` starts each kernel only when its report begins;
    `reports_per_kernel` is how many reports a kernel serves in turn (1: a
    fresh kernel for every report; see `choose_reports_per_kernel`).
    """
    jobs = list(jobs)
    if not jobs:
        return []
    names = [job.name for job in jobs]
    if len(set(names)) != len(names):
        raise ValueError("job names must be unique")  # before any worker starts
    with NotebookPool(len(jobs), workers, progress, kernel_name, cwd,
                      start_timeout=start_timeout, start_attempts=start_attempts,
                      cell_timeout=cell_timeout, prestart=prestart,
                      reports_per_kernel=reports_per_kernel,
                      export=any(job.html is not None for job in jobs)) as pool:
        return pool.run(jobs)


class NotebookPool:
    """Workers, each with its first kernel booting, started before the jobs are
    known, so that they load papermill, nbconvert and WeasyPrint and their
    kernels import the report libraries (`preload`) while the caller computes the
    round; `run` then executes the jobs as `execute_notebooks` does.

    `expected` is the number of jobs `run` will get (it sizes the pool and tells
    workers whether to boot a spare kernel). Leaving the `with` block ends the
    workers, each taking its kernels down; on an exception that is not an
    interrupt they end as after a run, an interrupt stops them as during one.
    """

    def __init__(self, expected: int, workers: int | None = None, progress: bool = True,
                 kernel_name: str | None = None, cwd: Path | None = None, *,
                 start_timeout: float = 60.0, start_attempts: int = 4,
                 cell_timeout: float | None = None, prestart: bool = True,
                 reports_per_kernel: int = 1, export: bool = True,
                 preload: Sequence[str] = ()) -> None:
        if workers is None:
            workers = os.cpu_count() or 1
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if reports_per_kernel < 1:
            raise ValueError(f"reports_per_kernel must be at least 1, got {reports_per_kernel}")
        self.workers = max(1, min(workers, expected))
        self.progress = progress
        self.settings = _WorkerSettings(
            kernel_name=kernel_name,
            cwd=str(Path(cwd).resolve()) if cwd is not None else os.getcwd(),
            start_timeout=start_timeout,
            start_attempts=start_attempts,
            cell_timeout=cell_timeout,
            prestart=prestart,
            export=export,
            reports_per_kernel=reports_per_kernel,
            preload=tuple(preload),
        )
        self._ctx = multiprocessing.get_context("spawn")
        self._unclaimed = self._ctx.Value("i", max(expected, 0))
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> NotebookPool:
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._ctx, initializer=_init_worker,
            initargs=(self.settings, self._unclaimed))
        # Spawned workers start on demand: one no-op per worker starts them all now.
        for _ in range(self.workers):
            self._pool.submit(_started)
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if exc is not None and isinstance(exc, KeyboardInterrupt | SystemExit):
            _stop_workers(pool, forward=not _is_terminal_interrupt(exc))
        else:
            pool.shutdown(wait=True, cancel_futures=True)

    def run(self, jobs: Sequence[NotebookJob]) -> list[JobResult]:
        """Execute every job; one result per job, in job order (see `execute_notebooks`).
        The workers end when it returns, their PDFs written: a pool runs once."""
        jobs = list(jobs)
        if not jobs:
            return []
        pool = self._pool
        if pool is None:
            raise RuntimeError("NotebookPool.run outside its with block")
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError("job names must be unique")
        for job in jobs:
            job.output.parent.mkdir(parents=True, exist_ok=True)
            if job.html is not None:
                job.html.parent.mkdir(parents=True, exist_ok=True)
        with self._unclaimed.get_lock():
            self._unclaimed.value = len(jobs)

        from tqdm import tqdm

        results: dict[str, JobResult] = {}
        bar = tqdm(
            total=len(jobs),
            desc="rapporter",
            file=sys.stderr,
            disable=not self.progress,
            bar_format="{desc}: {n_fmt}/{total_fmt} klara [{elapsed}]",
        )
        with bar:
            futures = {pool.submit(_run_job, job): job for job in jobs}
            try:
                self._collect(pool, futures, results, bar)
                # The PDFs still being printed are written before the workers end.
                self._pool = None
                pool.shutdown(wait=True)
            except BaseException as exc:  # Ctrl-C, SIGTERM, SIGHUP: start nothing new
                self._pool = None
                _stop_workers(pool, forward=not _is_terminal_interrupt(exc))
                raise
        return [results[job.name] for job in jobs]

    def _collect(self, pool: ProcessPoolExecutor, futures: dict, results: dict,
                 bar: Any) -> None:
        """Collect the reports as they finish and print their PDFs on workers that
        are free, the largest page first: no worker is left with a backlog of PDFs
        while another waits, and the longest PDF does not start last."""
        import heapq

        printing: list[tuple[int, int, Path, Path]] = []  # (−page size, order, html, pdf)
        waiting = set(futures)
        while waiting:
            done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            for future in done:
                job = futures.get(future)
                if job is None:
                    continue  # a PDF: its failure is left as `<pdf>.error`
                try:
                    result = future.result()
                except Exception as exc:  # the worker itself died (killed, out of memory)
                    result = JobResult(job, False, 0.0, None,
                                       short_error(type(exc).__name__, str(exc)),
                                       error_name=type(exc).__name__)
                results[job.name] = result
                if result.ok and job.pdf is not None and job.html is not None:
                    size = Path(job.html).stat().st_size if Path(job.html).is_file() else 0
                    heapq.heappush(printing, (-size, len(results), job.html, job.pdf))
                bar.update(1)
            free = self.workers - len(waiting)  # reports queued count as busy workers
            while printing and free > 0:
                _, _, html, pdf = heapq.heappop(printing)
                waiting.add(pool.submit(_print_pdf, html, pdf))
                free -= 1


def _started() -> None:
    """A no-op a new worker runs once its initializer is done."""


#: How long stopped workers get to take their kernels down before they are ended.
STOP_GRACE_SECONDS = 20.0


def _is_terminal_interrupt(exc: BaseException) -> bool:
    """Ctrl-C reaches every worker from the terminal; SIGTERM and SIGHUP (`Stopped`)
    reach only this process, which passes them on."""
    from evaluation.errors import Stopped

    return isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Stopped)


def _stop_workers(pool: ProcessPoolExecutor, forward: bool) -> None:
    """End every worker, each taking its kernels down first: workers are told to
    stop as Ctrl-C would tell them (when the signal did not reach them already),
    given `STOP_GRACE_SECONDS`, then terminated (their SIGTERM handler cleans up too)
    and, as a last resort, killed."""
    processes = list(getattr(pool, "_processes", {}).values())
    if forward:
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.kill(process.pid, signal.SIGINT)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
            process.join(5.0)
        if process.is_alive():
            process.kill()
            process.join(1.0)


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
    reports_per_kernel: int = 1
    #: Modules every kernel imports as it starts (IPython's `exec_lines`), before
    #: it answers: a kernel booting beside a report or before the jobs are known
    #: is then ready to run one. No name is left in the report's namespace.
    preload: tuple[str, ...] = ()


@dataclass(eq=False)
class _Kernel:
    """A kernel process, the client every report on it talks through, and how
    many reports it has begun."""

    name: str
    manager: Any
    client: Any = None
    reports: int = 0
    #: Id of the reset request sent after the last report, until it is answered.
    pending_reset: str | None = None


class _Worker:
    """Per-process state: settings, a short socket directory, the kernel kept for
    the next report and a spare kernel booting for later."""

    def __init__(self, settings: _WorkerSettings, unclaimed: Any) -> None:
        self.settings = settings
        self.unclaimed = unclaimed
        # IPC socket paths must stay short (about 100 bytes): a short directory in /tmp.
        self.runtime = Path(tempfile.mkdtemp(prefix="evk-"))
        self.spare: _Kernel | None = None
        self.kept: _Kernel | None = None
        self.kernel_names: dict[tuple[str, int], str] = {}

    @property
    def reuse(self) -> bool:
        return self.settings.reports_per_kernel > 1

    def launch(self, kernel_name: str) -> _Kernel:
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
        extra = ["--HistoryManager.hist_file=:memory:"]
        if self.settings.preload:
            extra.append(f"--IPKernelApp.exec_lines={_preload_line(self.settings.preload)}")
        run_sync(km.start_kernel)(extra_arguments=extra, cwd=self.settings.cwd)
        return _Kernel(kernel_name, km)

    @staticmethod
    def discard(kernel: _Kernel) -> None:
        from jupyter_core.utils import run_sync

        km = kernel.manager
        try:
            if kernel.client is not None:
                kernel.client.stop_channels()
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        finally:
            with contextlib.suppress(Exception):
                run_sync(km.cleanup_resources)()

    def kernel_for(self, kernel_name: str) -> _Kernel:
        """A kernel ready for the next report: the kept one once its reset is done,
        else the spare, else a new one."""
        kept, self.kept = self.kept, None
        if kept is not None:
            if kept.name == kernel_name and self.finish_reset(kept):
                return kept
            with contextlib.suppress(Exception):
                self.discard(kept)
        spare, self.spare = self.spare, None
        if spare is not None and spare.name != kernel_name:
            with contextlib.suppress(Exception):
                self.discard(spare)
            spare = None
        kernel = spare or self.launch(kernel_name)
        try:
            self.connect(kernel)
        except Exception as exc:
            with contextlib.suppress(Exception):
                self.discard(kernel)
            raise KernelStartFailed(short_error(type(exc).__name__, str(exc))) from exc
        return kernel

    def connect(self, kernel: _Kernel) -> None:
        """Wait until the kernel answers; prepare it for several reports if it will serve them."""
        from jupyter_core.utils import run_sync

        client = kernel.manager.client()
        kernel.client = client
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=self.settings.start_timeout)
        client.allow_stdin = False
        if self.reuse:
            msg_id = client.execute(_KERNEL_SETUP, silent=True, store_history=False,
                                    allow_stdin=False)
            reply = self.reply(kernel, msg_id, self.settings.start_timeout)
            if reply["content"].get("status") != "ok":
                content = reply["content"]
                raise KernelError("kärnan gick inte att förbereda: " + short_error(
                    str(content.get("ename", "")), str(content.get("evalue", ""))))

    def reply(self, kernel: _Kernel, msg_id: str, timeout: float) -> dict:
        """The kernel's reply to one request; raises if the kernel dies or takes too long."""
        from jupyter_core.utils import run_sync

        get = run_sync(kernel.client.get_shell_msg)
        alive = run_sync(kernel.manager.is_alive)
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = get(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                if not alive():
                    raise KernelError("kärnan avslutades oväntat") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"inget svar från kärnan på {timeout:g} s") from None
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg

    def release(self, kernel: _Kernel) -> None:
        """After a report that succeeded: keep the kernel for the next report, its
        reset running while this worker exports, or shut it down when it has
        served its reports."""
        if kernel.reports < self.settings.reports_per_kernel:
            try:
                kernel.pending_reset = kernel.client.execute(
                    _KERNEL_RESET, silent=True, store_history=False, allow_stdin=False)
            except Exception:
                pass
            else:
                self.kept = kernel
                return
        with contextlib.suppress(Exception):
            self.discard(kernel)

    def finish_reset(self, kernel: _Kernel) -> bool:
        """True when the kernel's reset after its last report succeeded."""
        if kernel.pending_reset is None:
            return True
        try:
            reply = self.reply(kernel, kernel.pending_reset, self.settings.start_timeout)
        except Exception:
            return False
        kernel.pending_reset = None
        return reply["content"].get("status") == "ok"

    def kernel_name(self, notebook: Path) -> str:
        """The notebook's kernel (read once per notebook file, not once per report)."""
        if self.settings.kernel_name:
            return self.settings.kernel_name
        key = (str(notebook), notebook.stat().st_mtime_ns)
        if key not in self.kernel_names:
            import nbformat

            nb = nbformat.read(notebook, as_version=4)
            self.kernel_names[key] = nb.metadata.get("kernelspec", {}).get("name") or "python3"
        return self.kernel_names[key]

    def claim(self) -> bool:
        """Count this job as taken; True when jobs are still waiting for a worker."""
        with self.unclaimed.get_lock():
            self.unclaimed.value -= 1
            return self.unclaimed.value > 0

    def start_spare(self, kernel_name: str) -> None:
        try:
            self.spare = self.launch(kernel_name)
        except Exception:  # the next job starts its own kernel, with retries
            self.spare = None

    def close(self) -> None:
        for kernel in (self.kept, self.spare):
            if kernel is not None:
                with contextlib.suppress(Exception):
                    self.discard(kernel)
        self.kept = self.spare = None
        shutil.rmtree(self.runtime, ignore_errors=True)


def _preload_line(modules: Sequence[str]) -> str:
    """One statement importing each module that exists and binding no name in the
    report's namespace (a name that is not a module is skipped quietly)."""
    for name in modules:
        if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", name):
            raise ValueError(f"not a module name: {name!r}")
    code = (f"for m in {tuple(modules)!r}:\n"
            "    try:\n        __import__(m)\n    except ImportError:\n        pass\n")
    return f"exec({code!r}, {{}})"


def notebook_imports(notebook: Path) -> list[str]:
    """The modules a notebook's code cells import (`from a import b` gives a and a.b,
    b being a module or not), in order: what `NotebookPool(preload=...)` wants."""
    import ast
    import json

    found: dict[str, None] = {}
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse(source if isinstance(source, str) else "".join(source))
        except SyntaxError:  # IPython magics
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(dict.fromkeys(a.name for a in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found[node.module] = None
                found.update(dict.fromkeys(f"{node.module}.{a.name}" for a in node.names
                                           if a.name != "*"))
    return list(found)


_WORKER: _Worker | None = None


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _ignore_stops() -> None:
    """Once a worker stops, a second signal must not cut its kernels' shutdown short;
    and a cell request left pending on a kernel taken down ends in "Kernel died",
    which asyncio would print with its traceback when the request is collected."""
    import logging

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL + 1)


def _init_worker(settings: _WorkerSettings, unclaimed: Any) -> None:
    global _WORKER
    for name in _SKIPPED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    import logging
    from multiprocessing.util import Finalize

    _WORKER = _Worker(settings, unclaimed)
    Finalize(_WORKER, _WORKER.close, exitpriority=10)
    for signum in (signal.SIGTERM, signal.SIGHUP):  # stop as on Ctrl-C: kernels go down
        signal.signal(signum, _interrupt)
    try:
        if settings.prestart:
            # The first kernel boots while this worker loads papermill and nbconvert.
            _WORKER.start_spare(settings.kernel_name or "python3")

        import papermill.engines

        logging.getLogger("papermill").setLevel(logging.WARNING)
        papermill.engines.papermill_engines.register(ENGINE_NAME, _engine_class())
        if settings.export:
            from evaluation.publish.export import warm_up

            warm_up()
            from evaluation.publish.pdf import warm_up as warm_up_pdf

            warm_up_pdf()  # while the first kernel boots
    except KeyboardInterrupt:  # stopped while starting: take the spare kernel down, quietly
        _ignore_stops()
        with contextlib.suppress(Exception):
            _WORKER.close()
        os._exit(130)


def _engine_class() -> type:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.iorw import write_ipynb
    from papermill.log import logger

    class HeldKernelEngine(NBClientEngine):
        """papermill's nbclient engine on a kernel and client the worker holds: the
        worker, not the engine, decides when the kernel goes.

        `record` updates the notebook's papermill metadata before it is written;
        `keep` is where a notebook that ended in an exception other than a cell
        error (a time-out, a dead kernel) is written as far as it got.
        """

        @classmethod
        def execute_notebook(cls, nb, kernel_name, record=None, keep=None, **kwargs):
            try:
                nb = super().execute_notebook(nb, kernel_name, **kwargs)
            except Exception:
                nb.metadata.papermill.update(record or {})
                if keep:
                    with contextlib.suppress(Exception):
                        write_ipynb(nb, keep)
                raise
            nb.metadata.papermill.update(record or {})
            return nb

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, kernel=None, **kwargs):
            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man, km=kernel.manager, kernel_name=kernel_name, timeout=execution_timeout,
                startup_timeout=start_timeout, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file, **kwargs,
            )
            client.kc = kernel.client  # ready: nbclient starts no kernel and no client
            return client.execute(cleanup_kc=False)

    return HeldKernelEngine


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

    def result(ok: bool, cell: int | None = None, error: str | None = None,
               name: str | None = None) -> JobResult:
        return JobResult(job, ok, round(time.perf_counter() - began, 3), cell, error,
                         timings, retries, name)

    def failed(exc: BaseException, cell: int | None = None, prefix: str = "") -> JobResult:
        name = type(exc).__name__
        return result(False, cell, prefix + short_error(name, str(exc)), name)

    try:
        kernel_name = worker.kernel_name(job.notebook)
    except Exception as exc:
        return failed(exc)
    # papermill records the input and output paths as given (absolute here); the
    # executed notebook is published, so it records them relative to `cwd`.
    record = {"input_path": _portable_path(str(job.notebook), settings.cwd),
              "output_path": _portable_path(str(job.output), settings.cwd)}
    held: list[_Kernel] = []

    def acquire() -> _Kernel:
        t0 = time.perf_counter()
        try:
            return worker.kernel_for(kernel_name)
        finally:
            timings["kernel"] = round(timings.get("kernel", 0.0) + time.perf_counter() - t0, 3)

    def run(kernel: _Kernel) -> None:
        held[:] = [kernel]
        kernel.reports += 1
        last = kernel.reports >= settings.reports_per_kernel
        if more and settings.prestart and last and worker.spare is None:
            worker.start_spare(kernel_name)  # boots while this report runs
        papermill.execute_notebook(
            str(job.notebook), str(job.output), parameters=dict(job.parameters),
            engine_name=ENGINE_NAME, kernel=kernel, kernel_name=kernel_name,
            progress_bar=False, start_timeout=settings.start_timeout,
            execution_timeout=settings.cell_timeout, cwd=settings.cwd,
            request_save_on_cell_execute=False, record=record, keep=str(job.output),
        )

    t0 = time.perf_counter()
    try:
        # A kernel that fails while a report runs is discarded here, never reused.
        _, retries = retry_kernel_start(acquire, run, worker.discard,
                                        attempts=settings.start_attempts)
    except PapermillExecutionError as exc:
        timings["execute"] = round(time.perf_counter() - t0, 3)
        cell = _failed_cell(job.output, exc.exec_count)
        return result(False, cell, short_error(exc.ename, exc.evalue), exc.ename)
    except Exception as exc:  # no kernel, a kernel that died mid-run, a time-out
        timings["execute"] = round(time.perf_counter() - t0, 3)
        cell = _failed_cell(job.output, None) if job.output.exists() else None
        return failed(exc, cell)
    except BaseException:  # stopped: the kernel of this report goes down with it
        _ignore_stops()
        for kernel in held:
            with contextlib.suppress(Exception):
                worker.discard(kernel)
        worker.close()
        raise
    timings["execute"] = round(time.perf_counter() - t0, 3)
    worker.release(held[0])

    if job.html is not None:
        from evaluation.publish.export import export_html

        t0 = time.perf_counter()
        try:
            export_html(job.output, job.html, job.title or job.name)
        except Exception as exc:
            timings["export"] = round(time.perf_counter() - t0, 3)
            return failed(exc, prefix="export: ")
        timings["export"] = round(time.perf_counter() - t0, 3)
    return result(True)


def _print_pdf(html: Path, pdf: Path) -> None:
    """Print a report's PDF in a worker (the pool queues it once the report is done).
    A failure leaves `<pdf>.error` for the run to find (`pdf_failures`)."""
    error = pdf_error_file(pdf)
    try:
        from evaluation.publish.pdf import write_pdf

        write_pdf(html, pdf)
    except Exception as exc:
        error.parent.mkdir(parents=True, exist_ok=True)
        error.write_text(short_error(type(exc).__name__, str(exc)), encoding="utf-8")


def pdf_error_file(pdf: Path) -> Path:
    return Path(pdf).with_name(Path(pdf).name + ".error")


def pdf_failures(jobs: Sequence[NotebookJob]) -> dict[str, str]:
    """Reports whose PDF was not written, by job name, with the reason (after
    `execute_notebooks` returned: its workers wait for their PDFs before they end)."""
    failed = {}
    for job in jobs:
        if job.pdf is None or job.html is None or not Path(job.html).is_file():
            continue
        error = pdf_error_file(job.pdf)
        if error.is_file():
            failed[job.name] = "pdf: " + error.read_text(encoding="utf-8")
        elif not Path(job.pdf).is_file():
            failed[job.name] = "pdf: not written"
    return failed
