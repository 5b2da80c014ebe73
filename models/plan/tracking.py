"""Tracking an improvement plan: each target against its measure, period by period.

2639/QĐ-UBND (Vĩnh Long 2639/QĐ-UBND) sets a target per criterion (Annexes 1-3) and has the
Department of Home Affairs report progress every quarter, half-year and year (Part III.1.d).
Here, per province, target and period: the actual value, the target, met / not met / no data,
the change from the same period a year earlier, the trend over the tracked years, the run of
periods with the same status, a scorecard per lead agency, and the targets at risk (not met and
getting worse) first.

Every comparator kind of the closed set (`models.plan.inputs.COMPARATOR_KINDS`) is one small
function below, citing the decision. Values are cumulative from 1 January, so a period is compared
with the same period of the previous year ("cùng kỳ năm trước"); the yearly period with the
previous year ("năm trước liền kề", Annex 1 8.1).

Plain Polars and Python; no Dagster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from models.plan.inputs import PERIODS, period_end, period_label, period_name

EPS = 1e-9  # values are typed by people; 20.000000000000004% is 20%
STATUS_VI = {"met": "Đạt", "not_met": "Chưa đạt", "no_data": "Không có số liệu"}
CHANGE_VI = {"better": "Cải thiện", "worse": "Xấu đi", "same": "Không đổi"}
TREND_VI = {"improving": "Cải thiện", "worsening": "Xấu đi", "flat": "Đi ngang"}


@dataclass(frozen=True)
class Outcome:
    """A comparator's verdict.

    `achieved` is what the comparator judges, in the target's units (the value itself, the
    increase in %, the reduction from the baseline in %, ...); `required` is the value the
    actual had to reach (or not exceed), in the metric's units; `reason` says in Vietnamese why
    there is no verdict.
    """

    status: str
    achieved: float | None = None
    required: float | None = None
    reason: str | None = None


def _no_data(reason: str) -> Outcome:
    return Outcome("no_data", reason=reason)


def _verdict(ok: bool, achieved: float | None, required: float | None) -> Outcome:
    return Outcome("met" if ok else "not_met", achieved, required)


# ------------------------------------------------------------------------------ comparator kinds
# Each takes the period's actual value and the catalogue's target value, and what it needs of:
# prev (the same period a year earlier), baseline (the baseline year, 2015), reference (a second
# measure of the same period: the plan, the quota). `actual` is never None here.


def ge_value(actual: float, target: float, **_: float | None) -> Outcome:
    """At least the value: "đạt từ 70% trở lên" (2639/QĐ-UBND Annex 1, 2.2; also 3.3.3 "từ 50 TTHC
    trở lên", 6.1.1 "từ 90% trở lên", 7.1.2, 7.2.x, 7.3.x; Annex 2 "Đạt từ 80% trở lên")."""
    return _verdict(actual >= target - EPS, actual, target)


def gt_value(actual: float, target: float, **_: float | None) -> Outcome:
    """Strictly above the value: "đạt trên 30%" (2639/QĐ-UBND Annex 1, 1.3.1). Part II I.1.c says
    "từ 30% trở lên" for the same target: that version is a `ge_value` row."""
    return _verdict(actual > target + EPS, actual, target)


def eq_100pct(actual: float, target: float, **_: float | None) -> Outcome:
    """All of them: "100% hồ sơ ... được giải quyết đúng hạn" (2639/QĐ-UBND Annex 1, 3.4.1-3.4.3;
    also 1.1, 3.2.x, 3.5.x, 5.7.x, 7.4.x). 99.9% is not 100%."""
    return _verdict(actual >= 100 - EPS, actual, 100.0)


def le_value(actual: float, target: float, **_: float | None) -> Outcome:
    """At most the value: "không ban hành các quy định TTHC trái với thẩm quyền" = 0 (2639/QĐ-UBND
    Annex 1, 3.1.1; 5.5.2; 6.1.2; 6.3.3), and ranks: "xếp trong nhóm 30 tỉnh, thành phố đứng đầu"
    = rank ≤ 30 (Part I.I.2)."""
    return _verdict(actual <= target + EPS, actual, target)


def done(actual: float, target: float, **_: float | None) -> Outcome:
    """A task done (1) or not (0): the tasks of 2639/QĐ-UBND Annex 3 (PAPI, "Thường xuyên", "Định kỳ
    hàng quý") and Annex 1 items that ask for an action without a number (2.1.2, 4.3, 5.3.x, 7.1.1)."""
    return _verdict(actual >= 1 - EPS, actual, 1.0)


def above_prev(actual: float, target: float | None, *, prev: float | None = None, **_: float | None) -> Outcome:
    """Higher than the previous year: "cao hơn năm trước liền kề" (2639/QĐ-UBND Annex 1, 8.1
    investment, 8.2.2 enterprises' share of budget revenue, 8.4 GRDP growth). Equal is not higher."""
    if prev is None:
        return _no_data("Không có số liệu cùng kỳ năm trước để so sánh")
    return _verdict(actual > prev + EPS, actual - prev, prev)


def at_least_plus_n_over_prev(actual: float, target: float, *, prev: float | None = None, **_: float | None) -> Outcome:
    """At least N more than the previous year: "có thêm từ 02 đơn vị SNCL ... trở lên" (2639/QĐ-UBND
    Annex 1, 6.3.1, 6.3.2; Part II I.6.e "tăng so với năm trước ít nhất từ 2 đơn vị")."""
    if prev is None:
        return _no_data("Không có số liệu cùng kỳ năm trước để so sánh")
    return _verdict(actual - prev >= target - EPS, actual - prev, prev + target)


def at_least_pct_over_prev(actual: float, target: float, *, prev: float | None = None, **_: float | None) -> Outcome:
    """An increase of at least X% over the previous year: "tăng từ 20% trở lên so với tổng số
    doanh nghiệp thành lập mới của năm trước liền kề" (2639/QĐ-UBND Annex 1, 8.2.1; Part II I.8.b
    says 30%). Increase = (actual − prev) / prev × 100."""
    if prev is None:
        return _no_data("Không có số liệu cùng kỳ năm trước để so sánh")
    if prev <= 0:
        return _no_data("Số liệu cùng kỳ năm trước bằng 0: không tính được tỷ lệ tăng")
    return _verdict(
        (actual - prev) / prev * 100 >= target - EPS, (actual - prev) / prev * 100, prev * (1 + target / 100)
    )


def at_least_pct_below_baseline(
    actual: float, target: float, *, baseline: float | None = None, **_: float | None
) -> Outcome:
    """At least X% below the baseline year: "giảm từ 10% trở lên so với năm 2015" (2639/QĐ-UBND
    Annex 1, 4.1.3 public service units, 4.2.3 staff against the 2015 quota, 6.3.4 direct budget
    spending). Reduction = (baseline − actual) / baseline × 100."""
    if baseline is None:
        return _no_data("Không có số liệu năm gốc (2015) để so sánh")
    if baseline <= 0:
        return _no_data("Số liệu năm gốc bằng 0: không tính được tỷ lệ giảm")
    reduction = (baseline - actual) / baseline * 100
    return _verdict(reduction >= target - EPS, reduction, baseline * (1 - target / 100))


def at_least_pct_over_plan(
    actual: float, target: float, *, reference: float | None = None, **_: float | None
) -> Outcome:
    """At least X% over the plan: "vượt chỉ tiêu được Chính phủ giao từ 4% trở lên" (2639/QĐ-UBND
    Annex 1, 8.3 budget revenue; Part II I.8.d). Excess = (actual − plan) / plan × 100."""
    if reference is None:
        return _no_data("Không có số liệu kế hoạch (dự toán) được giao cùng kỳ")
    if reference <= 0:
        return _no_data("Kế hoạch được giao bằng 0: không tính được tỷ lệ vượt")
    return _verdict(
        (actual - reference) / reference * 100 >= target - EPS,
        (actual - reference) / reference * 100,
        reference * (1 + target / 100),
    )


def at_most_reference(
    actual: float, target: float | None, *, reference: float | None = None, **_: float | None
) -> Outcome:
    """Not above a second measure of the same period: "số lượng biên chế hành chính ... đang sử
    dụng không vượt quá so với tổng số biên chế hành chính được giao" (2639/QĐ-UBND Annex 1, 4.2.1;
    4.2.2 people paid from the budget in public service units). Achieved = actual − reference."""
    if reference is None:
        return _no_data("Không có số liệu được giao cùng kỳ để đối chiếu")
    return _verdict(actual <= reference + EPS, actual - reference, reference)


@dataclass(frozen=True)
class Comparator:
    evaluate: Callable[..., Outcome]
    better: str  # "higher" or "lower": which way the judged value improves
    judges: str  # "actual" or "achieved": which value "getting worse" looks at
    words: str  # Vietnamese, for the reports; {t} target value, {u} unit, {b} baseline year, {p} previous period


COMPARATORS: dict[str, Comparator] = {
    "ge_value": Comparator(ge_value, "higher", "actual", "≥ {t}{u}"),
    "gt_value": Comparator(gt_value, "higher", "actual", "> {t}{u}"),
    "eq_100pct": Comparator(eq_100pct, "higher", "actual", "100%"),
    "le_value": Comparator(le_value, "lower", "actual", "≤ {t}{u}"),
    "done": Comparator(done, "higher", "actual", "Hoàn thành"),
    "above_prev": Comparator(above_prev, "higher", "actual", "Cao hơn {p}"),
    "at_least_plus_n_over_prev": Comparator(
        at_least_plus_n_over_prev, "higher", "achieved", "Tăng ≥ {t}{u} so với {p}"
    ),
    "at_least_pct_over_prev": Comparator(at_least_pct_over_prev, "higher", "achieved", "Tăng ≥ {t}% so với {p}"),
    "at_least_pct_below_baseline": Comparator(
        at_least_pct_below_baseline, "lower", "actual", "Giảm ≥ {t}% so với năm {b}"
    ),
    "at_least_pct_over_plan": Comparator(
        at_least_pct_over_plan, "higher", "achieved", "Vượt ≥ {t}% kế hoạch được giao"
    ),
    "at_most_reference": Comparator(at_most_reference, "lower", "achieved", "Không vượt số được giao"),
}


def evaluate(
    kind: str,
    actual: float | None,
    target: float | None,
    *,
    prev: float | None = None,
    baseline: float | None = None,
    reference: float | None = None,
) -> Outcome:
    """The verdict of comparator `kind`; no actual value for the period means no data."""
    if actual is None:
        return _no_data("Không có số liệu kỳ này")
    return COMPARATORS[kind].evaluate(actual, target, prev=prev, baseline=baseline, reference=reference)


def fmt_number(value: float | None, digits: int = 2) -> str:
    """Vietnamese number: decimal comma, thousands point, no trailing zeros (`1.234,5`)."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def target_text(
    kind: str, target: float | None, unit: str | None, baseline_year: int | None = None, *, yearly: bool = True
) -> str:
    """The target as a report writes it: `≥ 90%`, `> 30%`, `Tăng ≥ 20% so với năm trước` (a year),
    `... so với cùng kỳ năm trước` (a quarter or half-year, values being cumulative)."""
    if unit == "hạng" and kind == "le_value":
        return f"Hạng ≤ {fmt_number(target)}"
    if kind == "le_value" and target == 0:
        return f"Không có (0 {unit})" if unit else "Không có (0)"
    unit_text = "" if not unit or unit in ("có/không",) else ("%" if unit == "%" else f" {unit}")
    prev = "năm trước" if yearly else "cùng kỳ năm trước"
    return COMPARATORS[kind].words.format(t=fmt_number(target), u=unit_text, b=baseline_year or 2015, p=prev)


# ------------------------------------------------------------------------------------ variants

VARIANT_BASIS_VI = {
    "choice": "Tỉnh chọn (target_choices.csv)",
    "plan_default": "Mặc định của kế hoạch (plan.yaml)",
    "first_listed": "Chưa chọn: dùng phương án ghi đầu tiên",
}


def resolve_variants(
    targets: pl.DataFrame, assignments: pl.DataFrame, choices: pl.DataFrame, default_variants: pl.DataFrame
) -> pl.DataFrame:
    """Every catalogue row per province that tracks its plan, with `in_force` for the version used.

    2639/QĐ-UBND contradicts itself on some targets (Annex 1 8.2.1 +20% vs Part II I.8.b +30%; Annex 2
    row 1: 82% in the text, 83% in the result column). All versions stay; a province's choice in
    target_choices.csv wins, then the plan's default, then the first row listed.
    """
    rows = assignments.select("province_code", "plan_id").unique().join(targets, on="plan_id", how="inner")
    counts = rows.group_by("province_code", "plan_id", "target_code").agg(
        pl.len().cast(pl.Int32).alias("variants_available"), pl.col("seq").min().alias("_first_seq")
    )
    chosen = choices.select("province_code", "plan_id", "target_code", pl.col("variant").alias("_chosen"))
    default = default_variants.select("plan_id", "target_code", pl.col("variant").alias("_default"))
    rows = (
        rows.join(counts, on=["province_code", "plan_id", "target_code"])
        .join(chosen, on=["province_code", "plan_id", "target_code"], how="left")
        .join(default, on=["plan_id", "target_code"], how="left")
    )
    # The plan's default only counts if it names an existing variant.
    default_exists = (
        (pl.col("variant") == pl.col("_default")).any().over("province_code", "plan_id", "target_code").fill_null(False)
    )
    basis = (
        pl.when(pl.col("variants_available") == 1)
        .then(pl.lit(None, pl.String))
        .when(pl.col("_chosen").is_not_null())
        .then(pl.lit("choice"))
        .when(default_exists)
        .then(pl.lit("plan_default"))
        .otherwise(pl.lit("first_listed"))
    )
    rows = rows.with_columns(basis.alias("variant_basis"))
    in_force = (
        pl.when(pl.col("variants_available") == 1)
        .then(True)
        .when(pl.col("variant_basis") == "choice")
        .then(pl.col("variant") == pl.col("_chosen"))
        .when(pl.col("variant_basis") == "plan_default")
        .then(pl.col("variant") == pl.col("_default"))
        .otherwise(pl.col("seq") == pl.col("_first_seq"))
    )
    return rows.with_columns(in_force.fill_null(False).alias("in_force")).drop("_chosen", "_default", "_first_seq")


# ------------------------------------------------------------------------------------ tracking

TRACKING_SCHEMA = {
    "province_code": pl.String,
    "plan_id": pl.String,
    "period": pl.String,
    "year": pl.Int32,
    "period_code": pl.String,
    "period_kind": pl.String,
    "period_label": pl.String,
    "period_end": pl.Date,
    "target_code": pl.String,
    "variant": pl.String,
    "in_force": pl.Boolean,
    "variant_basis": pl.String,
    "variants_available": pl.Int32,
    "seq": pl.Int32,
    "metric": pl.String,
    "unit": pl.String,
    "comparator": pl.String,
    "target": pl.Float64,
    "target_text": pl.String,
    "actual": pl.Float64,
    "status": pl.String,
    "status_vi": pl.String,
    "status_reason": pl.String,
    "achieved": pl.Float64,
    "required_value": pl.Float64,
    "prev_actual": pl.Float64,
    "delta": pl.Float64,
    "reference_metric": pl.String,
    "reference_value": pl.Float64,
    "baseline_year": pl.Int32,
    "baseline_value": pl.Float64,
    "change": pl.String,
    "at_risk": pl.Boolean,
    "trend": pl.String,
    "streak_status": pl.String,
    "streak_length": pl.Int32,
    "actual_source_file": pl.String,
    "actual_source_row": pl.Int64,
}


def _periods(statistics: pl.DataFrame, assignments: pl.DataFrame, plans: pl.DataFrame) -> pl.DataFrame:
    """Periods each province is tracked in: those its statistics cover, within the assignment's
    years and the plan's validity (a plan from 2020 does not track 2015, its baseline)."""
    have = statistics.select("province_code", "year", "period_code").unique()
    spans = assignments.join(plans.select("plan_id", "valid_from_year", "valid_to_year"), on="plan_id")
    upper = pl.min_horizontal(pl.col("to_year").fill_null(9999), pl.col("valid_to_year").fill_null(9999))
    lower = pl.max_horizontal("from_year", "valid_from_year")
    return (
        spans.join(have, on="province_code")
        .filter((pl.col("year") >= lower) & (pl.col("year") <= upper))
        .select("province_code", "plan_id", "year", "period_code")
        .unique()
    )


def _lookup(statistics: pl.DataFrame) -> dict[tuple[str, str, int, str], dict]:
    return {
        (r["province_code"], r["indicator_code"], r["year"], r["period_code"]): r
        for r in statistics.iter_rows(named=True)
    }


def _change(kind: str, judged: float | None, prev_judged: float | None) -> str | None:
    if judged is None or prev_judged is None:
        return None
    diff = judged - prev_judged
    if abs(diff) <= EPS:
        return "same"
    return "better" if (diff > 0) == (COMPARATORS[kind].better == "higher") else "worse"


def _trend(kind: str, points: list[tuple[int, float]]) -> str | None:
    """Least-squares slope of the judged value over the tracked years, read in the target's direction."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
    if abs(slope) <= EPS:
        return "flat"
    return "improving" if (slope > 0) == (COMPARATORS[kind].better == "higher") else "worsening"


def track(
    targets: pl.DataFrame,
    statistics: pl.DataFrame,
    assignments: pl.DataFrame,
    choices: pl.DataFrame,
    plans: pl.DataFrame,
    default_variants: pl.DataFrame,
) -> pl.DataFrame:
    """Per province, catalogue row (every variant, `in_force` marking the one used) and period.

    A target is tracked in the period kinds of its reporting frequency (a yearly target has no
    quarterly rows). prev = the same period a year earlier; baseline = the plan's baseline year,
    whole year; reference = the reference measure in the same period. `change` compares what the
    comparator judges with the same period a year earlier; `at_risk` = not met and worse;
    `trend` and the streak look at the same period across the tracked years.
    """
    resolved = resolve_variants(targets, assignments, choices, default_variants)
    periods = _periods(statistics, assignments, plans)
    if resolved.is_empty() or periods.is_empty():
        return pl.DataFrame(schema=TRACKING_SCHEMA)
    baseline_years = dict(zip(plans["plan_id"], plans["baseline_year"], strict=True))
    stats = _lookup(statistics)
    tracked = {(r["province_code"], r["plan_id"], r["year"], r["period_code"]) for r in periods.iter_rows(named=True)}
    # Evaluate the tracked periods and the same periods a year earlier (for `change`).
    wanted = tracked | {(p, plan, y - 1, c) for p, plan, y, c in tracked}
    by_plan: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for province, plan_id, year, code in sorted(wanted):
        by_plan.setdefault((province, plan_id), []).append((year, code))

    out = []
    for t in resolved.sort("province_code", "plan_id", "seq").iter_rows(named=True):
        kinds = set((t["period_kinds"] or "").split(";"))
        baseline_year = baseline_years.get(t["plan_id"])
        for year, code in by_plan.get((t["province_code"], t["plan_id"]), []):
            if PERIODS[code][0] not in kinds:
                continue
            key = (t["province_code"], t["metric"], year, code)
            actual_row = stats.get(key)
            actual = actual_row["value"] if actual_row else None
            prev_row = stats.get((t["province_code"], t["metric"], year - 1, code))
            prev = prev_row["value"] if prev_row else None
            ref_row = (
                stats.get((t["province_code"], t["reference_metric"], year, code)) if t["reference_metric"] else None
            )
            base_row = (
                stats.get((t["province_code"], t["reference_metric"], baseline_year, "Y"))
                if t["comparator"] == "at_least_pct_below_baseline"
                else None
            )
            baseline = base_row["value"] if base_row else None
            reference = ref_row["value"] if ref_row else None
            outcome = evaluate(
                t["comparator"], actual, t["target_value"], prev=prev, baseline=baseline, reference=reference
            )
            out.append(
                {
                    "province_code": t["province_code"],
                    "plan_id": t["plan_id"],
                    "period": period_name(year, code),
                    "year": year,
                    "period_code": code,
                    "period_kind": PERIODS[code][0],
                    "period_label": period_label(year, code),
                    "period_end": period_end(year, code),
                    "target_code": t["target_code"],
                    "variant": t["variant"],
                    "in_force": t["in_force"],
                    "variant_basis": t["variant_basis"],
                    "variants_available": t["variants_available"],
                    "seq": t["seq"],
                    "metric": t["metric"],
                    "unit": t["unit"],
                    "comparator": t["comparator"],
                    "target": t["target_value"],
                    "target_text": target_text(
                        t["comparator"], t["target_value"], t["unit"], baseline_year, yearly=code == "Y"
                    ),
                    "actual": actual,
                    "status": outcome.status,
                    "status_vi": STATUS_VI[outcome.status],
                    "status_reason": outcome.reason,
                    "achieved": outcome.achieved,
                    "required_value": outcome.required,
                    "prev_actual": prev,
                    "delta": None if actual is None or prev is None else actual - prev,
                    "reference_metric": t["reference_metric"],
                    "reference_value": reference,
                    "baseline_year": baseline_year if t["comparator"] == "at_least_pct_below_baseline" else None,
                    "baseline_value": baseline,
                    "actual_source_file": actual_row["source_file"] if actual_row else None,
                    "actual_source_row": actual_row["source_row"] if actual_row else None,
                    "_tracked": (t["province_code"], t["plan_id"], year, code) in tracked,
                }
            )
    return _history(out)


def _history(rows: list[dict]) -> pl.DataFrame:
    """Change from a year earlier, trend and streak, per series (province, target, variant, period code)."""
    series: dict[tuple, dict[int, dict]] = {}
    for r in rows:
        key = (r["province_code"], r["plan_id"], r["target_code"], r["variant"], r["period_code"])
        series.setdefault(key, {})[r["year"]] = r
    for by_year in series.values():
        for year in sorted(by_year):
            r = by_year[year]
            kind = r["comparator"]
            judged = r["actual"] if COMPARATORS[kind].judges == "actual" else r["achieved"]
            r["_judged"] = judged if r["status"] != "no_data" else None
            earlier = by_year.get(year - 1)
            r["change"] = _change(kind, r["_judged"], earlier["_judged"] if earlier else None)
            r["at_risk"] = r["status"] == "not_met" and r["change"] == "worse"
            tracked_years = [y for y in sorted(by_year) if y <= year and by_year[y]["_tracked"]]
            points = [(y, by_year[y]["_judged"]) for y in tracked_years if by_year[y]["_judged"] is not None]
            r["trend"] = _trend(kind, points) if r["_tracked"] else None
            streak = 0
            if r["status"] in ("met", "not_met"):
                y = year
                while y in by_year and by_year[y]["_tracked"] and by_year[y]["status"] == r["status"]:
                    streak += 1
                    y -= 1
            r["streak_status"] = r["status"] if streak else None
            r["streak_length"] = streak or None
    kept = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows if r["_tracked"]]
    return pl.DataFrame(kept, schema=TRACKING_SCHEMA, orient="row").sort(
        "province_code", "period_end", "seq", "variant", nulls_last=True
    )


# ---------------------------------------------------------------------------------- scorecards

SCORECARD_SCHEMA = {
    "province_code": pl.String,
    "plan_id": pl.String,
    "period": pl.String,
    "period_end": pl.Date,
    "lead_agency": pl.String,
    "targets": pl.Int32,
    "met": pl.Int32,
    "not_met": pl.Int32,
    "no_data": pl.Int32,
    "at_risk": pl.Int32,
    "met_pct": pl.Float64,
}


def lead_agencies(text: str | None) -> list[str]:
    """Lead agencies of a target: the annex lists several, separated by ';' in the catalogue
    (e.g. 4.3: Sở Nội vụ; Sở Kế hoạch và Đầu tư; ...). Each is answerable for the target."""
    return [a.strip() for a in (text or "").split(";") if a.strip()]


def scorecard(tracking: pl.DataFrame, lead: pl.DataFrame) -> pl.DataFrame:
    """Per province, period and lead agency: targets in force, met, not met, no data, at risk,
    and met % = met / (met + not met) × 100 (targets without data are not counted against anyone).

    `lead` maps (plan_id, target_code, variant) → lead_agency.
    """
    rows = tracking.filter("in_force").join(
        lead, on=["plan_id", "target_code", "variant"], how="left", nulls_equal=True
    )
    if rows.is_empty():
        return pl.DataFrame(schema=SCORECARD_SCHEMA)
    rows = rows.with_columns(
        pl.col("lead_agency").map_elements(lead_agencies, return_dtype=pl.List(pl.String))
    ).explode("lead_agency", empty_as_null=True)
    card = rows.group_by("province_code", "plan_id", "period", "period_end", "lead_agency").agg(
        pl.len().cast(pl.Int32).alias("targets"),
        (pl.col("status") == "met").sum().cast(pl.Int32).alias("met"),
        (pl.col("status") == "not_met").sum().cast(pl.Int32).alias("not_met"),
        (pl.col("status") == "no_data").sum().cast(pl.Int32).alias("no_data"),
        pl.col("at_risk").sum().cast(pl.Int32).alias("at_risk"),
    )
    card = card.with_columns(
        pl.when(pl.col("met") + pl.col("not_met") > 0)
        .then(pl.col("met") / (pl.col("met") + pl.col("not_met")) * 100)
        .otherwise(None)
        .alias("met_pct")
    )
    return (
        card.select(list(SCORECARD_SCHEMA))
        .cast(SCORECARD_SCHEMA)
        .sort(
            "province_code",
            "period_end",
            pl.col("not_met"),
            pl.col("at_risk"),
            "lead_agency",
            descending=[False, False, True, True, False],
        )
    )
