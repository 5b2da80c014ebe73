"""`.xlsx` cells read with fastexcel must be the cells openpyxl reads (issue 13, part 3).

Each test reads the same files twice, with the fast path and with openpyxl alone
(`readers.USE_FASTEXCEL = False`), and compares what staging would receive: the reference is
openpyxl's reading, never the fast path's own output."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.ingest import readers
from models.par.forms import read_xlsx_form
from tests.e2e_helpers import write_form

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FORMS = sorted((ROOT / "data" / "raw" / "submissions").rglob("*.xlsx"))
SAMPLE_WORKBOOKS = sorted(p for p in (ROOT / "data" / "raw").rglob("*.xlsx") if "submissions" not in p.parts)
BROKEN_FORMS = sorted((ROOT / "tests" / "fixtures" / "broken_inputs" / "submissions").rglob("*.xlsx"))


def _both(monkeypatch, read, *args):
    """`read(*args)` with the fast path, then with openpyxl alone."""
    fast = read(*args)
    monkeypatch.setattr(readers, "USE_FASTEXCEL", False)
    slow = read(*args)
    monkeypatch.setattr(readers, "USE_FASTEXCEL", True)
    return fast, slow


def _form(path: Path) -> tuple:
    result = read_xlsx_form(path, path.name)
    return result.rows, result.problem, result.sha256


def _sheets(path: Path) -> object:
    """Every sheet's rows as text (trailing blank cells and rows dropped: openpyxl pads to the sheet's
    declared size, which carries no value), or the record that rejects the file."""
    with readers.open_workbook(path, path.name) as (workbook, problem):
        if workbook is None:
            return problem
        out = {}
        for sheet in workbook.sheetnames:
            try:
                rows = [_trim(r) for r in workbook.rows(sheet)]
            except ValueError as exc:
                out[sheet] = f"unreadable: {exc}"
                continue
            while rows and not rows[-1]:
                rows.pop()
            out[sheet] = rows
        return workbook.sheetnames, out


def _trim(cells: list) -> list:
    cells = list(cells)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


@pytest.mark.parametrize("path", SAMPLE_FORMS + BROKEN_FORMS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_and_openpyxl_give_the_same_form_rows(monkeypatch, path):
    fast, slow = _both(monkeypatch, _form, path)
    assert fast == slow


@pytest.mark.parametrize("path", SAMPLE_WORKBOOKS + BROKEN_FORMS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_and_openpyxl_give_the_same_cells_on_every_sheet(monkeypatch, path):
    fast, slow = _both(monkeypatch, _sheets, path)
    assert fast == slow


def test_the_sample_forms_are_read_without_openpyxl(monkeypatch):
    """The bundled forms (title merges on one row, no formulas) take the fast path for values and layout."""

    def refuse(*args):
        raise AssertionError("openpyxl used")

    monkeypatch.setattr(readers, "sheet_rows", refuse)
    monkeypatch.setattr(readers, "sheet_layout", refuse)
    monkeypatch.setattr(readers.openpyxl, "load_workbook", refuse)
    assert all(read_xlsx_form(p, p.name).rows for p in SAMPLE_FORMS)


def test_cells_the_libraries_write_differently_are_read_as_openpyxl_reads_them(monkeypatch, tmp_path):
    """Booleans, errors, tiny numbers, long integers, times, durations and dates out of range go to
    openpyxl; numbers with more decimals than calamine writes are read as doubles; a date cell is the
    ISO date either way."""
    path = tmp_path / "types.xlsx"
    write_form(path, "U1", "Sở A", 2023, [("1.1", "T", 20, 5), ("1.2", "T", 20, 1.45)])
    cases = {
        "date": dt.datetime(2023, 12, 10),
        "datetime": dt.datetime(2023, 12, 10, 10, 30),
        "time": dt.time(10, 30),
        "duration": dt.timedelta(hours=30),
        "bool": True,
        "tiny": 0.00001,
        "long": 12345678901234567,
        "escape": "a_x000D_b",
        "third": 1 / 3,  # calamine writes `0.333333333`
        "many_decimals": 1.4500000001,  # calamine writes `1.45`
        "negative_zero": -0.0,
        "typed_like_calamine": "0.333333333",
        "date_out_of_range": (dt.date(2000, 1, 1), 2958466),  # a date cell past 9999: calamine panics
        "date_far_out_of_range": (dt.date(2000, 1, 1), 95051806),  # calamine reads no value
    }
    for name, value in cases.items():
        wb = openpyxl.load_workbook(path)
        for cell in ("B6", "E9"):  # `Ngày lập:` and the evidence of criterion 1.1
            for v in value if isinstance(value, tuple) else (value,):  # a date's style, then the value
                wb.active[cell] = v
        wb.save(tmp_path / f"{name}.xlsx")
        fast, slow = _both(monkeypatch, _form, tmp_path / f"{name}.xlsx")
        assert fast == slow, name
    rows = read_xlsx_form(tmp_path / "date.xlsx", "date.xlsx").rows
    assert rows[0]["submitted_at"] == "2023-12-10"


def test_a_sheet_calamine_would_half_read_is_reported_as_openpyxl_reports_it(monkeypatch, tmp_path):
    """calamine reads on past a sheet cut short near its end; openpyxl (and so the reader) refuses it."""
    good = tmp_path / "good.xlsx"
    write_form(good, "U1", "Sở A", 2023, [("1.1", "T", 20, 5)])
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(cut, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data[:-30] if item.filename == "xl/worksheets/sheet1.xml" else data)
    fast, slow = _both(monkeypatch, _form, cut)
    assert fast == slow and fast[1]["rule"] == "unreadable_sheet"


def test_a_score_merged_over_rows_or_a_formula_without_value_is_flagged_on_both_paths(monkeypatch, tmp_path):
    path = tmp_path / "f.xlsx"
    write_form(path, "U1", "Sở A", 2023, [("1.1", "T", 20, 5), ("1.2", "T", 20, "=C10*0.9"), ("2.1", "T", 30, 7),
                                          ("2.2", "T", 10, None)])  # fmt: skip
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("D11:D12")
    wb.save(path)
    fast, slow = _both(monkeypatch, _form, path)
    assert fast == slow
    flags = {r["row_number"]: r.get(readers.FLAG, "").split("|")[0] for r in fast[0]}
    assert flags == {9: "", 10: "formula_without_value", 11: "merged_cells", 12: "merged_cells"}


CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.integers(min_value=-(10**17), max_value=10**17),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e20, max_value=1e20),
    st.floats(min_value=-100, max_value=100).map(lambda x: round(x, 10)),  # scores with many decimals
    st.fractions(min_value=0, max_value=30, max_denominator=12).map(float),  # `=20/3` saved as a value
    st.booleans(),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 12, 31)),
    st.sampled_from(["1.450", "7,5", "KAD", "2023-12-10 00:00:00", "a_x000D_b", " 5 ", "=1+1", "=20/3"]),
    # text typed the way calamine writes numbers: kept as typed, as openpyxl keeps it
    st.sampled_from(["0.00001", "0.333333333", "1.45", "12345678901234567", "100000000000000.203125"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(CELLS, CELLS, CELLS), min_size=1, max_size=4))
def test_any_typed_cell_reads_the_same_on_both_paths(monkeypatch, tmp_path, cells):
    """Whatever an officer types in the score, evidence and date cells (text, numbers of any size,
    booleans, dates, date-times, formulas), the fast path gives openpyxl's rows."""
    path = tmp_path / "any.xlsx"
    write_form(path, "U1", "Sở A", 2023, [(f"1.{i}", "T", 20, None) for i in range(1, len(cells) + 1)])
    wb = openpyxl.load_workbook(path)
    for i, (score, evidence, day) in enumerate(cells):
        wb.active.cell(9 + i, 4, score)
        wb.active.cell(9 + i, 5, evidence)
        wb.active["B6"] = day
    wb.save(path)
    fast, slow = _both(monkeypatch, _form, path)
    assert fast == slow
