"""Every published version of a unit-year's result, for re-classification (1820/QĐ-UBND Art. 7).

A decision that voids a flawed result re-classifies the year of the flaw (Art. 7); since units
are ranked within their group (year, province, unit group), the other units of that group may
change rank too. `result_history` replays the decisions in the order they were taken:

- version 0 is the result as first computed (appraisal and appeal, Art. 5 steps 1-7);
- after each decision the affected groups are recomputed; a unit gets a new version when the
  decision names it (its result is voided, `change_kind = voided`) or when its index, band or
  rank changed because another unit's result was voided (`change_kind = reranked`);
- the earlier version is kept with `valid = false` and `voided_by` = the decision that replaced it.

The last version of every unit-year is the current result (`marts.par_index`).
"""

from __future__ import annotations

import polars as pl

from models.par.frameworks import Ruleset
from models.par.index import compute
from models.par.reclassification import decisions as decision_list

PARTITION = ["year", "province_code", "unit_group"]
KEYS = ["year", "unit_id"]
SHOWN = ["index_pct", "band", "rank", "achieved_points", "max_points", "band_reason"]
HISTORY_SCHEMA = {
    "year": pl.Int32,
    "province_code": pl.String,
    "unit_group": pl.String,
    "unit_id": pl.String,
    "unit_name": pl.String,
    "version": pl.Int32,
    "valid": pl.Boolean,
    "index_pct": pl.Float64,
    "band": pl.String,
    "rank": pl.Int32,
    "achieved_points": pl.Float64,
    "max_points": pl.Float64,
    "band_reason": pl.String,
    "decided_by": pl.String,
    "decided_on": pl.Date,
    "voided_by": pl.String,
    "voided_on": pl.Date,
    "void_reason": pl.String,
    "change_kind": pl.String,
    "ruleset_id": pl.String,
}


def result_history(
    *,
    scope: pl.DataFrame,
    criteria: pl.DataFrame,
    submissions: pl.DataFrame,
    appraisals: pl.DataFrame,
    survey: pl.DataFrame,
    rulesets: list[Ruleset],
    surveyed: pl.DataFrame | None,
    reclassifications: pl.DataFrame | None,
    current: pl.DataFrame,
    facts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per unit, year and version of its result; `current` is compute()'s units frame."""
    current = current.with_columns(pl.col("year").cast(pl.Int32))
    if reclassifications is None or reclassifications.is_empty():
        return _rows(current, version=0, decided=None).select(list(HISTORY_SCHEMA)).sort(KEYS)
    scope = scope.with_columns(pl.col("year").cast(pl.Int32))
    named = reclassifications.select("year", "unit_id", "decision_no").unique()
    affected = named.join(scope.select(*KEYS, "province_code", "unit_group"), on=KEYS).select(PARTITION).unique()
    sub_scope = scope.join(affected, on=PARTITION, how="semi")
    steps = decision_list(reclassifications)

    def snapshot(upto: int) -> pl.DataFrame:
        taken = steps.head(upto).select("decision_no", "decision_date")
        recl = reclassifications.join(taken, on=["decision_no", "decision_date"], how="semi")
        units = compute(sub_scope, criteria, submissions, appraisals, survey, rulesets, surveyed, recl, facts).units
        return units.with_columns(pl.col("year").cast(pl.Int32))

    versions: dict[tuple[int, str], list[dict]] = {}
    for rec in snapshot(0).iter_rows(named=True):
        versions[(rec["year"], rec["unit_id"])] = [{**rec, "_decided": None}]
    for j, step in enumerate(steps.iter_rows(named=True), start=1):
        names = set(named.filter(pl.col("decision_no") == step["decision_no"]).select(KEYS).iter_rows())
        for rec in snapshot(j).iter_rows(named=True):
            key = (rec["year"], rec["unit_id"])
            chain = versions.setdefault(key, [])
            last = chain[-1] if chain else None
            is_named = key in names
            if last is not None and not is_named and all(_same(last[c], rec[c]) for c in SHOWN):
                continue
            if last is not None:
                last["_voided"] = step
                last["_kind"] = "voided" if is_named else "reranked"
            chain.append({**rec, "_decided": step})
    rows = []
    for chain in versions.values():
        for v, rec in enumerate(chain):
            rows.append(_row(rec, v, valid=v == len(chain) - 1))
    replayed = pl.DataFrame(rows, schema=HISTORY_SCHEMA, orient="row")
    untouched = _rows(current.join(sub_scope.select(KEYS), on=KEYS, how="anti"), version=0, decided=None)
    return pl.concat([untouched.select(list(HISTORY_SCHEMA)), replayed], how="vertical").sort([*KEYS, "version"])


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-9
    return a == b


def _row(rec: dict, version: int, *, valid: bool) -> dict:
    decided = rec.get("_decided")
    voided = rec.get("_voided")
    return {
        **{k: rec.get(k) for k in HISTORY_SCHEMA},
        "version": version,
        "valid": valid,
        "decided_by": decided and decided["decision_no"],
        "decided_on": decided and decided["decision_date"],
        "voided_by": voided and voided["decision_no"],
        "voided_on": voided and voided["decision_date"],
        "void_reason": voided and voided["reason"],
        "change_kind": rec.get("_kind"),
    }


def _rows(units: pl.DataFrame, *, version: int, decided: dict | None) -> pl.DataFrame:
    return pl.DataFrame(
        [_row({**rec, "_decided": decided}, version, valid=True) for rec in units.iter_rows(named=True)],
        schema=HISTORY_SCHEMA,
        orient="row",
    )
