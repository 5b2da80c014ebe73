"""Writing a raw folder the way officials fill it in, and running the real Dagster job on it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import polars as pl

from assets.partitions import year_tags
from pipelines.definitions import make_definitions


def write_form(path: Path, unit_id: str, unit_name: str, year: int, rows: list[tuple]) -> None:
    """A self-assessment form with title rows, merged cells and labels (docs/inputs.md)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tự đánh giá"
    ws["A1"] = "ỦY BAN NHÂN DÂN TỈNH THỬ"
    ws.merge_cells("A1:F1")
    ws["A2"] = f"BÁO CÁO TỰ ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}"
    ws.merge_cells("A2:F2")
    for r, (label, value) in enumerate(
        [
            ("Mã đơn vị:", unit_id),
            ("Tên đơn vị:", unit_name),
            ("Năm đánh giá:", year),
            ("Ngày lập:", f"10/12/{year}"),
        ],
        start=3,
    ):
        ws.cell(r, 1, label)
        ws.cell(r, 2, value)
    header = [
        "Mã tiêu chí",
        "Nội dung",
        "Điểm tối đa",
        "Điểm tự đánh giá",
        "Tài liệu kiểm chứng",
        "Giải trình",
    ]
    for c, h in enumerate(header, start=1):
        ws.cell(8, c, h)
    for r, row in enumerate(rows, start=9):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    end = 9 + len(rows) + 1
    ws.cell(end, 1, "Người lập biểu")
    ws.cell(end, 4, "THỦ TRƯỞNG ĐƠN VỊ")
    ws.cell(end + 1, 4, "(Ký, ghi rõ họ tên)")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def run_job(
    raw_dir: Path,
    curated_dir: Path,
    selection: list[dg.AssetKey] | None = None,
    instance: dg.DagsterInstance | None = None,
    years: list[str] | None = None,
) -> dg.ExecuteInProcessResult:
    """The job `chiso_recompute`, whole or (`selection`) only some assets, for every year folder or
    (`years`) only some, as the UI launches them."""
    defs = make_definitions(str(raw_dir), str(curated_dir))
    instance = instance or dg.DagsterInstance.ephemeral()
    return defs.resolve_job_def("chiso_recompute").execute_in_process(
        instance=instance,
        raise_on_error=False,
        asset_selection=selection,
        tags=year_tags(instance, raw_dir, years),
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )


def query(curated_dir: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(curated_dir / "warehouse.duckdb"), read_only=True) as conn:
        return conn.sql(sql).pl()
