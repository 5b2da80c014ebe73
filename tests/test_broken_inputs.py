"""A folder of deliberately broken inputs (tests/fixtures/broken_inputs, written by
tests/fixtures/make_broken_inputs.py) through the real job: every bad row quarantined with its
reason, nothing lost, the rest scored. Expected numbers are worked out by hand below."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.sources import SOURCES
from tests.e2e_helpers import query, run_job

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken_inputs"
SUB = "submissions/2023/"

# (file, row, rule): every mistake put into the fixture; None = the whole file.
EXPECTED_PROBLEMS = {
    ("provinces.csv", 3, "duplicate_province"),
    ("provinces.csv", 4, "unknown_family"),
    ("units.csv", 5, "unknown_group"),
    ("units.csv", 6, "duplicate_unit"),
    ("units.csv", 9, "unknown_group"),  # the mini framework scores departments only
    (SUB + "U1.xlsx", 18, "unknown_criterion"),
    (SUB + "XD.xlsx", 9, "ambiguous_unit_name"),
    (SUB + "U1.xlsx", 11, "not_a_number"),
    (SUB + "U1.xlsx", 13, "above_max"),
    (SUB + "U1.xlsx", 14, "negative_score"),
    (SUB + "U1.xlsx", 15, "unknown_criterion"),
    (SUB + "U3_sai_trang.xlsx", None, "wrong_sheet"),
    (SUB + "U3_khong_phai_excel.xlsx", None, "not_a_spreadsheet"),
    (SUB + "ghi_chu.txt", None, "unsupported_file"),
    (SUB + "xuat.csv", 2, "superseded"),
    (SUB + "xuat.csv", 6, "unknown_unit"),
    (SUB + "xuat.csv", 7, "not_a_number"),  # "2O23": Năm đánh giá is not a number
    (SUB + "xuat.csv", 8, "unknown_unit"),
    (SUB + "xuat.csv", 9, "year_mismatch"),  # a 2019 row filed under 2023
    ("submissions/2019/cu.csv", 2, "no_framework"),
    ("appraisals.csv", 2, "unknown_round"),
    ("appraisals.csv", 3, "above_max"),
    ("appraisals.csv", 4, "not_a_date"),
    ("appraisals.csv", 6, "extra_columns"),  # "Thiếu, chưa đủ" unquoted: one cell too many
    ("survey_results.csv", 3, "pct_out_of_range"),
    # The input contract (tests/fixtures/make_broken_inputs.py, contract_mistakes):
    (SUB + "U7_unicode.csv", 5, "not_a_number"),  # NaN
    (SUB + "thieu_cot.csv", None, "missing_column"),
    (SUB + "cot_trung.csv", None, "duplicate_column"),
    (SUB + "ma_cu.csv", None, "bad_encoding"),
    (SUB + "U8_hong.xlsx", None, "unreadable_sheet"),
    (SUB + "U10.xlsx", 10, "formula_without_value"),
    (SUB + "U10.xlsx", 11, "merged_cells"),
    (SUB + "U10.xlsx", 12, "merged_cells"),
    (SUB + "U11_ten_sai.xlsx", 9, "unit_name_mismatch"),
    (SUB + "U11_nam_sai.xlsx", 9, "year_mismatch"),
    ("submissions/nam-2023/U11.xlsx", 9, "bad_year_folder"),
    (SUB + "lien_ket.csv", None, "outside_raw_folder"),
    ("appraisals.csv", 7, "conflicting_decisions"),
    ("appraisals.csv", 8, "conflicting_decisions"),
    ("appraisals_cot_he_thong.csv", None, "reserved_column"),
    ("survey_results_cham_phay.csv", 3, "ambiguous_number"),
    ("survey_results_cham_phay.csv", 4, "bad_count"),
    ("statistics/2023/tk.csv", 3, "ambiguous_number"),
    ("plan/target_choices.csv", 2, "unknown_variant"),
    ("evidence/U2.csv", 3, "not_a_date"),
    ("reclassifications.csv", 2, "reclassification_not_allowed"),
    ("bonus_penalty/diem_thuong_tru.csv", 2, "no_fact_rule"),  # the mini framework computes nothing from facts
    ("bonus_penalty/diem_thuong_tru.csv", 3, "bad_count"),
}


@pytest.fixture(scope="module")
def curated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("broken")
    result = run_job(BROKEN, out)
    assert result.success, "bad rows must not stop the run"
    return out


def test_every_bad_row_is_quarantined_with_its_reason(curated):
    q = query(curated, "SELECT * FROM staging.quarantine")
    got = {(r["source_file"], r["row_number"], r["rule"]) for r in q.iter_rows(named=True)}
    assert got == EXPECTED_PROBLEMS
    assert q["message"].is_not_null().all()


def test_messages_name_the_cell_in_vietnamese(curated):
    q = query(curated, "SELECT * FROM staging.quarantine WHERE source_file LIKE '%U1.xlsx'")
    above = q.filter(q["rule"] == "above_max").row(0, named=True)
    assert (above["sheet"], above["row_number"], above["column_name"], above["value"]) == (
        "Tự đánh giá",
        13,
        "Điểm tự đánh giá",
        "35.0",
    )
    assert above["message"] == (
        f"{SUB}U1.xlsx, trang 'Tự đánh giá', dòng 13, cột Điểm tự đánh giá: "
        "Điểm tự đánh giá 35 vượt điểm tối đa 30 của tiêu chí 2.1"
    )
    sheet = query(curated, "SELECT message FROM staging.quarantine WHERE rule = 'wrong_sheet'").item()
    assert "Tự đánh giá" in sheet and "Sheet1" in sheet


def test_rows_in_equal_rows_staged_plus_quarantined_plus_set_aside(curated):
    totals = "SELECT source, sum(COLUMNS('rows_.*|files_.*')) FROM quality.row_balance GROUP BY source"
    balance = {r["source"]: r for r in query(curated, totals).iter_rows(named=True)}
    # Submissions: U1.xlsx 10 criterion rows + XD.xlsx 1 + xuat.csv 12 + xuat_bo_sung.csv 1 = 24, and
    # U7_unicode.csv 4 + U10.xlsx 4 + three U11 forms 1 each + 2019/cu.csv 1 = 36 in; quarantined rows:
    # U1 11, 13, 14, 15, 18, XD 9, xuat 2, 6, 7, 8, 9, U7 5, U10 10, 11, 12, the three U11 rows and
    # cu.csv 2 = 19; set aside: nodes 1 and 2; staged: 11 + U7 1.1, 1.2, 2.1 + U10 1.1 = 15.
    s = balance["submissions"]
    assert (s["rows_in"], s["rows_staged"], s["rows_quarantined"], s["rows_set_aside"]) == (36, 15, 19, 2)
    # Not a spreadsheet, wrong sheet, a .txt, a missing and a doubled column, a legacy encoding,
    # a damaged sheet and a link out of the folder.
    assert s["files_unreadable"] == 8
    a = balance["appraisals"]  # 7 rows; 2, 3, 4, 6 and the conflicting 7, 8 quarantined
    assert (a["rows_in"], a["rows_staged"], a["rows_quarantined"], a["files_unreadable"]) == (7, 1, 6, 1)
    r = balance["survey_results"]  # 3 + 3 rows; 3 of the first file and 3, 4 of the semicolon one
    assert (r["rows_in"], r["rows_staged"], r["rows_quarantined"]) == (6, 3, 3)
    st = balance["plan_statistics"]
    assert (st["rows_in"], st["rows_staged"], st["rows_quarantined"]) == (2, 1, 1)
    t = balance["plan_targets"]
    assert (t["rows_in"], t["rows_staged"], t["rows_quarantined"]) == (2, 2, 0)
    p = balance["provinces"]
    assert (p["rows_in"], p["rows_staged"], p["rows_quarantined"]) == (3, 1, 2)
    u = balance["units"]
    assert (u["rows_in"], u["rows_staged"], u["rows_quarantined"]) == (12, 9, 3)
    assert set(balance) == {s.name for s in SOURCES}  # every declared source is balanced
    checks = query(curated, "SELECT * FROM quality.check_results WHERE check_name LIKE '%rows_balance'")
    assert checks["passed"].all()


def test_the_rest_is_scored(curated):
    rows = {r["unit_id"]: r for r in query(curated, "SELECT * FROM marts.par_index").iter_rows(named=True)}
    # U1: 1.1 = 18.5 (decimal comma); 1.2, 2.1, 2.2 quarantined → missing → 0; survey 95% × 20 = 19;
    #     9.1 blank → no bonus; 9.2 = 0 → 37.5 of 100 → Yếu. Four leaves have no score at all.
    assert rows["U1"]["index_pct"] == pytest.approx(37.5)
    assert rows["U1"]["band"] == "Yếu"
    assert rows["U1"]["missing_leaves"] == 4
    # U2: 1.1 = 15 (the later submission wins), 1.2 = 20, 2.1 = 27.5, 2.2 = 9.5 (its appraisals were
    #     quarantined, so self scores stand); 8.1's survey row was quarantined: surveyed, so 0 → 72 → Khá.
    assert rows["U2"]["index_pct"] == pytest.approx(72.0)
    assert rows["U2"]["max_points"] == pytest.approx(100.0)
    assert rows["U2"]["band"] == "Khá"
    assert rows["U2"]["unit_name"] == "Sở Tư pháp"
    # U3: 1.1 appraised 10; 1.2 = 20; 2.1 = 30; 2.2 not applicable; survey 80% → 16 → 76 of 90 = 84.44 → Tốt.
    assert rows["U3"]["index_pct"] == pytest.approx(76 / 90 * 100)
    assert rows["U3"]["band"] == "Tốt"
    # U7 (UTF-16, tab-separated): 1.1 = 20, 1.2 = 1,45 ("1.450" can only be 1,45 of a max of 20),
    #     2.1 = 30, 2.2 NaN quarantined → 0; its survey row is in the semicolon file: 90% × 20 = 18
    #     → 69.45 → Trung bình.
    assert rows["U7"]["index_pct"] == pytest.approx(69.45)
    assert rows["U7"]["band"] == "Trung bình"
    # U10: 1.1 = 15; 1.2 (formula, no value), 2.1 and 2.2 (merged) quarantined → 0; not surveyed, so
    #      8.1 leaves its max (1708/QĐ-UBND Art. 5.3.a): 15 of 80 = 18.75 → Yếu.
    assert rows["U10"]["index_pct"] == pytest.approx(18.75)
    assert [rows[u]["rank"] for u in ("U3", "U2", "U7", "U1", "U10")] == [1, 2, 3, 4, 5]
    assert not {"U4", "U5", "U8", "U11"} & set(rows)  # U4 quarantined; the others sent nothing usable


def test_units_without_a_usable_submission_are_listed_not_dropped(curated):
    missing = query(curated, "SELECT unit_id, reason FROM marts.missing_submissions WHERE year = 2023 ORDER BY 1")
    # U5 and U6 share a name, so XD.xlsx could not be placed; U8's files were all unreadable; every row
    # U11 sent was quarantined.
    assert missing.rows() == [
        ("U11", "all_rows_quarantined"),
        ("U5", "no_submission"),
        ("U6", "no_submission"),
        ("U8", "no_submission"),
    ]


def test_missing_units_are_on_the_data_quality_page(curated):
    page = (curated / "dashboard" / "chat-luong-du-lieu.html").read_text(encoding="utf-8")
    assert "Đơn vị không có kết quả tự đánh giá" in page and "Sở Giáo dục và Đào tạo" in page
    # ... and on the leadership page of their group, in its one line on data quality.
    leaders = [p.read_text(encoding="utf-8") for p in (curated / "dashboard").glob("*/2023/*.html")]
    assert any("không có kết quả tự đánh giá năm 2023: " in p and "Sở Giáo dục và Đào tạo" in p for p in leaders)


def test_a_workbook_date_cell_is_a_date(curated):
    got = query(curated, "SELECT DISTINCT submitted_at FROM staging.submissions WHERE unit_id = 'U10'").item()
    assert str(got) == "2023-12-10"


def test_evidence_penalty_candidates(curated):
    flags = query(curated, "SELECT unit_id, document, flag, leaf_code FROM marts.evidence_flags ORDER BY ALL").rows()
    assert flags == [
        ("U2", "11a/BC-STP", "inserted_number", "1.2"),
        ("U3", "45/KH-YT", "duplicate_number", "1.1"),
        ("U3", "45/KH-YT", "duplicate_number", "1.2"),
    ]


def test_input_text_is_escaped_in_the_dashboard(curated):
    pages = [p.read_text(encoding="utf-8") for p in sorted((curated / "dashboard").rglob("*.html"))]
    assert pages and not any("<script>alert(1)</script>" in page for page in pages)
    # Escaped in our HTML (the ranking table), and entity-escaped then JSON-escaped inside the charts.
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in page for page in pages)
    assert any("\\u0026lt;script\\u0026gt;alert(1)" in page for page in pages)


def test_raw_files_unchanged_and_versions_recorded(curated, tmp_path):
    versions = query(curated, "SELECT * FROM raw.file_versions")
    assert versions.filter(versions["source_file"] == "units.csv")["version"].to_list() == [1]
    # Running again with one file changed: that file becomes version 2, the unchanged ones add nothing.
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(BROKEN, raw, symlinks=True)
    with (raw / "units.csv").open("a", encoding="utf-8") as fh:
        fh.write("U12,Sở Khoa học và Công nghệ,department,,T\n")
    assert run_job(raw, curated).success
    again = query(curated, "SELECT source_file, version FROM raw.file_versions ORDER BY ALL")
    assert again.height == versions.height + 1
    assert again.filter(again["source_file"] == "units.csv")["version"].to_list() == [1, 2]


def test_commune_needs_a_district_of_the_register():
    # 1708/QĐ-UBND Art. 5.2.a: a district appraises its communes, so a commune must name one.
    import polars as pl

    from models.par.staging import stage_units

    provinces = pl.DataFrame({"province_code": ["T"]})
    rows = [
        {
            "source_file": "units.csv",
            "row_number": 2,
            "unit_id": "H1",
            "unit_name": "UBND huyện A",
            "unit_group": "district",
            "parent_unit_id": None,
            "province_code": "T",
        },
        {
            "source_file": "units.csv",
            "row_number": 3,
            "unit_id": "X1",
            "unit_name": "UBND xã B",
            "unit_group": "commune",
            "parent_unit_id": "H1",
            "province_code": "T",
        },
        {
            "source_file": "units.csv",
            "row_number": 4,
            "unit_id": "X2",
            "unit_name": "UBND xã C",
            "unit_group": "commune",
            "parent_unit_id": None,
            "province_code": "T",
        },
        {
            "source_file": "units.csv",
            "row_number": 5,
            "unit_id": "X3",
            "unit_name": "UBND xã D",
            "unit_group": "commune",
            "parent_unit_id": "X1",
            "province_code": "T",
        },
    ]
    # What framework.yaml `parents` gives for 1708/QĐ-UBND (`commune: {group: district}`).
    result = stage_units(rows, provinces, parents=lambda u: {"district"} if u["unit_group"] == "commune" else set())
    assert result.rows["unit_id"].to_list() == ["H1", "X1"]
    assert result.quarantine.select("row_number", "rule").rows() == [(4, "unknown_parent"), (5, "unknown_parent")]


def test_every_rule_and_source_has_a_vietnamese_label(curated):
    from reports.text import RULE_LABELS, SOURCE_LABELS

    q = query(curated, "SELECT DISTINCT source, rule FROM staging.quarantine")
    assert set(q["rule"]) <= set(RULE_LABELS)
    assert set(q["source"]) <= set(SOURCE_LABELS)
