"""The rulesets as data and the bundled sample under Hưng Yên, Quảng Ninh and Quảng Trị rules.

- the Quảng Ninh trees have the structure QĐ Quảng Ninh 2022 §II gives (contents, criteria, sub-criteria,
  the 60/40 and 60,5/39,5 splits); the Quảng Trị trees the fields and Art. 4 items of 1820/QĐ-UBND;
- the sample runs through the real job; `chiso explain` adds up to `marts.par_index` for every
  unit and year; the voided result of the sample is kept in history; each band-gap plan lifts its
  unit into the next band; the dashboard shows each province with its own bands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from models.par.frameworks import load_frameworks
from pipelines.cli import main as chiso
from reports.explain import explain
from tests.e2e_helpers import query

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "raw"


@pytest.fixture(scope="module")
def frameworks():
    return load_frameworks(SAMPLE / "frameworks")


# QĐ Quảng Ninh 2022 §II.x.a: (contents incl. bonus and survey, criteria, sub-criteria);
# §II.x.b: (appraised, first survey, second survey)
QUANG_NINH = {
    "department": ((9, 41, 49), (60, 23, 17)),
    "district": ((10, 51, 59), (60.5, 23, 16.5)),
    "central_agency": ((10, 40, 49), (60, 23, 17)),
    "public_service_unit": ((9, 31, 28), (60, 23, 17)),
}


@pytest.mark.parametrize("group", list(QUANG_NINH))
def test_quang_ninh_trees_have_the_seed_structure(frameworks, group):
    _, criteria = frameworks
    tree = criteria.filter((pl.col("ruleset_id") == "quang-ninh-2022") & (pl.col("unit_group") == group))
    (contents, n_criteria, n_sub), (appraised, survey_1, survey_2) = QUANG_NINH[group]
    survey_field = tree.filter(pl.col("method") == "survey")["field_code"].unique().to_list()
    assert tree.filter(pl.col("level") == 1).height == contents
    # criteria and sub-criteria as §II counts them: the survey part is "integrated", not counted
    assert tree.filter((pl.col("level") == 2) & ~pl.col("field_code").is_in(survey_field)).height == n_criteria
    assert tree.filter(pl.col("level") == 3).height == n_sub
    assert tree.filter(pl.col("method") == "appraised")["max_points"].sum() == pytest.approx(appraised)
    assert tree.filter(pl.col("method") == "survey")["max_points"].to_list() == pytest.approx([survey_1, survey_2])
    assert tree.filter(pl.col("method") == "penalty").is_empty()  # QĐ Quảng Ninh 2022 has bonus points only


def test_quang_tri_fields_and_article_4_items(frameworks):
    rulesets, criteria = frameworks
    qt = criteria.filter(pl.col("ruleset_id") == "quang-tri-1820-2024")
    for group, fields in (("department", 7), ("district", 8), ("commune", 8)):  # 1820/QĐ-UBND Art. 3
        tree = qt.filter(pl.col("unit_group") == group)
        scored_fields = tree.filter(pl.col("method").is_in(["appraised", "survey"]))["field_code"].n_unique()
        assert scored_fields == fields
        assert tree.filter(pl.col("method").is_in(["appraised", "survey"]))["max_points"].sum() == pytest.approx(100)
        # Art. 4: two bonus items and three penalty items of 1 point each
        assert tree.filter(pl.col("method") == "bonus")["max_points"].to_list() == [1, 1]
        assert tree.filter(pl.col("method") == "penalty")["max_points"].to_list() == [1, 1, 1]
    ruleset = next(r for r in rulesets if r.ruleset_id == "quang-tri-1820-2024")
    assert [(b.name, b.min) for b in ruleset.bands] == [("Tốt", 80), ("Khá", 70), ("Trung bình", 60), ("Thấp", 0)]
    assert ruleset.reclassification and (ruleset.valid_from_year, ruleset.valid_to_year) == (2024, 2025)


def test_ben_tre_is_who_appraises_whom_only(frameworks):
    rulesets, criteria = frameworks
    ben_tre = next(r for r in rulesets if r.ruleset_id == "ben-tre-2722-2022")
    assert not ben_tre.criteria_files and criteria.filter(pl.col("ruleset_id") == ben_tre.ruleset_id).is_empty()
    # 2722/QĐ-UBND §II.1-3: the province by the Ministry, departments and districts by the provincial
    # council, communes by their own district's council.
    assert ben_tre.appraiser("province", None, None, None) == "Bộ Nội vụ"
    assert ben_tre.appraiser("department", "Sở Tư pháp", None, None).startswith("Hội đồng thẩm định Chỉ số CCHC tỉnh")
    assert (
        ben_tre.appraiser("commune", None, "H01", "UBND huyện Ba Tri")
        == "Hội đồng thẩm định Chỉ số CCHC cấp huyện — UBND huyện Ba Tri"
    )


# ---------------------------------------------------------------------------------------------- sample


@pytest.fixture(scope="module")
def curated(sample_warehouse) -> Path:
    return sample_warehouse


@pytest.fixture(scope="module")
def tables(curated) -> dict[str, pl.DataFrame]:
    return {
        "par_index": query(curated, "SELECT * FROM marts.par_index"),
        "lineage": query(curated, "SELECT * FROM marts.score_lineage"),
        "components": query(curated, "SELECT * FROM marts.par_component_index"),
        "band_gap": query(curated, "SELECT * FROM marts.band_gap"),
        "history": query(curated, "SELECT * FROM marts.par_index_history"),
        "criteria": query(curated, "SELECT * FROM staging.criteria"),
        "rulesets": query(curated, "SELECT * FROM staging.rulesets"),
        "bands": query(curated, "SELECT * FROM staging.ruleset_bands"),
        "uncertainty": query(curated, "SELECT * FROM marts.rank_uncertainty"),
    }


def _number(text: str) -> float:
    return float(text.replace("−", "-").replace("+", "").replace(",", "."))


def test_every_province_and_ruleset_is_scored(tables):
    par = tables["par_index"]
    by_province = dict(par.group_by("province_code").agg(pl.col("ruleset_id").unique().sort()).iter_rows())
    assert by_province == {
        "MAU": ["hung-yen-1708-2021"],
        "MQN": ["quang-ninh-2022"],
        "MQT": ["quang-tri-1820-2024"],
        # Across the July 2025 reorganisation (data/raw/README_2025.md).
        "MTE": ["mau-ba-cap-2024"],
        "MTG": ["mau-ba-cap-2024"],
        "MEG": ["mau-hai-cap-2025"],
    }
    assert set(par.filter(pl.col("province_code") == "MQN")["band"]) == {"Xuất sắc", "Tốt", "Khá", "Trung bình", "Kém"}
    assert set(par.filter(pl.col("province_code") == "MQT")["band"]) == {"Tốt", "Khá", "Trung bình", "Thấp"}
    assert par["province"].str.contains("tổng hợp").all()


def test_explain_adds_up_to_par_index_for_every_unit(tables):
    par = tables["par_index"]
    for row in par.iter_rows(named=True):
        text = explain(row["year"], row["unit_id"], **tables)
        assert "KHÔNG KHỚP" not in text, (row["year"], row["unit_id"])
        total = 0.0
        for value in re.findall(r"⇒ ([+−]?[\d,]+) \(", text):  # every leaf's final score, with its sign
            total += _number(value)
        assert total == pytest.approx(row["achieved_points"], abs=1e-3), (row["year"], row["unit_id"])
        achieved = re.search(r"Tổng điểm đạt = .* = (−?[\d,]+)$", text, re.MULTILINE).group(1)
        assert _number(achieved) == pytest.approx(row["achieved_points"], abs=1e-4)
        index = re.search(r"Chỉ số = .* = (−?[\d,]+)$", text, re.MULTILINE).group(1)
        assert _number(index) == pytest.approx(row["index_pct"], abs=1e-4)
        assert re.search(r"^4\. Xếp loại: (.+)$", text, re.MULTILINE).group(1) == row["band"]
        assert re.search(r"^5\. Xếp hạng: (\d+)/", text, re.MULTILINE).group(1) == str(row["rank"])


def test_explain_shows_article_4_facts_and_rank_uncertainty(tables):
    # data/raw/bonus_penalty/quang-tri-2024.csv: QTS02 had 7 late dossiers with an apology letter and 5 without:
    # 5/12 = 41.67% > 30% (1820/QĐ-UBND Art. 4.2.a); the appraisal imposed the same point, and it decides.
    text = explain(2024, "QTS02", **tables)
    assert (
        "số liệu: Tỷ lệ hồ sơ trễ hạn không có văn bản xin lỗi: 5/12 = 41,67% (> 30%) ⇒ trừ 1 điểm "
        "[1820/QĐ-UBND Điều 4.2.a] → thẩm định 1" in text
    )
    # QTS04: 3 of 10 = 30% exactly: not above 30%, no penalty; 9 news items: below 10, no bonus.
    qts04 = tables["lineage"].filter((pl.col("unit_id") == "QTS04") & (pl.col("year") == 2024))
    got = {r["leaf_code"]: (r["final_score"], r["final_source"]) for r in qts04.iter_rows(named=True)}
    assert got["8.2.1"] == (0.0, "facts") and got["8.1.2"] == (0.0, "facts") and got["8.1.1"] == (0.0, "facts")
    # Every unit whose survey leaves come from respondents gets its rank range in explain.
    spread = tables["uncertainty"].filter(pl.col("interval_from") == "respondents")
    assert spread.height > 0
    for r in spread.filter(pl.col("year") == 2024).iter_rows(named=True):
        assert r["rank_best"] <= r["rank"] <= r["rank_worst"] and r["index_low"] <= r["index_pct"] <= r["index_high"]
        text = explain(2024, r["unit_id"], **tables)
        where = (
            f"vị trí {r['rank']} không đổi"
            if r["rank_best"] == r["rank_worst"]
            else f"vị trí có thể từ {r['rank_best']} đến {r['rank_worst']}"
        )
        assert where in text, r["unit_id"]


def test_explain_command(curated, capsys):
    warehouse = str(curated / "warehouse.duckdb")
    assert chiso(["explain", "--year", "2024", "--unit", "S13", "--warehouse", warehouse]) == 0
    out = capsys.readouterr().out
    # The engineered 2024 tie of data/raw/README.md: S04 and S13 at 90.046, S04 first on 7.2.x + 7.3.
    assert "Bằng chỉ số 90,046 với: Sở Kế hoạch và Đầu tư (S04" in out
    assert "đơn vị 4 điểm; S04 4,75 → đơn vị xếp dưới" in out
    assert chiso(["explain", "--year", "2024", "--unit", "KHONG-CO", "--warehouse", warehouse]) == 1


def test_sample_reclassification_kept_in_history(tables):
    # README_rulesets.md: QTS03 (2024) voided by 45/QĐ-UBND, Tốt → Khá; QTH02's band set to Khá by 52/QĐ-UBND.
    par, hist = tables["par_index"], tables["history"]
    qts03 = hist.filter((pl.col("unit_id") == "QTS03") & (pl.col("year") == 2024)).sort("version")
    assert qts03.select("valid", "band", "voided_by", "change_kind").rows() == [
        (False, "Tốt", "45/QĐ-UBND", "voided"),
        (True, "Khá", None, None),
    ]
    qth02 = par.filter((pl.col("unit_id") == "QTH02") & (pl.col("year") == 2024)).row(0, named=True)
    assert qth02["band"] == "Khá" and qth02["band_decided"] and "52/QĐ-UBND" in qth02["band_reason"]
    # Exactly one valid version per unit-year, and it is the published row.
    valid = hist.filter("valid")
    assert valid.height == par.height
    joined = valid.join(par, on=["year", "unit_id"], suffix="_p")
    assert (joined["index_pct"] - joined["index_pct_p"]).abs().max() < 1e-9
    assert (joined["rank"] == joined["rank_p"]).all() and (joined["band"] == joined["band_p"]).all()


def test_sample_quang_ninh_tie_shares_the_rank(tables):
    par = tables["par_index"]
    tie = par.filter((pl.col("year") == 2024) & pl.col("unit_id").is_in(["QNS05", "QNS12"]))
    assert tie["index_pct"].n_unique() == 1 and tie["rank"].n_unique() == 1
    assert not tie["tie_broken"].any()


def test_every_band_gap_plan_reaches_the_next_band(tables, frameworks):
    """Applying a plan's points (within each leaf's headroom) gives the target band, downgrade included."""
    rulesets = {r.ruleset_id: r for r in frameworks[0]}
    gap, comps = tables["band_gap"], tables["components"]
    plans = gap.filter(pl.col("leaf_code").is_not_null() & pl.col("reachable"))
    assert plans.height > 0
    par = tables["par_index"].select("year", "unit_id", "achieved_points", "max_points")
    for (year, unit_id), steps in plans.group_by(["year", "unit_id"]):
        r = rulesets[steps["ruleset_id"][0]]
        u = par.filter((pl.col("year") == year) & (pl.col("unit_id") == unit_id)).row(0, named=True)
        assert (steps["add_points"] <= steps["headroom"] + 1e-9).all()
        achieved = u["achieved_points"] + steps["add_points"].sum()
        index = round(min(r.scale, achieved / u["max_points"] * r.scale), 9)
        band = next(b.name for b in r.bands if index >= b.min)
        target = steps["target_band"][0]
        assert r.band_names.index(band) <= r.band_names.index(target), (year, unit_id)
        if target in r.downgrade_applies_to:
            added = dict(steps.group_by("field_code").agg(pl.col("add_points").sum()).iter_rows())
            mine = (pl.col("year") == year) & (pl.col("unit_id") == unit_id)
            areas = comps.filter(mine & (pl.col("node_level") == 1))
            for a in areas.filter(pl.col("node_code").is_in(list(r.content_areas))).iter_rows(named=True):
                pct = (a["achieved"] + added.get(a["node_code"], 0.0)) / a["max_points"] * 100
                assert round(pct, 9) >= r.downgrade_below_pct, (year, unit_id, a["node_code"])


def test_dashboard_uses_each_provinces_bands(curated):
    index = (curated / "dashboard" / "index.html").read_text(encoding="utf-8")
    for name in ("Tỉnh Mẫu B — quy tắc Quảng Ninh", "Tỉnh Mẫu C — quy tắc Quảng Trị", "Cơ quan Trung ương"):
        assert name in index
    # Each province's lowest band gets the palette's last colour (position-based: 1820/QĐ-UBND Art. 6.3 names
    # four bands, QĐ Quảng Ninh 2022 §III.3 five), in the page's legend and in its ranking chart.
    for page, lowest in (("mqt/2024/so-ban-nganh.html", "Thấp"), ("mqn/2024/so-ban-nganh.html", "Kém")):
        html = (curated / "dashboard" / page).read_text(encoding="utf-8")
        assert f'<span class="band" style="background:#cf222e">{lowest}</span>' in html
        escaped = re.escape(json.dumps(lowest)[1:-1])  # as the chart's JSON writes it: K\u00e9m
        assert re.search(rf'"legendgroup":"{escaped}".*?"marker":\{{"color":"#cf222e"', html)
        assert "Xuất sắc" not in html if lowest == "Thấp" else "Xuất sắc" in html


def test_agency_view_names_district_councils_for_communes(tables, curated):
    agencies = query(curated, "SELECT * FROM marts.agency_appraisal WHERE year = 2024")
    communes = agencies.filter(pl.col("unit_group") == "commune")
    # 1708/QĐ-UBND Art. 5.2.a / 1820/QĐ-UBND Art. 6.2.b: a commune is appraised by its own district's team or council.
    parents = dict(tables["par_index"].select("unit_id", "parent_unit_id").unique().iter_rows())
    names = dict(tables["par_index"].select("unit_id", "unit_name").unique().iter_rows())
    for r in communes.iter_rows(named=True):
        assert r["agency"].endswith("— " + names[parents[r["unit_id"]]])
    departments = agencies.filter(pl.col("unit_group") == "department")
    assert {"Sở Nội vụ", "Sở Tư pháp", "Văn phòng UBND tỉnh"} <= set(departments["agency"])
    assert (agencies["changed_leaves"] <= agencies["leaves"]).all()
