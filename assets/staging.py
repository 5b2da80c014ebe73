"""Staging layer: typed, checked rows; bad rows quarantined with file, sheet, row and rule."""

from __future__ import annotations

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from models.frameworks import load_frameworks, rulesets_frame
from models.staging import (
    QUARANTINE_SCHEMA,
    Scope,
    StageResult,
    stage_appraisals,
    stage_provinces,
    stage_submissions,
    stage_survey_results,
    stage_units,
    surveyed_units,
)
from pipelines.resources import ChisoPaths
from pipelines.warehouse import read_table, replace_rows, write_table


def _raw(conn, name: str) -> tuple[list[dict], list[dict]]:
    """Raw rows of a source, and one quarantine record per file that could not be read."""
    rows = read_table(conn, f"raw.{name}").to_dicts()
    files = read_table(conn, f"raw.{name}_files").filter(pl.col("problem_rule").is_not_null())
    problems = [
        {
            "source_file": f["source_file"],
            "sheet": None,
            "row_number": None,
            "column_name": None,
            "value": None,
            "rule": f["problem_rule"],
            "message": f["problem_message"],
        }
        for f in files.iter_rows(named=True)
    ]
    return rows, problems


def _store(conn, name: str, result: StageResult, file_problems: list[dict]) -> dg.MaterializeResult:
    quarantine = pl.concat(
        [result.quarantine, pl.DataFrame(file_problems, schema=QUARANTINE_SCHEMA, orient="row")],
        how="vertical",
    ).sort(["source_file", "row_number", "column_name"], nulls_last=True)
    write_table(conn, f"staging.{name}", result.rows)
    write_table(conn, f"staging.{name}_quarantine", quarantine)
    quarantined = quarantine.filter(pl.col("row_number").is_not_null()).select("source_file", "row_number").unique()
    balance = pl.DataFrame(
        {
            "source": [name],
            "rows_in": [result.rows_in],
            "rows_staged": [result.rows.height],
            "rows_quarantined": [quarantined.height],
            "rows_set_aside": [result.set_aside],
            "files_unreadable": [len(file_problems)],
        }
    )
    replace_rows(conn, "quality.row_balance", "source", name, balance)
    return dg.MaterializeResult(metadata={k: v for k, v in balance.row(0, named=True).items() if k != "source"})


def _scope(conn, paths: ChisoPaths) -> Scope:
    rulesets, criteria = load_frameworks(paths.raw / "frameworks")
    return Scope(read_table(conn, "staging.units"), read_table(conn, "staging.provinces"), rulesets, criteria)


@dg.asset(group_name="staging", kinds={"duckdb"})
def frameworks(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Rulesets and criteria trees from data/raw/frameworks (docs/inputs.md), checked as a whole:
    a framework that does not add up stops the run, since nothing can be scored with it."""
    rulesets, criteria = load_frameworks(paths.raw / "frameworks")
    with warehouse.get_connection() as conn:
        write_table(conn, "staging.rulesets", rulesets_frame(rulesets))
        write_table(conn, "staging.criteria", criteria)
    return dg.MaterializeResult(metadata={"rulesets": len(rulesets), "criteria": criteria.height})


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_provinces", "raw_units"])
def stg_units(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Provinces and the unit register, with ids checked."""
    with warehouse.get_connection() as conn:
        provinces = stage_provinces(read_table(conn, "raw.provinces").to_dicts())
        write_table(conn, "staging.provinces", provinces)
        rows, problems = _raw(conn, "units")
        return _store(conn, "units", stage_units(rows, provinces), problems)


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_submissions", "stg_units", "frameworks"])
def stg_submissions(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Self-assessed scores per leaf (000 Art. 4.1); the later of two submissions wins."""
    with warehouse.get_connection() as conn:
        rows, problems = _raw(conn, "submissions")
        return _store(conn, "submissions", stage_submissions(rows, _scope(conn, paths)), problems)


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_appraisals", "stg_units", "frameworks"])
def stg_appraisals(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Appraisal and appeal decisions per leaf (000 Art. 5.2; 004 Art. 5)."""
    with warehouse.get_connection() as conn:
        rows, problems = _raw(conn, "appraisals")
        return _store(conn, "appraisals", stage_appraisals(rows, _scope(conn, paths)), problems)


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_survey_results", "stg_units", "frameworks"])
def stg_survey_results(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Satisfied shares per survey leaf (000 Art. 5.3.c)."""
    with warehouse.get_connection() as conn:
        rows, problems = _raw(conn, "survey_results")
        scope = _scope(conn, paths)
        write_table(conn, "staging.surveyed_units", surveyed_units(rows, scope))
        return _store(conn, "survey_results", stage_survey_results(rows, scope), problems)


@dg.asset(
    group_name="staging",
    kinds={"duckdb"},
    deps=["stg_units", "stg_submissions", "stg_appraisals", "stg_survey_results"],
)
def quarantine(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Every quarantined row of every source in one table, for officers to fix their files."""
    sources = ["units", "submissions", "appraisals", "survey_results"]
    with warehouse.get_connection() as conn:
        frame = pl.concat(
            [
                read_table(conn, f"staging.{s}_quarantine").with_columns(pl.lit(s).alias("source"))
                for s in sources
            ],
            how="vertical",
        )
        write_table(conn, "staging.quarantine", frame)
    by_rule = frame.group_by("rule").len().sort("rule")
    return dg.MaterializeResult(
        metadata={"rows": frame.height, **{f"rule:{r}": n for r, n in by_rule.iter_rows()}}
    )
