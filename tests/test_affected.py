"""What a change in the raw folder calls for (pipelines/affected.py), rule by rule, worked by hand."""

from __future__ import annotations

import dagster as dg

from pipelines.affected import Recorded, affected
from pipelines.definitions import ALL_ASSETS

YEARS = ["2022", "2023", "2024"]
READ = Recorded(
    files={
        "units.csv": ("units", "a"),
        "submissions/2023/S01.xlsx": ("submissions", "b"),
        "surveys/sipas/2024/dot1.csv": ("survey_respondents", "c"),
    },
    patterns={"survey_respondents": ("surveys/sipas/*/*.csv",)},
)


def test_nothing_read_yet_means_everything():
    plan = affected(["units.csv"], Recorded({}, {}), YEARS)
    assert plan.everything and plan.years == tuple(YEARS) and plan.selection() == dg.AssetSelection.all()


def test_a_form_reads_and_rescores_its_year_only():
    plan = affected(["submissions/2023/S01.xlsx", "submissions/2024/S02.xlsx"], READ, YEARS)
    assert (plan.sources, plan.years) == ({"submissions"}, ("2023", "2024"))
    selected = plan.selection().resolve(ALL_ASSETS)
    assert dg.AssetKey(["raw", "submissions"]) in selected and dg.AssetKey(["raw", "units"]) not in selected
    assert dg.AssetKey(["core", "unit_scores"]) in selected and dg.AssetKey("published_warehouse") in selected


def test_any_other_source_rescores_every_year_without_reading_the_forms():
    plan = affected(["units.csv"], READ, YEARS)
    assert (plan.sources, plan.years) == ({"units"}, tuple(YEARS))
    selected = plan.selection().resolve(ALL_ASSETS)
    assert dg.AssetKey(["staging", "submissions"]) in selected  # restaged: it checks units against the register
    assert dg.AssetKey(["raw", "submissions"]) not in selected


def test_a_new_file_is_placed_by_patterns_a_rule_file_gives_and_an_unfiled_form_moves_every_year():
    assert affected(["surveys/sipas/2025/dot2.csv"], READ, YEARS).sources == {"survey_respondents"}
    unfiled = affected(["submissions/cu/S01.xlsx"], READ, YEARS)
    assert (unfiled.sources, unfiled.years) == ({"submissions"}, tuple(YEARS))


def test_a_file_no_source_reads_runs_nothing_and_a_year_asked_for_reads_its_forms():
    assert affected(["ghi_chu.txt", "README.pdf"], READ, YEARS).nothing
    asked = affected([], READ, YEARS, ("2022",))
    assert (asked.sources, asked.years) == ({"submissions"}, ("2022",))
    assert asked.describe() == "đọc lại submissions; năm: 2022"
