"""Reports: the leadership dashboard, one offline HTML file in Vietnamese."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.resources import ChisoPaths
from pipelines.warehouse import read_table
from reports.dashboard import build_dashboard, write_dashboard
from reports.quality import quality_section


@dg.asset(group_name="reports", kinds={"html", "plotly"}, deps=["par_index", "par_component_index", "quarantine"])
def dashboard(paths: ChisoPaths, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """data/curated/dashboard.html: rankings by band, component heatmap, year-over-year change, data quality."""
    with warehouse.get_connection() as conn:
        par_index = read_table(conn, "marts.par_index")
        components = read_table(conn, "marts.par_component_index")
        quality = quality_section(
            read_table(conn, "staging.quarantine"),
            read_table(conn, "quality.row_balance"),
            read_table(conn, "quality.check_results"),
        )
    years = sorted(par_index["year"].unique().to_list())
    html = build_dashboard(
        par_index,
        components,
        synthetic=bool(par_index["synthetic"].any()),
        extra_sections=[quality],
        # From the data, not the clock, so the same inputs give the same file.
        generated_at=f"Nguồn: kho chiso, số liệu các năm {years[0]}–{years[-1]}" if years else "Chưa có số liệu",
    )
    path = write_dashboard(paths.curated / "dashboard.html", html)
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})
