"""Improvement-plan inputs: the targets catalogue, the province's choices, and the statistics.

A plan is a decision's list of targets (2639/QĐ-UBND, Vĩnh Long 2639/QĐ-UBND: Annexes 1-3), kept as
data in `plan/<plan_id>/plan.yaml` and `targets.csv`; `plan/plan_assignments.csv` says which
province tracks which plan, and `plan/target_choices.csv` which version of a contradictory target
is in force. Statistics (`statistics/**/*.xlsx|csv`) carry the measured values, cumulative from
1 January (docs/inputs.md). As in `models.par.staging`, nothing is dropped without a record: a bad
row becomes a quarantine record naming file, sheet, row, column, value and rule, in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polars as pl
import yaml
from openpyxl.utils import get_column_letter

from models.ingest import values
from models.ingest.documents import Documents
from models.ingest.readers import ReadResult, file_sha256, read_sheet
from models.ingest.records import RowProblem, file_record, record
from models.ingest.source import Staged, keep_latest
from models.ingest.values import AmbiguousNumber, parse_date, parse_number, year
from models.text import normalize_text

# The closed set of comparator kinds (models.plan.tracking implements each, citing the decision).
COMPARATOR_KINDS = (
    "ge_value",
    "gt_value",
    "eq_100pct",
    "le_value",
    "done",
    "above_prev",
    "at_least_plus_n_over_prev",
    "at_least_pct_over_prev",
    "at_least_pct_below_baseline",
    "at_least_pct_over_plan",
    "at_most_reference",
)
# Kinds whose target_value is not used (the target is the previous year, or a reference value).
NO_TARGET_VALUE = ("above_prev", "at_most_reference")
# Kinds that compare with a second measure (`reference_metric`).
NEEDS_REFERENCE = ("at_least_pct_over_plan", "at_most_reference")

# Reporting frequencies (2639/QĐ-UBND Part III.1.d: "hàng quý, 6 tháng, năm") → period kinds.
FREQUENCIES = {"quý": "quarter", "6 tháng": "half_year", "năm": "year"}

# Reporting periods: values are cumulative from 1 January, as provincial socio-economic reports
# give them ("Quý I", "6 tháng", "9 tháng", "Cả năm"). code → (kind, months, Vietnamese label).
PERIODS = {
    "Q1": ("quarter", 3, "Quý I"),
    "H1": ("half_year", 6, "6 tháng đầu năm"),
    "Q3": ("quarter", 9, "9 tháng (quý III)"),
    "Y": ("year", 12, "Năm"),
}
PERIOD_ALIASES = {
    "quý i": "Q1",
    "quý 1": "Q1",
    "q1": "Q1",
    "3 tháng": "Q1",
    "6 tháng": "H1",
    "6 tháng đầu năm": "H1",
    "h1": "H1",
    "9 tháng": "Q3",
    "q3": "Q3",
    "cả năm": "Y",
    "năm": "Y",
    "y": "Y",
}
# A single quarter's own value cannot be compared with cumulative targets: say what to write.
NOT_CUMULATIVE = {
    "quý ii": "6 tháng",
    "quý 2": "6 tháng",
    "q2": "6 tháng",
    "quý iii": "9 tháng",
    "quý 3": "9 tháng",
    "quý iv": "Cả năm",
    "quý 4": "Cả năm",
    "q4": "Cả năm",
}
DONE_WORDS = {"đã thực hiện", "hoàn thành", "đã hoàn thành", "có", "đạt", "x", "yes", "true"}
NOT_DONE_WORDS = {"chưa thực hiện", "chưa hoàn thành", "không", "chưa", "không đạt", "no", "false"}

LABELS = {
    "plan_id": "Mã kế hoạch",
    "code": "Mã chỉ tiêu",
    "variant": "Phương án",
    "metric": "Số liệu theo dõi (metric)",
    "comparator": "Cách so sánh",
    "target_value": "Giá trị chỉ tiêu",
    "reference_metric": "Số liệu đối chiếu",
    "lead_agency": "Cơ quan chủ trì",
    "reporting_frequency": "Kỳ báo cáo",
    "source": "Nguồn (mục trong quyết định)",
    "province_code": "Mã tỉnh",
    "target_code": "Mã chỉ tiêu",
    "from_year": "Từ năm",
    "to_year": "Đến năm",
    "year": "Năm",
    "period": "Kỳ báo cáo",
    "indicator_code": "Mã chỉ tiêu",
    "value": "Giá trị",
    "reported_at": "Ngày báo cáo",
}


class PlanError(ValueError):
    """A plan.yaml that cannot be used; becomes one quarantine record for its file."""


@dataclass(frozen=True)
class Plan:
    plan_id: str
    decision_no: str
    decision_date: str
    title: str
    province_rules: str
    valid_from_year: int
    valid_to_year: int | None
    baseline_year: int
    reporting_frequencies: tuple[str, ...]
    reported_by: str
    reported_to: str
    default_variants: dict = field(default_factory=dict, compare=False)


PLAN_SCHEMA = {
    "plan_id": pl.String,
    "decision_no": pl.String,
    "decision_date": pl.String,
    "title": pl.String,
    "province_rules": pl.String,
    "valid_from_year": pl.Int32,
    "valid_to_year": pl.Int32,
    "baseline_year": pl.Int32,
    "reported_by": pl.String,
    "reported_to": pl.String,
}
DEFAULT_VARIANT_SCHEMA = {"plan_id": pl.String, "target_code": pl.String, "variant": pl.String}
TARGET_SCHEMA = {
    "plan_id": pl.String,
    "seq": pl.Int32,
    "target_code": pl.String,
    "variant": pl.String,
    "index_family": pl.String,
    "field_code": pl.String,
    "field_title": pl.String,
    "title": pl.String,
    "requirement": pl.String,
    "metric": pl.String,
    "unit": pl.String,
    "comparator": pl.String,
    "target_value": pl.Float64,
    "reference_metric": pl.String,
    "lead_agency": pl.String,
    "coordinating_agencies": pl.String,
    "evidence_required": pl.String,
    "reporting_frequency": pl.String,
    "period_kinds": pl.String,
    "timing": pl.String,
    "source": pl.String,
    "note": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
}
CHOICE_SCHEMA = {
    "province_code": pl.String,
    "plan_id": pl.String,
    "target_code": pl.String,
    "variant": pl.String,
    "decided_by": pl.String,
    "decided_at": pl.Date,
    "note": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
}
ASSIGNMENT_SCHEMA = {
    "province_code": pl.String,
    "plan_id": pl.String,
    "from_year": pl.Int32,
    "to_year": pl.Int32,
    "note": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
}
STATISTICS_SCHEMA = {
    "province_code": pl.String,
    "year": pl.Int32,
    "period_code": pl.String,
    "indicator_code": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "reporting_agency": pl.String,
    "reported_at": pl.Date,
    "note": pl.String,
    "source_file": pl.String,
    "sheet": pl.String,
    "source_row": pl.Int64,
    "cell": pl.String,
    "column_name": pl.String,
}


def period_name(year: int, code: str) -> str:
    """`2024` for a year, `2024-Q1`, `2024-H1`, `2024-Q3` (9 months) otherwise."""
    return str(year) if code == "Y" else f"{year}-{code}"


def period_end(year: int, code: str) -> dt.date:
    months = PERIODS[code][1]
    return dt.date(year, months + 1, 1) - dt.timedelta(days=1) if months < 12 else dt.date(year, 12, 31)


def period_label(year: int, code: str) -> str:
    """Vietnamese label as the report title writes it: `Quý I năm 2024`, `Năm 2024`."""
    if code == "Y":
        return f"Năm {year}"
    if code == "H1":
        return f"6 tháng đầu năm {year}"
    return f"{PERIODS[code][2]} năm {year}"


# --------------------------------------------------------------------------------------------- plans


def load_plan(docs: Documents, path: PurePosixPath) -> Plan:
    """One `plan.yaml` (see data/raw/plan/vinh-long-2639-2020/plan.yaml for every key)."""
    try:
        doc = yaml.safe_load(docs.read(path))
    except yaml.YAMLError as exc:
        raise PlanError(f"Không đọc được tệp kế hoạch: {type(exc).__name__}") from None
    if not isinstance(doc, dict):
        raise PlanError("Tệp kế hoạch không có nội dung dạng khóa: giá trị")
    missing = [
        k for k in ("plan_id", "decision_no", "decision_date", "valid_from_year", "baseline_year") if k not in doc
    ]
    if missing:
        raise PlanError(f"Tệp kế hoạch thiếu khóa: {', '.join(missing)}")
    if str(doc["plan_id"]) != path.parent.name:
        raise PlanError(f"plan_id '{doc['plan_id']}' phải trùng tên thư mục '{path.parent.name}'")
    frequencies = tuple(normalize_text(f) for f in doc.get("reporting_frequencies") or FREQUENCIES)
    unknown = [f for f in frequencies if f not in FREQUENCIES]
    if unknown:
        raise PlanError(f"Kỳ báo cáo không hợp lệ: {', '.join(map(str, unknown))} (chỉ nhận: quý, 6 tháng, năm)")
    try:
        return Plan(
            plan_id=str(doc["plan_id"]),
            decision_no=normalize_text(doc["decision_no"]),
            decision_date=str(doc["decision_date"]),
            title=normalize_text(doc.get("title")) or "",
            province_rules=normalize_text(doc.get("province_rules")) or "",
            valid_from_year=int(doc["valid_from_year"]),
            valid_to_year=None if doc.get("valid_to_year") is None else int(doc["valid_to_year"]),
            baseline_year=int(doc["baseline_year"]),
            reporting_frequencies=frequencies,
            reported_by=normalize_text(doc.get("reported_by")) or "Sở Nội vụ",
            reported_to=normalize_text(doc.get("reported_to")) or "Ủy ban nhân dân tỉnh",
            default_variants={
                normalize_text(k): normalize_text(v) for k, v in (doc.get("default_variants") or {}).items()
            },
        )
    except (TypeError, ValueError) as exc:
        raise PlanError(f"Giá trị không hợp lệ trong tệp kế hoạch: {exc}") from None


def load_plans(docs: Documents) -> tuple[list[Plan], list[dict]]:
    """Every `plan/<plan_id>/plan.yaml`; one that cannot be used becomes a file-level problem."""
    plans, problems = [], []
    for path in sorted(docs.glob("plan/*/plan.yaml")):
        try:
            plans.append(load_plan(docs, path))
        except PlanError as exc:
            problems.append(file_record(str(path), "bad_plan", str(exc)))
    return plans, problems


def plans_frame(plans: list[Plan]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(one row per plan, one row per default variant) for the warehouse."""
    rows = [{k: getattr(p, k) for k in PLAN_SCHEMA} for p in plans]
    defaults = [
        {"plan_id": p.plan_id, "target_code": code, "variant": variant}
        for p in plans
        for code, variant in sorted(p.default_variants.items())
    ]
    return (
        pl.DataFrame(rows, schema=PLAN_SCHEMA, orient="row"),
        pl.DataFrame(defaults, schema=DEFAULT_VARIANT_SCHEMA, orient="row"),
    )


def _record(raw: dict, p: RowProblem, column: str | None = None) -> dict:
    """A plan input's record: its fields go by the plan's own labels (`Năm`, `Mã chỉ tiêu`)."""
    return record(raw, p, column or LABELS.get(p.column))


def _province(raw: dict, province_codes: set[str]) -> str:
    province = _required(raw, "province_code")
    if province not in province_codes:
        raise RowProblem(
            "province_code", "unknown_province", f"Mã tỉnh '{province}' không có trong provinces.csv", province
        )
    return province


def _required(raw: dict, column: str) -> str:
    value = normalize_text(raw.get(column))
    if value is None:
        raise RowProblem(column, "required", f"Thiếu {LABELS.get(column, column)}")
    return value


# ------------------------------------------------------------------------------- targets catalogue


def _frequencies(raw: dict, plan: Plan) -> list[str]:
    text = normalize_text(raw.get("reporting_frequency"))
    parts = [normalize_text(p).casefold() for p in (text or "").split(";") if normalize_text(p)]
    bad = [p for p in parts if p not in FREQUENCIES or p not in plan.reporting_frequencies]
    if not parts or bad:
        raise RowProblem(
            "reporting_frequency",
            "bad_frequency",
            f"Kỳ báo cáo '{text}' phải là một hoặc nhiều trong: {'; '.join(plan.reporting_frequencies)} "
            f"(cách nhau bởi ';')",
            text,
        )
    return parts


def stage_targets(raw_rows: list[dict], plans: list[Plan]) -> Staged:
    """The targets catalogue (`plan/<plan_id>/targets.csv`), checked row by row.

    Each row must name a metric, a comparator kind of the closed set, a target value when the
    kind needs one, a lead agency, a reporting frequency and its section (`source`): a rule
    an official cannot trace to the decision is not a rule. Two rows with the same code are
    versions of one target and need distinct `variant` ids (2639/QĐ-UBND contradicts itself: Annex 1
    8.2.1 +20% vs Part II I.8.b +30%).
    """
    by_id = {p.plan_id: p for p in plans}
    good, bad, seen = [], [], set()
    for raw in raw_rows:
        try:
            parts = Path(str(raw.get("source_file"))).parts
            plan_id = parts[-2] if len(parts) >= 2 else None
            plan = by_id.get(plan_id)
            if plan is None:
                raise RowProblem(
                    "plan_id",
                    "no_plan",
                    f"Thư mục '{plan_id}' không có tệp plan.yaml đọc được nên không dùng được danh mục chỉ tiêu",
                    plan_id,
                )
            code = _required(raw, "code")
            variant = normalize_text(raw.get("variant")) or ""
            if (plan_id, code, variant) in seen:
                raise RowProblem(
                    "variant",
                    "duplicate_target",
                    f"Chỉ tiêu {code} (phương án '{variant}') bị trùng; mỗi phương án của một chỉ tiêu cần mã riêng",
                    variant,
                )
            metric = _required(raw, "metric")
            kind = normalize_text(raw.get("comparator"))
            if kind not in COMPARATOR_KINDS:
                raise RowProblem(
                    "comparator",
                    "unknown_comparator",
                    f"Cách so sánh '{kind}' của chỉ tiêu {code} không thuộc: {', '.join(COMPARATOR_KINDS)}",
                    kind,
                )
            try:
                target_value = parse_number(raw.get("target_value"))
            except ValueError:
                raise RowProblem(
                    "target_value",
                    "not_a_number",
                    f"Giá trị chỉ tiêu '{raw.get('target_value')}' của {code} không phải là số",
                    raw.get("target_value"),
                ) from None
            if kind not in NO_TARGET_VALUE and target_value is None:
                raise RowProblem("target_value", "required", f"Chỉ tiêu {code} ({kind}) thiếu giá trị chỉ tiêu")
            if kind == "eq_100pct" and target_value != 100:
                raise RowProblem(
                    "target_value",
                    "bad_target",
                    f"Chỉ tiêu {code} so sánh 'bằng 100%' nên giá trị phải là 100",
                    target_value,
                )
            if kind == "done" and target_value != 1:
                raise RowProblem(
                    "target_value",
                    "bad_target",
                    f"Chỉ tiêu {code} loại 'hoàn thành' nên giá trị phải là 1",
                    target_value,
                )
            reference = normalize_text(raw.get("reference_metric"))
            if kind in NEEDS_REFERENCE and reference is None:
                raise RowProblem(
                    "reference_metric", "required", f"Chỉ tiêu {code} ({kind}) cần số liệu đối chiếu (reference_metric)"
                )
            if kind == "at_least_pct_below_baseline":
                reference = reference or metric  # the same measure in the baseline year
            lead = _required(raw, "lead_agency")
            kinds = [FREQUENCIES[f] for f in _frequencies(raw, plan)]
            source = _required(raw, "source")
        except RowProblem as p:
            bad.append(_record(raw, p))
            continue
        seen.add((plan_id, code, variant))
        good.append(
            {
                "plan_id": plan_id,
                "seq": len(good) + 1,
                "target_code": code,
                "variant": variant or None,
                "index_family": normalize_text(raw.get("index_family")),
                "field_code": normalize_text(raw.get("field_code")),
                "field_title": normalize_text(raw.get("field_title")),
                "title": normalize_text(raw.get("title")),
                "requirement": normalize_text(raw.get("requirement")),
                "metric": metric,
                "unit": normalize_text(raw.get("unit")),
                "comparator": kind,
                "target_value": target_value,
                "reference_metric": reference,
                "lead_agency": lead,
                "coordinating_agencies": normalize_text(raw.get("coordinating_agencies")),
                "evidence_required": normalize_text(raw.get("evidence_required")),
                "reporting_frequency": normalize_text(raw.get("reporting_frequency")),
                "period_kinds": ";".join(kinds),
                "timing": normalize_text(raw.get("timing")),
                "source": source,
                "note": normalize_text(raw.get("note")),
                "source_file": raw.get("source_file"),
                "source_row": raw.get("row_number"),
            }
        )
    rows = pl.DataFrame(good, schema=TARGET_SCHEMA, orient="row")
    # Re-number within each plan, in file order (the order of the decision's annexes).
    rows = rows.with_columns(pl.int_range(1, pl.len() + 1).over("plan_id").cast(pl.Int32).alias("seq"))
    return Staged(rows, bad)


def stage_choices(raw_rows: list[dict], targets: pl.DataFrame, province_codes: set[str]) -> Staged:
    """`plan/target_choices.csv`: which version of a contradictory target a province tracks.

    One row per province, plan and target; the variant must exist in the catalogue. A second row
    for the same target is quarantined (`duplicate_choice`) rather than silently overriding.
    """
    variants = {
        (r["plan_id"], r["target_code"]): set() for r in targets.select("plan_id", "target_code").iter_rows(named=True)
    }
    for r in targets.iter_rows(named=True):
        variants[(r["plan_id"], r["target_code"])].add(r["variant"])
    good, bad, seen = [], [], set()
    for raw in raw_rows:
        try:
            province = _province(raw, province_codes)
            plan_id = _required(raw, "plan_id")
            code = _required(raw, "target_code")
            if (plan_id, code) not in variants:
                raise RowProblem(
                    "target_code",
                    "unknown_target",
                    f"Chỉ tiêu {code} không có trong danh mục của kế hoạch {plan_id}",
                    code,
                )
            variant = _required(raw, "variant")
            if variant not in variants[(plan_id, code)]:
                known = ", ".join(sorted(v for v in variants[(plan_id, code)] if v)) or "(không có phương án)"
                raise RowProblem(
                    "variant",
                    "unknown_variant",
                    f"Chỉ tiêu {code} không có phương án '{variant}'; các phương án: {known}",
                    variant,
                )
            if (province, plan_id, code) in seen:
                raise RowProblem(
                    "target_code",
                    "duplicate_choice",
                    f"Chỉ tiêu {code} của tỉnh {province} đã được chọn ở dòng trước; dòng này không được dùng",
                    code,
                )
            try:
                decided_at = parse_date(raw.get("decided_at"))
            except ValueError:
                decided_at = None
        except RowProblem as p:
            bad.append(_record(raw, p))
            continue
        seen.add((province, plan_id, code))
        good.append(
            {
                "province_code": province,
                "plan_id": plan_id,
                "target_code": code,
                "variant": variant,
                "decided_by": normalize_text(raw.get("decided_by")),
                "decided_at": decided_at,
                "note": normalize_text(raw.get("note")),
                "source_file": raw.get("source_file"),
                "source_row": raw.get("row_number"),
            }
        )
    return Staged(pl.DataFrame(good, schema=CHOICE_SCHEMA, orient="row"), bad)


def stage_assignments(raw_rows: list[dict], plans: list[Plan], province_codes: set[str]) -> Staged:
    """`plan/plan_assignments.csv`: the plan a province tracks, from a year (to a year)."""
    plan_ids = {p.plan_id for p in plans}
    good, bad = [], []
    for raw in raw_rows:
        try:
            province = _province(raw, province_codes)
            plan_id = _required(raw, "plan_id")
            if plan_id not in plan_ids:
                raise RowProblem(
                    "plan_id",
                    "unknown_plan",
                    f"Kế hoạch '{plan_id}' không có (thiếu plan/{plan_id}/plan.yaml)",
                    plan_id,
                )
            from_year = year(raw, "from_year")
            to_year = None if normalize_text(raw.get("to_year")) is None else year(raw, "to_year")
        except RowProblem as p:
            bad.append(_record(raw, p))
            continue
        good.append(
            {
                "province_code": province,
                "plan_id": plan_id,
                "from_year": from_year,
                "to_year": to_year,
                "note": normalize_text(raw.get("note")),
                "source_file": raw.get("source_file"),
                "source_row": raw.get("row_number"),
            }
        )
    return Staged(pl.DataFrame(good, schema=ASSIGNMENT_SCHEMA, orient="row"), bad)


# -------------------------------------------------------------------------------------- statistics

STATS_SHEET = "Số liệu"
STATS_LABELS = {
    "mã tỉnh:": "province_code",
    "năm:": "year",
    "cơ quan báo cáo:": "reporting_agency",
    "ngày báo cáo:": "reported_at",
}
STATS_COLUMNS = {
    "mã chỉ tiêu": "indicator_code",
    "chỉ tiêu": "indicator_name",
    "tên chỉ tiêu": "indicator_name",
    "đơn vị tính": "unit",
    "đvt": "unit",
    "ghi chú": "note",
}


def read_statistics_workbook(path: Path, display: str) -> ReadResult:
    """A statistics workbook as the statistics office sends it (docs/inputs.md, statistics).

    Sheet `Số liệu`: title rows, labelled cells (`Mã tỉnh:`, `Năm:`, `Cơ quan báo cáo:`,
    `Ngày báo cáo:`), then a header row starting with `Mã chỉ tiêu`; every column whose header is
    not a known one (`Chỉ tiêu`, `Đơn vị tính`, `Ghi chú`) is a period (`Quý I`, `6 tháng`,
    `9 tháng`, `Cả năm`). Each non-empty value cell becomes one raw row with its cell address, so
    a bad value is reported where it is. Rows without any value (headings, signatures) are not data.
    """
    read = read_sheet(path, display, STATS_SHEET)
    if isinstance(read, ReadResult):
        return read
    sheet_name, rows = read
    result = ReadResult(display, file_sha256(path))
    labels: dict[str, str | None] = {}
    header: dict[int, tuple[str, str]] | None = None  # column index → (field, header text)
    for row_number, texts in enumerate(rows, start=1):
        first = (texts[0] or "").casefold() if texts else ""
        if header is None:
            if first in STATS_LABELS:
                labels[STATS_LABELS[first]] = next((t for t in texts[1:] if t is not None), None)
            elif first == "mã chỉ tiêu":
                header = {
                    i: (STATS_COLUMNS.get(t.casefold(), "period"), t) for i, t in enumerate(texts) if t is not None
                }
            continue
        fields = {f: texts[i] if i < len(texts) else None for i, (f, _) in header.items() if f != "period"}
        for i, (fieldname, text) in header.items():
            value = texts[i] if i < len(texts) else None
            if fieldname != "period" or value is None:
                continue
            result.rows.append(
                {
                    "source_file": display,
                    "sheet": sheet_name,
                    "row_number": row_number,
                    "cell": f"{get_column_letter(i + 1)}{row_number}",
                    "column_name": text,
                    **labels,
                    **fields,
                    "period": text,
                    "value": value,
                }
            )
    if header is None:
        result.problem = file_record(
            display, "no_header", "Không tìm thấy dòng tiêu đề bảng bắt đầu bằng 'Mã chỉ tiêu'", sheet=sheet_name
        )
    return result


def _period(raw: dict) -> str:
    text = normalize_text(raw.get("period"))
    key = (text or "").casefold()
    if key in PERIOD_ALIASES:
        return PERIOD_ALIASES[key]
    if key in NOT_CUMULATIVE:
        raise RowProblem(
            "period",
            "period_not_cumulative",
            f"Kỳ '{text}' có thể là số liệu riêng của một quý; số liệu phải lũy kế từ đầu năm: "
            f"ghi '{NOT_CUMULATIVE[key]}'",
            text,
        )
    raise RowProblem(
        "period",
        "unknown_period",
        f"Kỳ báo cáo '{text}' không hợp lệ; chỉ nhận: Quý I, 6 tháng, 9 tháng, Cả năm",
        text,
    )


def value_kinds(targets: pl.DataFrame) -> dict[str, str]:
    """What values each known indicator takes, from the catalogue that uses it.

    `done` (0/1: a task done or not), `share` (a percentage within 0-100), `rate` (a growth rate,
    may be negative), `amount` (a count or an amount, not negative).
    """
    kinds: dict[str, str] = {}
    for r in targets.iter_rows(named=True):
        if r["comparator"] == "done":
            kind = "done"
        elif r["unit"] == "%":
            kind = "rate" if r["comparator"] == "above_prev" else "share"
        else:
            kind = "amount"
        kinds.setdefault(r["metric"], kind)
        if r["reference_metric"]:
            kinds.setdefault(r["reference_metric"], "amount" if r["unit"] != "%" else "share")
    return kinds


# An indicator's kind (value_kinds) → the kind of number it takes (models.ingest.values).
VALUE_KINDS = {"done": "count", "share": "pct", "rate": "rate", "amount": "amount"}


def _value(raw: dict, code: str, kind: str) -> float:
    text = raw.get("value")
    shown = normalize_text(text)
    if kind == "done":
        key = (shown or "").casefold()
        if key in DONE_WORDS:
            return 1.0
        if key in NOT_DONE_WORDS:
            return 0.0
    try:
        number = parse_number(text)
    except AmbiguousNumber:  # `1.000`: resolved where the indicator's kind allows one reading
        number = values.number(raw, "value", kind=VALUE_KINDS[kind])
    except ValueError:
        hint = " (ghi 'Đã thực hiện' hoặc 'Chưa thực hiện')" if kind == "done" else ""
        raise RowProblem(
            "value",
            "not_a_number",
            f"Giá trị '{shown}' của chỉ tiêu {code} không phải là số{hint}",
            shown,
        ) from None
    if number is None:
        raise RowProblem("value", "required", f"Thiếu giá trị của chỉ tiêu {code}")
    shown_number = f"{number:g}".replace(".", ",")
    if kind == "done" and number not in (0, 1):
        raise RowProblem(
            "value",
            "bad_done",
            f"Chỉ tiêu {code} chỉ nhận 1 (đã thực hiện) hoặc 0 (chưa thực hiện), không nhận {shown_number}",
            shown,
        )
    if kind == "share" and not 0 <= number <= 100:
        raise RowProblem("value", "pct_out_of_range", f"Tỷ lệ {shown_number}% của chỉ tiêu {code} ngoài 0-100", shown)
    if kind == "amount" and number < 0:
        raise RowProblem("value", "negative_value", f"Giá trị {shown_number} của chỉ tiêu {code} âm", shown)
    return number


def stage_statistics(raw_rows: list[dict], province_codes: set[str], kinds: dict[str, str]) -> Staged:
    """Statistics and operational measures, one row per province, year, period and indicator.

    A value must be a number (decimal comma or point) within what its indicator takes (0-100 for
    a share, ≥ 0 for a count, 0/1 or 'Đã thực hiện'/'Chưa thực hiện' for a task); the period must
    be cumulative from 1 January. When the same value arrives twice, the one with the later
    `Ngày báo cáo` (then file, then row) counts and the other is kept in quarantine as `superseded`.
    """
    good, bad = [], []
    for raw in raw_rows:
        column = raw.get("column_name")
        try:
            province = _province(raw, province_codes)
            evaluated = year(raw, "year")
            code = _required(raw, "indicator_code")
            if code not in kinds:
                raise RowProblem(
                    "indicator_code",
                    "unknown_indicator",
                    f"Mã chỉ tiêu '{code}' không có trong danh mục số liệu của kế hoạch (targets.csv)",
                    code,
                )
            period_code = _period(raw)
            value = _value(raw, code, kinds[code])
            try:
                reported_at = parse_date(raw.get("reported_at"))
            except ValueError:
                raise RowProblem(
                    "reported_at",
                    "not_a_date",
                    f"Ngày báo cáo '{raw.get('reported_at')}' không phải ngày dd/mm/yyyy",
                    raw.get("reported_at"),
                ) from None
        except RowProblem as p:
            # In a workbook the period column header names the cell's column; elsewhere the field's label.
            on_value = p.column in ("value", "period") and column
            bad.append(_record(raw, p, column if on_value else None))
            continue
        good.append(
            {
                "province_code": province,
                "year": evaluated,
                "period_code": period_code,
                "indicator_code": code,
                "value": value,
                "unit": normalize_text(raw.get("unit")),
                "reporting_agency": normalize_text(raw.get("reporting_agency")),
                "reported_at": reported_at,
                "note": normalize_text(raw.get("note")),
                "source_file": raw.get("source_file"),
                "sheet": raw.get("sheet"),
                "source_row": raw.get("row_number"),
                "cell": raw.get("cell"),
                "column_name": column,
            }
        )
    rows, superseded = keep_latest(
        pl.DataFrame(good, schema=STATISTICS_SCHEMA, orient="row"),
        ["province_code", "year", "period_code", "indicator_code"],
        ["reported_at", "source_file", "source_row", "column_name"],
        lambda r: RowProblem(
            r["column_name"] or "value",
            "superseded",
            f"Chỉ tiêu {r['indicator_code']} kỳ {period_label(r['year'], r['period_code'])} "
            "có số liệu báo cáo sau; số liệu này được lưu nhưng không dùng",
            f"{r['value']:g}",
        ),
    )
    bad += superseded
    return Staged(rows, bad)
