"""Units through time: `marts.unit_lineage` (every unit and its predecessors) and `marts.unit_trend`
(each current unit's PAR index years beside its predecessors', docs/marts.md)."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.storage import key, read_table, write_table
from models.units.lineage import unit_lineage, unit_trend
from models.units.register import register

REGISTER = ("staging.units", "staging.provinces", "staging.unit_changes")


@dg.asset(key=key("marts.unit_lineage"), group_name="marts", kinds={"duckdb"}, deps=[key(t) for t in REGISTER])
def unit_lineage_mart(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Each unit or province and its predecessors: relation, effective date and decision."""
    with warehouse.get_connection() as conn:
        units = register(read_table(conn, "staging.units"), read_table(conn, "staging.provinces"))
        frame = unit_lineage(read_table(conn, "staging.unit_changes"), units)
        write_table(conn, "marts.unit_lineage", frame)
    return dg.MaterializeResult(metadata={"dagster/row_count": frame.height})


@dg.asset(
    key=key("marts.unit_trend"),
    group_name="marts",
    kinds={"duckdb"},
    deps=[key(t) for t in (*REGISTER, "marts.unit_lineage", "core.unit_scores", "staging.unit_weights")],
)
def unit_trend_mart(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Each current unit's PAR index by year, its predecessors' beside it, and a labelled composite
    where the user supplied weights (unit_weights*.csv)."""
    with warehouse.get_connection() as conn:
        units = register(read_table(conn, "staging.units"), read_table(conn, "staging.provinces"))
        series = conn.sql("SELECT unit_id, year, index_pct AS value FROM core.unit_scores").pl()
        weights = read_table(conn, "staging.unit_weights")
        frame = unit_trend(
            series, read_table(conn, "marts.unit_lineage"), units, None if weights.is_empty() else weights
        ).rename({"value": "index_pct"})
        write_table(conn, "marts.unit_trend", frame)
    return dg.MaterializeResult(metadata={"dagster/row_count": frame.height})
