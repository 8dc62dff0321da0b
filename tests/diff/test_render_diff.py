"""render_diff: the summary line, folding, escaping of hostile values, determinism."""

from __future__ import annotations

import re

import orjson
import pytest

from reporter.diff import diff_reports
from reporter.errors import UsageError
from reporter.model import BaseImage
from reporter.render.diff import render_diff
from tests.factory import image, layer, pkg, report

HOSTILE = "x|y <script>alert(1)</script> [a](javascript:1) `code` \x1b[31mred\x1b[0m\nnext & more"


def _release_diff() -> tuple[bytes, bytes, bytes]:
    shared = tuple(layer(i, f"s{i}") for i in range(1, 8))
    old = image(
        packages=(
            pkg("deb", "libc6", "2.36-9+deb12u7", base=True),
            pkg("deb", "jq", "1.6-2.1"),
            *(pkg("python", f"lib{i:02d}", "1.0.0") for i in range(12)),
        ),
        layers=(layer(0, "base1", base=True), *shared, layer(8, "app1")),
        base=BaseImage("debian:12.7", "sha256:" + "1" * 64),
        labels={"note": "old"},
    )
    new = image(
        digest="sha256:" + "9" * 64,
        packages=(
            pkg("deb", "libc6", "2.36-9+deb12u8", base=True),
            pkg("deb", "netbase", "6.4"),
            pkg("deb", "tzdata", "2024a-0+deb12u1"),
            pkg("npm", HOSTILE, "1.0.0"),
            *(pkg("python", f"lib{i:02d}", "1.1.0") for i in range(12)),
        ),
        layers=(layer(0, "base2", base=True), *shared, layer(8, "app2")),
        base=BaseImage("debian:12.8", "sha256:" + "2" * 64),
        labels={"note": HOSTILE},
    )
    d = diff_reports(report(old, name="old.json"), report(new, name="new.tar"))
    return render_diff(d, "md"), render_diff(d, "html"), render_diff(d, "json")


def test_markdown_summary_line() -> None:
    md = _release_diff()[0].decode()
    assert "+3 −1 ↑13 ↓0 packages, base debian:12.7 → 12.8, 2 of 9 layers changed" in md


def test_markdown_folds_long_lists() -> None:
    md = _release_diff()[0].decode()
    assert "<details><summary>Upgraded (13)</summary>" in md
    assert "**Added (3)**" in md  # short lists stay open


def test_markdown_escapes_untrusted_values() -> None:
    md = _release_diff()[0].decode()
    assert "<script>" not in md
    assert "\x1b" not in md
    assert not re.search(r"(?<!\\)\]\(javascript:", md)  # the brackets are escaped: no link
    table_rows = [line for line in md.splitlines() if "alert" in line]
    assert table_rows
    for row in table_rows:
        # no unescaped pipe can add a cell: the row keeps its column count
        cells = re.split(r"(?<!\\)\|", row)
        assert len(cells) in (5, 7), row  # 3- and 5-column tables (+ the two outer edges)
        assert "\\`code\\`" in row
    assert "next &amp; more" in md


def test_html_is_self_contained_and_escaped() -> None:
    html = _release_diff()[1].decode()
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; ' in html
    )
    assert "style-src &#39;unsafe-inline&#39;" in html
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html
    assert not re.search(r"""(?:src|href)\s*=""", html)  # nothing fetched, nothing linked
    assert "http://" not in html
    assert "https://" not in html
    assert "<details><summary>Upgraded (13)</summary>" in html


def test_json_is_versioned_sorted_and_deterministic() -> None:
    _, _, data = _release_diff()
    assert data == _release_diff()[2]
    doc = orjson.loads(data)
    assert doc["schema"] == "oci-reporter/diff/v1"
    assert list(doc) == sorted(doc)
    (summary,) = doc["summary"]["images"]
    assert (summary["added"], summary["removed"], summary["upgraded"]) == (3, 1, 13)
    assert summary["text"].startswith("+3 −1 ↑13 ↓0 packages")
    assert doc["images"][0]["base"]["status"] == "updated"


def test_identical_reports_render_no_changes() -> None:
    r = report(image(packages=(pkg("deb", "libc6", "2.36-9+deb12u8"),)))
    d = diff_reports(r, r)
    assert "No differences." in render_diff(d, "md").decode()
    assert "No differences." in render_diff(d, "html").decode()
    assert orjson.loads(render_diff(d, "json"))["conditions"] == []


def test_unknown_format() -> None:
    r = report()
    with pytest.raises(UsageError):
        render_diff(diff_reports(r, r), "pdf")
