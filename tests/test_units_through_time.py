"""Units through time, on a case worked by hand (synthetic): on 1/7/2025 provinces A and B merge
into AB (Nghị quyết 202/2025/QH15), the district level ends, commune X1 (district H1) splits into X2
and X3, commune X4 moves from H1 to the province as X5, and on 1/3/2025 department S1 is renamed SN1.

Frameworks of one family: `truoc` (2021-2024: department, district, commune; a commune's parent is a
district, and communes are also ranked within it) and `sau` (2025-: department and commune; a
commune's parent is the province). One leaf of max 100 per group, so a unit's index is its score.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from models.par.frameworks import load_frameworks
from models.par.index import compute
from models.par.staging import APPRAISAL_SCHEMA, SUBMISSION_SCHEMA, SURVEY_SCHEMA, parent_groups, stage_units
from models.units.lineage import unit_lineage, unit_trend
from models.units.register import _in_cycles, register, stage_unit_changes

NQ202 = "Nghị quyết 202/2025/QH15"
NQ_XA = "Nghị quyết 1/2025/NQ-UBTVQH15 (tổng hợp)"
QD_SO = "Quyết định 9/2025/QĐ-UBND (tổng hợp)"

FRAMEWORK = """
ruleset_id: {rid}
family: reorg
decision_no: {rid}/QĐ-TEST
decision_date: 2021-01-01
valid_from_year: {start}
valid_to_year: {end}
scale: 100
criteria:
{criteria}
classification:
  bands: [{{name: Tốt, min: 80}}, {{name: Khá, min: 0}}]
ranking: {{tiebreak: null}}
parents:
  commune: {parent}
"""
CRITERIA = "code,parent_code,title,max_points,method,appraising_agency,tiebreak,source\n1,,Lĩnh vực,100,,,,test\n" + (
    "1.1,1,Tiêu chí,100,appraised,Sở Nội vụ,,test\n"
)


def write_frameworks(root: Path) -> Path:
    specs = {
        "truoc": (2021, 2024, ("department", "district", "commune"), "{group: district, ranked_within: true}"),
        "sau": (2025, "null", ("department", "commune"), "{group: province}"),
    }
    for rid, (start, end, groups, parent) in specs.items():
        folder = root / "frameworks" / rid
        folder.mkdir(parents=True)
        criteria = "\n".join(f"  {g}: {{file: {g}.csv}}" for g in groups)
        text = FRAMEWORK.format(rid=rid, start=start, end=end, criteria=criteria, parent=parent)
        (folder / "framework.yaml").write_text(text, encoding="utf-8")
        for g in groups:
            (folder / f"{g}.csv").write_text(CRITERIA, encoding="utf-8")
    return root / "frameworks"


D = dt.date
BEFORE, AFTER = D(2025, 6, 30), D(2025, 7, 1)
PROVINCES = pl.DataFrame(
    {
        "province_code": ["A", "B", "AB"],
        "province_name": ["Tỉnh A", "Tỉnh B", "Tỉnh AB"],
        "ruleset_family": ["reorg"] * 3,
        "valid_from": [None, None, AFTER],
        "valid_to": [BEFORE, BEFORE, None],
    }
)
UNITS = [  # unit_id, name, group, parent, province, valid_from, valid_to
    ("S1", "Sở Nội vụ", "department", None, "A", None, "28/02/2025"),
    ("SN1", "Sở Nội vụ tỉnh AB", "department", None, "AB", "01/03/2025", None),
    ("H1", "UBND huyện Một", "district", None, "A", None, "30/06/2025"),
    ("X1", "UBND xã Một", "commune", "H1", "A", None, "30/06/2025"),
    ("X4", "UBND xã Bốn", "commune", "H1", "A", None, "30/06/2025"),
    ("X2", "UBND xã Hai", "commune", None, "AB", "01/07/2025", None),
    ("X3", "UBND xã Ba", "commune", "", "AB", "01/07/2025", None),
    ("X5", "UBND xã Năm", "commune", "AB", "AB", "01/07/2025", None),
]
CHANGES = [  # unit_id, relation, successor_id, effective_date, decision_no
    ("A", "merged_into", "AB", "01/07/2025", NQ202),
    ("B", "sáp nhập", "AB", "01/07/2025", NQ202),
    ("X1", "split_into", "X2", "01/07/2025", NQ_XA),
    ("X1", "split_into", "X3", "01/07/2025", NQ_XA),
    ("X4", "moved", "X5", "01/07/2025", NQ_XA),
    ("S1", "renamed", "SN1", "01/03/2025", QD_SO),
]


def raw(rows: list[tuple], columns: list[str], file: str) -> list[dict]:
    return [
        {"source_file": file, "row_number": i + 2, **dict(zip(columns, r, strict=True))} for i, r in enumerate(rows)
    ]


UNIT_COLUMNS = ["unit_id", "unit_name", "unit_group", "parent_unit_id", "province_code", "valid_from", "valid_to"]
CHANGE_COLUMNS = ["unit_id", "relation", "successor_id", "effective_date", "decision_no"]


@pytest.fixture
def case(tmp_path):
    rulesets, criteria = load_frameworks(write_frameworks(tmp_path))
    staged = stage_units(
        raw(UNITS, UNIT_COLUMNS, "units.csv"),
        PROVINCES,
        ("department", "district", "commune"),
        parent_groups(rulesets, PROVINCES),
    )
    assert staged.quarantine.is_empty(), staged.quarantine["message"].to_list()
    units = staged.rows
    changes = stage_unit_changes(raw(CHANGES, CHANGE_COLUMNS, "unit_changes.csv"), units, PROVINCES)
    assert changes.quarantine.is_empty(), changes.quarantine["message"].to_list()
    return rulesets, criteria, units, changes.rows


def test_lineage_links_each_unit_to_its_predecessors(case):
    _, _, units, changes = case
    lineage = unit_lineage(changes, register(units, PROVINCES))
    assert lineage.select("unit_id", "predecessor_id", "relation", "effective_date", "decision_no").rows() == [
        ("AB", "A", "merged_into", AFTER, NQ202),
        ("AB", "B", "merged_into", AFTER, NQ202),
        ("SN1", "S1", "renamed", D(2025, 3, 1), QD_SO),
        ("X2", "X1", "split_into", AFTER, NQ_XA),
        ("X3", "X1", "split_into", AFTER, NQ_XA),
        ("X5", "X4", "moved", AFTER, NQ_XA),
    ]
    assert set(lineage["generation"]) == {1}


def test_lineage_follows_a_chain_back(case):
    # X2 later (2026) merges into Y: Y's predecessors are X2 (generation 1) and X1 through X2 (generation 2).
    _, _, units, changes = case
    changes = pl.concat(
        [
            changes,
            pl.DataFrame(
                [("X2", "merged_into", "Y", D(2026, 1, 1), "NQ thử", None, "c.csv", 9)],
                schema=changes.schema,
                orient="row",
            ),
        ]
    )
    reg = pl.concat([register(units, PROVINCES), register(units.clear(), PROVINCES.clear())])
    reg = pl.concat(
        [
            reg,
            pl.DataFrame(
                [("Y", "Xã Y", "unit", "commune", "AB", D(2026, 1, 1), None)], schema=reg.schema, orient="row"
            ),
        ]
    )
    lineage = unit_lineage(changes, reg).filter(pl.col("unit_id") == "Y")
    assert lineage.select("predecessor_id", "relation", "generation", "via").rows() == [
        ("X2", "merged_into", 1, None),
        ("X1", "split_into", 2, "X2"),
    ]


def test_2024_ranks_communes_within_their_district_and_2025_within_the_province_only(case):
    rulesets, criteria, units, _ = case
    scores = {2024: {"S1": 75.0, "X1": 80.0, "X4": 90.0}, 2025: {"SN1": 88.0, "X2": 70.0, "X3": 85.0, "X5": 85.0}}
    rid = {2024: "truoc", 2025: "sau"}
    subs = pl.DataFrame(
        [
            (y, u, rid[y], "1.1", s, False, None, None, None, "f.csv", None, i)
            for y, by in scores.items()
            for i, (u, s) in enumerate(by.items())
        ],
        schema=SUBMISSION_SCHEMA,
        orient="row",
    )
    scope = (
        subs.select("year", "unit_id", "ruleset_id")
        .join(units.drop("source_file", "source_row", "valid_from", "valid_to"), on="unit_id")
        .sort("year", "unit_id")
    )
    result = compute(
        scope,
        criteria,
        subs,
        pl.DataFrame(schema=APPRAISAL_SCHEMA),
        pl.DataFrame(schema=SURVEY_SCHEMA),
        rulesets,
    )
    got = result.units.sort("year", "unit_group", "unit_id").select(
        "year", "unit_group", "unit_id", "index_pct", "rank", "parent_rank"
    )
    assert got.rows() == [
        (2024, "commune", "X1", 80.0, 2, 2),
        (2024, "commune", "X4", 90.0, 1, 1),
        (2024, "department", "S1", 75.0, 1, None),
        # 2025: no district level; X3 and X5 tie (no tiebreak in the framework) and share rank 1.
        (2025, "commune", "X2", 70.0, 3, None),
        (2025, "commune", "X3", 85.0, 1, None),
        (2025, "commune", "X5", 85.0, 1, None),
        (2025, "department", "SN1", 88.0, 1, None),
    ]
    assert set(result.units.filter(pl.col("year") == 2025)["unit_group"]) == {"department", "commune"}


def test_trend_shows_predecessors_beside_the_unit_and_a_labelled_composite_only_with_weights(case):
    _, _, units, changes = case
    reg = register(units, PROVINCES)
    lineage = unit_lineage(changes, reg)
    series = pl.DataFrame(
        [("A", 2023, 40.0), ("A", 2024, 42.0), ("B", 2024, 38.0), ("AB", 2025, 41.0)],
        schema={"unit_id": pl.String, "year": pl.Int32, "value": pl.Float64},
        orient="row",
    )
    plain = unit_trend(series, lineage, reg).filter(pl.col("unit_id") == "AB")
    assert plain.select("year", "role", "series_unit_id", "relation", "value").rows() == [
        (2023, "predecessor", "A", "merged_into", 40.0),
        (2024, "predecessor", "A", "merged_into", 42.0),
        (2024, "predecessor", "B", "merged_into", 38.0),
        (2025, "own", "AB", None, 41.0),
    ]
    assert plain["label"][0] == f"Tỉnh A (đơn vị tiền thân: sáp nhập vào Tỉnh AB, {NQ202})"
    weights = pl.DataFrame({"unit_id": ["A", "B"], "weight": [2.0, 1.0], "basis": ["dân số 2024 (tổng hợp)"] * 2})
    weighted = unit_trend(series, lineage, reg, weights).filter(
        (pl.col("unit_id") == "AB") & (pl.col("role") == "composite")
    )
    # 2023: B has no value, so no composite (never a partial average); 2024: (2 × 42 + 1 × 38) / 3 = 122 / 3.
    assert weighted.select("year", "members", "weight").rows() == [(2024, "A × 2, B × 1", 3.0)]
    assert weighted["value"][0] == pytest.approx(122 / 3)
    assert weighted["label"][0].startswith("Chỉ số tổng hợp (suy ra) từ 2 đơn vị tiền thân của Tỉnh AB")
    assert "dân số 2024 (tổng hợp)" in weighted["label"][0]
    # A retired unit has no trend of its own; a split commune's parts each show it as predecessor.
    assert "A" not in set(unit_trend(series, lineage, reg)["unit_id"])


def test_register_checks_overlap_unknown_successor_and_cycles(case):
    _, _, units, _ = case
    bad = [
        ("SN1", "renamed", "S1", "01/03/2025", "QĐ thử"),  # SN1 never ends, so S1 would overlap it
        ("X2", "merged_into", "ZZ", "01/01/2026", "NQ thử"),  # no unit ZZ
        ("X2", "đổi tên", "X3", "01/01/2026", ""),  # no decision cited
        ("X2", "tách", "X3", "01/01/2026", "NQ thử"),  # unknown relation
        ("A", "merged_into", "X2", "01/07/2025", NQ202),  # a province cannot precede a commune
    ]
    staged = stage_unit_changes(raw(bad, CHANGE_COLUMNS, "unit_changes.csv"), units, PROVINCES)
    assert staged.rows.is_empty()
    assert staged.quarantine.sort("row_number").select("row_number", "rule").rows() == [
        (2, "overlapping_validity"),
        (3, "unknown_successor"),
        (4, "required"),
        (5, "unknown_relation"),
        (6, "level_mismatch"),
    ]
    loop = pl.DataFrame({"unit_id": ["P", "Q", "R", "Q"], "successor_id": ["Q", "R", "P", "S"]})
    assert _in_cycles(loop) == {("P", "Q"), ("Q", "R"), ("R", "P")}


def test_a_commune_parent_follows_the_framework_in_force_during_its_validity(tmp_path):
    rulesets, _ = load_frameworks(write_frameworks(tmp_path))
    rows = [
        ("X1", "UBND xã Một", "commune", None, "A", None, "30/06/2025"),  # before 2025: needs a district
        ("X2", "UBND xã Hai", "commune", "H1", "AB", "01/07/2025", None),  # after: the province, not a district
        ("H1", "UBND huyện Một", "district", None, "A", None, "30/06/2025"),
        ("X3", "UBND xã Ba", "commune", "H1", "A", "01/01/2021", "30/06/2025"),
        ("X5", "UBND xã Năm", "commune", "", "AB", "01/07/2025", None),
    ]
    staged = stage_units(
        raw(rows, UNIT_COLUMNS, "units.csv"),
        PROVINCES,
        ("department", "district", "commune"),
        parent_groups(rulesets, PROVINCES),
    )
    assert staged.rows.select("unit_id", "parent_unit_id").rows() == [("H1", None), ("X3", "H1"), ("X5", None)]
    assert staged.quarantine.sort("row_number").select("row_number", "rule").rows() == [
        (2, "unknown_parent"),
        (3, "unknown_parent"),
    ]


# The official lists (vietnamadminunits, pinned): facts of Nghị quyết 202/2025/QH15 checked by hand.
def test_official_merger_is_63_into_34_from_the_pinned_package():
    from models.units.official import official_merger

    m = official_merger()
    assert m.height == 63 and m["code_2025"].n_unique() == 34
    assert m.filter(pl.col("relation") == "unchanged").height == 11  # 11 provinces kept as they were
    assert m.filter(pl.col("relation") == "merged_into")["code_2025"].n_unique() == 23  # 23 new provinces
    into = {r["official_name"]: (r["name_2025"], r["relation"]) for r in m.iter_rows(named=True)}
    assert into["Hà Giang"] == ("Tuyên Quang", "merged_into")
    assert into["Hậu Giang"] == into["Sóc Trăng"] == into["Cần Thơ"] == ("Cần Thơ", "merged_into")
    assert into["Hà Nội"] == ("Hà Nội", "unchanged")


def test_papi_codes_map_to_official_codes_and_the_34_show_predecessors():
    from models.units.official import official_merger, papi_province_map, province_register

    papi = pl.read_csv(Path(__file__).parents[1] / "data/raw/surveys/papi_provinces.csv")
    mapping = papi_province_map(papi, official_merger())
    assert mapping["official_code"].null_count() == 0 and mapping["official_code"].n_unique() == 63
    code = dict(zip(mapping["papi_code"], mapping["official_code"], strict=True))
    after = dict(zip(mapping["papi_code"], mapping["unit_id_2025"], strict=True))
    # P31 Thừa Thiên Huế is the official 46 (Thành phố Huế since 1/1/2025, Nghị quyết 175/2024/QH15).
    assert (code["P31"], code["P50"], code["P59"], code["P60"]) == ("46", "79", "92", "93")
    assert after["P59"] == after["P60"] == "92@2025" and after["P01"] == "01"
    provinces, changes = province_register(official_merger())
    lineage = unit_lineage(changes, provinces)
    series = pl.DataFrame(
        {"unit_id": ["92", "93", "94", "01"], "year": [2024] * 4, "value": [40.0, 41.0, 42.0, 43.0]},
        schema_overrides={"year": pl.Int32},
    )
    trend = unit_trend(series, lineage, provinces)
    assert trend.filter(pl.col("unit_id") == "92@2025").select("role", "series_unit_id", "value").rows() == [
        ("predecessor", "92", 40.0),
        ("predecessor", "93", 41.0),
        ("predecessor", "94", 42.0),
    ]
    assert trend.filter(pl.col("unit_id") == "01").select("role", "value").rows() == [("own", 43.0)]


def test_a_unit_is_scored_and_expected_only_in_the_years_it_exists_at_year_end(case):
    from models.par.coverage import missing_submissions
    from models.par.staging import Scope, stage_submissions

    rulesets, criteria, units, _ = case
    rows = [
        {"source_file": f"submissions/{y}/s.csv", "folder_year": str(y), "row_number": i + 2, "unit_id": u,
         "year": str(y), "criterion_code": "1.1", "self_score": "50"}
        for i, (u, y) in enumerate([("X1", 2024), ("X1", 2025), ("X2", 2025), ("X2", 2024), ("S1", 2025)])
    ]  # fmt: skip
    staged = stage_submissions(rows, Scope(units, PROVINCES, rulesets, criteria))
    assert staged.rows.select("unit_id", "year").rows() == [("X1", 2024), ("X2", 2025)]
    # X1 ended on 30/6/2025, X2 began on 1/7/2025, S1 was renamed on 1/3/2025.
    assert staged.quarantine.sort("row_number").select("row_number", "rule").rows() == [
        (3, "unit_not_in_force"),
        (5, "unit_not_in_force"),
        (6, "unit_not_in_force"),
    ]
    missing = missing_submissions(units, PROVINCES, rulesets, criteria, staged.rows, pl.DataFrame())
    # 2024 (province A evaluated: X1 sent): S1, H1 and X4 are missing; 2025 (AB: X2 sent): X3, X5 and SN1,
    # never H1 (the district level ended) nor X1.
    assert missing.select("year", "unit_id").rows() == [
        (2024, "H1"), (2024, "S1"), (2024, "X4"), (2025, "SN1"), (2025, "X3"), (2025, "X5"),
    ]  # fmt: skip


# The bundled sample across the break (scripts/make_sample_2025.py), from the shared run of the job.
def test_sample_2025_is_scored_without_districts_and_links_every_merged_unit(sample_warehouse):
    from tests.e2e_helpers import query

    groups = query(
        sample_warehouse,
        "SELECT year, list(DISTINCT unit_group ORDER BY unit_group) AS g, count(parent_rank) AS within "
        "FROM marts.par_index WHERE province_code IN ('MTE', 'MTG', 'MEG') GROUP BY year ORDER BY year",
    )
    assert groups.rows() == [(2024, ["commune", "department", "district"], 6), (2025, ["commune", "department"], 0)]
    lineage = query(sample_warehouse, "SELECT unit_id, predecessor_id, relation FROM marts.unit_lineage")
    merged = {(u, p) for u, p, r in lineage.rows() if r == "merged_into"}
    assert {("MEG", "MTE"), ("MEG", "MTG"), ("MX01", "EX11"), ("MX01", "EX12"), ("MS01", "ES01")} <= merged
    assert ("MX03", "EX22", "split_into") in lineage.rows() and ("MS03", "ES03", "renamed") in lineage.rows()
    trend = query(
        sample_warehouse,
        "SELECT role, series_unit_id, year FROM marts.unit_trend WHERE unit_id = 'MX01' ORDER BY year, role",
    )
    assert trend.rows() == [("composite", None, 2024), ("predecessor", "EX11", 2024), ("predecessor", "EX12", 2024),
                            ("own", "MX01", 2025)]  # fmt: skip


def test_explain_shows_the_predecessors_beside_the_unit(sample_warehouse):
    from pipelines.explain_cmd import explain_from_warehouse

    text = explain_from_warehouse(sample_warehouse / "warehouse.duckdb", 2025, "MX01")
    section = text[text.index("8. Đơn vị tiền thân") :]
    assert "UBND xã Đông An (đơn vị tiền thân: sáp nhập vào UBND xã Đông An Bình" in section
    assert "Chỉ số tổng hợp (suy ra) từ 2 đơn vị tiền thân" in section and "EX11 × 8200, EX12 × 5400" in section


def test_sample_unit_page_shows_its_predecessors(sample_warehouse):
    from reports.dashboard import PACK_DIR, _unit_file

    pages = [p for p in (sample_warehouse / PACK_DIR).rglob(_unit_file("MX01"))]
    assert len(pages) == 1
    html = pages[0].read_text(encoding="utf-8")
    section = html[html.index("Đơn vị tiền thân (sắp xếp đơn vị hành chính 2025)") :]
    assert "<td>2024</td><td>Đơn vị tiền thân</td><td>UBND xã Đông An</td>" in section
    assert "<td>2024</td><td>Tổng hợp (suy ra)</td><td>—</td>" in section
    assert "thành phần: EX11 × 8200, EX12 × 5400" in section
