"""A declared input source: from one declaration come its raw table, its staging tables, their
checks, its row balance and its quarantine records (assets/ingest.py builds the Dagster side).

Adding a source is one `Source(...)` in its domain's `sources.py` and its parser. The parser
gets the raw rows (text with provenance) and the staging tables it `needs`, and returns what it
staged; rows a reader flagged (cells beyond the header, a formula without value, merged score
cells) never reach it. Row balance is computed, not declared: every raw row must be staged (its
`source_file`, `source_row` in the source's own table), set aside (a form's subtotal row) or
quarantined, exactly one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandera.polars as pa
import polars as pl

from models.ingest.documents import Documents
from models.ingest.readers import FLAG, Reader, ReadResult, find_files
from models.ingest.records import RowProblem, quarantine_frame, record
from models.ingest.values import is_year

Inputs = dict[str, pl.DataFrame]  # staging tables a parser needs, by name ("staging.units")


@dataclass
class Staged:
    """What a parser made of its rows: the source's own table, quarantine records, how many rows
    it set aside as not data, and any other staging tables it declared in `writes`."""

    rows: pl.DataFrame
    quarantine: list[dict] | pl.DataFrame = field(default_factory=list)
    set_aside: int = 0
    extra: dict[str, pl.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.quarantine = quarantine_frame(self.quarantine)

    def add(self, records: list[dict] | pl.DataFrame) -> None:
        """More quarantine records (e.g. rows superseded by a later submission)."""
        self.quarantine = quarantine_frame(pl.concat([self.quarantine, quarantine_frame(records)]))


@dataclass(frozen=True)
class Source:
    """One kind of input file, declared once.

    - `name`: tables `raw.<name>`, `raw.<name>_files`, `staging.<name>`, `staging.<name>_quarantine`;
    - `patterns`: globs under the raw folder; `read`: the reader (`models.ingest.readers`);
    - `path_fields`: fields taken from a file's path (the year folder of a form);
    - `parse`: raw rows + needed staging tables → `Staged`; `needs`: the tables it reads;
    - `writes`: staging tables it writes besides its own; `schema`: pandera model of `staging.<name>`;
    - `required_raw`: raw columns its contract requires (checked on `raw.<name>`);
    - `locate`: where the files are when a rule file says so (surveys.yaml names each survey's
      folder): (pattern, fields every row of those files gets) from the run's rule files;
    - `year_folder`: files sit in `<year_folder>/<year>/…`, one folder per evaluation year, so the
      source is read, staged and balanced one year at a time (Dagster's `evaluation_year`
      partitions). A file in any other folder is "unfiled": it belongs to no year, is read with
      every year and its rows are quarantined by the parser.
    """

    name: str
    domain: str
    description: str
    patterns: tuple[str, ...]
    read: Reader
    parse: Callable[[list[dict], Inputs], Staged]
    schema: type[pa.DataFrameModel] | None = None
    needs: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    path_fields: Callable[[str], dict] | None = None
    required_raw: tuple[str, ...] = ()
    locate: Callable[[Documents], list[tuple[str, dict]]] | None = None
    label: str = ""  # what officials call this input, in Vietnamese (data-quality page)
    year_folder: str | None = None

    def year_of(self, source_file: str) -> str | None:
        """The evaluation year a file is filed under (`submissions/2024/S01.xlsx` → "2024"), None if unfiled."""
        if self.year_folder is None:
            return None
        parts = PurePosixPath(source_file).parts
        if len(parts) > 2 and parts[0] == self.year_folder and is_year(parts[1]):
            return parts[1]
        return None

    @property
    def year_sql(self) -> str:
        """`year_of` in SQL, over a table's `source_file` (the folder after `year_folder`)."""
        return f"split_part(source_file, '/', {len(PurePosixPath(self.year_folder or '').parts) + 1})"

    def years(self, raw_dir: Path) -> list[str]:
        """The year folders present under `raw_dir/<year_folder>/`, in order."""
        folder = raw_dir / (self.year_folder or "")
        if self.year_folder is None or not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and is_year(p.name))

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def table(self) -> str:
        return f"staging.{self.name}"

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table, *self.writes)

    @property
    def quarantine_table(self) -> str:
        return f"staging.{self.name}_quarantine"


FILE_SCHEMA = {
    "source_file": pl.String,
    "file_sha256": pl.String,
    "rows_read": pl.Int64,
    "problem_rule": pl.String,
    "problem_message": pl.String,
}


def read_source(
    source: Source, raw_dir: Path, docs: Documents | None = None, years: list[str] | None = None
) -> list[ReadResult]:
    """Every file of the source, read, in path order; see `iter_source`."""
    return list(iter_source(source, raw_dir, docs, years))


def iter_source(
    source: Source, raw_dir: Path, docs: Documents | None = None, years: list[str] | None = None
) -> Iterator[ReadResult]:
    """Every file of the source, read one at a time in path order (a caller writing them out in batches
    holds one batch, not a national year of forms); a link out of the raw folder is a result with only
    its problem. `years`: for a source filed by year, only those years' folders (and the unfiled files)."""
    located = source.locate(docs) if source.locate else [(p, {}) for p in source.patterns]
    found: dict[str, tuple[Path | None, dict]] = {}
    for pattern, fields in located:
        files, outside = find_files(raw_dir, (pattern,))
        for path, display in files:
            found.setdefault(display, (path, fields))
        for r in outside:
            found.setdefault(r["source_file"], (None, r))
    for display in sorted(found):
        if years is not None and source.year_of(display) not in (*years, None):
            continue
        path, fields = found[display]
        if path is None:  # `fields` is the record of why it was not read
            yield ReadResult(display, "", problem=fields)
            continue
        result = source.read(path, display)
        extra = {**fields, **(source.path_fields(display) if source.path_fields else {})}
        for row in result.rows:
            row.update(extra)
        yield result


def raw_frames(results: list[ReadResult]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`raw.<name>` (every row as text, with file hash) and `raw.<name>_files` (one row per file)."""
    rows = [{**row, "file_sha256": r.sha256} for r in results for row in r.rows]
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame({"source_file": []})
    frame = frame.with_columns(pl.exclude("row_number").cast(pl.String))
    if "row_number" in frame.columns:
        frame = frame.with_columns(pl.col("row_number").cast(pl.Int64))
    files = pl.DataFrame(
        [
            {
                "source_file": r.path,
                "file_sha256": r.sha256,
                "rows_read": len(r.rows),
                "problem_rule": r.problem and r.problem["rule"],
                "problem_message": r.problem and r.problem["message"],
            }
            for r in results
        ],
        schema=FILE_SCHEMA,
        orient="row",
    )
    return frame, files


def file_problems(files: pl.DataFrame) -> list[dict]:
    """One quarantine record per file that could not be read."""
    return [
        {"source_file": f["source_file"], "rule": f["problem_rule"], "message": f["problem_message"]}
        for f in files.filter(pl.col("problem_rule").is_not_null()).iter_rows(named=True)
    ]


def _flagged(raw: dict) -> RowProblem:
    rule, column, message = raw[FLAG].split("|", 2)
    return RowProblem(column or None, rule, message, raw.get(column) if column else None)


@dataclass
class StageOutcome:
    tables: dict[str, pl.DataFrame]
    quarantine: pl.DataFrame
    balance: dict


def stage_source(source: Source, raw_rows: list[dict], files: pl.DataFrame, inputs: Inputs) -> StageOutcome:
    """Run the source's parser over its raw rows and account for every row."""
    flagged = [r for r in raw_rows if r.get(FLAG)]
    clean = [r for r in raw_rows if not r.get(FLAG)]
    staged = source.parse(clean, inputs)
    unreadable = file_problems(files)
    quarantine = quarantine_frame(
        pl.concat(
            [
                quarantine_frame([record(r, _flagged(r)) for r in flagged]),
                staged.quarantine,
                quarantine_frame(unreadable),
            ]
        )
    )
    # Only the source's own raw rows count (a questionnaire row a record may name does not).
    raw_keys = _row_keys(pl.DataFrame([{k: r.get(k) for k in ROW_KEY} for r in raw_rows], schema=_KEY_SCHEMA))
    staged_rows = _row_keys(staged.rows.rename({"source_row": "row_number"}, strict=False)).join(
        raw_keys, on=ROW_KEY, how="semi", nulls_equal=True
    )
    quarantined_rows = (
        _row_keys(quarantine)
        .join(raw_keys, on=ROW_KEY, how="semi", nulls_equal=True)
        .join(staged_rows, on=ROW_KEY, how="anti", nulls_equal=True)
    )
    balance = {
        "source": source.name,
        "rows_in": len(raw_rows),
        "rows_staged": staged_rows.height,
        "rows_quarantined": quarantined_rows.height,
        "rows_set_aside": staged.set_aside,
        "files_unreadable": len(unreadable),
    }
    return StageOutcome({source.table: staged.rows, **staged.extra}, quarantine, balance)


ROW_KEY = ["source_file", "row_number", "cell"]
_KEY_SCHEMA = {"source_file": pl.String, "row_number": pl.Int64, "cell": pl.String}


def _row_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """The raw rows a table accounts for: (file, row, cell) of every row that has a row number."""
    if not {"source_file", "row_number"} <= set(frame.columns):
        return pl.DataFrame(schema=_KEY_SCHEMA)
    if "cell" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("cell"))
    return frame.filter(pl.col("row_number").is_not_null()).select(ROW_KEY).cast(_KEY_SCHEMA).unique()


def stage_rows(raw_rows: list[dict], schema: dict, parse: Callable[[dict], dict | None]) -> Staged:
    """The usual parser: `parse` each raw row into a staged row (a dict), None to set it aside (a
    form's subtotal row), or raise RowProblem to quarantine it with its reason."""
    good, bad, set_aside = [], [], 0
    for raw in raw_rows:
        try:
            row = parse(raw)
        except RowProblem as p:
            bad.append(record(raw, p))
            continue
        if row is None:
            set_aside += 1
        else:
            good.append(row)
    return Staged(pl.DataFrame(good, schema=schema, orient="row"), bad, set_aside)


def keep_latest(
    rows: pl.DataFrame, keys: list[str], order: list[str], superseded: Callable[[dict], RowProblem]
) -> tuple[pl.DataFrame, list[dict]]:
    """One row per key: the latest by `order` wins; the others are kept as `superseded` records."""
    ranked = rows.sort(order, nulls_last=False).with_columns(
        (pl.int_range(pl.len()).over(keys) == pl.len().over(keys) - 1).alias("_latest")
    )
    records = [
        record(
            {
                "source_file": r["source_file"],
                "sheet": r.get("sheet"),
                "row_number": r["source_row"],
                "cell": r.get("cell"),
            },
            superseded(r),
        )
        for r in ranked.filter(~pl.col("_latest")).iter_rows(named=True)
    ]
    return ranked.filter("_latest").drop("_latest").sort(keys), records
