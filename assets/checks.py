"""Asset checks: the declared expectations of `expectations/` as Dagster checks, every result also
stored in `quality.check_results` for the dashboard's data-quality page.

- raw and staging checks come from the source declarations (assets/ingest.py);
- marts: Great Expectations suites, errors that block the dashboard and the publication.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import pandera.polars as pa
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.storage import key, read_table, replace_rows, tick
from expectations import schemas, suites
from models.surveys.marts import SURVEY_RULES

RESULT_SCHEMA = {
    "check_name": pl.String,
    "asset": pl.String,
    "severity": pl.String,
    "passed": pl.Boolean,
    "failing": pl.Int64,
    "detail": pl.String,
    "run_id": pl.String,
    "seq": pl.Int64,  # when it ran, on the working copy's write clock (assets/storage.py `tick`)
}


@dataclass(frozen=True)
class Check:
    """A declared expectation on the table an asset writes: run in that asset's own step (`spec`,
    `run`) or as a check of its own (`definition`); either way stored in quality.check_results."""

    name: str
    table: str
    severity: dg.AssetCheckSeverity
    description: str
    evaluate: Callable[[object], tuple[int, str]]

    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(
            self.name, asset=key(self.table), blocking=self.severity == ERROR, description=self.description
        )

    def run(self, conn, run_id: str) -> dg.AssetCheckResult:
        """Evaluate, store the result tagged with the run (the publish gate reads which run checked what)."""
        failing, detail = self.evaluate(conn)
        passed = failing == 0
        row = {
            "check_name": self.name,
            "asset": self.table,
            "severity": self.severity.value,
            "passed": passed,
            "failing": failing,
            "detail": detail,
            "run_id": run_id,
            "seq": tick(conn),
        }
        replace_rows(
            conn, "quality.check_results", pl.DataFrame([row], schema=RESULT_SCHEMA), {"check_name": [self.name]}
        )
        return dg.AssetCheckResult(
            asset_key=key(self.table),
            check_name=self.name,
            passed=passed,
            severity=self.severity,
            metadata={"failing": failing, "detail": dg.MetadataValue.md(detail or "—")},
        )

    def definition(self) -> dg.AssetChecksDefinition:
        @dg.asset_check(name=self.name, asset=key(self.table), blocking=True, description=self.description)
        def _run(context, warehouse: DuckDBResource) -> dg.AssetCheckResult:
            with warehouse.get_connection() as conn:
                return self.run(conn, context.run.run_id)

        return _run


def schema_check(
    name: str, table: str, severity: dg.AssetCheckSeverity, model: type[pa.DataFrameModel] | pa.DataFrameSchema
) -> Check:
    """pandera: the table keeps its contract (provenance, types, the rules staging enforces)."""

    def evaluate(conn) -> tuple[int, str]:
        bad = schemas.failures(model, read_table(conn, table))
        return bad.height, str(bad.head(10)) if bad.height else ""

    return Check(name, table, severity, f"pandera: {table} keeps its contract", evaluate)


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

# Marts: each suite or rule runs in the step that builds its table (assets/marts.py `mart_asset`).
MART_CHECKS = [
    *(
        Check(
            f"{name}_expectations", f"marts.{name}", ERROR, f"Great Expectations suite for {suite.table}", _suite(suite)
        )
        for name, suite in suites.SUITES.items()
    ),
    *(Check(name, table, ERROR, words, rule_check(sql)) for name, (table, sql, words) in SURVEY_RULES.items()),
]


def checks_on(table: str) -> list[Check]:
    return [c for c in MART_CHECKS if c.table == table]
