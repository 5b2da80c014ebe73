"""Publishing: the working warehouse becomes `warehouse.duckdb` only when everything before passed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
from dagster import DagsterEventType
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


def _names(keys, limit: int = 5) -> str:
    names = sorted(k.to_user_string() for k in keys)
    return ", ".join(names[:limit]) + (f" và {len(names) - limit} mục khác" if len(names) > limit else "")


def gate_refusal(
    context,
    conn,
    upstream: set[dg.AssetKey],
    blocking: set[dg.AssetCheckKey],
) -> str | None:
    """Why this run may not publish, in Vietnamese, or None.

    A run publishes only when, in this same run, every table before it was materialised and every
    blocking check ran and passed: from the run's own events (Dagster's record) and from the working
    copy's `quality.check_results` rows tagged with this run (what the published quality page shows).
    A partial selection (one asset, one group, a re-execution of failed steps) therefore never
    publishes a working copy that other runs, or nobody, checked.
    """
    events = context.instance.all_logs(
        context.run.run_id,
        of_type={DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION},
    )
    materialised = {e.dagster_event.asset_key for e in events if e.dagster_event.is_step_materialization}
    evaluations = {
        e.dagster_event.event_specific_data.asset_check_key: e.dagster_event.event_specific_data.passed
        for e in events
        if e.dagster_event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
    }
    stored = (
        dict(
            conn.execute(
                "SELECT check_name, passed FROM quality.check_results WHERE run_id = ?", [context.run.run_id]
            ).fetchall()
        )
        if _has_table(conn, "quality", "check_results")
        else {}
    )
    not_built = upstream - materialised
    not_checked = {k for k in blocking if k not in evaluations or k.name not in stored}
    failed = {k for k in blocking - not_checked if not (evaluations[k] and stored[k.name])}
    if not (not_built or not_checked or failed):
        return None
    reasons = []
    if not_built:
        reasons.append(f"{len(not_built)} bảng chưa được tính lại trong lần chạy này ({_names(not_built)})")
    if not_checked:
        reasons.append(f"{len(not_checked)} kiểm tra chặn chưa chạy trong lần chạy này ({_names(not_checked)})")
    if failed:
        reasons.append(f"{len(failed)} kiểm tra chặn không đạt ({_names(failed)})")
    return (
        "Không công bố kho dữ liệu: " + "; ".join(reasons) + ". Kho và các trang đã công bố giữ nguyên. "
        "Hãy chạy toàn bộ (`chiso run`, hoặc job chiso_recompute / «Materialize all» trong Dagster) "
        "để mọi bảng được tính lại và mọi kiểm tra được chạy trong cùng một lần."
    )


def _has_table(conn, schema: str, name: str) -> bool:
    return bool(
        conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def published_warehouse_asset(upstream: list[dg.AssetKey], blocking: list[dg.AssetCheckKey]) -> dg.AssetsDefinition:
    """The last step, after every other asset: pipelines/definitions.py passes them all and every
    blocking check, so a new mart, report or check can never be left out of the gate."""
    upstream_set, blocking_set = set(upstream), set(blocking)

    @dg.asset(group_name="reports", kinds={"duckdb"}, deps=upstream)
    def published_warehouse(context, paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
        """Swap the checked working copy in at once (os.replace), so readers see the old or the new
        warehouse, never half of one; a run that did not rebuild and check everything is refused."""
        target = paths.warehouse_path
        tmp = target.with_name(target.name + ".tmp")
        tmp.unlink(missing_ok=True)
        with warehouse.get_connection() as conn:
            refusal = gate_refusal(context, conn, upstream_set, blocking_set)
            if refusal:
                raise dg.Failure(description=refusal, metadata={"published": False, "path": str(target)})
            # The published quality record is this run's: drop rows of checks or sources that no longer exist.
            for table in ("quality.check_results", "quality.row_balance"):
                if _has_table(conn, *table.split(".")):
                    conn.execute(f"DELETE FROM {table} WHERE run_id IS DISTINCT FROM ?", [context.run.run_id])
            # A fresh, compact copy of every table (not the working file with its freed blocks), so
            # publishing the same input again gives a warehouse of the same size.
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
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(target)),
                "bytes": target.stat().st_size,
                "pages": len(pages),
                "published_pages": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in pages) or "—"),
            }
        )

    return published_warehouse
