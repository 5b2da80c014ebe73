"""The PAR index of every unit and year, from staged inputs: lineage → components → bands → ranks.

One entry point, `compute`, so the asset, the tests and a notebook all score the same way.
`compute_by_year` gives the same results one year at a time, so that a caller writing them out
holds one year in memory, not ten: every rule works within a year (ranks are per year, province
and group, 1708/QĐ-UBND Art. 5.5; a re-classification re-ranks the year of the flaw, 1820/QĐ-UBND Art. 7).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from models.par.classification import classify, rank_units
from models.par.frameworks import Ruleset
from models.par.reclassification import apply_band_decisions, as_adjustments
from models.par.scoring import (
    CompiledCriteria,
    compile_criteria,
    component_index,
    keep_full_max,
    leaf_lineage,
    public_lineage,
    unit_totals,
)


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
        # The register's own bookkeeping (provenance, validity) is not the unit's score.
        .join(units.drop("source_file", "source_row", "valid_from", "valid_to", strict=False), on="unit_id")
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
    `facts`: bonus and penalty leaves computed from facts (models/par/bonus_penalty.fact_scores).
    Rows sorted: lineage by year, unit and leaf; components by year, unit and node; units by
    year, group, rank and unit."""
    parts = [
        result
        for _, result in compute_by_year(
            scope, criteria, submissions, appraisals, survey, rulesets, surveyed, reclassifications, facts
        )
    ]
    if len(parts) == 1:
        return parts[0]
    return ParIndex(*(pl.concat([getattr(p, name) for p in parts], how="vertical", rechunk=False) for name in FRAMES))


FRAMES = ("lineage", "components", "units")


def compute_by_year(
    scope: pl.DataFrame,
    criteria: pl.DataFrame | CompiledCriteria,
    submissions: pl.DataFrame,
    appraisals: pl.DataFrame,
    survey: pl.DataFrame,
    rulesets: list[Ruleset],
    surveyed: pl.DataFrame | None = None,
    reclassifications: pl.DataFrame | None = None,
    facts: pl.DataFrame | None = None,
    max_units: int | None = None,
) -> Iterator[tuple[int | None, ParIndex]]:
    """`compute`, one year at a time, in year order (a scope with no year gives one empty result).

    `max_units`: split each year further into parts of whole provinces of at most that many units
    (a province larger than that is one part), so that a caller writing results out holds one part.
    Every rule works within a year and province: ranks per year, province and group, and within
    the parent for the groups a framework says (1708/QĐ-UBND Art. 5.5, 5.6.b); bands, components and
    re-classifications per unit (1820/QĐ-UBND Art. 7). Parts come in year order, then province order;
    rows within a part are sorted as `compute` sorts them.
    """
    tree = criteria if isinstance(criteria, CompiledCriteria) else compile_criteria(criteria)
    frames = (scope, submissions, appraisals, survey, surveyed, reclassifications, facts)
    years = scope["year"].unique().sort().to_list() or [None]
    for year in years:
        if year is None or len(years) == 1:
            part = frames
        else:
            part = tuple(None if f is None else f.filter(pl.col("year") == year) for f in frames)
        if max_units is None or part[0].height <= max_units:
            yield year, _compute_year(tree, rulesets, *part)
            continue
        for piece in _province_parts(part, max_units):
            yield year, _compute_year(tree, rulesets, *piece)


def _province_parts(frames: tuple, max_units: int) -> Iterator[tuple]:
    """The frames of one year cut into groups of whole provinces of at most `max_units` units."""
    scope = frames[0]
    sizes = scope.group_by("province_code").len().sort("province_code")
    group, filled, groups = [], 0, []
    for province, n in sizes.iter_rows():
        if group and filled + n > max_units:
            groups.append(group)
            group, filled = [], 0
        group.append(province)
        filled += n
    groups.append(group)
    part_of = {p: i for i, g in enumerate(groups) for p in g}
    unit_part = dict(zip(scope["unit_id"], scope["province_code"].replace_strict(part_of), strict=True))
    split = []
    for f in frames:
        if f is None:
            split.append([None] * len(groups))
            continue
        tagged = f.with_columns(
            pl.col("unit_id").replace_strict(unit_part, default=-1, return_dtype=pl.Int64).alias("_part")
        )
        pieces = tagged.partition_by("_part", as_dict=True, include_key=False)
        split.append([pieces.get((i,), tagged.clear().drop("_part")) for i in range(len(groups))])
    yield from zip(*split, strict=True)


def _compute_year(
    tree: CompiledCriteria,
    rulesets: list[Ruleset],
    scope: pl.DataFrame,
    submissions: pl.DataFrame,
    appraisals: pl.DataFrame,
    survey: pl.DataFrame,
    surveyed: pl.DataFrame | None,
    reclassifications: pl.DataFrame | None,
    facts: pl.DataFrame | None,
) -> ParIndex:
    ruleset_of = {r.ruleset_id: r for r in rulesets}
    if reclassifications is not None and not reclassifications.is_empty():
        appraisals = pl.concat([appraisals, as_adjustments(reclassifications)], how="diagonal_relaxed")
    lineage = leaf_lineage(scope, tree, submissions, appraisals, survey, surveyed, facts)
    lineage = keep_full_max(lineage, [r.ruleset_id for r in rulesets if r.index_max == "scale"])
    components = component_index(lineage, tree)
    scales = pl.DataFrame(
        {
            "ruleset_id": list(ruleset_of),
            "scale": [r.scale for r in ruleset_of.values()],
            "uses_tiebreak": [r.tiebreak == "flagged_leaves" for r in ruleset_of.values()],
        }
    )
    # No unit scored at all (no self-assessment arrived yet) gives empty tables, not an error.
    totals = unit_totals(lineage, {rid: r.scale for rid, r in ruleset_of.items()}).with_columns(
        pl.col("year").cast(pl.Int32)
    )
    units = scope.with_columns(pl.col("year").cast(pl.Int32)).join(totals, on=["year", "unit_id"], how="inner")
    units = classify(units, components, ruleset_of).join(scales, on="ruleset_id", how="left")
    units = apply_band_decisions(units, reclassifications)
    # Rank within the group across the province (1708/QĐ-UBND Art. 5.5); the groups a framework ranks
    # within their parent too (framework.yaml `parents`: communes within the district that appraises and
    # publishes them, 1708/QĐ-UBND Art. 5.2.a, 5.6.b; none once the district level ended, Nghị quyết 202/2025/QH15).
    units = rank_units(units, ["year", "province_code", "unit_group"], pl.col("uses_tiebreak"))
    within = pl.DataFrame(
        [(r.ruleset_id, g) for r in rulesets for g in r.ranked_within_parent],
        schema={"ruleset_id": pl.String, "unit_group": pl.String},
        orient="row",
    )
    parent_rank = rank_units(
        units.join(within, on=["ruleset_id", "unit_group"], how="semi").filter(pl.col("parent_unit_id").is_not_null()),
        ["year", "parent_unit_id", "unit_group"],
        pl.col("uses_tiebreak"),
    ).select("year", "unit_id", pl.col("rank").alias("parent_rank"))
    units = units.join(parent_rank, on=["year", "unit_id"], how="left")
    return ParIndex(
        lineage=public_lineage(lineage),
        components=components,
        units=units.sort(["year", "unit_group", "rank", "unit_id"]),
    )
