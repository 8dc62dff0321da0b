"""The OCI whiteout rules (image-spec layer.md "Whiteouts")."""

from __future__ import annotations

import pytest

from reporter.layers.whiteout import (
    apply_whiteouts,
    classify,
    hidden_by_opaque,
    hidden_by_whiteout,
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("etc/.wh.my-app-config", ("whiteout", "etc/my-app-config")),
        (".wh.top", ("whiteout", "top")),
        ("a/.wh..wh..opq", ("opaque", "a")),
        (".wh..wh..opq", ("opaque", "")),
        ("a/.wh..wh.plnk", ("meta", "a/.wh..wh.plnk")),
        ("a/.wh.", ("meta", "a/.wh.")),
        ("a/.wh...", ("meta", "a/.wh...")),
        ("a/b.wh.c", None),
        (".whx/file", None),
        ("a/.wh.dir/file", None),  # only the basename makes a marker
    ],
)
def test_classify(path: str, expected: tuple[str, str] | None) -> None:
    assert classify(path) == expected


def test_whiteout_hides_the_path_and_everything_below() -> None:
    assert hidden_by_whiteout("a/b", "a/b")
    assert hidden_by_whiteout("a/b/c/d", "a/b")
    assert not hidden_by_whiteout("a/bc", "a/b")
    assert not hidden_by_whiteout("a", "a/b")


def test_opaque_hides_descendants_not_the_directory() -> None:
    assert hidden_by_opaque("bin/tools/one", "bin")
    assert hidden_by_opaque("bin/x", "bin")
    assert not hidden_by_opaque("bin", "bin")
    assert not hidden_by_opaque("binary", "bin")
    assert hidden_by_opaque("anything", "")


def test_apply_spec_example() -> None:
    # layer.md "Opaque Whiteout": the base layer, then bin/.wh..wh..opq
    lower = {
        "etc": 0,
        "etc/my-app-config": 0,
        "bin": 0,
        "bin/my-app-binary": 0,
        "bin/my-app-tools": 0,
        "bin/tools": 0,
        "bin/tools/my-app-tool-one": 0,
    }
    opaque = apply_whiteouts(lower, [], ["bin"])
    explicit = apply_whiteouts(lower, ["bin/my-app-binary", "bin/my-app-tools", "bin/tools"], [])
    # "Using explicit whiteout files, this would be equivalent"
    assert opaque == explicit == {"etc": 0, "etc/my-app-config": 0, "bin": 0}


def test_apply_root_opaque_and_nothing() -> None:
    lower = {"a": 1, "a/b": 2}
    assert apply_whiteouts(lower, [], [""]) == {}
    assert apply_whiteouts(lower, [], []) == lower
    assert apply_whiteouts(lower, ["missing"], []) == lower
    assert apply_whiteouts(lower, ["a"], []) == {}
