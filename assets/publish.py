"""Publishing: the working warehouse becomes `warehouse.duckdb` only when everything before passed."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.partitions import year_folders
from assets.resources import ChisoPaths
from assets.storage import table_exists

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


def _names(names, limit: int = 5) -> str:
    names = sorted(names)
    return ", ".join(names[:limit]) + (f" và {len(names) - limit} mục khác" if len(names) > limit else "")


@dataclass(frozen=True)
class Graph:
    """What the gate needs to know of the assets before it: what each reads, which are written by
    evaluation year, and the blocking checks on each (names as recorded: `staging.submissions`)."""

    upstream: dict[str, set[str]]
    partitioned: set[str]
    blocking: dict[str, str]  # check name → the table it checks

    @classmethod
    def of(cls, assets: list[dg.AssetsDefinition]) -> Graph:
        def name(k: dg.AssetKey) -> str:
            return ".".join(k.path)

        return cls(
            upstream={name(k): {name(u) for u in deps} for a in assets for k, deps in a.asset_deps.items()},
            partitioned={name(k) for a in assets if a.partitions_def is not None for k in a.keys},
            blocking={spec.name: name(spec.asset_key) for a in assets for spec in a.check_specs if spec.blocking},
        )


def gate_refusal(
    graph: Graph, writes: dict[tuple[str, str], tuple[int, int]], checks: dict[str, tuple[int, bool]], years: list[str]
) -> str | None:
    """Why the working copy may not be published, in Vietnamese, or None.

    `writes`: (table, year or "") → (when it last changed, when it was last computed); `checks`:
    check → (when it last ran, passed); all on the working copy's write clock (assets/storage.py
    `mark_written`). Published only if every table before was computed for every evaluation year the
    raw folder has, after what it reads last changed (year by year between tables written by year);
    and every blocking check ran after its table last changed, and passed. So a partial selection
    (one asset, a re-execution of failed steps, one year's backfill) publishes only a working copy
    that is whole and checked, whichever runs built it.
    """

    def parts(table: str) -> list[str]:
        return years if table in graph.partitioned else [""]

    def changed(table: str, part: str | None = None) -> int:
        """When the table (or one year of it) last changed; 0 if never written."""
        return max((writes.get((table, p), (0, 0))[0] for p in ([part] if part else parts(table))), default=0)

    missing, stale = set(), set()
    for table, reads in graph.upstream.items():
        absent = [p for p in parts(table) if (table, p) not in writes]
        if absent:
            missing.add(f"{table} ({', '.join(absent)})" if absent != [""] else table)
            continue
        for read in reads:
            by_year = table in graph.partitioned and read in graph.partitioned
            if any(writes[(table, p)][1] < changed(read, p if by_year else None) for p in parts(table)):
                stale.add(table)
    not_checked = {c for c, table in graph.blocking.items() if c not in checks or checks[c][0] < changed(table)}
    failed = {c for c in graph.blocking.keys() - not_checked if not checks[c][1]}
    if not (missing or stale or not_checked or failed):
        return None
    reasons = []
    if missing:
        reasons.append(f"{len(missing)} bảng chưa được tính (năm còn thiếu trong ngoặc): {_names(missing)}")
    if stale:
        reasons.append(
            f"{len(stale)} bảng chưa được tính lại sau khi dữ liệu nguồn của chúng thay đổi: {_names(stale)}"
        )
    if not_checked:
        reasons.append(
            f"{len(not_checked)} kiểm tra chặn chưa chạy lại sau lần ghi cuối của bảng: {_names(not_checked)}"
        )
    if failed:
        reasons.append(f"{len(failed)} kiểm tra chặn không đạt: {_names(failed)}")
    return (
        "Không công bố kho dữ liệu: " + "; ".join(reasons) + ". Kho và các trang đã công bố giữ nguyên. "
        "Hãy chạy toàn bộ (`chiso run`, hoặc job chiso_recompute / «Materialize all» trong Dagster) "
        "để mọi bảng được tính lại và mọi kiểm tra được chạy."
    )


def working_record(conn) -> tuple[dict[tuple[str, str], tuple[int, int]], dict[str, tuple[int, bool]]]:
    """The working copy's write and check record (empty before its first run)."""
    writes = (
        {
            (a, p): (changed, computed)
            for a, p, changed, computed in conn.execute(
                "SELECT asset, partition, changed, computed FROM quality.writes"
            ).fetchall()
        }
        if table_exists(conn, "quality.writes")
        else {}
    )
    checks = (
        {
            c: (seq or 0, passed)
            for c, seq, passed in conn.execute("SELECT check_name, seq, passed FROM quality.check_results").fetchall()
        }
        if table_exists(conn, "quality.check_results")
        else {}
    )
    return writes, checks


def published_warehouse_asset(assets: list[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    """The last step, after every other asset: pipelines/definitions.py passes them all, so a new mart,
    report or check can never be left out of the gate."""
    graph = Graph.of(assets)
    known_checks = sorted({spec.name for a in assets for spec in a.check_specs})

    @dg.asset(group_name="reports", kinds={"duckdb"}, deps=sorted({k for a in assets for k in a.keys}))
    def published_warehouse(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
        """Swap the checked working copy in at once (os.replace), so readers see the old or the new
        warehouse, never half of one; a working copy that is not whole, fresh and checked is refused."""
        target = paths.warehouse_path
        tmp = target.with_name(target.name + ".tmp")
        tmp.unlink(missing_ok=True)
        years = year_folders(paths.raw)
        with warehouse.get_connection() as conn:
            refusal = gate_refusal(graph, *working_record(conn), years)
            if refusal:
                raise dg.Failure(description=refusal, metadata={"published": False, "path": str(target)})
            # The published quality record: checks that still exist, sources staged for years that still do.
            conn.execute("DELETE FROM quality.check_results WHERE NOT list_contains(?, check_name)", [known_checks])
            conn.execute(
                "DELETE FROM quality.row_balance WHERE partition IS NULL OR NOT list_contains(?, partition)",
                [["", *years]],
            )
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
