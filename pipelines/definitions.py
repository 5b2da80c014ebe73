"""The Dagster Definitions that `dagster dev -w workspace.yaml` loads."""

from __future__ import annotations

import os

import dagster as dg

from assets import par, plan, publish, reports, surveys, units
from assets.ingest import ingest_assets
from assets.partitions import year_folders, year_tags
from assets.resources import ChisoPaths, Warehouse
from pipelines import sensors

_BUILT = [
    *ingest_assets,
    *dg.load_assets_from_modules([par, units, surveys, plan, reports]),
]
# The publish gate reads every asset before it: what each reads and the blocking checks (assets/publish.py).
ALL_ASSETS = [*_BUILT, publish.published_warehouse_asset(_BUILT)]

# Everything, for the evaluation years the run is given (a partition, or a range for all years); every
# past year stays recomputable with the framework in force that year.
recompute_job = dg.define_asset_job(
    "chiso_recompute",
    selection=dg.AssetSelection.all(),
    description="Đọc dữ liệu, chấm điểm mọi năm, xuất bảng và dashboard.",
    # One process: DuckDB takes one writer per file, so steps must not run in parallel processes.
    executor_def=dg.in_process_executor,
)


# Hưng Yên publishes in early February after appraisal ends on 05/01 (1708/QĐ-UBND Art. 6.2.c-d);
# Quảng Ninh before 31/03 (QĐ Quảng Ninh 2022 §III.2). Recompute on 15 January, and on demand.
@dg.schedule(
    name="chiso_yearly",
    job=recompute_job,
    cron_schedule="0 6 15 1 *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def yearly_schedule(context: dg.ScheduleEvaluationContext, paths: ChisoPaths):
    """Every year folder, in one run; a year folder not yet a partition becomes one first."""
    if not year_folders(paths.raw):
        return dg.SkipReason(f"Không có thư mục năm nào trong {paths.raw / 'submissions'}.")
    return dg.RunRequest(tags={"chiso/started_by": "schedule", **year_tags(context.instance, paths.raw)})


# A new or changed raw file launches what it affects once the folder stops changing (pipelines/sensors.py).
raw_files_sensor = sensors.raw_files_sensor(recompute_job, ALL_ASSETS)
year_folders_sensor = sensors.year_folders_sensor()


def _setting(explicit: str | None, variable: str, default: str) -> str | dg.EnvVar:
    """An explicit value (`chiso run --raw-dir`, tests), else the environment variable as a Dagster
    `EnvVar` (shown as such in the UI), else the project's folder."""
    if explicit:
        return explicit
    return dg.EnvVar(variable) if os.environ.get(variable) else default


def resolved_paths(raw_dir: str | None = None, curated_dir: str | None = None) -> ChisoPaths:
    """The folders a run will use, as plain paths (the command line reports them before it runs)."""
    return ChisoPaths(
        raw_dir=raw_dir or os.environ.get("CHISO_RAW_DIR") or ChisoPaths().raw_dir,
        curated_dir=curated_dir or os.environ.get("CHISO_CURATED_DIR") or ChisoPaths().curated_dir,
    )


def make_resources(raw_dir: str | None = None, curated_dir: str | None = None) -> dict:
    """`CHISO_RAW_DIR` and `CHISO_CURATED_DIR` (README, "Configuration") move the folders."""
    paths = ChisoPaths(
        raw_dir=_setting(raw_dir, "CHISO_RAW_DIR", ChisoPaths().raw_dir),
        curated_dir=_setting(curated_dir, "CHISO_CURATED_DIR", ChisoPaths().curated_dir),
    )
    resolved = resolved_paths(raw_dir, curated_dir)
    warehouse = Warehouse(database=str(resolved.working_path), published=str(resolved.warehouse_path))
    return {"paths": paths, "warehouse": warehouse}


def make_definitions(raw_dir: str | None = None, curated_dir: str | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=ALL_ASSETS,
        jobs=[recompute_job],
        schedules=[yearly_schedule],
        sensors=[raw_files_sensor, year_folders_sensor],
        resources=make_resources(raw_dir, curated_dir),
        executor=dg.in_process_executor,  # also for materialisations launched from the UI
    )


defs = make_definitions()
