"""How far sampling error could move an index, its rank and its band (`marts.rank_uncertainty`).

A survey share computed from respondents has a 95% interval (Wilson, models/surveys/rules.py); a PAPI
total may be published with one. Presenting a rank decided by less than that error as certain would
mislead, so each index gets an interval and each rank a range:

- PAR index, for units whose survey leaves come from respondents: every such leaf at the low end of
  its share's interval (share × max, 1708/QĐ-UBND Art. 5.3.c), then every one at the high end, the
  rest of the unit's points unchanged; index = achieved / max × scale, kept within 0-scale. The index
  is monotone in each leaf, so these are its extremes while each share stays within its interval
  (no resampling: deterministic, and checkable by hand). Leaves from survey_results.csv (aggregates
  without respondents) and units without survey leaves have no interval: low = high = the index.
- PAPI, where a table publishes the 95% interval of a province's total (models/papi/scores.py).
- Rank range within the same group as the rank (year, province, unit group; PAPI: year): at best,
  only the units certainly above it (their low end above its high end) rank before it; at worst,
  every unit that could be above it (its high end above its low end) does. rank_best ≤ rank ≤ rank_worst.
- band_stable: the band of the index's low end is the band of its high end (the ruleset's index
  thresholds; PAPI: the year's quartile tiers). A downgrade rule or a band set by decision is not
  re-evaluated here.

Rows: every unit of a group in which at least one unit has an interval (a neighbour's interval
moves everyone's range), with `interval_from` saying whose interval it is.
"""

from __future__ import annotations

import polars as pl

EPS = 1e-9
SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "index_low": pl.Float64,
    "index_high": pl.Float64,
    "rank_best": pl.Int32,
    "rank_worst": pl.Int32,
    "band_stable": pl.Boolean,
    "index_kind": pl.String,  # par_index | papi
    "index_pct": pl.Float64,
    "rank": pl.Int32,
    "n_units": pl.Int32,
    "band": pl.String,
    "band_low": pl.String,
    "band_high": pl.String,
    "interval_from": pl.String,  # respondents | papi_published | none
    "survey_leaves": pl.Int32,
    "province_code": pl.String,
    "unit_group": pl.String,
    "ruleset_id": pl.String,
}


def _ranges(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """rank_best / rank_worst from each row's [low, high] against the others of its group."""
    rows = []
    for _, part in frame.group_by(by, maintain_order=True):
        recs = part.to_dicts()
        for u in recs:
            others = [v for v in recs if v is not u]
            best = 1 + sum(1 for v in others if v["index_low"] > u["index_high"] + EPS)
            worst = 1 + sum(1 for v in others if v["index_high"] > u["index_low"] + EPS)
            rank = u["rank"]
            if rank is not None:  # a tiebreak can place a unit below an equal one
                best, worst = min(best, rank), max(worst, rank)
            rows.append({**u, "rank_best": best, "rank_worst": worst, "n_units": len(recs)})
    return pl.DataFrame(rows, infer_schema_length=None) if rows else frame.clear()


def _band(value: float, ladder: list[tuple[str, float]]) -> str | None:
    return next((name for name, low in ladder if value >= low - EPS), None)


def par_rank_uncertainty(
    units: pl.DataFrame, lineage: pl.DataFrame, leaf_shares: pl.DataFrame, bands: pl.DataFrame
) -> pl.DataFrame:
    """units: core.unit_scores (year, unit_id, province_code, unit_group, ruleset_id, achieved_points,
    max_points, index_pct, rank, band, scale); lineage: core.leaf_scores; leaf_shares:
    staging.survey_leaf_shares (ci_low, ci_high in %); bands: staging.ruleset_bands."""
    if units.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    from_respondents = (
        lineage.filter(
            (pl.col("method") == "survey")
            & pl.col("applicable")
            & (pl.col("final_source") == "survey")
            & (pl.col("survey_source") == "respondents")
        )
        .select("year", "unit_id", "leaf_code", "max_points", "final_score")
        .join(
            leaf_shares.select("year", "unit_id", "leaf_code", "ci_low", "ci_high"),
            on=["year", "unit_id", "leaf_code"],
            how="inner",
        )
        .filter(pl.col("ci_low").is_not_null() & pl.col("ci_high").is_not_null())
        .group_by("year", "unit_id")
        .agg(
            (pl.col("ci_low") / 100 * pl.col("max_points") - pl.col("final_score")).sum().alias("_down"),
            (pl.col("ci_high") / 100 * pl.col("max_points") - pl.col("final_score")).sum().alias("_up"),
            pl.len().cast(pl.Int32).alias("survey_leaves"),
        )
    )
    frame = units.with_columns(pl.col("year").cast(pl.Int32)).join(
        from_respondents.with_columns(pl.col("year").cast(pl.Int32)), on=["year", "unit_id"], how="left"
    )
    scale = pl.col("scale")

    def bound(shift: str) -> pl.Expr:
        raw = (pl.col("achieved_points") + pl.col(shift)) / pl.col("max_points") * scale
        return (
            pl.when(pl.col(shift).is_null() | (pl.col("max_points") <= 0))
            .then(pl.col("index_pct"))
            .otherwise(pl.min_horizontal(scale, pl.max_horizontal(pl.lit(0.0), raw)))
            .round(9)
        )

    frame = frame.with_columns(
        bound("_down").alias("index_low"),
        bound("_up").alias("index_high"),
        pl.when(pl.col("survey_leaves").is_not_null())
        .then(pl.lit("respondents"))
        .otherwise(pl.lit("none"))
        .alias("interval_from"),
        pl.col("survey_leaves").fill_null(0),
        pl.lit("par_index").alias("index_kind"),
    )
    group = ["year", "province_code", "unit_group"]
    affected = frame.filter(pl.col("interval_from") == "respondents").select(group).unique()
    frame = frame.join(affected, on=group, how="semi")
    if frame.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    ladders = {
        rid: [(b["band"], b["min_index"]) for b in part.sort("position").iter_rows(named=True)]
        for (rid,), part in bands.group_by("ruleset_id")
    }
    ranged = _ranges(
        frame.select(
            "year", "unit_id", "province_code", "unit_group", "ruleset_id", "index_pct", "rank", "band",
            "index_low", "index_high", "interval_from", "survey_leaves", "index_kind",
        ),
        group,
    )  # fmt: skip
    ranged = ranged.with_columns(
        pl.struct("ruleset_id", "index_low")
        .map_elements(lambda r: _band(r["index_low"], ladders.get(r["ruleset_id"], [])), return_dtype=pl.String)
        .alias("band_low"),
        pl.struct("ruleset_id", "index_high")
        .map_elements(lambda r: _band(r["index_high"], ladders.get(r["ruleset_id"], [])), return_dtype=pl.String)
        .alias("band_high"),
    ).with_columns((pl.col("band_low") == pl.col("band_high")).alias("band_stable"))
    return ranged.select(list(SCHEMA)).cast(SCHEMA).sort(["year", "province_code", "unit_group", "rank", "unit_id"])


def papi_rank_uncertainty(papi: pl.DataFrame) -> pl.DataFrame:
    """papi: core.papi_index; rows for every scored province of a year in which PAPI published at
    least one total's 95% interval (`published_ci_low`, `published_ci_high`)."""
    totals = papi.filter((pl.col("dimension") == "total") & pl.col("score").is_not_null())
    if "published_ci_low" not in totals.columns:
        return pl.DataFrame(schema=SCHEMA)
    has = pl.col("published_ci_low").is_not_null() & pl.col("published_ci_high").is_not_null()
    years = totals.filter(has).select("year").unique()
    totals = totals.join(years, on="year", how="semi")
    if totals.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    frame = totals.select(
        pl.col("year").cast(pl.Int32),
        pl.col("province_code").alias("unit_id"),
        "province_code",
        pl.lit("papi").alias("unit_group"),
        pl.lit(None, pl.String).alias("ruleset_id"),
        pl.col("score").alias("index_pct"),
        "rank",
        pl.col("tier_label").alias("band"),
        pl.when(has).then(pl.col("published_ci_low")).otherwise(pl.col("score")).alias("index_low"),
        pl.when(has).then(pl.col("published_ci_high")).otherwise(pl.col("score")).alias("index_high"),
        pl.when(has).then(pl.lit("papi_published")).otherwise(pl.lit("none")).alias("interval_from"),
        pl.lit(0, pl.Int32).alias("survey_leaves"),
        pl.lit("papi").alias("index_kind"),
    )
    # PAPI's tiers: the year's quartiles of the totals (models/papi/scores.py), applied to each end.
    cuts = totals.group_by("year").agg(
        pl.col("score").quantile(q, "linear").alias(f"q{int(q * 100)}") for q in (0.75, 0.5, 0.25)
    )
    ranged = _ranges(frame, ["year"]).join(cuts.with_columns(pl.col("year").cast(pl.Int32)), on="year")

    def tier(col: str) -> pl.Expr:
        v = pl.col(col)
        return (
            pl.when(v >= pl.col("q75"))
            .then(pl.lit("Nhóm cao nhất"))
            .when(v >= pl.col("q50"))
            .then(pl.lit("Nhóm trung bình cao"))
            .when(v >= pl.col("q25"))
            .then(pl.lit("Nhóm trung bình thấp"))
            .otherwise(pl.lit("Nhóm thấp nhất"))
        )

    ranged = ranged.with_columns(tier("index_low").alias("band_low"), tier("index_high").alias("band_high"))
    ranged = ranged.with_columns((pl.col("band_low") == pl.col("band_high")).alias("band_stable"))
    return ranged.select(list(SCHEMA)).cast(SCHEMA).sort(["year", "rank", "unit_id"], nulls_last=True)


def rank_uncertainty(
    units: pl.DataFrame,
    lineage: pl.DataFrame,
    leaf_shares: pl.DataFrame,
    bands: pl.DataFrame,
    papi: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """core.rank_uncertainty: PAR units with respondent-based survey leaves, and PAPI where published."""
    parts = [par_rank_uncertainty(units, lineage, leaf_shares, bands)]
    if papi is not None:
        parts.append(papi_rank_uncertainty(papi))
    return pl.concat(parts, how="vertical")
