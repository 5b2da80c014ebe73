"""The PAR index of every unit and year, from staged inputs: lineage → components → bands → ranks.

One entry point, `compute`, so the asset, the tests and a notebook all score the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from models.par.classification import classify, rank_units
from models.par.frameworks import Ruleset
from models.par.reclassification import apply_band_decisions, as_adjustments
from models.par.scoring import component_index, keep_full_max, leaf_lineage, unit_totals


@dataclass
class ParIndex:
    lineage: pl.DataFrame  # one row per unit, year and leaf
    components: pl.DataFrame  # one row per unit, year and node
    units: pl.DataFrame  # one row per unit and year


def scoring_scope(submissions: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """The units scored in a year: those that sent a self-assessment, with their framework."""
    return (
        submissions.select("year", "unit_id", "ruleset_id")
        .unique()
        .join(units.drop("source_file", "source_row", strict=False), on="unit_id", how="inner")
        .sort(["year", "unit_id"])
    )


def compute(
    scope: pl.DataFrame,
    criteria: pl.DataFrame,
    submissions: pl.DataFrame,
    appraisals: pl.DataFrame,
    survey: pl.DataFrame,
    rulesets: list[Ruleset],
    surveyed: pl.DataFrame | None = None,
    reclassifications: pl.DataFrame | None = None,
    facts: pl.DataFrame | None = None,
) -> ParIndex:
    """`reclassifications`: decisions voiding a result found flawed (1820/QĐ-UBND Art. 7,
    models/par/reclassification.py); their corrected scores are the last round of a leaf.
    `facts`: bonus and penalty leaves computed from facts (models/par/bonus_penalty.fact_scores)."""
    ruleset_of = {r.ruleset_id: r for r in rulesets}
    if reclassifications is not None and not reclassifications.is_empty():
        appraisals = pl.concat([appraisals, as_adjustments(reclassifications)], how="diagonal_relaxed")
    lineage = leaf_lineage(scope, criteria, submissions, appraisals, survey, surveyed, facts)
    lineage = keep_full_max(lineage, [r.ruleset_id for r in rulesets if r.index_max == "scale"])
    components = component_index(lineage, criteria)
    scales = pl.DataFrame(
        {
            "ruleset_id": list(ruleset_of),
            "scale": [r.scale for r in ruleset_of.values()],
            "uses_tiebreak": [r.tiebreak == "flagged_leaves" for r in ruleset_of.values()],
        }
    )
    per_ruleset = [
        unit_totals(lineage.filter(pl.col("ruleset_id") == rid), ruleset_of[rid].scale)
        for rid in lineage["ruleset_id"].unique().sort()
    ]
    # No unit scored at all (no self-assessment arrived yet) gives empty tables, not an error.
    totals = (pl.concat(per_ruleset, how="vertical") if per_ruleset else unit_totals(lineage)).with_columns(
        pl.col("year").cast(pl.Int32)
    )
    units = scope.with_columns(pl.col("year").cast(pl.Int32)).join(totals, on=["year", "unit_id"], how="inner")
    units = classify(units, components, ruleset_of).join(scales, on="ruleset_id", how="left")
    units = apply_band_decisions(units, reclassifications)
    # Rank within the group across the province (1708/QĐ-UBND Art. 5.5); communes also within their
    # district, which appraises and publishes them (1708/QĐ-UBND Art. 5.2.a, 5.6.b).
    units = rank_units(units, ["year", "province_code", "unit_group"], pl.col("uses_tiebreak"))
    district_rank = rank_units(
        units.filter(pl.col("unit_group") == "commune"), ["year", "parent_unit_id"], pl.col("uses_tiebreak")
    ).select("year", "unit_id", pl.col("rank").alias("district_rank"))
    units = units.join(district_rank, on=["year", "unit_id"], how="left")
    return ParIndex(lineage=lineage, components=components, units=units.sort(["year", "unit_group", "rank", "unit_id"]))
