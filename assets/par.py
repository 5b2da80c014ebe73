"""The PAR Index, from staged inputs to its public tables: every unit's index for every year (core),
the contract marts (docs/marts.md), evidence penalty candidates and units missing a submission."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.marts import mart_asset
from assets.metadata import materialized, spec_metadata
from assets.partitions import EVALUATION_YEARS, run_years, year_folders
from assets.resources import ChisoPaths
from assets.storage import key, read_table, write_table, write_years
from models.ingest.documents import Documents
from models.par.agency import agency_appraisal
from models.par.band_gap import band_gap
from models.par.bonus_penalty import fact_scores
from models.par.coverage import missing_submissions
from models.par.evidence import evidence_flags as find_flags
from models.par.frameworks import load_rulesets
from models.par.history import result_history
from models.par.index import compute, scoring_scope
from models.par.marts import MARTS

CORE_TABLES = (
    "core.leaf_scores",
    "core.component_index",
    "core.unit_scores",
    "core.unit_score_history",
    "core.band_gap",
    "core.agency_appraisal",
)
SCORING_INPUTS = (
    "staging.rule_files",
    "staging.criteria",
    "staging.units",
    "staging.submissions",
    "staging.appraisals",
    "staging.survey_results",
    "staging.surveyed_units",
    "staging.reclassifications",
    "staging.bonus_penalty_facts",
)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key(t), group_name="core", kinds={"duckdb"}, deps=[key(i) for i in SCORING_INPUTS])
        for t in CORE_TABLES
    ],
    partitions_def=EVALUATION_YEARS,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def par_scores(context, paths: ChisoPaths, warehouse: DuckDBResource) -> Iterator[dg.MaterializeResult]:
    """Every unit's index for the run's evaluation years, each year with the framework in force that
    year; the other years' rows stay as they are (every rule works within a year, 1708/QĐ-UBND Art. 5.5)."""
    years, current = run_years(context), year_folders(paths.raw)
    rows = dict.fromkeys(CORE_TABLES, 0)
    with warehouse.get_connection() as conn:
        rulesets = load_rulesets(Documents.from_frame(read_table(conn, "staging.rule_files")))
        units = read_table(conn, "staging.units")
        criteria = read_table(conn, "staging.criteria")
        # One year at a time: memory holds one year's lineage, however many years a backfill asks for.
        for year in years:

            def of_year(table: str, year: str = year) -> pl.DataFrame:
                return conn.sql(f"SELECT * FROM {table} WHERE year = ?", params=[int(year)]).pl()

            submissions = of_year("staging.submissions")
            inputs = {
                "scope": scoring_scope(submissions, units),
                "criteria": criteria,
                "submissions": submissions,
                "appraisals": of_year("staging.appraisals"),
                "survey": of_year("staging.survey_results"),
                "rulesets": rulesets,
                "surveyed": of_year("staging.surveyed_units"),
                "reclassifications": of_year("staging.reclassifications"),
                # Bonus and penalty leaves computed from facts (1820/QĐ-UBND Art. 4; models/par/bonus_penalty.py).
                "facts": fact_scores(of_year("staging.bonus_penalty_facts"), criteria),
            }
            result = compute(**inputs)
            tables = {
                "core.leaf_scores": result.lineage,
                "core.component_index": result.components,
                "core.unit_scores": result.units,
                "core.unit_score_history": result_history(**inputs, current=result.units),
                "core.band_gap": band_gap(result.units, result.lineage, result.components, rulesets),
                "core.agency_appraisal": agency_appraisal(result.lineage, units, rulesets),
            }
            for table, frame in tables.items():
                write_years(conn, table, frame, "year", [year], current)
                rows[table] += frame.height
        for table in CORE_TABLES:
            yield materialized(conn, table, rows[table], years=", ".join(years))


@dg.asset(
    key=key("marts.missing_submissions"),
    group_name="marts",
    kinds={"duckdb"},
    metadata=spec_metadata("marts.missing_submissions"),
    deps=[key(t) for t in ("staging.rule_files", "staging.criteria", "staging.units", "staging.provinces")]
    + [key("staging.submissions"), key("raw.submissions")],
)
def missing_submissions_mart(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Registered units with no usable self-assessment in a year their province was evaluated."""
    with warehouse.get_connection() as conn:
        frame = missing_submissions(
            read_table(conn, "staging.units"),
            read_table(conn, "staging.provinces"),
            load_rulesets(Documents.from_frame(read_table(conn, "staging.rule_files"))),
            read_table(conn, "staging.criteria"),
            read_table(conn, "staging.submissions"),
            read_table(conn, "raw.submissions"),
        )
        write_table(conn, "marts.missing_submissions", frame)
        return materialized(conn, "marts.missing_submissions")


@dg.asset(
    key=key("marts.evidence_flags"),
    group_name="marts",
    kinds={"duckdb"},
    metadata=spec_metadata("marts.evidence_flags"),
    deps=[key("staging.submissions"), key("staging.evidence")],
)
def evidence_flags(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Inserted numbers (11a), reused numbers, system date ≠ document date (1820/QĐ-UBND Art. 4.2.c):
    candidates for the council, not automatic penalties."""
    with warehouse.get_connection() as conn:
        flags = find_flags(read_table(conn, "staging.submissions"), read_table(conn, "staging.evidence"))
        write_table(conn, "marts.evidence_flags", flags)
        return materialized(conn, "marts.evidence_flags")


par_marts = [mart_asset(table, sql) for table, sql in MARTS.items()]
