"""Publishing: the working warehouse becomes `warehouse.duckdb` only when everything before passed."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.resources import ChisoPaths


def publish_pages(working: Path, curated: Path) -> list[Path]:
    """Move the run's HTML pages (dashboard, progress reports) next to the published warehouse,
    each with one os.replace, then remove pages of a folder that the run no longer writes."""
    moved = []
    for page in sorted(working.rglob("*.html")):
        target = curated / page.relative_to(working)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(page, target)
        moved.append(target)
    for folder in {p.parent for p in moved} - {curated}:
        for stale in set(folder.glob("*.html")) - set(moved):
            stale.unlink()
    return moved


def published_warehouse_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The last step, after every other asset: pipelines/definitions.py passes them all, so a
    new mart or report can never be left out of the published warehouse."""

    @dg.asset(group_name="reports", kinds={"duckdb"}, deps=upstream)
    def published_warehouse(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
        """Swap the checked working copy in at once (os.replace), so readers see the old or the new
        warehouse, never half of one; a failed or blocked run never reaches this step."""
        target = paths.warehouse_path
        tmp = target.with_name(target.name + ".tmp")
        tmp.unlink(missing_ok=True)
        # A fresh, compact copy of every table (not the working file with its freed blocks), so
        # publishing the same input again gives a warehouse of the same size.
        with warehouse.get_connection() as conn:
            working = conn.execute("SELECT current_database()").fetchone()[0]
            conn.execute(f"ATTACH '{tmp}' AS published_copy")
            try:
                conn.execute(f'COPY FROM DATABASE "{working}" TO published_copy')
            finally:
                conn.execute("DETACH published_copy")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        pages = publish_pages(paths.working_dir, paths.curated)
        return dg.MaterializeResult(metadata={"path": str(target), "bytes": target.stat().st_size, "pages": len(pages)})

    return published_warehouse
