"""Issue 12 items 6 and 9 on inputs the real tools write at test time.

6: the image index digest (what a tag names, what ``docker pull NAME@sha256:…`` pins) is on the
page, first, beside the per-platform manifest digests; a ``docker save`` input says its manifest
digest is the one the archive implies.
9: an OCI layout with two tags (``skopeo copy`` twice) and a two-image ``podman save -m`` show
one labelled section per image, an Images table with a reference column, layer totals that
count shared layers once, and the base found inside the same input by its layer prefix.

buildah builds ``base`` (FROM scratch, the dpkg status) and ``app`` (FROM base, one more layer)
on a private vfs store; expected digests are read from what the tools wrote (``index.json``,
``skopeo inspect``), never from our own output.
"""

from __future__ import annotations

import hashlib
import html.parser
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile._cli import cli
from tests.realtools.conftest import DPKG_STATUS, OS_RELEASE, Buildah, rootfs, run, tool

BASE = "localhost/corpus/base:1"
APP = "localhost/corpus/app:1"


class _Page(html.parser.HTMLParser):
    """Headings and table rows (cell texts) of a rendered HTML report."""

    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self.rows: list[list[str]] = []
        self._text: list[str] | None = None
        self._saved: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("th", "td", "h2"):
            self._text = []
        elif tag == "button":  # the Copy buttons are not part of the value
            self._text, self._saved = None, self._text

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._text = self._saved
        elif tag == "h2" and self._text is not None:
            self.h2.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag in ("th", "td") and self._text is not None and self._row is not None:
            self._row.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def row(self, head: str) -> str:
        """The first two-cell row whose header cell is ``head``: its value."""
        return next(r[1] for r in self.rows if len(r) == 2 and r[0] == head)


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text())
    return page


def _index_entries(layout: Path) -> dict[str, dict[str, Any]]:
    index = json.loads((layout / "index.json").read_text())
    return {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in index["manifests"]}


def _blob(layout: Path, digest: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (layout / "blobs" / "sha256" / digest.split(":", 1)[1]).read_text()
    )
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """base and app (app FROM base) in one OCI layout under two tags, the same two in one
    ``podman save -m`` archive, and a two-platform index pushed by ``buildah manifest``."""
    tool("buildah")
    skopeo = tool("skopeo")
    tmp = tmp_path_factory.mktemp("multi")
    runroot = Path(tempfile.mkdtemp(prefix="ocr-run-"))
    try:
        b = Buildah(tmp / "store", runroot)
        ctx = rootfs(
            tmp / "ctx",
            {
                "etc/os-release": OS_RELEASE,
                "var/lib/dpkg/status": DPKG_STATUS,
                "app/hello.txt": "hello\n",
            },
        )
        b.build(ctx, BASE, "FROM scratch\nCOPY etc /etc\nCOPY var /var\n")
        b.build(ctx, APP, f"FROM {BASE}\nCOPY app /app\n")
        b.build(ctx, "localhost/corpus/base:arm64", "FROM scratch\nCOPY etc /etc\n",
                "--platform", "linux/arm64")  # fmt: skip
        storage = f"containers-storage:[vfs@{tmp / 'store'}+{runroot}]"
        layout = tmp / "layout"
        for ref, tag in ((BASE, "base"), (APP, "app")):
            run([skopeo, "copy", "-q", f"{storage}{ref}", f"oci:{layout}:{tag}"])
        docker = tmp / "two.tar"
        b.podman("save", "-q", "--multi-image-archive", "-o", str(docker), BASE, APP)
        buildah = tool("buildah")
        listed = "localhost/corpus/multi:1"
        run([buildah, *b.store, "manifest", "create", listed])
        for ref in (BASE, "localhost/corpus/base:arm64"):
            run([buildah, *b.store, "manifest", "add", listed, f"containers-storage:{ref}"])
        multi = tmp / "multi"
        run([buildah, *b.store, "manifest", "push", "-q", "--all", listed, f"oci:{multi}:1.0"])
        # a second two-platform tag in the same layout, sharing 1.0's arm64 manifest
        second = "localhost/corpus/multi:2"
        run([buildah, *b.store, "manifest", "create", second])
        for ref in (APP, "localhost/corpus/base:arm64"):
            run([buildah, *b.store, "manifest", "add", second, f"containers-storage:{ref}"])
        two_tags = tmp / "two-tags"
        shutil.copytree(multi, two_tags)
        run([buildah, *b.store, "manifest", "push", "-q", "--all", second, f"oci:{two_tags}:2.0"])
        yield {"layout": layout, "docker": docker, "multi": multi, "two-tags": two_tags}
    finally:
        shutil.rmtree(runroot, ignore_errors=True)


def _report(capsys: pytest.CaptureFixture[str], source: Path, out: Path, fmt: str) -> Path:
    target = out.with_suffix(f".{fmt}")
    result = cli(capsys, "report", "-q", "--no-cache", str(source), "-f", fmt, "-o", str(target))
    assert result.code == 0, result.err
    return target


def test_two_tags_in_one_layout(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    layout = built["layout"]
    entries = _index_entries(layout)
    base_digest, app_digest = entries["base"]["digest"], entries["app"]["digest"]
    app_manifest = _blob(layout, app_digest)
    base_manifest = _blob(layout, base_digest)
    app_layers = [d["digest"] for d in app_manifest["layers"]]
    base_layers = [d["digest"] for d in base_manifest["layers"]]
    # buildah commits one layer per build: app = base's layer + its own
    assert app_layers[: len(base_layers)] == base_layers
    assert len(app_layers) > len(base_layers)
    distinct, total = len(set(app_layers) | set(base_layers)), len(app_layers + base_layers)
    page = _page(_report(capsys, layout, tmp_path / "r", "html"))
    # one labelled section per image, reference and platform
    assert "app (linux/amd64)" in page.h2
    assert "base (linux/amd64)" in page.h2
    assert page.h2[0].startswith("Images")
    table = [r for r in page.rows if len(r) == 8 and r[0] in ("app", "base")]
    assert [r[:2] for r in table] == [["app", "linux/amd64"], ["base", "linux/amd64"]]
    assert table[0][5] == str(len(app_layers))
    assert table[1][5] == str(len(base_layers))
    # shared layers once: the base's are in both lists and counted once
    assert page.row("Layers") == (
        f"{distinct} distinct, {len(base_layers)} shared by several images "
        f"({total} in the images' layer lists)"
    )
    # the base's packages are in both images: 4 listed, 2 distinct
    assert page.row("Packages") == (
        "4 over 2 images; 2 distinct (a package in a layer several share counts once)"
    )
    manifests = page.row("Manifest digests")
    assert f"app (linux/amd64) {app_digest}" in manifests
    assert f"base (linux/amd64) {base_digest}" in manifests
    assert not any(r[0] == "Image index" for r in page.rows if r), "no index in this layout"

    md = _report(capsys, layout, tmp_path / "r", "md").read_text().splitlines()
    assert "## app (linux/amd64)" in md
    assert "## base (linux/amd64)" in md
    row = next(line for line in md if line.startswith("| `app` | linux/amd64 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2] == f"`{app_digest}`"
    assert cells[7] == "base (high)", "the base in the same layout, by its layer prefix"
    section = md[md.index("## app (linux/amd64)") :]
    prefix = next(line for line in section if line.startswith("| layer-prefix |"))
    assert base_digest in prefix
    assert "in this input" in prefix
    # buildah's base annotation names the digest in its own store; when skopeo's copy has
    # another digest, the page says the input does not hold it (and the prefix still wins)
    claimed = app_manifest.get("annotations", {}).get("org.opencontainers.image.base.digest", "")
    assert claimed, "buildah records the base digest"
    annotation = next(line for line in section if line.startswith("| annotation |"))
    assert (claimed != base_digest) == ("a digest this input does not hold" in annotation)


def test_two_image_podman_save(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    archive = built["docker"]
    skopeo = tool("skopeo")
    expected = {
        ref: json.loads(run([skopeo, "inspect", f"docker-archive:{archive}:{ref}"]))["Digest"]
        for ref in (BASE, APP)
    }
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        saved = json.load(member)
    lists = [entry["Layers"] for entry in saved]
    distinct, total = len({p for layers in lists for p in layers}), sum(map(len, lists))
    md = _report(capsys, archive, tmp_path / "r", "md").read_text().splitlines()
    assert md[0] == f"# Image report: {archive} (2 images)"
    assert f"## {APP} (linux/amd64)" in md
    assert f"## {BASE} (linux/amd64)" in md
    rows = {
        cells[0]: cells
        for line in md
        if line.startswith("| `localhost/")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert rows[f"`{APP}`"][2] == f"`{expected[APP]}`"  # the digest skopeo derives too
    assert rows[f"`{BASE}`"][2] == f"`{expected[BASE]}`"
    assert rows[f"`{APP}`"][7] == f"{BASE} (high)"
    assert any(line.startswith("Derived: a docker save archive holds no manifest") for line in md)
    assert (
        f"| Layers | {distinct} distinct, {total - distinct} shared by several images "
        f"({total} in the images' layer lists) |"
    ) in md

    page = _page(_report(capsys, archive, tmp_path / "r", "html"))
    assert "implies; a registry's digest is the same only if" in page.row("Manifest digests")
    sections = [h for h in page.h2 if h.endswith("(linux/amd64)")]
    assert sections == [f"{APP} (linux/amd64)", f"{BASE} (linux/amd64)"]
    bases = [r[1] for r in page.rows if len(r) == 2 and r[0] == "Name"]
    assert bases == [BASE]  # app's base; base's own is not determined

    inspect = cli(capsys, "inspect", "-q", str(archive), "-f", "json")
    assert inspect.code == 0, inspect.err
    images = json.loads(inspect.out)["images"]
    assert {i["manifest"]["digest"] for i in images} == set(expected.values())
    assert all(i["index"] == "" and "implies" in i["manifestNote"] for i in images)


def test_buildah_manifest_push_shows_the_index_digest_first(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    multi = built["multi"]
    raw = run([tool("skopeo"), "inspect", "--raw", f"oci:{multi}:1.0"])
    index_digest = "sha256:" + hashlib.sha256(raw.encode()).hexdigest()
    children = [m["digest"] for m in json.loads(raw)["manifests"]]
    assert len(children) == 2
    page = _page(_report(capsys, multi, tmp_path / "r", "html"))
    heads = [r[0] for r in page.rows if len(r) == 2]
    assert heads.index("Image index") < heads.index("Manifest digests")
    assert page.row("Image index").startswith(f"{index_digest} 1.0: 2 platforms")
    manifests = page.row("Manifest digests")
    for digest in children:
        assert digest in manifests
    assert index_digest not in manifests
    # one image, two platforms: sections are named by platform, each shows the index first
    assert page.h2[0] == "Platforms"
    assert page.h2[2:] == ["linux/amd64", "linux/arm64"]  # buildah writes no variant
    in_sections = [r[1] for r in page.rows if len(r) == 2 and r[0] == "Image index"][1:]
    assert [v.split()[0] for v in in_sections] == [index_digest, index_digest]

    md = _report(capsys, multi, tmp_path / "r", "md").read_text()
    assert f"| Image index | `{index_digest}` (1.0: 2 platforms)" in md
    inspect = cli(capsys, "inspect", "-q", str(multi))
    assert inspect.code == 0, inspect.err
    assert inspect.out.count(f"index     {index_digest}") == 2
    as_json = json.loads(cli(capsys, "inspect", "-q", str(multi), "-f", "json").out)
    assert [i["index"] for i in as_json["images"]] == [index_digest, index_digest]


def test_two_multi_platform_tags_sharing_a_platform_manifest(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    layout = built["two-tags"]
    entries = _index_entries(layout)
    indexes = {tag: entries[tag]["digest"] for tag in ("1.0", "2.0")}
    children = {
        tag: [m["digest"] for m in _blob(layout, d)["manifests"]] for tag, d in indexes.items()
    }
    shared = set(children["1.0"]) & set(children["2.0"])
    assert len(shared) == 1, "both lists hold the arm64 base"
    md = _report(capsys, layout, tmp_path / "r", "md").read_text().splitlines()
    head = next(line for line in md if line.startswith("| Image index |"))
    for tag, digest in indexes.items():
        assert f"`{digest}` ({tag}: {len(children[tag])} platforms)" in head
    # the shared manifest is scanned once, named by both tags, and under both indexes
    section = md.index("## 1.0, 2.0 (linux/arm64)")
    row = next(line for line in md[section:] if line.startswith("| Image index |"))
    assert f"`{indexes['1.0']}`<br>`{indexes['2.0']}`" in row
    assert md[0] == f"# Image report: {layout} (2 images)"
