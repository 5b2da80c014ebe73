"""PAPI, the provincial governance index: published tables → dimensions, totals, ranks, tiers.

Rules (DOMAIN "PAPI"; 2639/QĐ-UBND Annex 3 and Phần I, mục I.2):
- A dimension is the sum of its sub-dimension scores and is out of 10; the total is the sum of
  the dimensions, from unrounded scores: 6 dimensions (max 60) up to 2017, 8 (max 80) from 2018.
  Which sub-dimensions make a dimension in a year, and the headers they are published under,
  come from `papi_dimensions.csv` (with a source per row), because names change between years.
- A blank cell stays missing: a dimension with a missing sub-dimension is missing (unless the
  table publishes the dimension's own score), and a total with a missing dimension is missing.
  Missing is never 0 and a province without a score is not ranked.
- A sub-dimension the mapping expects for a year but a file does not carry (no column, or a column
  left blank for every province) is reported once per file and year (`missing_subdimension`):
  its dimension and the total stay missing for that file's provinces, so a map that does not match
  PAPI's structure cannot publish wrong totals silently.
- Published 95% intervals and ranks of the total are read where a table carries them (optional
  columns `Cận dưới 95%`, `Cận trên 95%`, `Xếp hạng`); they are kept beside chiso's own rank, never
  used to compute a score.
- Rank: descending score among the provinces scored that year, ties share the best rank
  (1, 2, 2, 4). Tier: PAPI's four groups by the quartiles of that year's scores (linear
  interpolation): ≥ 75th percentile → 1, ≥ median → 2, ≥ 25th → 3, else 4.
- Year-over-year change: against the year before, only when the dimension is the same series
  in both years (`series` in the mapping; the total compares only with the same number of
  dimensions), so 2017 → 2018 totals (max 60 → 80) have no change.
- Distance to the top-N cut-off (Vĩnh Long's goal: the top 30 provinces, 2639/QĐ-UBND Phần I,
  mục I.2): the N-th best score of the year minus the province's score; > 0 is the gap to close.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polars as pl

from models.ingest.documents import Documents
from models.ingest.records import QUARANTINE_SCHEMA, RowProblem, record
from models.ingest.values import number, parse_number
from models.text import name_key, normalize_text

TOTAL = "total"
DIMENSION_MAX = 10.0
PROVINCE_HEADERS = ("province", "tỉnh, thành phố", "tỉnh/thành phố", "tỉnh", "địa phương", "tỉnh/thành")
META_FIELDS = {
    "province": PROVINCE_HEADERS,
    "province_code": ("province_code", "mã tỉnh"),
    "year": ("year", "năm"),
    "synthetic": ("synthetic", "dữ liệu tổng hợp"),
    "note": ("note", "ghi chú", "nguồn", "source"),
    # Published with the total, where a table carries them (PAPI reports print the 95% interval of the total).
    "ci_low": ("ci_low", "cận dưới", "cận dưới 95%", "khoảng tin cậy 95% - cận dưới", "lower 95% ci", "lower bound"),
    "ci_high": ("ci_high", "cận trên", "cận trên 95%", "khoảng tin cậy 95% - cận trên", "upper 95% ci", "upper bound"),
    "published_rank": ("published_rank", "xếp hạng", "xếp hạng công bố", "hạng", "rank"),
}
PROVENANCE = {"source_file", "sheet", "row_number", "file_sha256"}
TIER_LABELS = {1: "Nhóm cao nhất", 2: "Nhóm trung bình cao", 3: "Nhóm trung bình thấp", 4: "Nhóm thấp nhất"}
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")

DIMENSION_SCHEMA = {
    "valid_from_year": pl.Int32,
    "valid_to_year": pl.Int32,
    "dimension_code": pl.String,
    "series": pl.String,
    "dimension_no": pl.Int32,
    "dimension_name_vi": pl.String,
    "dimension_name_en": pl.String,
    "subdimension_code": pl.String,
    "subdimension_name_vi": pl.String,
    "subdimension_name_en": pl.String,
    "headers": pl.List(pl.String),
    "source": pl.String,
    "series_note": pl.String,  # on dimension rows: whether the series continues across a revision, and why
}


class PapiConfigError(ValueError):
    """The dimension mapping cannot be used; names the file, row and rule."""


def _key(text: object) -> str | None:
    value = normalize_text(text)
    return value.casefold() if value else None


def load_papi_dimensions(docs: Documents, path: PurePosixPath) -> pl.DataFrame:
    """papi_dimensions.csv: one row per dimension (blank sub-dimension) or sub-dimension and period."""
    rows = []
    for line, rec in docs.csv_rows(path):
        rec = {(_key(k) or ""): normalize_text(v) for k, v in rec.items() if k}
        try:
            start = int(rec["valid_from_year"])
            end = int(rec["valid_to_year"]) if rec.get("valid_to_year") else None
            code = rec["dimension_code"]
            if not code:
                raise KeyError("dimension_code")
        except (KeyError, TypeError, ValueError) as exc:
            raise PapiConfigError(f"{path}, dòng {line}: thiếu hoặc sai {exc}") from None
        # A column may be headed by any alias listed, or by the row's own code or names.
        names = [rec.get("headers") or ""]
        if rec.get("subdimension_code"):
            names += [rec["subdimension_code"], rec.get("subdimension_name_vi"), rec.get("subdimension_name_en")]
        elif code != TOTAL:
            names += [rec.get("dimension_name_vi"), rec.get("dimension_name_en")]
        headers = list(dict.fromkeys(h for n in names for h in (_key(p) for p in (n or "").split("|")) if h))
        rows.append(
            {
                "valid_from_year": start,
                "valid_to_year": end,
                "dimension_code": code,
                "series": rec.get("series") or code,
                "dimension_no": int(rec["dimension_no"]) if rec.get("dimension_no") else None,
                "dimension_name_vi": rec.get("dimension_name_vi"),
                "dimension_name_en": rec.get("dimension_name_en"),
                "subdimension_code": rec.get("subdimension_code"),
                "subdimension_name_vi": rec.get("subdimension_name_vi"),
                "subdimension_name_en": rec.get("subdimension_name_en"),
                "headers": headers,
                "source": rec.get("source"),
                "series_note": rec.get("series_note"),
            }
        )
    frame = pl.DataFrame(rows, schema=DIMENSION_SCHEMA, orient="row")
    # A header names one thing in any year.
    exploded = frame.explode("headers", empty_as_null=True)
    for a in exploded.iter_rows(named=True):
        clash = exploded.filter(
            (pl.col("headers") == a["headers"])
            & (
                (pl.col("dimension_code") != a["dimension_code"])
                | (pl.col("subdimension_code").fill_null("") != (a["subdimension_code"] or ""))
            )
            & (pl.col("valid_from_year") <= (a["valid_to_year"] or 9999))
            & (pl.col("valid_to_year").fill_null(9999) >= a["valid_from_year"])
        )
        if not clash.is_empty():
            raise PapiConfigError(f"{path}: tên cột '{a['headers']}' chỉ tới nhiều chỉ số trong cùng năm")
    return frame


def load_papi_provinces(docs: Documents, path: PurePosixPath | None) -> pl.DataFrame:
    """papi_provinces.csv (province_code, province_name[, province_name_en]): the names of the codes a
    table writes in its province column (the bundled tables: `P01` … `P63`)."""
    schema = {"province_code": pl.String, "province_name": pl.String}
    if path is None:
        return pl.DataFrame(schema=schema)
    rows = []
    for line, rec in docs.csv_rows(path):
        code, name = normalize_text(rec.get("province_code")), normalize_text(rec.get("province_name"))
        if not code or not name:
            raise PapiConfigError(f"{path}, dòng {line}: thiếu province_code hoặc province_name")
        rows.append({"province_code": code, "province_name": name})
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    dupes = frame.filter(pl.col("province_code").is_duplicated())["province_code"].unique().to_list()
    if dupes:
        raise PapiConfigError(f"{path}: mã tỉnh trùng {sorted(dupes)}")
    return frame


def dimensions_for(dimensions: pl.DataFrame, year: int) -> pl.DataFrame:
    return dimensions.filter(
        (pl.col("valid_from_year") <= year) & (pl.col("valid_to_year").is_null() | (pl.col("valid_to_year") >= year))
    )


SCORE_SCHEMA = {
    "year": pl.Int32,
    "province": pl.String,
    "province_key": pl.String,
    "province_code": pl.String,
    "dimension_code": pl.String,
    "subdimension_code": pl.String,  # null: the dimension's own published score
    "score": pl.Float64,  # null: blank or unreadable cell (missing, not 0)
    "synthetic": pl.Boolean,
    "source_file": pl.String,
    "sheet": pl.String,
    "source_row": pl.Int64,
}


def _meta(raw: dict, name: str) -> str | None:
    for alias in META_FIELDS[name]:
        if normalize_text(raw.get(alias)):
            return normalize_text(raw.get(alias))
    return None


def _record(raw: dict, column: str | None, rule: str, message: str, value: object, row: bool = True) -> dict:
    """`row=False`: a finding about a column of the whole file (e.g. a header PAPI's map does not know)."""
    where = raw if row else {"source_file": raw.get("source_file"), "sheet": raw.get("sheet")}
    return record(where, RowProblem(column, rule, message, value))


def _year(raw: dict) -> int:
    text = _meta(raw, "year")
    if text is None:
        # Published tables are one file per year: `PAPI_2023.xlsx`.
        found = _YEAR.findall(Path(str(raw.get("source_file") or "")).name)
        if found:
            return int(found[-1])
        raise RowProblem("year", "bad_year", "Thiếu năm (cột 'Năm' hoặc năm trong tên tệp)")
    try:
        year = parse_number(text)
    except ValueError:
        year = None
    if year is None or not float(year).is_integer() or not 2000 <= year <= 2100:
        raise RowProblem("year", "bad_year", f"Năm '{text}' không hợp lệ", text)
    return int(year)


PUBLISHED_SCHEMA = {
    "year": pl.Int32,
    "province_key": pl.String,
    "province": pl.String,
    "province_code": pl.String,
    "ci_low": pl.Float64,  # the published 95% interval of the total
    "ci_high": pl.Float64,
    "published_rank": pl.Int32,
    "source_file": pl.String,
    "source_row": pl.Int64,
}


@dataclass
class PapiStage:
    """Long scores (one row per province, year and published column), the published intervals and
    ranks of the totals where a table carries them, and the quarantine."""

    rows: pl.DataFrame
    quarantine: pl.DataFrame
    rows_in: int
    rows_staged: int
    published: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PUBLISHED_SCHEMA))

    @property
    def rows_rejected(self) -> int:
        return self.quarantine.filter(pl.col("rule").is_in(ROW_RULES)).height

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.rows_staged + self.rows_rejected


ROW_RULES = ("required", "bad_year", "duplicate")


def _province(raw: dict, by_code: dict[str, tuple[str, str]], by_name: dict[str | None, str]) -> tuple[str, str | None]:
    """(name, code): a cell holding a known province code (`P30`) gives that province's name."""
    text = _meta(raw, "province")
    if text is None:
        raise RowProblem("province", "required", "Thiếu tên tỉnh, thành phố")
    if text.casefold() in by_code:
        code, name = by_code[text.casefold()]
        return name, code
    return text, _meta(raw, "province_code") or by_name.get(name_key(text))


def _cell_number(raw: dict, column: str, bad: list[dict], low: float, high: float, what: str) -> float | None:
    text = raw.get(column)
    if text is None:
        return None
    try:  # `5.123` is a score of 0-10, never five thousand
        value = number(raw, column, kind="score", maximum=high, required=False)
    except RowProblem as p:
        bad.append(_record(raw, column, p.rule, f"{p.message}; ô này bị coi là thiếu", text))
        return None
    if value is not None and not low <= value <= high:
        bad.append(
            _record(
                raw, column, "out_of_range", f"{what} {text} ngoài khoảng {low:g}-{high:g}; ô này bị coi là thiếu", text
            )
        )
        return None
    return value


def _published(raw: dict, year: int, key: str, name: str, code: str | None, bad: list[dict]) -> dict | None:
    """The published 95% interval and rank of the province's total, when the table carries them."""
    found = {
        f: next((a for a in META_FIELDS[f] if raw.get(a) is not None), None)
        for f in ("ci_low", "ci_high", "published_rank")
    }
    if not any(found.values()):
        return None
    low = _cell_number(raw, found["ci_low"], bad, 0, 100, "Cận dưới") if found["ci_low"] else None
    high = _cell_number(raw, found["ci_high"], bad, 0, 100, "Cận trên") if found["ci_high"] else None
    rank = _cell_number(raw, found["published_rank"], bad, 1, 100, "Xếp hạng") if found["published_rank"] else None
    if rank is not None and not float(rank).is_integer():
        bad.append(
            _record(raw, found["published_rank"], "not_a_number", f"Xếp hạng '{rank:g}' phải là số nguyên", rank)
        )
        rank = None
    if (low is None) != (high is None) or (low is not None and low > high):
        column = found["ci_low"] or found["ci_high"]
        shown = " – ".join(str(raw.get(found[f]) or "") for f in ("ci_low", "ci_high"))
        bad.append(
            _record(
                raw,
                column,
                "bad_interval",
                "Khoảng tin cậy 95% cần cả cận dưới và cận trên, cận dưới không lớn hơn cận trên; "
                "khoảng này không được dùng",
                shown,
            )
        )
        low = high = None
    if low is None and rank is None:
        return None
    return {
        "year": year,
        "province_key": key,
        "province": name,
        "province_code": code,
        "ci_low": low,
        "ci_high": high,
        "published_rank": None if rank is None else int(rank),
        "source_file": raw.get("source_file"),
        "source_row": raw.get("row_number"),
    }


def _missing_subdimensions(
    files: dict[tuple[str, int], dict], present: dict[str, set[str]], dimensions: pl.DataFrame
) -> list[dict]:
    """One record per file, year and sub-dimension the mapping expects but the file does not carry."""
    records = []
    for (source_file, year), raw in sorted(files.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        mapping = dimensions_for(dimensions, year).filter(pl.col("dimension_code") != TOTAL)
        columns = present.get(source_file, set())
        own = {
            r["dimension_code"]
            for r in mapping.filter(pl.col("subdimension_code").is_null()).iter_rows(named=True)
            if columns & set(r["headers"])
        }
        dims = {
            r["dimension_code"]: r for r in mapping.filter(pl.col("subdimension_code").is_null()).iter_rows(named=True)
        }
        for sub in mapping.filter(pl.col("subdimension_code").is_not_null()).iter_rows(named=True):
            if sub["dimension_code"] in own or columns & set(sub["headers"]):
                continue
            dim = dims.get(sub["dimension_code"]) or sub
            shown = ", ".join(f"'{h}'" for h in sub["headers"][:4])
            records.append(
                _record(
                    raw,
                    None,
                    "missing_subdimension",
                    f"Tệp không có cột (hoặc có cột nhưng bỏ trống toàn bộ) cho chỉ số thành phần "
                    f"{sub['subdimension_code']} '{sub['subdimension_name_vi']}' mà papi_dimensions.csv yêu cầu "
                    f"cho năm {year} (tên cột được nhận: {shown}); nội dung {dim['dimension_no']} "
                    f"'{dim['dimension_name_vi']}' và tổng điểm năm {year} của các tỉnh trong tệp bị để trống. "
                    f"Nếu PAPI không công bố chỉ số này năm {year}, cần sửa papi_dimensions.csv",
                    sub["subdimension_code"],
                    row=False,
                )
            )
    return records


def stage_papi(raw_rows: list[dict], dimensions: pl.DataFrame, provinces: pl.DataFrame) -> PapiStage:
    """Published PAPI tables (one row per province and year, one column per sub-dimension) → long scores.

    `provinces`: province_code, province_name (staging.provinces and/or the PAPI province list); a
    province cell may hold a name or one of these codes (the bundled tables write `P30`).
    A row without a province or year is quarantined; so is a second row for the same province and
    year (the first is kept). A cell that is not a number within 0-10 is quarantined and stays
    missing; a blank cell is missing. A column the mapping does not know for that year is
    reported once per file (it is not read); a sub-dimension it expects but the file lacks, once
    per file and year. Published dimension totals are read only for a dimension whose
    sub-dimensions the table does not carry; published grand totals never; published intervals
    and ranks of the total are kept apart (`PapiStage.published`).
    """
    by_name = {name_key(n): c for c, n in zip(provinces["province_code"], provinces["province_name"], strict=True)}
    by_code = {
        str(c).casefold(): (c, n)
        for c, n in zip(provinces["province_code"], provinces["province_name"], strict=True)
        if c and n
    }
    meta_headers = {h for aliases in META_FIELDS.values() for h in aliases}
    present: dict[str, set[str]] = {}
    for raw in raw_rows:
        cols = present.setdefault(raw.get("source_file"), set())
        cols.update(k for k, v in raw.items() if v is not None and k not in PROVENANCE and k not in meta_headers)
    good, bad, published = [], [], []
    reported: set[tuple] = set()
    seen: dict[tuple, dict] = {}
    files: dict[tuple[str, int], dict] = {}
    lookups: dict[int, dict[str, dict]] = {}
    for raw in raw_rows:
        try:
            province, code = _province(raw, by_code, by_name)
            year = _year(raw)
            key = name_key(province)
            files.setdefault((raw.get("source_file"), year), raw)
            if (year, key) in seen:
                first = seen[(year, key)]
                raise RowProblem(
                    "province",
                    "duplicate",
                    f"{province} năm {year} đã có ở {first['source_file']} dòng {first['row_number']}; "
                    "dòng này không được dùng",
                    province,
                )
        except RowProblem as p:
            bad.append(
                _record(raw, {"province": "Tỉnh, thành phố", "year": "Năm"}.get(p.column), p.rule, p.message, p.value)
            )
            continue
        seen[(year, key)] = raw
        if year not in lookups:  # one mapping per year, not per row
            mapping = dimensions_for(dimensions, year).explode("headers", empty_as_null=True)
            lookups[year] = {r["headers"]: r for r in mapping.iter_rows(named=True)}
        lookup = lookups[year]
        synthetic = (_meta(raw, "synthetic") or "").casefold() in {"có", "yes", "true", "1", "x"}
        extra = _published(raw, year, key, province, code, bad)
        if extra is not None:
            published.append(extra)
        for column in sorted(present.get(raw.get("source_file"), set())):
            target = lookup.get(column)
            if target is None:
                if (raw.get("source_file"), column) not in reported:
                    reported.add((raw.get("source_file"), column))
                    bad.append(
                        _record(
                            raw,
                            column,
                            "unknown_column",
                            f"Cột '{column}' không có trong papi_dimensions.csv cho năm {year}; cột này không được đọc",
                            column,
                            row=False,
                        )
                    )
                continue
            if target["dimension_code"] == TOTAL:
                continue  # chiso sums the unrounded dimensions itself
            score = _cell_number(raw, column, bad, 0, DIMENSION_MAX, "Điểm")
            good.append(
                {
                    "year": year,
                    "province": province,
                    "province_key": key,
                    "province_code": code,
                    "dimension_code": target["dimension_code"],
                    "subdimension_code": target["subdimension_code"],
                    "score": score,
                    "synthetic": synthetic,
                    "source_file": raw.get("source_file"),
                    "sheet": raw.get("sheet"),
                    "source_row": raw.get("row_number"),
                }
            )
    bad += _missing_subdimensions(files, present, dimensions)
    rows = pl.DataFrame(good, schema=SCORE_SCHEMA, orient="row").sort(
        ["year", "province_key", "dimension_code", "subdimension_code"], nulls_last=False
    )
    quarantine = pl.DataFrame(bad, schema=QUARANTINE_SCHEMA, orient="row")
    return PapiStage(
        rows,
        quarantine,
        len(raw_rows),
        len(seen),
        pl.DataFrame(published, schema=PUBLISHED_SCHEMA, orient="row"),
    )


INDEX_SCHEMA = {
    "year": pl.Int32,
    "province": pl.String,
    "province_code": pl.String,
    "dimension": pl.String,
    "dimension_no": pl.Int32,
    "dimension_name": pl.String,
    "series": pl.String,
    "score": pl.Float64,
    "max_score": pl.Float64,
    "complete": pl.Boolean,
    "rank": pl.Int32,
    "n_provinces": pl.Int32,
    "tier": pl.Int32,
    "tier_label": pl.String,
    "prev_year_score": pl.Float64,
    "delta_prev_year": pl.Float64,
    "top_n": pl.Int32,
    "top_n_cutoff": pl.Float64,
    "gap_to_top_n": pl.Float64,
    "in_top_n": pl.Boolean,
    "synthetic": pl.Boolean,
    # On `total` rows, where the table carries them: PAPI's own rank and 95% interval (never recomputed).
    "published_rank": pl.Int32,
    "published_ci_low": pl.Float64,
    "published_ci_high": pl.Float64,
    "source": pl.String,  # attribution of the published data (surveys.yaml `papi.attribution`)
}


def dimension_scores(scores: pl.DataFrame, dimensions: pl.DataFrame) -> pl.DataFrame:
    """One row per year, province and dimension of that year (and `total`); score null when missing."""
    if scores.is_empty():
        return pl.DataFrame(schema={k: INDEX_SCHEMA[k] for k in list(INDEX_SCHEMA)[:10]})
    provinces = (
        scores.sort(["year", "source_file", "source_row"])
        .group_by("year", "province_key")
        .agg(pl.col("province").last(), pl.col("province_code").drop_nulls().last(), pl.col("synthetic").any())
    )
    frames = []
    for (year,), prov in provinces.group_by("year"):
        mapping = dimensions_for(dimensions, year).filter(pl.col("dimension_code") != TOTAL)
        dims = mapping.filter(pl.col("subdimension_code").is_null()).select(
            "dimension_code", "dimension_no", pl.col("dimension_name_vi").alias("dimension_name"), "series"
        )
        subs = mapping.filter(pl.col("subdimension_code").is_not_null()).select("dimension_code", "subdimension_code")
        got = scores.filter(pl.col("year") == year)
        grid = prov.join(dims, how="cross")
        # Sum of sub-dimensions when every one of the year's sub-dimensions has a score.
        sub_sum = (
            prov.select("province_key")
            .join(subs, how="cross")
            .join(
                got.filter(pl.col("subdimension_code").is_not_null()).select(
                    "province_key", "dimension_code", "subdimension_code", "score"
                ),
                on=["province_key", "dimension_code", "subdimension_code"],
                how="left",
            )
            .group_by("province_key", "dimension_code")
            .agg(
                pl.when(pl.col("score").is_not_null().all()).then(pl.col("score").sum()).alias("_sum"),
            )
        )
        own = got.filter(pl.col("subdimension_code").is_null()).select(
            "province_key", "dimension_code", pl.col("score").alias("_own")
        )
        frame = (
            grid.join(sub_sum, on=["province_key", "dimension_code"], how="left")
            .join(own, on=["province_key", "dimension_code"], how="left")
            .with_columns(
                pl.coalesce("_sum", "_own").alias("score"),
                pl.lit(DIMENSION_MAX).alias("max_score"),
                pl.lit(year, pl.Int32).alias("year"),
            )
            .with_columns(pl.col("score").is_not_null().alias("complete"))
        )
        n_dims = dims.height
        total = frame.group_by("province_key").agg(
            pl.when(pl.col("score").is_not_null().all()).then(pl.col("score").sum()).alias("score"),
            pl.col("score").is_not_null().all().alias("complete"),
        )
        total = prov.join(total, on="province_key", how="left").with_columns(
            pl.lit(TOTAL).alias("dimension_code"),
            pl.lit(None, pl.Int32).alias("dimension_no"),
            pl.lit(f"Tổng điểm PAPI ({n_dims} nội dung)").alias("dimension_name"),
            pl.lit(f"{TOTAL}-{n_dims}").alias("series"),
            pl.lit(DIMENSION_MAX * n_dims).alias("max_score"),
            pl.lit(year, pl.Int32).alias("year"),
        )
        cols = [
            "year",
            "province",
            "province_key",
            "province_code",
            "dimension_code",
            "dimension_no",
            "dimension_name",
            "series",
            "score",
            "max_score",
            "complete",
            "synthetic",
        ]
        frames.append(pl.concat([frame.select(cols), total.select(cols)], how="vertical_relaxed"))
    return pl.concat(frames, how="vertical_relaxed").rename({"dimension_code": "dimension"})


def papi_index(
    scores: pl.DataFrame,
    dimensions: pl.DataFrame,
    top_n: int = 30,
    published: pl.DataFrame | None = None,
    source: str | None = None,
) -> pl.DataFrame:
    """core.papi_index: scores with rank, tier, year-over-year change and distance to the top N;
    `published` (PapiStage.published) adds PAPI's own rank and 95% interval to the totals."""
    frame = dimension_scores(scores, dimensions)
    if frame.is_empty():
        return pl.DataFrame(schema=INDEX_SCHEMA)
    by = ["year", "dimension"]
    scored = pl.col("score").is_not_null()
    q75 = pl.col("score").quantile(0.75, "linear").over(by)
    q50 = pl.col("score").quantile(0.50, "linear").over(by)
    q25 = pl.col("score").quantile(0.25, "linear").over(by)
    n = pl.col("score").count().over(by)
    cutoffs = pl.DataFrame(
        [
            {"year": year, "dimension": dim, "top_n_cutoff": ranked[min(top_n, len(ranked)) - 1] if ranked else None}
            for (year, dim), part in frame.group_by(by)
            for ranked in [sorted(part["score"].drop_nulls().to_list(), reverse=True)]
        ],
        schema={"year": pl.Int32, "dimension": pl.String, "top_n_cutoff": pl.Float64},
        orient="row",
    )
    frame = frame.with_columns(
        pl.when(scored).then(pl.col("score").rank("min", descending=True).over(by)).cast(pl.Int32).alias("rank"),
        n.cast(pl.Int32).alias("n_provinces"),
        pl.when(~scored)
        .then(None)
        .when(pl.col("score") >= q75)
        .then(1)
        .when(pl.col("score") >= q50)
        .then(2)
        .when(pl.col("score") >= q25)
        .then(3)
        .otherwise(4)
        .cast(pl.Int32)
        .alias("tier"),
        pl.lit(top_n, pl.Int32).alias("top_n"),
    ).join(cutoffs, on=by, how="left")
    prev = frame.select(
        (pl.col("year") + 1).cast(pl.Int32).alias("year"),
        "province_key",
        "dimension",
        "series",
        pl.col("score").alias("prev_year_score"),
    )
    published = pl.DataFrame(schema=PUBLISHED_SCHEMA) if published is None else published
    extra = published.select(
        "year",
        "province_key",
        pl.lit(TOTAL).alias("dimension"),
        "published_rank",
        pl.col("ci_low").alias("published_ci_low"),
        pl.col("ci_high").alias("published_ci_high"),
    ).unique(subset=["year", "province_key"], keep="first")
    frame = (
        frame.join(prev, on=["year", "province_key", "dimension", "series"], how="left")
        .join(extra.cast({"year": pl.Int32}), on=["year", "province_key", "dimension"], how="left")
        .with_columns(
            pl.lit(source, pl.String).alias("source"),
            (pl.col("score") - pl.col("prev_year_score")).alias("delta_prev_year"),
            pl.col("tier").replace_strict(TIER_LABELS, default=None, return_dtype=pl.String).alias("tier_label"),
            pl.when(scored).then(pl.col("top_n_cutoff") - pl.col("score")).alias("gap_to_top_n"),
            pl.when(scored).then(pl.col("rank") <= top_n).alias("in_top_n"),
        )
        .select(list(INDEX_SCHEMA))
        .cast(INDEX_SCHEMA)
    )
    order = pl.col("dimension") == TOTAL
    return (
        frame.with_columns(order.alias("_t"))
        .sort(
            ["year", "_t", "dimension_no", "rank", "province"],
            descending=[False, True, False, False, False],
            nulls_last=True,
        )
        .drop("_t")
    )
