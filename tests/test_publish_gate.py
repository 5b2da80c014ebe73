"""The publish gate: the published warehouse and pages are replaced only from a working copy that is whole
(every table, every year folder), fresh (each table written after what it reads) and checked (every
blocking check ran after its table's last write, and passed); partial selections that would publish
anything else, launched through Dagster, are refused."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from assets.publish import Graph, gate_refusal
from pipelines.cli import failure_messages
from pipelines.definitions import ALL_ASSETS, make_definitions
from tests.e2e_helpers import query, run_job

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken_inputs"


def _published_state(curated: Path) -> dict[str, str]:
    """Every published file (warehouse and pages) with its content hash."""
    return {
        str(p.relative_to(curated)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(curated.rglob("*"))
        if p.is_file() and ".working" not in p.parts
    }


def _graph():
    return make_definitions().get_repository_def().asset_graph


def test_the_gate_rules_worked_by_hand():
    """Three tables: raw.x → staging.x (by year) → marts.x, one blocking check on marts.x; years 2023, 2024.
    Each write is (when the table last changed, when it was last computed)."""
    graph = Graph(
        upstream={"raw.x": set(), "staging.x": {"raw.x"}, "marts.x": {"staging.x"}},
        partitioned={"staging.x"},
        blocking={"x_ok": "marts.x"},
    )
    years = ["2023", "2024"]
    whole = {
        ("raw.x", ""): (1, 1),
        ("staging.x", "2023"): (2, 2),
        ("staging.x", "2024"): (3, 3),
        ("marts.x", ""): (4, 4),
    }
    assert gate_refusal(graph, whole, {"x_ok": (5, True)}, years) is None
    # The check failed, or ran before marts.x last changed.
    assert "1 kiểm tra chặn không đạt: x_ok" in gate_refusal(graph, whole, {"x_ok": (5, False)}, years)
    assert "1 kiểm tra chặn chưa chạy lại" in gate_refusal(graph, whole, {"x_ok": (3, True)}, years)
    # raw.x read again and changed (6) after staging was computed: staging is stale.
    stale = gate_refusal(graph, {**whole, ("raw.x", ""): (6, 6)}, {"x_ok": (5, True)}, years)
    assert "1 bảng chưa được tính lại sau khi dữ liệu nguồn của chúng thay đổi: staging.x" in stale
    # raw.x read again unchanged: it keeps its last change (1), nothing is stale.
    assert gate_refusal(graph, {**whole, ("raw.x", ""): (1, 6)}, {"x_ok": (5, True)}, years) is None
    # 2024 restaged with new rows (6) but marts.x not recomputed; recomputed (7) with the same rows, so it
    # keeps its last change (4) and its check still holds; recomputed with new rows (7, 7): check again.
    restaged = {**whole, ("staging.x", "2024"): (6, 6)}
    assert "marts.x" in gate_refusal(graph, restaged, {"x_ok": (5, True)}, years)
    assert gate_refusal(graph, {**restaged, ("marts.x", ""): (4, 7)}, {"x_ok": (5, True)}, years) is None
    assert "chưa chạy lại" in gate_refusal(graph, {**restaged, ("marts.x", ""): (7, 7)}, {"x_ok": (5, True)}, years)
    assert gate_refusal(graph, {**restaged, ("marts.x", ""): (7, 7)}, {"x_ok": (8, True)}, years) is None
    # A year folder never staged (2025): refused, naming the year.
    missing = gate_refusal(graph, whole, {"x_ok": (5, True)}, [*years, "2025"])
    assert "1 bảng chưa được tính (năm còn thiếu trong ngoặc): staging.x (2025)" in missing


def test_partial_selections_cannot_publish(tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    shutil.copytree(BROKEN, raw, symlinks=True)
    instance = dg.DagsterInstance.ephemeral()

    # 0. One year alone into an empty working copy: the other year was never computed.
    first = run_job(raw, curated, instance=instance, years=["2023"])
    assert not first.success
    (message,) = failure_messages(first)
    assert message.startswith("LỖI ở bước published_warehouse: Không công bố kho dữ liệu")
    # The four forms tables (raw, files, staged, quarantine) and the six core tables have no 2019 rows.
    assert "10 bảng chưa được tính (năm còn thiếu trong ngoặc): core.agency_appraisal (2019)," in message
    assert not (curated / "warehouse.duckdb").exists()

    full = run_job(raw, curated, instance=instance)
    assert full.success, failure_messages(full)
    # Every blocking check is in the published quality record, passed, after its table's last write.
    record = query(
        curated,
        "SELECT c.check_name, c.passed, c.seq > (SELECT max(w.changed) FROM quality.writes w WHERE w.asset = c.asset) "
        "AS fresh FROM quality.check_results c",
    )
    blocking = {c.name for a in ALL_ASSETS for c in a.check_specs if c.blocking}
    assert blocking <= set(record["check_name"]) and record["fresh"].all()
    assert record.filter(pl.col("check_name").is_in(blocking))["passed"].all()
    before = _published_state(curated)
    assert "warehouse.duckdb" in before and "dashboard/index.html" in before

    # 1. The units file read again unchanged, and the published asset: nothing is stale, so it publishes.
    raw_units = [dg.AssetKey(["raw", "units"]), dg.AssetKey(["raw", "units_files"])]
    same = run_job(raw, curated, [*raw_units, dg.AssetKey("published_warehouse")], instance)
    assert same.success, failure_messages(same)
    before = _published_state(curated)

    # 2. The units file corrected, read again, and the published asset, as from the UI: every table built
    # from the units is now older than what it reads. Refused; nothing published changes.
    units = raw / "units.csv"
    units.write_text(units.read_text(encoding="utf-8") + "U99,Sở Mới,department,,T\n", encoding="utf-8")
    partial = run_job(raw, curated, [*raw_units, dg.AssetKey("published_warehouse")], instance)
    assert not partial.success
    (message,) = failure_messages(partial)
    assert "bảng chưa được tính lại sau khi dữ liệu nguồn của chúng thay đổi: staging.units" in message
    assert "Kho và các trang đã công bố giữ nguyên" in message
    assert _published_state(curated) == before

    # 3. A table rebuilt from bad data fails its blocking check: refused too. (Someone edited the working
    # copy by hand: the edit itself is not a write chiso knows of, but the mart built from it is checked.)
    with duckdb.connect(str(curated / ".working" / "warehouse.duckdb")) as conn:
        conn.execute("UPDATE core.unit_scores SET index_pct = 140")
    mart = run_job(raw, curated, [dg.AssetKey(["marts", "par_index"]), dg.AssetKey("published_warehouse")], instance)
    assert not mart.success  # the blocking check stops the run before publishing is even tried
    assert "marts/par_index: par_index_expectations" in failure_messages(mart)[0]
    assert not mart.is_node_success("published_warehouse")
    assert _published_state(curated) == before

    # 4. Everything downstream of the units, every year, as the sensor would launch it: whole and
    # checked again, so it publishes (and the hand edit is gone, since core was rebuilt).
    downstream = sorted(dg.AssetSelection.assets(*raw_units).downstream().resolve(_graph()))
    again = run_job(raw, curated, downstream, instance)
    assert again.success, failure_messages(again)
    assert query(curated, "SELECT max(index_pct) FROM marts.par_index").item() <= 100

    # 5. The dashboard alone succeeds, in the working copy only; the published page is the old one.
    before = _published_state(curated)
    page = run_job(raw, curated, [dg.AssetKey("dashboard")], instance)
    assert page.success
    assert _published_state(curated) == before

    # 6. A year folder removed: the next year's run drops that year's rows everywhere, as a whole run would.
    shutil.rmtree(raw / "submissions" / "2019")
    year_run = run_job(raw, curated, instance=instance, years=["2023"])
    assert year_run.success, failure_messages(year_run)
    for table in ("raw.submissions", "raw.submissions_files", "staging.submissions_quarantine"):
        assert query(curated, f"SELECT count(*) FROM {table} WHERE source_file LIKE 'submissions/2019/%'").item() == 0
    assert query(curated, "SELECT count(*) FROM quality.row_balance WHERE partition = '2019'").item() == 0


def test_a_backfill_split_into_runs_publishes_in_its_last(tmp_path):
    """As the UI's backfill of every asset over both years runs it: Dagster launches the assets before
    the partitioned ones, then the partitioned ones for the years, then the rest, each its own run."""
    curated, instance, graph = tmp_path / "curated", dg.DagsterInstance.ephemeral(), _graph()
    partitioned = {k for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned}
    years = dg.AssetSelection.assets(*partitioned)
    before = (years.upstream() - years).required_multi_asset_neighbors().resolve(graph)
    after = set(graph.get_all_asset_keys()) - before - partitioned
    for step, selection in enumerate((before, partitioned, after)):
        result = run_job(BROKEN, curated, sorted(selection), instance, years=["2019", "2023"])
        assert result.success, failure_messages(result)
        assert (curated / "warehouse.duckdb").exists() == (step == 2)  # published by the last run only
    assert query(curated, "SELECT count(*) FROM marts.par_index").item() > 0
