"""Property: corrupting any one cell of a unit's form never stops staging and never changes another
unit's staged scores (the way in isolates each file; docs/data-quality.md)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.ingest.source import raw_frames, read_source, stage_source
from models.par.sources import SUBMISSIONS
from tests.e2e_helpers import write_form

YEAR = 2024
# A cell's new content: what officers and broken tools really leave in a cell.
JUNK = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from(["NaN", "1.450", "1,5", "KAD", "=1/0", "=D10*2", "2O24", "S02", "Sở Tư pháp", "#REF!", "-0"]),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)


def _leaves(scope: dict[str, pl.DataFrame]) -> list[tuple]:
    criteria = scope["staging.criteria"].filter(
        (pl.col("ruleset_id") == "hung-yen-1708-2021")
        & (pl.col("unit_group") == "department")
        & (pl.col("method") == "appraised")
    )
    return [
        (r["code"], r["title"], r["max_points"], r["max_points"] / 2) for r in criteria.head(8).iter_rows(named=True)
    ]


def _stage(raw: Path, scope: dict[str, pl.DataFrame]) -> pl.DataFrame:
    results = read_source(SUBMISSIONS, raw)
    rows, files = raw_frames(results)
    outcome = stage_source(SUBMISSIONS, rows.to_dicts(), files, scope)
    b = outcome.balance
    assert b["rows_in"] == b["rows_staged"] + b["rows_quarantined"] + b["rows_set_aside"]
    return outcome.tables["staging.submissions"].drop("source_file", "source_row", "sheet")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(min_value=1, max_value=20), column=st.integers(min_value=1, max_value=7), value=JUNK)
def test_one_corrupted_cell_never_stops_staging_nor_touches_another_unit(sample_scope, row, column, value):
    leaves = _leaves(sample_scope)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        folder = raw / "submissions" / str(YEAR)
        write_form(folder / "S01.xlsx", "S01", "Sở Nội vụ", YEAR, leaves)
        write_form(folder / "S02.xlsx", "S02", "Sở Tư pháp", YEAR, leaves)
        clean = _stage(raw, sample_scope)
        wb = openpyxl.load_workbook(folder / "S01.xlsx")
        for merged in [
            m
            for m in wb.active.merged_cells.ranges
            if m.min_row <= row <= m.max_row and m.min_col <= column <= m.max_col
        ]:
            wb.active.unmerge_cells(str(merged))  # a title cell typed over
        wb.active.cell(row, column).value = value
        wb.save(folder / "S01.xlsx")
        corrupted = _stage(raw, sample_scope)
    other = pl.col("unit_id") == "S02"
    assert corrupted.filter(other).equals(clean.filter(other))
