"""The public contract tables (docs/marts.md), as DuckDB SQL over the core layer.

Changing a column here is changing a contract: update docs/marts.md and tests/test_marts_contract.py
in the same commit.
"""

PAR_INDEX = """
SELECT
    u.year, p.province_name AS province, u.unit_group, u.unit_id, u.unit_name,
    u.achieved_points, u.max_points, u.index_pct, u.band, u.rank,
    u.province_code, u.parent_unit_id, u.parent_rank,
    u.band_before_downgrade, u.downgraded, u.band_reason,
    u.tiebreak_points, u.tie_broken, u.scored_points, u.bonus_points, u.penalty_points,
    u.missing_leaves, u.ruleset_id, r.decision_no, p.synthetic,
    u.reclassified, u.reclassification_decision_no, u.band_decided
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
    appeal_source_file, appeal_source_row, ruleset_id,
    reclassification_score AS reclassified_score, reclassification_agency, reclassification_reason,
    reclassification_decision_no, reclassification_source_file, reclassification_source_row,
    survey_source, survey_id,
    facts_score, facts_rule, facts_basis, facts_source_file, facts_source_row
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
    "marts.par_index_history": [
        "year",
        "province",
        "unit_group",
        "unit_id",
        "unit_name",
        "version",
        "valid",
        "index_pct",
        "band",
        "rank",
        "decided_by",
        "voided_by",
        "void_reason",
    ],
    "marts.band_gap": [
        "year",
        "unit_id",
        "band",
        "target_band",
        "target_min_index",
        "index_pct",
        "index_gap",
        "points_needed",
        "step",
        "leaf_code",
        "add_points",
    ],
    # Built by assets/surveys.py (models/surveys/marts.py RANK_UNCERTAINTY), listed here with the contracts.
    "marts.rank_uncertainty": [
        "year",
        "unit_id",
        "index_low",
        "index_high",
        "rank_best",
        "rank_worst",
        "band_stable",
    ],
    "marts.agency_appraisal": [
        "year",
        "agency",
        "unit_id",
        "unit_name",
        "unit_group",
        "leaves",
        "changed_leaves",
        "mean_change",
    ],
}

# Every version of a unit-year's result; voided ones kept (1820/QĐ-UBND Art. 7, models/par/history.py).
PAR_INDEX_HISTORY = """
SELECT
    h.year, p.province_name AS province, h.unit_group, h.unit_id, h.unit_name,
    h.version, h.valid, h.index_pct, h.band, h.rank, h.decided_by, h.voided_by, h.void_reason,
    h.change_kind, h.decided_on, h.voided_on, h.achieved_points, h.max_points, h.band_reason,
    h.province_code, h.ruleset_id
FROM core.unit_score_history h
JOIN staging.provinces p USING (province_code)
ORDER BY h.year, h.province_code, h.unit_group, h.unit_id, h.version
"""

# The cheapest plan, leaf by leaf, to the next band (models/par/band_gap.py).
BAND_GAP = """
SELECT
    year, unit_id, band, target_band, target_min_index, index_pct, index_gap, points_needed,
    step, leaf_code, add_points,
    reachable, blocked_by, field_code, method, cumulative_points, headroom, kind, for_content_area, note,
    province_code, unit_group, ruleset_id
FROM core.band_gap
ORDER BY year, province_code, unit_group, unit_id, step
"""

# Per appraising agency and unit: leaves to appraise, how many it changed, mean change (models/par/agency.py).
AGENCY_APPRAISAL = """
SELECT
    year, agency, unit_id, unit_name, unit_group, leaves, changed_leaves, mean_change,
    lowered_leaves, raised_leaves, total_change, appealed_leaves, appeals_changed,
    leaf_codes, changed_codes, province_code, appraised_by_rule, ruleset_id
FROM core.agency_appraisal
ORDER BY year, agency, province_code, unit_group, unit_id
"""

# Improvement-plan tracking (2639/QĐ-UBND; models/plan/tracking.py): the targets in force per province
# and period, at-risk first. Not in MARTS (the PAR contract tables): built by assets/plan.py.
# Contract columns: PLAN_TRACKING_COLUMNS.
PLAN_TRACKING_COLUMNS = [
    "period",
    "target_code",
    "metric",
    "actual",
    "target",
    "comparator",
    "status",
    "prev_actual",
    "delta",
    "lead_agency",
    "source",
]
PLAN_TRACKING = """
SELECT
    t.period, t.target_code, t.metric, t.actual, t.target, t.comparator, t.status,
    t.prev_actual, t.delta, c.lead_agency, c.source,
    t.variant, t.variant_basis, t.variants_available,
    (SELECT string_agg(o.variant || ' (' || oc.source || ', ' || o.target_text || '): ' || o.status_vi, '; '
                       ORDER BY o.seq)
     FROM core.plan_tracking o
     JOIN staging.plan_targets oc
       ON oc.plan_id = o.plan_id AND oc.target_code = o.target_code AND oc.variant IS NOT DISTINCT FROM o.variant
     WHERE o.province_code = t.province_code AND o.plan_id = t.plan_id AND o.period = t.period
       AND o.target_code = t.target_code AND NOT o.in_force) AS other_variants,
    t.year, t.period_code, t.period_kind, t.period_label, t.period_end,
    t.province_code, p.province_name AS province, t.plan_id, pl.decision_no,
    c.index_family, c.field_code, c.field_title, c.title, t.unit, t.target_text, t.status_vi, t.status_reason,
    t.achieved, t.required_value, t.reference_metric, t.reference_value, t.baseline_year, t.baseline_value,
    t.change, t.at_risk, t.trend, t.streak_status, t.streak_length,
    c.coordinating_agencies, c.evidence_required, c.reporting_frequency, c.requirement, c.note AS target_note,
    t.seq, t.actual_source_file, t.actual_source_row, p.synthetic
FROM core.plan_tracking t
JOIN staging.plan_targets c
  ON c.plan_id = t.plan_id AND c.target_code = t.target_code AND c.variant IS NOT DISTINCT FROM t.variant
JOIN staging.plans pl ON pl.plan_id = t.plan_id
JOIN staging.provinces p ON p.province_code = t.province_code
WHERE t.in_force
ORDER BY t.province_code, t.period_end, t.at_risk DESC,
         CASE t.status WHEN 'not_met' THEN 0 WHEN 'no_data' THEN 1 ELSE 2 END, t.seq
"""

MARTS = {
    "marts.par_index": PAR_INDEX,
    "marts.par_component_index": PAR_COMPONENT_INDEX,
    "marts.score_lineage": SCORE_LINEAGE,
    "marts.par_index_history": PAR_INDEX_HISTORY,
    "marts.band_gap": BAND_GAP,
    "marts.agency_appraisal": AGENCY_APPRAISAL,
}
