"""pandera schemas for the typed Polars frames of the raw and staging layers.

Raw tables are text as read, so their schemas only require the columns the contract names
(docs/inputs.md) and the provenance of every row. Staging tables are typed, so their schemas
carry the rules that staging promised to enforce: a failure here is a bug in staging, not in
an officer's file, and it blocks everything downstream.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


class _RawRows(pa.DataFrameModel):
    """Every raw row says where it came from."""

    source_file: str = pa.Field(nullable=False)
    row_number: pl.Int64 = pa.Field(nullable=False, ge=1)
    file_sha256: str = pa.Field(nullable=False, str_length={"min_value": 64, "max_value": 64})

    class Config:
        strict = False


class RawUnits(_RawRows):
    unit_id: str = pa.Field(nullable=True)
    unit_name: str = pa.Field(nullable=True)
    unit_group: str = pa.Field(nullable=True)


class RawSubmissions(_RawRows):
    unit_id: str = pa.Field(nullable=True)
    criterion_code: str = pa.Field(nullable=True)
    self_score: str = pa.Field(nullable=True)


class RawAppraisals(_RawRows):
    unit_id: str = pa.Field(nullable=True)
    criterion_code: str = pa.Field(nullable=True)
    round: str = pa.Field(nullable=True)
    score: str = pa.Field(nullable=True)


class RawSurveyResults(_RawRows):
    unit_id: str = pa.Field(nullable=True)
    criterion_code: str = pa.Field(nullable=True)
    satisfied_pct: str = pa.Field(nullable=True)


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
    # No row for shares computed from respondents (survey_source = respondents, models/surveys.py).
    source_row: pl.Int64 = pa.Field(nullable=True, ge=1)

    class Config:
        unique = ["year", "unit_id", "leaf_code"]


RAW = {
    "raw_units": ("raw.units", RawUnits),
    "raw_submissions": ("raw.submissions", RawSubmissions),
    "raw_appraisals": ("raw.appraisals", RawAppraisals),
    "raw_survey_results": ("raw.survey_results", RawSurveyResults),
}
STAGING = {
    "stg_units": ("staging.units", StagedUnits),
    "stg_submissions": ("staging.submissions", StagedSubmissions),
    "stg_appraisals": ("staging.appraisals", StagedAppraisals),
    "stg_survey_results": ("staging.survey_results", StagedSurveyResults),
}


def failures(model: type[pa.DataFrameModel], frame: pl.DataFrame) -> pl.DataFrame:
    """The failure cases of a frame against a schema (empty when it passes)."""
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
