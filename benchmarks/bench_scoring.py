"""Scoring at provincial-and-beyond scale: how long `models.par.index.compute` takes, and its memory.

Builds N units × Y years on the Hưng Yên department tree (44 leaves) with random scores,
appraisals on ~15% of leaves and a survey per unit, then times one full compute.
Target (2 cores): 10,000 units × 3 years (≈1.3 M leaf scores) in under 30 s and 4 GB peak RSS.
Run: `make bench` or `.venv/bin/python benchmarks/bench_scoring.py [units] [years]`.
"""

from __future__ import annotations

import random
import resource
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.par.frameworks import load_frameworks  # noqa: E402
from models.par.index import compute  # noqa: E402
from models.par.staging import APPRAISAL_SCHEMA, SUBMISSION_SCHEMA, SURVEY_SCHEMA  # noqa: E402


def build(n_units: int, years: list[int]):
    rulesets, criteria = load_frameworks(ROOT / "data" / "raw" / "frameworks")
    rid = "hung-yen-1708-2021"
    leaves = criteria.filter(pl.col("is_leaf") & (pl.col("unit_group") == "department") & (pl.col("ruleset_id") == rid))
    rng = random.Random(7)
    subs, adj, surv = [], [], []
    for year in years:
        for u in range(n_units):
            uid = f"U{u:06d}"
            for leaf in leaves.iter_rows(named=True):
                if leaf["method"] == "survey":
                    surv.append((year, uid, rid, leaf["code"], rng.uniform(60, 100), 100, "b", 0))
                    continue
                mx = leaf["max_points"]
                s = mx if leaf["method"] == "appraised" else 0.0
                subs.append((year, uid, rid, leaf["code"], s, False, None, None, None, "b", None, 0))
                if rng.random() < 0.15:
                    adj.append((year, uid, rid, leaf["code"], "appraisal", mx / 2, "x", "x", "x", None, "b", 0))
    scope = pl.DataFrame(
        {
            "year": [y for y in years for _ in range(n_units)],
            "unit_id": [f"U{u:06d}" for _ in years for u in range(n_units)],
            "ruleset_id": rid,
            "unit_name": "x",
            "unit_group": "department",
            "parent_unit_id": None,
            "province_code": "B",
        },
        schema_overrides={"year": pl.Int32, "parent_unit_id": pl.String},
    )
    return (
        scope,
        criteria,
        pl.DataFrame(subs, schema=SUBMISSION_SCHEMA, orient="row"),
        pl.DataFrame(adj, schema=APPRAISAL_SCHEMA, orient="row"),
        pl.DataFrame(surv, schema=SURVEY_SCHEMA, orient="row"),
        rulesets,
    )


def main() -> None:
    n_units = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    n_years = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    args = build(n_units, list(range(2022, 2022 + n_years)))
    start = time.perf_counter()
    result = compute(*args)
    elapsed = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(
        f"units={n_units} years={n_years} leaf_scores={result.lineage.height:,} "
        f"compute={elapsed:.2f}s peak_rss={peak_gb:.2f}GB"
    )
    ok = elapsed < 30 and peak_gb < 4
    print("TARGET MET" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
