"""The fleet commands behind ``audit``, ``query`` and ``report --db``: argv already parsed.

Kept out of ``reporter/cli.py`` so that file only gains the subcommands' arguments.
"""

from __future__ import annotations

import argparse
import sys

from reporter.errors import UsageError
from reporter.fleet.audit import AuditCache, run_audit
from reporter.fleet.inventory import InputResult, Inventory
from reporter.options import Options

__all__ = ["audit_command", "fleet_page_command", "query_command"]


def _progress(quiet: bool) -> object:
    if quiet or not sys.stderr.isatty():
        return None

    def show(result: InputResult, done: int, total: int) -> None:
        state = result.error_kind or ("integrity failed" if result.exit_code == 4 else "ok")
        print(f"[{done}/{total}] {result.path}: {state}", file=sys.stderr)

    return show


def audit_command(args: argparse.Namespace, options: Options) -> int:
    from reporter.fleet.executors import dask_executor, local_executor

    if args.format and not args.output_dir:
        raise UsageError("audit --format needs --output-dir DIR")
    writer = None
    if args.output_dir:
        from reporter.fleet.outputs import report_writer

        writer = report_writer(args.output_dir, tuple(dict.fromkeys(args.format)) or ("html",))
    executor = dask_executor(args.scheduler) if args.scheduler else local_executor
    inventory = Inventory(args.db)
    try:
        with AuditCache(options) as audit_options:
            summary = run_audit(
                args.paths,
                inventory,
                audit_options,
                executor=executor,
                verify=args.verify,
                write_reports=writer,
                on_result=_progress(args.quiet),  # type: ignore[arg-type]
            )
    finally:
        inventory.close()
    if not args.quiet:
        print(
            f"oci-reporter: audited {len(summary.audited)}, unchanged {len(summary.skipped)}, "
            f"forgotten {len(summary.forgotten)} → {args.db}",
            file=sys.stderr,
        )
    return summary.exit_code


def query_command(args: argparse.Namespace) -> int:
    from reporter.fleet.query import Query, format_rows, open_read_only, run_query
    from reporter.output import write_bytes

    db = open_read_only(args.db)
    try:
        columns, rows = run_query(
            db,
            Query(
                package=args.package,
                version=args.version,
                type=args.type,
                purl=args.purl,
                integrity=args.integrity,
                base=args.base,
                stale_base=args.stale_base,
                sql=args.sql,
            ),
        )
    finally:
        db.close()
    write_bytes(args.output, format_rows(columns, rows, args.format))
    return 0


def fleet_page_command(args: argparse.Namespace) -> int:
    from reporter.fleet.page import render_fleet
    from reporter.fleet.query import open_read_only
    from reporter.output import write_bytes

    if args.db is None:
        raise UsageError("report needs PATH (an image) or --db FILE (an audit inventory)")
    if args.path is not None:
        raise UsageError("give PATH or --db FILE, not both")
    formats = tuple(args.format) or ("html",)
    if len(formats) != 1 or args.output_dir or args.template:
        raise UsageError("report --db writes one page: -f html or -f md, with -o FILE")
    db = open_read_only(args.db)
    try:
        data = render_fleet(db, formats[0], args.output if args.output != "-" else None)
    finally:
        db.close()
    write_bytes(args.output or "-", data)
    return 0
