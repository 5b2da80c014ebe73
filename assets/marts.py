"""Marts: the public contract tables (docs/marts.md), each one SQL statement over the layers below."""

from __future__ import annotations

import re

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.storage import key

_TABLES = re.compile(r"\b((?:raw|staging|core|marts)\.[a-z_]+)\b")


def mart_asset(table: str, sql: str) -> dg.AssetsDefinition:
    """A contract table built by one SQL statement; its lineage is the tables the SQL reads."""
    reads = sorted(set(_TABLES.findall(sql)) - {table})

    @dg.asset(
        key=key(table),
        group_name="marts",
        kinds={"duckdb"},
        deps=[key(t) for t in reads],
        description=f"Public contract table `{table}`; columns documented in docs/marts.md.",
    )
    def _build(warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
            conn.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return dg.MaterializeResult(metadata={"dagster/row_count": rows})

    return _build
