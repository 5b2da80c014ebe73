"""The lineage of units through a reorganisation, and trends across it.

`unit_lineage`: every unit (or province) and each of its predecessors, direct or further back,
with the relation, date and decision of the step that ended the predecessor. `unit_trend`: for each
current unit, its own years and its predecessors' series beside them, each labelled as what it is;
a composite of the predecessors only where the user supplies weights, labelled as derived and with
its weights and members spelled out (never a silent average: Nghị quyết 202/2025/QH15 merged
provinces of very different sizes).
"""

from __future__ import annotations

import polars as pl

from models.units.register import RELATIONS

LINEAGE_SCHEMA = {
    "unit_id": pl.String,
    "unit_name": pl.String,
    "level": pl.String,
    "predecessor_id": pl.String,
    "predecessor_name": pl.String,
    "relation": pl.String,
    "effective_date": pl.Date,
    "decision_no": pl.String,
    "generation": pl.Int32,
    "via": pl.String,
}


def unit_lineage(changes: pl.DataFrame, register: pl.DataFrame) -> pl.DataFrame:
    """One row per unit and predecessor. `relation`, `effective_date`, `decision_no` are those of the
    predecessor's own change; `generation` 1 = a direct predecessor, 2 = its predecessor, …; `via` the
    ids in between (e.g. a commune that split before its successor merged)."""
    names = dict(zip(register["unit_id"], register["unit_name"], strict=True))
    levels = dict(zip(register["unit_id"], register["level"], strict=True))
    before: dict[str, list[dict]] = {}
    for c in changes.sort(["effective_date", "unit_id", "successor_id"]).iter_rows(named=True):
        before.setdefault(c["successor_id"], []).append(c)
    rows = []
    for unit in sorted(before):
        stack = [(c, 1, ()) for c in reversed(before[unit])]
        seen: set[str] = set()
        while stack:  # staged changes have no cycles (models/units/register.py); `seen` guards anyway
            c, generation, via = stack.pop()
            if c["unit_id"] in seen:
                continue
            seen.add(c["unit_id"])
            rows.append(
                {
                    "unit_id": unit,
                    "unit_name": names.get(unit),
                    "level": levels.get(unit),
                    "predecessor_id": c["unit_id"],
                    "predecessor_name": names.get(c["unit_id"]),
                    "relation": c["relation"],
                    "effective_date": c["effective_date"],
                    "decision_no": c["decision_no"],
                    "generation": generation,
                    "via": " → ".join(via) or None,
                }
            )
            stack += [(p, generation + 1, (c["unit_id"], *via)) for p in reversed(before.get(c["unit_id"], []))]
    return pl.DataFrame(rows, schema=LINEAGE_SCHEMA, orient="row").sort(["unit_id", "generation", "predecessor_id"])


TREND_SCHEMA = {
    "unit_id": pl.String,
    "unit_name": pl.String,
    "year": pl.Int32,
    "role": pl.String,
    "series_unit_id": pl.String,
    "series_unit_name": pl.String,
    "relation": pl.String,
    "generation": pl.Int32,
    "value": pl.Float64,
    "weight": pl.Float64,
    "members": pl.String,
    "label": pl.String,
}
ROLES = ("own", "predecessor", "composite")


def unit_trend(
    series: pl.DataFrame,
    lineage: pl.DataFrame,
    register: pl.DataFrame,
    weights: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """For each current unit (valid with no end date) with a series or predecessors: its own years
    (`role` = `own`), each predecessor's years (`predecessor`, with its relation and generation), and,
    in a year where every direct predecessor has a value and `weights` (unit_id, weight, basis) give
    each a weight, one `composite` row = Σ weight·value / Σ weight over them, `members` listing them
    with their weights (no composite for a year some predecessor lacks).
    `series`: (unit_id, year, value), e.g. a PAR index or PAPI total."""
    current = register.filter(pl.col("valid_to").is_null())
    names = dict(zip(register["unit_id"], register["unit_name"], strict=True))
    values: dict[str, dict[int, float]] = {}
    for unit_id, year, value in series.select("unit_id", "year", "value").iter_rows():
        values.setdefault(unit_id, {})[year] = value
    weight_of = {} if weights is None else dict(zip(weights["unit_id"], weights["weight"], strict=True))
    basis = (
        None
        if weights is None or "basis" not in weights.columns
        else "; ".join(sorted({b for b in weights["basis"] if b}))
    )
    rows = []
    for unit_id in current["unit_id"]:
        preds = lineage.filter(pl.col("unit_id") == unit_id)
        if unit_id not in values and preds.is_empty():
            continue
        name = names.get(unit_id)
        for year, value in sorted(values.get(unit_id, {}).items()):
            rows.append(
                {
                    "unit_id": unit_id,
                    "unit_name": name,
                    "year": year,
                    "role": "own",
                    "series_unit_id": unit_id,
                    "series_unit_name": name,
                    "value": value,
                    "label": f"{name} (chính đơn vị)",
                }
            )
        by_year: dict[int, list[tuple[str, float]]] = {}
        direct = set(preds.filter(pl.col("generation") == 1)["predecessor_id"])
        for p in preds.iter_rows(named=True):
            for year, value in sorted(values.get(p["predecessor_id"], {}).items()):
                if p["predecessor_id"] in direct:
                    by_year.setdefault(year, []).append((p["predecessor_id"], value))
                rows.append(
                    {
                        "unit_id": unit_id,
                        "unit_name": name,
                        "year": year,
                        "role": "predecessor",
                        "series_unit_id": p["predecessor_id"],
                        "series_unit_name": p["predecessor_name"],
                        "relation": p["relation"],
                        "generation": p["generation"],
                        "value": value,
                        "weight": weight_of.get(p["predecessor_id"]),
                        "label": f"{p['predecessor_name']} (đơn vị tiền thân: {RELATIONS[p['relation']]} "
                        f"{name}, {p['decision_no']})",
                    }
                )
        if not weight_of:
            continue
        for year, members in sorted(by_year.items()):
            if {m for m, _ in members} != direct or any(weight_of.get(m) is None for m, _ in members):
                continue  # a composite of only some predecessors would be a silent partial average
            total = sum(weight_of[m] for m, _ in members)
            if total <= 0:
                continue
            rows.append(
                {
                    "unit_id": unit_id,
                    "unit_name": name,
                    "year": year,
                    "role": "composite",
                    "value": sum(weight_of[m] * v for m, v in members) / total,
                    "weight": total,
                    "members": ", ".join(f"{m} × {weight_of[m]:g}" for m, _ in sorted(members)),
                    "label": f"Chỉ số tổng hợp (suy ra) từ {len(members)} đơn vị tiền thân của {name}, "
                    f"bình quân gia quyền theo trọng số do người dùng cung cấp{f' ({basis})' if basis else ''}",
                }
            )
    order = {r: i for i, r in enumerate(ROLES)}
    return (
        pl.DataFrame(rows, schema=TREND_SCHEMA, orient="row")
        .with_columns(pl.col("role").replace_strict(order, return_dtype=pl.Int32).alias("_o"))
        .sort(["unit_id", "year", "_o", "series_unit_id"], nulls_last=True)
        .drop("_o")
    )
