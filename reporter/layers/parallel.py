"""Scan several layers at once, one process per core.

isal's inflate holds the GIL, so threads would take turns; worker processes each run the whole
one-pass scan (:func:`reporter.layers.tarwalk.scan_layer`) of one layer at a time. A job is a
plain description (file path, offset, length): workers open the blob themselves, no file object
or temporary file crosses a process boundary, and the result (a frozen ``LayerScan``) comes back
pickled. Jobs are shared out largest first (longest-processing-time scheduling, bytes standing
for time); this process scans its own share, the largest layer first, beside the workers.

Only seekable inputs are scanned here (image-layout directories, plain tar files); streamed
inputs (gzip/zstd tars, standard input) are read once, in order, by the archive itself.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reporter.layers.capture import Capturer
from reporter.layers.scan import LayerScan
from reporter.layers.tarwalk import Readable, scan_layer
from reporter.options import Limits

if TYPE_CHECKING:  # imported when a pool is used: a one-process run does not pay for them
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

__all__ = ["Counted", "ScanJob", "pool_context", "run_parallel", "scan_job"]


@dataclass(frozen=True, slots=True)
class ScanJob:
    """One layer: ``length`` bytes (None: to the end) of ``file`` from ``offset``."""

    ident: str  # the caller's name for the layer (its path in the archive)
    file: str
    offset: int
    length: int | None
    size: int  # expected bytes, for scheduling and progress
    where: str
    algorithm: str
    media_type: str


class Counted:
    """A reader over ``length`` bytes of ``raw`` (all when None), telling ``tick`` each read."""

    __slots__ = ("_left", "_raw", "_tick")

    def __init__(
        self, raw: Readable, length: int | None = None, tick: Callable[[int], None] | None = None
    ) -> None:
        self._raw = raw
        self._left = length
        self._tick = tick

    def read(self, size: int = -1, /) -> bytes:
        left = self._left
        if left is not None:
            if left <= 0:
                return b""
            size = left if size < 0 or size > left else size
        data = self._raw.read(size)
        if left is not None:
            self._left = left - len(data)
        if self._tick is not None and data:
            self._tick(len(data))
        return data

    def close(self) -> None:
        close = getattr(self._raw, "close", None)
        if close is not None:
            close()


def scan_job(
    job: ScanJob,
    catalogers: Sequence[Capturer],
    limits: Limits,
    tick: Callable[[int], None] | None = None,
) -> LayerScan | None:
    """Open the job's file and scan it; None when the file cannot be opened."""
    try:
        handle = open(job.file, "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError:
        return None
    with handle:
        if job.offset:
            handle.seek(job.offset)
        return scan_layer(
            Counted(handle, job.length, tick),
            catalogers,
            limits=limits,
            digest_algorithm=job.algorithm,
            media_type=job.media_type,
            where=job.where,
            reopen=lambda: _reopen(job),
        )


def _reopen(job: ScanJob) -> Readable | None:
    """The job's bytes again, for the walker's second pass over hard links."""
    try:
        handle = open(job.file, "rb")  # noqa: SIM115 - the walker closes it
    except OSError:
        return None
    handle.seek(job.offset)
    return Counted(handle, job.length, None)


# -- worker side -------------------------------------------------------------------------------

_state: tuple[tuple[Capturer, ...], Limits, Any] | None = None


def _init(catalogers: tuple[Capturer, ...], limits: Limits, counter: Any) -> None:
    import signal

    # Ctrl-C is the parent's to handle (it cancels what is queued); no traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _state
    _state = (catalogers, limits, counter)


def _add(counter: Any, n: int) -> None:
    with counter.get_lock():
        counter.value += n


def _work(job: ScanJob) -> LayerScan | None:
    assert _state is not None, "worker not initialised"
    catalogers, limits, counter = _state
    tick = None if counter is None else (lambda n: _add(counter, n))
    return scan_job(job, catalogers, limits, tick)


# -- caller side -------------------------------------------------------------------------------


def pool_context() -> BaseContext:
    """fork where it is safe (Linux, no other thread yet), else forkserver, else spawn."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def _share(order: Sequence[ScanJob], workers: int) -> tuple[list[ScanJob], list[ScanJob]]:
    """Longest-processing-time-first over ``workers`` cores (bytes as the measure of time):
    (this process's jobs, the pool's jobs, largest first). This process takes the largest."""
    loads = [0] * workers
    shares: list[list[ScanJob]] = [[] for _ in range(workers)]
    for job in order:
        least = min(range(workers), key=loads.__getitem__)
        shares[least].append(job)
        loads[least] += max(job.size, 1)
    return shares[0], sorted((j for s in shares[1:] for j in s), key=lambda j: -j.size)


def run_parallel(
    jobs: Sequence[ScanJob],
    catalogers: Sequence[Capturer],
    limits: Limits,
    *,
    workers: int,
    on_done: Callable[[ScanJob, LayerScan | None], None],
    on_bytes: Callable[[int], None] | None = None,
) -> None:
    """Scan ``jobs`` on ``workers`` cores; ``on_done`` is called in this process per job.

    The jobs are shared out largest first, each to the core with the least bytes so far. This
    process works through its own share (the largest layer first: its result needs no
    pickling) while ``workers - 1`` worker processes take the rest. ``on_bytes`` gets the total
    bytes read so far, about ten times a second. If the pool breaks (a worker killed, e.g. out
    of memory), what is left is scanned here.
    """
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    order = sorted(jobs, key=lambda j: -j.size)
    if not order:
        return
    workers = max(1, min(workers, len(order)))
    mine, rest = _share(order, workers)
    ctx = pool_context()
    counter = ctx.Value("q", 0) if on_bytes is not None else None
    left = {job.ident: job for job in rest}
    local = [0]

    def tick(n: int) -> None:
        local[0] += n
        if on_bytes is not None and counter is not None:
            on_bytes(local[0] + int(counter.value))

    if not rest:
        for job in mine:
            on_done(job, scan_job(job, catalogers, limits, tick if on_bytes else None))
        return
    try:
        with ProcessPoolExecutor(
            max_workers=workers - 1,
            mp_context=ctx,
            initializer=_init,
            initargs=(tuple(catalogers), limits, counter),
        ) as pool:
            futures: dict[Future[LayerScan | None], ScanJob] = {
                pool.submit(_work, job): job for job in rest
            }
            pending = set(futures)
            try:
                while mine:
                    job = mine.pop(0)
                    on_done(job, scan_job(job, catalogers, limits, tick if on_bytes else None))
                    for future in [f for f in pending if f.done()]:
                        result = future.result()
                        pending.discard(future)
                        del left[futures[future].ident]
                        on_done(futures[future], result)
                _drain(futures, pending, left, on_done, on_bytes, counter, local[0])
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    except BrokenProcessPool:
        for job in [*mine, *left.values()]:
            on_done(job, scan_job(job, catalogers, limits))


def _drain(
    futures: dict[Future[LayerScan | None], ScanJob],
    pending: set[Future[LayerScan | None]],
    left: dict[str, ScanJob],
    on_done: Callable[[ScanJob, LayerScan | None], None],
    on_bytes: Callable[[int], None] | None,
    counter: Any,
    local: int,
) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait

    while pending:
        done, pending = wait(
            pending, timeout=0.1 if on_bytes else None, return_when=FIRST_COMPLETED
        )
        for future in done:
            job = futures[future]
            result = future.result()
            del left[job.ident]
            on_done(job, result)
        if on_bytes is not None and counter is not None:
            on_bytes(local + int(counter.value))
    # When every worker finished while this process scanned its own share, the loop above never
    # ran: the last figure must still include the workers' final bytes.
    if on_bytes is not None and counter is not None:
        on_bytes(local + int(counter.value))
