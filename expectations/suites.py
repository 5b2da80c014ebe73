"""Great Expectations 1.x suites for the published tables, validated through pandas frames.

GX's SQL data source cannot read DuckDB with the pinned versions, and GX has no Polars
support, so each table is loaded with DuckDB into pandas and validated as a whole-frame batch
in an ephemeral context (nothing written to disk, no network). `import great_expectations` is
slow (2-3 s), so it happens only when a suite runs.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass

import pandas as pd
import polars as pl

from models.par.marts import CONTRACT_COLUMNS, PLAN_TRACKING_COLUMNS

# `reclassification`: a corrected score after a result was voided (1820/QĐ-UBND Art. 7, models/par/reclassification.py);
# `facts`: a bonus or penalty computed from bonus_penalty/*.csv (1820/QĐ-UBND Art. 4, models/par/bonus_penalty.py).
FINAL_SOURCES = [
    "appeal",
    "appraisal",
    "self",
    "survey",
    "missing",
    "not_applicable",
    "not_surveyed",
    "reclassification",
    "facts",
]


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    sql: str  # loads the frame to validate; may add derived columns the expectations need
    expectations: tuple[tuple[str, dict], ...]  # (GX expectation class, its arguments)


SUITES = {
    "par_index": Suite(
        "par_index",
        "marts.par_index",
        "SELECT *, count(*) OVER (PARTITION BY year, province_code, unit_group) AS group_size FROM marts.par_index",
        (
            ("ExpectTableColumnsToMatchSet", {"column_set": CONTRACT_COLUMNS["marts.par_index"], "exact_match": False}),
            ("ExpectCompoundColumnsToBeUnique", {"column_list": ["year", "unit_id"]}),
            ("ExpectColumnValuesToNotBeNull", {"column": "index_pct"}),
            ("ExpectColumnValuesToNotBeNull", {"column": "band"}),
            # 1708/QĐ-UBND Art. 3.3, 4.3.b: the index is a percentage of the unit's max.
            ("ExpectColumnValuesToBeBetween", {"column": "index_pct", "min_value": 0, "max_value": 100}),
            ("ExpectColumnValuesToBeBetween", {"column": "max_points", "min_value": 0, "strict_min": True}),
            ("ExpectColumnValuesToBeBetween", {"column": "rank", "min_value": 1}),
            (
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {"column_A": "group_size", "column_B": "rank", "or_equal": True},
            ),
        ),
    ),
    "par_component_index": Suite(
        "par_component_index",
        "marts.par_component_index",
        "SELECT * FROM marts.par_component_index",
        (
            (
                "ExpectTableColumnsToMatchSet",
                {"column_set": CONTRACT_COLUMNS["marts.par_component_index"], "exact_match": False},
            ),
            ("ExpectCompoundColumnsToBeUnique", {"column_list": ["year", "unit_id", "node_code"]}),
            # 1708/QĐ-UBND Art. 4.3.c
            ("ExpectColumnValuesToBeBetween", {"column": "pct", "min_value": 0, "max_value": 100}),
            (
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {"column_A": "max_points", "column_B": "achieved", "or_equal": True},
            ),
        ),
    ),
    "score_lineage": Suite(
        "score_lineage",
        "marts.score_lineage",
        "SELECT * FROM marts.score_lineage",
        (
            (
                "ExpectTableColumnsToMatchSet",
                {"column_set": CONTRACT_COLUMNS["marts.score_lineage"], "exact_match": False},
            ),
            ("ExpectCompoundColumnsToBeUnique", {"column_list": ["year", "unit_id", "leaf_code"]}),
            ("ExpectColumnValuesToBeInSet", {"column": "final_source", "value_set": FINAL_SOURCES}),
            ("ExpectColumnValuesToBeBetween", {"column": "final_score", "min_value": 0}),
            # DOMAIN Scoring 1 (1820/QĐ-UBND Art. 6.1.a): no round's score above the leaf's max.
            *(
                (
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    {
                        "column_A": "max_points",
                        "column_B": col,
                        "or_equal": True,
                        "ignore_row_if": "either_value_is_missing",
                    },
                )
                for col in ("self_score", "appraised_score", "appeal_score", "final_score")
            ),
        ),
    ),
}


def _contract_suite(table: str, columns: list[str], keys: list[str]) -> Suite:
    """The documented columns are there, and the keys that locate a row are never empty."""
    return Suite(
        table.split(".")[1],
        table,
        f"SELECT * FROM {table}",
        (
            ("ExpectTableColumnsToMatchSet", {"column_set": columns, "exact_match": False}),
            *(("ExpectColumnValuesToNotBeNull", {"column": key}) for key in keys),
        ),
    )


SUITES |= {
    suite.name: suite
    for suite in (
        _contract_suite("marts.par_index_history", CONTRACT_COLUMNS["marts.par_index_history"], ["year", "unit_id"]),
        _contract_suite("marts.band_gap", CONTRACT_COLUMNS["marts.band_gap"], ["year", "unit_id"]),
        _contract_suite("marts.agency_appraisal", CONTRACT_COLUMNS["marts.agency_appraisal"], ["year", "agency"]),
        _contract_suite("marts.plan_tracking", PLAN_TRACKING_COLUMNS, ["period", "target_code", "status"]),
    )
}


def _import_gx():
    """`import great_expectations`, which is most of a warm run's check time (~3.5 s on 2 cores).

    A third of it is not GX: one of GX's core expectations imports altair, altair imports
    jsonschema, and jsonschema, when `rfc3987_syntax` is installed, builds an Earley parser for
    IRIs at import (~1.1 s) for its `iri` format check. No suite here validates JSON documents or
    IRIs, so while GX is imported that package is reported missing, and jsonschema leaves that one
    format unchecked as it does when the package is not installed. Nothing else changes: the
    package stays importable afterwards, and when something imported it first it is left alone.
    """
    if "rfc3987_syntax" in sys.modules or "jsonschema" in sys.modules:
        import great_expectations as gx

        return gx
    sys.modules["rfc3987_syntax"] = None  # `import rfc3987_syntax` raises ImportError meanwhile
    try:
        import great_expectations as gx
    finally:
        del sys.modules["rfc3987_syntax"]
    return gx


@functools.cache
def _pandas_source():
    """One ephemeral GX context and pandas data source per process: making them is most of a
    validation's cost, and every suite can share them (each suite is its own data asset)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    gx = _import_gx()

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return context.data_sources.add_pandas("chiso")


def validate(suite: Suite, frame: pd.DataFrame) -> pl.DataFrame:
    """One row per expectation: what it checks, whether it held, how many rows broke it."""
    source = _pandas_source()
    gx = _import_gx()
    names = {a.name for a in source.assets}
    asset = source.get_asset(suite.name) if suite.name in names else source.add_dataframe_asset(suite.name)
    definitions = {d.name for d in asset.batch_definitions}
    whole = (
        asset.get_batch_definition("whole")
        if "whole" in definitions
        else asset.add_batch_definition_whole_dataframe("whole")
    )
    batch = whole.get_batch(batch_parameters={"dataframe": frame})
    rows = []
    for kind, kwargs in suite.expectations:
        result = batch.validate(getattr(gx.expectations, kind)(**kwargs))
        details = result.result or {}
        rows.append(
            {
                "expectation": f"{kind}({', '.join(f'{k}={v}' for k, v in kwargs.items())})",
                "success": bool(result.success),
                "unexpected_count": int(details.get("unexpected_count") or 0),
                "sample": str(details.get("partial_unexpected_list", [])[:5]),
            }
        )
    return pl.DataFrame(
        rows,
        schema={"expectation": pl.String, "success": pl.Boolean, "unexpected_count": pl.Int64, "sample": pl.String},
    )
