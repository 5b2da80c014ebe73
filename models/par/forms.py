"""The self-assessment form (`submissions/<year>/*.xlsx`) as officers fill it in (docs/inputs.md).

Sheet `Tự đánh giá`: title rows and merged cells on top, labelled cells (`Mã đơn vị:`,
`Tên đơn vị:`, `Năm đánh giá:`, `Ngày lập:`), then the criteria table under a header row whose
first cell is `Mã tiêu chí`. What the saved values alone hide is flagged on the row: a score
cell that is a formula Excel never calculated, or a score under cells merged across criteria.
"""

from __future__ import annotations

from pathlib import Path

from models.ingest.readers import (
    Header,
    ReadResult,
    file_sha256,
    flag_hidden_values,
    read_sheet_layout,
)
from models.ingest.records import file_record
from models.ingest.values import AmbiguousNumber, parse_number
from models.text import is_not_applicable

FORM_SHEET = "Tự đánh giá"
FORM_HEADER = Header(
    required=(("criterion_code",), ("self_score",)),
    optional=("title", "max_points", "evidence_refs", "explanation"),
    aliases={
        "mã tiêu chí": "criterion_code",
        "nội dung": "title",
        "điểm tối đa": "max_points",
        "điểm tự đánh giá": "self_score",
        "tài liệu kiểm chứng": "evidence_refs",
        "giải trình": "explanation",
    },
)
FORM_LABELS = {
    "mã đơn vị:": "unit_id",
    "tên đơn vị:": "unit_name",
    "năm đánh giá:": "year",
    "ngày lập:": "submitted_at",
}


def read_xlsx_form(path: Path, display: str) -> ReadResult:
    """A unit's self-assessment workbook: its labels, then one raw row per criterion row."""
    read = read_sheet_layout(path, display, FORM_SHEET)
    if isinstance(read, ReadResult):
        return read
    sheet, rows, layout = read
    start = next((i for i, cells in enumerate(rows) if cells and (cells[0] or "").casefold() == "mã tiêu chí"), None)
    if start is None:
        return ReadResult(
            display,
            file_sha256(path),
            problem=file_record(
                display, "no_header", "Không tìm thấy dòng tiêu đề bảng bắt đầu bằng 'Mã tiêu chí'", sheet=sheet
            ),
        )
    result = ReadResult(display, file_sha256(path))
    columns, result.problem = FORM_HEADER.resolve(rows[start], display, sheet)
    if result.problem:
        return result
    labels = {
        FORM_LABELS[cells[0].casefold()]: next((t for t in cells[1:] if t is not None), None)
        for cells in rows[:start]
        if cells and cells[0] and cells[0].casefold() in FORM_LABELS
    }
    score_col = next(i for i, name in columns.items() if name == "self_score") + 1
    for row_number, cells in enumerate(rows[start + 1 :], start=start + 2):
        values = {name: cells[i] if i < len(cells) else None for i, name in columns.items()}
        # A criterion row, or any row with something like a score (so a mistyped code is
        # reported, not dropped); blank and signature rows below the table are neither.
        if not (_looks_like_code(values.get("criterion_code")) or _looks_like_score(values.get("self_score"))):
            continue
        row = {"source_file": display, "sheet": sheet, "row_number": row_number, **labels, **values}
        flag_hidden_values(row, layout, row_number, score_col, "self_score", "Điểm tự đánh giá")
        result.rows.append(row)
    return result


def _looks_like_score(text: str | None) -> bool:
    if text is None:
        return False
    if is_not_applicable(text):
        return True
    try:
        return parse_number(text) is not None
    except AmbiguousNumber:
        return True  # `1.450`, typed as a score, is a score to report
    except ValueError:
        return False


def _looks_like_code(text: str | None) -> bool:
    """A criterion code, or something typed in its place (`7.1a`, `7,1`): it starts with a digit.
    Such rows are kept so staging reports them; footer and signature rows start with words."""
    return bool(text) and text[0].isdigit()
