"""The per-layer cache: same Report warm as cold, never trusts a bad entry, safe to share."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest

from reporter.catalog import CATALOG_VERSION
from reporter.cli import main
from reporter.layers.cache import FORMAT, LayerCache, default_cache_dir
from reporter.layers.scan import Captured, Entry, LayerScan
from reporter.model import Finding, FindingKind, Report
from reporter.options import Limits, Options
from reporter.pipeline import generate
from samples.build import write_layout
from tests.conftest import REPO, shared_path

# Reports are compared whole: pin their time of making (SOURCE_DATE_EPOCH), the one field
# that otherwise comes from the clock.
EPOCH = 1_700_000_000

WHERE = "img/blobs/sha256/abc"


def _layout(tmp_path: Path) -> Path:
    out = tmp_path / "demo.oci"
    write_layout(out)
    return out


def _entries(cache_dir: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted((cache_dir / "layers-v1").rglob("*"))
        if p.is_file() and not p.name.startswith(".tmp-")
    }


def _scan() -> LayerScan:
    return LayerScan(
        blob_digest="sha256:" + "a" * 64,
        blob_size=1234,
        diff_id="sha256:" + "b" * 64,
        uncompressed_size=4096,
        compression="gzip",
        entries=(
            Entry("etc", "dir", 0o755, 0),
            Entry("etc/os-release", "file", 0o644, 20),
            Entry("bin/sh", "symlink", 0o777, 0, "busybox"),
            Entry("n\\xffame", "hardlink", 0o644, 20, "etc/os-release"),
        ),
        whiteouts=("opt/gone",),
        opaque_dirs=("var/cache",),
        captured=(
            Captured("etc/os-release", "distro", b"ID=debian\n\x00\xff"),
            Captured("usr/bin/app", "go", b"", whole=False),
        ),
        findings=(
            Finding(FindingKind.LIMIT, "something", where=WHERE, severity="warning"),
            Finding(
                FindingKind.DIGEST_MISMATCH,
                "elsewhere",
                where="other",
                expected="e",
                actual=None,
                integrity=True,
            ),
        ),
        complete=True,
    )


def _key() -> str:
    return LayerCache.key(
        blob_digest="sha256:" + "a" * 64,
        blob_size=1234,
        diff_id="sha256:" + "b" * 64,
        media_type="application/vnd.oci.image.layer.v1.tar+gzip",
        catalogers=["distro", "go"],
        catalog_version=CATALOG_VERSION,
        limits=Limits(),
    )


def _get(cache: LayerCache, key: str, where: str = WHERE) -> LayerScan | None:
    return cache.get(key, where, blob_digest="sha256:" + "a" * 64, blob_size=1234)


# -- the entry format --------------------------------------------------------------------------


def test_entry_round_trip_and_where_is_relocated(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path)
    key = _key()
    assert cache.put(key, _scan(), WHERE)
    assert _get(cache, key) == _scan()
    moved = _get(cache, key, "other-image/blobs/sha256/abc")
    assert moved is not None
    assert [f.where for f in moved.findings] == ["other-image/blobs/sha256/abc", "other"]


def test_key_covers_versions_catalogers_limits_and_media_type() -> None:
    base = {
        "blob_digest": "sha256:" + "a" * 64,
        "blob_size": 1,
        "diff_id": "",
        "media_type": "m",
        "catalogers": ["a"],
        "catalog_version": "1",
        "limits": Limits(),
    }
    keys = {
        LayerCache.key(**base),  # type: ignore[arg-type]
        LayerCache.key(**{**base, "blob_size": 2}),  # type: ignore[arg-type]
        LayerCache.key(**{**base, "diff_id": "sha256:1"}),  # type: ignore[arg-type]
        LayerCache.key(**{**base, "media_type": "n"}),  # type: ignore[arg-type]
        LayerCache.key(**{**base, "catalogers": ["a", "b"]}),  # type: ignore[arg-type]
        LayerCache.key(**{**base, "limits": Limits(max_capture_bytes=1)}),  # type: ignore[arg-type]
    }
    assert len(keys) == 6
    # the catalog version is the caller's (layers never import the catalog): it keys too
    assert LayerCache.key(**{**base, "catalog_version": "2"}) not in keys  # type: ignore[arg-type]


def _forge(header: dict[str, object], data: bytes = b"") -> bytes:
    """A well-formed entry (right magic and content hash) around any header."""
    head = orjson.dumps(header)
    body = len(head).to_bytes(8, "big") + head + data
    return b"OCIRLC1\n" + hashlib.sha256(body).digest() + body


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]), id="bit-flip"),
        pytest.param(lambda raw: b"\x80\x04\x95pickle" + raw, id="not-ours"),
        pytest.param(lambda raw: raw[:60] + b"X" + raw[61:], id="header-byte"),
    ],
)
def test_damaged_entry_is_a_miss(tmp_path: Path, mutate: object) -> None:
    cache = LayerCache(tmp_path)
    key = _key()
    cache.put(key, _scan(), WHERE)
    path = cache.path(key)
    path.write_bytes(mutate(path.read_bytes()))  # type: ignore[operator]
    assert _get(cache, key) is None


def _valid_header() -> dict[str, object]:
    return {
        "format": FORMAT,
        "key": _key(),
        "blob_digest": "sha256:" + "a" * 64,
        "blob_size": 1234,
        "diff_id": "",
        "uncompressed_size": 0,
        "compression": "gzip",
        "complete": True,
        "entries": [],
        "whiteouts": [],
        "opaque_dirs": [],
        "captured": [],
        "data_size": 0,
        "findings": [],
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("format", "oci-reporter/layer-cache/v0"),
        ("key", "0" * 64),  # an entry copied from another key
        ("blob_digest", "sha256:" + "c" * 64),  # not this blob
        ("blob_size", 99),
        ("entries", [["etc", "chardev", 0, 0, ""]]),
        ("entries", [["etc", "file", -1, 0, ""]]),
        ("entries", [["etc", "file", 0, 0]]),
        ("entries", [[1, "file", 0, 0, ""]]),
        ("captured", [["p", "c", True, 0, 5]]),  # beyond the data
        ("findings", [["k", "m", None, "fatal", None, None, False]]),
        ("complete", 1),
        ("compression", "xz"),
        ("whiteouts", "opt"),
        ("data_size", 3),
    ],
)
def test_well_formed_but_wrong_entry_is_a_miss(tmp_path: Path, field: str, value: object) -> None:
    cache = LayerCache(tmp_path)
    key = _key()
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).write_bytes(_forge({**_valid_header(), field: value}))
    assert _get(cache, key) is None
    # the untouched header is accepted, so the miss above is the field's doing
    cache.path(key).write_bytes(_forge(_valid_header()))
    assert _get(cache, key) is not None


def test_default_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "oci-reporter"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored (XDG spec)
    assert default_cache_dir() == Path.home() / ".cache" / "oci-reporter"


def test_unwritable_cache_dir_is_only_a_miss(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    cache = LayerCache(blocker / "cache")
    assert not cache.put(_key(), _scan(), WHERE)
    assert _get(cache, _key()) is None


# -- through the pipeline ----------------------------------------------------------------------


def _same(cold: Report, warm: Report) -> None:
    assert warm == cold


def test_warm_run_gives_the_cold_report(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    cache_dir = tmp_path / "cache"
    cold = generate(str(layout), Options(source_date_epoch=EPOCH))
    first = generate(str(layout), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir)))
    entries = _entries(cache_dir)
    assert len(entries) == 4  # 3 layers x 2 platforms, two of them shared
    warm = generate(str(layout), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir)))
    _same(cold, first)
    _same(cold, warm)
    assert _entries(cache_dir) == entries


def test_warm_run_on_a_real_image(tmp_path: Path) -> None:
    path = str(shared_path("fixtures", "real", "debian-app.oci-gzip"))
    cache_dir = tmp_path / "cache"
    cold = generate(path, Options(source_date_epoch=EPOCH, jobs=1))
    generate(path, Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir)))
    assert len(_entries(cache_dir)) == 5
    assert generate(path, Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir))) == cold


def test_damaged_entries_are_ignored_and_rewritten(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    cache_dir = tmp_path / "cache"
    cold = generate(str(layout), Options(source_date_epoch=EPOCH))
    generate(str(layout), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir)))
    good = _entries(cache_dir)
    names = sorted(good)
    files = {p.name: p for p in (cache_dir / "layers-v1").rglob("*") if p.is_file()}
    files[names[0]].write_bytes(good[names[0]][:100])  # truncated
    files[names[1]].write_bytes(good[names[2]])  # foreign: another layer's entry
    files[names[2]].write_bytes(b"\x80\x04\x95" + b"\x00" * 64)  # a pickle, say
    damaged = bytearray(good[names[3]])
    damaged[-3] ^= 0xFF
    files[names[3]].write_bytes(bytes(damaged))  # bit rot
    assert generate(str(layout), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir))) == cold
    assert _entries(cache_dir) == good


def test_only_verified_blobs_are_cached_and_warm_runs_trust_the_digest(tmp_path: Path) -> None:
    layout = tmp_path / "demo.oci"
    image = write_layout(layout, arches=("amd64",))[0]
    cache_dir = tmp_path / "cache"
    blobs = layout / "blobs" / "sha256"
    manifest = orjson.loads((blobs / str(image.manifest["digest"])[7:]).read_bytes())
    layer = blobs / manifest["layers"][0]["digest"][7:]
    original = layer.read_bytes()
    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 0xFF

    # a blob that does not match its digest is never written to the cache
    layer.write_bytes(bytes(tampered))
    report = generate(str(layout), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir)))
    assert not report.integrity_ok
    kinds = {f.kind for image in report.images for f in image.description.findings}
    assert "digest-mismatch" in kinds
    written = len(_entries(cache_dir))

    # once cached from the right bytes, a same-size change is still seen on a warm run (the blob
    # is re-hashed); only --trust-cache takes the cached digest on faith
    layer.write_bytes(original)
    generate(str(layout), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir)))
    assert len(_entries(cache_dir)) == written + 1
    layer.write_bytes(bytes(tampered))
    assert not generate(
        str(layout), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir))
    ).integrity_ok
    trusting = Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir), trust_cache=True)
    assert generate(str(layout), trusting).integrity_ok
    assert not generate(str(layout), Options(source_date_epoch=EPOCH)).integrity_ok

    # a size change is always seen: the entry is not used
    layer.write_bytes(original + b"\x00")
    assert not generate(
        str(layout), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir))
    ).integrity_ok


def test_shared_base_layers_come_from_the_cache(tmp_path: Path) -> None:
    one, two = tmp_path / "one.oci", tmp_path / "two.oci"
    write_layout(one, arches=("amd64",))
    write_layout(two, arches=("amd64",), labels={"other": "labels"})
    cache_dir = tmp_path / "cache"
    generate(str(one), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir)))
    before = _entries(cache_dir)
    report = generate(str(two), Options(source_date_epoch=EPOCH, cache_dir=str(cache_dir)))
    assert _entries(cache_dir) == before  # every layer was known
    assert report == generate(str(two), Options(source_date_epoch=EPOCH))


# -- concurrency -------------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{repo!r}, {tests!r}]
    from test_cache import _key, _scan, WHERE
    from reporter.layers.cache import LayerCache
    cache = LayerCache(sys.argv[1])
    for _ in range(150):
        assert cache.put(_key(), _scan(), WHERE)
    """
)


def test_concurrent_writers_never_leave_a_broken_entry(tmp_path: Path) -> None:
    code = _WRITER.format(repo=str(REPO), tests=str(Path(__file__).resolve().parent))
    writers = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    cache = LayerCache(tmp_path)
    seen = 0
    while any(w.poll() is None for w in writers):
        got = _get(cache, _key())
        if got is not None:
            assert got == _scan()
            seen += 1
    for writer in writers:
        _, err = writer.communicate()
        assert writer.returncode == 0, err.decode()
    assert _get(cache, _key()) == _scan()
    leftovers = list(tmp_path.rglob(".tmp-*"))
    assert leftovers == []


# -- the command line --------------------------------------------------------------------------


def _run(args: list[str]) -> int:
    return main(["report", "-f", "json", "-o", "/dev/null", "--quiet", *args])


def test_cli_cache_switches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = str(_layout(tmp_path))
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    monkeypatch.delenv("CI", raising=False)

    assert _run([layout]) == 0  # OCI_REPORTER_CACHE=off (conftest): no cache
    assert not xdg.exists()

    explicit = tmp_path / "explicit"
    assert _run([layout, "--cache-dir", str(explicit)]) == 0
    assert len(_entries(explicit)) == 4
    shutil.rmtree(explicit)
    assert _run([layout, "--cache-dir", str(explicit), "--no-cache"]) == 0
    assert not explicit.exists()

    monkeypatch.delenv("OCI_REPORTER_CACHE")
    monkeypatch.setenv("CI", "true")
    assert _run([layout]) == 0  # CI: off unless asked
    assert not xdg.exists()
    monkeypatch.delenv("CI")
    assert _run([layout]) == 0  # a person's run: the user cache dir
    assert len(_entries(xdg / "oci-reporter")) == 4


def test_cli_rejects_negative_jobs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run([str(_layout(tmp_path)), "--jobs", "-1"]) == 2
    assert "--jobs" in capsys.readouterr().err
