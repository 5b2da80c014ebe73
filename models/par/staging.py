"""PAR staging: the unit register, self-assessments, appraisals and appeals, survey results and
the evidence register, typed and checked against the frameworks; bad rows quarantined with a reason.

The rules are each a named quarantine rule with a Vietnamese message (docs/data-quality.md);
reading, flags, records and row balance are the ingestion core's (`models.ingest`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl

from models.ingest.records import LABELS, RowProblem, record
from models.ingest.source import Staged, keep_latest, stage_rows
from models.ingest.values import date, is_year, number, whole, year
from models.par.frameworks import PROVINCE_PARENT, Ruleset, ruleset_for
from models.text import is_not_applicable, name_key, normalize_text

UNIT_GROUPS = ("department", "district", "commune")  # the default when no framework is given (1708/QĐ-UBND Art. 3.1)
ROUNDS = {"appraisal": "appraisal", "thẩm định": "appraisal", "appeal": "appeal", "phúc khảo": "appeal"}


PROVINCE_SCHEMA = {
    "province_code": pl.String,
    "province_name": pl.String,
    "ruleset_family": pl.String,
    "synthetic": pl.Boolean,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


def _provenance(raw: dict) -> dict:
    return {"source_file": raw.get("source_file"), "source_row": raw.get("row_number")}


def _validity(raw: dict) -> dict:
    """A register row's validity (optional, inclusive): a unit merged, split, renamed or moved ends on
    the day before its change takes effect (models/units/register.py, Nghị quyết 202/2025/QH15)."""
    valid_from, valid_to = date(raw, "valid_from"), date(raw, "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise RowProblem(
            "valid_to",
            "bad_validity",
            f"Ngày hết hiệu lực {valid_to:%d/%m/%Y} trước ngày bắt đầu hiệu lực {valid_from:%d/%m/%Y}",
            valid_to.isoformat(),
        )
    return {"valid_from": valid_from, "valid_to": valid_to}


def stage_provinces(raw_rows: list[dict], families: set[str]) -> Staged:
    """Provinces and the ruleset family each is scored under (a family of the frameworks)."""
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
                f"Bộ quy tắc '{family}' không có trong thư mục frameworks (có: {', '.join(sorted(families))})",
                family,
            )
        seen.add(code)
        return {
            "province_code": code,
            "province_name": normalize_text(raw.get("province_name")),
            "ruleset_family": family,
            "synthetic": (normalize_text(raw.get("synthetic")) or "").casefold() in {"có", "yes", "true", "1"},
            **_validity(raw),
            **_provenance(raw),
        }

    return stage_rows(raw_rows, PROVINCE_SCHEMA, parse)


UNIT_SCHEMA = {
    "unit_id": pl.String,
    "unit_name": pl.String,
    "unit_group": pl.String,
    "parent_unit_id": pl.String,
    "province_code": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


ParentGroups = Callable[[dict], set[str]]


def evaluation_years(valid_from: dt.date | None, valid_to: dt.date | None) -> tuple[int | None, int | None]:
    """The first and last evaluation years of a unit (None = open): the years at whose end it exists,
    since a year is evaluated after it closes. A commune that ended on 30/6/2025 was last evaluated for
    2024; its successor from 1/7/2025 is evaluated for 2025."""
    first = None if valid_from is None else valid_from.year
    last = (
        None
        if valid_to is None
        else (valid_to.year if (valid_to.month, valid_to.day) == (12, 31) else valid_to.year - 1)
    )
    return first, last


def in_force(unit: dict, year: int) -> bool:
    """Whether a registered unit is evaluated for `year` (`evaluation_years`; no dates = always)."""
    first, last = evaluation_years(unit.get("valid_from"), unit.get("valid_to"))
    return (first is None or first <= year) and (last is None or year <= last)


def parent_groups(rulesets: list[Ruleset], provinces: pl.DataFrame) -> ParentGroups:
    """What a unit's parent must be, from the frameworks (framework.yaml `parents`) in force for its
    province's family during the unit's validity: e.g. a commune's district under 1708/QĐ-UBND
    Art. 5.2.a, the province itself after the district level ended (Nghị quyết 202/2025/QH15)."""
    family = dict(zip(provinces["province_code"], provinces["ruleset_family"], strict=True))

    def groups(unit: dict) -> set[str]:
        first, last = evaluation_years(unit.get("valid_from"), unit.get("valid_to"))
        return {
            r.parents[unit["unit_group"]]
            for r in rulesets
            if r.family == family.get(unit["province_code"])
            and unit["unit_group"] in r.parents
            and (last is None or r.valid_from_year <= last)
            and (first is None or r.valid_to_year is None or first <= r.valid_to_year)
        }

    return groups


def stage_units(
    raw_rows: list[dict],
    provinces: pl.DataFrame,
    unit_groups: tuple[str, ...] = UNIT_GROUPS,
    parents: ParentGroups | None = None,
) -> Staged:
    """`unit_groups`: the groups the frameworks define (Quảng Ninh adds central agencies and
    public service units, QĐ Quảng Ninh 2022 §I.3); the default is the three groups of 1708/QĐ-UBND.
    `parents`: the groups a unit's parent may be in (`parent_groups`), `province` for the province
    itself; no parent is checked where no framework names one."""
    known_provinces = set(provinces["province_code"])
    group_of = {normalize_text(r.get("unit_id")): normalize_text(r.get("unit_group")) for r in raw_rows}
    seen: set[str] = set()

    def parse(raw: dict) -> dict:
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
        province = normalize_text(raw.get("province_code"))
        if province not in known_provinces:
            raise RowProblem("province_code", "unknown_province", f"Mã tỉnh '{province}' không có", province)
        row = {
            "unit_id": unit_id,
            "unit_name": normalize_text(raw.get("unit_name")),
            "unit_group": group,
            "parent_unit_id": parent,
            "province_code": province,
            **_validity(raw),
            **_provenance(raw),
        }
        allowed = parents(row) if parents else set()
        if PROVINCE_PARENT in allowed and parent in (None, province):
            row["parent_unit_id"] = None  # its parent is the province itself
        elif allowed and group_of.get(parent) not in allowed:
            # e.g. 1708/QĐ-UBND Art. 5.2.a: a commune's district appraises it, so it must name one.
            raise RowProblem(
                "parent_unit_id",
                "unknown_parent",
                f"Đơn vị {unit_id} ({group}) thiếu hoặc sai mã đơn vị cấp trên '{parent}' "
                f"(phải là: {', '.join(sorted(allowed))})",
                parent,
            )
        seen.add(unit_id)
        return row

    return stage_rows(raw_rows, UNIT_SCHEMA, parse)


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
        """The registered unit a row names, by id (then checked against its name) or by name alone."""
        unit_id = normalize_text(raw.get("unit_id"))
        given_name = normalize_text(raw.get("unit_name"))
        if unit_id is None and given_name:
            key = name_key(given_name)
            if key in self.ambiguous:
                raise RowProblem(
                    "unit_name",
                    "ambiguous_unit_name",
                    f"Tên đơn vị '{given_name}' trùng với nhiều đơn vị; hãy ghi mã đơn vị",
                    given_name,
                )
            unit_id = self.by_name.get(key)
        if unit_id not in self.units:
            value = raw.get("unit_id") or raw.get("unit_name")
            raise RowProblem("unit_id", "unknown_unit", f"Đơn vị '{value}' không có trong danh mục đơn vị", value)
        unit = self.units[unit_id]
        if given_name and name_key(given_name) != name_key(unit["unit_name"]):
            raise RowProblem(
                "unit_name",
                "unit_name_mismatch",
                f"Mã đơn vị {unit_id} là của '{unit['unit_name']}' nhưng tệp ghi tên '{given_name}'; "
                "hãy kiểm tra lại mã hoặc tên đơn vị",
                given_name,
            )
        return unit

    def criterion(self, unit: dict, year: int, code: str | None) -> tuple[Ruleset, dict]:
        if not in_force(unit, year):
            first, last = evaluation_years(unit.get("valid_from"), unit.get("valid_to"))
            raise RowProblem(
                "year",
                "unit_not_in_force",
                f"Đơn vị {unit['unit_id']} không tồn tại vào cuối năm {year} (được đánh giá các năm "
                f"{first or '…'}-{last or '…'}); hãy dùng mã đơn vị kế thừa (xem unit_changes.csv)",
                year,
            )
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


def within_max(score: float | None, leaf: dict, column: str) -> None:
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


def _in_its_folder(raw: dict, evaluated: int) -> None:
    """A form filed under `submissions/<year>/` is for that year: a year folder that is not a year,
    or a form whose year disagrees with its folder, is reported, never filed under another year."""
    folder = raw.get("folder_year")
    if folder is None:
        # Every form must say its year by its folder: the year is how it is read and staged (by year).
        raise RowProblem(
            None,
            "bad_year_folder",
            "Tệp không nằm trong thư mục năm nào; hãy đặt tệp vào thư mục submissions/<năm đánh giá>/",
            None,
        )
    if not is_year(folder):
        raise RowProblem(
            None,
            "bad_year_folder",
            f"Thư mục '{folder}' không phải một năm; hãy đặt tệp vào thư mục submissions/<năm đánh giá>/",
            folder,
        )
    if int(folder) != evaluated:
        raise RowProblem(
            "year",
            "year_mismatch",
            f"Tệp ở thư mục năm {folder} nhưng ghi năm đánh giá {evaluated}; "
            "hãy sửa năm trong tệp hoặc chuyển tệp sang đúng thư mục năm",
            evaluated,
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
LEAF_KEYS = ["year", "unit_id", "leaf_code"]


def _superseded(r: dict) -> RowProblem:
    return RowProblem(
        "criterion_code",
        "superseded",
        f"Tiêu chí {r['leaf_code']} của đơn vị {r['unit_id']} năm {r['year']} có bản gửi sau; "
        "bản này được lưu nhưng không dùng để chấm",
        r["leaf_code"],
    )


def stage_submissions(raw_rows: list[dict], scope: Scope) -> Staged:
    """Self-assessments (1708/QĐ-UBND Art. 4.1, 5.1): one score per unit, year and leaf.

    Node rows of a form (subtotals) are set aside. When a unit sends a leaf twice, the later
    submission (by date, then file and row) counts and the earlier goes to quarantine as
    `superseded`, so both stay on record.
    """

    def parse(raw: dict) -> dict | None:
        unit = scope.unit(raw)
        evaluated = year(raw)
        _in_its_folder(raw, evaluated)
        ruleset, leaf = scope.criterion(unit, evaluated, raw.get("criterion_code"))
        if not leaf["is_leaf"]:
            return None
        not_applicable = is_not_applicable(raw.get("self_score"))
        score = (
            None
            if not_applicable
            else number(raw, "self_score", kind="score", required=False, maximum=leaf["max_points"])
        )
        if leaf["method"] == "survey" and score is not None:
            raise RowProblem(
                "self_score",
                "survey_self_scored",
                f"Tiêu chí {leaf['code']} chấm qua điều tra xã hội học, đơn vị không tự chấm",
                score,
            )
        within_max(score, leaf, "self_score")
        return {
            "year": evaluated,
            "unit_id": unit["unit_id"],
            "ruleset_id": ruleset.ruleset_id,
            "leaf_code": leaf["code"],
            "self_score": score,
            "not_applicable": not_applicable,
            "evidence_refs": normalize_text(raw.get("evidence_refs")),
            "explanation": normalize_text(raw.get("explanation")),
            "submitted_at": date(raw, "submitted_at"),
            "source_file": raw.get("source_file"),
            "sheet": raw.get("sheet"),
            "source_row": raw.get("row_number"),
        }

    staged = stage_rows(raw_rows, SUBMISSION_SCHEMA, parse)
    staged.rows, superseded = keep_latest(
        staged.rows, LEAF_KEYS, ["submitted_at", "source_file", "source_row"], _superseded
    )
    staged.add(superseded)
    return staged


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


def _at(r: dict) -> dict:
    """Where a staged row came from, as a raw row says it."""
    return {"source_file": r["source_file"], "sheet": r.get("sheet"), "row_number": r["source_row"]}


def _conflict(r: dict) -> RowProblem:
    round_name = "phúc khảo" if r["round"] == "appeal" else "thẩm định"
    day = r["decision_date"].strftime("%d/%m/%Y") if r["decision_date"] else "(trống)"
    return RowProblem(
        "score",
        "conflicting_decisions",
        f"Hai quyết định cùng vòng {round_name}, cùng ngày {day} cho tiêu chí {r['leaf_code']} của đơn vị "
        f"{r['unit_id']} năm {r['year']} ghi điểm khác nhau; không quyết định nào được dùng cho đến khi "
        "cơ quan thẩm định xác định quyết định đúng",
        f"{r['score']:g}",
    )


def stage_appraisals(raw_rows: list[dict], scope: Scope) -> Staged:
    """Appraisal adjustments and appeal decisions (1708/QĐ-UBND Art. 5.2; 1820/QĐ-UBND Art. 5 steps 3-6).

    A later decision of a round replaces an earlier one (`models.par.scoring.latest_decisions`);
    two decisions for one leaf, round and date with different scores cannot be ordered, so both
    are quarantined as `conflicting_decisions` and neither wins by file order.
    """

    def parse(raw: dict) -> dict:
        unit = scope.unit(raw)
        evaluated = year(raw)
        ruleset, leaf = scope.criterion(unit, evaluated, raw.get("criterion_code"))
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
        score = number(raw, "score", kind="score", maximum=leaf["max_points"])
        within_max(score, leaf, "score")
        return {
            "year": evaluated,
            "unit_id": unit["unit_id"],
            "ruleset_id": ruleset.ruleset_id,
            "leaf_code": leaf["code"],
            "round": round_name,
            "score": score,
            "agency": normalize_text(raw.get("agency")),
            "reason": normalize_text(raw.get("reason")),
            "decision_no": normalize_text(raw.get("decision_no")),
            "decision_date": date(raw, "decision_date"),
            **_provenance(raw),
        }

    staged = stage_rows(raw_rows, APPRAISAL_SCHEMA, parse)
    keys = [*LEAF_KEYS, "round", "decision_date"]
    conflict = pl.col("score").n_unique().over(keys, mapping_strategy="group_to_rows") > 1
    clashing = staged.rows.filter(conflict)
    staged.rows = staged.rows.filter(~conflict)
    staged.add([record(_at(r), _conflict(r)) for r in clashing.iter_rows(named=True)])
    return staged


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


def stage_survey_results(raw_rows: list[dict], scope: Scope) -> Staged:
    """Satisfied share per survey leaf (1708/QĐ-UBND Art. 5.3.c)."""

    def parse(raw: dict) -> dict:
        unit = scope.unit(raw)
        evaluated = year(raw)
        ruleset, leaf = scope.criterion(unit, evaluated, raw.get("criterion_code"))
        if leaf["method"] != "survey":
            raise RowProblem(
                "criterion_code",
                "not_survey_leaf",
                f"Tiêu chí {leaf['code']} không chấm qua điều tra xã hội học",
                leaf["code"],
            )
        pct = number(raw, "satisfied_pct", kind="pct")
        if not 0 <= pct <= 100:
            raise RowProblem("satisfied_pct", "pct_out_of_range", f"Tỷ lệ hài lòng {pct:g} ngoài 0-100", pct)
        return {
            "year": evaluated,
            "unit_id": unit["unit_id"],
            "ruleset_id": ruleset.ruleset_id,
            "leaf_code": leaf["code"],
            "satisfied_pct": pct,
            "respondents": whole(raw, "respondents", required=False),
            **_provenance(raw),
        }

    staged = stage_rows(raw_rows, SURVEY_SCHEMA, parse)
    staged.rows, superseded = keep_latest(
        staged.rows,
        LEAF_KEYS,
        ["source_file", "source_row"],
        lambda r: RowProblem(
            "criterion_code",
            "superseded",
            f"Tiêu chí {r['leaf_code']} của đơn vị {r['unit_id']} năm {r['year']} có dòng ghi sau; "
            "dòng này được lưu nhưng không dùng để chấm",
            r["leaf_code"],
        ),
    )
    staged.add(superseded)
    return staged


def surveyed_units(raw_rows: list[dict], scope: Scope) -> pl.DataFrame:
    """The units a survey file names for a year, whether or not their values passed.

    A unit the survey covered keeps its survey leaves in its max even when a row was
    quarantined (it scores 0 there until fixed); only a unit not surveyed at all is scaled
    without them (1708/QĐ-UBND Art. 5.3.a).
    """
    found = set()
    for raw in raw_rows:
        try:
            found.add((year(raw), scope.unit(raw)["unit_id"]))
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


def stage_evidence_register(raw_rows: list[dict], scope: Scope) -> Staged:
    """A unit's evidence register (optional): each document's own date and its date in the system."""

    def parse(raw: dict) -> dict:
        unit = scope.unit(raw)
        evaluated = year(raw)
        document = normalize_text(raw.get("document"))
        if not document:
            raise RowProblem("document", "required", "Thiếu số, ký hiệu văn bản")
        return {
            "year": evaluated,
            "unit_id": unit["unit_id"],
            "document": document.upper(),
            "title": normalize_text(raw.get("title")),
            "doc_date": date(raw, "doc_date"),
            "system_date": date(raw, "system_date"),
            **_provenance(raw),
        }

    return stage_rows(raw_rows, EVIDENCE_SCHEMA, parse)
