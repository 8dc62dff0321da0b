"""Where the per-input work runs: in this process (``local``) or on a Dask cluster (``dask``).

Both yield one ``InputResult`` per input, in completion order; the caller (``run_audit``) alone
writes the inventory.

**local**: inputs one after another in this process, each through ``pipeline.generate`` (whose
layer scan already uses a process per core), sharing the audit's layer cache: the first input
that holds a base layer scans it, every later one reads the result (and re-hashes the blob).

**dask** (``audit --scheduler tcp://HOST:PORT``, ``pip install 'oci-reporter[dask]'``): three
kinds of task, all run by workers that read the inputs at the same path (a share):

1. ``plan-…`` per input: open it without streaming layers and list its layer blobs (digest,
   size, diff_id, media type, where the bytes are). Inputs whose layers can only be read in one
   pass (gzip / zstd tars, standard input) list none: their assembly scans them.
2. ``layer-<algorithm>-<hex>-<key>`` per distinct layer: one scan of that blob. The task key is
   the blob digest (plus the cache key, which covers limits and cataloger set), so Dask runs a
   base layer shared by 100 images once across the whole cluster.
3. ``assemble-…`` per input: seed a task-local layer cache with the layer results (only those
   whose bytes hashed to the digest the manifest names), run ``pipeline.generate``, and return
   the ``InputResult``. A hit is re-hashed against the input's own blob unless ``--trust-cache``.

Every task is submitted with ``retries``: a worker that dies mid-task has it rerun elsewhere
(Dask reschedules the tasks of a lost worker). A worker that cannot read a path returns the
error as that input's result, like the local executor.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from reporter.errors import UsageError
from reporter.fleet.audit import Candidate, audit_input
from reporter.fleet.inventory import InputResult
from reporter.options import Options

__all__ = ["LayerTask", "dask_executor", "local_executor", "plan_input", "scan_layer_task"]


def local_executor(candidates: Sequence[Candidate], options: Options) -> Iterator[InputResult]:
    for candidate in candidates:
        yield audit_input(candidate, options)


@dataclass(frozen=True, slots=True)
class LayerTask:
    """One layer blob to scan: its cache key and where its bytes are."""

    key: str
    digest: str
    size: int
    media_type: str
    file: str
    offset: int
    length: int | None
    where: str


def _catalogers(options: Options) -> tuple[Any, ...]:
    from reporter.catalog import catalogers

    return catalogers(catalog=options.catalog, lockfiles=options.lockfiles)


def plan_input(candidate: Candidate, options: Options) -> tuple[LayerTask, ...]:
    """The layer blobs of ``candidate`` that can be scanned apart from it (see module doc)."""
    from reporter.archive.interface import blob_path
    from reporter.catalog import CATALOG_VERSION
    from reporter.layers.cache import LayerCache
    from reporter.pipeline import describe_input

    light = replace(options, catalog=False, verify_layers=False)
    try:
        scanned = describe_input(candidate.path, light)
    except Exception:
        return ()
    names = [c.name for c in _catalogers(options)]
    tasks: dict[str, LayerTask] = {}
    try:
        for image in scanned.images:
            for layer in image.layers:
                path = blob_path(layer.digest)
                if path is None or not layer.digest.startswith(("sha256:", "sha512:")):
                    continue
                located = scanned.archive.locate(path)
                if located is None:
                    continue
                key = LayerCache.key(
                    blob_digest=layer.digest,
                    blob_size=layer.size,
                    diff_id=layer.diff_id,
                    media_type=layer.media_type,
                    catalogers=names,
                    catalog_version=CATALOG_VERSION,
                    limits=options.limits,
                )
                file, offset, length = located
                tasks.setdefault(
                    key,
                    LayerTask(
                        key,
                        layer.digest,
                        layer.size,
                        layer.media_type,
                        file,
                        offset,
                        length,
                        f"{scanned.archive.name}/{path}",
                    ),
                )
    finally:
        scanned.archive.close()
    return tuple(tasks.values())


def scan_layer_task(task: LayerTask, options: Options) -> Any:
    """Scan one layer blob (a worker task); None when its file cannot be opened."""
    from reporter.layers.parallel import ScanJob, scan_job

    algorithm = task.digest.partition(":")[0]
    job = ScanJob(
        task.key,
        task.file,
        task.offset,
        task.length,
        task.size,
        task.where,
        algorithm,
        task.media_type,
    )
    return scan_job(job, _catalogers(options), options.limits)


def assemble_task(
    candidate: Candidate, options: Options, tasks: Sequence[LayerTask], *scans: Any
) -> InputResult:
    """Seed a task-local layer cache with the cluster's scans, then audit the input."""
    from reporter.layers.cache import LayerCache

    directory = tempfile.mkdtemp(prefix="oci-reporter-assemble-")
    try:
        cache = LayerCache(directory)
        for task, scan in zip(tasks, scans, strict=True):
            # Only a scan whose bytes matched the manifest's digest and size may vouch for it.
            if scan is not None and scan.blob_digest == task.digest and scan.blob_size == task.size:
                cache.put(task.key, scan, task.where)
        return audit_input(candidate, replace(options, cache_dir=directory))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _key(kind: str, text: str) -> str:
    return f"{kind}-{hashlib.sha256(text.encode('utf-8', 'surrogateescape')).hexdigest()[:24]}"


def dask_executor(
    address: str,
    *,
    retries: int = 3,
    timeout: float = 30.0,
    stats: dict[str, int] | None = None,
) -> Any:  # returns an Executor; typed loosely so the module imports without dask
    """An executor that runs the audit on the Dask cluster at ``address``.

    ``stats`` (when given) is filled with ``inputs``, ``layer_refs`` (layer blobs the inputs
    name) and ``layer_tasks`` (distinct layer scans submitted): how much sharing saved.
    """
    counts = stats if stats is not None else {}
    try:
        # Untyped, optional: imported by name so mypy and a dask-less install both stay happy.
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise UsageError(
            "--scheduler needs Dask distributed: pip install 'oci-reporter[dask]'"
        ) from None

    def run(candidates: Sequence[Candidate], options: Options) -> Iterator[InputResult]:
        if not candidates:
            return
        try:
            client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
        try:
            # Workers are told not to use their own persistent cache: the cluster shares
            # results through the layer tasks instead.
            worker_options = replace(options, cache_dir=None, jobs=1)
            plans = {
                c.path: client.submit(
                    plan_input, c, worker_options, key=_key("plan", c.path), retries=retries
                )
                for c in candidates
            }
            layer_futures: dict[str, Any] = {}
            assemblies = []
            for candidate in candidates:
                tasks = client.gather(plans[candidate.path])
                counts["layer_refs"] = counts.get("layer_refs", 0) + len(tasks)
                deps = []
                for task in tasks:
                    if task.key not in layer_futures:
                        algorithm, _, hexdigest = task.digest.partition(":")
                        layer_futures[task.key] = client.submit(
                            scan_layer_task,
                            task,
                            worker_options,
                            key=f"layer-{algorithm}-{hexdigest}-{task.key[:12]}",
                            retries=retries,
                        )
                    deps.append(layer_futures[task.key])
                assemblies.append(
                    client.submit(
                        assemble_task,
                        candidate,
                        worker_options,
                        tasks,
                        *deps,
                        key=_key("assemble", candidate.path),
                        retries=retries,
                    )
                )
            counts["inputs"] = len(candidates)
            counts["layer_tasks"] = len(layer_futures)
            by_future = dict(zip((f.key for f in assemblies), candidates, strict=True))
            for future in distributed.as_completed(assemblies, loop=client.loop):
                try:
                    result: InputResult = future.result()
                except Exception as exc:  # e.g. KilledWorker once the retries are spent
                    candidate = by_future[future.key]
                    result = InputResult(
                        candidate.path,
                        candidate.kind,
                        -1,
                        -1,
                        "",
                        error_kind="internal",
                        error=f"{candidate.path}: cluster task failed: {type(exc).__name__}: {exc}",
                        exit_code=1,
                    )
                yield result
        finally:
            client.close()

    return run
