"""Marts: the public contract tables (docs/marts.md) that analysts and notebooks read."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from models.par.marts import MARTS


def mart_asset(table: str, sql: str, deps: list[str]) -> dg.AssetsDefinition:
    """A contract table built by one SQL statement over the core layer."""

    @dg.asset(
        name=table.split(".")[1],
        group_name="marts",
        kinds={"duckdb"},
        deps=deps,
        description=f"Public contract table `{table}`; columns documented in docs/marts.md.",
    )
    def _build(warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
            conn.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return dg.MaterializeResult(metadata={"rows": rows, "table": table})

    return _build


mart_assets = [mart_asset(table, sql, ["par_scores"]) for table, sql in MARTS.items()]
