"""diff_reports on hand-built Reports: packages, base, layers, config, provenance, gates."""

from __future__ import annotations

import pytest

from reporter.diff import (
    FAIL_ON,
    KeyChange,
    ReleaseDiff,
    diff_reports,
    diff_triggers,
)
from reporter.errors import UsageError
from reporter.model import BaseImage, ImageReport, Platform, Provenance, Source
from tests.factory import image, layer, pkg, report

BASE_OLD = BaseImage("docker.io/library/debian:12.7", "sha256:" + "7" * 64, "high")
BASE_NEW = BaseImage("docker.io/library/debian:12.8", "sha256:" + "8" * 64, "high")


def _old() -> ImageReport:
    return image(
        digest="sha256:" + "0" * 64,
        refs=("shop:1.4.0",),
        packages=(
            pkg("deb", "libssl3", "3.0.11-1~deb12u2", base=True, licenses=("Apache-2.0",)),
            pkg("deb", "openssl", "3.0.11-1~deb12u2", base=True),
            pkg("deb", "tzdata", "2024a-0+deb12u1", base=True),
            pkg("deb", "jq", "1.6-2.1", base=False),
            pkg("python", "urllib3", "2.0.7", base=False),
            pkg("python", "six", "1.16.0", base=False, licenses=("MIT",)),
            pkg("python", "requests", "2.32.3", base=False),
        ),
        layers=(
            layer(0, "base", base=True, size=29_000_000),
            layer(1, "apt", base=False),
            layer(2, "pip"),
        ),
        base=BASE_OLD,
        labels={"org.opencontainers.image.version": "1.4.0", "maintainer": "shop-team"},
        env=("PATH=/usr/local/bin:/usr/bin", "APP_MODE=prod"),
        annotations={"org.opencontainers.image.revision": "1111111"},
        provenance=Provenance(
            builder_id="https://github.com/actions/runner/v2.316",
            frontend="dockerfile.v0",
            vcs_revision="1111111",
            build_args={"PYTHON_VERSION": "3.11"},
            sources=(
                Source("docker-image", "docker.io/library/debian:12", pin="sha256:" + "7" * 64),
            ),
        ),
    )


def _new() -> ImageReport:
    return image(
        digest="sha256:" + "f" * 64,
        refs=("shop:1.5.0",),
        packages=(
            pkg("deb", "libssl3", "3.0.13-1~deb12u1", base=True, licenses=("Apache-2.0",)),
            pkg("deb", "openssl", "3.0.13-1~deb12u1", base=True),
            pkg("deb", "tzdata", "2024a-0+deb12u1", base=True),
            pkg("deb", "netbase", "6.4", base=False),
            pkg("python", "urllib3", "2.2.1", base=False),
            pkg("python", "six", "1.16.0", base=False, licenses=("MIT", "Python-2.0")),
            pkg("python", "requests", "2.31.0", base=False),
        ),
        layers=(
            layer(0, "base2", base=True, size=29_500_000),
            layer(1, "apt2", base=False),
            layer(2, "pip"),
            layer(3, "user", size=0),
        ),
        base=BASE_NEW,
        labels={"org.opencontainers.image.version": "1.5.0", "maintainer": "shop-team"},
        env=("PATH=/usr/local/bin:/usr/bin", "APP_MODE=prod", "PIP_NO_CACHE_DIR=1"),
        user="65534:65534",
        annotations={"org.opencontainers.image.revision": "2222222"},
        provenance=Provenance(
            builder_id="https://github.com/actions/runner/v2.317",
            frontend="dockerfile.v0",
            vcs_revision="2222222",
            build_args={"PYTHON_VERSION": "3.11"},
            sources=(
                Source("docker-image", "docker.io/library/debian:12", pin="sha256:" + "8" * 64),
            ),
        ),
    )


@pytest.fixture
def release() -> ReleaseDiff:
    return diff_reports(
        report(_old(), name="shop-1.4.0.json"), report(_new(), name="shop-1.5.0.tar")
    )


def test_packages(release: ReleaseDiff) -> None:
    (d,) = release.images
    p = d.packages
    assert [(x.type, x.name, x.version) for x in p.added] == [("deb", "netbase", "6.4")]
    assert [(x.type, x.name, x.version) for x in p.removed] == [("deb", "jq", "1.6-2.1")]
    assert [(c.name, c.old_version, c.new_version) for c in p.upgraded] == [
        ("libssl3", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1"),
        ("openssl", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1"),
        ("urllib3", "2.0.7", "2.2.1"),
    ]
    assert [(c.name, c.scheme) for c in p.downgraded] == [("requests", "pep440")]
    assert p.unchanged == 2  # tzdata, six
    assert (p.old_total, p.new_total) == (7, 7)
    (lic,) = p.licenses
    assert (lic.name, lic.old, lic.new) == ("six", ("MIT",), ("MIT", "Python-2.0"))


def test_base_and_attribution(release: ReleaseDiff) -> None:
    b = release.images[0].base
    assert b.status == "updated"  # same repository, another tag
    assert b.layers_same is False
    # libssl3 and openssl came with the base; netbase, jq, urllib3, requests are the app's
    assert (b.package_changes_from_base, b.package_changes_from_app) == (2, 4)
    assert b.package_changes_unattributed == 0


def test_layers(release: ReleaseDiff) -> None:
    ly = release.images[0].layers
    assert [(p.old_index, p.new_index) for p in ly.reused] == [(2, 2)]
    assert [x.index for x in ly.added] == [0, 1, 3]
    assert [x.index for x in ly.removed] == [0, 1]
    assert not ly.reordered
    assert (ly.old_count, ly.new_count) == (3, 4)
    assert ly.size_delta == 500_000


def test_config_annotations_provenance(release: ReleaseDiff) -> None:
    d = release.images[0]
    assert [(f.field, f.old, f.new) for f in d.config.fields] == [("user", "", "65534:65534")]
    assert d.config.env == (KeyChange("PIP_NO_CACHE_DIR", None, "1"),)
    assert d.config.env[0].kind == "added"
    assert d.config.labels == (KeyChange("org.opencontainers.image.version", "1.4.0", "1.5.0"),)
    assert d.annotations == (KeyChange("org.opencontainers.image.revision", "1111111", "2222222"),)
    assert {f.field for f in d.provenance.fields} == {"builder_id", "vcs_revision"}
    assert d.provenance.sources == (
        KeyChange(
            "docker-image docker.io/library/debian:12", "sha256:" + "7" * 64, "sha256:" + "8" * 64
        ),
    )
    assert d.provenance.build_args == ()


def test_conditions_and_triggers(release: ReleaseDiff) -> None:
    assert release.conditions == FAIL_ON  # this release changes everything
    assert diff_triggers(release, ["downgraded", "removed"]) == ("removed", "downgraded")
    assert diff_triggers(release, []) == ()
    with pytest.raises(UsageError, match="unknown --fail-on condition bogus"):
        diff_triggers(release, ["bogus"])


def test_report_against_itself_is_empty() -> None:
    r = report(_new())
    d = diff_reports(r, r)
    assert d.conditions == ()
    assert diff_triggers(d, FAIL_ON) == ()
    (img,) = d.images
    p = img.packages
    assert not (p.added)
    assert not (p.removed)
    assert not (p.upgraded)
    assert not (p.downgraded)
    assert not (p.changed)
    assert not (p.licenses)
    assert p.unchanged == 7
    assert img.base.status == "unchanged"
    assert img.base.layers_same is True
    assert len(img.layers.reused) == 4
    assert not img.layers.added
    assert not img.layers.removed
    assert img.config.fields == ()
    assert img.config.env == img.config.labels == ()
    assert img.annotations == img.distro == ()


def test_volatile_labels_and_revision_do_not_gate() -> None:
    # a rebuild from the next commit: only the stamped version label and the revision change
    old = image(
        labels={"org.opencontainers.image.version": "1"}, provenance=Provenance(vcs_revision="a")
    )
    new = image(
        labels={"org.opencontainers.image.version": "2"}, provenance=Provenance(vcs_revision="b")
    )
    d = diff_reports(report(old), report(new))
    assert d.images[0].config.labels  # still shown
    assert d.conditions == ("any",)
    assert diff_triggers(d, ["config-changed", "provenance-changed"]) == ()


def test_manifest_digest_alone_is_any() -> None:
    d = diff_reports(
        report(image(digest="sha256:" + "1" * 64)), report(image(digest="sha256:" + "2" * 64))
    )
    assert d.conditions == ("any",)


@pytest.mark.parametrize(
    ("old", "new", "status"),
    [
        (
            BaseImage("debian:12", "sha256:" + "1" * 64),
            BaseImage("debian:12", "sha256:" + "2" * 64),
            "refreshed",
        ),
        (
            BaseImage("debian:12", "sha256:" + "1" * 64),
            BaseImage("debian:12", "sha256:" + "1" * 64),
            "unchanged",
        ),
        (BaseImage("debian:12"), BaseImage("debian:12", "sha256:" + "1" * 64), "unchanged"),
        (BaseImage("registry:5000/debian:12"), BaseImage("registry:5000/debian:13"), "updated"),
        (BaseImage("debian:12"), BaseImage("ubuntu:24.04"), "rebased"),
        (BaseImage("", "sha256:" + "1" * 64), BaseImage("", "sha256:" + "2" * 64), "changed"),
        (BaseImage(), BaseImage("debian:12"), "added"),
        (BaseImage("debian:12"), BaseImage(), "removed"),
        (BaseImage(), BaseImage(), "unknown"),
    ],
)
def test_base_status(old: BaseImage, new: BaseImage, status: str) -> None:
    d = diff_reports(report(image(base=old)), report(image(base=new)))
    assert d.images[0].base.status == status
    gated = "base-changed" in d.conditions
    assert gated is (status not in ("unchanged", "unknown"))


def test_platforms_paired_by_normalized_key() -> None:
    old = report(
        image(platform=Platform("linux", "arm64"), refs=("multi",)),
        image(platform=Platform("linux", "arm"), refs=("multi",)),  # arm ≡ arm/v7
        image(platform=Platform("linux", "s390x"), refs=("multi",)),
    )
    new = report(
        image(platform=Platform("linux", "arm64", "v8"), refs=("multi",)),
        image(platform=Platform("linux", "arm", "v7"), refs=("multi",)),
        image(platform=Platform("linux", "amd64"), refs=("multi",)),
    )
    d = diff_reports(old, new)
    assert [i.platform for i in d.images] == ["linux/arm/v7", "linux/arm64/v8"]
    assert d.added_platforms == ("linux/amd64 (multi)",)
    assert d.removed_platforms == ("linux/s390x (multi)",)
    assert diff_triggers(d, ["added", "removed"]) == ("added", "removed")


def test_multi_version_npm_packages() -> None:
    # two copies of one npm package: one stays, one moves in place, one new copy appears
    nm = "/app/node_modules"
    old = image(
        packages=(
            pkg("npm", "debug", "2.6.9", path=f"{nm}/debug/package.json"),
            pkg("npm", "debug", "4.3.4", path=f"{nm}/express/node_modules/debug/package.json"),
            pkg("npm", "ms", "2.0.0", path=f"{nm}/ms/package.json"),
        )
    )
    new = image(
        packages=(
            pkg("npm", "debug", "2.6.9", path=f"{nm}/debug/package.json"),
            pkg("npm", "debug", "4.3.5", path=f"{nm}/express/node_modules/debug/package.json"),
            pkg("npm", "debug", "4.3.7", path=f"{nm}/mocha/node_modules/debug/package.json"),
            pkg("npm", "ms", "2.1.3", path=f"{nm}/ms/package.json"),
        )
    )
    p = diff_reports(report(old), report(new)).images[0].packages
    assert [(c.name, c.old_version, c.new_version) for c in p.upgraded] == [
        ("debug", "4.3.4", "4.3.5"),  # same install place
        ("ms", "2.0.0", "2.1.3"),
    ]
    assert [(x.name, x.version) for x in p.added] == [("debug", "4.3.7")]
    assert p.removed == ()
    assert p.unchanged == 1


def test_multi_version_without_locations_pairs_in_order() -> None:
    old = image(packages=(pkg("python", "attrs", "21.4.0"), pkg("python", "attrs", "23.1.0")))
    new = image(packages=(pkg("python", "attrs", "22.2.0"), pkg("python", "attrs", "23.2.0")))
    p = diff_reports(report(old), report(new)).images[0].packages
    assert [(c.old_version, c.new_version) for c in p.upgraded] == [
        ("21.4.0", "22.2.0"),
        ("23.1.0", "23.2.0"),
    ]


def test_same_order_different_spelling_is_changed_not_upgraded() -> None:
    old = image(packages=(pkg("python", "pytz", "2024.1"),))
    new = image(packages=(pkg("python", "pytz", "2024.1.0"),))
    d = diff_reports(report(old), report(new))
    p = d.images[0].packages
    assert [(c.direction, c.old_version, c.new_version) for c in p.changed] == [
        ("changed", "2024.1", "2024.1.0")
    ]
    assert not p.upgraded
    assert not p.downgraded
    assert d.conditions == ("any",)


def test_epoch_upgrade_is_an_upgrade() -> None:
    # dpkg: an epoch outranks any upstream version (Policy §5.6.12)
    old = image(packages=(pkg("deb", "bind9-libs", "9.18.28-1~deb12u2"),))
    new = image(packages=(pkg("deb", "bind9-libs", "1:9.18.24-1"),))
    p = diff_reports(report(old), report(new)).images[0].packages
    assert len(p.upgraded) == 1


def test_layers_match_by_content_and_detect_reordering() -> None:
    a, b, c = layer(0, "a"), layer(1, "b"), layer(2, "c")
    swapped = (layer(0, "b"), layer(1, "a"), layer(2, "c"))
    d = diff_reports(report(image(layers=(a, b, c))), report(image(layers=swapped)))
    ly = d.images[0].layers
    assert len(ly.reused) == 3
    assert ly.reordered
    assert "layers-changed" in d.conditions


def test_repeated_identical_layers_are_counted_once_each() -> None:
    empty = [layer(i, "empty", size=32) for i in range(3)]
    d = diff_reports(report(image(layers=tuple(empty[:2]))), report(image(layers=tuple(empty))))
    ly = d.images[0].layers
    assert len(ly.reused) == 2
    assert [x.index for x in ly.added] == [2]
