"""Public contract tables of the surveys (docs/marts.md "Surveys"), as DuckDB SQL over the core layer.

Kept apart from `models.par.marts.MARTS` (the PAR contract tables); built by assets/surveys.py, each
reading the tables its SQL names. Changing a column here is changing a contract: update
docs/marts.md and tests/test_survey_end_to_end.py in the same commit.
"""

_SURVEY_INDEX = """
SELECT
    s.year, s.unit_id, s.component, s.pct, s.ci_low, s.ci_high, s.n_respondents, s.flag,
    s.level, s.unit_group, s.province_code, u.unit_name, s.component_title, s.component_order,
    s.effective_n, s.n_answers, s.n_satisfied, s.n_dont_know, s.n_blank, s.n_invalid, s.weighted,
    s.survey_id, p.province_name AS province, p.synthetic
FROM core.survey_index s
LEFT JOIN staging.units u ON u.unit_id = s.unit_id
LEFT JOIN staging.provinces p ON p.province_code = s.province_code
WHERE s.survey_kind = '{kind}'
ORDER BY s.survey_id, s.year, s.level DESC, s.province_code, s.unit_group, s.unit_id, s.component_order
"""

SIPAS_INDEX = _SURVEY_INDEX.format(kind="citizen")
CIVIL_SERVANT_INDEX = _SURVEY_INDEX.format(kind="civil_servant")

PAPI_INDEX = """
SELECT
    year, province, dimension, score, rank, delta_prev_year,
    dimension_no, dimension_name, max_score, complete, n_provinces, tier, tier_label,
    prev_year_score, top_n, top_n_cutoff, gap_to_top_n, in_top_n, series, province_code, synthetic,
    published_rank, published_ci_low, published_ci_high, source
FROM core.papi_index
ORDER BY year, dimension = 'total' DESC, dimension_no, rank NULLS LAST, province
"""

SURVEY_SAMPLE_PLAN = """
SELECT
    s.year, s.unit_id, u.unit_name, u.unit_group, s.dossiers, s.margin_of_error, s.n_required,
    s.n_respondents, s.shortfall, s.sample_short, s.plan_year, s.n_planned, s.warning, s.survey_id,
    p.synthetic
FROM core.survey_sample_plan s
LEFT JOIN staging.units u ON u.unit_id = s.unit_id
LEFT JOIN staging.provinces p ON p.province_code = u.province_code
ORDER BY s.survey_id, s.year, u.unit_group, s.unit_id
"""

# models/surveys/uncertainty.py: PAR units whose survey leaves come from respondents, and PAPI where published.
RANK_UNCERTAINTY = """
SELECT
    r.year, r.unit_id, r.index_low, r.index_high, r.rank_best, r.rank_worst, r.band_stable,
    r.index_kind, coalesce(u.unit_name, pp.province) AS unit_name, r.index_pct, r.rank, r.n_units, r.band,
    r.band_low, r.band_high, r.interval_from, r.survey_leaves, r.province_code, r.unit_group, r.ruleset_id
FROM core.rank_uncertainty r
LEFT JOIN staging.units u ON r.index_kind = 'par_index' AND u.unit_id = r.unit_id
LEFT JOIN (SELECT DISTINCT year, province_code, province FROM core.papi_index) pp
       ON r.index_kind = 'papi' AND pp.year = r.year AND pp.province_code = r.unit_id
ORDER BY r.index_kind DESC, r.year, r.province_code, r.unit_group, r.rank, r.unit_id
"""

# mart table → SQL (the tables it reads are found in the SQL: assets/marts.py)
SURVEY_MARTS: dict[str, str] = {
    "marts.sipas_index": SIPAS_INDEX,
    "marts.civil_servant_index": CIVIL_SERVANT_INDEX,
    "marts.papi_index": PAPI_INDEX,
    "marts.survey_sample_plan": SURVEY_SAMPLE_PLAN,
    "marts.rank_uncertainty": RANK_UNCERTAINTY,
}

# name → (table, SQL selecting rows that break the rule, the rule in words); as expectations.contracts.
SURVEY_RULES: dict[str, tuple[str, str, str]] = {
    "sipas_index_unique": (
        "marts.sipas_index",
        "SELECT survey_id, year, level, unit_id, unit_group, province_code, component, count(*) AS n "
        "FROM marts.sipas_index GROUP BY ALL HAVING n > 1",
        "one row per survey, year, level, unit (or group, or province) and component",
    ),
    "sipas_index_interval": (
        "marts.sipas_index",
        "SELECT year, unit_id, component, pct, ci_low, ci_high FROM marts.sipas_index "
        "WHERE pct < 0 OR pct > 100 OR ci_low > pct + 1e-9 OR ci_high < pct - 1e-9 "
        "OR (pct IS NULL) <> coalesce(flag = 'no_answers', false)",
        "share within 0-100 and inside its interval; no share only when nobody answered",
    ),
    "papi_index_unique": (
        "marts.papi_index",
        "SELECT year, province, dimension, count(*) AS n FROM marts.papi_index GROUP BY ALL HAVING n > 1",
        "one row per year, province and dimension",
    ),
    "papi_index_within_max": (
        "marts.papi_index",
        "SELECT year, province, dimension, score, max_score FROM marts.papi_index "
        "WHERE score < 0 OR score > max_score + 1e-9",
        "a dimension within 0-10, the total within 10 × the number of dimensions",
    ),
    # A dimension map that does not match PAPI's structure leaves every total of a year empty
    # (staging.quarantine says which sub-dimension is missing): fail, do not publish a year of blanks.
    "papi_every_year_has_totals": (
        "marts.papi_index",
        "SELECT year, count(*) AS provinces FROM marts.papi_index WHERE dimension = 'total' "
        "GROUP BY year HAVING count(score) = 0",
        "every PAPI year in the tables gives at least one province a total",
    ),
    "rank_uncertainty_bounds": (
        "marts.rank_uncertainty",
        "SELECT year, unit_id, index_low, index_pct, index_high, rank_best, rank, rank_worst "
        "FROM marts.rank_uncertainty WHERE index_low > index_pct + 1e-9 OR index_high < index_pct - 1e-9 "
        "OR rank_best > rank OR rank_worst < rank OR rank_worst > n_units",
        "the index inside its interval and the rank inside its range",
    ),
}
