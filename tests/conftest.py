"""Fixtures shared by several test modules (builders of inputs live in builders.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"


@pytest.fixture(scope="session")
def example_result():
    """The committed example round 2026 of Örebro län, computed once for the session.

    Read-only: tests that change a result build their own.
    """
    from evaluation.analysis.rounds import compute

    return compute(EXAMPLE, 2026)
