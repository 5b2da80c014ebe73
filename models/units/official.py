"""Vietnam's official province lists and the 63 → 34 province merger, from the `vietnamadminunits`
package (pinned in pyproject.toml; its lists and mapping ship inside the package, nothing is fetched),
rather than typed by hand; and PAPI's province codes mapped to the official codes.

From 1 July 2025, 23 new provinces were formed by merging 52 of the 63, and 11 were unchanged
(Nghị quyết 202/2025/QH15 on the arrangement of provincial-level administrative units).
"""

from __future__ import annotations

import datetime as dt
import functools

import polars as pl

from models.text import name_key
from models.units.register import CHANGE_SCHEMA, REGISTER_SCHEMA

DECISION = "Nghị quyết 202/2025/QH15"
EFFECTIVE = dt.date(2025, 7, 1)
ENDED = EFFECTIVE - dt.timedelta(days=1)
LIBRARY = "vietnamadminunits 1.0.4"
# PAPI names a province as it was called in its survey years; the official list has its later name.
# Thừa Thiên Huế became Thành phố Huế on 1/1/2025 (Nghị quyết 175/2024/QH15).
FORMER_NAMES = {name_key("Thừa Thiên Huế"): name_key("Huế")}


def _lists() -> tuple[list[dict], list[dict], dict[str, list[str]]]:
    from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE
    from vietnamadminunits.database import query

    fields = "provinceCode AS code, province AS name, provinceShort AS short, provinceKey AS key"
    before = query(f"SELECT DISTINCT {fields} FROM admin_units_legacy ORDER BY provinceCode")
    after = query(f"SELECT DISTINCT {fields} FROM admin_units ORDER BY provinceCode")
    return before, after, DICT_PROVINCE


def merger(before: list[dict], after: list[dict], members: dict[str, list[str]]) -> pl.DataFrame:
    """One row per province of the 63: its official code and name, and the province of the 34 it is
    (`unchanged`) or merged into (`merged_into`). `members`: new province key → old province keys."""
    old = {p["key"]: p for p in before}
    rows = []
    for new in after:
        keys = members[new["key"]]
        for key in keys:
            p = old[key]
            rows.append(
                {
                    "official_code": p["code"],
                    "official_name": p["short"],
                    "code_2025": new["code"],
                    "name_2025": new["short"],
                    "relation": "unchanged" if keys == [new["key"]] else "merged_into",
                    "decision_no": None if keys == [new["key"]] else DECISION,
                }
            )
    frame = pl.DataFrame(rows).sort("official_code")
    if frame.height != len(before) or frame["official_code"].n_unique() != len(before):
        raise ValueError(f"{LIBRARY}: the 63 → 34 mapping does not cover every province exactly once")
    return frame


def province_register(mapping: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The official provinces through time as a register and its changes (models/units/register.py):
    an unchanged province keeps its id (its code); a merged one ends on 30/6/2025 and the province it
    merged into starts on 1/7/2025 with id `<code>@2025` (its code may be a predecessor's, e.g. Cần Thơ 92)."""
    merged = mapping.filter(pl.col("relation") == "merged_into")
    old = mapping.select(
        pl.col("official_code").alias("unit_id"),
        pl.col("official_name").alias("unit_name"),
        pl.lit("province").alias("level"),
        pl.lit("province").alias("unit_group"),
        pl.col("official_code").alias("province_code"),
        pl.lit(None, pl.Date).alias("valid_from"),
        pl.when(pl.col("relation") == "merged_into").then(pl.lit(ENDED)).alias("valid_to"),
    )
    new = (
        merged.select("code_2025", "name_2025")
        .unique()
        .select(
            (pl.col("code_2025") + "@2025").alias("unit_id"),
            pl.col("name_2025").alias("unit_name"),
            pl.lit("province").alias("level"),
            pl.lit("province").alias("unit_group"),
            pl.col("code_2025").alias("province_code"),
            pl.lit(EFFECTIVE).alias("valid_from"),
            pl.lit(None, pl.Date).alias("valid_to"),
        )
    )
    register = pl.concat([old.cast(REGISTER_SCHEMA), new.cast(REGISTER_SCHEMA)]).sort("unit_id")
    changes = merged.select(
        pl.col("official_code").alias("unit_id"),
        pl.lit("merged_into").alias("relation"),
        (pl.col("code_2025") + "@2025").alias("successor_id"),
        pl.lit(EFFECTIVE).alias("effective_date"),
        pl.col("decision_no"),
        pl.lit(None, pl.Date).alias("decision_date"),
        pl.lit(LIBRARY).alias("source_file"),
        pl.lit(None, pl.Int64).alias("source_row"),
    ).cast(CHANGE_SCHEMA)
    return register, changes


def papi_province_map(papi_provinces: pl.DataFrame, mapping: pl.DataFrame) -> pl.DataFrame:
    """PAPI's province codes (papi_provinces.csv) → the official code, by name (short or full, former
    names as FORMER_NAMES says), with the province of the 34 each is part of. A PAPI province the
    official list does not name has no official code (and shows so), never a guessed one."""
    by_name = {name_key(n): c for c, n in zip(mapping["official_code"], mapping["official_name"], strict=True)}
    codes = [
        by_name.get(FORMER_NAMES.get(name_key(n), name_key(n)))
        or by_name.get(name_key(str(n).removeprefix("Thành phố ").removeprefix("Tỉnh ")))
        for n in papi_provinces["province_name"]
    ]
    return (
        papi_provinces.select(pl.col("province_code").alias("papi_code"), pl.col("province_name").alias("papi_name"))
        .with_columns(pl.Series("official_code", codes, dtype=pl.String))
        .join(mapping, on="official_code", how="left")
        .with_columns(
            pl.when(pl.col("relation") == "merged_into")
            .then(pl.col("code_2025") + "@2025")
            .otherwise(pl.col("official_code"))
            .alias("unit_id_2025")
        )
        .sort("papi_code")
    )


@functools.cache
def official_merger() -> pl.DataFrame:
    """`merger` on the pinned package's lists. Cached: the lists ship inside the pinned package and
    cannot change within a process, and querying them costs ~0.35 s a call."""
    return merger(*_lists())
