"""PAPI tables as UNDP publishes them (docs/inputs.md "PAPI"), declared once; surveys.yaml says where."""

from __future__ import annotations

from expectations import schemas
from models.ingest.documents import Documents
from models.ingest.readers import Header, table_reader
from models.ingest.source import Inputs, Source, Staged
from models.papi.scores import PROVINCE_HEADERS, stage_papi
from models.surveys.rules import load_survey_config


def _papi_files(docs: Documents) -> list[tuple[str, dict]]:
    config = load_survey_config(docs)
    return [(f"{config.root}/{config.papi.files}", {})] if config.papi else []


def _papi(raw_rows: list[dict], inputs: Inputs) -> Staged:
    stage = stage_papi(raw_rows, inputs["staging.papi_dimensions"], inputs["staging.provinces"])
    return Staged(stage.rows, stage.quarantine)


PAPI_SCORES = Source(
    name="papi_scores",
    label="Bảng PAPI",
    domain="papi",
    description="provincial PAPI tables: one row per province, one column per dimension or sub-dimension",
    patterns=(),
    locate=_papi_files,
    read=table_reader(Header(required=(PROVINCE_HEADERS,), open=True, markers=PROVINCE_HEADERS)),
    parse=_papi,
    schema=schemas.StagedPapi,
    needs=("staging.papi_dimensions", "staging.provinces"),
)

SOURCES = (PAPI_SCORES,)
