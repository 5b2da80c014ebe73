"""A small Hưng Yên-style ruleset written as data files, for hand-worked scoring cases.

Tree (department, scale 100): field 1 = 1.1 (20) + 1.2 (20); field 2 = 2.1 (30, tiebreak)
+ 2.2 (10); field 8 = 8.1 survey (20); 9.1 bonus (max 2), 9.2 penalty (max 2).
Bands and rules as 1708/QĐ-UBND Art. 5.5: Xuất sắc ≥90, Tốt ≥80, Khá ≥70, Trung bình ≥60, Yếu;
Xuất sắc/Tốt with a content area (1 or 2) under 70% drops one band.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from models.par.frameworks import load_frameworks
from models.par.index import ParIndex, compute
from models.par.staging import APPRAISAL_SCHEMA, SUBMISSION_SCHEMA, SURVEY_SCHEMA

YAML = """
ruleset_id: mini-2021
family: mini
decision_no: 1/QĐ-TEST
decision_date: 2021-01-01
valid_from_year: 2021
valid_to_year: null
scale: 100
criteria:
  department: {file: department.csv}
content_areas: ["1", "2"]
classification:
  bands:
    - {name: Xuất sắc, min: 90}
    - {name: Tốt, min: 80}
    - {name: Khá, min: 70}
    - {name: Trung bình, min: 60}
    - {name: Yếu, min: 0}
  downgrade: {applies_to: [Xuất sắc, Tốt], content_area_below_pct: 70, steps: 1}
ranking: {tiebreak: flagged_leaves}
"""
CSV = """code,parent_code,title,max_points,method,appraising_agency,tiebreak,source
1,,Lĩnh vực một,40,,,,test
1.1,1,Tiêu chí 1.1,20,appraised,Sở Nội vụ,,test
1.2,1,Tiêu chí 1.2,20,appraised,Sở Nội vụ,,test
2,,Lĩnh vực hai,40,,,,test
2.1,2,Dịch vụ công trực tuyến,30,appraised,Văn phòng UBND tỉnh,có,test
2.2,2,Tiêu chí 2.2,10,appraised,Sở Tư pháp,,test
8,,SIPAS,20,,,,test
8.1,8,Hài lòng,20,survey,Sở Nội vụ,,test
9,,Thưởng trừ,,,,,test
9.1,9,Điểm thưởng,2,bonus,Sở Nội vụ,,test
9.2,9,Điểm trừ,2,penalty,Sở Nội vụ,,test
"""


def write_mini(root: Path) -> Path:
    folder = root / "frameworks" / "mini-2021"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "framework.yaml").write_text(YAML, encoding="utf-8")
    (folder / "department.csv").write_text(CSV, encoding="utf-8")
    return root / "frameworks"


def score(
    tmp_path: Path,
    self_scores: dict,
    appraisals: list[tuple] = (),
    appeals: list[tuple] = (),
    survey: dict | None = None,
    year: int = 2023,
    surveyed: list[str] | None = None,
) -> ParIndex:
    """self_scores: {unit: {leaf: score | None | 'NA'}}; appraisals/appeals: (unit, leaf, score);
    survey: {unit: satisfied_pct}."""
    rulesets, criteria = load_frameworks(write_mini(tmp_path))
    subs = [
        {
            "year": year,
            "unit_id": u,
            "ruleset_id": "mini-2021",
            "leaf_code": leaf,
            "self_score": None if s in (None, "NA") else float(s),
            "not_applicable": s == "NA",
            "evidence_refs": None,
            "explanation": None,
            "submitted_at": None,
            "source_file": "test.csv",
            "sheet": None,
            "source_row": i,
        }
        for i, (u, leaves) in enumerate(self_scores.items())
        for leaf, s in leaves.items()
    ]
    adj = [
        {
            "year": year,
            "unit_id": u,
            "ruleset_id": "mini-2021",
            "leaf_code": leaf,
            "round": rnd,
            "score": float(s),
            "agency": "Sở Nội vụ",
            "reason": "test",
            "decision_no": "1/BC",
            "decision_date": None,
            "source_file": "a.csv",
            "source_row": i,
        }
        for rnd, rows in (("appraisal", appraisals), ("appeal", appeals))
        for i, (u, leaf, s) in enumerate(rows)
    ]
    surv = [
        {
            "year": year,
            "unit_id": u,
            "ruleset_id": "mini-2021",
            "leaf_code": "8.1",
            "satisfied_pct": float(p),
            "respondents": 100,
            "source_file": "s.csv",
            "source_row": i,
        }
        for i, (u, p) in enumerate((survey or {}).items())
    ]
    scope = pl.DataFrame(
        {
            "year": [year] * len(self_scores),
            "unit_id": list(self_scores),
            "ruleset_id": ["mini-2021"] * len(self_scores),
            "unit_name": [f"Đơn vị {u}" for u in self_scores],
            "unit_group": ["department"] * len(self_scores),
            "parent_unit_id": [None] * len(self_scores),
            "province_code": ["T"] * len(self_scores),
        },
        schema_overrides={
            "year": pl.Int32,
            "parent_unit_id": pl.String,
            "unit_id": pl.String,
            "ruleset_id": pl.String,
            "unit_name": pl.String,
            "unit_group": pl.String,
            "province_code": pl.String,
        },
    )
    return compute(
        scope,
        criteria,
        pl.DataFrame(subs, schema=SUBMISSION_SCHEMA, orient="row"),
        pl.DataFrame(adj, schema=APPRAISAL_SCHEMA, orient="row"),
        pl.DataFrame(surv, schema=SURVEY_SCHEMA, orient="row"),
        rulesets,
        None
        if surveyed is None
        else pl.DataFrame({"year": [year] * len(surveyed), "unit_id": surveyed}, schema_overrides={"year": pl.Int32}),
    )
