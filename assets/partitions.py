"""Evaluation years as Dagster partitions.

The forms (`submissions/<year>/`) and the PAR Index computed from them split by evaluation year: a
year's forms are read, staged and scored without touching the other years. Every other step
(registers, rule files, appraisals, the marts that compare years) reads all years and is not
partitioned, so it is right after any year's run. Keys are added when a year folder appears:
by `chiso run`, and in `dagster dev` by the `chiso_year_folders` sensor (pipelines/sensors.py).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from models.sources import SOURCES

EVALUATION_YEARS = dg.DynamicPartitionsDefinition(name="evaluation_year")
YEAR_SOURCES = [s for s in SOURCES if s.year_folder]


def year_folders(raw: Path) -> list[str]:
    """The evaluation years the raw folder has forms for (its `submissions/<year>/` folders)."""
    return sorted({y for s in YEAR_SOURCES for y in s.years(raw)})


def run_years(context) -> list[str]:
    """The evaluation years this step works on (one partition, or a range from a backfill)."""
    return sorted(context.partition_keys)


def year_tags(instance: dg.DagsterInstance, raw: Path, years: list[str] | None = None) -> dict[str, str]:
    """Run tags covering these years (default: every year folder of `raw`) in one run, after adding the
    partitions the instance does not have yet. The range runs from the first to the last of them in
    the partition's own order (dynamic keys keep the order they were added in), so it may also cover a
    year between them: rerunning that year is harmless. No years: no tags."""
    wanted = year_folders(raw) if years is None else years
    if not wanted:
        return {}
    keys = instance.get_dynamic_partitions(EVALUATION_YEARS.name)
    if missing := [y for y in wanted if y not in keys]:
        instance.add_dynamic_partitions(EVALUATION_YEARS.name, missing)
        keys = [*keys, *missing]
    positions = sorted(keys.index(y) for y in wanted)
    return {
        "dagster/asset_partition_range_start": keys[positions[0]],
        "dagster/asset_partition_range_end": keys[positions[-1]],
    }
