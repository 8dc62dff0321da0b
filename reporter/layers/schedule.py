"""Which layers to scan, where from and how: cache, process pool or in line; results in order.

Each distinct layer blob is scanned once (``scan_layer``: one streaming pass). A cached result
is used only when the blob's size on disk matches its descriptor and the cache key (digest,
size, diff_id, media type, limits, catalogers, versions) matches; a worker pool is used when
at least ``_PARALLEL_MIN_BYTES`` can be read beside the largest layer (isal holds the GIL, so
threads would not help). Stream-mode inputs were scanned while the archive was read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO

from reporter.archive.interface import Archive
from reporter.layers.cache import LayerCache
from reporter.layers.capture import Capturer
from reporter.layers.parallel import Counted, ScanJob, run_parallel, scan_job
from reporter.layers.scan import LayerScan
from reporter.layers.tarwalk import scan_layer
from reporter.options import Options
from reporter.progress import ProgressCallback, ScanStatus

__all__ = ["algorithm_for", "scan_layers", "stream_scanner"]

StreamScanner = Callable[..., LayerScan]


def _blob_digest(archive: Archive, path: str, algorithm: str) -> str:
    """The blob's digest as it is on disk now, so a cache hit never vouches for changed bytes."""
    handle = archive.open(path)
    if handle is None:
        return ""
    digest = hashlib.new(algorithm)
    with handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return f"{algorithm}:{digest.hexdigest()}"


def algorithm_for(algorithm: str, where: str) -> str:
    """The digest algorithm to hash a layer with: its descriptor's, or its blob path's."""
    if algorithm in ("sha256", "sha512"):
        return algorithm
    if algorithm:
        # A digest we cannot compute (sha384:, md5:…) made scan_layer raise ValueError: an
        # internal error (exit 1). Hash with sha256; verify_layer reports it as unverifiable.
        return "sha256"
    # stream mode names blobs by path: blobs/<algorithm>/<hex>
    return "sha512" if "/blobs/sha512/" in f"/{where}" else "sha256"


def stream_scanner(
    catalogers: Sequence[Capturer], options: Options, progress: ProgressCallback | None = None
) -> StreamScanner:
    """The scan function stream-mode archives call for each large member as they pass it."""
    done = [0, 0]  # layers, bytes (stream mode: totals unknown until the end)

    def tick(n: int) -> None:
        done[1] += n
        if progress is not None:
            progress(ScanStatus(done[0], None, done[1], None))

    def scan(stream: IO[bytes], where: str, algorithm: str = "", media_type: str = "") -> LayerScan:
        result = scan_layer(
            stream if progress is None else Counted(stream, None, tick),
            catalogers,
            limits=options.limits,
            digest_algorithm=algorithm_for(algorithm, where),
            media_type=media_type,
            where=where,
        )
        done[0] += 1
        return result

    return scan


# A process pool pays off when this many compressed bytes can be read beside the largest layer.
_PARALLEL_MIN_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Pending:
    """A distinct layer still to be answered, from the cache or by a scan."""

    path: str  # in the archive
    algorithm: str  # the digest algorithm to hash it with
    media_type: str
    size: int  # on disk (0 when unknown)
    where: str  # archive name + path, for findings


@dataclass(frozen=True, slots=True)
class _Claim:
    """What the manifest and config claim of a layer: the cache's key stands on these."""

    digest: str
    size: int
    diff_id: str


class _Run:
    """One ``scan_layers`` call: results so far, the cache, and the progress tally."""

    def __init__(
        self,
        archive: Archive,
        pending: list[_Pending],
        results: dict[str, LayerScan | None],
        options: Options,
        claims: dict[str, _Claim] | None,
        progress: ProgressCallback | None,
    ) -> None:
        self.archive = archive
        self.pending = pending
        self.results = results
        self.options = options
        self.claims = claims
        self.progress = progress
        self.cache = LayerCache(options.cache_dir) if options.cache_dir else None
        self.keys: dict[str, str] = {}  # path -> cache key, for layers the cache may answer
        self.total = sum(p.size for p in pending)
        self.layers_done = 0
        self.bytes_done = 0  # of finished layers
        self.cached = 0

    def report(self, extra: int = 0, finished: bool = False) -> None:
        if self.progress is not None:
            self.progress(
                ScanStatus(
                    self.layers_done,
                    len(self.pending),
                    self.bytes_done + extra,
                    self.total,
                    self.cached,
                    finished,
                )
            )

    def answer(self, item: _Pending, scan: LayerScan | None, *, cached: bool = False) -> None:
        self.results[item.path] = scan
        self.layers_done += 1
        self.bytes_done += item.size
        if cached:
            self.cached += 1

    def finish(self, item: _Pending, scan: LayerScan | None) -> None:
        """A fresh scan: record it, and cache it if its bytes are the ones the manifest names."""
        self.answer(item, scan)
        key = self.keys.get(item.path)
        if self.cache is None or key is None or scan is None or self.claims is None:
            return
        claim = self.claims[item.path]
        if scan.blob_digest == claim.digest and scan.blob_size == claim.size:
            self.cache.put(key, scan, item.where)


def scan_layers(
    archive: Archive,
    paths: list[tuple[str, str, str]],
    catalogers: Sequence[Capturer],
    options: Options,
    expected: dict[str, tuple[str, int, str]] | None = None,
    progress: ProgressCallback | None = None,
    *,
    catalog_version: str,
) -> dict[str, LayerScan | None]:
    """Scan each distinct layer path once; (path, digest algorithm, media type) in.

    ``expected`` maps a path to the (digest, size, diff_id) its manifest and config claim: the
    layer cache is only consulted and filled for those (never for docker-save names).
    ``catalog_version`` (``reporter.catalog.CATALOG_VERSION``) is part of the cache key.

    Steps: take what the archive scanned while streaming; answer what the cache can; scan the
    rest in a process pool or in line; return in layer order.
    """
    results, pending = _prescanned(archive, paths)
    claims = None if expected is None else {p: _Claim(*c) for p, c in expected.items()}
    run = _Run(archive, pending, results, options, claims, progress)
    run.report()
    missing = _from_cache(run, [c.name for c in catalogers], catalog_version)
    run.report()
    jobs = options.jobs if options.jobs > 0 else (os.cpu_count() or 1)
    scan_jobs = _pool_jobs(run, missing, jobs)
    if scan_jobs is not None:
        _scan_in_pool(run, scan_jobs, catalogers, jobs)
    else:
        _scan_in_line(run, missing, catalogers)
    run.report(finished=True)
    # in layer order, whatever order the workers finished in
    return {path: results[path] for path in dict.fromkeys(p[0] for p in paths)}


def _prescanned(
    archive: Archive, paths: list[tuple[str, str, str]]
) -> tuple[dict[str, LayerScan | None], list[_Pending]]:
    """Results the archive already has (stream mode), and the distinct layers still to do."""
    results: dict[str, LayerScan | None] = {}
    pending: dict[str, _Pending] = {}
    for path, algorithm, media_type in paths:
        if path in results or path in pending:
            continue
        pre = archive.prescanned(path)
        if pre is not None:
            # The archive keeps, unread, what ``stream_scanner``'s function returned.
            if not isinstance(pre, LayerScan):
                raise TypeError(f"{archive.name}/{path}: prescanned result is not a LayerScan")
            results[path] = pre
            continue
        where = f"{archive.name}/{path}"
        pending[path] = _Pending(
            path, algorithm_for(algorithm, where), media_type, archive.size(path) or 0, where
        )
    return results, list(pending.values())


def _from_cache(run: _Run, names: list[str], catalog_version: str) -> list[_Pending]:
    """Answer from the cache what it holds for the claimed digest; the rest, still to scan.

    A hit counts only if the blob on disk still hashes to the claimed digest, unless the user
    trusts the cache (``Options.trust_cache``).
    """
    missing: list[_Pending] = []
    for item in run.pending:
        claim = (run.claims or {}).get(item.path)
        if run.cache is None or claim is None or item.size != claim.size:
            missing.append(item)
            continue
        run.keys[item.path] = key = LayerCache.key(
            blob_digest=claim.digest,
            blob_size=claim.size,
            diff_id=claim.diff_id,
            media_type=item.media_type,
            catalogers=names,
            catalog_version=catalog_version,
            limits=run.options.limits,
        )
        hit = run.cache.get(key, item.where, blob_digest=claim.digest, blob_size=claim.size)
        if hit is not None and not run.options.trust_cache:
            on_disk = _blob_digest(run.archive, item.path, item.algorithm)
            hit = hit if on_disk == claim.digest else None
        if hit is None:
            missing.append(item)
        else:
            run.answer(item, hit, cached=True)
    return missing


def _pool_jobs(run: _Run, missing: list[_Pending], jobs: int) -> list[ScanJob] | None:
    """The pool's jobs when a pool pays off and every layer can be read by another process;
    else None. Missing blobs are answered (None) here; ``missing`` keeps only the rest."""
    archive = run.archive
    located = {item.path: archive.locate(item.path) for item in missing} if jobs > 1 else {}
    for item in list(missing):
        if item.path in located and located[item.path] is None and not archive.exists(item.path):
            run.finish(item, None)  # a missing blob: nothing to scan
            missing.remove(item)
            del located[item.path]
    # what can overlap with the largest layer, the one that bounds the wall time anyway
    sizes = [item.size for item in missing]
    beside = sum(sizes) - max(sizes, default=0)
    if not (jobs > 1 and len(missing) > 1 and beside >= _PARALLEL_MIN_BYTES):
        return None
    scan_jobs: list[ScanJob] = []
    for item in missing:
        where = located[item.path]
        if where is None:
            return None
        file, offset, length = where
        scan_jobs.append(
            ScanJob(
                item.path,
                file,
                offset,
                length,
                item.size,
                item.where,
                item.algorithm,
                item.media_type,
            )
        )
    return scan_jobs


def _scan_in_pool(
    run: _Run, scan_jobs: list[ScanJob], catalogers: Sequence[Capturer], jobs: int
) -> None:
    by_path = {item.path: item for item in run.pending}
    base = run.bytes_done  # bytes answered by the cache
    read = [0]  # bytes read by the workers so far

    def read_by_workers(n: int) -> None:
        read[0] = n
        run.report(max(0, base + n - run.bytes_done))

    def done_by_worker(job: ScanJob, scan: LayerScan | None) -> None:
        run.finish(by_path[job.ident], scan)
        run.report(max(0, base + read[0] - run.bytes_done))

    run_parallel(
        scan_jobs,
        catalogers,
        run.options.limits,
        workers=jobs,
        on_done=done_by_worker,
        on_bytes=None if run.progress is None else read_by_workers,
    )


def _scan_in_line(run: _Run, missing: list[_Pending], catalogers: Sequence[Capturer]) -> None:
    read = [0]  # bytes read of the layer being scanned

    def tick(n: int) -> None:
        read[0] += n
        run.report(read[0])

    for item in missing:
        where = run.archive.locate(item.path)
        if where is not None:
            # A plain file range (a layout blob, a member of an uncompressed tar): read it
            # directly, as a worker would, not through tarfile's member reader (~1 GB/s).
            file, offset, length = where
            job = ScanJob(
                ident=item.path,
                file=file,
                offset=offset,
                length=length,
                size=item.size,
                where=item.where,
                algorithm=item.algorithm,
                media_type=item.media_type,
            )
            read[0] = 0
            scanned = scan_job(job, catalogers, run.options.limits, tick if run.progress else None)
            if scanned is not None:
                run.finish(item, scanned)
                run.report()
                continue
        handle = run.archive.open(item.path)
        if handle is None:
            run.finish(item, None)
            continue
        read[0] = 0
        with handle:
            scan = scan_layer(
                handle if run.progress is None else Counted(handle, None, tick),
                catalogers,
                limits=run.options.limits,
                digest_algorithm=item.algorithm,
                media_type=item.media_type,
                where=item.where,
                reopen=lambda: run.archive.open(item.path),  # noqa: B023 - called before the next item
            )
        run.finish(item, scan)
        run.report()
