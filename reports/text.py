"""Text every page shares: NFC, escaping, slugs, Vietnamese numbers and dates, and the one copy of
the Vietnamese labels (unit groups, sources, rules, rounds of a score), the decisions each page cites,
and the plotly settings (Vietnamese toolbar, nothing uploaded or linked).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from models.sources import SOURCES


def nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def esc(value: Any) -> str:
    """Escape a value from the inputs for our own HTML (text and attribute context)."""
    return html.escape(nfc(value), quote=True)


def plotly_text(value: Any) -> str:
    """Sanitise text passed to plotly: entity-escape ``& < >`` so plotly shows it as text.

    plotly.js turns ``&lt;`` back into a literal ``<`` inside an SVG text node, so a name
    like ``<script>`` is displayed verbatim and never parsed as a tag.
    """
    return html.escape(nfc(value), quote=False)


def vi_number(value: float | None, digits: int, *, sign: bool = False) -> str:
    """Vietnamese number format: decimal comma, dot for thousands."""
    if value is None:
        return "—"
    text = f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vi_date(value: Any) -> str:
    """`2021-07-14` (text, date or datetime) → `14/07/2021`; None → `—`."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    parts = str(value)[:10].split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else nfc(value)


def slug(value: Any) -> str:
    text = unicodedata.normalize("NFKD", nfc(value)).replace("đ", "d").replace("Đ", "D")
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


# ----------------------------------------------------------------------------------------- labels

SYNTHETIC_BANNER = "DỮ LIỆU MẪU TỔNG HỢP — không phải số liệu thật"

# Units are ranked within their group (1708/QĐ-UBND Art. 5.5); Quảng Ninh also ranks the last two
# (QĐ Quảng Ninh 2022 §I.3).
GROUP_LABELS: dict[str, str] = {
    "department": "Sở, ban, ngành",
    "district": "UBND cấp huyện",
    "commune": "UBND cấp xã",
    "central_agency": "Cơ quan Trung ương đóng trên địa bàn",
    "public_service_unit": "Đơn vị sự nghiệp công lập",
}


def group_label(group: str) -> str:
    return GROUP_LABELS.get(group, nfc(group))


def group_order(groups: Any) -> list[str]:
    present = set(groups)
    known = [g for g in GROUP_LABELS if g in present]
    return known + sorted(present - set(known))


# How each leaf's final score was decided (marts.score_lineage.final_source).
FINAL_SOURCE_LABELS = {
    "self": "tự chấm",
    "appraisal": "thẩm định",
    "appeal": "phúc khảo",
    "reclassification": "xếp loại lại",
    "survey": "điều tra xã hội học",
    "missing": "bỏ trống, tính 0",
    "not_applicable": "không áp dụng",
    "not_surveyed": "không khảo sát",
    "facts": "tính từ số liệu",
}

# Input sources (their labels are declared with them, models/sources.py) and quarantine rules.
SOURCE_LABELS = {s.name: s.label for s in SOURCES}
RULE_LABELS = {
    # The way in (models/ingest): a file's header, encoding, links; a workbook's hidden values.
    "missing_column": "Thiếu cột bắt buộc",
    "duplicate_column": "Cột ghi hai lần",
    "reserved_column": "Cột trùng tên cột hệ thống",
    "bad_encoding": "Tệp không ở mã UTF-8",
    "outside_raw_folder": "Liên kết ra ngoài thư mục dữ liệu",
    "unreadable_sheet": "Trang tính bị hỏng",
    "formula_without_value": "Công thức chưa có giá trị",
    "merged_cells": "Ô điểm bị gộp",
    "ambiguous_number": "Số không rõ dấu thập phân hay hàng nghìn",
    "year_mismatch": "Năm đánh giá khác thư mục năm",
    "bad_year_folder": "Thư mục không phải năm",
    "unit_name_mismatch": "Tên đơn vị không khớp mã",
    "conflicting_decisions": "Hai quyết định mâu thuẫn",
    "above_max": "Điểm vượt điểm tối đa",
    "negative_score": "Điểm âm",
    "not_a_number": "Không phải số",
    "not_a_date": "Không phải ngày",
    "required": "Thiếu giá trị bắt buộc",
    "bad_year": "Năm không hợp lệ",
    "unknown_unit": "Đơn vị không có trong danh mục",
    "unknown_criterion": "Tiêu chí không có trong bộ chỉ số",
    "no_framework": "Không có bộ chỉ số có hiệu lực",
    "superseded": "Bản gửi cũ (đã có bản sau)",
    "survey_self_scored": "Tự chấm tiêu chí điều tra xã hội học",
    "not_appraised_leaf": "Tiêu chí không được thẩm định",
    "not_survey_leaf": "Tiêu chí không chấm qua điều tra",
    "unknown_round": "Vòng không hợp lệ",
    "pct_out_of_range": "Tỷ lệ ngoài 0-100",
    "duplicate_unit": "Trùng mã đơn vị",
    "unknown_group": "Nhóm đơn vị không hợp lệ",
    "unknown_parent": "Sai đơn vị cấp trên",
    # The register through time (models/units/register.py).
    "bad_validity": "Ngày hết hiệu lực trước ngày bắt đầu",
    "unknown_relation": "Quan hệ thay đổi đơn vị không hợp lệ",
    "unknown_successor": "Đơn vị kế thừa không có trong danh mục",
    "duplicate_change": "Thay đổi đơn vị ghi hai lần",
    "level_mismatch": "Tỉnh và đơn vị không thể kế thừa nhau",
    "overlapping_validity": "Hiệu lực của đơn vị cũ và đơn vị kế thừa chồng lấn",
    "lineage_cycle": "Chuỗi kế thừa quay vòng",
    "not_positive": "Trọng số phải lớn hơn 0",
    "unit_not_in_force": "Đơn vị không còn (hoặc chưa) tồn tại trong năm đánh giá",
    "unknown_province": "Mã tỉnh không có",
    "duplicate_province": "Trùng mã tỉnh",
    "unknown_family": "Bộ quy tắc không có",
    "not_a_spreadsheet": "Tệp không phải bảng tính",
    "wrong_sheet": "Sai tên trang tính",
    "no_header": "Không thấy dòng tiêu đề",
    "unreadable_file": "Không đọc được tệp",
    "unsupported_file": "Loại tệp không được nhận",
    "ambiguous_unit_name": "Tên đơn vị trùng, không xác định được đơn vị",
    "extra_columns": "Dòng có nhiều ô hơn tiêu đề",
    "bad_count": "Số lượng không hợp lệ",
    "bad_weight": "Trọng số không hợp lệ",
    "duplicate_respondent": "Trùng mã phiếu",
    "off_scale": "Câu trả lời ngoài thang đo",
    "no_valid_answers": "Không có câu trả lời hợp lệ",
    "leaf_not_in_framework": "Tiêu chí không có trong bộ chỉ số",
    "respondents_disagree": "Khác kết quả tính từ phiếu khảo sát",
    "superseded_by_respondents": "Thay bằng kết quả tính từ phiếu khảo sát",
    "out_of_range": "Giá trị ngoài khoảng cho phép",
    "negative_value": "Giá trị âm",
    "bad_plan": "Kế hoạch không hợp lệ",
    "no_plan": "Không có kế hoạch",
    "unknown_plan": "Kế hoạch không có",
    "duplicate_target": "Trùng mã chỉ tiêu",
    "unknown_target": "Chỉ tiêu không có trong danh mục",
    "unknown_variant": "Phương án chỉ tiêu không có",
    "duplicate_choice": "Chọn phương án chỉ tiêu hai lần",
    "unknown_comparator": "Cách so sánh không có",
    "bad_frequency": "Kỳ báo cáo không hợp lệ",
    "unknown_indicator": "Chỉ số theo dõi không có",
    "unknown_period": "Kỳ số liệu không hợp lệ",
    "period_not_cumulative": "Kỳ số liệu không lũy kế từ đầu năm",
    "bad_done": "Giá trị hoàn thành không hợp lệ",
    "reclassification_not_allowed": "Quy định không cho hủy kết quả, xếp loại lại",
    "band_with_criterion": "Dòng sửa điểm có ghi xếp loại",
    "nothing_to_reclassify": "Không có nội dung xếp loại lại",
    "unknown_band": "Xếp loại không thuộc quy định",
    "missing_subdimension": "Thiếu chỉ số thành phần PAPI của năm",
    "unknown_column": "Cột không có trong bảng ánh xạ",
    "bad_interval": "Khoảng tin cậy không hợp lệ",
    "duplicate": "Dòng trùng (đã có dòng trước)",
    "inconsistent_counts": "Số liệu mâu thuẫn nhau",
    "no_fact_rule": "Bộ chỉ số không tính điểm từ số liệu này",
}
# Tables the checks guard, as an analyst reads them on the data-quality page (asset names stay internal).
MART_LABELS = {
    "par_index": "Chỉ số CCHC",
    "par_component_index": "Chỉ số thành phần",
    "score_lineage": "Điểm từng tiêu chí qua các vòng",
    "band_gap": "Khoảng cách lên bậc",
    "agency_appraisal": "Kết quả thẩm định theo cơ quan",
    "par_index_history": "Lịch sử kết quả, xếp loại lại",
    "plan_tracking": "Theo dõi kế hoạch",
    "sipas_index": "SIPAS",
    "civil_servant_index": "Khảo sát công chức",
    "papi_index": "PAPI",
    "survey_sample_plan": "Cỡ mẫu khảo sát",
    "evidence_flags": "Tài liệu kiểm chứng cần xem lại",
    "rank_uncertainty": "Độ chắc chắn của thứ hạng",
    "missing_submissions": "Đơn vị không có tự đánh giá",
}
# Other checked tables (staging, not an input source of their own).
TABLE_LABELS = {
    "criteria": "Bộ tiêu chí của các bộ chỉ số",
    "rulesets": "Các bộ chỉ số",
    "ruleset_bands": "Thang xếp loại",
    "papi_scores": "Bảng PAPI",
    "rank_uncertainty": "Độ chắc chắn của thứ hạng",
}
CHECK_KINDS = {
    "_schema": "Lược đồ, kiểu dữ liệu",
    "_readable": "Đọc được mọi tệp",
    "_rows_balance": "Cân đối số dòng",
    "_expectations": "Bộ kỳ vọng của bảng công bố",
    "_raw_contract": "Cấu trúc tệp đầu vào",
    "_unique": "Không trùng khóa",
    "_within_max": "Điểm trong giới hạn",
    "_interval": "Khoảng tin cậy hợp lệ",
    "_bounds": "Giá trị trong giới hạn",
}
# Which version of a target the plan report uses when the decision states two (marts.plan_tracking.variant_basis).
VARIANT_BASIS_LABELS = {
    "choice": "do tỉnh chọn",
    "plan_default": "mức mặc định của kế hoạch",
    "first_listed": "tỉnh chưa chọn: dùng mức ghi đầu tiên",
}


def table_label(asset: str) -> str:
    """`raw.submissions_files` / `staging.appraisals` / `marts.par_index` → what the table holds, in Vietnamese."""
    name = nfc(asset).split(".")[-1]
    for prefix in ("stg_", "raw_", "marts_", "staging_"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    files = name.endswith("_files")
    name = name.removesuffix("_files")
    label = MART_LABELS.get(name) or SOURCE_LABELS.get(name) or TABLE_LABELS.get(name) or name.replace("_", " ")
    return f"{label} (danh sách tệp)" if files else label


def rule_words(message: Any) -> str:
    """A quarantine message with its rule id said in words: `(quy tắc above_max)` → `(Điểm vượt điểm tối đa)`."""
    return re.sub(r"\(quy tắc ([a-z_]+)\)", lambda m: f"({RULE_LABELS.get(m[1], m[1])})", nfc(message))


def check_label(name: str) -> str:
    return next((label for suffix, label in CHECK_KINDS.items() if name.endswith(suffix)), "Kiểm tra quy tắc")


# --------------------------------------------------------------------------------- rank and band moves


def rank_change(prev_rank: int | None, rank: int | None) -> tuple[str, str]:
    """(text, css class): `▲ 2` up two places, `▼ 1`, `=`, `mới` when there is no rank last year."""
    if rank is None:
        return "—", "flat"
    if prev_rank is None:
        return "mới", "new"
    move = prev_rank - rank
    if move > 0:
        return f"▲ {move}", "up"
    if move < 0:
        return f"▼ {-move}", "down"
    return "=", "flat"


def band_move(prev_band: str | None, band: str, order: list[str]) -> tuple[str, str]:
    """(text, css class) of a band change, with `order` best first: `↑ Khá → Tốt`, `↓ Tốt → Khá`, `=`."""
    if prev_band is None:
        return "—", "new"
    if prev_band == band:
        return "=", "flat"
    if prev_band in order and band in order:
        up = order.index(band) < order.index(prev_band)
        return f"{'↑' if up else '↓'} {prev_band} → {band}", "up" if up else "down"
    return f"{prev_band} → {band}", "flat"


# ------------------------------------------------------------------------------------------- citations


@dataclass(frozen=True)
class Decision:
    """A decision as a page cites it: number and date (or a name when the text prints no number),
    who issued it, and the article of each rule the pages explain."""

    number: str | None
    date: str | None
    issuer: str
    articles: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None  # for a decision whose number the source text does not print

    def short(self) -> str:
        """`Quyết định 1708/QĐ-UBND ngày 14/07/2021` (the decision that scores the page's province)."""
        if self.number:
            head = f"Quyết định {self.number}"
        else:
            head = self.name or f"Quyết định của {self.issuer}"
        return f"{head} ngày {vi_date(self.date)}" if self.date else head

    def full(self) -> str:
        text = self.short()
        return text if self.issuer in text else f"{text} của {self.issuer}"

    def cite(self, topic: str | None = None) -> str:
        """`Quyết định 1708/QĐ-UBND ngày 14/07/2021, Điều 5.5`; without a known article, the decision only."""
        article = self.articles.get(topic) if topic else None
        return f"{self.short()}, {article}" if article else self.short()


# The articles behind each rule a page explains, per ruleset (data/raw/frameworks/<ruleset_id>).
# A ruleset missing here is cited by the number and date from its framework.yaml, without article.
RULESET_DECISIONS: dict[str, Decision] = {
    "hung-yen-1708-2021": Decision(
        "1708/QĐ-UBND",
        "2021-07-14",
        "UBND tỉnh Hưng Yên",
        {
            "index": "Điều 3.3 và Điều 4.3",
            "components": "Điều 4.3.c",
            "bands": "Điều 5.5",
            "downgrade": "Điều 5.5",
            "ranking": "Điều 5.5",
            "survey": "Điều 5.3",
            "appraisal": "Điều 5.2.a và Điều 9",
        },
    ),
    # The text of 2741/QĐ-UBND is not in our sources: its rules are taken as those of 1708/QĐ-UBND.
    "hung-yen-2741-2020": Decision("2741/QĐ-UBND", "2020-11-23", "UBND tỉnh Hưng Yên"),
    "quang-ninh-2022": Decision(
        None,
        None,
        "UBND tỉnh Quảng Ninh",
        {
            "index": "mục II.1.d",
            "components": "mục II.1.a",
            "bands": "mục III.3",
            "ranking": "mục III.3",
            "survey": "mục II.1.b",
            "appraisal": "mục III.1 và mục IV.2",
        },
        name="Quyết định năm 2022 của UBND tỉnh Quảng Ninh về Bộ Chỉ số CCHC "
        "(thay thế Quyết định 4028/QĐ-UBND ngày 15/11/2021)",
    ),
    "quang-tri-1820-2024": Decision(
        "1820/QĐ-UBND",
        "2024-07-24",
        "UBND tỉnh Quảng Trị",
        {
            "index": "Điều 3 và Điều 6.3",
            "components": "Điều 3",
            "bands": "Điều 6.3",
            "ranking": "Điều 6.3",
            "bonus": "Điều 4",
            "reclassification": "Điều 7",
            "appraisal": "Điều 6.2 và Điều 8",
        },
    ),
    "ben-tre-2722-2022": Decision("2722/QĐ-UBND", "2022-11-25", "UBND tỉnh Bến Tre", {"appraisal": "mục II.2-3"}),
}
PLAN_DECISIONS: dict[str, Decision] = {
    "vinh-long-2639-2020": Decision(
        "2639/QĐ-UBND",
        "2020-10-02",
        "UBND tỉnh Vĩnh Long",
        {"reports": "Phần III, mục 1.d", "targets": "Phụ lục 1-3", "papi": "Phần I, mục I.2"},
    ),
}


def ruleset_decision(ruleset_id: str, row: Mapping[str, Any] | None = None) -> Decision:
    """The decision behind a ruleset; `row` (staging.rulesets) gives number and date for one not listed."""
    known = RULESET_DECISIONS.get(ruleset_id)
    if known is not None:
        return known
    row = row or {}
    issuer = f"UBND tỉnh {row['province_rules']}" if row.get("province_rules") else "UBND tỉnh"
    return Decision(row.get("decision_no"), row.get("decision_date"), issuer)


def plan_decision(plan_id: str, row: Mapping[str, Any] | None = None) -> Decision:
    known = PLAN_DECISIONS.get(plan_id)
    if known is not None:
        return known
    row = row or {}
    issuer = f"UBND tỉnh {row['province_rules']}" if row.get("province_rules") else "UBND tỉnh"
    return Decision(row.get("decision_no"), row.get("decision_date"), issuer)


# --------------------------------------------------------------------------------------------- plotly

# Every chart: no plotly logo or link, no upload ("Share chart"), no editing, a two-button toolbar
# (download as PNG, reset axes) in Vietnamese. plotly.js 4 has no `showLink` any more (plotly.py rejects
# it); `showSendToCloud` is off and the explicit button list leaves the cloud button out in any version.
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "showSendToCloud": False,
    "plotlyServerURL": "",
    "editable": False,
    "responsive": False,
    "locale": "vi",
    "modeBarButtons": [["toImage", "resetScale2d"]],
}
PLOTLY_FONT = "Segoe UI, Noto Sans, Arial, Liberation Sans, DejaVu Sans, sans-serif"

# plotly.js strings (its English source text → Vietnamese), registered once by assets/plotly-locale-vi.js.
PLOTLY_LOCALE_VI: dict[str, Any] = {
    "moduleType": "locale",
    "name": "vi",
    "dictionary": {
        "Autoscale": "Tự động co giãn",
        "Box Select": "Chọn vùng",
        "Compare data on hover": "So sánh khi di chuột",
        "Download plot": "Tải biểu đồ xuống",
        "Download plot as a PNG": "Tải biểu đồ xuống (PNG)",
        "Download plot as JSON": "Tải dữ liệu biểu đồ xuống",
        "Image download succeeded": "Đã tải ảnh xuống",
        "Lasso Select": "Chọn tự do",
        "Pan": "Kéo",
        "Preparing image - this may take a few seconds": "Đang chuẩn bị ảnh, xin chờ vài giây",
        "Reset": "Đặt lại",
        "Reset axes": "Đặt lại trục",
        "Reset view": "Đặt lại khung nhìn",
        "Reset views": "Đặt lại khung nhìn",
        "Show closest data on hover": "Hiện số liệu gần nhất khi di chuột",
        "Sorry, there was a problem downloading your image!": "Không tải được ảnh biểu đồ.",
        "Toggle Spike Lines": "Bật/tắt đường dóng",
        "Toggle show closest data on hover": "Bật/tắt hiện số liệu khi di chuột",
        "Zoom": "Phóng to vùng",
        "Zoom in": "Phóng to",
        "Zoom out": "Thu nhỏ",
        "Double-click to zoom back out": "Nhấp đúp để thu nhỏ lại",
        "Click to enter Plot title": "",
        "Click to enter X axis title": "",
        "Click to enter Y axis title": "",
        "Click to enter Colorscale title": "",
        "Click to enter Component A title": "",
        "Click to enter Component B title": "",
        "Click to enter Component C title": "",
        "Click to enter radial axis title": "",
        "Click to enter Colorscale title ": "",
        "trace": "chuỗi",
        "new text": "",
    },
    "format": {
        "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": [f"Tháng {m}" for m in range(1, 13)],
        "shortMonths": [f"Th{m}" for m in range(1, 13)],
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": ".",
    },
}


def plotly_locale_js() -> str:
    """The script that registers the Vietnamese plotly locale (loaded once per page, after plotly.js)."""
    body = json.dumps(PLOTLY_LOCALE_VI, ensure_ascii=False, indent=1, sort_keys=True)
    return f"/* chiso: Vietnamese labels for the plotly.js toolbar */\nPlotly.register({body});\n"
