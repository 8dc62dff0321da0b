"""The whole-report cache: a hit writes the first run's bytes without running the pipeline; a
changed option misses; a blob changed after caching is re-scanned and reported, never vouched
for (unless the user said --trust-cache)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

import reporter.pipeline
from reporter.cli import main
from reporter.report_cache import ReportCache
from samples.build import docker_save_bytes, write_layout

EPOCH = "1700000000"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts pipeline runs: a cache hit must not start one."""
    seen: list[str] = []
    real: Callable[..., Any] = reporter.pipeline.generate

    def counting(path: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(reporter.pipeline, "generate", counting)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return seen


def _layout(tmp_path: Path) -> Path:
    out = tmp_path / "demo.oci"
    write_layout(out, arches=("amd64",))
    return out


def _report(image: Path, out: Path, cache: Path, *extra: str) -> int:
    return main(["report", str(image), "-q", "--cache-dir", str(cache), "-o", str(out), *extra])


def _layer_blob(layout: Path) -> Path:
    """The largest blob: a layer."""
    blobs = list((layout / "blobs" / "sha256").iterdir())
    return max(blobs, key=lambda p: p.stat().st_size)


def _flip_last_byte(path: Path) -> None:
    """Change one byte, keeping size and mtime: only a re-hash can notice."""
    info = path.stat()
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_hit_writes_the_same_bytes_without_running_the_pipeline(
    tmp_path: Path, calls: list[str]
) -> None:
    image, cache = _layout(tmp_path), tmp_path / "cache"
    assert _report(image, tmp_path / "a.json", cache, "-f", "cyclonedx-json") == 0
    assert _report(image, tmp_path / "b.json", cache, "-f", "cyclonedx-json") == 0
    assert calls == [str(image)]
    first = (tmp_path / "a.json").read_bytes()
    assert b'"bomFormat"' in first
    assert (tmp_path / "b.json").read_bytes() == first


def test_a_changed_option_misses(tmp_path: Path, calls: list[str], monkeypatch: Any) -> None:
    image, cache = _layout(tmp_path), tmp_path / "cache"
    assert _report(image, tmp_path / "a.json", cache, "-f", "json") == 0
    assert _report(image, tmp_path / "b.json", cache, "-f", "cyclonedx-json") == 0
    assert _report(image, tmp_path / "c.json", cache, "-f", "json", "--no-catalog") == 0
    assert (
        _report(image, tmp_path / "d.json", cache, "-f", "json", "--platform", "linux/amd64") == 0
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    assert _report(image, tmp_path / "e.json", cache, "-f", "json") == 0
    assert len(calls) == 5
    # ... and each of them is a hit the second time
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert _report(image, tmp_path / "f.json", cache, "-f", "json", "--no-catalog") == 0
    assert len(calls) == 5
    assert (tmp_path / "f.json").read_bytes() == (tmp_path / "c.json").read_bytes()
    assert (tmp_path / "c.json").read_bytes() != (tmp_path / "a.json").read_bytes()


def test_a_blob_tampered_after_caching_is_reported_not_vouched_for(
    tmp_path: Path, calls: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    image, cache = _layout(tmp_path), tmp_path / "cache"
    assert _report(image, tmp_path / "a.json", cache, "-f", "json") == 0
    _flip_last_byte(_layer_blob(image))
    assert _report(image, tmp_path / "b.json", cache, "-f", "json") == 4  # integrity failed
    assert len(calls) == 2
    doc = orjson.loads((tmp_path / "b.json").read_bytes())
    kinds = [(f["kind"], f["integrity"]) for image in doc["images"] for f in image["findings"]]
    assert ("digest-mismatch", True) in kinds
    assert (tmp_path / "b.json").read_bytes() != (tmp_path / "a.json").read_bytes()
    # A run that failed its integrity checks is not stored: the next run scans again.
    assert _report(image, tmp_path / "c.json", cache, "-f", "json") == 4
    assert len(calls) == 3


def test_trust_cache_takes_an_unchanged_size_and_mtime_on_faith(
    tmp_path: Path, calls: list[str]
) -> None:
    image, cache = _layout(tmp_path), tmp_path / "cache"
    assert _report(image, tmp_path / "a.json", cache, "-f", "json") == 0
    _flip_last_byte(_layer_blob(image))
    # what --trust-cache documents: no re-hash, so the change goes unnoticed ...
    assert _report(image, tmp_path / "b.json", cache, "-f", "json", "--trust-cache") == 0
    assert len(calls) == 1
    # ... but a touched file (new mtime) is not trusted
    os.utime(_layer_blob(image))
    assert _report(image, tmp_path / "c.json", cache, "-f", "json", "--trust-cache") == 4
    assert len(calls) == 2


def test_a_tar_input_is_verified_piece_by_piece(tmp_path: Path, calls: list[str]) -> None:
    tar, cache = tmp_path / "demo.tar", tmp_path / "cache"
    tar.write_bytes(docker_save_bytes(write_layout(tmp_path / "src.oci")[0]))
    assert _report(tar, tmp_path / "a.json", cache, "-f", "spdx-json") == 0
    assert _report(tar, tmp_path / "b.json", cache, "-f", "spdx-json") == 0
    assert len(calls) == 1
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "a.json").read_bytes()
    # a byte inside the first layer member's data (past the manifest and config members)
    info = tar.stat()
    data = bytearray(tar.read_bytes())
    data[len(data) // 2] ^= 0x01
    tar.write_bytes(bytes(data))
    os.utime(tar, ns=(info.st_atime_ns, info.st_mtime_ns))
    code = _report(tar, tmp_path / "c.json", cache, "-f", "spdx-json")
    assert len(calls) == 2  # re-scanned, whatever the flipped byte broke
    assert code in (0, 3, 4)


def test_output_dir_per_platform_files_come_back(tmp_path: Path, calls: list[str]) -> None:
    image, cache = _layout(tmp_path), tmp_path / "cache"
    args = ["report", str(image), "-q", "--cache-dir", str(cache), "-f", "cyclonedx-json"]
    assert main([*args, "-f", "md", "--output-dir", str(tmp_path / "one")]) == 0
    assert main([*args, "-f", "md", "--output-dir", str(tmp_path / "two")]) == 0
    assert len(calls) == 1
    one = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert len(one) >= 2
    assert one == sorted(p.name for p in (tmp_path / "two").iterdir())
    for name in one:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_corrupt_entry_is_a_miss(tmp_path: Path, calls: list[str]) -> None:
    image, cache = _layout(tmp_path), tmp_path / "cache"
    assert _report(image, tmp_path / "a.json", cache, "-f", "json") == 0
    entries = [p for p in (cache / "reports-v1").rglob("*") if p.is_file()]
    assert len(entries) == 1
    raw = bytearray(entries[0].read_bytes())
    raw[-1] ^= 0xFF  # inside the stored output: the entry's own hash no longer matches
    entries[0].write_bytes(bytes(raw))
    assert _report(image, tmp_path / "b.json", cache, "-f", "json") == 0
    assert len(calls) == 2
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "a.json").read_bytes()


def test_added_file_or_no_cache_misses(tmp_path: Path, calls: list[str]) -> None:
    image, cache = _layout(tmp_path), tmp_path / "cache"
    assert _report(image, tmp_path / "a.json", cache, "-f", "json") == 0
    (image / "blobs" / "sha256" / "stray").write_bytes(b"x")
    assert _report(image, tmp_path / "b.json", cache, "-f", "json") == 0
    assert len(calls) == 2
    assert main(["report", str(image), "-q", "--no-cache", "-o", str(tmp_path / "c.json")]) == 0
    assert len(calls) == 3


def test_not_usable_with_base_template_or_stdin(tmp_path: Path) -> None:
    from reporter.options import Options

    options = Options(cache_dir=str(tmp_path))
    assert ReportCache.usable("img", options, template=None)
    assert not ReportCache.usable("-", options, template=None)
    assert not ReportCache.usable("img", options, template="t.j2")
    assert not ReportCache.usable(
        "img", Options(cache_dir=str(tmp_path), base_images=("b",)), template=None
    )
    assert not ReportCache.usable("img", Options(), template=None)


def test_the_key_changes_with_the_tool_s_own_templates(tmp_path: Path) -> None:
    """Same version string, another template: a warm cache must not answer with old pages."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    probe = "from reporter.report_cache import _code_identity; print(_code_identity())"

    def identity(checkout: Path) -> str:
        env = {"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=checkout, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    copy = tmp_path / "checkout"
    shutil.copytree(
        root / "reporter", copy / "reporter", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(root / "templates", copy / "templates")
    before = identity(copy)
    assert before == identity(root)  # the copy is the same code
    with open(copy / "templates" / "report.md.j2", "a", encoding="utf-8") as handle:
        handle.write("\n")
    assert identity(copy) != before


def test_the_code_identity_is_the_sorted_rglob_digest() -> None:
    """os.walk stands in for pathlib: the same files in the same order, so the same keys."""
    import hashlib

    from reporter import report_cache

    root = Path(report_cache.__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for top in (root / "reporter", root / "templates"):
        for file in sorted(top.rglob("*")):
            if file.suffix in report_cache._SOURCE_SUFFIXES and file.is_file():
                digest.update(file.relative_to(top).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(file.read_bytes()).digest())
    assert report_cache._code_identity() == digest.hexdigest()
    assert len(report_cache._source_files(str(root / "reporter"))) > 100
