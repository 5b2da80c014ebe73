"""Successor relations between registered units (provinces and units): who merged into, split into,
was renamed or moved to another parent, on which date and by which legal decision.

From 1 July 2025 Vietnam's 63 provinces became 34 (Nghị quyết 202/2025/QH15), the district level
was abolished and communes were merged (Nghị quyết 76/2025/UBTVQH15 on the arrangement of
commune-level units; each province's own resolution names its communes). A unit that changes gets
a new id from the change's date; the old id keeps its past years, and `unit_changes*.csv` links the
two. Checks (each a quarantine rule, docs/data-quality.md): both ends are registered, the relation
is known, the decision is cited, the predecessor's validity ends before the successor's begins, and
no chain of relations comes back to where it started.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from models.ingest.records import RowProblem, record
from models.ingest.source import Staged, stage_rows
from models.ingest.values import date, number
from models.text import normalize_text

# relation → how an official reads it (Vietnamese), predecessor → successor.
RELATIONS = {
    "merged_into": "sáp nhập vào",
    "split_into": "chia tách, một phần thành",
    "renamed": "đổi tên thành",
    "moved": "chuyển sang đơn vị cấp trên khác, thành",
}
ALIASES = {
    "sáp nhập": "merged_into",
    "hợp nhất": "merged_into",
    "chia tách": "split_into",
    "đổi tên": "renamed",
    "điều chuyển": "moved",
}

CHANGE_SCHEMA = {
    "unit_id": pl.String,
    "relation": pl.String,
    "successor_id": pl.String,
    "effective_date": pl.Date,
    "decision_no": pl.String,
    "decision_date": pl.Date,
    "source_file": pl.String,
    "source_row": pl.Int64,
}

REGISTER_SCHEMA = {
    "unit_id": pl.String,
    "unit_name": pl.String,
    "level": pl.String,
    "unit_group": pl.String,
    "province_code": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
}


def register(units: pl.DataFrame, provinces: pl.DataFrame) -> pl.DataFrame:
    """Every registered id through time, provinces and units alike (a province's id is its code)."""

    def dates(frame: pl.DataFrame) -> list[pl.Expr]:
        return [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(pl.Date).alias(c)
            for c in ("valid_from", "valid_to")
        ]

    p = provinces.select(
        pl.col("province_code").alias("unit_id"),
        pl.col("province_name").alias("unit_name") if "province_name" in provinces.columns else pl.lit(None),
        pl.lit("province").alias("level"),
        pl.lit("province").alias("unit_group"),
        pl.col("province_code"),
        *dates(provinces),
    )
    u = units.select(
        "unit_id", "unit_name", pl.lit("unit").alias("level"), "unit_group", "province_code", *dates(units)
    )
    return pl.concat([p.cast(REGISTER_SCHEMA), u.cast(REGISTER_SCHEMA)]).select(list(REGISTER_SCHEMA))


def _shown(day: dt.date | None) -> str:
    return "(không giới hạn)" if day is None else day.strftime("%d/%m/%Y")


def stage_unit_changes(raw_rows: list[dict], units: pl.DataFrame, provinces: pl.DataFrame) -> Staged:
    """`unit_changes*.csv`: one row per predecessor and successor (a merger of two provinces is two
    rows, a commune split in two is two rows), checked against the register."""
    known = {r["unit_id"]: r for r in register(units, provinces).iter_rows(named=True)}
    seen: set[tuple[str, str]] = set()

    def parse(raw: dict) -> dict:
        unit_id = normalize_text(raw.get("unit_id"))
        if not unit_id:
            raise RowProblem("unit_id", "required", "Thiếu mã đơn vị (đơn vị trước khi thay đổi)")
        if unit_id not in known:
            raise RowProblem("unit_id", "unknown_unit", f"Đơn vị '{unit_id}' không có trong danh mục", unit_id)
        text = normalize_text(raw.get("relation")) or ""
        relation = text if text in RELATIONS else ALIASES.get(text.casefold())
        if relation is None:
            raise RowProblem(
                "relation",
                "unknown_relation",
                f"Quan hệ '{text}' không thuộc: {', '.join(RELATIONS)} (xem docs/inputs.md)",
                text,
            )
        successor = normalize_text(raw.get("successor_id"))
        if successor not in known:
            raise RowProblem(
                "successor_id",
                "unknown_successor",
                f"Đơn vị kế thừa '{successor}' của {unit_id} không có trong danh mục",
                successor,
            )
        if successor == unit_id:
            raise RowProblem("successor_id", "lineage_cycle", f"Đơn vị {unit_id} không thể kế thừa chính nó", successor)
        if (unit_id, successor) in seen:
            raise RowProblem(
                "successor_id", "duplicate_change", f"Quan hệ {unit_id} → {successor} ghi hai lần", successor
            )
        if known[unit_id]["level"] != known[successor]["level"]:
            raise RowProblem(
                "successor_id",
                "level_mismatch",
                f"{unit_id} và {successor} không cùng cấp (tỉnh với đơn vị)",
                successor,
            )
        decision = normalize_text(raw.get("decision_no"))
        if not decision:
            raise RowProblem("decision_no", "required", f"Thiếu số văn bản quyết định thay đổi {unit_id} → {successor}")
        effective = date(raw, "effective_date")
        if effective is None:
            raise RowProblem("effective_date", "required", "Thiếu ngày có hiệu lực")
        before, after = known[unit_id], known[successor]
        # No overlapping validity: the predecessor ends before the change, the successor starts on or after it.
        if before["valid_to"] is None or before["valid_to"] >= effective:
            raise RowProblem(
                "effective_date",
                "overlapping_validity",
                f"{unit_id} còn hiệu lực đến {_shown(before['valid_to'])}, không trước ngày thay đổi "
                f"{_shown(effective)}; hãy ghi ngày hết hiệu lực (valid_to) của {unit_id} trong danh mục",
                effective.isoformat(),
            )
        if after["valid_from"] is None or after["valid_from"] < effective:
            raise RowProblem(
                "effective_date",
                "overlapping_validity",
                f"{successor} có hiệu lực từ {_shown(after['valid_from'])}, trước ngày thay đổi "
                f"{_shown(effective)}; hãy ghi ngày bắt đầu hiệu lực (valid_from) của {successor} trong danh mục",
                effective.isoformat(),
            )
        seen.add((unit_id, successor))
        return {
            "unit_id": unit_id,
            "relation": relation,
            "successor_id": successor,
            "effective_date": effective,
            "decision_no": decision,
            "decision_date": date(raw, "decision_date"),
            "source_file": raw.get("source_file"),
            "source_row": raw.get("row_number"),
        }

    staged = stage_rows(raw_rows, CHANGE_SCHEMA, parse)
    cyclic = _in_cycles(staged.rows)
    if cyclic:
        mask = pl.struct("unit_id", "successor_id").map_elements(
            lambda s: (s["unit_id"], s["successor_id"]) in cyclic, return_dtype=pl.Boolean
        )
        bad = staged.rows.filter(mask)
        staged.rows = staged.rows.filter(~mask)
        staged.add(
            [
                record(
                    {"source_file": r["source_file"], "row_number": r["source_row"]},
                    RowProblem(
                        "successor_id",
                        "lineage_cycle",
                        f"Chuỗi kế thừa {r['unit_id']} → {r['successor_id']} quay lại đơn vị ban đầu",
                        r["successor_id"],
                    ),
                )
                for r in bad.iter_rows(named=True)
            ]
        )
    return staged


def _in_cycles(changes: pl.DataFrame) -> set[tuple[str, str]]:
    """The edges that lie on a cycle (an edge a → b is on one when b reaches a)."""
    edges = list(zip(changes["unit_id"], changes["successor_id"], strict=True))
    nxt: dict[str, list[str]] = {}
    for a, b in edges:
        nxt.setdefault(a, []).append(b)

    def reaches(start: str, goal: str) -> bool:
        stack, seen = [start], set()
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(nxt.get(node, []))
        return False

    return {(a, b) for a, b in edges if reaches(b, a)}


WEIGHT_SCHEMA = {
    "unit_id": pl.String,
    "weight": pl.Float64,
    "basis": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


def stage_unit_weights(raw_rows: list[dict], units: pl.DataFrame, provinces: pl.DataFrame) -> Staged:
    """`unit_weights*.csv` (optional): a user's weight per predecessor (e.g. its population) and what it
    is; only with these does the trend view add a derived composite of a unit's predecessors."""
    known = set(register(units, provinces)["unit_id"])
    seen: set[str] = set()

    def parse(raw: dict) -> dict:
        unit_id = normalize_text(raw.get("unit_id"))
        if unit_id not in known:
            raise RowProblem("unit_id", "unknown_unit", f"Đơn vị '{unit_id}' không có trong danh mục", unit_id)
        if unit_id in seen:
            raise RowProblem("unit_id", "duplicate_unit", f"Trọng số của {unit_id} ghi hai lần", unit_id)
        weight = number(raw, "weight")
        if weight <= 0:
            raise RowProblem("weight", "not_positive", f"Trọng số {weight:g} phải lớn hơn 0", weight)
        basis = normalize_text(raw.get("basis"))
        if not basis:
            raise RowProblem("basis", "required", "Thiếu căn cứ của trọng số (ví dụ: dân số năm 2024)")
        seen.add(unit_id)
        return {
            "unit_id": unit_id,
            "weight": weight,
            "basis": basis,
            "source_file": raw.get("source_file"),
            "source_row": raw.get("row_number"),
        }

    return stage_rows(raw_rows, WEIGHT_SCHEMA, parse)
