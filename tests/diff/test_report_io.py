"""load_report_json: a lossless round trip, and one-line InputErrors for bad documents."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from reporter.errors import InputError
from reporter.model import (
    AttestationRef,
    BaseImage,
    Descriptor,
    Evidence,
    Fact,
    Finding,
    FindingKind,
    HistoryEntry,
    Platform,
    Provenance,
    Report,
    Source,
    to_jsonable,
)
from reporter.report_io import REPORT_SCHEMA, load_report_json, looks_like_report_json
from tests.factory import image, layer, pkg, report


def _rich_report() -> Report:
    """Every kind of field the loader must rebuild: nested dataclasses, Optional dataclasses,
    Platform inside descriptors, mappings, tuples of pairs and triples, Any, bool | None."""
    img = image(
        packages=(
            pkg("deb", "libssl3", "3.0.13-1~deb12u1", base=True, licenses=("Apache-2.0",)),
            pkg(
                "python",
                "urllib3",
                "2.2.1",
                base=False,
                path="/usr/lib/x/urllib3-2.2.1.dist-info/METADATA",
            ),
        ),
        layers=(layer(0, "a", base=True), layer(1, "b", base=False)),
        base=BaseImage(
            name="debian:12.8",
            digest="sha256:" + "e" * 64,
            confidence="high",
            layer_count=1,
            evidence=(Evidence("annotation", "org.opencontainers.image.base.name", "manifest"),),
        ),
        labels={"org.opencontainers.image.version": "2.0.0"},
        annotations={"org.opencontainers.image.revision": "abc123"},
        provenance=Provenance(
            facts=(Fact("frontend", "dockerfile.v0", "config-buildinfo"),),
            sources=(
                Source("docker-image", "docker.io/library/debian:12.8", pin="sha256:" + "e" * 64),
            ),
            builder_id="https://github.com/actions/runner",
            build_args={"PIP_NO_CACHE_DIR": "1"},
            reproducible=False,
            attested_packages=(("urllib3", "2.2.1", "pkg:pypi/urllib3@2.2.1"),),
            findings=(
                Finding(FindingKind.PROVENANCE_CONFLICT, "two builders", where="attestation"),
            ),
        ),
    )
    desc = img.description
    att = AttestationRef(
        manifest=Descriptor(
            "application/vnd.oci.image.manifest.v1+json",
            "sha256:" + "a" * 64,
            512,
            annotations={"vnd.docker.reference.type": "attestation-manifest"},
            platform=Platform("unknown", "unknown"),
        ),
        kind="attestation-manifest",
        layers=(Descriptor("application/vnd.in-toto+json", "sha256:" + "f" * 64, 77),),
    )
    target = desc.target.__class__(
        manifest=desc.target.manifest,
        refs=desc.target.refs,
        platform=Platform("linux", "arm", "v7"),
        parents=("sha256:" + "9" * 64,),
        index_annotations=(("index.json", {"org.opencontainers.image.ref.name": "2.0.0"}),),
        attestations=(att,),
        docker_layer_paths=("abc/layer.tar",),
    )
    config = desc.config.__class__(
        **{
            **{f: getattr(desc.config, f) for f in desc.config.__dataclass_fields__},
            "history": (HistoryEntry(created="2024-06-01T00:00:00Z", empty_layer=True),),
            "extra": {"moby.buildkit.buildinfo.v1": "e30=", "nested": {"a": [1, 2, {"b": None}]}},
        }
    )
    layers = tuple(
        x.__class__(
            **{
                **{f: getattr(x, f) for f in x.__dataclass_fields__},
                "uncompressed_size": 4096,
                "diff_id_verified": True,
            }
        )
        for x in desc.layers
    )
    img = img.__class__(
        description=desc.__class__(
            target=target,
            manifest_media_type=desc.manifest_media_type,
            manifest_annotations=desc.manifest_annotations,
            config=config,
            layers=layers,
            subject=Descriptor(
                "application/vnd.oci.image.manifest.v1+json", "sha256:" + "2" * 64, 10
            ),
        ),
        provenance=img.provenance,
        base=img.base,
        packages=img.packages,
        distro=img.distro,
        findings=(Finding(FindingKind.LIMIT, "too many files", severity="warning"),),
    )
    return report(img)


def _document(r: Report, **extra: Any) -> bytes:
    body = to_jsonable(r)
    del body["schema"]
    return orjson.dumps({"schema": REPORT_SCHEMA, **body, **extra})


def test_round_trip_equals_original() -> None:
    original = _rich_report()
    loaded = load_report_json("old.json", _document(original, summary={"images": []}))
    assert loaded == original
    # tuples come back as tuples (frozen, hashable), not lists
    assert isinstance(loaded.images[0].packages, tuple)
    assert isinstance(loaded.images[0].description.target.index_annotations[0], tuple)


def test_round_trip_through_the_json_renderer() -> None:
    json_renderer = pytest.importorskip("reporter.render.json")
    original = _rich_report()
    data = orjson.dumps(json_renderer.report_document(original))
    assert load_report_json("saved.json", data) == original


def test_unknown_keys_are_ignored_and_defaults_fill_gaps() -> None:
    doc = orjson.loads(_document(report()))
    doc["future_field"] = {"x": 1}
    del doc["findings"]  # has a default
    loaded = load_report_json("r.json", orjson.dumps(doc))
    assert loaded == report()


def _error(data: bytes) -> str:
    with pytest.raises(InputError) as info:
        load_report_json("old.json", data)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("old.json: ")
    assert info.value.exit_code == 3
    return message


def test_not_json() -> None:
    assert "not a JSON document" in _error(b"\x1f\x8b\x08 gzip")


def test_not_an_object() -> None:
    assert "not a JSON object" in _error(b"[1, 2]")


@pytest.mark.parametrize("schema", [None, "oci-reporter/report/v2", "cyclonedx"])
def test_wrong_schema(schema: str | None) -> None:
    doc = orjson.loads(_document(report()))
    doc["schema"] = schema
    assert "unsupported report schema" in _error(orjson.dumps(doc))


def test_wrong_type_deep_inside_names_the_path() -> None:
    doc = orjson.loads(_document(_rich_report()))
    doc["images"][0]["packages"][1]["version"] = 2
    message = _error(orjson.dumps(doc))
    assert "$.images[0].packages[1].version" in message
    assert "expected a string, found integer" in message


def test_bool_is_not_an_int() -> None:
    doc = orjson.loads(_document(_rich_report()))
    doc["images"][0]["description"]["layers"][0]["size"] = True
    assert "layers[0].size: expected an integer, found boolean" in _error(orjson.dumps(doc))


def test_missing_required_key() -> None:
    doc = orjson.loads(_document(_rich_report()))
    del doc["images"][0]["packages"][0]["name"]
    assert "missing required key 'name'" in _error(orjson.dumps(doc))


def test_fixed_length_tuple() -> None:
    doc = orjson.loads(_document(_rich_report()))
    doc["images"][0]["provenance"]["attested_packages"][0] = ["urllib3", "2.2.1"]
    assert "expected an array of 3 items, found 2" in _error(orjson.dumps(doc))


def test_null_where_an_object_is_required() -> None:
    doc = orjson.loads(_document(_rich_report()))
    doc["images"][0]["description"]["config"] = None
    assert "description.config: expected an object, found null" in _error(orjson.dumps(doc))


def test_looks_like_report_json() -> None:
    assert looks_like_report_json(b'\n  {"schema": ')
    assert looks_like_report_json(b'\xef\xbb\xbf{"a":1}')
    assert not looks_like_report_json(b"\x1f\x8b\x08\x00")
    assert not looks_like_report_json(b"oci-layout\x00\x00")
