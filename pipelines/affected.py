"""What a change in the raw folder calls for: which sources to read again and which evaluation years
to recompute. The raw-files sensor launches exactly that, and `chiso run --year` adds it to the year
asked for, so a year's run never scores that year against a register or appraisal file that changed
on disk and was not read again.

- A form in `submissions/<year>/` changed: that year's forms are read again and the year rescored.
- Any other source's file changed: that source is read again, with everything downstream of it, for
  every year (a changed register or appraisal file may change any year's result).
- A file no source reads (a note, a licence): nothing. Nothing read yet: everything.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from assets.resources import ChisoPaths
from assets.storage import key
from models.ingest.documents import Documents
from models.ingest.readers import file_sha256
from models.ingest.source import Source
from models.rule_files import RULE_FILES
from models.sources import SOURCES

BY_NAME = {s.name: s for s in SOURCES}


@dataclass(frozen=True)
class Affected:
    sources: frozenset[str]  # sources to read again (empty when `everything`)
    years: tuple[str, ...]  # evaluation years to recompute
    everything: bool = False

    def selection(self) -> dg.AssetSelection:
        if self.everything:
            return dg.AssetSelection.all()
        raw = [key(t) for name in sorted(self.sources) for t in (BY_NAME[name].raw_table, f"raw.{name}_files")]
        return dg.AssetSelection.assets(*raw).downstream()

    def describe(self) -> str:
        """For the run's tags and the command line, in Vietnamese."""
        what = "toàn bộ" if self.everything else "đọc lại " + (", ".join(sorted(self.sources)) or "không nguồn nào")
        return f"{what}; năm: {', '.join(self.years) or '—'}"

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.sources)


@dataclass(frozen=True)
class Recorded:
    """What a warehouse (the working copy, else the published one) last read: each file with the
    source that read it and its hash, and every source's file patterns, the located ones included
    (survey folders named by surveys.yaml)."""

    files: dict[str, tuple[str, str]]
    patterns: dict[str, tuple[str, ...]]

    @property
    def hashes(self) -> dict[str, str]:
        return {f: sha for f, (_, sha) in self.files.items()}

    def source_of(self, path: str) -> Source | None:
        if path in self.files:
            return BY_NAME.get(self.files[path][0])
        for source in SOURCES:
            if any(fnmatch.fnmatch(path, pattern) for pattern in self.patterns.get(source.name, source.patterns)):
                return source
        return None


def affected(changed: list[str], recorded: Recorded, all_years: list[str], years: tuple[str, ...] = ()) -> Affected:
    """`changed`: files (relative to the raw folder) new, changed or removed since `recorded`; `years`:
    years asked for besides. With nothing recorded (no run yet), everything. A file no source reads
    (a note, a licence) affects nothing."""
    if not recorded.files:
        return Affected(frozenset(), tuple(all_years), everything=True)
    sources: set[str] = set()
    wanted = set(years)
    for path in changed:
        source = recorded.source_of(path)
        if source is None:
            continue
        if source.year_of(path) is None:
            wanted |= set(all_years)  # a register, an appraisal file, an unfiled form: any year may move
        else:
            wanted.add(source.year_of(path))
        sources.add(source.name)
    if years:
        sources |= {s.name for s in SOURCES if s.year_folder}
    return Affected(frozenset(sources), tuple(y for y in all_years if y in wanted))


def folder_hashes(raw: Path) -> dict[str, str]:
    """Every data file under the raw folder, by path relative to it (hidden files and folders, and the
    folder's own notes `*.md`, which no source reads, are skipped)."""
    return {
        path.relative_to(raw).as_posix(): file_sha256(path)
        for path in sorted(raw.rglob("*"))
        if path.is_file()
        and path.suffix != ".md"
        and not any(part.startswith(".") for part in path.relative_to(raw).parts)
    }


def recorded(warehouse: Path, raw: Path) -> Recorded:
    """What `warehouse` last read (empty if it does not exist); paths relative to the raw folder. A file
    seen but refused unread (no hash, e.g. a link) counts as seen as it is now."""
    if not warehouse.exists():
        return Recorded({}, {})
    files: dict[str, tuple[str, str]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        for source in SOURCES:
            try:
                rows = conn.execute(f"SELECT source_file, file_sha256 FROM raw.{source.name}_files").fetchall()
            except duckdb.CatalogException:
                continue
            for source_file, sha in rows:
                if not source_file:
                    continue
                path = Path(source_file)
                rel = (path.relative_to(raw) if path.is_absolute() and path.is_relative_to(raw) else path).as_posix()
                files[rel] = (source.name, sha or (file_sha256(raw / rel) if (raw / rel).is_file() else ""))
        try:
            docs = Documents.from_frame(conn.sql(f"SELECT * FROM {RULE_FILES}").pl())
        except duckdb.CatalogException:
            docs = Documents({})
    patterns = {s.name: tuple(p for p, _ in s.locate(docs)) if s.locate and docs.texts else s.patterns for s in SOURCES}
    return Recorded(files, patterns)


def last_read(paths: ChisoPaths) -> Recorded:
    """What the working copy last read, else the published warehouse (a fresh working copy starts from it)."""
    read = recorded(paths.working_path, paths.raw)
    return read if read.files else recorded(paths.warehouse_path, paths.raw)


def changed_files(before: dict[str, str], now: dict[str, str]) -> list[str]:
    return sorted(f for f in set(before) | set(now) if before.get(f) != now.get(f))
