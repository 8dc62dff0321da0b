"""``audit PATH...``: find the inputs, skip the unchanged ones, audit the rest, fill the inventory.

Discovery (``discover``): a PATH is an image in any form the pipeline reads, a directory searched
recursively, or ``@list.txt`` (one PATH a line; ``#`` comments and blank lines skipped; relative
entries are relative to the list file's directory). In a directory search:

* a directory holding ``oci-layout``, ``index.json`` or ``manifest.json`` is one input (an OCI
  image layout, or an unpacked docker save) and is not searched further;
* a file is an input when its content is a tar, or a gzip / zstd stream whose first block is a
  tar header (never judged by its name), or when its name says it should be one (``.tar``,
  ``.tgz``, ``.tar.gz``, ``.tar.zst``, ``.oci``): such a file that is not an image is recorded
  with its error instead of being silently passed over;
* symlinks are followed (a mirror often links tags to one file); a directory already on the
  walk (a loop) and a file already found through another name are not visited twice.

Each input is audited by ``audit_input`` — the same ``pipeline.generate`` as ``report`` — and
any error becomes the input's recorded error: the audit goes on. ``run_audit`` commits each
result in its own transaction as it arrives.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reporter.errors import IntegrityError, ReporterError, UsageError
from reporter.fleet.inventory import InputResult, Inventory, ReportFile
from reporter.model import Report
from reporter.options import Options

__all__ = [
    "AuditSummary",
    "Candidate",
    "audit_exit_code",
    "audit_input",
    "discover",
    "identify",
    "run_audit",
]

_GZIP = b"\x1f\x8b"
_ZSTD = b"\x28\xb5\x2f\xfd"
_MARKERS = ("oci-layout", "index.json", "manifest.json")
_IMAGE_SUFFIXES = (".tar", ".tgz", ".tar.gz", ".tar.zst", ".tzst", ".oci", ".docker")

# Exit codes, most severe first (README "Exit codes"): a tampered image outranks an unreadable
# input, which outranks nothing wrong; an internal error in one input is reported as such.
EXIT_OK = 0
_RANK = (4, 1, 3, 6, 8, 5, 7)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One input to audit: the path as found (absolute) and what it is."""

    path: str
    kind: str  # "file" | "directory"


def _looks_like_tar(block: bytes) -> bool:
    if len(block) < 512:
        return False
    try:
        stored = int(block[148:156].replace(b"\x00", b" ").strip() or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(block[:148]) + 8 * 32 + sum(block[156:512])


def _sniff(path: str) -> bool:
    """True when the file's content is a tar, or a gzip / zstd stream starting with one."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return False
    if head.startswith(_GZIP):
        try:
            return _looks_like_tar(zlib.decompressobj(wbits=31).decompress(head, 512))
        except zlib.error:
            return False
    if head.startswith(_ZSTD):
        try:
            import zstandard

            reader = zstandard.ZstdDecompressor().decompressobj()
            return _looks_like_tar(reader.decompress(head)[:512])
        except zstandard.ZstdError:
            return False
    return _looks_like_tar(head[:512])


def _is_layout(path: Path) -> bool:
    return any((path / marker).is_file() for marker in _MARKERS)


def _read_list(spec: str) -> list[str]:
    name = spec[1:]
    try:
        text = Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise UsageError(f"cannot read the list of inputs ({reason})", where=name) from None
    base = os.path.dirname(os.path.abspath(name))
    entries = []
    for line in text.splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            entries.append(entry if os.path.isabs(entry) else os.path.join(base, entry))
    return entries


def discover(specs: Sequence[str]) -> tuple[list[Candidate], list[str]]:
    """(inputs in a deterministic order, the directories searched) for the command's PATHs."""
    found: list[Candidate] = []
    seen_files: dict[tuple[int, int], int] = {}  # (device, inode) → index in found
    searched: list[str] = []
    names: set[str] = set()

    def add(path: str, kind: str, key: tuple[int, int] | None) -> None:
        if path in names:
            return
        if key is not None and key in seen_files:
            # One image under two names (a symlink beside its target): keep the real name.
            at = seen_files[key]
            if (
                os.path.realpath(path) == path
                and os.path.realpath(found[at].path) != found[at].path
            ):
                names.discard(found[at].path)
                names.add(path)
                found[at] = Candidate(path, kind)
            return
        names.add(path)
        if key is not None:
            seen_files[key] = len(found)
        found.append(Candidate(path, kind))

    def walk(directory: str, on_walk: frozenset[tuple[int, int]]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            path = os.path.join(directory, entry.name)
            try:
                info = os.stat(path)  # follows symlinks
            except OSError:
                if entry.is_symlink():
                    continue  # a dangling link is not an input anybody meant
                add(path, "file", None)  # unreadable: recorded with its error
                continue
            key = (info.st_dev, info.st_ino)
            if stat.S_ISDIR(info.st_mode):
                if key in on_walk:
                    continue  # a symlink loop back to a directory above
                if _is_layout(Path(path)):
                    add(path, "directory", key)
                else:
                    walk(path, on_walk | {key})
            elif stat.S_ISREG(info.st_mode):
                lower = entry.name.lower()
                if _sniff(path) or lower.endswith(_IMAGE_SUFFIXES):
                    add(path, "file", key)

    expanded: list[str] = []
    for spec in specs:
        expanded.extend(_read_list(spec) if spec.startswith("@") else [spec])
    for spec in expanded:
        path = os.path.abspath(spec)
        try:
            info = os.stat(path)
        except OSError:
            add(path, "file", None)  # named explicitly: recorded as unreadable
            continue
        key = (info.st_dev, info.st_ino)
        if stat.S_ISDIR(info.st_mode) and not _is_layout(Path(path)):
            searched.append(path)
            walk(path, frozenset({key}))
        else:
            add(path, "directory" if stat.S_ISDIR(info.st_mode) else "file", key)
    return found, searched


def identify(candidate: Candidate) -> tuple[int, int, str]:
    """(size, mtime_ns, fingerprint) of an input, what the incremental skip compares.

    A file: its size and mtime (an image file is replaced, not edited in place). A layout
    directory: the size and mtime of its ``index.json``, and the sha256 of its bytes, which name
    every manifest digest the layout holds (image-spec image-layout.md: index.json is the entry
    point); a blob changed behind an unchanged index is what ``--verify`` is for.
    """
    try:
        if candidate.kind == "directory":
            index = Path(candidate.path) / "index.json"
            if not index.is_file():
                index = Path(candidate.path) / "manifest.json"
            info = os.stat(index)
            digest = hashlib.sha256(index.read_bytes()).hexdigest()
            return info.st_size, info.st_mtime_ns, f"sha256:{digest}"
        info = os.stat(candidate.path)
        return info.st_size, info.st_mtime_ns, ""
    except OSError:
        return -1, -1, ""


def audit_input(
    candidate: Candidate, options: Options, progress: Callable[..., None] | None = None
) -> InputResult:
    """One input through ``pipeline.generate``; never raises for anything the input holds."""
    from reporter.pipeline import generate

    size, mtime_ns, fingerprint = identify(candidate)
    start = time.perf_counter()
    base = InputResult(candidate.path, candidate.kind, size, mtime_ns, fingerprint)
    try:
        report = generate(candidate.path, options, progress)
    except ReporterError as exc:
        return replace(
            base,
            error_kind=type(exc).__name__,
            error=str(exc),
            exit_code=exc.exit_code,
            seconds=time.perf_counter() - start,
        )
    except Exception as exc:
        # Anything else is a bug met on this input: recorded as such, and the audit goes on.
        return replace(
            base,
            error_kind="internal",
            error=f"{candidate.path}: internal error: {type(exc).__name__}: {exc}",
            exit_code=1,
            seconds=time.perf_counter() - start,
        )
    code = EXIT_OK if report.integrity_ok else IntegrityError.exit_code
    return replace(base, report=report, exit_code=code, seconds=time.perf_counter() - start)


def audit_exit_code(codes: Sequence[int]) -> int:
    """The worst of the per-input exit codes (README: 4 > 1 > 3 > 6 > 8 > 5 > 7 > 0)."""
    for code in _RANK:
        if code in codes:
            return code
    return max(codes, default=EXIT_OK)


@dataclass(frozen=True, slots=True)
class AuditSummary:
    audited: tuple[str, ...]
    skipped: tuple[str, ...]
    forgotten: tuple[str, ...]
    exit_code: int
    stale_files: tuple[str, ...] = ()


Executor = Callable[[Sequence[Candidate], Options], Iterator[InputResult]]
ReportWriter = Callable[[InputResult], tuple[ReportFile, ...]]


def run_audit(
    specs: Sequence[str],
    inventory: Inventory,
    options: Options,
    *,
    executor: Executor,
    verify: bool = False,
    write_reports: ReportWriter | None = None,
    on_result: Callable[[InputResult, int, int], None] | None = None,
) -> AuditSummary:
    """Audit ``specs`` into ``inventory``: each new or changed input in one transaction."""
    candidates, searched = discover(specs)
    known = inventory.known()
    from reporter import __version__

    todo: list[Candidate] = []
    skipped: list[str] = []
    codes: list[int] = []
    for candidate in candidates:
        size, mtime_ns, fingerprint = identify(candidate)
        previous = known.get(candidate.path)
        unchanged = (
            previous is not None
            and size >= 0
            and (previous.size, previous.mtime_ns, previous.fingerprint)
            == (size, mtime_ns, fingerprint)
            and previous.tool_version == __version__
        )
        if unchanged and not verify and previous is not None:
            skipped.append(candidate.path)
            codes.append(previous.exit_code)
        else:
            todo.append(candidate)
    forgotten = inventory.drop_missing({c.path for c in candidates}, searched)
    stale: list[str] = []
    audited: list[str] = []
    for done, result in enumerate(executor(todo, options), 1):
        old_files = set(inventory.report_paths(result.path))
        if write_reports is not None:
            try:
                result = replace(result, report_files=write_reports(result))
            except ReporterError as exc:
                result = replace(result, exit_code=audit_exit_code([result.exit_code, 7]))
                result = replace(result, error=result.error or str(exc), error_kind="RenderError")
        inventory.record(result)
        stale.extend(_mark_stale(old_files - {f.path for f in result.report_files}))
        audited.append(result.path)
        codes.append(result.exit_code)
        if on_result is not None:
            on_result(result, done, len(todo))
    inventory.refresh_fleet()
    return AuditSummary(
        tuple(audited), tuple(skipped), tuple(forgotten), audit_exit_code(codes), tuple(stale)
    )


def _mark_stale(paths: set[str]) -> list[str]:
    """A report from an earlier run that this run did not rewrite gets a ``.stale`` suffix."""
    marked = []
    for path in sorted(paths):
        if os.path.isfile(path) and not os.path.islink(path):
            try:
                os.replace(path, path + ".stale")
                marked.append(path + ".stale")
            except OSError:
                continue
    return marked


class AuditCache:
    """The layer cache an audit shares between its inputs (``with AuditCache(options) as o``).

    With a persistent cache (``--cache-dir``, or the user's default) that one is used; without
    (``--no-cache``, CI) a directory that lives as long as the audit, so a base layer shared by
    many inputs is decompressed and walked once per audit either way. A hit still re-hashes the
    blob (unless ``--trust-cache``): each input's own bytes are verified.
    """

    def __init__(self, options: Options) -> None:
        self._options = options
        self._tmp: str | None = None

    def __enter__(self) -> Options:
        if self._options.cache_dir:
            return self._options
        self._tmp = tempfile.mkdtemp(prefix="oci-reporter-audit-")
        return replace(self._options, cache_dir=self._tmp)

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


def image_report(report: Report, position: int) -> Report:
    """The input's report narrowed to one image, for a per-image output file."""
    image = report.images[position]
    return replace(report, images=(image,))
