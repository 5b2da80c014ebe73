"""Publishing: the working warehouse becomes `warehouse.duckdb` only when everything before passed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.resources import ChisoPaths

# Folders a run writes whole into its working dir; each replaces its published copy at once.
PUBLISHED_FOLDERS = ("dashboard", "reports")


def _swap_folder(source: Path, target: Path) -> None:
    """Put `source` where `target` is: the old folder is moved aside (one rename), the new one moved in
    (one rename), then the old one removed. A reader finds the whole old or the whole new folder, never a
    mix of pages from two runs (for the instant between the two renames the folder is absent)."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(source, target)
    if old.exists():
        shutil.rmtree(old)


def publish_pages(working: Path, curated: Path) -> list[Path]:
    """Move the run's pages next to the published warehouse: the dashboard pack and the progress
    reports as whole folders (pages a run no longer writes disappear with the old folder), and any
    HTML page at the top of the working dir (`dashboard.html`, which opens the pack) with one os.replace.
    Return the published HTML pages."""
    moved = []
    for name in PUBLISHED_FOLDERS:
        if (working / name).is_dir():
            _swap_folder(working / name, curated / name)
            moved += sorted((curated / name).rglob("*.html"))
    for page in sorted(working.glob("*.html")):
        os.replace(page, curated / page.name)
        moved.append(curated / page.name)
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
