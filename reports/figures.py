"""The dashboard pack's plotly figures, one function per chart, each for one year (or one unit).

A figure is plain plotly.js JSON (`{"data": [...], "layout": {...}}`), built here without plotly.py's
figure objects (whose validation would cost seconds per run for some 200 pages); `figure_html` embeds
it with the shared config and no copy of plotly.js (each page loads the pack's one shared file).
Every figure is drawn at a fixed width that fits an A4 portrait page, so that a printed page shows
the whole chart, never a clipped one. Text from the inputs is entity-escaped (`plotly_text`) so
plotly draws it as text; numbers use the decimal comma (`separators`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import polars as pl
from plotly.colors import make_colorscale, sample_colorscale

from reports.text import PLOTLY_CONFIG, PLOTLY_FONT, nfc, plotly_text, vi_number

CHART_WIDTH = 680  # px: A4 portrait less 12 mm margins is 186 mm ≈ 703 px at 96 dpi

# Best band → worst band, sampled by position when a ruleset has not exactly five bands.
BAND_PALETTE = ["#1a7f37", "#6cbf5a", "#e3b341", "#f0883e", "#cf222e"]
UNKNOWN_BAND_COLOUR = "#8c959f"
TIER_COLOURS = {1: "#1a7f37", 2: "#6cbf5a", 3: "#e3b341", 4: "#cf222e"}

# Component heatmap: red below 70 % (Hưng Yên's downgrade threshold, 1708/QĐ-UBND Art. 5.5), green above.
_HEAT_ZMIN, _HEAT_ZMAX, _HEAT_SPLIT = 40.0, 100.0, 70.0

# Short labels for the fields (lĩnh vực), matched on the lower-cased title; first match wins.
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


def short_field_label(code: str, title: str) -> str:
    low = nfc(title).lower()
    short = next((label for keys, label in _SHORT_FIELD_LABELS if any(k in low for k in keys)), None)
    if short is None:
        short = " ".join(nfc(title).split()) or "Lĩnh vực"
        if len(short) > 26:
            short = short[:25].rstrip() + "…"
    return f"{code}. {short}"


def code_key(code: Any) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in nfc(code).split("."))


def _to_hex(colour: str) -> str:
    if colour.startswith("#"):
        return colour
    r, g, b = (round(float(v)) for v in re.findall(r"[\d.]+", colour)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def band_colours(band_order: Sequence[str]) -> dict[str, str]:
    """Colour by position in the ruleset's band order, best first (each ruleset names its own bands)."""
    order = [nfc(b) for b in band_order]
    n = len(order)
    if n == len(BAND_PALETTE):
        colours = list(BAND_PALETTE)
    elif n == 1:
        colours = [BAND_PALETTE[0]]
    elif n > 1:
        scale = make_colorscale(BAND_PALETTE)
        colours = [_to_hex(c) for c in sample_colorscale(scale, [i / (n - 1) for i in range(n)])]
    else:
        colours = []
    return dict(zip(order, colours, strict=True))


Figure = dict[str, Any]
GRID = "#eaeef2"


def _layout(title: str, height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": PLOTLY_FONT, "size": 12, "color": "#1f2328"},
        "hoverlabel": {"font": {"family": PLOTLY_FONT}},
        "separators": ",.",
        "autosize": False,
        "width": CHART_WIDTH,
        "height": height,
        "margin": {"l": 10, "r": 30, "t": 60, "b": 45},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    layout.update(extra)
    return layout


def _axis(title: str | None = None, **extra: Any) -> dict[str, Any]:
    axis: dict[str, Any] = {"gridcolor": GRID, "zeroline": False, "automargin": True}
    if title:
        axis["title"] = {"text": title}
    axis.update(extra)
    return axis


def _hline(y: float, colour: str, text: str, dash: str = "dash", position: str = "left") -> tuple[dict, dict]:
    """A horizontal line across the plot at `y` with its label (a shape and an annotation)."""
    shape = {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y,
        "y1": y,
        "line": {"color": colour, "dash": dash, "width": 1.5},
    }
    note = {
        "xref": "paper",
        "x": 0 if position == "left" else 1,
        "xanchor": position,
        "yref": "y",
        "y": y,
        "yanchor": "bottom",
        "text": text,
        "showarrow": False,
        "font": {"size": 11, "color": colour},
    }
    return shape, note


def figure_html(fig: Figure, name: str) -> str:
    """The figure's div (`id="chart-<name>"`) and the script that draws it with the shared plotly.js and config."""
    div_id = f"chart-{name}"
    config = {**PLOTLY_CONFIG, "toImageButtonOptions": {"filename": div_id}}
    payload = json.dumps(
        [fig["data"], fig["layout"], config], ensure_ascii=True, allow_nan=False, separators=(",", ":")
    )
    # Safe inside <script>: no "</script>", "<!--" or "&" can appear in the JSON text.
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("/", "\\u002f")
    width, height = fig["layout"]["width"], fig["layout"]["height"]
    return (
        f'<div id="{div_id}" class="plotly-graph-div" style="width:{width}px;height:{height}px"></div>\n'
        f"<script>(function () {{ var f = {payload}; "
        f'Plotly.newPlot(document.getElementById("{div_id}"), f[0], f[1], f[2]); }})();</script>'
    )


def _row_height(n: int) -> int:
    return 24 if n <= 20 else (18 if n <= 40 else 14)


# --------------------------------------------------------------------------------------- ranking


def ranking_figure(rows: list[dict[str, Any]], colours: dict[str, str], title: str) -> Figure:
    """One year's ranking: a bar per unit, coloured by band, labelled `rank. name (▲2)`.

    `rows` (best first) carry `label`, `index_pct`, `band`, `rank`, `rank_text` (the change since
    last year), `downgraded`, `hover` (plain text lines). Downgraded units get a dark outline.
    """
    cats = [
        plotly_text(f"{r['rank']}. {r['label']}" + (f" ({r['rank_text']})" if r["rank_text"] else "")) for r in rows
    ]
    order = list(colours) + sorted({r["band"] for r in rows} - set(colours))
    data = []
    for band in order:
        for outlined in (False, True):
            part = [
                (c, r) for c, r in zip(cats, rows, strict=True) if r["band"] == band and r["downgraded"] == outlined
            ]
            if not part and (outlined or not rows):
                continue
            if not part:  # keep every band of the ruleset in the legend
                part = [(cats[0], {"index_pct": None, "hover": []})]
            data.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": plotly_text(band),
                    "legendgroup": plotly_text(band),
                    "showlegend": not outlined,
                    "x": [r["index_pct"] for _, r in part],
                    "y": [c for c, _ in part],
                    "text": [vi_number(r["index_pct"], 2) if r["index_pct"] is not None else "" for _, r in part],
                    "textposition": "outside",
                    "cliponaxis": False,
                    "hovertext": ["<br>".join(plotly_text(h) for h in r["hover"]) for _, r in part],
                    "hovertemplate": "%{hovertext}<extra></extra>",
                    "marker": {
                        "color": colours.get(band, UNKNOWN_BAND_COLOUR),
                        "line": {"color": "#1f2328", "width": 2 if outlined else 0},
                    },
                }
            )
    n = max(1, len(rows))
    height = max(260, 150 + _row_height(n) * n)
    layout = _layout(
        title,
        height,
        barmode="overlay",
        bargap=0.25,
        legend={
            "title": {"text": "Xếp loại"},
            "orientation": "h",
            "y": -62 / (height - 150),
            "yanchor": "top",
            "x": 0.0,
        },
        xaxis=_axis("Chỉ số (%)", range=[0, 108], tickvals=list(range(0, 101, 10))),
        yaxis=_axis(
            None,
            categoryorder="array",
            categoryarray=cats,
            autorange="reversed",
            showgrid=False,
            tickfont={"size": 11 if n <= 40 else 9},
        ),
    )
    layout["margin"] = {"l": 10, "r": 30, "t": 50, "b": 100}
    return {"data": data, "layout": layout}


# --------------------------------------------------------------------------------------- heatmap


def heatmap_figure(unit_order: list[str], labels: dict[str, str], fields: pl.DataFrame, title: str) -> Figure | None:
    """Component index per unit (rows, ranking order) and field (columns) in one year.

    `fields`: marts.par_component_index rows of level 1 for these units and that year.
    """
    if fields.is_empty():
        return None
    titles: dict[str, str] = {}
    for r in fields.sort(["node_code", "node_title"]).iter_rows(named=True):
        titles.setdefault(r["node_code"], nfc(r["node_title"]))
    codes = sorted(titles, key=code_key)
    cell = {(r["unit_id"], r["node_code"]): r["pct"] for r in fields.iter_rows(named=True)}
    units = [u for u in unit_order if any((u, c) in cell for c in codes)]
    if not units:
        return None
    split = (_HEAT_SPLIT - _HEAT_ZMIN) / (_HEAT_ZMAX - _HEAT_ZMIN)
    trace: dict[str, Any] = {
        "type": "heatmap",
        "x": [plotly_text(short_field_label(c, titles[c])) for c in codes],
        "y": [plotly_text(labels[u]) for u in units],
        "z": [[cell.get((u, c)) for c in codes] for u in units],
        "customdata": [[plotly_text(f"{c}. {titles[c]}") for c in codes] for _ in units],
        "zmin": _HEAT_ZMIN,
        "zmax": _HEAT_ZMAX,
        "colorscale": [
            [0.0, "#a40e26"],
            [split - 0.001, "#f4a582"],
            [split, "#fff3b0"],
            [0.75, "#9ed69a"],
            [1.0, "#1a7f37"],
        ],
        "xgap": 1,
        "ygap": 1,
        "hoverongaps": False,
        "hovertemplate": "<b>%{y}</b><br>%{customdata}<br>Chỉ số thành phần: %{z:.1f}%<extra></extra>",
        "colorbar": {"title": {"text": "%"}, "tickvals": [40, 50, 60, 70, 80, 90, 100], "thickness": 12},
    }
    if len(units) * len(codes) <= 400:
        trace.update(texttemplate="%{z:.0f}", textfont={"size": 10})
    n = len(units)
    layout = _layout(
        title,
        max(260, 170 + (20 if n <= 20 else 12) * n),
        xaxis=_axis(None, side="bottom", tickangle=-30, showgrid=False, tickfont={"size": 10}),
        yaxis=_axis(None, autorange="reversed", showgrid=False, tickfont={"size": 11 if n <= 40 else 9}),
    )
    return {"data": [trace], "layout": layout}


# ------------------------------------------------------------------------------------------ SIPAS


def sipas_figure(rows: pl.DataFrame, title: str) -> Figure:
    """Overall SIPAS per unit in one year: the share and its 95% interval; few respondents hollow."""
    rows = rows.sort(["pct", "unit_id"], descending=[False, False], nulls_last=False)
    flagged = rows["flag"].is_not_null().to_list()
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": rows["pct"].to_list(),
        "y": [plotly_text(n or u) for n, u in zip(rows["unit_name"], rows["unit_id"], strict=True)],
        "marker": {
            "size": 9,
            "color": ["#ffffff" if f else "#0b3d91" for f in flagged],
            "line": {"color": "#0b3d91", "width": 2},
        },
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": (rows["ci_high"] - rows["pct"]).to_list(),
            "arrayminus": (rows["pct"] - rows["ci_low"]).to_list(),
            "color": "#57606a",
            "thickness": 1.5,
        },
        "customdata": [
            [vi_number(lo, 1), vi_number(hi, 1), n]
            for lo, hi, n in zip(rows["ci_low"], rows["ci_high"], rows["n_respondents"], strict=True)
        ],
        "hovertemplate": "%{y}<br>Hài lòng: %{x:.1f}% (khoảng tin cậy 95%: %{customdata[0]}–%{customdata[1]}%)"
        "<br>Số người trả lời: %{customdata[2]}<extra></extra>",
        "showlegend": False,
    }
    low = rows["ci_low"].min()
    layout = _layout(
        title,
        110 + 18 * rows.height,
        xaxis=_axis("Tỷ lệ hài lòng (%)", range=[max(0.0, (low or 0.0) - 5), 100]),
        yaxis=_axis(None, tickfont={"size": 11}),
    )
    return {"data": [trace], "layout": layout}


# ------------------------------------------------------------------------------------------- PAPI


def papi_rank_figure(totals: pl.DataFrame, year: int, title: str, top_n: int | None) -> Figure:
    """The province's PAPI total rank, year by year up to `year` (1 = best), with the top-N line of its
    plan; `year` is on the axis even before UNDP publishes it (marked as not published yet)."""
    own = totals.filter(pl.col("year") <= year).sort("year")
    years = sorted({*own["year"].to_list(), year})
    trace = {
        "type": "scatter",
        "mode": "lines+markers+text",
        "x": own["year"].to_list(),
        "y": own["rank"].to_list(),
        "text": [str(r) if r is not None else "" for r in own["rank"]],
        "textposition": "top center",
        "cliponaxis": False,
        "customdata": [
            [vi_number(s, 2), vi_number(m, 0), n]
            for s, m, n in zip(own["score"], own["max_score"], own["n_provinces"], strict=True)
        ],
        "hovertemplate": "Năm %{x}: hạng %{y}/%{customdata[2]}, %{customdata[0]}/%{customdata[1]} điểm<extra></extra>",
        "line": {"color": "#0b3d91"},
        "showlegend": False,
    }
    layout = _layout(
        title,
        240,
        yaxis=_axis("Thứ hạng", autorange="reversed"),
        xaxis=_axis("Năm", tickmode="array", tickvals=years, range=[years[0] - 0.5, years[-1] + 0.5], showgrid=False),
    )
    layout["shapes"], layout["annotations"] = [], []
    if top_n:
        shape, note = _hline(top_n + 0.5, "#cf222e", f"Nhóm {top_n} tỉnh đứng đầu")
        layout["shapes"].append(shape)
        layout["annotations"].append(note)
    if year not in own["year"].to_list():
        layout["annotations"].append(
            {
                "xref": "x",
                "x": year,
                "yref": "paper",
                "y": 0.5,
                "text": f"Năm {year}:<br>chưa công bố",
                "showarrow": False,
                "font": {"size": 11, "color": "#57606a"},
            }
        )
    return {"data": [trace], "layout": layout}


# ------------------------------------------------------------------------------------------- unit


def trajectory_figure(
    years: list[dict[str, Any]], ladder: list[tuple[str, float]], colours: dict[str, str], title: str
) -> Figure:
    """A unit's index year by year, each point coloured by its band, with the band thresholds.

    `years`: dicts with year, index_pct, band, rank, n (units in the group); `ladder`: (band, min) best first.
    """
    trace = {
        "type": "scatter",
        "mode": "lines+markers+text",
        "x": [y["year"] for y in years],
        "y": [y["index_pct"] for y in years],
        "text": [f"{vi_number(y['index_pct'], 2)} · hạng {y['rank']}/{y['n']}" for y in years],
        "textposition": "top center",
        "cliponaxis": False,
        "marker": {"size": 12, "color": [colours.get(y["band"], UNKNOWN_BAND_COLOUR) for y in years]},
        "line": {"color": "#57606a"},
        "customdata": [plotly_text(y["band"]) for y in years],
        "hovertemplate": "Năm %{x}: %{y:.2f}% · %{customdata}<extra></extra>",
        "showlegend": False,
    }
    values = [y["index_pct"] for y in years if y["index_pct"] is not None]
    low = min([*values, *(b for _, b in ladder if b > 0)] or [0.0])
    layout = _layout(
        title,
        300,
        xaxis=_axis("Năm", tickmode="array", tickvals=[y["year"] for y in years], showgrid=False),
        yaxis=_axis("Chỉ số (%)", range=[max(0.0, low - 8), 104]),
    )
    lines = [
        _hline(
            low_bound,
            colours.get(band, UNKNOWN_BAND_COLOUR),
            plotly_text(f"{band} ≥ {vi_number(low_bound, 0)}"),
            dash="dot",
            position="right",
        )
        for band, low_bound in ladder
        if low_bound > 0
    ]
    layout["shapes"] = [s for s, _ in lines]
    layout["annotations"] = [a for _, a in lines]
    return {"data": [trace], "layout": layout}


def unit_components_figure(fields: pl.DataFrame, title: str, threshold: float | None) -> Figure | None:
    """A unit's component index per field, one bar per year (level-1 rows of marts.par_component_index);
    `threshold`: the ruleset's downgrade threshold for a field, drawn as a line (None: no such rule)."""
    if fields.is_empty():
        return None
    titles: dict[str, str] = {}
    for r in fields.sort(["node_code", "year"]).iter_rows(named=True):
        titles[r["node_code"]] = nfc(r["node_title"])
    codes = sorted(titles, key=code_key)
    cats = [plotly_text(short_field_label(c, titles[c])) for c in codes]
    years = sorted(fields["year"].unique().to_list())
    palette = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"][-len(years) :] if len(years) <= 4 else [None] * len(years)
    data = []
    for year, colour in zip(years, palette, strict=True):
        cell = {r["node_code"]: r["pct"] for r in fields.filter(pl.col("year") == year).iter_rows(named=True)}
        trace: dict[str, Any] = {
            "type": "bar",
            "orientation": "h",
            "name": str(year),
            "y": cats,
            "x": [cell.get(c) for c in codes],
            "hovertemplate": "%{y}, năm " + str(year) + ": %{x:.1f}%<extra></extra>",
        }
        if colour:
            trace["marker"] = {"color": colour}
        data.append(trace)
    layout = _layout(
        title,
        160 + 11 * len(codes) * max(2, len(years)),
        barmode="group",
        xaxis=_axis("Chỉ số thành phần (%)", range=[0, 100]),
        yaxis=_axis(None, autorange="reversed", showgrid=False),
        legend={"title": {"text": "Năm"}, "orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.0},
    )
    layout["margin"] = {"l": 10, "r": 30, "t": 80, "b": 45}
    if threshold is not None:
        layout["shapes"] = [
            {
                "type": "line",
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "xref": "x",
                "x0": threshold,
                "x1": threshold,
                "line": {"color": "#cf222e", "dash": "dot", "width": 1.5},
            }
        ]
    return {"data": data, "layout": layout}
