"""Issue 12 item 1: BuildKit attestations whose in-toto ``subject`` is ``[]``.

``buildx build --output type=oci`` without an image name writes the statements with an empty
subject; the attestation manifest is tied to the image only by the index's
``vnd.docker.reference.digest`` annotation. Built here from real BuildKit output: the buildx OCI
export ``hello-oci-gzip.tar`` (docker/actions-toolkit) and the BuildKit-generated SLSA v1
statement ``sigstore/single/provenance.json`` (same origin), stored as BuildKit stores
attestations (attestation-storage.md); and the same shape from ``samples/build.py``.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path
from typing import Any

from reporter.cli import main
from samples.build import write_layout

FIXTURES = "docker-actions-toolkit/__tests__/.fixtures"


def _blob(layout: Path, data: bytes) -> dict[str, Any]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest[7:]).write_bytes(data)
    return {"digest": digest, "size": len(data)}


def _buildx_export_with_attestation(
    public: Path, out: Path, subject: list[dict[str, Any]] | None
) -> str:
    """The real export, plus the real statement (``subject`` replaced) linked BuildKit's way."""
    with tarfile.open(public / FIXTURES / "oci-archive/hello-oci-gzip.tar") as tar:
        tar.extractall(out, filter="data")
    index = json.loads((out / "index.json").read_text())
    image = index["manifests"][0]
    statement = json.loads((public / FIXTURES / "sigstore/single/provenance.json").read_bytes())
    statement["subject"] = subject if subject is not None else []
    layer = {
        "mediaType": "application/vnd.in-toto+json",
        **_blob(out, json.dumps(statement).encode()),
        "annotations": {"in-toto.io/predicate-type": statement["predicateType"]},
    }
    config = {"mediaType": "application/vnd.oci.image.config.v1+json", **_blob(out, b"{}")}
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config,
        "layers": [layer],
    }
    index["manifests"].append(
        {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            **_blob(out, json.dumps(manifest).encode()),
            "annotations": {
                "vnd.docker.reference.digest": image["digest"],
                "vnd.docker.reference.type": "attestation-manifest",
            },
            "platform": {"architecture": "unknown", "os": "unknown"},
        }
    )
    (out / "index.json").write_text(json.dumps(index))
    return str(image["digest"])


def _report(path: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "r.json"
    assert main(["report", "-q", "--no-cache", str(path), "-o", str(out)]) == 0
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def _facts(image: dict[str, Any]) -> dict[str, str]:
    return {f["key"]: f["value"] for f in image["provenance"]["facts"]}


def _kinds(image: dict[str, Any]) -> list[str]:
    return [f["kind"] for f in image["findings"]]


def test_real_buildx_export_empty_subject_claims_are_used(
    public_fixtures: Path, tmp_path: Path
) -> None:
    layout = tmp_path / "export"
    _buildx_export_with_attestation(public_fixtures, layout, subject=[])
    (image,) = _report(layout, tmp_path)["images"]
    facts = _facts(image)
    assert "attestation-subject-mismatch" not in _kinds(image)
    assert "index's vnd.docker.reference.digest" in facts["attestation.linked-by"]
    values = " ".join(facts.values())
    # what the real statement holds: repository, revision, entry point
    assert "github.com/docker/github-builder-test" in values
    assert "bdb96fcfe8cc9e3a54800bc2537a4d4a14f0c5fe" in values
    assert "hello.Dockerfile" in values
    md = tmp_path / "r.md"
    assert main(["report", "-q", "--no-cache", str(layout), "-f", "md", "-o", str(md)]) == 0
    assert "No provenance recorded" not in md.read_text()


def test_real_statement_naming_another_digest_is_still_a_mismatch(
    public_fixtures: Path, tmp_path: Path
) -> None:
    layout = tmp_path / "export"
    other = [{"name": "pkg:docker/x", "digest": {"sha256": "c" * 64}}]
    _buildx_export_with_attestation(public_fixtures, layout, subject=other)
    (image,) = _report(layout, tmp_path)["images"]
    assert "attestation-subject-mismatch" in _kinds(image)
    assert "attestation.linked-by" not in _facts(image)
    assert "bdb96fcfe8cc9e3a54800bc2537a4d4a14f0c5fe" not in " ".join(_facts(image).values())


def test_sample_builder_empty_subject_gives_the_named_subject_facts(tmp_path: Path) -> None:
    def attested(empty: bool) -> dict[str, str]:
        layout = tmp_path / f"sample-{empty}"
        write_layout(layout, empty_subject=empty)
        amd64 = next(
            i for i in _report(layout, tmp_path)["images"]
            if i["description"]["target"]["platform"]["architecture"] == "amd64"
        )  # fmt: skip
        assert "attestation-subject-mismatch" not in _kinds(amd64)
        return {
            f["key"]: f["value"]
            for f in amd64["provenance"]["facts"]
            if f["origin"] == "attestation"
        }

    empty, named = attested(True), attested(False)
    assert "attestation.linked-by" in empty
    assert "attestation.linked-by" not in named
    del empty["attestation.linked-by"]
    assert empty == named
    assert named["config-source.digest"] == "sha1:0123456789abcdef0123456789abcdef01234567"


def test_real_buildx_export_without_attestation_says_what_is_missing(
    public_fixtures: Path, tmp_path: Path
) -> None:
    """The plain buildx OCI export holds no provenance, only a history comment and a created
    annotation: the page says which kinds of provenance are absent and that the rest is listed."""
    export = public_fixtures / FIXTURES / "oci-archive/hello-oci-gzip.tar"
    page = tmp_path / "r.html"
    assert main(["report", "-q", "--no-cache", str(export), "-f", "html", "-o", str(page)]) == 0
    text = page.read_text()
    assert "No build provenance recorded in the image (no attestation" in text
    assert "what it does record is listed below" in text
    assert "buildkit.dockerfile.v0" in text  # the history comment, one of the facts listed
