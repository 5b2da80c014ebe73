"""`chiso` command: run the whole pipeline without the Dagster UI, in the project's Dagster instance.

`chiso run` executes the job `chiso_recompute` in process, against the same persistent instance
(`DAGSTER_HOME`, by default `<project>/.dagster_home`) that `make dev` serves, so its runs, materialisations
and check results show in the UI's history. It prints one line per finished step (elapsed time; rows read,
staged and quarantined for each source), and on failure a short Vietnamese message per failed step; the
full traces go to `<curated>/logs/chiso-run.log` and, with `--verbose`, to the terminal.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import traceback
import uuid
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_CONFIG = Path(__file__).resolve().parent / "dagster.yaml"


def dagster_home(env: dict | None = None) -> Path:
    """The one Dagster instance: `DAGSTER_HOME` if set (Makefile, tests), else the project's `.dagster_home`."""
    env = os.environ if env is None else env
    return Path(env.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home").resolve()


def project_instance():
    """The persistent instance at `dagster_home()`, created with pipelines/dagster.yaml if new."""
    import dagster as dg

    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copy(INSTANCE_CONFIG, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return dg.DagsterInstance.get()


@contextmanager
def run_lock(path: Path):
    """Yield True if this process holds the exclusive lock on `path`, False if another one does.

    fcntl on Linux and macOS, msvcrt on Windows: the lock is released when the process ends, even if killed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True


class Progress:
    """Prints as the run goes: each finished step with the elapsed time, each source's row counts."""

    def __init__(self, level: int, out=None):
        self.level, self.out, self.start = level, out or sys.stdout, time.monotonic()

    def elapsed(self) -> str:
        return f"{time.monotonic() - self.start:6.1f} giây"

    def say(self, text: str, level: int = 1) -> None:
        if self.level >= level:
            print(text, file=self.out, flush=True)

    def __call__(self, entry) -> None:
        event = entry.dagster_event
        if event is None:
            return
        kind = event.event_type_value
        if kind == "STEP_SUCCESS":
            self.say(f"  [{self.elapsed()}] xong bước {event.step_key}")
        elif kind == "STEP_FAILURE":
            self.say(f"  [{self.elapsed()}] LỖI ở bước {event.step_key}", level=0)
        elif kind == "ASSET_MATERIALIZATION":
            meta = {k: getattr(v, "value", v) for k, v in event.event_specific_data.materialization.metadata.items()}
            name = event.asset_key.to_user_string()
            if "rows_in" in meta:  # a source's quarantine table carries its row balance (assets/ingest.py)
                self.say(
                    f"    {name.removeprefix('staging/').removesuffix('_quarantine')}: đọc {meta['rows_in']} dòng, "
                    f"chuẩn hóa {meta['rows_staged']}, cách ly {meta['rows_quarantined']}, "
                    f"bỏ qua {meta.get('rows_set_aside', 0)}"
                )
            elif "dagster/row_count" in meta:
                self.say(f"    {name}: {meta['dagster/row_count']} dòng", level=2)
        elif kind == "ASSET_CHECK_EVALUATION" and self.level >= 2:
            check = event.event_specific_data
            self.say(f"    kiểm tra {check.check_name}: {'đạt' if check.passed else 'KHÔNG ĐẠT'}", level=2)


def run(raw_dir: str | None, curated_dir: str | None, verbosity: int = 1, year: str | None = None) -> int:
    from assets.partitions import year_folders, year_tags
    from pipelines.definitions import ALL_ASSETS, make_definitions, resolved_paths

    defs = make_definitions(raw_dir, curated_dir)
    paths = resolved_paths(raw_dir, curated_dir)
    if not paths.raw.is_dir():
        print(
            f"LỖI: không có thư mục dữ liệu vào {paths.raw}. Hãy kiểm tra --raw-dir "
            "(thư mục bố trí như data/raw, xem docs/inputs.md) rồi chạy lại. Chưa có gì bị thay đổi.",
            file=sys.stderr,
        )
        return 2
    years = year_folders(paths.raw)
    if not years:
        print(
            f"LỖI: không có thư mục năm nào trong {paths.raw / 'submissions'}: chưa có biểu tự đánh giá nào để "
            "chấm. Hãy đặt biểu của mỗi năm vào submissions/<năm đánh giá>/ (docs/inputs.md) rồi chạy lại. "
            "Chưa có gì bị thay đổi.",
            file=sys.stderr,
        )
        return 2
    if year is not None and year not in years:
        print(
            f"LỖI: không có thư mục năm {year} trong {paths.raw / 'submissions'} "
            f"(các năm có: {', '.join(years)}). Chưa có gì bị thay đổi.",
            file=sys.stderr,
        )
        return 2
    progress = Progress(verbosity)
    with run_lock(paths.working_path.parent / "run.lock") as locked:
        if not locked:
            print(
                f"Một lần chạy khác đang cập nhật kho dữ liệu trong {paths.curated}; "
                "hãy chờ lần chạy đó kết thúc rồi chạy lại. Kho đã công bố vẫn đọc được.",
                file=sys.stderr,
            )
            return 3
        instance = project_instance()
        plan = run_plan(paths, years, year)
        run_id = str(uuid.uuid4())  # chosen here, so the progress listener is attached before the run starts
        instance.add_event_listener(run_id, progress)
        progress.say(f"chiso run: {paths.raw} → {paths.curated} (lịch sử chạy: {dagster_home()})")
        if year is not None:
            progress.say(f"  Phạm vi: {plan.describe()}")
        job = defs.resolve_job_def("chiso_recompute")
        result = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            raise_on_error=False,
            asset_selection=None if plan.everything else sorted(plan.selection().resolve(ALL_ASSETS)),
            tags={
                "chiso/started_by": "chiso run",
                "chiso/affected": plan.describe()[:1000],
                **year_tags(instance, paths.raw, list(plan.years)),
            },
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING" if verbosity > 1 else "CRITICAL"}}}},
        )
    if not result.success:
        log = write_failure_log(result, paths.curated / "logs" / "chiso-run.log")
        for message in failure_messages(result):
            print(message, file=sys.stderr)
        if verbosity > 1:
            print(log.read_text(encoding="utf-8"), file=sys.stderr)
        if paths.warehouse_path.exists():
            print(f"Kho đã công bố trước đó vẫn giữ nguyên: {paths.warehouse_path}", file=sys.stderr)
        else:
            print(f"Chưa có kho dữ liệu nào được công bố trong {paths.curated}.", file=sys.stderr)
        print(
            "Hãy sửa tệp hoặc dữ liệu được nêu ở trên rồi chạy lại `chiso run`. "
            f"Chi tiết kỹ thuật: {log} (hoặc chạy lại với --verbose).",
            file=sys.stderr,
        )
        return 1
    progress.say(f"Đã chạy xong sau {time.monotonic() - progress.start:.0f} giây.", level=0)
    if verbosity:
        print("  (Dữ liệu mẫu là dữ liệu tổng hợp nếu dùng data/raw của dự án.)")
        print(f"  Kho dữ liệu DuckDB: {paths.warehouse_path}")
        print(f"  Dashboard:          {Path(paths.curated) / 'dashboard' / 'index.html'}")
        print(f"  Báo cáo tiến độ:    {Path(paths.curated) / 'reports'}")
        print("  Truy vấn mẫu:       xem README.md, mục 'Query the warehouse' (bảng marts.par_index)")
        print(f"  Lịch sử chạy:       `make dev` (Dagster UI), run {result.run_id}")
    return 0


def run_plan(paths, years: list[str], year: str | None):
    """A plain run: everything, every year. `--year`: that year's forms and score, plus whatever changed
    on disk since the working copy last read it (pipelines/affected.py); everything if it never has."""
    from pipelines.affected import Affected, affected, changed_files, folder_hashes, last_read

    if year is None:
        return Affected(frozenset(), tuple(years), everything=True)
    read = last_read(paths)
    return affected(changed_files(read.hashes, folder_hashes(paths.raw)), read, years, (year,))


def _root(error):
    while error.cause is not None:
        error = error.cause
    return error


def failure_messages(result) -> list[str]:
    """The root cause of each failed step, not Dagster's wrapper ('Error occurred while executing op'),
    once each: the run's own failure event repeats the last step's error, and has no step when the
    run failed before any step (a resource that could not start)."""
    messages, seen = [], set()
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None) if event.is_failure else None
        if error is None:
            continue
        text = _without_class(_root(error))
        if text in seen:
            continue
        seen.add(text)
        messages.append(f"LỖI ở bước {event.step_key}: {text}" if event.step_key else f"LỖI: {text}")
    return messages


def write_failure_log(result, path: Path) -> Path:
    """Every failure event's full trace (all causes), for whoever maintains chiso."""
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = [f"run {result.run_id}"]
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None) if event.is_failure else None
        if error is not None:
            parts.append(f"--- {event.event_type_value} {event.step_key or ''}\n{error.to_string()}")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def _without_class(error) -> str:
    """'dagster._core.definitions.events.Failure: Không công bố…' → 'Không công bố…'."""
    text = error.message.strip()
    head, sep, rest = text.partition(": ")
    return rest.strip() if sep and head.split(".")[-1] == error.cls_name else text


def version() -> str:
    import dagster

    return f"chiso {metadata.version('chiso')} (Dagster {dagster.__version__})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chiso", description="chiso: PAR Index warehouse")
    parser.add_argument("--version", action="version", version=version())
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="materialise every asset (raw → marts → dashboard)")
    run_p.add_argument("--raw-dir", help="input folder (default: data/raw, or CHISO_RAW_DIR)")
    run_p.add_argument("--curated-dir", help="output folder (default: data/curated, or CHISO_CURATED_DIR)")
    run_p.add_argument("--year", help="recompute one evaluation year (and whatever changed on disk since the last run)")
    talk = run_p.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="print only the result and errors")
    talk.add_argument("-v", "--verbose", action="store_true", help="every table and check; full traces on failure")
    ex_p = sub.add_parser("explain", help="one unit's index leaf by leaf, band, rank and gap (Vietnamese)")
    ex_p.add_argument("--year", type=int, required=True, help="evaluation year")
    ex_p.add_argument("--unit", required=True, help="unit id from units.csv, e.g. S04 (any case)")
    ex_p.add_argument("--warehouse", help="DuckDB file (default: data/curated/warehouse.duckdb)")
    args = parser.parse_args(argv)
    if args.command == "run":
        verbosity = 0 if args.quiet else 2 if args.verbose else 1
        try:
            return run(args.raw_dir, args.curated_dir, verbosity, args.year)
        except KeyboardInterrupt:
            print("Đã dừng theo yêu cầu; kho đã công bố giữ nguyên.", file=sys.stderr)
            return 130
        except Exception as exc:  # noqa: BLE001 - an official gets one line; the trace only with --verbose
            if verbosity > 1:
                traceback.print_exc()
            print(f"LỖI: {exc}. Chạy lại với --verbose để xem chi tiết kỹ thuật.", file=sys.stderr)
            return 1
    if args.command == "explain":
        from pipelines.explain_cmd import run_explain

        return run_explain(args.year, args.unit, args.warehouse)
    return 2


if __name__ == "__main__":
    sys.exit(main())
