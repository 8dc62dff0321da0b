"""Issue 12 items 7 and 11 and the squashed-layer "Created by", on images buildah writes at test
time (rootless, vfs) and on the real Docker BuildKit fixture.

* base: FROM scratch, two COPYs, a LABEL with source / revision / vendor / title / version;
  built with ``--layers=false``, so buildah marks both COPYs ``empty_layer`` and the LABEL not.
* child: FROM base, a COPY, a LABEL with only title / version.
* newer: the base rebuilt with a changed file (same labels, different layer).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path
from tests.hostile._cli import cli
from tests.realtools.conftest import DPKG_STATUS, OS_RELEASE, Buildah, flip_byte, rootfs, run, tool

BASE_SOURCE = "https://example.invalid/corpus/base"
BASE_FILE = (
    "FROM scratch\nCOPY etc /etc\nCOPY var /var\n"
    f'LABEL org.opencontainers.image.source="{BASE_SOURCE}" '
    'org.opencontainers.image.revision="1111111" org.opencontainers.image.vendor="Base Vendor" '
    'org.opencontainers.image.title="corpus-base" org.opencontainers.image.version="1"\n'
)
CHILD_FILE = (
    "FROM localhost/corpus/base:1\nCOPY app /app\n"
    'LABEL org.opencontainers.image.title="corpus-child" org.opencontainers.image.version="2"\n'
)
INHERITED = {
    "org.opencontainers.image.source",
    "org.opencontainers.image.revision",
    "org.opencontainers.image.vendor",
}


def _push(buildah: Buildah, tag: str, layout: Path, name: str) -> None:
    run([tool("buildah"), *buildah.store, "push", "-q", tag, f"oci:{layout}:{name}"])


@pytest.fixture
def images(buildah: Buildah, tmp_path: Path) -> dict[str, Path]:
    ctx = rootfs(
        tmp_path / "ctx",
        {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": DPKG_STATUS, "app/hi.txt": "hi\n"},
    )
    buildah.build(ctx, "localhost/corpus/base:1", BASE_FILE)
    buildah.build(ctx, "localhost/corpus/child:2", CHILD_FILE)
    out = {name: tmp_path / name for name in ("base", "child", "newer")}
    _push(buildah, "localhost/corpus/base:1", out["base"], "1")
    _push(buildah, "localhost/corpus/child:2", out["child"], "2")
    (ctx / "etc/os-release").write_text(OS_RELEASE.replace('"12"', '"12.9"'))
    buildah.build(ctx, "localhost/corpus/base:1", BASE_FILE)  # the base, rebuilt
    _push(buildah, "localhost/corpus/base:1", out["newer"], "1")
    return out


def _report(capsys: pytest.CaptureFixture[str], tmp_path: Path, *argv: str) -> dict[str, Any]:
    out = tmp_path / "r.json"
    result = cli(capsys, "report", "-q", "--no-cache", *argv, "-o", str(out))
    assert result.code == 0, result.err
    image: dict[str, Any] = json.loads(out.read_text())["images"][0]
    return image


def _config(layout: Path) -> dict[str, Any]:
    index = json.loads((layout / "index.json").read_text())
    blob = layout / "blobs" / "sha256"
    manifest = json.loads((blob / index["manifests"][0]["digest"][7:]).read_text())
    config: dict[str, Any] = json.loads((blob / manifest["config"]["digest"][7:]).read_text())
    return config


def history_comments(config: dict[str, Any]) -> dict[int, str]:
    return {n: h["comment"] for n, h in enumerate(config["history"]) if h.get("comment")}


def test_child_labels_set_by_the_base_are_the_bases(
    images: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = _config(images["child"])
    labels = config["config"]["Labels"]
    assert labels["org.opencontainers.image.source"] == BASE_SOURCE  # buildah copied it down
    image = _report(capsys, tmp_path, f"{images['child']}:2")
    facts = {f["key"]: f for f in image["provenance"]["facts"] if f["origin"] == "label"}
    assert {k for k, f in facts.items() if f["inherited"]} == INHERITED
    assert (
        "set by history entry 2; this build starts at entry 3"
        in (facts["org.opencontainers.image.source"]["inherited"])
    )
    assert not facts["org.opencontainers.image.title"]["inherited"]
    provenance = image["provenance"]
    assert provenance["vcs_source"] == ""  # not this image's claim
    assert (provenance["inherited_vcs_source"], provenance["inherited_vcs_revision"]) == (
        BASE_SOURCE,
        "1111111",
    )
    # buildah's own annotations still name the real base
    assert image["base"]["name"] == "localhost/corpus/base:1"
    # --layers=false put the FROM comment on the last entry (4); the build began at the COPY (3)
    assert history_comments(_config(images["child"])) == {4: "FROM localhost/corpus/base:1"}
    details = [e["detail"] for e in image["base"]["evidence"] if e["kind"] == "history"]
    assert details == [
        "buildah build starts at history entry 3 after 1 layers (FROM localhost/corpus/base:1)"
    ]


def test_with_base_given_the_bases_config_says_so(
    images: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = f"{images['base']}:1"
    image = _report(capsys, tmp_path, "--base", base, f"{images['child']}:2")
    facts = {f["key"]: f for f in image["provenance"]["facts"] if f["origin"] == "label"}
    assert {k for k, f in facts.items() if f["inherited"]} == INHERITED
    assert facts["org.opencontainers.image.vendor"]["inherited"] == "the base 1 has the same label"
    assert image["base"]["confidence"] == "high"


def test_squashed_layer_shows_the_copy_that_made_it(
    images: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    history = _config(images["child"])["history"]
    made = [h for h in history if not h.get("empty_layer")]
    # what buildah --layers=false writes: the layer's own entry is the LABEL
    assert "LABEL org.opencontainers.image.title" in made[-1]["created_by"]
    image = _report(capsys, tmp_path, f"{images['child']}:2")
    layer = image["description"]["layers"][1]
    assert "LABEL" in layer["history"]["created_by"]  # config.md's mapping stays as it is
    assert [h["created_by"] for h in layer["made_by"]] == [h["created_by"] for h in history[3:4]]
    assert " in /app" in layer["made_by"][0]["created_by"]
    md = tmp_path / "r.md"
    assert cli(capsys, "report", "-q", "--no-cache", "-f", "md", f"{images['child']}:2",
               "-o", str(md)).code == 0  # fmt: skip
    row = next(line for line in md.read_text().splitlines() if line.startswith("| 1 | added"))
    assert "COPY dir:" in row, row
    assert " in /app" in row
    assert "(recorded as `LABEL" in row
    assert "Base's VCS source (inherited label) | `https://example.invalid/corpus/base`" in (
        md.read_text()
    )


def test_from_scratch_base_is_none(
    images: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    image = _report(capsys, tmp_path, f"{images['base']}:1")
    base = image["base"]
    assert (base["scratch"], base["name"], base["digest"], base["layer_count"]) == (
        True,
        "",
        "",
        0,
    )
    assert all(layer["base"] is False for layer in image["description"]["layers"])
    md = tmp_path / "b.md"
    assert cli(capsys, "report", "-q", "--no-cache", "-f", "md", f"{images['base']}:1",
               "-o", str(md)).code == 0  # fmt: skip
    text = md.read_text()
    assert "None: built from scratch" in text
    assert "none (built from scratch)" in text
    # and the SPDX has no base package to descend from
    spdx = tmp_path / "b.spdx.json"
    assert cli(capsys, "report", "-q", "--no-cache", "-f", "spdx-json", f"{images['base']}:1",
               "-o", str(spdx)).code == 0  # fmt: skip
    assert "DESCENDANT_OF" not in spdx.read_text()


def test_check_base_against_the_rebuilt_base(
    images: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    child = f"{images['child']}:2"
    stale = cli(capsys, "check-base", "--no-cache", child, "--base", f"{images['newer']}:1")
    assert stale.code == 10, stale
    assert "stale" in stale.out
    assert f"inherited from its base org.opencontainers.image.source={BASE_SOURCE}" in stale.out
    current = cli(capsys, "check-base", "--no-cache", child, "--base", f"{images['base']}:1")
    assert current.code == 0, current
    assert "current" in current.out


def test_docker_built_image_is_stale_against_a_newer_base_of_the_same_name(
    buildah: Buildah, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docker-buildkit-app's Dockerfile sets only title and version; source is debian-app's.

    A debian-app rebuilt by buildah (new layers, the same source and title labels) is the same
    base, newer: stale. Before, the inherited base.name label (naming debian-app's *own* base)
    was taken as the image's claim, and the answer was "unknown".
    """
    app = shared_path("fixtures", "real", "docker-buildkit-app.docker-save.tar.gz")
    ctx = rootfs(tmp_path / "ctx", {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": ""})
    buildah.build(
        ctx,
        "localhost/corpus/debian-app:1.0.1",
        "FROM scratch\nCOPY etc /etc\nCOPY var /var\n"
        'LABEL org.opencontainers.image.source="https://example.invalid/corpus/debian-app" '
        'org.opencontainers.image.title="corpus-debian-app"\n',
    )
    _push(buildah, "localhost/corpus/debian-app:1.0.1", tmp_path / "newer", "1.0.1")
    result = cli(capsys, "check-base", "--no-cache", str(app), "--base", f"{tmp_path / 'newer'}")
    assert result.code == 10, result
    source = "org.opencontainers.image.source=https://example.invalid/corpus/debian-app"
    assert f"the image inherited from its base {source}, as the newer base has it" in result.out
    # the same image is not stale against a base with another source
    buildah.build(
        ctx,
        "localhost/corpus/other:1",
        'FROM scratch\nCOPY etc /etc\nLABEL org.opencontainers.image.source="https://x.invalid/o"\n',
    )
    _push(buildah, "localhost/corpus/other:1", tmp_path / "other", "1")
    other = cli(capsys, "check-base", "--no-cache", str(app), "--base", f"{tmp_path / 'other'}")
    assert other.code == 11, other


def test_tampered_layer_is_not_catalogued_and_says_so(
    images: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    copy = tmp_path / "tampered"
    shutil.copytree(images["child"], copy)
    index = json.loads((copy / "index.json").read_text())
    blobs = copy / "blobs" / "sha256"
    manifest = json.loads((blobs / index["manifests"][0]["digest"][7:]).read_text())
    layer = manifest["layers"][0]["digest"]  # the base layer holding the dpkg status
    flip_byte(blobs / layer[7:])
    md = tmp_path / "t.md"
    result = cli(capsys, "report", "-q", "--no-cache", "-f", "md", f"{copy}:2", "-o", str(md))
    assert result.code == 4, result  # integrity failed, the report written with the findings
    text = md.read_text()
    assert f"**Layer 0 `{layer}` failed verification: its packages are not listed.**" in text
    assert "### Packages (0)" in text
    good = cli(capsys, "report", "-q", "--no-cache", "-f", "md", f"{images['child']}:2")
    listed = DPKG_STATUS.count("Package: ")
    assert f"### Packages ({listed})" in good.out
    assert "failed verification" not in good.out
