"""Quảng Trị's bonus and penalty items computed from facts (1820/QĐ-UBND Art. 4), worked out by hand from
the article, and the "trùng số" evidence flag (Art. 4.2.c). Models only, with the bundled framework files.

Art. 4.1.a "Có phương án đơn giản hóa về nội dung, thành phần hồ sơ từ 3-4 TTHC trở lên và được Chủ tịch UBND
tỉnh phê duyệt: 01 điểm"; 4.1.b "Có từ 10 tin, bài/năm …: 01 điểm"; 4.2.a "Tỷ lệ hồ sơ trễ hạn không thực hiện
xin lỗi/tổng số hồ sơ trễ hạn của đơn vị trên 30%: 01 điểm"; 4.2.b "Thực hiện việc xin lỗi … không đúng quy
định: 1 điểm"; 4.2.c "… trùng số …: 01 điểm".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from models.par.bonus_penalty import fact_scores, stage_bonus_penalty_facts
from models.par.evidence import evidence_flags
from models.par.fact_rules import FactRuleError, parse_rule
from models.par.frameworks import FrameworkError, load_frameworks
from models.par.index import compute
from models.par.staging import APPRAISAL_SCHEMA, EVIDENCE_SCHEMA, SUBMISSION_SCHEMA, SURVEY_SCHEMA, Scope
from tests.mini_framework import write_mini

FRAMEWORKS = Path(__file__).resolve().parent.parent / "data" / "raw" / "frameworks"
QT = "quang-tri-1820-2024"


@pytest.fixture(scope="module")
def frameworks():
    return load_frameworks(FRAMEWORKS)


@pytest.fixture(scope="module")
def scope(frameworks) -> Scope:
    rulesets, criteria = frameworks
    units = pl.DataFrame(
        {
            "unit_id": ["S1", "S2", "H1", "HY1"],
            "unit_name": ["Sở Một", "Sở Hai", "Huyện Một", "Sở Hưng Yên"],
            "unit_group": ["department", "department", "district", "department"],
            "parent_unit_id": [None, None, None, None],
            "province_code": ["QT", "QT", "QT", "HY"],
        }
    )
    provinces = pl.DataFrame(
        {
            "province_code": ["QT", "HY"],
            "province_name": ["Tỉnh Thử QT", "Tỉnh Thử HY"],
            "ruleset_family": ["quang-tri", "hung-yen"],
            "synthetic": [True, True],
        }
    )
    return Scope(units, provinces, rulesets, criteria)


HEAD = {
    "with": "số hồ sơ trễ hạn có văn bản xin lỗi",
    "without": "số hồ sơ trễ hạn không có văn bản xin lỗi",
    "improper": "số văn bản xin lỗi không đúng quy định",
    "news": "số tin bài về cchc đã đăng",
    "simplified": "số tthc trong phương án đơn giản hóa được phê duyệt",
}


def fact_row(n: int, unit: str, year=2024, **facts) -> dict:
    """A row as the raw layer keeps a bonus_penalty CSV with Vietnamese headers (case-folded, text)."""
    return {
        "source_file": "bonus_penalty/qt.csv",
        "sheet": None,
        "row_number": n,
        "mã đơn vị": unit,
        "năm đánh giá": str(year),
        **{HEAD[k]: (None if v is None else str(v)) for k, v in facts.items()},
    }


def scores_for(scope, frameworks, **facts) -> dict[str, tuple[float, str]]:
    staged = stage_bonus_penalty_facts([fact_row(2, "S1", **facts)], scope)
    assert staged.quarantine.is_empty(), staged.quarantine
    got = fact_scores(staged.rows, frameworks[1])
    return {r["leaf_code"]: (r["facts_score"], r["facts_basis"]) for r in got.iter_rows(named=True)}


def test_the_rules_sit_on_the_article_4_leaves_of_every_group(frameworks):
    _, criteria = frameworks
    rules = criteria.filter(pl.col("computed_from").is_not_null())
    assert set(rules["ruleset_id"]) == {QT}
    by_group = {
        g: dict(part.select("code", "computed_from").iter_rows()) for (g,), part in rules.group_by("unit_group")
    }
    assert by_group["department"] == {
        "8.1.1": "simplified_procedures >= 3",
        "8.1.2": "par_news_items >= 10",
        "8.2.1": "late_without_apology_pct > 30",
        "8.2.2": "improper_apologies >= 1",
    }
    assert (
        by_group["district"]
        == by_group["commune"]
        == {k.replace("8.", "9.", 1): v for k, v in by_group["department"].items()}
    )
    # 4.2.c stays with the council (marts.evidence_flags lists candidates): no rule.
    assert "8.2.3" not in by_group["department"]


@pytest.mark.parametrize(
    ("with_apology", "without", "points", "why"),
    [
        (7, 3, 0.0, "3/10 = 30%: not above 30% (Art. 4.2.a 'trên 30%')"),
        (9, 4, 1.0, "4/13 = 30.77% > 30%"),
        (699, 301, 1.0, "301/1000 = 30.1% > 30%"),
        (700, 300, 0.0, "300/1000 = 30% exactly"),
        (0, 1, 1.0, "1/1 = 100%"),
        (0, 0, 0.0, "no late dossier: no share, no penalty"),
    ],
)
def test_4_2_a_late_dossiers_without_apology_above_30_pct(scope, frameworks, with_apology, without, points, why):
    got = scores_for(scope, frameworks, **{"with": with_apology, "without": without})
    assert got["8.2.1"][0] == points, why


@pytest.mark.parametrize(("news", "points"), [(9, 0.0), (10, 1.0), (11, 1.0)])
def test_4_1_b_at_least_10_news_items(scope, frameworks, news, points):
    assert scores_for(scope, frameworks, news=news)["8.1.2"][0] == points  # "từ 10": 10 counts, 9 does not


@pytest.mark.parametrize(("procedures", "points"), [(2, 0.0), (3, 1.0), (4, 1.0)])
def test_4_1_a_simplification_plans_from_3_procedures(scope, frameworks, procedures, points):
    # "từ 3-4 TTHC trở lên", read as its lower bound: 3 counts, 2 does not.
    assert scores_for(scope, frameworks, simplified=procedures)["8.1.1"][0] == points


@pytest.mark.parametrize(("improper", "points"), [(0, 0.0), (1, 1.0), (2, 1.0)])
def test_4_2_b_apologies_not_made_as_required(scope, frameworks, improper, points):
    assert scores_for(scope, frameworks, **{"with": 5, "improper": improper})["8.2.2"][0] == points


def test_a_blank_fact_leaves_the_leaf_to_self_assessment_and_the_basis_is_in_vietnamese(scope, frameworks):
    got = scores_for(scope, frameworks, news=12)
    assert set(got) == {"8.1.2"}  # nothing reported for 8.1.1, 8.2.1, 8.2.2
    assert got["8.1.2"][1] == "Số tin, bài về CCHC đăng trong năm: 12 (≥ 10) ⇒ cộng 1 điểm"
    late = scores_for(scope, frameworks, **{"with": 9, "without": 4})["8.2.1"][1]
    assert late == "Tỷ lệ hồ sơ trễ hạn không có văn bản xin lỗi: 4/13 = 30,77% (> 30%) ⇒ trừ 1 điểm"
    edge = scores_for(scope, frameworks, **{"with": 7, "without": 3})["8.2.1"][1]
    assert edge == "Tỷ lệ hồ sơ trễ hạn không có văn bản xin lỗi: 3/10 = 30% (≤ 30%) ⇒ không trừ điểm"


def test_district_leaves_are_field_9(scope, frameworks):
    staged = stage_bonus_penalty_facts([fact_row(2, "H1", news=10, simplified=2)], scope)
    got = fact_scores(staged.rows, frameworks[1])
    assert got.select("unit_id", "leaf_code", "facts_score").rows() == [("H1", "9.1.1", 0.0), ("H1", "9.1.2", 1.0)]


def test_bad_fact_rows_are_quarantined_with_a_reason(scope):
    rows = [
        fact_row(2, "S1", news=-1),
        fact_row(3, "S1", news="3,5"),
        fact_row(4, "S1", **{"with": 2, "improper": 3}),
        fact_row(5, "S2", news=10),
        fact_row(6, "S2", news=11),  # a second row for S2 2024
        fact_row(7, "HY1", news=10),  # Hưng Yên's framework computes nothing from facts
        fact_row(8, "S9", news=10),
        fact_row(9, "S1"),  # nothing filled in
    ]
    staged = stage_bonus_penalty_facts(rows, scope)
    got = dict(staged.quarantine.select("row_number", "rule").iter_rows())
    assert got == {
        2: "bad_count",
        3: "bad_count",
        4: "inconsistent_counts",
        6: "duplicate",
        7: "no_fact_rule",
        8: "unknown_unit",
        9: "required",
    }
    assert staged.rows["unit_id"].to_list() == ["S2"] and staged.rows["par_news_items"].to_list() == [10]
    messages = dict(staged.quarantine.select("row_number", "message").iter_rows())
    assert messages[2] == (
        "bonus_penalty/qt.csv, dòng 2, cột Số tin bài về CCHC đã đăng: "
        "Số tin bài về CCHC đã đăng '-1' phải là số nguyên không âm"
    )
    assert "dòng 5" in messages[6]


def test_a_rule_on_a_leaf_that_is_not_bonus_or_penalty_is_refused(tmp_path):
    root = write_mini(tmp_path)
    path = root / "mini-2021" / "department.csv"
    text = path.read_text(encoding="utf-8").replace(",source\n", ",source,computed_from\n", 1)
    path.write_text(
        text.replace(
            "Tiêu chí 1.1,20,appraised,Sở Nội vụ,,test",
            "Tiêu chí 1.1,20,appraised,Sở Nội vụ,,test,par_news_items >= 10",
        ),
        encoding="utf-8",
    )
    with pytest.raises(FrameworkError, match="computed_from"):
        load_frameworks(root)
    with pytest.raises(FactRuleError):
        parse_rule("news >= 10")
    assert parse_rule("late_without_apology_pct > 30").holds(30) is False


def _submissions(unit: str, frameworks, scores: dict[str, float]) -> pl.DataFrame:
    _, criteria = frameworks
    leaves = criteria.filter((pl.col("ruleset_id") == QT) & (pl.col("unit_group") == "department") & pl.col("is_leaf"))
    rows = []
    for leaf in leaves.iter_rows(named=True):
        full = leaf["max_points"] if leaf["method"] == "appraised" else 0.0
        rows.append(
            {
                "year": 2024,
                "unit_id": unit,
                "ruleset_id": QT,
                "leaf_code": leaf["code"],
                "self_score": scores.get(leaf["code"], full),
                "not_applicable": False,
                "submitted_at": dt.date(2024, 11, 20),
                "source_file": "submissions/2024/x.csv",
                "source_row": len(rows) + 2,
            }
        )
    return pl.DataFrame(rows, schema=SUBMISSION_SCHEMA, orient="row")


def test_facts_replace_self_assessment_and_an_appraisal_still_overrides_with_its_reason(scope, frameworks):
    """S1: every appraised leaf at its max except 1.1 (3 points) at 0 → 97. Self-assessed bonus and penalty
    items all 0. Facts: 4 of 13 late dossiers without apology (30.77% > 30%: −1), 10 news items (+1),
    2 procedures simplified (0), 1 apology not as required (−1) — but the appraisal decides 0 on 4.2.b.
    Total = 97 + 1 − 1 − 0 = 97 of 100 → 97."""
    rulesets, criteria = frameworks
    subs = _submissions("S1", frameworks, {"1.1": 0.0})
    staged = stage_bonus_penalty_facts(
        [fact_row(2, "S1", **{"with": 9, "without": 4, "improper": 1, "news": 10, "simplified": 2})], scope
    )
    appraisals = pl.DataFrame(
        [
            {
                "year": 2024,
                "unit_id": "S1",
                "ruleset_id": QT,
                "leaf_code": "8.2.2",
                "round": "appraisal",
                "score": 0.0,
                "agency": "Văn phòng UBND tỉnh",
                "reason": "Văn bản xin lỗi đã đúng mẫu sau khi bổ sung",
                "decision_no": "30/BC-VP",
                "decision_date": dt.date(2024, 12, 10),
                "source_file": "appraisals.csv",
                "source_row": 2,
            }
        ],
        schema=APPRAISAL_SCHEMA,
        orient="row",
    )
    scope_frame = pl.DataFrame(
        {"year": [2024], "unit_id": ["S1"], "ruleset_id": [QT], "unit_name": ["Sở Một"], "unit_group": ["department"]}
    ).with_columns(pl.lit("QT").alias("province_code"), pl.lit(None, pl.String).alias("parent_unit_id"))
    result = compute(
        scope_frame,
        criteria,
        subs,
        appraisals,
        pl.DataFrame(schema=SURVEY_SCHEMA),
        rulesets,
        facts=fact_scores(staged.rows, criteria),
    )
    leaves = {r["leaf_code"]: r for r in result.lineage.iter_rows(named=True)}
    assert (leaves["8.2.1"]["final_score"], leaves["8.2.1"]["final_source"]) == (1.0, "facts")
    assert (leaves["8.1.2"]["final_score"], leaves["8.1.2"]["final_source"]) == (1.0, "facts")
    assert (leaves["8.1.1"]["final_score"], leaves["8.1.1"]["final_source"]) == (0.0, "facts")
    over = leaves["8.2.2"]
    assert (over["facts_score"], over["appraisal_score"], over["final_score"], over["final_source"]) == (
        1.0,
        0.0,
        0.0,
        "appraisal",
    )
    assert over["appraisal_reason"] == "Văn bản xin lỗi đã đúng mẫu sau khi bổ sung"
    assert leaves["8.2.3"]["final_source"] == "self"  # no rule: the council's item
    unit = result.units.row(0, named=True)
    assert (unit["bonus_points"], unit["penalty_points"], unit["achieved_points"]) == (1.0, 1.0, 97.0)
    assert unit["index_pct"] == pytest.approx(97.0)


# ------------------------------------------------------------------------- evidence flags (Art. 4.2.c)


def _subs(*refs: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"year": 2024, "unit_id": "S1", "leaf_code": leaf, "evidence_refs": text, "source_file": "f.csv",
             "source_row": i}
            for i, (leaf, text) in enumerate(refs, start=2)
        ],
        schema={k: SUBMISSION_SCHEMA[k] for k in ("year", "unit_id", "leaf_code", "evidence_refs", "source_file",
                                                   "source_row")},
    )  # fmt: skip


def _register(*docs: tuple[str, str | None, dt.date | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"year": 2024, "unit_id": "S1", "document": d, "title": t, "doc_date": when, "system_date": when,
             "source_file": "evidence/S1.csv", "source_row": i}
            for i, (d, t, when) in enumerate(docs, start=2)
        ],
        schema=EVIDENCE_SCHEMA,
    )  # fmt: skip


def _flags(subs: pl.DataFrame, register: pl.DataFrame | None = None) -> list[tuple]:
    got = evidence_flags(subs, register)
    return sorted(got.select("document", "flag", "source_row").unique().rows())


def test_two_documents_with_the_same_number_symbol_and_date_are_a_duplicate_number():
    day = dt.date(2024, 3, 5)
    register = _register(("46/BC-STP", "Báo cáo quý I", day), ("46/BC-STP", "Báo cáo kiểm tra nội bộ", day))
    assert _flags(_subs(), register) == [("46/BC-STP", "duplicate_number", 2), ("46/BC-STP", "duplicate_number", 3)]
    detail = evidence_flags(_subs(), register)["detail"][0]
    assert detail.startswith("Số 46/BC-STP dùng cho 2 văn bản khác nhau trong năm 2024:")


def test_the_same_document_cited_twice_or_listed_once_is_not_a_duplicate():
    subs = _subs(("1.1", "45/KH-UBND ngày 02/03/2024"), ("1.2", "45/KH-UBND ngày 02/03/2024"), ("1.3", "45/KH-UBND"))
    assert _flags(subs) == []
    register = _register(("45/KH-UBND", "Kế hoạch CCHC", dt.date(2024, 3, 2)))
    assert _flags(subs, register) == []
    # A citation with another date than the register's document is a second document with that number.
    other = _subs(("1.4", "45/KH-UBND ngày 09/09/2024"))
    assert {f for _, f, _ in _flags(other, register)} == {"duplicate_number"}


def test_same_number_in_two_years_of_issue_is_not_a_duplicate_and_numbers_are_kept_as_written():
    register = _register(
        ("45/KH-UBND", "Kế hoạch 2024", dt.date(2024, 1, 5)), ("45/KH-UBND", "Kế hoạch 2023", dt.date(2023, 12, 20))
    )
    assert _flags(_subs(), register) == []
    # "045" is not "45" (numbers compared as written), and the number is shown as written.
    subs = _subs(("1.1", "045/KH-UBND ngày 02/03/2024"), ("1.2", "45/KH-UBND ngày 07/03/2024"), ("1.3", "11b/kh-ubnd"))
    assert _flags(subs) == [("11b/kh-ubnd", "inserted_number", 4)]
