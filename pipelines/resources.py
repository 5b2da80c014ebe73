"""Resources: where the raw files are, and where curated outputs go."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ChisoPaths(dg.ConfigurableResource):
    """Input and output folders; `chiso run --raw-dir/--curated-dir` and tests point them elsewhere."""

    raw_dir: str = str(PROJECT_ROOT / "data" / "raw")
    curated_dir: str = str(PROJECT_ROOT / "data" / "curated")

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def curated(self) -> Path:
        path = Path(self.curated_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def warehouse_path(self) -> Path:
        return self.curated / "warehouse.duckdb"
