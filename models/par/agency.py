"""Appraising agencies: which leaves of which units each one must appraise, and what it changed.

Who appraises a leaf comes from the ruleset (framework.yaml `appraised_by`, per unit group):
either each leaf's `appraising_agency` in the criteria file (Hưng Yên 1708/QĐ-UBND Art. 9.5-9.11; Quảng
Trị 1820/QĐ-UBND Art. 5 step 2, 8.1, 10.3; Quảng Ninh QĐ Quảng Ninh 2022 §IV.2), or a named body — a commune's leaves
go to its own district's appraisal team or council (1708/QĐ-UBND Art. 5.2.a; 1820/QĐ-UBND Art. 6.2.b; Bến Tre
2722/QĐ-UBND §II.3.b). Only leaves that are self-assessed then appraised count (appraised, bonus,
penalty), not survey leaves.

A leaf is `changed` when the appraisal decided a score different from the unit's own (a blank
self score counts 0); `mean_change` is the mean of appraised − self over the changed leaves.
"""

from __future__ import annotations

import polars as pl

from models.par.frameworks import APPRAISED_METHODS, Ruleset

UNASSIGNED = "(chưa phân công cơ quan thẩm định)"
AGENCY_SCHEMA = {
    "year": pl.Int32,
    "agency": pl.String,
    "province_code": pl.String,
    "unit_group": pl.String,
    "unit_id": pl.String,
    "unit_name": pl.String,
    "leaves": pl.Int32,
    "changed_leaves": pl.Int32,
    "mean_change": pl.Float64,
    "lowered_leaves": pl.Int32,
    "raised_leaves": pl.Int32,
    "total_change": pl.Float64,
    "appealed_leaves": pl.Int32,
    "appeals_changed": pl.Int32,
    "leaf_codes": pl.String,
    "changed_codes": pl.String,
    "appraised_by_rule": pl.String,
    "ruleset_id": pl.String,
}


def assign_agencies(lineage: pl.DataFrame, units: pl.DataFrame, rulesets: list[Ruleset]) -> pl.DataFrame:
    """The lineage's appraised leaves, each with the agency that must appraise it (`agency`)."""
    ruleset_of = {r.ruleset_id: r for r in rulesets}
    names = dict(zip(units["unit_id"], units["unit_name"], strict=True))
    parents = dict(zip(units["unit_id"], units["parent_unit_id"], strict=True))
    rows = lineage.filter(pl.col("method").is_in(APPRAISED_METHODS))
    keys = rows.select("ruleset_id", "unit_group", "unit_id", "appraising_agency").unique()
    mapping = pl.DataFrame(
        [
            {
                **k,
                "agency": ruleset_of[k["ruleset_id"]].appraiser(
                    k["unit_group"],
                    k["appraising_agency"],
                    parents.get(k["unit_id"]),
                    names.get(parents.get(k["unit_id"]) or ""),
                )
                or UNASSIGNED,
                "appraised_by_rule": ruleset_of[k["ruleset_id"]].appraised_by.get(k["unit_group"], "leaf_agency"),
            }
            for k in keys.iter_rows(named=True)
        ],
        schema={**keys.schema, "agency": pl.String, "appraised_by_rule": pl.String},
        orient="row",
    )
    return rows.join(
        mapping, on=["ruleset_id", "unit_group", "unit_id", "appraising_agency"], how="left", nulls_equal=True
    )


def agency_appraisal(lineage: pl.DataFrame, units: pl.DataFrame, rulesets: list[Ruleset]) -> pl.DataFrame:
    """One row per year, agency and unit it appraises (docs/marts.md `marts.agency_appraisal`)."""
    assigned = assign_agencies(lineage, units, rulesets).join(
        units.select("unit_id", "unit_name", "province_code"), on="unit_id", how="left"
    )
    change = pl.col("appraisal_score") - pl.col("self_score").fill_null(0.0)
    changed = pl.col("appraisal_score").is_not_null() & (change.abs() > 1e-9)
    appealed = pl.col("appeal_score").is_not_null()
    code_order = pl.col("leaf_code").str.split(".").list.eval(pl.element().cast(pl.Int64, strict=False))
    return (
        assigned.with_columns(change.alias("_change"), changed.alias("_changed"), code_order.alias("_order"))
        .sort("_order")
        .group_by(["year", "agency", "province_code", "unit_group", "unit_id", "unit_name", "ruleset_id"])
        .agg(
            pl.len().alias("leaves"),
            pl.col("_changed").sum().alias("changed_leaves"),
            pl.col("_change").filter("_changed").mean().alias("mean_change"),
            (pl.col("_changed") & (pl.col("_change") < 0)).sum().alias("lowered_leaves"),
            (pl.col("_changed") & (pl.col("_change") > 0)).sum().alias("raised_leaves"),
            pl.col("_change").filter("_changed").sum().alias("total_change"),
            appealed.sum().alias("appealed_leaves"),
            (appealed & (pl.col("appeal_score") != pl.col("appraisal_score").fill_null(pl.col("self_score"))))
            .sum()
            .alias("appeals_changed"),
            pl.col("leaf_code").str.join(", ").alias("leaf_codes"),
            pl.col("leaf_code").filter("_changed").str.join(", ").alias("changed_codes"),
            pl.col("appraised_by_rule").first(),
        )
        .with_columns(pl.col("year").cast(pl.Int32), pl.col("changed_codes").replace("", None))
        .select(list(AGENCY_SCHEMA))
        .cast(AGENCY_SCHEMA)
        .sort(["year", "agency", "province_code", "unit_group", "unit_id"])
    )
