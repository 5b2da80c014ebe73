"""The unit register's successor relations, declared once (docs/inputs.md, "unit_changes.csv")."""

from __future__ import annotations

from models.ingest.readers import Header, table_reader
from models.ingest.source import Source
from models.units.register import stage_unit_changes, stage_unit_weights

UNIT_CHANGES = Source(
    name="unit_changes",
    label="Thay đổi đơn vị hành chính (sáp nhập, chia tách, đổi tên, điều chuyển)",
    domain="units",
    description="unit_changes*.csv (optional): which unit or province merged into, split into, was renamed "
    "or moved to which, from which date, by which decision (e.g. Nghị quyết 202/2025/QH15)",
    patterns=("unit_changes*.csv",),
    read=table_reader(
        Header(
            required=(("unit_id",), ("relation",), ("successor_id",), ("effective_date",), ("decision_no",)),
            optional=("decision_date",),
        )
    ),
    parse=lambda rows, inputs: stage_unit_changes(rows, inputs["staging.units"], inputs["staging.provinces"]),
    needs=("staging.units", "staging.provinces"),
    required_raw=("unit_id", "relation", "successor_id", "effective_date", "decision_no"),
)

UNIT_WEIGHTS = Source(
    name="unit_weights",
    label="Trọng số đơn vị tiền thân (người dùng cung cấp)",
    domain="units",
    description="unit_weights*.csv (optional): a weight per predecessor unit or province (e.g. population) "
    "and its basis; only with these does marts.unit_trend add a derived, labelled composite",
    patterns=("unit_weights*.csv",),
    read=table_reader(Header(required=(("unit_id",), ("weight",), ("basis",)))),
    parse=lambda rows, inputs: stage_unit_weights(rows, inputs["staging.units"], inputs["staging.provinces"]),
    needs=("staging.units", "staging.provinces"),
    required_raw=("unit_id", "weight", "basis"),
)

SOURCES = (UNIT_CHANGES, UNIT_WEIGHTS)
