"""Generate the bundled SYNTHETIC sample input files in ``data/raw/`` (deterministic).

Run from the repository root::

    .venv/bin/python -m scripts.make_sample            # writes data/raw/
    .venv/bin/python -m scripts.make_sample --out DIR  # writes elsewhere (frameworks are still read
                                                       # from data/raw/frameworks/)

The province "Tỉnh Mẫu (dữ liệu tổng hợp)" is made up. Its units are scored under Hưng Yên's rules
(Decision 1708/QĐ-UBND), read from ``data/raw/frameworks/hung-yen-1708-2021/``. Files follow
``docs/inputs.md``. Per-leaf points of that framework are illustrative, so every number here is too.

A few cases are engineered on purpose (an exact tie in 2024, a band downgrade each year, scaled units,
winning appeals) and checked at the end with exact fractions, independently of the chiso scoring code.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import permutations
from pathlib import Path

import openpyxl
import yaml
from openpyxl.styles import Alignment, Font

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RAW = REPO / "data" / "raw"
RULESET_ID = "hung-yen-1708-2021"
FRAMEWORK_DIR = DEFAULT_RAW / "frameworks" / RULESET_ID

SEED = 20210714  # date of Decision 1708/QĐ-UBND; any fixed value would do
YEARS = (2022, 2023, 2024)
FIXED_DT = datetime(2025, 2, 3, 8, 0, 0)  # workbook created/modified, zip entry times
STEP = Fraction(1, 4)  # appraised scores move in quarter points

PROVINCE = {
    "province_code": "MAU",
    "province_name": "Tỉnh Mẫu (dữ liệu tổng hợp)",
    "ruleset_family": "hung-yen",
    "synthetic": "có",
}
SHEET = "Tự đánh giá"
NA_XLSX = "Không áp dụng"
NA_CSV = "KAD"
HEADER = ["Mã tiêu chí", "Nội dung", "Điểm tối đa", "Điểm tự đánh giá", "Tài liệu kiểm chứng", "Giải trình"]

# --------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------
# (unit_id, name, issuer code used in document numbers)
DEPARTMENTS = [
    ("S01", "Sở Nội vụ", "SNV"),
    ("S02", "Sở Tư pháp", "STP"),
    ("S03", "Sở Tài chính", "STC"),
    ("S04", "Sở Kế hoạch và Đầu tư", "SKHĐT"),
    ("S05", "Sở Công Thương", "SCT"),
    ("S06", "Sở Xây dựng", "SXD"),
    ("S07", "Sở Giao thông vận tải", "SGTVT"),
    ("S08", "Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT"),
    ("S09", "Sở Tài nguyên và Môi trường", "STNMT"),
    ("S10", "Sở Y tế", "SYT"),
    ("S11", "Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("S12", "Sở Lao động - Thương binh và Xã hội", "SLĐTBXH"),
    ("S13", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ("S14", "Sở Khoa học và Công nghệ", "SKHCN"),
    ("S15", "Sở Thông tin và Truyền thông", "STTTT"),
    ("S16", "Thanh tra tỉnh", "TTr"),
    ("S17", "Ban Quản lý các khu công nghiệp", "BQL"),
]
# (unit_id, name, communes as (kind, name)); invented place names.
DISTRICTS = [
    (
        "H01",
        "UBND thành phố An Bình",
        [
            ("phường", "Hòa Bình"),
            ("phường", "Quang Trung"),
            ("phường", "Minh Khai"),
            ("phường", "An Thịnh"),
            ("phường", "Ngọc Châu"),
            ("xã", "Bình Lộc"),
            ("xã", "Tân Hưng"),
            ("xã", "Phú Xuân"),
        ],
    ),
    (
        "H02",
        "UBND thị xã Đông Hòa",
        [
            ("phường", "Đông Tiến"),
            ("phường", "Hòa Lạc"),
            ("phường", "Thanh Bình"),
            ("xã", "Đông Phong"),
            ("xã", "Hòa Tiến"),
            ("xã", "Vĩnh Phúc"),
            ("xã", "Hợp Thành"),
        ],
    ),
    (
        "H03",
        "UBND huyện Tân Phú",
        [
            ("thị trấn", "Phú Lộc"),
            ("xã", "Tân Lập"),
            ("xã", "Tân Tiến"),
            ("xã", "Phú Cường"),
            ("xã", "Phú Điền"),
            ("xã", "Nghĩa Hưng"),
            ("xã", "An Khánh"),
            ("xã", "Đồng Tâm"),
        ],
    ),
    (
        "H04",
        "UBND huyện Thanh Lâm",
        [
            ("thị trấn", "Thanh Lâm"),
            ("xã", "Thanh Tân"),
            ("xã", "Lâm Hòa"),
            ("xã", "Cát Thịnh"),
            ("xã", "Hồng Phong"),
            ("xã", "Quảng Lạc"),
            ("xã", "Vạn Phúc"),
        ],
    ),
    (
        "H05",
        "UBND huyện Hưng Phú",
        [
            ("thị trấn", "Hưng Phú"),
            ("xã", "Hưng Thịnh"),
            ("xã", "Phú Mỹ"),
            ("xã", "Đại Đồng"),
            ("xã", "Kim Liên"),
            ("xã", "Tiến Thắng"),
            ("xã", "Song Mai"),
            ("xã", "Xuân Trúc"),
        ],
    ),
    (
        "H06",
        "UBND huyện Yên Hòa",
        [
            ("thị trấn", "Yên Hòa"),
            ("xã", "Yên Thịnh"),
            ("xã", "Hòa Phong"),
            ("xã", "Minh Tân"),
            ("xã", "Liên Nghĩa"),
            ("xã", "Trung Hòa"),
            ("xã", "Đức Hợp"),
            ("xã", "Thuận Hưng"),
        ],
    ),
    (
        "H07",
        "UBND huyện Minh Đức",
        [
            ("thị trấn", "Minh Đức"),
            ("xã", "Minh Hòa"),
            ("xã", "Đức Thắng"),
            ("xã", "Nhân Hòa"),
            ("xã", "Lạc Long"),
            ("xã", "Thiện Phiến"),
            ("xã", "Toàn Thắng"),
        ],
    ),
    (
        "H08",
        "UBND huyện Phúc Thịnh",
        [
            ("thị trấn", "Phúc Thịnh"),
            ("xã", "Phúc Lợi"),
            ("xã", "Thịnh Long"),
            ("xã", "Bình Minh"),
            ("xã", "Ngọc Lâm"),
            ("xã", "Gia Hòa"),
            ("xã", "Tân Châu"),
        ],
    ),
]
# Districts that did not survey their communes (1708/QĐ-UBND Art. 5.3.a lets each district decide).
NO_COMMUNE_SURVEY = ("H04", "H07")
# Districts whose commune export writes decimals with a comma ("1,5"; quoted in the CSV).
COMMA_DISTRICTS = ("H02", "H05", "H08")
# Districts whose export writes submitted_at as dd/mm/yyyy (the others use ISO).
DMY_DISTRICTS = ("H03", "H06", "H08")

# Not-applicable leaves: unit -> code -> years (1708/QĐ-UBND Art. 3.3: scaled to the leaves that apply).
NOT_APPLICABLE = {
    "S14": {"4.3": YEARS},
    "S16": {"4.3": YEARS, "6.2": YEARS},
    "S17": {"6.2": YEARS},
    "X0102": {"3.2.2": (2022, 2024)},
    "X0806": {"3.2.2": (2023,)},
    "X0405": {"7.3": YEARS},
    "X0603": {"7.3": YEARS},
}
NA_EXPLANATION = {
    "6.2": "Đơn vị không có đơn vị sự nghiệp trực thuộc, không thực hiện cơ chế tự chủ tài chính",
    "4.3": "Đơn vị không được giao nhiệm vụ phân cấp quản lý",
    "3.2.2": "Trong năm không có hồ sơ giải quyết trễ hạn",
    "7.3": "Không có thủ tục hành chính tiếp nhận, trả kết quả qua dịch vụ bưu chính công ích",
}
# One leaf left blank by its officer (counts 0 and is flagged, docs/inputs.md).
BLANK_SELF = {(2022, "X0304", "6.3")}
# Forms whose unit name arrives in another Unicode form or with stray spaces (folded by chiso).
NAME_VARIANTS = {(2023, "H05"): "nfd", (2022, "S08"): "spaces"}
# A unit whose officer writes "KAD" instead of "Không áp dụng" in the form.
KAD_IN_FORM = ("S17",)

# Quality (share of max) each unit tends to reach: (low, high) of the latent level per group.
QUALITY = {"department": (0.73, 0.93), "district": (0.68, 0.90), "commune": (0.58, 0.88)}
RESPONDENTS = {"department": (60, 400), "district": (150, 400), "commune": (30, 150)}
CUT_PROBABILITY = 0.15  # share of applicable appraised leaves that appraisal lowers

AGENCY_CODE = {
    "Sở Nội vụ": "SNV",
    "Sở Tư pháp": "STP",
    "Văn phòng UBND tỉnh": "VP",
    "Sở Tài chính": "STC",
    "Sở Kế hoạch và Đầu tư": "SKHĐT",
    "Sở Thông tin và Truyền thông": "STTTT",
    "Sở Khoa học và Công nghệ": "SKHCN",
    "Tổ thẩm định cấp huyện": "TTĐ",
}
PROVINCE_COUNCIL = "Hội đồng thẩm định Chỉ số CCHC tỉnh"
DISTRICT_COUNCIL = "Hội đồng thẩm định Chỉ số CCHC cấp huyện"

GENERIC_CUT_REASONS = [
    "Tài liệu kiểm chứng chưa đầy đủ",
    "Tài liệu kiểm chứng không thuộc kỳ đánh giá",
    "Thiếu văn bản chứng minh kết quả thực hiện",
    "Tự chấm chưa đúng hướng dẫn chấm điểm",
]
AREA_CUT_REASONS = {
    "1": ["Ban hành kế hoạch CCHC chậm so với thời hạn", "Chưa hoàn thành 100% nhiệm vụ trong kế hoạch CCHC"],
    "2": [
        "Chưa thực hiện đầy đủ việc rà soát văn bản quy phạm pháp luật",
        "Báo cáo theo dõi thi hành pháp luật gửi chậm",
    ],
    "3": [
        "Số liệu hồ sơ đúng hạn không khớp với Hệ thống thông tin giải quyết TTHC",
        "Còn hồ sơ trễ hạn chưa có văn bản xin lỗi",
    ],
    "4": [
        "Chưa hoàn thành sắp xếp tổ chức theo kế hoạch",
        "Chưa thực hiện đúng quy định về biên chế được giao",
    ],
    "5": ["Chưa phê duyệt đề án vị trí việc làm", "Kế hoạch đào tạo, bồi dưỡng chưa đạt chỉ tiêu"],
    "6": [
        "Tỷ lệ giải ngân vốn đầu tư công chưa đạt kế hoạch",
        "Chưa công khai đầy đủ dự toán, quyết toán ngân sách",
    ],
    "7": [
        "Tỷ lệ văn bản điện tử có chữ ký số chưa đạt yêu cầu",
        "Tỷ lệ hồ sơ trực tuyến thấp hơn số liệu tự đánh giá",
        "Chưa công bố lại hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
    ],
}
EXPLAIN_FULL = [
    "Hoàn thành 100% nhiệm vụ theo kế hoạch",
    "Đã ban hành đúng thời hạn",
    "Thực hiện đầy đủ theo hướng dẫn của Sở Nội vụ",
    "Số liệu trích xuất từ hệ thống ngày 30/11",
]
EXPLAIN_PARTIAL = [
    "Còn một số nhiệm vụ chưa hoàn thành do khách quan",
    "Có hồ sơ trễ hạn do phải lấy ý kiến liên ngành",
    "Tỷ lệ đạt thấp hơn chỉ tiêu được giao",
    "Đang hoàn thiện hồ sơ, tài liệu kiểm chứng",
]
SURVEY_EXPLANATION = "Chấm điểm qua điều tra xã hội học"
DOC_TYPES = ["QĐ", "KH", "BC", "TB", "HD"]


# --------------------------------------------------------------------------------------------------
# Data structures
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    group: str  # department | district | commune
    parent: str
    issuer: str


@dataclass(frozen=True)
class Criterion:
    code: str
    parent: str
    title: str
    max_points: Fraction | None
    method: str  # appraised | survey | bonus | penalty; empty on nodes
    agency: str
    tiebreak: bool

    @property
    def area(self) -> str:
        return self.code.split(".")[0]


@dataclass
class SelfEntry:
    score: Fraction | None  # None: blank (or not applicable when na)
    na: bool = False
    evidence: str = ""
    explanation: str = ""
    as_text: bool = False  # written in the form as text with a decimal comma


@dataclass
class Decision:
    year: int
    unit_id: str
    code: str
    round: str  # appraisal | appeal
    score: Fraction
    agency: str
    reason: str
    decision_no: str
    decision_date: date


@dataclass
class Result:
    total: Fraction
    max_points: Fraction
    tiebreak: Fraction
    areas: dict[str, tuple[Fraction, Fraction]]
    na_leaves: tuple[str, ...]

    @property
    def index(self) -> Fraction:
        return self.total / self.max_points * 100

    def weak_areas(self, below_pct: Fraction) -> list[str]:
        return [a for a, (got, mx) in self.areas.items() if mx and got * 100 < below_pct * mx]


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------
def to_fraction(text: str) -> Fraction | None:
    text = text.strip()
    return Fraction(Decimal(text)) if text else None


def fmt_number(value: Fraction, comma: bool = False) -> str:
    text = format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")
    return text.replace(".", ",") if comma else text


def cell_number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def floor_step(value: Fraction) -> Fraction:
    return (value // STEP) * STEP


def dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def load_tree(group: str) -> list[Criterion]:
    with (FRAMEWORK_DIR / f"{group}.csv").open(encoding="utf-8", newline="") as fh:
        return [
            Criterion(
                code=row["code"].strip(),
                parent=row["parent_code"].strip(),
                title=row["title"].strip(),
                max_points=to_fraction(row["max_points"]),
                method=row["method"].strip(),
                agency=row["appraising_agency"].strip(),
                tiebreak=row["tiebreak"].strip() == "có",
            )
            for row in csv.DictReader(fh)
        ]


def build_units() -> list[Unit]:
    units = [Unit(uid, name, "department", "", issuer) for uid, name, issuer in DEPARTMENTS]
    units += [Unit(uid, name, "district", "", "UBND") for uid, name, _ in DISTRICTS]
    for uid, _, communes in DISTRICTS:
        for i, (kind, name) in enumerate(communes, start=1):
            units.append(Unit(f"X{uid[1:]}{i:02d}", f"UBND {kind} {name}", "commune", uid, "UBND"))
    return units


# --------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------
class Sample:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        framework = yaml.safe_load((FRAMEWORK_DIR / "framework.yaml").read_text(encoding="utf-8"))
        self.content_areas = [str(a) for a in framework["content_areas"]]
        self.bands = [(Fraction(str(b["min"])), b["name"]) for b in framework["classification"]["bands"]]
        downgrade = framework["classification"]["downgrade"]
        self.downgrade_from = set(downgrade["applies_to"])
        self.downgrade_pct = Fraction(str(downgrade["content_area_below_pct"]))
        self.trees = {g: load_tree(g) for g in ("department", "district", "commune")}
        self.leaves = {g: [c for c in tree if c.method] for g, tree in self.trees.items()}
        self.leaf_order = {g: {c.code: i for i, c in enumerate(ls)} for g, ls in self.leaves.items()}
        self.units = build_units()
        self.unit_by_id = {u.unit_id: u for u in self.units}
        self.unit_order = {u.unit_id: i for i, u in enumerate(self.units)}
        self.quality: dict[tuple[int, str], float] = {}
        self.selfs: dict[tuple[int, str], dict[str, SelfEntry]] = {}
        self.submitted: dict[tuple[int, str], date] = {}
        self.decisions: dict[tuple[int, str, str], list[Decision]] = defaultdict(list)
        self.surveys: dict[tuple[int, str, str], tuple[Fraction, int]] = {}
        self.locked: set[tuple[int, str, str]] = set()  # leaves later steps must not touch
        self.reports: dict[tuple, tuple[str, date]] = {}  # decision number and date per report
        self.cases: dict[str, object] = {}

    # ---- scoring (independent, exact) -------------------------------------------------------------
    def final_score(self, year: int, unit: Unit, leaf: Criterion) -> Fraction | None:
        """Latest decided score: appeal > appraisal > self; None when the leaf does not apply."""
        if leaf.method == "survey":
            survey = self.surveys.get((year, unit.unit_id, leaf.code))
            return None if survey is None else survey[0] / 100 * leaf.max_points
        rows = self.decisions.get((year, unit.unit_id, leaf.code), [])
        for rnd in ("appeal", "appraisal"):
            decided = [r for r in rows if r.round == rnd]
            if decided:
                return max(decided, key=lambda r: r.decision_date).score
        entry = self.selfs[(year, unit.unit_id)][leaf.code]
        if entry.na:
            return None
        return entry.score or Fraction(0)

    def result(self, year: int, unit: Unit) -> Result:
        total = max_points = tiebreak = Fraction(0)
        areas = {a: (Fraction(0), Fraction(0)) for a in self.content_areas}
        na = []
        for leaf in self.leaves[unit.group]:
            value = self.final_score(year, unit, leaf)
            if value is None:
                na.append(leaf.code)
                continue
            if leaf.method in ("appraised", "survey"):
                total += value
                max_points += leaf.max_points
                if leaf.area in areas:
                    got, mx = areas[leaf.area]
                    areas[leaf.area] = (got + value, mx + leaf.max_points)
            elif leaf.method == "bonus":
                total += value
            elif leaf.method == "penalty":
                total -= value
            if leaf.tiebreak:
                tiebreak += value
        return Result(total, max_points, tiebreak, areas, tuple(na))

    def band(self, result: Result) -> tuple[str, str]:
        """(band by index, band after the downgrade rule)."""
        names = [name for _, name in self.bands]
        band = next(name for low, name in self.bands if result.index >= low)
        final = band
        if band in self.downgrade_from and result.weak_areas(self.downgrade_pct):
            final = names[min(names.index(band) + 1, len(names) - 1)]
        return band, final

    # ---- helpers for decisions ----------------------------------------------------------------------
    def units_of(self, group: str) -> list[Unit]:
        return [u for u in self.units if u.group == group]

    def leaf(self, unit: Unit, code: str) -> Criterion:
        return next(c for c in self.leaves[unit.group] if c.code == code)

    def report(self, year: int, unit: Unit, agency: str, rnd: str) -> tuple[str, date]:
        """Decision number and date of the report that carries a unit's appraisal or appeal."""
        rng = self.rng
        if rnd == "appraisal":
            scope = unit.parent if unit.group == "commune" else unit.group
            key = (year, rnd, agency, scope)
            if key not in self.reports:
                number = f"{rng.randint(3, 160):02d}/BC-{AGENCY_CODE.get(agency, 'TTĐ')}"
                self.reports[key] = (number, date(year, 12, 16) + timedelta(days=rng.randint(0, 20)))
        else:
            scope = unit.parent if unit.group == "commune" else "province"
            key = (year, rnd, scope)
            if key not in self.reports:
                if unit.group == "commune":
                    number = f"{rng.randint(10, 90):02d}/QĐ-UBND"
                    when = date(year + 1, 1, rng.randint(12, 24))
                else:
                    number = f"{rng.randint(1, 20):02d}/QĐ-HĐTĐ"
                    when = date(year + 1, 1, rng.randint(15, 28))
                self.reports[key] = (number, when)
        return self.reports[key]

    def set_appraisal(self, year: int, unit: Unit, leaf: Criterion, score: Fraction, reason: str) -> Decision:
        """Record (or overwrite) the appraisal decision on a leaf."""
        assert 0 <= score <= leaf.max_points, (year, unit.unit_id, leaf.code, score)
        rows = self.decisions[(year, unit.unit_id, leaf.code)]
        existing = [r for r in rows if r.round == "appraisal"]
        if existing:
            row = max(existing, key=lambda r: r.decision_date)
            row.score, row.reason = score, reason
            return row
        number, when = self.report(year, unit, leaf.agency, "appraisal")
        row = Decision(year, unit.unit_id, leaf.code, "appraisal", score, leaf.agency, reason, number, when)
        rows.append(row)
        return row

    def cut_reason(self, leaf: Criterion) -> str:
        options = GENERIC_CUT_REASONS + AREA_CUT_REASONS.get(leaf.area, [])
        return self.rng.choice(options)

    def evidence(self, unit: Unit, year: int) -> str:
        rng = self.rng
        refs = [f"{rng.randint(1, 420):02d}/{rng.choice(DOC_TYPES)}-{unit.issuer}"]
        if rng.random() < 0.45:
            refs.append(f"{rng.randint(1, 250):02d}/{rng.choice(['KH', 'QĐ', 'BC'])}-UBND")
        if rng.random() < 0.15:
            refs.append(f"{rng.randint(1, 99):02d}/{year - 1}/QĐ-UBND")
        return "; ".join(refs)

    # ---- step 1: latent quality and self-assessment ----------------------------------------------
    def make_quality(self) -> None:
        rng = self.rng
        for unit in self.units:
            low, high = QUALITY[unit.group]
            base = rng.uniform(low + 0.02, high - 0.02)
            for year in YEARS:
                drift = 0.012 * (year - YEARS[0]) + rng.gauss(0, 0.015)
                self.quality[(year, unit.unit_id)] = min(high, max(low, base + drift))

    def draw_self(self, maximum: Fraction, q: float) -> Fraction:
        rng = self.rng
        p_full = min(0.75, max(0.05, (q - 0.6) / 0.45))
        if rng.random() < p_full:
            return maximum
        share = min(0.97, max(0.4, rng.gauss(q - 0.02, 0.05)))
        return min(maximum - STEP, round(maximum * Fraction(share).limit_denominator(1000) / STEP) * STEP)

    def make_self_assessments(self) -> None:
        rng = self.rng
        for year in YEARS:
            for unit in self.units:
                q = self.quality[(year, unit.unit_id)]
                last_day = 14 if unit.group != "commune" else 9
                submitted = date(year, 12, 1) + timedelta(days=rng.randint(0, last_day))
                self.submitted[(year, unit.unit_id)] = submitted
                not_applicable = NOT_APPLICABLE.get(unit.unit_id, {})
                entries: dict[str, SelfEntry] = {}
                for leaf in self.leaves[unit.group]:
                    if year in not_applicable.get(leaf.code, ()):
                        entries[leaf.code] = SelfEntry(None, na=True, explanation=NA_EXPLANATION[leaf.code])
                    elif (year, unit.unit_id, leaf.code) in BLANK_SELF:
                        entries[leaf.code] = SelfEntry(None)
                    elif leaf.method == "appraised":
                        score = self.draw_self(leaf.max_points, q)
                        entry = SelfEntry(score, evidence=self.evidence(unit, year) if score else "")
                        if score < leaf.max_points and rng.random() < 0.5:
                            entry.explanation = rng.choice(EXPLAIN_PARTIAL)
                        elif score == leaf.max_points and rng.random() < 0.1:
                            entry.explanation = rng.choice(EXPLAIN_FULL)
                        entry.as_text = rng.random() < (0.35 if score.denominator != 1 else 0.03)
                        entries[leaf.code] = entry
                    elif leaf.method == "survey":
                        entries[leaf.code] = SelfEntry(None, explanation=SURVEY_EXPLANATION)
                    elif leaf.method == "bonus":
                        entries[leaf.code] = self.draw_bonus(unit, year, leaf)
                    else:  # penalty: most units declare none
                        if leaf.code.endswith(".2") and rng.random() < 0.02:
                            entries[leaf.code] = SelfEntry(
                                leaf.max_points, explanation="Đơn vị gửi báo cáo chậm 02 ngày so với thời hạn"
                            )
                        else:
                            entries[leaf.code] = SelfEntry(Fraction(0))
                self.selfs[(year, unit.unit_id)] = entries

    def draw_bonus(self, unit: Unit, year: int, leaf: Criterion) -> SelfEntry:
        rng = self.rng
        if rng.random() >= 0.05:
            return SelfEntry(Fraction(0))
        ref = f"{rng.randint(1000, 2999)}/QĐ-UBND"
        if leaf.code.endswith(".1"):
            text = f"Được Chủ tịch UBND tỉnh tặng Bằng khen về công tác CCHC năm {year}"
        else:
            text = "Mô hình “Một cửa thân thiện” được UBND tỉnh chỉ đạo nhân rộng"
        return SelfEntry(leaf.max_points, evidence=ref, explanation=text)

    # ---- step 2: survey ------------------------------------------------------------------------------
    def make_surveys(self) -> None:
        rng = self.rng
        for year in YEARS:
            for unit in self.units:
                if unit.group == "commune" and unit.parent in NO_COMMUNE_SURVEY:
                    continue
                q = self.quality[(year, unit.unit_id)]
                respondents = rng.randint(*RESPONDENTS[unit.group])
                for leaf in self.leaves[unit.group]:
                    if leaf.method == "survey":
                        pct = min(98.0, max(70.0, rng.gauss(q * 100 + 3, 3.5)))
                        key = (year, unit.unit_id, leaf.code)
                        self.surveys[key] = (Fraction(round(pct * 10), 10), respondents)

    # ---- step 3: appraisal ------------------------------------------------------------------------
    def make_appraisals(self) -> None:
        rng = self.rng
        for year in YEARS:
            for unit in self.units:
                entries = self.selfs[(year, unit.unit_id)]
                for leaf in self.leaves[unit.group]:
                    entry = entries[leaf.code]
                    if entry.na:
                        continue
                    if leaf.method == "appraised" and entry.score and rng.random() < CUT_PROBABILITY:
                        steps = Fraction(rng.choice([1, 1, 2, 2, 2, 3, 4]))
                        cut = min(entry.score, leaf.max_points / 2, steps * STEP)
                        self.set_appraisal(year, unit, leaf, entry.score - cut, self.cut_reason(leaf))
                    elif leaf.method == "bonus" and entry.score and rng.random() < 0.3:
                        self.set_appraisal(
                            year,
                            unit,
                            leaf,
                            Fraction(0),
                            "Không có quyết định khen thưởng của cấp có thẩm quyền trong kỳ đánh giá",
                        )
                if rng.random() < 0.035:  # a penalty imposed by the appraisal
                    code = rng.choice(["9.2.1", "9.2.2"])
                    leaf = self.leaf(unit, code)
                    if entries[code].score:
                        continue
                    if code == "9.2.1":
                        score = Fraction(rng.choice([1, 2]))
                        level = "huyện" if unit.group == "commune" else "tỉnh"
                        reason = (
                            f"Bị UBND {level} phê bình về công tác CCHC tại Thông báo số {rng.randint(10, 300)}/TB-UBND"
                        )
                    else:
                        score = leaf.max_points
                        reason = "Gửi báo cáo tự đánh giá, tài liệu kiểm chứng chậm so với thời hạn"
                    self.set_appraisal(year, unit, leaf, score, reason)
                    self.locked.add((year, unit.unit_id, code))

    def make_correction(self) -> None:
        """One leaf appraised twice: a corrected report, dated later, replaces the first one."""
        year = YEARS[1]
        for unit in self.units_of("district"):
            for leaf in self.leaves["district"]:
                key = (year, unit.unit_id, leaf.code)
                rows = self.decisions.get(key, [])
                if leaf.method != "appraised" or len(rows) != 1 or key in self.locked:
                    continue
                row = rows[0]
                if row.score < 3 * STEP or row.decision_date >= date(year + 1, 1, 4):
                    continue
                first = Decision(
                    year,
                    unit.unit_id,
                    leaf.code,
                    "appraisal",
                    row.score - 2 * STEP,
                    row.agency,
                    row.reason,
                    row.decision_no,
                    row.decision_date,
                )
                row.decision_no = f"{self.rng.randint(170, 199)}/BC-{AGENCY_CODE.get(row.agency, 'TTĐ')}"
                row.decision_date = date(year + 1, 1, 5)
                row.reason = "Điều chỉnh kết quả thẩm định sau khi rà soát lại tài liệu kiểm chứng"
                rows.append(first)
                self.locked.add(key)
                self.cases["correction"] = (year, unit.unit_id, leaf.code, first.score, row.score)
                return
        raise AssertionError("no leaf for the corrected appraisal")

    # ---- step 4: engineered downgrade ------------------------------------------------------------------
    def make_downgrades(self) -> None:
        plan = {YEARS[0]: ("department", "2"), YEARS[1]: ("district", "6"), YEARS[2]: ("department", "5")}
        self.cases["downgrade"] = []
        used: set[str] = set()
        for year, (group, area) in plan.items():
            candidates = []
            for unit in self.units_of(group):
                res = self.result(year, unit)
                if unit.unit_id in used or res.na_leaves or res.weak_areas(self.downgrade_pct):
                    continue
                if res.index >= 86:
                    candidates.append(unit)
            assert candidates, f"no candidate for the downgrade case in {year}"
            unit = self.rng.choice(candidates)
            used.add(unit.unit_id)
            area_leaves = sorted(
                (c for c in self.leaves[group] if c.area == area and c.method == "appraised"),
                key=lambda c: (-c.max_points, c.code),
            )
            for leaf in area_leaves:
                got, mx = self.result(year, unit).areas[area]
                if got * 100 < self.downgrade_pct * mx:
                    break
                target = floor_step(leaf.max_points / 2)
                if self.final_score(year, unit, leaf) > target:
                    self.set_appraisal(year, unit, leaf, target, self.cut_reason(leaf))
                    self.locked.add((year, unit.unit_id, leaf.code))
            for leaf in area_leaves:  # every leaf of the area stays out of appeals
                self.locked.add((year, unit.unit_id, leaf.code))
            res = self.result(year, unit)
            band, final = self.band(res)
            assert res.index >= 80 and area in res.weak_areas(self.downgrade_pct) and final != band, (
                year,
                unit.unit_id,
                float(res.index),
            )
            self.cases["downgrade"].append((year, unit.unit_id, area))

    # ---- step 5: appeals --------------------------------------------------------------------------
    def make_appeals(self) -> None:
        rng = self.rng
        self.cases["appeals"] = []
        for year in YEARS:
            candidates = []
            for unit in self.units:
                for leaf in self.leaves[unit.group]:
                    key = (year, unit.unit_id, leaf.code)
                    rows = self.decisions.get(key, [])
                    if leaf.method != "appraised" or key in self.locked or len(rows) != 1:
                        continue
                    candidates.append((unit, leaf, rows[0]))
            count = rng.randint(5, 8)
            chosen = rng.sample(candidates, count)
            losers = 2
            for i, (unit, leaf, appraisal) in enumerate(chosen):
                own = self.selfs[(year, unit.unit_id)][leaf.code].score
                if i < losers:
                    score = appraisal.score
                    reason = rng.choice(
                        [
                            "Không chấp nhận giải trình, giữ nguyên điểm thẩm định",
                            "Tài liệu bổ sung ban hành sau thời điểm chốt số liệu; giữ nguyên điểm thẩm định",
                        ]
                    )
                elif own - appraisal.score >= 2 * STEP and rng.random() < 0.3:
                    score = own - STEP
                    reason = "Chấp nhận một phần giải trình của đơn vị"
                else:
                    score = own
                    reason = rng.choice(
                        [
                            "Đơn vị bổ sung tài liệu kiểm chứng hợp lệ, chấp nhận giải trình",
                            "Chấp nhận giải trình: số liệu được xác nhận trên hệ thống",
                        ]
                    )
                council = DISTRICT_COUNCIL if unit.group == "commune" else PROVINCE_COUNCIL
                number, when = self.report(year, unit, council, "appeal")
                self.decisions[(year, unit.unit_id, leaf.code)].append(
                    Decision(year, unit.unit_id, leaf.code, "appeal", score, council, reason, number, when)
                )
                self.locked.add((year, unit.unit_id, leaf.code))
                self.cases["appeals"].append((year, unit.unit_id, leaf.code, own, appraisal.score, score))

    # ---- step 6: engineered exact tie ------------------------------------------------------------------
    def make_tie(self, year: int) -> None:
        downgraded = {uid for y, uid, _ in self.cases["downgrade"] if y == year}
        pool = [
            u
            for u in self.units_of("department")
            if u.unit_id not in downgraded
            and not self.result(year, u).na_leaves
            and not self.result(year, u).weak_areas(self.downgrade_pct)
        ]
        results = {u.unit_id: self.result(year, u) for u in pool}
        survey_codes = [c.code for c in self.leaves["department"] if c.method == "survey"]
        best = None
        for tweaked, other in permutations(pool, 2):
            if results[tweaked.unit_id].tiebreak == results[other.unit_id].tiebreak:
                continue
            pcts = {c: self.surveys[(year, tweaked.unit_id, c)][0] for c in survey_codes}
            other_sum = sum(self.surveys[(year, other.unit_id, c)][0] for c in survey_codes)
            # Shift one satisfied_pct (0.1 steps) so that the survey points differ by whole half points.
            diff_tenths = int((other_sum - sum(pcts.values())) * 10)
            delta = (diff_tenths + 62) % 125 - 62
            code = next((c for c in survey_codes if 70 <= pcts[c] + Fraction(delta, 10) <= 98), None)
            if code is None:
                continue
            leaf_max = self.leaf(tweaked, code).max_points
            total_tweaked = results[tweaked.unit_id].total + Fraction(delta, 1000) * leaf_max
            gap = total_tweaked - results[other.unit_id].total
            if gap == 0 or gap % STEP:
                continue
            higher = tweaked if gap > 0 else other
            leaf = next(
                (
                    c
                    for c in self.leaves["department"]
                    if c.method == "appraised"
                    and not c.tiebreak
                    and (year, higher.unit_id, c.code) not in self.locked
                    and self.final_score(year, higher, c) - abs(gap) >= c.max_points / 4
                ),
                None,
            )
            if leaf is None:
                continue
            got, mx = results[higher.unit_id].areas[leaf.area]
            if (got - abs(gap)) * 100 < self.downgrade_pct * mx:  # keep both units out of the downgrade
                continue
            cost = (abs(gap), abs(delta), tweaked.unit_id, other.unit_id)
            if best is None or cost < best[0]:
                best = (cost, tweaked, other, code, delta, higher, leaf, gap)
        assert best is not None, "no pair of departments can be tied"
        _, tweaked, other, code, delta, higher, leaf, gap = best
        pct, respondents = self.surveys[(year, tweaked.unit_id, code)]
        self.surveys[(year, tweaked.unit_id, code)] = (pct + Fraction(delta, 10), respondents)
        before = self.final_score(year, higher, leaf)
        self.set_appraisal(
            year,
            higher,
            leaf,
            before - abs(gap),
            "Số liệu tự đánh giá không khớp với kết quả theo dõi của cơ quan thẩm định",
        )
        self.locked.add((year, higher.unit_id, leaf.code))
        self.cases["tie"] = (
            year,
            tweaked.unit_id,
            other.unit_id,
            higher.unit_id,
            leaf.code,
            before,
            before - abs(gap),
            code,
            pct,
            pct + Fraction(delta, 10),
        )

    # ---- checks ----------------------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Assert the engineered cases and general sanity; return summary lines."""
        lines = []
        for (year, uid, code), rows in self.decisions.items():
            leaf = self.leaf(self.unit_by_id[uid], code)
            assert not self.selfs[(year, uid)][code].na, (year, uid, code)
            for row in rows:
                assert 0 <= row.score <= leaf.max_points, row
                if row.round == "appraisal":
                    assert date(year, 12, 16) <= row.decision_date <= date(year + 1, 1, 5), row
                else:
                    assert date(year + 1, 1, 10) <= row.decision_date <= date(year + 1, 1, 31), row
        for (_, uid), entries in self.selfs.items():
            for code, entry in entries.items():
                if entry.score is not None:
                    assert 0 <= entry.score <= self.leaf(self.unit_by_id[uid], code).max_points

        # 1. the exact tie
        year, a, b, higher, leaf_code, before, after, code, pct_before, pct_after = self.cases["tie"]
        ra, rb = self.result(year, self.unit_by_id[a]), self.result(year, self.unit_by_id[b])
        assert ra.total == rb.total and ra.max_points == rb.max_points, (ra.total, rb.total)
        assert ra.tiebreak != rb.tiebreak and not ra.na_leaves and not rb.na_leaves
        assert self.band(ra) == self.band(rb) and self.band(ra)[0] == self.band(ra)[1]
        same = [u.unit_id for u in self.units_of("department") if self.result(year, u).total == ra.total]
        assert sorted(same) == sorted([a, b]), same
        lines.append(
            f"1. exact tie {year}: {a} and {b} total {ra.total} = {float(ra.total):.3f} "
            f"(index {float(ra.index):.3f}); tiebreak leaves {a} {fmt_number(ra.tiebreak)} vs "
            f"{b} {fmt_number(rb.tiebreak)}; made by {higher} {leaf_code} appraised "
            f"{fmt_number(before)} -> {fmt_number(after)} and {a} survey {code} "
            f"{fmt_number(pct_before)} -> {fmt_number(pct_after)}%"
        )
        # 2. downgrade, each year
        for year in YEARS:
            found = []
            for unit in self.units:
                res = self.result(year, unit)
                band, final = self.band(res)
                if band != final:
                    weak = res.weak_areas(self.downgrade_pct)
                    detail = ", ".join(f"area {w} {float(res.areas[w][0]):g}/{float(res.areas[w][1]):g}" for w in weak)
                    found.append(f"{unit.unit_id} index {float(res.index):.2f} {band} -> {final} ({detail})")
            engineered = [uid for y, uid, _ in self.cases["downgrade"] if y == year]
            mine = [f for f in found if f.split()[0] in engineered]
            assert engineered and len(mine) == len(engineered), (year, engineered, found)
            others = sorted(f.split()[0] for f in found if f.split()[0] not in engineered)
            lines.append(
                f"2. downgrade {year}: {'; '.join(mine)}" + (f"; also by chance: {', '.join(others)}" if others else "")
            )
        # 3. scaled units
        scaled = []
        for unit in self.units_of("department"):
            na = self.result(YEARS[-1], unit).na_leaves
            if na:
                scaled.append(f"{unit.unit_id} ({', '.join(na)})")
        assert scaled
        unsurveyed = sorted(
            {
                u.parent
                for y in YEARS
                for u in self.units_of("commune")
                if not any((y, u.unit_id, c.code) in self.surveys for c in self.leaves["commune"])
            }
        )
        assert unsurveyed == sorted(NO_COMMUNE_SURVEY), unsurveyed
        lines.append(
            f"3. scaled: departments with not-applicable leaves {YEARS[-1]}: {'; '.join(scaled)}; "
            f"communes of {', '.join(unsurveyed)} have no survey (8.1-8.5 not applicable)"
        )
        # 4. winning appeals that change a total
        for year in YEARS:
            wins = []
            for y, uid, code, _own, appraised, score in self.cases["appeals"]:
                if y != year:
                    continue
                assert score >= appraised
                if score > appraised:
                    unit = self.unit_by_id[uid]
                    with_appeal = self.result(year, unit).total
                    key = (year, uid, code)
                    kept = self.decisions[key]
                    self.decisions[key] = [r for r in kept if r.round != "appeal"]
                    without = self.result(year, unit).total
                    self.decisions[key] = kept
                    assert with_appeal != without
                    wins.append(
                        f"{uid} {code} {fmt_number(appraised)} -> {fmt_number(score)} "
                        f"(total {float(without):.3f} -> {float(with_appeal):.3f})"
                    )
            total = sum(1 for a in self.cases["appeals"] if a[0] == year)
            assert wins, year
            lines.append(f"4. appeals {year}: {total} decided, {len(wins)} won: " + "; ".join(wins))
        year, uid, code, first, latest = self.cases["correction"]
        lines.append(
            f"5. corrected appraisal {year}: {uid} {code} first {fmt_number(first)}, "
            f"corrected (later date, listed first) {fmt_number(latest)}"
        )
        blanks = ", ".join(f"{uid} {code} ({year})" for year, uid, code in sorted(BLANK_SELF))
        lines.append(f"6. blank self score (counts 0, flagged): {blanks}")
        return lines

    def run(self) -> list[str]:
        self.make_quality()
        self.make_self_assessments()
        self.make_surveys()
        self.make_appraisals()
        self.make_downgrades()
        self.make_correction()
        self.make_appeals()
        self.make_tie(YEARS[-1])
        return self.check()

    # ---- writers ------------------------------------------------------------------------------------
    def write(self, out: Path, summary: list[str]) -> list[Path]:
        written = []
        out.mkdir(parents=True, exist_ok=True)
        written.append(write_csv(out / "provinces.csv", list(PROVINCE), [PROVINCE]))
        written.append(
            write_csv(
                out / "units.csv",
                ["unit_id", "unit_name", "unit_group", "parent_unit_id", "province_code"],
                [
                    {
                        "unit_id": u.unit_id,
                        "unit_name": u.name,
                        "unit_group": u.group,
                        "parent_unit_id": u.parent,
                        "province_code": PROVINCE["province_code"],
                    }
                    for u in self.units
                ],
            )
        )
        written += self.write_submissions(out / "submissions")
        written.append(self.write_appraisals(out / "appraisals.csv"))
        written.append(self.write_surveys(out / "survey_results.csv"))
        written.append(self.write_readme(out / "README.md", summary))
        return written

    def write_appraisals(self, path: Path) -> Path:
        rows = [r for rows in self.decisions.values() for r in rows]
        rows.sort(
            key=lambda r: (
                r.year,
                r.round != "appraisal",
                self.unit_order[r.unit_id],
                self.leaf_order[self.unit_by_id[r.unit_id].group][r.code],
                -r.decision_date.toordinal(),
            )
        )
        return write_csv(
            path,
            [
                "year",
                "unit_id",
                "criterion_code",
                "round",
                "score",
                "agency",
                "reason",
                "decision_no",
                "decision_date",
            ],
            [
                {
                    "year": r.year,
                    "unit_id": r.unit_id,
                    "criterion_code": r.code,
                    "round": r.round,
                    "score": fmt_number(r.score),
                    "agency": r.agency,
                    "reason": r.reason,
                    "decision_no": r.decision_no,
                    "decision_date": dmy(r.decision_date),
                }
                for r in rows
            ],
        )

    def write_surveys(self, path: Path) -> Path:
        rows = []
        for year in YEARS:
            for unit in self.units:
                for leaf in self.leaves[unit.group]:
                    survey = self.surveys.get((year, unit.unit_id, leaf.code))
                    if survey:
                        rows.append(
                            {
                                "year": year,
                                "unit_id": unit.unit_id,
                                "criterion_code": leaf.code,
                                "satisfied_pct": fmt_number(survey[0]),
                                "respondents": survey[1],
                            }
                        )
        return write_csv(path, ["year", "unit_id", "criterion_code", "satisfied_pct", "respondents"], rows)

    def write_submissions(self, folder: Path) -> list[Path]:
        written = []
        for year in YEARS:
            target = folder / str(year)
            target.mkdir(parents=True, exist_ok=True)
            for stale in sorted(target.glob("*.xlsx")) + sorted(target.glob("*.csv")):
                stale.unlink()
            for unit in self.units:
                if unit.group != "commune":
                    written.append(self.write_form(target / f"{unit.unit_id}.xlsx", year, unit))
            for district in self.units_of("district"):
                written.append(self.write_commune_csv(target / f"xa_{district.unit_id}.csv", year, district))
        return written

    def write_commune_csv(self, path: Path, year: int, district: Unit) -> Path:
        comma = district.unit_id in COMMA_DISTRICTS
        rows = []
        for unit in self.units_of("commune"):
            if unit.parent != district.unit_id:
                continue
            submitted = self.submitted[(year, unit.unit_id)]
            when = dmy(submitted) if district.unit_id in DMY_DISTRICTS else submitted.isoformat()
            entries = self.selfs[(year, unit.unit_id)]
            for leaf in self.leaves["commune"]:
                entry = entries[leaf.code]
                if entry.na:
                    score = NA_CSV
                elif entry.score is None:
                    score = ""
                else:
                    score = fmt_number(entry.score, comma=comma)
                rows.append(
                    {
                        "unit_id": unit.unit_id,
                        "year": year,
                        "criterion_code": leaf.code,
                        "self_score": score,
                        "evidence_refs": entry.evidence,
                        "explanation": entry.explanation,
                        "submitted_at": when,
                    }
                )
        return write_csv(
            path,
            [
                "unit_id",
                "year",
                "criterion_code",
                "self_score",
                "evidence_refs",
                "explanation",
                "submitted_at",
            ],
            rows,
        )

    def write_form(self, path: Path, year: int, unit: Unit) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = SHEET
        bold, italic = Font(bold=True), Font(italic=True)
        center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        wrap = Alignment(vertical="top", wrap_text=True)

        ws.merge_cells("A1:C1")
        ws["A1"] = "ỦY BAN NHÂN DÂN TỈNH MẪU (DỮ LIỆU TỔNG HỢP)"
        ws.merge_cells("D1:F1")
        ws["D1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
        ws.merge_cells("A2:F2")
        ws["A2"] = f"BÁO CÁO TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}"
        ws.merge_cells("A3:F3")
        ws["A3"] = "(Dữ liệu tổng hợp dùng để thử nghiệm, không phải số liệu thật)"
        for ref in ("A1", "D1", "A2"):
            ws[ref].font, ws[ref].alignment = bold, center
        ws["A3"].font, ws["A3"].alignment = italic, center
        ws.row_dimensions[1].height = 32

        name = unit.name
        variant = NAME_VARIANTS.get((year, unit.unit_id))
        if variant == "nfd":
            name = unicodedata.normalize("NFD", name)
        elif variant == "spaces":
            name = name.replace(" và ", "  và ", 1) + " "
        labels = [
            ("Mã đơn vị:", unit.unit_id),
            ("Tên đơn vị:", name),
            ("Năm đánh giá:", year),
            ("Ngày lập:", dmy(self.submitted[(year, unit.unit_id)])),
        ]
        for offset, (label, value) in enumerate(labels):
            ws.cell(row=5 + offset, column=1, value=label).font = bold
            ws.cell(row=5 + offset, column=2, value=value)

        header_row = 10
        for col, title in enumerate(HEADER, start=1):
            cell = ws.cell(row=header_row, column=col, value=title)
            cell.font, cell.alignment = bold, center
        entries = self.selfs[(year, unit.unit_id)]
        na_text = NA_CSV if unit.unit_id in KAD_IN_FORM else NA_XLSX
        row = header_row
        for node in self.trees[unit.group]:
            row += 1
            ws.cell(row=row, column=1, value=node.code)
            ws.cell(row=row, column=2, value=node.title).alignment = wrap
            if node.max_points is not None:
                ws.cell(row=row, column=3, value=cell_number(node.max_points))
            if not node.method:
                for col in (1, 2, 3):
                    ws.cell(row=row, column=col).font = bold
                continue
            entry = entries[node.code]
            if entry.na:
                score = na_text
            elif entry.score is None:
                score = None
            elif entry.as_text:
                score = fmt_number(entry.score, comma=True)
            else:
                score = cell_number(entry.score)
            ws.cell(row=row, column=4, value=score)
            if entry.evidence:
                ws.cell(row=row, column=5, value=entry.evidence).alignment = wrap
            if entry.explanation:
                ws.cell(row=row, column=6, value=entry.explanation).alignment = wrap

        footer = row + 3
        ws.merge_cells(start_row=footer, start_column=1, end_row=footer, end_column=2)
        ws.merge_cells(start_row=footer, start_column=4, end_row=footer, end_column=6)
        ws.cell(row=footer, column=1, value="Người lập biểu").font = bold
        ws.cell(row=footer, column=4, value="THỦ TRƯỞNG ĐƠN VỊ").font = bold
        ws.cell(row=footer + 1, column=1, value="(Ký, ghi rõ họ tên)").font = italic
        ws.cell(row=footer + 1, column=4, value="(Ký tên, đóng dấu)").font = italic
        for ref in (f"A{footer}", f"D{footer}", f"A{footer + 1}", f"D{footer + 1}"):
            ws[ref].alignment = Alignment(horizontal="center")
        for col, width in zip("ABCDEF", (12, 58, 11, 14, 30, 42), strict=True):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = f"A{header_row + 1}"

        props = wb.properties
        props.creator = props.lastModifiedBy = "scripts/make_sample.py (dữ liệu tổng hợp)"
        props.title = f"Tự đánh giá CCHC năm {year} - {unit.unit_id} (dữ liệu tổng hợp)"
        props.description = "Dữ liệu tổng hợp (synthetic), không phải số liệu thật"
        props.created = props.modified = FIXED_DT
        path.write_bytes(stable_xlsx_bytes(wb))
        return path

    def write_readme(self, path: Path, summary: list[str]) -> Path:
        n = {g: len(self.units_of(g)) for g in ("department", "district", "commune")}
        text = f"""# Sample input data (SYNTHETIC)

Everything in this folder except `frameworks/` is **made-up data** for a fictional province,
**Tỉnh Mẫu (dữ liệu tổng hợp)** (`MAU`, `synthetic = có` in `provinces.csv`). No number here
describes a real unit. It is scored under Hưng Yên's rules (Decision 1708/QĐ-UBND),
whose criteria trees in `frameworks/hung-yen-1708-2021/` carry **illustrative per-leaf points**
(the decision does not include Annexes I-III), so every score below is illustrative too.

The files follow `docs/inputs.md`. They are written by `scripts/make_sample.py`
(`make sample`, or `.venv/bin/python -m scripts.make_sample`), deterministically (fixed random
seed {SEED}, fixed dates; workbooks carry fixed timestamps). Do not edit them by hand:
change the generator and run it again.

## Contents
- {n["department"]} departments (`S01`-`S17`), {n["district"]} districts (`H01`-`H08`),
  {n["commune"]} communes (`X0101`: district 01, commune 01); years {YEARS[0]}-{YEARS[-1]}.
- `submissions/<year>/<unit_id>.xlsx`: self-assessment forms of departments and districts
  (sheet `Tự đánh giá`, title rows, merged cells, some scores typed as text with a decimal comma).
- `submissions/<year>/xa_<district>.csv`: each district's export of its communes'
  self-assessments (some districts write decimal commas, some `dd/mm/yyyy` dates).
- `appraisals.csv`: appraisal cuts (about {int(CUT_PROBABILITY * 100)}% of appraised leaves),
  rejected bonus claims, appraisal-imposed penalties, and appeal decisions (`phúc khảo`).
- `survey_results.csv`: SIPAS satisfied share per unit and survey leaf (8.1-8.5); districts
  {", ".join(NO_COMMUNE_SURVEY)} did not survey their communes (1708/QĐ-UBND Art. 5.3.a).

How it is made: each unit has a latent quality that drifts a little by year; self scores are
optimistic (often the leaf's max); appraisal lowers some leaves in quarter-point steps; a few
units appeal and most appeals win. Survey leaves are left blank in the forms (their points come
from `survey_results.csv`).

## Engineered cases (checked by the generator with exact fractions)
Final score of a leaf = latest of appeal > appraisal > self; survey points = satisfied_pct / 100 x max;
total = appraised + survey + bonus - penalty; index = total / max of applicable leaves x 100.

"""
        text += "\n".join(f"- {line[3:]}" if line[:1].isdigit() else f"- {line}" for line in summary) + "\n"
        text += """
Other edge cases on purpose: not-applicable leaves (`Không áp dụng` / `KAD`), one form whose
unit name is in Unicode NFD, one with doubled and trailing spaces, one form writing `KAD`.
"""
        path.write_text(text, encoding="utf-8")
        return path


# --------------------------------------------------------------------------------------------------
# File helpers
# --------------------------------------------------------------------------------------------------
def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def stable_xlsx_bytes(wb: openpyxl.Workbook) -> bytes:
    """Save a workbook with fixed zip entry times and a fixed modified stamp (openpyxl uses now())."""
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_DT.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_DT.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_RAW, help="folder to write (default data/raw)")
    args = parser.parse_args(argv)
    sample = Sample()
    summary = sample.run()
    written = sample.write(args.out, summary)
    print(f"Synthetic sample (Tỉnh Mẫu, dữ liệu tổng hợp): {len(written)} files written to {args.out}")
    for line in summary:
        print("  " + line)
    # Two more synthetic provinces under Quảng Ninh's and Quảng Trị's rules, in their own files.
    from scripts.make_sample_rulesets import main as make_rulesets_sample

    make_rulesets_sample(["--out", str(args.out)])
    # Two more across the July 2025 reorganisation (merger, districts abolished), in their own files.
    from scripts.make_sample_2025 import main as make_2025_sample

    make_2025_sample(["--out", str(args.out)])


if __name__ == "__main__":
    main()
