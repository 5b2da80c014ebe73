"""Gap to the next band: the fewest points, leaf by leaf, that lift a unit one band up.

What a department head asks first. For a unit-year under its ruleset:

- the target is the band directly above the unit's band (after any downgrade);
- points needed on the index: target minimum × max ÷ scale − achieved (index = achieved / max ×
  scale, 1708/QĐ-UBND Art. 4.3.b; 1820/QĐ-UBND Art. 6.3; QĐ Quảng Ninh 2022 §II.1.d); every point on
  any leaf adds the same
  to the total, so the fewest points is exactly that gap;
- if the target band is one the ruleset's downgrade rule can drop (Hưng Yên: Xuất sắc and Tốt
  with a content area below 70%, 1708/QĐ-UBND Art. 5.5), each such content area must first reach the
  threshold: those points are taken inside the area and count towards the gap;
- points are taken within each leaf's headroom (max − final; a penalty can be avoided, up to
  its value), cheapest first: points the appraisal or appeal took off the unit's own score (the
  evidence exists), then leaves left blank, then other appraised leaves (largest headroom first, so
  fewest leaves), then avoiding penalties, then bonus items, then survey leaves (which depend
  on citizens, not on the unit's own work).

A unit at the top band, or whose band a re-classification decision set (1820/QĐ-UBND Art. 7), has
one row with no leaf and a note. Pure functions over the frames `compute` returns.
"""

from __future__ import annotations

import functools

import polars as pl

from models.par.frameworks import Ruleset
from models.par.scoring import PRECISION

COST_ORDER = {
    "appraisal_cut": (1, "khôi phục điểm bị trừ khi thẩm định (bổ sung tài liệu kiểm chứng)"),
    "missing": (2, "chấm tiêu chí còn bỏ trống"),
    "appraised": (3, "nâng điểm tiêu chí"),
    "penalty": (4, "không để bị điểm trừ"),
    "bonus": (5, "đạt điểm thưởng"),
    "survey": (6, "nâng mức hài lòng qua điều tra xã hội học"),
}
GAP_SCHEMA = {
    "year": pl.Int32,
    "province_code": pl.String,
    "unit_group": pl.String,
    "unit_id": pl.String,
    "band": pl.String,
    "target_band": pl.String,
    "target_min_index": pl.Float64,
    "index_pct": pl.Float64,
    "index_gap": pl.Float64,
    "points_needed": pl.Float64,
    "reachable": pl.Boolean,
    "blocked_by": pl.String,
    "step": pl.Int32,
    "leaf_code": pl.String,
    "field_code": pl.String,
    "method": pl.String,
    "add_points": pl.Float64,
    "cumulative_points": pl.Float64,
    "headroom": pl.Float64,
    "kind": pl.String,
    "for_content_area": pl.String,
    "note": pl.String,
    "ruleset_id": pl.String,
}
EPS = 10.0**-PRECISION


def band_gap(
    units: pl.DataFrame, lineage: pl.DataFrame, components: pl.DataFrame, rulesets: list[Ruleset]
) -> pl.DataFrame:
    """One row per unit, year and step of its cheapest plan to the next band (docs/marts.md)."""
    ruleset_of = {r.ruleset_id: r for r in rulesets}
    leaves_of = _by_unit(_levers(lineage))
    areas_of = _by_unit(components.filter(pl.col("node_level") == 1).select("year", "unit_id", *AREA_COLUMNS))
    rows: list[dict] = []
    for unit in units.sort(["year", "province_code", "unit_group", "unit_id"]).iter_rows(named=True):
        key = (unit["year"], unit["unit_id"])
        rows.extend(unit_plan(unit, leaves_of.get(key, []), areas_of.get(key, []), ruleset_of[unit["ruleset_id"]]))
    return pl.DataFrame(rows, schema=GAP_SCHEMA, orient="row")


LEVER_COLUMNS = ["leaf_code", "field_code", "method", "final_score", "max_points", "applicable", "final_source"]
AREA_COLUMNS = ["node_code", "pct", "max_points", "achieved"]


def _levers(lineage: pl.DataFrame) -> pl.DataFrame:
    """The lineage rows `_candidates` can keep, with the columns it reads, in lineage order.

    A national year has ~1.2 M leaves, most of them at their max or with no task: dropping those
    here (a superset of what `_candidates` keeps: its own checks and rounding still decide) saves
    turning them into Python dicts, which is what the plan per unit cost.
    """
    self_score = pl.col("self_score") if "self_score" in lineage.columns else pl.lit(None, pl.Float64)
    final, top = pl.col("final_score"), pl.col("max_points")
    raw_headroom = (
        pl.when(pl.col("method") == "penalty")
        .then(final)
        .when(pl.col("method").is_in(["bonus", "survey"]))
        .then(top - final)
        .when(pl.col("final_source") == "missing")
        .then(top)
        .otherwise(top - final)
    )
    return lineage.filter(
        pl.col("applicable").fill_null(False),
        final.is_not_null(),
        ~pl.col("final_source").is_in(["not_applicable", "not_surveyed"]).fill_null(False),
        raw_headroom > EPS / 2,  # `round(headroom, PRECISION) > EPS` needs at least this
    ).select("year", "unit_id", *LEVER_COLUMNS, self_score.alias("self_score"))


def _by_unit(frame: pl.DataFrame) -> dict[tuple, list[dict]]:
    """Rows as dicts under (year, unit_id), in the frame's order, in one pass."""
    grouped: dict[tuple, list[dict]] = {}
    for row in frame.iter_rows(named=True):
        grouped.setdefault((row["year"], row["unit_id"]), []).append(row)
    return grouped


def unit_plan(unit: dict, leaves: list[dict], areas: list[dict], ruleset: Ruleset) -> list[dict]:
    base = {
        "year": unit["year"],
        "province_code": unit.get("province_code"),
        "unit_group": unit.get("unit_group"),
        "unit_id": unit["unit_id"],
        "band": unit["band"],
        "index_pct": unit["index_pct"],
        "ruleset_id": ruleset.ruleset_id,
    }
    names = ruleset.band_names
    if unit.get("band_decided"):
        note = "Xếp loại do quyết định xếp loại lại xác định (1820/QĐ-UBND Điều 7), không tính theo điểm"
        return [{**base, "step": 0, "note": note}]
    position = names.index(unit["band"])
    if position == 0:
        return [{**base, "step": 0, "note": f"Đã ở bậc cao nhất ({unit['band']})"}]
    target = ruleset.bands[position - 1]
    scale, max_points, achieved = ruleset.scale, unit["max_points"], unit["achieved_points"]
    need_total = max(0.0, round(target.min * max_points / scale - achieved, PRECISION))
    # Content areas the downgrade rule would hold against the target band (1708/QĐ-UBND Art. 5.5).
    deficits: dict[str, float] = {}
    if target.name in ruleset.downgrade_applies_to and ruleset.downgrade_below_pct is not None:
        threshold = ruleset.downgrade_below_pct
        for area in areas:
            if area["node_code"] in ruleset.content_areas and round(area["pct"], PRECISION) < threshold:
                deficits[area["node_code"]] = round(threshold / 100 * area["max_points"] - area["achieved"], PRECISION)
    pool = _candidates(leaves)
    plan: list[dict] = []
    taken: dict[str, float] = {}

    def take(candidates: list[dict], amount: float, area: str | None) -> float:
        for c in candidates:
            if amount <= EPS:
                break
            left = c["headroom"] - taken.get(c["leaf_code"], 0.0)
            if left <= EPS:
                continue
            add = round(min(left, amount), PRECISION)
            taken[c["leaf_code"]] = taken.get(c["leaf_code"], 0.0) + add
            plan.append({**c, "add_points": add, "for_content_area": area})
            amount = round(amount - add, PRECISION)
        return amount

    short = 0.0
    for area, deficit in sorted(deficits.items(), key=lambda kv: _code_key(kv[0])):
        in_area = [c for c in pool if c["field_code"] == area and c["method"] in ("appraised", "survey")]
        short += take(in_area, deficit, area)
    used = sum(p["add_points"] for p in plan)
    short += take(pool, max(0.0, round(need_total - used, PRECISION)), None)
    blocked = "; ".join(
        f"lĩnh vực {a} cần thêm {_vn(d)} điểm để đạt {ruleset.downgrade_below_pct:g}%" for a, d in deficits.items()
    )
    gap = {
        **base,
        "target_band": target.name,
        "target_min_index": target.min,
        "index_gap": max(0.0, round(target.min - (unit["index_pct"] or 0.0), PRECISION)),
        "reachable": short <= EPS,
        "blocked_by": blocked or None,
    }
    if not plan:
        return [{**gap, "points_needed": 0.0, "step": 0, "note": "Không cần thêm điểm"}]
    total = round(sum(p["add_points"] for p in plan), PRECISION)
    rows, cumulative = [], 0.0
    for i, p in enumerate(plan, start=1):
        cumulative = round(cumulative + p["add_points"], PRECISION)
        rows.append(
            {
                **gap,
                "points_needed": total,
                "step": i,
                "leaf_code": p["leaf_code"],
                "field_code": p["field_code"],
                "method": p["method"],
                "add_points": p["add_points"],
                "cumulative_points": cumulative,
                "headroom": p["headroom"],
                "kind": COST_ORDER[p["kind"]][1],
                "for_content_area": p["for_content_area"],
                "note": None if gap["reachable"] else "Không đủ điểm còn trống để lên bậc trên",
            }
        )
    return rows


def _candidates(leaves: list[dict]) -> list[dict]:
    """Leaves with points left to gain, cheapest first (see the module docstring)."""
    out = []
    for leaf in leaves:
        method, final, mx = leaf["method"], leaf["final_score"], leaf["max_points"]
        if not leaf["applicable"] or final is None or leaf["final_source"] in ("not_applicable", "not_surveyed"):
            continue  # a leaf the unit has no task for (kept in the max under QĐ Quảng Ninh 2022) is no lever
        if method == "penalty":
            kind, headroom = "penalty", final
        elif method == "bonus":
            kind, headroom = "bonus", mx - final
        elif method == "survey":
            kind, headroom = "survey", mx - final
        elif leaf["final_source"] == "missing":
            kind, headroom = "missing", mx
        elif (leaf.get("self_score") or 0.0) > final + EPS and leaf["final_source"] in ("appraisal", "appeal"):
            kind, headroom = "appraisal_cut", mx - final
        else:
            kind, headroom = "appraised", mx - final
        headroom = round(headroom, PRECISION)
        if headroom > EPS:
            cut = (leaf.get("self_score") or 0.0) - final if kind == "appraisal_cut" else 0.0
            out.append(
                {
                    "leaf_code": leaf["leaf_code"],
                    "field_code": leaf["field_code"],
                    "method": method,
                    "headroom": headroom,
                    "kind": kind,
                    "_sort": (COST_ORDER[kind][0], -cut, -headroom, _code_key(leaf["leaf_code"])),
                }
            )
    out.sort(key=lambda c: c["_sort"])
    for c in out:
        del c["_sort"]
    return out


@functools.lru_cache(maxsize=1 << 14)
def _code_key(code: str) -> tuple:
    """`1.10` after `1.9`: codes by number (cached: every unit's plan sorts the same few hundred codes)."""
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def _vn(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".").replace(".", ",")
