"""Scoring cases worked out by hand from 1708/QĐ-UBND (Hưng Yên 1708/QĐ-UBND) Art. 3-5.

The mini framework is in tests/mini_framework.py; each expected number below is computed
in the comment next to it, from the regulation's words, not from the code's output.
"""

from __future__ import annotations

import pytest

from tests.mini_framework import score

FULL = {"1.1": 20, "1.2": 20, "2.1": 30, "2.2": 10, "9.1": 0, "9.2": 0}


def unit(result, unit_id):
    return result.units.filter(result.units["unit_id"] == unit_id).row(0, named=True)


@pytest.fixture
def five_units(tmp_path):
    return score(
        tmp_path,
        self_scores={
            "A": FULL,
            "B": FULL,
            "C": {"1.1": 16, "1.2": 16, "2.1": 24, "2.2": "NA", "9.1": 0, "9.2": 0},
            "D": FULL,
            "E": {**FULL, "2.2": 5, "9.1": 2, "9.2": 2},
        },
        appraisals=[("A", "1.2", 15), ("B", "1.1", 5), ("D", "1.1", 10), ("D", "2.1", 27)],
        appeals=[("D", "1.1", 18)],
        survey={"A": 90, "B": 100, "C": 80, "D": 75, "E": 75},
    )


def test_total_is_appraised_plus_survey_plus_bonus_minus_penalty(five_units):
    # Art. 4.3.a. A: 20 + 15 (appraised) + 30 + 10 + 90% × 20 = 18 survey points → 93 of 100.
    a = unit(five_units, "A")
    assert a["achieved_points"] == pytest.approx(93.0)
    assert a["max_points"] == pytest.approx(100.0)
    assert a["index_pct"] == pytest.approx(93.0)
    assert a["band"] == "Xuất sắc"
    # E: 20 + 20 + 30 + 5 + 75% × 20 = 15 → 90, + bonus 2 − penalty 2 → 90.
    e = unit(five_units, "E")
    assert (e["bonus_points"], e["penalty_points"]) == (2.0, 2.0)
    assert e["index_pct"] == pytest.approx(90.0)


def test_appeal_overrides_appraisal(five_units):
    # DOMAIN Scoring 2 / 1820/QĐ-UBND Art. 5: D self 20 → appraised 10 → appeal 18; final 18.
    lineage = five_units.lineage
    row = lineage.filter((lineage["unit_id"] == "D") & (lineage["leaf_code"] == "1.1")).row(0, named=True)
    assert (row["self_score"], row["appraisal_score"], row["appeal_score"]) == (20.0, 10.0, 18.0)
    assert row["final_score"] == 18.0 and row["final_source"] == "appeal"
    # D: 18 + 20 + 27 + 10 + 75% × 20 = 15 → 90.
    assert unit(five_units, "D")["index_pct"] == pytest.approx(90.0)


def test_not_applicable_leaf_is_scaled_to_100(five_units):
    # Art. 3.3 / 4.3.b: C has 2.2 (10 points) not applicable; max 90.
    # 16 + 16 + 24 + 80% × 20 = 16 → 72 of 90 → 80.0 on the 100 scale → Tốt.
    c = unit(five_units, "C")
    assert c["max_points"] == pytest.approx(90.0)
    assert c["achieved_points"] == pytest.approx(72.0)
    assert c["index_pct"] == pytest.approx(80.0)
    assert c["band"] == "Tốt"


def test_content_area_below_70_drops_one_band(five_units):
    # Art. 5.5.b: B = 5 + 20 + 30 + 10 + 100% × 20 = 85 → Tốt; field 1 = 25/40 = 62.5% < 70% → Khá.
    b = unit(five_units, "B")
    assert b["index_pct"] == pytest.approx(85.0)
    assert b["band_before_downgrade"] == "Tốt"
    assert b["band"] == "Khá"
    assert b["downgraded"] is True
    assert b["band_reason"] == "Tốt → Khá: lĩnh vực 1 đạt 62,5% < 70%"


def test_exact_tie_broken_by_online_and_postal_services(five_units):
    # Art. 5.5: D and E both 90; tiebreak leaf 2.1: E 30 > D 27 → E ranks above D.
    # Order: A 93 (1), E 90 (2), D 90 (3), B 85 (4), C 80 (5).
    ranks = dict(zip(five_units.units["unit_id"], five_units.units["rank"], strict=True))
    assert ranks == {"A": 1, "E": 2, "D": 3, "B": 4, "C": 5}
    assert unit(five_units, "E")["tie_broken"] and unit(five_units, "D")["tie_broken"]
    assert not unit(five_units, "A")["tie_broken"]


def test_full_tie_shares_the_rank(tmp_path):
    # Same total and same tiebreak score: nothing in Art. 5.5 separates them.
    result = score(tmp_path, {"P": FULL, "Q": FULL, "R": {**FULL, "2.2": 0}}, survey={"P": 50, "Q": 50, "R": 50})
    ranks = dict(zip(result.units["unit_id"], result.units["rank"], strict=True))
    assert ranks == {"P": 1, "Q": 1, "R": 3}


def test_component_index_per_field_and_criterion(five_units):
    # Art. 4.3.c: B field 1 = (5 + 20) / 40 = 62.5%; leaf 1.1 = 5/20 = 25%; C field 2 = 24/30 = 80%.
    comp = five_units.components
    pct = {(r["unit_id"], r["node_code"]): r["pct"] for r in comp.iter_rows(named=True)}
    assert pct[("B", "1")] == pytest.approx(62.5)
    assert pct[("B", "1.1")] == pytest.approx(25.0)
    assert pct[("C", "2")] == pytest.approx(80.0)
    assert ("C", "2.2") not in pct  # a leaf that does not apply has no index, not 0
    levels = {r["node_code"]: r["node_level"] for r in comp.iter_rows(named=True)}
    assert levels["1"] == 1 and levels["1.1"] == 2


def test_missing_self_score_counts_zero_and_is_flagged(tmp_path):
    # A blank score is not "not applicable": it keeps its max and scores 0.
    # 20 + 0 + 30 + 10 + 100% × 20 = 80 of 100.
    result = score(tmp_path, {"M": {**FULL, "1.2": None}}, survey={"M": 100})
    m = unit(result, "M")
    assert m["index_pct"] == pytest.approx(80.0)
    assert m["missing_leaves"] == 1
    row = result.lineage.filter(result.lineage["leaf_code"] == "1.2").row(0, named=True)
    assert row["final_source"] == "missing" and row["final_score"] == 0.0


def test_unit_not_surveyed_is_scaled_without_survey(tmp_path):
    # 1708/QĐ-UBND Art. 5.3.a: a district may not survey its communes; survey leaves leave the max.
    # 20 + 20 + 30 + 10 = 80 of 80 → 100.
    result = score(tmp_path, {"N": FULL}, survey={})
    n = unit(result, "N")
    assert n["max_points"] == pytest.approx(80.0)
    assert n["index_pct"] == pytest.approx(100.0)
    row = result.lineage.filter(result.lineage["leaf_code"] == "8.1").row(0, named=True)
    assert row["final_source"] == "not_surveyed"


def test_penalty_cannot_push_below_zero_and_bands_at_bottom(tmp_path):
    # All zero and a 2-point penalty: −2 of 100 → the index stays at 0 → Yếu (< 60).
    zero = {k: 0 for k in FULL} | {"9.2": 2}
    result = score(tmp_path, {"Z": zero}, survey={"Z": 0})
    z = unit(result, "Z")
    assert z["achieved_points"] == pytest.approx(-2.0)
    assert z["index_pct"] == 0.0
    assert z["band"] == "Yếu"


@pytest.mark.parametrize(
    ("leaf_12", "expected"),
    [
        (20, "Xuất sắc"),
        (10, "Tốt"),
        (0, "Khá"),
    ],
)
def test_band_thresholds_are_inclusive_at_the_lower_bound(tmp_path, leaf_12, expected):
    # Art. 5.5: "Từ 90 đến 100" — exactly 90 is Xuất sắc. Here 20 + x + 30 + 10 + 0 survey... scaled:
    # survey 50% → 10 points. x = 20 → 90; x = 10 → 80; x = 0 → 70 (field 1 at 50% but Khá has no downgrade).
    result = score(tmp_path, {"T": {**FULL, "1.2": leaf_12}}, survey={"T": 50})
    assert unit(result, "T")["band"] == expected


def test_surveyed_unit_with_a_broken_survey_row_scores_zero_not_scaled(tmp_path):
    # The survey file named N but its 8.1 row was quarantined: N was surveyed, so 8.1 keeps
    # its 20-point max and scores 0 until fixed: 20 + 20 + 30 + 10 = 80 of 100 (not 80 of 80).
    result = score(tmp_path, {"N": FULL}, survey={}, surveyed=["N"])
    n = unit(result, "N")
    assert n["max_points"] == pytest.approx(100.0)
    assert n["index_pct"] == pytest.approx(80.0)
    row = result.lineage.filter(result.lineage["leaf_code"] == "8.1").row(0, named=True)
    assert row["final_source"] == "missing" and row["final_score"] == 0.0


def test_no_unit_scored_yet_gives_empty_tables(tmp_path):
    # Before any self-assessment arrives, the year has nothing to rank, and that is not an error.
    result = score(tmp_path, {}, survey={})
    assert result.units.is_empty() and result.lineage.is_empty()
