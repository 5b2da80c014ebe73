"""Reports: the leadership dashboard, one offline HTML file in Vietnamese."""

from __future__ import annotations

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.resources import ChisoPaths
from assets.storage import key, read_table
from models.ingest.documents import Documents
from models.surveys.rules import load_survey_config
from reports.dashboard import build_dashboard, write_dashboard
from reports.lineage import lineage_section
from reports.quality import quality_section
from reports.surveys import survey_sections


@dg.asset(
    group_name="reports",
    kinds={"html", "plotly"},
    deps=[
        key(t)
        for t in (
            "marts.par_index",
            "marts.par_component_index",
            "marts.missing_submissions",
            "staging.quarantine",
            "staging.ruleset_bands",
            "staging.rule_files",
            "marts.sipas_index",
            "marts.papi_index",
            "marts.survey_sample_plan",
            "marts.unit_trend",
        )
    ],
)
def dashboard(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """data/curated/dashboard.html: rankings by band, component heatmap, year-over-year change, SIPAS and
    PAPI, data quality."""
    with warehouse.get_connection() as conn:
        par_index = read_table(conn, "marts.par_index")
        components = read_table(conn, "marts.par_component_index")
        bands = read_table(conn, "staging.ruleset_bands")
        survey_marts = [read_table(conn, f"marts.{t}") for t in ("sipas_index", "papi_index", "survey_sample_plan")]
        quality = quality_section(
            read_table(conn, "staging.quarantine"),
            read_table(conn, "quality.row_balance"),
            read_table(conn, "quality.check_results"),
            read_table(conn, "marts.missing_submissions"),
        )
        lineage = lineage_section(read_table(conn, "marts.unit_trend"))
        papi = load_survey_config(Documents.from_frame(read_table(conn, "staging.rule_files"))).papi
    years = sorted(par_index["year"].unique().to_list())
    provinces = sorted(par_index["province"].unique().to_list())
    # PAPI is published for real provinces: the one surveys.yaml names is set against the national field too.
    if papi is not None and papi.province and papi.province not in provinces:
        provinces.append(papi.province)
    html = build_dashboard(
        par_index,
        components,
        synthetic=bool(par_index["synthetic"].any()),
        extra_sections=[
            *((s.anchor, s.nav_label, s.html) for p in provinces for s in survey_sections(*survey_marts, province=p)),
            *([lineage] if lineage else []),
            quality,
        ],
        band_order=_band_orders(par_index, bands),
        # From the data, not the clock, so the same inputs give the same file.
        generated_at=f"Nguồn: kho chiso, số liệu các năm {years[0]}–{years[-1]}" if years else "Chưa có số liệu",
    )
    path = write_dashboard(paths.working_dir / "dashboard.html", html)  # published with the warehouse
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})


def _band_orders(par_index: pl.DataFrame, bands: pl.DataFrame) -> dict[str, list[str]]:
    """Each province's bands, best first, from the ruleset of its latest year (1708/QĐ-UBND Art. 5.5;
    QĐ Quảng Ninh 2022 §III.3; 1820/QĐ-UBND Art. 6.3 each name their own bands)."""
    latest = par_index.sort("year").group_by("province", maintain_order=True).last()
    return {
        province: bands.filter(pl.col("ruleset_id") == ruleset_id).sort("position")["band"].to_list()
        for province, ruleset_id in latest.select("province", "ruleset_id").iter_rows()
    }
