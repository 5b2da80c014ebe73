"""Asset checks: the declared expectations of `expectations/` as Dagster checks, every result also
stored in `quality.check_results` for the dashboard's data-quality page.

- raw and staging checks come from the source declarations (assets/ingest.py);
- marts: Great Expectations suites, errors that block the dashboard and the publication.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import pandera.polars as pa
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.storage import key, read_table, replace_rows
from expectations import schemas, suites

RESULT_SCHEMA = {
    "check_name": pl.String,
    "asset": pl.String,
    "severity": pl.String,
    "passed": pl.Boolean,
    "failing": pl.Int64,
    "detail": pl.String,
}


def _result(
    conn, name: str, asset: str, severity: dg.AssetCheckSeverity, failing: int, detail: str
) -> dg.AssetCheckResult:
    passed = failing == 0
    row = pl.DataFrame(
        [
            {
                "check_name": name,
                "asset": asset,
                "severity": severity.value,
                "passed": passed,
                "failing": failing,
                "detail": detail,
            }
        ],
        schema=RESULT_SCHEMA,
        orient="row",
    )
    replace_rows(conn, "quality.check_results", "check_name", name, row)
    return dg.AssetCheckResult(
        passed=passed, severity=severity, metadata={"failing": failing, "detail": dg.MetadataValue.md(detail or "—")}
    )


def declared_check(
    name: str,
    table: str,
    severity: dg.AssetCheckSeverity,
    description: str,
    evaluate: Callable[[object], tuple[int, str]],
) -> dg.AssetChecksDefinition:
    """A blocking check on the asset that writes `table`, stored with the run's other results."""

    @dg.asset_check(name=name, asset=key(table), blocking=True, description=description)
    def _run(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as conn:
            failing, detail = evaluate(conn)
            return _result(conn, name, table, severity, failing, detail)

    return _run


def schema_check(
    name: str, table: str, severity: dg.AssetCheckSeverity, model: type[pa.DataFrameModel] | pa.DataFrameSchema
) -> dg.AssetChecksDefinition:
    """pandera: the table keeps its contract (provenance, types, the rules staging enforces)."""

    def evaluate(conn) -> tuple[int, str]:
        bad = schemas.failures(model, read_table(conn, table))
        return bad.height, str(bad.head(10)) if bad.height else ""

    return declared_check(name, table, severity, f"pandera: {table} keeps its contract", evaluate)


def rule_check(sql: str) -> Callable[[object], tuple[int, str]]:
    """A rule as SQL that returns the rows breaking it."""

    def evaluate(conn) -> tuple[int, str]:
        bad = conn.sql(sql).pl()
        return bad.height, str(bad.head(10)) if bad.height else ""

    return evaluate


def _suite(suite: suites.Suite) -> Callable[[object], tuple[int, str]]:
    def evaluate(conn) -> tuple[int, str]:
        results = suites.validate(suite, conn.sql(suite.sql).df())
        failed = results.filter(~pl.col("success"))
        return failed.height, "\n".join(
            f"{r['expectation']}: {r['unexpected_count']} dòng, ví dụ {r['sample']}"
            for r in failed.iter_rows(named=True)
        )

    return evaluate


WARN, ERROR = dg.AssetCheckSeverity.WARN, dg.AssetCheckSeverity.ERROR

mart_checks = [
    declared_check(
        f"{name}_expectations", f"marts.{name}", ERROR, f"Great Expectations suite for {suite.table}", _suite(suite)
    )
    for name, suite in suites.SUITES.items()
]
