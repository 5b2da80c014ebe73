"""A failed run leaves the last good warehouse readable; a second writer gets a clear message."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.cli import failure_messages
from tests.e2e_helpers import query, run_job

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken_inputs"
BIN = Path(sys.executable).parent


def _failure_text(result) -> str:
    return " ".join(failure_messages(result))


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """One good run over the broken fixture: each test starts from a copy of its curated folder."""
    curated = tmp_path_factory.mktemp("published")
    assert run_job(BROKEN, curated).success
    return curated


def test_failed_run_keeps_last_good_warehouse(tmp_path, published):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    shutil.copytree(BROKEN, raw, symlinks=True)
    shutil.copytree(published, curated)
    before = query(curated, "SELECT * FROM marts.par_index ORDER BY unit_id")
    # A framework that no longer adds up stops the run halfway (staging), after raw tables were rewritten.
    yaml = raw / "frameworks/mini-2021/framework.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("scale: 100", "scale: 90"), encoding="utf-8")
    (raw / "submissions/2023/xuat_bo_sung.csv").unlink()
    failed = run_job(raw, curated)
    assert not failed.success
    assert "thang điểm 90" in _failure_text(failed)
    after = query(curated, "SELECT * FROM marts.par_index ORDER BY unit_id")
    assert after.equals(before)


def test_second_writer_gets_a_clear_message(tmp_path, published):
    curated = tmp_path / "curated"
    shutil.copytree(published, curated)
    working = curated / ".working" / "warehouse.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(working)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run_job(BROKEN, curated)
        assert not result.success
        assert "đang được một lần chạy khác ghi" in _failure_text(result)
    finally:
        holder.kill()
        holder.wait()
    # The published warehouse stayed readable throughout, and the next run goes through.
    assert query(curated, "SELECT count(*) FROM marts.par_index").item() == 5
    assert run_job(BROKEN, curated, [dg.AssetKey("published_warehouse")]).success


def test_a_killed_run_leaves_nothing_half_written(tmp_path, published):
    curated = tmp_path / "curated"
    shutil.copytree(published, curated)
    published = curated / "warehouse.duckdb"
    size = published.stat().st_size
    # A run killed while writing: a torn working copy and a half-copied file beside it.
    working = curated / ".working" / "warehouse.duckdb"
    working.write_bytes(working.read_bytes()[:4096])
    (curated / ".working" / "warehouse.duckdb.tmp").write_bytes(b"half")
    result = run_job(BROKEN, curated)
    assert result.success, _failure_text(result)  # rebuilt from the published warehouse
    assert query(curated, "SELECT count(*) FROM marts.par_index").item() == 5
    assert not list(curated.rglob("*.tmp"))
    # Publishing the same input again gives a warehouse of the same size (a compact copy).
    assert published.stat().st_size == size


def test_cli_refuses_a_second_run_at_once(tmp_path):
    curated = tmp_path / "curated"
    lock_path = curated / ".working" / "run.lock"
    lock_path.parent.mkdir(parents=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        start = time.monotonic()
        proc = subprocess.run(
            [str(BIN / "chiso"), "run", "--raw-dir", str(BROKEN), "--curated-dir", str(curated)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 3
    assert "Một lần chạy khác đang cập nhật kho dữ liệu" in proc.stderr
    assert time.monotonic() - start < 60
    assert not (curated / "warehouse.duckdb").exists()
