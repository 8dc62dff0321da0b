"""argv → Options → pipeline → renderer → output, and exit codes. No logic of its own.

Exit codes (README "Exit codes"):
  0  success
  1  unexpected internal error (a bug: please report it)
  2  usage error
  3  the input cannot be read as an image (missing path, not an image, bad tar/gzip/JSON)
  4  integrity failed: a blob does not match its digest, size or diff_id, or is missing
     (outputs are still written, with the findings)
  5  a --metadata file is unusable
  7  an output could not be rendered or written
  8  the selector (tag, digest, --platform) matched nothing
  9  diff --fail-on / report --fail-on attested-mismatch: a gated change was found
  10 check-base: stale (rebuild or rebase)
  11 check-base: unknown
  audit: the worst of its inputs' codes, in the order 4 > 1 > 3 > 6 > 8 > 5 > 7 > 0
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from reporter import __version__
from reporter.errors import ReporterError, UsageError
from reporter.options import Limits, Options
from reporter.platforms import Platform
from reporter.selector import split_values

# Start-up (issue 16): a warm whole-report cache hit never builds a Report; the model types
# (and the pipeline, the renderers) are imported by the commands that do.
if TYPE_CHECKING:
    from reporter.model import Report

__all__ = ["main"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INTEGRITY = 4
EXIT_DIFF_GATE = 9
EXIT_STALE = 10
EXIT_UNKNOWN = 11

SELECTOR_HELP = (
    "PATH is an OCI image-layout directory, an OCI or docker-save tar (plain, gzip or zstd), "
    "or '-' for standard input. Select images with PATH:TAG or PATH@sha256:DIGEST."
)


_LOCKFILES_HELP = (
    "also list what lock files in the image declare (package-lock.json, yarn.lock, "
    "pnpm-lock.yaml, poetry.lock, Pipfile.lock, requirements*.txt, Gemfile.lock, "
    "Cargo.lock, go.mod, composer.lock, mix.lock, rebar.lock, pubspec.lock, "
    "Package.resolved, stack.yaml.lock, cabal.project.freeze); each such package is marked "
    "'declared = lock-file': meant to be installed, not found installed. Off by default, "
    "as in syft's image scans"
)


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--platform",
        action="append",
        default=[],
        metavar="OS/ARCH[/VARIANT]",
        help="only images for this platform (repeatable; default all; arm64 is arm64/v8)",
    )
    parser.add_argument(
        "--max-layer-bytes",
        type=int,
        default=Limits().max_layer_bytes,
        help="stop decompressing a layer past this many bytes (a finding)",
    )
    parser.add_argument(
        "--max-expansion-ratio",
        type=int,
        default=Limits().max_expansion_ratio,
        help="uncompressed/compressed ratio that marks a decompression bomb",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=0,
        metavar="N",
        help="scan up to N layers at once in worker processes (default 0: one per core)",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="per-layer result cache (default $XDG_CACHE_HOME/oci-reporter or "
        "~/.cache/oci-reporter; off when CI is set or OCI_REPORTER_CACHE=off)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the layer cache: hash and decompress every layer",
    )
    parser.add_argument(
        "--trust-cache",
        action="store_true",
        help="take a cached layer's digest on faith instead of re-hashing its blob (faster; "
        "a blob changed after it was cached then goes unnoticed)",
    )


def _add_trust_key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trust-key",
        action="append",
        default=[],
        metavar="FILE.pem",
        help="a public key (ECDSA P-256/P-384, Ed25519, RSA) whose DSSE and cosign signatures "
        "count as verified (repeatable); without one, signed attestations are untrusted-key",
    )


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress display on standard error"
    )


def _cache_dir(args: argparse.Namespace) -> str | None:
    """--no-cache > --cache-dir > OCI_REPORTER_CACHE=off / CI → off > the user's cache dir."""
    if args.no_cache:
        return None
    if args.cache_dir:
        return str(args.cache_dir)
    if os.environ.get("OCI_REPORTER_CACHE", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        return None
    from reporter.layers.cache import default_cache_dir

    return str(default_cache_dir())


def _parser() -> argparse.ArgumentParser:
    # The renderer registry (cheap: it imports no renderer until one is asked for).
    from reporter.render.dispatch import (
        CYCLONEDX_SPEC_VERSIONS,
        DEFAULT_CYCLONEDX_SPEC_VERSION,
        FORMATS,
    )

    parser = argparse.ArgumentParser(
        prog="oci-reporter",
        description="Offline reports, SBOMs and provenance for container images on disk. "
        "No registry, no Docker daemon: every blob is verified against its digest and layers "
        "are streamed, never unpacked.",
        epilog="Exit codes: 0 ok, 2 usage, 3 unreadable input, 4 integrity failed, 5 bad "
        "metadata file, 7 output failed, 8 nothing selected, 9 diff gate, 10 stale base, "
        "11 base unknown.",
    )
    parser.add_argument("--version", action="version", version=f"oci-reporter {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    inspect = sub.add_parser(
        "inspect",
        help="list the images in PATH with digests, layers, labels and attestations",
        description="List every image in PATH per platform: refs, manifest, config, layers "
        "(digest, diff_id, size), annotations, labels, linked attestations and integrity "
        "findings. " + SELECTOR_HELP,
    )
    inspect.add_argument("path", metavar="PATH", help="the image: directory, tar or '-'")
    _add_selection(inspect)
    _add_quiet(inspect)
    inspect.add_argument(
        "--format",
        "-f",
        choices=("table", "json"),
        default="table",
        help="table for people (default), json for scripts (schema oci-reporter/inspect/v1)",
    )
    inspect.add_argument(
        "--output", "-o", default="-", metavar="FILE", help="write here instead of standard output"
    )
    inspect.add_argument(
        "--no-verify-layers",
        action="store_true",
        help="do not stream layers (faster; diff_ids are then not checked)",
    )

    report = sub.add_parser(
        "report",
        help="scan PATH and write reports and SBOMs (html, md, cyclonedx, spdx, json)",
        description="Scan every selected image once and write one or more outputs. "
        + SELECTOR_HELP,
    )
    report.add_argument("path", metavar="PATH", nargs="?", help="the image: directory, tar or '-'")
    report.add_argument(
        "--db", metavar="FILE", help="instead of PATH: the fleet page of an audit inventory"
    )
    _add_selection(report)
    _add_quiet(report)
    report.add_argument(
        "--format",
        "-f",
        action="append",
        default=[],
        metavar="FORMAT",
        help=f"{', '.join(FORMATS)} (repeatable; default json)",
    )
    report.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the (single) output here; '-' is standard output (default)",
    )
    report.add_argument(
        "--output-dir",
        metavar="DIR",
        help="write one file per format (and per platform for SBOMs) into DIR",
    )
    report.add_argument(
        "--template",
        metavar="FILE.j2",
        help="render this Jinja2 template with the report context (docs/templates.md)",
    )
    report.add_argument(
        "--metadata",
        action="append",
        default=[],
        metavar="FILE",
        help="a buildx/bake --metadata-file JSON to merge (repeatable)",
    )
    report.add_argument(
        "--base",
        action="append",
        default=[],
        metavar="PATH[:TAG]",
        help="a candidate base image; a layer-prefix match is the strongest evidence",
    )
    report.add_argument(
        "--cyclonedx-version",
        default=DEFAULT_CYCLONEDX_SPEC_VERSION,
        choices=CYCLONEDX_SPEC_VERSIONS,
        help=f"CycloneDX spec version (default {DEFAULT_CYCLONEDX_SPEC_VERSION})",
    )
    report.add_argument(
        "--cyclonedx-index-root",
        action="store_true",
        help="one CycloneDX BOM with the index as root instead of one per platform",
    )
    report.add_argument("--no-catalog", action="store_true", help="skip package cataloging")
    report.add_argument("--lockfiles", action="store_true", help=_LOCKFILES_HELP)
    report.add_argument(
        "--build-record",
        action="append",
        default=[],
        metavar="FILE.dockerbuild",
        help="a 'docker buildx history export' file to merge as provenance (repeatable)",
    )
    report.add_argument(
        "--fail-on",
        action="append",
        default=[],
        metavar="attested-mismatch",
        help="exit 9 when an attested SBOM and the scanned packages disagree",
    )
    _add_trust_key(report)
    report.add_argument(
        "--sbom-author",
        default="",
        metavar='"NAME <EMAIL>"',
        help="the person or organisation making the SBOMs (CycloneDX metadata.authors, "
        "SPDX creator)",
    )
    report.add_argument(
        "--sbom-supplier",
        default="",
        metavar='"NAME <EMAIL>"',
        help="the organisation supplying the SBOMs (CycloneDX metadata.supplier, SPDX "
        "creator; the image's supplier when the image names none)",
    )

    check = sub.add_parser(
        "check-base",
        help="is IMAGE still built on the given base's current layers?",
        description="Answer 'current', 'stale' (exit 10) or 'unknown' (exit 11) for IMAGE "
        "against NEWER_BASE, from layer prefixes and recorded base pins. " + SELECTOR_HELP,
    )
    check.add_argument("path", metavar="IMAGE", help="the image built on the base (PATH[:TAG])")
    check.add_argument(
        "--base",
        required=True,
        metavar="NEWER_BASE",
        help="the base image as it is now (PATH[:TAG])",
    )
    _add_selection(check)
    check.add_argument("--format", "-f", choices=("text", "json"), default="text")

    diff = sub.add_parser(
        "diff",
        help="what changed between two images (or saved JSON reports), per platform",
        description="Compare OLD and NEW (images, or JSON reports saved by 'report -f json'). "
        + SELECTOR_HELP,
    )
    diff.add_argument("old", metavar="OLD", help="the earlier image, or its saved JSON report")
    diff.add_argument("new", metavar="NEW", help="the later image, or its saved JSON report")
    _add_selection(diff)
    diff.add_argument("--format", "-f", choices=("md", "html", "json"), default="md")
    diff.add_argument("--output", "-o", default="-", metavar="FILE")
    diff.add_argument(
        "--fail-on",
        action="append",
        default=[],
        metavar="CHANGE",
        help="exit 9 when this change is found: added, removed, upgraded, "
        "downgraded, base-changed, layers-changed, config-changed, "
        "provenance-changed, attested-mismatch, any (repeatable)",
    )
    _add_trust_key(diff)
    _add_fleet(sub)
    return parser


def _add_fleet(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser(
        "audit",
        help="scan many images (files, directories, @list.txt) into an SQLite inventory",
        description="Audit every image found in PATH... into --db FILE: directories are "
        "searched recursively (an OCI layout is one image), @FILE lists paths. Unchanged "
        "inputs are skipped on a re-run; unreadable ones are recorded and the audit goes on. "
        "Schema: docs/inventory-schema.md.",
    )
    audit.add_argument("paths", metavar="PATH", nargs="+", help="image, directory or @list.txt")
    audit.add_argument("--db", required=True, metavar="FILE", help="the inventory (SQLite)")
    audit.add_argument(
        "--verify", action="store_true", help="re-audit unchanged inputs too (re-hash every blob)"
    )
    audit.add_argument(
        "--output-dir", metavar="DIR", help="also write one report per image into DIR"
    )
    audit.add_argument(
        "--format",
        "-f",
        action="append",
        default=[],
        metavar="FORMAT",
        help="per-image report format with --output-dir: html (default), md, json (repeatable)",
    )
    audit.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run on this Dask distributed scheduler (pip install 'oci-reporter[dask]')",
    )
    audit.add_argument("--no-catalog", action="store_true", help="skip package cataloging")
    audit.add_argument("--lockfiles", action="store_true", help=_LOCKFILES_HELP)
    _add_selection(audit)
    _add_quiet(audit)

    query = sub.add_parser(
        "query",
        help="ask an audit inventory: packages, versions, integrity, bases, or read-only SQL",
        description="Read-only questions over an inventory written by 'audit'.",
    )
    query.add_argument("--db", required=True, metavar="FILE", help="the inventory (SQLite)")
    query.add_argument("--package", default="", metavar="NAME", help="packages with this name")
    query.add_argument(
        "--version",
        default="",
        metavar="SPEC",
        help="with --package: e.g. '<3.0.14' or '>=1.2,<2' (the package's ecosystem order)",
    )
    query.add_argument("--type", default="", help="packages of this type (deb, python, npm, …)")
    query.add_argument("--purl", default="", help="packages with this purl (or purl prefix)")
    query.add_argument("--integrity", default="", choices=("", "failed", "ok"))
    query.add_argument("--base", default="", metavar="NAME", help="images built on base NAME")
    query.add_argument(
        "--stale-base", action="store_true", help="images whose base in the fleet moved on"
    )
    query.add_argument("--sql", default="", metavar="SELECT…", help="a read-only SQL statement")
    query.add_argument("--format", "-f", choices=("table", "json", "csv"), default="table")
    query.add_argument("--output", "-o", default="-", metavar="FILE")


def _cmd_audit(args: argparse.Namespace) -> int:
    from reporter.fleet.cli import audit_command

    options = replace(_base_options(args), catalog=not args.no_catalog, lockfiles=args.lockfiles)
    return audit_command(args, options)


def _cmd_query(args: argparse.Namespace) -> int:
    from reporter.fleet.cli import query_command

    return query_command(args)


def _options(args: argparse.Namespace, path: str) -> tuple[str, Options]:
    from reporter.selector import split_selector

    return split_selector(path, _base_options(args))


def _base_options(args: argparse.Namespace) -> Options:
    try:
        platforms = tuple(Platform.parse(p) for p in split_values(args.platform))
    except ValueError as exc:
        raise UsageError(f"--platform must look like os/arch[/variant]: {exc}") from None
    epoch_text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        epoch = int(epoch_text) if epoch_text else None
    except ValueError:
        raise UsageError("SOURCE_DATE_EPOCH must be a whole number of seconds") from None
    limits = replace(
        Limits(), max_layer_bytes=args.max_layer_bytes, max_expansion_ratio=args.max_expansion_ratio
    )
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (one per core) or more")
    return Options(
        platforms=platforms,
        source_date_epoch=epoch,
        limits=limits,
        jobs=args.jobs,
        cache_dir=_cache_dir(args),
        trust_cache=args.trust_cache,
        trust_keys=tuple(getattr(args, "trust_key", ())),
    )


def _say(line: str) -> None:
    """Why a non-zero exit: one line on standard error (README "Exit codes")."""
    print(f"oci-reporter: {' '.join(line.split())}", file=sys.stderr)


def _integrity_exit(report: Report, path: str) -> int:
    """Exit 4 with the reason on stderr when a blob failed verification; the outputs stay."""
    from reporter.integrity import integrity_line, report_integrity_findings

    problems = report_integrity_findings(report)
    if not problems:
        return EXIT_OK
    _say(f"{path}: {integrity_line(problems)} (outputs written with the findings)")
    return EXIT_INTEGRITY


def _cmd_inspect(args: argparse.Namespace) -> int:
    from reporter.output import write_bytes as write_output
    from reporter.pipeline import generate
    from reporter.progress import terminal_progress
    from reporter.render.inspect import render_inspect_json, render_inspect_table

    path, options = _options(args, args.path)
    options = replace(options, catalog=False, verify_layers=not args.no_verify_layers)
    report = generate(path, options, terminal_progress(quiet=args.quiet))
    data = render_inspect_json(report) if args.format == "json" else render_inspect_table(report)
    write_output(args.output, data)
    return _integrity_exit(report, path)


def _cmd_report(args: argparse.Namespace) -> int:
    from reporter.render.dispatch import check_outputs, render_report_outputs, write_rendered

    if args.db is not None or args.path is None:
        from reporter.fleet.cli import fleet_page_command

        return fleet_page_command(args)
    path, options = _options(args, args.path)
    options = replace(
        options,
        catalog=not args.no_catalog,
        lockfiles=args.lockfiles,
        metadata_files=tuple(args.metadata),
        base_images=tuple(args.base),
        build_records=tuple(args.build_record),
    )
    formats = split_values(args.format) or (("json",) if not args.template else ())
    fail_on = split_values(args.fail_on)
    unknown = [name for name in fail_on if name != "attested-mismatch"]
    if unknown:
        raise UsageError(f"--fail-on {unknown[0]!r}: report knows only attested-mismatch")
    if args.output and args.output_dir:
        raise UsageError("give --output or --output-dir, not both")
    sbom_people = {"--sbom-author": args.sbom_author, "--sbom-supplier": args.sbom_supplier}
    for flag, text in sbom_people.items():
        if text and (not text.strip() or not text.isprintable()):
            raise UsageError(f'{flag} wants one printable line, e.g. "Name <name@example.com>"')
    check_outputs(formats, args.output_dir, args.template)
    # The whole-report cache (reporter/report_cache.py): a verified hit writes the outputs a
    # previous run made of the same bytes and options, and nothing else is imported or run.
    # Options whose inputs the key does not hold (key files, build records, SBOM people, a
    # gate that needs the report) bypass it.
    cache = key = None
    cacheable = not (
        fail_on or args.build_record or args.trust_key or args.sbom_author or args.sbom_supplier
    )
    if options.cache_dir and cacheable:
        from reporter.report_cache import RenderRequest, ReportCache

        if ReportCache.usable(path, options, template=args.template):
            cache = ReportCache(options.cache_dir)
            request = RenderRequest(
                formats, args.output_dir is not None, args.cyclonedx_version,
                args.cyclonedx_index_root,
            )  # fmt: skip
            key = ReportCache.key(path, options, request)
            hit = None if key is None else cache.get(key, path, trust=options.trust_cache)
            if hit is not None and hit.integrity_ok:
                write_rendered(hit.rendered, output=args.output, output_dir=args.output_dir)
                return EXIT_OK

    from reporter.pipeline import generate
    from reporter.progress import terminal_progress
    from reporter.provenance.sbom_compare import attested_mismatch

    report = generate(path, options, terminal_progress(quiet=args.quiet))
    report = replace(
        report, sbom_author=args.sbom_author.strip(), sbom_supplier=args.sbom_supplier.strip()
    )
    rendered = render_report_outputs(
        report,
        formats=formats,
        to_dir=args.output_dir is not None,
        template=args.template,
        cyclonedx_version=args.cyclonedx_version,
        cyclonedx_index_root=args.cyclonedx_index_root,
    )
    write_rendered(rendered, output=args.output, output_dir=args.output_dir)
    if not report.integrity_ok:
        return _integrity_exit(report, path)
    if cache is not None and key is not None:
        cache.put(key, path, rendered, report.integrity_ok)
    if "attested-mismatch" in fail_on and attested_mismatch(report):
        _say(
            f"{path}: --fail-on attested-mismatch: the attested SBOM and the scanned packages "
            "disagree (see the report)"
        )
        return EXIT_DIFF_GATE
    return EXIT_OK


def _cmd_check_base(args: argparse.Namespace) -> int:
    from reporter.commands import check_base_command

    path, options = _options(args, args.path)
    verdict, text = check_base_command(path, args.base, options, args.format)
    sys.stdout.write(text)
    code = {"current": EXIT_OK, "stale": EXIT_STALE}.get(verdict, EXIT_UNKNOWN)
    if code != EXIT_OK:
        why = "rebuild or rebase" if verdict == "stale" else "the evidence does not decide"
        _say(f"{path}: check-base against {args.base}: {verdict} ({why})")
    return code


def _cmd_diff(args: argparse.Namespace) -> int:
    from reporter.commands import diff_command
    from reporter.output import write_bytes as write_output

    data, triggered = diff_command(
        args.old, args.new, _base_options(args), args.format, split_values(args.fail_on)
    )
    write_output(args.output, data)
    if triggered:
        _say(f"diff {args.old} {args.new}: --fail-on tripped: {', '.join(triggered)}")
        return EXIT_DIFF_GATE
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    handlers = {
        "inspect": _cmd_inspect,
        "report": _cmd_report,
        "check-base": _cmd_check_base,
        "diff": _cmd_diff,
        "audit": _cmd_audit,
        "query": _cmd_query,
    }
    try:
        return handlers[args.command](args)
    except ReporterError as exc:
        print(f"oci-reporter: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("oci-reporter: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug, not bad input: one line, and how to get the details
        if os.environ.get("OCI_REPORTER_DEBUG"):
            raise
        print(
            f"oci-reporter: internal error: {type(exc).__name__}: {exc} "
            "(set OCI_REPORTER_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
