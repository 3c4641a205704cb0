"""A run stopped by a scheduler (SIGTERM) or a closed terminal (SIGHUP) cleans up as
after Ctrl-C: workers and kernels ended, staging removed, lock released, the published
round untouched. Tested with a real run in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluation.cli import main
from evaluation.publish.staging import RunLock
from evaluation.tools.example import write_example

GOTLAND = "09"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (kernels run in sessions of their own, but stay children)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("gotland")
    data = base / "data"
    write_example(data, region=GOTLAND, seed=1, years=(2024,))
    out = base / "reports"
    assert main(["run", "--data", str(data), "--round", "2024", "--out", str(out),
                 "--region", GOTLAND, "--quiet"]) == 0
    return data, out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see child processes")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_stopped_run_ends_workers_and_kernels_and_leaves_the_round_untouched(published,
                                                                            signum):
    data, out = published
    before = snapshot(out / "2024")
    proc = subprocess.Popen(
        [sys.executable, "-m", "evaluation", "run", "--data", str(data), "--round", "2024",
         "--out", str(out), "--region", GOTLAND, "--quiet", "--force", "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children: set[int] = set()
    deadline = time.monotonic() + 120
    # Wait until the reports run: a staging folder with notebooks and a kernel started.
    while time.monotonic() < deadline and proc.poll() is None:
        staged = [p for p in out.glob(".staging-2024-*") if (p / "notebooks").is_dir()]
        children = descendants(proc.pid)
        if staged and len(children) >= 3:  # two workers and at least one kernel
            break
        time.sleep(0.2)
    assert proc.poll() is None, proc.communicate()
    time.sleep(1.0)
    children |= descendants(proc.pid)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=90)

    assert proc.returncode == 128 + signum, err
    assert "Traceback" not in err, err
    assert "avbruten" in err
    time.sleep(0.5)
    assert [pid for pid in children if alive(pid)] == []
    assert not list(out.glob(".staging-*"))
    assert snapshot(out / "2024") == before
    lock = RunLock(out).acquire()  # free, and not a dead run's lock to take over
    try:
        assert lock.took_over is None
    finally:
        lock.release()
    assert os.path.getsize(out / ".lock") == 0
