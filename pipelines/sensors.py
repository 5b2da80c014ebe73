"""Sensors on the raw folder.

`chiso_year_folders` (on by default) adds an `evaluation_year` partition for each new
`submissions/<year>/` folder. `chiso_raw_files` (off by default: switch it on in the UI): a new or
changed file launches a run of what it affects (pipelines/affected.py: the sources to read again and
the years to recompute), once the folder has stopped changing (debounced), with the reason and the
plan in the run's tags.

The state it compares against is its cursor: the SHA-256 of every file it last acted on. On its first
evaluation the cursor starts from the hashes the working copy (else the published warehouse) recorded
(`raw.<source>_files`), so only what changed since the last run read the folder counts (files no source
read start as they are); with nothing read yet, every file is new and the run is a whole one. A run is
requested only when the same set of changes is seen on two evaluations at least `debounce_seconds`
apart, so an officer copying twenty files causes one run, not twenty; the run key is the folder's
fingerprint, so one state never launches twice.
"""

from __future__ import annotations

import hashlib
import json
import time

import dagster as dg

from assets.partitions import EVALUATION_YEARS, year_folders, year_tags
from assets.resources import ChisoPaths
from pipelines.affected import affected, changed_files, folder_hashes, last_read

REASON_TAG = "chiso/reason"


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


def new_years(context, paths: ChisoPaths) -> list[str]:
    """Year folders with no partition yet."""
    known = set(context.instance.get_dynamic_partitions(EVALUATION_YEARS.name))
    return [y for y in year_folders(paths.raw) if y not in known]


def year_folders_sensor() -> dg.SensorDefinition:
    """A new `submissions/<year>/` folder becomes an `evaluation_year` partition (for backfills and the
    raw-files sensor); it launches nothing by itself."""

    @dg.sensor(
        name="chiso_year_folders",
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Thư mục năm mới trong submissions/ → thêm năm đánh giá (phân vùng) để chạy hoặc chạy bù.",
    )
    def chiso_year_folders(context: dg.SensorEvaluationContext, paths: ChisoPaths):
        years = new_years(context, paths)
        if not years:
            return dg.SkipReason("Không có thư mục năm mới.")
        return dg.SensorResult(dynamic_partitions_requests=[EVALUATION_YEARS.build_add_request(years)])

    return chiso_year_folders


def raw_files_sensor(
    job: dg.UnresolvedAssetJobDefinition | dg.JobDefinition,
    assets: list[dg.AssetsDefinition],
    debounce_seconds: float = 120,
    clock=time.time,
) -> dg.SensorDefinition:
    @dg.sensor(
        name="chiso_raw_files",
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Tệp mới hoặc đã sửa trong thư mục dữ liệu vào → chạy lại phần bị ảnh hưởng "
        "(khi thư mục đã ngừng thay đổi).",
    )
    def chiso_raw_files(context: dg.SensorEvaluationContext, paths: ChisoPaths):
        state = json.loads(context.cursor) if context.cursor else {}
        acted = state.get("acted")
        now = folder_hashes(paths.raw)
        read = last_read(paths)
        if acted is None and read.files:
            # First sight: what the last run read, as it read it; files it did not read (notes,
            # licences, a source's codebook) as they are now, so only later changes to them count.
            acted = {**now, **read.hashes}
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
        context.update_cursor(json.dumps({"acted": now}))
        years = year_folders(paths.raw)
        if not years:
            return dg.SkipReason(f"Không có thư mục năm nào trong {paths.raw / 'submissions'}: chưa có gì để chấm.")
        plan = affected(changed_files(acted, now), read, years)
        if plan.nothing:
            return dg.SkipReason(f"Không nguồn dữ liệu nào đọc các tệp này: {describe_changes(acted, now)}")
        return dg.RunRequest(
            run_key=fingerprint,
            asset_selection=None if plan.everything else sorted(plan.selection().resolve(assets)),
            tags={
                REASON_TAG: describe_changes(acted, now)[:1000],
                "chiso/started_by": "sensor",
                "chiso/affected": plan.describe()[:1000],
                **year_tags(context.instance, paths.raw, list(plan.years)),
            },
        )

    return chiso_raw_files
