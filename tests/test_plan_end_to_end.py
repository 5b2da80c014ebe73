"""The real job on a copy of the bundled raw folder: improvement-plan tracking, 2022-2024.

Expected numbers are worked by hand from the synthetic statistics (data/raw/plan/README.md lists
the engineered cases) and the targets of 2639/QĐ-UBND (Vĩnh Long 2639/QĐ-UBND).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from models.par.marts import PLAN_TRACKING_COLUMNS
from pipelines.affected import affected, recorded
from pipelines.definitions import ALL_ASSETS
from reports.progress import SYNTHETIC_BANNER
from tests.e2e_helpers import query, run_job

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


@pytest.fixture(scope="module")
def curated(tmp_path_factory, sample_warehouse) -> Path:
    """The sample's warehouse, then an officer's extra statistics file, run as the raw-files sensor
    launches it: that source read again and what is downstream of it (pipelines/affected.py)."""
    raw = tmp_path_factory.mktemp("raw")
    shutil.copytree(RAW, raw, dirs_exist_ok=True)
    # An officer's extra file with two bad rows: they are quarantined and the run goes on.
    (raw / "statistics" / "2024" / "bo-sung.csv").write_text(
        "province_code,year,period,indicator_code,value,unit,reporting_agency,reported_at,note\n"
        'MAU,2024,Cả năm,online_tthc_with_dossiers_pct,"56,2%",%,Sở Thông tin và Truyền thông,20/01/2025,\n'
        "MAU,2024,Cả năm,electronic_documents_pct,193,%,Văn phòng UBND tỉnh,20/01/2025,\n",
        encoding="utf-8",
    )
    out = tmp_path_factory.mktemp("curated")
    shutil.copytree(sample_warehouse, out, dirs_exist_ok=True)
    changed = affected(["statistics/2024/bo-sung.csv"], recorded(out / ".working" / "warehouse.duckdb", raw), [])
    assert changed.sources == {"plan_statistics"} and not changed.everything
    result = run_job(raw, out, sorted(changed.selection().resolve(ALL_ASSETS)))
    assert result.success
    return out


@pytest.fixture(scope="module")
def tracking(curated) -> pl.DataFrame:
    return query(curated, "SELECT * FROM marts.plan_tracking")


def _row(tracking: pl.DataFrame, period: str, code: str) -> dict:
    rows = tracking.filter((pl.col("period") == period) & (pl.col("target_code") == code))
    assert rows.height == 1, (period, code, rows.height)
    return rows.row(0, named=True)


def test_contract_columns_and_periods(tracking):
    assert tracking.columns[: len(PLAN_TRACKING_COLUMNS)] == PLAN_TRACKING_COLUMNS
    # Three years, each with quý I, 6 tháng, 9 tháng (quý III) and the year (2639/QĐ-UBND Part III.1.d).
    expected = {f"{y}{p}" for y in (2022, 2023, 2024) for p in ("", "-Q1", "-H1", "-Q3")}
    assert set(tracking["period"]) == expected
    # One row per period and target: the version in force only.
    assert tracking.group_by("period", "target_code").len()["len"].max() == 1
    assert tracking["synthetic"].all()


def test_new_enterprises_under_the_chosen_version(tracking):
    # 8.2.1: 530 (2023) → 650 (2024): +120 / 530 = 22.64%; the sample chose Annex 1 (+20%) → met;
    # under Part II I.8.b (+30%) it would not be, and the mart says so.
    r = _row(tracking, "2024", "8.2.1")
    assert (r["actual"], r["prev_actual"], r["delta"], r["target"]) == (650, 530, 120, 20)
    assert (r["status"], r["variant"], r["variant_basis"]) == ("met", "phu-luc-1", "choice")
    assert r["achieved"] == pytest.approx(120 / 530 * 100)
    assert "phan-2" in r["other_variants"] and "Chưa đạt" in r["other_variants"]
    # Quý I: 120 (2023) → 150 (2024) = +25% over the same period of the previous year → met.
    q = _row(tracking, "2024-Q1", "8.2.1")
    assert (q["actual"], q["prev_actual"], q["status"]) == (150, 120, "met")
    # 2023: 505 → 530 = +4.95% → not met, and worse than 2022's +20.24% → at risk.
    r = _row(tracking, "2023", "8.2.1")
    assert (r["status"], r["at_risk"]) == ("not_met", True)


def test_other_contradictions_default_and_choice(tracking):
    # 1.3.1: exactly 30% in 2023; no choice for MAU, so plan.yaml's default (Annex 1, "trên 30%") → not met.
    r = _row(tracking, "2023", "1.3.1")
    assert (r["actual"], r["comparator"], r["status"], r["variant_basis"]) == (
        30,
        "gt_value",
        "not_met",
        "plan_default",
    )
    # SIPAS.1: 82.6% in 2024 under the chosen result column (≥ 83%) → not met; the text's 82% would be met.
    r = _row(tracking, "2024", "SIPAS.1")
    assert (r["target"], r["status"]) == (83, "not_met")
    assert "yeu-cau" in r["other_variants"] and ": Đạt" in r["other_variants"]


def test_baseline_plan_and_quota_targets(tracking):
    # 4.1.3: public service units against 640 in 2015: 590 → 7.8125% fewer (not met); 571 → 10.78125% (met).
    assert _row(tracking, "2022", "4.1.3")["status"] == "not_met"
    r = _row(tracking, "2023", "4.1.3")
    assert (r["status"], r["baseline_value"], r["baseline_year"]) == ("met", 640, 2015)
    assert r["achieved"] == pytest.approx(69 / 640 * 100)
    # 4.2.3: staff 2,318 against the 2015 quota 2,560: 242 / 2560 = 9.45% < 10% → not met in 2022.
    assert _row(tracking, "2022", "4.2.3")["achieved"] == pytest.approx(242 / 2560 * 100)
    # 4.2.1: 2,271 staff against a quota of 2,260 in 2024 → over by 11 → not met, at risk.
    r = _row(tracking, "2024", "4.2.1")
    assert (r["reference_value"], r["achieved"], r["status"], r["at_risk"]) == (2260, 11, "not_met", True)
    # 8.3: 6,970 against a plan of 6,800 in 2023 = +2.5% < 4% → not met.
    r = _row(tracking, "2023", "8.3")
    assert (r["reference_value"], r["status"]) == (6800, "not_met") and r["achieved"] == pytest.approx(2.5)


def test_corrected_value_wins_and_at_risk_first(tracking):
    # 3.4.3 for 2024: 98.10% first, corrected to 97.85% in a later report; 98.70% in 2023 → worse.
    r = _row(tracking, "2024", "3.4.3")
    assert (r["actual"], r["prev_actual"], r["status"], r["at_risk"]) == (97.85, 98.70, "not_met", True)
    assert r["actual_source_file"] == "statistics/2024/chi-tieu-cchc-2024-dieu-chinh.csv"
    year = tracking.filter(pl.col("period") == "2024")
    flags = year["at_risk"].to_list()
    assert flags == sorted(flags, reverse=True)  # the at-risk targets come first
    assert set(year.filter("at_risk")["target_code"]) == {
        "1.6", "2.3", "3.1.1", "3.4.3", "4.2.1", "5.6", "7.3.2", "7.3.3", "8.2.2", "8.4",
        "SIPAS.1", "SIPAS.2", "I.2.SIPAS", "PAPI.II.4",
    }  # fmt: skip
    # No data: 6.2.2 was not reported in 2022; the courts sent nothing on PAPI.III.3 in 2024.
    no_data = tracking.filter((pl.col("status") == "no_data") & (pl.col("period_kind") == "year"))
    assert sorted(no_data.select("period", "target_code").iter_rows()) == [("2022", "6.2.2"), ("2024", "PAPI.III.3")]


def test_bad_statistics_rows_are_quarantined_with_reasons(curated):
    q = query(curated, "SELECT * FROM staging.quarantine WHERE source LIKE 'plan_%' ORDER BY source_file, row_number")
    rules = {(r["source_file"], r["row_number"]): r for r in q.iter_rows(named=True)}
    bad = rules[("statistics/2024/bo-sung.csv", 2)]
    assert (bad["column_name"], bad["value"], bad["rule"]) == ("Giá trị", "56,2%", "not_a_number")
    assert "không phải là số" in bad["message"]
    assert rules[("statistics/2024/bo-sung.csv", 3)]["rule"] == "pct_out_of_range"
    cell = rules[("statistics/2024/thong-ke-kt-xh-2024.xlsx", 15)]
    assert (cell["sheet"], cell["column_name"], cell["value"]) == ("Số liệu", "9 tháng", "đang cập nhật")
    assert rules[("statistics/2023/chi-tieu-cchc-2023.csv", 132)]["rule"] == "period_not_cumulative"
    assert rules[("statistics/2024/chi-tieu-cchc-2024.csv", 54)]["rule"] == "superseded"


def test_yearly_and_quarterly_reports(curated):
    folder = curated / "reports"
    for name in ("bao-cao-tien-do-2024.html", "bao-cao-tien-do-2024-Q1.html", "bao-cao-tien-do-2024-H1.html"):
        page = (folder / name).read_text(encoding="utf-8")
        assert SYNTHETIC_BANNER in page
        assert "Tình hình, kết quả thực hiện Kế hoạch cải thiện" in page
        assert "Kính gửi: Ủy ban nhân dân tỉnh" in page and "Tóm tắt kết quả" in page
        assert "So sánh với cùng kỳ năm trước" in page and "Cơ quan chủ trì còn chỉ tiêu chưa đạt" in page
        assert "<script" not in page and "http://" not in page and "https://" not in page
    yearly = (folder / "bao-cao-tien-do-2024.html").read_text(encoding="utf-8")
    assert "Năm 2024" in yearly and "Có nguy cơ" in yearly and "Sở Thông tin và Truyền thông" in yearly
    quarterly = (folder / "bao-cao-tien-do-2024-Q1.html").read_text(encoding="utf-8")
    assert "Quý I năm 2024" in quarterly and "Cùng kỳ năm trước (Quý I năm 2023)" in quarterly
