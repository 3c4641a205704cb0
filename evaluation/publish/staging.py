"""Publishing a round atomically, the run manifest and the run lock.

A run builds everything in a staging folder inside the output folder (so the
final rename stays on one filesystem) and only then replaces `OUT/<year>`:

* On Linux the two folders are swapped in one step (renameat2 with
  RENAME_EXCHANGE): readers see the old round or the new one, never neither.
* Elsewhere, or where the filesystem cannot swap, the old round is renamed
  aside, the new one renamed in, and the old one deleted. The failure window
  is between those two renames: interrupted there, `OUT/<year>` is missing
  while the old round sits complete in `OUT/.old-<year>-<pid>`; the next run
  (`recover`, called by `staging`) renames it back before doing anything else.
* Interrupted later, only leftovers remain (`.old-*` or a stale `.staging-*`
  of a dead process); `recover` deletes them.

A failed run moves its staging folder to `OUT/.failed/<year>/` for debugging
and never touches `OUT/<year>`.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from evaluation.errors import LockedError, ParameterError
from evaluation.personal_numbers import mask_data
from evaluation.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"
FAILED_DIR = ".failed"
#: Packages whose versions a manifest records (plus Python itself).
RECORDED_PACKAGES = ("pandas", "numpy", "statsmodels", "matplotlib", "papermill", "nbconvert",
                     "nbclient", "openpyxl", "jinja2", "pandera")
_STAGING = re.compile(r"^\.staging-(\d{4})-(\d+)$")
_OLD = re.compile(r"^\.old-(\d{4})-(\d+)$")


# --------------------------------------------------------------------------
# staging and publishing


def _pid_running(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(out_dir: Path, year: int) -> list[str]:
    """Repair what an interrupted publish of `year` left behind; what was done, as notes."""
    out_dir = Path(out_dir)
    target = out_dir / str(year)
    notes: list[str] = []
    if not out_dir.is_dir():
        return notes
    olds = sorted((p for p in out_dir.iterdir() if (m := _OLD.match(p.name))
                   and int(m.group(1)) == year), key=lambda p: p.stat().st_mtime, reverse=True)
    if olds and not target.exists():
        os.rename(olds[0], target)
        notes.append(f"restored round {year} from {olds[0].name} (an earlier publish was "
                     "interrupted)")
        olds = olds[1:]
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
        notes.append(f"removed leftover {old.name}")
    for path in out_dir.iterdir():
        m = _STAGING.match(path.name)
        if m and int(m.group(1)) == year and not _pid_running(int(m.group(2))):
            shutil.rmtree(path, ignore_errors=True)
            notes.append(f"removed stale {path.name}")
    for note in notes:
        log.warning("%s: %s", out_dir.name or str(out_dir), note)
    return notes


def staging(out_dir: Path, year: int) -> Path:
    """A fresh, empty staging folder for `year` inside `out_dir`.

    Leftovers of an interrupted earlier run are repaired first (`recover`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    recover(out_dir, year)
    path = out_dir / f".staging-{int(year)}-{os.getpid()}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir()
    return path


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


MANIFEST_NAME = "manifest.json"


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_folder(out: str | Path, data: str | Path | None = None) -> None:
    """Refuse an output folder that could harm the input or the machine, before anything
    is written: `out` may not be `/` or a home folder, nor be, contain or lie inside
    the data folder or one of its round folders. Raises `ParameterError`."""
    out_path = Path(os.path.abspath(Path(out).expanduser()))
    real_out = out_path.resolve()
    homes = {Path.home().resolve(), Path("/root"), Path("/home")}
    if real_out == Path(real_out.anchor) or real_out in homes or real_out.parent == Path("/home"):
        raise ParameterError(f"--out {out}: utdatamappen får inte vara roten eller en "
                             "hemkatalog; ange en egen mapp, till exempel reports")
    if data is None:
        return
    real_data = Path(os.path.abspath(Path(data).expanduser())).resolve()
    if _is_within(real_out, real_data) or _is_within(real_data, real_out):
        where = ("är datamappen" if real_out == real_data else
                 "ligger i datamappen" if _is_within(real_out, real_data) else
                 "innehåller datamappen")
        raise ParameterError(f"--out {out}: utdatamappen {where} {data}; indata ändras "
                             "aldrig, så ange en mapp utanför --data, till exempel reports")


def check_output_file(path: str | Path, data: str | Path | None) -> None:
    """Refuse to write a file inside the data folder (it would be read as input)."""
    if data is None:
        return
    real = Path(os.path.abspath(Path(path).expanduser())).resolve()
    real_data = Path(os.path.abspath(Path(data).expanduser())).resolve()
    if _is_within(real, real_data):
        raise ParameterError(f"--out {path}: filen skulle hamna i datamappen {data}; indata "
                             "ändras aldrig, så ange en plats utanför datamappen")


def check_replaceable(target: Path) -> None:
    """Only a folder holding a round this toolkit published (its manifest) is replaced."""
    if target.exists() and not (target.is_dir() and (target / MANIFEST_NAME).is_file()):
        raise ParameterError(f"{target} finns redan men är ingen publicerad omgång (ingen "
                             f"{MANIFEST_NAME}); den ersätts inte. Välj en annan --out eller "
                             "flytta mappen")


def publish(staging_dir: Path, out_dir: Path, year: int) -> Path:
    """Make the staging folder the published `OUT/<year>`; returns that folder.

    An existing `OUT/<year>` is replaced only when it is a published round.
    """
    staging_dir, out_dir = Path(staging_dir), Path(out_dir)
    if staging_dir.resolve().parent != out_dir.resolve():
        raise ParameterError(f"staging folder {staging_dir.name!r} must lie directly in the "
                             "output folder, so that publishing is a rename")
    if not staging_dir.is_dir():
        raise ParameterError(f"staging folder {staging_dir.name!r} does not exist")
    target = out_dir / str(int(year))
    check_replaceable(target)
    if not target.exists():
        os.rename(staging_dir, target)
    elif _exchange(staging_dir, target):
        shutil.rmtree(staging_dir)  # now holds the previous round
    else:
        old = out_dir / f".old-{int(year)}-{os.getpid()}"
        os.rename(target, old)  # failure window opens: OUT/<year> is missing ...
        os.rename(staging_dir, target)  # ... and closes; `recover` repairs it if cut here
        shutil.rmtree(old)
    _sync_dir(out_dir)
    return target


def keep_failed(staging_dir: Path, out_dir: Path, year: int) -> Path:
    """Move a failed run's staging folder to `OUT/.failed/<year>/` (replacing an
    earlier failure of that year); the published round is left as it was."""
    dest = Path(out_dir) / FAILED_DIR / str(int(year))
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging_dir, dest)
    return dest


# --------------------------------------------------------------------------
# manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _portable(value: Any) -> Any:
    """A parameter as JSON, with any absolute path cut to its last part."""
    if isinstance(value, Path):
        return value.name if value.is_absolute() else value.as_posix()
    if isinstance(value, str):
        return Path(value).name if os.path.isabs(value) and len(value) > 1 else value
    if isinstance(value, dict):
        return {str(k): _portable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_portable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def code_version() -> dict[str, Any]:
    """The git commit of the code when it runs from a checkout, else the package version."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT,
                                capture_output=True, text=True, timeout=10)
        if commit.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit.stdout.strip()):
            status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                    cwd=PROJECT_ROOT, capture_output=True, text=True,
                                    timeout=10)
            return {"git_commit": commit.stdout.strip(),
                    "modified": bool(status.stdout.strip()) if status.returncode == 0 else None}
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return {"package_version": importlib.metadata.version("evaluation")}
    except importlib.metadata.PackageNotFoundError:
        return {"package_version": "unknown"}


def write_manifest(path: Path, inputs: list[Path], parameters: dict[str, Any],
                   timings: dict[str, Any], fingerprint: str | None = None,
                   data: str | Path | None = None) -> Path:
    """Write manifest.json: what went in (names relative to the data folder as the
    user named it (`data`; else their common folder), symbolic links not resolved;
    sizes, sha256), parameters, package and code versions, timings. Holds no
    absolute path of the machine."""
    files = [Path(os.path.abspath(p)) for p in inputs]  # symbolic links kept as named
    if data is not None:
        base: Path | None = Path(os.path.abspath(data))
    else:
        base = Path(os.path.commonpath([str(p.parent) for p in files])) if files else None
    records = []
    for file in sorted(files, key=lambda p: p.as_posix()):
        records.append({
            "file": file.relative_to(base).as_posix(),
            "bytes": file.stat().st_size,
            "sha256": _sha256(file),
        })
    manifest = {
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "inputs": records,
        "parameters": _portable(parameters),
        "packages": package_versions(),
        "code": code_version(),
        "timings": _portable(timings),
        # inputs, parameters and code as one hash: an unchanged re-run is "up to date"
        "fingerprint": fingerprint,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    manifest = mask_data(manifest)  # a file name may hold a personal identity number
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


# --------------------------------------------------------------------------
# run lock


class RunLock:
    """One run at a time per output folder.

    The lock is an advisory `flock` on `OUT/.lock`, which holds the holder's
    pid, host and start time. The kernel drops the flock when its holder dies,
    however it dies (kill -9 included), so a lock file left with content but no
    flock is stale and is taken over, with a note naming the dead run. A lock
    file naming another host is never taken over: its process cannot be seen
    from here.
    """

    def __init__(self, out_dir: Path) -> None:
        self.path = Path(out_dir) / LOCK_NAME
        self.took_over: dict[str, Any] | None = None
        self._fd: int | None = None

    def _holder(self, fd: int) -> dict[str, Any]:
        os.lseek(fd, 0, os.SEEK_SET)
        raw = os.read(fd, 4096).decode("utf-8", "replace").strip()
        if not raw:
            return {}
        try:
            info = json.loads(raw)
        except json.JSONDecodeError:
            return {"raw": raw[:200]}
        return info if isinstance(info, dict) else {"raw": raw[:200]}

    @staticmethod
    def _describe(info: dict[str, Any]) -> str:
        if "pid" not in info:
            return "an unknown run"
        return (f"pid {info.get('pid')} on host {info.get('host')!r}, started "
                f"{info.get('started', '?')}")

    def acquire(self) -> RunLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder(fd)
            os.close(fd)
            raise LockedError(
                f"output folder {self.path.parent.name!r} is in use by another run "
                f"({self._describe(holder)}); wait for it to finish"
            ) from None
        holder = self._holder(fd)
        if holder:
            host = socket.gethostname()
            if holder.get("host") not in (None, host):
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
                raise LockedError(
                    f"output folder {self.path.parent.name!r} has a lock of "
                    f"{self._describe(holder)}, which cannot be checked from host {host!r}; "
                    f"delete {self.path.name!r} there if no run is active"
                )
            pid = holder.get("pid")
            alive = isinstance(pid, int) and pid != os.getpid() and _pid_running(pid)
            self.took_over = holder
            log.warning("took over the stale lock of %s%s", self._describe(holder),
                        "" if not alive else " (that pid now belongs to another process)")
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(info).encode("utf-8"))
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        import fcntl

        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)  # an empty lock file is a free lock
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

