"""Resources: where the raw files are, where outputs go, and the warehouse connection.

Runs write into a working copy of the warehouse; only a run that rebuilt every table and ran every
blocking check, all passed, publishes it (assets/publish.py), so a run that fails halfway leaves the last good
`warehouse.duckdb` as it was, readable.
"""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ChisoPaths(dg.ConfigurableResource):
    """Input and output folders; `chiso run --raw-dir/--curated-dir` and tests point them elsewhere."""

    raw_dir: str = str(PROJECT_ROOT / "data" / "raw")
    curated_dir: str = str(PROJECT_ROOT / "data" / "curated")

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def curated(self) -> Path:
        path = Path(self.curated_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def warehouse_path(self) -> Path:
        """The published warehouse that analysts, notebooks and dashboards read."""
        return self.curated / "warehouse.duckdb"

    @property
    def working_dir(self) -> Path:
        """Where a run builds its outputs; only `published_warehouse` moves them to `curated`."""
        path = self.curated / ".working"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def working_path(self) -> Path:
        """The copy runs write into; it keeps history tables between runs."""
        return self.working_dir / "warehouse.duckdb"


def _damaged(path: Path) -> bool:
    """A DuckDB file that cannot be opened for a reason other than another process's lock."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as exc:
        return "lock" not in str(exc).casefold()
    return False


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse's write lock."""


class Warehouse(DuckDBResource):
    """DuckDB on the working copy, with a clear message when another run holds the lock.

    DuckDB allows one writing process per file; its lock is what keeps two runs from
    corrupting the warehouse. Runs are also queued one at a time (pipelines/dagster.yaml).
    A run's steps (all in one process: the in-process executor) share one connection, opened when
    the run starts and closed when it ends: the lock is held for the whole run, and the working
    copy is not checkpointed to disk after every step (about 40 ms a step).
    """

    published: str = ""
    lock_wait_seconds: float = 5.0
    _run_connection: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        working = Path(self.database)
        working.parent.mkdir(parents=True, exist_ok=True)
        for stale in working.parent.glob("*.tmp"):  # half-written copies of a run that was killed
            stale.unlink()
        if working.exists() and _damaged(working):
            context.log.warning(
                f"Bản làm việc {working} bị hỏng (lần chạy trước bị dừng giữa chừng?); dựng lại từ kho đã công bố. "
                "(The working copy could not be opened; it is rebuilt from the published warehouse.)"
            )
            working.unlink()
            working.with_name(working.name + ".wal").unlink(missing_ok=True)
        if not working.exists() and self.published and Path(self.published).exists():
            # Keep history tables such as raw.file_versions; copy then rename, so a kill mid-copy
            # leaves no half a working copy behind.
            tmp = working.with_name(working.name + ".tmp")
            shutil.copy2(self.published, tmp)
            os.replace(tmp, working)
        # Fail the run at once, with the clear message, if another run holds the lock. The quality
        # record is not emptied here: the publish gate judges it (assets/publish.py).
        self._run_connection = self._connect()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._run_connection is not None:
            self._run_connection.close()
            self._run_connection = None

    @contextmanager
    def get_connection(self):
        if self._run_connection is not None:
            yield self._run_connection
            return
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_wait_seconds
        while True:
            try:
                return duckdb.connect(self.database, read_only=False, config=self.connection_config)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).casefold():
                    raise
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"Kho dữ liệu {self.database} đang được một lần chạy khác ghi; "
                        "hãy chờ lần chạy đó kết thúc rồi chạy lại. "
                        f"(Another run holds the DuckDB write lock: {exc})"
                    ) from None
                time.sleep(0.5)
