"""A SYNTHETIC national data set: all of Vietnam's 63 provinces, ten years, made up (deterministic, seeded).

Nothing here is real data: every province, unit, score, appraisal, appeal, survey answer and
re-classification is drawn from a seeded random generator, and every place that shows it says so
(provinces are named "Tỉnh tổng hợp NN (dữ liệu tổng hợp)", `synthetic = true`).

What it makes, at full size (`NationalSpec()`):
- 63 provinces under the bundled rulesets (families hung-yen, quang-tri, quang-ninh), ~700 districts,
  ~10.6 k communes, ~1.3 k departments (and, under QĐ Quảng Ninh 2022 §I.3, central agencies and
  public service units), 10 years (2016-2025);
- the bundled decisions' criteria trees WIDENED to about 100 leaves each (`national_frameworks`):
  every appraised leaf is split into 2 or 4 equal parts (a power of two, so the parts add up
  exactly); bands, downgrade, tiebreak, `index_max` and re-classification rules are the decisions'
  own, untouched; validity is stretched so that each family has a decision in force for every
  generated year (Hưng Yên: 2741/QĐ-UBND to 2020, 1708/QĐ-UBND from 2021, as 1708/QĐ-UBND Art. 2);
- staged tables (the schemas of models/par/staging.py): self-assessments with leaves not applicable
  and left blank, appraisal rounds (some leaves decided twice: the later decision counts), appeals,
  survey shares (some districts did not survey their communes, 1708/QĐ-UBND Art. 5.3.a), survey
  results named but quarantined, and re-classifications under 1820/QĐ-UBND Art. 7;
- SIPAS respondents (~40 k a year, 20 questions), in the layout of data/raw/surveys/sipas;
- one province-year of real `.xlsx` self-assessment forms (`write_forms`, docs/inputs.md).

Generation is vectorised (numpy + Polars) and writes year by year, so its memory is one year.
Run: `.venv/bin/python -m benchmarks.national --out tmp/national` (writes warehouse.duckdb with the
staging schema, frameworks/ and a province-year of forms).
"""

from __future__ import annotations

import argparse
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from models.par.frameworks import Ruleset, load_frameworks, rulesets_frame
from models.par.reclassification import RECLASSIFICATION_SCHEMA
from models.par.staging import APPRAISAL_SCHEMA, SUBMISSION_SCHEMA, SURVEY_SCHEMA

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "raw" / "frameworks"
SYNTHETIC_NOTE = "dữ liệu tổng hợp"  # shown in every generated province name
SURVEY_RESULT_SCHEMA = {**SURVEY_SCHEMA, "survey_source": pl.String, "survey_id": pl.String}
UNIT_SCHEMA = {
    "unit_id": pl.String,
    "unit_name": pl.String,
    "unit_group": pl.String,
    "parent_unit_id": pl.String,
    "province_code": pl.String,
}
# Which decision scores a family in a generated year (validity stretched to the decade, see above).
FAMILY_RULESETS = {
    "hung-yen": (("hung-yen-2741-2020", 2016, 2020), ("hung-yen-1708-2021", 2021, None)),
    "quang-tri": (("quang-tri-1820-2024", 2016, None),),
    "quang-ninh": (("quang-ninh-2022", 2016, None),),
}
TARGET_LEAVES = 100
DEPARTMENT_NAMES = [
    "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Công Thương", "Sở Xây dựng",
    "Sở Giao thông vận tải", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Lao động - Thương binh và Xã hội", "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông", "Thanh tra tỉnh", "Ban Quản lý các khu công nghiệp",
    "Văn phòng UBND tỉnh", "Sở Ngoại vụ", "Ban Dân tộc", "Sở Du lịch",
]  # fmt: skip
SIPAS_QUESTIONS = [f"C{c}.{q}" for c, n in ((1, 4), (2, 4), (3, 7), (4, 3), (5, 2)) for q in range(1, n + 1)]
CUT_REASONS = ["Thiếu tài liệu kiểm chứng", "Chậm thời hạn", "Chưa đạt tỷ lệ yêu cầu", "Tài liệu không hợp lệ"]


@dataclass(frozen=True)
class NationalSpec:
    """Sizes of the synthetic country. Defaults: ~12.7 k units a year, ~100 leaves each, 10 years."""

    provinces: int = 63
    districts: int = 700
    communes: int = 10_600
    departments: int = 1_300
    central_agencies: int = 8  # per Quảng Ninh-family province (QĐ Quảng Ninh 2022 §I.3)
    public_service_units: int = 6
    years: tuple[int, ...] = tuple(range(2016, 2026))
    sipas_respondents: int = 40_000  # a year
    seed: int = 20211013

    def small(self, provinces: int = 3, years: tuple[int, ...] = (2020, 2021)) -> NationalSpec:
        """The same country shape at a size for tests: `provinces` provinces, the given years."""
        f = provinces / self.provinces
        return NationalSpec(
            provinces=provinces,
            districts=max(provinces, round(self.districts * f)),
            communes=max(provinces, round(self.communes * f)),
            departments=max(provinces, round(self.departments * f)),
            central_agencies=2,
            public_service_units=2,
            years=years,
            sipas_respondents=max(200, round(self.sipas_respondents * f)),
            seed=self.seed,
        )


@dataclass
class NationalData:
    """The generated country: small tables whole, the big ones by year (`year_tables`)."""

    spec: NationalSpec
    frameworks_dir: Path
    rulesets: list[Ruleset]
    criteria: pl.DataFrame
    provinces: pl.DataFrame
    units: pl.DataFrame
    leaves: pl.DataFrame = field(repr=False)  # ruleset_id, unit_group, leaf facts

    def ruleset_for(self, family: str, year: int) -> str:
        for rid, start, end in FAMILY_RULESETS[family]:
            if start <= year and (end is None or year <= end):
                return rid
        raise ValueError(f"no ruleset for {family} in {year}")


# --------------------------------------------------------------------------------------------------
# Frameworks: the bundled trees widened to ~100 leaves (synthetic)
# --------------------------------------------------------------------------------------------------
def national_frameworks(out: Path, target_leaves: int = TARGET_LEAVES) -> Path:
    """Copy the bundled rulesets that score something, each appraised leaf split into 2 or 4 parts."""
    dest = out / "frameworks"
    if dest.exists():
        shutil.rmtree(dest)
    stretch = {rid: (start, end) for items in FAMILY_RULESETS.values() for rid, start, end in items}
    for rid, (start, end) in stretch.items():
        src = BUNDLED / rid
        (dest / rid).mkdir(parents=True)
        text = (src / "framework.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^valid_from_year: .*$", f"valid_from_year: {start}", text)
        text = re.sub(r"(?m)^valid_to_year: .*$", f"valid_to_year: {'null' if end is None else end}", text)
        note = (
            "# SYNTHETIC copy for benchmarks (benchmarks/national.py): the decision's rules are unchanged; every\n"
            "# appraised leaf of its trees is split into equal parts (~100 leaves a tree) and its validity is\n"
            "# stretched to the generated years. Not the decision's text.\n"
        )
        (dest / rid / "framework.yaml").write_text(note + text, encoding="utf-8")
        for csv_file in sorted(src.glob("*.csv")):
            frame = pl.read_csv(csv_file, infer_schema=False)
            (dest / rid / csv_file.name).write_text(_widen(frame, target_leaves), encoding="utf-8")
    return dest


def _widen(tree: pl.DataFrame, target: int) -> str:
    """Split appraised leaves into 2, 4 or 8 equal parts (powers of two: the parts add up exactly)
    until the tree has about `target` leaves."""
    appraised = tree.filter(pl.col("method") == "appraised").height
    others = tree.filter(pl.col("method").is_not_null()).height - appraised
    k = max((k for k in (1, 2, 4) if others + appraised * k <= target), default=1)
    doubled = (target - others - appraised * k) // k  # this many leaves get 2k parts instead of k
    rows, seen = [], 0
    for rec in tree.iter_rows(named=True):
        if rec["method"] != "appraised":
            rows.append(rec)
            continue
        parts = 2 * k if seen < doubled else k
        seen += 1
        if parts == 1:
            rows.append(rec)
            continue
        rows.append({**rec, "method": None, "appraising_agency": None, "tiebreak": None})
        share = float(rec["max_points"]) / parts
        for i in range(1, parts + 1):
            rows.append(
                {
                    **rec,
                    "code": f"{rec['code']}.{i}",
                    "parent_code": rec["code"],
                    "title": f"{rec['title']} (phần {i}, tổng hợp)",
                    "max_points": f"{share:g}",
                    "source": "synthetic split (benchmarks/national.py)",
                }
            )
    return pl.DataFrame(rows, schema=dict.fromkeys(tree.columns, pl.String)).write_csv()


# --------------------------------------------------------------------------------------------------
# The country
# --------------------------------------------------------------------------------------------------
def build(spec: NationalSpec, out: Path) -> NationalData:
    """Frameworks, provinces and units; the yearly tables come from `year_tables`."""
    frameworks_dir = national_frameworks(out)
    rulesets, criteria = load_frameworks(frameworks_dir)
    rng = np.random.default_rng(spec.seed)
    codes = [f"N{i:02d}" for i in range(1, spec.provinces + 1)]
    # One province in seven under QĐ Quảng Ninh 2022; the rest split between Hưng Yên and Quảng Trị rules.
    families = ["quang-ninh" if i % 7 == 2 else ("hung-yen" if i % 2 == 0 else "quang-tri") for i in range(len(codes))]
    provinces = pl.DataFrame(
        {
            "province_code": codes,
            "province_name": [f"Tỉnh tổng hợp {c[1:]} ({SYNTHETIC_NOTE})" for c in codes],
            "ruleset_family": families,
            "synthetic": [True] * len(codes),
        }
    )
    units = _units(spec, codes, families, rng)
    leaves = criteria.filter(pl.col("is_leaf")).select(
        "ruleset_id", "unit_group", pl.col("code").alias("leaf_code"), "method", "max_points", "appraising_agency"
    )
    return NationalData(spec, frameworks_dir, rulesets, criteria, provinces, units, leaves)


def _split(total: int, n: int, rng: np.random.Generator, weights: np.ndarray | None = None) -> np.ndarray:
    """`total` items over `n` holders, each at least 1, roughly proportional to `weights`."""
    w = np.ones(n) if weights is None else weights
    counts = np.maximum(1, np.floor(w / w.sum() * total)).astype(int)
    short = total - counts.sum()
    if short > 0:
        counts[rng.choice(n, size=short, replace=True)] += 1
    return counts


def _units(spec: NationalSpec, codes: list[str], families: list[str], rng: np.random.Generator) -> pl.DataFrame:
    n = len(codes)
    size = rng.uniform(0.5, 1.5, n)  # provinces differ in size
    communes_by = np.array([0.0 if f == "quang-ninh" else s for f, s in zip(families, size, strict=True)])
    districts = _split(spec.districts, n, rng, size)
    departments = np.minimum(_split(spec.departments, n, rng), len(DEPARTMENT_NAMES))
    communes = _split(spec.communes, n, rng, communes_by + 1e-9) if communes_by.any() else np.zeros(n, int)
    rows: list[tuple] = []
    for p, code in enumerate(codes):
        for d in range(departments[p]):
            rows.append((f"{code}S{d + 1:02d}", DEPARTMENT_NAMES[d], "department", None, code))
        district_ids = [f"{code}H{h + 1:02d}" for h in range(districts[p])]
        for h, hid in enumerate(district_ids):
            rows.append((hid, f"UBND huyện Tổng Hợp {code[1:]}-{h + 1}", "district", None, code))
        if families[p] == "quang-ninh":
            for c in range(spec.central_agencies):
                rows.append((f"{code}T{c + 1:02d}", f"Cơ quan Trung ương số {c + 1}", "central_agency", None, code))
            for c in range(spec.public_service_units):
                rows.append((f"{code}V{c + 1:02d}", f"Đơn vị sự nghiệp số {c + 1}", "public_service_unit", None, code))
            continue
        per_district = _split(int(communes[p]), len(district_ids), rng)
        for hid, k in zip(district_ids, per_district, strict=True):
            for x in range(k):
                rows.append((f"{hid}X{x + 1:02d}", f"UBND xã Tổng Hợp {hid[1:]}-{x + 1}", "commune", hid, code))
    return pl.DataFrame(rows, schema=UNIT_SCHEMA, orient="row")


def year_tables(data: NationalData, year: int) -> dict[str, pl.DataFrame]:
    """One year's staged tables: submissions, appraisals, survey_results, surveyed_units,
    reclassifications, sipas_respondents. Deterministic for (seed, year)."""
    rng = np.random.default_rng([data.spec.seed, year])
    family = dict(zip(data.provinces["province_code"], data.provinces["ruleset_family"], strict=True))
    units = data.units.with_columns(
        pl.col("province_code")
        .replace_strict({c: data.ruleset_for(f, year) for c, f in family.items()})
        .alias("ruleset_id")
    )
    # Units in a province-wise shuffled order, as files arrive; each unit-year a quality in [0.45, 0.98].
    units = units.with_columns(
        pl.Series("quality", rng.uniform(0.45, 0.98, units.height)),
        pl.Series("_order", rng.permutation(units.height)),
    ).sort(["province_code", "_order"])
    grid = units.join(data.leaves, on=["ruleset_id", "unit_group"], how="inner")
    n = grid.height
    u = rng.random(n)
    method = grid["method"]
    mx = grid["max_points"].to_numpy()
    q = grid["quality"].to_numpy()
    quarter = np.floor(mx * np.clip(q + rng.normal(0, 0.15, n), 0, 1) * 4) / 4
    full = u < q
    self_score = np.where(full, mx, quarter)
    is_appraised = (method == "appraised").to_numpy()
    is_bonus = (method == "bonus").to_numpy()
    is_penalty = (method == "penalty").to_numpy()
    self_score = np.where(is_bonus, np.where(rng.random(n) < 0.25, mx, 0.0), self_score)
    self_score = np.where(is_penalty, np.where(rng.random(n) < 0.03, mx, 0.0), self_score)
    na = is_appraised & (rng.random(n) < 0.015)  # the unit has no such task (1708/QĐ-UBND Art. 3.3)
    blank = is_appraised & ~na & (rng.random(n) < 0.003)  # left blank: counts 0 and is flagged
    grid = grid.with_columns(
        pl.Series("self_score", np.where(na | blank, np.nan, self_score)).fill_nan(None),
        pl.Series("not_applicable", na),
        pl.Series("_r", rng.random(n)),
        pl.Series("_r2", rng.random(n)),
    )
    form = pl.col("unit_group") != "commune"
    self_rows = grid.filter(pl.col("method") != "survey").with_columns(
        pl.int_range(pl.len()).over("unit_id").alias("_i")
    )
    submissions = self_rows.select(
        pl.lit(year, pl.Int32).alias("year"),
        "unit_id",
        "ruleset_id",
        "leaf_code",
        "self_score",
        "not_applicable",
        pl.when(pl.col("_r") < 0.4)
        .then(pl.format("{}/BC-{} ngày 10/11/{}", (pl.col("_i") + 1), "unit_id", pl.lit(year)))
        .alias("evidence_refs"),
        pl.when(pl.col("not_applicable")).then(pl.lit("Đơn vị không có nhiệm vụ này")).alias("explanation"),
        pl.lit(date(year, 12, 10)).alias("submitted_at"),
        pl.when(form)
        .then(pl.format("submissions/{}/{}.xlsx", pl.lit(year), "unit_id"))
        .otherwise(pl.format("submissions/{}/{}_xa.csv", pl.lit(year), "parent_unit_id"))
        .alias("source_file"),
        pl.when(form).then(pl.lit("Tự đánh giá")).alias("sheet"),
        (pl.col("_i") + pl.when(form).then(9).otherwise(2)).cast(pl.Int64).alias("source_row"),
    ).cast(SUBMISSION_SCHEMA)
    appraisals = _appraisals(self_rows, year, rng)
    survey, surveyed, respondents = _survey(grid, units, year, rng, data.spec)
    reclassifications = _reclassifications(submissions, appraisals, units, year, rng, data)
    return {
        "submissions": submissions,
        "appraisals": appraisals,
        "survey_results": survey,
        "surveyed_units": surveyed,
        "reclassifications": reclassifications,
        "sipas_respondents": respondents,
    }


def _appraisals(rows: pl.DataFrame, year: int, rng: np.random.Generator) -> pl.DataFrame:
    """~12% of scored appraised leaves cut at appraisal, some twice (the later counts), ~20% of cuts
    appealed (1820/QĐ-UBND Art. 5 steps 3-6); ~1.5% of penalties imposed at appraisal."""
    cut = rows.filter((pl.col("method") == "appraised") & (pl.col("self_score") > 0) & (pl.col("_r2") < 0.12))
    k = cut.height
    f = rng.uniform(0.2, 0.95, k)
    appraised = np.floor(cut["self_score"].to_numpy() * f * 4) / 4
    cut = cut.with_columns(pl.Series("_score", appraised), pl.Series("_pick", rng.random(k)))
    penalty = rows.filter((pl.col("method") == "penalty") & (pl.col("_r2") < 0.015)).with_columns(
        pl.col("max_points").alias("_score"), pl.lit(1.0).alias("_pick")
    )
    agency = pl.col("appraising_agency").fill_null("Hội đồng thẩm định Chỉ số CCHC")

    def frame(src: pl.DataFrame, rnd: str, score: pl.Expr, decided: date, no: str) -> pl.DataFrame:
        return src.select(
            pl.lit(year, pl.Int32).alias("year"),
            "unit_id",
            "ruleset_id",
            "leaf_code",
            pl.lit(rnd).alias("round"),
            score.alias("score"),
            agency.alias("agency") if rnd == "appraisal" else pl.lit("Hội đồng thẩm định tỉnh").alias("agency"),
            pl.lit(CUT_REASONS[decided.day % len(CUT_REASONS)]).alias("reason"),
            pl.lit(f"{decided.day}/{no}").alias("decision_no"),
            pl.lit(decided).alias("decision_date"),
            pl.lit(f"appraisals_{year}.csv").alias("source_file"),
            pl.lit(0, pl.Int64).alias("source_row"),
        )

    first = frame(
        pl.concat([cut, penalty], how="diagonal_relaxed"), "appraisal", pl.col("_score"), date(year, 12, 20), "BC-TĐ"
    )
    # A second appraisal decision on ~3% of cuts: the earlier one is replaced (same round, later date).
    again = frame(
        cut.filter(pl.col("_pick") < 0.03),
        "appraisal",
        pl.min_horizontal(pl.col("_score") + 0.25, pl.col("self_score")),
        date(year, 12, 27),
        "BC-TĐ",
    )
    appeal = frame(
        cut.filter(pl.col("_pick") > 0.8), "appeal", ((pl.col("_score") + pl.col("self_score")) / 2 * 4).floor() / 4,
        date(year + 1, 1, 5), "QĐ-HĐ",
    )  # fmt: skip
    out = pl.concat([first, again, appeal], how="vertical")
    return out.with_columns(pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("source_row")).cast(APPRAISAL_SCHEMA)


def _survey(grid: pl.DataFrame, units: pl.DataFrame, year: int, rng: np.random.Generator, spec: NationalSpec):
    """Survey shares per unit and survey leaf; ~6% of districts did not survey their communes
    (1708/QĐ-UBND Art. 5.3.a); a few units named in the file have a quarantined row (scores 0).
    SIPAS respondents: ~40 k a year over departments and districts, 20 questions, Likert 1-5, 9 = don't know."""
    districts = units.filter(pl.col("unit_group") == "district")["unit_id"]
    skip = set(districts.filter(pl.Series(rng.random(len(districts)) < 0.06)).to_list())
    surveyed = units.filter(~pl.col("parent_unit_id").is_in(list(skip)).fill_null(False)).select(
        pl.lit(year, pl.Int32).alias("year"), "unit_id"
    )
    leaves = grid.filter(pl.col("method") == "survey").join(surveyed, on="unit_id", how="semi")
    k = leaves.height
    pct = np.round(np.clip(rng.normal(78, 12, k) + leaves["quality"].to_numpy() * 10, 0, 100), 1)
    broken = rng.random(k) < 0.002  # named in the file but the row was quarantined
    survey = (
        leaves.with_columns(pl.Series("satisfied_pct", pct), pl.Series("_broken", broken))
        .filter(~pl.col("_broken"))
        .select(
            pl.lit(year, pl.Int32).alias("year"),
            "unit_id",
            "ruleset_id",
            "leaf_code",
            "satisfied_pct",
            pl.lit(100, pl.Int64).alias("respondents"),
            pl.lit(f"survey_results_{year}.csv").alias("source_file"),
            pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("source_row"),
            pl.lit("aggregate").alias("survey_source"),
            pl.lit(None, pl.String).alias("survey_id"),
        )
        .cast(SURVEY_RESULT_SCHEMA)
    )
    # SIPAS respondents of departments and districts.
    sampled = units.filter(pl.col("unit_group").is_in(["department", "district"]))["unit_id"].to_numpy()
    n = spec.sipas_respondents
    who = np.sort(rng.choice(len(sampled), size=n))
    answers = rng.choice(np.array([1, 2, 3, 4, 5, 9], dtype=np.int8), size=(n, len(SIPAS_QUESTIONS)),
                         p=[0.02, 0.05, 0.15, 0.5, 0.25, 0.03])  # fmt: skip
    respondents = pl.DataFrame(
        {
            "respondent_id": [f"{year}-{i + 1:06d}" for i in range(n)],
            "unit_id": sampled[who],
            "year": np.full(n, year, dtype=np.int32),
            **{qid: answers[:, j] for j, qid in enumerate(SIPAS_QUESTIONS)},
        }
    )
    return survey, surveyed.sort(["year", "unit_id"]), respondents


def _reclassifications(subs, appraisals, units, year, rng, data: NationalData) -> pl.DataFrame:
    """A few results voided and re-classified, only where the decision allows it (1820/QĐ-UBND Art. 7):
    a corrected leaf score on ~0.3% of those units, and a band set by decision on a few."""
    allowed = [r.ruleset_id for r in data.rulesets if r.reclassification]
    scoped = subs.filter(pl.col("ruleset_id").is_in(allowed) & pl.col("leaf_code").str.starts_with("3."))
    unit_ids = scoped["unit_id"].unique().sort()
    if unit_ids.is_empty():
        return pl.DataFrame(schema=RECLASSIFICATION_SCHEMA)
    chosen = unit_ids.filter(pl.Series(rng.random(len(unit_ids)) < 0.003))
    leaf_rows = (
        scoped.filter(pl.col("unit_id").is_in(chosen.implode()) & (pl.col("self_score") > 0))
        .group_by("unit_id", maintain_order=True)
        .first()
        .select(
            "year", "unit_id", "ruleset_id", "leaf_code", (pl.col("self_score") / 2).alias("score"),
            pl.lit(None, pl.String).alias("band"),
        )
    )  # fmt: skip
    band_units = unit_ids.filter(pl.Series(rng.random(len(unit_ids)) < 0.001))
    band_rows = scoped.filter(pl.col("unit_id").is_in(band_units.implode())).group_by("unit_id").first().select(
        "year", "unit_id", "ruleset_id", pl.lit(None, pl.String).alias("leaf_code"),
        pl.lit(None, pl.Float64).alias("score"), pl.lit("Trung bình").alias("band"),
    )  # fmt: skip
    out = pl.concat([leaf_rows, band_rows], how="vertical_relaxed").sort("unit_id")
    return out.select(
        "year", "unit_id", "ruleset_id", "leaf_code", "score", "band",
        pl.lit("Chủ tịch UBND tỉnh").alias("agency"),
        pl.lit("Phát hiện khuyết điểm sau khi xếp loại").alias("reason"),
        pl.format("{}/QĐ-UBND", pl.int_range(1, pl.len() + 1) + 40).alias("decision_no"),
        pl.lit(date(year + 1, 3, 20)).alias("decision_date"),
        pl.lit(f"reclassifications_{year}.csv").alias("source_file"),
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("source_row"),
    ).cast(RECLASSIFICATION_SCHEMA)  # fmt: skip


def iter_years(data: NationalData) -> Iterator[tuple[int, dict[str, pl.DataFrame]]]:
    for year in data.spec.years:
        yield year, year_tables(data, year)


# --------------------------------------------------------------------------------------------------
# Writing: a staged warehouse, and one province-year of real forms
# --------------------------------------------------------------------------------------------------
STAGED = ("submissions", "appraisals", "survey_results", "surveyed_units", "reclassifications")


def write_staged(data: NationalData, db_path: Path) -> dict[str, int]:
    """The staging schema in a DuckDB file (the tables `par_scores` reads), one year at a time."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("CREATE SCHEMA staging")
        scope_units = data.units
        for name, frame in (
            ("units", scope_units),
            ("provinces", data.provinces),
            ("criteria", data.criteria),
            ("rulesets", rulesets_frame(data.rulesets)),
        ):
            conn.register("_f", frame.to_arrow())
            conn.execute(f"CREATE TABLE staging.{name} AS SELECT * FROM _f")
            conn.unregister("_f")
        for year, tables in iter_years(data):
            for name in (*STAGED, "sipas_respondents"):
                frame = tables[name]
                conn.register("_f", frame.to_arrow())
                if year == data.spec.years[0]:
                    conn.execute(f"CREATE TABLE staging.{name} AS SELECT * FROM _f")
                else:
                    conn.execute(f"INSERT INTO staging.{name} SELECT * FROM _f")
                conn.unregister("_f")
                counts[name] = counts.get(name, 0) + frame.height
        conn.execute("CHECKPOINT")
    return counts


def write_forms(data: NationalData, province_code: str, year: int, out: Path) -> list[Path]:
    """Real `.xlsx` self-assessment forms (docs/inputs.md) for every department and district of one
    province-year, and the CSV export of each district for its communes (as the sample does)."""
    from tests.e2e_helpers import write_form

    tables = year_tables(data, year)
    subs = tables["submissions"].join(
        data.units.filter(pl.col("province_code") == province_code), on="unit_id", how="inner"
    )
    folder = out / "submissions" / str(year)
    paths = []
    for (unit_id, group, name, _parent), rows in subs.group_by(
        ["unit_id", "unit_group", "unit_name", "parent_unit_id"], maintain_order=True
    ):
        if group == "commune":
            continue
        cells = [
            (
                r["leaf_code"],
                "",
                None,
                "Không áp dụng" if r["not_applicable"] else r["self_score"],
                r["evidence_refs"],
                None,
            )
            for r in rows.iter_rows(named=True)
        ]
        path = folder / f"{unit_id}.xlsx"
        write_form(path, unit_id, name, year, cells)
        paths.append(path)
    communes = subs.filter(pl.col("unit_group") == "commune")
    for (parent,), rows in communes.group_by(["parent_unit_id"], maintain_order=True):
        path = folder / f"{parent}_xa.csv"
        rows.select(
            "unit_id",
            "year",
            pl.col("leaf_code").alias("criterion_code"),
            pl.when(pl.col("not_applicable")).then(pl.lit("KAD")).otherwise(pl.col("self_score").cast(pl.String))
            .alias("self_score"),
            "evidence_refs", "explanation", pl.col("submitted_at").dt.strftime("%d/%m/%Y"),
        ).write_csv(path)  # fmt: skip
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tmp" / "national")
    parser.add_argument("--provinces", type=int, default=None, help="a smaller country (tests, quick runs)")
    parser.add_argument("--years", type=int, default=None, help="fewer years (from 2016)")
    args = parser.parse_args(argv)
    spec = NationalSpec()
    if args.provinces or args.years:
        years = spec.years[: args.years] if args.years else spec.years
        spec = spec.small(args.provinces or spec.provinces, years) if args.provinces else NationalSpec(years=years)
    data = build(spec, args.out)
    counts = write_staged(data, args.out / "warehouse.duckdb")
    forms = write_forms(data, data.provinces["province_code"][0], spec.years[-1], args.out / "raw")
    print(f"SYNTHETIC national data in {args.out}: {data.units.height} units, {counts}, {len(forms)} form files")


if __name__ == "__main__":
    main()
