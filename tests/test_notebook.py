"""The analyst notebook runs top to bottom on a freshly built warehouse."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.notebook
def test_notebook_runs(tmp_path, monkeypatch, sample_warehouse):
    curated = sample_warehouse
    monkeypatch.setenv("CHISO_WAREHOUSE", str(curated / "warehouse.duckdb"))
    for var in ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    nb = nbformat.read(ROOT / "notebooks" / "explore_par_index.ipynb", as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", o.get("text", ""))) for o in outputs)
    assert "Tỉnh Mẫu" in text and "2024" in text
