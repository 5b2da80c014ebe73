"""Surveys through the real job: respondent files → staging → index points and the survey marts.

1. A tiny Quảng Ninh-style province (tests/survey_helpers.py: 9.1 = 23 SIPAS points, 9.2 = 17
   civil-servant points, QĐ Quảng Ninh 2022 §II.1.b), worked out by hand; the assets up to the PAR index and
   the survey marts.
2. The bundled sample (a tmp copy of data/raw) through the whole job `chiso_recompute`: the survey
   marts, the engineered cases of data/raw/surveys/README.md, and the committed files equal to a
   fresh run of their generator.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import dagster as dg
import openpyxl
import polars as pl
import pytest

from assets.partitions import year_tags
from models.surveys.marts import SURVEY_MARTS
from pipelines.definitions import ALL_ASSETS, make_resources
from tests.e2e_helpers import query
from tests.survey_helpers import write_rules

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "raw"
SIPAS_HEAD = ["Mã phiếu", "Q1", "Q2", "Q3"]


def _csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in r] for r in rows)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    surveys = write_rules(raw)
    # Self-assessments: U1 1.1 = 30, 1.2 = 20; U2 and U3 full marks (60).
    _csv(
        raw / "submissions/2023/export.csv",
        ["unit_id", "year", "criterion_code", "self_score", "evidence_refs", "explanation", "submitted_at"],
        [
            [u, 2023, leaf, s, "", "", "12/12/2023"]
            for u, leaf, s in [
                ("U1", "1.1", 30),
                ("U1", "1.2", 20),
                ("U2", "1.1", 30),
                ("U2", "1.2", 30),
                ("U3", "1.1", 30),
                ("U3", "1.2", 30),
            ]
        ],
    )
    # The published aggregate: U1 9.1 = 50% (replaced by its respondents), U3 9.1 = 80%, 9.2 = 60% (kept).
    _csv(
        raw / "survey_results.csv",
        ["year", "unit_id", "criterion_code", "satisfied_pct", "respondents"],
        [[2023, "U1", "9.1", 50, 100], [2023, "U3", "9.1", 80, 90], [2023, "U3", "9.2", 60, 20]],
    )
    # U1's citizens as a survey tool's .xlsx (title rows, unit by name, a signature block).
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["KẾT QUẢ KHẢO SÁT NĂM 2023 (dữ liệu tổng hợp)"])
    ws.append([])
    ws.append(["STT", "Mã phiếu", "Tên đơn vị", "Q1", "Q2", "Q3"])
    for n, (rid, q1, q2, q3) in enumerate(
        [("r1", 5, 4, 3), ("r2", 4, 9, 2), ("r3", 2, None, 4), ("r4", "KB", 5, 7)], start=1
    ):
        ws.append([n, rid, "UBND Sở Nội vụ" if n % 2 else "Sở Nội vụ", q1, q2, q3])
    ws.append([])
    ws.append([None, "Người tổng hợp", None, None, "THỦ TRƯỞNG ĐƠN VỊ"])
    (surveys / "sipas/2023").mkdir(parents=True)
    wb.save(surveys / "sipas/2023/U1.xlsx")
    # U2's citizens as CSV with weights (year from the folder).
    _csv(
        surveys / "sipas/2023/U2.csv",
        ["Mã phiếu", "Mã đơn vị", "Trọng số", "Q1", "Q2", "Q3"],
        [["w1", "U2", "2", 4, "", ""], ["w2", "U2", "1", 2, "", ""], ["w3", "U2", "1", 3, "", ""]],
    )
    _csv(
        surveys / "civil_servant/2023/U1.csv",
        ["respondent_id", "unit_id", "year", "K1", "K2"],
        [["c1", "U1", 2023, 1, 5], ["c2", "U1", 2023, 2, 4], ["c3", "U1", 2023, 1, 9], ["c4", "U1", 2023, 3, 2]],
    )
    _csv(surveys / "dossiers.csv", ["year", "unit_id", "dossiers"], [[2023, "U1", 1000], [2023, "U2", 3]])
    (surveys / "papi_dimensions.csv").write_text(
        "valid_from_year,valid_to_year,dimension_code,series,dimension_no,dimension_name_vi,dimension_name_en,"
        "subdimension_code,subdimension_name_vi,subdimension_name_en,headers,source\n"
        "2018,,d1,d1,1,Tham gia,Participation,,,,D1,test\n"
        "2018,,d1,d1,1,Tham gia,Participation,1.1,Tri thức,Knowledge,,test\n",
        encoding="utf-8",
    )
    _csv(
        surveys / "papi/papi_2023.csv", ["Tỉnh, thành phố", "1.1"], [["Tỉnh Thử (dữ liệu tổng hợp)", 6.5], ["Khác", ""]]
    )
    curated = tmp_path_factory.mktemp("curated")
    assert run_surveys_and_scores(raw, curated).success
    # Without the dashboard the run does not publish: read the working copy it wrote.
    return curated / ".working"


def run_surveys_and_scores(raw: Path, curated: Path) -> dg.ExecuteInProcessResult:
    """The real assets behind the PAR index and the survey marts (not the dashboard or the plan), to stay fast."""
    marts = [dg.AssetKey(t.split(".")) for t in ("marts.par_index", "marts.score_lineage", *SURVEY_MARTS)]
    selection = dg.AssetSelection.assets(*marts).upstream().required_multi_asset_neighbors()
    job = dg.define_asset_job("surveys_and_scores", selection=selection, executor_def=dg.in_process_executor)
    defs = dg.Definitions(assets=ALL_ASSETS, jobs=[job], resources=make_resources(str(raw), str(curated)))
    instance = dg.DagsterInstance.ephemeral()
    return defs.resolve_job_def("surveys_and_scores").execute_in_process(
        instance=instance, raise_on_error=False, tags=year_tags(instance, raw)
    )


def test_survey_points_flow_into_the_index(tiny):
    par = {r["unit_id"]: r for r in query(tiny, "SELECT * FROM marts.par_index").iter_rows(named=True)}
    # U1: 30 + 20 appraised; 9.1 from its citizens: 5 of 8 options = 62.5% × 23 = 14.375;
    # 9.2 from its civil servants: 4 of 6 options = 66.67% × 17 = 11.333 → 75.708 → Khá (70-<80).
    assert par["U1"]["achieved_points"] == pytest.approx(50 + 14.375 + 17 * 2 / 3)
    assert par["U1"]["band"] == "Khá"
    # U2: 60 + 9.1 weighted 2 / (2 + 1 + 1) = 50% × 23 = 11.5; surveyed, but no civil-servant
    # answers: 9.2 scores 0 (`missing`), it is not scaled away → 71.5.
    assert par["U2"]["achieved_points"] == pytest.approx(71.5)
    # U3: no respondents: the aggregate, 80% × 23 + 60% × 17 = 18.4 + 10.2 → 88.6.
    assert par["U3"]["achieved_points"] == pytest.approx(88.6)


def test_lineage_shows_the_share_its_source_and_respondents(tiny):
    lineage = query(
        tiny,
        "SELECT unit_id, leaf_code, final_score, final_source, satisfied_pct, respondents, survey_source, survey_id "
        "FROM marts.score_lineage WHERE method = 'survey' ORDER BY unit_id, leaf_code",
    )
    got = {(r[0], r[1]): r[2:] for r in lineage.rows()}
    assert got[("U1", "9.1")] == (pytest.approx(14.375), "survey", pytest.approx(62.5), 4, "respondents", "sipas")
    assert got[("U1", "9.2")][4:] == ("respondents", "civil_servant") and got[("U1", "9.2")][3] == 4
    assert got[("U2", "9.2")][:2] == (0.0, "missing")
    assert got[("U3", "9.1")] == (pytest.approx(18.4), "survey", 80.0, 90, "aggregate", None)


def test_survey_marts_and_the_replaced_aggregate(tiny):
    sipas = query(tiny, "SELECT * FROM marts.sipas_index WHERE level = 'unit' AND component = 'overall'")
    u1 = sipas.filter(pl.col("unit_id") == "U1").row(0, named=True)
    assert (u1["pct"], u1["n_respondents"], u1["flag"]) == (pytest.approx(62.5), 4, None)
    assert sipas.filter(pl.col("unit_id") == "U2")["flag"][0] == "few_respondents"
    civil = query(tiny, "SELECT * FROM marts.civil_servant_index WHERE unit_id = 'U1' AND component = 'direction'")
    assert civil["pct"][0] == pytest.approx(200 / 3)
    q = query(
        tiny,
        "SELECT 'survey_results' AS source, rule, source_file, row_number, column_name "
        "FROM staging.survey_results_quarantine UNION ALL "
        "SELECT 'survey_respondents', rule, source_file, row_number, column_name "
        "FROM staging.survey_respondents_quarantine",
    )
    rules = {r[1]: r for r in q.rows()}
    assert rules["respondents_disagree"][:2] == ("survey_results", "respondents_disagree")  # U1 9.1: 62.5 vs 50
    assert rules["off_scale"][2:] == ("surveys/sipas/2023/U1.xlsx", 7, "Câu Q3")
    assert "unknown_option" in rules and "superseded_by_respondents" not in rules
    plan = query(tiny, "SELECT unit_id, n_required, n_respondents, sample_short FROM marts.survey_sample_plan")
    assert sorted(plan.rows()) == [("U1", 286, 4, True), ("U2", 3, 3, False)]
    papi = query(tiny, "SELECT province, dimension, score, rank FROM marts.papi_index ORDER BY province, dimension")
    assert papi.rows() == [
        ("Khác", "d1", None, None),
        ("Khác", "total", None, None),
        ("Tỉnh Thử (dữ liệu tổng hợp)", "d1", 6.5, 1),
        ("Tỉnh Thử (dữ liệu tổng hợp)", "total", 6.5, 1),
    ]


# ------------------------------------------------------------------------------ the bundled sample


@pytest.fixture(scope="module")
def sample(sample_warehouse) -> Path:
    return sample_warehouse


def test_sample_sipas_covers_every_department_and_district(sample):
    units = query(
        sample,
        "SELECT year, count(DISTINCT unit_id) AS n FROM marts.sipas_index WHERE level = 'unit' "
        "GROUP BY year ORDER BY year",
    )
    assert units.rows() == [(2022, 25), (2023, 25), (2024, 25)]
    flagged = query(
        sample,
        "SELECT year, unit_id, component, n_respondents FROM marts.sipas_index "
        "WHERE flag IS NOT NULL AND level = 'unit'",
    )
    # Overall, only S10 2023 (7 respondents) is below 30; per component also the feedback block of
    # small samples, which only people who sent feedback answer.
    assert {(y, u, n) for y, u, c, n in flagged.rows() if c == "overall"} == {(2023, "S10", 7)}
    assert {c for y, u, c, n in flagged.rows() if u != "S10"} == {"feedback"}
    bounds = query(sample, "SELECT count(*) FROM marts.sipas_index WHERE NOT (ci_low <= pct AND pct <= ci_high)")
    assert bounds.item() == 0
    weighted = query(sample, "SELECT DISTINCT year, unit_id FROM marts.sipas_index WHERE weighted AND level = 'unit'")
    assert set(weighted.rows()) == {(2023, "H02"), (2024, "H02"), (2023, "H06"), (2024, "H06"), (2024, "S07")}


def test_sample_survey_leaves_come_from_respondents_and_the_tie_holds(sample):
    sources = dict(query(sample, "SELECT survey_source, count(*) FROM staging.survey_results GROUP BY ALL").rows())
    assert sources["respondents"] == 25 * 3 * 5  # every department and district leaf, 2022-2024
    rules = dict(
        query(
            sample, "SELECT rule, count(*) FROM staging.quarantine WHERE source = 'survey_results' GROUP BY ALL"
        ).rows()
    )
    # Only S10 2023 (7 respondents) disagrees with the published aggregate beyond its rounding.
    assert rules.get("respondents_disagree") == 3 and rules["superseded_by_respondents"] == 372
    tie = query(
        sample,
        "SELECT unit_id, index_pct, tie_broken FROM marts.par_index WHERE year = 2024 AND unit_id IN ('S04', 'S13') "
        "ORDER BY rank",
    )
    assert tie["unit_id"].to_list() == ["S04", "S13"] and tie["tie_broken"].all()
    assert tie["index_pct"].to_list() == pytest.approx([90.046, 90.046])


def test_sample_papi_is_the_real_one(sample):
    """The bundled PAPI is PAPI's own (data/raw/surveys/papi_source/README.md): 63 provinces, 2011-2024, a
    total for every province-year it published and none for the others. Values against PAPI's reports:
    tests/test_papi_real.py (models only)."""
    total = query(sample, "SELECT * FROM marts.papi_index WHERE dimension = 'total'")
    assert total["year"].unique().sort().to_list() == list(range(2011, 2025))
    assert total["province_code"].n_unique() == 63 and not total["synthetic"].any()
    unpublished = {
        (r["year"], r["province_code"]) for r in total.filter(pl.col("score").is_null()).iter_rows(named=True)
    }
    # papi_source/README.md: "Province-years not published in this copy".
    assert unpublished == {
        (2014, "P15"), (2014, "P56"), (2018, "P14"), (2018, "P56"), (2021, "P14"), (2021, "P15"),
        (2021, "P18"), (2022, "P15"), (2022, "P18"), (2023, "P14"), (2023, "P47"), (2024, "P17"), (2024, "P52"),
    }  # fmt: skip
    assert total.height == 63 * 14
    vl = {r["year"]: r for r in total.filter(pl.col("province") == "Vĩnh Long").iter_rows(named=True)}
    assert (vl[2017]["max_score"], vl[2018]["max_score"]) == (60, 80)
    assert vl[2018]["delta_prev_year"] is None and vl[2019]["delta_prev_year"] is not None
    assert "hnks-gh/ml-mcdm" in vl[2024]["source"] and "UNDP" in vl[2024]["source"]
    checks = dict(query(sample, "SELECT check_name, passed FROM quality.check_results").rows())
    assert checks["papi_every_year_has_totals"] is True
    assert query(sample, "SELECT count(*) FROM staging.quarantine WHERE source = 'papi'").item() == 0


def test_sample_plan_and_dashboard_sections(sample):
    plan = query(sample, "SELECT * FROM marts.survey_sample_plan")
    assert plan.height == 75 and plan["sample_short"].fill_null(False).sum() > 0
    assert plan.filter((pl.col("year") == 2022) & (pl.col("unit_id") == "S17"))["dossiers"].to_list() == [None]
    # The leadership page of the sample's departments shows SIPAS with its intervals; PAPI is the real
    # table of the province the plan belongs to (surveys.yaml: Vĩnh Long), with its source.
    page = (sample / "dashboard" / "mau" / "2024" / "so-ban-nganh.html").read_text(encoding="utf-8")
    assert "khoảng tin cậy 95%" in page and 'id="chart-sipas-2024"' in page
    assert "Vĩnh Long" in page and "hnks-gh/ml-mcdm" in page and "dữ liệu tổng hợp, không phải kết quả UNDP" not in page


def test_committed_survey_sample_is_what_its_generator_writes(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "scripts.make_survey_sample", "--out", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    rules = {Path("surveys.yaml"), Path("papi_dimensions.csv"), Path("papi_provinces.csv")}
    committed = sorted(
        p.relative_to(SAMPLE / "surveys")
        for p in (SAMPLE / "surveys").rglob("*")
        if p.is_file()
        and p.relative_to(SAMPLE / "surveys") not in rules
        and not {"questionnaires", "papi", "papi_source"} & set(p.relative_to(SAMPLE / "surveys").parts)
    )
    assert fresh == committed
    stale = [str(p) for p in fresh if (tmp_path / p).read_bytes() != (SAMPLE / "surveys" / p).read_bytes()]
    assert not stale, f"run `.venv/bin/python -m scripts.make_survey_sample`: {stale[:5]}"
