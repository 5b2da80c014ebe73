"""Standard Dagster metadata for table assets: the documented contract as `dagster/column_schema`
(docs/marts.md, column by column), row counts and a preview of the first rows."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import dagster as dg

from assets.storage import key

CONTRACT_DOC = Path(__file__).resolve().parent.parent / "docs" / "marts.md"
_SECTION = re.compile(r"^## (marts\.[a-z_]+)\b")
_ROW = re.compile(r"^\|\s*([a-z_][a-z0-9_]*(?:\s*,\s*[a-z_][a-z0-9_]*)*)\s*\|\s*([A-Z][A-Z0-9_\[\]]*)\s*\|(.*)\|\s*$")
# "The columns of `marts.unit_trend`, with `score` (PAPI's total) in place of `index_pct`"
_SAME_AS = re.compile(r"^The columns of `(marts\.[a-z_]+)`(?:, with `([a-z_]+)`.*? in place of `([a-z_]+)`)?")
PREVIEW_ROWS = 10


@functools.cache
def documented_columns(doc: Path = CONTRACT_DOC) -> dict[str, list[tuple[str, str, str]]]:
    """{`marts.x`: [(column, type, meaning), …]} from each table's section of the contract document."""
    tables: dict[str, list[tuple[str, str, str]]] = {}
    current = previous = None
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            match = _SECTION.match(line)
            previous, current = current, match.group(1) if match else None
            if current:
                # "## marts.civil_servant_index — the civil-servant survey, same columns" (as the one before)
                tables[current] = list(tables.get(previous, [])) if "same columns" in line else []
        elif current and (row := _ROW.match(line)):
            # "| unit_id, unit_name | VARCHAR | …": one meaning for several columns
            for name in row.group(1).split(","):
                tables[current].append((name.strip(), row.group(2), row.group(3).strip()))
        elif current and not tables[current] and (same := _SAME_AS.match(line)):
            new, old = same.group(2), same.group(3)
            tables[current] = [
                (new, type_, f"in place of `{old}`: {meaning}") if name == old else (name, type_, meaning)
                for name, type_, meaning in tables.get(same.group(1), [])
            ]
    return {t: cols for t, cols in tables.items() if cols}


def contract_schema(table: str) -> dg.TableSchema | None:
    """The documented contract columns of `table`, for the asset's definition (shown before any run)."""
    columns = documented_columns().get(table)
    if not columns:
        return None
    return dg.TableSchema(
        columns=[dg.TableColumn(name, type_, description=meaning) for name, type_, meaning in columns]
    )


def declared_schema(model) -> dg.TableSchema:
    """The columns a staging table promises, shown before any run: its pandera model
    (expectations/schemas.py), or a plain {column: Polars type} (the quarantine records)."""
    if isinstance(model, dict):
        return dg.TableSchema(columns=[dg.TableColumn(name, str(dtype)) for name, dtype in model.items()])
    columns = model.to_schema().columns if hasattr(model, "to_schema") else model.columns
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name,
                str(column.dtype),
                description=column.description,
                constraints=dg.TableColumnConstraints(nullable=column.nullable),
            )
            for name, column in columns.items()
        ]
    )


def spec_metadata(table: str, model=None) -> dict:
    """A table asset's definition metadata: its name, and its columns as the contract documents them
    (docs/marts.md for a mart, the pandera model for a staging table)."""
    schema = declared_schema(model) if model is not None else contract_schema(table)
    return {"dagster/table_name": table, **({"dagster/column_schema": schema} if schema else {})}


def materialized(conn, table: str, rows: int | None = None, **extra) -> dg.MaterializeResult:
    """What every table asset reports: its row count (`rows`: this write's, for a table written one
    evaluation year at a time), its actual columns and its name; for a mart, a preview too."""
    metadata = table_metadata(conn, table, preview=table.startswith("marts."), rows=rows)
    return dg.MaterializeResult(asset_key=key(table), metadata={**metadata, **extra})


def table_metadata(conn, table: str, preview: bool = True, rows: int | None = None) -> dict:
    """Row count, the table's actual columns (for a mart, the documented meaning where the contract has
    one, else marked an extra) and a markdown preview of its first rows."""
    documented = {name: meaning for name, _, meaning in documented_columns().get(table, [])}
    extra = "extra column (docs/marts.md: extras may grow)" if table.startswith("marts.") else None
    columns = conn.execute(f"DESCRIBE {table}").fetchall()
    schema = dg.TableSchema(
        columns=[dg.TableColumn(name, type_, description=documented.get(name, extra)) for name, type_, *_ in columns]
    )
    metadata = {
        "dagster/row_count": rows if rows is not None else conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0],
        "dagster/column_schema": schema,
        "dagster/table_name": table,
    }
    if preview:
        metadata["preview"] = dg.MetadataValue.md(_preview(conn, table, [c[0] for c in columns]))
    return metadata


def _preview(conn, table: str, names: list[str]) -> str:
    rows = conn.execute(f"SELECT * FROM {table} LIMIT {PREVIEW_ROWS}").fetchall()

    def cell(value) -> str:
        text = "" if value is None else str(value)
        return (text[:60] + "…" if len(text) > 60 else text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(names) + " |", "|" + " --- |" * len(names)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
