"""`chiso explain --year Y --unit U [--warehouse PATH]`: read the published warehouse, print reports.explain."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import duckdb

from assets.resources import ChisoPaths
from reports.explain import explain

# table → the rows explain needs (`?` = year, then unit id where two are given)
QUERIES = {
    "par_index": ("SELECT * FROM marts.par_index WHERE year = ?", 1),
    "lineage": ("SELECT * FROM marts.score_lineage WHERE year = ? AND unit_id = ?", 2),
    "components": ("SELECT * FROM marts.par_component_index WHERE year = ? AND unit_id = ?", 2),
    "band_gap": ("SELECT * FROM marts.band_gap WHERE year = ? AND unit_id = ?", 2),
    "history": ("SELECT * FROM marts.par_index_history WHERE year = ? AND unit_id = ?", 2),
    "uncertainty": ("SELECT * FROM marts.rank_uncertainty WHERE year = ? AND unit_id = ?", 2),
    "trend": ("SELECT * FROM marts.unit_trend WHERE year <= ? AND unit_id = ?", 2),
    "criteria": ("SELECT * FROM staging.criteria", 0),
    "rulesets": ("SELECT * FROM staging.rulesets", 0),
    "bands": ("SELECT * FROM staging.ruleset_bands", 0),
}


def explain_from_warehouse(warehouse: Path, year: int, unit_id: str) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = {
            f"{s}.{t}"
            for s, t in conn.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        }
        frames = {
            name: conn.execute(sql, [year, unit_id][:n]).pl()
            for name, (sql, n) in QUERIES.items()
            # a warehouse published before a table existed still explains, without that part
            if sql.split(" FROM ")[1].split()[0] in tables
        }
    return explain(year, unit_id, **frames)


def resolve_unit(warehouse: Path, year: int, unit_id: str) -> tuple[str | None, list[str]]:
    """The unit id as the warehouse spells it, matched without regard to case and surrounding spaces,
    or None with the year's valid ids (closest first, then the rest in order)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT unit_id FROM marts.par_index WHERE year = ? ORDER BY 1", [year]
            ).fetchall()
        ]
    wanted = unit_id.strip().casefold()
    for known in ids:
        if known.casefold() == wanted:
            return known, ids
    by_fold = {i.casefold(): i for i in ids}
    close = [by_fold[c] for c in difflib.get_close_matches(wanted, list(by_fold), n=5, cutoff=0.5)]
    return None, close + [i for i in ids if i not in close]


def run_explain(year: int, unit_id: str, warehouse: str | None) -> int:
    path = Path(warehouse) if warehouse else ChisoPaths().warehouse_path
    if not path.exists():
        print(f"Không có kho dữ liệu {path}: hãy chạy `chiso run` trước.", file=sys.stderr)
        return 1
    known, valid = resolve_unit(path, year, unit_id)
    if known is None:
        if not valid:
            print(f"Kho dữ liệu không có kết quả Chỉ số CCHC nào của năm {year}.", file=sys.stderr)
        else:
            shown = ", ".join(valid[:12]) + (f" … ({len(valid)} mã)" if len(valid) > 12 else "")
            print(
                f"Không có đơn vị mã «{unit_id.strip()}» trong năm {year}. Các mã hợp lệ: {shown}.",
                file=sys.stderr,
            )
        return 1
    text = explain_from_warehouse(path, year, known)
    print(text, end="")
    return 0 if not text.startswith("Không có kết quả") else 1
