"""Rules every published table must keep (docs/marts.md). Each returns the offending rows.

They are SQL over the warehouse so an analyst can run the same query by hand.
"""

from __future__ import annotations

PAR_INDEX_COLUMNS = [
    "year",
    "province",
    "unit_group",
    "unit_id",
    "unit_name",
    "achieved_points",
    "max_points",
    "index_pct",
    "band",
    "rank",
]
COMPONENT_COLUMNS = ["year", "unit_id", "node_code", "node_level", "achieved", "max_points", "pct"]
LINEAGE_COLUMNS = [
    "year",
    "unit_id",
    "leaf_code",
    "self_score",
    "appraised_score",
    "appeal_score",
    "final_score",
    "final_source",
]

# name → (table, SQL selecting rows that break the rule, the rule in words)
RULES: dict[str, tuple[str, str, str]] = {
    "par_index_unique": (
        "marts.par_index",
        "SELECT year, unit_id, count(*) AS n FROM marts.par_index GROUP BY ALL HAVING n > 1",
        "one row per unit and year",
    ),
    "par_index_bounds": (
        "marts.par_index",
        "SELECT year, unit_id, index_pct FROM marts.par_index "
        "WHERE index_pct IS NULL OR index_pct < 0 OR index_pct > 100 OR max_points <= 0",
        "index within 0-100 on a positive max (000 Art. 3.3, 4.3.b)",
    ),
    "par_index_rank": (
        "marts.par_index",
        "SELECT year, unit_id, rank FROM marts.par_index p WHERE rank < 1 OR rank > "
        "(SELECT count(*) FROM marts.par_index q WHERE q.year = p.year "
        " AND q.province_code = p.province_code AND q.unit_group = p.unit_group)",
        "rank between 1 and the size of the group",
    ),
    "par_index_band": (
        "marts.par_index",
        "SELECT year, unit_id FROM marts.par_index WHERE band IS NULL",
        "every unit has a band",
    ),
    "lineage_within_max": (
        "marts.score_lineage",
        "SELECT year, unit_id, leaf_code, final_score, max_points FROM marts.score_lineage "
        "WHERE final_score < 0 OR final_score > max_points + 1e-9 "
        "OR self_score > max_points + 1e-9 OR appraised_score > max_points + 1e-9 "
        "OR appeal_score > max_points + 1e-9",
        "no score above its leaf's max or below 0 (004 Art. 6.1.a)",
    ),
    "components_bounds": (
        "marts.par_component_index",
        "SELECT year, unit_id, node_code, pct FROM marts.par_component_index "
        "WHERE pct < 0 OR pct > 100 + 1e-9",
        "component index within 0-100 (000 Art. 4.3.c)",
    ),
}
