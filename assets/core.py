"""Core layer: leaf lineage, component indices and unit scores, computed by `models.par.index`;
the history of re-classified results, the gap to the next band and the appraising agencies' work."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.resources import ChisoPaths
from assets.storage import read_table, write_table
from models.par.agency import agency_appraisal
from models.par.band_gap import band_gap
from models.par.bonus_penalty import fact_scores
from models.par.frameworks import load_frameworks
from models.par.history import result_history
from models.par.index import compute, scoring_scope


@dg.asset(
    group_name="core",
    kinds={"duckdb"},
    deps=[
        "frameworks",
        "stg_units",
        "stg_submissions",
        "stg_appraisals",
        "stg_survey_results",
        "stg_reclassifications",
        "stg_bonus_penalty_facts",
    ],
)
def par_scores(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Every unit's index for every year, each year with the framework in force that year."""
    rulesets, _ = load_frameworks(paths.raw / "frameworks")
    with warehouse.get_connection() as conn:
        submissions = read_table(conn, "staging.submissions")
        units = read_table(conn, "staging.units")
        criteria = read_table(conn, "staging.criteria")
        inputs = {
            "scope": scoring_scope(submissions, units),
            "criteria": criteria,
            "submissions": submissions,
            "appraisals": read_table(conn, "staging.appraisals"),
            "survey": read_table(conn, "staging.survey_results"),
            "rulesets": rulesets,
            "surveyed": read_table(conn, "staging.surveyed_units"),
            "reclassifications": read_table(conn, "staging.reclassifications"),
            # Bonus and penalty leaves computed from facts (1820/QĐ-UBND Art. 4; models/par/bonus_penalty.py).
            "facts": fact_scores(read_table(conn, "staging.bonus_penalty_facts"), criteria),
        }
        result = compute(**inputs)
        history = result_history(**inputs, current=result.units)
        gap = band_gap(result.units, result.lineage, result.components, rulesets)
        agencies = agency_appraisal(result.lineage, units, rulesets)
        write_table(conn, "core.leaf_scores", result.lineage)
        write_table(conn, "core.component_index", result.components)
        write_table(conn, "core.unit_scores", result.units)
        write_table(conn, "core.unit_score_history", history)
        write_table(conn, "core.band_gap", gap)
        write_table(conn, "core.agency_appraisal", agencies)
    return dg.MaterializeResult(
        metadata={
            "unit_years": result.units.height,
            "leaf_scores": result.lineage.height,
            "years": sorted(result.units["year"].unique().to_list()),
            "voided_results": int((~history["valid"]).sum()),
        }
    )
