"""Staging layer: typed, checked rows; bad rows quarantined with file, sheet, row and rule."""

from __future__ import annotations

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.resources import ChisoPaths
from assets.storage import read_table, record_file_versions, replace_rows, write_table
from models.ingest.readers import file_sha256
from models.par.frameworks import load_frameworks, load_rulesets, rulesets_frame
from models.par.staging import (
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
from models.surveys.rules import combine_survey_results, load_survey_config, surveyed_with_respondents


def raw_rows(conn, name: str) -> tuple[list[dict], list[dict]]:
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


def store_staged(conn, name: str, result: StageResult, file_problems: list[dict]) -> dg.MaterializeResult:
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


def scope_from(conn, paths: ChisoPaths) -> Scope:
    rulesets, criteria = load_frameworks(paths.raw / "frameworks")
    return Scope(read_table(conn, "staging.units"), read_table(conn, "staging.provinces"), rulesets, criteria)


@dg.asset(group_name="staging", kinds={"duckdb"})
def frameworks(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Rulesets and criteria trees from data/raw/frameworks (docs/inputs.md), checked as a whole:
    a framework that does not add up stops the run, since nothing can be scored with it."""
    rulesets, criteria = load_frameworks(paths.raw / "frameworks")
    files = pl.DataFrame(
        [
            {"source_file": p.relative_to(paths.raw).as_posix(), "file_sha256": file_sha256(p)}
            for p in sorted((paths.raw / "frameworks").rglob("*"))
            if p.is_file()
        ],
        schema={"source_file": pl.String, "file_sha256": pl.String},
    )
    with warehouse.get_connection() as conn:
        write_table(conn, "staging.rulesets", rulesets_frame(rulesets))
        write_table(conn, "staging.criteria", criteria)
        write_table(conn, "raw.frameworks_files", files)  # which version of each rule file scored this run
        new_versions = record_file_versions(conn, files)
    return dg.MaterializeResult(
        metadata={"rulesets": len(rulesets), "criteria": criteria.height, "new_file_versions": new_versions}
    )


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_provinces", "raw_units"])
def stg_units(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Provinces and the unit register, with ids checked; unit groups are those the frameworks define."""
    rulesets = load_rulesets(paths.raw / "frameworks")
    groups = tuple(dict.fromkeys(g for r in rulesets for g in r.unit_groups))
    with warehouse.get_connection() as conn:
        rows, problems = raw_rows(conn, "provinces")
        provinces = stage_provinces(rows, {r.family for r in rulesets})
        store_staged(conn, "provinces", provinces, problems)
        rows, problems = raw_rows(conn, "units")
        return store_staged(conn, "units", stage_units(rows, provinces.rows, groups), problems)


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_submissions", "stg_units", "frameworks"])
def stg_submissions(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Self-assessed scores per leaf (1708/QĐ-UBND Art. 4.1); the later of two submissions wins."""
    with warehouse.get_connection() as conn:
        rows, problems = raw_rows(conn, "submissions")
        return store_staged(conn, "submissions", stage_submissions(rows, scope_from(conn, paths)), problems)


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_appraisals", "stg_units", "frameworks"])
def stg_appraisals(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Appraisal and appeal decisions per leaf (1708/QĐ-UBND Art. 5.2; 1820/QĐ-UBND Art. 5)."""
    with warehouse.get_connection() as conn:
        rows, problems = raw_rows(conn, "appraisals")
        return store_staged(conn, "appraisals", stage_appraisals(rows, scope_from(conn, paths)), problems)


@dg.asset(
    group_name="staging",
    kinds={"duckdb"},
    deps=["raw_survey_results", "stg_units", "frameworks", "stg_survey_respondents"],
)
def stg_survey_results(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Satisfied shares per survey leaf (1708/QĐ-UBND Art. 5.3.c): from respondents' answers where there are any
    (staging.survey_leaf_shares), else from survey_results.csv; never both
    (models.surveys.rules.combine_survey_results)."""
    with warehouse.get_connection() as conn:
        rows, problems = raw_rows(conn, "survey_results")
        scope = scope_from(conn, paths)
        shares = read_table(conn, "staging.survey_leaf_shares")
        write_table(conn, "staging.surveyed_units", surveyed_with_respondents(surveyed_units(rows, scope), shares))
        tolerance = load_survey_config(paths.raw).aggregate_tolerance_pct
        staged = combine_survey_results(stage_survey_results(rows, scope), shares, tolerance)
        return store_staged(conn, "survey_results", staged, problems)


@dg.asset(
    group_name="staging",
    kinds={"duckdb"},
    deps=[
        "stg_units",
        "stg_submissions",
        "stg_appraisals",
        "stg_survey_results",
        "stg_evidence",
        "stg_reclassifications",
        "stg_survey_respondents",
        "stg_survey_dossiers",
        "stg_papi",
        "stg_plan_targets",
        "stg_plan_statistics",
    ],
)
def quarantine(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Every quarantined row of every source in one table, for officers to fix their files."""
    sources = ["provinces", "units", "submissions", "appraisals", "survey_results", "evidence", "reclassifications"]
    sources += ["survey_respondents", "survey_dossiers", "papi"]  # assets/surveys.py
    sources += ["plan_targets", "plan_statistics"]  # assets/plan.py
    with warehouse.get_connection() as conn:
        frame = pl.concat(
            [read_table(conn, f"staging.{s}_quarantine").with_columns(pl.lit(s).alias("source")) for s in sources],
            how="vertical",
        )
        write_table(conn, "staging.quarantine", frame)
    by_rule = frame.group_by("rule").len().sort("rule")
    return dg.MaterializeResult(metadata={"rows": frame.height, **{f"rule:{r}": n for r, n in by_rule.iter_rows()}})
