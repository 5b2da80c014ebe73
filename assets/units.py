"""Units through time: `marts.unit_lineage` (every unit and its predecessors), `marts.unit_trend`
(each current unit's PAR index years beside its predecessors'), and for PAPI `marts.papi_province_map`
(PAPI's codes → official codes, 63 → 34) and `marts.papi_trend` (docs/marts.md)."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.metadata import materialized, spec_metadata
from assets.storage import key, read_table, write_table
from models.units.lineage import unit_lineage, unit_trend
from models.units.official import official_merger, papi_province_map, province_register
from models.units.register import register

REGISTER = ("staging.units", "staging.provinces", "staging.unit_changes")


@dg.asset(
    key=key("marts.unit_lineage"),
    group_name="marts",
    kinds={"duckdb"},
    deps=[key(t) for t in REGISTER],
    metadata=spec_metadata("marts.unit_lineage"),
)
def unit_lineage_mart(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Each unit or province and its predecessors: relation, effective date and decision."""
    with warehouse.get_connection() as conn:
        units = register(read_table(conn, "staging.units"), read_table(conn, "staging.provinces"))
        frame = unit_lineage(read_table(conn, "staging.unit_changes"), units)
        write_table(conn, "marts.unit_lineage", frame)
        return materialized(conn, "marts.unit_lineage")


@dg.asset(
    key=key("marts.unit_trend"),
    group_name="marts",
    kinds={"duckdb"},
    metadata=spec_metadata("marts.unit_trend"),
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
        return materialized(conn, "marts.unit_trend")


@dg.asset(
    key=key("marts.papi_province_map"),
    group_name="marts",
    kinds={"duckdb"},
    deps=[key("staging.papi_provinces")],
    metadata=spec_metadata("marts.papi_province_map"),
)
def papi_province_map_mart(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """PAPI's province codes → the official codes of the 63, and the province of the 34 each became part of
    (Nghị quyết 202/2025/QH15; lists from the pinned `vietnamadminunits` package)."""
    with warehouse.get_connection() as conn:
        frame = papi_province_map(read_table(conn, "staging.papi_provinces"), official_merger())
        write_table(conn, "marts.papi_province_map", frame)
        unmapped = frame.filter(frame["official_code"].is_null()).height
        return materialized(conn, "marts.papi_province_map", unmapped=unmapped)


@dg.asset(
    key=key("marts.papi_trend"),
    group_name="marts",
    kinds={"duckdb"},
    metadata=spec_metadata("marts.papi_trend"),
    deps=[key("marts.papi_province_map"), key("marts.papi_index")],
)
def papi_trend_mart(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """PAPI's total for each of the 34 provinces, with its predecessor provinces' 2011-2024 series beside
    it, labelled as predecessors (never averaged)."""
    with warehouse.get_connection() as conn:
        provinces, changes = province_register(official_merger())
        series = conn.sql(
            "SELECT m.official_code AS unit_id, p.year, p.score AS value FROM marts.papi_index p "
            "JOIN marts.papi_province_map m ON m.papi_code = p.province_code "
            "WHERE p.dimension = 'total' AND m.official_code IS NOT NULL"
        ).pl()
        frame = unit_trend(series, unit_lineage(changes, provinces), provinces).rename({"value": "score"})
        write_table(conn, "marts.papi_trend", frame)
        return materialized(conn, "marts.papi_trend")
