"""Golden cases per ruleset, worked out by hand from each decision's text, through the real job.

One run over a tmp raw folder with three made-up provinces, each scored with the real ruleset
files of data/raw/frameworks/ (whose per-leaf points are illustrative; the rules are the decisions'):

- Hưng Yên 1708/QĐ-UBND, department group: fields 1-7 = 80 points, SIPAS 8.1-8.5 =
  5 × 4, bonus 9.1.x, penalty 9.2.x; bands Xuất sắc ≥ 90, Tốt ≥ 80, Khá ≥ 70, Trung bình ≥ 60,
  Yếu; Xuất sắc/Tốt with a content area < 70% drops one band; ties broken by 7.2.1, 7.2.2, 7.3
  (Art. 3.2-3.3, 4.3, 5.5). Plus its replaced decision 2741/QĐ-UBND for 2020 (Art. 2) and a
  made-up newer decision from 2025, to check that each year keeps the decision in force for it.
- Quảng Ninh 2022 (QĐ Quảng Ninh 2022), departments: 60 appraised + 23 SIPAS (9.1) + 17 civil-servant
  survey (9.2); index over the 100-point max (§II.1.d); bands with Trung bình 50-<70, Kém < 50
  (§III.3); no tiebreak.
- Quảng Trị 1820/QĐ-UBND, provincial bodies: 7 fields = 100, bonus 8.1.1-8.1.2 and
  penalty 8.2.1-8.2.3 of 1 point each (Art. 4); index = achieved / max of what applies (Art. 3,
  6.3); bands Tốt ≥ 80%, Khá ≥ 70%, Trung bình ≥ 60%, Thấp; re-classification (Art. 7).

"All max" below means every appraised leaf self-assessed at its max and not changed, bonus and
penalty leaves at 0, unless listed.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.e2e_helpers import query, run_job, write_form

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ROOT / "data" / "raw" / "frameworks"
RULESETS = ["hung-yen-1708-2021", "hung-yen-2741-2020", "quang-ninh-2022", "quang-tri-1820-2024"]
SUB_COLUMNS = ["unit_id", "year", "criterion_code", "self_score", "evidence_refs", "explanation", "submitted_at"]


def tree(ruleset: str, group: str) -> list[dict]:
    with (FRAMEWORKS / ruleset / f"{group}.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["method"]]


def form_rows(unit_id: str, year: int, ruleset: str, group: str, changes: dict) -> list[dict]:
    """A self-assessment: appraised leaves at their max, bonus/penalty 0, survey blank, then `changes`."""
    rows = []
    for leaf in tree(ruleset, group):
        if leaf["method"] == "survey":
            continue
        value = leaf["max_points"] if leaf["method"] == "appraised" else "0"
        value = changes.get(leaf["code"], value)
        rows.append(
            {
                "unit_id": unit_id,
                "year": year,
                "criterion_code": leaf["code"],
                "self_score": value,
                "evidence_refs": "",
                "explanation": "",
                "submitted_at": f"10/12/{year}",
            }
        )
    return rows


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


HY, HY_OLD, QN, QT = RULESETS
UNITS = [
    # unit_id, name, group, parent, province
    ("HA", "Sở Nội vụ", "department", "", "HYT"),
    ("HB", "Sở Tư pháp", "department", "", "HYT"),
    ("HC", "Sở Tài chính", "department", "", "HYT"),
    ("HD", "Sở Y tế", "department", "", "HYT"),
    ("HE", "Sở Xây dựng", "department", "", "HYT"),
    ("NA", "Sở Nội vụ", "department", "", "QNT"),
    ("NB", "Sở Tư pháp", "department", "", "QNT"),
    ("NC", "Sở Tài chính", "department", "", "QNT"),
    ("ND", "Sở Y tế", "department", "", "QNT"),
    ("NE", "Sở Xây dựng", "department", "", "QNT"),
    ("NF", "Sở Công Thương", "department", "", "QNT"),
    ("NH1", "UBND huyện Thử Một", "district", "", "QNT"),
    ("NT1", "Cục Thuế tỉnh", "central_agency", "", "QNT"),
    ("NV1", "Trung tâm Phục vụ hành chính công", "public_service_unit", "", "QNT"),
    ("TA", "Sở Nội vụ", "department", "", "QTT"),
    ("TB", "Sở Tư pháp", "department", "", "QTT"),
    ("TC", "Sở Tài chính", "department", "", "QTT"),
    ("TD", "Sở Y tế", "department", "", "QTT"),
    ("TE", "Sở Xây dựng", "department", "", "QTT"),
    ("TH1", "UBND huyện Thử", "district", "", "QTT"),
    ("TX1", "UBND xã An Thử", "commune", "TH1", "QTT"),
]


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    for ruleset in RULESETS:
        shutil.copytree(FRAMEWORKS / ruleset, raw / "frameworks" / ruleset)
    # A newer Hưng Yên decision lands (made up, from 2025): 1708 gets its valid_to_year.
    yaml_1708 = raw / "frameworks" / HY / "framework.yaml"
    yaml_1708.write_text(yaml_1708.read_text(encoding="utf-8").replace("valid_to_year: null", "valid_to_year: 2024"))
    newer = raw / "frameworks" / "hung-yen-9999-2025"
    shutil.copytree(FRAMEWORKS / HY, newer)
    text = (newer / "framework.yaml").read_text(encoding="utf-8")
    text = text.replace("ruleset_id: hung-yen-1708-2021", "ruleset_id: hung-yen-9999-2025")
    text = text.replace("decision_no: 1708/QĐ-UBND", "decision_no: 9999/QĐ-UBND")
    (newer / "framework.yaml").write_text(text.replace("valid_from_year: 2021", "valid_from_year: 2025"))
    write_csv(
        raw / "provinces.csv",
        ["province_code", "province_name", "ruleset_family", "synthetic"],
        [
            {"province_code": "HYT", "province_name": "Tỉnh Thử HY (dữ liệu tổng hợp)", "ruleset_family": "hung-yen"},
            {"province_code": "QNT", "province_name": "Tỉnh Thử QN (dữ liệu tổng hợp)", "ruleset_family": "quang-ninh"},
            {"province_code": "QTT", "province_name": "Tỉnh Thử QT (dữ liệu tổng hợp)", "ruleset_family": "quang-tri"},
        ],
    )
    write_csv(
        raw / "units.csv",
        ["unit_id", "unit_name", "unit_group", "parent_unit_id", "province_code"],
        [
            dict(zip(["unit_id", "unit_name", "unit_group", "parent_unit_id", "province_code"], u, strict=True))
            for u in UNITS
        ],
    )
    subs: list[dict] = []
    # --- Hưng Yên 2023 -------------------------------------------------------------------------
    subs += form_rows("HB", 2023, HY, "department", {"3.1": "0", "3.2": "0", "3.3": "1"})
    subs += form_rows("HC", 2023, HY, "department", {"4.3": "Không áp dụng", "6.2": "KAD"})
    subs += form_rows("HD", 2023, HY, "department", {"1.3": "0"})
    subs += form_rows("HE", 2023, HY, "department", {"7.3": "0"})
    # HA on a real form (.xlsx), with a bonus point it claims.
    ha = form_rows("HA", 2023, HY, "department", {"9.1.1": "1"})
    write_form(
        raw / "submissions/2023/HA.xlsx",
        "HA",
        "Sở Nội vụ",
        2023,
        [(r["criterion_code"], "", None, r["self_score"]) for r in ha],
    )
    # Versioning: HA in 2020 (2741), 2021 (1708) and 2025 (the made-up newer decision).
    subs += form_rows("HA", 2020, HY_OLD, "department", {})
    subs += form_rows("HA", 2021, HY, "department", {})
    subs += form_rows("HA", 2025, HY, "department", {})
    # --- Quảng Ninh 2024 -----------------------------------------------------------------------
    subs += form_rows("NA", 2024, QN, "department", {"8.3": "0.5"})
    subs += form_rows("NB", 2024, QN, "department", {"7.1": "0"})
    subs += form_rows("NC", 2024, QN, "department", {"3.1.1": "0.25", "3.1.2": "0.25", "3.1.3": "0.25", "6.6": "0"})
    subs += form_rows("ND", 2024, QN, "department", {"7.1": "Không áp dụng"})
    zero_e = {leaf["code"]: "0" for leaf in tree(QN, "department") if leaf["code"].split(".")[0] in ("3", "5")}
    subs += form_rows("NE", 2024, QN, "department", {**zero_e, "7.1": "0", "7.3": "0"})
    zero_f = {leaf["code"]: "0" for leaf in tree(QN, "department") if leaf["code"].split(".")[0] in ("3", "5", "6")}
    subs += form_rows("NF", 2024, QN, "department", {**zero_f, "1.6": "0", "1.7": "0", "1.8": "0"})
    subs += form_rows("NH1", 2024, QN, "district", {})
    subs += form_rows("NT1", 2024, QN, "central_agency", {})
    subs += form_rows("NV1", 2024, QN, "public_service_unit", {})
    # --- Quảng Trị 2024 ------------------------------------------------------------------------
    subs += form_rows("TA", 2024, QT, "department", {"5.1": "2", "8.1.1": "1", "8.1.2": "1"})
    subs += form_rows("TB", 2024, QT, "department", {"6.1": "KAD", "7.2": "4", "8.2.3": "1"})
    subs += form_rows("TC", 2024, QT, "department", {"7.1": "0", "6.3": "0", "1.1": "0", "1.2": "2"})
    subs += form_rows("TD", 2024, QT, "department", {"7.2": "0", "6.1": "0", "2.1": "0", "5.4": "0"})
    zero_te = {leaf["code"]: "0" for leaf in tree(QT, "department") if leaf["code"].split(".")[0] in ("3", "7")}
    subs += form_rows("TE", 2024, QT, "department", {**zero_te, "5.1": "0", "5.2": "0"})
    subs += form_rows("TX1", 2024, QT, "commune", {})
    for year in sorted({r["year"] for r in subs}):  # a form is filed under its year's folder (docs/inputs.md)
        write_csv(raw / f"submissions/{year}/all.csv", SUB_COLUMNS, [r for r in subs if r["year"] == year])
    appraisal_cols = [
        "year",
        "unit_id",
        "criterion_code",
        "round",
        "score",
        "agency",
        "reason",
        "decision_no",
        "decision_date",
    ]
    write_csv(
        raw / "appraisals.csv",
        appraisal_cols,
        [
            # HA 2023: 9.2.2 penalty imposed (1); 7.5: 3 → appraised 1 → appeal 3 (appeal overrides).
            dict(zip(appraisal_cols, r, strict=True))
            for r in [
                (2023, "HA", "9.2.2", "thẩm định", "1", "Sở Nội vụ", "Chậm gửi báo cáo", "1/BC-SNV", "20/12/2023"),
                (2023, "HA", "7.5", "thẩm định", "1", "Sở Nội vụ", "Thiếu tài liệu", "1/BC-SNV", "20/12/2023"),
                (2023, "HA", "7.5", "phúc khảo", "3", "Hội đồng", "Đã bổ sung", "2/QĐ-HĐ", "05/01/2024"),
                (
                    2024,
                    "TA",
                    "8.2.1",
                    "thẩm định",
                    "1",
                    "Văn phòng UBND tỉnh",
                    "Trễ hạn không xin lỗi 40%",
                    "3/BC-VP",
                    "10/12/2024",
                ),
                (2024, "TC", "5.2", "thẩm định", "1", "Sở Nội vụ", "Thiếu kế hoạch", "4/BC-SNV", "10/12/2024"),
                (
                    2024,
                    "TC",
                    "5.2",
                    "phúc khảo",
                    "3",
                    "Hội đồng thẩm định tỉnh",
                    "Chấp nhận giải trình",
                    "5/QĐ-HĐ",
                    "24/12/2024",
                ),
                (
                    2024,
                    "TX1",
                    "2.1",
                    "thẩm định",
                    "3",
                    "Hội đồng thẩm định cấp huyện",
                    "Thiếu văn bản",
                    "6/BC-HĐ",
                    "12/12/2024",
                ),
            ]
        ],
    )
    survey = [
        *[(2023, "HA", f"8.{i}", "90") for i in range(1, 6)],
        *[(2023, "HB", f"8.{i}", "100") for i in range(1, 6)],
        *[(2023, "HC", f"8.{i}", "75") for i in range(1, 6)],
        *[(2023, "HD", f"8.{i}", "60") for i in range(1, 6)],
        *[(2023, "HE", f"8.{i}", "60") for i in range(1, 6)],
        *[(2020, "HA", f"8.{i}", "80") for i in range(1, 6)],
        *[(y, "HA", f"8.{i}", "100") for y in (2021, 2025) for i in range(1, 6)],
        (2024, "NA", "9.1", "90"), (2024, "NA", "9.2", "80"),
        (2024, "NB", "9.1", "80"), (2024, "NB", "9.2", "70"),
        (2024, "NC", "9.1", "80"), (2024, "NC", "9.2", "70"),
        (2024, "ND", "9.1", "55"), (2024, "ND", "9.2", "55"),
        (2024, "NE", "9.1", "40"), (2024, "NE", "9.2", "30"),
        (2024, "NF", "9.1", "50"), (2024, "NF", "9.2", "50"),
        (2024, "NH1", "10.1", "60"), (2024, "NH1", "10.2", "80"),
        (2024, "NT1", "10.1", "100"), (2024, "NT1", "10.2", "100"),
        (2024, "NV1", "9.1", "50"), (2024, "NV1", "9.2", "100"),
    ]  # fmt: skip
    write_csv(
        raw / "survey_results.csv",
        ["year", "unit_id", "criterion_code", "satisfied_pct", "respondents"],
        [
            {"year": y, "unit_id": u, "criterion_code": c, "satisfied_pct": p, "respondents": 100}
            for y, u, c, p in survey
        ],
    )
    recl_cols = [
        "year",
        "unit_id",
        "criterion_code",
        "corrected_score",
        "band",
        "decision_no",
        "decision_date",
        "agency",
        "reason",
    ]
    write_csv(
        raw / "reclassifications.csv",
        recl_cols,
        [
            dict(zip(recl_cols, r, strict=True))
            for r in [
                (
                    2024,
                    "TC",
                    "3.3.1",
                    "2",
                    "",
                    "45/QĐ-UBND",
                    "20/03/2025",
                    "Chủ tịch UBND tỉnh",
                    "Tỷ lệ đúng hạn báo sai",
                ),
                (2024, "TC", "8.2.3", "1", "", "45/QĐ-UBND", "20/03/2025", "Chủ tịch UBND tỉnh", "Văn bản chèn số"),
                # Hưng Yên has no re-classification rule: quarantined, nothing changes.
                (2023, "HB", "3.1", "2", "", "9/QĐ-UBND", "01/03/2024", "UBND tỉnh", "Thử"),
            ]
        ],
    )
    curated = tmp_path_factory.mktemp("curated")
    assert run_job(raw, curated).success
    return curated


@pytest.fixture(scope="module")
def par(golden) -> dict[tuple[int, str], dict]:
    rows = query(golden, "SELECT * FROM marts.par_index").iter_rows(named=True)
    return {(r["year"], r["unit_id"]): r for r in rows}


def test_hung_yen_totals_bonus_penalty_and_appeal(par, golden):
    # HA 2023: fields 1-7 all max = 80; 7.5 self 3 → appraised 1 → appeal 3 (the appeal wins,
    # 1820/QĐ-UBND Art. 5 / DOMAIN Scoring 2); SIPAS 90% × 4 × 5 = 18; bonus 9.1.1 = 1; penalty 9.2.2 = 1
    # imposed at appraisal (1708/QĐ-UBND Art. 4.3.a): 80 + 18 + 1 − 1 = 98 → Xuất sắc (≥ 90), rank 1.
    ha = par[(2023, "HA")]
    assert (ha["achieved_points"], ha["max_points"], ha["index_pct"]) == pytest.approx((98, 100, 98))
    assert (ha["bonus_points"], ha["penalty_points"]) == (1, 1)
    assert (ha["band"], ha["rank"]) == ("Xuất sắc", 1)
    leaf = query(golden, "SELECT * FROM marts.score_lineage WHERE year = 2023 AND unit_id = 'HA' AND leaf_code = '7.5'")
    assert leaf.select("self_score", "appraised_score", "appeal_score", "final_score", "final_source").row(0) == (
        3.0,
        1.0,
        3.0,
        3.0,
        "appeal",
    )


def test_hung_yen_downgrade(par):
    # HB 2023: field 3 = 14 − 2 − 2 − 1 = 9 of 14 = 64.29% < 70%; total 80 − 5 + SIPAS 100% × 20 = 95
    # → Xuất sắc before Art. 5.5's rule, Tốt after it; rank 2 (ranks follow the index, not the band).
    hb = par[(2023, "HB")]
    assert hb["index_pct"] == pytest.approx(95)
    assert (hb["band_before_downgrade"], hb["band"], hb["downgraded"]) == ("Xuất sắc", "Tốt", True)
    assert hb["band_reason"] == "Xuất sắc → Tốt: lĩnh vực 3 đạt 64,3% < 70%"
    assert hb["rank"] == 2


def test_hung_yen_not_applicable_scaled_to_100(par):
    # HC 2023: 4.3 (3) and 6.2 (2) do not apply → max 100 − 5 = 95 (1708/QĐ-UBND Art. 3.3);
    # appraised 80 − 5 = 75, SIPAS 75% × 20 = 15 → 90 of 95 → 94.7368…% → Xuất sắc, rank 3.
    hc = par[(2023, "HC")]
    assert (hc["achieved_points"], hc["max_points"]) == pytest.approx((90, 95))
    assert hc["index_pct"] == pytest.approx(90 / 95 * 100)
    assert (hc["band"], hc["rank"]) == ("Xuất sắc", 3)


def test_hung_yen_exact_tie_broken_by_online_and_postal_services(par):
    # HD: 80 − 2 (1.3) + 60% × 20 = 12 → 90; HE: 80 − 2 (7.3) + 12 → 90: an exact tie at 90
    # (Xuất sắc, "từ 90", inclusive). Art. 5.5: the higher score on 7.2.1 + 7.2.2 + 7.3 ranks first:
    # HD 1.5 + 1.5 + 2 = 5 > HE 1.5 + 1.5 + 0 = 3 → HD 4th, HE 5th.
    hd, he = par[(2023, "HD")], par[(2023, "HE")]
    assert hd["index_pct"] == pytest.approx(90) and he["index_pct"] == pytest.approx(90)
    assert (hd["tiebreak_points"], he["tiebreak_points"]) == (5, 3)
    assert (hd["rank"], he["rank"]) == (4, 5)
    assert hd["tie_broken"] and he["tie_broken"]
    assert hd["band"] == he["band"] == "Xuất sắc"


def test_each_year_keeps_the_decision_in_force(par):
    # 2020: 2741/QĐ-UBND (replaced by 1708, 1708/QĐ-UBND Art. 2): fields 1-7 = 75, SIPAS 25 × 80% = 20 → 95.
    # 2021: 1708 (all max, SIPAS 100%) → 100. 2025: the newer decision → 100. Each with its own decision.
    assert (par[(2020, "HA")]["ruleset_id"], par[(2020, "HA")]["decision_no"]) == (HY_OLD, "2741/QĐ-UBND")
    assert par[(2020, "HA")]["index_pct"] == pytest.approx(95)
    assert par[(2021, "HA")]["ruleset_id"] == HY and par[(2021, "HA")]["index_pct"] == pytest.approx(100)
    assert par[(2025, "HA")]["ruleset_id"] == "hung-yen-9999-2025"
    assert par[(2023, "HA")]["ruleset_id"] == HY


def test_quang_ninh_bands_tie_and_fixed_max(par):
    # QĐ Quảng Ninh 2022: index = total / 100 (§II.1.d); 60 appraised + 23 × SIPAS + 17 × civil-servant survey.
    # NA: 60 + bonus 8.3 0.5 + 23 × 90% (20.7) + 17 × 80% (13.6) = 94.8 → Xuất sắc, rank 1.
    # NB: 60 − 3.5 (7.1) + 23 × 80% (18.4) + 17 × 70% (11.9) = 86.8 → Tốt.
    # NC: 60 − 3 × 1 (3.1.x at 0.25 of 1.25) − 0.5 (6.6) = 56.5 + 18.4 + 11.9 = 86.8 → Tốt.
    #     NB and NC tie exactly; QĐ Quảng Ninh 2022 names no tiebreak → both rank 2, the next is 4.
    # ND: 7.1 marked not applicable, but the max stays 100 (§II.1.d): 56.5 + 23 × 55% (12.65)
    #     + 17 × 55% (9.35) = 78.5 → Khá (scaled to what applies it would be 81.35 → Tốt), rank 4.
    # NF: 60 − 12 (field 3) − 9 (field 5) − 7 (field 6) − 0.75 − 0.75 − 0.5 (1.6-1.8) = 30
    #     + 11.5 + 8.5 = 50 → Trung bình ("từ 50", inclusive), rank 5.
    # NE: 60 − 12 − 9 − 3.5 − 3.25 = 32.25 + 23 × 40% (9.2) + 17 × 30% (5.1) = 46.55 → Kém (< 50), rank 6.
    expected = {
        "NA": (94.8, "Xuất sắc", 1),
        "NB": (86.8, "Tốt", 2),
        "NC": (86.8, "Tốt", 2),
        "ND": (78.5, "Khá", 4),
        "NF": (50.0, "Trung bình", 5),
        "NE": (46.55, "Kém", 6),
    }
    for unit_id, (index, band, rank) in expected.items():
        row = par[(2024, unit_id)]
        assert (row["index_pct"], row["band"], row["rank"]) == (pytest.approx(index), band, rank), unit_id
        assert row["max_points"] == pytest.approx(100)
    assert not par[(2024, "NB")]["tie_broken"]


def test_quang_ninh_four_groups_and_their_splits(par):
    # District (§II.2.b): 60.5 + 23 × 60% (13.8) + 16.5 × 80% (13.2) = 87.5 → Tốt.
    # Central agency (§II.3.b): 60 + 23 + 17 = 100 → Xuất sắc.
    # Public service unit (§II.4.b): 60 + 23 × 50% (department civil servants, 11.5) + 17 × 100% = 88.5 → Tốt.
    assert (par[(2024, "NH1")]["index_pct"], par[(2024, "NH1")]["band"]) == (pytest.approx(87.5), "Tốt")
    assert (par[(2024, "NT1")]["index_pct"], par[(2024, "NT1")]["band"]) == (pytest.approx(100), "Xuất sắc")
    assert (par[(2024, "NV1")]["index_pct"], par[(2024, "NV1")]["band"]) == (pytest.approx(88.5), "Tốt")
    assert {par[(2024, u)]["unit_group"] for u in ("NH1", "NT1", "NV1")} == {
        "district",
        "central_agency",
        "public_service_unit",
    }
    assert all(par[(2024, u)]["rank"] == 1 for u in ("NH1", "NT1", "NV1"))  # each alone in its group


def test_quang_tri_bonus_penalty_scaling_and_bands(par):
    # Seed 1820/QĐ-UBND Art. 4: bonus added to, penalty subtracted from the appraised total; Art. 6.3 bands.
    # TA: 100 − 2 (5.1) + 1 + 1 (8.1.1, 8.1.2) − 1 (8.2.1, imposed) = 99 → Tốt, rank 1.
    # TB: 6.1 (4) does not apply → max 96 (Art. 3); 96 − 4 (7.2) − 1 (8.2.3) = 91 → 91/96 = 94.79% → Tốt.
    # TD: 100 − 8 − 4 − 4 − 4 = 80 → exactly 80% → Tốt ("từ 80% trở lên").
    # TE: 100 − 20 (field 3) − 20 (field 7) − 4 − 4 = 52 → Thấp (< 60%).
    ta, tb, td, te = (par[(2024, u)] for u in ("TA", "TB", "TD", "TE"))
    assert (ta["achieved_points"], ta["bonus_points"], ta["penalty_points"]) == (99, 2, 1)
    assert (ta["index_pct"], ta["band"], ta["rank"]) == (pytest.approx(99), "Tốt", 1)
    assert (tb["max_points"], tb["index_pct"], tb["band"], tb["rank"]) == (96, pytest.approx(91 / 96 * 100), "Tốt", 2)
    assert (td["index_pct"], td["band"]) == (pytest.approx(80), "Tốt")
    assert (te["index_pct"], te["band"], te["rank"]) == (pytest.approx(52), "Thấp", 5)


def test_quang_tri_reclassification_voids_and_reranks(par, golden):
    # TC as first decided: 100 − 6 (7.1) − 4 (6.3) − 3 (1.1) − 1 (1.2) − 1 (5.2: self 4 → appraised 1
    # → appeal 3) = 85 → Tốt, rank 3 (after TA 99, TB 94.79; before TD 80).
    # Art. 7: decision 45/QĐ-UBND finds it flawed: 3.3.1 8 → 2 and penalty 8.2.3 = 1 → 85 − 6 − 1 = 78
    # → Khá; the year is re-ranked: TD 80 moves up to 3, TC drops to 4.
    tc, td = par[(2024, "TC")], par[(2024, "TD")]
    assert (tc["index_pct"], tc["band"], tc["rank"]) == (pytest.approx(78), "Khá", 4)
    assert td["rank"] == 3
    assert tc["reclassified"] and tc["reclassification_decision_no"] == "45/QĐ-UBND"
    hist = query(
        golden,
        "SELECT unit_id, version, valid, index_pct, band, rank, voided_by, change_kind "
        "FROM marts.par_index_history WHERE year = 2024 AND unit_id IN ('TC', 'TD') ORDER BY unit_id, version",
    ).rows()
    assert hist == [
        ("TC", 0, False, pytest.approx(85), "Tốt", 3, "45/QĐ-UBND", "voided"),
        ("TC", 1, True, pytest.approx(78), "Khá", 4, None, None),
        ("TD", 0, False, pytest.approx(80), "Tốt", 4, "45/QĐ-UBND", "reranked"),
        ("TD", 1, True, pytest.approx(80), "Tốt", 3, None, None),
    ]
    leaf = query(
        golden, "SELECT * FROM marts.score_lineage WHERE year = 2024 AND unit_id = 'TC' AND leaf_code = '3.3.1'"
    )
    assert leaf.select("self_score", "reclassified_score", "final_score", "final_source").row(0) == (
        8.0,
        2.0,
        2.0,
        "reclassification",
    )


def test_reclassification_only_where_the_ruleset_has_it(golden, par):
    # Hưng Yên (1708/QĐ-UBND) has no Art. 7: the row is quarantined with a reason; HB keeps its result.
    q = query(golden, "SELECT * FROM staging.quarantine WHERE source = 'reclassifications'")
    assert q["rule"].to_list() == ["reclassification_not_allowed"]
    assert par[(2023, "HB")]["index_pct"] == pytest.approx(95) and not par[(2023, "HB")]["reclassified"]


def test_band_gap_by_hand(golden):
    gap = query(golden, "SELECT * FROM marts.band_gap ORDER BY year, unit_id, step")

    def plan(year, unit_id):
        rows = gap.filter((pl.col("year") == year) & (pl.col("unit_id") == unit_id))
        return rows.row(0, named=True), rows.select("leaf_code", "add_points").rows()

    # HB (Tốt after the downgrade): Xuất sắc needs no more index (95 ≥ 90), only field 3 back to
    # 70% of 14 = 9.8: 0.8 points inside field 3, on its largest headroom (3.1, 0 of 2).
    head, steps = plan(2023, "HB")
    assert (head["target_band"], head["points_needed"]) == ("Xuất sắc", pytest.approx(0.8))
    assert steps == [("3.1", pytest.approx(0.8))]
    assert head["blocked_by"] == "lĩnh vực 3 cần thêm 0,8 điểm để đạt 70%"
    # ND (Quảng Ninh, 78.5 Khá): Tốt needs 80 × 100 / 100 − 78.5 = 1.5 points; every appraised leaf
    # is at max and 7.1 does not apply (no lever), no penalty to avoid, so bonus items come next,
    # before the survey: 8.1.1, 8.1.2, 8.2.1 at 0.5 each (in code order, same headroom).
    head, steps = plan(2024, "ND")
    assert (head["target_band"], head["points_needed"]) == ("Tốt", pytest.approx(1.5))
    assert steps == [("8.1.1", pytest.approx(0.5)), ("8.1.2", pytest.approx(0.5)), ("8.2.1", pytest.approx(0.5))]
    # TC (Quảng Trị, 78 Khá after re-classification): Tốt needs 80 − 78 = 2 points. Cheapest first:
    # what the appraisal took off (5.2: self 4, final 3 → 1), then the largest appraised headroom
    # (3.3.1 and 7.1 both 6; 3.3.1 first by code) → 1.
    head, steps = plan(2024, "TC")
    assert (head["target_band"], head["points_needed"]) == ("Tốt", pytest.approx(2))
    assert steps == [("5.2", pytest.approx(1)), ("3.3.1", pytest.approx(1))]
    # HA is at the top band: one row, no plan.
    head, steps = plan(2023, "HA")
    assert steps == [(None, None)] and head["target_band"] is None


def test_agency_appraisal_by_hand(golden):
    agencies = query(golden, "SELECT * FROM marts.agency_appraisal")

    def row(agency, unit_id):
        return agencies.filter((pl.col("agency") == agency) & (pl.col("unit_id") == unit_id)).row(0, named=True)

    # TC: Sở Nội vụ appraises fields 1, 4, 5 (4 + 2 + 4 = 10 leaves) and items 8.1.2, 8.2.3 of Art. 4
    # (agency illustrative) = 12; it changed 5.2 from 4 to 1: −3.
    sn = row("Sở Nội vụ", "TC")
    assert (sn["leaves"], sn["changed_leaves"], sn["mean_change"]) == (12, 1, pytest.approx(-3))
    assert sn["appealed_leaves"] == 1 and sn["changed_codes"] == "5.2"
    # TA: Văn phòng UBND tỉnh imposed penalty 8.2.1 (0 → 1): +1.
    assert row("Văn phòng UBND tỉnh", "TA")["mean_change"] == pytest.approx(1)
    # TX1 (commune): its district's council appraises all its 23 appraised + 5 bonus/penalty leaves
    # (1820/QĐ-UBND Art. 6.2.b); it cut 2.1 from 4 to 3.
    council = row("Hội đồng thẩm định cấp huyện — UBND huyện Thử", "TX1")
    assert (council["leaves"], council["changed_leaves"], council["mean_change"]) == (28, 1, pytest.approx(-1))


def test_explain_says_why_in_vietnamese(golden):
    from pipelines.explain_cmd import explain_from_warehouse

    warehouse = golden / "warehouse.duckdb"
    hb = explain_from_warehouse(warehouse, 2023, "HB")
    assert "Chỉ số = 95 / 100 × 100 = 95" in hb
    assert "Xuất sắc → Tốt: lĩnh vực 3 đạt 64,3% < 70%" in hb
    hc = explain_from_warehouse(warehouse, 2023, "HC")
    assert "Tiêu chí không áp dụng với đơn vị: 4.3 (3), 6.2 (2) → điểm tối đa của đơn vị 95 thay vì 100" in hc
    assert "Chỉ số = 90 / 95 × 100 = 94,7368" in hc
    nd = explain_from_warehouse(warehouse, 2024, "ND")
    assert "không quy đổi (QĐ Quảng Ninh 2022 mục II.1.d)" in nd and "7.1 (3,5)" in nd
    ha = explain_from_warehouse(warehouse, 2023, "HA")
    assert "7.5 " in ha and "tự chấm 3 → thẩm định 1 [Sở Nội vụ, 1/BC-SNV: Thiếu tài liệu] → phúc khảo 3" in ha
    assert "Tổng điểm đạt = 80 + 1 − 1 = 80" not in ha and "Tổng điểm đạt = 98 + 1 − 1 = 98" in ha
    tc = explain_from_warehouse(warehouse, 2024, "TC")
    assert "Phiên bản 0: chỉ số 85, Tốt, hạng 3 — đã hủy bởi 45/QĐ-UBND ngày 20/03/2025" in tc
    assert "Lên Tốt (chỉ số ≥ 80): cần thêm ít nhất 2 điểm" in tc
