"""Evidence documents: the optional register, and candidates for Quảng Trị's penalty 4.2.c."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.raw import store_raw
from assets.resources import ChisoPaths
from assets.staging import raw_rows, scope_from, store_staged
from assets.storage import read_table, write_table
from models.ingest.readers import read_files
from models.par.evidence import evidence_flags as find_flags
from models.par.staging import stage_evidence_register


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
