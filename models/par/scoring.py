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

import numpy as np
import polars as pl

from models.par.frameworks import SCORED_METHODS

# Float noise from survey shares must not split a tie or cross a band threshold.
PRECISION = 9

LINEAGE_KEYS = ["year", "unit_id", "leaf_code"]
ROUNDS = ("appraisal", "appeal", "reclassification")
CODE_BITS = 20  # room for 1 M distinct criterion codes; units take the bits above
FRAMEWORK = ["ruleset_id", "unit_group"]


@dataclass(frozen=True)
class CompiledCriteria:
    """The criteria trees, numbered once per compute (not per row).

    codes: every criterion code in text order (a code's `code_id` is its place here);
    frameworks: (ruleset_id, unit_group) → `fw`; leaves: one row per framework leaf with `fw` and
    `code_id`, in (fw, code) order; nodes: per framework, the leaves and nodes that get a component
    index (scored leaves, and nodes with a max: 1708/QĐ-UBND Art. 4.3.c), in code order, starting at
    `node_start[fw]`, `node_count[fw]` of them; the ancestor map: a scored leaf (`leaf_slot[fw, code_id]`)
    adds to the nodes `ancestor_node[ancestor_start[slot]:ancestor_end[slot]]` (places within its
    framework's nodes): itself and every ancestor that has a max.
    """

    codes: pl.Series
    frameworks: pl.DataFrame
    leaves: pl.DataFrame
    nodes: pl.DataFrame
    node_start: np.ndarray
    node_count: np.ndarray
    leaf_slot: np.ndarray
    ancestor_start: np.ndarray
    ancestor_end: np.ndarray
    ancestor_node: np.ndarray


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
    nodes = (
        criteria.filter(
            (pl.col("is_leaf") & pl.col("method").is_in(SCORED_METHODS))
            | (~pl.col("is_leaf") & pl.col("max_points").is_not_null())
        )
        .join(frameworks, on=FRAMEWORK, how="inner")
        .with_columns(code_id.alias("node_id"))
        .sort(["fw", "node_id"])
        .select(
            "fw",
            "node_id",
            pl.col("code").alias("node_code"),
            pl.col("level").alias("node_level"),
            pl.col("title").alias("node_title"),
        )
        .with_columns((pl.int_range(pl.len(), dtype=pl.Int64).over("fw")).alias("local"))
    )
    n_fw = frameworks.height
    node_count = np.bincount(nodes["fw"].to_numpy(), minlength=n_fw).astype(np.int64)
    node_start = np.concatenate([[0], np.cumsum(node_count)[:-1]]).astype(np.int64)
    local_of = {(f, c): i for f, c, i in nodes.select("fw", "node_code", "local").iter_rows()}
    leaf_slot = np.full((n_fw, len(codes)), -1, dtype=np.int64)
    starts, ends, flat = [], [], []
    # Every scored leaf adds to itself and to each of its ancestors: the prefixes of its code.
    for f, cid, code in (
        leaves.filter(pl.col("method").is_in(SCORED_METHODS)).select("fw", "code_id", "leaf_code").iter_rows()
    ):
        leaf_slot[f, cid] = len(starts)
        parts = code.split(".")
        starts.append(len(flat))
        flat.extend(
            local_of[(f, prefix)]
            for prefix in (".".join(parts[:i]) for i in range(1, len(parts) + 1))
            if (f, prefix) in local_of
        )
        ends.append(len(flat))
    return CompiledCriteria(
        codes,
        frameworks,
        leaves,
        nodes,
        node_start,
        node_count,
        leaf_slot,
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.array(flat, dtype=np.int64),
    )


def _key(unit: pl.Expr, code: pl.Expr) -> pl.Expr:
    return unit.cast(pl.Int64) * (1 << CODE_BITS) + code.cast(pl.Int64)


def _keyed(frame: pl.DataFrame, units: pl.Series, codes: pl.Series, code_column: str = "leaf_code") -> pl.DataFrame:
    """`frame` with `_k` (unit and code as one integer); rows of other units or codes dropped."""
    unit = pl.col("unit_id").cast(pl.Enum(units), strict=False).to_physical()
    code = pl.col(code_column).cast(pl.Enum(codes), strict=False).to_physical()
    keyed = frame.with_columns(_key(unit, code).alias("_k"))
    return keyed.drop_nulls("_k") if keyed["_k"].null_count() else keyed  # a filter copies every column


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

    Rows come sorted by year, unit_id and leaf_code. Internal columns `_u` (unit index), `_k`
    (unit and code key) and `_fw` (framework id) are kept for the sums; `public_lineage` drops them.
    """
    tree = criteria if isinstance(criteria, CompiledCriteria) else compile_criteria(criteria)
    years = scope["year"].unique().sort().to_list()
    facts = _facts(facts)
    if not years:
        return _lineage_year(scope, tree, submissions, adjustments, survey, surveyed, facts)
    parts = [
        _lineage_year(
            _of_year(scope, y),
            tree,
            _of_year(submissions, y),
            _of_year(adjustments, y),
            _of_year(survey, y),
            _of_year(surveyed, y),
            _of_year(facts, y),
        )
        for y in years
    ]
    return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical", rechunk=False)


def _of_year(frame: pl.DataFrame | None, year: int) -> pl.DataFrame | None:
    """The frame's rows of `year`; the frame itself when it holds no other year (a filter copies every column)."""
    if frame is None or frame.is_empty():
        return frame
    years = frame["year"]
    return frame if years.min() == year == years.max() and not years.null_count() else frame.filter(years == year)


def _lineage_year(
    scope: pl.DataFrame,
    tree: CompiledCriteria,
    submissions: pl.DataFrame,
    adjustments: pl.DataFrame,
    survey: pl.DataFrame,
    surveyed: pl.DataFrame | None,
    facts: pl.DataFrame,
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
    facts = _keyed(facts, units, tree.codes).select("_k", *FACT_COLUMNS)
    for right in (subs, *(latest_decisions(adjustments, r) for r in ROUNDS), survey, facts):
        frame = _attach(frame, right)
    surveyed_u = surveyed_units["unit_id"].cast(pl.Enum(units), strict=False).to_physical().drop_nulls()
    frame = frame.with_columns(pl.col("_u").is_in(surveyed_u.cast(pl.Int64).implode()).alias("_surveyed"))

    is_survey = pl.col("method") == "survey"
    applicable = (
        pl.when(is_survey)
        .then(pl.col("_surveyed"))
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


def _attach(frame: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """A left join on `_k` that copies each column once: `frame`'s keys are sorted and unique (one
    row per unit and leaf), so each right row finds its place by binary search and the right columns
    are gathered into place (null where nothing matches). Right keys that repeat fall back to a join."""
    keys = frame["_k"].to_numpy()
    found = right["_k"].to_numpy()
    at = np.searchsorted(keys, found)
    hit = at < len(keys)
    hit[hit] = keys[at[hit]] == found[hit]
    places = at[hit]
    if not frame["_k"].is_sorted() or (len(places) and np.bincount(places).max() > 1):
        return frame.join(right, on="_k", how="left", maintain_order="left")
    values = right.drop("_k")
    if not len(places):  # nothing to place (no re-classification, no facts): null columns cost no gather
        return frame.hstack(
            [pl.repeat(None, len(keys), dtype=dtype, eager=True).alias(c) for c, dtype in values.schema.items()]
        )
    if len(places) == len(keys) == len(found) and (places[1:] > places[:-1]).all():
        return frame.hstack(values)  # already one row per frame row, in its order
    take = np.full(len(keys), -1, dtype=np.int64)
    take[places] = np.flatnonzero(hit)
    index = pl.select(pl.when(pl.lit(take) >= 0).then(pl.lit(take))).to_series()
    return frame.hstack(values.select(pl.all().gather(index)))


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

    Each leaf adds its points to itself and its ancestors through the tree's ancestor map (worked
    out once per framework); the sums are taken per unit and node with one pass over the leaves,
    in leaf order, into a slot per (unit, node) laid out in unit and node-code order, so the
    result needs no sort.
    """
    tree = criteria if isinstance(criteria, CompiledCriteria) else compile_criteria(criteria)
    cols = lineage.select("year", "unit_id", "_u", "_fw", "_k", "method", "applicable", "final_score", "max_points")
    years = cols["year"].unique(maintain_order=True)
    parts = [_components_year(cols.filter(pl.col("year") == y) if len(years) > 1 else cols, tree) for y in years]
    if not parts:
        return _components_year(cols, tree)
    return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical", rechunk=False)


def _components_year(cols: pl.DataFrame, tree: CompiledCriteria) -> pl.DataFrame:
    nodes = tree.nodes
    u = cols["_u"].to_numpy()
    # The year's units (lineage rows are in unit order): each unit's framework and its slots.
    first = np.flatnonzero(np.r_[True, u[1:] != u[:-1]]) if len(u) else np.zeros(0, dtype=np.int64)
    unit_fw = cols["_fw"].to_numpy()[first]
    unit_ids = cols["unit_id"].gather(first)
    unit_of_u = np.full(int(u.max()) + 1 if len(u) else 0, -1, dtype=np.int64)
    unit_of_u[u[first]] = np.arange(len(first))
    width = tree.node_count[unit_fw]
    offset = np.concatenate([[0], np.cumsum(width)])
    # Scored leaves that apply, each repeated once per node it adds to.
    scored = (cols["method"].is_in(SCORED_METHODS) & cols["applicable"]).fill_null(False).to_numpy()
    unit_row = unit_of_u[u[scored]]
    slot = tree.leaf_slot[cols["_fw"].to_numpy()[scored], cols["_k"].to_numpy()[scored] % (1 << CODE_BITS)]
    count = tree.ancestor_end[slot] - tree.ancestor_start[slot]
    leaf_row = np.repeat(np.arange(len(slot)), count)
    within = np.arange(len(leaf_row)) - np.repeat(np.cumsum(count) - count, count)
    local = tree.ancestor_node[np.repeat(tree.ancestor_start[slot], count) + within]
    group = offset[unit_row[leaf_row]] + local
    final = cols["final_score"].to_numpy()[scored][leaf_row]
    maxes = cols["max_points"].to_numpy()[scored][leaf_row]
    size = int(offset[-1])
    slots, achieved, max_points = np.zeros(size, dtype=bool), np.zeros(size), np.zeros(size)
    # A leaf's own slot (the last of its list) gets only its own points: the sum is the value itself.
    own = within == np.repeat(count - 1, count)
    at = group[own]
    slots[at], achieved[at], max_points[at] = True, final[own], maxes[own]
    # Nodes: Polars sums each group as it always has (Kahan summation in leaf order: the same float
    # result as before, to the last bit). Laid out by slot, the slots with a value come in unit and
    # node-code order without a sort.
    rest = ~own
    sums = (
        pl.DataFrame({"g": group[rest], "f": final[rest], "m": maxes[rest]})
        .group_by("g")
        .agg(pl.col("f").sum(), pl.col("m").sum())
    )
    at = sums["g"].to_numpy()
    slots[at], achieved[at], max_points[at] = True, sums["f"].to_numpy(), sums["m"].to_numpy()
    present = np.flatnonzero(slots)
    achieved, max_points = achieved[present], max_points[present]
    owner = np.searchsorted(offset, present, side="right") - 1
    node_row = tree.node_start[unit_fw[owner]] + (present - offset[owner])
    node_cols = nodes.select(pl.col("node_code", "node_level", "node_title").gather(pl.Series(node_row)))
    year = cols["year"][0] if len(u) else None
    return (
        pl.DataFrame({"year": pl.Series([year] * len(present), dtype=cols["year"].dtype)})
        .hstack([unit_ids.gather(pl.Series(owner, dtype=pl.Int64))])
        .hstack(node_cols)
        .hstack([pl.Series("achieved", achieved), pl.Series("max_points", max_points)])
        .with_columns(
            pl.when(pl.col("max_points") > 0)
            .then((pl.col("achieved") / pl.col("max_points") * 100).round(PRECISION))
            .alias("pct")
        )
    )
