"""The public contract tables (docs/marts.md), as DuckDB SQL over the core layer.

Changing a column here is changing a contract: update docs/marts.md and tests/test_marts_contract.py
in the same commit.
"""

PAR_INDEX = """
SELECT
    u.year, p.province_name AS province, u.unit_group, u.unit_id, u.unit_name,
    u.achieved_points, u.max_points, u.index_pct, u.band, u.rank,
    u.province_code, u.parent_unit_id, u.district_rank,
    u.band_before_downgrade, u.downgraded, u.band_reason,
    u.tiebreak_points, u.tie_broken, u.scored_points, u.bonus_points, u.penalty_points,
    u.missing_leaves, u.ruleset_id, r.decision_no, p.synthetic
FROM core.unit_scores u
JOIN staging.provinces p USING (province_code)
JOIN staging.rulesets r USING (ruleset_id)
ORDER BY u.year, u.province_code, u.unit_group, u.rank, u.unit_id
"""

PAR_COMPONENT_INDEX = """
SELECT year, unit_id, node_code, node_level, achieved, max_points, pct, node_title
FROM core.component_index
ORDER BY year, unit_id, node_code
"""

SCORE_LINEAGE = """
SELECT
    year, unit_id, leaf_code, self_score,
    appraisal_score AS appraised_score, appeal_score, final_score, final_source,
    method, max_points, applicable, field_code, tiebreak,
    appraising_agency, appraisal_agency, appraisal_reason, appraisal_decision_no,
    appeal_agency, appeal_reason, appeal_decision_no,
    satisfied_pct, respondents, evidence_refs, explanation,
    self_source_file, self_source_row, appraisal_source_file, appraisal_source_row,
    appeal_source_file, appeal_source_row, ruleset_id
FROM core.leaf_scores
ORDER BY year, unit_id, leaf_code
"""

# The contract columns, in order; extras may follow them (docs/marts.md).
CONTRACT_COLUMNS = {
    "marts.par_index": [
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
    ],
    "marts.par_component_index": ["year", "unit_id", "node_code", "node_level", "achieved", "max_points", "pct"],
    "marts.score_lineage": [
        "year",
        "unit_id",
        "leaf_code",
        "self_score",
        "appraised_score",
        "appeal_score",
        "final_score",
        "final_source",
    ],
}

MARTS = {
    "marts.par_index": PAR_INDEX,
    "marts.par_component_index": PAR_COMPONENT_INDEX,
    "marts.score_lineage": SCORE_LINEAGE,
}
