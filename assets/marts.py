"""Marts: the public contract tables (docs/marts.md) that analysts and notebooks read."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from models.marts import MARTS


def _mart_asset(table: str) -> dg.AssetsDefinition:
    name = table.split(".")[1]

    @dg.asset(
        name=name,
        group_name="marts",
        kinds={"duckdb"},
        deps=["par_scores"],
        description=f"Public contract table `{table}`; columns documented in docs/marts.md.",
    )
    def _build(warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
            conn.execute(f"CREATE OR REPLACE TABLE {table} AS {MARTS[table]}")
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return dg.MaterializeResult(metadata={"rows": rows, "table": table})

    return _build


mart_assets = [_mart_asset(table) for table in MARTS]
