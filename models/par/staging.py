"""Typing and checking raw rows: good rows go on, bad rows go to quarantine with a reason.

Each rule names the file, sheet, row, column and value, in Vietnamese, because the person
who fixes the file is the officer who typed it (docs/inputs.md). Nothing is dropped
without a record: rows in = rows staged + rows quarantined + rows set aside (node rows of
a form, which are subtotals and not data); the `rows_balance` asset check holds each source to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from models.ingest.readers import EXTRA_CELLS
from models.par.frameworks import Ruleset, ruleset_for
from models.text import is_not_applicable, name_key, normalize_text, parse_date, parse_number

UNIT_GROUPS = ("department", "district", "commune")
# Vietnamese names of fields, as officers see them on their forms.
LABELS = {
    "unit_id": "Mã đơn vị",
    "unit_name": "Tên đơn vị",
    "unit_group": "Nhóm đơn vị",
    "parent_unit_id": "Đơn vị cấp trên",
    "province_code": "Mã tỉnh",
    "ruleset_family": "Bộ quy tắc",
    "year": "Năm đánh giá",
    "criterion_code": "Mã tiêu chí",
    "self_score": "Điểm tự đánh giá",
    "submitted_at": "Ngày lập",
    "round": "Vòng",
    "score": "Điểm",
    "decision_date": "Ngày quyết định",
    "satisfied_pct": "Tỷ lệ hài lòng (%)",
    "respondents": "Số người trả lời",
    "document": "Số, ký hiệu văn bản",
    EXTRA_CELLS: "Ô thừa",
    "doc_date": "Ngày văn bản",
    "system_date": "Ngày trên hệ thống",
}
ROUNDS = {"appraisal": "appraisal", "thẩm định": "appraisal", "appeal": "appeal", "phúc khảo": "appeal"}

QUARANTINE_SCHEMA = {
    "source_file": pl.String,
    "sheet": pl.String,
    "row_number": pl.Int64,
    "column_name": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "message": pl.String,
}


class RowProblem(Exception):
    def __init__(self, column: str, rule: str, message: str, value: object = None):
        super().__init__(message)
        self.column, self.rule, self.message, self.value = column, rule, message, value


@dataclass
class StageResult:
    rows: pl.DataFrame
    quarantine: pl.DataFrame
    rows_in: int
    set_aside: int = 0


def _quarantine_frame(records: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(records, schema=QUARANTINE_SCHEMA, orient="row")


def _record(raw: dict, p: RowProblem) -> dict:
    return {
        "source_file": raw.get("source_file"),
        "sheet": raw.get("sheet"),
        "row_number": raw.get("row_number"),
        "column_name": LABELS.get(p.column, p.column),
        "value": None if p.value is None else str(p.value),
        "rule": p.rule,
        "message": p.message,
    }


def _no_extra_cells(raw: dict) -> None:
    if raw.get(EXTRA_CELLS):
        raise RowProblem(
            EXTRA_CELLS,
            "extra_columns",
            "Dòng có nhiều ô hơn dòng tiêu đề (thừa dấu phẩy?); các ô thừa: " + str(raw[EXTRA_CELLS]),
            raw[EXTRA_CELLS],
        )


def stage_rows(
    raw_rows: list[dict], schema: dict, parse: Callable[[dict], dict | None]
) -> tuple[pl.DataFrame, list[dict], int]:
    """Apply `parse` to every raw row: a dict is a staged row, None sets the row aside (a form's
    subtotal row), a RowProblem quarantines it with its reason. Returns (rows, quarantine
    records, rows set aside), so every row is accounted for."""
    good, bad, set_aside = [], [], 0
    for raw in raw_rows:
        try:
            _no_extra_cells(raw)
            row = parse(raw)
        except RowProblem as p:
            bad.append(_record(raw, p))
            continue
        if row is None:
            set_aside += 1
        else:
            good.append(row)
    return pl.DataFrame(good, schema=schema, orient="row"), bad, set_aside


def _number(raw: dict, column: str, *, required: bool = True) -> float | None:
    value = raw.get(column)
    try:
        number = parse_number(value)
    except ValueError:
        raise RowProblem(
            column, "not_a_number", f"{LABELS.get(column, column)} '{value}' không phải là số", value
        ) from None
    if number is None and required:
        raise RowProblem(column, "required", f"Thiếu {LABELS.get(column, column)}", value)
    return number


def _year(raw: dict) -> int:
    year = _number(raw, "year")
    if year is None or not float(year).is_integer() or not 2000 <= year <= 2100:
        raise RowProblem("year", "bad_year", f"Năm đánh giá '{raw.get('year')}' không hợp lệ", raw.get("year"))
    return int(year)


def _date(raw: dict, column: str) -> dt.date | None:
    try:
        return parse_date(raw.get(column))
    except ValueError:
        value = raw.get(column)
        raise RowProblem(
            column, "not_a_date", f"{LABELS.get(column, column)} '{value}' không phải ngày dd/mm/yyyy", value
        ) from None


PROVINCE_SCHEMA = {
    "province_code": pl.String,
    "province_name": pl.String,
    "ruleset_family": pl.String,
    "synthetic": pl.Boolean,
}


def stage_provinces(raw_rows: list[dict], families: set[str]) -> StageResult:
    """Provinces and the ruleset family each is scored under (a family of data/raw/frameworks)."""
    seen: set[str] = set()

    def parse(raw: dict) -> dict:
        code = normalize_text(raw.get("province_code"))
        if not code:
            raise RowProblem("province_code", "required", "Thiếu mã tỉnh")
        if code in seen:
            raise RowProblem("province_code", "duplicate_province", f"Mã tỉnh {code} bị trùng", code)
        family = normalize_text(raw.get("ruleset_family"))
        if family not in families:
            raise RowProblem(
                "ruleset_family",
                "unknown_family",
                f"Bộ quy tắc '{family}' không có trong data/raw/frameworks (có: {', '.join(sorted(families))})",
                family,
            )
        seen.add(code)
        return {
            "province_code": code,
            "province_name": normalize_text(raw.get("province_name")),
            "ruleset_family": family,
            "synthetic": (normalize_text(raw.get("synthetic")) or "").casefold() in {"có", "yes", "true", "1"},
        }

    rows, bad, _ = stage_rows(raw_rows, PROVINCE_SCHEMA, parse)
    return StageResult(rows, _quarantine_frame(bad), len(raw_rows))


def stage_units(
    raw_rows: list[dict], provinces: pl.DataFrame, unit_groups: tuple[str, ...] = UNIT_GROUPS
) -> StageResult:
    """`unit_groups`: the groups the frameworks define (Quảng Ninh adds central agencies and
    public service units, QĐ Quảng Ninh 2022 §I.3); the default is the three groups of 1708/QĐ-UBND."""
    known_provinces = set(provinces["province_code"])
    # A commune's parent must be a district of the register (1708/QĐ-UBND Art. 5.2.a: its district appraises it).
    districts = {
        normalize_text(r.get("unit_id")) for r in raw_rows if normalize_text(r.get("unit_group")) == "district"
    } - {None}
    seen: set[str] = set()
    good, bad = [], []
    for raw in raw_rows:
        try:
            _no_extra_cells(raw)
            unit_id = normalize_text(raw.get("unit_id"))
            if not unit_id:
                raise RowProblem("unit_id", "required", "Thiếu mã đơn vị")
            if unit_id in seen:
                raise RowProblem("unit_id", "duplicate_unit", f"Mã đơn vị {unit_id} bị trùng", unit_id)
            group = normalize_text(raw.get("unit_group"))
            if group not in unit_groups:
                raise RowProblem(
                    "unit_group",
                    "unknown_group",
                    f"Nhóm đơn vị '{group}' không thuộc: {', '.join(unit_groups)} (xem docs/inputs.md)",
                    group,
                )
            parent = normalize_text(raw.get("parent_unit_id"))
            if group == "commune" and parent not in districts:
                raise RowProblem(
                    "parent_unit_id",
                    "unknown_parent",
                    f"Xã {unit_id} thiếu hoặc sai mã huyện '{parent}'",
                    parent,
                )
            province = normalize_text(raw.get("province_code"))
            if province not in known_provinces:
                raise RowProblem("province_code", "unknown_province", f"Mã tỉnh '{province}' không có", province)
        except RowProblem as p:
            bad.append(_record(raw, p))
            continue
        seen.add(unit_id)
        good.append(
            {
                "unit_id": unit_id,
                "unit_name": normalize_text(raw.get("unit_name")),
                "unit_group": group,
                "parent_unit_id": parent,
                "province_code": province,
            }
        )
    rows = pl.DataFrame(
        good,
        schema={
            "unit_id": pl.String,
            "unit_name": pl.String,
            "unit_group": pl.String,
            "parent_unit_id": pl.String,
            "province_code": pl.String,
        },
    )
    return StageResult(rows, _quarantine_frame(bad), len(raw_rows))


class Scope:
    """Which framework scores a unit in a year: province → ruleset family → decision in force."""

    def __init__(self, units: pl.DataFrame, provinces: pl.DataFrame, rulesets: list[Ruleset], criteria: pl.DataFrame):
        self.units = {u["unit_id"]: u for u in units.iter_rows(named=True)}
        names: dict[str | None, list[str]] = {}
        for u in self.units.values():
            names.setdefault(name_key(u["unit_name"]), []).append(u["unit_id"])
        self.by_name = {key: ids[0] for key, ids in names.items() if len(ids) == 1}
        self.ambiguous = {key for key, ids in names.items() if len(ids) > 1}
        self.family = dict(zip(provinces["province_code"], provinces["ruleset_family"], strict=True))
        self.rulesets = rulesets
        self.leaves: dict[tuple[str, str], dict[str, dict]] = {}
        for rec in criteria.iter_rows(named=True):
            self.leaves.setdefault((rec["ruleset_id"], rec["unit_group"]), {})[rec["code"]] = rec

    def unit(self, raw: dict) -> dict:
        unit_id = normalize_text(raw.get("unit_id"))
        if unit_id is None and raw.get("unit_name"):
            key = name_key(raw.get("unit_name"))
            if key in self.ambiguous:
                raise RowProblem(
                    "unit_name",
                    "ambiguous_unit_name",
                    f"Tên đơn vị '{raw.get('unit_name')}' trùng với nhiều đơn vị; hãy ghi mã đơn vị",
                    raw.get("unit_name"),
                )
            unit_id = self.by_name.get(key)
        if unit_id not in self.units:
            value = raw.get("unit_id") or raw.get("unit_name")
            raise RowProblem("unit_id", "unknown_unit", f"Đơn vị '{value}' không có trong danh mục đơn vị", value)
        return self.units[unit_id]

    def criterion(self, unit: dict, year: int, code: str | None) -> tuple[Ruleset, dict]:
        ruleset = ruleset_for(self.rulesets, self.family[unit["province_code"]], year)
        if ruleset is None:
            raise RowProblem("year", "no_framework", f"Không có bộ chỉ số có hiệu lực cho năm {year}", year)
        tree = self.leaves.get((ruleset.ruleset_id, unit["unit_group"]), {})
        code = normalize_text(code)
        if code not in tree:
            raise RowProblem(
                "criterion_code",
                "unknown_criterion",
                f"Mã tiêu chí '{code}' không có trong bộ chỉ số {ruleset.decision_no} của nhóm đơn vị này",
                code,
            )
        return ruleset, tree[code]


def _within_max(score: float | None, leaf: dict, column: str) -> None:
    """DOMAIN Scoring 1 (1820/QĐ-UBND Art. 6.1.a): a score may not exceed the leaf's max."""
    if score is None:
        return
    shown = f"{score:g}".replace(".", ",")
    if score < 0:
        raise RowProblem(column, "negative_score", f"{LABELS[column]} {shown} âm (tiêu chí {leaf['code']})", score)
    if score > leaf["max_points"] + 1e-9:
        raise RowProblem(
            column,
            "above_max",
            f"{LABELS[column]} {shown} vượt điểm tối đa {leaf['max_points']:g} của tiêu chí {leaf['code']}",
            score,
        )


SUBMISSION_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "ruleset_id": pl.String,
    "leaf_code": pl.String,
    "self_score": pl.Float64,
    "not_applicable": pl.Boolean,
    "evidence_refs": pl.String,
    "explanation": pl.String,
    "submitted_at": pl.Date,
    "source_file": pl.String,
    "sheet": pl.String,
    "source_row": pl.Int64,
}


def stage_submissions(raw_rows: list[dict], scope: Scope) -> StageResult:
    """Self-assessments (1708/QĐ-UBND Art. 4.1, 5.1): one score per unit, year and leaf.

    Node rows of a form (subtotals) are set aside. When a unit sends a leaf twice, the later
    submission (by date, then file and row) counts and the earlier goes to quarantine as
    `superseded`, so both stay on record.
    """

    def parse(raw: dict) -> dict | None:
        unit = scope.unit(raw)
        year = _year(raw)
        ruleset, leaf = scope.criterion(unit, year, raw.get("criterion_code"))
        if not leaf["is_leaf"]:
            return None
        not_applicable = is_not_applicable(raw.get("self_score"))
        score = None if not_applicable else _number(raw, "self_score", required=False)
        if leaf["method"] == "survey" and score is not None:
            raise RowProblem(
                "self_score",
                "survey_self_scored",
                f"Tiêu chí {leaf['code']} chấm qua điều tra xã hội học, đơn vị không tự chấm",
                score,
            )
        _within_max(score, leaf, "self_score")
        return {
            "year": year,
            "unit_id": unit["unit_id"],
            "ruleset_id": ruleset.ruleset_id,
            "leaf_code": leaf["code"],
            "self_score": score,
            "not_applicable": not_applicable,
            "evidence_refs": normalize_text(raw.get("evidence_refs")),
            "explanation": normalize_text(raw.get("explanation")),
            "submitted_at": _date(raw, "submitted_at"),
            "source_file": raw.get("source_file"),
            "sheet": raw.get("sheet"),
            "source_row": raw.get("row_number"),
        }

    rows, bad, set_aside = stage_rows(raw_rows, SUBMISSION_SCHEMA, parse)
    rows = _keep_latest(rows, ["submitted_at", "source_file", "source_row"], bad)
    return StageResult(rows, _quarantine_frame(bad), len(raw_rows), set_aside)


def _keep_latest(rows: pl.DataFrame, order: list[str], bad: list[dict]) -> pl.DataFrame:
    """One row per unit, year and leaf: the latest wins, the others are kept as `superseded`."""
    keys = ["year", "unit_id", "leaf_code"]
    ranked = rows.sort(order, nulls_last=False).with_columns(
        (pl.int_range(pl.len()).over(keys) == pl.len().over(keys) - 1).alias("_latest")
    )
    bad.extend(
        {
            "source_file": r["source_file"],
            "sheet": r.get("sheet"),
            "row_number": r["source_row"],
            "column_name": LABELS["criterion_code"],
            "value": r["leaf_code"],
            "rule": "superseded",
            "message": f"Tiêu chí {r['leaf_code']} của đơn vị {r['unit_id']} năm {r['year']} có bản gửi sau; "
            "bản này được lưu nhưng không dùng để chấm",
        }
        for r in ranked.filter(~pl.col("_latest")).iter_rows(named=True)
    )
    return ranked.filter("_latest").drop("_latest").sort(keys)


APPRAISAL_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "ruleset_id": pl.String,
    "leaf_code": pl.String,
    "round": pl.String,
    "score": pl.Float64,
    "agency": pl.String,
    "reason": pl.String,
    "decision_no": pl.String,
    "decision_date": pl.Date,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


def stage_appraisals(raw_rows: list[dict], scope: Scope) -> StageResult:
    """Appraisal adjustments and appeal decisions (1708/QĐ-UBND Art. 5.2; 1820/QĐ-UBND Art. 5 steps 3-6)."""

    def parse(raw: dict) -> dict:
        unit = scope.unit(raw)
        year = _year(raw)
        ruleset, leaf = scope.criterion(unit, year, raw.get("criterion_code"))
        if not leaf["is_leaf"] or leaf["method"] == "survey":
            raise RowProblem(
                "criterion_code",
                "not_appraised_leaf",
                f"Tiêu chí {leaf['code']} không phải tiêu chí được thẩm định",
                leaf["code"],
            )
        round_name = ROUNDS.get((normalize_text(raw.get("round")) or "").casefold())
        if round_name is None:
            raise RowProblem(
                "round",
                "unknown_round",
                f"Vòng '{raw.get('round')}' phải là 'thẩm định' hoặc 'phúc khảo'",
                raw.get("round"),
            )
        score = _number(raw, "score")
        _within_max(score, leaf, "score")
        return {
            "year": year,
            "unit_id": unit["unit_id"],
            "ruleset_id": ruleset.ruleset_id,
            "leaf_code": leaf["code"],
            "round": round_name,
            "score": score,
            "agency": normalize_text(raw.get("agency")),
            "reason": normalize_text(raw.get("reason")),
            "decision_no": normalize_text(raw.get("decision_no")),
            "decision_date": _date(raw, "decision_date"),
            "source_file": raw.get("source_file"),
            "source_row": raw.get("row_number"),
        }

    rows, bad, _ = stage_rows(raw_rows, APPRAISAL_SCHEMA, parse)
    return StageResult(rows, _quarantine_frame(bad), len(raw_rows))


SURVEY_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "ruleset_id": pl.String,
    "leaf_code": pl.String,
    "satisfied_pct": pl.Float64,
    "respondents": pl.Int64,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


def stage_survey_results(raw_rows: list[dict], scope: Scope) -> StageResult:
    """Satisfied share per survey leaf (1708/QĐ-UBND Art. 5.3.c)."""

    def parse(raw: dict) -> dict:
        unit = scope.unit(raw)
        year = _year(raw)
        ruleset, leaf = scope.criterion(unit, year, raw.get("criterion_code"))
        if leaf["method"] != "survey":
            raise RowProblem(
                "criterion_code",
                "not_survey_leaf",
                f"Tiêu chí {leaf['code']} không chấm qua điều tra xã hội học",
                leaf["code"],
            )
        pct = _number(raw, "satisfied_pct")
        if not 0 <= pct <= 100:
            raise RowProblem("satisfied_pct", "pct_out_of_range", f"Tỷ lệ hài lòng {pct:g} ngoài 0-100", pct)
        respondents = _number(raw, "respondents", required=False)
        if respondents is not None and (respondents < 0 or not float(respondents).is_integer()):
            raise RowProblem(
                "respondents",
                "bad_count",
                f"Số người trả lời '{raw.get('respondents')}' phải là số nguyên không âm",
                raw.get("respondents"),
            )
        return {
            "year": year,
            "unit_id": unit["unit_id"],
            "ruleset_id": ruleset.ruleset_id,
            "leaf_code": leaf["code"],
            "satisfied_pct": pct,
            "respondents": None if respondents is None else int(respondents),
            "source_file": raw.get("source_file"),
            "source_row": raw.get("row_number"),
        }

    rows, bad, _ = stage_rows(raw_rows, SURVEY_SCHEMA, parse)
    rows = _keep_latest(rows, ["source_file", "source_row"], bad)
    return StageResult(rows, _quarantine_frame(bad), len(raw_rows))


def surveyed_units(raw_rows: list[dict], scope: Scope) -> pl.DataFrame:
    """The units a survey file names for a year, whether or not their values passed.

    A unit the survey covered keeps its survey leaves in its max even when a row was
    quarantined (it scores 0 there until fixed); only a unit not surveyed at all is scaled
    without them (1708/QĐ-UBND Art. 5.3.a).
    """
    found = set()
    for raw in raw_rows:
        try:
            found.add((_year(raw), scope.unit(raw)["unit_id"]))
        except RowProblem:
            continue  # the row is quarantined by stage_survey_results with its reason
    return pl.DataFrame(sorted(found), schema={"year": pl.Int32, "unit_id": pl.String}, orient="row")


EVIDENCE_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "document": pl.String,
    "title": pl.String,
    "doc_date": pl.Date,
    "system_date": pl.Date,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


def stage_evidence_register(raw_rows: list[dict], scope: Scope) -> StageResult:
    """A unit's evidence register (optional): each document's own date and its date in the system."""

    def parse(raw: dict) -> dict:
        unit = scope.unit(raw)
        year = _year(raw)
        document = normalize_text(raw.get("document"))
        if not document:
            raise RowProblem("document", "required", "Thiếu số, ký hiệu văn bản")
        return {
            "year": year,
            "unit_id": unit["unit_id"],
            "document": document.upper(),
            "title": normalize_text(raw.get("title")),
            "doc_date": _date(raw, "doc_date"),
            "system_date": _date(raw, "system_date"),
            "source_file": raw.get("source_file"),
            "source_row": raw.get("row_number"),
        }

    rows, bad, _ = stage_rows(raw_rows, EVIDENCE_SCHEMA, parse)
    return StageResult(rows, _quarantine_frame(bad), len(raw_rows))
