"""Registered units with no usable self-assessment in a year their province was evaluated.

Such a unit has no index, so it would simply be absent from the ranking; here it is listed with
the reason, for the data-quality page and `marts.missing_submissions`, so that a missing form is
chased rather than mistaken for a unit that is not scored.
"""

from __future__ import annotations

import polars as pl

from models.par.frameworks import Ruleset, ruleset_for
from models.par.staging import in_force
from models.text import normalize_text

MISSING_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "unit_name": pl.String,
    "unit_group": pl.String,
    "province_code": pl.String,
    "reason": pl.String,
    "message": pl.String,
}
REASONS = {
    "no_submission": "Không nhận được bản tự đánh giá của đơn vị cho năm này",
    "all_rows_quarantined": "Có bản tự đánh giá nhưng không dòng nào dùng được (xem danh sách dòng bị cách ly)",
}


def missing_submissions(
    units: pl.DataFrame,
    provinces: pl.DataFrame,
    rulesets: list[Ruleset],
    criteria: pl.DataFrame,
    submissions: pl.DataFrame,
    raw_submissions: pl.DataFrame,
) -> pl.DataFrame:
    """Every (year, unit) that a framework in force scores, in a year its province has any staged
    self-assessment and the unit exists at the year's end (`evaluation_years`), with no staged
    self-assessment of its own."""
    family = dict(zip(provinces["province_code"], provinces["ruleset_family"], strict=True))
    groups = {(r, g) for r, g in criteria.select("ruleset_id", "unit_group").unique().iter_rows()}
    evaluated = (
        submissions.join(units.select("unit_id", "province_code"), on="unit_id")
        .select("province_code", "year")
        .unique()
    )
    sent = set(submissions.select("year", "unit_id").unique().iter_rows())
    seen_raw = _raw_unit_years(raw_submissions)
    rows = []
    for province, year in sorted(evaluated.iter_rows()):
        ruleset = ruleset_for(rulesets, family.get(province, ""), year)
        if ruleset is None:
            continue
        for u in units.filter(pl.col("province_code") == province).sort("unit_id").iter_rows(named=True):
            if (ruleset.ruleset_id, u["unit_group"]) not in groups or (year, u["unit_id"]) in sent:
                continue
            if not in_force(u, year):  # e.g. a district after 1/7/2025 (Nghị quyết 202/2025/QH15)
                continue
            reason = "all_rows_quarantined" if (str(year), u["unit_id"]) in seen_raw else "no_submission"
            rows.append(
                {
                    "year": year,
                    "unit_id": u["unit_id"],
                    "unit_name": u["unit_name"],
                    "unit_group": u["unit_group"],
                    "province_code": province,
                    "reason": reason,
                    "message": REASONS[reason],
                }
            )
    return pl.DataFrame(rows, schema=MISSING_SCHEMA, orient="row")


def _raw_unit_years(raw: pl.DataFrame) -> set[tuple[str, str]]:
    """(year as written, unit id) of every raw self-assessment row that names both."""
    if not {"year", "unit_id"} <= set(raw.columns):
        return set()
    return {
        (normalize_text(y), normalize_text(u))
        for y, u in raw.select("year", "unit_id").unique().iter_rows()
        if y is not None and u is not None
    }
