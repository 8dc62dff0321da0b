"""Hostile JSON: huge documents, deep nesting, duplicate keys, wrong types in every field the
tool reads, non-UTF-8 bytes, self-referencing and exploding indexes, 10^5 manifests."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from reporter.errors import ReporterError
from reporter.options import Options
from reporter.pipeline import generate
from samples.build import Blobs, canonical
from tests.hostile._build import (
    OCI_INDEX,
    OCI_MANIFEST,
    Sample,
    TarFile,
    custom_layout,
    gzip_bytes,
    sample_layout,
    sha256,
    tar_bytes,
    write_blobs,
)
from tests.hostile._cli import all_findings, assert_clean_error, cli, inspect_json

MiB = 1 << 20


def _one(tmp_path: Path, **kwargs: Any) -> Sample:
    raw = tar_bytes([TarFile("etc", kind="dir"), TarFile("etc/os-release", b"ID=alpine\n")])
    return custom_layout(tmp_path / "img", [gzip_bytes(raw)], **kwargs)


def _rewrite_manifest(sample: Sample, data: bytes) -> None:
    sample.blob(sha256(data)).write_bytes(data)
    index = json.loads(sample.index_json.read_bytes())
    index["manifests"][0].update(digest=sha256(data), size=len(data))
    sample.index_json.write_bytes(canonical(index))


def _rewrite_config(sample: Sample, data: bytes) -> None:
    sample.blob(sha256(data)).write_bytes(data)
    manifest = sample.manifest
    manifest["config"].update(digest=sha256(data), size=len(data))
    _rewrite_manifest(sample, canonical(manifest))


# --------------------------------------------------------------------------- size and depth


def test_100mb_index_json(sample: Sample, capsys: pytest.CaptureFixture[str]) -> None:
    sample.index_json.write_bytes(b'{"manifests":[' + b" " * (100 * MiB) + b"]}")
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 3, "index.json", "limit")


def test_100mb_manifest_blob(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = _one(tmp_path)
    padded = canonical(sample.manifest)[:-1] + b',"pad":"' + b"x" * (100 * MiB) + b'"}'
    _rewrite_manifest(sample, padded)
    run = cli(capsys, "inspect", str(sample.root))
    assert_clean_error(run, 3, "limit")


def test_100mb_config_is_a_limit_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = _one(tmp_path)
    config = json.loads(sample.blob(sample.config_digest).read_bytes())
    config["pad"] = "x" * (100 * MiB)
    _rewrite_config(sample, canonical(config))
    code, doc = inspect_json(capsys, sample.root)
    # a limit, not tampering: the manifest still pins every blob; the finding says what is unread
    assert code == 0, all_findings(doc)
    assert any(f["kind"] == "limit" for f in all_findings(doc))


@pytest.mark.parametrize("depth", [65, 1000, 10_000])
def test_deep_nesting_in_index_json(
    sample: Sample, depth: int, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.index_json.write_bytes(b'{"manifests":' + b"[" * depth + b"]" * depth + b"}")
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 3, "index.json")


@pytest.mark.parametrize("depth", [65, 10_000])
def test_deep_nesting_in_config(
    tmp_path: Path, depth: int, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = _one(tmp_path)
    _rewrite_config(sample, b'{"os":"linux","x":' + b"[" * depth + b"]" * depth + b"}")
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4  # unreadable config: its layers cannot be checked against diff_ids
    assert any(f["kind"] == "bad-json" and f["integrity"] for f in all_findings(doc))


@pytest.mark.parametrize("depth", [65, 10_000])
def test_deep_nesting_in_manifest(
    tmp_path: Path, depth: int, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = _one(tmp_path)
    _rewrite_manifest(sample, b'{"layers":' + b"[" * depth + b"]" * depth + b"}")
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 4, "JSON", "deep")


# --------------------------------------------------------------------------- duplicate keys


def test_duplicate_key_in_config_uses_the_last_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = _one(tmp_path)
    text = sample.blob(sample.config_digest).read_bytes()
    doubled = text[:-1] + b',"architecture":"s390x"}'
    _rewrite_config(sample, doubled)
    code, doc = inspect_json(capsys, sample.root)
    assert code == 0
    assert doc["images"][0]["platform"] == "linux/s390x"  # as Go's encoding/json reads it
    dup = [f for f in all_findings(doc) if f["kind"] == "duplicate-key"]
    assert dup
    assert "architecture" in dup[0]["message"]


def test_duplicate_manifests_key_in_index_json(
    sample: Sample, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.index_json.write_bytes(sample.index_json.read_bytes()[:-1] + b',"manifests":[]}')
    run = cli(capsys, "inspect", str(sample.root))
    assert_clean_error(run, 8, "no images found", "'manifests' more than once")


def test_duplicate_key_in_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = _one(tmp_path)
    doc = canonical(sample.manifest)
    _rewrite_manifest(sample, doc[:-1] + b',"annotations":{"x":"second"}}')
    code, out = inspect_json(capsys, sample.root)
    assert code == 0
    assert out["images"][0]["annotations"] == {"x": "second"}
    assert any(f["kind"] == "duplicate-key" for f in all_findings(out))


# --------------------------------------------------------------------------- wrong types

BAD_VALUES: list[Any] = [None, 1, -1, 1.5, True, "s", "", [], [1, None, {}], {}, {"a": 1}, 10**30]
CONFIG_FIELDS = ["architecture", "os", "variant", "created", "author", "config", "rootfs"]
CONFIG_FIELDS += ["history", "os.version", "os.features"]
RUNTIME_FIELDS = ["User", "Env", "Entrypoint", "Cmd", "WorkingDir", "ExposedPorts", "Volumes"]
RUNTIME_FIELDS += ["StopSignal", "Labels"]


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_wrong_types_in_every_config_field(
    tmp_path: Path, value: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    for position, fields in enumerate((CONFIG_FIELDS, RUNTIME_FIELDS, ["rootfs.diff_ids"])):
        sample = _one(tmp_path / str(position))
        config = json.loads(sample.blob(sample.config_digest).read_bytes())
        for field in fields:
            if field in RUNTIME_FIELDS:
                config["config"][field] = value
            elif field == "rootfs.diff_ids":
                config["rootfs"]["diff_ids"] = value
                config["history"] = [value, {"created_by": value, "empty_layer": value}]
            else:
                config[field] = value
        _rewrite_config(sample, canonical(config))
        out = tmp_path / f"report-{position}.json"
        run = cli(capsys, "report", str(sample.root), "-f", "json", "-o", str(out))
        assert run.code in (0, 4), run.err
        assert json.loads(out.read_bytes())["images"]


MANIFEST_FIELDS = ["config", "layers", "annotations", "subject", "mediaType", "schemaVersion"]


@pytest.mark.parametrize("field", MANIFEST_FIELDS)
@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_wrong_types_in_every_manifest_field(
    tmp_path: Path, field: str, value: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = _one(tmp_path)
    manifest = sample.manifest
    manifest[field] = value
    _rewrite_manifest(sample, canonical(manifest))
    run = cli(capsys, "inspect", str(sample.root), "--format", "json")
    assert "Traceback" not in run.err
    if field in ("config", "layers"):
        # the image is incomplete: never sound
        assert run.code in (3, 4), run.err
    else:
        assert run.code == 0, run.err


DESCRIPTOR_FIELDS = ["digest", "size", "mediaType", "annotations", "platform", "urls"]


@pytest.mark.parametrize("field", DESCRIPTOR_FIELDS)
@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_wrong_types_in_every_descriptor_field(
    tmp_path: Path, field: str, value: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = _one(tmp_path)
    manifest = sample.manifest
    manifest["layers"][0][field] = value
    _rewrite_manifest(sample, canonical(manifest))
    index = json.loads(sample.index_json.read_bytes())
    index["manifests"][0]["platform" if field == "platform" else "annotations"] = value
    sample.index_json.write_bytes(canonical(index))
    run = cli(capsys, "inspect", str(sample.root), "--format", "json")
    assert "Traceback" not in run.err
    if field in ("digest", "size"):
        assert run.code == 4, run.err  # the layer cannot be found or verified
    elif field == "mediaType" and isinstance(value, str) and value:
        assert_clean_error(run, 8, "not filesystem layers; listed as an artifact")
    else:
        assert run.code in (0, 4), run.err


@pytest.mark.parametrize(
    "doc",
    [b"[]", b'"x"', b"1", b"null", b'{"manifests":1}', b'{"manifests":{"a":1}}'],
)
def test_wrong_types_in_index_json(
    sample: Sample, doc: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.index_json.write_bytes(doc)
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 3, str(sample.root))


@pytest.mark.parametrize(
    "entries",
    [
        [1, "a", None, {}],
        [{"digest": 1, "size": "2"}],
        [{"digest": "sha256:aa", "size": -1}],
        [{"digest": "sha256:aa", "size": True}],
    ],
    ids=repr,
)
def test_index_without_a_usable_descriptor(
    sample: Sample, entries: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    sample.index_json.write_bytes(canonical({"schemaVersion": 2, "manifests": entries}))
    run = cli(capsys, "inspect", str(sample.root))
    assert_clean_error(run, 4, "no images found", "descriptor")


def test_size_beyond_int64(sample: Sample, capsys: pytest.CaptureFixture[str]) -> None:
    index = json.loads(sample.index_json.read_bytes())
    index["manifests"][0]["size"] = 10**30
    sample.index_json.write_bytes(canonical(index))
    run = cli(capsys, "inspect", str(sample.root))
    assert_clean_error(run, run.code, "index.json")
    assert run.code in (3, 4)


def test_docker_manifest_json_wrong_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for position, doc in enumerate(
        [
            b"{}",
            b"[1]",
            b'[{"Config":1}]',
            b'[{"Config":"c.json","Layers":"abc"}]',
            b'[{"Config":"c.json","Layers":[1]}]',
            b'[{"Config":"c.json","RepoTags":{"a":1}}]',
            b"[]",
        ]
    ):
        target = tmp_path / f"save-{position}.tar"
        target.write_bytes(
            tar_bytes([TarFile("c.json", b'{"os":"linux"}'), TarFile("manifest.json", doc)])
        )
        run = cli(capsys, "inspect", str(target))
        assert run.code in (0, 3, 4), run.err
        if run.code == 3:
            assert_clean_error(run, 3, str(target))


# --------------------------------------------------------------------------- bytes


@pytest.mark.parametrize("blob", [b"\xff\xfe{}", b'{"a":"\xff"}', b'{"a":"\xed\xa0\x80"}'])
def test_non_utf8_index_json(
    sample: Sample, blob: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.index_json.write_bytes(blob)
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 3, "index.json", "invalid JSON")


def test_non_utf8_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = _one(tmp_path)
    _rewrite_config(sample, b'{"os":"linux","author":"\xff\xfe"}')
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    assert any(f["kind"] == "bad-json" and f["integrity"] for f in all_findings(doc))


def test_non_utf8_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = _one(tmp_path)
    _rewrite_manifest(sample, canonical(sample.manifest)[:-1] + b',"x":"\xc3\x28"}')
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 4, "invalid JSON")


# --------------------------------------------------------------------------- index graphs


def test_index_listing_itself_via_an_unverifiable_digest(
    sample: Sample, capsys: pytest.CaptureFixture[str]
) -> None:
    """sha384 cannot be checked, so an index can name itself; it is walked once, flagged,
    and nothing it says is trusted as sound."""
    name = "f" * 96
    body = canonical(
        {"manifests": [{"mediaType": OCI_INDEX, "digest": f"sha384:{name}", "size": 0}]}
    )
    (sample.root / "blobs" / "sha384").mkdir()
    (sample.root / "blobs" / "sha384" / name).write_bytes(body)
    index = json.loads(sample.index_json.read_bytes())
    index["manifests"].append({"mediaType": OCI_INDEX, "digest": f"sha384:{name}", "size": 0})
    sample.index_json.write_bytes(canonical(index))
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    kinds = {f["kind"] for f in all_findings(doc)}
    assert "unsupported-digest" in kinds
    assert len(doc["images"]) == 2


def test_layer_with_an_unverifiable_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A layer named sha384:… made scan_layer raise ValueError: an internal error (exit 1)."""
    sample = _one(tmp_path)
    manifest = sample.manifest
    data = sample.blob(manifest["layers"][0]["digest"]).read_bytes()
    hex384 = hashlib.sha384(data).hexdigest()
    (sample.root / "blobs" / "sha384").mkdir()
    (sample.root / "blobs" / "sha384" / hex384).write_bytes(data)
    manifest["layers"][0]["digest"] = f"sha384:{hex384}"
    _rewrite_manifest(sample, canonical(manifest))
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    assert any(f["kind"] == "unsupported-digest" for f in all_findings(doc))


def _nested(sample: Sample, levels: int, width: int) -> None:
    """``levels`` indexes, each listing the next ``width`` times (2^levels paths to the image)."""
    blobs = Blobs()
    descriptor: dict[str, Any] = dict(sample.images[0].manifest)
    for _ in range(levels):
        doc = canonical(
            {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [descriptor] * width}
        )
        descriptor = {"mediaType": OCI_INDEX, **blobs.add(doc)}
    for digest, data in blobs.by_digest.items():
        sample.blob(digest).write_bytes(data)
    sample.index_json.write_bytes(canonical({"schemaVersion": 2, "manifests": [descriptor]}))


def test_index_diamond_is_walked_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """30 levels of an index listing the next one twice: 2^30 paths. It took seconds per
    ten levels before walks were remembered (reporter/resolve.py _walk)."""
    sample = sample_layout(tmp_path / "dag", arches=("amd64",))
    _nested(sample, 30, 2)
    started = time.monotonic()
    code, doc = inspect_json(capsys, sample.root)
    assert time.monotonic() - started < 20
    assert code == 0
    assert len(doc["images"]) == 1


def test_indexes_nested_too_deep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = sample_layout(tmp_path / "deep", arches=("amd64",))
    _nested(sample, 40, 1)
    assert_clean_error(cli(capsys, "inspect", str(sample.root)), 3, "nested too deep")


def test_100k_entries_naming_one_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = sample_layout(tmp_path / "many", arches=("amd64",))
    entry = sample.images[0].manifest
    sample.index_json.write_bytes(canonical({"schemaVersion": 2, "manifests": [entry] * 100_001}))
    started = time.monotonic()
    code, doc = inspect_json(capsys, sample.root, "--no-verify-layers")
    assert time.monotonic() - started < 30
    assert code == 0
    assert len(doc["images"]) == 1
    assert any(f["kind"] == "limit" for f in all_findings(doc))


@pytest.mark.slow
def test_100k_distinct_missing_manifests(tmp_path: Path) -> None:
    sample = sample_layout(tmp_path / "many", arches=("amd64",))
    entries = [
        {"mediaType": OCI_MANIFEST, "digest": f"sha256:{i:064x}", "size": 2} for i in range(100_000)
    ]
    sample.index_json.write_bytes(canonical({"schemaVersion": 2, "manifests": entries}))
    with pytest.raises(ReporterError) as caught:
        generate(str(sample.root), Options(catalog=False, verify_layers=False))
    assert caught.value.exit_code == 4
    assert "and 99999 more" in str(caught.value)


def test_written_by_write_blobs(tmp_path: Path) -> None:
    """The helper itself: an empty index is "no images found", exit 8."""
    write_blobs(tmp_path / "empty", Blobs(), [])
    with pytest.raises(ReporterError) as caught:
        generate(str(tmp_path / "empty"), Options())
    assert caught.value.exit_code == 8
