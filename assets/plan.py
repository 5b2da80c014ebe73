"""Improvement-plan tracking (2639/QĐ-UBND, Vĩnh Long 2639/QĐ-UBND), layer by layer, thin.

raw (catalogue, choices, statistics as read) → staging (typed, quarantined) → core (tracking and
scorecards, `models.plan.tracking`) → marts (`marts.plan_tracking`, SQL in `models.par.marts`) →
reports (Vietnamese progress reports, `reports.progress`). A raw folder without `plan/` or
`statistics/` gives empty tables and no report.
"""

from __future__ import annotations

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.raw import store_raw
from assets.resources import ChisoPaths
from assets.staging import raw_rows
from assets.storage import read_table, write_table
from models.ingest.readers import read_files
from models.par.marts import PLAN_TRACKING
from models.plan.inputs import (
    PlanStage,
    load_plans,
    plans_frame,
    quarantine_frame,
    read_statistics_workbook,
    stage_assignments,
    stage_choices,
    stage_statistics,
    stage_targets,
    value_kinds,
)
from models.plan.tracking import lead_agencies, scorecard, track
from reports.progress import write_progress_reports


def _with_files(stage: PlanStage, problems: list[dict]) -> pl.DataFrame:
    return pl.concat([stage.quarantine, quarantine_frame(problems)], how="vertical").sort(
        ["source_file", "row_number", "column_name"], nulls_last=True
    )


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_plan_catalogue(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """plan/<plan_id>/targets.csv, plan/target_choices.csv, plan/plan_assignments.csv, as read."""
    store_raw(warehouse, "plan_target_choices", read_files(paths.raw, "plan/target_choices*.csv"))
    store_raw(warehouse, "plan_assignments", read_files(paths.raw, "plan/plan_assignments*.csv"))
    return store_raw(warehouse, "plan_targets", read_files(paths.raw, "plan/*/targets.csv"))


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_plan_statistics(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """statistics/**/*.xlsx|csv: socio-economic statistics and operational measures, one raw row per value."""
    return store_raw(warehouse, "plan_statistics", read_files(paths.raw, "statistics/**/*", read_statistics_workbook))


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_plan_catalogue", "stg_units"])
def stg_plan_targets(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Plans (plan.yaml), their targets catalogue, the provinces' choices and plan assignments."""
    plans, plan_problems = load_plans(paths.raw / "plan", paths.raw)
    with warehouse.get_connection() as conn:
        provinces = set(read_table(conn, "staging.provinces")["province_code"].to_list())
        target_rows, target_problems = raw_rows(conn, "plan_targets")
        targets = stage_targets(target_rows, plans)
        choice_rows, choice_problems = raw_rows(conn, "plan_target_choices")
        choices = stage_choices(choice_rows, targets.rows, provinces)
        assignment_rows, assignment_problems = raw_rows(conn, "plan_assignments")
        assignments = stage_assignments(assignment_rows, plans, provinces)
        plan_table, defaults = plans_frame(plans)
        quarantine = pl.concat(
            [
                _with_files(targets, target_problems + plan_problems),
                _with_files(choices, choice_problems),
                _with_files(assignments, assignment_problems),
            ],
            how="vertical",
        )
        write_table(conn, "staging.plans", plan_table)
        write_table(conn, "staging.plan_default_variants", defaults)
        write_table(conn, "staging.plan_targets", targets.rows)
        write_table(conn, "staging.plan_target_choices", choices.rows)
        write_table(conn, "staging.plan_assignments", assignments.rows)
        write_table(conn, "staging.plan_targets_quarantine", quarantine)
    return dg.MaterializeResult(
        metadata={
            "plans": len(plans),
            "targets": targets.rows.height,
            "choices": choices.rows.height,
            "assignments": assignments.rows.height,
            "quarantined": quarantine.height,
            "balanced": targets.balanced and choices.balanced and assignments.balanced,
        }
    )


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_plan_statistics", "stg_plan_targets", "stg_units"])
def stg_plan_statistics(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Statistics typed and checked; `staging.plan_quarantine` holds every rejected plan input row."""
    with warehouse.get_connection() as conn:
        provinces = set(read_table(conn, "staging.provinces")["province_code"].to_list())
        rows, problems = raw_rows(conn, "plan_statistics")
        stage = stage_statistics(rows, provinces, value_kinds(read_table(conn, "staging.plan_targets")))
        quarantine = _with_files(stage, problems)
        write_table(conn, "staging.plan_statistics", stage.rows)
        write_table(conn, "staging.plan_statistics_quarantine", quarantine)
        everything = pl.concat(
            [
                read_table(conn, "staging.plan_targets_quarantine").with_columns(
                    pl.lit("plan_targets").alias("source")
                ),
                quarantine.with_columns(source=pl.lit("plan_statistics")),
            ],
            how="vertical",
        )
        write_table(conn, "staging.plan_quarantine", everything)
    return dg.MaterializeResult(
        metadata={
            "rows_in": stage.rows_in,
            "rows_staged": stage.rows.height,
            "rows_quarantined": stage.quarantine.height,
            "files_unreadable": len(problems),
            "balanced": stage.balanced,
        }
    )


@dg.asset(group_name="core", kinds={"duckdb"}, deps=["stg_plan_targets", "stg_plan_statistics"])
def plan_progress(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Every target against its measure, per province and period; scorecards per lead agency."""
    with warehouse.get_connection() as conn:
        targets = read_table(conn, "staging.plan_targets")
        tracking = track(
            targets=targets,
            statistics=read_table(conn, "staging.plan_statistics"),
            assignments=read_table(conn, "staging.plan_assignments"),
            choices=read_table(conn, "staging.plan_target_choices"),
            plans=read_table(conn, "staging.plans"),
            default_variants=read_table(conn, "staging.plan_default_variants"),
        )
        card = scorecard(tracking, targets.select("plan_id", "target_code", "variant", "lead_agency"))
        write_table(conn, "core.plan_tracking", tracking)
        write_table(conn, "core.plan_scorecard", card)
    in_force = tracking.filter("in_force")
    return dg.MaterializeResult(
        metadata={
            "rows": tracking.height,
            "periods": in_force["period"].n_unique(),
            "met": int((in_force["status"] == "met").sum()),
            "not_met": int((in_force["status"] == "not_met").sum()),
            "no_data": int((in_force["status"] == "no_data").sum()),
            "at_risk": int(in_force["at_risk"].sum()),
            "lead_agencies": len({a for t in targets["lead_agency"].to_list() for a in lead_agencies(t)}),
        }
    )


@dg.asset(group_name="marts", kinds={"duckdb"}, deps=["plan_progress"])
def plan_tracking(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Public contract table `marts.plan_tracking` (docs/marts.md): the targets in force, per period."""
    with warehouse.get_connection() as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        conn.execute(f"CREATE OR REPLACE TABLE marts.plan_tracking AS {PLAN_TRACKING}")
        rows = conn.execute("SELECT count(*) FROM marts.plan_tracking").fetchone()[0]
    return dg.MaterializeResult(metadata={"rows": rows, "table": "marts.plan_tracking"})


@dg.asset(group_name="reports", kinds={"html"}, deps=["plan_tracking"])
def plan_progress_reports(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """reports/bao-cao-tien-do-<period>.html: the quarterly, 6-month and yearly reports
    the Department of Home Affairs sends to the provincial People's Committee (2639/QĐ-UBND Part III.1.d)."""
    with warehouse.get_connection() as conn:
        tracking = read_table(conn, "marts.plan_tracking")
        card = read_table(conn, "core.plan_scorecard")
        plans = read_table(conn, "staging.plans")
        quarantined = conn.execute(
            "SELECT count(*) FROM staging.plan_quarantine WHERE row_number IS NOT NULL"
        ).fetchone()[0]
    written = write_progress_reports(
        paths.working_dir / "reports",  # published with the warehouse
        tracking,
        card,
        plans,
        synthetic=bool(tracking["synthetic"].any()) if tracking.height else False,
        quarantined_rows=quarantined,
    )
    return dg.MaterializeResult(metadata={"reports": len(written), "files": ", ".join(p.name for p in written)})
