"""The bundled PAPI tables (data/raw/surveys/papi/, PAPI's real scores) through the dimension map, checked
against numbers PAPI printed, and the failures a wrong map must produce (models only, no job run).

Primary sources are PAPI's own publications, quoted with report and table. Where a value is only at
hand through the press quoting PAPI's published results, the test says so (secondary).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from models.ingest.documents import Documents
from models.ingest.source import read_source
from models.papi.scores import (
    load_papi_dimensions,
    load_papi_provinces,
    papi_index,
    stage_papi,
)
from models.papi.sources import PAPI_SCORES
from models.surveys.marts import SURVEY_RULES

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
SURVEYS = RAW / "surveys"


DOCS = Documents.from_dir(RAW)


def _rows(only: str | None = None) -> list[dict]:
    """Raw rows of the bundled tables as the declared PAPI source reads them (`only`: one file)."""
    return [r for res in read_source(PAPI_SCORES, RAW, DOCS) for r in res.rows if only in (None, res.path)]


@pytest.fixture(scope="module")
def mapping() -> pl.DataFrame:
    return load_papi_dimensions(DOCS, "surveys/papi_dimensions.csv")


@pytest.fixture(scope="module")
def provinces() -> pl.DataFrame:
    return load_papi_provinces(DOCS, "surveys/papi_provinces.csv")


@pytest.fixture(scope="module")
def staged(mapping, provinces):
    return stage_papi(_rows(), mapping, provinces)


@pytest.fixture(scope="module")
def index(staged, mapping) -> pl.DataFrame:
    return papi_index(staged.rows, mapping, 30, staged.published)


def score(index: pl.DataFrame, year: int, province: str, dimension: str = "total") -> dict:
    return index.filter(
        (pl.col("year") == year) & (pl.col("province") == province) & (pl.col("dimension") == dimension)
    ).row(0, named=True)


def subs(staged, year: int, province: str, dimension: str) -> list[float | None]:
    return (
        staged.rows.filter(
            (pl.col("year") == year) & (pl.col("province") == province) & (pl.col("dimension_code") == dimension)
        )
        .sort("subdimension_code")["score"]
        .to_list()
    )


def test_every_file_is_read_without_a_problem(staged):
    # 14 tables × 63 provinces; no unknown column, no missing sub-dimension, nothing quarantined.
    assert (staged.rows_in, staged.rows_staged, staged.balanced) == (14 * 63, 14 * 63, True)
    assert staged.quarantine.is_empty(), staged.quarantine
    # The province column holds codes (P30): papi_provinces.csv names them.
    assert staged.rows.filter(pl.col("province_code") == "P30")["province"].unique().to_list() == ["Quảng Trị"]


def test_pap_2023_report_table_3_6_public_service_delivery(staged, index):
    """PAPI 2023 report (CECODES, RTA & UNDP, 2024), Table 3.6 "Dashboard of Provincial Performance in
    Public Service Delivery, 2023": "Ha Noi 7.8486 1.7029 1.9570 2.2548 1.9339", "Thai Nguyen 8.0022",
    "Bac Ninh 8.2568", and "Quang Ninh*" with no values (not published)."""
    assert score(index, 2023, "Hà Nội", "public_service_delivery")["score"] == pytest.approx(7.8486, abs=5e-5)
    assert subs(staged, 2023, "Hà Nội", "public_service_delivery") == pytest.approx(
        [1.7029, 1.9570, 2.2548, 1.9339], abs=5e-5
    )
    assert score(index, 2023, "Thái Nguyên", "public_service_delivery")["score"] == pytest.approx(8.0022, abs=5e-5)
    assert score(index, 2023, "Bắc Ninh", "public_service_delivery")["score"] == pytest.approx(8.2568, abs=5e-5)
    qn = score(index, 2023, "Quảng Ninh")
    assert (score(index, 2023, "Quảng Ninh", "public_service_delivery")["score"], qn["score"], qn["rank"]) == (
        None,
        None,
        None,
    )


def test_papi_2019_report_table_3_1_participation(staged, index):
    """PAPI 2019 report (CECODES, VFF-CRT, RTA & UNDP, 2020), Table 3.1 "Dashboard of Provincial Performance
    in Participation at the Local Level, 2019": "Quang Ninh 5.53 0.83 1.59 1.60 1.51", "Ben Tre 5.58 0.82
    1.60 1.46 1.70", "Ha Noi 5.04 0.74 1.49 1.58 1.23", "Hung Yen 5.07 0.66 1.46 1.75 1.20"."""
    printed = {
        "Quảng Ninh": (5.53, [0.83, 1.59, 1.60, 1.51]),
        "Bến Tre": (5.58, [0.82, 1.60, 1.46, 1.70]),
        "Hà Nội": (5.04, [0.74, 1.49, 1.58, 1.23]),
        "Hưng Yên": (5.07, [0.66, 1.46, 1.75, 1.20]),
    }
    for province, (dimension, parts) in printed.items():
        assert score(index, 2019, province, "participation")["score"] == pytest.approx(dimension, abs=0.005)
        assert subs(staged, 2019, province, "participation") == pytest.approx(parts, abs=0.005)


def test_papi_website_profile_ha_tinh_2015(index):
    """papi.org.vn, "By Province — Ha Tinh 2015" (PAPI's provincial profile): "6.44 Participation at Local
    Levels, 7.24 Transparency, 7.51 Vertical Accountability, 6.67 Control of Corruption, 7.3 Public
    Administrative Procedures, 7.17 Public Service Delivery", ranked 1st on vertical accountability and 6th
    on control of corruption. Before 2018, D4 already has four sub-dimensions and D2 three."""
    printed = {
        "participation": 6.44,
        "transparency": 7.24,
        "vertical_accountability": 7.51,
        "control_of_corruption": 6.67,
        "administrative_procedures": 7.30,
        "public_service_delivery": 7.17,
    }
    for dimension, value in printed.items():
        assert score(index, 2015, "Hà Tĩnh", dimension)["score"] == pytest.approx(value, abs=0.005), dimension
    assert score(index, 2015, "Hà Tĩnh", "vertical_accountability")["rank"] == 1
    assert score(index, 2015, "Hà Tĩnh", "control_of_corruption")["rank"] == 6
    assert score(index, 2015, "Hà Tĩnh")["max_score"] == 60


def test_totals_and_d4_as_the_press_reported_papis_results(index):
    """Secondary: PAPI's published results as the press quoted them (the tables above are primary).
    - 2020, Government portal (news.gov.vn, 14/4/2021, "Quang Ninh Leads in PAPI 2020 Rankings"): Quảng Ninh
      48.811 with transparency 6.499, control of corruption 8.286, public service delivery 7.713; Đồng Tháp
      46.961 (environmental governance 5.202); Thái Nguyên 46.471 (participation 6.216).
    - 2023, Hanoi Times (2/4/2024): Thừa Thiên Huế 46.04, Thái Nguyên 45.78, Bắc Ninh 45.70, Sóc Trăng 45.61,
      Bạc Liêu 45.57; Hà Nội 15th with 43.96; "no records of Binh Duong and Quang Ninh".
    - 2024, vietnam.vn quoting the PAPI report: Quảng Ninh 47.821, Tây Ninh 47.345, Bình Thuận 47.126.
    - 2018, VnExpress: control of corruption, four sub-dimensions: Bến Tre 7.61 (best), Hải Phòng 5.52
      (worst), Hà Nội 6.08 — only with 4.4 "willingness to fight corruption" (the old map left it out).
    """
    for year, province, dimension, printed, digits in [
        (2020, "Quảng Ninh", "total", 48.811, 3),
        (2020, "Quảng Ninh", "transparency", 6.499, 3),
        (2020, "Quảng Ninh", "control_of_corruption", 8.286, 3),
        (2020, "Quảng Ninh", "public_service_delivery", 7.713, 3),
        (2020, "Đồng Tháp", "total", 46.961, 3),
        (2020, "Đồng Tháp", "environmental_governance", 5.202, 3),
        (2020, "Thái Nguyên", "total", 46.471, 3),
        (2020, "Thái Nguyên", "participation", 6.216, 3),
        (2023, "Thừa Thiên Huế", "total", 46.04, 2),
        (2023, "Thái Nguyên", "total", 45.78, 2),
        (2023, "Bắc Ninh", "total", 45.70, 2),
        (2023, "Sóc Trăng", "total", 45.61, 2),
        (2023, "Bạc Liêu", "total", 45.57, 2),
        (2023, "Hà Nội", "total", 43.96, 2),
        (2024, "Quảng Ninh", "total", 47.821, 3),
        (2024, "Tây Ninh", "total", 47.345, 3),
        (2024, "Bình Thuận", "total", 47.126, 3),
        (2018, "Bến Tre", "control_of_corruption", 7.61, 2),
        (2018, "Hải Phòng", "control_of_corruption", 5.52, 2),
        (2018, "Hà Nội", "control_of_corruption", 6.08, 2),
    ]:
        got = score(index, year, province, dimension)["score"]
        # Within one unit of the last printed digit: the press rounds or truncates (45.7875 → "45.78").
        assert got == pytest.approx(printed, abs=10**-digits), (year, province, dimension, got)
    assert [score(index, 2020, p)["rank"] for p in ("Quảng Ninh", "Đồng Tháp", "Thái Nguyên")] == [1, 2, 3]
    assert [score(index, 2024, p)["rank"] for p in ("Quảng Ninh", "Tây Ninh", "Bình Thuận")] == [1, 2, 3]
    assert score(index, 2023, "Hà Nội")["rank"] == 15 and score(index, 2023, "Thừa Thiên Huế")["rank"] == 1
    assert score(index, 2023, "Bình Dương")["score"] is None and score(index, 2023, "Quảng Ninh")["score"] is None
    assert score(index, 2018, "Bến Tre", "control_of_corruption")["rank"] == 1


def test_structure_year_by_year_and_where_series_break(staged, index):
    def n_subs(year: int, dimension: str) -> int:
        rows = staged.rows.filter((pl.col("year") == year) & (pl.col("dimension_code") == dimension))
        return rows["subdimension_code"].n_unique()

    assert [n_subs(y, "control_of_corruption") for y in (2011, 2017, 2018, 2024)] == [4, 4, 4, 4]
    assert [n_subs(y, "e_governance") for y in (2018, 2019, 2024)] == [2, 3, 3]
    assert [n_subs(y, "administrative_procedures") for y in (2020, 2021)] == [4, 3]
    # 6 dimensions (max 60) to 2017, 8 (max 80) from 2018.
    assert score(index, 2017, "Quảng Trị")["max_score"] == 60 and score(index, 2018, "Quảng Trị")["max_score"] == 80
    # Series that continue across 2018 (same sub-dimensions) have a change; those that changed have none.
    bt = {d: score(index, 2018, "Bến Tre", d)["delta_prev_year"] for d in ("control_of_corruption", "transparency")}
    d4_2017 = score(index, 2017, "Bến Tre", "control_of_corruption")["score"]
    assert bt["control_of_corruption"] == pytest.approx(7.609219909 - d4_2017) and d4_2017 == pytest.approx(
        7.1623, 1e-4
    )
    assert bt["transparency"] is None and score(index, 2018, "Bến Tre")["delta_prev_year"] is None
    # D8 (2 → 3 sub-dimensions) in 2019 and D5 (construction permits dropped) in 2021: no change computed.
    assert score(index, 2019, "Bến Tre", "e_governance")["delta_prev_year"] is None
    assert score(index, 2021, "Bến Tre", "administrative_procedures")["delta_prev_year"] is None
    assert score(index, 2022, "Bến Tre", "administrative_procedures")["delta_prev_year"] is not None
    notes = load_papi_dimensions(DOCS, "surveys/papi_dimensions.csv").filter(
        pl.col("subdimension_code").is_null() & (pl.col("dimension_code") != "total")
    )
    # Every dimension period says whether its series continues, and why.
    first_rows = notes.sort("valid_from_year").unique(subset=["series"], keep="first")
    assert first_rows["series_note"].is_not_null().all()


def test_a_map_expecting_a_sub_dimension_the_file_lacks_is_reported_and_fails_the_check(mapping, provinces):
    """The issue's bug: a map that expects e-responsiveness (8.3) in 2018, when PAPI published two
    e-governance sub-dimensions. Each file gets one record; every 2018 total is empty; the check fails."""
    wrong = pl.concat(
        [
            mapping.filter(pl.col("series") != "e_governance-2018"),
            mapping.filter(pl.col("series") == "e_governance-2019").with_columns(
                pl.lit(2018, pl.Int32).alias("valid_from_year")
            ),
        ]
    ).filter(~((pl.col("series") == "e_governance-2019") & (pl.col("valid_from_year") == 2019)))
    stage = stage_papi(_rows("surveys/papi/2018.csv"), wrong, provinces)
    (record,) = stage.quarantine.rows(named=True)
    assert (record["rule"], record["value"], record["source_file"], record["row_number"]) == (
        "missing_subdimension",
        "8.3",
        "surveys/papi/2018.csv",
        None,
    )
    assert "8.3 'Phúc đáp của chính quyền qua cổng thông tin điện tử'" in record["message"]
    assert "tổng điểm năm 2018" in record["message"] and "papi_dimensions.csv" in record["message"]
    index = papi_index(stage.rows, wrong)
    assert index.filter(pl.col("dimension") == "total")["score"].null_count() == 63
    table, sql, _ = SURVEY_RULES["papi_every_year_has_totals"]
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA marts")
    conn.register("papi_frame", index.to_arrow())
    conn.execute("CREATE TABLE marts.papi_index AS SELECT * FROM papi_frame")
    assert conn.sql(sql).fetchall() == [(2018, 63)]
    # With the bundled map the same file passes.
    good = papi_index(stage_papi(_rows("surveys/papi/2018.csv"), mapping, provinces).rows, mapping)
    conn.register("good_frame", good.to_arrow())
    conn.execute("CREATE OR REPLACE TABLE marts.papi_index AS SELECT * FROM good_frame")
    assert conn.sql(sql).fetchall() == []


def test_published_intervals_and_ranks_are_read_where_a_table_carries_them(mapping, provinces):
    def row(n: int, province: str, low, high, rank, **cells) -> dict:
        return {
            "source_file": "surveys/papi/papi_2024_khoang_tin_cay.csv",
            "sheet": None,
            "row_number": n,
            "tỉnh, thành phố": province,
            "cận dưới 95%": low,
            "cận trên 95%": high,
            "xếp hạng": rank,
            **cells,
        }

    subs24 = {f"sc{d}{s}": "1" for d, s in [(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (2, 2), (2, 3), (2, 4)]}
    subs24 |= {f"sc{d}{s}": "1" for d, s in [(3, 1), (3, 2), (3, 3), (4, 1), (4, 2), (4, 3), (4, 4)]}
    subs24 |= {f"sc{d}{s}": "1" for d, s in [(5, 1), (5, 3), (5, 4), (6, 1), (6, 2), (6, 3), (6, 4)]}
    subs24 |= {f"sc{d}{s}": "1" for d, s in [(7, 1), (7, 2), (7, 3), (8, 1), (8, 2), (8, 3)]}
    rows = [
        row(2, "P30", "44,1", "45,4", "2", **subs24),
        row(3, "Hà Nội", "43,9", "42,0", None, **subs24),  # upper below lower: refused
    ]
    stage = stage_papi(rows, mapping, provinces)
    assert stage.quarantine.select("row_number", "rule").rows() == [(3, "bad_interval")]
    assert stage.published.select("province", "ci_low", "ci_high", "published_rank").rows() == [
        ("Quảng Trị", 44.1, 45.4, 2)
    ]
    index = papi_index(stage.rows, mapping, 30, stage.published)
    qt = score(index, 2024, "Quảng Trị")
    # 28 sub-dimensions (4+4+3+4+3+4+3+3) of 1 point = 28; chiso's rank stands beside PAPI's published one.
    assert (qt["score"], qt["rank"], qt["published_rank"]) == (28.0, 1, 2)
    assert (qt["published_ci_low"], qt["published_ci_high"]) == (44.1, 45.4)
    assert score(index, 2024, "Quảng Trị", "participation")["published_ci_low"] is None
