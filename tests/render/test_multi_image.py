"""Several images in one input (issue 12 item 9) and the index digest (item 6), on built reports:
``reporter.report.bases_within_input`` and what ``build_context`` makes of them.

The real tools' inputs are in tests/realtools/test_multi_image.py; these pin the rules.
"""

from __future__ import annotations

from dataclasses import replace

from reporter.model import BaseImage, Fact, ImageReport, Platform, Provenance
from reporter.render.templated import build_context
from reporter.report import bases_within_input
from tests.factory import image, layer, pkg, report

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64", "v8")


def _pair(base_platform: Platform = AMD64) -> tuple[ImageReport, ImageReport]:
    shared = layer(0, "base0")
    base = image(
        refs=("base:1",),
        digest="sha256:" + "a" * 64,
        platform=base_platform,
        layers=(shared,),
        packages=(pkg("deb", "libc6", "2.36", layer_index=0),),
    )
    app = image(
        refs=("app:1",),
        digest="sha256:" + "e" * 64,
        layers=(shared, layer(1, "app1")),
        packages=(
            pkg("deb", "libc6", "2.36", layer_index=0),
            pkg("python", "flask", "3.0", layer_index=1),
        ),
    )
    return base, app


def test_the_base_in_the_same_input_is_found_by_its_layer_prefix() -> None:
    base, app = _pair()
    found = bases_within_input([app, base])
    app_out, base_out = found
    assert app_out.base.name == "base:1"
    assert app_out.base.digest == base.description.target.manifest.digest
    assert app_out.base.confidence == "high"
    assert app_out.base.layer_count == 1
    prefix = [e for e in app_out.base.evidence if e.kind == "layer-prefix"]
    assert [e.origin for e in prefix] == ["this input"]
    assert "in this input" in prefix[0].detail
    assert [x.base for x in app_out.layers] == [True, False]
    assert {p.name: p.base for p in app_out.packages} == {"libc6": True, "flask": False}
    assert base_out == base, "nothing in the input is the base's base"


def test_a_claimed_digest_the_input_does_not_hold_is_said_so() -> None:
    base, app = _pair()

    absent = "sha256:" + "9" * 64
    claims = Provenance(
        facts=(
            Fact("org.opencontainers.image.base.name", "docker.io/x/base:1", "annotation", "m"),
            Fact("org.opencontainers.image.base.digest", absent, "annotation", "m"),
        )
    )
    app = replace(app, provenance=claims)
    out = bases_within_input([app, base])[0]
    assert out.base.confidence == "high"
    assert out.base.digest == base.description.target.manifest.digest
    notes = [e.detail for e in out.base.evidence if e.kind == "annotation"]
    assert any(f"{absent} (a digest this input does not hold)" in n for n in notes), notes


def test_no_base_across_platforms() -> None:
    base, app = _pair(base_platform=ARM64)
    assert bases_within_input([app, base]) == [app, base]


def test_an_unsound_candidate_is_not_a_base() -> None:
    base, app = _pair()
    broken = replace(base.description.layers[0], diff_id_verified=False)
    base = replace(base, description=replace(base.description, layers=(broken,)))
    assert bases_within_input([app, base])[0] == app


def test_a_longer_base_given_with_base_is_kept() -> None:
    base, app = _pair()
    given = BaseImage("given:2", "sha256:" + "f" * 64, "high", 2)
    app = replace(app, base=given)
    assert bases_within_input([app, base])[0].base == given


def test_context_of_two_images_sharing_a_layer() -> None:
    base, app = _pair()
    found = bases_within_input([app, base])
    context = build_context(report(*found, name="two.tar"))
    assert context["multi_image"] is True
    assert context["title"] == "two.tar (2 images)"
    assert [v["label"] for v in context["images"]] == [
        "app:1 (linux/amd64)",
        "base:1 (linux/amd64)",
    ]
    assert [v["anchor"] for v in context["images"]] == [
        "img-app-1-linux-amd64",
        "img-base-1-linux-amd64",
    ]
    assert context["layer_counts"] == {"total": 3, "distinct": 2, "shared": 1}
    assert context["package_total"] == 3
    assert context["package_distinct"] == 2
    assert context["indexes"] == []
    assert context["digest_note"] == ""


def test_platforms_of_one_index_are_one_image() -> None:
    index = "sha256:" + "7" * 64
    views = [
        image(refs=("app:1",), digest="sha256:" + d * 64, platform=p, layers=(layer(0, d),))
        for d, p in (("1", AMD64), ("2", ARM64))
    ]
    views = [
        replace(
            v,
            description=replace(
                v.description, target=replace(v.description.target, parents=(index,))
            ),
        )
        for v in views
    ]
    assert [v.index_digest for v in views] == [index, index]
    context = build_context(report(*views))
    assert context["multi_image"] is False
    assert context["title"] == "app:1"
    assert [v["label"] for v in context["images"]] == ["linux/amd64", "linux/arm64/v8"]
    assert context["indexes"] == [
        {"digest": index, "refs": ["app:1"], "platforms": ["linux/amd64", "linux/arm64/v8"]}
    ]
    assert context["layer_counts"] == {"total": 2, "distinct": 2, "shared": 0}


def test_untagged_images_of_one_platform_get_distinct_labels() -> None:
    one = image(refs=(), digest="sha256:" + "1" * 64, layers=(layer(0, "x"),))
    two = image(refs=(), digest="sha256:" + "2" * 64, layers=(layer(0, "y"),))
    labels = [v["label"] for v in build_context(report(one, two))["images"]]
    assert labels == ["linux/amd64 sha256:111111111111", "linux/amd64 sha256:222222222222"]


def test_docker_save_inputs_say_what_their_manifest_digest_is() -> None:
    _, app = _pair()
    for fmt, start in (
        ("docker-archive", "Derived: a docker save archive holds no manifest"),
        ("docker-archive+oci", "The manifest docker save wrote"),
    ):
        context = build_context(replace(report(app), input_format=fmt))
        assert context["digest_note"].startswith(start)
        assert "only if the image is pushed unchanged" in context["digest_note"]
