"""Survey assets: SIPAS and civil-servant respondents, PAPI tables and sample planning.

raw (files as read) → staging (typed, checked, quarantined; per-leaf shares that
`stg_survey_results` combines with survey_results.csv) → core (shares with intervals, PAPI
ranks, sample plan) → marts (docs/marts.md "Surveys"). The rules live in models/surveys/rules.py
and models/papi/scores.py; the files and their rules in data/raw/surveys/ (docs/inputs.md "Surveys").
"""

from __future__ import annotations

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.checks import declared_check
from assets.marts import mart_asset
from assets.raw import store_raw
from assets.resources import ChisoPaths
from assets.staging import raw_rows, scope_from, store_staged
from assets.storage import read_table, replace_rows, write_table
from models.ingest.tables import read_table_files
from models.papi.scores import (
    DIMENSION_SCHEMA,
    PROVINCE_HEADERS,
    load_papi_dimensions,
    load_papi_provinces,
    papi_index,
    stage_papi,
)
from models.par.staging import QUARANTINE_SCHEMA
from models.surveys.marts import SURVEY_MARTS, SURVEY_RULES
from models.surveys.rules import (
    KEY_HEADERS,
    RESPONDENT_FIELDS,
    leaf_shares,
    load_questionnaires,
    load_survey_config,
    sample_plan,
    stage_dossiers,
    stage_respondents,
    survey_index,
)
from models.surveys.uncertainty import rank_uncertainty

DOSSIER_KEYS = set(RESPONDENT_FIELDS["unit_id"]) | set(RESPONDENT_FIELDS["unit_name"])


# ------------------------------------------------------------------------------------------- raw


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_survey_respondents(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Respondent exports of every survey in surveys/surveys.yaml (.csv, .xlsx), one row per respondent."""
    config = load_survey_config(paths.raw)
    results = []
    for spec in config.surveys:
        for result in read_table_files(config.root, spec.files, KEY_HEADERS, base=paths.raw):
            for row in result.rows:
                row["survey_id"] = spec.survey_id
            results.append(result)
    return store_raw(warehouse, "survey_respondents", results)


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_survey_dossiers(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Dossiers per unit and year (the N of the sample-size formula), from each survey's `planning`."""
    config = load_survey_config(paths.raw)
    patterns = sorted({s.dossiers for s in config.surveys if s.dossiers})
    results = [r for p in patterns for r in read_table_files(config.root, p, DOSSIER_KEYS, base=paths.raw)]
    return store_raw(warehouse, "survey_dossiers", results)


@dg.asset(group_name="raw", kinds={"duckdb"})
def raw_papi(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Provincial PAPI tables as UNDP publishes them: one row per province, one column per sub-dimension."""
    config = load_survey_config(paths.raw)
    results = (
        []
        if config.papi is None
        else read_table_files(config.root, config.papi.files, set(PROVINCE_HEADERS), base=paths.raw)
    )
    return store_raw(warehouse, "papi", results)


# --------------------------------------------------------------------------------------- staging


def _balance(conn, source: str, rows_in: int, staged: int, rejected: int, file_problems: list) -> None:
    """quality.row_balance, as `store_staged` writes it: rows in = staged + rejected (cells do not reject a row)."""
    row = {
        "source": [source],
        "rows_in": [rows_in],
        "rows_staged": [staged],
        "rows_quarantined": [rejected],
        "rows_set_aside": [0],
        "files_unreadable": [len(file_problems)],
    }
    replace_rows(conn, "quality.row_balance", "source", source, pl.DataFrame(row))


def _quarantine(*parts: list[dict] | pl.DataFrame) -> pl.DataFrame:
    frames = [
        p if isinstance(p, pl.DataFrame) else pl.DataFrame(p, schema=QUARANTINE_SCHEMA, orient="row") for p in parts
    ]
    return pl.concat(frames, how="vertical").sort(["source_file", "row_number", "column_name"], nulls_last=True)


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_survey_respondents", "stg_units", "frameworks"])
def stg_survey_respondents(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Respondents and their answers, checked; the satisfied share of each survey leaf they feed.

    A questionnaire or surveys.yaml that cannot be read stops here, like a framework: survey
    points cannot be given without the rules that map answers to leaves.
    """
    config = load_survey_config(paths.raw)
    questions = load_questionnaires(config)
    with warehouse.get_connection() as conn:
        rows, file_problems = raw_rows(conn, "survey_respondents")
        scope = scope_from(conn, paths)
        stage = stage_respondents(rows, config, questions, scope)
        shares, leaf_records = leaf_shares(stage.respondents, stage.answers, questions, scope, config)
        quarantine = _quarantine(stage.quarantine, leaf_records, file_problems)
        write_table(conn, "staging.survey_questions", questions)
        write_table(conn, "staging.survey_respondents", stage.respondents)
        write_table(conn, "staging.survey_answers", stage.answers)
        write_table(conn, "staging.survey_leaf_shares", shares)
        write_table(conn, "staging.survey_respondents_quarantine", quarantine)
        _balance(
            conn, "survey_respondents", stage.rows_in, stage.respondents.height, stage.rows_rejected, file_problems
        )
    by_status = dict(stage.answers.group_by("status").len().iter_rows())
    return dg.MaterializeResult(
        metadata={
            "surveys": [s.survey_id for s in config.surveys],
            "rows_in": stage.rows_in,
            "respondents": stage.respondents.height,
            "rows_rejected": stage.rows_rejected,
            "answers": stage.answers.height,
            **{f"answers:{k}": int(v) for k, v in sorted(by_status.items())},
            "leaf_shares": shares.height,
            "quarantine_records": quarantine.height,
            "files_unreadable": len(file_problems),
            "balanced": stage.balanced,
        }
    )


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_survey_dossiers", "stg_units", "frameworks"])
def stg_survey_dossiers(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Dossiers per unit and year, checked (whole non-negative numbers, known units, one per unit-year)."""
    with warehouse.get_connection() as conn:
        rows, problems = raw_rows(conn, "survey_dossiers")
        return store_staged(conn, "survey_dossiers", stage_dossiers(rows, scope_from(conn, paths)), problems)


@dg.asset(group_name="staging", kinds={"duckdb"}, deps=["raw_papi", "stg_units"])
def stg_papi(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """PAPI scores per province, year and sub-dimension (blank stays missing), with the dimension mapping;
    published intervals and ranks of the totals where a table carries them."""
    config = load_survey_config(paths.raw)
    dimensions = load_papi_dimensions(config.papi.dimensions) if config.papi else pl.DataFrame(schema=DIMENSION_SCHEMA)
    with warehouse.get_connection() as conn:
        rows, file_problems = raw_rows(conn, "papi")
        provinces = pl.concat(
            [
                read_table(conn, "staging.provinces").select("province_code", "province_name"),
                load_papi_provinces(config.papi.provinces if config.papi else None),
            ],
            how="vertical",
        )
        stage = stage_papi(rows if config.papi else [], dimensions, provinces)
        quarantine = _quarantine(stage.quarantine, file_problems)
        write_table(conn, "staging.papi_dimensions", dimensions)
        write_table(conn, "staging.papi_scores", stage.rows)
        write_table(conn, "staging.papi_published", stage.published)
        write_table(conn, "staging.papi_quarantine", quarantine)
        _balance(conn, "papi", stage.rows_in, stage.rows_staged, stage.rows_rejected, file_problems)
    return dg.MaterializeResult(
        metadata={
            "rows_in": stage.rows_in,
            "province_years": stage.rows_staged,
            "rows_rejected": stage.rows_rejected,
            "scores": stage.rows.height,
            "blank_scores": int(stage.rows["score"].is_null().sum()),
            "published_intervals": int(stage.published["ci_low"].is_not_null().sum()),
            "missing_subdimensions": int((stage.quarantine["rule"] == "missing_subdimension").sum()),
            "quarantine_records": quarantine.height,
            "balanced": stage.balanced,
        }
    )


# ------------------------------------------------------------------------------------------ core


@dg.asset(group_name="core", kinds={"duckdb"}, deps=["stg_survey_respondents"])
def survey_scores(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Satisfied share, 95% interval, respondents and flag per component and overall, per unit, group, province."""
    config = load_survey_config(paths.raw)
    with warehouse.get_connection() as conn:
        frame = survey_index(
            read_table(conn, "staging.survey_respondents"),
            read_table(conn, "staging.survey_answers"),
            read_table(conn, "staging.survey_questions"),
            config,
        )
        write_table(conn, "core.survey_index", frame)
    flagged = frame.filter(pl.col("flag").is_not_null())
    return dg.MaterializeResult(
        metadata={
            "rows": frame.height,
            "flagged": flagged.height,
            "surveys": sorted(frame["survey_id"].unique().to_list()),
        }
    )


@dg.asset(group_name="core", kinds={"duckdb"}, deps=["stg_papi"])
def papi_scores(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """PAPI dimensions and totals per province and year, with rank, tier, change and distance to the top N."""
    config = load_survey_config(paths.raw)
    top_n = config.papi.top_n if config.papi else 30
    with warehouse.get_connection() as conn:
        frame = papi_index(
            read_table(conn, "staging.papi_scores"),
            read_table(conn, "staging.papi_dimensions"),
            top_n,
            read_table(conn, "staging.papi_published"),
            config.papi.attribution if config.papi else None,
        )
        write_table(conn, "core.papi_index", frame)
    return dg.MaterializeResult(metadata={"rows": frame.height, "years": sorted(frame["year"].unique().to_list())})


@dg.asset(group_name="core", kinds={"duckdb"}, deps=["stg_survey_dossiers", "stg_survey_respondents"])
def survey_sample_planning(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Respondents needed per unit (n = N/(1+N·e²)) and where this year's sample fell short."""
    config = load_survey_config(paths.raw)
    with warehouse.get_connection() as conn:
        frame = sample_plan(
            read_table(conn, "staging.survey_dossiers"), read_table(conn, "staging.survey_respondents"), config
        )
        write_table(conn, "core.survey_sample_plan", frame)
    return dg.MaterializeResult(
        metadata={"rows": frame.height, "short": int(frame["sample_short"].fill_null(False).sum())}
    )


@dg.asset(
    group_name="core",
    kinds={"duckdb"},
    deps=["par_scores", "stg_survey_respondents", "stg_survey_results", "papi_scores", "ruleset_tables"],
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
    uncertain = frame.filter(pl.col("rank_best") != pl.col("rank_worst"))
    return dg.MaterializeResult(
        metadata={
            "rows": frame.height,
            "rank_not_certain": uncertain.height,
            "band_not_stable": int((~frame["band_stable"]).sum()),
        }
    )


# ----------------------------------------------------------------------------------------- marts


survey_mart_assets = [mart_asset(table, sql, deps) for table, (sql, deps) in SURVEY_MARTS.items()]


def _rule(sql: str):
    def evaluate(conn) -> tuple[int, str]:
        bad = conn.sql(sql).pl()
        return bad.height, str(bad.head(10)) if bad.height else ""

    return evaluate


survey_checks = [
    declared_check(name, table.split(".")[1], dg.AssetCheckSeverity.ERROR, words, _rule(sql))
    for name, (table, sql, words) in SURVEY_RULES.items()
]
