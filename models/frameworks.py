"""Frameworks: a decision's criteria trees and rules, read from data files officers edit.

A ruleset is one decision (e.g. Hưng Yên 1708/QĐ-UBND, seed 000): its validity in
evaluation years, its bands, downgrade and tiebreak rules (`framework.yaml`) and one criteria
tree per unit group (`<group>.csv`). See docs/inputs.md for the file contract.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from models.text import normalize_text, parse_number

METHODS = ("appraised", "survey", "bonus", "penalty")
SCORED_METHODS = ("appraised", "survey")  # count in the unit's max; bonus/penalty do not
CRITERIA_SCHEMA = {
    "ruleset_id": pl.String,
    "unit_group": pl.String,
    "code": pl.String,
    "parent_code": pl.String,
    "field_code": pl.String,
    "level": pl.Int32,
    "title": pl.String,
    "max_points": pl.Float64,
    "method": pl.String,
    "appraising_agency": pl.String,
    "tiebreak": pl.Boolean,
    "is_leaf": pl.Boolean,
    "source": pl.String,
}


class FrameworkError(ValueError):
    """A framework file that cannot be used to score; names the file, row and rule."""


@dataclass(frozen=True)
class Band:
    name: str
    min: float


@dataclass(frozen=True)
class Ruleset:
    ruleset_id: str
    family: str
    folder: Path
    decision_no: str
    decision_date: str
    valid_from_year: int
    valid_to_year: int | None
    replaces: str | None
    scale: float
    criteria_files: dict[str, str]
    content_areas: tuple[str, ...]
    bands: tuple[Band, ...]
    downgrade_applies_to: tuple[str, ...] = ()
    downgrade_below_pct: float | None = None
    downgrade_steps: int = 1
    tiebreak: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def covers(self, year: int) -> bool:
        return self.valid_from_year <= year and (self.valid_to_year is None or year <= self.valid_to_year)

    @property
    def band_names(self) -> list[str]:
        return [b.name for b in self.bands]


def load_ruleset(folder: Path) -> Ruleset:
    path = folder / "framework.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        classification = doc["classification"]
        downgrade = classification.get("downgrade") or {}
        bands = tuple(Band(normalize_text(b["name"]), float(b["min"])) for b in classification["bands"])
        if [b.min for b in bands] != sorted((b.min for b in bands), reverse=True):
            raise FrameworkError(f"{path}: classification.bands phải xếp từ cao xuống thấp")
        return Ruleset(
            ruleset_id=doc["ruleset_id"],
            family=doc["family"],
            folder=folder,
            decision_no=doc["decision_no"],
            decision_date=str(doc["decision_date"]),
            valid_from_year=int(doc["valid_from_year"]),
            valid_to_year=None if doc.get("valid_to_year") is None else int(doc["valid_to_year"]),
            replaces=doc.get("replaces"),
            scale=float(doc.get("scale", 100)),
            criteria_files={g: spec["file"] for g, spec in doc["criteria"].items()},
            content_areas=tuple(str(c) for c in doc.get("content_areas", [])),
            bands=bands,
            downgrade_applies_to=tuple(downgrade.get("applies_to", [])),
            downgrade_below_pct=downgrade.get("content_area_below_pct"),
            downgrade_steps=int(downgrade.get("steps", 1)),
            tiebreak=(doc.get("ranking") or {}).get("tiebreak"),
            raw=doc,
        )
    except KeyError as missing:
        raise FrameworkError(f"{path}: thiếu khóa bắt buộc {missing}") from None


def load_rulesets(frameworks_dir: Path) -> list[Ruleset]:
    rulesets = [load_ruleset(p.parent) for p in sorted(frameworks_dir.glob("*/framework.yaml"))]
    by_family: dict[str, list[Ruleset]] = {}
    for r in rulesets:
        by_family.setdefault(r.family, []).append(r)
    for family, items in by_family.items():
        items.sort(key=lambda r: r.valid_from_year)
        for older, newer in zip(items, items[1:], strict=False):
            if older.valid_to_year is None or older.valid_to_year >= newer.valid_from_year:
                raise FrameworkError(
                    f"Bộ quy tắc '{family}': {older.ruleset_id} và {newer.ruleset_id} có hiệu lực chồng lấn"
                )
    return rulesets


def ruleset_for(rulesets: list[Ruleset], family: str, year: int) -> Ruleset | None:
    """The decision in force for a year; older years keep the decision that scored them."""
    matches = [r for r in rulesets if r.family == family and r.covers(year)]
    return matches[0] if matches else None


def load_criteria(ruleset: Ruleset) -> pl.DataFrame:
    """All criteria trees of a ruleset as one frame, checked so that scoring can trust it."""
    rows: list[dict] = []
    for group, filename in ruleset.criteria_files.items():
        path = ruleset.folder / filename
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for line_no, rec in enumerate(csv.DictReader(fh), start=2):
                rows.append(_criterion_row(ruleset, group, path, line_no, rec))
    frame = pl.DataFrame(rows, schema=CRITERIA_SCHEMA, orient="row")
    _check_tree(frame, ruleset)
    return frame


def _criterion_row(ruleset: Ruleset, group: str, path: Path, line_no: int, rec: dict) -> dict:
    code = normalize_text(rec.get("code"))
    if not code:
        raise FrameworkError(f"{path}, dòng {line_no}, cột code: mã tiêu chí bị trống")
    method = normalize_text(rec.get("method"))
    if method is not None and method not in METHODS:
        raise FrameworkError(f"{path}, dòng {line_no}, cột method: '{method}' không thuộc {METHODS}")
    try:
        max_points = parse_number(rec.get("max_points"))
    except ValueError:
        raise FrameworkError(
            f"{path}, dòng {line_no}, cột max_points: '{rec.get('max_points')}' không phải số"
        ) from None
    if method is not None and (max_points is None or max_points < 0):
        raise FrameworkError(f"{path}, dòng {line_no}, cột max_points: tiêu chí lá cần điểm tối đa ≥ 0")
    parts = code.split(".")
    return {
        "ruleset_id": ruleset.ruleset_id,
        "unit_group": group,
        "code": code,
        "parent_code": normalize_text(rec.get("parent_code")),
        "field_code": parts[0],
        "level": len(parts),
        "title": normalize_text(rec.get("title")),
        "max_points": max_points,
        "method": method,
        "appraising_agency": normalize_text(rec.get("appraising_agency")),
        "tiebreak": (normalize_text(rec.get("tiebreak")) or "").casefold() in {"có", "x", "yes", "1"},
        "is_leaf": method is not None,
        "source": normalize_text(rec.get("source")),
    }


def _check_tree(frame: pl.DataFrame, ruleset: Ruleset) -> None:
    for (group,), tree in frame.group_by("unit_group", maintain_order=True):
        codes = set(tree["code"])
        dupes = tree.filter(pl.col("code").is_duplicated())["code"].unique().to_list()
        if dupes:
            raise FrameworkError(f"{ruleset.ruleset_id}/{group}: mã tiêu chí trùng {sorted(dupes)}")
        for rec in tree.iter_rows(named=True):
            expected_parent = ".".join(rec["code"].split(".")[:-1]) or None
            if rec["parent_code"] != expected_parent or (expected_parent and expected_parent not in codes):
                raise FrameworkError(
                    f"{ruleset.ruleset_id}/{group}, tiêu chí {rec['code']}: tiêu chí cha phải là "
                    f"'{expected_parent}' và có trong bảng"
                )
            if not rec["is_leaf"] and rec["max_points"] is not None:
                leaves = tree.filter(
                    pl.col("code").str.starts_with(rec["code"] + ".") & pl.col("method").is_in(SCORED_METHODS)
                )
                total = leaves["max_points"].sum()
                if abs(total - rec["max_points"]) > 1e-9:
                    raise FrameworkError(
                        f"{ruleset.ruleset_id}/{group}, tiêu chí {rec['code']}: điểm tối đa "
                        f"{rec['max_points']:g} khác tổng các tiêu chí con {total:g}"
                    )
        scored = tree.filter(pl.col("method").is_in(SCORED_METHODS))["max_points"].sum()
        if abs(scored - ruleset.scale) > 1e-9:
            raise FrameworkError(
                f"{ruleset.ruleset_id}/{group}: tổng điểm tối đa {scored:g} khác thang điểm {ruleset.scale:g}"
            )


def load_frameworks(frameworks_dir: Path) -> tuple[list[Ruleset], pl.DataFrame]:
    """Every ruleset under `frameworks_dir` and all their criteria, checked."""
    rulesets = load_rulesets(frameworks_dir)
    if not rulesets:
        raise FrameworkError(f"Không có bộ chỉ số nào trong {frameworks_dir}")
    criteria = pl.concat([load_criteria(r) for r in rulesets], how="vertical")
    return rulesets, criteria


def rulesets_frame(rulesets: list[Ruleset]) -> pl.DataFrame:
    """One row per decision, for the warehouse and the docs."""
    return pl.DataFrame(
        [
            {
                "ruleset_id": r.ruleset_id,
                "family": r.family,
                "decision_no": r.decision_no,
                "decision_date": r.decision_date,
                "valid_from_year": r.valid_from_year,
                "valid_to_year": r.valid_to_year,
                "replaces": r.replaces,
                "scale": r.scale,
                "bands": ", ".join(f"{b.name} ≥ {b.min:g}" for b in r.bands),
                "downgrade_below_pct": r.downgrade_below_pct,
                "tiebreak": r.tiebreak,
            }
            for r in rulesets
        ],
        schema_overrides={
            "valid_to_year": pl.Int64,
            "downgrade_below_pct": pl.Float64,
            "replaces": pl.String,
            "tiebreak": pl.String,
        },
    )
