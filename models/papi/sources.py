"""PAPI tables as UNDP publishes them (docs/inputs.md "PAPI"), declared once; surveys.yaml says where."""

from __future__ import annotations

import polars as pl

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
    """Scores per province, year and sub-dimension; the published intervals and ranks beside them.
    Provinces are named by the register or, for tables that write codes (`P30`), papi_provinces.csv."""
    names = pl.concat(
        [
            inputs["staging.provinces"].select("province_code", "province_name"),
            inputs["staging.papi_provinces"].select("province_code", "province_name"),
        ]
    )
    stage = stage_papi(raw_rows, inputs["staging.papi_dimensions"], names)
    return Staged(stage.rows, stage.quarantine, extra={"staging.papi_published": stage.published})


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
    needs=("staging.papi_dimensions", "staging.papi_provinces", "staging.provinces"),
    writes=("staging.papi_published",),
)

SOURCES = (PAPI_SCORES,)
