"""Frameworks: a decision's criteria trees and rules, read from data files officers edit.

A ruleset is one decision (e.g. Hưng Yên 1708/QĐ-UBND): its validity in
evaluation years, its bands, downgrade and tiebreak rules (`framework.yaml`) and one criteria
tree per unit group (`<group>.csv`). See docs/inputs.md for the file contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polars as pl
import yaml

from models.ingest.documents import Documents
from models.ingest.records import RowProblem
from models.ingest.values import number
from models.par.fact_rules import FactRuleError, parse_rule
from models.text import normalize_text

METHODS = ("appraised", "survey", "bonus", "penalty")
SCORED_METHODS = ("appraised", "survey")  # count in the unit's max; bonus/penalty do not
APPRAISED_METHODS = ("appraised", "bonus", "penalty")  # self-assessed, then appraised
# What the index divides by (framework.yaml `index_max`):
# - applicable_leaves: Σ max of the leaves that apply, so a unit for which some leaves do not apply
#   is scaled to 100 (1708/QĐ-UBND Art. 3.3, 4.3.b; 1820/QĐ-UBND Art. 3, 6.3);
# - scale: always the full scale (QĐ Quảng Ninh 2022 §II.1.d: "tổng điểm tối đa (100 điểm)").
INDEX_MAX_RULES = ("applicable_leaves", "scale")
# framework.yaml `appraised_by`: a group's leaves are appraised by each leaf's `appraising_agency`…
LEAF_AGENCY = "leaf_agency"
# …or by a named body; `{parent_unit_name}` / `{parent_unit_id}` name a commune's district (2722/QĐ-UBND §II.3.b).
# framework.yaml `parents`: the group a unit's parent is in, or the province itself (after the district
# level ended on 1/7/2025, Nghị quyết 202/2025/QH15, a commune's parent is its province).
PROVINCE_PARENT = "province"
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
    # Bonus and penalty leaves only, optional: the rule that computes the leaf from facts
    # (models/par/fact_rules.py; bonus_penalty/*.csv, docs/inputs.md), e.g. `late_without_apology_pct > 30`.
    "computed_from": pl.String,
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
    folder: PurePosixPath  # frameworks/<ruleset-id>, within the rule files
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
    index_max: str = "applicable_leaves"
    appraised_by: dict[str, str] = field(default_factory=dict, compare=False)
    reclassification: bool = False
    parents: dict[str, str] = field(default_factory=dict, compare=False)  # group → its parent's group
    ranked_within_parent: tuple[str, ...] = ()  # groups also ranked within their parent unit
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def covers(self, year: int) -> bool:
        return self.valid_from_year <= year and (self.valid_to_year is None or year <= self.valid_to_year)

    @property
    def unit_groups(self) -> tuple[str, ...]:
        """Groups this decision scores (a criteria tree) or assigns an appraising body to."""
        return tuple(dict.fromkeys([*self.criteria_files, *self.appraised_by]))

    def appraiser(self, unit_group: str, leaf_agency: str | None, parent_id: str | None, parent_name: str | None):
        """Who appraises a leaf of a unit (1708/QĐ-UBND Art. 5.2.a, 9.5-9.11; 2722/QĐ-UBND §II.2-3;
        1820/QĐ-UBND Art. 6.2)."""
        rule = self.appraised_by.get(unit_group, LEAF_AGENCY)
        if rule == LEAF_AGENCY:
            return leaf_agency
        return rule.format(parent_unit_id=parent_id or "?", parent_unit_name=parent_name or "?")

    @property
    def band_names(self) -> list[str]:
        return [b.name for b in self.bands]


def load_ruleset(docs: Documents, path: PurePosixPath) -> Ruleset:
    """One `framework.yaml`, from the run's snapshot of rule files."""
    folder = path.parent
    try:
        doc = yaml.safe_load(docs.read(path))
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path}: không đọc được YAML ({exc})") from None
    try:
        criteria = doc["criteria"] or {}
        # A decision without criteria trees (e.g. Bến Tre's plan 2722/QĐ-UBND, which only
        # says who appraises whom) scores nothing and needs no bands.
        classification = doc["classification"] if criteria else (doc.get("classification") or {"bands": []})
        downgrade = classification.get("downgrade") or {}
        bands = tuple(Band(normalize_text(b["name"]), float(b["min"])) for b in classification["bands"])
        if [b.min for b in bands] != sorted((b.min for b in bands), reverse=True):
            raise FrameworkError(f"{path}: classification.bands phải xếp từ cao xuống thấp")
        if criteria and not bands:
            raise FrameworkError(f"{path}: classification.bands không được để trống")
        index_max = (doc.get("index_max") or "applicable_leaves").strip()
        if index_max not in INDEX_MAX_RULES:
            raise FrameworkError(f"{path}: index_max '{index_max}' không thuộc {INDEX_MAX_RULES}")
        # Each group: `{by: leaf_agency | <body>, source: <article>}` or just the `by` text.
        appraised_by = {
            str(g): normalize_text(v["by"] if isinstance(v, dict) else v)
            for g, v in (doc.get("appraised_by") or {}).items()
        }
        # Each group: `{group: <parent group> | province, ranked_within: true|false, source: <article>}`.
        parents = {str(g): normalize_text(v["group"]) for g, v in (doc.get("parents") or {}).items()}
        ranked_within = tuple(str(g) for g, v in (doc.get("parents") or {}).items() if v.get("ranked_within"))
        return Ruleset(
            parents=parents,
            ranked_within_parent=ranked_within,
            ruleset_id=doc["ruleset_id"],
            family=doc["family"],
            folder=folder,
            decision_no=doc["decision_no"],
            decision_date=str(doc["decision_date"]),
            valid_from_year=int(doc["valid_from_year"]),
            valid_to_year=None if doc.get("valid_to_year") is None else int(doc["valid_to_year"]),
            replaces=doc.get("replaces"),
            scale=float(doc.get("scale", 100)),
            criteria_files={g: spec["file"] for g, spec in criteria.items()},
            content_areas=tuple(str(c) for c in doc.get("content_areas", [])),
            bands=bands,
            downgrade_applies_to=tuple(downgrade.get("applies_to", [])),
            downgrade_below_pct=downgrade.get("content_area_below_pct"),
            downgrade_steps=int(downgrade.get("steps", 1)),
            tiebreak=(doc.get("ranking") or {}).get("tiebreak"),
            index_max=index_max,
            appraised_by=appraised_by,
            reclassification=bool((doc.get("reclassification") or {}).get("allowed", False)),
            raw=doc,
        )
    except KeyError as missing:
        raise FrameworkError(f"{path}: thiếu khóa bắt buộc {missing}") from None


def load_rulesets(docs: Documents) -> list[Ruleset]:
    rulesets = [load_ruleset(docs, p) for p in sorted(docs.glob("frameworks/*/framework.yaml"))]
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


def load_criteria(ruleset: Ruleset, docs: Documents) -> pl.DataFrame:
    """All criteria trees of a ruleset as one frame, checked so that scoring can trust it."""
    rows: list[dict] = []
    for group, filename in ruleset.criteria_files.items():  # none for a plan-only decision
        path = ruleset.folder / filename
        if not docs.exists(path):
            raise FrameworkError(f"{ruleset.folder}/framework.yaml: không có tệp tiêu chí {path}")
        rows += [_criterion_row(ruleset, group, path, line_no, rec) for line_no, rec in docs.csv_rows(path)]
    frame = pl.DataFrame(rows, schema=CRITERIA_SCHEMA, orient="row")
    _check_tree(frame, ruleset)
    return frame


def _criterion_row(ruleset: Ruleset, group: str, path: PurePosixPath, line_no: int, rec: dict) -> dict:
    code = normalize_text(rec.get("code"))
    if not code:
        raise FrameworkError(f"{path}, dòng {line_no}, cột code: mã tiêu chí bị trống")
    method = normalize_text(rec.get("method"))
    if method is not None and method not in METHODS:
        raise FrameworkError(f"{path}, dòng {line_no}, cột method: '{method}' không thuộc {METHODS}")
    try:  # a leaf's max is within the scale: `1.875` is 1,875 points, never 1875
        max_points = number(rec, "max_points", kind="score", maximum=ruleset.scale, required=False)
    except RowProblem as p:
        raise FrameworkError(f"{path}, dòng {line_no}, cột max_points: {p.message}") from None
    if method is not None and (max_points is None or max_points < 0):
        raise FrameworkError(f"{path}, dòng {line_no}, cột max_points: tiêu chí lá cần điểm tối đa ≥ 0")
    computed_from = normalize_text(rec.get("computed_from"))
    try:
        rule = parse_rule(computed_from)
    except FactRuleError as exc:
        raise FrameworkError(f"{path}, dòng {line_no}, cột computed_from: {exc}") from None
    if rule is not None and method not in ("bonus", "penalty"):
        raise FrameworkError(
            f"{path}, dòng {line_no}, cột computed_from: chỉ tiêu chí điểm thưởng hoặc điểm trừ được tính từ số liệu"
        )
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
        "computed_from": computed_from,
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


def load_frameworks(docs: Documents | Path) -> tuple[list[Ruleset], pl.DataFrame]:
    """Every ruleset and all their criteria, checked: from the run's rule files, or (for notebooks,
    tests and benchmarks) from a `frameworks/` folder on disk."""
    if isinstance(docs, Path):
        docs = Documents.from_dir(docs.parent, ("frameworks/*/*",))
    rulesets = load_rulesets(docs)
    if not rulesets:
        raise FrameworkError("Không có bộ chỉ số nào trong thư mục frameworks")
    criteria = pl.concat([load_criteria(r, docs) for r in rulesets], how="vertical")
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
                "index_max": r.index_max,
                "reclassification": r.reclassification,
                "province_rules": r.raw.get("province_rules"),
                "unit_groups": ", ".join(r.unit_groups),
            }
            for r in rulesets
        ],
        schema_overrides={
            "valid_to_year": pl.Int64,
            "downgrade_below_pct": pl.Float64,
            "replaces": pl.String,
            "tiebreak": pl.String,
            "province_rules": pl.String,
        },
    )


def bands_frame(rulesets: list[Ruleset]) -> pl.DataFrame:
    """One row per ruleset and band, best first (`position` 1), with its lower bound."""
    return pl.DataFrame(
        [
            {"ruleset_id": r.ruleset_id, "position": i, "band": b.name, "min_index": b.min}
            for r in rulesets
            for i, b in enumerate(r.bands, start=1)
        ],
        schema={"ruleset_id": pl.String, "position": pl.Int32, "band": pl.String, "min_index": pl.Float64},
    )


def _appraisal_source(ruleset: Ruleset, group: str) -> str | None:
    spec = (ruleset.raw.get("appraised_by") or {}).get(group)
    return normalize_text(spec.get("source")) if isinstance(spec, dict) else None


def appraisal_bodies_frame(rulesets: list[Ruleset]) -> pl.DataFrame:
    """Who appraises whom, per decision and unit group (1708/QĐ-UBND Art. 5.2, 9.5-9.11; 2722/QĐ-UBND §II;
    QĐ Quảng Ninh 2022 §III.1; 1820/QĐ-UBND Art. 6.2). `leaf_agency` means each leaf's
    `appraising_agency` in the criteria file."""
    return pl.DataFrame(
        [
            {
                "ruleset_id": r.ruleset_id,
                "decision_no": r.decision_no,
                "unit_group": g,
                "appraised_by": r.appraised_by.get(g, LEAF_AGENCY),
                "has_criteria": g in r.criteria_files,
                "source": _appraisal_source(r, g),
            }
            for r in rulesets
            for g in r.unit_groups
        ],
        schema={
            "ruleset_id": pl.String,
            "decision_no": pl.String,
            "unit_group": pl.String,
            "appraised_by": pl.String,
            "has_criteria": pl.Boolean,
            "source": pl.String,
        },
    )
