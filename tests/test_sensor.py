"""The raw-folder sensor: a new or changed file launches one recompute, after the folder stops changing,
with the reason in the run's tags; nothing changed, nothing launched."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from assets.resources import ChisoPaths
from models.ingest.readers import file_sha256
from pipelines.definitions import recompute_job
from pipelines.sensors import REASON_TAG, raw_files_sensor, recorded_hashes

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken_inputs"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "raw"


class Clock:
    def __init__(self):
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _evaluate(sensor, paths: ChisoPaths, cursor: str | None, instance):
    context = dg.build_sensor_context(cursor=cursor, instance=instance, resources={"paths": paths})
    result = sensor.evaluate_tick(context)
    return result.run_requests, result.cursor


def test_changed_files_launch_one_run_once_the_folder_is_quiet(tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    shutil.copytree(BROKEN, raw, symlinks=True)
    clock = Clock()
    sensor = raw_files_sensor(recompute_job, debounce_seconds=120, clock=clock)
    paths = ChisoPaths(raw_dir=str(raw), curated_dir=str(curated))
    files = sum(1 for p in raw.rglob("*") if p.is_file() and p.suffix != ".md")
    with dg.DagsterInstance.ephemeral() as instance:
        # Nothing published yet: every file is new, but the first sight only starts the wait.
        requests, cursor = _evaluate(sensor, paths, None, instance)
        assert requests == []
        clock.now += 60
        requests, cursor = _evaluate(sensor, paths, cursor, instance)
        assert requests == []  # not quiet for 120 s yet
        clock.now += 61
        (request,), cursor = _evaluate(sensor, paths, cursor, instance)
        assert request.tags[REASON_TAG].startswith(f"{files} tệp mới, 0 tệp đã sửa, 0 tệp bị xóa")
        clock.now += 600
        requests, cursor = _evaluate(sensor, paths, cursor, instance)
        assert requests == []  # nothing changed since

        # An officer corrects the units and adds a year's file: one run, naming both, after the wait;
        # a change during the wait restarts it.
        units = raw / "units.csv"
        units.write_text(units.read_text(encoding="utf-8") + "U12,Sở Mới,department,,T\n", encoding="utf-8")
        requests, cursor = _evaluate(sensor, paths, cursor, instance)
        assert requests == []
        clock.now += 100
        (raw / "appraisals_2025.csv").write_text("unit_id\n", encoding="utf-8")
        requests, cursor = _evaluate(sensor, paths, cursor, instance)
        assert requests == []
        clock.now += 100  # 200 s since the first change, 100 s since the last: still waiting
        requests, cursor = _evaluate(sensor, paths, cursor, instance)
        assert requests == []
        clock.now += 30
        (request,), cursor = _evaluate(sensor, paths, cursor, instance)
        assert request.tags[REASON_TAG] == "1 tệp mới, 1 tệp đã sửa, 0 tệp bị xóa: appraisals_2025.csv, units.csv"
        assert request.run_key and request.tags["chiso/started_by"] == "sensor"


def test_the_published_warehouse_is_the_starting_point(sample_warehouse):
    """What the last published run read counts as already acted on: the sensor launches nothing for it."""
    clock = Clock()
    sensor = raw_files_sensor(recompute_job, debounce_seconds=0, clock=clock)
    paths = ChisoPaths(raw_dir=str(SAMPLE), curated_dir=str(sample_warehouse))
    recorded = recorded_hashes(sample_warehouse / "warehouse.duckdb", SAMPLE)
    assert recorded["units.csv"] == file_sha256(SAMPLE / "units.csv") and len(recorded) > 20
    with dg.DagsterInstance.ephemeral() as instance:
        cursor = None
        for _ in range(2):
            requests, cursor = _evaluate(sensor, paths, cursor, instance)
            assert requests == []
