"""The contract rules of the way in, one by one, on real files written the way officers' exports come
(docs/data-quality.md). Each test writes the file, reads it with the source's declared reader and
stages it where the rule lives in staging; expected rules and messages come from the contract."""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from models.ingest.readers import FLAG, Header, find_files, read_csv
from models.ingest.records import RowProblem
from models.ingest.source import Source, Staged, raw_frames, read_source, stage_rows, stage_source
from models.ingest.values import number, parse_date, whole, year
from models.par.forms import read_xlsx_form
from models.par.sources import APPRAISALS, SUBMISSIONS
from tests.e2e_helpers import write_form

HEADER = Header(required=(("unit_id", "unit_name"), ("year",), ("score",)), optional=("note",))


def _csv(tmp_path: Path, text: str, name: str = "x.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ------------------------------------------------------------------------------------------ header


@pytest.mark.parametrize(
    ("header", "rule", "column"),
    [
        ("unit_id,year,note", "missing_column", "score"),
        ("unit_id,year,score,Score", "duplicate_column", "score"),
        ("unit_id,year,score,source_file", "reserved_column", "source_file"),
    ],
)
def test_a_broken_header_is_one_record_for_the_whole_file_never_rows_of_blanks(tmp_path, header, rule, column):
    path = _csv(tmp_path, f"{header}\nU1,2023,5,a\nU2,2023,6,b\n")
    result = read_csv(path, "x.csv", HEADER)
    assert result.rows == []
    assert (result.problem["rule"], result.problem["column_name"]) == (rule, column)
    assert result.problem["message"].startswith("x.csv: ") and "2 dòng dữ liệu" in result.problem["message"]


def test_unknown_extra_columns_are_ignored_and_a_name_or_id_is_enough(tmp_path):
    result = read_csv(_csv(tmp_path, "unit_name,year,score,ghi chú riêng\nSở A,2023,5,x\n"), "x.csv", HEADER)
    assert result.problem is None
    assert result.rows == [{"source_file": "x.csv", "sheet": None, "row_number": 2, "unit_name": "Sở A",
                            "year": "2023", "score": "5"}]  # fmt: skip


# ------------------------------------------------------------------------------- encoding, separator


def test_utf8_with_or_without_bom_and_utf16_are_read_alike(tmp_path):
    text = "unit_id,year,score,note\nU1,2023,5,Giải trình đầy đủ\n"
    plain = read_csv(_csv(tmp_path, text, "a.csv"), "a.csv", HEADER).rows[0]
    bom = read_csv(_csv(tmp_path, "\ufeff" + text, "b.csv"), "b.csv", HEADER).rows[0]
    # Excel's "Unicode text": UTF-16 with its BOM, tab-separated.
    utf16 = read_csv(_csv(tmp_path, text.replace(",", "\t"), "c.csv", "utf-16"), "c.csv", HEADER).rows[0]
    assert plain["note"] == bom["note"] == utf16["note"] == "Giải trình đầy đủ"


def test_a_legacy_encoding_is_one_record_saying_how_to_save_it(tmp_path):
    text = unicodedata.normalize("NFD", "unit_id,year,score,note\nU1,2023,5,Giải trình\n")
    path = _csv(tmp_path, text, encoding="cp1258")
    result = read_csv(path, "x.csv", HEADER)
    assert result.rows == [] and result.problem["rule"] == "bad_encoding"
    assert "CSV UTF-8" in result.problem["message"]


def test_semicolon_and_tab_separated_files_are_read_as_such(tmp_path):
    for sep in (";", "\t"):
        path = _csv(tmp_path, f"unit_id{sep}year{sep}score\nU1{sep}2023{sep}5,5\n")
        rows = read_csv(path, "x.csv", HEADER).rows
        assert rows[0]["unit_id"] == "U1" and rows[0]["score"] == "5,5"


def test_cells_beyond_the_header_flag_the_row(tmp_path):
    rows = read_csv(_csv(tmp_path, "unit_id,year,score\nU1,2023,5,thừa\n"), "x.csv", HEADER).rows
    assert rows[0][FLAG].startswith("extra_columns|")


# ------------------------------------------------------------------------------------------ numbers


def _num(value: object, **kw) -> float | None:
    return number({"x": value}, "x", **kw)


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-Infinity", "1e400"])
def test_only_finite_numbers_pass(text):
    with pytest.raises(RowProblem) as info:
        _num(text)
    assert info.value.rule == "not_a_number"


def test_a_thousands_or_decimal_separator_is_resolved_only_where_one_reading_fits():
    assert _num("1.450", kind="score", maximum=20) == 1.45  # 1450 is above the leaf's max
    assert _num("1.450", kind="count") == 1450  # a count is whole: 1,45 people cannot be
    assert _num("12,5", kind="pct") == 12.5  # two digits after the comma: not ambiguous
    assert _num("0.375") == _num("0,375") == 0.375  # no thousands group starts with 0
    assert _num("1.234.567") == 1234567 and _num("1.234,5") == 1234.5
    for kw in ({"kind": "amount"}, {"kind": "score", "maximum": 2000}, {"kind": "count"}):
        with pytest.raises(RowProblem) as info:
            _num("1.000" if kw.get("kind") == "count" else "1.450", **kw)
        assert info.value.rule == "ambiguous_number"
        assert "hãy ghi rõ" in info.value.message


def test_a_fractional_count_is_quarantined():
    with pytest.raises(RowProblem) as info:
        whole({"respondents": "12,5"}, "respondents")
    assert info.value.rule == "bad_count"
    assert whole({"respondents": "1.200"}, "respondents") == 1200


def test_years_and_dates_as_officers_type_them():
    assert year({"year": "2.023"}) == 2023
    with pytest.raises(RowProblem):
        year({"year": "23"})
    assert parse_date(dt.datetime(2023, 12, 10)) == dt.date(2023, 12, 10)
    assert parse_date(45270) == parse_date("45270") == dt.date(2023, 12, 10)  # a date cell's serial number
    assert parse_date("10.12.2023") == parse_date("2023-12-10") == dt.date(2023, 12, 10)
    with pytest.raises(ValueError):
        parse_date(12)


# ----------------------------------------------------------------------------------------- workbooks


def test_a_damaged_sheet_is_one_record_and_does_not_stop_the_reader(tmp_path):
    good = tmp_path / "good.xlsx"
    write_form(good, "U1", "Sở A", 2023, [("1.1", "T", 20, 5)])
    broken = tmp_path / "hong.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of the XML
            dst.writestr(item, data)
    result = read_xlsx_form(broken, "hong.xlsx")
    assert result.rows == [] and result.problem["rule"] == "unreadable_sheet"
    assert result.problem["sheet"] == "Tự đánh giá" and "lưu lại" in result.problem["message"]


def test_formulas_without_values_and_merged_score_cells_are_flagged_not_blank(tmp_path):
    path = tmp_path / "f.xlsx"
    write_form(path, "U1", "Sở A", 2023, [("1.1", "T", 20, 5), ("1.2", "T", 20, "=C10*0.9"), ("2.1", "T", 30, 7),
                                          ("2.2", "T", 10, None)])  # fmt: skip
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("D11:D12")  # one score typed over two criteria
    wb.active["B6"] = dt.datetime(2023, 12, 10)  # `Ngày lập:` as a real date cell
    wb.save(path)
    rows = {r["row_number"]: r for r in read_xlsx_form(path, "f.xlsx").rows}
    assert FLAG not in rows[9] and rows[9]["self_score"] == "5"
    assert rows[10][FLAG].startswith("formula_without_value|self_score|Ô Điểm tự đánh giá D10")
    assert rows[11][FLAG].startswith("merged_cells|") and rows[12][FLAG].startswith("merged_cells|")
    assert "D11:D12" in rows[12][FLAG]
    assert rows[9]["submitted_at"] == "2023-12-10"


def test_every_row_a_reader_sees_reaches_raw_and_links_out_of_the_folder_are_not_read(tmp_path):
    raw = tmp_path / "raw"
    (raw / "submissions" / "2023").mkdir(parents=True)
    outside = tmp_path / "bi_mat.csv"
    outside.write_text("unit_id,year,criterion_code,self_score\nU1,2023,1.1,5\n", encoding="utf-8")
    (raw / "submissions" / "2023" / "lien_ket.csv").symlink_to(outside)
    (raw / "submissions" / "2023" / "gay.csv").symlink_to(tmp_path / "khong_co.csv")  # a broken link
    (raw / "submissions" / "2023" / "~$U1.xlsx").write_bytes(b"lock")  # Excel's lock file: not an input
    files, outside_records = find_files(raw, ("submissions/**/*",))
    assert files == []
    assert [(r["source_file"], r["rule"]) for r in outside_records] == [
        ("submissions/2023/gay.csv", "outside_raw_folder"),
        ("submissions/2023/lien_ket.csv", "outside_raw_folder"),
    ]
    results = read_source(SUBMISSIONS, raw)
    assert [r.problem["rule"] for r in results] == ["outside_raw_folder", "outside_raw_folder"]


# ------------------------------------------------------------------------------------- row balance


def test_row_balance_is_computed_from_what_staging_did_not_declared():
    """A parser that loses a row cannot pass: rows in must equal staged + set aside + quarantined."""
    rows = [{"source_file": "a.csv", "sheet": None, "row_number": n, "v": str(n)} for n in (2, 3, 4, 5)]

    def parse(raw: dict) -> dict | None:
        if raw["v"] == "3":
            raise RowProblem("v", "bad", "sai")
        return None if raw["v"] == "4" else {"v": raw["v"], "source_file": raw["source_file"],
                                             "source_row": raw["row_number"]}  # fmt: skip

    schema = {"v": pl.String, "source_file": pl.String, "source_row": pl.Int64}
    honest = Source("t", "test", "", (), lambda p, d: None, lambda r, i: stage_rows(r, schema, parse))
    files = raw_frames([])[1]
    b = stage_source(honest, rows, files, {}).balance
    assert (b["rows_in"], b["rows_staged"], b["rows_quarantined"], b["rows_set_aside"]) == (4, 2, 1, 1)

    def lossy(raw_rows, inputs):  # drops row 5 silently
        staged = stage_rows(raw_rows, schema, parse)
        return Staged(staged.rows.filter(pl.col("source_row") != 5), staged.quarantine, staged.set_aside)

    b = stage_source(Source("t", "test", "", (), lambda p, d: None, lossy), rows, files, {}).balance
    assert b["rows_in"] != b["rows_staged"] + b["rows_quarantined"] + b["rows_set_aside"]


def test_two_decisions_of_one_round_and_date_with_different_scores_are_a_conflict(sample_scope):
    base = {"source_file": "appraisals.csv", "sheet": None, "year": "2024", "unit_id": "S01", "round": "thẩm định",
            "criterion_code": "1.1.1", "decision_date": "20/12/2024", "agency": "Sở Nội vụ"}  # fmt: skip
    rows = [{**base, "row_number": 2, "score": "1"}, {**base, "row_number": 3, "score": "0,5"},
            {**base, "row_number": 4, "score": "1", "criterion_code": "1.1.2"},
            {**base, "row_number": 5, "score": "1", "criterion_code": "1.1.2"}]  # fmt: skip
    staged = APPRAISALS.parse(rows, sample_scope)
    # Rows 4 and 5 agree (a decision recorded twice): no conflict.
    assert staged.rows.select("leaf_code", "source_row").rows() == [("1.1.2", 4), ("1.1.2", 5)]
    q = staged.quarantine
    assert q.select("row_number", "rule").rows() == [(2, "conflicting_decisions"), (3, "conflicting_decisions")]
    expected = "appraisals.csv, dòng 2, cột Điểm: Hai quyết định cùng vòng thẩm định, cùng ngày 20/12/2024"
    assert q["message"][0].startswith(expected)


def test_forms_are_read_and_written_in_batches_with_nothing_lost_or_doubled(tmp_path, monkeypatch):
    """The raw step writes a few files at a time (memory holds one batch): the table is the same as
    reading every file at once, and reading again replaces the year's rows rather than adding to them."""
    import dagster as dg
    import duckdb

    import assets.ingest
    from tests.e2e_helpers import run_job

    broken = Path(__file__).resolve().parent / "fixtures" / "broken_inputs"
    monkeypatch.setattr(assets.ingest, "READ_BATCH", 3)
    selection = [dg.AssetKey(["raw", "submissions"]), dg.AssetKey(["raw", "submissions_files"])]
    instance = dg.DagsterInstance.ephemeral()
    for _ in range(2):
        assert run_job(broken, tmp_path / "curated", selection, instance).success
    rows, files = raw_frames(read_source(SUBMISSIONS, broken))
    with duckdb.connect(str(tmp_path / "curated" / ".working" / "warehouse.duckdb"), read_only=True) as conn:
        written = conn.sql("SELECT * FROM raw.submissions").pl()
        written_files = conn.sql("SELECT * FROM raw.submissions_files").pl()
    assert files.height > 3 * 3  # several batches
    key = ["source_file", "row_number"]
    assert written.select(rows.columns).sort(key, nulls_last=True).equals(rows.sort(key, nulls_last=True))
    assert written_files.sort("source_file").equals(files.sort("source_file"))
