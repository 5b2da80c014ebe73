"""Improvement-plan tracking (Vĩnh Long 2639/QĐ-UBND style), from staged targets and statistics to
the tracking mart and the Vietnamese progress reports (`models.plan.tracking`, `reports.progress`).
A raw folder without `plan/` or `statistics/` gives empty tables and no report."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.marts import mart_asset
from assets.metadata import materialized
from assets.resources import ChisoPaths
from assets.storage import key, mark_written, read_table, write_table
from models.par.marts import PLAN_TRACKING
from models.plan.tracking import lead_agencies, scorecard, track
from models.sources import SOURCES
from reports.progress import write_progress_reports

PLAN_INPUTS = (
    "staging.plan_targets",
    "staging.plan_statistics",
    "staging.plan_assignments",
    "staging.plan_target_choices",
    "staging.plans",
    "staging.plan_default_variants",
)
PLAN_SOURCES = [s.name for s in SOURCES if s.domain == "plan"]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key(t), group_name="core", kinds={"duckdb"}, deps=[key(i) for i in PLAN_INPUTS])
        for t in ("core.plan_tracking", "core.plan_scorecard")
    ]
)
def plan_progress(warehouse: DuckDBResource) -> Iterator[dg.MaterializeResult]:
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
        yield materialized(
            conn,
            "core.plan_tracking",
            periods=in_force["period"].n_unique(),
            met=int((in_force["status"] == "met").sum()),
            not_met=int((in_force["status"] == "not_met").sum()),
            no_data=int((in_force["status"] == "no_data").sum()),
            at_risk=int(in_force["at_risk"].sum()),
        )
        yield materialized(
            conn,
            "core.plan_scorecard",
            lead_agencies=len({a for t in targets["lead_agency"].to_list() for a in lead_agencies(t)}),
        )


plan_tracking = mart_asset("marts.plan_tracking", PLAN_TRACKING)


@dg.asset(
    group_name="reports",
    kinds={"html"},
    deps=[key("marts.plan_tracking"), key("core.plan_scorecard"), key("staging.plans"), key("staging.quarantine")],
)
def plan_progress_reports(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """reports/bao-cao-tien-do-<period>.html: the quarterly, 6-month and yearly reports the Department
    of Home Affairs sends to the provincial People's Committee (2639/QĐ-UBND Part III.1.d)."""
    with warehouse.get_connection() as conn:
        tracking = read_table(conn, "marts.plan_tracking")
        card = read_table(conn, "core.plan_scorecard")
        plans = read_table(conn, "staging.plans")
        quarantined = conn.execute(
            "SELECT count(DISTINCT (source_file, row_number, cell)) FROM staging.quarantine "
            "WHERE row_number IS NOT NULL AND list_contains(?, source)",
            [PLAN_SOURCES],
        ).fetchone()[0]
        written = write_progress_reports(
            paths.working_dir / "reports",  # published with the warehouse
            tracking,
            card,
            plans,
            synthetic=bool(tracking["synthetic"].any()) if tracking.height else False,
            quarantined_rows=quarantined,
        )
        mark_written(conn, "plan_progress_reports")
    return dg.MaterializeResult(metadata={"reports": len(written), "files": ", ".join(p.name for p in written)})
