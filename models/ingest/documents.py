"""Rule files (framework.yaml, criteria trees, surveys.yaml, questionnaires, plan.yaml, the PAPI
dimension map) as the run read them: one snapshot of their text, taken once by the raw layer.

Every step that needs a rule builds it from this snapshot (`staging.rule_files`), never from
disk, so a file edited in the middle of a run cannot give two versions of a rule in one run, and
the hash of every rule file that scored a year is on record.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

import polars as pl

RULE_FILE_PATTERNS = (
    "frameworks/*/*",
    "surveys/surveys.yaml",
    "surveys/questionnaires/*",
    "surveys/papi_dimensions*.csv",
    "surveys/papi_provinces*.csv",
    "plan/*/plan.yaml",
)


class Documents:
    """Rule files by their path relative to the raw folder (`frameworks/x/framework.yaml`)."""

    def __init__(self, texts: dict[str, str]):
        self.texts = dict(sorted(texts.items()))

    @classmethod
    def from_dir(cls, raw_dir: Path, patterns: tuple[str, ...] = RULE_FILE_PATTERNS) -> Documents:
        """Rule files straight from a folder: for notebooks, tests and benchmarks, not for runs."""
        return cls(
            {
                p.relative_to(raw_dir).as_posix(): p.read_text(encoding="utf-8-sig")
                for pattern in patterns
                for p in raw_dir.glob(pattern)
                if p.is_file()
            }
        )

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> Documents:
        """From `staging.rule_files` (source_file, text)."""
        return cls(dict(zip(frame["source_file"], frame["text"], strict=True))) if frame.height else cls({})

    def exists(self, path: str | PurePosixPath) -> bool:
        return str(PurePosixPath(path)) in self.texts

    def read(self, path: str | PurePosixPath) -> str:
        key = str(PurePosixPath(path))
        if key not in self.texts:
            raise FileNotFoundError(key)
        return self.texts[key]

    def glob(self, pattern: str) -> list[PurePosixPath]:
        return [PurePosixPath(p) for p in self.texts if fnmatchcase(p, pattern)]

    def csv_rows(self, path: str | PurePosixPath) -> Iterator[tuple[int, dict]]:
        """(line number, row) of a CSV rule file, the header being line 1."""
        reader = csv.DictReader(io.StringIO(self.read(path), newline=""))
        yield from enumerate(reader, start=2)
