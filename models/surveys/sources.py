"""Survey inputs, declared once each (docs/inputs.md "Surveys"): respondents' answers and dossier counts.

Where their files are is itself a rule (`surveys/surveys.yaml` names each survey's folder), so
these sources are located from the run's rule files, not by a fixed pattern.
"""

from __future__ import annotations

import polars as pl

from expectations import schemas
from models.ingest.documents import Documents
from models.ingest.readers import Header, table_reader
from models.ingest.records import quarantine_frame
from models.ingest.source import Inputs, Source, Staged
from models.par.sources import SCOPE_NEEDS, scope
from models.rule_files import survey_config
from models.surveys.rules import (
    DOSSIER_FIELDS,
    RESPONDENT_FIELDS,
    leaf_shares,
    load_survey_config,
    stage_dossiers,
    stage_respondents,
)

RESPONDENT_IDS = RESPONDENT_FIELDS["respondent_id"]
UNIT_NAMES = (*RESPONDENT_FIELDS["unit_id"], *RESPONDENT_FIELDS["unit_name"])


def _respondent_files(docs: Documents) -> list[tuple[str, dict]]:
    config = load_survey_config(docs)
    return [(f"{config.root}/{spec.files}", {"survey_id": spec.survey_id}) for spec in config.surveys]


def _dossier_files(docs: Documents) -> list[tuple[str, dict]]:
    config = load_survey_config(docs)
    return [(f"{config.root}/{p}", {}) for p in sorted({s.dossiers for s in config.surveys if s.dossiers})]


def _respondents(raw_rows: list[dict], inputs: Inputs) -> Staged:
    """Respondents and their answers, checked; the satisfied share of each survey leaf they feed."""
    config, questions, found = survey_config(inputs), inputs["staging.survey_questions"], scope(inputs)
    stage = stage_respondents(raw_rows, config, questions, found)
    shares, leaf_records = leaf_shares(stage.respondents, stage.answers, questions, found, config)
    return Staged(
        stage.respondents,
        pl.concat([stage.quarantine, quarantine_frame(leaf_records)]),
        extra={"staging.survey_answers": stage.answers, "staging.survey_leaf_shares": shares},
    )


SURVEY_RESPONDENTS = Source(
    name="survey_respondents",
    label="Phiếu khảo sát (người trả lời)",
    domain="surveys",
    description="respondent exports (.csv, .xlsx) of every survey in surveys/surveys.yaml, one row per respondent",
    patterns=(),
    locate=_respondent_files,
    read=table_reader(Header(required=(RESPONDENT_IDS,), open=True, markers=RESPONDENT_IDS)),
    parse=_respondents,
    schema=schemas.StagedRespondents,
    needs=(*SCOPE_NEEDS, "staging.survey_questions"),
    writes=("staging.survey_answers", "staging.survey_leaf_shares"),
)
SURVEY_DOSSIERS = Source(
    name="survey_dossiers",
    label="Số hồ sơ TTHC (chọn mẫu khảo sát)",
    domain="surveys",
    description="dossiers received per unit and year (the N of the sample-size formula), from each survey's planning",
    patterns=(),
    locate=_dossier_files,
    read=table_reader(Header(required=(UNIT_NAMES, DOSSIER_FIELDS), open=True, markers=UNIT_NAMES)),
    parse=lambda rows, inputs: stage_dossiers(rows, scope(inputs)),
    schema=schemas.StagedDossiers,
    needs=SCOPE_NEEDS,
)

SOURCES = (SURVEY_RESPONDENTS, SURVEY_DOSSIERS)
