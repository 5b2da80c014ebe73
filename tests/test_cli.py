"""The `chiso` command as an operator uses it: it talks while running, fails in a few Vietnamese lines,
records its runs in the one Dagster instance the UI serves, and finds units whatever their case."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pytest

from pipelines import cli
from pipelines.definitions import ALL_ASSETS
from pipelines.explain_cmd import run_explain
from tests.e2e_helpers import query

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken_inputs"


def test_the_instance_is_the_projects_unless_dagster_home_says_otherwise(tmp_path):
    assert cli.dagster_home({}) == cli.PROJECT_ROOT / ".dagster_home"
    assert cli.dagster_home({"DAGSTER_HOME": str(tmp_path)}) == tmp_path.resolve()


def test_run_talks_and_lands_in_the_instance_the_ui_serves(tmp_path, monkeypatch, capsys):
    home, curated = tmp_path / "home", tmp_path / "curated"
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # a new, empty home: chiso creates it as `make` would
    assert cli.main(["run", "--raw-dir", str(BROKEN), "--curated-dir", str(curated)]) == 0
    out = capsys.readouterr().out
    assert "xong bước stage_submissions" in out and "xong bước published_warehouse" in out
    assert re.search(r"\[\s*\d+\.\d giây\]", out)
    # Each source's counts as the published row balance has them.
    for source, rows_in, staged, quarantined in query(
        curated,
        "SELECT source, sum(rows_in), sum(rows_staged), sum(rows_quarantined) FROM quality.row_balance GROUP BY source",
    ).iter_rows():
        assert f"{source}: đọc {rows_in} dòng, chuẩn hóa {staged}, cách ly {quarantined}," in out
    # The run, its materialisations and its checks are in the persistent instance.
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == cli.INSTANCE_CONFIG.read_text(encoding="utf-8")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs()
        assert run.job_name == "chiso_recompute" and run.tags["chiso/started_by"] == "chiso run"
        assert run.run_id in out
        latest = instance.get_latest_materialization_event(dg.AssetKey(["marts", "par_index"]))
        assert latest.run_id == run.run_id
        # Standard metadata: the documented contract with the actual columns, a preview, the published path.
        meta = latest.asset_materialization.metadata
        described = {c.name: c.description for c in meta["dagster/column_schema"].schema.columns}
        assert "1708/QĐ-UBND Art. 3.3" in described["index_pct"] and "extra column" in described["band_reason"]
        assert meta["dagster/row_count"].value == query(curated, "SELECT count(*) FROM marts.par_index").item()
        assert meta["preview"].value.startswith("| year | province | unit_group | unit_id |")
        # Every table asset (raw, staging, core, marts) reports its row count, columns and table name.
        tables = [k for a in ALL_ASSETS for k in a.keys if len(k.path) == 2]
        for asset_key in tables:
            reported = instance.get_latest_materialization_event(asset_key).asset_materialization.metadata
            assert {"dagster/row_count", "dagster/column_schema", "dagster/table_name"} <= set(reported), asset_key
        published = instance.get_latest_materialization_event(dg.AssetKey("published_warehouse"))
        assert published.asset_materialization.metadata["path"].value == str(curated / "warehouse.duckdb")
        check = dg.AssetCheckKey(dg.AssetKey(["staging", "submissions"]), "submissions_rows_balance")
        (record,) = instance.event_log_storage.get_asset_check_execution_history(check, limit=1)
        assert record.run_id == run.run_id
        assert instance.get_dynamic_partitions("evaluation_year") == ["2019", "2023"]

    # One year again: only its forms are read and only it is rescored; the published results are the same.
    before = query(curated, "SELECT * FROM marts.par_index ORDER BY year, unit_id")
    assert cli.main(["run", "--year", "2023", "--raw-dir", str(BROKEN), "--curated-dir", str(curated)]) == 0
    out = capsys.readouterr().out
    assert "Phạm vi: đọc lại submissions; năm: 2023" in out and "xong bước read_units" not in out
    assert query(curated, "SELECT * FROM marts.par_index ORDER BY year, unit_id").equals(before)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        year_run = instance.get_runs(limit=1)[0]
        assert year_run.tags["dagster/asset_partition_range_start"] == "2023" and year_run.run_id != run.run_id

        def last_run(partition: str) -> str:
            records = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=dg.AssetKey(["core", "unit_scores"]), asset_partitions=[partition]), 1
            ).records
            return records[0].run_id

        assert (last_run("2019"), last_run("2023")) == (run.run_id, year_run.run_id)

    # A year with no folder is named before anything runs.
    assert cli.main(["run", "--year", "2031", "--raw-dir", str(BROKEN), "--curated-dir", str(curated)]) == 2
    assert "không có thư mục năm 2031" in capsys.readouterr().err


def test_a_failed_run_says_where_in_a_few_lines(tmp_path, capsys):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    (raw / "submissions" / "2024").mkdir(parents=True)  # a year folder, but no frameworks: scoring cannot start
    assert cli.main(["run", "--quiet", "--raw-dir", str(raw), "--curated-dir", str(curated)]) == 1
    captured = capsys.readouterr()
    assert "xong bước" not in captured.out  # --quiet
    errors = captured.err.strip().splitlines()
    assert errors[0] == "LỖI ở bước stage_rule_files: Không có bộ chỉ số nào trong thư mục frameworks"
    assert len(errors) <= 4 and "Traceback" not in captured.err and "bước None" not in captured.err
    assert f"Chưa có kho dữ liệu nào được công bố trong {curated}" in captured.err  # none was ever published
    log = curated / "logs" / "chiso-run.log"
    assert str(log) in captured.err and 'File "' in log.read_text(encoding="utf-8")  # the full trace


def test_a_raw_folder_without_year_folders_is_named_before_anything_runs(tmp_path, capsys):
    assert cli.main(["run", "--raw-dir", str(tmp_path), "--curated-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"không có thư mục năm nào trong {tmp_path / 'submissions'}" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "warehouse.duckdb").exists()


def test_a_missing_raw_folder_is_named_before_anything_runs(tmp_path, capsys):
    missing = tmp_path / "khong_co"
    assert cli.main(["run", "--raw-dir", str(missing), "--curated-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "--raw-dir" in err
    assert not (tmp_path / "out" / "warehouse.duckdb").exists()


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert re.fullmatch(r"chiso \d+\.\d+\.\d+ \(Dagster 1\.13\.\d+\)\n", capsys.readouterr().out)


def test_explain_matches_unit_ids_without_regard_to_case(sample_warehouse, capsys):
    warehouse = str(sample_warehouse / "warehouse.duckdb")
    assert run_explain(2024, "S04", warehouse) == 0
    upper = capsys.readouterr().out
    assert run_explain(2024, " s04 ", warehouse) == 0
    assert capsys.readouterr().out == upper
    assert run_explain(2024, "S4", warehouse) == 1
    err = capsys.readouterr().err
    assert "Không có đơn vị mã «S4» trong năm 2024" in err
    # The closest valid ids come first, then the others (168 units in the sample's 2024).
    shown = err.split("Các mã hợp lệ: ")[1].split(", ")
    assert "S04" in shown[:5] and "H01" not in shown[:5]
