"""The Dagster Definitions that `dagster dev -w workspace.yaml` loads."""

from __future__ import annotations

import os

import dagster as dg

from assets import par, plan, publish, reports, surveys, units
from assets.ingest import ingest_assets
from assets.resources import ChisoPaths, Warehouse
from pipelines import sensors

_BUILT = [
    *ingest_assets,
    *dg.load_assets_from_modules([par, units, surveys, plan, reports]),
]
# The publish gate needs every table and every blocking check of this run (assets/publish.py).
ALL_ASSETS = [
    *_BUILT,
    publish.published_warehouse_asset(
        [key for a in _BUILT for key in a.keys],
        [spec.key for a in _BUILT for spec in a.check_specs if spec.blocking],
    ),
]

# Recompute everything: years are cheap to score, and every past year must stay
# recomputable with its own framework (DOMAIN "Frameworks").
recompute_job = dg.define_asset_job(
    "chiso_recompute",
    selection=dg.AssetSelection.all(),
    description="Đọc dữ liệu, chấm điểm mọi năm, xuất bảng và dashboard.",
    # One process: DuckDB takes one writer per file, so steps must not run in parallel processes.
    executor_def=dg.in_process_executor,
)

# Hưng Yên publishes in early February after appraisal ends on 05/01 (1708/QĐ-UBND Art. 6.2.c-d);
# Quảng Ninh before 31/03 (QĐ Quảng Ninh 2022 §III.2). Recompute on 15 January, and on demand.
yearly_schedule = dg.ScheduleDefinition(
    name="chiso_yearly",
    job=recompute_job,
    cron_schedule="0 6 15 1 *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


# A new or changed raw file launches the recompute once the folder stops changing (pipelines/sensors.py).
raw_files_sensor = sensors.raw_files_sensor(recompute_job)


def make_resources(raw_dir: str | None = None, curated_dir: str | None = None) -> dict:
    paths = ChisoPaths(
        raw_dir=raw_dir or os.environ.get("CHISO_RAW_DIR", ChisoPaths().raw_dir),
        curated_dir=curated_dir or os.environ.get("CHISO_CURATED_DIR", ChisoPaths().curated_dir),
    )
    warehouse = Warehouse(database=str(paths.working_path), published=str(paths.warehouse_path))
    return {"paths": paths, "warehouse": warehouse}


def make_definitions(raw_dir: str | None = None, curated_dir: str | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=ALL_ASSETS,
        jobs=[recompute_job],
        schedules=[yearly_schedule],
        sensors=[raw_files_sensor],
        resources=make_resources(raw_dir, curated_dir),
        executor=dg.in_process_executor,  # also for materialisations launched from the UI
    )


defs = make_definitions()
