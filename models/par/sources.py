"""The PAR Index's inputs, declared once each (docs/inputs.md): the register, self-assessments,
appraisals and appeals, survey results, the evidence register and re-classification decisions."""

from __future__ import annotations

from pathlib import PurePosixPath

from expectations import schemas
from models.ingest.readers import Header, table_reader
from models.ingest.source import Inputs, Source, Staged
from models.par.bonus_penalty import FIELDS, stage_bonus_penalty_facts
from models.par.forms import read_xlsx_form
from models.par.reclassification import stage_reclassifications
from models.par.staging import (
    Scope,
    parent_groups,
    stage_appraisals,
    stage_evidence_register,
    stage_provinces,
    stage_submissions,
    stage_survey_results,
    stage_units,
    surveyed_units,
)
from models.rule_files import RULE_FILES, rulesets, survey_config
from models.surveys.rules import combine_survey_results, surveyed_with_respondents

UNIT = ("unit_id", "unit_name")  # a row names its unit by id, or by its registered name
SCOPE_NEEDS = ("staging.units", "staging.provinces", RULE_FILES, "staging.criteria")


def scope(inputs: Inputs) -> Scope:
    return Scope(inputs["staging.units"], inputs["staging.provinces"], rulesets(inputs), inputs["staging.criteria"])


def _folder_year(path: str) -> dict:
    """`submissions/<year>/<file>`: the folder says which year a file is for."""
    parts = PurePosixPath(path).parts
    return {"folder_year": parts[1] if len(parts) > 2 else None}


def _unit_groups(inputs: Inputs) -> tuple[str, ...]:
    return tuple(dict.fromkeys(g for r in rulesets(inputs) for g in r.unit_groups))


def _survey_results(raw_rows: list[dict], inputs: Inputs) -> Staged:
    """Satisfied shares per survey leaf: from respondents' answers where there are any, else from
    survey_results.csv; never both (`models.surveys.rules.combine_survey_results`)."""
    found = scope(inputs)
    shares = inputs["staging.survey_leaf_shares"]
    staged = combine_survey_results(
        stage_survey_results(raw_rows, found), shares, survey_config(inputs).aggregate_tolerance_pct
    )
    staged.extra["staging.surveyed_units"] = surveyed_with_respondents(surveyed_units(raw_rows, found), shares)
    return staged


def _csv(*required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Header:
    return Header(required=required, optional=optional)


PROVINCES = Source(
    name="provinces",
    label="Danh mục tỉnh",
    domain="par",
    description="provinces*.csv: which ruleset family scores each province",
    patterns=("provinces*.csv",),
    read=table_reader(
        _csv(("province_code",), ("ruleset_family",), optional=("province_name", "synthetic", "valid_from", "valid_to"))
    ),
    parse=lambda rows, inputs: stage_provinces(rows, set(inputs["staging.rulesets"]["family"])),
    needs=("staging.rulesets",),
    required_raw=("province_code", "ruleset_family"),
)
UNITS = Source(
    name="units",
    label="Danh mục đơn vị",
    domain="par",
    description="units*.csv: the unit register, one file per province is fine",
    patterns=("units*.csv",),
    read=table_reader(
        _csv(
            ("unit_id",),
            ("unit_name",),
            ("unit_group",),
            ("province_code",),
            optional=("parent_unit_id", "valid_from", "valid_to"),
        )
    ),
    parse=lambda rows, inputs: stage_units(
        rows,
        inputs["staging.provinces"],
        _unit_groups(inputs),
        parent_groups(rulesets(inputs), inputs["staging.provinces"]),
    ),
    schema=schemas.StagedUnits,
    needs=("staging.provinces", RULE_FILES),
    required_raw=("unit_id", "unit_name", "unit_group"),
)
SUBMISSIONS = Source(
    name="submissions",
    label="Tự đánh giá",
    domain="par",
    description="submissions/<year>/: self-assessment forms (.xlsx) as officers fill them in, and CSV exports",
    patterns=("submissions/**/*",),
    read=table_reader(
        _csv(
            UNIT,
            ("year",),
            ("criterion_code",),
            ("self_score",),
            optional=("evidence_refs", "explanation", "submitted_at"),
        ),
        xlsx=read_xlsx_form,
    ),
    parse=lambda rows, inputs: stage_submissions(rows, scope(inputs)),
    schema=schemas.StagedSubmissions,
    needs=SCOPE_NEEDS,
    path_fields=_folder_year,
    required_raw=("criterion_code", "self_score"),
    year_folder="submissions",
)
APPRAISALS = Source(
    name="appraisals",
    label="Thẩm định, phúc khảo",
    domain="par",
    description="appraisals*.csv: appraisal adjustments and appeal decisions",
    patterns=("appraisals*.csv",),
    read=table_reader(
        _csv(
            UNIT,
            ("year",),
            ("criterion_code",),
            ("round",),
            ("score",),
            optional=("agency", "reason", "decision_no", "decision_date"),
        )
    ),
    parse=lambda rows, inputs: stage_appraisals(rows, scope(inputs)),
    schema=schemas.StagedAppraisals,
    needs=SCOPE_NEEDS,
    required_raw=("criterion_code", "round", "score"),
)
SURVEY_RESULTS = Source(
    name="survey_results",
    label="Kết quả điều tra xã hội học",
    domain="par",
    description="survey_results*.csv: satisfied share per unit and survey criterion",
    patterns=("survey_results*.csv",),
    read=table_reader(_csv(UNIT, ("year",), ("criterion_code",), ("satisfied_pct",), optional=("respondents",))),
    parse=_survey_results,
    schema=schemas.StagedSurveyResults,
    needs=(*SCOPE_NEEDS, "staging.survey_leaf_shares"),
    writes=("staging.surveyed_units",),
    required_raw=("criterion_code", "satisfied_pct"),
)
EVIDENCE = Source(
    name="evidence",
    label="Sổ tài liệu kiểm chứng",
    domain="par",
    description="evidence/*.csv (optional): a unit's register of evidence documents",
    patterns=("evidence/*",),
    read=table_reader(_csv(UNIT, ("year",), ("document",), optional=("title", "doc_date", "system_date"))),
    parse=lambda rows, inputs: stage_evidence_register(rows, scope(inputs)),
    schema=schemas.StagedEvidence,
    needs=SCOPE_NEEDS,
)
RECLASSIFICATIONS = Source(
    name="reclassifications",
    label="Quyết định xếp loại lại",
    domain="par",
    description="reclassifications*.csv: decisions voiding a flawed result and re-classifying its year "
    "(1820/QĐ-UBND Art. 7)",
    patterns=("reclassifications*.csv",),
    read=table_reader(
        _csv(
            UNIT,
            ("year",),
            ("decision_no",),
            ("decision_date",),
            ("reason",),
            optional=("criterion_code", "corrected_score", "band", "agency"),
        )
    ),
    parse=lambda rows, inputs: stage_reclassifications(rows, scope(inputs)),
    schema=schemas.StagedReclassifications,
    needs=SCOPE_NEEDS,
)

FACT_UNIT = (*FIELDS["unit_id"], *FIELDS["unit_name"])
BONUS_PENALTY_FACTS = Source(
    name="bonus_penalty_facts",
    label="Số liệu điểm thưởng, điểm trừ (1820/QĐ-UBND Điều 4)",
    domain="par",
    description="bonus_penalty/*.csv|.xlsx (optional): per unit and year, the facts behind the bonus and penalty "
    "items of 1820/QĐ-UBND Art. 4 (late dossiers and apology letters, PAR news items, simplification plans)",
    patterns=("bonus_penalty/*",),
    read=table_reader(Header(required=(FACT_UNIT,), open=True, markers=FACT_UNIT)),
    parse=lambda rows, inputs: stage_bonus_penalty_facts(rows, scope(inputs)),
    needs=SCOPE_NEEDS,
)

SOURCES = (
    PROVINCES,
    UNITS,
    SUBMISSIONS,
    APPRAISALS,
    SURVEY_RESULTS,
    EVIDENCE,
    RECLASSIFICATIONS,
    BONUS_PENALTY_FACTS,
)
