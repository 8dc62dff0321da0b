"""Path attacks: ``../`` and absolute names, links out of the input, blobs that are not files.

Nothing outside the input is ever read: a name that leaves it is a ``path-escape`` finding (or,
in ``manifest.json``, a one-line exit 3), a blob that is a directory, FIFO or device is
``not-a-file``; both are integrity findings, so the run ends in exit 4.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest

from samples.build import canonical
from tests.hostile._build import (
    Sample,
    TarFile,
    custom_layout,
    docker_save_bytes,
    gzip_bytes,
    raw_tar,
    sample_layout,
    tar_bytes,
)
from tests.hostile._cli import all_findings, assert_clean_error, cli, inspect_json, subprocess_cli

SECRET = b"root:x:0:0:SECRET-OUTSIDE-THE-IMAGE\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "passwd.json"
    path.parent.mkdir()
    path.write_bytes(b'{"os":"linux","architecture":"amd64","SECRET":"' + SECRET.strip() + b'"}')
    return path


def _docker_members(sample: Sample) -> list[TarFile]:
    out = []
    with tarfile.open(fileobj=io.BytesIO(docker_save_bytes(sample.images[0]))) as tar:
        for m in tar.getmembers():
            handle = tar.extractfile(m)
            out.append(TarFile(m.name, handle.read()) if handle else TarFile(m.name, kind="dir"))
    return out


def _with_manifest_json(sample: Sample, change: Any) -> bytes:
    members = _docker_members(sample)
    for position, member in enumerate(members):
        if member.path == "manifest.json":
            doc = json.loads(member.data)
            change(doc)
            members[position] = TarFile("manifest.json", canonical(doc))
    return tar_bytes(members)


@pytest.mark.parametrize(
    ("label", "change", "named"),
    [
        ("config-dotdot", lambda d: d[0].update(Config="../../outside/passwd.json"), "../"),
        ("config-absolute", lambda d: d[0].update(Config="/etc/passwd"), "/etc/passwd"),
        ("layer-dotdot", lambda d: d[0]["Layers"].__setitem__(0, "a/../../x"), "a/../../x"),
        ("layer-absolute", lambda d: d[0]["Layers"].__setitem__(1, "/dev/zero"), "/dev/zero"),
    ],
)
def test_manifest_json_names_outside(
    sample: Sample,
    tmp_path: Path,
    label: str,
    change: Any,
    named: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / f"{label}.tar"
    target.write_bytes(_with_manifest_json(sample, change))
    run = cli(capsys, "inspect", str(target))
    assert_clean_error(run, 3, str(target), "manifest.json", named)


def test_manifest_json_escape_subprocess(sample: Sample, tmp_path: Path) -> None:
    target = tmp_path / "esc.tar.gz"
    target.write_bytes(
        gzip_bytes(_with_manifest_json(sample, lambda d: d[0].update(Config="../x.json")))
    )
    assert_clean_error(subprocess_cli("inspect", str(target)), 3, str(target), "manifest.json")


def test_blob_digest_with_dotdot(sample: Sample, capsys: pytest.CaptureFixture[str]) -> None:
    index = json.loads(sample.index_json.read_bytes())
    index["manifests"][0]["digest"] = "sha256:../../../outside/passwd.json"
    sample.index_json.write_bytes(canonical(index))
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 4, "malformed digest")


@pytest.mark.parametrize("kind", ["config", "layer", "manifest"])
def test_blob_symlink_out_of_layout(
    sample: Sample, secret: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sample.path_of(kind)
    path.unlink()
    path.symlink_to(secret)
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    assert any(f["kind"] == "path-escape" and f["integrity"] for f in all_findings(doc))
    assert "SECRET" not in json.dumps(doc)


def test_blob_symlink_to_dev_null(sample: Sample, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample.path_of("layer")
    path.unlink()
    path.symlink_to("/dev/null")
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    assert any(f["kind"] == "path-escape" for f in all_findings(doc))


def test_blob_is_a_directory(sample: Sample, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample.path_of("manifest")
    path.unlink()
    path.mkdir()
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    assert any(f["kind"] == "not-a-file" for f in all_findings(doc))


@pytest.mark.parametrize("kind", ["layer", "config"])
def test_blob_is_a_fifo_and_nothing_hangs(sample: Sample, kind: str) -> None:
    path = sample.path_of(kind)
    path.unlink()
    os.mkfifo(path)
    run = subprocess_cli("inspect", str(sample.root), "--format", "json", timeout=60)
    assert run.code == 4, run.err
    assert any(f["kind"] == "not-a-file" for f in all_findings(json.loads(run.out)))


def test_index_json_is_a_fifo(sample: Sample, capsys: pytest.CaptureFixture[str]) -> None:
    sample.index_json.unlink()
    os.mkfifo(sample.index_json)
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 3, "not a regular file")


def test_index_json_symlink_out_of_layout(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "index-outside.json"
    outside.write_bytes(sample.index_json.read_bytes())
    sample.index_json.unlink()
    sample.index_json.symlink_to(outside)
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 3, "outside the layout")


def test_blobs_directory_symlink_out_of_layout(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.move(sample.root / "blobs", tmp_path / "blobs-outside")
    (sample.root / "blobs").symlink_to(tmp_path / "blobs-outside")
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 4, "outside the layout")


def _layout_members(sample: Sample, replace: dict[str, tarfile.TarInfo]) -> bytes:
    members: list[tuple[tarfile.TarInfo, bytes]] = []
    for path in sorted(sample.root.rglob("*")):
        rel = path.relative_to(sample.root).as_posix()
        if rel in replace:
            members.append((replace[rel], b""))
            continue
        info = tarfile.TarInfo(rel)
        if path.is_dir():
            info.type = tarfile.DIRTYPE
            members.append((info, b""))
        else:
            data = path.read_bytes()
            info.size = len(data)
            members.append((info, data))
    return raw_tar(members)


def _link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
@pytest.mark.parametrize("target", ["../../../etc/passwd", "/etc/passwd"])
def test_tar_link_out_of_archive(
    sample: Sample, tmp_path: Path, kind: bytes, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"blobs/sha256/{sample.config_digest.split(':')[1]}"
    data = _layout_members(sample, {name: _link(name, target, kind)})
    archive = tmp_path / "links.tar"
    archive.write_bytes(data)
    code, doc = inspect_json(capsys, archive)
    assert code == 4
    assert any(f["kind"] == "path-escape" for f in all_findings(doc))
    assert "root:" not in json.dumps(doc)


def test_tar_link_loop(sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _layout_members(sample, {"index.json": _link("index.json", "loop", tarfile.SYMTYPE)})
    loop = raw_tar([(_link("loop", "index.json", tarfile.SYMTYPE), b"")])
    archive = tmp_path / "loop.tar"
    archive.write_bytes(data.rstrip(b"\0") + b"\0" * (-len(data.rstrip(b"\0")) % 512) + loop)
    assert_clean_error(cli(capsys, "inspect", str(archive)), 3, "never ends at a file")


@pytest.mark.parametrize("name", ["/index.json", "../index.json", "a/../../index.json"])
def test_tar_member_names_outside(
    sample: Sample, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    members = [
        TarFile(name if m.path == "index.json" else m.path, m.data, kind=m.kind)
        for m in _flat_members(sample)
    ]
    archive = tmp_path / "names.tar"
    archive.write_bytes(tar_bytes(members))
    assert_clean_error(cli(capsys, "inspect", str(archive)), 3, "leaves the archive")


def _flat_members(sample: Sample) -> list[TarFile]:
    return [
        TarFile(p.relative_to(sample.root).as_posix(), p.read_bytes())
        for p in sorted(sample.root.rglob("*"))
        if p.is_file()
    ]


def test_layer_entries_outside_root_are_clamped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Layer entries named ../../x or /x are read as x (nothing is ever extracted)."""
    raw = raw_tar(
        [
            (_file("../../etc/escaped", 4), b"evil"),
            (_file("/abs/file", 4), b"evil"),
            (_link("etc/link", "../../../../../etc/shadow", tarfile.SYMTYPE), b""),
            (_link("etc/hard", "../../etc/passwd", tarfile.LNKTYPE), b""),
        ]
    )
    sample = custom_layout(tmp_path / "img", [gzip_bytes(raw)])
    out = tmp_path / "report.json"
    run = cli(capsys, "report", str(sample.root), "-f", "json", "-o", str(out))
    assert run.code == 0, run.err
    report = json.loads(out.read_bytes())
    kinds = [f["kind"] for f in report["images"][0]["description"]["findings"]]
    assert "path-escape" in kinds
    assert not (tmp_path / "etc").exists()


def _file(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    return info


def test_layout_with_every_path_attack_at_once_subprocess(tmp_path: Path, secret: Path) -> None:
    sample = sample_layout(tmp_path / "all.oci")
    sample.path_of("config").unlink()
    sample.path_of("config").symlink_to(secret)
    sample.path_of("layer").unlink()
    os.mkfifo(sample.path_of("layer"))
    run = subprocess_cli("report", str(sample.root), "-f", "json", "-o", "-")
    assert run.code == 4, run.err
    assert "SECRET" not in run.out
    assert "Traceback" not in run.err


def test_blob_hard_linked_to_a_file_outside(
    sample: Sample, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hard link cannot be told from a regular file; its content is checked against the
    digest like any blob, so it is only ever used if it is exactly the blob named."""
    path = sample.path_of("config")
    path.unlink()
    os.link(secret, path)
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    assert any(f["kind"] == "digest-mismatch" for f in all_findings(doc))
    assert "SECRET" not in json.dumps(doc)
