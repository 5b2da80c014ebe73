"""Leadership dashboard for the PAR Index: one self-contained, offline HTML page.

The page is built from two warehouse marts:

* ``par_index``: one row per unit and year (index, band, rank, downgrade flag).
* ``components``: one row per unit, year and criteria-tree node (component index).

Everything is rendered locally: plotly.js is inlined once in the page head, every
figure is embedded with ``include_plotlyjs=False`` and no resource is fetched at
view time. Text shown on the page is Vietnamese; identifiers and comments are English.

Untrusted text (unit names, provinces, band names, field titles) is escaped with
``html.escape`` wherever it enters our own HTML, and entity-escaped before it goes
into plotly traces so that plotly renders it as text, never as markup.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.colors import make_colorscale, sample_colorscale
from plotly.offline import get_plotlyjs

from reports.text import esc, nfc, plotly_text, slug, vi_number

__all__ = [
    "DEFAULT_BAND_ORDER",
    "DOWNGRADE_NOTE",
    "SYNTHETIC_BANNER",
    "UNIT_GROUP_LABELS",
    "build_dashboard",
    "write_dashboard",
]

# Hưng Yên bands (1708/QĐ-UBND Art. 5.5), best first. Band names are data: the order comes
# from the caller and colours are assigned by position in that order.
DEFAULT_BAND_ORDER: tuple[str, ...] = ("Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu")

UNIT_GROUP_LABELS: dict[str, str] = {
    "department": "Sở, ban, ngành",
    "district": "UBND cấp huyện",
    "commune": "UBND cấp xã",
    # Quảng Ninh also ranks these two groups (QĐ Quảng Ninh 2022 §I.3).
    "central_agency": "Cơ quan Trung ương đóng trên địa bàn",
    "public_service_unit": "Đơn vị sự nghiệp công lập",
}

SYNTHETIC_BANNER = "DỮ LIỆU MẪU TỔNG HỢP — không phải số liệu thật"
DOWNGRADE_NOTE = "Hạ một bậc theo quy định về lĩnh vực dưới ngưỡng"
DOWNGRADE_MARK = "↓"

FONT_FAMILY = '"Segoe UI", "Noto Sans", Arial, "Liberation Sans", "DejaVu Sans", sans-serif'
PLOTLY_FONT = "Segoe UI, Noto Sans, Arial, Liberation Sans, DejaVu Sans, sans-serif"

# Best band -> worst band. Sampled by position when there are not exactly five bands.
_BAND_PALETTE = ["#1a7f37", "#6cbf5a", "#e3b341", "#f0883e", "#cf222e"]
_UNKNOWN_BAND_COLOUR = "#8c959f"
_UP_COLOUR, _DOWN_COLOUR, _FLAT_COLOUR = "#1a7f37", "#cf222e", "#8c959f"

# Component heatmap: red below 70 % (the downgrade threshold), yellow to green above.
_HEAT_ZMIN, _HEAT_ZMAX, _HEAT_SPLIT = 40.0, 100.0, 70.0

_PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}

_PAR_REQUIRED = (
    "year",
    "province",
    "unit_group",
    "unit_id",
    "unit_name",
    "index_pct",
    "band",
    "rank",
)
_COMP_REQUIRED = ("year", "unit_id", "node_code", "node_level", "node_title")

# Short labels for the fields (lĩnh vực) of the criteria trees, matched on the
# lower-cased NFC title; first match wins. Anything else falls back to a truncated title.
_SHORT_FIELD_LABELS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("hài lòng", "sipas"), "Sự hài lòng (SIPAS)"),
    (("tác động",), "Tác động của CCHC"),
    (("điểm thưởng", "điểm trừ", "thưởng", "khấu trừ"), "Điểm thưởng, trừ"),
    (("điều tra", "khảo sát"), "Điều tra xã hội học"),
    (("chỉ đạo", "điều hành"), "Chỉ đạo, điều hành"),
    (("văn bản", "thể chế", "pháp luật"), "Thể chế, văn bản QPPL"),
    (("thủ tục",), "Thủ tục hành chính"),
    (("bộ máy",), "Tổ chức bộ máy"),
    (("công chức", "công vụ", "cán bộ", "viên chức"), "Công vụ, công chức"),
    (("tài chính",), "Tài chính công"),
    (("điện tử", "chính quyền số", "chuyển đổi số"), "Chính quyền điện tử, số"),
    (("hiện đại",), "Hiện đại hóa hành chính"),
)


def _fmt(value: float | None, digits: int = 2, *, sign: bool = False) -> str:
    return vi_number(value, digits, sign=sign)


# --------------------------------------------------------------------------- text helpers


def _years_label(years: Sequence[int]) -> str:
    ys = sorted(set(years))
    if not ys:
        return "—"
    if len(ys) == 1:
        return str(ys[0])
    if ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(str(y) for y in ys)


def _group_label(group: str) -> str:
    return UNIT_GROUP_LABELS.get(group, group)


def _code_key(code: Any) -> tuple:
    parts = []
    for part in nfc(code).split("."):
        parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(parts)


def _short_field_label(code: str, title: str) -> str:
    low = nfc(title).lower()
    short = None
    for keys, label in _SHORT_FIELD_LABELS:
        if any(k in low for k in keys):
            short = label
            break
    if short is None:
        short = " ".join(nfc(title).split()) or "Lĩnh vực"
        if len(short) > 26:
            short = short[:25].rstrip() + "…"
    return f"{code}. {short}"


# --------------------------------------------------------------------------- data helpers


def _to_hex(colour: str) -> str:
    """``rgb(26, 127, 55)`` (as sampled by plotly) -> ``#1a7f37``."""
    if colour.startswith("#"):
        return colour
    r, g, b = (round(float(v)) for v in re.findall(r"[\d.]+", colour)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _band_colours(bands: Sequence[str], band_order: Sequence[str]) -> dict[str, str]:
    ordered = [nfc(b) for b in band_order]
    n = len(ordered)
    if n == len(_BAND_PALETTE):
        colours = list(_BAND_PALETTE)
    elif n == 1:
        colours = [_BAND_PALETTE[0]]
    elif n > 1:
        scale = make_colorscale(_BAND_PALETTE)
        colours = [_to_hex(c) for c in sample_colorscale(scale, [i / (n - 1) for i in range(n)])]
    else:
        colours = []
    mapping = dict(zip(ordered, colours, strict=True))
    for band in bands:
        mapping.setdefault(nfc(band), _UNKNOWN_BAND_COLOUR)
    return mapping


def _full_band_order(data_bands: Iterable[str], band_order: Sequence[str]) -> list[str]:
    """Caller's order first, then any band present in the data but not listed (sorted)."""
    order = [nfc(b) for b in band_order]
    extra = sorted({nfc(b) for b in data_bands if b is not None} - set(order))
    return order + extra


def _check_columns(df: pl.DataFrame, required: Sequence[str], name: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"{name} is missing columns: {', '.join(missing)}")


def _prepare_par(par_index: pl.DataFrame) -> pl.DataFrame:
    _check_columns(par_index, _PAR_REQUIRED, "par_index")
    df = par_index
    defaults: dict[str, pl.Expr] = {
        "province_code": pl.col("province"),
        "parent_unit_id": pl.lit(None, dtype=pl.Utf8),
        "achieved_points": pl.lit(None, dtype=pl.Float64),
        "max_points": pl.lit(None, dtype=pl.Float64),
        "band_before_downgrade": pl.col("band"),
        "downgraded": pl.lit(False),
        "band_reason": pl.lit(None, dtype=pl.Utf8),
    }
    for col, expr in defaults.items():
        if col not in df.columns:
            df = df.with_columns(expr.alias(col))
    return df.with_columns(
        pl.col("year").cast(pl.Int64),
        pl.col("province").cast(pl.Utf8).map_elements(nfc, return_dtype=pl.Utf8),
        pl.col("province_code").cast(pl.Utf8),
        pl.col("unit_group").cast(pl.Utf8),
        pl.col("unit_id").cast(pl.Utf8),
        pl.col("unit_name").cast(pl.Utf8).fill_null("").map_elements(nfc, return_dtype=pl.Utf8),
        pl.col("parent_unit_id").cast(pl.Utf8),
        pl.col("index_pct").cast(pl.Float64),
        pl.col("achieved_points").cast(pl.Float64),
        pl.col("max_points").cast(pl.Float64),
        pl.col("band").cast(pl.Utf8).fill_null("").map_elements(nfc, return_dtype=pl.Utf8),
        pl.col("band_before_downgrade").cast(pl.Utf8),
        pl.col("downgraded").cast(pl.Boolean).fill_null(False),
        pl.col("rank").cast(pl.Int64),
    )


def _prepare_components(components: pl.DataFrame) -> pl.DataFrame:
    _check_columns(components, _COMP_REQUIRED, "components")
    df = components
    for col in ("achieved", "max_points", "pct"):
        if col not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.Float64).alias(col))
    df = df.with_columns(
        pl.col("year").cast(pl.Int64),
        pl.col("unit_id").cast(pl.Utf8),
        pl.col("node_code").cast(pl.Utf8),
        pl.col("node_level").cast(pl.Int64),
        pl.col("node_title").cast(pl.Utf8).fill_null(""),
        pl.col("achieved").cast(pl.Float64),
        pl.col("max_points").cast(pl.Float64),
        pl.col("pct").cast(pl.Float64),
    )
    # A missing pct is recomputed from achieved / max (1708/QĐ-UBND Art. 4.3.c) when possible.
    return df.with_columns(
        pl.when(pl.col("pct").is_null() & (pl.col("max_points") > 0))
        .then(pl.col("achieved") / pl.col("max_points") * 100.0)
        .otherwise(pl.col("pct"))
        .alias("pct")
    )


def _unit_labels(group_df: pl.DataFrame, parent_names: dict[str, str]) -> dict[str, str]:
    """A stable, unique display name per unit of a group (across its years).

    Same names (two communes "Xã Tân Lập") get their parent's name, then the unit id.
    """
    latest = (
        group_df.sort(["unit_id", "year"], descending=[False, True])
        .unique(subset="unit_id", keep="first", maintain_order=True)
        .select("unit_id", "unit_name", "parent_unit_id")
    )
    names = {
        r["unit_id"]: " ".join((r["unit_name"] or "").split()) or r["unit_id"] for r in latest.iter_rows(named=True)
    }
    parents = {r["unit_id"]: r["parent_unit_id"] for r in latest.iter_rows(named=True)}

    def dupes(mapping: dict[str, str]) -> set[str]:
        seen: dict[str, int] = {}
        for v in mapping.values():
            seen[v] = seen.get(v, 0) + 1
        return {v for v, n in seen.items() if n > 1}

    clash = dupes(names)
    if clash:
        for uid, name in list(names.items()):
            parent = parent_names.get(parents.get(uid) or "")
            if name in clash and parent:
                names[uid] = f"{name} ({parent})"
        clash = dupes(names)
        for uid, name in list(names.items()):
            if name in clash:
                names[uid] = f"{name} [{uid}]"
    return names


# --------------------------------------------------------------------------- figures


def _base_layout(title: str, height: int) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": PLOTLY_FONT, "size": 12, "color": "#1f2328"},
        "hoverlabel": {"font": {"family": PLOTLY_FONT}},
        "separators": ",.",
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 10, "r": 30, "t": 70, "b": 50},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }


def _row_height(n: int) -> int:
    return 26 if n <= 30 else (20 if n <= 80 else 16)


def _ranking_figure(
    group_df: pl.DataFrame,
    labels: dict[str, str],
    bands: list[str],
    colours: dict[str, str],
    group_title: str,
) -> go.Figure:
    years = sorted(group_df["year"].unique().to_list())
    latest = years[-1]
    fig = go.Figure()
    visibility: dict[int, list[bool]] = {}
    categories: dict[int, list[str]] = {}
    max_units = 1
    for year in years:
        rows = group_df.filter(pl.col("year") == year).sort(["rank", "index_pct"], descending=[False, True])
        rows = rows.with_columns(
            pl.col("unit_id").replace_strict(labels, default=pl.col("unit_id")).alias("label")
        ).sort(["rank", "label"])
        max_units = max(max_units, rows.height)
        cats: list[str] = []
        per_band: dict[str, list[dict[str, Any]]] = {b: [] for b in bands}
        for r in rows.iter_rows(named=True):
            mark = f" {DOWNGRADE_MARK}" if r["downgraded"] else ""
            cat = plotly_text(f"{r['rank']}. {r['label']}{mark}")
            cats.append(cat)
            hover = [
                f"<b>{plotly_text(r['label'])}</b>",
                f"Năm {year} · Hạng {r['rank']}",
                f"Chỉ số: {_fmt(r['index_pct'])}%",
            ]
            if r["achieved_points"] is not None and r["max_points"] is not None:
                hover.append(f"Điểm đạt: {_fmt(r['achieved_points'])} / {_fmt(r['max_points'])}")
            hover.append(f"Xếp loại: {plotly_text(r['band'])}")
            if r["downgraded"]:
                before = r["band_before_downgrade"]
                extra = f" (trước khi hạ: {plotly_text(before)})" if before else ""
                reason = r.get("band_reason")  # the ruleset's own words, e.g. "Tốt → Khá: lĩnh vực 3 đạt 65,0% < 70%"
                hover.append(f"{DOWNGRADE_MARK} {plotly_text(reason) if reason else DOWNGRADE_NOTE + extra}")
            per_band.setdefault(r["band"], []).append(
                {
                    "x": r["index_pct"],
                    "y": cat,
                    "hover": "<br>".join(hover),
                    "down": bool(r["downgraded"]),
                }
            )
        categories[year] = cats
        flags: list[bool] = []
        for band in bands:
            items = per_band.get(band, [])
            normal = [i for i in items if not i["down"]]
            downgraded = [i for i in items if i["down"]]
            if not normal and cats:
                # Keep every band in the legend: a gap bar (x=None) on an existing row.
                normal = [{"x": None, "y": cats[0], "hover": "", "down": False}]
            # Downgraded units go to a second trace of the same legend group so that the
            # legend swatch is not drawn with their dark outline.
            for subset, outlined in ((normal, False), (downgraded, True)):
                if not subset:
                    continue
                fig.add_trace(
                    go.Bar(
                        orientation="h",
                        name=plotly_text(band),
                        legendgroup=plotly_text(band),
                        showlegend=not outlined,
                        x=[i["x"] for i in subset],
                        y=[i["y"] for i in subset],
                        hovertext=[i["hover"] for i in subset],
                        hovertemplate="%{hovertext}<extra></extra>",
                        text=[i["x"] for i in subset],
                        texttemplate="%{text:.2f}",
                        textposition="outside",
                        cliponaxis=False,
                        marker={
                            "color": colours.get(band, _UNKNOWN_BAND_COLOUR),
                            "line": {"color": "#1f2328", "width": 2 if outlined else 0},
                        },
                        visible=(year == latest),
                    )
                )
                flags.append(True)
        visibility[year] = flags

    n_traces = sum(len(v) for v in visibility.values())

    def title_for(year: int) -> str:
        return f"Xếp hạng Chỉ số CCHC năm {year} — {plotly_text(group_title)}"

    layout = _base_layout(title_for(latest), max(260, 130 + _row_height(max_units) * max_units))
    layout.update(
        barmode="overlay",
        bargap=0.25,
        legend={
            "title": {"text": "Xếp loại"},
            "orientation": "h",
            "y": 1.0,
            "yanchor": "bottom",
            "x": 0.0,
            "traceorder": "normal",
        },
        xaxis={
            "title": {"text": "Chỉ số (%)"},
            "range": [0, 108],
            "dtick": 10,
            "ticksuffix": "",
            "gridcolor": "#eaeef2",
        },
        yaxis={
            "categoryorder": "array",
            "categoryarray": categories[latest],
            "autorange": "reversed",
            "automargin": True,
            "tickfont": {"size": 12 if max_units <= 30 else 10},
        },
    )
    layout["margin"]["t"] = 100
    if len(years) > 1:
        buttons = []
        offset = 0
        for year in years:
            vis = [False] * n_traces
            for i in range(len(visibility[year])):
                vis[offset + i] = True
            offset += len(visibility[year])
            buttons.append(
                {
                    "label": f"Năm {year}",
                    "method": "update",
                    "args": [
                        {"visible": vis},
                        {"yaxis.categoryarray": categories[year], "title.text": title_for(year)},
                    ],
                }
            )
        layout["updatemenus"] = [
            {
                "type": "dropdown",
                "direction": "down",
                "active": years.index(latest),
                "buttons": buttons,
                "x": 1.0,
                "xanchor": "right",
                "y": 1.0,
                "yanchor": "bottom",
                "pad": {"b": 28},
                "showactive": True,
            }
        ]
    fig.update_layout(**layout)
    return fig


def _heatmap_figure(
    rows: pl.DataFrame,
    comps: pl.DataFrame,
    labels: dict[str, str],
    year: int,
    group_title: str,
) -> go.Figure | None:
    fields = comps.filter(pl.col("node_level") == 1)
    if fields.is_empty():
        return None
    titles: dict[str, str] = {}
    for r in fields.sort(["node_code", "node_title"]).iter_rows(named=True):
        titles.setdefault(r["node_code"], nfc(r["node_title"]))
    codes = sorted(titles, key=_code_key)
    unit_order = rows.sort(["rank", "index_pct"], descending=[False, True])["unit_id"].to_list()
    cell = {(r["unit_id"], r["node_code"]): r["pct"] for r in fields.iter_rows(named=True)}
    unit_order = [u for u in unit_order if any((u, c) in cell for c in codes)]
    if not unit_order:
        return None
    rank_of = dict(zip(rows["unit_id"].to_list(), rows["rank"].to_list(), strict=True))
    y = [plotly_text(f"{rank_of[u]}. {labels.get(u, u)}") for u in unit_order]
    x = [plotly_text(_short_field_label(c, titles[c])) for c in codes]
    z = [[cell.get((u, c)) for c in codes] for u in unit_order]
    full = [[plotly_text(f"{c}. {titles[c]}") for c in codes] for _ in unit_order]
    lo = _HEAT_ZMIN
    split = (_HEAT_SPLIT - lo) / (_HEAT_ZMAX - lo)
    colorscale = [
        [0.0, "#a40e26"],
        [split - 0.001, "#f4a582"],
        [split, "#fff3b0"],
        [split + (1 - split) / 2, "#9ed69a"],
        [1.0, "#1a7f37"],
    ]
    trace = go.Heatmap(
        x=x,
        y=y,
        z=z,
        customdata=full,
        zmin=lo,
        zmax=_HEAT_ZMAX,
        colorscale=colorscale,
        xgap=2,
        ygap=2,
        hoverongaps=False,
        hovertemplate="<b>%{y}</b><br>%{customdata}<br>Chỉ số thành phần: %{z:.1f}%<extra></extra>",
        colorbar={"title": {"text": "%"}, "tickvals": [40, 50, 60, 70, 80, 90, 100], "thickness": 14},
    )
    if len(unit_order) * len(codes) <= 800:
        trace.update(texttemplate="%{z:.0f}", textfont={"size": 11})
    fig = go.Figure(trace)
    n = len(unit_order)
    layout = _base_layout(
        f"Chỉ số thành phần theo lĩnh vực năm {year} — {plotly_text(group_title)}",
        max(280, 170 + _row_height(n) * n),
    )
    layout.update(
        xaxis={"side": "bottom", "tickangle": -25, "automargin": True, "showgrid": False},
        yaxis={
            "autorange": "reversed",
            "automargin": True,
            "showgrid": False,
            "tickfont": {"size": 12 if n <= 30 else 10},
        },
    )
    fig.update_layout(**layout)
    return fig


def _yoy_figure(
    group_df: pl.DataFrame,
    labels: dict[str, str],
    latest: int,
    previous: int,
    group_title: str,
) -> tuple[go.Figure | None, list[str], list[str]]:
    cols = ["unit_id", "index_pct", "rank", "band"]
    cur = group_df.filter(pl.col("year") == latest).select(cols)
    prev = group_df.filter(pl.col("year") == previous).select(cols)
    both = cur.join(prev, on="unit_id", how="inner", suffix="_prev").with_columns(
        (pl.col("index_pct") - pl.col("index_pct_prev")).round(6).alias("delta")
    )
    only_new = sorted(labels.get(u, u) for u in set(cur["unit_id"]) - set(prev["unit_id"]))
    only_old = sorted(labels.get(u, u) for u in set(prev["unit_id"]) - set(cur["unit_id"]))
    if both.is_empty():
        return None, only_new, only_old
    both = both.with_columns(pl.col("unit_id").replace_strict(labels, default=pl.col("unit_id")).alias("label")).sort(
        ["delta", "label"], descending=[True, False]
    )
    ys, xs, colours, texts, hovers = [], [], [], [], []
    for r in both.iter_rows(named=True):
        d = r["delta"]
        ys.append(plotly_text(r["label"]))
        xs.append(d)
        colours.append(_UP_COLOUR if d > 0 else (_DOWN_COLOUR if d < 0 else _FLAT_COLOUR))
        texts.append(_fmt(d, sign=True))
        rank_move = r["rank_prev"] - r["rank"]
        if rank_move > 0:
            rank_text = f"tăng {rank_move} bậc"
        elif rank_move < 0:
            rank_text = f"giảm {-rank_move} bậc"
        else:
            rank_text = "giữ nguyên"
        hovers.append(
            "<br>".join(
                [
                    f"<b>{plotly_text(r['label'])}</b>",
                    f"Năm {previous}: {_fmt(r['index_pct_prev'])}% · hạng {r['rank_prev']} · "
                    f"{plotly_text(r['band_prev'])}",
                    f"Năm {latest}: {_fmt(r['index_pct'])}% · hạng {r['rank']} · {plotly_text(r['band'])}",
                    f"Thay đổi: {_fmt(d, sign=True)} điểm phần trăm",
                    f"Thứ hạng: {rank_text}",
                ]
            )
        )
    span = max(1.0, max(abs(v) for v in xs))
    fig = go.Figure(
        go.Bar(
            orientation="h",
            x=xs,
            y=ys,
            marker={"color": colours},
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertext=hovers,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    n = len(ys)
    layout = _base_layout(
        f"Thay đổi chỉ số năm {latest} so với năm {previous} — {plotly_text(group_title)}",
        max(240, 120 + _row_height(n) * n),
    )
    layout.update(
        xaxis={
            "title": {"text": "Thay đổi (điểm phần trăm)"},
            "range": [-span * 1.3, span * 1.3],
            "zeroline": True,
            "zerolinecolor": "#57606a",
            "zerolinewidth": 1.5,
            "gridcolor": "#eaeef2",
        },
        yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": 12 if n <= 30 else 10}},
    )
    fig.update_layout(**layout)
    return fig, only_new, only_old


def _figure_html(fig: go.Figure, div_id: str) -> str:
    config = dict(_PLOTLY_CONFIG)
    config["toImageButtonOptions"] = {"filename": div_id}
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        config=config,
    )


# --------------------------------------------------------------------------- HTML pieces


def _band_table(group_df: pl.DataFrame, bands: list[str], colours: dict[str, str]) -> str:
    years = sorted(group_df["year"].unique().to_list())
    head = ['<th scope="col">Năm</th>', '<th scope="col">Số đơn vị</th>']
    for b in bands:
        colour = esc(colours.get(b, _UNKNOWN_BAND_COLOUR))
        swatch = f'<span class="swatch" style="background:{colour}"></span>'
        head.append(f'<th scope="col">{swatch}{esc(b)}</th>')
    head += ['<th scope="col">Hạ bậc ↓</th>', '<th scope="col">Chỉ số bình quân (%)</th>']
    body = []
    for year in years:
        rows = group_df.filter(pl.col("year") == year)
        counts = dict(rows.group_by("band").len().iter_rows())
        cells = [f'<th scope="row">{year}</th>', f"<td>{rows.height}</td>"]
        for b in bands:
            n = counts.get(b, 0)
            cells.append(f'<td class="{"zero" if n == 0 else ""}">{n}</td>')
        cells.append(f"<td>{int(rows['downgraded'].sum())}</td>")
        cells.append(f"<td>{_fmt(rows['index_pct'].mean())}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table class="band-table"><caption>Số đơn vị theo xếp loại, từng năm</caption>'
        f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _kpis(rows: pl.DataFrame, labels: dict[str, str], year: int) -> str:
    ordered = rows.sort(["index_pct", "unit_id"], descending=[True, False])
    best, worst = ordered.row(0, named=True), ordered.row(-1, named=True)
    cards = [
        ("Số đơn vị", str(rows.height), f"năm {year}"),
        ("Chỉ số bình quân", f"{_fmt(rows['index_pct'].mean())}%", f"năm {year}"),
        ("Cao nhất", f"{_fmt(best['index_pct'])}%", labels.get(best["unit_id"], best["unit_id"])),
        ("Thấp nhất", f"{_fmt(worst['index_pct'])}%", labels.get(worst["unit_id"], worst["unit_id"])),
        ("Bị hạ một bậc", str(int(rows["downgraded"].sum())), "có lĩnh vực dưới ngưỡng quy định"),
    ]
    return (
        '<div class="kpis">'
        + "".join(
            f'<div class="kpi"><div class="kpi-label">{esc(a)}</div><div class="kpi-value">{esc(b)}</div>'
            f'<div class="kpi-note">{esc(c)}</div></div>'
            for a, b, c in cards
        )
        + "</div>"
    )


_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:__FONT__;color:#1f2328;background:#f6f8fa;line-height:1.45}
.synthetic-banner{position:sticky;top:0;z-index:1000;color:#3d1f00;
 background:repeating-linear-gradient(135deg,#ffd33d 0 18px,#ffdf5d 18px 36px);
 border-bottom:3px solid #bf8700;text-align:center;font-weight:800;font-size:20px;
 padding:10px 16px;letter-spacing:.3px}
header.page{background:#0b3d91;color:#fff;padding:22px 32px}
header.page h1{margin:0 0 6px;font-size:26px}
header.page .meta{font-size:15px;opacity:.95}
header.page .meta span{margin-right:22px}
nav.toc{background:#fff;border-bottom:1px solid #d0d7de;padding:10px 32px;font-size:14px}
nav.toc a{color:#0b3d91;margin-right:18px;text-decoration:none}
nav.toc a:hover{text-decoration:underline}
main{padding:12px 32px 40px;max-width:1500px;margin:0 auto}
section.group{scroll-margin-top:60px;background:#fff;border:1px solid #d0d7de;border-radius:8px;
 padding:18px 22px;margin:20px 0}
section.group h2{margin:0 0 4px;font-size:22px;color:#0b3d91}
section.group .sub{color:#57606a;margin:0 0 12px;font-size:14px}
h3{font-size:16px;margin:22px 0 6px;color:#24292f}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 8px}
.kpi{flex:1 1 170px;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;background:#f6f8fa}
.kpi-label{font-size:13px;color:#57606a}.kpi-value{font-size:22px;font-weight:700}
.kpi-note{font-size:12.5px;color:#57606a;overflow-wrap:anywhere}
.chart{margin:6px 0}
.note{font-size:13px;color:#57606a;margin:4px 0 0}
table.band-table{border-collapse:collapse;margin:6px 0;font-size:14px;min-width:60%}
table.band-table caption{text-align:left;font-weight:600;padding:4px 0;color:#24292f}
table.band-table th,table.band-table td{border:1px solid #d0d7de;padding:5px 10px;text-align:right}
table.band-table thead th{background:#f6f8fa;text-align:center;white-space:nowrap}
table.band-table td.zero{color:#8c959f}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
footer.page{color:#57606a;font-size:13px;padding:0 32px 30px;max-width:1500px;margin:0 auto}
.empty{padding:30px;color:#57606a}
""".replace("__FONT__", FONT_FAMILY)


def _group_order(groups: Iterable[str]) -> list[str]:
    known = [g for g in UNIT_GROUP_LABELS if g in set(groups)]
    return known + sorted(set(groups) - set(known))


def _section(
    par: pl.DataFrame,
    comps: pl.DataFrame,
    province: str,
    province_code: str,
    group: str,
    multi_province: bool,
    band_order: Sequence[str],
    parent_names: dict[str, str],
    used_ids: set[str],
) -> tuple[str, str, str, int]:
    """Return (anchor id, nav label, section HTML, number of figures)."""
    gdf = par.filter((pl.col("province") == province) & (pl.col("unit_group") == group))
    years = sorted(gdf["year"].unique().to_list())
    latest = years[-1]
    previous = years[-2] if len(years) > 1 else None
    bands = _full_band_order(gdf["band"].to_list(), band_order)
    colours = _band_colours(bands, band_order)
    labels = _unit_labels(gdf, parent_names)
    glabel = _group_label(group)
    title = f"{glabel} — {province}" if multi_province else glabel

    base = f"{slug(province_code)}-{slug(group)}"
    anchor = base
    k = 2
    while anchor in used_ids:
        anchor = f"{base}-{k}"
        k += 1
    used_ids.add(anchor)

    latest_rows = gdf.filter(pl.col("year") == latest)
    parts = [
        f'<section class="group" id="{esc(anchor)}">',
        f"<h2>{esc(title)}</h2>",
        f'<p class="sub">Năm gần nhất: {latest} · Số năm có dữ liệu: {len(years)} '
        f"({esc(_years_label(years))}) · Xếp hạng trong nhóm, theo từng năm</p>",
        _kpis(latest_rows, labels, latest),
    ]
    n_figs = 0

    parts.append("<h3>Xếp hạng Chỉ số CCHC</h3>")
    rank_fig = _ranking_figure(gdf, labels, bands, colours, title)
    parts.append(f'<div class="chart">{_figure_html(rank_fig, f"chart-{anchor}-ranking")}</div>')
    n_figs += 1
    notes = [
        f"Màu thể hiện xếp loại. Ký hiệu {DOWNGRADE_MARK} và viền đậm: đơn vị bị hạ một bậc xếp loại "
        "(có lĩnh vực dưới ngưỡng quy định; Hưng Yên: 70%, Quyết định 1708/QĐ-UBND Điều 5.5)."
    ]
    if len(years) > 1:
        notes.append("Chọn năm ở hộp chọn góc trên bên phải biểu đồ.")
    parts.append(f'<p class="note">{esc(" ".join(notes))}</p>')

    parts.append("<h3>Chỉ số thành phần theo lĩnh vực</h3>")
    unit_ids = latest_rows["unit_id"].to_list()
    gcomps = comps.filter((pl.col("year") == latest) & pl.col("unit_id").is_in(unit_ids))
    heat = _heatmap_figure(latest_rows, gcomps, labels, latest, title)
    if heat is None:
        parts.append(f'<p class="note">Chưa có số liệu chỉ số thành phần năm {latest}.</p>')
    else:
        parts.append(f'<div class="chart">{_figure_html(heat, f"chart-{anchor}-fields")}</div>')
        parts.append(
            '<p class="note">Mỗi ô: chỉ số thành phần (%) = điểm đạt / điểm tối đa của lĩnh vực. '
            "Tông đỏ: lĩnh vực dưới 70%.</p>"
        )
        n_figs += 1

    parts.append("<h3>Thay đổi so với năm trước</h3>")
    if previous is None:
        parts.append(f'<p class="note">Chỉ có số liệu năm {latest}, chưa so sánh được với năm trước.</p>')
    else:
        yoy, only_new, only_old = _yoy_figure(gdf, labels, latest, previous, title)
        if yoy is None:
            parts.append(f'<p class="note">Không có đơn vị nào có số liệu cả năm {previous} và năm {latest}.</p>')
        else:
            parts.append(f'<div class="chart">{_figure_html(yoy, f"chart-{anchor}-change")}</div>')
            n_figs += 1
        if only_new:
            parts.append(f'<p class="note">Chưa có số liệu năm {previous}: {esc(", ".join(only_new))}.</p>')
        if only_old:
            parts.append(f'<p class="note">Không có số liệu năm {latest}: {esc(", ".join(only_old))}.</p>')

    parts.append("<h3>Tổng hợp xếp loại</h3>")
    parts.append(_band_table(gdf, bands, colours))
    parts.append("</section>")
    return anchor, title, "\n".join(parts), n_figs


# --------------------------------------------------------------------------- public API


def build_dashboard(
    par_index: pl.DataFrame,
    components: pl.DataFrame,
    *,
    synthetic: bool,
    generated_at: str,
    band_order: Sequence[str] | Mapping[str, Sequence[str]] = DEFAULT_BAND_ORDER,
    extra_sections: Sequence[tuple[str, str, str]] = (),
) -> str:
    """Return the whole leadership dashboard as one self-contained HTML document.

    ``extra_sections`` are (anchor, menu label, section HTML) pages built elsewhere (data
    quality, surveys, …), appended after the PAR sections; their HTML must be escaped already.

    Pure: the same inputs give byte-identical output (figure ids derive from the
    section and chart names; ``generated_at`` is passed in, never read from a clock).
    ``band_order`` lists the band names best first; colours follow that position. It may also map
    each province name to its own order (each province's ruleset has its own bands).
    """
    par = _prepare_par(par_index)
    comps = _prepare_components(components)

    provinces = sorted(set(par["province"].to_list()))
    years = sorted(set(par["year"].to_list()))
    multi = len(provinces) > 1
    parent_names = {
        r["unit_id"]: " ".join(r["unit_name"].split())
        for r in par.sort(["unit_id", "year"], descending=[False, True])
        .unique(subset="unit_id", keep="first", maintain_order=True)
        .iter_rows(named=True)
    }

    sections: list[str] = []
    nav: list[str] = []
    used: set[str] = set()
    for province in provinces:
        pdf = par.filter(pl.col("province") == province)
        codes = sorted({c for c in pdf["province_code"].to_list() if c})
        pcode = codes[0] if codes else province
        for group in _group_order(pdf["unit_group"].unique().to_list()):
            order = (
                {nfc(k): v for k, v in band_order.items()}.get(province, DEFAULT_BAND_ORDER)
                if isinstance(band_order, Mapping)
                else band_order
            )
            anchor, label, body, _ = _section(par, comps, province, pcode, group, multi, order, parent_names, used)
            sections.append(body)
            nav.append(f'<a href="#{esc(anchor)}">{esc(label)}</a>')

    for anchor, label, body in extra_sections:
        sections.append(body)
        nav.append(f'<a href="#{esc(anchor)}">{esc(label)}</a>')

    province_text = ", ".join(provinces) if provinces else "—"
    years_text = _years_label(years)
    page_title = "Chỉ số cải cách hành chính"
    if provinces:
        page_title = f"{page_title} — {province_text} — {years_text}"
    if synthetic:
        page_title = f"[{SYNTHETIC_BANNER}] {page_title}"

    banner = f'<div class="synthetic-banner" role="alert">⚠ {esc(SYNTHETIC_BANNER)}</div>' if synthetic else ""
    header = (
        '<header class="page"><h1>Chỉ số cải cách hành chính (PAR Index)</h1><div class="meta">'
        f"<span>{'Địa phương' if not multi else 'Các địa phương'}: <b>{esc(province_text)}</b></span>"
        f"<span>Năm: <b>{esc(years_text)}</b></span>"
        f"<span>{esc(generated_at)}</span></div></header>"
    )
    nav_html = f'<nav class="toc">Nhóm đơn vị: {"".join(nav)}</nav>' if nav else ""
    content = "\n".join(sections) if sections else '<p class="empty">Không có dữ liệu Chỉ số CCHC.</p>'
    footer = (
        '<footer class="page"><p>Chỉ số (%) = tổng điểm đạt / tổng điểm tối đa × 100. Đơn vị được xếp hạng '
        "trong từng nhóm đơn vị, theo từng năm và từng địa phương, theo quy định của từng tỉnh. "
        f"Ký hiệu {DOWNGRADE_MARK}: đơn vị bị hạ một bậc xếp loại vì có lĩnh vực đạt dưới ngưỡng quy định "
        "(tính theo phần trăm điểm tối đa của lĩnh vực).</p>"
        "<p>Trang hoạt động không cần mạng: thư viện biểu đồ được nhúng sẵn trong tệp.</p></footer>"
    )

    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="vi">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(page_title)}</title>",
            f"<style>{_CSS}</style>",
            f'<script type="text/javascript">{get_plotlyjs()}</script>',
            "</head>",
            "<body>",
            banner,
            header,
            nav_html,
            f"<main>{content}</main>",
            footer,
            "</body>",
            "</html>",
            "",
        ]
    )


def write_dashboard(path: str | Path, html: str) -> Path:
    """Write the dashboard HTML (UTF-8) and return its path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)  # a reader never sees half a page
    return out
