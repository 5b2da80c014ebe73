"""Rulesets beyond the criteria trees: re-classification decisions (1820/QĐ-UBND Art. 7), the bands
and who-appraises-whom of every decision (2722/QĐ-UBND §II; 1708/QĐ-UBND Art. 5.2, 9;
QĐ Quảng Ninh 2022 §III-IV; 1820/QĐ-UBND Art. 6.2, 8)."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.raw import store_raw
from assets.resources import ChisoPaths
from assets.staging import raw_rows, scope_from, store_staged
from assets.storage import write_table
from models.ingest.readers import read_files
from models.par.frameworks import appraisal_bodies_frame, bands_frame, load_rulesets
from models.par.reclassification import stage_reclassifications


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_reclassifications(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """reclassifications*.csv: decisions voiding a flawed result and re-classifying its year (1820/QĐ-UBND Art. 7)."""
    return store_raw(warehouse, "reclassifications", read_files(paths.raw, "reclassifications*.csv"))


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_reclassifications", "stg_units", "frameworks"])
def stg_reclassifications(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Re-classification decisions, checked: only rulesets that allow it (framework.yaml `reclassification`)."""
    with warehouse.get_connection() as conn:
        rows, problems = raw_rows(conn, "reclassifications")
        return store_staged(conn, "reclassifications", stage_reclassifications(rows, scope_from(conn, paths)), problems)


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["frameworks"])
def ruleset_tables(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """staging.ruleset_bands (bands best first) and staging.appraisal_bodies (who appraises whom)."""
    rulesets = load_rulesets(paths.raw / "frameworks")
    bands, bodies = bands_frame(rulesets), appraisal_bodies_frame(rulesets)
    with warehouse.get_connection() as conn:
        write_table(conn, "staging.ruleset_bands", bands)
        write_table(conn, "staging.appraisal_bodies", bodies)
    return dg.MaterializeResult(metadata={"bands": bands.height, "appraisal_bodies": bodies.height})
