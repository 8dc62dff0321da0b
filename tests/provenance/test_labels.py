"""Inherited labels on the real fixtures (their README is the ground truth: docker-buildkit-app's
Dockerfile sets only ``title`` and ``version``; debian-app's sets title, description, version,
source, licenses and base.name, its base debian-minbase the rest)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reporter.image import instruction
from reporter.model import HistoryEntry
from reporter.options import Options
from reporter.pipeline import generate
from reporter.provenance.labels import build_start, inherited_labels, label_keys
from reporter.provenance.merge import build_provenance
from tests.provenance._images import docker_save_image, layout_images

OCI = "org.opencontainers.image."


def test_label_keys_from_what_buildkit_and_buildah_write(real: Path) -> None:
    app = docker_save_image(real / "docker-buildkit-app.docker-save.tar.gz")
    by_entry = [label_keys(h.created_by) for h in app.config.history]
    # BuildKit: ``LABEL k=v k2=v2`` unquoted
    assert by_entry[13] == {OCI + "title", OCI + "version"}
    # buildah (classic form): ``/bin/sh -c #(nop) LABEL k="v"   k2="v2"``
    assert by_entry[3] == {
        OCI + k for k in ("title", "description", "version", "source", "licenses", "base.name")
    }
    assert by_entry[1] == {
        OCI + k for k in ("title", "description", "version", "vendor", "licenses", "url")
    }
    assert not any(by_entry[i] for i in (0, 2, 4, 5, 14, 15, 16, 17, 18))


def test_instruction_words(real: Path) -> None:
    app = docker_save_image(real / "docker-buildkit-app.docker-save.tar.gz")
    words = [instruction(h.created_by)[0] for h in app.config.history]
    assert words == [
        "ADD", "LABEL", "CMD", "LABEL", "ENV", "RUN", "COPY", "COPY", "RUN",
        "WORKDIR", "EXPOSE", "ENTRYPOINT", "CMD",
        "LABEL", "ENV", "RUN", "COPY", "RUN", "USER",
    ]  # fmt: skip


def test_docker_built_image_inherits_all_but_title_and_version(real: Path) -> None:
    app = docker_save_image(real / "docker-buildkit-app.docker-save.tar.gz")
    assert build_start(app) == 13
    inherited = inherited_labels(app, ())
    oci = {k for k in app.config.labels if k.startswith(OCI)}
    assert set(inherited) == oci - {OCI + "title", OCI + "version"}
    assert inherited[OCI + "url"].startswith("set by history entry 1;")
    provenance = build_provenance(app, (), ())
    assert provenance.vcs_source == ""
    assert provenance.inherited_vcs_source == "https://example.invalid/corpus/debian-app"
    assert provenance.inherited_labels == tuple(sorted(inherited))
    # an inherited value is no conflict: none is reported for the labels
    assert not [f for f in provenance.findings if f.where.startswith(OCI)]


def test_buildah_image_inherits_url_and_vendor_from_its_base(real: Path) -> None:
    debian = layout_images(real / "debian-app.oci-gzip")[0][0]
    assert build_start(debian) == 3
    assert set(inherited_labels(debian, ())) == {OCI + "url", OCI + "vendor"}
    provenance = build_provenance(debian, (), ())
    assert provenance.vcs_source == "https://example.invalid/corpus/debian-app"  # its own


def test_base_config_decides_when_history_cannot(real: Path) -> None:
    app = docker_save_image(real / "docker-buildkit-app.docker-save.tar.gz")
    debian = layout_images(real / "debian-app.oci-gzip")[0][0]
    # history that cannot tell where the build started: only the base's config speaks
    blind = dataclasses.replace(
        app, config=dataclasses.replace(app.config, history=(HistoryEntry(created_by="x"),))
    )
    assert build_start(blind) is None
    assert inherited_labels(blind, ()) == {}
    told = inherited_labels(blind, [debian])
    same = {k for k, v in app.config.labels.items() if debian.config.labels.get(k) == v}
    assert set(told) == same
    assert OCI + "title" not in told
    assert told[OCI + "source"] == "the base 1.0.0 has the same label"
    # a candidate that is not a layer prefix is not the base: says nothing
    assert inherited_labels(blind, [app]) == {}


def test_layers_of_unsquashed_builds_have_no_made_by(real: Path) -> None:
    """Each layer has its own history entry (COPY, RUN): nothing squashed, ``made_by`` empty."""
    for name in ("docker-buildkit-app.docker-save.tar.gz", "debian-app.oci-gzip"):
        (image,) = generate(str(real / name), Options(catalog=False)).images
        layers = image.description.layers
        assert all(layer.made_by == () for layer in layers)
        words = [instruction(layer.history.created_by)[0] for layer in layers if layer.history]
        assert len(words) == len(layers)
        assert set(words) <= {"ADD", "RUN", "COPY"}, words
