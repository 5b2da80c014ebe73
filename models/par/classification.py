"""Bands and ranks as each ruleset says (1708/QĐ-UBND Art. 5.5; DOMAIN "Classification")."""

from __future__ import annotations

import polars as pl

from models.par.frameworks import Ruleset
from models.par.scoring import PRECISION


def band_expr(index: pl.Expr, ruleset: Ruleset) -> pl.Expr:
    """The highest band whose lower bound the index reaches (bands are listed highest first)."""
    expr = pl.when(index.is_null()).then(None)
    for band in ruleset.bands[:-1]:
        expr = expr.when(index >= band.min).then(pl.lit(band.name))
    return expr.otherwise(pl.lit(ruleset.bands[-1].name))


def classify(totals: pl.DataFrame, components: pl.DataFrame, ruleset_of: dict[str, Ruleset]) -> pl.DataFrame:
    """Add band_before_downgrade, band, downgraded and band_reason to unit totals.

    totals needs year, unit_id, ruleset_id, index_pct. Hưng Yên (1708/QĐ-UBND Art. 5.5): a unit in
    Xuất sắc or Tốt with any content area of part (a) below 70% of its max drops one band.
    The content areas and threshold come from the ruleset file, not from code.
    """
    if totals.is_empty():
        return totals.with_columns(
            *(pl.lit(None, pl.String).alias(c) for c in ("band_before_downgrade", "band")),
            pl.lit(None, pl.Boolean).alias("downgraded"),
            pl.lit(None, pl.String).alias("band_reason"),
        )
    parts = []
    for ruleset_id, part in totals.partition_by("ruleset_id", as_dict=True).items():
        ruleset = ruleset_of[ruleset_id[0]]
        part = part.with_columns(band_expr(pl.col("index_pct"), ruleset).alias("band_before_downgrade"))
        low = _low_content_areas(components, ruleset)
        part = part.join(low, on=["year", "unit_id"], how="left")
        names = ruleset.band_names
        drop_to = {
            b: names[min(names.index(b) + ruleset.downgrade_steps, len(names) - 1)]
            for b in ruleset.downgrade_applies_to
        }
        downgraded = pl.col("band_before_downgrade").is_in(list(drop_to)) & pl.col("low_areas").is_not_null()
        part = part.with_columns(
            pl.when(downgraded)
            .then(pl.col("band_before_downgrade").replace_strict(drop_to, default=None))
            .otherwise(pl.col("band_before_downgrade"))
            .alias("band"),
            downgraded.alias("downgraded"),
        ).with_columns(
            pl.when(pl.col("downgraded"))
            .then(pl.format("{} → {}: {}", "band_before_downgrade", "band", "low_areas"))
            .alias("band_reason")
        )
        parts.append(part.drop("low_areas"))
    return pl.concat(parts, how="vertical").sort(["year", "unit_id"])


def _low_content_areas(components: pl.DataFrame, ruleset: Ruleset) -> pl.DataFrame:
    """Per unit-year, the content areas below the downgrade threshold, worded for officials."""
    if ruleset.downgrade_below_pct is None or not ruleset.content_areas:
        return pl.DataFrame(schema={"year": pl.Int32, "unit_id": pl.String, "low_areas": pl.String})
    threshold = ruleset.downgrade_below_pct
    pct_text = pl.col("pct").round(1).cast(pl.String).str.replace(".", ",", literal=True)
    return (
        components.filter(
            (pl.col("node_level") == 1)
            & pl.col("node_code").is_in(list(ruleset.content_areas))
            & (pl.col("pct").round(PRECISION) < threshold)
        )
        .sort("node_code")
        .group_by(["year", "unit_id"], maintain_order=True)
        .agg(
            pl.format("lĩnh vực {} đạt {}% < {}%", "node_code", pct_text, pl.lit(f"{threshold:g}"))
            .str.join("; ")
            .alias("low_areas")
        )
        .with_columns(pl.col("year").cast(pl.Int32))
    )


def rank_units(scored: pl.DataFrame, partition: list[str], uses_tiebreak: pl.Expr) -> pl.DataFrame:
    """Competition rank (1, 2, 2, 4) by index descending within `partition`.

    Where the ruleset has a tiebreak (Hưng Yên 1708/QĐ-UBND Art. 5.5: the higher score on online
    public services level 3-4 and public postal service ranks first), equal indexes are
    ordered by `tiebreak_points`; units equal on both share a rank. `tie_broken` marks
    units whose place was decided by the tiebreak.
    """
    key_tb = pl.when(uses_tiebreak).then(pl.col("tiebreak_points")).otherwise(0.0).round(PRECISION)
    ranked = scored.with_columns(key_tb.alias("_tb")).with_columns(
        pl.struct(pl.col("index_pct").fill_null(-1.0), "_tb")
        .rank("min", descending=True)
        .over(partition)
        .cast(pl.Int32)
        .alias("rank"),
        pl.len().over([*partition, "index_pct"]).alias("_same_index"),
        pl.len().over([*partition, "index_pct", "_tb"]).alias("_same_both"),
    )
    # A tie was broken when some unit with the same index has a different tiebreak score.
    return ranked.with_columns((pl.col("_same_index") > pl.col("_same_both")).alias("tie_broken")).drop(
        "_tb", "_same_index", "_same_both"
    )
