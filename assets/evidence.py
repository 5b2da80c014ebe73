"""Evidence documents (the optional register, candidates for Quảng Trị's penalty 4.2.c) and the facts
behind Quảng Trị's bonus and penalty items (1820/QĐ-UBND Art. 4: bonus_penalty/*.csv)."""

from __future__ import annotations

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.checks import RESULT_SCHEMA
from assets.raw import store_raw
from assets.resources import ChisoPaths
from assets.staging import raw_rows, scope_from, store_staged
from assets.storage import read_table, replace_rows, write_table
from models.ingest.readers import read_files
from models.ingest.tables import read_table_files
from models.par.bonus_penalty import FIELDS, stage_bonus_penalty_facts
from models.par.evidence import evidence_flags as find_flags
from models.par.staging import stage_evidence_register

FACTS = "bonus_penalty_facts"
FACT_KEYS = set(FIELDS["unit_id"]) | set(FIELDS["unit_name"])


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_evidence(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """evidence/*.csv (optional): a unit's register of evidence documents."""
    return store_raw(warehouse, "evidence", read_files(paths.raw, "evidence/*"))


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_evidence", "stg_units", "frameworks"])
def stg_evidence(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Evidence register rows with their document and system dates."""
    with warehouse.get_connection() as conn:
        rows, problems = raw_rows(conn, "evidence")
        return store_staged(conn, "evidence", stage_evidence_register(rows, scope_from(conn, paths)), problems)


@dg.asset(group_name="marts", kinds={"duckdb"}, deps=["stg_submissions", "stg_evidence"])
def evidence_flags(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """marts.evidence_flags: inserted numbers (11a), reused numbers, system date ≠ document date
    (1820/QĐ-UBND Art. 4.2.c) — candidates for the council, not automatic penalties."""
    with warehouse.get_connection() as conn:
        flags = find_flags(read_table(conn, "staging.submissions"), read_table(conn, "staging.evidence"))
        write_table(conn, "marts.evidence_flags", flags)
    return dg.MaterializeResult(metadata={"flags": flags.height})


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_bonus_penalty_facts(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """bonus_penalty/*.csv|.xlsx (optional): per unit and year, the facts behind the bonus and penalty
    items of 1820/QĐ-UBND Art. 4 (late dossiers and apology letters, PAR news items, simplification plans)."""
    return store_raw(warehouse, FACTS, read_table_files(paths.raw, "bonus_penalty/*", FACT_KEYS))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            f"stg_{FACTS}",
            group_name="staging",
            kinds={"duckdb"},
            deps=["raw_bonus_penalty_facts", "stg_units", "frameworks"],
            description="The facts of 1820/QĐ-UBND Art. 4, checked (whole numbers ≥ 0, known units, one row per "
            "unit-year); the row balance (rows in = staged + quarantined) is checked here.",
        )
    ],
    check_specs=[dg.AssetCheckSpec(f"{FACTS}_rows_balance", asset=f"stg_{FACTS}", blocking=True)],
    can_subset=True,  # a job may select the asset without its check (the tests' `without_checks()`)
)
def stg_bonus_penalty_facts(context, paths: ChisoPaths, warehouse: DuckDBResource):
    """Facts rows → staging.bonus_penalty_facts; rejected rows → staging.bonus_penalty_facts_quarantine."""
    with warehouse.get_connection() as conn:
        rows, problems = raw_rows(conn, FACTS)
        staged = stage_bonus_penalty_facts(rows, scope_from(conn, paths))
        result = store_staged(conn, FACTS, staged, problems)
        b = conn.execute(
            "SELECT rows_in, rows_staged, rows_quarantined, rows_set_aside FROM quality.row_balance WHERE source = ?",
            [FACTS],
        ).fetchone()
        gap = abs(b[0] - (b[1] + b[2] + b[3]))
        detail = f"vào {b[0]} = chuẩn hóa {b[1]} + cách ly {b[2]} + bỏ qua (dòng tổng) {b[3]}"
        check = {
            "check_name": f"{FACTS}_rows_balance",
            "asset": f"stg_{FACTS}",
            "severity": dg.AssetCheckSeverity.ERROR.value,
            "passed": gap == 0,
            "failing": gap,
            "detail": detail,
        }
        replace_rows(
            conn,
            "quality.check_results",
            "check_name",
            check["check_name"],
            pl.DataFrame([check], schema=RESULT_SCHEMA),
        )
    yield dg.MaterializeResult(asset_key=f"stg_{FACTS}", metadata=result.metadata)
    if not context.selected_asset_check_keys:
        return
    yield dg.AssetCheckResult(
        asset_key=f"stg_{FACTS}",
        check_name=f"{FACTS}_rows_balance",
        passed=gap == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"failing": gap, "detail": detail},
    )


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["quarantine", f"stg_{FACTS}"])
def bonus_penalty_facts_quarantine(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Rejected fact rows in staging.quarantine (source `bonus_penalty_facts`), beside every other source's."""
    with warehouse.get_connection() as conn:
        frame = read_table(conn, f"staging.{FACTS}_quarantine").with_columns(pl.lit(FACTS).alias("source"))
        replace_rows(conn, "staging.quarantine", "source", FACTS, frame)
    return dg.MaterializeResult(metadata={"rows": frame.height})
