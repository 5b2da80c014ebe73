"""The publish gate: only a run that rebuilt every table and ran every blocking check, all passed, replaces
the published warehouse and pages; partial selections launched through Dagster are refused."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.cli import failure_messages
from pipelines.definitions import make_definitions
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


def _group_keys(*groups: str) -> list[dg.AssetKey]:
    return [node.key for node in _graph().asset_nodes if node.group_name in groups]


def _blocking_checks_on(keys: list[dg.AssetKey]) -> int:
    graph = _graph()
    return sum(graph.get_check_spec(c).blocking for c in graph.asset_check_keys if c.asset_key in keys)


def _counts(message: str) -> tuple[int, int]:
    """(tables not rebuilt, blocking checks not run) as the refusal states them."""
    tables = re.search(r"(\d+) bảng chưa được tính lại", message)
    checks = re.search(r"(\d+) kiểm tra chặn chưa chạy", message)
    return int(tables.group(1)) if tables else 0, int(checks.group(1)) if checks else 0


def test_partial_selections_cannot_publish(tmp_path):
    curated = tmp_path / "curated"
    instance = dg.DagsterInstance.ephemeral()
    full = run_job(BROKEN, curated, instance=instance)
    assert full.success, failure_messages(full)
    # The published quality record is the publishing run's own, and it is not empty.
    runs = query(curated, "SELECT run_id, count(*) AS n FROM quality.check_results GROUP BY run_id")
    assert runs["run_id"].to_list() == [full.run_id] and runs["n"].item() > 10
    assert query(curated, "SELECT DISTINCT run_id FROM quality.row_balance")["run_id"].to_list() == [full.run_id]
    before = _published_state(curated)
    assert "warehouse.duckdb" in before and "dashboard/index.html" in before

    # 1. The published asset alone, as from the UI: no table rebuilt, no check run in this run.
    alone = run_job(BROKEN, curated, [dg.AssetKey("published_warehouse")], instance)
    assert not alone.success
    (message,) = failure_messages(alone)
    assert message.startswith("LỖI ở bước published_warehouse: Không công bố kho dữ liệu")
    upstream = [k for k in _graph().get_all_asset_keys() if k != dg.AssetKey("published_warehouse")]
    assert _counts(message) == (len(upstream), _blocking_checks_on(upstream))
    assert _published_state(curated) == before

    # 2. Someone changed staging in the working copy; core, marts and reports are rebuilt from it and
    # their own checks pass, but staging was neither rebuilt nor checked in this run: refused.
    with duckdb.connect(str(curated / ".working" / "warehouse.duckdb")) as conn:
        conn.execute("UPDATE staging.units SET unit_name = 'Chưa kiểm tra' WHERE unit_id = 'U1'")
    par_core = [k for k in _group_keys("core") if k.path[1] not in ("survey_index", "papi_index", "plan_tracking")]
    rebuilt = [
        *(k for k in par_core if k.path[1] != "plan_scorecard"),
        dg.AssetKey(["marts", "par_index"]),
        dg.AssetKey("dashboard"),
        dg.AssetKey("published_warehouse"),
    ]
    downstream = run_job(BROKEN, curated, rebuilt, instance)
    assert not downstream.success
    (message,) = failure_messages(downstream)
    stale = [k for k in upstream if k not in rebuilt]
    assert _counts(message) == (len(stale), _blocking_checks_on(stale))
    assert "Kho và các trang đã công bố giữ nguyên" in message
    with duckdb.connect(str(curated / ".working" / "warehouse.duckdb"), read_only=True) as conn:
        assert conn.sql("SELECT count(*) FROM marts.par_index WHERE unit_name = 'Chưa kiểm tra'").fetchone()[0] > 0
    assert _published_state(curated) == before
    assert query(curated, "SELECT count(*) FROM marts.par_index WHERE unit_name = 'Chưa kiểm tra'").item() == 0

    # 3. The dashboard alone succeeds, in the working copy only; the published page is the old one.
    page = run_job(BROKEN, curated, [dg.AssetKey("dashboard")], instance)
    assert page.success
    assert _published_state(curated) == before
