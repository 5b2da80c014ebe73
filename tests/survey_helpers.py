"""A small Quảng Ninh-style ruleset and survey configuration written as data files, for hand-worked cases.

Tree (department, scale 100, QĐ Quảng Ninh 2022 §II.1.b): field 1 = 1.1 (30) + 1.2 (30) appraised; field 9 =
9.1 SIPAS survey (23) + 9.2 civil-servant survey (17). Bands of QĐ Quảng Ninh 2022 §III.3.

Surveys (surveys/surveys.yaml): `sipas` (Likert 1-5, satisfied from 4, don't know `9`/`KB`,
min_respondents 4) with questions Q1, Q2 (component `access`) and Q3 (`results`), all feeding 9.1;
`civil_servant` (min_respondents 3) with K1 (options: 1 = yes, satisfied; 2 = no) and K2 (Likert),
both in component `direction`, feeding 9.2.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from models.par.frameworks import load_frameworks
from models.par.staging import Scope

QN_YAML = """
ruleset_id: qn-mini
family: qn
decision_no: 2/QĐ-TEST
decision_date: 2022-01-01
valid_from_year: 2022
valid_to_year: null
scale: 100
criteria:
  department: {file: department.csv}
content_areas: []
classification:
  bands:
    - {name: Xuất sắc, min: 90}
    - {name: Tốt, min: 80}
    - {name: Khá, min: 70}
    - {name: Trung bình, min: 50}
    - {name: Kém, min: 0}
ranking: {tiebreak: null}
"""
QN_CSV = """code,parent_code,title,max_points,method,appraising_agency,tiebreak,source
1,,Tự đánh giá và thẩm định,60,,,,test
1.1,1,Tiêu chí 1.1,30,appraised,Sở Nội vụ,,test
1.2,1,Tiêu chí 1.2,30,appraised,Sở Nội vụ,,test
9,,Điều tra xã hội học,40,,,,test
9.1,9,Điểm quy đổi Chỉ số SIPAS,23,survey,Sở Nội vụ,,QĐ Quảng Ninh 2022 §II.1.b
9.2,9,Điều tra xã hội học đối với công chức,17,survey,Sở Nội vụ,,QĐ Quảng Ninh 2022 §II.1.b
"""
SURVEYS_YAML = """
surveys:
  - survey_id: sipas
    kind: citizen
    questionnaire: questionnaires/sipas.csv
    files: sipas/**/*
    scale: {min: 1, max: 5, satisfied_from: 4, labels: {4: Hài lòng, 5: Rất hài lòng}}
    dont_know: ["9", KB]
    dont_know_in_denominator: {dk}
    min_respondents: 4
    confidence: 0.95
    planning: {margin_of_error: 0.05, dossiers: dossiers.csv}
  - survey_id: civil_servant
    kind: civil_servant
    questionnaire: questionnaires/civil_servant.csv
    files: civil_servant/**/*
    scale: {min: 1, max: 5, satisfied_from: 4}
    dont_know: ["9"]
    min_respondents: 3
aggregate_tolerance_pct: 0.05
papi: {files: papi/*, dimensions: papi_dimensions.csv, top_n: 3}
"""
Q_HEADER = (
    "question_id,component_code,component_title,question_text,answer_type,valid_codes,satisfied_codes,"
    "leaf_code,ruleset_id,unit_group,source\n"
)
SIPAS_Q = (
    Q_HEADER
    + """Q1,access,Tiếp cận dịch vụ,Biển hiệu rõ ràng,likert,,,9.1,qn-mini,department,test
Q2,access,Tiếp cận dịch vụ,Đủ chỗ ngồi,likert,,,9.1,qn-mini,department,test
Q3,results,Kết quả,Kết quả đúng quy định,likert,,,9.1,qn-mini,department,test
"""
)
CIVIL_Q = (
    Q_HEADER
    + """K1,direction,Chỉ đạo điều hành,Kế hoạch được phổ biến,options,1;2,1,9.2,qn-mini,,test
K2,direction,Chỉ đạo điều hành,Lãnh đạo quan tâm,likert,,,9.2,qn-mini,,test
"""
)
PROVINCES = "province_code,province_name,ruleset_family,synthetic\nT,Tỉnh Thử (dữ liệu tổng hợp),qn,có\n"
UNITS = (
    "unit_id,unit_name,unit_group,parent_unit_id,province_code\n"
    "U1,Sở Nội vụ,department,,T\nU2,Sở Tư pháp,department,,T\nU3,Sở Y tế,department,,T\n"
)


def write_rules(root: Path, dont_know_in_denominator: bool = False) -> Path:
    """Framework, register and survey rules under `root` (a raw folder); returns `root / 'surveys'`."""
    folder = root / "frameworks" / "qn-mini"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "framework.yaml").write_text(QN_YAML, encoding="utf-8")
    (folder / "department.csv").write_text(QN_CSV, encoding="utf-8")
    (root / "provinces.csv").write_text(PROVINCES, encoding="utf-8")
    (root / "units.csv").write_text(UNITS, encoding="utf-8")
    surveys = root / "surveys"
    (surveys / "questionnaires").mkdir(parents=True, exist_ok=True)
    yaml_text = SURVEYS_YAML.replace("{dk}", "true" if dont_know_in_denominator else "false")
    (surveys / "surveys.yaml").write_text(yaml_text, encoding="utf-8")
    (surveys / "questionnaires" / "sipas.csv").write_text(SIPAS_Q, encoding="utf-8")
    (surveys / "questionnaires" / "civil_servant.csv").write_text(CIVIL_Q, encoding="utf-8")
    return surveys


def scope_for(root: Path) -> Scope:
    rulesets, criteria = load_frameworks(root / "frameworks")
    units = pl.read_csv(root / "units.csv", infer_schema_length=0)
    provinces = pl.read_csv(root / "provinces.csv", infer_schema_length=0)
    return Scope(units, provinces, rulesets, criteria)


def raw_row(survey_id: str, unit_id: str, respondent: str, answers: dict, row: int, **extra) -> dict:
    """A respondent row as the raw layer stores it (headers case-folded, text values, provenance)."""
    return {
        "survey_id": survey_id,
        "source_file": f"surveys/{survey_id}/2023/{unit_id}.csv",
        "sheet": None,
        "row_number": row,
        "mã phiếu": respondent,
        "mã đơn vị": unit_id,
        **{k.casefold(): v for k, v in answers.items()},
        **extra,
    }
