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
from typing import IO

from reporter.archive.interface import Archive
from reporter.cache import LayerCache
from reporter.catalog.interface import Cataloger
from reporter.layers.parallel import Counted, ScanJob, run_parallel
from reporter.layers.tarwalk import LayerScan, scan_layer
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
    catalogers: Sequence[Cataloger], options: Options, progress: ProgressCallback | None = None
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


def scan_layers(
    archive: Archive,
    paths: list[tuple[str, str, str]],
    catalogers: Sequence[Cataloger],
    options: Options,
    expected: dict[str, tuple[str, int, str]] | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, LayerScan | None]:
    """Scan each distinct layer path once; (path, digest algorithm, media type) in.

    ``expected`` maps a path to the (digest, size, diff_id) its manifest and config claim: the
    layer cache is only consulted and filled for those (never for docker-save names).
    """
    results: dict[str, LayerScan | None] = {}
    todo: dict[str, tuple[str, str]] = {}
    for path, algorithm, media_type in paths:
        if path in results or path in todo:
            continue
        pre = archive.prescanned(path)
        if pre is not None:
            results[path] = pre
        else:
            todo[path] = (algorithm_for(algorithm, f"{archive.name}/{path}"), media_type)

    cache = LayerCache(options.cache_dir) if options.cache_dir else None
    names = [c.name for c in catalogers]
    keys: dict[str, str] = {}
    sizes = {path: archive.size(path) or 0 for path in todo}
    bytes_total = sum(sizes.values())
    status = [0, 0, 0]  # layers done, bytes done (finished layers), cached layers

    def report(extra: int = 0, finished: bool = False) -> None:
        if progress is not None:
            progress(
                ScanStatus(
                    status[0], len(todo), status[1] + extra, bytes_total, status[2], finished
                )
            )

    def finish(path: str, scan: LayerScan | None) -> None:
        results[path] = scan
        status[0] += 1
        status[1] += sizes[path]
        key = keys.get(path)
        if cache is None or key is None or scan is None or expected is None:
            return
        digest, size, _ = expected[path]
        if scan.blob_digest == digest and scan.blob_size == size:
            cache.put(key, scan, f"{archive.name}/{path}")

    report()
    missing: list[str] = []
    for path, (_, media_type) in todo.items():
        want = (expected or {}).get(path)
        if cache is not None and want is not None and sizes[path] == want[1]:
            keys[path] = key = LayerCache.key(
                blob_digest=want[0],
                blob_size=want[1],
                diff_id=want[2],
                media_type=media_type,
                catalogers=names,
                limits=options.limits,
            )
            hit = cache.get(key, f"{archive.name}/{path}", blob_digest=want[0], blob_size=want[1])
            if hit is not None and not options.trust_cache:
                hit = hit if _blob_digest(archive, path, todo[path][0]) == want[0] else None
            if hit is not None:
                results[path] = hit
                status[0] += 1
                status[1] += sizes[path]
                status[2] += 1
                continue
        missing.append(path)
    report()

    jobs = options.jobs if options.jobs > 0 else (os.cpu_count() or 1)
    located = {path: archive.locate(path) for path in missing} if jobs > 1 else {}
    for path in [p for p, where in located.items() if where is None and not archive.exists(p)]:
        finish(path, None)  # a missing blob: nothing to scan
        missing.remove(path)
        del located[path]
    # what can overlap with the largest layer, the one that bounds the wall time anyway
    beside = sum(sizes[p] for p in missing) - max((sizes[p] for p in missing), default=0)
    if jobs > 1 and len(missing) > 1 and beside >= _PARALLEL_MIN_BYTES and all(located.values()):
        scan_jobs = []
        for path in missing:
            file, offset, length = located[path]  # type: ignore[misc]
            algorithm, media_type = todo[path]
            scan_jobs.append(
                ScanJob(
                    path,
                    file,
                    offset,
                    length,
                    sizes[path],
                    f"{archive.name}/{path}",
                    algorithm,
                    media_type,
                )
            )
        base = status[1]  # bytes answered by the cache
        read = [0]  # bytes read by the workers so far

        def read_by_workers(n: int) -> None:
            read[0] = n
            report(max(0, base + n - status[1]))

        def done_by_worker(job: ScanJob, scan: LayerScan | None) -> None:
            finish(job.ident, scan)
            report(max(0, base + read[0] - status[1]))

        run_parallel(
            scan_jobs,
            catalogers,
            options.limits,
            workers=jobs,
            on_done=done_by_worker,
            on_bytes=None if progress is None else read_by_workers,
        )
    else:
        read = [0]  # bytes read of the layer being scanned

        def tick(n: int) -> None:
            read[0] += n
            report(read[0])

        for path in missing:
            handle = archive.open(path)
            if handle is None:
                finish(path, None)
                continue
            algorithm, media_type = todo[path]
            read[0] = 0
            with handle:
                scan = scan_layer(
                    handle if progress is None else Counted(handle, None, tick),
                    catalogers,
                    limits=options.limits,
                    digest_algorithm=algorithm,
                    media_type=media_type,
                    where=f"{archive.name}/{path}",
                )
            finish(path, scan)
            report()
    report(finished=True)
    # in layer order, whatever order the workers finished in
    return {path: results[path] for path in dict.fromkeys(p[0] for p in paths)}
