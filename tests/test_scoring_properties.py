"""Invariants of the scoring rules, over many generated units (hypothesis).

- the index stays within its documented bounds, 0-100 (docs/marts.md; 1708/QĐ-UBND Art. 3.3, 4.3.b);
- raising one leaf's score never lowers the index (a higher appraised score can only help);
- scaling for leaves that do not apply equals scoring on the applicable subset (1708/QĐ-UBND Art. 3.3).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.par.frameworks import load_frameworks
from models.par.index import compute
from models.par.staging import APPRAISAL_SCHEMA, SUBMISSION_SCHEMA, SURVEY_SCHEMA
from tests.mini_framework import write_mini

MAX = {"1.1": 20, "1.2": 20, "2.1": 30, "2.2": 10, "9.1": 2, "9.2": 2}
_counter = itertools.count()


def _frameworks(tmp: Path):
    return load_frameworks(write_mini(tmp))


def _score(frameworks, scores: dict, na: set, survey: float | None) -> dict:
    rulesets, criteria = frameworks
    subs = pl.DataFrame(
        [
            {
                "year": 2023,
                "unit_id": "U",
                "ruleset_id": "mini-2021",
                "leaf_code": leaf,
                "self_score": None if leaf in na else float(s),
                "not_applicable": leaf in na,
                "evidence_refs": None,
                "explanation": None,
                "submitted_at": None,
                "source_file": "f",
                "sheet": None,
                "source_row": i,
            }
            for i, (leaf, s) in enumerate(scores.items())
        ],
        schema=SUBMISSION_SCHEMA,
        orient="row",
    )
    surv = pl.DataFrame(
        []
        if survey is None
        else [
            {
                "year": 2023,
                "unit_id": "U",
                "ruleset_id": "mini-2021",
                "leaf_code": "8.1",
                "satisfied_pct": survey,
                "respondents": 10,
                "source_file": "s",
                "source_row": 1,
            }
        ],
        schema=SURVEY_SCHEMA,
        orient="row",
    )
    scope = pl.DataFrame(
        {
            "year": [2023],
            "unit_id": ["U"],
            "ruleset_id": ["mini-2021"],
            "unit_name": ["U"],
            "unit_group": ["department"],
            "parent_unit_id": [None],
            "province_code": ["T"],
        },
        schema_overrides={"year": pl.Int32, "parent_unit_id": pl.String},
    )
    result = compute(scope, criteria, subs, pl.DataFrame(schema=APPRAISAL_SCHEMA), surv, rulesets)
    return result.units.row(0, named=True)


def _leaf_score(leaf: str):
    # Scores in quarter points, as councils give them, within the leaf's max.
    return st.integers(0, MAX[leaf] * 4).map(lambda q: q / 4)


unit_scores = st.fixed_dictionaries({leaf: _leaf_score(leaf) for leaf in MAX})
not_applicable = st.sets(st.sampled_from(["1.1", "1.2", "2.1", "2.2"]), max_size=3)
survey_pct = st.one_of(st.none(), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1)))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(scores=unit_scores, na=not_applicable, survey=survey_pct)
def test_index_within_bounds(tmp_path, scores, na, survey):
    unit = _score(_frameworks(tmp_path / str(next(_counter))), scores, na, survey)
    assert 0 <= unit["index_pct"] <= 100


@SETTINGS
@given(
    scores=unit_scores,
    na=not_applicable,
    survey=survey_pct,
    leaf=st.sampled_from(["1.1", "1.2", "2.1", "2.2", "9.1"]),
    raise_by=st.integers(1, 8),
)
def test_raising_a_leaf_never_lowers_the_index(tmp_path, scores, na, survey, leaf, raise_by):
    frameworks = _frameworks(tmp_path / str(next(_counter)))
    before = _score(frameworks, scores, na, survey)["index_pct"]
    higher = {**scores, leaf: min(MAX[leaf], scores[leaf] + raise_by / 4)}
    after = _score(frameworks, higher, na, survey)["index_pct"]
    assert after >= before - 1e-9


@SETTINGS
@given(scores=unit_scores, na=not_applicable, survey=st.floats(0, 100, allow_nan=False))
def test_scaling_equals_scoring_the_applicable_subset(tmp_path, scores, na, survey):
    unit = _score(_frameworks(tmp_path / str(next(_counter))), scores, na, survey)
    # By hand: the applicable leaves' points over their max, on the 100 scale.
    applicable = {k: v for k, v in scores.items() if k not in na and k in ("1.1", "1.2", "2.1", "2.2")}
    points = sum(applicable.values()) + survey / 100 * 20 + scores["9.1"] - scores["9.2"]
    max_points = sum(MAX[k] for k in applicable) + 20
    expected = min(100.0, max(0.0, points / max_points * 100))
    assert abs(unit["index_pct"] - expected) < 1e-6
    assert abs(unit["max_points"] - max_points) < 1e-9
