"""The leadership dashboard pack: offline HTML pages in Vietnamese, one per province, year and unit group.

Layout of the pack (`<curated>/dashboard/`, written by `write_pack`, published with the warehouse):

    index.html                          provinces, years and groups; when generated, from which inputs
    chat-luong-du-lieu.html             data quality, for analysts
    <province>/<year>/<group>.html      leadership page: cards, ranking with changes since last year,
                                        components, gap to the next band, SIPAS, PAPI, the plan
    <province>/don-vi/<unit>.html       one unit over the years: trajectory, components, how its score
                                        was decided, appraising agencies, re-classifications
    assets/plotly.min.js                plotly.js, once for every page (loaded by relative path)
    assets/plotly-locale-vi.js          the Vietnamese chart toolbar
    assets/pack.css                     screen and A4 print styles

Each year is its own page, so every chart and card of a page shows the same year. Pages are built
from the marts (docs/marts.md) by Jinja2 templates with autoescape; the same inputs give the same
bytes (no clock is read: the date shown is the date the inputs were recorded).
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from reports import figures
from reports.progress import report_filename, value_text
from reports.text import (
    FINAL_SOURCE_LABELS,
    RULE_LABELS,
    SOURCE_LABELS,
    SYNTHETIC_BANNER,
    Decision,
    band_move,
    check_label,
    group_label,
    group_order,
    nfc,
    plan_decision,
    plotly_locale_js,
    rank_change,
    rule_words,
    ruleset_decision,
    slug,
    table_label,
    vi_date,
    vi_number,
)

__all__ = ["PACK_DIR", "InputsInfo", "PackData", "build_pack", "legacy_redirect", "write_pack"]

PACK_DIR = "dashboard"
INDEX = "index.html"
QUALITY_PAGE = "chat-luong-du-lieu.html"
REPORTS_DIR = "reports"  # the plan progress reports, beside the pack in the curated folder
QUARANTINE_DETAIL_ROWS = 100
GAP_UNITS = 6  # units furthest below the next band, on a leadership page
AGENCY_ROWS = 8  # appraising agencies with the most changes, on a leadership page
PLAN_ROWS = 6  # targets not met shown on a leadership page (at risk first)

_CSS_PATH = Path(__file__).with_name("static") / "pack.css"


@dataclass(frozen=True)
class InputsInfo:
    """What the pages were built from: files per source, their joint fingerprint, and when they were
    recorded (the date the current version of the newest file was first read)."""

    files: dict[str, int] = field(default_factory=dict)
    fingerprint: str | None = None
    recorded_on: str | None = None  # ISO date


@dataclass(frozen=True)
class PackData:
    """The tables behind the pack: marts (docs/marts.md), the rulesets, plans and the quality record."""

    par_index: pl.DataFrame
    components: pl.DataFrame
    band_gap: pl.DataFrame
    agency: pl.DataFrame
    history: pl.DataFrame
    lineage: pl.DataFrame
    plan: pl.DataFrame
    sipas: pl.DataFrame
    papi: pl.DataFrame
    rulesets: pl.DataFrame
    bands: pl.DataFrame
    plans: pl.DataFrame
    quarantine: pl.DataFrame
    balance: pl.DataFrame
    checks: pl.DataFrame
    missing: pl.DataFrame | None = None  # marts.missing_submissions, when the warehouse has it
    uncertainty: pl.DataFrame | None = None  # marts.rank_uncertainty: rank ranges from survey intervals
    inputs: InputsInfo = field(default_factory=InputsInfo)
    papi_province: str | None = None  # the province whose PAPI a plan's province is set against (surveys.yaml)
    trend: pl.DataFrame | None = None  # marts.unit_trend: each unit beside its predecessors (2025 reorganisation)


# ------------------------------------------------------------------------------------------ helpers


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = lambda v, d=2, sign=False: vi_number(v, d, sign=sign)
    env.filters["css_string"] = _css_string
    return env


def _css_string(value: Any) -> Markup:
    """A CSS string literal for the print margin boxes (`@page { @bottom-left { content: ... } }`)."""
    text = nfc(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    text = text.replace("<", "\\3C ").replace(">", "\\3E ")
    return Markup(f'"{text}"')


def _rows(df: pl.DataFrame | None) -> list[dict[str, Any]]:
    return [] if df is None else df.to_dicts()


def _col(df: pl.DataFrame, name: str, default: Any = None) -> pl.Expr:
    return pl.col(name) if name in df.columns else pl.lit(default)


@dataclass(frozen=True)
class _Province:
    code: str
    name: str
    key: str  # folder name
    synthetic: bool
    years: list[int]
    groups: dict[int, list[str]]  # year → groups with results
    ruleset: dict[int, str]  # year → ruleset_id


def _group_file(group: str) -> str:
    return f"{slug(group_label(group))}.html"


def _unit_file(unit_id: str) -> str:
    return f"{slug(unit_id)}.html"


def _provinces(par: pl.DataFrame) -> list[_Province]:
    out = []
    for (code,), rows in par.sort("province_code", "year").group_by("province_code", maintain_order=True):
        years = sorted(rows["year"].unique().to_list())
        groups = {y: group_order(rows.filter(pl.col("year") == y)["unit_group"].unique().to_list()) for y in years}
        ruleset = {
            y: Counter(rows.filter(pl.col("year") == y)["ruleset_id"].to_list()).most_common(1)[0][0] for y in years
        }
        name = nfc(rows.sort("year")["province"][-1])
        out.append(_Province(code, name, slug(code), bool(rows["synthetic"].any()), years, groups, ruleset))
    return sorted(out, key=lambda p: p.name)


class _Pack:
    """Builds every page of the pack from `PackData`."""

    def __init__(self, data: PackData) -> None:
        self.d = data
        self.env = _env()
        self.par = data.par_index.with_columns(
            pl.col("province").map_elements(nfc, return_dtype=pl.Utf8),
            pl.col("unit_name").fill_null("").map_elements(lambda s: " ".join(nfc(s).split()), return_dtype=pl.Utf8),
            pl.col("synthetic").fill_null(False),
        )
        self.provinces = _provinces(self.par)
        self.synthetic = bool(self.par["synthetic"].any()) if self.par.height else False
        self.rulesets = {r["ruleset_id"]: r for r in _rows(data.rulesets)}
        self.band_orders = {
            rid: part.sort("position")["band"].to_list()
            for (rid,), part in data.bands.group_by("ruleset_id", maintain_order=True)
        }
        self.labels = self._unit_labels()
        self.plans = {r["plan_id"]: r for r in _rows(data.plans)}

    # -------------------------------------------------------------------------------- shared bits

    def decision(self, ruleset_id: str) -> Decision:
        return ruleset_decision(ruleset_id, self.rulesets.get(ruleset_id))

    def band_order(self, ruleset_id: str, present: Iterable[str] = ()) -> list[str]:
        order = list(self.band_orders.get(ruleset_id, []))
        return order + sorted(set(present) - set(order))

    def downgrade_pct(self, ruleset_id: str) -> float | None:
        return (self.rulesets.get(ruleset_id) or {}).get("downgrade_below_pct")

    def _unit_labels(self) -> dict[str, str]:
        """A unique display name per unit: same names (two communes "Xã Tân Lập") get their district."""
        latest = self.par.sort("year").group_by("unit_id", maintain_order=True).last()
        names = dict(zip(latest["unit_id"], latest["unit_name"], strict=True))
        parents = dict(zip(latest["unit_id"], latest["parent_unit_id"], strict=True))
        counts = Counter((latest.filter(pl.col("unit_id") == u)["province_code"][0], n) for u, n in names.items())
        labels = {}
        for unit_id, name in names.items():
            code = latest.filter(pl.col("unit_id") == unit_id)["province_code"][0]
            label = name or unit_id
            if counts[(code, name)] > 1:
                parent = names.get(parents.get(unit_id) or "")
                label = f"{name} ({parent})" if parent else f"{name} [{unit_id}]"
            labels[unit_id] = label
        return labels

    def generated_text(self) -> str:
        # The date the current inputs were first recorded, not the clock: the same inputs give the same pages.
        info = self.d.inputs
        files = sum(info.files.values())
        text = f"Lập từ {files} tệp đầu vào" if files else "Lập từ kho dữ liệu"
        return f"{text}, cập nhật ngày {vi_date(info.recorded_on)}" if info.recorded_on else text

    def page(self, template: str, path: str, **context: Any) -> tuple[str, str]:
        depth = path.count("/")
        root = "../" * depth
        base = {
            "root": root,
            "synthetic": self.synthetic,
            "banner": SYNTHETIC_BANNER,
            "generated": self.generated_text(),
            "quality_href": root + QUALITY_PAGE,
            "index_href": root + INDEX,
        }
        return path, self.env.get_template(template).render(**base, **context)

    def quality_summary(self) -> dict[str, Any]:
        checks = self.d.checks
        return {
            "quarantined": int(self.d.quarantine.filter(pl.col("row_number").is_not_null()).height),
            "unreadable": int(self.d.quarantine.filter(pl.col("row_number").is_null()).height),
            "checks": checks.height,
            "passed": int(checks["passed"].sum()) if checks.height else 0,
        }

    def missing_for(self, province: _Province, year: int, group: str | None = None) -> list[dict[str, Any]]:
        missing = self.d.missing
        if missing is None or missing.is_empty():
            return []
        keep = (pl.col("year") == year) & (pl.col("province_code") == province.code)
        if group is not None:
            keep = keep & (pl.col("unit_group") == group)
        return missing.filter(keep).sort("unit_group", "unit_id").to_dicts()

    # ----------------------------------------------------------------------------------- pages

    def build(self) -> dict[str, str]:
        files = dict(
            [
                ("assets/plotly.min.js", get_plotlyjs()),
                ("assets/plotly-locale-vi.js", plotly_locale_js()),
                ("assets/pack.css", _CSS_PATH.read_text(encoding="utf-8")),
            ]
        )
        files.update([self.index_page(), self.quality_page()])
        for p in self.provinces:
            for year in p.years:
                for group in p.groups[year]:
                    files.update([self.leadership_page(p, year, group)])
            for unit_id in sorted(self.par.filter(pl.col("province_code") == p.code)["unit_id"].unique().to_list()):
                files.update([self.unit_page(p, unit_id)])
        return dict(sorted(files.items()))

    # index ---------------------------------------------------------------------------------------

    def index_page(self) -> tuple[str, str]:
        provinces = []
        for p in self.provinces:
            groups = group_order({g for y in p.years for g in p.groups[y]})
            counts = {
                (y, g): n
                for y, g, n in self.par.filter(pl.col("province_code") == p.code)
                .group_by("year", "unit_group")
                .len()
                .iter_rows()
            }
            decisions = []
            for year in p.years:
                text = self.decision(p.ruleset[year]).full()
                if not decisions or decisions[-1]["text"] != text:
                    decisions.append({"years": [year], "text": text})
                else:
                    decisions[-1]["years"].append(year)
            latest = p.years[-1]
            provinces.append(
                {
                    "name": p.name,
                    "synthetic": p.synthetic,
                    "years": p.years,
                    "latest": latest,
                    "decisions": [
                        {
                            "years": f"{d['years'][0]}–{d['years'][-1]}" if len(d["years"]) > 1 else str(d["years"][0]),
                            "text": d["text"],
                        }
                        for d in decisions
                    ],
                    "groups": [
                        {
                            "label": group_label(g),
                            "cells": [
                                {
                                    "year": y,
                                    "n": counts.get((y, g)),
                                    "href": f"{p.key}/{y}/{_group_file(g)}" if (y, g) in counts else None,
                                }
                                for y in p.years
                            ],
                        }
                        for g in groups
                    ],
                    "reports": self.report_links(p, latest, prefix=""),
                }
            )
        years = sorted(self.par["year"].unique().to_list()) if self.par.height else []
        info = self.d.inputs
        return self.page(
            "index.html.j2",
            INDEX,
            title="Chỉ số cải cách hành chính — trang tổng hợp cho lãnh đạo",
            provinces=provinces,
            years=f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "—"),
            inputs=[{"label": SOURCE_LABELS.get(s, s), "files": n} for s, n in sorted(info.files.items())],
            fingerprint=info.fingerprint,
            quality=self.quality_summary(),
            source="Kho dữ liệu Chỉ số CCHC (bảng công bố)",
        )

    def report_links(self, p: _Province, year: int, prefix: str) -> list[dict[str, str]]:
        plan = self.d.plan.filter((pl.col("province_code") == p.code) & (pl.col("year") == year))
        periods = plan.select("period", "period_label", "period_end").unique().sort("period_end", "period")
        # plan_progress_reports writes one report per period of marts.plan_tracking (reports/progress.py).
        return [
            {"label": r["period_label"], "href": f"{prefix}../{REPORTS_DIR}/{report_filename(r['period'])}"}
            for r in periods.iter_rows(named=True)
        ]

    # leadership --------------------------------------------------------------------------------------

    def leadership_page(self, p: _Province, year: int, group: str) -> tuple[str, str]:
        path = f"{p.key}/{year}/{_group_file(group)}"
        root = "../../"
        rows = self.par.filter(
            (pl.col("province_code") == p.code) & (pl.col("year") == year) & (pl.col("unit_group") == group)
        ).sort(["rank", "index_pct", "unit_id"], descending=[False, True, False])
        prev_years = [y for y in p.years if y < year and group in p.groups[y]]
        prev_year = prev_years[-1] if prev_years else None
        prev = (
            {
                r["unit_id"]: r
                for r in self.par.filter(
                    (pl.col("province_code") == p.code)
                    & (pl.col("year") == prev_year)
                    & (pl.col("unit_group") == group)
                ).iter_rows(named=True)
            }
            if prev_year
            else {}
        )
        ruleset_id = p.ruleset[year]
        decision = self.decision(ruleset_id)
        order = self.band_order(ruleset_id, rows["band"].to_list())
        colours = figures.band_colours(order)
        downgrade = self.downgrade_pct(ruleset_id)
        shared = Counter(rows["rank"].to_list())
        reranked = self._reranked(year, rows["unit_id"].to_list())
        ranges = self._rank_ranges(year, rows["unit_id"].to_list())

        ranking = []
        for r in rows.iter_rows(named=True):
            before = prev.get(r["unit_id"])
            rank_text, rank_class = rank_change(before["rank"] if before else None, r["rank"])
            move_text, move_class = band_move(before["band"] if before else None, r["band"], order)
            notes = []
            if r.get("downgraded") and r.get("band_reason"):
                notes.append(f"Hạ bậc: {nfc(r['band_reason'])}")
            if r.get("band_decided") and r.get("band_reason"):
                notes.append(nfc(r["band_reason"]))
            elif r.get("reclassified"):
                notes.append(f"Xếp loại lại theo Quyết định {nfc(r['reclassification_decision_no'])}")
            if r["unit_id"] in reranked:
                notes.append(f"Xếp hạng lại do {reranked[r['unit_id']]}")
            if r["unit_id"] in ranges:
                notes.append(ranges[r["unit_id"]])
            if shared[r["rank"]] > 1:
                notes.append("Đồng hạng")
            elif r.get("tie_broken"):
                notes.append("Bằng điểm, xếp theo tiêu chí ưu tiên")
            ranking.append(
                {
                    "rank": r["rank"],
                    "rank_text": rank_text,
                    "rank_class": rank_class,
                    "prev_rank": before["rank"] if before else None,
                    "label": self.labels[r["unit_id"]],
                    "href": f"../don-vi/{_unit_file(r['unit_id'])}",
                    "index": r["index_pct"],
                    "delta": r["index_pct"] - before["index_pct"] if before else None,
                    "band": r["band"],
                    "colour": colours.get(r["band"], figures.UNKNOWN_BAND_COLOUR),
                    "prev_band": before["band"] if before else None,
                    "move_text": move_text,
                    "move_class": move_class,
                    "downgraded": bool(r.get("downgraded")),
                    "notes": notes,
                    "unit_id": r["unit_id"],
                }
            )
        title_group = f"{group_label(group)} — {p.name}"
        fig_rows = [
            {
                "label": x["label"],
                "rank": x["rank"],
                "rank_text": x["rank_text"] if prev_year else "",
                "index_pct": x["index"],
                "band": x["band"],
                "downgraded": x["downgraded"],
                "hover": [
                    x["label"],
                    f"Năm {year}: hạng {x['rank']}, chỉ số {vi_number(x['index'], 2)}%, {x['band']}",
                    *(
                        [f"Năm {prev_year}: hạng {x['prev_rank']}, {x['prev_band']}"]
                        if x["prev_rank"] is not None
                        else []
                    ),
                    *x["notes"],
                ],
            }
            for x in ranking
        ]
        charts = {
            "ranking": figures.figure_html(
                figures.ranking_figure(fig_rows, colours, f"Xếp hạng năm {year} — {group_label(group)}"),
                f"xep-hang-{year}",
            )
        }
        fields = self.d.components.filter(
            (pl.col("year") == year) & (pl.col("node_level") == 1) & pl.col("unit_id").is_in(rows["unit_id"].to_list())
        )
        heat = figures.heatmap_figure(
            rows["unit_id"].to_list(),
            {x["unit_id"]: f"{x['rank']}. {x['label']}" for x in ranking},
            fields,
            f"Chỉ số thành phần theo lĩnh vực năm {year} — {group_label(group)}",
        )
        if heat is not None:
            charts["heatmap"] = figures.figure_html(heat, f"thanh-phan-{year}")
        sipas = self.sipas_block(p, year, group, decision)
        if sipas and sipas.get("figure") is not None:
            charts["sipas"] = sipas.pop("figure")
        papi = self.papi_block(p, year)
        if papi and papi.get("figure") is not None:
            charts["papi"] = papi.pop("figure")

        context = {
            "title": f"Chỉ số CCHC năm {year}: {title_group}",
            "province": p.name,
            "province_synthetic": p.synthetic,
            "year": year,
            "prev_year": prev_year,
            "group_label": group_label(group),
            "decision_full": decision.full(),
            "cite": {
                topic: decision.cite(topic)
                for topic in ("index", "bands", "downgrade", "ranking", "components", "reclassification")
            },
            "any_reclassified": bool(reranked)
            or bool(rows.select(_col(rows, "reclassified", False).fill_null(False).any()).item()),
            "any_tie_broken": bool(rows.select(_col(rows, "tie_broken", False).fill_null(False).any()).item()),
            "downgrade_pct": downgrade,
            "cards": self.cards(rows, ranking, order, prev_year, downgrade),
            "ranking": ranking,
            "bands": [{"band": b, "colour": colours[b]} for b in order if b in colours],
            "charts": {k: Markup(v) for k, v in charts.items()},
            "gap": self.gap_block(year, rows, order),
            "agencies": self.agencies_block(year, rows),
            "cite_appraisal": decision.cite("appraisal"),
            "sipas": sipas,
            "papi": papi,
            "plan": self.plan_block(p, year, root),
            "quality": {**self.quality_summary(), "missing": self.missing_for(p, year, group)},
            "year_links": [
                {
                    "year": y,
                    "href": f"../{y}/{_group_file(group)}" if group in p.groups[y] else None,
                    "current": y == year,
                }
                for y in p.years
            ],
            "group_links": [
                {"label": group_label(g), "href": _group_file(g), "current": g == group} for g in p.groups[year]
            ],
            "source": f"Kết quả Chỉ số CCHC năm {year} (bảng công bố của kho dữ liệu); {decision.short()}",
        }
        return self.page("leadership.html.j2", path, **context)

    def _rank_ranges(self, year: int, unit_ids: list[str]) -> dict[str, str]:
        """Units whose rank a survey's sampling error could change: the range of places it allows."""
        u = self.d.uncertainty
        if u is None or u.is_empty():
            return {}
        wide = u.filter(
            (pl.col("index_kind") == "par_index")
            & (pl.col("year") == year)
            & pl.col("unit_id").is_in(unit_ids)
            & (pl.col("rank_best") != pl.col("rank_worst"))
        )
        return {
            r["unit_id"]: f"Hạng có thể {r['rank_best']}–{r['rank_worst']}"
            for r in wide.iter_rows(named=True)
        }

    def _reranked(self, year: int, unit_ids: list[str]) -> dict[str, str]:
        """Units whose rank changed because another unit's result was voided (1820/QĐ-UBND Art. 7)."""
        h = self.d.history
        if h.is_empty():
            return {}
        moved = h.filter(
            (pl.col("year") == year) & pl.col("unit_id").is_in(unit_ids) & (_col(h, "change_kind") == "reranked")
        )
        return {r["unit_id"]: f"Quyết định {nfc(r['voided_by'])}" for r in moved.iter_rows(named=True)}

    def cards(
        self,
        rows: pl.DataFrame,
        ranking: list[dict[str, Any]],
        order: list[str],
        prev_year: int | None,
        downgrade: float | None,
    ) -> list[dict[str, str]]:
        if rows.is_empty():
            return []
        mean = rows["index_pct"].mean()
        with_prev = [x for x in ranking if x["delta"] is not None]
        prev_mean = (
            sum(x["index"] - x["delta"] for x in with_prev) / len(with_prev) if with_prev and prev_year else None
        )
        counts = Counter(rows["band"].to_list())
        best = max(ranking, key=lambda x: (x["index"], x["label"]))
        worst = min(ranking, key=lambda x: (x["index"], x["label"]))
        cards = [
            {"label": "Số đơn vị", "value": str(rows.height), "note": "xếp hạng trong nhóm"},
            {
                "label": "Chỉ số bình quân",
                "value": f"{vi_number(mean, 2)}%",
                "note": (
                    f"{vi_number(mean - prev_mean, 2, sign=True)} điểm so với năm {prev_year} (cùng đơn vị)"
                    if prev_mean is not None
                    else "chưa có năm trước để so sánh"
                ),
            },
            {
                "label": "Xếp loại",
                "value": " · ".join(f"{b} {counts.get(b, 0)}" for b in order),
                "note": "số đơn vị theo xếp loại",
                "wide": True,
            },
        ]
        if prev_year:
            up = sum(1 for x in ranking if x["move_class"] == "up")
            down = sum(1 for x in ranking if x["move_class"] == "down")
            cards.append(
                {"label": f"So với năm {prev_year}", "value": f"↑ {up} · ↓ {down}", "note": "lên bậc · xuống bậc"}
            )
        cards += [
            {"label": "Cao nhất", "value": f"{vi_number(best['index'], 2)}%", "note": best["label"]},
            {"label": "Thấp nhất", "value": f"{vi_number(worst['index'], 2)}%", "note": worst["label"]},
        ]
        if downgrade is not None:
            n = sum(1 for x in ranking if x["downgraded"])
            cards.append(
                {"label": "Bị hạ một bậc", "value": str(n), "note": f"có lĩnh vực dưới {vi_number(downgrade, 0)}%"}
            )
        reclassified = int(rows["reclassified"].fill_null(False).sum()) if "reclassified" in rows.columns else 0
        if reclassified:
            cards.append({"label": "Xếp loại lại", "value": str(reclassified), "note": "kết quả bị hủy, xếp lại"})
        return cards

    def gap_block(self, year: int, rows: pl.DataFrame, order: list[str]) -> dict[str, Any]:
        """Units furthest below the next band, with the fewest points (and the cheapest leaves) that lift them."""
        gap = self.d.band_gap.filter((pl.col("year") == year) & pl.col("unit_id").is_in(rows["unit_id"].to_list()))
        titles = {
            (r["unit_id"], r["node_code"]): nfc(r["node_title"])
            for r in self.d.components.filter(
                (pl.col("year") == year) & pl.col("unit_id").is_in(rows["unit_id"].to_list())
            )
            .select("unit_id", "node_code", "node_title")
            .iter_rows(named=True)
        }
        units = []
        for (unit_id,), steps in gap.sort("unit_id", "step").group_by("unit_id", maintain_order=True):
            first = steps.row(0, named=True)
            if first["target_band"] is None:
                continue
            leaves = [
                {
                    "code": s["leaf_code"],
                    "points": s["add_points"],
                    "title": titles.get((unit_id, s["leaf_code"])) or nfc(s.get("kind")),
                }
                for s in steps.filter(pl.col("step") > 0).iter_rows(named=True)
            ]
            units.append(
                {
                    "label": self.labels[unit_id],
                    "href": f"../don-vi/{_unit_file(unit_id)}",
                    "band": first["band"],
                    "target": first["target_band"],
                    "target_min": first["target_min_index"],
                    "index": first["index_pct"],
                    "index_gap": first["index_gap"],
                    "points": first["points_needed"],
                    "reachable": first["reachable"] is not False,
                    "blocked_by": nfc(first["blocked_by"]) if first["blocked_by"] else None,
                    "leaves": leaves[:4],
                    "more": max(0, len(leaves) - 4),
                }
            )
        furthest = sorted(units, key=lambda u: (-(u["points"] or 0), u["label"]))[:GAP_UNITS]
        closest = sorted(units, key=lambda u: (u["points"] or 0, u["label"]))[:3]
        return {"furthest": furthest, "closest": closest, "count": len(units)}

    def agencies_block(self, year: int, rows: pl.DataFrame) -> dict[str, Any]:
        """The appraising agencies' view of the group (marts.agency_appraisal): leaves they appraise, and how
        many they changed from the units' own scores, the most changes first."""
        a = self.d.agency.filter((pl.col("year") == year) & pl.col("unit_id").is_in(rows["unit_id"].to_list()))
        if a.is_empty():
            return {"rows": [], "more": 0}
        per = (
            a.group_by("agency")
            .agg(
                pl.len().alias("units"),
                pl.col("leaves").sum(),
                pl.col("changed_leaves").sum().alias("changed"),
                _col(a, "lowered_leaves").sum().alias("lowered"),
                _col(a, "raised_leaves").sum().alias("raised"),
                _col(a, "total_change").sum().alias("total"),
                _col(a, "appeals_changed").sum().alias("appeals_changed"),
            )
            .sort(["changed", "agency"], descending=[True, False])
        )
        changed = per.filter(pl.col("changed") > 0)
        return {
            "rows": [
                {**r, "mean": r["total"] / r["changed"] if r["total"] is not None else None}
                for r in changed.head(AGENCY_ROWS).iter_rows(named=True)
            ],
            "more": max(0, changed.height - AGENCY_ROWS),
            "unchanged": per.height - changed.height,
        }

    def sipas_block(self, p: _Province, year: int, group: str, decision: Decision) -> dict[str, Any] | None:
        s = self.d.sipas
        if s.is_empty():
            return None
        mine = s.filter((pl.col("province_code") == p.code) & (pl.col("year") == year))
        if mine.is_empty():
            return None
        units = mine.filter(
            (pl.col("level") == "unit") & (pl.col("component") == "overall") & (pl.col("unit_group") == group)
        )
        province_row = mine.filter((pl.col("level") == "province") & (pl.col("component") == "overall"))
        block: dict[str, Any] = {
            "province": province_row.row(0, named=True) if province_row.height else None,
            "flagged": [
                {"label": self.labels.get(r["unit_id"], r["unit_name"] or r["unit_id"]), "n": r["n_respondents"]}
                for r in units.filter(pl.col("flag").is_not_null()).sort("unit_id").iter_rows(named=True)
            ],
            "units": units.height,
            "cite": decision.cite("survey"),
            "figure": None,
        }
        if units.height:
            fig = figures.sipas_figure(
                units.with_columns(
                    pl.col("unit_id").replace_strict(self.labels, default=pl.col("unit_name")).alias("unit_name")
                ),
                f"Chỉ số hài lòng (SIPAS) năm {year} — {group_label(group)}",
            )
            block["figure"] = figures.figure_html(fig, f"sipas-{year}")
        return block

    def papi_block(self, p: _Province, year: int) -> dict[str, Any] | None:
        """The province's PAPI up to the page's year; for a province PAPI does not score (a synthetic one) that
        tracks an improvement plan, the PAPI of the province surveys.yaml names (the plan's own province)."""
        papi = self.d.papi
        if papi.is_empty():
            return None
        totals = papi.filter((pl.col("dimension") == "total") & (pl.col("year") <= year))
        own, named = totals.filter(pl.col("province_code") == p.code), None
        plan_ids = self.d.plan.filter(pl.col("province_code") == p.code)["plan_id"].unique().sort().to_list()
        if own.is_empty() and self.d.papi_province and plan_ids:
            own, named = totals.filter(pl.col("province") == self.d.papi_province), self.d.papi_province
        if own.is_empty():
            return None
        own = own.sort("year")
        last = own.row(-1, named=True)
        plan_cite = plan_decision(plan_ids[0], self.plans.get(plan_ids[0])).cite("papi") if plan_ids else None
        fig = figures.papi_rank_figure(
            own,
            year,
            f"Thứ hạng PAPI {'của ' + named if named else 'của tỉnh'} qua các năm, đến năm {year}",
            last.get("top_n") if plan_cite else None,
        )
        sources = own["source"].drop_nulls().unique().sort().to_list() if "source" in own.columns else []
        return {
            "row": last,
            "same_year": last["year"] == year,
            "province": named,
            "synthetic": bool(own["synthetic"].fill_null(False).any()),
            "sources": sources,
            "plan_cite": plan_cite,
            "figure": figures.figure_html(fig, f"papi-{year}"),
        }

    def plan_block(self, p: _Province, year: int, root: str) -> dict[str, Any] | None:
        plan = self.d.plan.filter((pl.col("province_code") == p.code) & (pl.col("year") == year))
        if plan.is_empty():
            return None
        yearly = plan.filter(pl.col("period_kind") == "year")
        now = yearly if yearly.height else plan.filter(pl.col("period_end") == plan["period_end"].max())
        first = now.row(0, named=True)
        decision = plan_decision(first["plan_id"], self.plans.get(first["plan_id"]))
        not_met = now.filter(pl.col("status") == "not_met").sort(
            [pl.col("at_risk").fill_null(False), "seq"], descending=[True, False]
        )
        return {
            "period_label": first["period_label"],
            "targets": now.height,
            "met": int((now["status"] == "met").sum()),
            "not_met": not_met.height,
            "no_data": int((now["status"] == "no_data").sum()),
            "at_risk": int(now["at_risk"].fill_null(False).sum()),
            "rows": [
                {
                    "code": r["target_code"],
                    "title": r["title"],
                    "agency": r["lead_agency"],
                    "actual": value_text(r["actual"], r["unit"]),
                    "target_text": r["target_text"],
                    "at_risk": bool(r["at_risk"]),
                    "change": r["change"],
                }
                for r in not_met.head(PLAN_ROWS).iter_rows(named=True)
            ],
            "more": max(0, not_met.height - PLAN_ROWS),
            "decision": decision.full(),
            "cite": decision.cite("reports"),
            "reports": self.report_links(p, year, prefix=root),
        }

    # unit page ---------------------------------------------------------------------------------------

    def unit_page(self, p: _Province, unit_id: str) -> tuple[str, str]:
        path = f"{p.key}/don-vi/{_unit_file(unit_id)}"
        mine = self.par.filter(pl.col("unit_id") == unit_id).sort("year")
        latest = mine.row(-1, named=True)
        ruleset_id = latest["ruleset_id"]
        decision = self.decision(ruleset_id)
        order = self.band_order(ruleset_id, mine["band"].to_list())
        colours = figures.band_colours(order)
        sizes = dict(
            self.par.filter((pl.col("province_code") == p.code) & (pl.col("unit_group") == latest["unit_group"]))
            .group_by("year")
            .len()
            .iter_rows()
        )
        years = []
        prev = None
        for r in mine.iter_rows(named=True):
            rank_text, rank_class = rank_change(prev["rank"] if prev else None, r["rank"])
            move_text, move_class = band_move(prev["band"] if prev else None, r["band"], order)
            notes = []
            if r.get("downgraded") and r.get("band_reason"):
                notes.append(f"Hạ bậc: {nfc(r['band_reason'])}")
            if r.get("reclassified"):
                notes.append(f"Xếp loại lại theo Quyết định {nfc(r['reclassification_decision_no'])}")
            years.append(
                {
                    "year": r["year"],
                    "index": r["index_pct"],
                    "achieved": r["achieved_points"],
                    "max": r["max_points"],
                    "band": r["band"],
                    "colour": colours.get(r["band"], figures.UNKNOWN_BAND_COLOUR),
                    "rank": r["rank"],
                    "n": sizes.get(r["year"]),
                    "rank_text": rank_text if prev else "",
                    "rank_class": rank_class,
                    "move_text": move_text if prev else "",
                    "move_class": move_class,
                    "notes": notes,
                    "href": f"../{r['year']}/{_group_file(r['unit_group'])}",
                }
            )
            prev = r
        ladder = [
            (b["band"], b["min_index"])
            for b in self.d.bands.filter(pl.col("ruleset_id") == ruleset_id).sort("position").iter_rows(named=True)
        ]
        label = self.labels[unit_id]
        charts = {
            "trajectory": figures.figure_html(
                figures.trajectory_figure(
                    [
                        {"year": y["year"], "index_pct": y["index"], "band": y["band"], "rank": y["rank"], "n": y["n"]}
                        for y in years
                    ],
                    ladder,
                    colours,
                    f"Chỉ số qua các năm — {label}",
                ),
                "qua-cac-nam",
            )
        }
        fields = self.d.components.filter((pl.col("unit_id") == unit_id) & (pl.col("node_level") == 1))
        comp_fig = figures.unit_components_figure(
            fields, f"Chỉ số thành phần theo lĩnh vực — {label}", self.downgrade_pct(ruleset_id)
        )
        if comp_fig is not None:
            charts["components"] = figures.figure_html(comp_fig, "thanh-phan")
        field_years = sorted(fields["year"].unique().to_list())
        field_rows = []
        for (code,), part in fields.sort("node_code", "year").group_by("node_code", maintain_order=True):
            cells = {r["year"]: r["pct"] for r in part.iter_rows(named=True)}
            field_rows.append(
                {
                    "code": code,
                    "title": nfc(part["node_title"][-1]),
                    "cells": [cells.get(y) for y in field_years],
                }
            )
        field_rows.sort(key=lambda f: figures.code_key(f["code"]))
        context = {
            "title": f"{label} — Chỉ số CCHC qua các năm",
            "label": label,
            "group_label": group_label(latest["unit_group"]),
            "province": p.name,
            "province_synthetic": p.synthetic,
            "decision_full": decision.full(),
            "cite": {t: decision.cite(t) for t in ("index", "bands", "components", "appraisal", "reclassification")},
            "downgrade_pct": self.downgrade_pct(ruleset_id),
            "years": years,
            "latest": years[-1],
            "charts": {k: Markup(v) for k, v in charts.items()},
            "field_years": field_years,
            "fields": field_rows,
            "lineage": self.lineage_block(unit_id),
            "agencies": self.agency_block(unit_id),
            "history": self.history_block(unit_id),
            "predecessors": self.predecessors_block(unit_id),
            "gap": self.unit_gap(unit_id, latest["year"]),
            "group_href": f"../{latest['year']}/{_group_file(latest['unit_group'])}",
            "source": f"Kết quả Chỉ số CCHC của đơn vị (bảng công bố của kho dữ liệu); {decision.short()}",
        }
        return self.page("unit.html.j2", path, **context)

    def predecessors_block(self, unit_id: str) -> list[dict[str, Any]]:
        """The unit's predecessors' series (and a composite only where weights were given), each labelled:
        units merged, split, renamed or moved (Nghị quyết 202/2025/QH15), never averaged silently."""
        if self.d.trend is None or "role" not in self.d.trend.columns:
            return []
        rows = self.d.trend.filter((pl.col("unit_id") == unit_id) & (pl.col("role") != "own"))
        return [
            {
                "year": r["year"],
                "role": "Tổng hợp (suy ra)" if r["role"] == "composite" else "Đơn vị tiền thân",
                "unit": nfc(r["series_unit_name"] or "—"),
                "index": r["index_pct"],
                "label": nfc(r["label"]) + (f" — thành phần: {r['members']}" if r["members"] else ""),
            }
            for r in rows.sort("year", "role", "series_unit_id", nulls_last=True).iter_rows(named=True)
        ]

    def lineage_block(self, unit_id: str) -> list[dict[str, Any]]:
        """Per year: how the leaves' scores moved from the unit's own score to the one that counts."""
        lin = self.d.lineage.filter(pl.col("unit_id") == unit_id)
        out = []
        for (year,), part in lin.sort("year").group_by("year", maintain_order=True):
            scored = part.filter(pl.col("method") == "appraised")
            appraised = scored.filter(pl.col("appraised_score").is_not_null())
            self_pts = scored["self_score"].fill_null(0).sum()
            final_pts = scored["final_score"].fill_null(0).sum()
            lowered = appraised.filter(pl.col("appraised_score") < pl.col("self_score").fill_null(0))
            raised = appraised.filter(pl.col("appraised_score") > pl.col("self_score").fill_null(0))
            appeals = part.filter(pl.col("appeal_score").is_not_null())
            won = appeals.filter(pl.col("appeal_score") != pl.col("appraised_score"))
            sources = Counter(part["final_source"].to_list())
            out.append(
                {
                    "year": year,
                    "leaves": part.height,
                    "self_points": self_pts,
                    "final_points": final_pts,
                    "lowered": lowered.height,
                    "raised": raised.height,
                    "appeals": appeals.height,
                    "appeals_changed": won.height,
                    "sources": [
                        {"label": FINAL_SOURCE_LABELS.get(k, k), "n": sources[k]}
                        for k in FINAL_SOURCE_LABELS
                        if sources.get(k)
                    ],
                }
            )
        return out

    def agency_block(self, unit_id: str) -> list[dict[str, Any]]:
        a = self.d.agency.filter(pl.col("unit_id") == unit_id)
        return [
            {
                "year": r["year"],
                "agency": r["agency"],
                "leaves": r["leaves"],
                "changed": r["changed_leaves"],
                "lowered": r.get("lowered_leaves"),
                "raised": r.get("raised_leaves"),
                "mean_change": r["mean_change"],
                "appealed": r.get("appealed_leaves"),
                "appeals_changed": r.get("appeals_changed"),
                "codes": r.get("changed_codes"),
            }
            for r in a.sort(["year", "changed_leaves", "agency"], descending=[True, True, False]).iter_rows(named=True)
        ]

    def history_block(self, unit_id: str) -> list[dict[str, Any]]:
        h = self.d.history.filter(pl.col("unit_id") == unit_id)
        if h.is_empty():
            return []
        versions = h.group_by("year").len().filter(pl.col("len") > 1)["year"].to_list()
        return [
            {
                "year": r["year"],
                "version": r["version"],
                "valid": bool(r["valid"]),
                "index": r["index_pct"],
                "band": r["band"],
                "rank": r["rank"],
                "decided_by": r["decided_by"],
                "voided_by": r["voided_by"],
                "voided_on": vi_date(r.get("voided_on")) if r.get("voided_on") else None,
                "reason": r["void_reason"],
                "reranked": r.get("change_kind") == "reranked",
            }
            for r in h.filter(pl.col("year").is_in(versions)).sort("year", "version").iter_rows(named=True)
        ]

    def unit_gap(self, unit_id: str, year: int) -> dict[str, Any] | None:
        g = self.d.band_gap.filter((pl.col("unit_id") == unit_id) & (pl.col("year") == year)).sort("step")
        if g.is_empty():
            return None
        first = g.row(0, named=True)
        titles = dict(
            self.d.components.filter((pl.col("unit_id") == unit_id) & (pl.col("year") == year))
            .select("node_code", "node_title")
            .iter_rows()
        )
        return {
            "year": year,
            "target": first["target_band"],
            "target_min": first["target_min_index"],
            "points": first["points_needed"],
            "note": first["note"],
            "blocked_by": first["blocked_by"],
            "reachable": first["reachable"] is not False,
            "steps": [
                {
                    "step": s["step"],
                    "code": s["leaf_code"],
                    "title": nfc(titles.get(s["leaf_code"], "")),
                    "points": s["add_points"],
                    "kind": s.get("kind"),
                }
                for s in g.filter(pl.col("step") > 0).iter_rows(named=True)
            ],
        }

    # data quality -------------------------------------------------------------------------------------

    def quality_page(self) -> tuple[str, str]:
        q = self.d.quarantine
        by_rule = (
            q.group_by(["source", "rule"])
            .agg(pl.len().alias("n"))
            .sort(["source", "n", "rule"], descending=[False, True, False])
            if q.height
            else q
        )
        detail = q.sort(["source_file", "row_number", "rule", "column_name"], nulls_last=True).head(
            QUARANTINE_DETAIL_ROWS
        )
        names = {p.code: p.name for p in self.provinces}
        missing = [
            {**r, "province": names.get(r["province_code"], r["province_code"]), "group": group_label(r["unit_group"])}
            for r in (
                []
                if self.d.missing is None
                else self.d.missing.sort("year", "province_code", "unit_group", "unit_id").to_dicts()
            )
        ]
        return self.page(
            "quality.html.j2",
            QUALITY_PAGE,
            title="Chất lượng dữ liệu đầu vào",
            balance=[
                {**r, "label": SOURCE_LABELS.get(r["source"], r["source"])}
                for r in self.d.balance.sort("source").iter_rows(named=True)
            ],
            by_rule=[
                {
                    "source": SOURCE_LABELS.get(r["source"], r["source"]),
                    "rule": RULE_LABELS.get(r["rule"], r["rule"]),
                    "n": r["n"],
                }
                for r in by_rule.iter_rows(named=True)
            ],
            detail=[{**r, "message": rule_words(r["message"])} for r in detail.iter_rows(named=True)],
            quarantined=q.height,
            checks=[
                {
                    "kind": check_label(r["check_name"]),
                    "table": table_label(r["asset"]),
                    "error": r["severity"] == "ERROR",
                    "passed": bool(r["passed"]),
                    "failing": r["failing"],
                }
                for r in self.d.checks.sort("asset", "check_name").iter_rows(named=True)
            ],
            missing=missing,
            missing_known=self.d.missing is not None,
            source="Hồ sơ kiểm tra dữ liệu của lần chạy (dòng cách ly, cân đối dòng, kết quả kiểm tra)",
        )


def build_pack(data: PackData) -> dict[str, str]:
    """Every file of the pack, as {path inside the pack: text}, sorted; pure and deterministic."""
    return _Pack(data).build()


def write_pack(folder: Path, files: dict[str, str]) -> Path:
    """Write the pack into `folder` (replaced whole: a page no longer built does not linger); return its index."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    tmp = folder.with_name(folder.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    for rel, text in files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    os.replace(tmp, folder)
    return folder / INDEX


def legacy_redirect() -> str:
    """`dashboard.html` in the curated folder, where the single-page dashboard used to be: opens the pack."""
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0; url={PACK_DIR}/{INDEX}">\n'
        "<title>Chỉ số cải cách hành chính</title>\n</head>\n<body>\n"
        f'<p>Bộ trang Chỉ số cải cách hành chính đã chuyển sang thư mục <a href="{PACK_DIR}/{INDEX}">'
        f"{PACK_DIR}/{INDEX}</a>.</p>\n</body>\n</html>\n"
    )
