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
import functools
import hashlib
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

import fastexcel
import openpyxl
import pyarrow as pa
from openpyxl.utils import column_index_from_string, get_column_letter

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


# `cell_text` of a text cell, cached: exports repeat the same ids, years, answers and file names.
_text = functools.lru_cache(maxsize=1 << 16)(normalize_text)


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
        if not any(_text(c) for c in cells):
            continue  # an empty line: nothing was typed
        row = {"source_file": display, "sheet": None, "row_number": row_number}
        row.update({name: _text(cells[i]) if i < len(cells) else None for i, name in columns.items()})
        extra = [c for c in cells[width:] if _text(c)]
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


# Whether `.xlsx` cells are read with fastexcel where it gives the same cells as openpyxl (tests
# switch it off to compare both paths on the same files).
USE_FASTEXCEL = True

_DATETIME = re.compile(r"^([-+]?\d{4,})-\d{2}-\d{2} (\d{2}:\d{2}:\d{2})(\.\d+)?$")  # as calamine writes one
# Cells calamine and openpyxl turn into different text: booleans (`true` / `True`), error and ISO-date
# cells (`t="b"`, `t="e"`, `t="d"`), and `_x000D_` escapes (calamine unescapes them in inline strings).
_UNLIKE_MARKS = (b't="b"', b't="e"', b't="d"', b"t='b'", b"t='e'", b"t='d'")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
# Numbers saved with an exponent (`2.2e-313`, which calamine reads as 0) or as integers of 16 digits
# or more (openpyxl keeps every digit, calamine a double's): openpyxl reads those sheets.
_UNLIKE_SAVED_NUMBER = re.compile(rb"<v>-?(?:[0-9.]*[eE]|[0-9]{16})")
# Numbers calamine's text does not carry as openpyxl reads them: more than 9 decimals (calamine writes
# 9), below 1e-4 (Python writes `1e-05`), 16 characters or more, or a negative zero. A sheet with one
# is read as doubles too (`_number_text`).
_LONG_SAVED_NUMBER = re.compile(rb"<v>(?:-?[0-9]*\.[0-9]{10}|-?0\.0000|-?[0-9.]{16}|-0(?:\.0*)?<)")
_UNSURE = object()  # a calamine text that may not be openpyxl's: the sheet goes to openpyxl
_FORMULA = re.compile(rb"<f[\s>/]")
_CELL = re.compile(rb"<c\b[^>]*?(?:/>|>(.*?)</c>)", re.S)
_SAVED_VALUE = re.compile(rb"<v>\s*[^<\s]")
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')


def _calamine_failed(exc: BaseException) -> bool:
    """An error, or a Rust panic in calamine (pyo3's `PanicException`, which derives from BaseException
    and is a type of its own in each extension module): either way openpyxl decides."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


class Workbook:
    """An `.xlsx` opened for its saved values, read with fastexcel (calamine, well under a millisecond a
    form) wherever its cells are known to equal openpyxl's, and with openpyxl (~10 ms) otherwise.

    A cheap look at the sheet's XML decides: cells the two libraries turn into different text (see
    `_UNLIKE_MARKS`, `_number_text`), XML that does not parse, or data beyond the sheet's declared
    size send the whole sheet to openpyxl, so what officers see reported (damaged sheet, values) is
    what openpyxl reads. A file fastexcel cannot open is left to openpyxl to accept or reject; one
    it opens is not loaded by openpyxl at all unless a sheet needs it (should openpyxl then refuse the
    file, that sheet is reported unreadable rather than the file as not a workbook).
    """

    def __init__(self, path: Path, fast: bool = True) -> None:
        self.path = path
        self._slow: openpyxl.Workbook | None = None
        self._fast = self._zip = None
        self._parts: dict[str, str] = {}
        self._shared: str | None = None
        self._members: dict[str, bytes | None] = {}
        if fast:
            try:
                data = path.read_bytes()
                self._zip = zipfile.ZipFile(io.BytesIO(data))
                self._parts, self._shared = _sheet_parts(self._zip)
                self._fast = fastexcel.read_excel(data)
            except BaseException as exc:  # not a zip, no workbook part, or calamine refuses it: openpyxl decides
                if not _calamine_failed(exc):
                    raise
                self._fast = None
        if self._fast is None:
            self._open_slow()  # raises for a file that is not a workbook
            self.sheetnames = list(self._slow.sheetnames)
        else:
            self.sheetnames = list(self._parts)

    def _open_slow(self) -> openpyxl.Workbook:
        if self._slow is None:
            self._slow = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        return self._slow

    def close(self) -> None:
        if self._slow is not None:
            self._slow.close()
        if self._zip is not None:
            self._zip.close()

    def rows(self, sheet: str) -> list[list[str | None]]:
        """Every row of a sheet as text from row 1 (as `sheet_rows`); ValueError for a damaged sheet."""
        rows = self._fast_rows(sheet) if self._fast is not None else None
        if rows is None:
            try:
                self._open_slow()
            except Exception as exc:  # calamine opened what openpyxl cannot: the sheet cannot be read alike
                raise ValueError(type(exc).__name__) from None
            rows = sheet_rows(self._slow, sheet)
        return rows

    def _member(self, name: str | None) -> bytes | None:
        """A part of the zip (read once), or None when it is missing or cannot be inflated."""
        if name not in self._members:
            try:
                self._members[name] = self._zip.read(name) if name else None
            except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
                self._members[name] = None
        return self._members[name]

    def _fast_rows(self, sheet: str) -> list[list[str | None]] | None:
        """The sheet read by fastexcel, or None where openpyxl must read it."""
        xml = self._member(self._parts.get(sheet))
        if xml is None or not _plain_sheet(xml) or _has_escapes(self._member(self._shared) or b""):
            return None
        try:
            loaded = self._fast.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
            columns = loaded.available_columns()
            offset = columns[0].absolute_index if columns else 0
            values = [array.to_pylist() for array in pa.record_batch(loaded).columns] if columns else []
            # calamine writes a number as text with at most 9 decimals (1/3: `0.333333333`): where the
            # sheet has such numbers, the same cells as doubles give what openpyxl reads.
            doubles = [[None] * len(column) for column in values]
            if _LONG_SAVED_NUMBER.search(xml) and columns:
                numbers = self._fast.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="float", eager=True)
                doubles = [array.to_pylist() for array in numbers.columns]
        except BaseException as exc:  # calamine's verdict on a sheet is not the one officers get: openpyxl's is
            if not _calamine_failed(exc):
                raise
            return None
        if sum(len(column) - column.count(None) for column in values) != _saved_values(xml):
            return None  # calamine left out a saved value (a date cell out of its range) or made one up
        height = len(values[0]) if values else 0
        dimension = _DIMENSION.search(xml)
        if dimension and (offset + len(values) > _column_number(dimension[1]) or height > int(dimension[2])):
            return None  # openpyxl (read-only) reads only the declared size: keep what it sees
        texts = []
        for column, column_doubles in zip(values, doubles, strict=True):
            text = [
                None if v is None else _calamine_text(v) if d is None else _number_text(v, d)
                for v, d in zip(column, column_doubles, strict=True)
            ]
            for i, t in enumerate(text):
                if t is _UNSURE:
                    text[i] = self._date_text(column[i], xml)
                elif t is _NUMBER_OR_TEXT:
                    text[i] = self._number_or_text(column[i], column_doubles[i], xml)
                if text[i] is _UNSURE:
                    return None
            texts.append(text)
        lead = [None] * offset
        return [[*lead, *cells] for cells in zip(*texts, strict=True)]

    def _number_or_text(self, value: str, double: float, xml: bytes) -> object:
        """A cell calamine wrote as `value` that is a number Python writes otherwise (its double is
        `double`), unless that very text was typed in a text cell: then `_UNSURE`."""
        typed = b">" + value.encode() + b"<"
        if typed in (self._member(self._shared) or b"") or b">" + value.encode() + b"</t>" in xml:
            return _UNSURE
        return cell_text(double)

    def _date_text(self, value: str, xml: bytes) -> object:
        """A date cell as openpyxl's `cell_text` writes it (midnight: the ISO date); `_UNSURE` when it may
        be text typed that way, a time or a duration (calamine writes those from 1899-12-31 on), or a
        number calamine and openpyxl write differently."""
        match = _DATETIME.match(value)
        if match is None:
            return _UNSURE
        typed = value.encode()
        # Before 1950: a duration (`[h]:mm`) or a time rather than a date; after 9999: not a date to
        # Python. Both too rare to matter here.
        if not 1950 <= int(match[1]) <= 9999 or match[3]:
            return _UNSURE
        if typed in xml or typed in (self._member(self._shared) or b""):
            return _UNSURE
        return value[:10] if match[2] == "00:00:00" else value

    def layout(self, sheet: str) -> SheetLayout:
        """The sheet's formula cells without saved values and merged ranges across rows: read from its
        XML when it has neither (the common form), from openpyxl when it has one of them."""
        xml = self._member(self._parts.get(sheet)) if self._fast is not None else None
        if xml is None or _has_empty_formula(xml):
            return sheet_layout(self.path, sheet)
        merged = tuple(_merges(xml))
        if any(m[2] > m[0] for m in merged):
            return sheet_layout(self.path, sheet)
        return SheetLayout(frozenset(), merged)


def _sheet_parts(archive: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    """Sheet name → its part in the zip, in the workbook's order, and the shared strings' part (from
    workbook.xml and its relationships)."""
    return _parse_parts(archive.read("xl/workbook.xml"), archive.read("xl/_rels/workbook.xml.rels"))


@functools.lru_cache(maxsize=256)
def _parse_parts(workbook_xml: bytes, rels_xml: bytes) -> tuple[dict[str, str], str | None]:
    """Cached on the parts' bytes: the forms one tool writes share them."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    book = ElementTree.fromstring(workbook_xml)
    rels = ElementTree.fromstring(rels_xml)
    targets = {r.get("Id"): _part_name(r.get("Target", "")) for r in rels}
    parts = {
        node.get("name"): targets.get(node.get(f"{{{rel_ns}}}id")) for node in book.iterfind("m:sheets/m:sheet", ns)
    }
    shared = next((_part_name(r.get("Target", "")) for r in rels if r.get("Type", "").endswith("/sharedStrings")), None)
    return parts, shared


def _part_name(target: str) -> str:
    """A relationship target of workbook.xml as a zip member name."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


_NUMBER_OR_TEXT = object()  # calamine's text of a number, or a text typed exactly so: the file decides


@functools.lru_cache(maxsize=1 << 16)
def _number_text(value: str, double: float) -> object:
    """`cell_text` of a cell calamine wrote as `value` and reads as the number `double`.

    A number cell: calamine writes it with at most 9 decimals (`0.333333333`, and 1.4500000001 as
    `1.45`), openpyxl reads the double (`cell_text`: `0.3333333333333333`). A text cell that reads as
    a number (`1.450`, ` 7 `): openpyxl keeps the text. Where the double's text and the cell's text
    differ, calamine's way of writing that double (`_nine`) tells which it was, unless someone typed
    exactly that as text (`_NUMBER_OR_TEXT`: the file is looked at)."""
    as_number, as_text = cell_text(double), _text(value)
    if as_number == as_text:
        return as_text
    return _NUMBER_OR_TEXT if value == _nine(double) else as_text


def _nine(double: float) -> str:
    """A double as calamine writes it as text: 9 decimals, trailing zeros dropped."""
    return f"{double:.9f}".rstrip("0").rstrip(".") or "0"


@functools.lru_cache(maxsize=1 << 16)
def _calamine_text(value: str) -> object:
    """`cell_text` of a cell calamine wrote as `value` that is not a number; `_UNSURE` for a date
    (`_date_text` decides). Cached: forms repeat the same titles, codes and names."""
    if (value[:1].isdigit() or value[:1] in "-+") and _DATETIME.match(value):
        return _UNSURE
    return _text(value)


def _saved_values(xml: bytes) -> int:
    """How many cells of the sheet's XML have a saved value (a `<v>` that is not empty, or inline text)."""
    return xml.count(b"<v>") - xml.count(b"<v></v>") + xml.count(b"<is>")


def _has_escapes(xml: bytes) -> bool:
    return b"_x" in xml and _ESCAPE.search(xml) is not None


def _plain_sheet(xml: bytes) -> bool:
    """Well-formed sheet XML in the default namespace, with no cell the libraries read differently."""
    head = xml[:4096]
    if (b"<worksheet>" not in head and b"<worksheet " not in head) or any(m in xml for m in _UNLIKE_MARKS):
        return False
    if _has_escapes(xml) or _UNLIKE_SAVED_NUMBER.search(xml):
        return False
    try:
        expat.ParserCreate().Parse(xml, True)
    except expat.ExpatError:
        return False
    return True


def _has_empty_formula(xml: bytes) -> bool:
    """A cell with a formula and no saved value (a workbook saved by a tool that does not calculate)."""
    if not _FORMULA.search(xml):
        return False
    # A saved value of spaces is blank to `cell_text` too.
    return any(body and _FORMULA.search(body) and not _SAVED_VALUE.search(body) for body in _CELL.findall(xml))


def _merges(xml: bytes) -> Iterator[tuple[int, int, int, int]]:
    for m in _MERGE.finditer(xml):
        first_col, first_row = _column_number(m[1]), int(m[2])
        last_col, last_row = (_column_number(m[3]), int(m[4])) if m[3] else (first_col, first_row)
        yield first_row, first_col, last_row, last_col


def _column_number(letters: bytes) -> int:
    return column_index_from_string(letters.decode())


@contextmanager
def open_workbook(path: Path, display: str) -> Iterator[tuple[Workbook | None, dict | None]]:
    """The workbook (values as last saved), closed afterwards; or None and a `not_a_spreadsheet` record."""
    try:
        workbook = Workbook(path, fast=USE_FASTEXCEL)
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


def find_sheet(workbook: Workbook, wanted: str, display: str) -> tuple[str | None, dict | None]:
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
    """Every row of a sheet as text (openpyxl); raises ValueError when the sheet's XML is damaged."""
    try:
        return [[cell_text(c) for c in cells] for cells in workbook[sheet].iter_rows(values_only=True)]
    except Exception as exc:  # a damaged sheet inside a valid workbook: lxml, zip or openpyxl errors
        raise ValueError(type(exc).__name__) from None


def read_sheet(path: Path, display: str, wanted: str) -> tuple[str, list[list[str | None]]] | ReadResult:
    """The named sheet of a workbook as text rows, or the result that says why it cannot be read
    (not a workbook, no such sheet, a damaged sheet)."""
    read = read_sheet_layout(path, display, wanted, layout=False)
    return read if isinstance(read, ReadResult) else read[:2]


def read_sheet_layout(
    path: Path, display: str, wanted: str, layout: bool = True
) -> tuple[str, list[list[str | None]], SheetLayout | None] | ReadResult:
    """`read_sheet`, and the sheet's layout (formulas without values, merged ranges) from the same
    opened file, for readers that flag what values alone hide."""
    with open_workbook(path, display) as (workbook, problem):
        if workbook is None:
            return ReadResult(display, file_sha256(path), problem=problem)
        sheet, problem = find_sheet(workbook, wanted, display)
        if sheet is None:
            return ReadResult(display, file_sha256(path), problem=problem)
        try:
            rows = workbook.rows(sheet)
        except ValueError as exc:
            return unreadable_sheet(path, display, sheet, str(exc))
        return sheet, rows, (workbook.layout(sheet) if layout else None)


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

    @functools.cached_property
    def hides_values(self) -> bool:
        """Whether any cell can hide a value: a formula cell, or a merge across rows."""
        return bool(self.formulas) or any(m[2] > m[0] for m in self.merged)

    def merge_over(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        """The merged range spanning several rows that covers the cell, if any."""
        return next((m for m in self.merged if m[0] <= row <= m[2] and m[1] <= col <= m[3] and m[2] > m[0]), None)


def sheet_layout(path: Path, sheet: str) -> SheetLayout:
    """Formula cells and merged ranges as openpyxl reads them (a full load, ~10 ms a form)."""
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
    if not layout.hides_values:
        return
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
                rows = workbook.rows(sheet)
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
