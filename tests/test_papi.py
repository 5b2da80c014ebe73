"""PAPI worked out by hand: dimensions from sub-dimensions, totals, blanks, ranks, quartile tiers,
year-over-year change within a series, and the distance to the top-N cut-off (models/papi/scores.py).

A two-period mapping stands in for UNDP's (6 dimensions to 2017, 8 from 2018): here 2 dimensions
to 2017 (max 20) and 3 from 2018 (max 30), dimension `d2` changing its content (series) in 2018.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from models.ingest.documents import Documents
from models.papi.scores import PapiConfigError, load_papi_dimensions, papi_index, stage_papi

MAPPING = "\n".join(
    [
        "valid_from_year,valid_to_year,dimension_code,series,dimension_no,dimension_name_vi,"
        "dimension_name_en,subdimension_code,subdimension_name_vi,subdimension_name_en,headers,source",
        "2011,2017,d1,d1,1,Tham gia,Participation,,,,D1,test",
        "2011,2017,d1,d1,1,Tham gia,Participation,1.1,Tri thức công dân,Civic knowledge,,test",
        "2011,2017,d1,d1,1,Tham gia,Participation,1.2,Cơ hội tham gia,Opportunities,,test",
        "2011,2017,d2,d2-2011,2,Công khai,Transparency,,,,D2,test",
        "2011,2017,d2,d2-2011,2,Công khai,Transparency,2.1,Hộ nghèo,Poverty lists,,test",
        "2011,2017,d2,d2-2011,2,Công khai,Transparency,2.2,Ngân sách xã,Communal budgets,,test",
        "2018,,d1,d1,1,Tham gia,Participation,,,,D1,test",
        "2018,,d1,d1,1,Tham gia,Participation,1.1,Tri thức công dân,Civic knowledge,,test",
        "2018,,d1,d1,1,Tham gia,Participation,1.2,Cơ hội tham gia,Opportunities,,test",
        "2018,,d2,d2-2018,2,Công khai trong ra quyết định,Transparency in decision-making,,,,D2,test",
        "2018,,d2,d2-2018,2,Công khai trong ra quyết định,Transparency in decision-making,2.1,"
        "Tiếp cận thông tin,Access to information,,test",
        "2018,,d3,d3,3,Quản trị điện tử,E-governance,,,,D3,test",
        "2018,,d3,d3,3,Quản trị điện tử,E-governance,3.1,Cổng thông tin,E-portals,,test",
        "2011,,total,total,,Tổng,Total,,,,Total|Tổng điểm,test",
        "",
    ]
)
PROVINCES = pl.DataFrame(
    {"province_code": ["A"], "province_name": ["Tỉnh A"], "ruleset_family": ["x"], "synthetic": [True]}
)


def row(year_file: str, n: int, province: str, **cells) -> dict:
    """A published table row as the raw layer keeps it: case-folded headers, text values."""
    return {
        "source_file": f"surveys/papi/papi_{year_file}.csv",
        "sheet": None,
        "row_number": n,
        "province": province,
        **{k.casefold(): (None if v is None else str(v)) for k, v in cells.items()},
    }


# 2017 (two dimensions, max 20). C has a blank 2.2; the published "Total" column is wrong on purpose.
#        1.1     1.2     → d1     2.1   2.2     → d2    total
#   A    2.5     2.25      4.75   3.0   3.5       6.5   11.25
#   B    2.0     2.0       4.0    4.0   1.0       5.0    9.0
#   C    3.0     3.0       6.0    2.0   blank     —      —
#   D    1.5     1.5       3.0    2.5   2.5       5.0    8.0
#   E    2.125   2.125     4.25   3.0   2.0       5.0    9.25
Y2017 = [
    ("Tỉnh A", 2.5, 2.25, 3.0, 3.5),
    ("Tỉnh B", 2.0, 2.0, 4.0, 1.0),
    ("Tỉnh C", 3.0, 3.0, 2.0, None),
    ("Tỉnh D", 1.5, 1.5, 2.5, 2.5),
    ("Tỉnh E", 2.125, 2.125, 3.0, 2.0),
]
# 2018 (three dimensions, max 30), headers by English name; B not scored (absent).
Y2018 = [("Tỉnh A", 2.0, 2.0, 6.0, 5.0), ("Tỉnh C", 3.0, 3.5, 5.0, 4.0), ("Tỉnh D", 2.5, 2.0, 6.5, 3.0)]


def raw_rows() -> list[dict]:
    rows = [
        row("2017", i, p, **{"1.1": a, "1.2": b, "2.1": c, "2.2": d, "Total": 99, "Ghi chú": "x"})
        for i, (p, a, b, c, d) in enumerate(Y2017, start=2)
    ]
    rows += [
        row("2018", i, p, **{"Civic knowledge": a, "Opportunities": b, "Access to information": c, "E-portals": d})
        for i, (p, a, b, c, d) in enumerate(Y2018, start=2)
    ]
    # 2019: only dimension scores are published (no sub-dimensions): they are used as they are.
    rows.append(row("2019", 2, "Tỉnh A", D1=4.5, D2=6.5, D3=5.5))
    return rows


@pytest.fixture()
def mapping(tmp_path) -> pl.DataFrame:
    path = tmp_path / "papi_dimensions.csv"
    path.write_text(MAPPING, encoding="utf-8")
    return load_papi_dimensions(Documents({path.name: path.read_text(encoding="utf-8")}), path.name)


@pytest.fixture()
def index(mapping) -> pl.DataFrame:
    stage = stage_papi(raw_rows(), mapping, PROVINCES)
    return papi_index(stage.rows, mapping, top_n=3)


def get(index: pl.DataFrame, year: int, province: str, dimension: str) -> dict:
    return index.filter(
        (pl.col("year") == year) & (pl.col("province") == province) & (pl.col("dimension") == dimension)
    ).row(0, named=True)


def test_dimensions_are_sums_of_sub_dimensions_and_totals_of_unrounded_dimensions(index):
    assert get(index, 2017, "Tỉnh A", "d1")["score"] == pytest.approx(4.75)
    assert get(index, 2017, "Tỉnh E", "d1")["score"] == pytest.approx(4.25)  # 2.125 + 2.125, not 2.13 + 2.13
    totals = {
        r["province"]: r["score"]
        for r in index.filter((pl.col("year") == 2017) & (pl.col("dimension") == "total")).iter_rows(named=True)
    }
    # The published "Total" (99) is not read.
    assert totals == {"Tỉnh A": 11.25, "Tỉnh B": 9.0, "Tỉnh C": None, "Tỉnh D": 8.0, "Tỉnh E": 9.25}
    assert (
        get(index, 2017, "Tỉnh A", "total")["max_score"] == 20
        and get(index, 2018, "Tỉnh A", "total")["max_score"] == 30
    )


def test_a_blank_stays_missing_and_is_not_ranked(index):
    c = get(index, 2017, "Tỉnh C", "d2")
    assert (c["score"], c["rank"], c["tier"], c["complete"]) == (None, None, None, False)
    # C's d1 (6.0) is complete and ranks first among five.
    assert (get(index, 2017, "Tỉnh C", "d1")["rank"], get(index, 2017, "Tỉnh C", "d1")["n_provinces"]) == (1, 5)


def test_ranks_and_quartile_tiers_by_hand(index):
    total = {
        r["province"]: r
        for r in index.filter((pl.col("year") == 2017) & (pl.col("dimension") == "total")).iter_rows(named=True)
    }
    # Scored totals 11.25 (A), 9.25 (E), 9.0 (B), 8.0 (D): ranks 1-4 among the 4 scored.
    assert {p: r["rank"] for p, r in total.items()} == {
        "Tỉnh A": 1,
        "Tỉnh E": 2,
        "Tỉnh B": 3,
        "Tỉnh D": 4,
        "Tỉnh C": None,
    }
    assert total["Tỉnh A"]["n_provinces"] == 4
    # Quartiles of [8.0, 9.0, 9.25, 11.25] at positions 3q: q25 = 8.0 + 0.75 × 1.0 = 8.75;
    # q50 = 9.0 + 0.5 × 0.25 = 9.125; q75 = 9.25 + 0.25 × 2.0 = 9.75.
    # A 11.25 ≥ 9.75 → 1; E 9.25 ≥ 9.125 → 2; B 9.0 ≥ 8.75 → 3; D 8.0 → 4.
    assert {p: r["tier"] for p, r in total.items()} == {
        "Tỉnh A": 1,
        "Tỉnh E": 2,
        "Tỉnh B": 3,
        "Tỉnh D": 4,
        "Tỉnh C": None,
    }
    assert total["Tỉnh A"]["tier_label"] == "Nhóm cao nhất"
    # Dimension d1: 6.0 (C), 4.75 (A), 4.25 (E), 4.0 (B), 3.0 (D).
    assert [get(index, 2017, p, "d1")["rank"] for p in ("Tỉnh C", "Tỉnh A", "Tỉnh E", "Tỉnh B", "Tỉnh D")] == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_ties_share_the_best_rank(mapping):
    rows = [row("2017", 2, "Tỉnh X", **{"1.1": 2, "1.2": 2, "2.1": 2, "2.2": 2})]
    rows += [row("2017", 3, "Tỉnh Y", **{"1.1": 2, "1.2": 2, "2.1": 3, "2.2": 1})]
    rows += [row("2017", 4, "Tỉnh Z", **{"1.1": 1, "1.2": 1, "2.1": 1, "2.2": 1})]
    index = papi_index(stage_papi(rows, mapping, PROVINCES).rows, mapping, top_n=3)
    assert [get(index, 2017, p, "total")["rank"] for p in ("Tỉnh X", "Tỉnh Y", "Tỉnh Z")] == [1, 1, 3]


def test_change_only_within_the_same_series(index):
    # d1 keeps its series: A 4.0 (2018) − 4.75 (2017) = −0.75.
    assert get(index, 2018, "Tỉnh A", "d1")["delta_prev_year"] == pytest.approx(-0.75)
    # d2 changed content in 2018, and the total went from 2 to 3 dimensions (max 20 → 30): no change.
    assert get(index, 2018, "Tỉnh A", "d2")["delta_prev_year"] is None
    assert get(index, 2018, "Tỉnh A", "total")["delta_prev_year"] is None
    # 2019 (dimension scores only): A total 4.5 + 6.5 + 5.5 = 16.5; 2018 A: 4.0 + 6.0 + 5.0 = 15.0 → +1.5.
    assert get(index, 2019, "Tỉnh A", "total")["score"] == pytest.approx(16.5)
    assert get(index, 2019, "Tỉnh A", "total")["delta_prev_year"] == pytest.approx(1.5)


def test_distance_to_the_top_n_cut_off(index):
    # top_n = 3 (Vĩnh Long's 30, scaled down): 2017's 3rd best total is B's 9.0.
    a, d = get(index, 2017, "Tỉnh A", "total"), get(index, 2017, "Tỉnh D", "total")
    assert a["top_n_cutoff"] == 9.0
    assert (a["gap_to_top_n"], a["in_top_n"]) == (pytest.approx(-2.25), True)
    assert (d["gap_to_top_n"], d["in_top_n"]) == (pytest.approx(1.0), False)  # one point short
    # 2018: three provinces scored (A 4 + 6 + 5 = 15.0, C 6.5 + 5 + 4 = 15.5, D 4.5 + 6.5 + 3 = 14.0):
    # all in the top 3, the cut-off is the lowest.
    assert get(index, 2018, "Tỉnh D", "total")["top_n_cutoff"] == pytest.approx(14.0)


def test_bad_cells_and_unknown_columns_are_reported(mapping):
    rows = [row("2017", 2, "Tỉnh A", **{"1.1": "n/a", "1.2": 12, "2.1": 3, "2.2": 3, "Foo": 1})]
    rows += [row("2017", 3, None, **{"1.1": 1})]
    rows += [row("2017", 4, "Tỉnh A", **{"1.1": 1})]  # second row for the same province and year
    stage = stage_papi(rows, mapping, PROVINCES)
    rules = sorted(stage.quarantine["rule"].to_list())
    assert rules == ["duplicate", "not_a_number", "out_of_range", "required", "unknown_column"]
    assert stage.balanced and stage.rows_staged == 1
    index = papi_index(stage.rows, mapping, top_n=3)
    assert get(index, 2017, "Tỉnh A", "d1")["score"] is None  # both cells unusable: missing, not 0
    assert get(index, 2017, "Tỉnh A", "d2")["score"] == 6.0
    # The name in provinces.csv gives the province code.
    assert get(index, 2017, "Tỉnh A", "d2")["province_code"] == "A"


def test_a_header_naming_two_things_in_one_year_is_refused(tmp_path):
    path = Path(tmp_path) / "m.csv"
    path.write_text(
        MAPPING.replace(
            ",,test\n2011,2017,d1,d1,1,Tham gia,Participation,1.2,",
            ",D1,test\n2011,2017,d1,d1,1,Tham gia,Participation,1.2,",
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(PapiConfigError):
        load_papi_dimensions(Documents({path.name: path.read_text(encoding="utf-8")}), path.name)
