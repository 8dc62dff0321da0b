"""Squashed and per-layer views built from layer scans."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog import python as python_cataloger
from reporter.layers.filesystem import FileSystem, build_filesystem
from reporter.layers.scan import Captured, Entry, LayerScan
from reporter.layers.tarwalk import scan_layer
from reporter.layers.whiteout import apply_whiteouts
from reporter.model import Layer, Location
from reporter.options import Limits
from tests.conftest import shared_path


def d(path: str) -> Entry:
    return Entry(path, "dir", 0o755, 0)


def f(path: str, size: int = 1) -> Entry:
    return Entry(path, "file", 0o644, size)


def ln(path: str, target: str) -> Entry:
    return Entry(path, "symlink", 0o777, 0, target)


def layer(
    index: int,
    entries: Iterable[Entry] = (),
    whiteouts: Iterable[str] = (),
    opaque: Iterable[str] = (),
    captured: Iterable[Captured] = (),
) -> tuple[Layer, LayerScan]:
    digest = f"sha256:{index:064x}"
    model = Layer(index, digest, "application/vnd.oci.image.layer.v1.tar+gzip", 100)
    scan = LayerScan(
        blob_digest=digest,
        blob_size=100,
        diff_id=f"sha256:{index + 100:064x}",
        uncompressed_size=1000,
        compression="gzip",
        entries=tuple(entries),
        whiteouts=tuple(whiteouts),
        opaque_dirs=tuple(opaque),
        captured=tuple(captured),
        findings=(),
        complete=True,
    )
    return model, scan


def build(*layers: tuple[Layer, LayerScan]) -> FileSystem:
    return build_filesystem(layers)


def origin(fs: FileSystem, path: str) -> int | None:
    location = fs.location(path)
    return None if location is None else location.layer_index


def test_later_layer_replaces_and_history_records_versions() -> None:
    fs = build(
        layer(0, [d("etc"), f("etc/a"), f("etc/b")]),
        layer(1, [f("etc/a", 2)]),
        layer(2, [d("etc")]),
    )
    assert fs.location("etc/a") == Location("/etc/a", 1, f"sha256:{1:064x}", f"sha256:{101:064x}")
    assert origin(fs, "etc/b") == 0
    assert origin(fs, "etc") == 2  # directories merge: children stay
    assert [v.layer for v in fs.history("etc/a")] == [0, 1]
    assert fs.paths() == ("etc", "etc/a", "etc/b")
    assert fs.layer_view(1) == {
        "etc/a": Location("/etc/a", 1, f"sha256:{1:064x}", f"sha256:{101:064x}")
    }


def test_whiteout_applies_to_lower_layers_only() -> None:
    fs = build(
        layer(0, [d("a"), f("a/x"), f("a/y"), d("a/sub"), f("a/sub/z")]),
        # the same layer recreates a/y: a whiteout never hides its own layer's files
        layer(1, [f("a/y")], whiteouts=["a/y", "a/sub"]),
    )
    assert fs.paths() == ("a", "a/x", "a/y")
    assert origin(fs, "a/y") == 1
    # the deletion reset the history: layer 0's a/y is not part of the visible file
    assert [v.layer for v in fs.history("a/y")] == [1]


def test_opaque_directory_hides_lower_children_but_not_its_own_layer() -> None:
    fs = build(
        layer(0, [d("a"), d("a/b"), d("a/b/c"), f("a/b/c/bar"), f("keep")]),
        # layer.md: "a/.wh..wh..opq is applied first ... regardless of the ordering"
        layer(1, [d("a"), d("a/b"), d("a/b/c"), f("a/b/c/foo")], opaque=["a"]),
    )
    assert fs.paths() == ("a", "a/b", "a/b/c", "a/b/c/foo", "keep")


def test_non_directory_over_a_directory_hides_everything_below() -> None:
    fs = build(
        layer(0, [d("opt"), d("opt/app"), f("opt/app/lib.py")]),
        layer(1, [ln("opt/app", "/srv/app")]),
    )
    assert fs.paths() == ("opt", "opt/app")
    entry = fs.entry("opt/app")
    assert entry is not None
    assert entry.type == "symlink"


def test_entry_below_a_lower_file_replaces_the_file_with_a_directory() -> None:
    fs = build(layer(0, [f("x")]), layer(1, [f("x/y")]))
    assert fs.paths() == ("x/y",)  # x is now an implicit directory with no entry of its own
    assert fs.entry("x") is None


def test_parents_are_looked_up_through_symlinks() -> None:
    fs = build(
        layer(0, [d("usr"), d("usr/lib"), ln("lib", "usr/lib"), ln("abs", "/usr/lib")]),
        layer(1, [f("lib/libfoo.so"), f("abs/libbar.so")], whiteouts=[]),
        layer(2, [], whiteouts=["lib/libfoo.so"]),
    )
    assert fs.paths() == ("abs", "lib", "usr", "usr/lib", "usr/lib/libbar.so")


def test_symlink_loop_does_not_hang() -> None:
    fs = build(layer(0, [ln("a", "b"), ln("b", "a")]), layer(1, [f("a/file")]))
    assert fs.paths() == ("a", "b")


def test_captured_files_are_visible_only_from_the_visible_version() -> None:
    fs = build(
        layer(
            0,
            [f("p/one"), f("p/two")],
            captured=[Captured("p/one", "k", b"v0"), Captured("p/two", "k", b"two")],
        ),
        layer(1, [f("p/one")]),  # rewritten, but nobody kept this version (too big, say)
        layer(2, [f("p/three")], captured=[Captured("p/three", "k", b"scan", whole=False)]),
    )
    assert [(path, c.data, v.layer) for path, c, v in fs.visible_captured()] == [
        ("p/three", b"scan", 2),
        ("p/two", b"two", 0),
    ]
    assert fs.read("p/one") is None
    assert fs.read("p/one", upto=0) == b"v0"
    assert fs.read("p/three") is None  # not whole content...
    assert fs.read("p/three", "k") == b"scan"  # ...but the cataloger's own scanner result


def test_the_same_path_twice_in_one_layer_keeps_the_last() -> None:
    fs = build(layer(0, [f("a", 1), f("a", 2)]))
    entry = fs.entry("a")
    assert entry is not None
    assert entry.size == 2
    assert len(fs.history("a")) == 1


paths = st.lists(
    st.lists(st.sampled_from("abc"), min_size=1, max_size=3).map("/".join),
    min_size=1,
    max_size=12,
    unique=True,
)


def tree(leaves: Sequence[str]) -> list[Entry]:
    dirs = {leaf.rsplit("/", i)[0] for leaf in leaves for i in range(1, leaf.count("/") + 1)}
    return [d(p) for p in sorted(dirs)] + [f(p) for p in sorted(set(leaves) - dirs)]


@settings(max_examples=100, deadline=None)
@given(
    paths,
    st.lists(st.sampled_from(["a", "a/b", "b", "a/a/c", "c/c"]), max_size=3),
    st.lists(st.sampled_from(["", "a", "b/c", "a/b"]), max_size=2),
)
def test_tree_agrees_with_the_flat_rules(
    leaves: list[str], whiteouts: list[str], opaque: list[str]
) -> None:
    lower = tree(leaves)
    fs = build(layer(0, lower), layer(1, [], whiteouts=whiteouts, opaque=opaque))
    flat = apply_whiteouts({e.path: e for e in lower}, whiteouts, opaque)
    assert set(fs.paths()) == set(flat)


def test_real_debian_app_squashed_view() -> None:
    blobs = shared_path("fixtures", "real", "debian-app.oci-gzip", "blobs", "sha256")
    manifest = json.loads(
        (blobs / "d2bb348eb5354007515d21890f14ba6ead882469021903d9191286f895149bf3").read_bytes()
    )
    config = json.loads((blobs / manifest["config"]["digest"][7:]).read_bytes())
    pairs = []
    for index, (descriptor, diff_id) in enumerate(
        zip(manifest["layers"], config["rootfs"]["diff_ids"], strict=True)
    ):
        data = (blobs / descriptor["digest"][7:]).read_bytes()
        scan = scan_layer(io.BytesIO(data), [python_cataloger.CATALOGER], limits=Limits())
        model = Layer(
            index, descriptor["digest"], descriptor["mediaType"], descriptor["size"], diff_id
        )
        pairs.append((model, scan))
    fs = build_filesystem(pairs)

    site = "usr/local/lib/python3.11/site-packages"
    assert f"{site}/idna" in fs.layer_view(2)
    assert not any(p == f"{site}/idna" or p.startswith(f"{site}/idna") for p in fs.paths())
    assert f"{site}/six.py" in fs
    assert any(p.startswith("opt/legacy/site-packages/attrs") for p in fs.layer_view(3))
    legacy = [p for p in fs.paths() if p.startswith("opt/legacy/site-packages/")]
    assert not any("attrs" in p for p in legacy)
    assert origin(fs, "opt/legacy/site-packages") == 4
    assert "usr/bin/jq" not in fs
    status = fs.history("var/lib/dpkg/status")
    assert [v.layer for v in status] == [0, 1, 4]
    assert status[-1].location.diff_id == config["rootfs"]["diff_ids"][4]
    visible = {path for path, c, _ in fs.visible_captured()}
    assert f"{site}/six-1.16.0.dist-info/METADATA" in visible
    assert not any("idna" in p or "attrs" in p for p in visible)


# -- the parent-directory memo of the builder -------------------------------------------------

_NAMES = st.sampled_from(["a", "b", "c", "a/b", "a/c", "b/a", "a/b/c", "c/a/b", "a/b/c/d"])
_ENTRY = st.one_of(
    st.builds(d, _NAMES),
    st.builds(f, _NAMES),
    st.builds(ln, _NAMES, st.sampled_from(["a", "b", "/c", "../b", "a/b", "."])),
    st.builds(lambda p: f(p + "/x"), _NAMES),
)


def _without_memo(layers: Sequence[tuple[Layer, LayerScan]]) -> FileSystem:
    """The same build, with the builder's parent memo emptied before every entry."""
    import reporter.layers.filesystem as module

    original = module._Builder.add

    def add(self: module._Builder, *args: object) -> object:
        self.forget_parents()
        return original(self, *args)  # type: ignore[arg-type]

    module._Builder.add = add  # type: ignore[assignment,method-assign]
    try:
        return build_filesystem(layers)
    finally:
        module._Builder.add = original  # type: ignore[method-assign]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_ENTRY, max_size=12), min_size=1, max_size=3))
def test_parent_memo_changes_nothing(layer_entries: list[list[Entry]]) -> None:
    """Symlinks and type changes inside one layer must not leave a stale parent behind."""
    layers = [layer(i, entries) for i, entries in enumerate(layer_entries)]
    memo = build_filesystem(layers)
    plain = _without_memo(layers)
    assert memo.versions == plain.versions
    assert memo.per_layer == plain.per_layer


def test_a_symlink_replacing_a_directory_redirects_later_entries_of_the_same_layer() -> None:
    fs = build_filesystem([layer(0, [d("b"), d("a"), f("a/x"), ln("a", "b"), f("a/y")])])
    assert "b/y" in fs
    assert "a/x" not in fs  # the directory (and what was in it) went when the link replaced it
    assert fs.entry("a") == ln("a", "b")


# -- resolving many paths at once ---------------------------------------------------------------


def _resolve_one_by_one(fs: FileSystem, path: str) -> str:
    """``FileSystem._resolve`` as it was before its directory memo: the oracle."""
    parts = path.split("/")
    done: list[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        candidate = "/".join([*done, part])
        versions = fs.versions.get(candidate)
        entry = versions[-1].entry if versions else None
        if entry is not None and entry.type == "symlink" and parts and hops < 40:
            hops += 1
            target = entry.linkname
            base = [] if target.startswith("/") else list(done)
            for piece in target.split("/"):
                if piece in ("", "."):
                    continue
                if piece == "..":
                    if base:
                        base.pop()
                else:
                    base.append(piece)
            done = base
            continue
        done.append(part)
    return "/".join(done)


_LOOKUPS = st.lists(
    st.lists(st.sampled_from(["a", "b", "c", "d", "", ".", ".."]), min_size=1, max_size=5).map(
        "/".join
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_ENTRY, max_size=12), min_size=1, max_size=3), _LOOKUPS)
def test_resolved_agrees_with_resolving_one_by_one(
    layer_entries: list[list[Entry]], lookups: list[str]
) -> None:
    fs = build_filesystem([layer(i, entries) for i, entries in enumerate(layer_entries)])
    paths = [*lookups, *(f"{p}/x/y" for p in fs.versions), *fs.versions]
    assert fs.resolved(paths) == {_resolve_one_by_one(fs, p) for p in paths}
    for path in paths:
        assert fs._resolve(path) == _resolve_one_by_one(fs, path)


def test_resolved_follows_chains_and_loops_like_one_by_one() -> None:
    entries = [
        ln("a", "b"),
        ln("b", "c/d"),
        d("c"),
        ln("c/d", "../e"),
        d("e"),
        f("e/x"),
        ln("loop", "loop"),
        ln("abs", "/e"),
    ]
    fs = build_filesystem([layer(0, entries)])
    paths = ["a/x", "b/x", "c/d/x", "loop/x", "loop/loop/x", "abs/x", "/a/x", "a//x", "a", "a/"]
    assert {p: fs._resolve(p) for p in paths} == {p: _resolve_one_by_one(fs, p) for p in paths}
    assert fs._resolve("c/d/x") == "e/x"
    assert fs._resolve("a/x") == "b/x"  # a target is taken as written, not looked up again
    assert fs.resolved(paths) == {_resolve_one_by_one(fs, p) for p in paths}
