"""Checks of the committed synthetic sample in data/raw/, independent of any chiso code.

The scoring below is a deliberately small re-implementation of docs/inputs.md with exact fractions:
final score of a leaf = latest appeal, else latest appraisal, else self score; survey points =
satisfied_pct / 100 x max; total = appraised + survey + bonus - penalty.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import unicodedata
from collections import defaultdict
from datetime import date, datetime
from fractions import Fraction
from functools import cache
from itertools import combinations
from pathlib import Path

import openpyxl
import pytest

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
FRAMEWORK = RAW / "frameworks" / "hung-yen-1708-2021"
SHEET = "Tự đánh giá"
NOT_APPLICABLE = {"không áp dụng", "kad"}


def fold(text: object) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def number(value: object) -> Fraction:
    if isinstance(value, int | float):
        return Fraction(str(value))
    text = fold(value).replace(" ", "")
    if "," in text and "." in text:  # the last separator is the decimal one
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    return Fraction(text.replace(",", "."))


def parse_date(text: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(text)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def units() -> dict[str, dict[str, str]]:
    return {row["unit_id"]: row for row in read_csv(RAW / "units.csv")}


@cache
def leaves(group: str) -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in read_csv(FRAMEWORK / f"{group}.csv") if r["method"].strip()}


def years() -> list[int]:
    """Tỉnh Mẫu's years: those with its forms (the other samples sit in `submissions/<year>/<province>/`)."""
    return sorted(
        int(p.name)
        for p in (RAW / "submissions").iterdir()
        if p.is_dir() and p.name.isdigit() and any(p.glob("*.xlsx"))
    )


@cache
def read_form(path: Path) -> tuple[dict[str, str], dict[str, object]]:
    """(labelled cells, leaf code -> raw self score) of one self-assessment workbook."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[SHEET]
        labels: dict[str, str] = {}
        scores: dict[str, object] = {}
        in_table = False
        for row in ws.iter_rows(values_only=True):
            first = fold(row[0]) if row and row[0] is not None else ""
            if not in_table:
                if first == "Mã tiêu chí":
                    in_table = True
                elif first.endswith(":") and len(row) > 1:
                    labels[first] = fold(row[1]) if row[1] is not None else ""
                continue
            if first:
                scores[first] = row[3] if len(row) > 3 else None
        return labels, scores
    finally:
        wb.close()


def self_score(raw: object) -> Fraction | None:
    """None when the leaf does not apply; a blank counts 0."""
    if raw is None or fold(raw) == "":
        return Fraction(0)
    if fold(raw).lower() in NOT_APPLICABLE:
        return None
    return number(raw)


@cache
def decided() -> dict[tuple[int, str, str], Fraction]:
    rows = defaultdict(list)
    for r in read_csv(RAW / "appraisals.csv"):
        rows[(int(r["year"]), r["unit_id"], r["criterion_code"])].append(r)
    out = {}
    for key, found in rows.items():
        for rnd in ("appeal", "appraisal"):
            same = [r for r in found if r["round"] == rnd]
            if same:
                out[key] = number(max(same, key=lambda r: parse_date(r["decision_date"]))["score"])
                break
    return out


@cache
def surveys() -> dict[tuple[int, str, str], Fraction]:
    return {
        (int(r["year"]), r["unit_id"], r["criterion_code"]): number(r["satisfied_pct"])
        for r in read_csv(RAW / "survey_results.csv")
    }


def department_result(year: int, unit_id: str) -> tuple[Fraction, Fraction, Fraction, list[str]]:
    """(total, max of applicable leaves, tiebreak sum, not-applicable leaves) of a department."""
    _, raw_scores = read_form(RAW / "submissions" / str(year) / f"{unit_id}.xlsx")
    total = max_points = tiebreak = Fraction(0)
    na = []
    for code, leaf in leaves("department").items():
        method, leaf_max = leaf["method"], number(leaf["max_points"])
        if method == "survey":
            pct = surveys().get((year, unit_id, code))
            value = None if pct is None else pct / 100 * leaf_max
        elif (year, unit_id, code) in decided():
            value = decided()[(year, unit_id, code)]
        else:
            value = self_score(raw_scores.get(code))
        if value is None:
            na.append(code)
            continue
        if method in ("appraised", "survey"):
            total += value
            max_points += leaf_max
        elif method == "bonus":
            total += value
        elif method == "penalty":
            total -= value
        if leaf["tiebreak"].strip() == "có":
            tiebreak += value
    return total, max_points, tiebreak, na


def test_province_is_marked_synthetic():
    rows = read_csv(RAW / "provinces.csv")
    assert [r["province_code"] for r in rows] == ["MAU"]
    assert rows[0]["synthetic"] == "có" and "tổng hợp" in rows[0]["province_name"]


def test_unit_counts_and_parents():
    by_group = defaultdict(list)
    for unit in units().values():
        by_group[unit["unit_group"]].append(unit)
    assert len(by_group["department"]) >= 15
    assert len(by_group["district"]) >= 8
    assert len(by_group["commune"]) >= 60
    districts = {u["unit_id"] for u in by_group["district"]}
    assert all(u["parent_unit_id"] in districts for u in by_group["commune"])
    assert all(u["parent_unit_id"] == "" for u in by_group["department"] + by_group["district"])


def test_three_consecutive_years_with_every_unit():
    found = years()
    assert len(found) >= 3 and found == list(range(found[0], found[0] + len(found)))
    for year in found:
        folder = RAW / "submissions" / str(year)
        forms = {p.stem for p in folder.glob("*.xlsx")}
        expected = {uid for uid, u in units().items() if u["unit_group"] in ("department", "district")}
        assert forms == expected, year
        communes = {r["unit_id"] for p in folder.glob("*.csv") for r in read_csv(p)}
        assert communes == {uid for uid, u in units().items() if u["unit_group"] == "commune"}, year


@pytest.mark.parametrize("year", years())
def test_every_form_opens_with_its_labels(year):
    for path in sorted((RAW / "submissions" / str(year)).glob("*.xlsx")):
        labels, scores = read_form(path)
        assert labels["Mã đơn vị:"] == path.stem
        assert labels["Tên đơn vị:"] == fold(units()[path.stem]["unit_name"])
        assert labels["Năm đánh giá:"] == str(year)
        parse_date(labels["Ngày lập:"])
        group = units()[path.stem]["unit_group"]
        assert set(leaves(group)) <= set(scores), path


def test_engineered_tie_exists():
    year = years()[-1]
    results = {
        uid: department_result(year, uid) for uid, u in sorted(units().items()) if u["unit_group"] == "department"
    }
    ties = [
        (a, b)
        for a, b in combinations(results, 2)
        if results[a][0] == results[b][0]  # exact totals (fractions)
        and results[a][1] == results[b][1]
        and not results[a][3]
        and not results[b][3]
        and results[a][2] != results[b][2]  # the tiebreak leaves decide
    ]
    assert ties, {uid: float(r[0]) for uid, r in results.items()}


OTHER_SOURCES = {"frameworks", "evidence", "bonus_penalty", "surveys", "plan", "statistics"}


def test_sample_is_what_the_generator_writes(tmp_path):
    """The committed files are byte-identical to a fresh, deterministic run of scripts/make_sample.py."""
    subprocess.run(
        [sys.executable, "-m", "scripts.make_sample", "--out", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(RAW)
        for p in RAW.rglob("*")
        # Folders with their own generator or written by hand: frameworks/, evidence/, bonus_penalty/ (by hand),
        # surveys/ (scripts/make_survey_sample.py), plan/ and statistics/ (scripts/make_plan_sample.py).
        if p.is_file() and not OTHER_SOURCES & set(p.relative_to(RAW).parts)
    )
    assert fresh == committed
    stale = [str(p) for p in fresh if (tmp_path / p).read_bytes() != (RAW / p).read_bytes()]
    assert not stale, f"run `make sample`: {stale[:5]}"
