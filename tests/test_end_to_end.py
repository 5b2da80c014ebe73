"""The real job, from `.xlsx` forms and CSV files to DuckDB marts, checked against hand-worked numbers.

Uses the mini framework of tests/mini_framework.py (1708/QĐ-UBND rules, small tree).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e_helpers import query, run_job, write_form
from tests.mini_framework import write_mini


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    write_mini(raw)
    (raw / "provinces.csv").write_text(
        "province_code,province_name,ruleset_family,synthetic\nT,Tỉnh Thử (dữ liệu tổng hợp),mini,có\n",
        encoding="utf-8",
    )
    # U2's name arrives in NFD with extra spaces in the register: still the same unit.
    nfd = "Sở  Tư pha\u0301p"
    (raw / "units.csv").write_text(
        "unit_id,unit_name,unit_group,parent_unit_id,province_code\n"
        f"U1,Sở Nội vụ,department,,T\nU2,{nfd},department,,T\nU3,Sở Y tế,department,,T\n",
        encoding="utf-8",
    )
    # U1 on the form: decimal comma as text, one leaf scored above its max (quarantined).
    write_form(
        raw / "submissions/2023/U1.xlsx",
        "U1",
        "Sở Nội vụ",
        2023,
        [
            ("1", "Lĩnh vực một", 40, None),
            ("1.1", "Tiêu chí 1.1", 20, "18,5"),
            ("1.2", "Tiêu chí 1.2", 20, 25),
            ("2", "Lĩnh vực hai", 40, None),
            ("2.1", "DVC trực tuyến", 30, 30),
            ("2.2", "Tiêu chí 2.2", 10, 10),
            ("9.1", "Điểm thưởng", 2, 1),
            ("9.2", "Điểm trừ", 2, 0),
        ],
    )
    # U2 and U3 as a CSV export; U3 has 2.2 not applicable.
    (raw / "submissions/2023/export.csv").write_text(
        "unit_id,year,criterion_code,self_score,evidence_refs,explanation,submitted_at\n"
        'U2,2023,1.1,20,,,12/12/2023\nU2,2023,1.2,20,,,12/12/2023\nU2,2023,2.1,"27,5",,,12/12/2023\n'
        "U2,2023,2.2,10,,,12/12/2023\n"
        "U3,2023,1.1,20,,,12/12/2023\nU3,2023,1.2,20,,,12/12/2023\nU3,2023,2.1,30,,,12/12/2023\n"
        "U3,2023,2.2,KAD,,,12/12/2023\n",
        encoding="utf-8",
    )
    (raw / "appraisals.csv").write_text(
        "year,unit_id,criterion_code,round,score,agency,reason,decision_no,decision_date\n"
        "2023,U2,1.1,thẩm định,12,Sở Nội vụ,Thiếu tài liệu kiểm chứng,1/BC-TTĐ,20/12/2023\n"
        "2023,U2,1.1,phúc khảo,19,Hội đồng thẩm định,Đã bổ sung tài liệu,2/QĐ-HĐ,20/01/2024\n"
        "2023,U3,1.2,appraisal,10,Sở Nội vụ,Chưa hoàn thành kế hoạch,1/BC-TTĐ,20/12/2023\n",
        encoding="utf-8",
    )
    (raw / "survey_results.csv").write_text(
        "year,unit_id,criterion_code,satisfied_pct,respondents\n"
        '2023,U1,8.1,"90,0",120\n2023,U2,8.1,80,90\n2023,U3,8.1,95,150\n',
        encoding="utf-8",
    )
    curated = tmp_path_factory.mktemp("curated")
    result = run_job(raw, curated)
    assert result.success
    return curated


def test_par_index_from_forms_and_csv(tiny):
    rows = {r["unit_id"]: r for r in query(tiny, "SELECT * FROM marts.par_index").iter_rows(named=True)}
    # U1: 1.1 = 18.5 (decimal comma); 1.2 = 25 > 20 is quarantined → leaf missing → 0;
    #     2.1 = 30; 2.2 = 10; survey 90% × 20 = 18; bonus 1 → 18.5 + 0 + 30 + 10 + 18 + 1 = 77.5.
    assert rows["U1"]["index_pct"] == pytest.approx(77.5)
    assert rows["U1"]["band"] == "Khá"
    # U2: 1.1 appealed to 19 (over appraisal 12); 1.2 = 20; 2.1 = 27.5; 2.2 = 10; survey 80% → 16
    #     → 92.5 → Xuất sắc (fields: 39/40, 37.5/40).
    assert rows["U2"]["index_pct"] == pytest.approx(92.5)
    assert rows["U2"]["band"] == "Xuất sắc"
    # U3: 2.2 not applicable → max 90; 20 + 10 + 30 + 95% × 20 = 19 → 79 / 90 = 87.777…% → Tốt.
    assert rows["U3"]["max_points"] == pytest.approx(90.0)
    assert rows["U3"]["index_pct"] == pytest.approx(79 / 90 * 100)
    assert rows["U3"]["band"] == "Tốt"
    assert [rows[u]["rank"] for u in ("U2", "U3", "U1")] == [1, 2, 3]
    assert rows["U2"]["unit_name"] == "Sở Tư pháp"  # normalised to NFC, single spaces
    assert rows["U1"]["synthetic"] is True


def test_bad_cell_is_quarantined_with_file_sheet_row_column(tiny):
    q = query(tiny, "SELECT * FROM staging.quarantine").to_dicts()
    assert len(q) == 1
    (bad,) = q
    assert bad["source_file"] == "submissions/2023/U1.xlsx"
    assert bad["sheet"] == "Tự đánh giá"
    assert bad["row_number"] == 11  # header on row 8, 1.2 is the third criterion row
    assert bad["column_name"] == "Điểm tự đánh giá"
    assert bad["rule"] == "above_max"
    assert "vượt điểm tối đa 20" in bad["message"]


def test_lineage_keeps_every_round(tiny):
    row = query(tiny, "SELECT * FROM marts.score_lineage WHERE unit_id = 'U2' AND leaf_code = '1.1'").row(0, named=True)
    assert (row["self_score"], row["appraised_score"], row["appeal_score"], row["final_score"]) == (
        20,
        12,
        19,
        19,
    )
    assert row["final_source"] == "appeal"
    assert row["self_source_file"] == "submissions/2023/export.csv"


def test_dashboard_written(tiny):
    index = (tiny / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "Tỉnh Thử" in index
    assert "DỮ LIỆU MẪU TỔNG HỢP" in index
    pages = sorted((tiny / "dashboard").glob("*/20*/*.html"))
    assert pages and all("DỮ LIỆU MẪU TỔNG HỢP" in p.read_text(encoding="utf-8") for p in pages)
