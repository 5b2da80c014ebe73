"""Surveys of citizens (SIPAS) and civil servants: respondents' answers → satisfied shares with
95% intervals → the points of the framework's survey leaves. Pure Polars, no Dagster.

The rules, each with its source (docs/inputs.md "Surveys" has the file contract):
- A share is "the number of answer options at 'satisfied' or above over all answer options"
  (1708/QĐ-UBND Art. 5.3.c; DOMAIN Scoring 6), per component of 2639/QĐ-UBND Annex 2, per framework
  leaf, and overall (all questions pooled, the same sentence read over the whole questionnaire).
- "Don't know" and blank answers are kept apart. Neither states a level of satisfaction, so
  neither is an answer option in the denominator (`dont_know_in_denominator: false` in
  surveys.yaml; set it to true to count "don't know" as a not-satisfied option). An answer off
  the scale is quarantined and left out, and the respondent's other answers still count.
- Weights: when a unit's respondents carry weights, every sum is weighted:
  share = Σ wᵢ·sᵢ / Σ wᵢ·aᵢ (sᵢ satisfied options, aᵢ answer options of respondent i).
- 95% interval: Wilson score interval on the effective number of respondents
  n_eff = (Σ wᵢ·aᵢ)² / Σ (wᵢ·aᵢ)² (Kish's formula with each respondent's share of the
  denominator as its weight). This is exact for the variance of the share when all answers
  of one respondent move together, and wider than the truth otherwise: a respondent is one
  observation, not aᵢ independent ones. Unweighted with equal aᵢ, n_eff is the respondent count.
- Values from fewer than `min_respondents` (surveys.yaml) are flagged `few_respondents`,
  never hidden.
- Survey points: a leaf's share × its max (1708/QĐ-UBND Art. 5.3.c; `models.par.scoring.leaf_lineage`).
  Shares from respondents replace survey_results.csv rows of the same year, unit and leaf;
  the replaced rows stay on record in the quarantine (`combine_survey_results`).
- Sample size for next year: n = N / (1 + N·e²), rounded up, N = the unit's dossiers in the
  year, e = 5% (the Ministry's SIPAS method, DOMAIN "SIPAS"; not a decision).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import PurePosixPath
from statistics import NormalDist

import polars as pl
import yaml

from models.ingest.documents import Documents
from models.ingest.records import LABELS, QUARANTINE_SCHEMA, RowProblem, record
from models.ingest.source import Staged
from models.ingest.values import parse_date, parse_number
from models.par.frameworks import ruleset_for
from models.par.staging import SURVEY_SCHEMA, Scope
from models.text import normalize_text

SURVEYS_DIR = "surveys"
CONFIG_FILE = "surveys.yaml"
OVERALL = "overall"
OVERALL_TITLE = "Chỉ số chung (mọi câu hỏi)"
ANSWER_TYPES = ("likert", "options")
LEVELS = ("unit", "unit_group", "province")

# Header of a respondent file (NFC, case-folded) → field. English names or the Vietnamese
# labels of a survey tool's export.
RESPONDENT_FIELDS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("respondent_id", "mã phiếu", "mã người trả lời", "số phiếu"),
    "unit_id": ("unit_id", "mã đơn vị"),
    "unit_name": ("unit_name", "tên đơn vị", "đơn vị được khảo sát"),
    "year": ("year", "năm đánh giá", "năm"),
    "survey_date": ("survey_date", "ngày khảo sát", "ngày trả lời"),
    "channel": ("channel", "hình thức khảo sát", "hình thức"),
    "sex": ("sex", "giới tính"),
    "age_band": ("age_band", "nhóm tuổi", "độ tuổi"),
    "area": ("area", "khu vực", "thành thị/nông thôn"),
    "procedure_field": ("procedure_field", "lĩnh vực thủ tục", "lĩnh vực tthc", "lĩnh vực"),
    "weight": ("weight", "trọng số"),
}
KEY_HEADERS = set(RESPONDENT_FIELDS["respondent_id"])
CHANNELS = {
    "trực tiếp": "in_person",
    "in_person": "in_person",
    "in person": "in_person",
    "phỏng vấn trực tiếp": "in_person",
    "trực tuyến": "online",
    "online": "online",
    "bưu chính": "postal",
    "qua bưu chính": "postal",
    "postal": "postal",
}
# Rules that reject a whole respondent; any other record is about one cell.
ROW_RULES = ("required", "unknown_unit", "bad_year", "bad_weight", "missing_weight", "duplicate_respondent")
_YEAR_IN_PATH = re.compile(r"^(19|20)\d{2}$")


class SurveyConfigError(ValueError):
    """surveys.yaml or a questionnaire that cannot be used; names the file, row and rule."""


@dataclass(frozen=True)
class SurveySpec:
    survey_id: str
    title: str
    kind: str
    questionnaire: PurePosixPath
    files: str
    scale_min: int
    scale_max: int
    satisfied_from: int
    labels: dict[str, int]
    dont_know: frozenset[str]
    dont_know_in_denominator: bool
    min_respondents: int
    confidence: float
    margin_of_error: Fraction | None = None
    dossiers: str | None = None
    source: str | None = None

    @property
    def z(self) -> float:
        return NormalDist().inv_cdf(0.5 + self.confidence / 2)


@dataclass(frozen=True)
class PapiSpec:
    files: str
    dimensions: PurePosixPath
    top_n: int
    provinces: PurePosixPath | None = None  # province code → name list for tables that write codes (`P30`)
    attribution: str | None = None  # who published the tables; shown wherever PAPI is shown
    province: str | None = None  # the province the dashboard sets against the national field


@dataclass(frozen=True)
class SurveyConfig:
    root: PurePosixPath = PurePosixPath(SURVEYS_DIR)
    surveys: tuple[SurveySpec, ...] = ()
    aggregate_tolerance_pct: float = 0.05
    papi: PapiSpec | None = None
    path: PurePosixPath | None = None

    def survey(self, survey_id: str) -> SurveySpec:
        return next(s for s in self.surveys if s.survey_id == survey_id)


def _fail(path: PurePosixPath, message: str) -> SurveyConfigError:
    return SurveyConfigError(f"{path}: {message}")


def load_survey_config(docs: Documents) -> SurveyConfig:
    """`surveys/surveys.yaml` from the run's rule files; without it there are no surveys (an empty config)."""
    root = PurePosixPath(SURVEYS_DIR)
    path = root / CONFIG_FILE
    if not docs.exists(path):
        return SurveyConfig(root=root)
    try:
        doc = yaml.safe_load(docs.read(path)) or {}
    except yaml.YAMLError as exc:
        raise _fail(path, f"không đọc được YAML ({exc})") from None
    specs = []
    for i, item in enumerate(doc.get("surveys") or [], start=1):
        try:
            scale = item.get("scale") or {}
            planning = item.get("planning") or {}
            labels = {
                (normalize_text(label) or "").casefold(): int(code)
                for code, label in (scale.get("labels") or {}).items()
            }
            spec = SurveySpec(
                survey_id=str(item["survey_id"]),
                title=str(item.get("title") or item["survey_id"]),
                kind=str(item.get("kind") or "citizen"),
                questionnaire=root / item["questionnaire"],
                files=str(item["files"]),
                scale_min=int(scale.get("min", 1)),
                scale_max=int(scale.get("max", 5)),
                satisfied_from=int(scale.get("satisfied_from", 4)),
                labels=labels,
                dont_know=frozenset((normalize_text(c) or "").casefold() for c in item.get("dont_know") or []),
                dont_know_in_denominator=bool(item.get("dont_know_in_denominator", False)),
                min_respondents=int(item.get("min_respondents", 30)),
                confidence=float(item.get("confidence", 0.95)),
                margin_of_error=(
                    Fraction(str(planning["margin_of_error"])) if planning.get("margin_of_error") is not None else None
                ),
                dossiers=planning.get("dossiers"),
                source=item.get("source"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise _fail(path, f"khảo sát thứ {i}: thiếu hoặc sai khóa {exc}") from None
        if not spec.scale_min <= spec.satisfied_from <= spec.scale_max:
            raise _fail(path, f"khảo sát {spec.survey_id}: satisfied_from phải nằm trong thang đo")
        if not 0 < spec.confidence < 1:
            raise _fail(path, f"khảo sát {spec.survey_id}: confidence phải trong (0, 1)")
        if not docs.exists(spec.questionnaire):
            raise _fail(path, f"khảo sát {spec.survey_id}: không có tệp bộ câu hỏi {spec.questionnaire}")
        specs.append(spec)
    ids = [s.survey_id for s in specs]
    if len(ids) != len(set(ids)):
        raise _fail(path, "survey_id bị trùng")
    papi = None
    if doc.get("papi"):
        p = doc["papi"]
        papi = PapiSpec(
            files=str(p.get("files", "papi/*")),
            dimensions=root / p["dimensions"],
            top_n=int(p.get("top_n", 30)),
            provinces=root / p["provinces"] if p.get("provinces") else None,
            attribution=normalize_text(p.get("attribution")),
            province=normalize_text(p.get("province")),
        )
        if papi.provinces is not None and not docs.exists(papi.provinces):
            raise _fail(path, f"papi: không có tệp danh mục tỉnh {papi.provinces}")
    return SurveyConfig(
        root=root,
        surveys=tuple(specs),
        aggregate_tolerance_pct=float(doc.get("aggregate_tolerance_pct", 0.05)),
        papi=papi,
        path=path,
    )


QUESTION_SCHEMA = {
    "survey_id": pl.String,
    "question_id": pl.String,
    "question_key": pl.String,
    "component_code": pl.String,
    "component_title": pl.String,
    "component_order": pl.Int32,
    "question_text": pl.String,
    "answer_type": pl.String,
    "valid_codes": pl.List(pl.String),
    "satisfied_codes": pl.List(pl.String),
    "leaf_code": pl.String,
    "ruleset_id": pl.String,
    "unit_group": pl.String,
    "source": pl.String,
    "questionnaire_file": pl.String,
    "questionnaire_row": pl.Int64,
}


def _codes(text: str | None) -> list[str]:
    return [c.casefold() for c in (normalize_text(p) for p in (text or "").split(";")) if c]


def load_questionnaires(config: SurveyConfig, docs: Documents) -> pl.DataFrame:
    """Every survey's questions: component, answer type and the framework leaf each one feeds."""
    rows: list[dict] = []
    for spec in config.surveys:
        path = spec.questionnaire
        display = str(path)
        components: dict[str, int] = {}
        seen: dict[tuple[str, str | None, str | None], int] = {}
        kind: dict[str, tuple[str, str]] = {}
        for line, rec in docs.csv_rows(path):
            rec = {(normalize_text(k) or "").casefold(): normalize_text(v) for k, v in rec.items() if k}
            qid, comp = rec.get("question_id"), rec.get("component_code")
            if not qid or not comp:
                raise _fail(path, f"dòng {line}: thiếu question_id hoặc component_code")
            answer_type = (rec.get("answer_type") or "likert").casefold()
            if answer_type not in ANSWER_TYPES:
                raise _fail(path, f"dòng {line}, cột answer_type: '{answer_type}' không thuộc {ANSWER_TYPES}")
            valid, satisfied = _codes(rec.get("valid_codes")), _codes(rec.get("satisfied_codes"))
            if answer_type == "options" and (not valid or not satisfied or not set(satisfied) <= set(valid)):
                raise _fail(
                    path,
                    f"dòng {line}: câu dạng options cần valid_codes và satisfied_codes (nằm trong valid_codes)",
                )
            ruleset_id, unit_group = rec.get("ruleset_id"), rec.get("unit_group")
            if (qid, ruleset_id, unit_group) in seen:
                first = seen[(qid, ruleset_id, unit_group)]
                raise _fail(path, f"dòng {line}: câu {qid} lặp lại (đã có ở dòng {first})")
            seen[(qid, ruleset_id, unit_group)] = line
            if kind.setdefault(qid, (comp, answer_type)) != (comp, answer_type):
                raise _fail(path, f"dòng {line}: câu {qid} phải cùng component_code và answer_type ở mọi dòng")
            components.setdefault(comp, len(components) + 1)
            rows.append(
                {
                    "survey_id": spec.survey_id,
                    "question_id": qid,
                    "question_key": qid.casefold(),
                    "component_code": comp,
                    "component_title": rec.get("component_title") or comp,
                    "component_order": components[comp],
                    "question_text": rec.get("question_text"),
                    "answer_type": answer_type,
                    "valid_codes": valid,
                    "satisfied_codes": satisfied,
                    "leaf_code": rec.get("leaf_code"),
                    "ruleset_id": ruleset_id,
                    "unit_group": unit_group,
                    "source": rec.get("source"),
                    "questionnaire_file": display,
                    "questionnaire_row": line,
                }
            )
        if comp_clash := {c for c in components if c == OVERALL}:
            raise _fail(path, f"component_code '{comp_clash.pop()}' dành cho chỉ số chung")
    frame = pl.DataFrame(rows, schema=QUESTION_SCHEMA, orient="row")
    _check_one_survey_per_leaf(frame, config)
    return frame


def _check_one_survey_per_leaf(questions: pl.DataFrame, config: SurveyConfig) -> None:
    """A leaf gets its share from one questionnaire, so two surveys never count twice in it.

    Two surveys clash on a leaf code when their rows could apply to the same framework and unit
    group (a blank `ruleset_id` or `unit_group` applies to all).
    """
    fed = questions.filter(pl.col("leaf_code").is_not_null()).select(
        "survey_id", "leaf_code", "ruleset_id", "unit_group"
    )
    rows = fed.unique().iter_rows(named=True)
    by_leaf: dict[str, list[dict]] = {}
    for r in rows:
        by_leaf.setdefault(r["leaf_code"], []).append(r)
    for leaf, items in by_leaf.items():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a["survey_id"] == b["survey_id"]:
                    continue
                same_ruleset = a["ruleset_id"] is None or b["ruleset_id"] is None or a["ruleset_id"] == b["ruleset_id"]
                same_group = a["unit_group"] is None or b["unit_group"] is None or a["unit_group"] == b["unit_group"]
                if same_ruleset and same_group:
                    raise _fail(
                        config.path or config.root,
                        f"tiêu chí {leaf} được gắn với hai bộ câu hỏi ({a['survey_id']}, {b['survey_id']}) "
                        "trong cùng bộ chỉ số và nhóm đơn vị",
                    )


# ---------------------------------------------------------------------------------------- staging

RESPONDENT_SCHEMA = {
    "survey_id": pl.String,
    "year": pl.Int32,
    "unit_id": pl.String,
    "unit_group": pl.String,
    "province_code": pl.String,
    "respondent_id": pl.String,
    "survey_date": pl.Date,
    "channel": pl.String,
    "sex": pl.String,
    "age_band": pl.String,
    "area": pl.String,
    "procedure_field": pl.String,
    "weight": pl.Float64,
    "source_file": pl.String,
    "sheet": pl.String,
    "source_row": pl.Int64,
}
ANSWER_SCHEMA = {
    "survey_id": pl.String,
    "year": pl.Int32,
    "unit_id": pl.String,
    "respondent_id": pl.String,
    "question_id": pl.String,
    "answer": pl.String,
    "value": pl.Int32,
    "status": pl.String,  # valid | dont_know | blank | invalid
    "satisfied": pl.Boolean,  # null unless valid
}


@dataclass
class SurveyStage:
    """Staged respondents and their answers; rejected rows and bad cells in `quarantine`."""

    respondents: pl.DataFrame
    answers: pl.DataFrame
    quarantine: pl.DataFrame
    rows_in: int
    notes: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return (
            self.quarantine.filter(pl.col("rule").is_in(ROW_RULES) & pl.col("row_number").is_not_null())
            .select("source_file", "row_number")
            .unique()
            .height
        )

    @property
    def balanced(self) -> bool:
        """Rows in = respondents staged + respondent rows rejected (bad cells do not reject a row)."""
        return self.rows_in == self.respondents.height + self.rows_rejected


def _record(raw: dict, column: str, rule: str, message: str, value: object) -> dict:
    return record(raw, RowProblem(column, rule, message, value))


def _field(raw: dict, name: str) -> str | None:
    """The first filled alias of a field; raw values are already normalised text or None."""
    for alias in RESPONDENT_FIELDS[name]:
        value = raw.get(alias)
        if value is not None and value != "":
            return str(value)
    return None


@lru_cache(maxsize=4096)
def _parse_date(text: str | None):
    return parse_date(text)


def _unit(raw: dict, scope: Scope) -> dict:
    unit_id, unit_name = _field(raw, "unit_id"), _field(raw, "unit_name")
    if unit_id is None and unit_name is None:
        raise RowProblem("unit_id", "required", "Thiếu mã đơn vị và tên đơn vị được khảo sát")
    return scope.unit({"unit_id": unit_id, "unit_name": unit_name})


def _survey_year(raw: dict) -> int:
    text = _field(raw, "year")
    if text is None:
        # A survey tool's export often has no year column: the folder `<survey>/<year>/` says it.
        found = [p for p in str(raw.get("source_file") or "").split("/") if _YEAR_IN_PATH.match(p)]
        if found:
            return int(found[-1])
        raise RowProblem("year", "bad_year", "Thiếu năm đánh giá (cột 'Năm đánh giá' hoặc thư mục <năm>/)")
    try:
        year = parse_number(text)
    except ValueError:
        year = None
    if year is None or not float(year).is_integer() or not 2000 <= year <= 2100:
        raise RowProblem("year", "bad_year", f"Năm đánh giá '{text}' không hợp lệ", text)
    return int(year)


def _weight(raw: dict) -> float | None:
    text = _field(raw, "weight")
    if text is None:
        return None
    try:
        weight = parse_number(text)
    except ValueError:
        weight = None
    if weight is None or not weight > 0 or not math.isfinite(weight):
        raise RowProblem("weight", "bad_weight", f"Trọng số '{text}' phải là số dương", text)
    return weight


def stage_respondents(raw_rows: list[dict], config: SurveyConfig, questions: pl.DataFrame, scope: Scope) -> SurveyStage:
    """One row per respondent and one per answer; see the module docstring for the rules.

    Raw rows carry `survey_id` (which configured survey's files they came from). A row without
    a respondent id, with an unknown unit, a bad year or a bad weight is rejected whole; so is a
    repeated respondent id of the same unit and year (the first row is kept) and, in a unit-year
    whose respondents carry weights, a respondent without one. A bad date, an unknown channel
    or an answer off the scale is one cell: it is quarantined and the rest of the row counts.
    """
    bad: list[dict] = []
    kept: list[tuple[dict, dict]] = []
    specs = {s.survey_id: s for s in config.surveys}
    for raw in raw_rows:
        spec = specs.get(raw.get("survey_id"))
        if spec is None:
            continue
        try:
            respondent_id = _field(raw, "respondent_id")
            if respondent_id is None:
                raise RowProblem("respondent_id", "required", "Thiếu mã phiếu (mã người trả lời)")
            unit = _unit(raw, scope)
            year = _survey_year(raw)
            weight = _weight(raw)
        except RowProblem as p:
            bad.append(record(raw, p))
            continue
        try:
            survey_date = _parse_date(_field(raw, "survey_date"))
        except ValueError:
            survey_date = None
            text = _field(raw, "survey_date")
            bad.append(
                _record(raw, "survey_date", "not_a_date", f"Ngày khảo sát '{text}' không phải ngày dd/mm/yyyy", text)
            )
        channel_text = _field(raw, "channel")
        channel = CHANNELS.get(channel_text.casefold()) if channel_text else None
        if channel_text and channel is None:
            bad.append(
                _record(
                    raw,
                    "channel",
                    "unknown_channel",
                    f"Hình thức khảo sát '{channel_text}' phải là trực tiếp, trực tuyến hoặc bưu chính",
                    channel_text,
                )
            )
        kept.append(
            (
                raw,
                {
                    "survey_id": spec.survey_id,
                    "year": year,
                    "unit_id": unit["unit_id"],
                    "unit_group": unit["unit_group"],
                    "province_code": unit["province_code"],
                    "respondent_id": respondent_id,
                    "survey_date": survey_date,
                    "channel": channel,
                    "sex": _field(raw, "sex"),
                    "age_band": _field(raw, "age_band"),
                    "area": _field(raw, "area"),
                    "procedure_field": _field(raw, "procedure_field"),
                    "weight": weight,
                    "source_file": raw.get("source_file"),
                    "sheet": raw.get("sheet"),
                    "source_row": raw.get("row_number"),
                },
            )
        )
    kept = _reject_duplicates_and_unweighted(kept, bad)
    respondents = pl.DataFrame([r for _, r in kept], schema=RESPONDENT_SCHEMA, orient="row")
    answers = _answers(kept, specs, questions, bad)
    quarantine = pl.DataFrame(bad, schema=QUARANTINE_SCHEMA, orient="row")
    rows_in = sum(1 for r in raw_rows if r.get("survey_id") in specs)
    return SurveyStage(
        respondents.sort(["survey_id", "year", "unit_id", "respondent_id"]), answers, quarantine, rows_in
    )


def _reject_duplicates_and_unweighted(kept: list[tuple[dict, dict]], bad: list[dict]) -> list[tuple[dict, dict]]:
    seen: dict[tuple, dict] = {}
    unique = []
    for raw, row in sorted(kept, key=lambda k: (k[1]["source_file"] or "", k[1]["source_row"] or 0)):
        key = (row["survey_id"], row["year"], row["unit_id"], row["respondent_id"])
        if key in seen:
            first = seen[key]
            bad.append(
                _record(
                    raw,
                    "respondent_id",
                    "duplicate_respondent",
                    f"Mã phiếu {row['respondent_id']} của đơn vị {row['unit_id']} năm {row['year']} đã có ở "
                    f"{first['source_file']} dòng {first['source_row']}; dòng này không được tính",
                    row["respondent_id"],
                )
            )
            continue
        seen[key] = row
        unique.append((raw, row))
    weighted = {(row["survey_id"], row["year"], row["unit_id"]) for _, row in unique if row["weight"] is not None}
    result = []
    for raw, row in unique:
        if row["weight"] is None and (row["survey_id"], row["year"], row["unit_id"]) in weighted:
            bad.append(
                _record(
                    raw,
                    "weight",
                    "missing_weight",
                    f"Các phiếu khác của đơn vị {row['unit_id']} năm {row['year']} có trọng số, phiếu này thì không; "
                    "phiếu không được tính",
                    None,
                )
            )
            continue
        result.append((raw, row))
    return result


def _answers(kept: list[tuple[dict, dict]], specs: dict, questions: pl.DataFrame, bad: list[dict]) -> pl.DataFrame:
    """Each answer cell classified as valid, dont_know, blank or invalid (the last quarantined)."""
    qs = questions.unique(subset=["survey_id", "question_id"], keep="first", maintain_order=True).with_columns(
        pl.int_range(pl.len()).over("survey_id").alias("_q")
    )
    meta = pl.DataFrame(
        {
            "_i": list(range(len(kept))),
            "survey_id": [row["survey_id"] for _, row in kept],
            "year": [row["year"] for _, row in kept],
            "unit_id": [row["unit_id"] for _, row in kept],
            "respondent_id": [row["respondent_id"] for _, row in kept],
        },
        schema={
            "_i": pl.Int64,
            "survey_id": pl.String,
            "year": pl.Int32,
            "unit_id": pl.String,
            "respondent_id": pl.String,
        },
    )
    long = []
    for (survey_id,), part in qs.group_by("survey_id", maintain_order=True):
        rows = [i for i, (_, row) in enumerate(kept) if row["survey_id"] == survey_id]
        # Raw values are already NFC, single-spaced text or None (models.ingest.tables).
        wide = pl.DataFrame(
            {
                "_i": rows,
                **{
                    qid: [kept[i][0].get(key) for i in rows]
                    for qid, key in part.select("question_id", "question_key").iter_rows()
                },
            },
            schema={"_i": pl.Int64, **{qid: pl.String for qid in part["question_id"]}},
        )
        long.append(wide.unpivot(index="_i", variable_name="question_id", value_name="answer"))
    empty = pl.DataFrame(schema={"_i": pl.Int64, "question_id": pl.String, "answer": pl.String})
    frame = pl.concat(long, how="vertical") if long else empty
    frame = frame.join(meta, on="_i", how="left")
    parts = []
    for survey_id, spec in specs.items():
        these = qs.filter(pl.col("survey_id") == survey_id)
        part = frame.filter(pl.col("survey_id") == survey_id).join(
            these.select("question_id", "_q", "answer_type"), on="question_id", how="left"
        )
        options = (
            these.filter(pl.col("answer_type") == "options")
            .select("question_id", pl.col("valid_codes").alias("_code"), "satisfied_codes")
            .explode("_code", empty_as_null=True)
            .select(
                "question_id",
                "_code",
                pl.col("satisfied_codes").list.contains(pl.col("_code")).alias("_option_satisfied"),
            )
        )
        parts.append(_classify(part, spec, options))
    classified = (
        pl.concat(parts, how="vertical")
        if parts
        else frame.with_columns(
            pl.lit(None, pl.Int32).alias("value"),
            pl.lit(None, pl.String).alias("status"),
            pl.lit(None, pl.Boolean).alias("satisfied"),
            pl.lit(0, pl.Int64).alias("_q"),
        )
    )
    for rec in classified.filter(pl.col("status") == "invalid").iter_rows(named=True):
        raw, _ = kept[rec["_i"]]
        spec = specs[rec["survey_id"]]
        if rec["answer_type"] == "likert":
            allowed = f"thang đo {spec.scale_min}-{spec.scale_max}"
            rule = "off_scale"
        else:
            codes = qs.filter((pl.col("survey_id") == rec["survey_id"]) & (pl.col("question_id") == rec["question_id"]))
            allowed = "các mã " + ", ".join(codes["valid_codes"][0])
            rule = "unknown_option"
        dk = ", ".join(sorted(spec.dont_know)) or "không có"
        bad.append(
            record(
                raw,
                RowProblem(
                    rec["question_id"],
                    rule,
                    f"câu trả lời '{rec['answer']}' không thuộc {allowed} (mã 'không biết': {dk}); "
                    "câu này không được tính, các câu khác của phiếu vẫn được tính",
                    rec["answer"],
                ),
                f"Câu {rec['question_id']}",
            )
        )
    return classified.sort(["_i", "_q"]).select(list(ANSWER_SCHEMA)).cast(ANSWER_SCHEMA)


def _classify(part: pl.DataFrame, spec: SurveySpec, options: pl.DataFrame) -> pl.DataFrame:
    """`options`: (question_id, code, satisfied) for the option-coded questions of the survey."""
    folded = pl.col("answer").str.to_lowercase()
    number = (
        folded.replace_strict({k: str(v) for k, v in spec.labels.items()}, default=folded)
        .str.replace(",", ".", literal=True)
        .cast(pl.Float64, strict=False)
    )
    likert_ok = number.is_not_null() & (number == number.floor()) & number.is_between(spec.scale_min, spec.scale_max)
    is_likert = pl.col("answer_type") == "likert"
    status = (
        pl.when(pl.col("answer").is_null())
        .then(pl.lit("blank"))
        .when(folded.is_in(list(spec.dont_know)))
        .then(pl.lit("dont_know"))
        .when(pl.when(is_likert).then(likert_ok).otherwise(pl.col("_option_satisfied").is_not_null()))
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid"))
    )
    return (
        part.with_columns(folded.alias("_code"))
        .join(options, on=["question_id", "_code"], how="left")
        .with_columns(status.alias("status"), number.alias("_number"))
        .with_columns(
            pl.when((pl.col("status") == "valid") & is_likert).then(pl.col("_number").cast(pl.Int32)).alias("value"),
            pl.when(pl.col("status") != "valid")
            .then(None)
            .when(is_likert)
            .then(pl.col("_number") >= spec.satisfied_from)
            .otherwise(pl.col("_option_satisfied"))
            .alias("satisfied"),
        )
        .drop("_number", "_code", "_option_satisfied")
    )


# ------------------------------------------------------------------------------------- estimation


def wilson_interval(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval for a proportion p observed on (effective) n, as fractions."""
    if n <= 0:
        return (math.nan, math.nan)
    z2 = z * z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return (max(0.0, center - half), min(1.0, center + half))


def _wilson_exprs(p: pl.Expr, n: pl.Expr, z: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    z2 = z * z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = z * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt() / denom
    ok = n > 0
    low = pl.when(ok).then(pl.max_horizontal(pl.lit(0.0), center - half) * 100)
    high = pl.when(ok).then(pl.min_horizontal(pl.lit(1.0), center + half) * 100)
    return low, high


def _settings(config: SurveyConfig) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "survey_id": [s.survey_id for s in config.surveys],
            "_dk_counts": [s.dont_know_in_denominator for s in config.surveys],
            "_z": [s.z for s in config.surveys],
            "_min_n": [s.min_respondents for s in config.surveys],
        },
        schema={"survey_id": pl.String, "_dk_counts": pl.Boolean, "_z": pl.Float64, "_min_n": pl.Int64},
    )


def per_respondent(answers: pl.DataFrame, groups: pl.DataFrame, config: SurveyConfig) -> pl.DataFrame:
    """Counts per respondent and group: `groups` maps (survey_id, question_id[, year, unit_id]) → group."""
    join_on = [c for c in ("survey_id", "year", "unit_id", "question_id") if c in groups.columns]
    return (
        answers.join(groups, on=join_on, how="inner")
        .join(_settings(config), on="survey_id", how="left")
        .group_by(["survey_id", "year", "unit_id", "respondent_id", "group"])
        .agg(
            (pl.col("status") == "valid").sum().alias("_valid"),
            (pl.col("status") == "dont_know").sum().alias("n_dont_know"),
            (pl.col("status") == "blank").sum().alias("n_blank"),
            (pl.col("status") == "invalid").sum().alias("n_invalid"),
            pl.col("satisfied").fill_null(False).sum().alias("n_satisfied"),
            pl.col("_dk_counts").first(),
        )
        .with_columns(
            (pl.col("_valid") + pl.when(pl.col("_dk_counts")).then(pl.col("n_dont_know")).otherwise(0)).alias(
                "n_answers"
            )
        )
        .drop("_valid", "_dk_counts")
    )


def aggregate_shares(
    counts: pl.DataFrame, respondents: pl.DataFrame, keys: list[str], config: SurveyConfig
) -> pl.DataFrame:
    """Share, interval, effective n and flag per `keys` from per-respondent counts (module docstring)."""
    weights = respondents.select(
        "survey_id", "year", "unit_id", "respondent_id", "unit_group", "province_code", "weight"
    )
    w = pl.col("weight").fill_null(1.0)
    wa = w * pl.col("n_answers")
    frame = (
        counts.join(weights, on=["survey_id", "year", "unit_id", "respondent_id"], how="left")
        .group_by(keys)
        .agg(
            (pl.col("n_answers") > 0).sum().cast(pl.Int64).alias("n_respondents"),
            pl.col("n_answers").sum().cast(pl.Int64),
            pl.col("n_satisfied").sum().cast(pl.Int64),
            pl.col("n_dont_know").sum().cast(pl.Int64),
            pl.col("n_blank").sum().cast(pl.Int64),
            pl.col("n_invalid").sum().cast(pl.Int64),
            (w * pl.col("n_satisfied")).sum().alias("_ws"),
            wa.sum().alias("_wa"),
            (wa * wa).sum().alias("_wa2"),
            pl.col("weight").is_not_null().any().alias("weighted"),
        )
        .join(_settings(config), on="survey_id", how="left")
    )
    has = pl.col("_wa") > 0
    p = pl.col("_ws") / pl.col("_wa")
    n_eff = pl.when(has).then(pl.col("_wa") ** 2 / pl.col("_wa2"))
    low, high = _wilson_exprs(p, n_eff, pl.col("_z"))
    return frame.with_columns(
        pl.when(has).then(p * 100).alias("pct"),
        low.alias("ci_low"),
        high.alias("ci_high"),
        n_eff.alias("effective_n"),
        pl.when(pl.col("n_respondents") == 0)
        .then(pl.lit("no_answers"))
        .when(pl.col("n_respondents") < pl.col("_min_n"))
        .then(pl.lit("few_respondents"))
        .alias("flag"),
    ).drop("_ws", "_wa", "_wa2", "_dk_counts", "_z", "_min_n")


INDEX_SCHEMA = {
    "survey_id": pl.String,
    "survey_kind": pl.String,
    "level": pl.String,
    "year": pl.Int32,
    "unit_id": pl.String,
    "unit_group": pl.String,
    "province_code": pl.String,
    "component": pl.String,
    "component_title": pl.String,
    "component_order": pl.Int32,
    "pct": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "n_respondents": pl.Int64,
    "effective_n": pl.Float64,
    "n_answers": pl.Int64,
    "n_satisfied": pl.Int64,
    "n_dont_know": pl.Int64,
    "n_blank": pl.Int64,
    "n_invalid": pl.Int64,
    "weighted": pl.Boolean,
    "flag": pl.String,
}


def survey_index(
    respondents: pl.DataFrame, answers: pl.DataFrame, questions: pl.DataFrame, config: SurveyConfig
) -> pl.DataFrame:
    """Every survey's components and overall index per unit, unit group and province (core.survey_index)."""
    comps = questions.unique(subset=["survey_id", "question_id"], keep="first").select(
        "survey_id", "question_id", pl.col("component_code").alias("group")
    )
    groups = pl.concat([comps, comps.with_columns(pl.lit(OVERALL).alias("group"))], how="vertical")
    counts = per_respondent(answers, groups, config)
    levels = {
        "unit": ["survey_id", "year", "unit_id", "unit_group", "province_code", "group"],
        "unit_group": ["survey_id", "year", "unit_group", "province_code", "group"],
        "province": ["survey_id", "year", "province_code", "group"],
    }
    titles = (
        questions.select("survey_id", pl.col("component_code").alias("group"), "component_title", "component_order")
        .unique(subset=["survey_id", "group"], keep="first")
        .vstack(
            pl.DataFrame(
                {
                    "survey_id": [s.survey_id for s in config.surveys],
                    "group": [OVERALL] * len(config.surveys),
                    "component_title": [OVERALL_TITLE] * len(config.surveys),
                    "component_order": [0] * len(config.surveys),
                },
                schema={
                    "survey_id": pl.String,
                    "group": pl.String,
                    "component_title": pl.String,
                    "component_order": pl.Int32,
                },
            )
        )
    )
    parts = []
    for level, keys in levels.items():
        part = aggregate_shares(counts, respondents, keys, config).with_columns(pl.lit(level).alias("level"))
        for missing in ("unit_id", "unit_group"):
            if missing not in part.columns:
                part = part.with_columns(pl.lit(None, pl.String).alias(missing))
        parts.append(
            part.join(titles, on=["survey_id", "group"], how="left")
            .rename({"group": "component"})
            .with_columns(
                pl.col("survey_id").replace_strict({s.survey_id: s.kind for s in config.surveys}).alias("survey_kind")
            )
        )
    frame = pl.concat([p.select(list(INDEX_SCHEMA)) for p in parts], how="vertical") if parts else None
    if frame is None:
        return pl.DataFrame(schema=INDEX_SCHEMA)
    return frame.cast(INDEX_SCHEMA).sort(
        ["survey_id", "year", "level", "province_code", "unit_group", "unit_id", "component_order"], nulls_last=False
    )


LEAF_SHARE_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "ruleset_id": pl.String,
    "leaf_code": pl.String,
    "satisfied_pct": pl.Float64,
    "respondents": pl.Int64,
    "survey_id": pl.String,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "effective_n": pl.Float64,
    "n_answers": pl.Int64,
    "weighted": pl.Boolean,
    "flag": pl.String,
    "source_file": pl.String,
}


def leaf_shares(
    respondents: pl.DataFrame, answers: pl.DataFrame, questions: pl.DataFrame, scope: Scope, config: SurveyConfig
) -> tuple[pl.DataFrame, list[dict]]:
    """The satisfied share of each survey leaf a unit's answers feed, in the unit's framework.

    A question feeds its `leaf_code` in the framework that scores the unit that year (1708/QĐ-UBND
    Art. 5.3.a-c), or only in `ruleset_id` / `unit_group` when the questionnaire row names them (a
    question may have one row per framework and group, e.g. Quảng Ninh's 9.1 for departments and
    10.1 for districts, QĐ Quảng Ninh 2022 §II.1.b, §II.2.b). A leaf code that is
    not a survey leaf of that framework is reported once per questionnaire row and unit group.
    """
    mapped = questions.filter(pl.col("leaf_code").is_not_null())
    unit_years = respondents.select("survey_id", "year", "unit_id", "unit_group", "province_code").unique()
    records: list[dict] = []
    pairs = []
    reported: set[tuple] = set()
    spec_files = {s.survey_id: f"{SURVEYS_DIR}/{s.files}" for s in config.surveys}
    for uy in unit_years.sort(["survey_id", "year", "unit_id"]).iter_rows(named=True):
        qs = mapped.filter(pl.col("survey_id") == uy["survey_id"])
        if qs.is_empty():
            continue
        family = scope.family.get(uy["province_code"])
        ruleset = ruleset_for(scope.rulesets, family, uy["year"]) if family else None
        if ruleset is None:
            continue
        tree = scope.leaves.get((ruleset.ruleset_id, uy["unit_group"]), {})
        for q in qs.iter_rows(named=True):
            if q["ruleset_id"] is not None and q["ruleset_id"] != ruleset.ruleset_id:
                continue
            if q["unit_group"] is not None and q["unit_group"] != uy["unit_group"]:
                continue
            leaf = tree.get(q["leaf_code"])
            if leaf is None or leaf["method"] != "survey":
                key = (q["survey_id"], q["questionnaire_row"], ruleset.ruleset_id, uy["unit_group"])
                if key not in reported:
                    reported.add(key)
                    records.append(
                        {
                            "source_file": q["questionnaire_file"],
                            "sheet": None,
                            "row_number": q["questionnaire_row"],
                            "column_name": LABELS["criterion_code"],
                            "value": q["leaf_code"],
                            "rule": "leaf_not_in_framework",
                            "message": f"{q['questionnaire_file']}, dòng {q['questionnaire_row']}, cột leaf_code "
                            f"(quy tắc leaf_not_in_framework): câu {q['question_id']} gắn với tiêu chí "
                            f"{q['leaf_code']}, nhưng bộ chỉ số {ruleset.decision_no} của nhóm {uy['unit_group']} "
                            "không có tiêu chí điều tra xã hội học mã này; câu hỏi không được quy ra điểm",
                        }
                    )
                continue
            pairs.append(
                {
                    "survey_id": uy["survey_id"],
                    "year": uy["year"],
                    "unit_id": uy["unit_id"],
                    "question_id": q["question_id"],
                    "group": q["leaf_code"],
                    "ruleset_id": ruleset.ruleset_id,
                }
            )
    if not pairs:
        return pl.DataFrame(schema=LEAF_SHARE_SCHEMA), records
    groups = pl.DataFrame(pairs, schema_overrides={"year": pl.Int32})
    counts = per_respondent(answers, groups.drop("ruleset_id"), config)
    shares = aggregate_shares(counts, respondents, ["survey_id", "year", "unit_id", "group"], config).join(
        groups.select("survey_id", "year", "unit_id", "group", "ruleset_id").unique(),
        on=["survey_id", "year", "unit_id", "group"],
        how="left",
    )
    for r in shares.filter(pl.col("pct").is_null()).iter_rows(named=True):
        records.append(
            {
                "source_file": spec_files[r["survey_id"]],
                "sheet": None,
                "row_number": None,
                "column_name": LABELS["criterion_code"],
                "value": r["group"],
                "rule": "no_valid_answers",
                "message": f"Đơn vị {r['unit_id']} năm {r['year']}: không phiếu nào có câu trả lời hợp lệ cho các câu "
                f"của tiêu chí {r['group']}; tiêu chí này không tính được từ phiếu khảo sát",
            }
        )
    frame = shares.filter(pl.col("pct").is_not_null()).select(
        "year",
        "unit_id",
        "ruleset_id",
        pl.col("group").alias("leaf_code"),
        pl.col("pct").alias("satisfied_pct"),
        pl.col("n_respondents").alias("respondents"),
        "survey_id",
        "ci_low",
        "ci_high",
        "effective_n",
        "n_answers",
        "weighted",
        "flag",
        pl.col("survey_id").replace_strict(spec_files, default=None).alias("source_file"),
    )
    return frame.cast(LEAF_SHARE_SCHEMA).sort(["year", "unit_id", "leaf_code"]), records


SURVEY_RESULT_SCHEMA = {
    **SURVEY_SCHEMA,  # staging.survey_results as models/par/staging.py types it, plus where it came from
    "survey_source": pl.String,  # respondents | aggregate
    "survey_id": pl.String,
}


def _pct_text(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def combine_survey_results(aggregate: Staged, shares: pl.DataFrame, tolerance_pct: float = 0.05) -> Staged:
    """staging.survey_results: respondent-derived shares where they exist, survey_results.csv otherwise.

    Precedence: a share computed from respondents (by the rule of 1708/QĐ-UBND Art. 5.3.c, with its
    interval) replaces the aggregate row for the same year, unit and leaf; the aggregate row is
    kept in the quarantine as `superseded_by_respondents`, or `respondents_disagree` when the two
    differ by more than `tolerance_pct` (the aggregate's rounding). A leaf is never counted twice.
    """
    keys = ["year", "unit_id", "leaf_code"]
    agg = aggregate.rows.with_columns(
        pl.lit("aggregate").alias("survey_source"), pl.lit(None, pl.String).alias("survey_id")
    ).cast(SURVEY_RESULT_SCHEMA)
    derived = shares.select(
        "year",
        "unit_id",
        "ruleset_id",
        "leaf_code",
        "satisfied_pct",
        "respondents",
        "source_file",
        pl.lit(None, pl.Int64).alias("source_row"),
        pl.lit("respondents").alias("survey_source"),
        "survey_id",
    ).cast(SURVEY_RESULT_SCHEMA)
    replaced = agg.join(
        derived.select(
            *keys,
            pl.col("satisfied_pct").alias("_pct"),
            pl.col("respondents").alias("_n"),
            pl.col("survey_id").alias("_sid"),
        ),
        on=keys,
        how="inner",
    )
    records = []
    for r in replaced.iter_rows(named=True):
        agrees = abs(r["satisfied_pct"] - r["_pct"]) <= tolerance_pct + 1e-9
        rule = "superseded_by_respondents" if agrees else "respondents_disagree"
        found = f"{_pct_text(r['_pct'])}% từ {r['_n']} người trả lời (khảo sát {r['_sid']})"
        tail = (
            "dòng tổng hợp này được lưu nhưng không dùng để chấm"
            if agrees
            else f"khác dòng tổng hợp này quá mức làm tròn ±{_pct_text(tolerance_pct)} điểm %; "
            "dùng kết quả tính từ phiếu, cần đối chiếu hai nguồn"
        )
        records.append(
            {
                "source_file": r["source_file"],
                "sheet": None,
                "row_number": r["source_row"],
                "column_name": "Tỷ lệ hài lòng (%)",
                "value": _pct_text(r["satisfied_pct"]),
                "rule": rule,
                "message": f"Tiêu chí {r['leaf_code']} "
                f"của đơn vị {r['unit_id']} năm {r['year']} đã tính từ phiếu khảo sát: {found}; {tail}",
            }
        )
    kept = agg.join(derived.select(keys), on=keys, how="anti")
    rows = pl.concat([kept, derived], how="vertical").sort(keys)
    combined = Staged(rows, aggregate.quarantine, aggregate.set_aside)
    combined.add(records)
    return combined


# ---------------------------------------------------------------------------------- sample planning

DOSSIER_SCHEMA = {
    "year": pl.Int32,
    "unit_id": pl.String,
    "dossiers": pl.Int64,
    "source_file": pl.String,
    "source_row": pl.Int64,
}
DOSSIER_FIELDS = ("dossiers", "số hồ sơ", "số hồ sơ tiếp nhận", "số hồ sơ trong năm")


def stage_dossiers(raw_rows: list[dict], scope: Scope) -> Staged:
    """Dossiers a unit received in a year (N of the sample-size formula); one row per unit-year."""
    good, bad = [], []
    seen: dict[tuple, dict] = {}
    for raw in raw_rows:
        try:
            unit = _unit(raw, scope)
            year = _survey_year({**raw, "source_file": ""})
            text = next((normalize_text(raw.get(k)) for k in DOSSIER_FIELDS if normalize_text(raw.get(k))), None)
            try:
                number = parse_number(text)
            except ValueError:
                number = None
            if number is None or number < 0 or not float(number).is_integer():
                raise RowProblem("dossiers", "bad_count", f"Số hồ sơ '{text}' phải là số nguyên không âm", text)
            key = (year, unit["unit_id"])
            if key in seen:
                raise RowProblem(
                    "dossiers",
                    "duplicate",
                    f"Đơn vị {unit['unit_id']} năm {year} đã có số hồ sơ ở dòng {seen[key]['row_number']}; "
                    "dòng này không được dùng",
                    text,
                )
        except RowProblem as p:
            bad.append(record(raw, p))
            continue
        seen[key] = raw
        good.append(
            {
                "year": year,
                "unit_id": unit["unit_id"],
                "dossiers": int(number),
                "source_file": raw.get("source_file"),
                "source_row": raw.get("row_number"),
            }
        )
    return Staged(pl.DataFrame(good, schema=DOSSIER_SCHEMA, orient="row").sort(["year", "unit_id"]), bad)


def required_sample(dossiers: int, margin: Fraction) -> int:
    """n = N / (1 + N·e²), rounded up, in exact arithmetic (N = 1000, e = 5% → 285.7 → 286)."""
    n = Fraction(dossiers) / (1 + dossiers * margin * margin)
    return math.ceil(n)


PLAN_SCHEMA = {
    "survey_id": pl.String,
    "year": pl.Int32,
    "unit_id": pl.String,
    "dossiers": pl.Int64,
    "margin_of_error": pl.Float64,
    "n_required": pl.Int64,
    "n_respondents": pl.Int64,
    "shortfall": pl.Int64,
    "sample_short": pl.Boolean,
    "plan_year": pl.Int32,
    "n_planned": pl.Int64,
    "warning": pl.String,
}


def sample_plan(dossiers: pl.DataFrame, respondents: pl.DataFrame, config: SurveyConfig) -> pl.DataFrame:
    """Respondents each unit needs (n = N/(1+N·e²)), this year's shortfall, and next year's target.

    A unit-year appears when it has a dossier count or respondents. `n_required` comes from the
    year's own dossiers and is the yardstick for the year's sample; `n_planned` for `plan_year`
    (the next year) uses the same, latest known, dossier count.
    """
    rows = []
    counts = respondents.group_by("survey_id", "year", "unit_id").len()
    for spec in config.surveys:
        if spec.margin_of_error is None:
            continue
        done = {(r[1], r[2]): r[3] for r in counts.filter(pl.col("survey_id") == spec.survey_id).iter_rows()}
        n_by = {(r["year"], r["unit_id"]): r["dossiers"] for r in dossiers.iter_rows(named=True)}
        e_text = _pct_text(float(spec.margin_of_error) * 100)
        for year, unit_id in sorted(set(done) | set(n_by)):
            got = done.get((year, unit_id), 0)
            big_n = n_by.get((year, unit_id))
            if big_n is None:
                need = None
                warning = f"Năm {year} chưa có số hồ sơ của đơn vị nên chưa tính được cỡ mẫu cho năm {year + 1}"
            else:
                need = required_sample(big_n, spec.margin_of_error)
                warning = None
                if got < need:
                    warning = (
                        f"Năm {year} khảo sát {got} người, cần ít nhất {need} (N = {big_n} hồ sơ, e = {e_text}%): "
                        f"thiếu {need - got}"
                    )
            rows.append(
                {
                    "survey_id": spec.survey_id,
                    "year": year,
                    "unit_id": unit_id,
                    "dossiers": big_n,
                    "margin_of_error": float(spec.margin_of_error),
                    "n_required": need,
                    "n_respondents": got,
                    "shortfall": None if need is None else max(0, need - got),
                    "sample_short": None if need is None else got < need,
                    "plan_year": year + 1,
                    "n_planned": need,
                    "warning": warning,
                }
            )
    return pl.DataFrame(rows, schema=PLAN_SCHEMA, orient="row")


def surveyed_with_respondents(surveyed: pl.DataFrame, shares: pl.DataFrame) -> pl.DataFrame:
    """The unit-years surveyed: those survey_results.csv names and those with a leaf share from respondents."""
    return (
        pl.concat([surveyed.select("year", "unit_id"), shares.select("year", "unit_id")], how="vertical_relaxed")
        .cast({"year": pl.Int32, "unit_id": pl.String})
        .unique()
        .sort(["year", "unit_id"])
    )
