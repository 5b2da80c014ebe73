"""Dashboard page: units after the July 2025 reorganisation, each beside its predecessors
(marts.unit_trend; Nghị quyết 202/2025/QH15). Every series is its own row, labelled; a composite
appears only where the user supplied weights, and says it is derived."""

from __future__ import annotations

import polars as pl

from reports.quality import _table
from reports.text import vi_number

ROLE_LABELS = {"own": "Chính đơn vị", "predecessor": "Đơn vị tiền thân", "composite": "Tổng hợp (suy ra)"}


def lineage_section(trend: pl.DataFrame) -> tuple[str, str, str] | None:
    """(anchor, menu label, HTML) for `build_dashboard(extra_sections=...)`, or None when no current
    unit has a predecessor."""
    with_past = trend.filter(pl.col("role") != "own")["unit_id"].unique()
    rows = trend.filter(pl.col("unit_id").is_in(with_past.implode()))
    if rows.is_empty():
        return None
    parts = ['<section class="group" id="sap-xep-don-vi"><h2>Đơn vị sau sắp xếp và đơn vị tiền thân</h2>']
    parts.append(
        '<p class="sub">Từ 01/7/2025, 63 tỉnh thành 34 tỉnh (Nghị quyết 202/2025/QH15), không còn cấp huyện; '
        "nhiều xã và sở được sắp xếp lại. Mỗi đơn vị hiện nay được đặt cạnh số liệu của từng đơn vị tiền thân, "
        "không cộng gộp; chỉ số tổng hợp chỉ có khi người dùng cung cấp trọng số và được ghi rõ là số suy ra.</p>"
    )
    for (unit_id, unit_name), part in rows.group_by(["unit_id", "unit_name"], maintain_order=True):
        parts.append(
            _table(
                f"{unit_name} ({unit_id})",
                ["Năm", "Loại số liệu", "Đơn vị", "Chỉ số", "Ghi chú"],
                [
                    [
                        r["year"],
                        ROLE_LABELS[r["role"]],
                        r["series_unit_name"] or "—",
                        vi_number(r["index_pct"], 2),
                        r["label"] + (f" — thành phần: {r['members']}" if r["members"] else ""),
                    ]
                    for r in part.iter_rows(named=True)
                ],
            )
        )
    parts.append("</section>")
    return "sap-xep-don-vi", "Sắp xếp đơn vị 2025", "\n".join(parts)
