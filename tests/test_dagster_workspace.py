"""The Definitions load the way an analyst starts them: `dagster dev -w workspace.yaml`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _env(tmp_path: Path) -> dict:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_DISABLE_TELEMETRY": "1"}


def test_definitions_validate(tmp_path):
    proc = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_definitions_have_the_layers_job_schedule_and_checks():
    from pipelines.definitions import defs

    repo = defs.get_repository_def()
    groups = {node.group_name for node in repo.asset_graph.asset_nodes}
    assert groups == {"raw", "staging", "core", "marts", "reports"}
    assert {"marts/par_index", "marts/par_component_index", "marts/score_lineage", "dashboard"} <= {
        key.to_user_string() for key in repo.asset_graph.get_all_asset_keys()
    }
    assert defs.resolve_schedule_def("chiso_yearly").cron_schedule == "0 6 15 1 *"
    assert defs.resolve_sensor_def("chiso_raw_files").job_name == "chiso_recompute"
    checks = {key.name for key in repo.asset_graph.asset_check_keys}
    # Each declared source is balanced and checked; each contract mart has its suite.
    assert {"submissions_rows_balance", "submissions_raw_contract", "submissions_schema"} <= checks
    assert {"par_index_expectations", "sipas_index_unique"} <= checks


def test_marts_carry_their_documented_column_schema():
    from models.par.marts import CONTRACT_COLUMNS
    from pipelines.definitions import defs

    graph = defs.get_repository_def().asset_graph
    schemas = {
        node.key.to_user_string().replace("/", "."): node.metadata.get("dagster/column_schema")
        for node in graph.asset_nodes
        if node.group_name == "marts"
    }
    assert all(schemas.values()), [t for t, s in schemas.items() if s is None]  # every mart is documented
    for table, columns in CONTRACT_COLUMNS.items():
        assert [c.name for c in schemas[table].columns] == columns, table
    par_index = {c.name: c for c in schemas["marts.par_index"].columns}
    assert par_index["rank"].type == "INTEGER" and "ties broken" in par_index["rank"].description


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.ui
def test_dagster_dev_serves_the_assets(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [str(BIN / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so the whole tree can be stopped
        preexec_fn=lambda: (
            signal.signal(signal.SIGINT, signal.SIG_DFL),
            signal.signal(signal.SIGTERM, signal.SIG_DFL),
        ),
    )
    try:
        query = json.dumps({"query": "{ assetNodes { assetKey { path } groupName } }"}).encode()
        deadline, nodes = time.monotonic() + 150, None
        while time.monotonic() < deadline and nodes is None:
            time.sleep(2)
            try:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=query,
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(req, timeout=10) as resp:
                    nodes = json.load(resp)["data"]["assetNodes"]
            except (OSError, KeyError, TypeError):
                continue
        assert nodes, "dagster dev did not serve the asset graph in time"
        names = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert {"raw/submissions", "staging/submissions", "core/leaf_scores", "marts/par_index", "dashboard"} <= names
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_layers_import_only_downwards():
    """models/ knows no Dagster; assets/ never imports pipelines/ (docs/architecture.md)."""
    for path in (ROOT / "models").rglob("*.py"):
        assert "import dagster" not in path.read_text(encoding="utf-8"), path
    for path in (ROOT / "assets").rglob("*.py"):
        assert "from pipelines" not in path.read_text(encoding="utf-8"), path
