"""Reading survey exports and published PAPI tables: one header row, one record per row.

Like `models.ingest.readers`, values stay text with their provenance (file, sheet, row) and are not
judged here. A survey tool's `.xlsx` export may carry title rows above the header and a
signature block below the table; the header is the first row that names a key column
(e.g. `Mã phiếu` or `Tỉnh, thành phố`). Below it, a row with its key cell filled is a record
until the first blank row; after a blank row only rows that fill most cells are (a signature
block is not), so a stray row is reported by staging rather than lost.
"""

from __future__ import annotations

from pathlib import Path

from models.ingest.readers import ReadResult, file_sha256, open_workbook, problem, read_csv
from models.text import normalize_text

HEADER_SEARCH_ROWS = 30


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value)


def header_key(value: object) -> str | None:
    """Header cells compare NFC, case-folded, single-spaced (as `models.ingest.readers.read_csv` keys)."""
    text = normalize_text(value)
    return text.casefold() if text else None


def read_table_xlsx(path: Path, display: str, key_headers: set[str]) -> ReadResult:
    """The first sheet holding a header row with one of `key_headers`, read below that row."""
    result = ReadResult(path=Path(display), sha256=file_sha256(path))
    with open_workbook(path, result) as workbook:
        if workbook is None:
            return result
        for sheet_name in workbook.sheetnames:
            rows = workbook[sheet_name].iter_rows(values_only=True)
            header: dict[int, str] | None = None
            gap = False
            for row_number, cells in enumerate(rows, start=1):
                texts = [_text(c) for c in cells]
                if header is None:
                    keys = [header_key(t) for t in texts]
                    hits = [i for i, k in enumerate(keys) if k in key_headers]
                    if hits:
                        header = {i: k for i, k in enumerate(keys) if k}
                    elif row_number >= HEADER_SEARCH_ROWS:
                        break
                    continue
                values = {name: texts[i] if i < len(texts) else None for i, name in header.items()}
                filled = sum(v is not None for v in values.values())
                if not filled:
                    gap = True
                    continue
                # Every non-empty row of the table is kept (staging reports one without its id); below a
                # blank row, only a row that fills most cells is a record (signature blocks are not).
                if not gap or filled * 2 >= len(header):
                    result.rows.append(
                        {"source_file": display, "sheet": sheet_name, "row_number": row_number, **values}
                    )
            if header is not None:
                return result
        result.problem = problem(
            Path(display),
            "no_header",
            "Không tìm thấy dòng tiêu đề có một trong các cột: " + ", ".join(sorted(key_headers)),
        )
    return result


def read_table_file(path: Path, display: str, key_headers: set[str]) -> ReadResult:
    """A CSV (header on row 1) or an `.xlsx` export; any other file is reported, not skipped."""
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        result = read_csv(path, display)
        if result.problem is None and result.rows and not key_headers & set(result.rows[0]):
            result.problem = problem(
                Path(display),
                "no_header",
                "Dòng đầu của tệp CSV phải là dòng tiêu đề có một trong các cột: " + ", ".join(sorted(key_headers)),
            )
            result.rows = []
        return result
    if suffix in (".xlsx", ".xlsm"):
        return read_table_xlsx(path, display, key_headers)
    result = ReadResult(path=Path(display), sha256=file_sha256(path))
    result.problem = problem(Path(display), "unsupported_file", "Chỉ nhận tệp .xlsx hoặc .csv")
    return result


def read_table_files(root: Path, pattern: str, key_headers: set[str], base: Path | None = None) -> list[ReadResult]:
    """Every file under `root` matching `pattern`, in a stable order, named relative to `base`."""
    base = base or root
    return [
        read_table_file(p, p.relative_to(base).as_posix(), key_headers)
        for p in sorted(root.glob(pattern))
        if p.is_file() and not p.name.startswith((".", "~$"))
    ]
