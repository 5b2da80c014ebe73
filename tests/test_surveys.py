"""Surveys worked out by hand: answer options, "don't know", blanks, weights, intervals, flags, points.

The rules (models/surveys/rules.py, docs/inputs.md "Surveys"): a share is satisfied answer options over
answer options (1708/QĐ-UBND Art. 5.3.c); "don't know" and blank are not answer options; weights
multiply each respondent's counts; the 95% interval is Wilson's on n_eff = (Σ wᵢaᵢ)² / Σ (wᵢaᵢ)².
The survey files are those of tests/survey_helpers.py (Quảng Ninh-style leaves 9.1 = 23 SIPAS
points, 9.2 = 17 civil-servant points, QĐ Quảng Ninh 2022 §II.1.b).
"""

from __future__ import annotations

from fractions import Fraction

import openpyxl
import polars as pl
import pytest

from models.ingest.documents import Documents
from models.ingest.source import Staged
from models.par.staging import SURVEY_SCHEMA
from models.surveys.rules import (
    SurveyConfigError,
    combine_survey_results,
    leaf_shares,
    load_questionnaires,
    load_survey_config,
    required_sample,
    sample_plan,
    stage_respondents,
    survey_index,
    wilson_interval,
)
from models.surveys.sources import SURVEY_RESPONDENTS
from tests.survey_helpers import raw_row, scope_for, write_rules

Z95 = 1.959963984540054

# Unit U1, 2023, four citizens (9 = don't know, KB = don't know, '' = blank, 7 = off the 1-5 scale):
#        Q1   Q2   Q3        access (Q1, Q2): options, satisfied   results (Q3)   all questions
#   r1   5    4    3         2, 2                                  1, 0           3, 2
#   r2   4    9    2         1, 1   (9 is not an option)           1, 0           2, 1
#   r3   2    ''   4         1, 0   (blank is not an option)       1, 1           2, 1
#   r4   KB   5    7         1, 1                                  0 (7 quarantined) 1, 1
U1 = [
    ("r1", {"Q1": "5", "Q2": "4", "Q3": "3"}),
    ("r2", {"Q1": "4", "Q2": "9", "Q3": "2"}),
    ("r3", {"Q1": "2", "Q2": None, "Q3": "4"}),
    ("r4", {"Q1": "KB", "Q2": "5", "Q3": "7"}),
]
# Unit U2, 2023, three weighted citizens answering Q1 only: weights 2, 1, 1.
U2 = [
    ("w1", {"Q1": "4", "Q2": None, "Q3": None}, "2"),
    ("w2", {"Q1": "2", "Q2": None, "Q3": None}, "1"),
    ("w3", {"Q1": "3", "Q2": None, "Q3": None}, "1"),
]
# Civil servants of U1: K1 is yes/no (1 = yes counts as satisfied), K2 a Likert question.
#        K1   K2     options, satisfied
#   c1   1    5      2, 2
#   c2   2    4      2, 1
#   c3   1    9      1, 1   (9 = don't know)
#   c4   3    2      1, 0   (3 is not an option: quarantined)
CIVIL = [("c1", {"K1": "1", "K2": "5"}), ("c2", {"K1": "2", "K2": "4"}), ("c3", {"K1": "1", "K2": "9"})]
CIVIL += [("c4", {"K1": "3", "K2": "2"})]


def rows(extra_u2: list | None = None) -> list[dict]:
    out = [raw_row("sipas", "U1", rid, ans, i) for i, (rid, ans) in enumerate(U1, start=2)]
    out += [raw_row("sipas", "U2", rid, ans, i, **{"trọng số": w}) for i, (rid, ans, w) in enumerate(U2, start=2)] + (
        extra_u2 or []
    )
    out += [raw_row("civil_servant", "U1", rid, ans, i) for i, (rid, ans) in enumerate(CIVIL, start=2)]
    return out


@pytest.fixture()
def setup(tmp_path):
    write_rules(tmp_path)
    config = load_survey_config(Documents.from_dir(tmp_path))
    questions = load_questionnaires(config, Documents.from_dir(tmp_path))
    return config, questions, scope_for(tmp_path)


def staged(setup, raw=None):
    config, questions, scope = setup
    return stage_respondents(raw if raw is not None else rows(), config, questions, scope)


def index(setup, stage) -> pl.DataFrame:
    config, questions, _ = setup
    return survey_index(stage.respondents, stage.answers, questions, config)


def one(frame: pl.DataFrame, **where) -> dict:
    for k, v in where.items():
        frame = frame.filter(pl.col(k).is_null() if v is None else pl.col(k) == v)
    assert frame.height == 1, (where, frame)
    return frame.row(0, named=True)


def test_dont_know_blank_and_off_scale_are_kept_apart(setup):
    stage = staged(setup)
    u1 = stage.answers.filter((pl.col("unit_id") == "U1") & (pl.col("survey_id") == "sipas"))
    counts = dict(u1.group_by("status").len().iter_rows())
    # 12 cells: 8 valid, 2 don't know (9, KB), 1 blank, 1 off the scale (7).
    assert counts == {"valid": 8, "dont_know": 2, "blank": 1, "invalid": 1}
    assert stage.respondents.height == 4 + 3 + 4  # no respondent is dropped for one bad cell
    bad = stage.quarantine.filter(pl.col("rule") == "off_scale").row(0, named=True)
    assert (bad["source_file"], bad["row_number"], bad["column_name"], bad["value"]) == (
        "surveys/sipas/2023/U1.csv",
        5,
        "Câu Q3",
        "7",
    )
    assert "surveys/sipas/2023/U1.csv, dòng 5, cột Câu Q3" in bad["message"] and "thang đo 1-5" in bad["message"]
    option = stage.quarantine.filter(pl.col("rule") == "unknown_option").row(0, named=True)
    assert (option["column_name"], option["value"]) == ("Câu K1", "3") and "các mã 1, 2" in option["message"]
    assert stage.balanced


def test_component_and_overall_shares_by_hand(setup):
    frame = index(setup, staged(setup))
    access = one(frame, survey_id="sipas", level="unit", unit_id="U1", component="access")
    # access: options 2 + 1 + 1 + 1 = 5, satisfied 2 + 1 + 0 + 1 = 4 → 80%; 4 respondents;
    # n_eff = 5² / (2² + 1² + 1² + 1²) = 25/7 ≈ 3.571.
    assert access["pct"] == pytest.approx(80.0)
    assert (access["n_respondents"], access["n_dont_know"], access["n_blank"]) == (4, 2, 1)
    assert access["effective_n"] == pytest.approx(25 / 7)
    # Wilson, z² = 3.8415: z²/n = 1.07561, denominator 2.07561; centre (0.8 + 0.53780) / 2.07561 = 0.64454;
    # half-width 1.95996 × √(0.16/3.5714 + 3.8415/(4 × 12.755)) / 2.07561 = 0.32724 → 31.73% … 97.18%.
    assert (access["ci_low"], access["ci_high"]) == (pytest.approx(31.73, abs=0.01), pytest.approx(97.18, abs=0.01))
    assert access["flag"] is None  # 4 respondents = min_respondents (4): not flagged
    results = one(frame, survey_id="sipas", level="unit", unit_id="U1", component="results")
    # results: r1 3, r2 2, r3 4 → 1 of 3 options (r4's 7 is not counted) → 33.33%, 3 respondents → flagged.
    assert results["pct"] == pytest.approx(100 / 3)
    assert (results["n_respondents"], results["n_invalid"], results["flag"]) == (3, 1, "few_respondents")
    overall = one(frame, survey_id="sipas", level="unit", unit_id="U1", component="overall")
    # all questions: options 3 + 2 + 2 + 1 = 8, satisfied 2 + 1 + 1 + 1 = 5 → 62.5%; n_eff = 64/18.
    assert overall["pct"] == pytest.approx(62.5)
    assert overall["effective_n"] == pytest.approx(64 / 18)
    assert overall["n_answers"] == 8 and overall["n_satisfied"] == 5
    assert overall["ci_low"] < 62.5 < overall["ci_high"]


def test_dont_know_can_be_counted_as_an_option_when_the_rules_say_so(tmp_path):
    write_rules(tmp_path, dont_know_in_denominator=True)
    config = load_survey_config(Documents.from_dir(tmp_path))
    questions = load_questionnaires(config, Documents.from_dir(tmp_path))
    setup = (config, questions, scope_for(tmp_path))
    access = one(index(setup, staged(setup)), survey_id="sipas", level="unit", unit_id="U1", component="access")
    # The two don't-knows (r2 Q2, r4 Q1) join the denominator: 4 satisfied of 7 → 57.14%.
    assert access["pct"] == pytest.approx(400 / 7)


def test_weights_multiply_each_respondent(setup):
    frame = index(setup, staged(setup))
    u2 = one(frame, survey_id="sipas", level="unit", unit_id="U2", component="access")
    # w1 (weight 2) satisfied, w2 and w3 (weight 1) not: 2 / (2 + 1 + 1) = 50%, where unweighted would be 33.3%.
    # n_eff = (2 + 1 + 1)² / (2² + 1² + 1²) = 16/6 = 2.667; 3 respondents < 4 → flagged, not hidden.
    assert u2["pct"] == pytest.approx(50.0) and u2["weighted"]
    assert u2["effective_n"] == pytest.approx(16 / 6)
    assert u2["flag"] == "few_respondents"
    # Wilson at p = 0.5, n = 2.667: centre 0.5, half-width 1.95996 × √(0.09375 + 0.13505) / 2.44055 = 0.38414.
    assert (u2["ci_low"], u2["ci_high"]) == (pytest.approx(11.59, abs=0.01), pytest.approx(88.41, abs=0.01))
    # Province and group pool both units: access Σw·s = 4 + 2 = 6 over Σw·a = 5 + 4 = 9 → 66.67%.
    province = one(frame, survey_id="sipas", level="province", component="access")
    group = one(frame, survey_id="sipas", level="unit_group", component="access")
    assert province["pct"] == pytest.approx(200 / 3) == group["pct"]
    assert province["n_respondents"] == 7 and province["unit_id"] is None and province["weighted"]


def test_a_weighted_unit_rejects_respondents_without_weight_and_repeats(setup):
    extra = [
        raw_row("sipas", "U2", "w4", {"Q1": "5"}, 5),  # no weight in a weighted unit-year
        raw_row("sipas", "U2", "w1", {"Q1": "5"}, 6, **{"trọng số": "1"}),  # w1 again
        raw_row("sipas", "U2", "w5", {"Q1": "5"}, 7, **{"trọng số": "-1"}),  # a weight must be > 0
        raw_row("sipas", "U9", "x1", {"Q1": "5"}, 8),  # not in units.csv
    ]
    stage = staged(setup, rows(extra))
    rules = dict(stage.quarantine.group_by("rule").len().iter_rows())
    assert rules == {
        "off_scale": 1,
        "unknown_option": 1,
        "missing_weight": 1,
        "duplicate_respondent": 1,
        "bad_weight": 1,
        "unknown_unit": 1,
    }
    assert stage.rows_rejected == 4 and stage.balanced
    assert one(index(setup, stage), survey_id="sipas", level="unit", unit_id="U2", component="access")["pct"] == 50.0


def test_wilson_interval_by_hand():
    # p = 0.75, n = 4: z²/n = 0.96037, denominator 1.96037; centre (0.75 + 0.48018) / 1.96037 = 0.62753;
    # half-width 1.95996 × √(0.046875 + 0.060023) / 1.96037 = 0.32689 → 0.3006 … 0.9544.
    low, high = wilson_interval(0.75, 4, Z95)
    assert (low, high) == (pytest.approx(0.3006, abs=1e-4), pytest.approx(0.9544, abs=1e-4))
    # All of 3 satisfied: not the degenerate [1, 1]: centre (1 + 0.64024) / 2.28049 = 0.71925, half 0.28075.
    low, high = wilson_interval(1.0, 3, Z95)
    assert (low, high) == (pytest.approx(0.4385, abs=1e-4), 1.0)


def test_leaf_shares_feed_the_sipas_and_the_civil_servant_leaves(setup):
    config, questions, scope = setup
    stage = staged(setup)
    shares, records = leaf_shares(stage.respondents, stage.answers, questions, scope, config)
    by = {(r["unit_id"], r["leaf_code"]): r for r in shares.iter_rows(named=True)}
    # 9.1 takes all three SIPAS questions: 5 of 8 options → 62.5% → 0.625 × 23 = 14.375 points.
    assert by[("U1", "9.1")]["satisfied_pct"] == pytest.approx(62.5)
    assert (by[("U1", "9.1")]["respondents"], by[("U1", "9.1")]["survey_id"]) == (4, "sipas")
    # 9.2 takes the civil servants: options 2 + 2 + 1 + 1 = 6, satisfied 2 + 1 + 1 + 0 = 4 → 66.67% → 11.333.
    assert by[("U1", "9.2")]["satisfied_pct"] == pytest.approx(200 / 3)
    assert by[("U1", "9.2")]["survey_id"] == "civil_servant"
    # U2 answered Q1 only, weighted: 50%.
    assert by[("U2", "9.1")]["satisfied_pct"] == pytest.approx(50.0) and by[("U2", "9.1")]["weighted"]
    assert records == []


def test_respondent_shares_replace_the_aggregate_and_keep_it_on_record():
    rows_ = [
        {"year": 2023, "unit_id": "U1", "leaf_code": "9.1", "satisfied_pct": 50.0, "source_row": 2},
        {"year": 2023, "unit_id": "U2", "leaf_code": "9.1", "satisfied_pct": 50.0, "source_row": 3},
        {"year": 2023, "unit_id": "U3", "leaf_code": "9.1", "satisfied_pct": 80.0, "source_row": 4},
    ]
    aggregate = pl.DataFrame(
        [{**r, "ruleset_id": "qn-mini", "respondents": 100, "source_file": "survey_results.csv"} for r in rows_],
        schema=SURVEY_SCHEMA,
    )
    shares = pl.DataFrame(
        {
            "year": [2023, 2023],
            "unit_id": ["U1", "U2"],
            "ruleset_id": ["qn-mini"] * 2,
            "leaf_code": ["9.1"] * 2,
            "satisfied_pct": [62.5, 50.04],
            "respondents": [4, 3],
            "survey_id": ["sipas"] * 2,
            "source_file": ["surveys/sipas/**/*"] * 2,
        },
        schema_overrides={"year": pl.Int32},
    )
    result = combine_survey_results(Staged(aggregate), shares)
    got = {r["unit_id"]: r for r in result.rows.iter_rows(named=True)}
    # One row per leaf: U1 and U2 from respondents, U3 (no respondents) from the aggregate.
    assert {u: (r["satisfied_pct"], r["survey_source"]) for u, r in got.items()} == {
        "U1": (62.5, "respondents"),
        "U2": (50.04, "respondents"),
        "U3": (80.0, "aggregate"),
    }
    rules = {r["row_number"]: r["rule"] for r in result.quarantine.iter_rows(named=True)}
    # U1: 62.5 vs 50 differs beyond rounding; U2: 50.04 vs 50 is within ±0.05 (the aggregate's rounding).
    assert rules == {2: "respondents_disagree", 3: "superseded_by_respondents"}
    assert result.rows.height == 3  # one row per leaf, never two


def test_two_questionnaires_may_not_feed_one_leaf(tmp_path):
    surveys = write_rules(tmp_path)
    text = (surveys / "questionnaires" / "civil_servant.csv").read_text(encoding="utf-8")
    (surveys / "questionnaires" / "civil_servant.csv").write_text(text.replace(",9.2,", ",9.1,"), encoding="utf-8")
    with pytest.raises(SurveyConfigError, match="9.1"):
        load_questionnaires(load_survey_config(Documents.from_dir(tmp_path)), Documents.from_dir(tmp_path))


def test_a_leaf_missing_from_the_framework_is_reported_not_scored(tmp_path):
    surveys = write_rules(tmp_path)
    text = (surveys / "questionnaires" / "sipas.csv").read_text(encoding="utf-8")
    text = text.replace("Kết quả đúng quy định,likert,,,9.1", "Kết quả đúng quy định,likert,,,9.9")
    (surveys / "questionnaires" / "sipas.csv").write_text(text, encoding="utf-8")
    config = load_survey_config(Documents.from_dir(tmp_path))
    questions = load_questionnaires(config, Documents.from_dir(tmp_path))
    scope = scope_for(tmp_path)
    stage = stage_respondents(rows(), config, questions, scope)
    shares, records = leaf_shares(stage.respondents, stage.answers, questions, scope, config)
    assert [r["rule"] for r in records] == ["leaf_not_in_framework"]
    assert records[0]["row_number"] == 4 and "9.9" in records[0]["message"]
    # 9.1 now has Q1, Q2 only: the access share, 4 of 5 → 80%.
    assert shares.filter((pl.col("unit_id") == "U1") & (pl.col("leaf_code") == "9.1"))["satisfied_pct"][0] == 80.0


def test_likert_words_are_read_as_their_codes(setup):
    raw = [raw_row("sipas", "U3", f"t{i}", {"Q1": word}, i) for i, word in enumerate(["Hài lòng", "rất hài lòng", "3"])]
    frame = index(setup, staged(setup, raw))
    # "Hài lòng" = 4 and "Rất hài lòng" = 5 (case-folded) are satisfied, 3 is not: 2 of 3.
    assert one(frame, survey_id="sipas", level="unit", unit_id="U3", component="access")["pct"] == pytest.approx(
        200 / 3
    )


def test_sample_size_by_hand():
    e = Fraction(1, 20)
    assert required_sample(1000, e) == 286  # 1000 / (1 + 1000 × 0.0025) = 1000 / 3.5 = 285.71 → 286
    assert required_sample(400, e) == 200  # 400 / (1 + 1) = 200 exactly: not 201
    assert required_sample(50, e) == 45  # 50 / 1.125 = 44.44 → 45
    assert required_sample(0, e) == 0
    assert required_sample(1_000_000, e) == 400  # 1e6 / 2501 = 399.84 → 400: the ceiling as N grows


def test_sample_plan_warns_where_this_year_fell_short(setup):
    config, *_ = setup
    dossiers = pl.DataFrame(
        {"year": [2023, 2023], "unit_id": ["U1", "U2"], "dossiers": [1000, 3]}, schema_overrides={"year": pl.Int32}
    )
    stage = staged(setup)
    plan = sample_plan(dossiers, stage.respondents, config)
    by = {(r["survey_id"], r["unit_id"]): r for r in plan.iter_rows(named=True)}
    # U1: N = 1000 → 286 needed, 4 surveyed → short by 282; next year (2024) plans 286.
    u1 = by[("sipas", "U1")]
    assert (u1["n_required"], u1["n_respondents"], u1["shortfall"], u1["sample_short"]) == (286, 4, 282, True)
    assert (u1["plan_year"], u1["n_planned"]) == (2024, 286) and "thiếu 282" in u1["warning"]
    # U2: N = 3 → 3 / 1.0075 = 2.98 → 3 needed, 3 surveyed: enough, no warning.
    assert (by[("sipas", "U2")]["n_required"], by[("sipas", "U2")]["warning"]) == (3, None)
    # Only SIPAS has a planning block; the civil-servant survey has no plan rows.
    assert {s for s, _ in by} == {"sipas"}


def test_xlsx_export_title_rows_and_signature_block_are_not_respondents(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["KẾT QUẢ KHẢO SÁT NĂM 2023"])
    ws.append([])
    ws.append(["STT", "Mã phiếu", "Tên đơn vị", "Q1", "Q2", "Q3"])
    ws.append([1, "a1", "UBND Sở Nội vụ", 5, 4, None])
    ws.append([2, None, "Sở Nội vụ", 4, 4, 4])  # no id, within the table: read, then quarantined
    ws.append([])
    ws.append([None, "Người tổng hợp", None, None, "THỦ TRƯỞNG ĐƠN VỊ", None])
    ws.append([3, "a3", "Sở Nội vụ", 3, 3, 3])  # below the blank row but a full record
    wb.save(tmp_path / "x.xlsx")
    result = SURVEY_RESPONDENTS.read(tmp_path / "x.xlsx", "surveys/sipas/2023/x.xlsx")
    assert [r["row_number"] for r in result.rows] == [4, 5, 8]
    assert result.rows[0]["mã phiếu"] == "a1" and result.rows[0]["q1"] == "5"
