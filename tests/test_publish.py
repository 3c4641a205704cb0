"""Atomic publishing, failed runs, the run manifest and the run lock."""

from __future__ import annotations

import json
import os
import platform
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import evaluation.publish.staging as publishing
from evaluation.errors import LockedError, ParameterError
from evaluation.publish.staging import (
    RunLock,
    keep_failed,
    publish,
    recover,
    staging,
    write_manifest,
)

PROJECT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fill(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


OLD_ROUND = {"manifest.json": "{}", "index.html": "gammal", "regional.html": "gammal rapport",
             "kommuner/1880.html": "Örebro 2026, första körningen"}
NEW_ROUND = {"manifest.json": "{}", "index.html": "ny", "regional.html": "ny rapport",
             "kommuner/1880.html": "Örebro",
             "kommuner/1814.html": "Lekeberg"}


@pytest.fixture(params=["exchange", "two renames"])
def swap_mode(request, monkeypatch):
    if request.param == "two renames":
        monkeypatch.setattr(publishing, "_exchange", lambda a, b: False)
    return request.param


def test_staging_folder_is_fresh_and_inside_the_output_folder(tmp_path):
    first = staging(tmp_path / "out", 2026)
    fill(first, {"regional.html": "halvfärdig"})
    again = staging(tmp_path / "out", 2026)
    assert again.parent == tmp_path / "out"
    assert again.name == f".staging-2026-{os.getpid()}"
    assert list(again.iterdir()) == []


def test_publish_replaces_the_round_with_the_staged_one(tmp_path, swap_mode):
    out = tmp_path / "out"
    fill(out / "2026", OLD_ROUND)
    fill(out / "2024", {"index.html": "2024"})
    stage = staging(out, 2026)
    fill(stage, NEW_ROUND)

    published = publish(stage, out, 2026)

    assert published == out / "2026"
    assert snapshot(out / "2026") == {k: v.encode() for k, v in NEW_ROUND.items()}
    assert snapshot(out / "2024") == {"index.html": b"2024"}
    assert sorted(p.name for p in out.iterdir()) == ["2024", "2026"]  # no leftovers


def test_folders_are_swapped_in_one_step_where_the_system_can(tmp_path):
    fill(tmp_path / "a", {"gammal.html": "a"})
    fill(tmp_path / "b", {"ny.html": "b"})
    if not publishing._exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("this system or filesystem cannot swap folders in one step")
    assert snapshot(tmp_path / "a") == {"ny.html": b"b"}
    assert snapshot(tmp_path / "b") == {"gammal.html": b"a"}


def test_first_publish_of_a_year_creates_the_round(tmp_path):
    out = tmp_path / "out"
    stage = staging(out, 2024)
    fill(stage, {"index.html": "första"})
    publish(stage, out, 2024)
    assert snapshot(out / "2024") == {"index.html": "första".encode()}


def test_failed_run_keeps_its_notebook_and_leaves_the_round_byte_identical(tmp_path):
    out = tmp_path / "out"
    fill(out / "2026", OLD_ROUND)
    before = snapshot(out / "2026")
    stage = staging(out, 2026)
    fill(stage, {"notebooks/regional.ipynb": '{"cells": "klar"}',
                 "notebooks/kommuner/1880.ipynb": '{"cells": "ValueError i cell 4"}'})

    kept = keep_failed(stage, out, 2026)

    assert kept == out / ".failed" / "2026"
    failed_notebook = kept / "notebooks/kommuner/1880.ipynb"
    assert failed_notebook.read_text() == '{"cells": "ValueError i cell 4"}'
    assert not stage.exists()
    assert snapshot(out / "2026") == before


def test_staging_must_be_inside_the_output_folder(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(ParameterError, match="directly in the output folder"):
        publish(elsewhere, tmp_path / "out", 2026)


def test_publish_cut_between_the_two_renames_is_repaired_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    fill(out / ".old-2026-999999", OLD_ROUND)  # the old round renamed aside, then the crash
    fill(out / ".staging-2026-999999", NEW_ROUND)

    notes = recover(out, 2026)

    assert snapshot(out / "2026") == {k: v.encode() for k, v in OLD_ROUND.items()}
    assert not (out / ".old-2026-999999").exists()
    assert not (out / ".staging-2026-999999").exists()  # pid 999999 does not run
    assert any("restored round 2026" in note for note in notes)


def test_recover_leaves_a_running_staging_and_other_years_alone(tmp_path):
    out = tmp_path / "out"
    fill(out / "2026", OLD_ROUND)
    live = out / f".staging-2026-{os.getppid()}"
    other_year = out / ".old-2024-999999"
    live.mkdir()
    other_year.mkdir()
    assert recover(out, 2026) == []
    assert live.exists() and other_year.exists()


# --------------------------------------------------------------------------
# manifest

SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2
SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def make_inputs(tmp_path: Path) -> list[Path]:
    data = tmp_path / "machine" / "data" / "2026"
    data.mkdir(parents=True)
    (data / "program.csv").write_bytes(b"abc")
    (data / "sub").mkdir()
    (data / "sub" / "befolkning.xlsx").write_bytes(b"")
    return [data / "sub" / "befolkning.xlsx", data / "program.csv"]


def test_manifest_records_inputs_with_sizes_and_sha256(tmp_path):
    path = write_manifest(tmp_path / "manifest.json", make_inputs(tmp_path),
                          {"round": 2026, "region": "18"}, {"execute": 12.5})
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest["inputs"] == [
        {"file": "program.csv", "bytes": 3, "sha256": SHA256_ABC},
        {"file": "sub/befolkning.xlsx", "bytes": 0, "sha256": SHA256_EMPTY},
    ]
    assert manifest["parameters"] == {"round": 2026, "region": "18"}
    assert manifest["timings"] == {"execute": 12.5}


def test_manifest_holds_no_absolute_path_of_the_machine(tmp_path):
    inputs = make_inputs(tmp_path)
    path = write_manifest(tmp_path / "manifest.json", inputs,
                          {"data": tmp_path / "machine" / "data", "out": str(tmp_path / "ut"),
                           "municipalities": ["1880"], "strict": False},
                          {"total": 1.0})
    text = path.read_text(encoding="utf-8")
    assert str(tmp_path) not in text
    assert str(PROJECT) not in text
    assert str(Path.home()) + "/" not in text
    manifest = json.loads(text)
    assert manifest["parameters"] == {"data": "data", "out": "ut", "municipalities": ["1880"],
                                      "strict": False}


def test_manifest_records_package_versions_and_python(tmp_path):
    manifest = json.loads(write_manifest(tmp_path / "m.json", [], {}, {}).read_text())
    packages = manifest["packages"]
    for name in ("pandas", "statsmodels", "matplotlib", "papermill", "nbconvert", "numpy",
                 "openpyxl"):
        assert packages[name] and packages[name][0].isdigit(), name
    assert packages["python"] == platform.python_version()
    assert manifest["inputs"] == []


def test_code_version_is_the_git_commit_in_a_checkout(tmp_path):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True,
                          text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    manifest = json.loads(write_manifest(tmp_path / "m.json", [], {}, {}).read_text())
    assert manifest["code"]["git_commit"] == head.stdout.strip()


def test_code_version_falls_back_to_the_package_version_without_git(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no git to be found
    manifest = json.loads(write_manifest(tmp_path / "m.json", [], {}, {}).read_text())
    assert manifest["code"] == {"package_version": "0.1.0"}  # pyproject.toml's version


# --------------------------------------------------------------------------
# lock

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from evaluation.publish.staging import RunLock
    lock = RunLock(Path(sys.argv[1])).acquire()
    print("locked", flush=True)
    time.sleep(60)
""")


def start_holder(out: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], cwd=PROJECT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_run_on_the_same_output_folder_fails_at_once(tmp_path):
    with RunLock(tmp_path / "out"):
        with pytest.raises(LockedError, match=rf"in use by another run \(pid {os.getpid()} "
                                              rf"on host '{socket.gethostname()}'"):
            RunLock(tmp_path / "out").acquire()
    with RunLock(tmp_path / "out") as lock:  # released: free again, nothing taken over
        assert lock.took_over is None


def test_lock_of_a_killed_run_is_taken_over_with_a_note(tmp_path, caplog):
    out = tmp_path / "out"
    holder = start_holder(out)
    try:
        with pytest.raises(LockedError, match=f"pid {holder.pid} "):
            RunLock(out).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    assert json.loads((out / ".lock").read_text())["pid"] == holder.pid  # left behind

    with caplog.at_level("WARNING"), RunLock(out) as lock:
        assert lock.took_over["pid"] == holder.pid
        assert json.loads((out / ".lock").read_text())["pid"] == os.getpid()
    assert f"took over the stale lock of pid {holder.pid}" in caplog.text


def test_lock_left_by_another_host_is_not_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lock").write_text(json.dumps({"pid": 4242, "host": "annan-server",
                                           "started": "2026-05-04T02:00:00+00:00"}))
    with pytest.raises(LockedError, match="annan-server.*delete '.lock' there"):
        RunLock(out).acquire()
