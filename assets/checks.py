"""Asset checks: the contract rules of `expectations.contracts`, blocking what reads a broken mart."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from expectations.contracts import RULES


def _check(name: str, table: str, sql: str, words: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(name=name, asset=table.split(".")[1], blocking=True, description=words)
    def _run(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as conn:
            bad = conn.sql(sql).pl()
        return dg.AssetCheckResult(
            passed=bad.height == 0,
            metadata={"failing_rows": bad.height, "sample": dg.MetadataValue.md(str(bad.head(10)))},
        )

    return _run


contract_checks = [_check(name, *spec) for name, spec in RULES.items()]
