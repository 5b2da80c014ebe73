"""Bonus and penalty leaves computed from facts (Quảng Trị, 1820/QĐ-UBND Art. 4).

Input `bonus_penalty/*.csv` (docs/inputs.md): one row per unit and year with the facts an officer
counts: late dossiers with and without an apology letter, apology letters not made as required,
PAR news items published, procedures in simplification plans approved by the provincial chairman.
A leaf with a `computed_from` rule in the criteria file (models/par/fact_rules.py) gets its points
from these facts; the rules of Quảng Trị's files, with the side of each threshold that counts:

- 4.1.a `simplified_procedures >= 3`: "có phương án đơn giản hóa … từ 3-4 TTHC trở lên và được Chủ tịch
  UBND tỉnh phê duyệt": 3 procedures count, 2 do not (our reading of "3-4": the lower bound);
- 4.1.b `par_news_items >= 10`: "có từ 10 tin, bài/năm": 10 counts, 9 does not;
- 4.2.a `late_without_apology_pct > 30`: "tỷ lệ hồ sơ trễ hạn không thực hiện xin lỗi/tổng số hồ sơ trễ
  hạn … trên 30%": 30% exactly does not count, anything above does (compared exactly, as fractions);
  no late dossier at all: no penalty;
- 4.2.b `improper_apologies >= 1`: "thực hiện việc xin lỗi … không đúng quy định": one is enough.

A blank fact is not reported: the leaf keeps its self-assessed or appraised score. The computed
score ranks between self-assessment and appraisal: an appraisal, appeal or re-classification
decision still overrides it, with its reason (models/par/scoring.py).
"""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from models.ingest.records import LABELS, RowProblem
from models.ingest.source import Staged, stage_rows
from models.ingest.values import whole
from models.ingest.values import year as evaluation_year
from models.par.fact_rules import FACTS, FactRule, parse_rule, show
from models.par.frameworks import ruleset_for
from models.par.staging import Scope
from models.text import normalize_text

# Header (NFC, case-folded) → field; Vietnamese as on the form officers fill, English accepted.
FIELDS: dict[str, tuple[str, ...]] = {
    "unit_id": ("unit_id", "mã đơn vị"),
    "unit_name": ("unit_name", "tên đơn vị"),
    "year": ("year", "năm đánh giá", "năm"),
    "late_with_apology": (
        "late_with_apology",
        "số hồ sơ trễ hạn có văn bản xin lỗi",
        "số hồ sơ trễ hạn đã xin lỗi",
    ),
    "late_without_apology": (
        "late_without_apology",
        "số hồ sơ trễ hạn không có văn bản xin lỗi",
        "số hồ sơ trễ hạn không xin lỗi",
        "số hồ sơ trễ hạn chưa xin lỗi",
    ),
    "improper_apologies": (
        "improper_apologies",
        "số văn bản xin lỗi không đúng quy định",
        "số lần xin lỗi không đúng quy định",
    ),
    "par_news_items": (
        "par_news_items",
        "số tin bài về cchc đã đăng",
        "số tin, bài về cchc đã đăng",
        "số tin, bài cchc",
        "số tin bài cchc",
    ),
    "simplified_procedures": (
        "simplified_procedures",
        "số tthc trong phương án đơn giản hóa được phê duyệt",
        "số tthc được đơn giản hóa",
    ),
    "simplification_decisions": (
        "simplification_decisions",
        "quyết định phê duyệt phương án đơn giản hóa",
        "quyết định phê duyệt",
    ),
    "note": ("note", "ghi chú", "nguồn số liệu"),
}
COUNTS = ("late_with_apology", "late_without_apology", "improper_apologies", "par_news_items", "simplified_procedures")
FACT_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "ruleset_id": pl.String,
    "unit_group": pl.String,
    **{c: pl.Int64 for c in COUNTS},
    "simplification_decisions": pl.String,
    "note": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
}
SCORE_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "leaf_code": pl.String,
    "facts_rule": pl.String,
    "facts_value": pl.Float64,
    "facts_met": pl.Boolean,
    "facts_score": pl.Float64,
    "facts_basis": pl.String,
    "facts_source_file": pl.String,
    "facts_source_row": pl.Int64,
}


def _field(raw: dict, name: str) -> str | None:
    for alias in FIELDS[name]:
        value = normalize_text(raw.get(alias))
        if value:
            return value
    return None


def _count(raw: dict, name: str) -> int | None:
    return whole({"row_number": raw.get("row_number"), name: _field(raw, name)}, name, required=False)


def stage_bonus_penalty_facts(raw_rows: list[dict], scope: Scope) -> Staged:
    """One row per unit and year: counts are whole numbers ≥ 0 (blank = not reported); apology letters
    not made as required cannot outnumber the letters made; a second row for a unit-year is refused
    (the first counts); a unit whose framework computes no leaf from facts is refused (nothing would
    use the row)."""
    seen: dict[tuple[int, str], int] = {}

    def parse(raw: dict) -> dict:
        unit = scope.unit({"unit_id": _field(raw, "unit_id"), "unit_name": _field(raw, "unit_name")})
        year = evaluation_year({"year": _field(raw, "year")})
        counts = {c: _count(raw, c) for c in COUNTS}
        if all(v is None for v in counts.values()):
            raise RowProblem(LABELS["unit_id"], "required", "Dòng không có số liệu nào (mọi cột số liệu đều trống)")
        made, improper = counts["late_with_apology"], counts["improper_apologies"]
        if made is not None and improper is not None and improper > made:
            raise RowProblem(
                LABELS["improper_apologies"],
                "inconsistent_counts",
                f"{LABELS['improper_apologies']} ({improper}) lớn hơn {LABELS['late_with_apology'].lower()} "
                f"({made}); hãy kiểm tra lại",
                improper,
            )
        ruleset = ruleset_for(scope.rulesets, scope.family[unit["province_code"]], year)
        tree = scope.leaves.get((ruleset.ruleset_id, unit["unit_group"]), {}) if ruleset else {}
        if not any(leaf.get("computed_from") for leaf in tree.values()):
            decision = ruleset.decision_no if ruleset else f"năm {year}"
            raise RowProblem(
                LABELS["unit_id"],
                "no_fact_rule",
                f"Bộ chỉ số {decision} của đơn vị {unit['unit_id']} không có tiêu chí điểm thưởng, điểm trừ "
                "tính từ số liệu; dòng này không được dùng",
                unit["unit_id"],
            )
        key = (year, unit["unit_id"])
        if key in seen:
            raise RowProblem(
                LABELS["unit_id"],
                "duplicate",
                f"Đơn vị {unit['unit_id']} năm {year} đã có số liệu ở dòng {seen[key]}; dòng này không được dùng",
                unit["unit_id"],
            )
        seen[key] = raw.get("row_number")
        return {
            "year": year,
            "unit_id": unit["unit_id"],
            "ruleset_id": ruleset.ruleset_id,
            "unit_group": unit["unit_group"],
            **counts,
            "simplification_decisions": _field(raw, "simplification_decisions"),
            "note": _field(raw, "note"),
            "source_file": raw.get("source_file"),
            "source_row": raw.get("row_number"),
        }

    return stage_rows(raw_rows, FACT_SCHEMA, parse)


def evaluate(rule: FactRule, facts: dict, points: float) -> dict | None:
    """The leaf's score from one unit-year's facts, with the reasoning in Vietnamese; None when the
    fact it needs was not reported."""
    sign = "trừ" if rule.fact in ("late_without_apology_pct", "improper_apologies") else "cộng"
    if rule.fact == "late_without_apology_pct":
        made, missing = facts["late_with_apology"], facts["late_without_apology"]
        if made is None or missing is None:
            return None
        late = made + missing
        if late == 0:
            return {"value": None, "met": False, "basis": f"Không có hồ sơ trễ hạn ⇒ không {sign} điểm"}
        value: Fraction = Fraction(100 * missing, late)
        shown, percent = f"{missing}/{late} = {show(value)}%", "%"
    else:
        if facts[rule.fact] is None:
            return None
        value = Fraction(facts[rule.fact])
        shown, percent = show(value), ""
    met = rule.holds(value)
    verdict = (rule.text if met else rule.negated_text) + percent
    outcome = f"{sign} {_pts(points)}" if met else f"không {sign} điểm"
    return {"value": float(value), "met": met, "basis": f"{FACTS[rule.fact]}: {shown} ({verdict}) ⇒ {outcome}"}


def _pts(points: float) -> str:
    return f"{points:g}".replace(".", ",") + " điểm"


def fact_scores(facts: pl.DataFrame, criteria: pl.DataFrame) -> pl.DataFrame:
    """One row per unit, year and leaf with a `computed_from` rule whose fact was reported."""
    rules = criteria.filter(pl.col("computed_from").is_not_null()).select(
        "ruleset_id", "unit_group", pl.col("code").alias("leaf_code"), "computed_from", "max_points", "source"
    )
    out = []
    for f in facts.join(rules, on=["ruleset_id", "unit_group"], how="inner").iter_rows(named=True):
        rule = parse_rule(f["computed_from"])
        result = evaluate(rule, f, f["max_points"])
        if result is None:
            continue
        article = (f["source"] or "").split(" (")[0].split(":")[0]
        out.append(
            {
                "year": f["year"],
                "unit_id": f["unit_id"],
                "leaf_code": f["leaf_code"],
                "facts_rule": f"{f['computed_from']} ({article})" if article else f["computed_from"],
                "facts_value": result["value"],
                "facts_met": result["met"],
                "facts_score": f["max_points"] if result["met"] else 0.0,
                "facts_basis": result["basis"],
                "facts_source_file": f["source_file"],
                "facts_source_row": f["source_row"],
            }
        )
    return pl.DataFrame(out, schema=SCORE_SCHEMA, orient="row").sort(["year", "unit_id", "leaf_code"])
