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
from assets.metadata import materialized, spec_metadata
from assets.partitions import EVALUATION_YEARS, run_years, year_folders
from assets.resources import ChisoPaths
from assets.storage import (
    append_rows,
    delete_rows,
    key,
    mark_written,
    read_table,
    record_file_versions,
    replace_rows,
    table_exists,
    transaction,
    write_table,
)
from expectations import schemas
from models.ingest.documents import Documents
from models.ingest.readers import ReadResult
from models.ingest.records import QUARANTINE_SCHEMA
from models.ingest.source import Source, iter_source, raw_frames, stage_source
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

    @dg.multi_asset(
        name=f"read_{source.name}", specs=specs, check_specs=[c.spec() for c in checks], **_partitioning(source)
    )
    def _read(
        context, paths: ChisoPaths, warehouse: DuckDBResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        years = run_years(context) if source.year_folder else None
        current = year_folders(paths.raw)
        tables = (source.raw_table, f"{source.raw_table}_files")
        rows = files = unreadable = new_versions = 0
        with warehouse.get_connection() as conn:
            docs = Documents.from_frame(read_table(conn, RULE_FILES)) if source.locate else None
            with transaction(conn):
                for table in tables:
                    _clear(conn, source, table, years, current)
                # A batch of files at a time: memory holds one batch's rows, not a national year of forms.
                for batch in _batches(iter_source(source, paths.raw, docs, years), READ_BATCH):
                    raw_rows, raw_files = raw_frames(batch)
                    append_rows(conn, source.raw_table, raw_rows)
                    append_rows(conn, tables[1], raw_files)
                    new_versions += record_file_versions(conn, raw_files.filter(pl.col("file_sha256") != ""))
                    rows, files = rows + raw_rows.height, files + raw_files.height
                    unreadable += int(raw_files["problem_rule"].is_not_null().sum())
                for table in tables:
                    _mark(conn, source, table, years)
            yield materialized(conn, source.raw_table, rows)
            yield materialized(conn, tables[1], files, new_file_versions=new_versions, unreadable_files=unreadable)
            for check in checks:
                yield check.run(conn, context.run.run_id)

    return _read


def _staging(source: Source) -> dg.AssetsDefinition:
    deps = [key(source.raw_table), key(f"{source.raw_table}_files"), *(key(t) for t in source.needs)]
    models = {source.table: source.schema, **{t: schemas.EXTRA_TABLES.get(t) for t in source.writes}}
    specs = [
        dg.AssetSpec(
            key(t),
            group_name="staging",
            kinds={"duckdb"},
            deps=deps,
            description=source.description,
            metadata=spec_metadata(t, models.get(t) or (QUARANTINE_SCHEMA if t == source.quarantine_table else None)),
        )
        for t in (*source.tables, source.quarantine_table)
    ]

    checks = _staging_checks(source)

    @dg.multi_asset(
        name=f"stage_{source.name}", specs=specs, check_specs=[c.spec() for c in checks], **_partitioning(source)
    )
    def _stage(
        context, paths: ChisoPaths, warehouse: DuckDBResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        years = run_years(context) if source.year_folder else None
        current = year_folders(paths.raw)
        with warehouse.get_connection() as conn:
            needs = {t: read_table(conn, t) for t in source.needs}
            rows = dict.fromkeys((*source.tables, source.quarantine_table), 0)
            totals = dict.fromkeys(BALANCE_COUNTS, 0)
            # One group at a time (a year, or the unfiled files): memory holds one year's rows.
            for group, files in _file_groups(conn, source, years):
                outcome = stage_source(source, _raw_rows(conn, source, files), files, needs)
                written = {**outcome.tables, source.quarantine_table: outcome.quarantine}
                for table, frame in written.items():
                    _write(conn, source, table, frame, None if years is None else [group] if group else [], current)
                    rows[table] += frame.height
                balance = pl.DataFrame([{**outcome.balance, "partition": group, "run_id": context.run.run_id}])
                replace_rows(conn, "quality.row_balance", balance, {"source": [source.name], "partition": [group]})
                totals = {k: totals[k] + outcome.balance[k] for k in BALANCE_COUNTS}
            for table in source.tables:
                yield materialized(conn, table, rows[table])
            yield materialized(conn, source.quarantine_table, rows[source.quarantine_table], **totals)
            for check in checks:
                yield check.run(conn, context.run.run_id)

    return _stage


BALANCE_COUNTS = ("rows_in", "rows_staged", "rows_quarantined", "rows_set_aside", "files_unreadable")


def _partitioning(source: Source) -> dict:
    """A source filed by year is read and staged by evaluation year, a backfill's years in one run."""
    if not source.year_folder:
        return {}
    return {"partitions_def": EVALUATION_YEARS, "backfill_policy": dg.BackfillPolicy.single_run()}


READ_BATCH = 500  # files read, then written, at a time


def _batches(results: Iterator[ReadResult], size: int) -> Iterator[list[ReadResult]]:
    """The results in lists of `size`; one empty list when there are none (the tables still get written)."""
    batch: list[ReadResult] = []
    yielded = False
    for result in results:
        batch.append(result)
        if len(batch) == size:
            yield batch
            batch, yielded = [], True
    if batch or not yielded:
        yield batch


def _write(conn, source: Source, table: str, frame: pl.DataFrame, years: list[str] | None, current: list[str]) -> None:
    """The frame in place of the rows it replaces (`_clear`), in one transaction."""
    with transaction(conn):
        _clear(conn, source, table, years, current)
        append_rows(conn, table, frame)
        _mark(conn, source, table, years)


def _clear(conn, source: Source, table: str, years: list[str] | None, current: list[str]) -> None:
    """Make room for a step's rows: the whole table; or, for a source filed by year, the rows of these
    years' files and of the unfiled files (read with every year; `years` empty: those only), keeping the
    other years' rows, except those of a year whose folder is no longer in the raw folder (`current`)."""
    if years is None:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        return
    old = conn.sql(f"SELECT DISTINCT source_file FROM {table}").fetchall() if table_exists(conn, table) else []
    replaced = (*years, None)
    files = [f for (f,) in old if source.year_of(f) in replaced or source.year_of(f) not in current]
    delete_rows(conn, table, {"source_file": files})


def _mark(conn, source: Source, table: str, years: list[str] | None) -> None:
    if years is None:
        mark_written(conn, table)
    elif years:
        mark_written(conn, table, years, by=source.year_sql)


def _file_groups(conn, source: Source, years: list[str] | None) -> list[tuple[str, pl.DataFrame]]:
    """The files to stage together: all of them, or one group per evaluation year and one for the
    unfiled files (`""`), so that a year is balanced on its own and memory holds one year at a time."""
    files = read_table(conn, f"{source.raw_table}_files")
    if years is None:
        return [("", files)]
    year_of = files["source_file"].map_elements(source.year_of, return_dtype=pl.String)
    return [(y, files.filter(year_of == y)) for y in years] + [("", files.filter(year_of.is_null()))]


def _raw_rows(conn, source: Source, files: pl.DataFrame) -> list[dict]:
    rows = conn.sql(
        f"SELECT * FROM {source.raw_table} WHERE source_file IN (SELECT unnest($files))",
        params={"files": files["source_file"].to_list()},
    )
    return rows.pl().to_dicts()


def _balance(source: str):
    def evaluate(conn) -> tuple[int, str]:
        b = conn.execute(
            "SELECT sum(rows_in), sum(rows_staged), sum(rows_quarantined), sum(rows_set_aside) "
            "FROM quality.row_balance WHERE source = ?",
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
        return materialized(conn, "staging.quarantine", **{f"rule:{r}": n for r, n in by_rule.iter_rows()})


ingest_assets = [*(_raw(s) for s in SOURCES), *(_staging(s) for s in SOURCES), quarantine]
