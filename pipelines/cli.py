"""`chiso` command: run the whole pipeline without the Dagster UI."""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
from pathlib import Path

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def run(raw_dir: str | None, curated_dir: str | None) -> int:
    import dagster as dg

    from pipelines.definitions import make_definitions

    defs = make_definitions(raw_dir, curated_dir)
    paths = defs.resources["paths"]
    lock_path = paths.working_path.parent / "run.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = lock_path.open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(
            f"Một lần chạy khác đang cập nhật kho dữ liệu trong {paths.curated}; "
            "hãy chờ lần chạy đó kết thúc rồi chạy lại. Kho đã công bố vẫn đọc được.",
            file=sys.stderr,
        )
        return 3
    result = defs.resolve_job_def("chiso_recompute").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    if not result.success:
        for message in failure_messages(result):
            print(message, file=sys.stderr)
        print(f"Kho đã công bố trước đó vẫn giữ nguyên: {paths.warehouse_path}", file=sys.stderr)
        return 1
    print("Đã chạy xong (dữ liệu mẫu là dữ liệu tổng hợp nếu dùng data/raw của dự án).")
    print(f"  Kho dữ liệu DuckDB: {paths.warehouse_path}")
    print(f"  Dashboard:          {Path(paths.curated) / 'dashboard' / 'index.html'}")
    print(f"  Báo cáo tiến độ:    {Path(paths.curated) / 'reports'}")
    print("  Truy vấn mẫu:       xem README.md, mục 'Query the warehouse' (bảng marts.par_index)")
    return 0


def failure_messages(result) -> list[str]:
    """The root cause of each failed step, not Dagster's wrapper ('Error occurred while executing op')."""
    messages = []
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None) if event.is_failure else None
        if error is None:
            continue
        while error.cause is not None:
            error = error.cause
        messages.append(f"LỖI ở bước {event.step_key}: {error.message.strip()}")
    return messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chiso", description="chiso: PAR Index warehouse")
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="materialise every asset (raw → marts → dashboard)")
    run_p.add_argument("--raw-dir", help="input folder (default: data/raw)")
    run_p.add_argument("--curated-dir", help="output folder (default: data/curated)")
    ex_p = sub.add_parser("explain", help="one unit's index leaf by leaf, band, rank and gap (Vietnamese)")
    ex_p.add_argument("--year", type=int, required=True, help="evaluation year")
    ex_p.add_argument("--unit", required=True, help="unit id from units.csv, e.g. S04")
    ex_p.add_argument("--warehouse", help="DuckDB file (default: data/curated/warehouse.duckdb)")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.raw_dir, args.curated_dir)
    if args.command == "explain":
        from pipelines.explain_cmd import run_explain

        return run_explain(args.year, args.unit, args.warehouse)
    return 2


if __name__ == "__main__":
    sys.exit(main())
