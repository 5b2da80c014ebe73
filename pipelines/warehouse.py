"""The DuckDB warehouse: one schema per layer, tables replaced whole by the asset that owns them."""

from __future__ import annotations

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
