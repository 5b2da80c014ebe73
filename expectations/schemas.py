"""pandera schemas for the typed Polars frames of the raw and staging layers.

Raw tables are text as read, so their schemas only require the columns the contract names
(docs/inputs.md) and the provenance of every row. Staging tables are typed, so their schemas
carry the rules that staging promised to enforce: a failure here is a bug in staging, not in
an officer's file, and it blocks everything downstream.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


def raw_schema(required: tuple[str, ...]) -> pa.DataFrameSchema:
    """A raw table: every row says where it came from, and the contract's columns are there."""
    return pa.DataFrameSchema(
        {
            "source_file": pa.Column(str, nullable=False),
            "row_number": pa.Column(pl.Int64, pa.Check.ge(1), nullable=False),
            "file_sha256": pa.Column(str, pa.Check.str_length(64, 64), nullable=False),
            **{c: pa.Column(str, nullable=True) for c in required},
        },
        strict=False,
    )


class StagedUnits(pa.DataFrameModel):
    unit_id: str = pa.Field(nullable=False, unique=True)
    unit_name: str = pa.Field(nullable=False)
    unit_group: str = pa.Field(nullable=False)
    province_code: str = pa.Field(nullable=False)


class _StagedLeafRows(pa.DataFrameModel):
    year: pl.Int32 = pa.Field(ge=2000, le=2100)
    unit_id: str = pa.Field(nullable=False)
    ruleset_id: str = pa.Field(nullable=False)
    leaf_code: str = pa.Field(nullable=False, str_matches=r"^\d+(\.\d+)*$")
    source_file: str = pa.Field(nullable=False)
    source_row: pl.Int64 = pa.Field(nullable=False, ge=1)

    class Config:
        strict = False


class StagedSubmissions(_StagedLeafRows):
    self_score: pl.Float64 = pa.Field(nullable=True, ge=0)
    not_applicable: pl.Boolean = pa.Field(nullable=False)

    class Config:
        unique = ["year", "unit_id", "leaf_code"]  # one self-assessment per leaf (duplicates superseded)


class StagedAppraisals(_StagedLeafRows):
    round: str = pa.Field(isin=["appraisal", "appeal"])
    score: pl.Float64 = pa.Field(nullable=False, ge=0)


class StagedSurveyResults(_StagedLeafRows):
    satisfied_pct: pl.Float64 = pa.Field(nullable=False, ge=0, le=100)
    # No row for shares computed from respondents (survey_source = respondents, models/surveys/rules.py).
    source_row: pl.Int64 = pa.Field(nullable=True, ge=1)

    class Config:
        unique = ["year", "unit_id", "leaf_code"]


class StagedCriteria(pa.DataFrameModel):
    ruleset_id: str = pa.Field(nullable=False)
    unit_group: str = pa.Field(nullable=False)
    code: str = pa.Field(nullable=False, str_matches=r"^\d+(\.\d+)*$")
    max_points: pl.Float64 = pa.Field(nullable=True, ge=0)
    method: str = pa.Field(nullable=True, isin=["appraised", "survey", "bonus", "penalty"])

    class Config:
        strict = False
        unique = ["ruleset_id", "unit_group", "code"]


class _Provenance(pa.DataFrameModel):
    """Staged rows that came from a file say which file and row."""

    source_file: str = pa.Field(nullable=False)

    class Config:
        strict = False


class StagedEvidence(_Provenance):
    year: pl.Int32 = pa.Field(ge=2000, le=2100)
    unit_id: str = pa.Field(nullable=False)
    document: str = pa.Field(nullable=False)


class StagedReclassifications(_Provenance):
    year: pl.Int32 = pa.Field(ge=2000, le=2100)
    unit_id: str = pa.Field(nullable=False)
    decision_no: str = pa.Field(nullable=True)


class StagedRespondents(_Provenance):
    survey_id: str = pa.Field(nullable=False)
    unit_id: str = pa.Field(nullable=False)
    respondent_id: str = pa.Field(nullable=False)
    weight: pl.Float64 = pa.Field(nullable=True, gt=0)


class StagedDossiers(_Provenance):
    unit_id: str = pa.Field(nullable=False)
    dossiers: pl.Int64 = pa.Field(nullable=False, ge=0)


class StagedPapi(_Provenance):
    province: str = pa.Field(nullable=False)
    dimension_code: str = pa.Field(nullable=False)
    score: pl.Float64 = pa.Field(nullable=True, ge=0, le=10)  # a blank cell stays missing, never 0


class StagedPlanTargets(_Provenance):
    target_code: str = pa.Field(nullable=False)
    comparator: str = pa.Field(nullable=False)


class StagedPlanStatistics(_Provenance):
    indicator_code: str = pa.Field(nullable=False)
    value: pl.Float64 = pa.Field(nullable=True)


class StagedRuleFiles(pa.DataFrameModel):
    source_file: str = pa.Field(nullable=False, unique=True)
    text: str = pa.Field(nullable=False)


# Staging tables a source writes besides its own, with their schemas.
EXTRA_TABLES = {"staging.criteria": StagedCriteria}


def failures(model: type[pa.DataFrameModel] | pa.DataFrameSchema, frame: pl.DataFrame) -> pl.DataFrame:
    """The failure cases of a frame against a schema (empty when it passes, or when there are no
    rows: an optional source with no files has nothing to check)."""
    if frame.height == 0:
        return pl.DataFrame(
            schema={"column": pl.String, "check": pl.String, "failure_case": pl.String, "index": pl.Int64}
        )
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases.select(
            pl.col("column").cast(pl.String),
            pl.col("check").cast(pl.String),
            pl.col("failure_case").cast(pl.String),
            pl.col("index").cast(pl.Int64),
        )
    return pl.DataFrame(schema={"column": pl.String, "check": pl.String, "failure_case": pl.String, "index": pl.Int64})
