"""From leaf scores to a unit's index: DOMAIN.md "Scoring" 1-5, 1708/QĐ-UBND Art. 3-4.

Every function takes and returns Polars frames so that each step can be looked at in a
notebook. Column names follow `marts.score_lineage` and `marts.par_index` (docs/marts.md).
"""

from __future__ import annotations

import polars as pl

from models.par.frameworks import SCORED_METHODS

# Float noise from survey shares must not split a tie or cross a band threshold.
PRECISION = 9

LINEAGE_KEYS = ["year", "unit_id", "leaf_code"]


def latest_decisions(adjustments: pl.DataFrame, round_name: str) -> pl.DataFrame:
    """The latest decided score per leaf in one round (by decision date, then file row).

    Seed 1820/QĐ-UBND Art. 5 steps 1-7: a later decision of the same round replaces an earlier one;
    every decision stays in `staging.appraisals` for the record.
    """
    return (
        adjustments.filter(pl.col("round") == round_name)
        .sort(["decision_date", "source_file", "source_row"], nulls_last=False)
        .group_by(LINEAGE_KEYS, maintain_order=True)
        .last()
        .select(
            *LINEAGE_KEYS,
            pl.col("score").alias(f"{round_name}_score"),
            pl.col("agency").alias(f"{round_name}_agency"),
            pl.col("reason").alias(f"{round_name}_reason"),
            pl.col("decision_no").alias(f"{round_name}_decision_no"),
            pl.col("source_file").alias(f"{round_name}_source_file"),
            pl.col("source_row").alias(f"{round_name}_source_row"),
        )
    )


def leaf_lineage(
    scope: pl.DataFrame,
    criteria: pl.DataFrame,
    submissions: pl.DataFrame,
    adjustments: pl.DataFrame,
    survey: pl.DataFrame,
    surveyed: pl.DataFrame | None = None,
    facts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per unit, year and leaf of the unit's framework, with every round's score.

    scope: year, unit_id, unit_group, ruleset_id (the units scored that year).
    The final score is the latest decided one: appeal → appraisal → self (DOMAIN Scoring 2), or,
    when a result was found flawed and re-classified, the corrected score of that decision
    (round `reclassification`, 1820/QĐ-UBND Art. 7), which also makes the leaf apply.
    Survey leaves get satisfied share × max (1708/QĐ-UBND Art. 5.3.c). A unit that was not
    surveyed that year has its survey leaves not applicable (1708/QĐ-UBND Art. 5.3.a lets districts not
    survey communes); `surveyed` lists the units the survey file names (year, unit_id), even
    where their rows were quarantined, so a broken survey row scores 0 (`missing`) instead of
    quietly scaling the unit up. Leaves a unit marks not applicable leave its max (1708/QĐ-UBND Art. 3.3).
    `facts` (models/par/bonus_penalty.fact_scores): bonus and penalty leaves computed from facts
    (1820/QĐ-UBND Art. 4); the computed score replaces the self-assessed one, and an appraisal, appeal
    or re-classification decision still overrides it: final = reclassification → appeal → appraisal →
    facts → self.
    """
    leaves = criteria.filter(pl.col("is_leaf")).select(
        "ruleset_id",
        "unit_group",
        pl.col("code").alias("leaf_code"),
        "field_code",
        "method",
        "max_points",
        "tiebreak",
        "appraising_agency",
    )
    base = scope.join(leaves, on=["ruleset_id", "unit_group"], how="inner")
    subs = submissions.select(
        *LINEAGE_KEYS,
        "self_score",
        "not_applicable",
        "evidence_refs",
        "explanation",
        pl.col("source_file").alias("self_source_file"),
        pl.col("source_row").alias("self_source_row"),
    )
    surveyed_units = (surveyed if surveyed is not None else survey).select("year", "unit_id").unique()
    # Where a survey share came from: `respondents` (which survey) or `aggregate` (models/surveys/rules.py).
    survey = survey.with_columns(
        pl.lit(None, pl.String).alias(c) for c in ("survey_source", "survey_id") if c not in survey.columns
    )
    frame = (
        base.join(subs, on=LINEAGE_KEYS, how="left")
        .join(latest_decisions(adjustments, "appraisal"), on=LINEAGE_KEYS, how="left")
        .join(latest_decisions(adjustments, "appeal"), on=LINEAGE_KEYS, how="left")
        .join(latest_decisions(adjustments, "reclassification"), on=LINEAGE_KEYS, how="left")
        .join(
            survey.select(*LINEAGE_KEYS, "satisfied_pct", "respondents", "survey_source", "survey_id"),
            on=LINEAGE_KEYS,
            how="left",
        )
        .join(surveyed_units.with_columns(pl.lit(True).alias("_surveyed")), on=["year", "unit_id"], how="left")
        .join(_facts(facts), on=LINEAGE_KEYS, how="left")
    )
    is_survey = pl.col("method") == "survey"
    applicable = (
        pl.when(is_survey)
        .then(pl.col("_surveyed").is_not_null())
        .when(pl.col("reclassification_score").is_not_null() | pl.col("facts_score").is_not_null())
        .then(True)
        .otherwise(~pl.col("not_applicable").fill_null(False))
    )
    survey_points = pl.col("satisfied_pct") / 100 * pl.col("max_points")
    final = (
        pl.when(~pl.col("applicable"))
        .then(None)
        .when(is_survey)
        .then(survey_points.fill_null(0.0))
        .otherwise(
            pl.coalesce(
                "reclassification_score", "appeal_score", "appraisal_score", "facts_score", "self_score", pl.lit(0.0)
            )
        )
    )
    source = (
        pl.when(~pl.col("applicable") & is_survey)
        .then(pl.lit("not_surveyed"))
        .when(~pl.col("applicable"))
        .then(pl.lit("not_applicable"))
        .when(is_survey & pl.col("satisfied_pct").is_not_null())
        .then(pl.lit("survey"))
        .when(pl.col("reclassification_score").is_not_null())
        .then(pl.lit("reclassification"))
        .when(pl.col("appeal_score").is_not_null())
        .then(pl.lit("appeal"))
        .when(pl.col("appraisal_score").is_not_null())
        .then(pl.lit("appraisal"))
        .when(pl.col("facts_score").is_not_null())
        .then(pl.lit("facts"))
        .when(pl.col("self_score").is_not_null())
        .then(pl.lit("self"))
        .otherwise(pl.lit("missing"))
    )
    return (
        frame.with_columns(applicable.alias("applicable"))
        .with_columns(final.alias("final_score"), source.alias("final_source"))
        .drop("_surveyed")
        .sort(["year", "unit_id", "leaf_code"])
    )


FACT_COLUMNS = {
    "facts_score": pl.Float64,
    "facts_rule": pl.String,
    "facts_basis": pl.String,
    "facts_source_file": pl.String,
    "facts_source_row": pl.Int64,
}


def _facts(facts: pl.DataFrame | None) -> pl.DataFrame:
    schema = {"year": pl.Int32, "unit_id": pl.String, "leaf_code": pl.String, **FACT_COLUMNS}
    if facts is None:
        return pl.DataFrame(schema=schema)
    return facts.select(list(schema)).cast(schema)


def unit_totals(lineage: pl.DataFrame, scale: float = 100.0) -> pl.DataFrame:
    """Total achieved and index per unit and year (1708/QĐ-UBND Art. 4.3.a-b).

    total = Σ appraised and survey finals + Σ bonus − Σ penalty; max = Σ max of the leaves
    that apply; index = total / max × scale, so a unit with leaves that do not apply is
    scaled to 100. The index is kept within [0, scale]: the decision's bands end at 100
    (1708/QĐ-UBND Art. 5.5) and a penalty cannot make a score negative.
    """
    scored = pl.col("method").is_in(SCORED_METHODS) & pl.col("applicable")
    return (
        lineage.group_by(["year", "unit_id"])
        .agg(
            pl.col("final_score").filter(scored).sum().alias("scored_points"),
            pl.col("final_score").filter(pl.col("method") == "bonus").sum().alias("bonus_points"),
            pl.col("final_score").filter(pl.col("method") == "penalty").sum().alias("penalty_points"),
            pl.col("max_points").filter(scored).sum().alias("max_points"),
            pl.col("max_points").filter(pl.col("method").is_in(SCORED_METHODS)).sum().alias("full_max_points"),
            pl.col("final_score").filter(pl.col("tiebreak") & pl.col("applicable")).sum().alias("tiebreak_points"),
            (pl.col("final_source") == "missing").sum().alias("missing_leaves"),
        )
        .with_columns(
            (pl.col("scored_points") + pl.col("bonus_points") - pl.col("penalty_points")).alias("achieved_points")
        )
        .with_columns(
            pl.when(pl.col("max_points") > 0)
            .then((pl.col("achieved_points") / pl.col("max_points") * scale).clip(0, scale))
            .otherwise(None)
            .round(PRECISION)
            .alias("index_pct")
        )
        .sort(["year", "unit_id"])
    )


def keep_full_max(lineage: pl.DataFrame, ruleset_ids: list[str]) -> pl.DataFrame:
    """Rulesets whose index is over the full scale (`index_max: scale`; Quảng Ninh, QĐ Quảng Ninh 2022
    §II.1.d: "tổng điểm tối đa (100 điểm)") keep every leaf in the max: a leaf the unit marked
    not applicable, or a survey leaf of a unit not surveyed, still counts and scores 0.
    `final_source` still says why (`not_applicable`, `not_surveyed`)."""
    kept = pl.col("ruleset_id").is_in(ruleset_ids) & pl.col("method").is_in(SCORED_METHODS) & ~pl.col("applicable")
    return lineage.with_columns(
        pl.when(kept).then(0.0).otherwise(pl.col("final_score")).alias("final_score"),
        (pl.col("applicable") | kept).alias("applicable"),
    )


def component_index(lineage: pl.DataFrame, criteria: pl.DataFrame) -> pl.DataFrame:
    """Achieved / max × 100 for every node and leaf of the tree (1708/QĐ-UBND Art. 4.3.c).

    Only appraised and survey leaves that apply count; bonus and penalty sit outside the
    components. A node whose leaves all do not apply has no row: it has no index, not 0.
    """
    leaves = lineage.filter(pl.col("method").is_in(SCORED_METHODS) & pl.col("applicable")).select(
        "year", "unit_id", "ruleset_id", "unit_group", "leaf_code", "final_score", "max_points"
    )
    nodes = criteria.filter(
        (pl.col("is_leaf") & pl.col("method").is_in(SCORED_METHODS))
        | (~pl.col("is_leaf") & pl.col("max_points").is_not_null())
    ).select("ruleset_id", "unit_group", pl.col("code").alias("node_code"), "level", "title")
    # Every leaf contributes to itself and to each of its ancestors.
    parts = pl.col("leaf_code").str.split(".")
    depth = int(criteria["level"].max())
    ancestry = (
        leaves.with_columns(
            pl.concat_list(
                [pl.when(parts.list.len() >= i).then(parts.list.head(i).list.join(".")) for i in range(1, depth + 1)]
            ).alias("node_code")
        )
        .explode("node_code", empty_as_null=True)
        .drop_nulls("node_code")
    )
    return (
        ancestry.join(nodes, on=["ruleset_id", "unit_group", "node_code"], how="inner")
        .group_by(["year", "unit_id", "node_code"])
        .agg(
            pl.col("level").first().alias("node_level"),
            pl.col("title").first().alias("node_title"),
            pl.col("final_score").sum().alias("achieved"),
            pl.col("max_points").sum().alias("max_points"),
        )
        .with_columns(
            pl.when(pl.col("max_points") > 0)
            .then((pl.col("achieved") / pl.col("max_points") * 100).round(PRECISION))
            .alias("pct")
        )
        .sort(["year", "unit_id", "node_code"])
    )
