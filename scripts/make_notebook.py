"""Writes notebooks/explore_par_index.ipynb (kept as code so its cells are reviewed like code)."""

from pathlib import Path

import nbformat as nbf

CELLS = [
    (
        "md",
        "# Chỉ số CCHC: khám phá kho dữ liệu\n\n"
        "Starting point for analysts. Reads the public tables `marts.*` (docs/marts.md) from the "
        "warehouse that `make run` builds. **The bundled data is synthetic** (Tỉnh Mẫu, dữ liệu tổng hợp).",
    ),
    (
        "code",
        "import os\nfrom pathlib import Path\n\nimport duckdb\nimport polars as pl\n\n"
        "WAREHOUSE = Path(os.environ.get('CHISO_WAREHOUSE', '../data/curated/warehouse.duckdb'))\n"
        "con = duckdb.connect(str(WAREHOUSE), read_only=True)\n"
        "par = con.sql('SELECT * FROM marts.par_index').pl()\n"
        "print(par['province'].unique().to_list(), sorted(par['year'].unique().to_list()))",
    ),
    ("md", "## Ranking of the latest year, per group"),
    (
        "code",
        "latest = par['year'].max()\n"
        "(par.filter(pl.col('year') == latest)\n"
        "   .select('unit_group', 'rank', 'unit_name', pl.col('index_pct').round(2), 'band', 'band_reason')\n"
        "   .sort('unit_group', 'rank'))",
    ),
    ("md", "## Bands per year and group"),
    (
        "code",
        "par.pivot(on='band', index=['year', 'unit_group'], values='unit_id', aggregate_function='len')"
        ".sort('year', 'unit_group')",
    ),
    ("md", "## One unit, leaf by leaf: self → appraised → appeal → final"),
    (
        "code",
        "unit = par.filter(pl.col('year') == latest).sort('index_pct')['unit_id'][0]\n"
        'con.sql(f"""SELECT leaf_code, max_points, self_score, appraised_score, appeal_score, final_score,\n'
        "       final_source, appraisal_reason FROM marts.score_lineage\n"
        "WHERE year = {latest} AND unit_id = '{unit}' AND final_source <> 'self' ORDER BY leaf_code\"\"\").pl()",
    ),
    ("md", "## Year-over-year change of the index"),
    (
        "code",
        "yoy = (par.sort('year').with_columns((pl.col('index_pct') - pl.col('index_pct').shift(1).over('unit_id'))"
        ".alias('change')).filter(pl.col('year') == latest))\n"
        "yoy.select('unit_group', 'unit_name', pl.col('index_pct').round(2), pl.col('change').round(2))"
        ".sort('change', descending=True).head(10)",
    ),
    ("md", "## Fewest points to the next band (marts.band_gap)"),
    ("code", 'con.sql(f"SELECT * FROM marts.band_gap WHERE year = {latest} LIMIT 10").pl()'),
    ("md", "## Citizen satisfaction (SIPAS) with 95% intervals, and PAPI against the national field"),
    ("code", "con.sql('SELECT * FROM marts.sipas_index ORDER BY year DESC, unit_id, component LIMIT 12').pl()"),
    (
        "code",
        "con.sql(\"SELECT * FROM marts.papi_index WHERE dimension = 'total' ORDER BY year DESC, rank LIMIT 10\").pl()",
    ),
    (
        "md",
        "## Across the July 2025 reorganisation (63 → 34 provinces, no district level: Nghị quyết 202/2025/QH15)\n\n"
        "A merged, split, renamed or moved unit has a new id; `marts.unit_lineage` links it to its predecessors, "
        "and `marts.unit_trend` puts each predecessor's series beside the unit's own, labelled, never averaged "
        "(a `composite` row only where `unit_weights.csv` gives weights, and it says so).",
    ),
    (
        "code",
        "con.sql('SELECT unit_id, predecessor_id, relation, effective_date, decision_no FROM marts.unit_lineage').pl()",
    ),
    (
        "code",
        'con.sql("SELECT unit_id, year, role, series_unit_id, round(index_pct, 2) AS index_pct, members "\n'
        "        \"FROM marts.unit_trend WHERE role <> 'own' OR unit_id IN \"\n"
        "        \"(SELECT unit_id FROM marts.unit_trend WHERE role <> 'own') ORDER BY unit_id, year, role\").pl()",
    ),
    ("md", "PAPI for a province of the 34 (here the new Cần Thơ), with its three predecessor provinces' series:"),
    (
        "code",
        "(con.sql(\"SELECT year, series_unit_name, score FROM marts.papi_trend WHERE unit_id = '92@2025'\").pl()\n"
        " .pivot(on='series_unit_name', index='year', values='score').sort('year'))",
    ),
    ("md", "## Improvement-plan targets not met, the biggest falls first"),
    (
        "code",
        'con.sql("SELECT period, target_code, metric, actual, target, status, delta, lead_agency "\n'
        "        \"FROM marts.plan_tracking WHERE status = 'not_met' \"\n"
        '        "ORDER BY period DESC, delta NULLS LAST LIMIT 15").pl()',
    ),
]


def main() -> None:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src) for kind, src in CELLS]
    out = Path(__file__).resolve().parent.parent / "notebooks" / "explore_par_index.ipynb"
    nbf.write(nb, out)
    print(out)


if __name__ == "__main__":
    main()
