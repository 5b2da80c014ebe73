"""The DuckDB warehouse: one schema per layer, tables replaced whole by the asset that writes them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
        with transaction(conn):
            conn.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _chiso_frame")
            mark_written(conn, name)
    finally:
        conn.unregister("_chiso_frame")
    return frame.height


def write_years(
    conn: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, column: str, years: list[str], current: list[str]
) -> int:
    """Replace the rows of these evaluation years (`column` holds the year); the rows of the other years
    in `current` (the raw folder's year folders) stay, and those of a year whose folder is gone go."""
    cast = (lambda ys: ys) if frame.schema.get(column, pl.String) == pl.String else (lambda ys: [int(y) for y in ys])
    with transaction(conn):
        if table_exists(conn, name):
            conn.execute(f'DELETE FROM {name} WHERE "{column}" NOT IN (SELECT unnest(?))', [cast(current)])
        delete_rows(conn, name, {column: cast(years)})
        append_rows(conn, name, frame)
        mark_written(conn, name, years, by=column)
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


def replace_rows(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, where: dict[str, list]) -> None:
    """Replace the rows matching `where` (every `column IN values`) in one transaction: the rows of one
    check in a table every check writes, or one evaluation year's rows of a table written year by year."""
    with transaction(conn):
        delete_rows(conn, table, where)
        append_rows(conn, table, frame)


def delete_rows(conn: duckdb.DuckDBPyConnection, table: str, where: dict[str, list]) -> None:
    if table_exists(conn, table):
        condition = " AND ".join(f'"{column}" IN (SELECT unnest(?))' for column in where) or "true"
        conn.execute(f"DELETE FROM {table} WHERE {condition}", [list(v) for v in where.values()])


def append_rows(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Add the frame's rows (by column name), creating the table, or the columns it lacks (a table written
    before a column was added gains it, empty for its old rows)."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
    conn.register("_chiso_rows", frame.to_arrow())
    try:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM _chiso_rows LIMIT 0")
        schema, name = table.split(".")
        have = {
            c
            for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [schema, name],
            ).fetchall()
        }
        for column, dtype, *_ in conn.execute("DESCRIBE SELECT * FROM _chiso_rows").fetchall():
            if column not in have:
                conn.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {dtype}')
        conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _chiso_rows")
    finally:
        conn.unregister("_chiso_rows")


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: a step killed halfway leaves the working copy as it was before the step."""
    conn.execute("BEGIN")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def mark_written(
    conn: duckdb.DuckDBPyConnection, asset: str, partitions: list[str] | None = None, by: str | None = None
) -> None:
    """Note that `asset` (a table, or pages) was just written: for these evaluation years if it is
    written year by year (`by`: the SQL giving a row's year).

    Each write takes a number from a clock that only grows (`computed`), and so does each check
    result: the publish gate compares them to tell whether every table was computed after what it
    reads last changed, and every check ran after its table last changed (assets/publish.py). A table
    written again with the same rows (same count and row hashes) keeps the number of its last change
    (`changed`), so reading an unchanged register again does not make every year computed from it
    stale. The record lives in the working copy, beside the data it describes."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS quality")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS quality.writes (asset VARCHAR, partition VARCHAR, changed BIGINT, "
        "computed BIGINT, version VARCHAR, written_at TIMESTAMP, PRIMARY KEY (asset, partition))"
    )
    parts = partitions or [""]
    versions = _versions(conn, asset, parts, by) if "." in asset and table_exists(conn, asset) else {}
    before = {
        p: (changed, version)
        for p, changed, version in conn.execute(
            "SELECT partition, changed, version FROM quality.writes WHERE asset = ?", [asset]
        ).fetchall()
    }
    seq = tick(conn)
    rows = []
    for p in parts:
        last_change, last_version = before.get(p, (None, None))
        same = versions.get(p) is not None and last_version == versions[p]
        rows.append([asset, p, last_change if same else seq, seq, versions.get(p)])
    conn.executemany("INSERT OR REPLACE INTO quality.writes VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)", rows)


def _versions(conn: duckdb.DuckDBPyConnection, table: str, parts: list[str], by: str | None) -> dict[str, str]:
    """'rows:sum of row hashes' of the table, or of each year's rows."""
    fingerprint = "count(*)::VARCHAR || ':' || coalesce(sum(hash(t)), 0)::VARCHAR"
    if by is None:
        return {"": conn.execute(f"SELECT {fingerprint} FROM {table} t").fetchone()[0]}
    found = dict(
        conn.execute(
            f"SELECT ({by})::VARCHAR AS p, {fingerprint} FROM {table} t "
            f"WHERE ({by})::VARCHAR IN (SELECT unnest($parts)) GROUP BY 1",
            {"parts": parts},
        ).fetchall()
    )
    return {p: found.get(p, "0:0") for p in parts}


def tick(conn: duckdb.DuckDBPyConnection) -> int:
    """The next number of the working copy's write clock (one writer at a time: DuckDB's file lock)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS quality")
    conn.execute("CREATE TABLE IF NOT EXISTS quality.clock AS SELECT 0::BIGINT AS seq")
    return conn.execute("UPDATE quality.clock SET seq = seq + 1 RETURNING seq").fetchone()[0]


def table_exists(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def key(table: str) -> dg.AssetKey:
    """The asset that writes `schema.table` has the key [schema, table]."""
    return dg.AssetKey(table.split("."))
