"""Generate the SYNTHETIC improvement-plan sample in ``data/raw/plan/`` and ``data/raw/statistics/``.

Run from the repository root::

    .venv/bin/python -m scripts.make_plan_sample            # writes into data/raw/
    .venv/bin/python -m scripts.make_plan_sample --out DIR  # writes elsewhere

The province "Tỉnh Mẫu (dữ liệu tổng hợp)" (``MAU``) is made up. It tracks the targets of Vĩnh Long's
plan, Decision 2639/QĐ-UBND, read from ``data/raw/plan/vinh-long-2639-2020/targets.csv``
(the catalogue is written by hand from the decision; this script does not touch it). Files follow
docs/inputs.md. Deterministic: fixed values, a fixed random seed for the small quarterly wobble,
fixed workbook timestamps. Do not edit the outputs by hand: change this script and run it again.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RAW = REPO / "data" / "raw"
PLAN_ID = "vinh-long-2639-2020"
CATALOGUE = DEFAULT_RAW / "plan" / PLAN_ID / "targets.csv"
PROVINCE = "MAU"
SEED = 20201002  # date of Decision 2639/QĐ-UBND
YEARS = (2022, 2023, 2024)
FIXED_DT = datetime(2025, 3, 3, 8, 0, 0)
PERIODS = ("Q1", "H1", "Q3", "Y")
PERIOD_LABELS = {"Q1": "Quý I", "H1": "6 tháng", "Q3": "9 tháng", "Y": "Cả năm"}
REPORTED = {"Q1": "10/04/{y}", "H1": "10/07/{y}", "Q3": "10/10/{y}", "Y": "20/01/{n}"}
FREQ_PERIODS = {"quý": ("Q1", "Q3"), "6 tháng": ("H1",), "năm": ("Y",)}

# --------------------------------------------------------------------------------------------------
# The story of Tỉnh Mẫu, year by year (values for the whole year, cumulative to 31/12).
# Some targets are met, some not, some get worse (at risk); see the README written below.
# --------------------------------------------------------------------------------------------------
YEARLY: dict[str, tuple[float, float, float]] = {
    "par_plan_tasks_done_pct": (96.5, 100, 100),
    "par_reports_on_time_pct": (100, 100, 100),
    "par_inspected_units_pct": (32.0, 30.0, 35.5),  # 2023: exactly 30 — "trên 30%" not met, "từ 30%" met
    "par_inspection_issues_handled_pct": (100, 100, 100),
    "par_communication_forms_count": (3, 3, 3),
    "par_initiatives_count": (2, 3, 4),
    "gov_assigned_tasks_on_time_pct": (100, 100, 98.5),
    "law_monitoring_activities_count": (3, 3, 3),
    "law_monitoring_followup_done": (1, 1, 1),
    "legal_docs_review_handled_pct": (65.0, 72.5, 78.0),
    "legal_docs_inspection_handled_pct": (80.0, 75.0, 68.5),  # falls below 70% in 2024: at risk
    "tthc_ultra_vires_rules_count": (0, 0, 1),  # one rule beyond authority in 2024: at risk
    "tthc_review_issues_handled_pct": (100, 100, 100),
    "tthc_published_on_time_pct": (98.2, 100, 100),
    "tthc_national_db_pct": (100, 100, 100),
    "tthc_internal_process_pct": (100, 97.4, 100),
    "tthc_posted_onestop_pct": (100, 100, 100),
    "tthc_posted_portal_pct": (100, 100, 100),
    "dossier_progress_public_pct": (100, 100, 100),
    "tthc_onestop_pct": (100, 100, 100),
    "vertical_tthc_onestop_pct": (85.0, 92.0, 100),
    "interagency_same_level_tthc_count": (42, 51, 58),
    "interagency_cross_level_tthc_count": (25, 28, 33),
    "dossiers_on_time_department_pct": (99.12, 99.56, 99.81),
    "dossiers_on_time_district_pct": (98.40, 98.95, 99.30),
    "dossiers_on_time_commune_pct": (99.20, 98.70, 97.85),  # worse every year: at risk (2024 corrected)
    "late_dossiers_apologised_pct": (85.0, 92.0, 100),
    "tthc_quality_assessed_levels_count": (3, 3, 3),
    "feedback_handled_pct": (100, 100, 100),
    "feedback_answers_published_pct": (96.0, 100, 100),
    "org_functions_defined_pct": (100, 100, 100),
    "units_over_deputy_limit_count": (2, 1, 0),
    "public_service_units_count": (590, 571, 560),  # 2015: 640
    "admin_staff_quota_count": (2350, 2300, 2260),  # 2015: 2560
    "admin_staff_count": (2318, 2296, 2271),  # 2024 above the quota: 4.2.1 at risk
    "public_service_staff_quota_count": (18650, 18300, 18100),
    "public_service_staff_count": (18400, 18210, 17990),
    "decentralisation_tasks_done": (1, 1, 1),
    "decentralisation_rules_done": (1, 1, 1),
    "decentralisation_inspection_done": (1, 1, 1),
    "decentralisation_issues_handled_pct": (100, 100, 100),
    "civil_servants_by_job_position_pct": (100, 100, 100),
    "public_employees_by_job_position_pct": (94.0, 97.0, 100),
    "civil_servant_recruitment_compliant_pct": (100, 100, 100),
    "public_employee_recruitment_compliant_pct": (100, 100, 100),
    "civil_servant_promotion_exam_done": (1, 1, 1),
    "public_employee_promotion_exam_done": (1, 1, 1),
    "leaders_appointed_compliant_pct": (100, 100, 100),
    "staff_assessment_procedure_done": (1, 1, 1),
    "leaders_disciplined_count": (1, 0, 0),
    "training_plan_done_pct": (96.2, 94.1, 92.8),  # below 95% and falling: at risk
    "commune_civil_servants_qualified_pct": (97.5, 98.6, 99.1),
    "commune_cadres_qualified_pct": (99.0, 100, 100),
    "public_investment_disbursed_pct": (91.2, 86.4, 93.5),
    "admin_budget_violations_count": (0, 0, 0),
    "audit_recommendations_paid_pct": (100, 88.5, 100),
    "public_asset_regulations_issued_count": (3, 4, 4),
    "public_asset_rules_issued_pct": (None, 100, 100),  # 2022 not reported: no data
    "property_rearrangement_approved_pct": (72.0, 81.5, 84.0),
    "public_asset_inspection_done": (1, 1, 1),
    "sncl_self_financed_count": (41, 42, 45),  # 2021: 38
    "sncl_partly_self_financed_count": (213, 214, 215),  # 2021: 210
    "sncl_financial_violations_count": (0, 0, 0),
    "sncl_recurrent_budget_bn": (1702.5, 1640.2, 1598.0),  # 2015: 1850
    "egov_architecture_done": (1, 1, 1),
    "electronic_documents_pct": (88.5, 91.2, 93.4),
    "document_software_communes_connected_pct": (100, 100, 100),
    "onestop_system_connected_pct": (100, 100, 100),
    "public_service_portal_compliant_done": (1, 1, 1),
    "reporting_system_compliant_done": (0, 1, 1),
    "online_tthc_with_dossiers_pct": (41.0, 48.5, 56.2),
    "online_dossiers_pct": (12.4, 16.8, 21.5),
    "postal_tthc_with_dossiers_pct": (52.0, 55.1, 57.0),
    "postal_dossiers_received_pct": (4.2, 3.6, 3.1),  # below 10% and falling: at risk
    "postal_results_returned_pct": (11.5, 10.2, 9.4),  # falls below 10% in 2024: at risk
    "iso_announced_pct": (100, 100, 100),
    "iso_maintained_pct": (95.0, 100, 100),
    "sipas_access_pct": (82.4, 83.1, 82.6),  # between 82 (text) and 83 (result column) in 2022, 2024
    "sipas_procedures_pct": (80.5, 81.2, 79.4),
    "sipas_civil_servants_pct": (81.0, 82.5, 83.0),
    "sipas_results_pct": (80.2, 81.6, 82.0),
    "sipas_feedback_pct": (78.5, 80.1, 81.0),
    "par_index_rank": (34, 28, 25),
    "sipas_rank": (41, 33, 36),
    "papi_rank": (45, 38, 31),
}
BASELINE_2015 = {"admin_staff_quota_count": 2560, "public_service_units_count": 640, "sncl_recurrent_budget_bn": 1850}
PREV_2021 = {
    "sncl_self_financed_count": 38,
    "sncl_partly_self_financed_count": 210,
    "par_index_rank": 37,
    "sipas_rank": 44,
    "papi_rank": 47,
    "sipas_access_pct": 81.2,
    "sipas_procedures_pct": 79.0,
    "sipas_civil_servants_pct": 80.4,
    "sipas_results_pct": 79.8,
    "sipas_feedback_pct": 77.0,
}
# Socio-economic statistics, cumulative from 1 January: Quý I, 6 tháng, 9 tháng, Cả năm.
SOCIO: dict[str, dict[int, tuple]] = {
    "investment_attracted_bn": {
        2021: (2105.0, 5320.0, 8410.0, 12450.0),
        2022: (2630.5, 6890.0, 10950.0, 15820.5),
        2023: (2210.0, 5960.0, 9480.0, 14105.0),  # below 2022: 8.1 not met
        2024: (3120.0, 7845.0, 12610.0, 18730.0),
    },
    "new_enterprises_count": {
        2021: (95, 198, 305, 420),
        2022: (112, 240, 371, 505),  # +20.24%: met with +20% (Annex 1), not with +30% (Part II)
        2023: (120, 251, 388, 530),  # +4.95%: not met
        2024: (150, 318, 470, 650),  # +22.64%; Q1 +25%
    },
    "enterprise_budget_share_pct": {
        2021: (60.8, 61.0, 61.2, 61.5),
        2022: (61.9, 62.3, 62.5, 62.8),
        2023: (62.4, 62.0, 62.2, 62.1),
        2024: (61.8, 61.5, 61.6, 61.4),  # falls again: at risk
    },
    "budget_revenue_bn": {
        2022: (1610.0, 3290.0, 4905.0, 6510.0),
        2023: (1702.0, 3455.0, 5180.0, 6970.0),
        2024: (1845.0, 3790.0, "đang cập nhật", 7665.0),  # 9 tháng not typed yet: quarantined
    },
    "budget_revenue_plan_bn": {
        2022: (None, None, None, 6200.0),
        2023: (None, None, None, 6800.0),
        2024: (None, None, None, 7300.0),
    },
    "grdp_growth_pct": {
        2021: (4.9, 5.0, 5.1, 5.2),
        2022: (6.5, 6.8, 7.0, 7.1),
        2023: (6.6, 6.4, 6.3, 6.3),
        2024: (5.8, 5.9, 6.1, 6.0),  # lower than 2023: at risk
    },
    "public_investment_disbursed_pct": {
        2022: (16.4, 38.2, 63.5, 91.2),
        2023: (14.9, 35.0, 58.8, 86.4),
        2024: (17.2, 40.3, 66.1, 93.5),
    },
}
SOCIO_NAMES = {
    "investment_attracted_bn": ("Tổng vốn thu hút đầu tư", "tỷ đồng"),
    "new_enterprises_count": ("Số doanh nghiệp thành lập mới", "doanh nghiệp"),
    "enterprise_budget_share_pct": ("Tỷ lệ đóng góp của khu vực doanh nghiệp vào thu ngân sách tỉnh", "%"),
    "budget_revenue_bn": ("Thu ngân sách nhà nước trên địa bàn", "tỷ đồng"),
    "budget_revenue_plan_bn": ("Dự toán thu ngân sách Chính phủ giao", "tỷ đồng"),
    "grdp_growth_pct": ("Tốc độ tăng tổng sản phẩm trên địa bàn (GRDP)", "%"),
    "public_investment_disbursed_pct": ("Tỷ lệ giải ngân vốn đầu tư công so với kế hoạch", "%"),
}
# PAPI tasks (Annex 3) not done: (metric, year) → periods not done. Everything else is done.
PAPI_NOT_DONE = {
    ("papi_VII_2_done", 2022): ("Q1", "H1", "Q3", "Y"),
    ("papi_VII_2_done", 2023): ("Q1", "H1"),
    ("papi_II_4_done", 2024): ("Q3", "Y"),  # done in 2023, not in 2024: at risk
    ("papi_I_3_done", 2023): ("Q1",),
}
PAPI_NOT_REPORTED = {("papi_III_3_done", 2024)}  # the courts sent nothing in 2024: no data
# Quarterly values a person should be able to check by hand (docs, tests): metric → year → (Q1, H1, Q3).
QUARTERLY_FIXED = {
    "dossiers_on_time_commune_pct": {
        2022: (99.35, 99.28, 99.22),
        2023: (98.90, 98.82, 98.75),
        2024: (98.40, 98.21, 98.02),
    },
    "postal_dossiers_received_pct": {2022: (4.5, 4.4, 4.3), 2023: (3.9, 3.8, 3.7), 2024: (3.4, 3.2, 3.1)},
}
CORRECTION_2024 = ("dossiers_on_time_commune_pct", 98.10, 97.85)  # first sent, corrected


def dmy_reported(code: str, year: int) -> str:
    return REPORTED[code].format(y=year, n=year + 1)


def comma(value: float, decimals: int = 2) -> str:
    """`97,85` as officers type it (decimal comma, no trailing zeros)."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


class PlanSample:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        with CATALOGUE.open(encoding="utf-8", newline="") as fh:
            self.targets = list(csv.DictReader(fh))
        self.metric_info: dict[str, dict] = {}
        for t in self.targets:
            info = self.metric_info.setdefault(
                t["metric"], {"unit": t["unit"], "lead": t["lead_agency"].split(";")[0].strip(), "periods": set()}
            )
            for freq in t["reporting_frequency"].split(";"):
                info["periods"].update(FREQ_PERIODS[freq.strip()])
        for t in self.targets:
            if t["reference_metric"] and t["reference_metric"] not in self.metric_info:
                self.metric_info[t["reference_metric"]] = {
                    "unit": t["unit"],
                    "lead": self.metric_info[t["metric"]]["lead"],
                    "periods": set(self.metric_info[t["metric"]]["periods"]),
                }
        self.papi = [m for m in self.metric_info if m.startswith("papi_") and m.endswith("_done")]

    # ------------------------------------------------------------------------------------ values
    def quarterly(self, metric: str, year: int, yearly: float) -> dict[str, float]:
        """Cumulative values to Q1, H1 and Q3 near the year's value (the same metric, earlier cut-offs)."""
        if metric in QUARTERLY_FIXED:
            return dict(zip(("Q1", "H1", "Q3"), QUARTERLY_FIXED[metric][year], strict=True))
        unit = self.metric_info[metric]["unit"]
        out = {}
        for code in ("Q1", "H1", "Q3"):
            if unit == "%":
                wobble = round(self.rng.uniform(-0.8, 0.8), 2)
                value = 100.0 if yearly == 100 else round(min(100.0, max(0.0, yearly + wobble)), 2)
            elif unit == "có/không":
                value = yearly
            else:
                value = max(0, int(yearly) - {"Q1": 2, "H1": 1, "Q3": 0}[code])
            out[code] = value
        return out

    def operational_rows(self, year: int) -> list[dict]:
        rows = []
        index = YEARS.index(year)
        for metric, values in YEARLY.items():
            yearly = values[index]
            if yearly is None or metric in SOCIO or metric.startswith(("sipas_", "par_index_rank", "papi_rank")):
                continue
            info = self.metric_info[metric]
            periods = [p for p in PERIODS if p in info["periods"]]
            cut = self.quarterly(metric, year, yearly) if set(periods) - {"Y"} else {}
            for code in periods:
                value = yearly if code == "Y" else cut[code]
                if metric == CORRECTION_2024[0] and year == 2024 and code == "Y":
                    value = CORRECTION_2024[1]  # the first figure sent; corrected in a later file
                rows.append(self.csv_row(metric, year, code, value, decimal_comma=year != 2023))
        return rows

    def csv_row(self, metric: str, year: int, code: str, value: float, *, decimal_comma: bool) -> dict:
        info = self.metric_info[metric]
        if isinstance(value, float) and not float(value).is_integer():
            text = comma(value) if decimal_comma else f"{value:g}"
        else:
            text = str(int(value))
        return {
            "province_code": PROVINCE,
            "year": year,
            "period": PERIOD_LABELS[code],
            "indicator_code": metric,
            "value": text,
            "unit": info["unit"],
            "reporting_agency": info["lead"],
            "reported_at": dmy_reported(code, year),
            "note": "",
        }

    # ------------------------------------------------------------------------------------ files
    def write(self, out: Path) -> list[Path]:
        plan_dir, stats = out / "plan", out / "statistics"
        plan_dir.mkdir(parents=True, exist_ok=True)
        written = [
            write_csv(
                plan_dir / "plan_assignments.csv",
                ["province_code", "plan_id", "from_year", "to_year", "note"],
                [
                    {
                        "province_code": PROVINCE,
                        "plan_id": PLAN_ID,
                        "from_year": YEARS[0],
                        "to_year": "",
                        "note": "Tỉnh mẫu (dữ liệu tổng hợp) theo dõi các chỉ tiêu của Kế hoạch 2639/QĐ-UBND",
                    }
                ],
            ),
            write_csv(
                plan_dir / "target_choices.csv",
                ["province_code", "plan_id", "target_code", "variant", "decided_by", "decided_at", "note"],
                [
                    {
                        "province_code": PROVINCE,
                        "plan_id": PLAN_ID,
                        "target_code": "8.2.1",
                        "variant": "phu-luc-1",
                        "decided_by": "Sở Nội vụ (dữ liệu tổng hợp)",
                        "decided_at": "15/01/2022",
                        "note": "Theo Phụ lục 1 là bảng phân công cơ quan chủ trì (Phần III mục 2.a)",
                    },
                    {
                        "province_code": PROVINCE,
                        "plan_id": PLAN_ID,
                        "target_code": "SIPAS.1",
                        "variant": "ket-qua",
                        "decided_by": "Sở Nội vụ (dữ liệu tổng hợp)",
                        "decided_at": "15/01/2022",
                        "note": "Theo cột Kết quả của Phụ lục 2, như bốn chỉ số SIPAS còn lại",
                    },
                ],
            ),
        ]
        columns = [
            "province_code", "year", "period", "indicator_code", "value", "unit", "reporting_agency", "reported_at",
            "note",
        ]  # fmt: skip
        # 2015 baseline (2639/QĐ-UBND Annex 1, 4.1.3, 4.2.3, 6.3.4).
        (stats / "2015").mkdir(parents=True, exist_ok=True)
        base = [
            {**self.csv_row(m, 2015, "Y", v, decimal_comma=True), "reported_at": "25/01/2016",
             "note": "Số liệu năm gốc 2015"}
            for m, v in BASELINE_2015.items()
        ]  # fmt: skip
        written.append(write_csv(stats / "2015" / "bien-che-2015.csv", columns, base))
        # 2021: what 2022 is compared with.
        (stats / "2021").mkdir(parents=True, exist_ok=True)
        prev = [self.csv_row(m, 2021, "Y", v, decimal_comma=True) for m, v in PREV_2021.items()]
        written.append(write_csv(stats / "2021" / "chi-tieu-2021.csv", columns, prev))
        written.append(self.write_socio(stats / "2021" / "thong-ke-kt-xh-2021.xlsx", 2021))
        for year in YEARS:
            folder = stats / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            rows = self.operational_rows(year)
            if year == 2023:
                # A quarter's own value sent as "Quý II": quarantined (values must be cumulative).
                rows.append({**self.csv_row("online_dossiers_pct", 2023, "H1", 17.9, decimal_comma=False),
                             "period": "Quý II", "note": "số liệu riêng quý II"})  # fmt: skip
            written.append(write_csv(folder / f"chi-tieu-cchc-{year}.csv", columns, rows))
            index = YEARS.index(year)
            ranks = [
                self.csv_row(m, year, "Y", YEARLY[m][index], decimal_comma=year != 2023)
                for m in YEARLY
                if m.startswith("sipas_") or m in ("par_index_rank", "papi_rank")
            ]
            written.append(write_csv(folder / f"xep-hang-chi-so-{year}.csv", columns, ranks))
            written.append(self.write_socio(folder / f"thong-ke-kt-xh-{year}.xlsx", year))
            written.append(self.write_papi(folder / f"nhiem-vu-papi-{year}.xlsx", year))
        metric, first, corrected = CORRECTION_2024
        fix = {**self.csv_row(metric, 2024, "Y", corrected, decimal_comma=True), "reported_at": "28/02/2025",
               "note": "Điều chỉnh số liệu cả năm sau rà soát"}  # fmt: skip
        written.append(write_csv(stats / "2024" / "chi-tieu-cchc-2024-dieu-chinh.csv", columns, [fix]))
        written.append(self.write_readme(plan_dir / "README.md"))
        return written

    def workbook(self, title: str, year: int, agency: str) -> tuple[openpyxl.Workbook, object, int]:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Số liệu"
        bold, italic = Font(bold=True), Font(italic=True)
        center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells("A1:C1")
        ws["A1"] = "ỦY BAN NHÂN DÂN TỈNH MẪU (DỮ LIỆU TỔNG HỢP)"
        ws.merge_cells("D1:H1")
        ws["D1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
        ws.merge_cells("A2:H2")
        ws["A2"] = f"{title} NĂM {year}"
        ws.merge_cells("A3:H3")
        ws["A3"] = "(Dữ liệu tổng hợp dùng để thử nghiệm, không phải số liệu thật; số liệu lũy kế từ đầu năm)"
        for ref in ("A1", "D1", "A2"):
            ws[ref].font, ws[ref].alignment = bold, center
        ws["A3"].font, ws["A3"].alignment = italic, center
        labels = [("Mã tỉnh:", PROVINCE), ("Năm:", year), ("Cơ quan báo cáo:", agency),
                  ("Ngày báo cáo:", f"20/01/{year + 1}")]  # fmt: skip
        for offset, (label, value) in enumerate(labels):
            ws.cell(row=5 + offset, column=1, value=label).font = bold
            ws.cell(row=5 + offset, column=2, value=value)
        header_row = 10
        header = ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Quý I", "6 tháng", "9 tháng", "Cả năm", "Ghi chú"]
        for col, text in enumerate(header, start=1):
            cell = ws.cell(row=header_row, column=col, value=text)
            cell.font, cell.alignment = bold, center
        for col, width in zip("ABCDEFGH", (34, 52, 13, 11, 11, 11, 11, 30), strict=True):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = f"A{header_row + 1}"
        return wb, ws, header_row

    def finish(self, wb: openpyxl.Workbook, ws, row: int, path: Path, title: str) -> Path:
        footer = row + 3
        ws.cell(row=footer, column=1, value="Người lập biểu").font = Font(bold=True)
        ws.cell(row=footer, column=2, value="THỦ TRƯỞNG CƠ QUAN").font = Font(bold=True)
        ws.cell(row=footer + 1, column=2, value="(Ký tên, đóng dấu)").font = Font(italic=True)
        props = wb.properties
        props.creator = props.lastModifiedBy = "scripts/make_plan_sample.py (dữ liệu tổng hợp)"
        props.title = f"{title} (dữ liệu tổng hợp)"
        props.description = "Dữ liệu tổng hợp (synthetic), không phải số liệu thật"
        props.created = props.modified = FIXED_DT
        path.write_bytes(stable_xlsx_bytes(wb))
        return path

    def write_socio(self, path: Path, year: int) -> Path:
        title = "SỐ LIỆU KINH TẾ - XÃ HỘI PHỤC VỤ THEO DÕI CHỈ SỐ CẢI CÁCH HÀNH CHÍNH"
        wb, ws, row = self.workbook(title, year, "Sở Kế hoạch và Đầu tư; Cục Thống kê (dữ liệu tổng hợp)")
        row += 1
        ws.cell(row=row, column=2, value="I. CHỈ TIÊU KINH TẾ - XÃ HỘI").font = Font(bold=True)
        for metric, by_year in SOCIO.items():
            if year not in by_year:
                continue
            row += 1
            name, unit = SOCIO_NAMES[metric]
            ws.cell(row=row, column=1, value=metric)
            ws.cell(row=row, column=2, value=name)
            ws.cell(row=row, column=3, value=unit)
            for col, value in enumerate(by_year[year], start=4):
                if value is None:
                    continue
                if metric == "investment_attracted_bn" and year == 2022 and col == 7:
                    value = "15.820,5"  # typed as text with a thousands point and a decimal comma
                ws.cell(row=row, column=col, value=value)
            if metric == "budget_revenue_plan_bn":
                ws.cell(row=row, column=8, value="Dự toán cả năm")
        return self.finish(wb, ws, row, path, f"Số liệu KT-XH năm {year}")

    def write_papi(self, path: Path, year: int) -> Path:
        title = "KẾT QUẢ THỰC HIỆN NHIỆM VỤ CẢI THIỆN CHỈ SỐ PAPI"
        wb, ws, row = self.workbook(title, year, "Sở Nội vụ tổng hợp (dữ liệu tổng hợp)")
        names = {t["metric"]: (t["code"], t["title"]) for t in self.targets}
        for metric in self.papi:
            row += 1
            code, name = names[metric]
            ws.cell(row=row, column=1, value=metric)
            ws.cell(row=row, column=2, value=f"{code}. {name}")
            ws.cell(row=row, column=3, value="có/không")
            if (metric, year) in PAPI_NOT_REPORTED:
                ws.cell(row=row, column=8, value="Chưa nhận được báo cáo")
                continue
            missing = PAPI_NOT_DONE.get((metric, year), ())
            for col, code_ in enumerate(PERIODS, start=4):
                ws.cell(row=row, column=col, value="Chưa thực hiện" if code_ in missing else "Đã thực hiện")
        return self.finish(wb, ws, row, path, f"Nhiệm vụ PAPI năm {year}")

    def write_readme(self, path: Path) -> Path:
        text = f"""# Improvement-plan sample: choices and statistics (SYNTHETIC)

Everything in `statistics/` and the CSV files directly in `plan/` is **made-up data** for the
fictional province **Tỉnh Mẫu (dữ liệu tổng hợp)** (`MAU`); no number describes a real province.
The targets it is tracked against are those of Vĩnh Long's Decision 2639/QĐ-UBND, in
`plan/{PLAN_ID}/targets.csv`, written by hand from the decision. Files follow docs/inputs.md
("Improvement plan: targets, choices, statistics"). They are written by
`scripts/make_plan_sample.py` (`.venv/bin/python -m scripts.make_plan_sample`), deterministically
(fixed values, random seed {SEED} for small quarterly wobbles, fixed workbook timestamps). Do not
edit them by hand: change the generator and run it again.

## Contents
- `plan/plan_assignments.csv`: `MAU` tracks plan `{PLAN_ID}` from {YEARS[0]}.
- `plan/target_choices.csv`: `MAU` chose Annex 1 for 8.2.1 (+20%) and the result column for
  SIPAS.1 (83%); 1.3.1 has no choice, so the plan's default applies (plan.yaml).
- `statistics/2015/bien-che-2015.csv`: the 2015 baseline (staff quota 2,560; public service units
  640; direct budget spending on them 1,850 billion VND).
- `statistics/2021/`: the 2021 figures that 2022 is compared with ("năm trước liền kề").
- `statistics/<year>/thong-ke-kt-xh-<year>.xlsx` (2021-2024): socio-economic statistics, sheet
  `Số liệu`, columns `Quý I | 6 tháng | 9 tháng | Cả năm`, cumulative from 1 January.
- `statistics/<year>/chi-tieu-cchc-<year>.csv` (2022-2024): operational measures, one row per
  indicator and period (decimal commas in 2022 and 2024, points in 2023).
- `statistics/<year>/xep-hang-chi-so-<year>.csv`: SIPAS component shares and the province's ranks.
- `statistics/<year>/nhiem-vu-papi-<year>.xlsx`: the PAPI tasks of Annex 3, `Đã thực hiện` /
  `Chưa thực hiện`.

## Engineered cases
- 8.2.1 new enterprises: 2021 420, 2022 505 (+20.24%), 2023 530 (+4.95%), 2024 650 (+22.64%);
  quý I 2023 120 → quý I 2024 150 (+25%). Met under Annex 1 (+20%) in 2022 and 2024, never under
  Part II I.8.b (+30%).
- SIPAS.1 access: 82.4 / 83.1 / 82.6: met under the text's 82% every year, under the result
  column's 83% only in 2023.
- 1.3.1 inspected units: 2023 exactly 30%: not met under Annex 1 ("trên 30%"), met under Part II
  ("từ 30% trở lên").
- At risk in 2024 (not met, and worse than 2023): 1.6, 2.3, 3.1.1, 3.4.3, 4.2.1, 5.6, 7.3.2, 7.3.3,
  8.2.2, 8.4, SIPAS.1, SIPAS.2, I.2.SIPAS, PAPI.II.4.
- Baseline targets: 4.1.3 units 590 / 571 / 560 against 640 in 2015 (7.81%, 10.78%, 12.5% fewer);
  4.2.3 staff 2,318 / 2,296 / 2,271 against the 2015 quota 2,560 (9.45%, 10.31%, 11.29% fewer).
- 4.2.1 staff against the year's quota: 2,318/2,350, 2,296/2,300, 2,271/2,260 (over in 2024).
- 8.3 budget revenue against the plan: 6,510/6,200 (+5%), 6,970/6,800 (+2.5%), 7,665/7,300 (+5%).
- No data: 6.2.2 in 2022 (not reported); PAPI.III.3 in 2024 (no report from the courts).
- Quarantined on purpose: `statistics/2023/chi-tieu-cchc-2023.csv` one row with period `Quý II`
  (a quarter's own value, not cumulative); `statistics/2024/thong-ke-kt-xh-2024.xlsx` cell F15
  `đang cập nhật` (not a number).
- Corrected: `statistics/2024/chi-tieu-cchc-2024-dieu-chinh.csv` (reported 28/02/2025) corrects 3.4.3
  for 2024 from 98.10% to 97.85%; the first figure stays in quarantine as `superseded`.
"""
        path.write_text(text, encoding="utf-8")
        return path


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def stable_xlsx_bytes(wb: openpyxl.Workbook) -> bytes:
    """Save a workbook with fixed zip entry times and a fixed modified stamp (openpyxl uses now())."""
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_DT.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_DT.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_RAW, help="raw folder to write into (default data/raw)")
    args = parser.parse_args(argv)
    written = PlanSample().write(args.out)
    counts: dict[str, int] = defaultdict(int)
    for p in written:
        counts[p.suffix] += 1
    print(
        f"Synthetic improvement-plan sample (Tỉnh Mẫu, dữ liệu tổng hợp): {len(written)} files "
        f"({', '.join(f'{n} {s}' for s, n in sorted(counts.items()))}) written under {args.out}/plan and /statistics"
    )


if __name__ == "__main__":
    main()
