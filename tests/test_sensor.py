"""The raw-folder sensor: a new or changed file launches one recompute, after the folder stops changing,
with the reason in the run's tags; nothing changed, nothing launched."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from assets.resources import ChisoPaths
from models.ingest.readers import file_sha256
from pipelines.affected import recorded
from pipelines.definitions import ALL_ASSETS, recompute_job
from pipelines.sensors import REASON_TAG, raw_files_sensor

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
    sensor = raw_files_sensor(recompute_job, ALL_ASSETS, debounce_seconds=120, clock=clock)
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
        # Nothing read yet: the first run is a whole one, every year folder (2019 and 2023) in one run.
        assert request.asset_selection is None
        assert request.tags["dagster/asset_partition_range_start"] == "2019"
        assert request.tags["dagster/asset_partition_range_end"] == "2023"
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


def test_the_last_read_is_the_starting_point_and_a_change_runs_what_it_affects(sample_warehouse, tmp_path):
    """What the last run read counts as already acted on; a changed form runs its year, a changed
    register every year without reading the forms again; a file no source reads runs nothing."""
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw, symlinks=True)
    sensor = raw_files_sensor(recompute_job, ALL_ASSETS, debounce_seconds=0, clock=Clock())
    paths = ChisoPaths(raw_dir=str(raw), curated_dir=str(sample_warehouse))
    read = recorded(sample_warehouse / "warehouse.duckdb", SAMPLE)
    assert read.files["units.csv"] == ("units", file_sha256(SAMPLE / "units.csv")) and len(read.files) > 20
    assert read.files["submissions/2023/S01.xlsx"][0] == "submissions"

    def request_after_change(cursor, instance):
        requests, cursor = _evaluate(sensor, paths, cursor, instance)
        assert requests == []  # the change is seen; the folder must stay as it is for one more look
        requests, cursor = _evaluate(sensor, paths, cursor, instance)
        return (requests[0] if requests else None), cursor

    with dg.DagsterInstance.ephemeral() as instance:
        cursor = None
        for _ in range(2):
            requests, cursor = _evaluate(sensor, paths, cursor, instance)
            assert requests == []

        # A commune export of 2023 corrected: 2023's forms read again and 2023 rescored, nothing else read.
        export = raw / "submissions" / "2023" / "xa_H03.csv"
        export.write_text(export.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        request, cursor = request_after_change(cursor, instance)
        selected = set(request.asset_selection)
        assert {dg.AssetKey(["raw", "submissions"]), dg.AssetKey(["core", "unit_scores"])} <= selected
        assert dg.AssetKey("published_warehouse") in selected and dg.AssetKey(["raw", "units"]) not in selected
        assert request.tags["dagster/asset_partition_range_start"] == "2023"
        assert request.tags["dagster/asset_partition_range_end"] == "2023"
        assert request.tags["chiso/affected"] == "đọc lại submissions; năm: 2023"

        # The register corrected: read again, and every year rescored from the forms already read.
        units = raw / "units.csv"
        units.write_text(units.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        request, cursor = request_after_change(cursor, instance)
        selected = set(request.asset_selection)
        assert {dg.AssetKey(["raw", "units"]), dg.AssetKey(["staging", "submissions"])} <= selected
        assert dg.AssetKey(["raw", "submissions"]) not in selected
        assert request.tags["chiso/affected"] == "đọc lại units; năm: 2022, 2023, 2024, 2025"

        # A note no source reads: nothing to run.
        (raw / "ghi_chu.txt").write_text("chép thêm tệp tuần sau\n", encoding="utf-8")
        request, cursor = request_after_change(cursor, instance)
        assert request is None
