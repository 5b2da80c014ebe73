"""Marts: the public contract tables (docs/marts.md), each one SQL statement over the layers below."""

from __future__ import annotations

import re
from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.checks import checks_on
from assets.metadata import materialized, spec_metadata
from assets.storage import key, mark_written, transaction

_TABLES = re.compile(r"\b((?:raw|staging|core|marts)\.[a-z_]+)\b")


def mart_asset(table: str, sql: str) -> dg.AssetsDefinition:
    """A contract table built by one SQL statement; its lineage is the tables the SQL reads, and its
    declared checks (Great Expectations suites, SQL rules) run in the same step and block what follows."""
    reads = sorted(set(_TABLES.findall(sql)) - {table})
    checks = checks_on(table)

    @dg.multi_asset(
        name=table.replace(".", "__"),
        specs=[
            dg.AssetSpec(
                key(table),
                group_name="marts",
                kinds={"duckdb"},
                deps=[key(t) for t in reads],
                description=f"Public contract table `{table}`; columns documented in docs/marts.md.",
                metadata=spec_metadata(table),
            )
        ],
        check_specs=[c.spec() for c in checks],
    )
    def _build(context, warehouse: DuckDBResource) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with warehouse.get_connection() as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
            with transaction(conn):
                conn.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
                mark_written(conn, table)
            yield materialized(conn, table)
            for check in checks:
                yield check.run(conn, context.run.run_id)

    return _build
