"""Rank uncertainty worked out by hand (models/surveys/uncertainty.py): survey intervals → index interval →
rank range and band stability; and PAPI's published intervals → rank range and tier stability.
"""

from __future__ import annotations

import polars as pl
import pytest

from models.surveys.uncertainty import papi_rank_uncertainty, par_rank_uncertainty

BANDS = pl.DataFrame(
    {
        "ruleset_id": ["qt"] * 4,
        "position": [1, 2, 3, 4],
        "band": ["Tốt", "Khá", "Trung bình", "Thấp"],
        "min_index": [80.0, 70.0, 60.0, 0.0],
    }
)


def _units(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "year": 2024,
                "unit_id": u,
                "province_code": "P",
                "unit_group": "department",
                "ruleset_id": "qt",
                "achieved_points": achieved,
                "max_points": 100.0,
                "index_pct": achieved,
                "rank": rank,
                "band": band,
                "scale": 100.0,
            }
            for u, achieved, rank, band in rows
        ]
    )


def _lineage(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "year": 2024,
                "unit_id": u,
                "leaf_code": leaf,
                "method": "survey",
                "applicable": True,
                "final_source": "survey",
                "survey_source": source,
                "max_points": 20.0,
                "final_score": final,
            }
            for u, leaf, final, source in rows
        ]
    )


def _shares(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"year": 2024, "unit_id": u, "leaf_code": leaf, "ci_low": lo, "ci_high": hi} for u, leaf, lo, hi in rows]
    )


def test_survey_intervals_give_the_index_interval_the_rank_range_and_the_band():
    """Three units of one group, scale 100, Quảng Trị's bands (Tốt ≥ 80, Khá ≥ 70).

    U1: 84 points; its survey leaf (max 20) scores 16 = 80%, respondents' 95% interval 70%-88% → the
        leaf 14 to 17.6 → index 84 − 2 = 82 to 84 + 1.6 = 85.6.
    U2: 83 points, survey leaf from survey_results.csv (no respondents): no interval, 83 to 83.
    U3: 78 points; leaf 10 = 50%, interval 35%-65% → 7 to 13 → index 75 to 81.
    Ranks 1, 2, 3. U1: certainly above it: nobody (nobody's low > 85.6) → best 1; could be above it:
    U2 (83 > 82), not U3 (81 ≤ 82) → worst 2. U2: best 1 (82 and 75 ≤ 83), worst 2 (85.6 > 83).
    U3: certainly above it U1 (82 > 81) and U2 (83 > 81) → best 3, worst 3.
    Bands: U1 82 and 85.6 both Tốt (stable); U3 75 Khá, 81 Tốt (not stable); U2 Tốt (stable).
    """
    units = _units([("U1", 84.0, 1, "Tốt"), ("U2", 83.0, 2, "Tốt"), ("U3", 78.0, 3, "Khá")])
    lineage = _lineage(
        [("U1", "9.1", 16.0, "respondents"), ("U2", "9.1", 17.0, "aggregate"), ("U3", "9.1", 10.0, "respondents")]
    )
    shares = _shares([("U1", "9.1", 70.0, 88.0), ("U3", "9.1", 35.0, 65.0)])
    got = {r["unit_id"]: r for r in par_rank_uncertainty(units, lineage, shares, BANDS).iter_rows(named=True)}
    assert (got["U1"]["index_low"], got["U1"]["index_high"]) == (pytest.approx(82.0), pytest.approx(85.6))
    assert (got["U2"]["index_low"], got["U2"]["index_high"]) == (83.0, 83.0)
    assert (got["U3"]["index_low"], got["U3"]["index_high"]) == (pytest.approx(75.0), pytest.approx(81.0))
    assert {u: (r["rank_best"], r["rank_worst"]) for u, r in got.items()} == {"U1": (1, 2), "U2": (1, 2), "U3": (3, 3)}
    assert {u: r["band_stable"] for u, r in got.items()} == {"U1": True, "U2": True, "U3": False}
    assert (got["U3"]["band_low"], got["U3"]["band_high"]) == ("Khá", "Tốt")
    assert {u: r["interval_from"] for u, r in got.items()} == {"U1": "respondents", "U2": "none", "U3": "respondents"}
    assert got["U1"]["survey_leaves"] == 1 and got["U1"]["n_units"] == 3


def test_two_leaves_move_together_and_the_index_stays_within_the_scale():
    """U1: 97 points with two survey leaves at 19 of 20 (95%), intervals 85%-100% and 90%-100% →
    low 97 + (17 − 19) + (18 − 19) = 94, high 97 + 1 + 1 = 99. U2: 100 points, leaf 20 of 20, interval
    80%-100% → 96 to 100 (not above 100). U1 best 1 (U2's low 96 ≤ 99), worst 2 (U2's high 100 > 94)."""
    units = _units([("U1", 97.0, 2, "Tốt"), ("U2", 100.0, 1, "Tốt")])
    lineage = _lineage(
        [("U1", "9.1", 19.0, "respondents"), ("U1", "9.2", 19.0, "respondents"), ("U2", "9.1", 20.0, "respondents")]
    )
    shares = _shares([("U1", "9.1", 85.0, 100.0), ("U1", "9.2", 90.0, 100.0), ("U2", "9.1", 80.0, 100.0)])
    got = {r["unit_id"]: r for r in par_rank_uncertainty(units, lineage, shares, BANDS).iter_rows(named=True)}
    assert (got["U1"]["index_low"], got["U1"]["index_high"]) == (pytest.approx(94.0), pytest.approx(99.0))
    assert (got["U2"]["index_low"], got["U2"]["index_high"]) == (pytest.approx(96.0), pytest.approx(100.0))
    assert (got["U1"]["rank_best"], got["U1"]["rank_worst"]) == (1, 2)
    assert (got["U2"]["rank_best"], got["U2"]["rank_worst"]) == (1, 2)
    assert got["U1"]["survey_leaves"] == 2


def test_a_group_without_respondents_has_no_rows():
    units = _units([("U1", 84.0, 1, "Tốt"), ("U2", 83.0, 2, "Tốt")])
    lineage = _lineage([("U1", "9.1", 16.0, "aggregate")])
    shares = pl.DataFrame(
        schema={
            "year": pl.Int64,
            "unit_id": pl.String,
            "leaf_code": pl.String,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
        }
    )
    assert par_rank_uncertainty(units, lineage, shares, BANDS).is_empty()


def test_papi_published_intervals_give_rank_ranges_and_tier_stability():
    """Three provinces with PAPI's published 95% intervals: A 44.8 (44.1-45.4), B 43.7 (43.0-44.5),
    C 40.5 (40.0-41.0); ranks 1, 2, 3. A: best 1, worst 2 (B's 44.5 > 44.1). B: best 1 (A's 44.1 ≤ 44.5),
    worst 2 (A's 45.4 > 43.0; C's 41.0 ≤ 43.0). C: 3 to 3.
    Tiers by the quartiles of [40.5, 43.7, 44.8] (linear): q25 = 40.5 + 0.5 × 3.2 = 42.1, q50 = 43.7,
    q75 = 43.7 + 0.5 × 1.1 = 44.25. A: 44.1 → tier 2, 45.4 → tier 1 (not stable); B: 43.0 → tier 3,
    44.5 → tier 1 (not stable); C: 40.0 and 41.0 → tier 4 (stable)."""
    papi = pl.DataFrame(
        {
            "year": [2024] * 4,
            "province": ["A", "B", "C", "A"],
            "province_code": ["PA", "PB", "PC", "PA"],
            "dimension": ["total", "total", "total", "participation"],
            "score": [44.8, 43.7, 40.5, 5.0],
            "rank": [1, 2, 3, 1],
            "tier_label": ["Nhóm cao nhất", "Nhóm trung bình cao", "Nhóm thấp nhất", "Nhóm cao nhất"],
            "published_ci_low": [44.1, 43.0, 40.0, None],
            "published_ci_high": [45.4, 44.5, 41.0, None],
        }
    )
    got = {r["unit_id"]: r for r in papi_rank_uncertainty(papi).iter_rows(named=True)}
    assert set(got) == {"PA", "PB", "PC"}
    assert {u: (r["rank_best"], r["rank_worst"]) for u, r in got.items()} == {"PA": (1, 2), "PB": (1, 2), "PC": (3, 3)}
    assert {u: r["band_stable"] for u, r in got.items()} == {"PA": False, "PB": False, "PC": True}
    assert (got["PB"]["band_low"], got["PB"]["band_high"]) == ("Nhóm trung bình thấp", "Nhóm cao nhất")
    assert got["PA"]["interval_from"] == "papi_published" and got["PA"]["index_kind"] == "papi"
    # Without any published interval (the bundled tables), PAPI has no rows.
    assert papi_rank_uncertainty(papi.with_columns(pl.lit(None, pl.Float64).alias("published_ci_low"))).is_empty()
