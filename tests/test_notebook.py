"""The analyst notebooks run top to bottom on a freshly built warehouse, and say what the sample says.

Each notebook is executed with its parameters cell set for a documented case of the sample
(data/raw/README.md, data/raw/README_rulesets.md), then one appended cell prints what the test checks.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from scripts.make_notebook import NOTEBOOK_CELLS, notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PLOTLY = "application/vnd.plotly.v1+json"


def _run(name: str, parameters: str, check: str, warehouse: Path, tmp_path: Path, monkeypatch) -> tuple[dict, list]:
    monkeypatch.setenv("CHISO_WAREHOUSE", str(warehouse))
    for var in ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    params[0].source = parameters
    nb.cells.append(nbformat.v4.new_code_cell(f"import json\nprint('CHECK ' + json.dumps({check}, default=str))"))
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    line = next(o.text for o in outputs if o.output_type == "stream" and o.text.startswith("CHECK "))
    return json.loads(line.removeprefix("CHECK ")), outputs


def test_committed_notebooks_are_the_generated_ones_without_outputs() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NOTEBOOK_CELLS)
    for name, cells in NOTEBOOK_CELLS.items():
        committed = nbformat.read(NOTEBOOKS / name, as_version=4)
        assert committed == notebook(cells), f"run `.venv/bin/python -m scripts.make_notebook` ({name})"
        code = [c for c in committed.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), name
        headings = [c.source.splitlines()[0] for c in committed.cells if c.cell_type == "markdown"]
        assert headings[0].startswith("# ") and all(h.startswith("#") for h in headings), name
        assert all(not h.isascii() for h in headings), name  # Vietnamese, with its diacritics


@pytest.mark.notebook
def test_trends_notebook(sample_warehouse: Path, tmp_path: Path, monkeypatch) -> None:
    # data/raw/README.md: H07 (UBND huyện Minh Đức) 2022 total 89.732 after its appeal (Tốt), 2023 index 85.76
    # held back from Tốt to Khá: a change of about -3.97 points, and a band move Tốt → Khá.
    check, outputs = _run(
        "par_trends.ipynb",
        'PROVINCE = "MAU"\nGROUP = "district"\nYEAR = 2023',
        "{'changes': changes.to_dicts(), 'ranking': ranking.select('province', 'unit_group').unique().to_dicts(),"
        " 'new': new_units, 'bands': bands.to_dicts()}",
        sample_warehouse / "warehouse.duckdb",
        tmp_path,
        monkeypatch,
    )
    assert sum(PLOTLY in o.get("data", {}) for o in outputs) == 4  # charts: trend, ranking, changes, bands
    changes = {r["unit_name"]: r for r in check["changes"]}
    assert len(changes) == 8 and check["new"] == []  # the 8 districts, all with a 2022 result
    assert all(r[k] is not None for r in check["changes"] for k in ("change", "rank_up", "prev_index"))
    h07 = changes["UBND huyện Minh Đức"]
    assert (h07["prev_year"], h07["prev_band"], h07["band"]) == (2022, "Tốt", "Khá")
    assert h07["change"] == pytest.approx(85.76 - 89.732, abs=0.01)
    # The ranking is within one province and one group, and says which.
    assert check["ranking"] == [{"province": "Tỉnh Mẫu (dữ liệu tổng hợp)", "unit_group": "district"}]
    assert sum(r["units"] for r in check["bands"] if r["year"] == 2023) == 8


@pytest.mark.notebook
def test_unit_notebook(sample_warehouse: Path, tmp_path: Path, monkeypatch) -> None:
    # data/raw/README.md: S11 2024 index 92.03, Xuất sắc held back to Tốt by area 5 at 6.75/10; 0.25 points
    # on area 5 (to 7/10 = 70%) lift it to Xuất sắc.
    check, outputs = _run(
        "unit_deep_dive.ipynb",
        'UNIT = "S11"\nYEAR = 2024',
        "{'gap': gap.to_dicts(), 'years': years.to_dicts()}",
        sample_warehouse / "warehouse.duckdb",
        tmp_path,
        monkeypatch,
    )
    assert sum(PLOTLY in o.get("data", {}) for o in outputs) == 3
    first = check["gap"][0]
    assert (first["band"], first["target_band"], first["points_needed"]) == ("Tốt", "Xuất sắc", 0.25)
    y2024 = next(y for y in check["years"] if y["year"] == 2024)
    assert (y2024["index_pct"], y2024["band"], y2024["group_size"]) == (92.03, "Tốt", 17)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "GIẢI TRÌNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024" in text


@pytest.mark.notebook
def test_surveys_notebook(sample_warehouse: Path, tmp_path: Path, monkeypatch) -> None:
    check, outputs = _run(
        "surveys_papi.ipynb",
        'PROVINCE = "MAU"\nPAPI_PROVINCE = "Vĩnh Long"\nYEAR = 2024',
        "{'papi_year': papi_year, 'papi': papi.to_dicts(), 'sipas': sipas.height, 'dims': own.height,"
        " 'ci': sipas.select((pl.col('ci_low') <= pl.col('pct')) & (pl.col('pct') <= "
        "pl.col('ci_high'))).to_series().all()}",
        sample_warehouse / "warehouse.duckdb",
        tmp_path,
        monkeypatch,
    )
    assert sum(PLOTLY in o.get("data", {}) for o in outputs) == 4
    # The real PAPI tables run 2011-2024 (data/raw/surveys/papi/); from 2018 a total has 8 dimensions.
    assert check["papi_year"] == 2024 and check["dims"] == 8
    assert [r["year"] for r in check["papi"]] == list(range(2011, 2025))
    assert all(r["max_score"] == (60 if r["year"] <= 2017 else 80) for r in check["papi"])
    assert all("papi.org.vn" in r["source"] for r in check["papi"])
    assert check["sipas"] == 17 + 8 and check["ci"]  # every department and district, each inside its interval
