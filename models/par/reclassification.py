"""Re-classification of a published result found flawed (Quảng Trị, 1820/QĐ-UBND Art. 7).

Art. 7: "Các cơ quan, đơn vị đã được đánh giá, xếp loại nhưng sau đó phát hiện có khuyết điểm
hoặc không bảo đảm điều kiện của mức xếp loại thì hủy bỏ kết quả và xếp loại lại của năm xảy
ra khuyết điểm." A unit already classified that is later found to have a flaw, or not to meet
the conditions of its band, has its result voided and the year of the flaw re-classified.

Input `reclassifications.csv` (docs/inputs.md), one row per decided correction:
- a corrected leaf score (`criterion_code` + `corrected_score`): the flaw is in the points; the
  year is recomputed with it (a fourth round after self → appraisal → appeal) and re-ranked;
- or, with no criterion, the band the decision sets (`band`): the unit does not meet the
  conditions of its band although its points do.
Only rulesets whose framework.yaml says `reclassification: {allowed: true}` accept it, so the
rule is data, not a branch on the province. The voided results are kept in
`marts.par_index_history` (models/par/history.py).
"""

from __future__ import annotations

import polars as pl

from models.ingest.records import RowProblem, record
from models.ingest.source import Staged
from models.ingest.values import date, number
from models.ingest.values import year as evaluation_year
from models.par.frameworks import APPRAISED_METHODS, Ruleset, ruleset_for
from models.par.staging import APPRAISAL_SCHEMA, Scope, within_max
from models.text import normalize_text

RECLASSIFICATION_ROUND = "reclassification"
RECLASSIFICATION_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "ruleset_id": pl.String,
    "leaf_code": pl.String,  # null: the decision sets the band, not a leaf's points
    "score": pl.Float64,
    "band": pl.String,
    "agency": pl.String,
    "reason": pl.String,
    "decision_no": pl.String,
    "decision_date": pl.Date,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


def stage_reclassifications(raw_rows: list[dict], scope: Scope) -> Staged:
    """Typed, checked re-classification decisions; bad rows quarantined with a Vietnamese reason."""
    good, bad = [], []
    for raw in raw_rows:
        try:
            unit = scope.unit(raw)
            year = evaluation_year(raw)
            code = normalize_text(raw.get("criterion_code"))
            ruleset = None
            leaf = None
            if code is not None:
                ruleset, leaf = scope.criterion(unit, year, code)
            else:
                ruleset = _ruleset(scope, unit, year)
            if not ruleset.reclassification:
                raise RowProblem(
                    "Số quyết định",
                    "reclassification_not_allowed",
                    f"Bộ chỉ số {ruleset.decision_no} không quy định hủy kết quả và xếp loại lại "
                    "(chỉ áp dụng khi framework.yaml có reclassification: allowed: true)",
                    raw.get("decision_no"),
                )
            decision_no = normalize_text(raw.get("decision_no"))
            if decision_no is None:
                raise RowProblem("Số quyết định", "required", "Thiếu số quyết định hủy kết quả, xếp loại lại")
            decision_date = date(raw, "decision_date")
            if decision_date is None:
                raise RowProblem("decision_date", "required", "Thiếu ngày quyết định hủy kết quả, xếp loại lại")
            reason = normalize_text(raw.get("reason"))
            if reason is None:
                raise RowProblem("Lý do", "required", "Thiếu lý do (khuyết điểm phát hiện sau khi xếp loại)")
            score = number(raw, "corrected_score", kind="score", required=False, maximum=leaf and leaf["max_points"])
            band = normalize_text(raw.get("band"))
            if leaf is not None:
                if not leaf["is_leaf"] or leaf["method"] not in APPRAISED_METHODS:
                    raise RowProblem(
                        "criterion_code",
                        "not_appraised_leaf",
                        f"Tiêu chí {leaf['code']} không phải tiêu chí được chấm, thẩm định",
                        leaf["code"],
                    )
                if score is None:
                    raise RowProblem(
                        "Điểm sau khắc phục", "required", f"Thiếu điểm sau khắc phục của tiêu chí {leaf['code']}"
                    )
                within_max(score, leaf, "score")
                if band is not None:
                    raise RowProblem(
                        "Xếp loại",
                        "band_with_criterion",
                        "Dòng sửa điểm một tiêu chí không ghi xếp loại; xếp loại được tính lại từ điểm",
                        band,
                    )
            elif band is None:
                raise RowProblem(
                    "Mã tiêu chí",
                    "nothing_to_reclassify",
                    "Cần mã tiêu chí và điểm sau khắc phục, hoặc xếp loại do quyết định xác định",
                )
            elif band not in ruleset.band_names:
                raise RowProblem(
                    "Xếp loại",
                    "unknown_band",
                    f"Xếp loại '{band}' không thuộc {', '.join(ruleset.band_names)} ({ruleset.decision_no})",
                    band,
                )
        except RowProblem as p:
            bad.append(record(raw, p))
            continue
        good.append(
            {
                "year": year,
                "unit_id": unit["unit_id"],
                "ruleset_id": ruleset.ruleset_id,
                "leaf_code": None if leaf is None else leaf["code"],
                "score": score if leaf is not None else None,
                "band": band if leaf is None else None,
                "agency": normalize_text(raw.get("agency")),
                "reason": reason,
                "decision_no": decision_no,
                "decision_date": decision_date,
                "source_file": raw.get("source_file"),
                "source_row": raw.get("row_number"),
            }
        )
    return Staged(pl.DataFrame(good, schema=RECLASSIFICATION_SCHEMA, orient="row"), bad)


def _ruleset(scope: Scope, unit: dict, year: int) -> Ruleset:
    ruleset = ruleset_for(scope.rulesets, scope.family[unit["province_code"]], year)
    if ruleset is None:
        raise RowProblem("year", "no_framework", f"Không có bộ chỉ số có hiệu lực cho năm {year}", year)
    return ruleset


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=RECLASSIFICATION_SCHEMA)


def as_adjustments(reclassifications: pl.DataFrame) -> pl.DataFrame:
    """Corrected leaf scores as a fourth round of decisions, after appeal (Art. 7 after Art. 5)."""
    return (
        reclassifications.filter(pl.col("leaf_code").is_not_null())
        .with_columns(pl.lit(RECLASSIFICATION_ROUND).alias("round"))
        .select(list(APPRAISAL_SCHEMA))
        .cast(APPRAISAL_SCHEMA)
    )


def decisions(reclassifications: pl.DataFrame) -> pl.DataFrame:
    """One row per decision (number and date), in the order they were taken."""
    return (
        reclassifications.group_by("decision_no", "decision_date")
        .agg(
            pl.col("reason").first(),
            pl.col("source_file").min().alias("_f"),
            pl.col("source_row").min().alias("_r"),
        )
        .sort(["decision_date", "_f", "_r", "decision_no"])
        .drop("_f", "_r")
    )


def apply_band_decisions(units: pl.DataFrame, reclassifications: pl.DataFrame | None) -> pl.DataFrame:
    """Mark re-classified unit-years and set a band a decision imposes (Art. 7, second case).

    Adds `reclassified` and `reclassification_decision_no` (the decisions, in order, `; `-joined).
    A decision's band replaces the computed one and `band_reason` says which decision and why.
    """
    if reclassifications is None or reclassifications.is_empty():
        return units.with_columns(
            pl.lit(None, dtype=pl.String).alias("reclassification_decision_no"),
            pl.lit(False).alias("reclassified"),
            pl.lit(False).alias("band_decided"),
        )
    ordered = reclassifications.sort(["decision_date", "source_file", "source_row"])
    touched = ordered.group_by(["year", "unit_id"], maintain_order=True).agg(
        pl.col("decision_no").unique(maintain_order=True).str.join("; ").alias("reclassification_decision_no")
    )
    imposed = (
        ordered.filter(pl.col("leaf_code").is_null())
        .group_by(["year", "unit_id"], maintain_order=True)
        .last()
        .select(
            "year",
            "unit_id",
            pl.col("band").alias("_imposed_band"),
            pl.format(
                "xếp loại lại theo {} ngày {}: {}",
                "decision_no",
                pl.col("decision_date").dt.strftime("%d/%m/%Y"),
                "reason",
            ).alias("_imposed_reason"),
        )
    )
    out = (
        units.join(touched, on=["year", "unit_id"], how="left")
        .join(imposed, on=["year", "unit_id"], how="left")
        .with_columns(pl.col("reclassification_decision_no").is_not_null().alias("reclassified"))
    )
    has_imposed = pl.col("_imposed_band").is_not_null()
    return out.with_columns(
        pl.when(has_imposed)
        .then(pl.format("{} → {}: {}", "band", "_imposed_band", "_imposed_reason"))
        .otherwise(pl.col("band_reason"))
        .alias("band_reason"),
        pl.when(has_imposed).then(pl.col("_imposed_band")).otherwise(pl.col("band")).alias("band"),
        has_imposed.alias("band_decided"),
    ).drop("_imposed_band", "_imposed_reason")
