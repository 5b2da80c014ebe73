"""Improvement-plan inputs, declared once each (docs/inputs.md "Improvement plan"): the targets
catalogue, the provinces' choices and assignments, and the statistics that measure them."""

from __future__ import annotations

from expectations import schemas
from models.ingest.readers import Header, table_reader
from models.ingest.source import Inputs, Source
from models.plan.inputs import (
    read_statistics_workbook,
    stage_assignments,
    stage_choices,
    stage_statistics,
    stage_targets,
    value_kinds,
)
from models.rule_files import RULE_FILES, plans


def _provinces(inputs: Inputs) -> set[str]:
    return set(inputs["staging.provinces"]["province_code"])


def _open(*required: str) -> Header:
    return Header(required=tuple((r,) for r in required), open=True)


PLAN_TARGETS = Source(
    name="plan_targets",
    label="Danh mục chỉ tiêu kế hoạch",
    domain="plan",
    description="plan/<plan_id>/targets.csv: a plan's targets catalogue",
    patterns=("plan/*/targets.csv",),
    read=table_reader(_open("code", "metric", "comparator")),
    parse=lambda rows, inputs: stage_targets(rows, plans(inputs)),
    schema=schemas.StagedPlanTargets,
    needs=(RULE_FILES,),
)
PLAN_TARGET_CHOICES = Source(
    name="plan_target_choices",
    label="Phương án chỉ tiêu được chọn",
    domain="plan",
    description="plan/target_choices*.csv: which version of a contradictory target a province tracks",
    patterns=("plan/target_choices*.csv",),
    read=table_reader(_open("province_code", "plan_id", "target_code", "variant")),
    parse=lambda rows, inputs: stage_choices(rows, inputs["staging.plan_targets"], _provinces(inputs)),
    needs=("staging.plan_targets", "staging.provinces"),
)
PLAN_ASSIGNMENTS = Source(
    name="plan_assignments",
    label="Phân công theo dõi kế hoạch",
    domain="plan",
    description="plan/plan_assignments*.csv: which province tracks which plan, from which year",
    patterns=("plan/plan_assignments*.csv",),
    read=table_reader(_open("province_code", "plan_id", "from_year")),
    parse=lambda rows, inputs: stage_assignments(rows, plans(inputs), _provinces(inputs)),
    needs=(RULE_FILES, "staging.provinces"),
)
PLAN_STATISTICS = Source(
    name="plan_statistics",
    label="Số liệu kinh tế - xã hội, số liệu theo dõi",
    domain="plan",
    description="statistics/<year>/*.xlsx|csv: socio-economic statistics and operational measures, one row per value",
    patterns=("statistics/**/*",),
    read=table_reader(
        _open("province_code", "year", "period", "indicator_code", "value"), xlsx=read_statistics_workbook
    ),
    parse=lambda rows, inputs: stage_statistics(rows, _provinces(inputs), value_kinds(inputs["staging.plan_targets"])),
    schema=schemas.StagedPlanStatistics,
    needs=("staging.plan_targets", "staging.provinces"),
)

SOURCES = (PLAN_TARGETS, PLAN_TARGET_CHOICES, PLAN_ASSIGNMENTS, PLAN_STATISTICS)
