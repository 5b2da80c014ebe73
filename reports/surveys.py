"""Dashboard sections for the surveys: SIPAS with its intervals, PAPI against the national field.

Pure functions from the survey marts (docs/marts.md "Surveys") to HTML fragments, in the
leadership dashboard's page style (reports/dashboard.py: `section.group`, `.chart`, `.note`,
`table.band-table`). Figures are embedded with ``include_plotlyjs=False``: the page that holds
them inlines plotly.js once. Text shown is Vietnamese; untrusted text is escaped for HTML and
entity-escaped for plotly, as in reports/dashboard.py. The same inputs give the same bytes.

Use::

    sections = survey_sections(sipas_index, papi_index, sample_plan, province="Tỉnh Mẫu (dữ liệu tổng hợp)")
    for s in sections:  # SurveySection(anchor, nav_label, html)
        ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import polars as pl

from reports.text import esc, plotly_text, slug, vi_number

__all__ = ["PAPI_SYNTHETIC_NOTE", "SurveySection", "survey_sections"]

PLOTLY_FONT = "Segoe UI, Noto Sans, Arial, Liberation Sans, DejaVu Sans, sans-serif"
PAPI_SYNTHETIC_NOTE = "Số liệu PAPI trong bảng là dữ liệu tổng hợp, không phải kết quả do UNDP công bố."
COMPONENT_LABELS = {
    "overall": "Chung",
    "access": "Tiếp cận dịch vụ",
    "procedures": "Thủ tục hành chính",
    "civil_servants": "Công chức",
    "results": "Kết quả",
    "feedback": "Phản ánh, kiến nghị",
}
GROUP_LABELS = {
    "department": "Sở, ban, ngành",
    "district": "UBND cấp huyện",
    "commune": "UBND cấp xã",
    "central_agency": "Cơ quan Trung ương đóng trên địa bàn",
    "public_service_unit": "Đơn vị sự nghiệp công lập",
}
FLAG_LABELS = {"few_respondents": "ít người trả lời", "no_answers": "không có câu trả lời hợp lệ"}
TIER_COLOURS = {1: "#1a7f37", 2: "#6cbf5a", 3: "#e3b341", 4: "#cf222e"}
_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


@dataclass(frozen=True)
class SurveySection:
    anchor: str  # id of the <section>, for the page's navigation
    nav_label: str
    html: str


def _layout(title: str, height: int) -> dict[str, Any]:
    return {
        "title": {"text": plotly_text(title), "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": PLOTLY_FONT, "size": 12, "color": "#1f2328"},
        "separators": ",.",
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 10, "r": 30, "t": 70, "b": 50},
    }


def _figure(fig: go.Figure, div_id: str) -> str:
    config = {**_CONFIG, "toImageButtonOptions": {"filename": div_id}}
    body = fig.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=div_id, config=config)
    return f'<div class="chart">{body}</div>'


def _fmt(value: float | None, digits: int = 1, *, sign: bool = False) -> str:
    return vi_number(value, digits, sign=sign)


# ----------------------------------------------------------------------------------------- SIPAS


def _sipas_units_figure(rows: pl.DataFrame, year: int, title: str) -> go.Figure:
    """Overall SIPAS per unit in a year: the share with its 95% interval; few respondents hollow."""
    rows = rows.sort(["pct", "unit_id"], descending=[False, False], nulls_last=False)
    labels = [plotly_text(n or u) for n, u in zip(rows["unit_name"], rows["unit_id"], strict=True)]
    flagged = rows["flag"].is_not_null().to_list()
    fig = go.Figure(
        go.Scatter(
            x=rows["pct"].to_list(),
            y=labels,
            mode="markers",
            marker={
                "size": 10,
                "color": ["#ffffff" if f else "#0b3d91" for f in flagged],
                "line": {"color": "#0b3d91", "width": 2},
                "symbol": ["circle-open" if f else "circle" for f in flagged],
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (rows["ci_high"] - rows["pct"]).to_list(),
                "arrayminus": (rows["pct"] - rows["ci_low"]).to_list(),
                "color": "#57606a",
                "thickness": 1.5,
            },
            customdata=list(
                zip(
                    [_fmt(v) for v in rows["ci_low"]],
                    [_fmt(v) for v in rows["ci_high"]],
                    rows["n_respondents"].to_list(),
                    [FLAG_LABELS.get(f, "") if f else "" for f in rows["flag"]],
                    strict=True,
                )
            ),
            hovertemplate="%{y}<br>Hài lòng: %{x:.1f}% (khoảng tin cậy 95%: %{customdata[0]}–%{customdata[1]}%)"
            "<br>Số người trả lời: %{customdata[2]} %{customdata[3]}<extra></extra>",
            name=str(year),
        )
    )
    fig.update_layout(
        **_layout(title, 120 + 24 * rows.height),
        xaxis={"title": {"text": "Tỷ lệ hài lòng (%)"}, "range": [max(0, (rows["ci_low"].min() or 0) - 5), 100]},
        yaxis={"automargin": True},
        showlegend=False,
    )
    return fig


def _sipas_components_figure(rows: pl.DataFrame, title: str) -> go.Figure:
    """Province-level components by year, each with its interval."""
    fig = go.Figure()
    years = sorted(rows["year"].unique().to_list())
    order = rows.select("component", "component_order").unique().sort("component_order")["component"].to_list()
    for year in years:
        part = rows.filter(pl.col("year") == year).sort("component_order")
        fig.add_bar(
            x=[plotly_text(COMPONENT_LABELS.get(c, c)) for c in part["component"]],
            y=part["pct"].to_list(),
            name=str(year),
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (part["ci_high"] - part["pct"]).to_list(),
                "arrayminus": (part["pct"] - part["ci_low"]).to_list(),
            },
            hovertemplate="%{x}, năm " + str(year) + ": %{y:.1f}%<extra></extra>",
        )
    low = rows["ci_low"].min() or 0
    fig.update_layout(
        **_layout(title, 420),
        barmode="group",
        yaxis={"title": {"text": "Tỷ lệ hài lòng (%)"}, "range": [max(0, low - 5), 100]},
        xaxis={"categoryorder": "array", "categoryarray": [plotly_text(COMPONENT_LABELS.get(c, c)) for c in order]},
        legend={"title": {"text": "Năm"}},
    )
    return fig


def _sipas_section(
    sipas: pl.DataFrame, plan: pl.DataFrame | None, province: str | None, key: str
) -> SurveySection | None:
    if sipas.is_empty():
        return None
    data = sipas.filter(pl.col("province") == province) if province else sipas
    if data.is_empty():
        return None
    years = sorted(data["year"].unique().to_list())
    latest = years[-1]
    parts = [
        f'<section class="group" id="sipas{key}">',
        "<h2>Chỉ số hài lòng của người dân, tổ chức (SIPAS)</h2>",
        f'<p class="sub">Tỷ lệ phương án trả lời từ "hài lòng" trở lên trên tổng số phương án trả lời; mỗi giá trị có '
        f"khoảng tin cậy 95%. Năm gần nhất: {latest}.</p>",
    ]
    province_rows = data.filter(pl.col("level") == "province")
    if not province_rows.is_empty():
        fig = _sipas_components_figure(province_rows, "Toàn tỉnh: chỉ số thành phần theo năm")
        parts += ["<h3>Toàn tỉnh theo chỉ số thành phần</h3>", _figure(fig, f"chart-sipas{key}-province")]
    units = data.filter((pl.col("level") == "unit") & (pl.col("component") == "overall") & (pl.col("year") == latest))
    for group in [g for g in GROUP_LABELS if g in set(units["unit_group"].to_list())]:
        rows = units.filter(pl.col("unit_group") == group)
        label = GROUP_LABELS[group]
        fig = _sipas_units_figure(rows, latest, f"{label}: chỉ số hài lòng chung năm {latest}")
        parts += [f"<h3>{esc(label)}</h3>", _figure(fig, f"chart-sipas{key}-{slug(group)}-{latest}")]
    flagged = units.filter(pl.col("flag").is_not_null())
    note = "Đường ngang: khoảng tin cậy 95%. Điểm rỗng: ít người trả lời, kết quả kém tin cậy (không bị ẩn)."
    if not flagged.is_empty():
        names = ", ".join(
            f"{n or u} ({k} người)" for n, u, k in flagged.select("unit_name", "unit_id", "n_respondents").rows()
        )
        note += f" Năm {latest}: {names}."
    parts.append(f'<p class="note">{esc(note)}</p>')
    if plan is not None and not plan.is_empty():
        short = plan.filter((pl.col("year") == latest) & pl.col("warning").is_not_null()).sort("unit_id")
        parts.append(f"<h3>Cỡ mẫu cần cho năm {latest + 1}</h3>")
        if short.is_empty():
            parts.append(f'<p class="note">Năm {latest} mọi đơn vị đều đủ cỡ mẫu.</p>')
        else:
            body = "".join(
                f'<tr><th scope="row">{esc(r["unit_name"] or r["unit_id"])}</th><td>{r["dossiers"] or "—"}</td>'
                f"<td>{r['n_respondents']}</td><td>{r['n_required'] if r['n_required'] is not None else '—'}</td>"
                f"<td>{esc(r['warning'])}</td></tr>"
                for r in short.iter_rows(named=True)
            )
            parts.append(
                '<table class="band-table"><caption>Đơn vị khảo sát chưa đủ cỡ mẫu (n = N / (1 + N·e²), e = 5%)'
                "</caption><thead><tr><th>Đơn vị</th><th>Số hồ sơ (N)</th><th>Đã khảo sát</th>"
                f"<th>Cần</th><th>Ghi chú</th></tr></thead><tbody>{body}</tbody></table>"
            )
    parts.append("</section>")
    return SurveySection(f"sipas{key}", "SIPAS", "\n".join(parts))


# ------------------------------------------------------------------------------------------ PAPI


def _papi_field_figure(rows: pl.DataFrame, province: str, year: int, title: str) -> go.Figure:
    """Every province's score per dimension (grey), the province highlighted, the top-N cut-off."""
    dims = rows.filter(pl.col("dimension") != "total").sort("dimension_no")
    order = dims.select("dimension", "dimension_no", "dimension_name").unique().sort("dimension_no")
    labels = {d: plotly_text(f"{n}. {name}") for d, n, name in order.rows()}
    field = dims.filter(pl.col("score").is_not_null())
    fig = go.Figure()
    fig.add_trace(
        go.Box(
            y=[labels[d] for d in field["dimension"]],
            x=field["score"].to_list(),
            orientation="h",
            name="Các tỉnh",
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker={"color": "#8c959f", "size": 4},
            line={"color": "#8c959f"},
            fillcolor="rgba(140,149,159,0.15)",
            hoverinfo="x",
        )
    )
    own = dims.filter(pl.col("province") == province)
    fig.add_trace(
        go.Scatter(
            y=[labels[d] for d in own["dimension"]],
            x=own["score"].to_list(),
            mode="markers",
            name=plotly_text(province),
            marker={"symbol": "diamond", "size": 13, "color": [TIER_COLOURS.get(t, "#0b3d91") for t in own["tier"]]},
            customdata=list(zip(own["rank"].to_list(), own["n_provinces"].to_list(), strict=True)),
            hovertemplate="%{y}: %{x:.2f} điểm, hạng %{customdata[0]}/%{customdata[1]}<extra></extra>",
        )
    )
    fig.update_layout(
        **_layout(title, 160 + 46 * order.height),
        xaxis={"title": {"text": "Điểm (tối đa 10)"}},
        yaxis={"automargin": True, "categoryorder": "array", "categoryarray": list(reversed(labels.values()))},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def _papi_total_figure(totals: pl.DataFrame, province: str, title: str) -> go.Figure:
    own = totals.filter(pl.col("province") == province).sort("year")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=own["year"].to_list(),
            y=own["rank"].to_list(),
            mode="lines+markers+text",
            text=[f"{r}" if r is not None else "" for r in own["rank"]],
            textposition="top center",
            name=plotly_text(province),
            customdata=list(zip([_fmt(s, 2) for s in own["score"]], own["max_score"].to_list(), strict=True)),
            hovertemplate="Năm %{x}: hạng %{y}, %{customdata[0]}/%{customdata[1]} điểm<extra></extra>",
        )
    )
    top_n = int(totals["top_n"].drop_nulls()[0]) if totals["top_n"].drop_nulls().len() else 30
    fig.add_hline(y=top_n + 0.5, line_dash="dash", line_color="#cf222e", annotation_text=f"Nhóm {top_n} tỉnh đứng đầu")
    fig.update_layout(
        **_layout(title, 360),
        yaxis={"title": {"text": "Thứ hạng (1 = cao nhất)"}, "autorange": "reversed"},
        xaxis={"title": {"text": "Năm"}, "tickmode": "array", "tickvals": own["year"].to_list()},
        showlegend=False,
    )
    return fig


def _papi_section(papi: pl.DataFrame, province: str | None, key: str) -> SurveySection | None:
    if papi.is_empty():
        return None
    provinces = papi.filter(pl.col("dimension") == "total")["province"].unique().to_list()
    if province is None or province not in provinces:
        return None
    years = sorted(papi.filter(pl.col("province") == province)["year"].unique().to_list())
    latest = years[-1]
    year_rows = papi.filter(pl.col("year") == latest)
    total = year_rows.filter((pl.col("dimension") == "total") & (pl.col("province") == province)).row(0, named=True)
    parts = [
        f'<section class="group" id="papi{key}">',
        "<h2>Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)</h2>",
        f'<p class="sub">{esc(province)} so với các tỉnh, thành phố được chấm điểm năm {latest}.</p>',
    ]
    if bool(papi["synthetic"].fill_null(False).any()):
        parts.append(f'<p class="note"><b>{esc(PAPI_SYNTHETIC_NOTE)}</b></p>')
    sources = papi["source"].drop_nulls().unique().sort().to_list() if "source" in papi.columns else []
    if sources:
        parts.append(f'<p class="note">Nguồn số liệu: {esc("; ".join(sources))}.</p>')
    gap = total["gap_to_top_n"]
    status = (
        f"trong nhóm {total['top_n']} tỉnh đứng đầu"
        if total["in_top_n"]
        else f"cần thêm {_fmt(gap, 2)} điểm để vào nhóm {total['top_n']} tỉnh đứng đầu"
    )
    parts.append(
        f'<p class="note">Năm {latest}: {_fmt(total["score"], 2)}/{_fmt(total["max_score"], 0)} điểm, '
        f"hạng {total['rank'] if total['rank'] is not None else '—'}/{total['n_provinces']}, "
        f"thay đổi so với năm trước: {_fmt(total['delta_prev_year'], 2, sign=True)}; {esc(status)} "
        "(mục tiêu của Kế hoạch 2639/QĐ-UBND tỉnh Vĩnh Long, 2639/QĐ-UBND).</p>"
    )
    fig = _papi_field_figure(year_rows, province, latest, f"Điểm theo nội dung năm {latest}: {province} và các tỉnh")
    parts += ["<h3>Theo nội dung, so với các tỉnh</h3>", _figure(fig, f"chart-papi{key}-field-{latest}")]
    parts.append(
        '<p class="note">Hộp xám: phân bố điểm của các tỉnh; hình thoi: tỉnh, màu theo nhóm tứ phân vị '
        "(xanh đậm: nhóm cao nhất … đỏ: nhóm thấp nhất). Ô trống trong bảng công bố được để trống, không tính là 0.</p>"
    )
    totals = papi.filter(pl.col("dimension") == "total")
    fig = _papi_total_figure(totals, province, f"Thứ hạng tổng điểm PAPI của {province}")
    parts += ["<h3>Thứ hạng qua các năm</h3>", _figure(fig, f"chart-papi{key}-rank")]
    parts.append(
        '<p class="note">Đến năm 2017 tổng điểm gồm 6 nội dung (tối đa 60), từ năm 2018 gồm 8 nội dung (tối đa 80); '
        "thay đổi giữa hai giai đoạn không được tính.</p>"
    )
    parts.append("</section>")
    return SurveySection(f"papi{key}", "PAPI", "\n".join(parts))


def survey_sections(
    sipas_index: pl.DataFrame,
    papi_index: pl.DataFrame,
    sample_plan: pl.DataFrame | None = None,
    *,
    province: str | None = None,
) -> list[SurveySection]:
    """The SIPAS and PAPI sections of the dashboard, for one province (its name as in the marts).

    `sipas_index`: marts.sipas_index; `papi_index`: marts.papi_index; `sample_plan`:
    marts.survey_sample_plan (optional). Without `province`, SIPAS shows every row and PAPI is
    left out (it needs a province to set against the national field). Sections without data
    are left out, so the list may be empty. Anchors and figure ids carry the province, so the
    sections of several provinces can share one page.
    """
    key = f"-{slug(province)}" if province else ""
    sections = [_sipas_section(sipas_index, sample_plan, province, key), _papi_section(papi_index, province, key)]
    return [s for s in sections if s is not None]
