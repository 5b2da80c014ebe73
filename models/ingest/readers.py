"""Reading officials' files as they come: CSV exports, survey tables and `.xlsx` forms with title rows.

Readers keep every value as text with its provenance (file, sheet, row) and never judge it:
typing and rules happen in staging, so a bad value is reported with the exact cell it came
from. What a reader alone can see about a row (cells beyond the header, a formula with no saved
value, a score under merged cells) it writes on the row as a flag (`flag`), and staging
quarantines the row under that rule. A file that cannot be read at all (not a workbook, wrong
encoding, broken header, a link out of the raw folder) is one record for the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from models.ingest.records import EXTRA_CELLS, RESERVED, file_record
from models.text import normalize_text

FLAG = "_flag"  # a reader's finding about a row: "rule|column|message"
DELIMITERS = (",", ";", "\t")
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Header:
    """A header contract: which columns a file must have, may have, and may not use.

    `required` lists groups of alternatives: `(("unit_id", "unit_name"), ("year",))` needs a
    unit id or name, and a year. Header cells compare NFC, case-folded and single-spaced, after
    `aliases` (e.g. `mã phiếu` → `respondent_id`). In a closed header, unknown columns are
    ignored; in an `open` one (respondents' answer columns, PAPI sub-dimensions) every named
    column is kept. `markers` find the header row of a spreadsheet export with title rows above.
    """

    required: tuple[tuple[str, ...], ...] = ()
    optional: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    open: bool = False
    markers: tuple[str, ...] = ()

    @property
    def known(self) -> set[str]:
        return {name for group in self.required for name in group} | set(self.optional)

    def key(self, cell: object) -> str | None:
        text = normalize_text(cell)
        return None if text is None else self.aliases.get(text.casefold(), text.casefold())

    def resolve(self, cells: list[object], where: str, sheet: str | None = None) -> tuple[dict[int, str], dict | None]:
        """Column index → field name, or the record that rejects the whole file."""
        keys = [self.key(c) for c in cells]
        reserved = sorted({k for k in keys if k in RESERVED})
        if reserved:
            return {}, file_record(
                where,
                "reserved_column",
                f"Cột {', '.join(reserved)} trùng tên cột hệ thống dùng để ghi nguồn gốc dữ liệu; "
                "hãy đổi tên cột đó rồi gửi lại tệp",
                sheet=sheet,
                column=", ".join(reserved),
            )
        kept = {i: k for i, k in enumerate(keys) if k and (self.open or k in self.known)}
        names = list(kept.values())
        twice = sorted({k for k in names if names.count(k) > 1})
        if twice:
            return {}, file_record(
                where,
                "duplicate_column",
                f"Cột {', '.join(twice)} xuất hiện hai lần trong dòng tiêu đề; hãy giữ một cột rồi gửi lại tệp",
                sheet=sheet,
                column=", ".join(twice),
            )
        missing = [group for group in self.required if not set(group) & set(names)]
        if missing:
            shown = "; ".join(" hoặc ".join(group) for group in missing)
            return {}, file_record(
                where,
                "missing_column",
                f"Thiếu cột bắt buộc: {shown} (xem mẫu tệp trong tài liệu docs/inputs.md); không dòng nào được đọc",
                sheet=sheet,
                column=shown,
            )
        return kept, None


@dataclass
class ReadResult:
    """Rows read from one file, or the reason it could not be read (`problem`, one record)."""

    path: str
    sha256: str
    rows: list[dict] = field(default_factory=list)
    problem: dict | None = None


Reader = Callable[[Path, str], ReadResult]


def flag(row: dict, rule: str, column: str | None, message: str) -> None:
    """Mark a raw row for quarantine under `rule` (the first finding counts)."""
    row.setdefault(FLAG, f"{rule}|{column or ''}|{message}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cell_text(value: object) -> str | None:
    """A cell as text: whole floats without `.0`, date cells as ISO dates, text NFC and trimmed."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return normalize_text(value) if isinstance(value, str) else str(value)


def failed(path: Path, display: str, rule: str, message: str, sheet: str | None = None) -> ReadResult:
    return ReadResult(display, file_sha256(path), problem=file_record(display, rule, message, sheet=sheet))


# ----------------------------------------------------------------------------------------- CSV


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) or UTF-16 with its BOM (Excel's "Unicode text"); None otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _delimiter(text: str, header: Header) -> str:
    """The separator whose header line names the most known columns (comma when none does better)."""
    first = text.split("\n", 1)[0]

    def known(d: str) -> int:
        cells = next(csv.reader([first], delimiter=d), [])
        keys = [header.key(c) for c in cells]
        return len(header.known & set(keys)) if header.known else len(cells)

    return max(DELIMITERS, key=lambda d: (known(d), d == ","))


def read_csv(path: Path, display: str, header: Header) -> ReadResult:
    """A CSV with a header row; row numbers count the header as row 1, as a spreadsheet does."""
    text = _decode(path.read_bytes())
    if text is None:
        return failed(
            path,
            display,
            "bad_encoding",
            "Tệp CSV không ở mã UTF-8 nên chữ tiếng Việt có thể bị sai; trong Excel hãy chọn "
            "Lưu thành (Save As) → 'CSV UTF-8 (Comma delimited)' rồi gửi lại",
        )
    result = ReadResult(display, file_sha256(path))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, header)))
    except csv.Error as exc:
        result.problem = file_record(display, "unreadable_file", f"Không đọc được tệp CSV: {exc}")
        return result
    if not rows:
        return result
    columns, result.problem = header.resolve(rows[0], display)
    if result.problem:
        result.problem["message"] += f" ({len(rows) - 1} dòng dữ liệu)"
        return result
    width = len(rows[0])
    for row_number, cells in enumerate(rows[1:], start=2):
        if not any(normalize_text(c) for c in cells):
            continue  # an empty line: nothing was typed
        row = {"source_file": display, "sheet": None, "row_number": row_number}
        row.update({name: cell_text(cells[i]) if i < len(cells) else None for i, name in columns.items()})
        extra = [c for c in cells[width:] if normalize_text(c)]
        if extra:  # more cells than the header: kept, and staging quarantines the row
            row[EXTRA_CELLS] = " | ".join(extra)
            flag(
                row,
                "extra_columns",
                EXTRA_CELLS,
                "Dòng có nhiều ô hơn dòng tiêu đề (thừa dấu phẩy?); các ô thừa: " + row[EXTRA_CELLS],
            )
        result.rows.append(row)
    return result


# ---------------------------------------------------------------------------------------- xlsx


@contextmanager
def open_workbook(path: Path, display: str) -> Iterator[tuple[openpyxl.Workbook | None, dict | None]]:
    """The workbook (values as last saved), closed afterwards; or None and a `not_a_spreadsheet` record."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        yield (
            None,
            file_record(
                display, "not_a_spreadsheet", f"Tệp không phải bảng tính Excel (.xlsx) đọc được: {type(exc).__name__}"
            ),
        )
        return
    try:
        yield workbook, None
    finally:
        workbook.close()


def find_sheet(workbook: openpyxl.Workbook, wanted: str, display: str) -> tuple[str | None, dict | None]:
    """The sheet named `wanted` (NFC, any case), or a `wrong_sheet` record listing the sheets there are."""
    name = next((s for s in workbook.sheetnames if (normalize_text(s) or "").casefold() == wanted.casefold()), None)
    if name is None:
        return None, file_record(
            display,
            "wrong_sheet",
            f"Không có trang tính '{wanted}'; các trang có trong tệp: {', '.join(workbook.sheetnames)}",
        )
    return name, None


def sheet_rows(workbook: openpyxl.Workbook, sheet: str) -> list[list[str | None]]:
    """Every row of a sheet as text; raises ValueError when the sheet's XML is damaged."""
    try:
        return [[cell_text(c) for c in cells] for cells in workbook[sheet].iter_rows(values_only=True)]
    except Exception as exc:  # a damaged sheet inside a valid workbook: lxml, zip or openpyxl errors
        raise ValueError(type(exc).__name__) from None


def read_sheet(path: Path, display: str, wanted: str) -> tuple[str, list[list[str | None]]] | ReadResult:
    """The named sheet of a workbook as text rows, or the result that says why it cannot be read
    (not a workbook, no such sheet, a damaged sheet)."""
    with open_workbook(path, display) as (workbook, problem):
        if workbook is None:
            return ReadResult(display, file_sha256(path), problem=problem)
        sheet, problem = find_sheet(workbook, wanted, display)
        if sheet is None:
            return ReadResult(display, file_sha256(path), problem=problem)
        try:
            return sheet, sheet_rows(workbook, sheet)
        except ValueError as exc:
            return unreadable_sheet(path, display, sheet, str(exc))


def unreadable_sheet(path: Path, display: str, sheet: str, reason: str) -> ReadResult:
    return failed(
        path,
        display,
        "unreadable_sheet",
        f"Trang tính '{sheet}' bị hỏng, không đọc được ({reason}); hãy mở tệp bằng Excel, lưu lại rồi gửi lại",
        sheet=sheet,
    )


@dataclass(frozen=True)
class SheetLayout:
    """What values alone do not tell: formula cells (row, column) and merged ranges (1-based, inclusive)."""

    formulas: frozenset[tuple[int, int]]
    merged: tuple[tuple[int, int, int, int], ...]  # min_row, min_col, max_row, max_col

    def merge_over(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        """The merged range spanning several rows that covers the cell, if any."""
        return next((m for m in self.merged if m[0] <= row <= m[2] and m[1] <= col <= m[3] and m[2] > m[0]), None)


def sheet_layout(path: Path, sheet: str) -> SheetLayout:
    workbook = openpyxl.load_workbook(path, read_only=False, data_only=False)
    try:
        ws = workbook[sheet]
        formulas = frozenset(
            (c.row, c.column) for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] == "="
        )
        merged = tuple((m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges)
    finally:
        workbook.close()
    return SheetLayout(formulas, merged)


def flag_hidden_values(row: dict, layout: SheetLayout, row_number: int, col: int, column: str, label: str) -> None:
    """A blank cell that is a formula with no saved value, or under a merge, is not a blank score."""
    cell = f"{get_column_letter(col)}{row_number}"
    merge = layout.merge_over(row_number, col)
    if merge:
        span = f"{get_column_letter(merge[1])}{merge[0]}:{get_column_letter(merge[3])}{merge[2]}"
        flag(
            row,
            "merged_cells",
            column,
            f"Ô {label} {cell} nằm trong vùng ô gộp {span}: một điểm không thể dùng cho nhiều tiêu chí; "
            "hãy bỏ gộp ô và ghi điểm của từng tiêu chí",
        )
    elif row.get(column) is None and (row_number, col) in layout.formulas:
        flag(
            row,
            "formula_without_value",
            column,
            f"Ô {label} {cell} là công thức chưa được tính (tệp lưu không kèm giá trị); "
            "hãy mở tệp bằng Excel, lưu lại rồi gửi lại",
        )


def read_xlsx_table(path: Path, display: str, header: Header) -> ReadResult:
    """The first sheet with a header row naming one of `header.markers`, read below that row.

    A survey tool's export may carry title rows above the header and a signature block below:
    every non-empty row of the table is kept (staging reports one without its id); below a blank
    row, only a row that fills most cells is a record, so a signature block is not data.
    """
    with open_workbook(path, display) as (workbook, problem):
        if workbook is None:
            return ReadResult(display, file_sha256(path), problem=problem)
        markers = set(header.markers)
        for sheet in workbook.sheetnames:
            try:
                rows = sheet_rows(workbook, sheet)
            except ValueError as exc:
                return unreadable_sheet(path, display, sheet, str(exc))
            start = next(
                (i for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]) if markers & {header.key(c) for c in cells}),
                None,
            )
            if start is None:
                continue
            result = ReadResult(display, file_sha256(path))
            columns, result.problem = header.resolve(rows[start], display, sheet)
            if result.problem:
                return result
            gap = False
            for row_number, cells in enumerate(rows[start + 1 :], start=start + 2):
                values = {name: cells[i] if i < len(cells) else None for i, name in columns.items()}
                filled = sum(v is not None for v in values.values())
                if not filled:
                    gap = True
                    continue
                if not gap or filled * 2 >= len(columns):
                    result.rows.append({"source_file": display, "sheet": sheet, "row_number": row_number, **values})
            return result
    return failed(
        path, display, "no_header", "Không tìm thấy dòng tiêu đề có một trong các cột: " + ", ".join(sorted(markers))
    )


# ------------------------------------------------------------------------------------ dispatch


def table_reader(header: Header, xlsx: Callable[[Path, str], ReadResult] | None = None) -> Reader:
    """Read `.csv` under the header contract and `.xlsx` with `xlsx` (a table under the same
    contract by default); any other file is reported, not skipped."""

    def read(path: Path, display: str) -> ReadResult:
        suffix = path.suffix.casefold()
        if suffix == ".csv":
            return read_csv(path, display, header)
        if suffix in (".xlsx", ".xlsm"):
            return (xlsx or (lambda p, d: read_xlsx_table(p, d, header)))(path, display)
        return failed(path, display, "unsupported_file", "Chỉ nhận tệp .xlsx hoặc .csv")

    return read


def document_reader(path: Path, display: str) -> ReadResult:
    """A rule file (YAML or CSV) kept whole, as one raw row with its text, for staging to parse."""
    text = _decode(path.read_bytes())
    if text is None:
        return failed(path, display, "bad_encoding", "Tệp quy tắc phải lưu ở mã UTF-8")
    return ReadResult(display, file_sha256(path), rows=[{"source_file": display, "row_number": 1, "text": text}])


def find_files(root: Path, patterns: tuple[str, ...]) -> tuple[list[tuple[Path, str]], list[dict]]:
    """Files under `root` matching any pattern, named relative to root, in a stable order; and a
    record for each link that leads out of the raw folder (never read). Hidden files and Office
    lock files (`~$…`) are not inputs."""
    base = root.resolve()
    found: dict[str, Path] = {}
    outside: list[dict] = []
    for pattern in patterns:
        for path in root.glob(pattern):
            display = path.relative_to(root).as_posix()
            if display in found or path.name.startswith((".", "~$")):
                continue
            dangling = path.is_symlink() and not path.exists()
            if not dangling and not path.is_file():
                continue
            if dangling or not path.resolve().is_relative_to(base):
                outside.append(
                    file_record(
                        display,
                        "outside_raw_folder",
                        "Tệp là liên kết trỏ ra ngoài thư mục dữ liệu đầu vào nên không được đọc; "
                        "hãy chép chính tệp vào thư mục",
                    )
                )
                found[display] = None
                continue
            found[display] = path
    files = [(p, d) for d, p in sorted(found.items()) if p is not None]
    return files, sorted(outside, key=lambda r: r["source_file"])
