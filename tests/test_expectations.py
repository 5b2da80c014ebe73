"""The declared expectations catch what they claim to (so a green check means something)."""

from __future__ import annotations

import pandas as pd
import polars as pl

from expectations import schemas, suites


def _par_index_frame(**changes) -> pd.DataFrame:
    base = {
        "year": [2024, 2024],
        "province": ["T", "T"],
        "unit_group": ["department"] * 2,
        "unit_id": ["A", "B"],
        "unit_name": ["A", "B"],
        "achieved_points": [90.0, 80.0],
        "max_points": [100.0, 100.0],
        "index_pct": [90.0, 80.0],
        "band": ["Xuất sắc", "Tốt"],
        "rank": [1, 2],
        "group_size": [2, 2],
    }
    return pd.DataFrame({**base, **changes})


def test_par_index_suite_passes_a_good_table_and_names_each_broken_rule():
    suite = suites.SUITES["par_index"]
    assert suites.validate(suite, _par_index_frame())["success"].all()
    bad = suites.validate(
        suite, _par_index_frame(unit_id=["A", "A"], index_pct=[120.0, 80.0], rank=[1, 3], band=["Xuất sắc", None])
    )
    failed = set(bad.filter(~pl.col("success"))["expectation"].str.extract(r"^(\w+)\(").to_list())
    assert failed == {
        "ExpectCompoundColumnsToBeUnique",  # A twice in 2024
        "ExpectColumnValuesToBeBetween",  # 120 > 100
        "ExpectColumnValuesToNotBeNull",  # no band
        "ExpectColumnPairValuesAToBeGreaterThanB",  # rank 3 in a group of 2
    }


def test_staging_schema_catches_negative_scores_and_duplicate_leaves():
    frame = pl.DataFrame(
        {
            "year": [2023, 2023],
            "unit_id": ["U", "U"],
            "ruleset_id": ["r", "r"],
            "leaf_code": ["1.1", "1.1"],
            "source_file": ["f.csv", "f.csv"],
            "source_row": [2, 3],
            "self_score": [1.0, -1.0],
            "not_applicable": [False, False],
        },
        schema_overrides={"year": pl.Int32},
    )
    bad = schemas.failures(schemas.StagedSubmissions, frame)
    assert {"self_score", "StagedSubmissions"} <= set(bad["column"])  # the range, and the uniqueness


def test_empty_optional_source_has_nothing_to_fail():
    assert schemas.failures(schemas.raw_schema(("unit_id",)), pl.DataFrame({"source_file": []})).height == 0
