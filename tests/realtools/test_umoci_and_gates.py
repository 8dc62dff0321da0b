"""Issue 12 items 2–5 on images the real tools write at test time (umoci, buildah, podman).

2: umoci's layers end right after the last file's data; 3: integrity gates diff/check-base;
4: every non-zero exit says why on stderr; 5: references with ':' select images.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from reporter.cli import main
from tests.hostile._cli import cli
from tests.realtools.conftest import DPKG_STATUS, OS_RELEASE, Buildah, flip_byte, rootfs, run, tool


def _layout_blob(layout: Path, digest: str) -> Path:
    return layout / "blobs" / "sha256" / digest.split(":", 1)[1]


def _manifest(layout: Path, tag: str) -> dict[str, Any]:
    index = json.loads((layout / "index.json").read_text())
    entry = next(
        m
        for m in index["manifests"]
        if m["annotations"]["org.opencontainers.image.ref.name"] == tag
    )
    manifest: dict[str, Any] = json.loads(_layout_blob(layout, entry["digest"]).read_text())
    return manifest


@pytest.fixture
def umoci_layout(tmp_path: Path) -> Path:
    """base (empty) → app (umoci repack of a rootfs) → app2 (umoci insert of one file)."""
    umoci = tool("umoci")
    layout = tmp_path / "lay"
    run([umoci, "init", "--layout", str(layout)])
    run([umoci, "new", "--image", f"{layout}:base"])
    bundle = tmp_path / "bundle"
    run([umoci, "unpack", "--rootless", "--image", f"{layout}:base", str(bundle)])
    rootfs(
        bundle / "rootfs",
        {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": DPKG_STATUS, "etc/hello": "hi\n"},
    )
    run([umoci, "repack", "--image", f"{layout}:app", str(bundle)])
    extra = tmp_path / "extra.txt"
    extra.write_text("five\n")  # 5 bytes: umoci insert writes neither padding nor end blocks
    run(
        [
            umoci,
            "insert",
            "--rootless",
            "--image",
            f"{layout}:app",
            "--tag",
            "app2",
            str(extra),
            "/extra.txt",
        ]
    )
    return layout


def test_umoci_insert_layer_without_end_blocks_is_whole(
    umoci_layout: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import gzip

    manifest = _manifest(umoci_layout, "app2")
    last = manifest["layers"][-1]
    raw = gzip.decompress(_layout_blob(umoci_layout, last["digest"]).read_bytes())
    assert len(raw) % 512 != 0, "umoci insert was expected to stop inside the padding"
    out = tmp_path / "r.json"
    result = cli(capsys, "report", "-q", "--no-cache", f"{umoci_layout}:app2", "-o", str(out))
    assert result.code == 0, result.err
    report = json.loads(out.read_text())
    kinds = [f["kind"] for img in report["images"] for f in img["findings"]]
    assert "truncated-layer" not in kinds
    names = {p["name"] for img in report["images"] for p in img["packages"]}
    assert {"hello", "libc6"} <= names  # the repacked layer below is read too


def test_umoci_layer_cut_inside_file_data_is_an_integrity_error(
    umoci_layout: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import gzip
    import hashlib

    manifest = _manifest(umoci_layout, "app2")
    last = manifest["layers"][-1]
    blob = _layout_blob(umoci_layout, last["digest"])
    cut = gzip.decompress(blob.read_bytes())[:514]  # header + 2 of the 5 data bytes
    # Re-point the manifest and config at the cut layer so only the tar walk can object.
    packed = gzip.compress(cut, mtime=0)
    _write_blob(umoci_layout, packed)
    cfg_desc = manifest["config"]
    config = json.loads(_layout_blob(umoci_layout, cfg_desc["digest"]).read_text())
    config["rootfs"]["diff_ids"][-1] = "sha256:" + hashlib.sha256(cut).hexdigest()
    cfg_bytes = json.dumps(config).encode()
    manifest["config"] = {**cfg_desc, **_write_blob(umoci_layout, cfg_bytes)}
    manifest["layers"][-1] = {**last, **_write_blob(umoci_layout, packed)}
    _retag(umoci_layout, "app2", json.dumps(manifest).encode())
    out = tmp_path / "r.json"
    result = cli(capsys, "report", "-q", "--no-cache", f"{umoci_layout}:app2", "-o", str(out))
    assert result.code == 4
    assert "inside an entry's data" in result.err
    assert result.err.count("\n") == 1


def _write_blob(layout: Path, data: bytes) -> dict[str, object]:
    import hashlib

    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    _layout_blob(layout, digest).write_bytes(data)
    return {"digest": digest, "size": len(data)}


def _retag(layout: Path, tag: str, manifest: bytes) -> None:
    index = json.loads((layout / "index.json").read_text())
    for entry in index["manifests"]:
        if entry["annotations"]["org.opencontainers.image.ref.name"] == tag:
            entry.update(_write_blob(layout, manifest))
    (layout / "index.json").write_text(json.dumps(index))


@pytest.fixture
def tampered(umoci_layout: Path, tmp_path: Path) -> Path:
    """A copy of the umoci layout with one bit flipped in app's layer."""
    import shutil

    copy = tmp_path / "tampered"
    shutil.copytree(umoci_layout, copy)
    layer = _manifest(copy, "app")["layers"][0]
    flip_byte(_layout_blob(copy, layer["digest"]))
    return copy


def _one_line(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 3, err
    assert lines[0].startswith("oci-reporter: "), err
    for needle in needles:
        assert needle in err, (needle, err)


def test_diff_against_a_tampered_copy_exits_4_without_a_verdict(
    umoci_layout: Path, tampered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = cli(capsys, "diff", f"{umoci_layout}:app", f"{tampered}:app")
    assert result.code == 4
    assert result.out == ""  # no invented removals
    _one_line(result.err, "integrity failed", str(tampered))


def test_check_base_on_a_tampered_image_exits_4(
    umoci_layout: Path, tampered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = cli(capsys, "check-base", f"{tampered}:app", "--base", f"{umoci_layout}:app")
    assert result.code == 4
    assert "current" not in result.out
    _one_line(result.err, "integrity failed")
    # the untampered image against itself is current: the gate is what changed the answer
    assert (
        cli(capsys, "check-base", f"{umoci_layout}:app", "--base", f"{umoci_layout}:app").code == 0
    )


@pytest.mark.parametrize("command", ["report", "inspect"])
def test_report_and_inspect_of_a_tampered_image_say_why(
    tampered: Path, command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = cli(capsys, command, "-q", "--no-cache", f"{tampered}:app", "-o", str(out))
    assert result.code == 4
    assert out.stat().st_size > 0  # outputs are still written
    _one_line(result.err, "integrity failed", "outputs written")


def test_missing_layer_blob_says_why(
    umoci_layout: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    layer = _manifest(umoci_layout, "app")["layers"][0]
    _layout_blob(umoci_layout, layer["digest"]).unlink()
    result = cli(capsys, "report", "-q", f"{umoci_layout}:app", "-o", str(tmp_path / "r.json"))
    assert result.code == 4
    _one_line(result.err, "missing")


def test_diff_fail_on_accepts_commas_and_says_what_tripped(
    umoci_layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = cli(
        capsys, "diff", f"{umoci_layout}:base", f"{umoci_layout}:app", "--fail-on", "removed,added"
    )
    assert result.code == 9
    _one_line(result.err, "--fail-on", "added")
    assert "removed" not in result.err.split("tripped:", 1)[1]


@pytest.fixture
def two_image_archives(buildah: Buildah, tmp_path: Path) -> dict[str, Path]:
    """podman save of two buildah-built images: docker-archive (two RepoTags), oci-archive."""
    ctx = rootfs(
        tmp_path / "ctx", {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": DPKG_STATUS}
    )
    buildah.build(ctx, "localhost/corpus/app:2.0.0", "FROM scratch\nCOPY etc /etc\nCOPY var /var\n")
    buildah.build(ctx, "localhost/corpus/other:1.0", "FROM scratch\nCOPY etc /etc\nLABEL x=y\n")
    docker = tmp_path / "two.tar"
    buildah.podman(
        "save", "-q", "--multi-image-archive", "-o", str(docker),
        "localhost/corpus/app:2.0.0", "localhost/corpus/other:1.0",
    )  # fmt: skip
    oci = tmp_path / "app.oci.tar"
    buildah.podman(
        "save", "-q", "--format", "oci-archive", "-o", str(oci), "localhost/corpus/app:2.0.0"
    )
    return {"docker": docker, "oci": oci}


def test_reference_with_colons_selects_from_a_podman_archive(
    two_image_archives: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    archive = two_image_archives["docker"]
    result = cli(capsys, "report", "-q", f"{archive}:localhost/corpus/app:2.0.0", "-o", str(out))
    assert result.code == 0, result.err
    refs = [i["description"]["target"]["refs"] for i in json.loads(out.read_text())["images"]]
    assert refs == [["localhost/corpus/app:2.0.0"]]
    # relative paths split the same way (cwd-relative prefix)
    cwd = os.getcwd()
    os.chdir(archive.parent)
    try:
        rel = cli(capsys, "inspect", "-q", "two.tar:localhost/corpus/other:1.0", "-f", "json")
    finally:
        os.chdir(cwd)
    assert rel.code == 0, rel.err
    assert "localhost/corpus/other:1.0" in rel.out
    assert "corpus/app" not in rel.out


def test_selector_errors_list_what_is_there(
    two_image_archives: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    archive = two_image_archives["docker"]
    result = cli(capsys, "inspect", "-q", f"{archive}:localhost/corpus/app:9")
    assert result.code == 8
    _one_line(result.err, "localhost/corpus/app:2.0.0", "localhost/corpus/other:1.0")
    wrong = cli(
        capsys, "inspect", "-q", str(two_image_archives["oci"]), "--platform", "linux/s390x"
    )
    assert wrong.code == 8
    _one_line(wrong.err, "platforms: linux/amd64")


def test_report_formats_and_fail_on_take_commas(
    two_image_archives: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "o"
    archive = str(two_image_archives["oci"])
    args = ["report", "-q", archive, "-f", "md,json", "--output-dir", str(out)]
    assert main([*args, "--fail-on", "attested-mismatch"]) == 0
    assert {p.suffix for p in out.iterdir()} >= {".md", ".json"}
    assert main(["report", "-q", archive, "--fail-on", "attested-mismatch,nonsense"]) == 2


def test_gzip_header_then_garbage_is_exit_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import random

    bad = tmp_path / "garbage.tar.gz"
    rng = random.Random(12)
    bad.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + rng.randbytes(4096))
    result = cli(capsys, "report", "-q", str(bad), "-o", str(tmp_path / "r.json"))
    assert result.code == 3
    _one_line(result.err, str(bad), "corrupt")


def test_sbom_bytes_do_not_depend_on_how_the_path_was_typed(
    umoci_layout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(umoci_layout.parent)
    outputs: list[dict[str, bytes]] = []
    for typed in ("./lay", f"{umoci_layout}/"):
        out = tmp_path / f"out-{len(outputs)}"
        args = [
            "report",
            "-q",
            "--no-cache",
            typed,
            "-f",
            "cyclonedx-json,spdx-json",
            "--output-dir",
        ]
        assert main([*args, str(out)]) == 0
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0]
    assert outputs[0] == outputs[1]
    for data in outputs[1].values():
        assert str(tmp_path).encode() not in data  # no local directory in any SBOM


def test_history_facts_sort_naturally_on_a_umoci_image(umoci_layout: Path, tmp_path: Path) -> None:
    umoci = tool("umoci")
    for n in range(12):  # twelve history entries, each with a comment
        run([umoci, "config", "--image", f"{umoci_layout}:app", f"--history.comment=step {n}"])
    out = tmp_path / "r.json"
    assert main(["report", "-q", "--no-cache", f"{umoci_layout}:app", "-o", str(out)]) == 0
    (image,) = json.loads(out.read_text())["images"]
    details = [
        int(f["origin_detail"].split()[1])
        for f in image["provenance"]["facts"]
        if f["key"] == "history.comment"
    ]
    assert len(details) >= 12
    assert details == sorted(details)  # entry 2 before entry 10


def test_layer_of_unknown_origin_is_counted_as_such(umoci_layout: Path, tmp_path: Path) -> None:
    md = tmp_path / "r.md"
    assert (
        main(["report", "-q", "--no-cache", f"{umoci_layout}:app", "-f", "md", "-o", str(md)]) == 0
    )
    text = md.read_text()
    assert "Layers (1: 0 base, 0 added, 1 of unknown origin)" in text
    html = tmp_path / "r.html"
    assert (
        main(["report", "-q", "--no-cache", f"{umoci_layout}:app", "-f", "html", "-o", str(html)])
        == 0
    )
    assert "of unknown origin (1)" in html.read_text()
