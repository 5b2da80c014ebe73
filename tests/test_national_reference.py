"""The scoring on generated national data (SYNTHETIC, benchmarks/national.py) against a plain reference.

The reference below is written straight from the rules, one unit at a time, with Python dicts and
no code from models/par/scoring.py, index.py or classification.py:

- a leaf's final score is the latest decided one: re-classification (1820/QĐ-UBND Art. 7) → appeal →
  appraisal → self (1820/QĐ-UBND Art. 5; 1708/QĐ-UBND Art. 5.2); within a round the later decision;
- a leaf the unit marks not applicable leaves the max (1708/QĐ-UBND Art. 3.3), unless the decision
  divides by the full scale (QĐ Quảng Ninh 2022 §II.1.d), where it stays and scores 0; survey leaves
  of a unit not surveyed do not apply (1708/QĐ-UBND Art. 5.3.a); survey points = share × max (Art. 5.3.c);
- index = (Σ scored + bonus − penalty) / Σ max of what applies × scale, within [0, scale] (Art. 4.3.a-b);
- band: the highest whose minimum the index reaches; Xuất sắc/Tốt with a content area under 70% of its
  max drops one band (1708/QĐ-UBND Art. 5.5); a band set by a re-classification decision replaces it;
- rank: competition rank by index within year, province and group, ties broken by the flagged leaves
  where the decision says so (1708/QĐ-UBND Art. 5.5); communes also within their district (Art. 5.6.b).

It is checked on whole ranking groups sampled from a small generated country (three provinces, one
under each family of rules, two years under two Hưng Yên decisions), so the test stays fast.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import polars as pl
import pytest

from benchmarks.national import NationalSpec, build, year_tables
from models.par.frameworks import SCORED_METHODS
from models.par.index import compute, compute_by_year, scoring_scope

PRECISION = 9
SPEC = NationalSpec().small(provinces=3, years=(2020, 2021))


@pytest.fixture(scope="module")
def country(tmp_path_factory):
    data = build(SPEC, tmp_path_factory.mktemp("national"))
    tables = [year_tables(data, y) for y in SPEC.years]
    staged = {name: pl.concat([t[name] for t in tables], how="vertical") for name in tables[0]}
    inputs = {
        "scope": scoring_scope(staged["submissions"], data.units),
        "criteria": data.criteria,
        "submissions": staged["submissions"],
        "appraisals": staged["appraisals"],
        "survey": staged["survey_results"],
        "rulesets": data.rulesets,
        "surveyed": staged["surveyed_units"],
        "reclassifications": staged["reclassifications"],
    }
    return data, staged, inputs, compute(**inputs)


# --------------------------------------------------------------------------------------------------
# The reference
# --------------------------------------------------------------------------------------------------
def reference(data, staged, groups: set[tuple]) -> tuple[dict, dict]:
    """Units and leaf finals of every unit in `groups` ((year, province, unit_group) tuples)."""
    rulesets = {r.ruleset_id: r for r in data.rulesets}
    tree: dict[tuple, dict] = defaultdict(dict)  # (ruleset, group) -> code -> criterion row
    for c in data.criteria.iter_rows(named=True):
        tree[(c["ruleset_id"], c["unit_group"])][c["code"]] = c
    unit_info = {u["unit_id"]: u for u in data.units.iter_rows(named=True)}
    selfs, decided, surveys, surveyed, band_set = {}, defaultdict(dict), {}, set(), {}
    for s in staged["submissions"].iter_rows(named=True):
        selfs[(s["year"], s["unit_id"], s["leaf_code"])] = s
    # Within a round, the latest decision counts (1820/QĐ-UBND Art. 5): order by date, file, row.
    rows = [*staged["appraisals"].iter_rows(named=True)]
    for r in staged["reclassifications"].iter_rows(named=True):
        if r["leaf_code"] is None:
            band_set[(r["year"], r["unit_id"])] = r["band"]
        else:
            rows.append({**r, "round": "reclassification"})
    for r in sorted(rows, key=lambda r: (r["decision_date"] or date.min, r["source_file"], r["source_row"])):
        decided[r["round"]][(r["year"], r["unit_id"], r["leaf_code"])] = r["score"]
    for s in staged["survey_results"].iter_rows(named=True):
        surveys[(s["year"], s["unit_id"], s["leaf_code"])] = s["satisfied_pct"]
    for s in staged["surveyed_units"].iter_rows(named=True):
        surveyed.add((s["year"], s["unit_id"]))

    units, finals = {}, {}
    scope = {(s["year"], s["unit_id"]): s["ruleset_id"] for s in staged["submissions"].iter_rows(named=True)}
    for (year, unit_id), ruleset_id in scope.items():
        info = unit_info[unit_id]
        if (year, info["province_code"], info["unit_group"]) not in groups:
            continue
        rules = rulesets[ruleset_id]
        criteria = tree[(ruleset_id, info["unit_group"])]
        t = dict(scored=0.0, bonus=0.0, penalty=0.0, max=0.0, tiebreak=0.0)
        area = defaultdict(lambda: [0.0, 0.0])
        for code, c in sorted(criteria.items()):
            if not c["is_leaf"]:
                continue
            key = (year, unit_id, code)
            if c["method"] == "survey":
                applies = (year, unit_id) in surveyed
                final = surveys[key] / 100 * c["max_points"] if key in surveys else 0.0
            else:
                own = selfs.get(key)
                applies = key in decided["reclassification"] or not (own and own["not_applicable"])
                final = next(
                    (
                        d[key]
                        for d in (decided["reclassification"], decided["appeal"], decided["appraisal"])
                        if key in d
                    ),
                    own["self_score"] if own and own["self_score"] is not None else 0.0,
                )
            if not applies and rules.index_max == "scale" and c["method"] in SCORED_METHODS:
                applies, final = True, 0.0  # QĐ Quảng Ninh 2022 §II.1.d: the max stays 100
            finals[key] = final if applies else None
            if not applies:
                continue
            if c["method"] in SCORED_METHODS:
                t["scored"] += final
                t["max"] += c["max_points"]
                area[code.split(".")[0]][0] += final
                area[code.split(".")[0]][1] += c["max_points"]
            elif c["method"] == "bonus":
                t["bonus"] += final
            else:
                t["penalty"] += final
            if c["tiebreak"]:
                t["tiebreak"] += final
        achieved = t["scored"] + t["bonus"] - t["penalty"]
        index = round(min(rules.scale, max(0.0, achieved / t["max"] * rules.scale)), PRECISION)
        band = next(b.name for b in rules.bands if index >= b.min or b is rules.bands[-1])
        low = [
            a
            for a in rules.content_areas
            if a in area and round(area[a][0] / area[a][1] * 100, PRECISION) < (rules.downgrade_below_pct or 0)
        ]
        names = [b.name for b in rules.bands]
        final_band = band
        if band in rules.downgrade_applies_to and low:
            final_band = names[min(names.index(band) + rules.downgrade_steps, len(names) - 1)]
        units[(year, unit_id)] = {
            "index_pct": index,
            "achieved_points": achieved,
            "max_points": t["max"],
            "band_before_downgrade": band,
            "band": band_set.get((year, unit_id), final_band),
            "tiebreak": round(t["tiebreak"], PRECISION) if rules.tiebreak == "flagged_leaves" else 0.0,
            "partition": (year, info["province_code"], info["unit_group"]),
            "district": (year, info["parent_unit_id"]) if info["unit_group"] == "commune" else None,
        }
    for field, rank_name in (("partition", "rank"), ("district", "parent_rank")):
        members = defaultdict(list)
        for key, u in units.items():
            if u[field] is not None:
                members[u[field]].append(key)
        for keys in members.values():
            for key in keys:
                me = units[key]
                # Competition rank: 1 + the units strictly ahead (higher index, or equal index and higher tiebreak).
                units[key][rank_name] = 1 + sum(
                    1
                    for other in keys
                    if (units[other]["index_pct"], units[other]["tiebreak"]) > (me["index_pct"], me["tiebreak"])
                )
    return units, finals


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------
def test_generated_country_has_every_case(country):
    data, staged, _, result = country
    assert data.provinces["synthetic"].all() and data.provinces["province_name"].str.contains("tổng hợp").all()
    assert set(data.provinces["ruleset_family"]) == {"hung-yen", "quang-tri", "quang-ninh"}
    assert set(result.units["ruleset_id"]) >= {"hung-yen-2741-2020", "hung-yen-1708-2021", "quang-tri-1820-2024"}
    leaves = data.criteria.filter(pl.col("is_leaf")).group_by("ruleset_id", "unit_group").len()["len"]
    assert leaves.min() >= 80 and leaves.max() <= 120  # ~100 leaves a framework
    subs, adj = staged["submissions"], staged["appraisals"]
    assert subs["not_applicable"].sum() > 0 and (subs["self_score"].is_null() & ~subs["not_applicable"]).sum() > 0
    assert set(adj["round"]) == {"appraisal", "appeal"}
    assert adj.filter(pl.col("round") == "appraisal").select("year", "unit_id", "leaf_code").is_duplicated().any()
    assert staged["reclassifications"].height > 0
    assert {"not_surveyed", "not_applicable", "missing", "appeal", "reclassification"} <= set(
        result.lineage["final_source"]
    )
    assert result.units["downgraded"].any() and result.units["band_decided"].any()
    assert staged["sipas_respondents"].width == 3 + 20


def test_generator_is_deterministic(country, tmp_path):
    data, staged, _, _ = country
    again = year_tables(build(SPEC, tmp_path), SPEC.years[0])
    first = staged["submissions"].filter(pl.col("year") == SPEC.years[0])
    assert again["submissions"].equals(first)
    assert again["appraisals"].equals(staged["appraisals"].filter(pl.col("year") == SPEC.years[0]))


def test_scoring_matches_the_plain_reference_on_sampled_groups(country):
    data, staged, _, result = country
    groups = sorted(set(result.units.select("year", "province_code", "unit_group").iter_rows()))
    rng = random.Random(13)
    sample = set(rng.sample(groups, k=min(8, len(groups))))
    sample |= {g for g in groups if g[2] == "commune"}  # communes: district ranks, unsurveyed districts
    sample |= {(y, p, g) for y, p, g in groups if p in {u[1] for u in staged["reclassifications"].iter_rows()}}
    expected, finals = reference(data, staged, sample)
    got = {(u["year"], u["unit_id"]): u for u in result.units.iter_rows(named=True)}
    assert len(expected) > 100
    for key, exp in expected.items():
        row = got[key]
        assert row["index_pct"] == pytest.approx(exp["index_pct"], abs=1e-9), key
        assert row["achieved_points"] == pytest.approx(exp["achieved_points"], abs=1e-9), key
        assert row["max_points"] == pytest.approx(exp["max_points"], abs=1e-9), key
        assert (row["band_before_downgrade"], row["band"]) == (exp["band_before_downgrade"], exp["band"]), key
        assert row["rank"] == exp["rank"], key
        assert row.get("parent_rank") == exp.get("parent_rank"), key
    sampled = pl.DataFrame(list(expected), schema={"year": pl.Int32, "unit_id": pl.String}, orient="row")
    lineage = result.lineage.join(sampled, on=["year", "unit_id"], how="semi")
    assert lineage.height == len(finals)
    for row in lineage.iter_rows(named=True):
        exp = finals[(row["year"], row["unit_id"], row["leaf_code"])]
        assert (row["final_score"] is None) == (exp is None)
        if exp is not None:
            assert row["final_score"] == pytest.approx(exp, abs=1e-9)


def test_year_by_year_is_the_same_as_all_years(country):
    _, _, inputs, result = country
    parts = list(compute_by_year(**inputs))
    assert [y for y, _ in parts] == list(SPEC.years)
    for name in ("lineage", "components", "units"):
        joined = pl.concat([getattr(p, name) for _, p in parts], how="vertical")
        assert joined.equals(getattr(result, name)), name


def test_parts_of_whole_provinces_give_the_same_results(country):
    # Ranks are per year, province and group (1708/QĐ-UBND Art. 5.5), so a year cut into groups of
    # whole provinces scores the same; only the order of the parts differs.
    data, _, inputs, result = country
    parts = list(compute_by_year(**inputs, max_units=250))
    assert len(parts) > len(SPEC.years)
    for part in (p for _, p in parts):
        assert part.units["province_code"].n_unique() >= 1 and part.units.height <= max(
            250, int(data.units.group_by("province_code").len()["len"].max())
        )
    keys = {"lineage": ["year", "unit_id", "leaf_code"], "components": ["year", "unit_id", "node_code"],
            "units": ["year", "unit_group", "rank", "unit_id"]}  # fmt: skip
    for name, key in keys.items():
        joined = pl.concat([getattr(p, name) for _, p in parts], how="vertical").sort(key, maintain_order=True)
        assert joined.equals(getattr(result, name)), name
