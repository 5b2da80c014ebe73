"""The analysts' helper for notebooks: read the published warehouse read-only, show plotly charts offline.

    from reports.analysis import query, show

    query("SELECT * FROM marts.par_index WHERE province_code = ? AND year = ?", ["MAU", 2024])
    show(fig)

`query` opens `warehouse.duckdb` read-only for each statement (so it never holds the file while a run
publishes a new one) and passes the values separately from the SQL text (`?` or `$name` placeholders),
never pasted into it. The warehouse is `$CHISO_WAREHOUSE`, else `data/curated/warehouse.duckdb` of
this project. `show` draws a figure with the pack's settings: decimal comma, no plotly logo, no upload
button, a two-button toolbar; in JupyterLab through the plotly extension installed with plotly (offline).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from reports.text import PLOTLY_CONFIG

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_CONFIG = {k: v for k, v in PLOTLY_CONFIG.items() if k != "locale"}  # the pack's locale file is not loaded


def warehouse_path() -> Path:
    return Path(os.environ.get("CHISO_WAREHOUSE") or PROJECT_ROOT / "data" / "curated" / "warehouse.duckdb")


def query(sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pl.DataFrame:
    """Run one SQL statement on the published warehouse, read-only, with `params` bound to its placeholders."""
    path = warehouse_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: run `make run` first, or set CHISO_WAREHOUSE")
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql, params).pl()


def show(fig: Any) -> None:
    """Show a plotly figure in the notebook with the pack's settings (Vietnamese number format)."""
    import plotly.io as pio

    fig.update_layout(separators=",.", template="plotly_white")
    pio.show(fig, renderer="plotly_mimetype", config=NOTEBOOK_CONFIG)
