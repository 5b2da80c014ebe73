"""The dashboard's data-quality page: what came in, what was set aside and why, which checks held."""

from __future__ import annotations

import polars as pl

from models.sources import SOURCES
from reports.text import esc

SOURCE_LABELS = {s.name: s.label for s in SOURCES}  # from the declarations (models/sources.py)
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
CHECK_KINDS = {
    "_schema": "Lược đồ, kiểu dữ liệu (pandera)",
    "_readable": "Đọc được mọi tệp",
    "_rows_balance": "Cân đối số dòng",
    "_expectations": "Bộ kỳ vọng (Great Expectations)",
}


def check_label(name: str) -> str:
    return next((label for suffix, label in CHECK_KINDS.items() if name.endswith(suffix)), "Kiểm tra quy tắc")


DETAIL_ROWS = 100


def _table(caption: str, header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f'<table class="band-table quality"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def quality_section(
    quarantine: pl.DataFrame, balance: pl.DataFrame, checks: pl.DataFrame, missing: pl.DataFrame
) -> tuple[str, str, str]:
    """(anchor, menu label, HTML) for `build_dashboard(extra_sections=...)`; `missing` is
    marts.missing_submissions (units with no usable self-assessment, absent from the ranking)."""
    parts = ['<section class="group" id="chat-luong-du-lieu"><h2>Chất lượng dữ liệu</h2>']
    parts.append(
        '<p class="sub">Mọi dòng dữ liệu đầu vào đều được tính: dòng vào = dòng đã chuẩn hóa + dòng cách ly '
        "+ dòng tổng của biểu mẫu (bỏ qua). Dòng cách ly không được chấm điểm cho đến khi đơn vị sửa tệp.</p>"
    )
    parts.append(
        _table(
            "Cân đối dòng theo nguồn",
            ["Nguồn", "Dòng vào", "Đã chuẩn hóa", "Cách ly", "Dòng tổng (bỏ qua)", "Tệp không đọc được"],
            [
                [
                    SOURCE_LABELS.get(r["source"], r["source"]),
                    r["rows_in"],
                    r["rows_staged"],
                    r["rows_quarantined"],
                    r["rows_set_aside"],
                    r["files_unreadable"],
                ]
                for r in balance.sort("source").iter_rows(named=True)
            ],
        )
    )
    if missing.height:
        parts.append(
            _table(
                "Đơn vị chưa có bản tự đánh giá dùng được (không có trong bảng xếp hạng)",
                ["Năm", "Mã đơn vị", "Tên đơn vị", "Lý do"],
                [
                    [r["year"], r["unit_id"], r["unit_name"], r["message"]]
                    for r in missing.sort(["year", "province_code", "unit_id"]).iter_rows(named=True)
                ],
            )
        )
    if quarantine.height:
        by_rule = (
            quarantine.group_by(["source", "rule"])
            .agg(pl.len().alias("n"))
            .sort(["source", "n", "rule"], descending=[False, True, False])
        )
        parts.append(
            _table(
                "Dòng bị cách ly theo lý do",
                ["Nguồn", "Lý do", "Số dòng"],
                [
                    [SOURCE_LABELS.get(r["source"], r["source"]), RULE_LABELS.get(r["rule"], r["rule"]), r["n"]]
                    for r in by_rule.iter_rows(named=True)
                ],
            )
        )
        shown = quarantine.sort(["source_file", "row_number", "rule", "column_name"], nulls_last=True).head(DETAIL_ROWS)
        parts.append(
            _table(
                f"Chi tiết ({shown.height} / {quarantine.height} dòng đầu tiên)",
                ["Tệp", "Trang", "Dòng", "Cột", "Giá trị", "Lý do"],
                [
                    [r["source_file"], r["sheet"], r["row_number"], r["column_name"], r["value"], r["message"]]
                    for r in shown.iter_rows(named=True)
                ],
            )
        )
    else:
        parts.append('<p class="note">Không có dòng nào bị cách ly.</p>')
    parts.append(
        _table(
            "Kiểm tra dữ liệu (pandera, Great Expectations)",
            ["Kiểm tra", "Bảng", "Mức", "Kết quả", "Số lỗi"],
            [
                [
                    check_label(r["check_name"]),
                    r["asset"],
                    "Lỗi" if r["severity"] == "ERROR" else "Cảnh báo",
                    "Đạt" if r["passed"] else "Không đạt",
                    r["failing"],
                ]
                for r in checks.sort("check_name").iter_rows(named=True)
            ],
        )
    )
    parts.append("</section>")
    return "chat-luong-du-lieu", "Chất lượng dữ liệu", "\n".join(parts)
