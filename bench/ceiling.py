"""The ceiling: hash + decompress + tar header walk of every layer, and nothing else.

    python bench/ceiling.py PATH [--ours]

PATH is an OCI image-layout directory or a (gzip/zstd/plain) tar. Each distinct layer is read
once in 1 MiB chunks: the raw bytes and the uncompressed bytes are sha256-hashed in a second
thread (hashlib releases the GIL), the bytes are inflated with isal (gzip) or zstandard, and a
tiny tar header skipper counts entries. No limits, no findings, no PAX, no capture: the least
work any tool that verifies layers must do, in the same language and with the same libraries.

``--ours`` runs ``reporter.layers.tarwalk.scan_layer`` with every cataloger over the very same
layers in the same process instead, so both sides exclude interpreter start, resolve, catalog
parsing and rendering. Prints one JSON line: wall and CPU seconds, compressed bytes, layers,
entries.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import queue
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

import zstandard
from isal import igzip, igzip_lib

_CHUNK = 1 << 20
Reopen = Callable[[], IO[bytes]] | None  # the blob again (the walk's second read), if it can


class _Hasher:
    def __init__(self) -> None:
        self.q: queue.Queue[tuple[Any, bytes] | None] = queue.Queue(maxsize=16)
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self) -> None:
        while (item := self.q.get()) is not None:
            item[0].update(item[1])

    def close(self) -> None:
        self.q.put(None)
        self.t.join()


def _chunks(read: Callable[[int], bytes]) -> Iterator[bytes]:
    while chunk := read(_CHUNK):
        yield chunk


def _inflate(first: bytes, raw: Iterator[bytes]) -> Iterator[bytes]:
    if first[:2] == b"\x1f\x8b":
        d = igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
        for chunk in raw:
            data = chunk
            while True:
                out = d.decompress(data, _CHUNK)
                data = b""
                if out:
                    yield out
                if d.eof:
                    rest = d.unused_data
                    if not rest.strip(b"\0"):
                        break
                    d = igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
                    data = rest
                    continue
                if d.needs_input:
                    break
    elif first[:4] == b"\x28\xb5\x2f\xfd":
        z = zstandard.ZstdDecompressor().decompressobj()
        for chunk in raw:
            out = z.decompress(chunk)
            if out:
                yield out
    else:
        yield from raw


def ceiling_scan(stream: IO[bytes], reopen: Reopen = None) -> tuple[int, int]:
    """(compressed bytes, entries) of one layer."""
    hasher = _Hasher()
    blob, diff = hashlib.sha256(), hashlib.sha256()
    size = 0

    def raw() -> Iterator[bytes]:
        nonlocal size
        for chunk in _chunks(stream.read):
            size += len(chunk)
            hasher.q.put((blob, chunk))
            yield chunk

    source = raw()
    first = next(source, b"")

    def again() -> Iterator[bytes]:
        yield first
        yield from source

    entries = 0
    skip = 0
    header = b""
    for out in _inflate(first, again()):
        hasher.q.put((diff, out))
        pos, n = 0, len(out)
        while pos < n:
            if skip:
                k = min(skip, n - pos)
                pos += k
                skip -= k
                continue
            need = 512 - len(header)
            header += out[pos : pos + need]
            pos += need
            if len(header) < 512:
                break
            h, header = header, b""
            if h[124] & 0x80 or not h.strip(b"\0"):
                continue
            length = int(h[124:136].strip(b"\0 ") or b"0", 8)
            if h[156:157] in (b"1", b"2", b"3", b"4", b"5", b"6"):
                length = 0
            skip = length + (-length & 511)
            entries += 1
    hasher.close()
    blob.hexdigest()
    diff.hexdigest()
    return size, entries


def ours_scan(stream: IO[bytes], reopen: Reopen = None) -> tuple[int, int]:
    from reporter.catalog import ALL_CATALOGERS
    from reporter.layers.tarwalk import scan_layer
    from reporter.options import Limits

    # ``reopen`` as the pipeline gives it: a layout blob can be read again (for the file
    # digests of binaries found to be packages), a streamed member cannot
    scan = scan_layer(stream, ALL_CATALOGERS, limits=Limits(), reopen=reopen)
    return scan.blob_size, len(scan.entries)


def _layout_layers(root: str) -> list[str]:
    def blob(digest: str) -> str:
        algorithm, _, hexa = digest.partition(":")
        return os.path.join(root, "blobs", algorithm, hexa)

    seen: dict[str, None] = {}

    def load(name: str) -> Any:
        with open(name, "rb") as handle:
            return json.load(handle)

    todo = [d["digest"] for d in load(os.path.join(root, "index.json"))["manifests"]]
    while todo:
        doc = load(blob(todo.pop()))
        todo.extend(d["digest"] for d in doc.get("manifests", []))
        for layer in doc.get("layers", []):
            if "layer" in layer.get("mediaType", "layer") or "tar" in layer.get("mediaType", ""):
                seen.setdefault(blob(layer["digest"]), None)
    return list(seen)


def run(path: str, scan: Callable[[IO[bytes], Reopen], tuple[int, int]]) -> dict[str, Any]:
    start = time.perf_counter()
    cpu = time.process_time()
    total = layers = entries = 0
    if os.path.isdir(path):
        for name in _layout_layers(path):
            with open(name, "rb", buffering=0) as blob:
                size, count = scan(blob, functools.partial(open, name, "rb"))
            total, layers, entries = total + size, layers + 1, entries + count
    else:
        # the outer tar read once, as a stream; members over 4 MiB or named like layers are layers
        raw = open(path, "rb")  # noqa: SIM115
        head = raw.read(4)
        raw.seek(0)
        handle: Any = raw
        if head[:2] == b"\x1f\x8b":
            handle = igzip.IGzipFile(fileobj=raw)  # type: ignore[no-untyped-call]
        elif head[:4] == b"\x28\xb5\x2f\xfd":
            handle = io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw))
        with tarfile.open(fileobj=handle, mode="r|") as tar:
            for member in tar:
                is_layer = member.name.endswith(("layer.tar", ".tar")) or member.size > 4 << 20
                if member.isreg() and is_layer:
                    member_file = tar.extractfile(member)
                    assert member_file is not None
                    size, count = scan(member_file, None)
                    total, layers, entries = total + size, layers + 1, entries + count
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "bytes": total, "layers": layers, "entries": entries}


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    scan = ours_scan if "--ours" in argv[1:] else ceiling_scan
    print(json.dumps(run(argv[0], scan)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
