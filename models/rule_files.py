"""Rule files as an input like any other: read once by the raw layer, checked here, and turned into
the staging tables every later step builds its rules from.

A framework, questionnaire, survey configuration or PAPI dimension map that does not add up
stops the run (`FrameworkError`, `SurveyConfigError`, `PapiConfigError`): nothing can be scored
with it, and scoring with half a rulebook would publish wrong results. An improvement plan that
cannot be used is one quarantine record (`bad_plan`): only its own targets wait.
"""

from __future__ import annotations

import functools

import polars as pl

from models.ingest.documents import Documents
from models.ingest.source import Inputs, Staged
from models.papi.scores import DIMENSION_SCHEMA, load_papi_dimensions, load_papi_provinces
from models.par.frameworks import Ruleset, appraisal_bodies_frame, bands_frame, load_frameworks, rulesets_frame
from models.plan.inputs import Plan, load_plans, plans_frame
from models.surveys.rules import SurveyConfig, load_questionnaires, load_survey_config

RULE_FILES = "staging.rule_files"
RULE_TABLES = (
    "staging.rulesets",
    "staging.criteria",
    "staging.ruleset_bands",
    "staging.appraisal_bodies",
    "staging.survey_questions",
    "staging.papi_dimensions",
    "staging.papi_provinces",
    "staging.plans",
    "staging.plan_default_variants",
)
RULE_FILE_SCHEMA = {"source_file": pl.String, "text": pl.String, "source_row": pl.Int64}


def documents(inputs: Inputs) -> Documents:
    return Documents.from_frame(inputs[RULE_FILES])


def rulesets(inputs: Inputs) -> list[Ruleset]:
    """The run's rulesets. Many sources need them (scope, unit groups, survey leaves): they are
    parsed and checked once per distinct set of rule files, not once per caller (~0.2 s each)."""
    docs = documents(inputs)
    return list(_rulesets(tuple(docs.texts.items())))


@functools.lru_cache(maxsize=4)
def _rulesets(texts: tuple[tuple[str, str], ...]) -> tuple[Ruleset, ...]:
    return tuple(load_frameworks(Documents(dict(texts)))[0])


def survey_config(inputs: Inputs) -> SurveyConfig:
    return load_survey_config(documents(inputs))


def plans(inputs: Inputs) -> list[Plan]:
    return load_plans(documents(inputs))[0]


def stage_rule_files(raw_rows: list[dict], inputs: Inputs) -> Staged:
    """Check every rule file and lay its rules out as tables; `staging.rule_files` keeps the text."""
    docs = Documents({r["source_file"]: r["text"] for r in raw_rows})
    found_rulesets, criteria = load_frameworks(docs)
    config = load_survey_config(docs)
    questions = load_questionnaires(config, docs)
    dimensions = (
        load_papi_dimensions(docs, config.papi.dimensions) if config.papi else pl.DataFrame(schema=DIMENSION_SCHEMA)
    )
    papi_names = load_papi_provinces(docs, config.papi.provinces if config.papi else None)
    found_plans, plan_problems = load_plans(docs)
    plan_table, defaults = plans_frame(found_plans)
    texts = pl.DataFrame(
        [{"source_file": r["source_file"], "text": r["text"], "source_row": r["row_number"]} for r in raw_rows],
        schema=RULE_FILE_SCHEMA,
        orient="row",
    )
    tables = dict(
        zip(
            RULE_TABLES,
            (
                rulesets_frame(found_rulesets),
                criteria,
                bands_frame(found_rulesets),
                appraisal_bodies_frame(found_rulesets),
                questions,
                dimensions,
                papi_names,
                plan_table,
                defaults,
            ),
            strict=True,
        )
    )
    # A plan that cannot be used is quarantined as a file; its text stays out of the snapshot.
    bad = {p["source_file"] for p in plan_problems}
    plan_rows = [{**p, "row_number": 1} for p in plan_problems]
    return Staged(texts.filter(~pl.col("source_file").is_in(bad)), plan_rows, extra=tables)
