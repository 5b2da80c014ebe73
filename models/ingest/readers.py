"""Reading officials' files as they come: `.xlsx` forms with title rows, and CSV exports.

Readers keep every value as text with its provenance (file, sheet, row) and never judge
it: typing and rules happen in `models.par.staging`, so a bad value can be reported with the
exact cell it came from. A file that cannot be read at all becomes one problem record.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from models.text import is_not_applicable, normalize_text, parse_number

FORM_SHEET = "Tự đánh giá"
EXTRA_CELLS = "_extra_cells"  # a CSV row's cells beyond the header
# Form header (Vietnamese, as printed on the form) → field name.
FORM_COLUMNS = {
    "mã tiêu chí": "criterion_code",
    "nội dung": "title",
    "điểm tối đa": "max_points",
    "điểm tự đánh giá": "self_score",
    "tài liệu kiểm chứng": "evidence_refs",
    "giải trình": "explanation",
}
FORM_LABELS = {
    "mã đơn vị:": "unit_id",
    "tên đơn vị:": "unit_name",
    "năm đánh giá:": "year",
    "ngày lập:": "submitted_at",
}


@dataclass
class ReadResult:
    """Rows read from one file, or the reason it could not be read."""

    path: Path
    sha256: str
    rows: list[dict] = field(default_factory=list)
    problem: dict | None = None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def problem(
    path: Path,
    rule: str,
    message: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
) -> dict:
    """One quarantine record: where, which rule, and a message an officer understands."""
    return {
        "source_file": str(path),
        "sheet": sheet,
        "row_number": row,
        "column_name": column,
        "value": None if value is None else str(value),
        "rule": rule,
        "message": message,
    }


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value) if isinstance(value, str) else str(value)


def read_csv(path: Path, display: str | None = None) -> ReadResult:
    """A UTF-8 CSV with a header row; row numbers count the header as row 1, as a spreadsheet does."""
    name = display or str(path)
    result = ReadResult(path=Path(name), sha256=file_sha256(path))
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            for row_number, rec in enumerate(reader, start=2):
                row = {normalize_text(k).casefold(): cell_text(v) for k, v in rec.items() if k is not None}
                extra = [c for c in rec.get(None) or [] if normalize_text(c)]
                if extra:  # more cells than the header: kept, and staging quarantines the row
                    row[EXTRA_CELLS] = " | ".join(extra)
                result.rows.append({"source_file": name, "sheet": None, "row_number": row_number, **row})
    except (UnicodeDecodeError, csv.Error) as exc:
        result.problem = problem(Path(name), "unreadable_file", f"Không đọc được tệp CSV (UTF-8): {exc}")
    return result


@contextmanager
def open_workbook(path: Path, result: ReadResult) -> Iterator[openpyxl.Workbook | None]:
    """The workbook, closed afterwards; or None, with `not_a_spreadsheet` recorded on `result`."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        result.problem = problem(
            result.path, "not_a_spreadsheet", f"Tệp không phải bảng tính Excel (.xlsx) đọc được: {type(exc).__name__}"
        )
        yield None
        return
    try:
        yield workbook
    finally:
        workbook.close()


def find_sheet(workbook: openpyxl.Workbook | None, wanted: str, result: ReadResult) -> str | None:
    """The sheet named `wanted` (NFC, any case); None, with `wrong_sheet` recorded, when absent."""
    if workbook is None:
        return None
    name = next((s for s in workbook.sheetnames if (normalize_text(s) or "").casefold() == wanted.casefold()), None)
    if name is None:
        result.problem = problem(
            result.path,
            "wrong_sheet",
            f"Không có trang tính '{wanted}'; các trang có trong tệp: {', '.join(workbook.sheetnames)}",
        )
    return name


def read_form(path: Path, display: str | None = None) -> ReadResult:
    """A unit's self-assessment workbook (docs/inputs.md): labels, then the criteria table."""
    name = display or str(path)
    result = ReadResult(path=Path(name), sha256=file_sha256(path))
    with open_workbook(path, result) as workbook:
        sheet_name = find_sheet(workbook, FORM_SHEET, result)
        if sheet_name is None:
            return result
        labels: dict[str, str | None] = {}
        header: dict[int, str] | None = None
        for row_number, cells in enumerate(workbook[sheet_name].iter_rows(values_only=True), start=1):
            texts = [cell_text(c) for c in cells]
            first = (texts[0] or "").casefold() if texts else ""
            if header is None:
                if first in FORM_LABELS:
                    labels[FORM_LABELS[first]] = next((t for t in texts[1:] if t is not None), None)
                elif first == "mã tiêu chí":
                    header = {
                        i: FORM_COLUMNS[t.casefold()] for i, t in enumerate(texts) if t and t.casefold() in FORM_COLUMNS
                    }
                continue
            values = {fieldname: texts[i] if i < len(texts) else None for i, fieldname in header.items()}
            # A criterion row, or any row with something like a score (so a mistyped code is
            # reported, not dropped); blank and signature rows below the table are neither.
            if _looks_like_code(values.get("criterion_code")) or _looks_like_score(values.get("self_score")):
                result.rows.append(
                    {"source_file": name, "sheet": sheet_name, "row_number": row_number, **labels, **values}
                )
        if header is None:
            result.problem = problem(
                Path(name),
                "no_header",
                "Không tìm thấy dòng tiêu đề bảng bắt đầu bằng 'Mã tiêu chí'",
                sheet=sheet_name,
            )
    return result


def _looks_like_score(text: str | None) -> bool:
    if text is None:
        return False
    if is_not_applicable(text):
        return True
    try:
        return parse_number(text) is not None
    except ValueError:
        return False


def _looks_like_code(text: str | None) -> bool:
    """A criterion code, or something typed in its place (`7.1a`, `7,1`): it starts with a digit.
    Such rows are kept so staging reports them; footer and signature rows start with words."""
    return bool(text) and text[0].isdigit()


def read_any(path: Path, display: str, xlsx_reader: Callable[[Path, str], ReadResult] | None = None) -> ReadResult:
    """Dispatch by extension (workbooks go to `xlsx_reader`, the self-assessment form by default);
    anything else is reported, not skipped."""
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        return read_csv(path, display)
    if suffix in (".xlsx", ".xlsm"):
        return (xlsx_reader or read_form)(path, display)
    result = ReadResult(path=Path(display), sha256=file_sha256(path))
    result.problem = problem(Path(display), "unsupported_file", "Chỉ nhận tệp .xlsx hoặc .csv")
    return result


def read_files(
    root: Path, pattern: str, xlsx_reader: Callable[[Path, str], ReadResult] | None = None
) -> list[ReadResult]:
    """Every file under `root` matching `pattern`, in a stable order, named relative to root."""
    return [read_any(p, p.relative_to(root).as_posix(), xlsx_reader) for p in sorted(root.glob(pattern)) if p.is_file()]
