"""Every input source the warehouse reads, in one list: assets, checks, row balance, the quarantine
union and the dashboard's list of sources all come from here (docs/inputs.md documents each)."""

from __future__ import annotations

from expectations import schemas
from models.ingest.documents import RULE_FILE_PATTERNS
from models.ingest.readers import document_reader
from models.ingest.source import Source
from models.papi import sources as papi
from models.par import sources as par
from models.plan import sources as plan
from models.rule_files import RULE_TABLES, stage_rule_files
from models.surveys import sources as surveys
from models.units import sources as units

RULE_FILES = Source(
    name="rule_files",
    label="Tệp quy tắc (bộ chỉ số, khảo sát, kế hoạch)",
    domain="rules",
    description="frameworks, surveys.yaml, questionnaires, the PAPI dimension map and plan.yaml, read once per run",
    patterns=RULE_FILE_PATTERNS,
    read=document_reader,
    parse=stage_rule_files,
    schema=schemas.StagedRuleFiles,
    writes=RULE_TABLES,
)

SOURCES: tuple[Source, ...] = (RULE_FILES, *par.SOURCES, *units.SOURCES, *surveys.SOURCES, *papi.SOURCES, *plan.SOURCES)
BY_NAME = {s.name: s for s in SOURCES}
