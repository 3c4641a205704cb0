"""What a published round was made from, as one hash, so that an unchanged
re-run can say "up to date" in seconds instead of rebuilding every report.

The fingerprint covers the input files of every round the publication draws
on, the run's parameters and settings, and the code: the package's modules
and templates, the notebooks and the reference tables.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from evaluation.report import parameters
from evaluation.settings import PROJECT_ROOT

PACKAGE = Path(__file__).resolve().parents[1]
CODE_PATTERNS = ("**/*.py", "templates/*.j2")


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_files() -> list[tuple[str, bytes]]:
    """Everything whose change can change a published report, as (name, content)."""
    from evaluation.intake.reference import _default_folder

    files = [p for pattern in CODE_PATTERNS for p in PACKAGE.glob(pattern)]
    files += parameters.NOTEBOOKS.glob("*.ipynb")
    config = PROJECT_ROOT / "data" / "config.toml"
    if config.is_file():
        files.append(config)
    named = [(p.relative_to(p.parent.parent).as_posix(), p.read_bytes()) for p in set(files)]
    folder = _default_folder()
    named += [(f"reference/{r.name}", r.read_bytes()) for r in folder.iterdir()
              if r.name.endswith(".csv")]
    return sorted(named)


def fingerprint(inputs: Iterable[Path], parameters: Mapping[str, Any],
                code: Iterable[tuple[str, bytes]] | None = None) -> str:
    """One sha256 over input contents (by name within their round), parameters and code."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in inputs):
        digest.update(f"input {path.parent.name}/{path.name} {_file_digest(path)}\n".encode())
    digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    for name, content in code if code is not None else code_files():
        digest.update(f"code {name} {hashlib.sha256(content).hexdigest()}\n".encode())
    return digest.hexdigest()


def published_fingerprint(round_dir: Path) -> str | None:
    """The fingerprint recorded by the run that published `round_dir`, if any."""
    manifest = Path(round_dir) / "manifest.json"
    if not manifest.is_file() or not (Path(round_dir) / "index.html").is_file():
        return None
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        return None
