"""Improvement-plan tracking (2639/QĐ-UBND, Vĩnh Long 2639/QĐ-UBND), rule by rule, with numbers worked by hand.

Every expected value below is computed in the comment beside it from the decision's words, not read
back from the code. The catalogue used is the real one, data/raw/plan/vinh-long-2639-2020/.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path, PurePosixPath

import openpyxl
import polars as pl
import pytest

from models.ingest.documents import Documents
from models.plan.inputs import (
    load_plan,
    plans_frame,
    read_statistics_workbook,
    stage_assignments,
    stage_choices,
    stage_statistics,
    stage_targets,
    value_kinds,
)
from models.plan.sources import PLAN_TARGETS
from models.plan.tracking import evaluate, track
from reports.progress import SYNTHETIC_BANNER, build_progress_report

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "data" / "raw"
PLAN_DIR = RAW / "plan" / "vinh-long-2639-2020"


# ------------------------------------------------------------------------------- comparator kinds


def test_ge_value_at_least():
    # Annex 2 row 2: "Đạt từ 80% trở lên": 80 is enough, 79.4 is not.
    assert evaluate("ge_value", 80.0, 80).status == "met"
    assert evaluate("ge_value", 79.4, 80).status == "not_met"
    # Annex 1, 2.2 "đạt từ 70% trở lên": 72.5 ≥ 70.
    assert evaluate("ge_value", 72.5, 70).status == "met"


def test_gt_value_strictly_above():
    # Annex 1, 1.3.1 "đạt trên 30%": exactly 30% is not above 30%; 30.5% is.
    assert evaluate("gt_value", 30.0, 30).status == "not_met"
    assert evaluate("gt_value", 30.5, 30).status == "met"


def test_eq_100pct_all():
    # Annex 1, 3.4.3 "100% hồ sơ ... đúng hạn": 99.9% is not 100%.
    assert evaluate("eq_100pct", 99.9, 100).status == "not_met"
    assert evaluate("eq_100pct", 100.0, 100).status == "met"


def test_le_value_at_most():
    # Annex 1, 3.1.1 "không ban hành ... trái với thẩm quyền": 0 rules met, 1 rule not.
    assert evaluate("le_value", 0.0, 0).status == "met"
    assert evaluate("le_value", 1.0, 0).status == "not_met"
    # Part I.I.2 "nhóm 30 tỉnh, thành phố đứng đầu": rank 30 is in, rank 31 is not.
    assert evaluate("le_value", 30.0, 30).status == "met"
    assert evaluate("le_value", 31.0, 30).status == "not_met"


def test_done_task():
    # Annex 3 tasks: done (1) or not (0).
    assert evaluate("done", 1.0, 1).status == "met"
    assert evaluate("done", 0.0, 1).status == "not_met"


def test_above_prev_strictly_higher():
    # Annex 1, 8.4 "cao hơn năm trước liền kề": GRDP growth 6.0% after 6.3% is lower → not met,
    # by 6.0 − 6.3 = −0.3 points; 7.1% after 5.2% is met; the same 6.3% is not higher.
    out = evaluate("above_prev", 6.0, None, prev=6.3)
    assert out.status == "not_met" and out.achieved == pytest.approx(-0.3)
    assert evaluate("above_prev", 7.1, None, prev=5.2).status == "met"
    assert evaluate("above_prev", 6.3, None, prev=6.3).status == "not_met"
    assert evaluate("above_prev", 6.3, None, prev=None).status == "no_data"


def test_at_least_plus_n_over_prev():
    # Annex 1, 6.3.1 "có thêm từ 02 đơn vị": 38 → 41 is +3 (met); 41 → 42 is +1 (not met);
    # 42 needed 41 + 2 = 43.
    assert evaluate("at_least_plus_n_over_prev", 41.0, 2, prev=38.0).status == "met"
    out = evaluate("at_least_plus_n_over_prev", 42.0, 2, prev=41.0)
    assert (out.status, out.achieved, out.required) == ("not_met", 1.0, 43.0)


def test_at_least_pct_over_prev():
    # Annex 1, 8.2.1: new enterprises 530 → 650: (650 − 530) / 530 = 120 / 530 = 22.64% ≥ 20% → met;
    # Part II I.8.b asks 30% → not met. Needed: 530 × 1.2 = 636, 530 × 1.3 = 689.
    out = evaluate("at_least_pct_over_prev", 650.0, 20, prev=530.0)
    assert out.status == "met"
    assert out.achieved == pytest.approx(120 / 530 * 100)
    assert out.required == pytest.approx(636.0)
    out = evaluate("at_least_pct_over_prev", 650.0, 30, prev=530.0)
    assert out.status == "not_met" and out.required == pytest.approx(689.0)
    # Exactly +20%: 500 → 600 is "từ 20% trở lên".
    assert evaluate("at_least_pct_over_prev", 600.0, 20, prev=500.0).status == "met"
    assert evaluate("at_least_pct_over_prev", 5.0, 20, prev=0.0).status == "no_data"


def test_at_least_pct_below_baseline():
    # Annex 1, 4.1.3 "giảm từ 10% trở lên so với năm 2015": 640 units in 2015.
    # 571 → (640 − 571) / 640 = 69 / 640 = 10.78125% → met; 590 → 50 / 640 = 7.8125% → not met;
    # the most allowed is 640 × 0.9 = 576, and 576 itself is exactly 10% → met.
    out = evaluate("at_least_pct_below_baseline", 571.0, 10, baseline=640.0)
    assert out.status == "met" and out.achieved == pytest.approx(10.78125)
    out = evaluate("at_least_pct_below_baseline", 590.0, 10, baseline=640.0)
    assert out.status == "not_met" and out.achieved == pytest.approx(7.8125) and out.required == pytest.approx(576.0)
    assert evaluate("at_least_pct_below_baseline", 576.0, 10, baseline=640.0).status == "met"
    assert evaluate("at_least_pct_below_baseline", 576.0, 10, baseline=None).status == "no_data"


def test_at_least_pct_over_plan():
    # Annex 1, 8.3 "vượt chỉ tiêu được Chính phủ giao từ 4% trở lên": plan 6,800 billion VND.
    # 6,970 is (6970 − 6800) / 6800 = 170 / 6800 = 2.5% over → not met; 6,800 × 1.04 = 7,072 → met.
    out = evaluate("at_least_pct_over_plan", 6970.0, 4, reference=6800.0)
    assert out.status == "not_met" and out.achieved == pytest.approx(2.5) and out.required == pytest.approx(7072.0)
    assert evaluate("at_least_pct_over_plan", 7072.0, 4, reference=6800.0).status == "met"
    assert evaluate("at_least_pct_over_plan", 7072.0, 4, reference=None).status == "no_data"


def test_at_most_reference():
    # Annex 1, 4.2.1 "không vượt quá ... biên chế được giao": 2,271 used of 2,260 → 11 over → not met;
    # 2,296 of 2,300 → 4 under → met.
    out = evaluate("at_most_reference", 2271.0, None, reference=2260.0)
    assert (out.status, out.achieved) == ("not_met", 11.0)
    out = evaluate("at_most_reference", 2296.0, None, reference=2300.0)
    assert (out.status, out.achieved) == ("met", -4.0)


def test_no_value_is_no_data():
    assert evaluate("ge_value", None, 90).status == "no_data"


# ------------------------------------------------------------------------------------ catalogue


@pytest.fixture(scope="module")
def catalogue():
    docs = Documents.from_dir(RAW, ("plan/*/plan.yaml",))
    plan = load_plan(docs, PurePosixPath("plan/vinh-long-2639-2020/plan.yaml"))
    result = PLAN_TARGETS.read(PLAN_DIR / "targets.csv", "plan/vinh-long-2639-2020/targets.csv")
    staged = stage_targets(result.rows, [plan])
    return plan, staged


def test_catalogue_is_complete_and_sourced(catalogue):
    plan, staged = catalogue
    assert staged.quarantine.is_empty(), staged.quarantine.to_dicts()
    rows = staged.rows
    codes = set(rows["target_code"])
    # Annex 1 ends with field 8 (8.1-8.4); Annex 2 has five SIPAS indices; Annex 3 has 30 PAPI tasks
    # in 8 dimensions (4 + 7 + 3 + 3 + 4 + 4 + 3 + 2 = 30).
    assert {"1.1", "3.4.3", "4.2.3", "6.3.4", "7.4.2", "8.1", "8.2.1", "8.2.2", "8.3", "8.4"} <= codes
    assert {f"SIPAS.{n}" for n in range(1, 6)} <= codes
    assert len([c for c in codes if c.startswith("PAPI.") and c.count(".") == 2]) == 30
    assert rows["source"].str.starts_with("2639/QĐ-UBND ").all()
    # The decision's contradictions are kept, each version with its own source.
    versions = {
        r["variant"]: (r["target_value"], r["source"])
        for r in rows.filter(pl.col("target_code") == "8.2.1").iter_rows(named=True)
    }
    assert versions == {
        "phu-luc-1": (20.0, "2639/QĐ-UBND Annex 1, 8.2.1"),
        "phan-2": (30.0, "2639/QĐ-UBND Part II I.8.b"),
    }
    sipas = dict(rows.filter(pl.col("target_code") == "SIPAS.1").select("variant", "target_value").iter_rows())
    assert sipas == {"yeu-cau": 82.0, "ket-qua": 83.0}
    assert plan.baseline_year == 2015 and plan.decision_no == "2639/QĐ-UBND"


def test_bad_catalogue_row_is_quarantined(catalogue):
    plan, _ = catalogue
    raw = {
        "source_file": "plan/vinh-long-2639-2020/targets.csv",
        "row_number": 2,
        "code": "9.9",
        "metric": "x_pct",
        "comparator": "roughly",
        "target_value": "50",
        "lead_agency": "Sở Nội vụ",
        "reporting_frequency": "năm",
        "source": "2639/QĐ-UBND Annex 1, 9.9",
    }
    staged = stage_targets([raw], [plan])
    (bad,) = staged.quarantine.to_dicts()
    assert (bad["rule"], bad["column_name"], bad["row_number"]) == ("unknown_comparator", "Cách so sánh", 2)
    assert "không thuộc" in bad["message"]


# -------------------------------------------------------------------------------------- choices


def _track_821(catalogue, choice: str | None, *, default: bool = True) -> dict[str, str]:
    """8.2.1 in 2024 for a province whose new enterprises went 530 (2023) → 650 (2024)."""
    plan, staged = catalogue
    targets = staged.rows.filter(pl.col("target_code") == "8.2.1")
    plans, defaults = plans_frame([plan])
    if not default:
        defaults = defaults.clear()
    stats = stage_statistics(
        [
            {"source_file": "s.csv", "row_number": 2, "province_code": "T", "year": "2023", "period": "Cả năm",
             "indicator_code": "new_enterprises_count", "value": "530"},
            {"source_file": "s.csv", "row_number": 3, "province_code": "T", "year": "2024", "period": "Cả năm",
             "indicator_code": "new_enterprises_count", "value": "650"},
        ],
        {"T"},
        value_kinds(targets),
    ).rows  # fmt: skip
    assignments = stage_assignments(
        [{"source_file": "a.csv", "row_number": 2, "province_code": "T", "plan_id": plan.plan_id, "from_year": "2024"}],
        [plan],
        {"T"},
    ).rows
    choices = stage_choices(
        []
        if choice is None
        else [{"source_file": "c.csv", "row_number": 2, "province_code": "T", "plan_id": plan.plan_id,
               "target_code": "8.2.1", "variant": choice}],
        targets,
        {"T"},
    ).rows  # fmt: skip
    tracking = track(targets, stats, assignments, choices, plans, defaults)
    assert tracking["period"].unique().to_list() == ["2024"]  # 2023 is only the comparison
    row = tracking.filter("in_force").row(0, named=True)
    return {"variant": row["variant"], "status": row["status"], "basis": row["variant_basis"]}


def test_switching_the_choice_changes_the_status_of_8_2_1(catalogue):
    # 530 → 650 is +22.64%: at least +20% (Annex 1) → met; at least +30% (Part II I.8.b) → not met.
    assert _track_821(catalogue, "phu-luc-1") == {"variant": "phu-luc-1", "status": "met", "basis": "choice"}
    assert _track_821(catalogue, "phan-2") == {"variant": "phan-2", "status": "not_met", "basis": "choice"}
    # No choice: the plan's default (plan.yaml: Annex 1); no default either: the first row listed.
    assert _track_821(catalogue, None) == {"variant": "phu-luc-1", "status": "met", "basis": "plan_default"}
    assert _track_821(catalogue, None, default=False)["basis"] == "first_listed"


def test_choice_of_a_variant_that_does_not_exist_is_quarantined(catalogue):
    _, staged = catalogue
    bad = stage_choices(
        [{"source_file": "plan/target_choices.csv", "row_number": 3, "province_code": "T",
          "plan_id": "vinh-long-2639-2020", "target_code": "8.2.1", "variant": "25pct"}],
        staged.rows,
        {"T"},
    ).quarantine.row(0, named=True)  # fmt: skip
    assert bad["rule"] == "unknown_variant" and "phan-2" in bad["message"] and "phu-luc-1" in bad["message"]


# --------------------------------------------------------------------------- change, risk, streak


def test_at_risk_streak_and_trend(catalogue):
    # 7.3.2 postal dossiers "từ 10% trở lên": 4.2% (2022), 3.6% (2023), 3.1% (2024): not met three
    # years running, each year lower than the one before → at risk in 2023 and 2024, worsening.
    plan, staged = catalogue
    targets = staged.rows.filter(pl.col("target_code") == "7.3.2")
    plans, defaults = plans_frame([plan])
    raw = [
        {"source_file": "s.csv", "row_number": i + 2, "province_code": "T", "year": str(year), "period": "Cả năm",
         "indicator_code": "postal_dossiers_received_pct", "value": value}
        for i, (year, value) in enumerate([(2022, "4,2"), (2023, "3,6"), (2024, "3,1")])
    ]  # fmt: skip
    stats = stage_statistics(raw, {"T"}, value_kinds(targets)).rows
    assignments = pl.DataFrame(
        {"province_code": ["T"], "plan_id": [plan.plan_id], "from_year": [2022], "to_year": [None]},
        schema={"province_code": pl.String, "plan_id": pl.String, "from_year": pl.Int32, "to_year": pl.Int32},
    )
    choices = stage_choices([], targets, {"T"}).rows
    t = track(targets, stats, assignments, choices, plans, defaults).sort("year")
    assert t["actual"].to_list() == pytest.approx([4.2, 3.6, 3.1])  # decimal commas read
    assert t["status"].to_list() == ["not_met"] * 3
    assert t["prev_actual"].to_list()[1:] == pytest.approx([4.2, 3.6])
    assert t["delta"].to_list()[1:] == pytest.approx([-0.6, -0.5])
    assert t["change"].to_list() == [None, "worse", "worse"]
    assert t["at_risk"].to_list() == [False, True, True]
    assert t["streak_length"].to_list() == [1, 2, 3]
    assert t["trend"].to_list() == [None, "worsening", "worsening"]


# -------------------------------------------------------------------------------- statistics input


def _kinds(catalogue) -> dict[str, str]:
    return value_kinds(catalogue[1].rows)


def test_malformed_statistics_rows_are_quarantined_with_reasons(catalogue):
    base = {"source_file": "statistics/2024/x.csv", "province_code": "MAU", "year": "2024", "reported_at": "10/04/2024"}
    raw = [
        {**base, "row_number": 2, "period": "Quý I", "indicator_code": "online_dossiers_pct", "value": "21,5"},
        {**base, "row_number": 3, "period": "Quý I", "indicator_code": "postal_dossiers_received_pct", "value": "3,1x"},
        {**base, "row_number": 4, "period": "Quý II", "indicator_code": "online_dossiers_pct", "value": "17"},
        {**base, "row_number": 5, "period": "Quý I", "indicator_code": "electronic_documents_pct", "value": "120"},
        {**base, "row_number": 6, "period": "Quý I", "indicator_code": "dossiers_late_pct", "value": "3"},
        {**base, "row_number": 7, "period": "Quý I", "indicator_code": "papi_II_4_done",
         "value": unicodedata.normalize("NFD", "Đã thực hiện")},
        {**base, "row_number": 8, "period": "Cả năm", "indicator_code": "papi_II_3_done", "value": "một nửa"},
    ]  # fmt: skip
    stage = stage_statistics(raw, {"MAU"}, _kinds(catalogue))
    good = {r["indicator_code"]: r["value"] for r in stage.rows.iter_rows(named=True)}
    assert good == {"online_dossiers_pct": 21.5, "papi_II_4_done": 1.0}  # NFD text is still "Đã thực hiện"
    bad = {r["row_number"]: r for r in stage.quarantine.iter_rows(named=True)}
    assert {n: bad[n]["rule"] for n in bad} == {
        3: "not_a_number",
        4: "period_not_cumulative",
        5: "pct_out_of_range",
        6: "unknown_indicator",
        8: "not_a_number",
    }
    assert bad[3]["column_name"] == "Giá trị" and bad[3]["value"] == "3,1x"
    assert "statistics/2024/x.csv, dòng 3" in bad[3]["message"] and "không phải là số" in bad[3]["message"]
    assert "6 tháng" in bad[4]["message"] and bad[4]["column_name"] == "Kỳ báo cáo"
    assert "ngoài 0-100" in bad[5]["message"]
    assert "Đã thực hiện" in bad[8]["message"]
    assert stage.rows.height + stage.quarantine["row_number"].n_unique() == len(raw)  # 7 = 2 staged + 5


def test_workbook_cell_is_reported_by_sheet_row_and_column(tmp_path, catalogue):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    ws["A1"] = "SỐ LIỆU KINH TẾ - XÃ HỘI (thử)"
    for r, (label, value) in enumerate([("Mã tỉnh:", "MAU"), ("Năm:", 2024), ("Ngày báo cáo:", "20/01/2025")], 3):
        ws.cell(r, 1, label)
        ws.cell(r, 2, value)
    header = ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Quý I", "6 tháng", "9 tháng", "Cả năm"]
    for c, h in enumerate(header, 1):
        ws.cell(8, c, h)
    ws.append(["", "I. CHỈ TIÊU KINH TẾ"])  # a heading row, no values: not data
    ws.append(["budget_revenue_bn", "Thu ngân sách", "tỷ đồng", 1845, "3.790,5", "đang cập nhật", 7665])
    ws.append(["Người lập biểu"])
    path = tmp_path / "tk.xlsx"
    wb.save(path)
    read = read_statistics_workbook(path, "statistics/2024/tk.xlsx")
    assert read.problem is None and len(read.rows) == 4  # four value cells on row 10
    stage = stage_statistics(read.rows, {"MAU"}, _kinds(catalogue))
    values = {r["period_code"]: r["value"] for r in stage.rows.iter_rows(named=True)}
    assert values == {"Q1": 1845.0, "H1": 3790.5, "Y": 7665.0}  # "3.790,5": thousands point, decimal comma
    (bad,) = stage.quarantine.to_dicts()
    assert (bad["sheet"], bad["row_number"], bad["column_name"], bad["rule"]) == (
        "Số liệu",
        10,
        "9 tháng",
        "not_a_number",
    )
    assert "ô F10" in bad["message"] and "đang cập nhật" in bad["message"]


def test_later_report_supersedes_earlier(catalogue):
    base = {
        "province_code": "MAU",
        "year": "2024",
        "period": "Cả năm",
        "indicator_code": "dossiers_on_time_commune_pct",
    }
    raw = [
        {**base, "source_file": "a.csv", "row_number": 5, "value": "98,10", "reported_at": "20/01/2025"},
        {**base, "source_file": "b.csv", "row_number": 2, "value": "97,85", "reported_at": "28/02/2025"},
    ]
    stage = stage_statistics(raw, {"MAU"}, _kinds(catalogue))
    assert stage.rows["value"].to_list() == [97.85]
    (old,) = stage.quarantine.to_dicts()
    assert (old["source_file"], old["rule"]) == ("a.csv", "superseded")


# ------------------------------------------------------------------------------------- report


def test_report_escapes_input_text_and_says_synthetic():
    row = {
        "period": "2024", "target_code": "1.1", "metric": "m", "actual": 90.0, "target": 100.0,
        "comparator": "eq_100pct", "status": "not_met", "prev_actual": 95.0, "delta": -5.0,
        "lead_agency": "<script>alert(1)</script>", "source": "2639/QĐ-UBND Annex 1, 1.1", "variant": None,
        "variant_basis": None, "variants_available": 1, "other_variants": None, "year": 2024, "period_code": "Y",
        "period_kind": "year", "period_label": "Năm 2024", "province_code": "T", "province": "Tỉnh <b>Thử</b>",
        "plan_id": "p", "field_code": "1", "field_title": "Chỉ đạo & điều hành", "title": "Kế hoạch <i>CCHC</i>",
        "unit": "%", "target_text": "100%", "status_vi": "Chưa đạt", "status_reason": None, "change": "worse",
        "at_risk": True, "trend": "worsening", "streak_status": "not_met", "streak_length": 2, "seq": 1,
    }  # fmt: skip
    plans = pl.DataFrame(
        [{"plan_id": "p", "decision_no": "1/QĐ", "decision_date": "2020-10-02", "title": "Kế hoạch thử",
          "reported_by": "Sở Nội vụ", "reported_to": "Ủy ban nhân dân tỉnh"}]
    )  # fmt: skip
    card = pl.DataFrame(
        [{"province_code": "T", "period": "2024", "lead_agency": "<script>alert(1)</script>", "targets": 1,
          "met": 0, "not_met": 1, "no_data": 0, "at_risk": 1}]
    )  # fmt: skip
    page = build_progress_report(pl.DataFrame([row]), card, plans, period="2024", synthetic=True)
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "Tỉnh &lt;b&gt;Thử&lt;/b&gt;" in page and "Chỉ đạo &amp; điều hành" in page
    assert page.count(SYNTHETIC_BANNER) == 2  # top and bottom
    assert "http://" not in page and "https://" not in page
    assert "Có nguy cơ" in page and "Kính gửi: Ủy ban nhân dân tỉnh" in page


# ----------------------------------------------------------------------------------- sample data


def test_plan_sample_is_what_the_generator_writes(tmp_path):
    """The committed synthetic files are byte-identical to a fresh run of scripts/make_plan_sample.py."""
    subprocess.run(
        [sys.executable, "-m", "scripts.make_plan_sample", "--out", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert fresh, "the generator wrote nothing"
    stale = [str(p) for p in fresh if not (RAW / p).exists() or (RAW / p).read_bytes() != (tmp_path / p).read_bytes()]
    assert not stale, f"run `.venv/bin/python -m scripts.make_plan_sample`: {stale[:5]}"
