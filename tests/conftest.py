"""Fixtures shared by several test modules (builders of inputs live in builders.py), and
the Hypothesis profiles: "ci" (the default) is derandomised and keeps no example database,
so every run of the suite tries the same examples; "explore" searches at random and far
wider, for a bug hunt on a workstation:

    HYPOTHESIS_PROFILE=explore .venv/bin/pytest tests/test_properties.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"


@pytest.fixture(scope="session")
def example_result():
    """The committed example round 2026 of Örebro län, computed once for the session.

    Read-only: tests that change a result build their own.
    """
    from evaluation.analysis.rounds import compute

    return compute(EXAMPLE, 2026)
