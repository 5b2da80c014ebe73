"""Raw layer: every input file read as text, with file, sheet, row and content hash.

Nothing is typed or judged here, so `raw.*` shows exactly what an officer sent.
"""

from __future__ import annotations

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.resources import ChisoPaths
from assets.storage import record_file_versions, write_table
from models.ingest.readers import ReadResult, read_files

FILE_SCHEMA = {
    "source_file": pl.String,
    "file_sha256": pl.String,
    "rows_read": pl.Int64,
    "problem_rule": pl.String,
    "problem_message": pl.String,
}


def store_raw(warehouse: DuckDBResource, name: str, results: list[ReadResult]) -> dg.MaterializeResult:
    rows = [{**row, "file_sha256": r.sha256} for r in results for row in r.rows]
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame({"source_file": []})
    frame = frame.with_columns(pl.exclude("row_number").cast(pl.String))
    files = pl.DataFrame(
        [
            {
                "source_file": str(r.path),
                "file_sha256": r.sha256,
                "rows_read": len(r.rows),
                "problem_rule": r.problem and r.problem["rule"],
                "problem_message": r.problem and r.problem["message"],
            }
            for r in results
        ],
        schema=FILE_SCHEMA,
        orient="row",
    )
    with warehouse.get_connection() as conn:
        write_table(conn, f"raw.{name}", frame)
        write_table(conn, f"raw.{name}_files", files)
        new_versions = record_file_versions(conn, files)
    return dg.MaterializeResult(
        metadata={
            "files": len(results),
            "new_file_versions": new_versions,
            "rows": frame.height,
            "unreadable_files": int(files["problem_rule"].is_not_null().sum()),
        }
    )


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_provinces(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """provinces*.csv: which ruleset family scores each province."""
    return store_raw(warehouse, "provinces", read_files(paths.raw, "provinces*.csv"))


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_units(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """units*.csv: the unit register (one file per province is fine)."""
    return store_raw(warehouse, "units", read_files(paths.raw, "units*.csv"))


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_submissions(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Self-assessment forms (.xlsx) and exports (.csv) under submissions/<year>/."""
    return store_raw(warehouse, "submissions", read_files(paths.raw, "submissions/**/*"))


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_appraisals(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """appraisals.csv: appraisal adjustments and appeal decisions."""
    return store_raw(warehouse, "appraisals", read_files(paths.raw, "appraisals*.csv"))


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_survey_results(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """survey_results.csv: satisfied share per unit and survey criterion."""
    return store_raw(warehouse, "survey_results", read_files(paths.raw, "survey_results*.csv"))
