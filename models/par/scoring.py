"""From leaf scores to a unit's index: DOMAIN.md "Scoring" 1-5, 1708/QĐ-UBND Art. 3-4.

Every function takes and returns Polars frames so that each step can be looked at in a
notebook. Column names follow `marts.score_lineage` and `marts.par_index` (docs/marts.md).

Built for national size (issue "National scale"): rows are matched on one compact integer key per
unit and criterion (`unit index << CODE_BITS | code index`, both numbered in text order so that
sorting the key sorts by unit id and code), the criteria tree's ancestor map is worked out once per
framework (`compile_criteria`), and provenance columns are taken along only into the lineage
itself, never into the sums behind components and totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from models.par.frameworks import SCORED_METHODS

# Float noise from survey shares must not split a tie or cross a band threshold.
PRECISION = 9

LINEAGE_KEYS = ["year", "unit_id", "leaf_code"]
ROUNDS = ("appraisal", "appeal", "reclassification")
ROUND_COLUMNS = {"score": "score", "agency": "agency", "reason": "reason", "decision_no": "decision_no"}
CODE_BITS = 20  # room for 1 M distinct criterion codes; units take the bits above
FRAMEWORK = ["ruleset_id", "unit_group"]


@dataclass(frozen=True)
class CompiledCriteria:
    """The criteria trees, numbered once per compute (not per row).

    codes: every criterion code in text order with its `code_id`; leaves: one row per framework
    leaf with `fw` (framework id) and `code_id`, in (fw, code) order; ancestors: for each scored
    leaf, itself and every ancestor node that has a max (1708/QĐ-UBND Art. 4.3.c), with the node's
    level and title.
    """

    codes: pl.Series
    frameworks: pl.DataFrame
    leaves: pl.DataFrame
    ancestors: pl.DataFrame


def compile_criteria(criteria: pl.DataFrame) -> CompiledCriteria:
    codes = criteria["code"].unique().sort()
    code_id = pl.col("code").cast(pl.Enum(codes)).to_physical().cast(pl.Int64)
    frameworks = (
        criteria.filter(pl.col("is_leaf")).select(FRAMEWORK).unique().sort(FRAMEWORK).with_row_index("fw")
    ).with_columns(pl.col("fw").cast(pl.Int64))
    leaves = (
        criteria.filter(pl.col("is_leaf"))
        .join(frameworks, on=FRAMEWORK, how="inner")
        .with_columns(code_id.alias("code_id"))
        .sort(["fw", "code_id"])
        .select(
            "fw",
            "code_id",
            *FRAMEWORK,
            pl.col("code").alias("leaf_code"),
            "field_code",
            "method",
            "max_points",
            "tiebreak",
            "appraising_agency",
        )
    )
    nodes = criteria.filter(
        (pl.col("is_leaf") & pl.col("method").is_in(SCORED_METHODS))
        | (~pl.col("is_leaf") & pl.col("max_points").is_not_null())
    ).select(*FRAMEWORK, pl.col("code").alias("node_code"), pl.col("level").alias("node_level"), "title")
    # Every scored leaf contributes to itself and to each of its ancestors: the prefixes of its code.
    parts = pl.col("leaf_code").str.split(".")
    depth = int(criteria["level"].max() or 1)
    ancestors = (
        leaves.filter(pl.col("method").is_in(SCORED_METHODS))
        .select("fw", *FRAMEWORK, "code_id", "leaf_code")
        .with_columns(
            pl.concat_list(
                [pl.when(parts.list.len() >= i).then(parts.list.head(i).list.join(".")) for i in range(1, depth + 1)]
            ).alias("node_code")
        )
        .explode("node_code", empty_as_null=True)
        .drop_nulls("node_code")
        .join(nodes, on=[*FRAMEWORK, "node_code"], how="inner", maintain_order="left")
        .select(
            "fw",
            "code_id",
            pl.col("node_code").cast(pl.Enum(codes)).to_physical().cast(pl.Int64).alias("node_id"),
            "node_code",
            "node_level",
            pl.col("title").alias("node_title"),
        )
    )
    return CompiledCriteria(codes, frameworks, leaves, ancestors)


def _key(unit: pl.Expr, code: pl.Expr) -> pl.Expr:
    return unit.cast(pl.Int64) * (1 << CODE_BITS) + code.cast(pl.Int64)


def _keyed(frame: pl.DataFrame, units: pl.Series, codes: pl.Series, code_column: str = "leaf_code") -> pl.DataFrame:
    """`frame` with `_k` (unit and code as one integer); rows of other units or codes dropped."""
    unit = pl.col("unit_id").cast(pl.Enum(units), strict=False).to_physical()
    code = pl.col(code_column).cast(pl.Enum(codes), strict=False).to_physical()
    return frame.with_columns(_key(unit, code).alias("_k")).drop_nulls("_k")


def latest_decisions(adjustments: pl.DataFrame, round_name: str) -> pl.DataFrame:
    """The latest decided score per leaf in one round (by decision date, then file row).

    1820/QĐ-UBND Art. 5 steps 1-7: a later decision of the same round replaces an earlier one;
    every decision stays in `staging.appraisals` for the record. `adjustments` carries `_k`.
    """
    return (
        adjustments.filter(pl.col("round") == round_name)
        .sort(["decision_date", "source_file", "source_row"], nulls_last=False, maintain_order=True)
        .unique(subset="_k", keep="last", maintain_order=False)
        .select(
            "_k",
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
    criteria: pl.DataFrame | CompiledCriteria,
    submissions: pl.DataFrame,
    adjustments: pl.DataFrame,
    survey: pl.DataFrame,
    surveyed: pl.DataFrame | None = None,
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

    Rows come sorted by year, unit_id and leaf_code. Internal columns `_u` (unit index), `_k`
    (unit and code key) and `_fw` (framework id) are kept for the sums; `public_lineage` drops them.
    """
    tree = criteria if isinstance(criteria, CompiledCriteria) else compile_criteria(criteria)
    years = scope["year"].unique().sort().to_list()
    if not years:
        return _lineage_year(scope, tree, submissions, adjustments, survey, surveyed)
    parts = [
        _lineage_year(
            scope.filter(pl.col("year") == y),
            tree,
            submissions.filter(pl.col("year") == y),
            adjustments.filter(pl.col("year") == y),
            survey.filter(pl.col("year") == y),
            None if surveyed is None else surveyed.filter(pl.col("year") == y),
        )
        for y in years
    ]
    return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical", rechunk=False)


def _lineage_year(
    scope: pl.DataFrame,
    tree: CompiledCriteria,
    submissions: pl.DataFrame,
    adjustments: pl.DataFrame,
    survey: pl.DataFrame,
    surveyed: pl.DataFrame | None,
) -> pl.DataFrame:
    """leaf_lineage for one year (or an empty scope)."""
    scope = scope.sort("unit_id", maintain_order=True)
    units = scope["unit_id"].unique().sort()
    scope_keys = scope.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_srow"),
        pl.col("unit_id").cast(pl.Enum(units)).to_physical().cast(pl.Int64).alias("_u"),
        *FRAMEWORK,
    ).join(tree.frameworks, on=FRAMEWORK, how="inner", maintain_order="left")
    leaf_rows = tree.leaves.select("fw", "code_id", pl.int_range(pl.len(), dtype=pl.Int64).alias("_lrow"))
    base = scope_keys.select("_srow", "_u", "fw").join(leaf_rows, on="fw", how="inner", maintain_order="left_right")
    base = base.with_columns(_key(pl.col("_u"), pl.col("code_id")).alias("_k"))
    # Scope columns (year, unit_id, ruleset_id, unit names, …) then the leaf's facts, as the contract has them.
    scope_cols = scope.select(pl.all().gather(base["_srow"]))
    leaf_cols = tree.leaves.select(pl.all().exclude("fw", "code_id", *FRAMEWORK).gather(base["_lrow"]))
    frame = scope_cols.hstack(leaf_cols).hstack(base.select("_k", "_u", pl.col("fw").alias("_fw")))

    subs = _keyed(submissions, units, tree.codes).select(
        "_k",
        "self_score",
        "not_applicable",
        "evidence_refs",
        "explanation",
        pl.col("source_file").alias("self_source_file"),
        pl.col("source_row").alias("self_source_row"),
    )
    adjustments = _keyed(adjustments, units, tree.codes)
    surveyed_units = (surveyed if surveyed is not None else survey).select("unit_id").unique()
    # Where a survey share came from: `respondents` (which survey) or `aggregate` (models/surveys/rules.py).
    survey = survey.with_columns(
        pl.lit(None, pl.String).alias(c) for c in ("survey_source", "survey_id") if c not in survey.columns
    )
    survey = _keyed(survey, units, tree.codes).select(
        "_k", "satisfied_pct", "respondents", "survey_source", "survey_id"
    )
    for right in (subs, *(latest_decisions(adjustments, r) for r in ROUNDS), survey):
        frame = frame.join(right, on="_k", how="left", maintain_order="left")
    frame = frame.with_columns(pl.col("unit_id").is_in(surveyed_units["unit_id"].implode()).alias("_surveyed"))

    is_survey = pl.col("method") == "survey"
    applicable = (
        pl.when(is_survey)
        .then(pl.col("_surveyed"))
        .when(pl.col("reclassification_score").is_not_null())
        .then(True)
        .otherwise(~pl.col("not_applicable").fill_null(False))
    )
    survey_points = pl.col("satisfied_pct") / 100 * pl.col("max_points")
    final = (
        pl.when(~pl.col("applicable"))
        .then(None)
        .when(is_survey)
        .then(survey_points.fill_null(0.0))
        .otherwise(pl.coalesce("reclassification_score", "appeal_score", "appraisal_score", "self_score", pl.lit(0.0)))
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
        .when(pl.col("self_score").is_not_null())
        .then(pl.lit("self"))
        .otherwise(pl.lit("missing"))
    )
    return (
        frame.with_columns(applicable.alias("applicable"))
        .with_columns(final.alias("final_score"), source.alias("final_source"))
        .drop("_surveyed")
    )


INTERNAL = ["_k", "_u", "_fw"]


def public_lineage(lineage: pl.DataFrame) -> pl.DataFrame:
    """The lineage without the internal keys (`marts.score_lineage` reads these columns)."""
    return lineage.drop([c for c in INTERNAL if c in lineage.columns])


def unit_totals(lineage: pl.DataFrame, scale: float | dict[str, float] = 100.0) -> pl.DataFrame:
    """Total achieved and index per unit and year (1708/QĐ-UBND Art. 4.3.a-b).

    total = Σ appraised and survey finals + Σ bonus − Σ penalty; max = Σ max of the leaves
    that apply; index = total / max × scale, so a unit with leaves that do not apply is
    scaled to 100. The index is kept within [0, scale]: the decision's bands end at 100
    (1708/QĐ-UBND Art. 5.5) and a penalty cannot make a score negative.
    `scale`: one number, or each ruleset's scale by ruleset_id. Sorted by year and unit_id.
    """
    scored = pl.col("method").is_in(SCORED_METHODS) & pl.col("applicable")
    keyed = "_u" in lineage.columns  # the internal unit index: group on an integer, not on text
    group = ["year", "_u"] if keyed else ["year", "unit_id"]
    totals = lineage.group_by(group).agg(
        *([pl.col("unit_id").first()] if keyed else []),
        pl.col("ruleset_id").first().alias("_ruleset"),
        pl.col("final_score").filter(scored).sum().alias("scored_points"),
        pl.col("final_score").filter(pl.col("method") == "bonus").sum().alias("bonus_points"),
        pl.col("final_score").filter(pl.col("method") == "penalty").sum().alias("penalty_points"),
        pl.col("max_points").filter(scored).sum().alias("max_points"),
        pl.col("max_points").filter(pl.col("method").is_in(SCORED_METHODS)).sum().alias("full_max_points"),
        pl.col("final_score").filter(pl.col("tiebreak") & pl.col("applicable")).sum().alias("tiebreak_points"),
        (pl.col("final_source") == "missing").sum().alias("missing_leaves"),
    )
    scale_expr = (
        pl.col("_ruleset").replace_strict(scale, return_dtype=pl.Float64) if isinstance(scale, dict) else pl.lit(scale)
    )
    return (
        totals.with_columns(
            (pl.col("scored_points") + pl.col("bonus_points") - pl.col("penalty_points")).alias("achieved_points"),
            scale_expr.alias("_scale"),
        )
        .with_columns(
            pl.when(pl.col("max_points") > 0)
            .then((pl.col("achieved_points") / pl.col("max_points") * pl.col("_scale")).clip(0, pl.col("_scale")))
            .otherwise(None)
            .round(PRECISION)
            .alias("index_pct")
        )
        .select(
            "year",
            "unit_id",
            "scored_points",
            "bonus_points",
            "penalty_points",
            "max_points",
            "full_max_points",
            "tiebreak_points",
            "missing_leaves",
            "achieved_points",
            "index_pct",
        )
        .sort(["year", "unit_id"])
    )


def keep_full_max(lineage: pl.DataFrame, ruleset_ids: list[str]) -> pl.DataFrame:
    """Rulesets whose index is over the full scale (`index_max: scale`; Quảng Ninh, QĐ Quảng Ninh 2022
    §II.1.d: "tổng điểm tối đa (100 điểm)") keep every leaf in the max: a leaf the unit marked
    not applicable, or a survey leaf of a unit not surveyed, still counts and scores 0.
    `final_source` still says why (`not_applicable`, `not_surveyed`)."""
    if not ruleset_ids:
        return lineage
    kept = pl.col("ruleset_id").is_in(ruleset_ids) & pl.col("method").is_in(SCORED_METHODS) & ~pl.col("applicable")
    return lineage.with_columns(
        pl.when(kept).then(0.0).otherwise(pl.col("final_score")).alias("final_score"),
        (pl.col("applicable") | kept).alias("applicable"),
    )


def component_index(lineage: pl.DataFrame, criteria: pl.DataFrame | CompiledCriteria) -> pl.DataFrame:
    """Achieved / max × 100 for every node and leaf of the tree (1708/QĐ-UBND Art. 4.3.c).

    Only appraised and survey leaves that apply count; bonus and penalty sit outside the
    components. A node whose leaves all do not apply has no row: it has no index, not 0.
    Needs the lineage's internal keys (`leaf_lineage`); rows sorted by year, unit_id, node_code.
    """
    tree = criteria if isinstance(criteria, CompiledCriteria) else compile_criteria(criteria)
    leaves = lineage.filter(pl.col("method").is_in(SCORED_METHODS) & pl.col("applicable")).select(
        "year",
        "_u",
        pl.col("_fw").alias("fw"),
        (pl.col("_k") % (1 << CODE_BITS)).alias("code_id"),
        "final_score",
        "max_points",
    )
    nodes = tree.ancestors.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_nrow"))
    units = lineage.select("year", "_u", "unit_id").unique(subset=["year", "_u"])
    sums = (
        leaves.join(
            nodes.select("fw", "code_id", "node_id", "_nrow"),
            on=["fw", "code_id"],
            how="inner",
            maintain_order="left_right",
        )  # fmt: skip
        .group_by(["year", "_u", "node_id"])
        .agg(
            pl.col("_nrow").first(),
            pl.col("final_score").sum().alias("achieved"),
            pl.col("max_points").sum().alias("max_points"),
        )
        .sort(["year", "_u", "node_id"])
    )
    node_cols = nodes.select(pl.col("node_code", "node_level", "node_title").gather(sums["_nrow"]))
    unit_of = sums.join(units, on=["year", "_u"], how="left", maintain_order="left")["unit_id"]
    return (
        sums.select("year").hstack([unit_of]).hstack(node_cols).hstack(sums.select("achieved", "max_points"))
    ).with_columns(
        pl.when(pl.col("max_points") > 0)
        .then((pl.col("achieved") / pl.col("max_points") * 100).round(PRECISION))
        .alias("pct")
    )
