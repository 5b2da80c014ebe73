"""Shared fixtures: the bundled (synthetic) sample run once per session for the tests that only read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e_helpers import run_job

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sample_curated(tmp_path_factory) -> Path:
    """A curated folder built by the real job from data/raw (read-only for the tests that use it)."""
    curated = tmp_path_factory.mktemp("sample_curated")
    assert run_job(ROOT / "data" / "raw", curated).success
    return curated
