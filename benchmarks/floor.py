"""Two independent ways to compute the same scores, bands and ranks, for the benchmark's comparisons.

- `duckdb_floor`: one DuckDB query over the staged tables (the floor the issue asks to compare with:
  no lineage, no components, no provenance; only what decides the index, band and rank);
- `pandas_scores`: a plain pandas implementation (merges and group-bys), one year at a time.

Both follow the rules as models/par does (final = re-classification → appeal → appraisal → self,
1820/QĐ-UBND Art. 5, 7; not-applicable leaves leave the max, 1708/QĐ-UBND Art. 3.3, except under
QĐ Quảng Ninh 2022 §II.1.d; index = achieved / max × scale within [0, scale], 1708/QĐ-UBND Art. 4.3;
bands with the downgrade of 1708/QĐ-UBND Art. 5.5 and bands set by decision, 1820/QĐ-UBND Art. 7;
competition ranks with the tiebreak of 1708/QĐ-UBND Art. 5.5), and the benchmark checks that all
three agree on every unit.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl

from models.par.frameworks import SCORED_METHODS, Ruleset

PRECISION = 9


def rule_tables(rulesets: list[Ruleset]) -> dict[str, pl.DataFrame]:
    """The rules the query needs, as small tables: per ruleset, its bands and its content areas."""
    scored = [r for r in rulesets if r.bands]
    return {
        "rules": pl.DataFrame(
            {
                "ruleset_id": [r.ruleset_id for r in scored],
                "scale": [r.scale for r in scored],
                "full_max": [r.index_max == "scale" for r in scored],
                "uses_tiebreak": [r.tiebreak == "flagged_leaves" for r in scored],
                "threshold": [r.downgrade_below_pct for r in scored],
                "steps": [r.downgrade_steps for r in scored],
                "last_position": [len(r.bands) for r in scored],
            },
            schema_overrides={"threshold": pl.Float64},
        ),
        "bands": pl.DataFrame(
            [
                (r.ruleset_id, i, b.name, b.min, b.name in r.downgrade_applies_to)
                for r in scored
                for i, b in enumerate(r.bands, start=1)
            ],
            schema=["ruleset_id", "position", "band", "min_index", "can_drop"],
            orient="row",
        ),
        "areas": pl.DataFrame(
            [(r.ruleset_id, a) for r in scored for a in r.content_areas],
            schema={"ruleset_id": pl.String, "field_code": pl.String},
            orient="row",
        ),
    }


FLOOR_SQL = """
WITH scope AS (
    SELECT DISTINCT s.year, s.unit_id, s.ruleset_id, u.unit_group, u.province_code, u.parent_unit_id
    FROM st.staging.submissions s JOIN st.staging.units u USING (unit_id) WHERE {years}
),
adj AS (
    SELECT year, unit_id, leaf_code, round, score, decision_date, source_file, source_row
    FROM st.staging.appraisals WHERE {years}
    UNION ALL
    SELECT year, unit_id, leaf_code, 'reclassification', score, decision_date, source_file, source_row
    FROM st.staging.reclassifications WHERE leaf_code IS NOT NULL AND {years}
),
latest AS (
    SELECT year, unit_id, leaf_code,
           any_value(score) FILTER (WHERE round = 'appraisal') AS appraisal,
           any_value(score) FILTER (WHERE round = 'appeal') AS appeal,
           any_value(score) FILTER (WHERE round = 'reclassification') AS recl
    FROM (SELECT *, row_number() OVER (PARTITION BY year, unit_id, leaf_code, round
                                       ORDER BY decision_date DESC NULLS LAST, source_file DESC, source_row DESC) AS rn
          FROM adj)
    WHERE rn = 1
    GROUP BY ALL
),
lin AS (
    SELECT sc.year, sc.unit_id, sc.ruleset_id, sc.province_code, sc.unit_group, sc.parent_unit_id,
           l.field_code, l.method, l.max_points, l.tiebreak, r.full_max,
           l.method IN ('appraised', 'survey') AS scored_leaf,
           CASE WHEN l.method = 'survey' THEN su.unit_id IS NOT NULL
                WHEN d.recl IS NOT NULL THEN true
                ELSE NOT coalesce(s.not_applicable, false) END AS applies,
           CASE WHEN l.method = 'survey' THEN coalesce(sv.satisfied_pct / 100 * l.max_points, 0.0)
                ELSE coalesce(d.recl, d.appeal, d.appraisal, s.self_score, 0.0) END AS points
    FROM scope sc
    JOIN st.staging.criteria l ON l.is_leaf AND l.ruleset_id = sc.ruleset_id AND l.unit_group = sc.unit_group
    JOIN rules r ON r.ruleset_id = sc.ruleset_id
    LEFT JOIN st.staging.submissions s ON s.year = sc.year AND s.unit_id = sc.unit_id AND s.leaf_code = l.code
    LEFT JOIN latest d ON d.year = sc.year AND d.unit_id = sc.unit_id AND d.leaf_code = l.code
    LEFT JOIN st.staging.survey_results sv ON sv.year = sc.year AND sv.unit_id = sc.unit_id AND sv.leaf_code = l.code
    LEFT JOIN (SELECT DISTINCT year, unit_id FROM st.staging.surveyed_units) su
           ON su.year = sc.year AND su.unit_id = sc.unit_id
),
fin AS (  -- QĐ Quảng Ninh 2022 §II.1.d: a scored leaf that does not apply stays in the max with 0
    SELECT *, applies OR (full_max AND scored_leaf) AS counts,
           CASE WHEN applies THEN points WHEN full_max AND scored_leaf THEN 0.0 END AS final
    FROM lin
),
tot AS (
    SELECT year, unit_id, ruleset_id, province_code, unit_group, parent_unit_id,
           coalesce(sum(final) FILTER (WHERE scored_leaf AND counts), 0)
             + coalesce(sum(final) FILTER (WHERE method = 'bonus'), 0)
             - coalesce(sum(final) FILTER (WHERE method = 'penalty'), 0) AS achieved,
           coalesce(sum(max_points) FILTER (WHERE scored_leaf AND counts), 0) AS max_points,
           coalesce(sum(final) FILTER (WHERE tiebreak AND counts), 0) AS tiebreak_points
    FROM fin GROUP BY ALL
),
low AS (
    SELECT f.year, f.unit_id
    FROM fin f JOIN areas a USING (ruleset_id, field_code) JOIN rules r USING (ruleset_id)
    WHERE f.scored_leaf AND f.counts AND r.threshold IS NOT NULL
    GROUP BY f.year, f.unit_id, f.field_code, r.threshold
    HAVING round(sum(f.final) / sum(f.max_points) * 100, 9) < r.threshold
),
idx AS (
    SELECT t.*, r.uses_tiebreak, r.steps, r.last_position,
           CASE WHEN t.max_points > 0
                THEN round(least(greatest(t.achieved / t.max_points * r.scale, 0), r.scale), 9) END AS index_pct,
           EXISTS (SELECT 1 FROM low WHERE low.year = t.year AND low.unit_id = t.unit_id) AS has_low
    FROM tot t JOIN rules r USING (ruleset_id)
),
banded AS (
    SELECT i.*,
           (SELECT min(b.position) FROM bands b WHERE b.ruleset_id = i.ruleset_id
              AND (i.index_pct >= b.min_index OR b.position = i.last_position)) AS position
    FROM idx i
),
decided AS (
    SELECT year, unit_id, last(band ORDER BY decision_date, source_file, source_row) AS decided_band
    FROM st.staging.reclassifications WHERE leaf_code IS NULL AND {years} GROUP BY ALL
),
final AS (
    SELECT b.*, bb.band AS band_before_downgrade,
           coalesce(d.decided_band,
                    CASE WHEN bb.can_drop AND b.has_low
                         THEN (SELECT band FROM bands x WHERE x.ruleset_id = b.ruleset_id
                               AND x.position = least(b.position + b.steps, b.last_position))
                         ELSE bb.band END) AS band,
           round(CASE WHEN b.uses_tiebreak THEN b.tiebreak_points ELSE 0 END, 9) AS tb
    FROM banded b
    LEFT JOIN bands bb ON bb.ruleset_id = b.ruleset_id AND bb.position = b.position
    LEFT JOIN decided d ON d.year = b.year AND d.unit_id = b.unit_id
)
SELECT year, unit_id, index_pct, band_before_downgrade, band,
       rank() OVER (PARTITION BY year, province_code, unit_group ORDER BY coalesce(index_pct, -1) DESC, tb DESC)
         AS rank,
       CASE WHEN unit_group = 'commune'
            THEN rank() OVER (PARTITION BY year, parent_unit_id, unit_group = 'commune'
                              ORDER BY coalesce(index_pct, -1) DESC, tb DESC) END AS parent_rank
FROM final
"""


def duckdb_floor(db_path: str, rulesets: list[Ruleset], years: list[int] | None = None, threads: int = 2):
    """Scores, bands and ranks in one DuckDB query over the staged warehouse; an Arrow table."""
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(f"ATTACH '{db_path}' AS st (READ_ONLY)")
    for name, frame in rule_tables(rulesets).items():
        con.register(name, frame.to_arrow())
    where = "true" if years is None else f"year IN ({', '.join(str(int(y)) for y in years)})"
    return con.sql(FLOOR_SQL.format(years=where)).fetch_arrow_table()


# --------------------------------------------------------------------------------------------------
# Plain pandas
# --------------------------------------------------------------------------------------------------
def pandas_scores(db_path: str, rulesets: list[Ruleset], year: int) -> pd.DataFrame:
    """One year's scores, bands and ranks with pandas (inputs read from the staged warehouse)."""
    con = duckdb.connect(db_path, read_only=True)

    def read(table: str, columns: str = "*") -> pd.DataFrame:
        return con.sql(f"SELECT {columns} FROM staging.{table} WHERE year = {int(year)}").df()

    subs = read("submissions", "year, unit_id, ruleset_id, leaf_code, self_score, not_applicable")
    adj = read("appraisals", "unit_id, leaf_code, round, score, decision_date, source_file, source_row")
    recl = read("reclassifications")
    survey = read("survey_results", "unit_id, leaf_code, satisfied_pct")
    surveyed = set(read("surveyed_units", "unit_id")["unit_id"])
    units = con.sql("SELECT * FROM staging.units").df()
    criteria = con.sql("SELECT * FROM staging.criteria WHERE is_leaf").df()
    con.close()
    rules = {r.ruleset_id: r for r in rulesets}

    scope = subs[["unit_id", "ruleset_id"]].drop_duplicates().merge(units, on="unit_id")
    leaves = criteria.rename(columns={"code": "leaf_code"})[
        ["ruleset_id", "unit_group", "leaf_code", "field_code", "method", "max_points", "tiebreak"]
    ]
    lin = scope.merge(leaves, on=["ruleset_id", "unit_group"])
    lin = lin.merge(
        subs[["unit_id", "leaf_code", "self_score", "not_applicable"]], on=["unit_id", "leaf_code"], how="left"
    )
    rounds = pd.concat(
        [adj, recl[recl["leaf_code"].notna()].assign(round="reclassification")[adj.columns]], ignore_index=True
    )
    rounds = rounds.sort_values(["decision_date", "source_file", "source_row"], na_position="first", kind="stable")
    latest = rounds.drop_duplicates(["unit_id", "leaf_code", "round"], keep="last")
    wide = latest.pivot(index=["unit_id", "leaf_code"], columns="round", values="score").reset_index()
    for name in ("appraisal", "appeal", "reclassification"):
        if name not in wide:
            wide[name] = np.nan
    lin = lin.merge(wide, on=["unit_id", "leaf_code"], how="left").merge(
        survey, on=["unit_id", "leaf_code"], how="left"
    )
    is_survey = lin["method"] == "survey"
    applies = np.where(
        is_survey,
        lin["unit_id"].isin(surveyed),
        lin["reclassification"].notna() | ~lin["not_applicable"].astype("boolean").fillna(False).to_numpy(dtype=bool),
    )
    points = np.where(
        is_survey,
        (lin["satisfied_pct"] / 100 * lin["max_points"]).fillna(0.0),
        lin["reclassification"].fillna(lin["appeal"]).fillna(lin["appraisal"]).fillna(lin["self_score"]).fillna(0.0),
    )
    scored_leaf = lin["method"].isin(SCORED_METHODS).to_numpy()
    full_max = lin["ruleset_id"].map({k: r.index_max == "scale" for k, r in rules.items()}).to_numpy(dtype=bool)
    counts = applies | (full_max & scored_leaf)
    lin["final"] = np.where(applies, points, np.where(counts, 0.0, np.nan))
    lin["counts"] = counts
    lin["scored_in"] = scored_leaf & counts
    lin["scored_final"] = np.where(lin["scored_in"], lin["final"], 0.0)
    lin["scored_max"] = np.where(lin["scored_in"], lin["max_points"], 0.0)
    lin["bonus"] = np.where(lin["method"] == "bonus", lin["final"], 0.0)
    lin["penalty"] = np.where(lin["method"] == "penalty", lin["final"], 0.0)
    lin["tb"] = np.where(lin["tiebreak"].astype(bool) & counts, lin["final"], 0.0)
    keys = ["unit_id", "ruleset_id", "unit_group", "province_code", "parent_unit_id"]
    tot = lin.groupby(keys, dropna=False)[["scored_final", "scored_max", "bonus", "penalty", "tb"]].sum().reset_index()
    area = lin[lin["scored_in"]].groupby(["unit_id", "ruleset_id", "field_code"])[["final", "max_points"]].sum()
    area = area.reset_index()
    area["pct"] = (area["final"] / area["max_points"] * 100).round(PRECISION)
    rows = []
    low_units = set()
    for r in rules.values():
        if r.downgrade_below_pct is None:
            continue
        part = area[(area["ruleset_id"] == r.ruleset_id) & area["field_code"].isin(r.content_areas)]
        low_units |= set(part.loc[part["pct"] < r.downgrade_below_pct, "unit_id"])
    decided = recl[recl["leaf_code"].isna()].sort_values(["decision_date", "source_file", "source_row"])
    decided = decided.drop_duplicates("unit_id", keep="last").set_index("unit_id")["band"].to_dict()
    for rec in tot.itertuples(index=False):
        r = rules[rec.ruleset_id]
        achieved = rec.scored_final + rec.bonus - rec.penalty
        index = (
            round(min(r.scale, max(0.0, achieved / rec.scored_max * r.scale)), PRECISION)
            if rec.scored_max > 0
            else None
        )
        names = r.band_names
        band = None if index is None else next(b.name for b in r.bands if index >= b.min or b is r.bands[-1])
        final_band = band
        if band in r.downgrade_applies_to and rec.unit_id in low_units:
            final_band = names[min(names.index(band) + r.downgrade_steps, len(names) - 1)]
        rows.append(
            {
                "year": year,
                "unit_id": rec.unit_id,
                "province_code": rec.province_code,
                "unit_group": rec.unit_group,
                "parent_unit_id": rec.parent_unit_id,
                "index_pct": index,
                "band_before_downgrade": band,
                "band": decided.get(rec.unit_id, final_band),
                "tb": round(rec.tb, PRECISION) if r.tiebreak == "flagged_leaves" else 0.0,
            }
        )
    out = pd.DataFrame(rows)
    out["_i"] = out["index_pct"].fillna(-1.0)
    order = ["_i", "tb"]
    out["rank"] = _competition_rank(out, ["province_code", "unit_group"], order)
    communes = out["unit_group"] == "commune"
    out["parent_rank"] = pd.NA
    out.loc[communes, "parent_rank"] = _competition_rank(out[communes], ["parent_unit_id"], order)
    return out.drop(columns=["_i", "tb"])


def _competition_rank(frame: pd.DataFrame, by: list[str], order: list[str]) -> pd.Series:
    """1 + the units in the same group strictly ahead on (index, tiebreak)."""
    ranked = frame.sort_values(by + order, ascending=[True] * len(by) + [False] * len(order), kind="stable")
    position = ranked.groupby(by, dropna=False).cumcount() + 1
    first = ranked.assign(_p=position).groupby(by + order, dropna=False)["_p"].transform("min")
    return first.reindex(frame.index)
