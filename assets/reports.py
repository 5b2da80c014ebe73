"""Reports: the leadership dashboard pack, offline HTML pages in Vietnamese (reports/dashboard.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import dagster as dg
import duckdb
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.resources import ChisoPaths
from assets.storage import key, mark_written, read_table, table_exists
from models.ingest.documents import Documents
from models.surveys.rules import load_survey_config
from reports.dashboard import PACK_DIR, InputsInfo, PackData, build_pack, legacy_redirect, write_pack

# The tables the pages read: the marts (docs/marts.md), the rulesets, plans and the quality record.
DASHBOARD_READS = (
    "marts.par_index",
    "marts.par_component_index",
    "marts.score_lineage",
    "marts.band_gap",
    "marts.agency_appraisal",
    "marts.par_index_history",
    "marts.plan_tracking",
    "marts.sipas_index",
    "marts.papi_index",
    "marts.survey_sample_plan",
    "marts.missing_submissions",
    "marts.rank_uncertainty",
    "marts.unit_trend",
    "staging.quarantine",
    "staging.rulesets",
    "staging.ruleset_bands",
    "staging.rule_files",
)
LINEAGE_COLUMNS = (
    "year, unit_id, leaf_code, method, applicable, self_score, appraised_score, appeal_score, "
    "final_score, final_source, max_points"
)


def inputs_info(conn: duckdb.DuckDBPyConnection) -> InputsInfo:
    """Files read this run per source (the raw `<source>_files` tables), one SHA-256 over all of them
    (path and content hash, sorted), and the date their newest version was first recorded.

    `SOURCE_DATE_EPOCH` (reproducible builds) overrides that date, so a build can be pinned to one."""
    tables = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' AND table_name LIKE '%\\_files' "
        "ESCAPE '\\' ORDER BY table_name"
    ).fetchall()
    files: dict[str, int] = {}
    pairs: set[tuple[str, str]] = set()
    for (name,) in tables:
        cols = {
            c
            for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?",
                [name],
            ).fetchall()
        }
        if not {"source_file", "file_sha256"} <= cols:
            continue
        rows = conn.execute(f"SELECT DISTINCT source_file, file_sha256 FROM raw.{name}").fetchall()
        found = {(str(f), str(h)) for f, h in rows if f is not None}
        if found:
            files[name.removesuffix("_files")] = len({f for f, _ in found})
            pairs |= found
    fingerprint = (
        hashlib.sha256("".join(f"{f}\t{h}\n" for f, h in sorted(pairs)).encode()).hexdigest() if pairs else None
    )
    recorded = None
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        recorded = dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), dt.UTC).date().isoformat()
    elif pairs and table_exists(conn, "raw.file_versions"):
        conn.register("_pack_files", pl.DataFrame(sorted(pairs), schema=["source_file", "file_sha256"], orient="row"))
        try:
            day = conn.execute(
                "SELECT max(v.first_seen_at)::DATE FROM raw.file_versions v "
                "JOIN _pack_files f USING (source_file, file_sha256)"
            ).fetchone()[0]
        finally:
            conn.unregister("_pack_files")
        recorded = str(day) if day is not None else None
    return InputsInfo(files=files, fingerprint=fingerprint, recorded_on=recorded)


def load_pack_data(conn: duckdb.DuckDBPyConnection) -> PackData:
    """The tables the pack is built from (the marts of docs/marts.md, rulesets, plans, the quality record).

    The quality record is the working copy's current one: each check's last result, each source's row
    balance summed over the years it was staged in. The publish gate (assets/publish.py) lets no page
    out whose checks ran before the tables they check were last written."""
    balance = read_table(conn, "quality.row_balance")
    counts = [c for c in balance.columns if c.startswith(("rows_", "files_"))]
    balance = balance.group_by("source").agg(pl.col(counts).sum())

    return PackData(
        par_index=read_table(conn, "marts.par_index"),
        components=read_table(conn, "marts.par_component_index"),
        band_gap=read_table(conn, "marts.band_gap"),
        agency=read_table(conn, "marts.agency_appraisal"),
        history=read_table(conn, "marts.par_index_history"),
        lineage=conn.sql(f"SELECT {LINEAGE_COLUMNS} FROM marts.score_lineage").pl(),
        plan=read_table(conn, "marts.plan_tracking"),
        sipas=read_table(conn, "marts.sipas_index"),
        papi=read_table(conn, "marts.papi_index"),
        rulesets=read_table(conn, "staging.rulesets"),
        bands=read_table(conn, "staging.ruleset_bands"),
        plans=read_table(conn, "staging.plans"),
        quarantine=read_table(conn, "staging.quarantine"),
        balance=balance,
        checks=read_table(conn, "quality.check_results").drop("run_id", "seq", strict=False),
        missing=read_table(conn, "marts.missing_submissions")
        if table_exists(conn, "marts.missing_submissions")
        else None,
        uncertainty=read_table(conn, "marts.rank_uncertainty")
        if table_exists(conn, "marts.rank_uncertainty")
        else None,
        inputs=inputs_info(conn),
        # The province surveys.yaml sets against the national PAPI field (the plan's own province).
        papi_province=_papi_province(conn),
        trend=read_table(conn, "marts.unit_trend") if table_exists(conn, "marts.unit_trend") else None,
    )


def _papi_province(conn: duckdb.DuckDBPyConnection) -> str | None:
    if not table_exists(conn, "staging.rule_files"):
        return None
    papi = load_survey_config(Documents.from_frame(read_table(conn, "staging.rule_files"))).papi
    return papi.province if papi is not None else None


@dg.asset(group_name="reports", kinds={"html", "plotly"}, deps=[key(t) for t in DASHBOARD_READS])
def dashboard(context, paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """data/curated/dashboard/: the leadership pages per province, year and unit group, a page per unit,
    the data-quality page and the index; plotly.js once for all. Written to the working copy;
    `published_warehouse` publishes it only in a run that rebuilt and checked everything (materialising
    the dashboard alone publishes nothing)."""
    with warehouse.get_connection() as conn:
        files = build_pack(load_pack_data(conn))
        index = write_pack(paths.working_dir / PACK_DIR, files)  # published with the warehouse
        (paths.working_dir / "dashboard.html").write_text(legacy_redirect(), encoding="utf-8")
        mark_written(conn, "dashboard")
    return dg.MaterializeResult(
        metadata={
            "working_path": dg.MetadataValue.path(str(index)),
            "published_path": dg.MetadataValue.path(str(paths.curated / PACK_DIR / index.name)),
            "pages": sum(1 for p in files if p.endswith(".html")),
            "bytes": sum(len(t.encode("utf-8")) for t in files.values()),
        }
    )
