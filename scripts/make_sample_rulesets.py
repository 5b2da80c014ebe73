"""Generate two more SYNTHETIC sample provinces, scored under Quảng Ninh's and Quảng Trị's rules (deterministic).

Run from the repository root (``make sample`` runs it too, after scripts/make_sample.py)::

    .venv/bin/python -m scripts.make_sample_rulesets            # writes into data/raw/
    .venv/bin/python -m scripts.make_sample_rulesets --out DIR  # elsewhere (frameworks still read from data/raw)

- "Tỉnh Mẫu B — quy tắc Quảng Ninh (dữ liệu tổng hợp)" (``MQN``), scored with
  ``frameworks/quang-ninh-2022`` (QĐ Quảng Ninh 2022): 20 departments, 13 districts, 8 central agencies and
  10 public service units, as many as QĐ Quảng Ninh 2022 §I.3 names; years 2023-2024;
- "Tỉnh Mẫu C — quy tắc Quảng Trị (dữ liệu tổng hợp)" (``MQT``), scored with
  ``frameworks/quang-tri-1820-2024`` (1820/QĐ-UBND): 12 provincial bodies, 5 districts, 15 communes; 2024.

The Tỉnh Mẫu sample of scripts/make_sample.py is not touched: these are separate files
(``provinces_rulesets.csv``, ``units_rulesets.csv``, ``submissions/<year>/<province>/*.csv``,
``appraisals_rulesets.csv``, ``survey_results_rulesets.csv``, ``reclassifications.csv``,
``README_rulesets.md``). Made-up units and numbers throughout; the frameworks' per-leaf points are
illustrative, so every score is too. Engineered cases are checked at the end with exact fractions,
independently of the chiso scoring code.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RAW = REPO / "data" / "raw"
FRAMEWORKS = DEFAULT_RAW / "frameworks"
SEED = 20240724  # date of Decision 1820/QĐ-UBND; any fixed value would do
Q = Fraction(1, 4)

PROVINCES = [
    {
        "province_code": "MQN",
        "province_name": "Tỉnh Mẫu B — quy tắc Quảng Ninh (dữ liệu tổng hợp)",
        "ruleset_family": "quang-ninh",
        "synthetic": "có",
    },
    {
        "province_code": "MQT",
        "province_name": "Tỉnh Mẫu C — quy tắc Quảng Trị (dữ liệu tổng hợp)",
        "ruleset_family": "quang-tri",
        "synthetic": "có",
    },
]
RULESET = {"MQN": "quang-ninh-2022", "MQT": "quang-tri-1820-2024"}
YEARS = {"MQN": (2023, 2024), "MQT": (2024,)}

DEPARTMENT_NAMES = [
    "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Công Thương", "Sở Xây dựng",
    "Sở Giao thông vận tải", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Lao động - Thương binh và Xã hội", "Sở Văn hóa và Thể thao", "Sở Du lịch",
    "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông", "Sở Ngoại vụ", "Thanh tra tỉnh",
    "Ban Dân tộc", "Văn phòng UBND tỉnh",
]  # fmt: skip
DISTRICT_NAMES = [
    "UBND thành phố Bến Mẫu", "UBND thành phố Cửa Gió", "UBND thị xã Đông Hà Mẫu", "UBND huyện An Hải",
    "UBND huyện Bình Sơn", "UBND huyện Cẩm Lâm", "UBND huyện Đồng Tiến", "UBND huyện Hải Yên",
    "UBND huyện Kim Đàn", "UBND huyện Lục Vân", "UBND huyện Minh Đảo", "UBND huyện Ngọc Khê", "UBND huyện Phong Vân",
]  # fmt: skip
CENTRAL_NAMES = [
    "Cục Thuế tỉnh", "Kho bạc Nhà nước tỉnh", "Bảo hiểm xã hội tỉnh", "Cục Hải quan tỉnh", "Công an tỉnh",
    "Cục Thống kê tỉnh", "Ngân hàng Nhà nước chi nhánh tỉnh", "Cục Quản lý thị trường tỉnh",
]  # fmt: skip
PSU_NAMES = [
    "Trung tâm Phục vụ hành chính công tỉnh", "Đài Phát thanh và Truyền hình tỉnh", "Ban Quản lý Khu kinh tế",
    "Ban Quản lý dự án đầu tư xây dựng tỉnh", "Trường Cao đẳng Y tế", "Trung tâm Xúc tiến đầu tư",
    "Viện Quy hoạch", "Ban Quản lý dự án giao thông", "Trung tâm Kiểm soát bệnh tật tỉnh", "Quỹ Phát triển đất",
]  # fmt: skip
QT_DEPARTMENTS = DEPARTMENT_NAMES[:12]
QT_DISTRICTS = ["UBND huyện Gio Mẫu", "UBND huyện Hướng Sơn", "UBND huyện Triệu An", "UBND huyện Vĩnh Hòa",
                "UBND thị xã Quảng Mẫu"]  # fmt: skip
QT_COMMUNE_STEMS = ["An", "Bình", "Hòa"]

# Quality ranges per group (share of max a unit usually reaches); a few units fixed on purpose below.
QUALITY = {
    "department": (0.72, 0.94),
    "district": (0.66, 0.90),
    "central_agency": (0.70, 0.92),
    "public_service_unit": (0.62, 0.90),
    "commune": (0.55, 0.88),
}
FIXED_QUALITY = {
    "QNS01": 0.97,  # Xuất sắc (≥ 90, QĐ Quảng Ninh 2022 §III.3)
    "QNT01": 0.96,
    "QNV10": 0.40,  # Kém (< 50, QĐ Quảng Ninh 2022 §III.3)
    "QNH13": 0.58,  # Trung bình (50 to < 70)
    "QTS03": 0.86,  # re-classified below (1820/QĐ-UBND Art. 7)
    "QTH02": 0.92,  # band set by decision below (1820/QĐ-UBND Art. 7, second case)
    "QTX0303": 0.45,  # Thấp (< 60, 1820/QĐ-UBND Art. 6.3)
}
QN_TIE = ("QNS05", "QNS12", 2024)  # exact tie: shared rank, no tiebreak in QĐ Quảng Ninh 2022
QT_NOT_APPLICABLE = {("QTS07", "6.1"), ("QTS11", "7.3")}  # no public investment / no postal dossiers
QT_NOT_SURVEYED_DISTRICT = "QTH05"  # did not survey its communes
PROVINCE_COUNCIL = {"MQN": "Hội đồng thẩm định Chỉ số CCHC tỉnh", "MQT": "Hội đồng thẩm định Chỉ số CCHC tỉnh"}
CUT_REASONS = [
    "Tài liệu kiểm chứng chưa đầy đủ",
    "Tài liệu kiểm chứng không thuộc kỳ đánh giá",
    "Số liệu tự đánh giá không khớp với kết quả theo dõi của cơ quan thẩm định",
    "Chưa hoàn thành nhiệm vụ theo kế hoạch",
]
AGENCY_CODE = {
    "Sở Nội vụ": "SNV",
    "Sở Tư pháp": "STP",
    "Văn phòng UBND tỉnh": "VP",
    "Sở Tài chính": "STC",
    "Sở Kế hoạch và Đầu tư": "SKHĐT",
    "Sở Thông tin và Truyền thông": "STTTT",
    "Hội đồng thẩm định cấp huyện": "HĐTĐ",
}


@dataclass
class Leaf:
    code: str
    max: Fraction
    method: str
    agency: str
    field: str


@dataclass
class Unit:
    unit_id: str
    name: str
    group: str
    province: str
    parent: str = ""


@dataclass
class Score:
    """One unit-year: self scores, decisions and survey shares, all exact."""

    self: dict[str, Fraction | None] = field(default_factory=dict)  # None: not applicable
    appraisal: dict[str, Fraction] = field(default_factory=dict)
    appeal: dict[str, Fraction] = field(default_factory=dict)
    survey: dict[str, Fraction] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


def load_tree(ruleset: str, group: str) -> list[Leaf]:
    with (FRAMEWORKS / ruleset / f"{group}.csv").open(encoding="utf-8") as fh:
        return [
            Leaf(r["code"], Fraction(r["max_points"]), r["method"], r["appraising_agency"], r["code"].split(".")[0])
            for r in csv.DictReader(fh)
            if r["method"]
        ]


def bands(ruleset: str) -> list[tuple[str, Fraction]]:
    doc = yaml.safe_load((FRAMEWORKS / ruleset / "framework.yaml").read_text(encoding="utf-8"))
    return [(b["name"], Fraction(str(b["min"]))) for b in doc["classification"]["bands"]]


def fmt(x: Fraction) -> str:
    return str(int(x)) if x.denominator == 1 else f"{float(x):g}"


def step_down(x: Fraction) -> Fraction:
    return Fraction(int(x / Q)) * Q


class Sample:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.units = self.build_units()
        self.trees = {
            (p, g): load_tree(RULESET[p], g) for p in RULESET for g in {u.group for u in self.units if u.province == p}
        }
        self.scores: dict[tuple[int, str], Score] = {}
        self.appeal_rows: list[dict] = []
        self.reclassifications: list[dict] = []
        self.summary: list[str] = []

    # ------------------------------------------------------------------ units
    def build_units(self) -> list[Unit]:
        units = []
        for i, name in enumerate(DEPARTMENT_NAMES, 1):
            units.append(Unit(f"QNS{i:02d}", name, "department", "MQN"))
        for i, name in enumerate(DISTRICT_NAMES, 1):
            units.append(Unit(f"QNH{i:02d}", name, "district", "MQN"))
        for i, name in enumerate(CENTRAL_NAMES, 1):
            units.append(Unit(f"QNT{i:02d}", name, "central_agency", "MQN"))
        for i, name in enumerate(PSU_NAMES, 1):
            units.append(Unit(f"QNV{i:02d}", name, "public_service_unit", "MQN"))
        for i, name in enumerate(QT_DEPARTMENTS, 1):
            units.append(Unit(f"QTS{i:02d}", name, "department", "MQT"))
        for d, name in enumerate(QT_DISTRICTS, 1):
            units.append(Unit(f"QTH{d:02d}", name, "district", "MQT"))
            place = name.split(" ", 2)[2]
            for c, stem in enumerate(QT_COMMUNE_STEMS, 1):
                units.append(Unit(f"QTX{d:02d}{c:02d}", f"UBND xã {stem} {place}", "commune", "MQT", f"QTH{d:02d}"))
        return units

    def tree(self, unit: Unit) -> list[Leaf]:
        return self.trees[(unit.province, unit.group)]

    # ------------------------------------------------------------------ scores
    def run(self) -> list[str]:
        quality = {u.unit_id: FIXED_QUALITY.get(u.unit_id, self.rng.uniform(*QUALITY[u.group])) for u in self.units}
        for unit in self.units:
            for year in YEARS[unit.province]:
                drift = self.rng.uniform(-0.03, 0.03)
                self.scores[(year, unit.unit_id)] = self.make_score(unit, year, quality[unit.unit_id] + drift)
        self.make_appeals()
        self.engineer()
        self.check()
        return self.summary

    def make_score(self, unit: Unit, year: int, q: float) -> Score:
        s = Score()
        surveyed = not (unit.group == "commune" and unit.parent == QT_NOT_SURVEYED_DISTRICT)
        for leaf in self.tree(unit):
            if leaf.method == "survey":
                if surveyed:
                    pct = max(35.0, min(99.5, q * 100 + self.rng.gauss(0, 4)))
                    s.survey[leaf.code] = Fraction(str(round(pct, 1)))
                continue
            if (unit.unit_id, leaf.code) in QT_NOT_APPLICABLE:
                s.self[leaf.code] = None
                continue
            if leaf.method == "bonus":
                s.self[leaf.code] = leaf.max if self.rng.random() < 0.3 else Fraction(0)
                if s.self[leaf.code] and self.rng.random() < 0.3:
                    s.appraisal[leaf.code] = Fraction(0)
                    s.reasons[leaf.code] = "Không đủ điều kiện tính điểm thưởng"
                continue
            if leaf.method == "penalty":
                s.self[leaf.code] = Fraction(0)
                if self.rng.random() < 0.08:
                    s.appraisal[leaf.code] = leaf.max
                    s.reasons[leaf.code] = "Hội đồng thẩm định xác định đơn vị thuộc trường hợp bị trừ điểm"
                continue
            share = 1.0 if self.rng.random() < 0.3 else min(1.0, max(0.0, q + self.rng.gauss(0, 0.12)))
            value = min(leaf.max, step_down(leaf.max * Fraction(share).limit_denominator(1000)))
            s.self[leaf.code] = value
            if value > 0 and self.rng.random() < 0.12:
                s.appraisal[leaf.code] = max(Fraction(0), value - Q * self.rng.randint(1, 3))
                s.reasons[leaf.code] = self.rng.choice(CUT_REASONS)
        return s

    def make_appeals(self) -> None:
        """Two appeals per province and year (1820/QĐ-UBND Art. 5 steps 4-5; QĐ Quảng Ninh 2022 §III.1): most win."""
        for province, years in YEARS.items():
            for year in years:
                cuts = [
                    (u.unit_id, code)
                    for u in self.units
                    if u.province == province
                    for code in sorted(self.scores[(year, u.unit_id)].appraisal)
                    if self.leaf(u, code).method == "appraised"
                ]
                for k, (unit_id, code) in enumerate(self.rng.sample(cuts, 2)):
                    s = self.scores[(year, unit_id)]
                    won = k == 0
                    s.appeal[code] = s.self[code] if won else s.appraisal[code]
                    self.summary.append(
                        f"appeal {province} {year}: {unit_id} {code} self {fmt(s.self[code])} -> appraisal "
                        f"{fmt(s.appraisal[code])} -> appeal {fmt(s.appeal[code])} ({'won' if won else 'upheld'})"
                    )

    def leaf(self, unit: Unit, code: str) -> Leaf:
        return next(leaf for leaf in self.tree(unit) if leaf.code == code)

    def unit(self, unit_id: str) -> Unit:
        return next(u for u in self.units if u.unit_id == unit_id)

    # ------------------------------------------------------------------ exact results
    def final(self, year: int, unit: Unit, code: str, corrections: dict | None = None) -> Fraction | None:
        s = self.scores[(year, unit.unit_id)]
        leaf = self.leaf(unit, code)
        if corrections and code in corrections:
            return corrections[code]
        if leaf.method == "survey":
            pct = s.survey.get(code)
            return None if pct is None else pct / 100 * leaf.max
        if code in s.appeal:
            return s.appeal[code]
        if code in s.appraisal:
            return s.appraisal[code]
        return s.self.get(code)

    def result(self, year: int, unit: Unit, corrections: dict | None = None) -> tuple[Fraction, Fraction]:
        """(index, total) by the decision's words: total = appraised + survey + bonus − penalty;
        index = total / max × 100 (max of the leaves that apply, or 100 under QĐ Quảng Ninh 2022)."""
        total = max_points = Fraction(0)
        for leaf in self.tree(unit):
            value = self.final(year, unit, leaf.code, corrections)
            if leaf.method in ("appraised", "survey"):
                if value is None and unit.province == "MQT":
                    continue  # not applicable: out of the max (1820/QĐ-UBND Art. 3)
                total += value or 0
                max_points += leaf.max
            elif leaf.method == "bonus":
                total += value or 0
            else:
                total -= value or 0
        return min(Fraction(100), max(Fraction(0), total / max_points * 100)), total

    def band(self, unit: Unit, index: Fraction) -> str:
        return next(name for name, low in bands(RULESET[unit.province]) if index >= low)

    def group_results(self, year: int, unit: Unit, corrections: dict | None = None) -> dict[str, Fraction]:
        return {
            u.unit_id: self.result(year, u, corrections if u.unit_id == unit.unit_id else None)[0]
            for u in self.units
            if u.province == unit.province and u.group == unit.group and (year, u.unit_id) in self.scores
        }

    # ------------------------------------------------------------------ engineered cases
    def engineer(self) -> None:
        self.engineer_tie()
        self.engineer_qt()

    def engineer_tie(self) -> None:
        a_id, b_id, year = QN_TIE
        a, b = self.unit(a_id), self.unit(b_id)
        sa, sb = self.scores[(year, a_id)], self.scores[(year, b_id)]
        sb.survey = dict(sa.survey)
        target = self.result(year, a)[1]
        free = [leaf for leaf in self.tree(b) if leaf.method == "appraised" and leaf.code not in sb.appraisal]
        while (diff := target - self.result(year, b)[1]) != 0:
            up = diff > 0
            leaf = next(
                (f for f in free if (sb.self[f.code] < f.max if up else sb.self[f.code] > 0)),
            )
            sb.self[leaf.code] += Q if up else -Q
        ta, tb = self.result(year, a), self.result(year, b)
        assert ta == tb, (ta, tb)
        self.summary.append(
            f"exact tie {year}: {a_id} and {b_id} total {ta[1]} = {float(ta[1]):.4f} (index {float(ta[0]):.4f}); "
            "QĐ Quảng Ninh 2022 has no tiebreak, so they share a rank"
        )

    def engineer_qt(self) -> None:
        year = 2024
        # Bonus and penalty (1820/QĐ-UBND Art. 4): QTS01 earns both bonuses, QTS02 is penalised for apologies.
        s1, s2 = self.scores[(year, "QTS01")], self.scores[(year, "QTS02")]
        for code in ("8.1.1", "8.1.2"):
            s1.self[code] = Fraction(1)
            s1.appraisal.pop(code, None)
        s2.self["8.2.1"] = Fraction(0)
        s2.appraisal["8.2.1"] = Fraction(1)
        s2.reasons["8.2.1"] = "Tỷ lệ hồ sơ trễ hạn không xin lỗi 42% (> 30%)"
        self.summary.append("bonus/penalty MQT 2024: QTS01 +2 (8.1.1, 8.1.2); QTS02 −1 (8.2.1, imposed at appraisal)")
        # An appeal overriding an appraisal (1820/QĐ-UBND Art. 5 steps 4-5).
        s4 = self.scores[(year, "QTS04")]
        s4.self["5.2"], s4.appraisal["5.2"], s4.appeal["5.2"] = Fraction(4), Fraction(2), Fraction(7, 2)
        s4.reasons["5.2"] = "Thiếu kế hoạch tuyển dụng năm"
        self.summary.append("appeal MQT 2024: QTS04 5.2 self 4 -> appraisal 2 -> appeal 3.5 (won)")
        # Re-classification (1820/QĐ-UBND Art. 7): QTS03 was Tốt; a later inspection finds its on-time
        # rate overstated (3.3.1) and evidence with inserted numbers (penalty 8.2.3).
        unit = self.unit("QTS03")
        s3 = self.scores[(year, "QTS03")]
        for code in list(s3.appraisal):
            if code.startswith("8."):
                del s3.appraisal[code]
        s3.self.update({"8.1.1": Fraction(0), "8.1.2": Fraction(0), "8.2.1": Fraction(0), "8.2.2": Fraction(0)})
        s3.self["8.2.3"] = Fraction(0)
        before_index, before_total = self.result(year, unit)
        assert self.band(unit, before_index) == "Tốt", float(before_index)
        corrections = {"8.2.3": Fraction(1)}
        for code in ("3.3.1", "3.3.2", "3.2"):  # the overstated procedure results, corrected down
            corrections[code] = self.final(year, unit, code)
            while corrections[code] > 0 and self.band(unit, self.result(year, unit, corrections)[0]) == "Tốt":
                corrections[code] -= Q
        assert self.band(unit, self.result(year, unit, corrections)[0]) == "Khá"
        corrections = {k: v for k, v in corrections.items() if k == "8.2.3" or v != self.final(year, unit, k)}
        after_index, after_total = self.result(year, unit, corrections)
        before_rank = self.rank(year, unit)
        after_rank = self.rank(year, unit, corrections)
        reason = (
            "Kiểm tra sau xếp loại: tỷ lệ hồ sơ đúng hạn báo cáo không đúng thực tế; tài liệu kiểm chứng có văn "
            "bản chèn số (1820/QĐ-UBND Điều 4.2.c)"
        )
        for code, score in sorted(corrections.items()):
            self.reclassifications.append(
                {
                    "year": year,
                    "unit_id": "QTS03",
                    "criterion_code": code,
                    "corrected_score": fmt(score),
                    "band": "",
                    "decision_no": "45/QĐ-UBND",
                    "decision_date": "20/03/2025",
                    "agency": "Chủ tịch UBND tỉnh",
                    "reason": reason,
                }
            )
        self.summary.append(
            f"re-classification MQT {year}: QTS03 voided by 45/QĐ-UBND (20/03/2025): total {before_total} -> "
            f"{after_total}, index {float(before_index):.4f} Tốt (rank {before_rank}) -> {float(after_index):.4f} "
            f"{self.band(unit, after_index)} (rank {after_rank}); corrected "
            + ", ".join(f"{k} -> {fmt(v)}" for k, v in sorted(corrections.items()))
        )
        # A band set by decision (Art. 7, "không bảo đảm điều kiện của mức xếp loại"): QTH02.
        h2 = self.unit("QTH02")
        index = self.result(year, h2)[0]
        assert self.band(h2, index) == "Tốt", float(index)
        self.reclassifications.append(
            {
                "year": year,
                "unit_id": "QTH02",
                "criterion_code": "",
                "corrected_score": "",
                "band": "Khá",
                "decision_no": "52/QĐ-UBND",
                "decision_date": "02/04/2025",
                "agency": "Chủ tịch UBND tỉnh",
                "reason": "Không bảo đảm điều kiện xếp loại Tốt: để xảy ra vi phạm kỷ luật hành chính trong năm",
            }
        )
        self.summary.append(
            f"re-classification MQT {year}: QTH02 index {float(index):.4f} Tốt -> Khá set by 52/QĐ-UBND (02/04/2025)"
        )

    def rank(self, year: int, unit: Unit, corrections: dict | None = None) -> int:
        results = self.group_results(year, unit, corrections)
        return 1 + sum(1 for v in results.values() if v > results[unit.unit_id])

    def check(self) -> None:
        """Bands present as the decisions name them; scaled and not-surveyed units present."""
        seen = defaultdict(set)
        for year, unit_id in self.scores:
            unit = self.unit(unit_id)
            seen[unit.province].add(self.band(unit, self.result(year, unit)[0]))
        assert {"Xuất sắc", "Tốt", "Khá", "Trung bình", "Kém"} <= seen["MQN"], seen["MQN"]
        assert {"Tốt", "Khá", "Trung bình", "Thấp"} <= seen["MQT"], seen["MQT"]
        for unit_id, code in sorted(QT_NOT_APPLICABLE):
            index, total = self.result(2024, self.unit(unit_id))
            self.summary.append(
                f"scaled MQT 2024: {unit_id} {code} not applicable; total {total}, index {float(index):.4f}"
            )
        self.summary.append(f"not surveyed MQT 2024: communes of {QT_NOT_SURVEYED_DISTRICT} (8.1 not applicable)")
        self.summary.append(f"bands MQN: {', '.join(sorted(seen['MQN']))}; bands MQT: {', '.join(sorted(seen['MQT']))}")

    # ------------------------------------------------------------------ files
    def write(self, out: Path) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        written = [
            write_csv(out / "provinces_rulesets.csv", list(PROVINCES[0]), PROVINCES),
            write_csv(
                out / "units_rulesets.csv",
                ["unit_id", "unit_name", "unit_group", "parent_unit_id", "province_code"],
                [
                    {
                        "unit_id": u.unit_id,
                        "unit_name": u.name,
                        "unit_group": u.group,
                        "parent_unit_id": u.parent,
                        "province_code": u.province,
                    }
                    for u in self.units
                ],
            ),
        ]
        submissions: dict[Path, list[dict]] = defaultdict(list)
        appraisals, surveys = [], []
        for (year, unit_id), s in sorted(self.scores.items()):
            unit = self.unit(unit_id)
            # QĐ Quảng Ninh 2022 §III.2; 1820/QĐ-UBND Art. 11
            submitted = f"08/01/{year + 1}" if unit.province == "MQN" else f"20/11/{year}"
            folder = out / "submissions" / str(year) / unit.province
            for leaf in self.tree(unit):
                if leaf.method == "survey":
                    if leaf.code in s.survey:
                        surveys.append(
                            {
                                "year": year,
                                "unit_id": unit_id,
                                "criterion_code": leaf.code,
                                "satisfied_pct": str(float(s.survey[leaf.code])),
                                "respondents": self.rng.randint(40, 400),
                            }
                        )
                    continue
                value = s.self[leaf.code]
                submissions[folder / f"{unit.group}.csv"].append(
                    {
                        "unit_id": unit_id,
                        "year": year,
                        "criterion_code": leaf.code,
                        "self_score": "Không áp dụng" if value is None else fmt(value),
                        "evidence_refs": "" if not value else f"{self.rng.randint(10, 300)}/BC-{unit_id}",
                        "explanation": "Đơn vị không có nhiệm vụ này" if value is None else "",
                        "submitted_at": submitted,
                    }
                )
                for round_name, decided in (("thẩm định", s.appraisal), ("phúc khảo", s.appeal)):
                    if leaf.code not in decided:
                        continue
                    appraisals.append(self.decision(unit, year, leaf, round_name, decided[leaf.code], s))
        for path, rows in sorted(submissions.items()):
            path.parent.mkdir(parents=True, exist_ok=True)
            written.append(write_csv(path, list(rows[0]), rows))
        written.append(write_csv(out / "appraisals_rulesets.csv", list(appraisals[0]), appraisals))
        written.append(write_csv(out / "survey_results_rulesets.csv", list(surveys[0]), surveys))
        written.append(
            write_csv(out / "reclassifications.csv", list(self.reclassifications[0]), self.reclassifications)
        )
        written.append(self.write_readme(out / "README_rulesets.md"))
        return written

    def decision(self, unit: Unit, year: int, leaf: Leaf, round_name: str, score: Fraction, s: Score) -> dict:
        council = (
            f"Hội đồng thẩm định cấp huyện — {self.unit(unit.parent).name}"
            if unit.group == "commune"
            else PROVINCE_COUNCIL[unit.province]
        )
        agency = council if round_name == "phúc khảo" or unit.group == "commune" else leaf.agency
        code = AGENCY_CODE.get(leaf.agency.split(" — ")[0], "HĐTĐ")
        if unit.province == "MQN":
            date = f"{12 if round_name == 'thẩm định' else 26}/02/{year + 1}"  # QĐ Quảng Ninh 2022 §III.2
        else:
            date = f"{10 if round_name == 'thẩm định' else 24}/12/{year}"  # approval by 31/12 (1820/QĐ-UBND Art. 11.e)
        return {
            "year": year,
            "unit_id": unit.unit_id,
            "criterion_code": leaf.code,
            "round": round_name,
            "score": fmt(score),
            "agency": agency,
            "reason": "Chấp nhận giải trình của đơn vị" if round_name == "phúc khảo" else s.reasons[leaf.code],
            "decision_no": f"{year % 100}/BC-{code}" if round_name == "thẩm định" else f"{year % 100 + 1}/QĐ-HĐTĐ",
            "decision_date": date,
        }

    def write_readme(self, path: Path) -> Path:
        lines = [
            "# Sample input data for Quảng Ninh and Quảng Trị rules (SYNTHETIC)",
            "",
            "Written by `scripts/make_sample_rulesets.py` (run by `make sample` after `scripts/make_sample.py`),",
            f"deterministically (random seed {SEED}). Do not edit by hand. Two made-up provinces:",
            "",
            "- **Tỉnh Mẫu B — quy tắc Quảng Ninh (dữ liệu tổng hợp)** (`MQN`), scored with "
            "`frameworks/quang-ninh-2022` (QĐ Quảng Ninh 2022): 20 departments `QNS01`-`QNS20`, 13 districts "
            "`QNH01`-`QNH13`, 8 central agencies `QNT01`-`QNT08`, 10 public service units `QNV01`-`QNV10` "
            "(the counts of QĐ Quảng Ninh 2022 §I.3); years 2023-2024.",
            "- **Tỉnh Mẫu C — quy tắc Quảng Trị (dữ liệu tổng hợp)** (`MQT`), scored with "
            "`frameworks/quang-tri-1820-2024` (1820/QĐ-UBND): 12 provincial bodies `QTS01`-`QTS12`, 5 districts "
            "`QTH01`-`QTH05`, 15 communes `QTX0101`-`QTX0503`; year 2024.",
            "",
            "Files: `provinces_rulesets.csv`, `units_rulesets.csv`, `submissions/<year>/<province>/<group>.csv`,",
            "`appraisals_rulesets.csv`, `survey_results_rulesets.csv`, `reclassifications.csv` (docs/inputs.md).",
            "The frameworks' per-leaf points are illustrative (the decisions carry no annexes), so every score is too.",
            "",
            "## Engineered cases (checked by the generator with exact fractions)",
            "",
            *[f"- {line}" for line in self.summary],
            "",
        ]
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_rulesets_sample(out: Path) -> list[Path]:
    sample = Sample()
    sample.run()
    return sample.write(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_RAW, help="folder to write (default data/raw)")
    args = parser.parse_args(argv)
    sample = Sample()
    summary = sample.run()
    written = sample.write(args.out)
    print(f"Synthetic samples (Quảng Ninh, Quảng Trị rules): {len(written)} files written to {args.out}")
    for line in summary:
        print("  " + line)


if __name__ == "__main__":
    main()
