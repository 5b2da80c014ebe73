"""One record format for everything set aside from an input: file, sheet, row, column, value, rule, message.

The person who fixes a file is the officer who typed it, so every record names the exact place
and says in Vietnamese what is wrong and what to do (docs/data-quality.md lists every rule).
A record with no row is about the whole file (unreadable, wrong sheet, broken header).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

QUARANTINE_SCHEMA = {
    "source_file": pl.String,
    "sheet": pl.String,
    "row_number": pl.Int64,
    "cell": pl.String,  # a workbook read cell by cell (statistics) names the cell, e.g. D12
    "column_name": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "message": pl.String,
}
# Columns every raw row carries; an input file may not use these names (rule `reserved_column`).
PROVENANCE = ("source_file", "sheet", "row_number", "cell", "file_sha256")
EXTRA_CELLS = "_extra_cells"  # a CSV row's cells beyond its header
RESERVED = (*PROVENANCE, EXTRA_CELLS)

# Vietnamese names of fields, as officers see them on their forms; sources add their own.
LABELS: dict[str, str] = {
    "unit_id": "Mã đơn vị",
    "unit_name": "Tên đơn vị",
    "unit_group": "Nhóm đơn vị",
    "parent_unit_id": "Đơn vị cấp trên",
    "valid_from": "Hiệu lực từ ngày",
    "valid_to": "Hiệu lực đến ngày",
    "relation": "Quan hệ thay đổi",
    "successor_id": "Mã đơn vị kế thừa",
    "effective_date": "Ngày có hiệu lực",
    "basis": "Căn cứ trọng số",
    "province_code": "Mã tỉnh",
    "province_name": "Tên tỉnh",
    "ruleset_family": "Bộ quy tắc",
    "year": "Năm đánh giá",
    "criterion_code": "Mã tiêu chí",
    "self_score": "Điểm tự đánh giá",
    "submitted_at": "Ngày lập",
    "round": "Vòng",
    "score": "Điểm",
    "decision_no": "Số quyết định",
    "decision_date": "Ngày quyết định",
    "satisfied_pct": "Tỷ lệ hài lòng (%)",
    "respondents": "Số người trả lời",
    "document": "Số, ký hiệu văn bản",
    "doc_date": "Ngày văn bản",
    "system_date": "Ngày trên hệ thống",
    "corrected_score": "Điểm sau khắc phục",
    "band": "Xếp loại",
    "dossiers": "Số hồ sơ",
    "from_year": "Từ năm",
    "to_year": "Đến năm",
    "late_with_apology": "Số hồ sơ trễ hạn có văn bản xin lỗi",
    "late_without_apology": "Số hồ sơ trễ hạn không có văn bản xin lỗi",
    "improper_apologies": "Số văn bản xin lỗi không đúng quy định",
    "par_news_items": "Số tin bài về CCHC đã đăng",
    "simplified_procedures": "Số TTHC trong phương án đơn giản hóa được phê duyệt",
    "respondent_id": "Mã phiếu",
    "survey_date": "Ngày khảo sát",
    "channel": "Hình thức khảo sát",
    "weight": "Trọng số",
    EXTRA_CELLS: "Ô thừa",
}


def label(column: str | None) -> str | None:
    """The Vietnamese name of a field, or the column as written when it has none."""
    return None if column is None else LABELS.get(column, column)


class RowProblem(Exception):
    """Raised by a parser: this row goes to quarantine under `rule`, with `message` for the officer."""

    def __init__(self, column: str | None, rule: str, message: str, value: object = None):
        super().__init__(message)
        self.column, self.rule, self.message, self.value = column, rule, message, value


def record(raw: dict, problem: RowProblem, column_name: str | None = None) -> dict:
    """The quarantine record of a raw row, its message starting with where the value is (file,
    sheet, row or cell, column); `column_name` overrides the field's label (e.g. a statistics
    workbook's period header, which names the cell's column)."""
    column = column_name or label(problem.column)
    return {
        "source_file": raw.get("source_file"),
        "sheet": raw.get("sheet"),
        "row_number": raw.get("row_number"),
        "cell": raw.get("cell"),
        "column_name": column,
        "value": None if problem.value is None else str(problem.value),
        "rule": problem.rule,
        "message": f"{where(raw)}{f', cột {column}' if column else ''}: {problem.message}",
    }


def file_record(
    source_file: str, rule: str, message: str, *, sheet: str | None = None, column: str | None = None
) -> dict:
    """A record about a whole file (or a whole sheet): no row of it was read."""
    return {
        "source_file": source_file,
        "sheet": sheet,
        "row_number": None,
        "cell": None,
        "column_name": column,
        "value": None,
        "rule": rule,
        "message": f"{source_file}{f', trang {sheet!r}' if sheet else ''}: {message}",
    }


def quarantine_frame(records: Iterable[dict] | pl.DataFrame) -> pl.DataFrame:
    """Records in the one quarantine layout, in file and row order."""
    if isinstance(records, pl.DataFrame):
        frame = records.with_columns(
            pl.lit(None, dtype).alias(name) for name, dtype in QUARANTINE_SCHEMA.items() if name not in records.columns
        )
    else:
        frame = pl.DataFrame([{k: r.get(k) for k in QUARANTINE_SCHEMA} for r in records], schema=QUARANTINE_SCHEMA)
    return (
        frame.select(list(QUARANTINE_SCHEMA))
        .cast(QUARANTINE_SCHEMA)
        .sort(["source_file", "row_number", "cell", "column_name", "rule"], nulls_last=True)
    )


def where(raw: dict) -> str:
    """`file, trang 'X', dòng 12` (or `ô D12`): where a value is, for messages that quote it."""
    parts = [str(raw.get("source_file"))]
    if raw.get("sheet"):
        parts.append(f"trang '{raw['sheet']}'")
    if raw.get("cell") or raw.get("row_number") is not None:
        parts.append(f"ô {raw['cell']}" if raw.get("cell") else f"dòng {raw.get('row_number')}")
    return ", ".join(parts)
