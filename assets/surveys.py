"""Surveys and PAPI, from staged respondents and tables to their public tables: satisfied shares with
intervals, PAPI ranks and tiers, and the sample plan (rules: models/surveys, models/papi)."""

from __future__ import annotations

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.marts import mart_asset
from assets.metadata import materialized
from assets.storage import key, read_table, write_table
from models.ingest.documents import Documents
from models.papi.scores import papi_index
from models.surveys.marts import SURVEY_MARTS
from models.surveys.rules import SurveyConfig, load_survey_config, sample_plan, survey_index
from models.surveys.uncertainty import rank_uncertainty


def _config(conn) -> SurveyConfig:
    return load_survey_config(Documents.from_frame(read_table(conn, "staging.rule_files")))


@dg.asset(
    key=key("core.survey_index"),
    group_name="core",
    kinds={"duckdb"},
    deps=[key(t) for t in ("staging.rule_files", "staging.survey_respondents", "staging.survey_answers")]
    + [key("staging.survey_questions")],
)
def survey_scores(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Satisfied share, 95% interval, respondents and flag per component and overall, per unit, group, province."""
    with warehouse.get_connection() as conn:
        frame = survey_index(
            read_table(conn, "staging.survey_respondents"),
            read_table(conn, "staging.survey_answers"),
            read_table(conn, "staging.survey_questions"),
            _config(conn),
        )
        write_table(conn, "core.survey_index", frame)
        return materialized(conn, "core.survey_index", flagged=frame.filter(pl.col("flag").is_not_null()).height)


@dg.asset(
    key=key("core.papi_index"),
    group_name="core",
    kinds={"duckdb"},
    deps=[key(t) for t in ("staging.papi_scores", "staging.papi_dimensions", "staging.papi_published")]
    + [key("staging.rule_files")],
)
def papi_scores(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """PAPI dimensions and totals per province and year, with rank, tier, change and distance to the top N,
    and PAPI's own rank and 95% interval where the tables publish them."""
    with warehouse.get_connection() as conn:
        config = _config(conn)
        frame = papi_index(
            read_table(conn, "staging.papi_scores"),
            read_table(conn, "staging.papi_dimensions"),
            config.papi.top_n if config.papi else 30,
            read_table(conn, "staging.papi_published"),
            config.papi.attribution if config.papi else None,
        )
        write_table(conn, "core.papi_index", frame)
        return materialized(conn, "core.papi_index")


@dg.asset(
    key=key("core.survey_sample_plan"),
    group_name="core",
    kinds={"duckdb"},
    deps=[key("staging.survey_dossiers"), key("staging.survey_respondents"), key("staging.rule_files")],
)
def survey_sample_planning(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Respondents needed per unit (n = N/(1+N·e²)) and where this year's sample fell short."""
    with warehouse.get_connection() as conn:
        frame = sample_plan(
            read_table(conn, "staging.survey_dossiers"), read_table(conn, "staging.survey_respondents"), _config(conn)
        )
        write_table(conn, "core.survey_sample_plan", frame)
        return materialized(conn, "core.survey_sample_plan", short=int(frame["sample_short"].fill_null(False).sum()))


@dg.asset(
    key=key("core.rank_uncertainty"),
    group_name="core",
    kinds={"duckdb"},
    deps=[key(t) for t in ("core.unit_scores", "core.leaf_scores", "staging.survey_leaf_shares")]
    + [key("staging.ruleset_bands"), key("core.papi_index")],
)
def unit_rank_uncertainty(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Index interval, rank range and band stability where survey leaves come from respondents (their 95%
    intervals), and for PAPI where a table publishes the intervals (models/surveys/uncertainty.py)."""
    with warehouse.get_connection() as conn:
        frame = rank_uncertainty(
            read_table(conn, "core.unit_scores"),
            read_table(conn, "core.leaf_scores"),
            read_table(conn, "staging.survey_leaf_shares"),
            read_table(conn, "staging.ruleset_bands"),
            read_table(conn, "core.papi_index"),
        )
        write_table(conn, "core.rank_uncertainty", frame)
        return materialized(
            conn,
            "core.rank_uncertainty",
            rank_not_certain=frame.filter(pl.col("rank_best") != pl.col("rank_worst")).height,
            band_not_stable=int((~frame["band_stable"]).sum()),
        )


survey_marts = [mart_asset(table, sql) for table, sql in SURVEY_MARTS.items()]
