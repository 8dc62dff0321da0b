"""A whole-report cache: the rendered outputs of ``report`` for an input already seen.

The per-layer cache (``reporter.layers.cache``) saves the inflate and the tar walk, but a warm
run still pays start-up, the squashed view, cataloging and the SBOM libraries. This cache keeps
the bytes every requested output came to, so a repeated ``report`` re-hashes the input and
writes them.

Key: sha256 over this module's format, the tool version, the catalog version, the input path
as given (the report names it), the input's root document (``index.json`` of a layout, whose
manifest digests pin every other blob; a tar's size and mtime), every option that changes
the output (selection, platforms, limits, catalog, ``SOURCE_DATE_EPOCH``, formats, CycloneDX
version and root, whether ``--output-dir`` is used) and the bytes of each ``--metadata`` file.

What an entry stands on, checked on every hit as the layer cache checks its entries: the list of
input files with their sizes and digests. A layout's blobs are content-addressed, so their
expected digest is their name (``blobs/sha256/<hex>``): nothing is hashed when an entry is
written, since the run that made it verified them. Other files (``index.json``, a whole tar)
are hashed in 64 MiB pieces when the entry is written. A hit re-hashes every file (pieces and
blobs in parallel threads: hashlib drops the GIL); one mismatch, a missing or added file, and
the entry is not used, so the run that follows reports the changed blob. ``--trust-cache``
skips the re-hash and compares sizes and mtimes only. Only runs whose integrity checks all
passed are stored, and never with ``--base`` or ``--template`` (inputs outside the key) or
from standard input.

A hit writes the bytes the first run wrote: their SBOM timestamp is that run's (when the
document was made), unless ``SOURCE_DATE_EPOCH`` fixes it; serial numbers are content-based.

Entries are ``reporter.sealed`` files, as the layer cache's (never pickle): magic, content
hash, orjson header, the output bytes concatenated.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporter import __version__
from reporter.catalog import CATALOG_VERSION
from reporter.options import Options
from reporter.render.dispatch import Rendered
from reporter.sealed import Invalid, seal, unseal, write_atomic
from reporter.sealed import as_int as _int
from reporter.sealed import as_list as _list
from reporter.sealed import as_str as _str

__all__ = ["FORMAT", "CachedReport", "RenderRequest", "ReportCache"]

FORMAT = "oci-reporter/report-cache/v1"
_MAGIC = b"OCIRRC1\n"
_PIECE = 64 * 1024 * 1024
_READ = 1 << 20
# Below this many bytes (a small image: a busybox layer, a few JSON blobs) one thread hashes
# faster than a pool starts (issue 16: a warm hit is mostly start-up).
_SERIAL_BYTES = 8 * 1024 * 1024
_HEX = frozenset("0123456789abcdef")
_SOURCE_SUFFIXES = frozenset((".py", ".j2", ".html", ".md", ".txt", ".css", ".js"))


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """The rendering options that shape the output bytes."""

    formats: tuple[str, ...]
    to_dir: bool
    cyclonedx_version: str
    cyclonedx_index_root: bool


@dataclass(frozen=True, slots=True)
class CachedReport:
    """A verified hit: the outputs, and whether the report's integrity checks passed."""

    rendered: Rendered
    integrity_ok: bool


@dataclass(frozen=True, slots=True)
class _File:
    """One input file an entry stands on: ``named`` (algorithm:hex) or ``pieces`` (sha256)."""

    rel: str  # "" for a file input
    size: int
    mtime_ns: int
    named: str
    pieces: tuple[str, ...]


def _named_digest(rel: str) -> str:
    """``blobs/<alg>/<hex>`` → ``alg:hex`` (OCI image layout, "Blobs"), else ``""``."""
    parts = rel.split("/")
    if len(parts) == 3 and parts[0] == "blobs" and parts[1] in ("sha256", "sha512"):
        want = 64 if parts[1] == "sha256" else 128
        if len(parts[2]) == want and set(parts[2]) <= _HEX:
            return f"{parts[1]}:{parts[2]}"
    return ""


def _listing(path: str) -> list[tuple[str, os.stat_result]] | None:
    """(relative path, stat) of every file of the input, sorted; None if it cannot be cached
    (not a regular file or directory, a symlink or special file inside, unreadable)."""
    try:
        top = os.stat(path)
    except OSError:
        return None
    if stat.S_ISREG(top.st_mode):
        return [("", top)]
    if not stat.S_ISDIR(top.st_mode):
        return None
    found: list[tuple[str, os.stat_result]] = []
    try:
        for root, dirs, files in os.walk(path, onerror=_raise):
            for name in dirs + files:
                full = os.path.join(root, name)
                info = os.lstat(full)
                if stat.S_ISDIR(info.st_mode):
                    continue
                if not stat.S_ISREG(info.st_mode):
                    return None  # a link may point anywhere: not something to vouch for
                found.append((os.path.relpath(full, path).replace(os.sep, "/"), info))
    except OSError:
        return None
    return sorted(found, key=lambda item: item[0])


def _raise(exc: OSError) -> None:
    raise exc


def _hash_range(path: str, algorithm: str, offset: int, length: int | None) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        handle.seek(offset)
        left = length
        while left is None or left > 0:
            chunk = handle.read(_READ if left is None else min(_READ, left))
            if not chunk:
                break
            digest.update(chunk)
            if left is not None:
                left -= len(chunk)
    return digest.hexdigest()


def _pieces_of(size: int) -> list[tuple[int, int]]:
    return [(o, min(_PIECE, size - o)) for o in range(0, size, _PIECE)] or [(0, 0)]


def _threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _hash_all(tasks: Sequence[tuple[str, str, int, int | None]], total: int) -> list[str]:
    """Hash (path, algorithm, offset, length) ranges (``total`` bytes in all), in parallel
    threads when there is enough to hash to pay for them."""
    if len(tasks) <= 1 or total < _SERIAL_BYTES:
        return [_hash_range(*t) for t in tasks]
    from concurrent.futures import ThreadPoolExecutor  # 10 ms of imports: only when it pays

    with ThreadPoolExecutor(max_workers=min(_threads(), len(tasks))) as pool:
        return list(pool.map(lambda t: _hash_range(*t), tasks))


def _fingerprint(path: str) -> tuple[_File, ...] | None:
    """What an entry for ``path`` stands on, hashing what is not content-addressed."""
    listing = _listing(path)
    if listing is None:
        return None
    plain: list[tuple[int, str, os.stat_result]] = []
    files: list[_File | None] = []
    for rel, info in listing:
        named = _named_digest(rel)
        if named:
            files.append(_File(rel, info.st_size, info.st_mtime_ns, named, ()))
        else:
            plain.append((len(files), rel, info))
            files.append(None)
    tasks: list[tuple[str, str, int, int | None]] = []
    for _, rel, info in plain:
        full = os.path.join(path, rel) if rel else path
        tasks.extend((full, "sha256", o, n) for o, n in _pieces_of(info.st_size))
    try:
        digests = iter(_hash_all(tasks, sum(info.st_size for _, _, info in plain)))
    except OSError:
        return None
    for index, rel, info in plain:
        count = len(_pieces_of(info.st_size))
        pieces = tuple(next(digests) for _ in range(count))
        files[index] = _File(rel, info.st_size, info.st_mtime_ns, "", pieces)
    return tuple(f for f in files if f is not None)


def _still_matches(path: str, files: Sequence[_File], trust: bool) -> bool:
    """The input is what the entry recorded: the same files, sizes and (unless ``trust``,
    which compares mtimes instead) digests."""
    listing = _listing(path)
    if listing is None or [rel for rel, _ in listing] != [f.rel for f in files]:
        return False
    for (_, info), recorded in zip(listing, files, strict=True):
        if info.st_size != recorded.size:
            return False
        if trust and info.st_mtime_ns != recorded.mtime_ns:
            return False
    if trust:
        return True
    # (weight, task, expected hex): largest first, so the biggest blob does not start last
    work: list[tuple[int, tuple[str, str, int, int | None], str]] = []
    for recorded in files:
        full = os.path.join(path, recorded.rel) if recorded.rel else path
        if recorded.named:
            algorithm, _, hexdigest = recorded.named.partition(":")
            work.append((recorded.size, (full, algorithm, 0, None), hexdigest))
            continue
        ranges = _pieces_of(recorded.size)
        if len(ranges) != len(recorded.pieces):
            return False
        work.extend(
            (n, (full, "sha256", o, n), piece)
            for (o, n), piece in zip(ranges, recorded.pieces, strict=True)
        )
    work.sort(key=lambda item: -item[0])
    try:
        got = _hash_all([task for _, task, _ in work], sum(size for size, _, _ in work))
    except OSError:
        return False
    return all(digest == want for digest, (_, _, want) in zip(got, work, strict=True))


def _root_document(path: str) -> str:
    """A cheap identity of the input for the key: a layout's index.json digest; a file's size
    and mtime (its content is checked piece by piece on a hit)."""
    try:
        if os.path.isdir(path):
            with open(os.path.join(path, "index.json"), "rb") as handle:
                return "index.json " + hashlib.sha256(handle.read()).hexdigest()
        info = os.stat(path)
    except OSError:
        return ""
    return f"file {info.st_size} {info.st_mtime_ns}"


@functools.cache
def _code_identity() -> str:
    """sha256 over the tool's own source files and built-in templates.

    The version string alone would let a warm cache answer with pages that another checkout
    of the same version rendered (templates and renderers change between commits). Reading
    the ~200 files costs a few milliseconds, once per process.
    """
    package = Path(__file__).resolve().parent
    # the built-in templates as reporter.render.templated finds them: the wheel's, else the
    # checkout's (never a "templates" folder that merely sits beside an installed package)
    templates = next(
        (p for p in (package / "_templates", package.parent / "templates") if p.is_dir()), None
    )
    digest = hashlib.sha256()
    for root in (package, templates):
        if root is None:
            continue
        for parts, full in _source_files(str(root)):
            digest.update("/".join(parts).encode() + b"\0")
            with open(full, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def _source_files(root: str) -> list[tuple[tuple[str, ...], str]]:
    """(path parts below ``root``, full path) of its source files, in ``sorted(Path.rglob)``
    order (paths compare part by part), and as rglob walks: into directories, not into links
    to them. ``os.scandir``: pathlib's objects and per-file ``stat`` calls were most of the
    cost of a warm hit's key (issue 16)."""
    found: list[tuple[tuple[str, ...], str]] = []

    def visit(directory: str, prefix: tuple[str, ...]) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir():
                    if not entry.is_symlink():
                        visit(entry.path, (*prefix, entry.name))
                elif os.path.splitext(entry.name)[1] in _SOURCE_SUFFIXES and entry.is_file():
                    found.append(((*prefix, entry.name), entry.path))

    visit(root, ())
    found.sort()
    return found


def _options_text(options: Options) -> list[str]:
    """Every option that changes the output; cache location, jobs and trust do not."""
    limits = options.limits
    return [
        ",".join(str(p) for p in options.platforms),
        options.tag,
        options.digest,
        str(options.catalog),
        str(options.lockfiles),
        str(options.verify_layers),
        "" if options.source_date_epoch is None else str(options.source_date_epoch),
        ",".join(
            str(v)
            for v in (
                limits.max_json_bytes,
                limits.max_layer_bytes,
                limits.max_expansion_ratio,
                limits.max_capture_bytes,
                limits.max_small_blob_bytes,
                limits.max_manifests,
                limits.max_index_depth,
            )
        ),
    ]


class ReportCache:
    """Whole-report entries under ``directory``; every failure to read or write is a miss."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._root = self.directory / "reports-v1"

    @staticmethod
    def usable(path: str, options: Options, *, template: str | None) -> bool:
        """Whether a run with these inputs can be answered from (and stored in) the cache."""
        return bool(options.cache_dir) and path != "-" and not options.base_images and not template

    @staticmethod
    def key(path: str, options: Options, request: RenderRequest) -> str | None:
        """The entry's key, or None when an input of the key cannot be read."""
        parts = [FORMAT, __version__, _code_identity(), CATALOG_VERSION, path]
        parts.append(_root_document(path))
        parts += _options_text(options)
        parts += [
            ",".join(request.formats),
            str(request.to_dir),
            request.cyclonedx_version,
            str(request.cyclonedx_index_root),
        ]
        for name in options.metadata_files:
            try:
                with open(name, "rb") as handle:
                    parts.append(f"{name} {hashlib.sha256(handle.read()).hexdigest()}")
            except OSError:
                return None  # the run reports it
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def path(self, key: str) -> Path:
        return self._root / key[:2] / key

    def get(self, key: str, path: str, *, trust: bool = False) -> CachedReport | None:
        """The entry's outputs if it is intact and the input still is what it recorded."""
        try:
            raw = self.path(key).read_bytes()
        except OSError:
            return None
        try:
            files, cached = _decode(key, raw)
        except (Invalid, KeyError, ValueError, TypeError):
            return None
        return cached if _still_matches(path, files, trust) else None

    def put(self, key: str, path: str, rendered: Rendered, integrity_ok: bool) -> bool:
        """Store the outputs of a run whose integrity checks passed; False if not stored."""
        if not integrity_ok:
            return False
        files = _fingerprint(path)
        if files is None:
            return False
        data = _encode(key, files, CachedReport(rendered, integrity_ok))
        return write_atomic(self.path(key), data)


# ---------------------------------------------------------------------------------------------
# Entry encoding


def _encode(key: str, files: Sequence[_File], cached: CachedReport) -> bytes:
    blobs: list[bytes] = []
    offset = 0

    def place(data: bytes) -> list[int]:
        nonlocal offset
        blobs.append(data)
        span = [offset, len(data)]
        offset += len(data)
        return span

    header = {
        "format": FORMAT,
        "key": key,
        "integrity_ok": cached.integrity_ok,
        "files": [[f.rel, f.size, f.mtime_ns, f.named, list(f.pieces)] for f in files],
        "single": [[stem, suffix, *place(data)] for stem, suffix, data in cached.rendered.single],
        "per_platform": [
            [suffix, [[platform, *place(data)] for platform, data in outputs]]
            for outputs, suffix in cached.rendered.per_platform
        ],
        "data_size": offset,
    }
    return seal(_MAGIC, header, b"".join(blobs))


def _decode(key: str, raw: bytes) -> tuple[tuple[_File, ...], CachedReport]:
    header, data = unseal(_MAGIC, raw, fmt=FORMAT, key=key)
    integrity_ok = header["integrity_ok"]
    if integrity_ok is not True:
        raise Invalid("only sound runs are stored")

    def take(start: Any, length: Any) -> bytes:
        start, length = _int(start), _int(length)
        if start + length > len(data):
            raise Invalid("output out of range")
        return bytes(data[start : start + length])

    files = []
    for row in _list(header["files"]):
        rel, fsize, mtime, named, pieces = _list(row)
        named = _str(named)
        if named and _named_digest(_str(rel)) != named:
            raise Invalid("a named blob's digest is not its name")
        pieces = tuple(_str(p) for p in _list(pieces))
        if not named and len(pieces) != len(_pieces_of(_int(fsize))):
            raise Invalid("piece count does not fit the size")
        files.append(_File(_str(rel), _int(fsize), _int(mtime), named, pieces))
    single = []
    for row in _list(header["single"]):
        stem, suffix, start, length = _list(row)
        single.append((_str(stem), _str(suffix), take(start, length)))
    per_platform = []
    for row in _list(header["per_platform"]):
        suffix, outputs = _list(row)
        items = []
        for item in _list(outputs):
            platform, start, length = _list(item)
            items.append((_str(platform), take(start, length)))
        per_platform.append((tuple(items), _str(suffix)))
    if not single and not per_platform:
        raise Invalid("no outputs")
    rendered = Rendered(tuple(single), tuple(per_platform))
    return tuple(files), CachedReport(rendered, True)
