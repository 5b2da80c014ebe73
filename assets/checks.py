"""Asset checks: the declared expectations of `expectations/`, run on every raw, staging and mart asset.

- raw: pandera schemas (contract columns, provenance) and unreadable files — warnings: good
  files go on, bad ones are in staging.quarantine;
- staging: pandera schemas and the row balance (rows in = staged + quarantined + set aside) —
  errors that block everything downstream, since they mean staging broke its promise;
- marts: Great Expectations suites — errors that block the dashboard and the publication.
Every result is also stored in `quality.check_results` for the dashboard's data-quality page.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.storage import read_table, replace_rows
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
    asset: str,
    severity: dg.AssetCheckSeverity,
    description: str,
    evaluate: Callable[[object], tuple[int, str]],
) -> dg.AssetChecksDefinition:
    @dg.asset_check(name=name, asset=asset, blocking=True, description=description)
    def _run(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as conn:
            failing, detail = evaluate(conn)
            return _result(conn, name, asset, severity, failing, detail)

    return _run


def _schemas(specs: list[tuple[str, type]]) -> Callable[[object], tuple[int, str]]:
    def evaluate(conn) -> tuple[int, str]:
        bad = [(table, schemas.failures(model, read_table(conn, table))) for table, model in specs]
        detail = "\n".join(f"{table}:\n{frame.head(10)}" for table, frame in bad if frame.height)
        return sum(frame.height for _, frame in bad), detail

    return evaluate


def _unreadable(tables: list[str]) -> Callable[[object], tuple[int, str]]:
    def evaluate(conn) -> tuple[int, str]:
        bad = pl.concat(
            [read_table(conn, f"{t}_files").filter(pl.col("problem_rule").is_not_null()) for t in tables],
            how="vertical",
        )
        return bad.height, "\n".join(f"{r['source_file']}: {r['problem_message']}" for r in bad.iter_rows(named=True))

    return evaluate


def _balance(source: str) -> Callable[[object], tuple[int, str]]:
    def evaluate(conn) -> tuple[int, str]:
        b = conn.execute(
            "SELECT rows_in, rows_staged, rows_quarantined, rows_set_aside FROM quality.row_balance WHERE source = ?",
            [source],
        ).fetchone()
        gap = b[0] - (b[1] + b[2] + b[3])
        return abs(gap), f"vào {b[0]} = chuẩn hóa {b[1]} + cách ly {b[2]} + bỏ qua (dòng tổng) {b[3]}"

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

all_checks = [
    *(
        declared_check(
            f"{asset}_schema",
            asset,
            WARN,
            f"pandera: {', '.join(t for t, _ in specs)} keep provenance",
            _schemas(specs),
        )
        for asset, specs in schemas.RAW.items()
    ),
    *(
        declared_check(
            f"{asset}_readable", asset, WARN, "every input file could be read", _unreadable([t for t, _ in specs])
        )
        for asset, specs in schemas.RAW.items()
    ),
    *(
        declared_check(
            f"{asset}_schema",
            asset,
            ERROR,
            f"pandera: {', '.join(t for t, _ in specs)} typed and within rules",
            _schemas(specs),
        )
        for asset, specs in schemas.STAGING.items()
    ),
    *(
        declared_check(
            f"{source}_rows_balance", asset, ERROR, "rows in = rows staged + quarantined + set aside", _balance(source)
        )
        for asset, source in schemas.BALANCED
    ),
    *(
        declared_check(
            f"{name}_expectations", name, ERROR, f"Great Expectations suite for {suite.table}", _suite(suite)
        )
        for name, suite in suites.SUITES.items()
    ),
]
