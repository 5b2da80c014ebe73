"""A sensor on the raw folder: a new or changed file launches a recompute, once the folder has stopped
changing (debounced), with the reason in the run's tags.

The state it compares against is its cursor: the SHA-256 of every file it last acted on. On its first
evaluation the cursor starts from the hashes the published warehouse recorded (`raw.<source>_files`),
so only what changed since the last published run counts (files no source read start as they are);
with nothing published yet, every file is new. A run is requested only when the same set of
changes is seen on two evaluations at least `debounce_seconds` apart, so an officer copying twenty files
causes one run, not twenty; the run key is the folder's fingerprint, so one state never launches twice.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import dagster as dg
import duckdb

from assets.resources import ChisoPaths
from models.ingest.readers import file_sha256

REASON_TAG = "chiso/reason"


def folder_hashes(raw: Path) -> dict[str, str]:
    """Every data file under the raw folder, by path relative to it (hidden files and folders, and the
    folder's own notes `*.md`, which no source reads, are skipped)."""
    return {
        path.relative_to(raw).as_posix(): file_sha256(path)
        for path in sorted(raw.rglob("*"))
        if path.is_file()
        and path.suffix != ".md"
        and not any(part.startswith(".") for part in path.relative_to(raw).parts)
    }


def recorded_hashes(warehouse: Path, raw: Path) -> dict[str, str]:
    """The (file, hash) pairs the published warehouse read, relative to the raw folder."""
    if not warehouse.exists():
        return {}
    recorded: dict[str, str] = {}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' AND table_name LIKE '%_files'"
        ).fetchall()
        for (table,) in tables:
            columns = {c for (c, *_) in conn.execute(f"DESCRIBE raw.{table}").fetchall()}
            if not {"source_file", "file_sha256"} <= columns:
                continue
            for source_file, sha in conn.execute(f"SELECT source_file, file_sha256 FROM raw.{table}").fetchall():
                if not source_file:
                    continue
                path = Path(source_file)
                rel = path.relative_to(raw) if path.is_absolute() and path.is_relative_to(raw) else path
                # A file seen but refused unread (no hash, e.g. a link) counts as seen as it is now.
                recorded[rel.as_posix()] = sha or (file_sha256(raw / rel) if (raw / rel).is_file() else "")
    return recorded


def describe_changes(before: dict[str, str], now: dict[str, str], limit: int = 5) -> str:
    """'2 tệp mới, 1 tệp đã sửa, 0 tệp bị xóa: a.csv, b.xlsx, …' (Vietnamese: it shows in the run's tags)."""
    new = sorted(set(now) - set(before))
    changed = sorted(f for f in set(now) & set(before) if now[f] != before[f])
    removed = sorted(set(before) - set(now))
    files = new + changed + removed
    shown = ", ".join(files[:limit]) + (f" và {len(files) - limit} tệp khác" if len(files) > limit else "")
    return f"{len(new)} tệp mới, {len(changed)} tệp đã sửa, {len(removed)} tệp bị xóa: {shown}"


def _fingerprint(hashes: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:16]


def raw_files_sensor(
    job: dg.UnresolvedAssetJobDefinition | dg.JobDefinition,
    debounce_seconds: float = 120,
    clock=time.time,
) -> dg.SensorDefinition:
    @dg.sensor(
        name="chiso_raw_files",
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Tệp mới hoặc đã sửa trong thư mục dữ liệu vào → chạy lại (khi thư mục đã ngừng thay đổi).",
    )
    def chiso_raw_files(context: dg.SensorEvaluationContext, paths: ChisoPaths):
        state = json.loads(context.cursor) if context.cursor else {}
        acted = state.get("acted")
        now = folder_hashes(paths.raw)
        if acted is None and paths.warehouse_path.exists():
            # First sight: what the published run read, as it read it; files it did not read (notes,
            # licences, a source's codebook) as they are now, so only later changes to them count.
            acted = {**now, **recorded_hashes(paths.warehouse_path, paths.raw)}
        acted = acted or {}
        if now == acted:
            context.update_cursor(json.dumps({"acted": acted}))
            return dg.SkipReason("Không có tệp mới hoặc đã sửa.")
        fingerprint = _fingerprint(now)
        if state.get("pending") != fingerprint or clock() - state.get("since", clock()) < debounce_seconds:
            since = state["since"] if state.get("pending") == fingerprint else clock()
            context.update_cursor(json.dumps({"acted": acted, "pending": fingerprint, "since": since}))
            waiting = f"Chờ thư mục ngừng thay đổi ({debounce_seconds:.0f} giây)"
            return dg.SkipReason(f"{waiting}: {describe_changes(acted, now)}")
        reason = describe_changes(acted, now)
        context.update_cursor(json.dumps({"acted": now}))
        return dg.RunRequest(run_key=fingerprint, tags={REASON_TAG: reason[:1000], "chiso/started_by": "sensor"})

    return chiso_raw_files
