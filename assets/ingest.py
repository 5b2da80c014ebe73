"""The way in: every declared source (models/sources.py) becomes its raw and staging assets, their
checks and its row balance, here and nowhere else.

For a source `x`:
- `raw/x` and `raw/x_files`: every row as text with file, sheet, row and the file's hash; one row
  per file with what kept it from being read;
- `staging/x` (and the tables it declares in `writes`) and `staging/x_quarantine`;
- checks: the raw contract (warning: good files go on), files readable (warning), the staging
  schema and the row balance (errors that block everything downstream, since they mean staging
  broke its promise). `staging/quarantine` is every source's quarantine in one table.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.checks import ERROR, WARN, Check, rule_check, schema_check
from assets.resources import ChisoPaths
from assets.storage import key, read_table, record_file_versions, replace_rows, write_table
from expectations import schemas
from models.ingest.documents import Documents
from models.ingest.records import QUARANTINE_SCHEMA
from models.ingest.source import Source, raw_frames, read_source, stage_source
from models.rule_files import RULE_FILES
from models.sources import SOURCES


def _raw(source: Source) -> dg.AssetsDefinition:
    deps = [key(RULE_FILES)] if source.locate else []
    specs = [
        dg.AssetSpec(
            key(source.raw_table), group_name="raw", kinds={"duckdb"}, deps=deps, description=source.description
        ),
        dg.AssetSpec(
            key(f"{source.raw_table}_files"),
            group_name="raw",
            kinds={"duckdb"},
            deps=deps,
            description=f"{source.name}: one row per file, its hash and what kept it from being read",
        ),
    ]

    checks = _raw_checks(source)

    @dg.multi_asset(name=f"read_{source.name}", specs=specs, check_specs=[c.spec() for c in checks])
    def _read(paths: ChisoPaths, warehouse: DuckDBResource) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with warehouse.get_connection() as conn:
            docs = Documents.from_frame(read_table(conn, RULE_FILES)) if source.locate else None
            rows, files = raw_frames(read_source(source, paths.raw, docs))
            write_table(conn, source.raw_table, rows)
            write_table(conn, f"{source.raw_table}_files", files)
            new_versions = record_file_versions(conn, files.filter(pl.col("file_sha256") != ""))
            yield dg.MaterializeResult(asset_key=key(source.raw_table), metadata={"dagster/row_count": rows.height})
            yield dg.MaterializeResult(
                asset_key=key(f"{source.raw_table}_files"),
                metadata={
                    "dagster/row_count": files.height,
                    "new_file_versions": new_versions,
                    "unreadable_files": int(files["problem_rule"].is_not_null().sum()),
                },
            )
            for check in checks:
                yield check.run(conn)

    return _read


def _staging(source: Source) -> dg.AssetsDefinition:
    deps = [key(source.raw_table), key(f"{source.raw_table}_files"), *(key(t) for t in source.needs)]
    specs = [
        dg.AssetSpec(key(t), group_name="staging", kinds={"duckdb"}, deps=deps, description=source.description)
        for t in (*source.tables, source.quarantine_table)
    ]

    checks = _staging_checks(source)

    @dg.multi_asset(name=f"stage_{source.name}", specs=specs, check_specs=[c.spec() for c in checks])
    def _stage(warehouse: DuckDBResource) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with warehouse.get_connection() as conn:
            raw_rows = read_table(conn, source.raw_table).to_dicts()
            files = read_table(conn, f"{source.raw_table}_files")
            outcome = stage_source(source, raw_rows, files, {t: read_table(conn, t) for t in source.needs})
            for table, frame in outcome.tables.items():
                write_table(conn, table, frame)
            write_table(conn, source.quarantine_table, outcome.quarantine)
            replace_rows(conn, "quality.row_balance", "source", source.name, pl.DataFrame([outcome.balance]))
            for table, frame in outcome.tables.items():
                yield dg.MaterializeResult(asset_key=key(table), metadata={"dagster/row_count": frame.height})
            yield dg.MaterializeResult(
                asset_key=key(source.quarantine_table),
                metadata={"dagster/row_count": outcome.quarantine.height, **outcome.balance},
            )
            for check in checks:
                yield check.run(conn)

    return _stage


def _balance(source: str):
    def evaluate(conn) -> tuple[int, str]:
        b = conn.execute(
            "SELECT rows_in, rows_staged, rows_quarantined, rows_set_aside FROM quality.row_balance WHERE source = ?",
            [source],
        ).fetchone()
        gap = b[0] - (b[1] + b[2] + b[3])
        return abs(gap), f"vào {b[0]} = chuẩn hóa {b[1]} + cách ly {b[2]} + bỏ qua (dòng tổng) {b[3]}"

    return evaluate


def _raw_checks(source: Source) -> list[Check]:
    """Warnings: a bad file is quarantined and the good ones go on."""
    files = f"{source.raw_table}_files"
    return [
        schema_check(f"{source.name}_raw_contract", source.raw_table, WARN, schemas.raw_schema(source.required_raw)),
        Check(
            f"{source.name}_files_readable",
            files,
            WARN,
            "every input file could be read",
            rule_check(f"SELECT source_file, problem_message FROM {files} WHERE problem_rule IS NOT NULL"),
        ),
    ]


def _staging_checks(source: Source) -> list[Check]:
    """Errors: staging broke its promise, so nothing downstream may use its tables."""
    checks = [
        Check(
            f"{source.name}_rows_balance",
            source.table,
            ERROR,
            "rows in = rows staged + quarantined + set aside",
            _balance(source.name),
        )
    ]
    if source.schema is not None:
        checks.append(schema_check(f"{source.name}_schema", source.table, ERROR, source.schema))
    return checks + [
        schema_check(f"{table.split('.')[1]}_schema", table, ERROR, schemas.EXTRA_TABLES[table])
        for table in source.writes
        if table in schemas.EXTRA_TABLES
    ]


@dg.asset(
    key=key("staging.quarantine"),
    group_name="staging",
    kinds={"duckdb"},
    deps=[key(s.quarantine_table) for s in SOURCES],
)
def quarantine(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Every quarantined row of every source in one table, for officers to fix their files."""
    with warehouse.get_connection() as conn:
        frame = pl.concat(
            [
                read_table(conn, s.quarantine_table).select(list(QUARANTINE_SCHEMA)).with_columns(source=pl.lit(s.name))
                for s in SOURCES
            ],
            how="vertical",
        )
        write_table(conn, "staging.quarantine", frame)
    by_rule = frame.group_by("rule").len().sort("rule")
    return dg.MaterializeResult(
        metadata={"dagster/row_count": frame.height, **{f"rule:{r}": n for r, n in by_rule.iter_rows()}}
    )


ingest_assets = [*(_raw(s) for s in SOURCES), *(_staging(s) for s in SOURCES), quarantine]
