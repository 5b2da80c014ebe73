"""Shared fixtures: one run of the real job on the bundled sample, shared read-only by every test
that reads the sample's warehouse, so whole-job runs stay few (docs/architecture.md, "Tests").

Markers: `browser` (headless Chromium), `notebook` (executes a notebook), `ui` (starts the Dagster
webserver); `make test` runs them all, `pytest -m "not browser and not notebook and not ui"` skips them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from models.par.sources import SCOPE_NEEDS
from tests.e2e_helpers import run_job

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "raw"


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """The curated folder of one run over data/raw: read it, never write to it."""
    out = tmp_path_factory.mktemp("sample_curated")
    assert run_job(SAMPLE, out).success
    return out


@pytest.fixture(scope="session")
def sample_scope(sample_warehouse) -> dict[str, pl.DataFrame]:
    """The staging tables a PAR parser needs (units, provinces, rule files, criteria) from the sample."""
    with duckdb.connect(str(sample_warehouse / "warehouse.duckdb"), read_only=True) as conn:
        return {t: conn.sql(f"SELECT * FROM {t}").pl() for t in SCOPE_NEEDS}
