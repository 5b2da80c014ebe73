"""The DuckDB warehouse: one schema per layer, tables replaced whole by the asset that writes them."""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl

SCHEMAS = ("raw", "staging", "core", "marts")


def write_table(conn: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> int:
    """Replace `schema.table` with the frame, in one statement, so readers never see half a table."""
    schema = name.split(".")[0]
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    conn.register("_chiso_frame", frame.to_arrow())
    try:
        conn.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _chiso_frame")
    finally:
        conn.unregister("_chiso_frame")
    return frame.height


def read_table(conn: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    return conn.sql(f"SELECT * FROM {name}").pl()


def record_file_versions(conn: duckdb.DuckDBPyConnection, files: pl.DataFrame) -> int:
    """Append each (file, content hash) not seen before as the file's next version; return how many.

    Raw files are never changed by chiso; this history is how a changed file is noticed and
    how any row can be traced to the exact content it came from (via `file_sha256`). It lives
    in the working warehouse and survives runs, unlike the tables rebuilt each run.
    """
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS raw.file_versions "
        "(source_file VARCHAR, file_sha256 VARCHAR, version INTEGER, first_seen_at TIMESTAMP)"
    )
    before = conn.execute("SELECT count(*) FROM raw.file_versions").fetchone()[0]
    conn.register("_chiso_files", files.select("source_file", "file_sha256").to_arrow())
    try:
        conn.execute(
            """
            INSERT INTO raw.file_versions
            SELECT f.source_file, f.file_sha256,
                   coalesce((SELECT max(v.version) FROM raw.file_versions v WHERE v.source_file = f.source_file), 0)
                   + 1,
                   now()::TIMESTAMP
            FROM _chiso_files f
            WHERE NOT EXISTS (SELECT 1 FROM raw.file_versions v
                              WHERE v.source_file = f.source_file AND v.file_sha256 = f.file_sha256)
            """
        )
    finally:
        conn.unregister("_chiso_files")
    return conn.execute("SELECT count(*) FROM raw.file_versions").fetchone()[0] - before


def replace_rows(conn: duckdb.DuckDBPyConnection, table: str, key: str, value: str, frame: pl.DataFrame) -> None:
    """Replace the rows where `key = value` in a table several writers share (e.g. one per check)."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
    conn.register("_chiso_rows", frame.to_arrow())
    try:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM _chiso_rows LIMIT 0")
        conn.execute("BEGIN")
        conn.execute(f"DELETE FROM {table} WHERE {key} = ?", [value])
        conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _chiso_rows")
        conn.execute("COMMIT")
    finally:
        conn.unregister("_chiso_rows")


def key(table: str) -> dg.AssetKey:
    """The asset that writes `schema.table` has the key [schema, table]."""
    return dg.AssetKey(table.split("."))
