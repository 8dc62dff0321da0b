"""Report injection: labels, annotations, refs, file and package names chosen by an attacker.

HTML: nothing the image says becomes markup, a script, or a ``javascript:`` link. Markdown:
no raw HTML, no table cell or row an image value did not earn. Terminal (inspect table and
Markdown): no escape sequences, no forged lines. JSON keeps the values exactly, as data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from samples.build import DEFAULT_ANNOTATIONS, DEFAULT_LABELS, canonical
from tests.hostile._build import Sample, TarFile, custom_layout, gzip_bytes, tar_bytes
from tests.hostile._cli import cli

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
JS_URL = "javascript:alert(document.domain)"
TABLE = "a | b | c\n| --- | --- |\n| forged | row |"
ESC = "\x1b[2J\x1b]0;owned\x07\x1b[31mRED\x1b[0m"
FORGED = "x\n  ! error digest-mismatch: forged line\nIMAGE linux/amd64 forged"
HOSTILE = [SCRIPT, IMG, JS_URL, TABLE, ESC, FORGED]

LABELS = {
    **DEFAULT_LABELS,
    "org.opencontainers.image.title": SCRIPT,
    "org.opencontainers.image.source": JS_URL,
    "org.opencontainers.image.url": JS_URL,
    "org.opencontainers.image.description": TABLE,
    "org.opencontainers.image.vendor": ESC,
    "org.opencontainers.image.authors": FORGED,
    IMG: "key is hostile too",
}
ANNOTATIONS = {
    **DEFAULT_ANNOTATIONS,
    "org.opencontainers.image.documentation": JS_URL,
    "org.opencontainers.image.title": IMG,
    "com.example.note": ESC + TABLE,
}


def _hostile_layer() -> bytes:
    apk = (
        f"P:{SCRIPT}\nV:1.0-r0\nA:x86_64\nL:{IMG}\nU:{JS_URL}\n\n"
        f"P:pipe|name|x\nV:1|2\nA:x86_64\nL:MIT\n\n"
        f"P:esc\x1b[31mname\nV:1.0\nA:x86_64\nL:MIT\n\n"
    ).encode()
    metadata = f"Metadata-Version: 2.1\nName: evil-{IMG}\nVersion: 1.0\nLicense: {SCRIPT}\n"
    npm = {"name": f"{JS_URL}", "version": "1.0.0", "license": TABLE, "homepage": JS_URL}
    site = "usr/lib/python3.11/site-packages"
    return tar_bytes(
        [
            TarFile("etc", kind="dir"),
            TarFile(
                "etc/os-release", f"ID=alpine\nVERSION_ID=3.19\nPRETTY_NAME={SCRIPT}\n".encode()
            ),
            TarFile("lib/apk/db/installed", apk),
            TarFile(f"{site}/evil-1.0.dist-info/METADATA", metadata.encode()),
            TarFile("opt/node_modules/x/package.json", canonical(npm)),
            TarFile(f"opt/{SCRIPT}", b"x"),
            TarFile("opt/esc\x1b[31m|name", b"x"),
            TarFile("opt/link", kind="symlink", link=JS_URL),
        ]
    )


@pytest.fixture
def hostile(tmp_path: Path) -> Sample:
    return custom_layout(
        tmp_path / "hostile",
        [gzip_bytes(_hostile_layer())],
        labels=LABELS,
        annotations=ANNOTATIONS,
        ref=SCRIPT + JS_URL,
    )


@pytest.fixture
def outputs(hostile: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "out"
    run = cli(
        capsys,
        "report",
        str(hostile.root),
        *("-f", "html", "-f", "md", "-f", "json", "-f", "cyclonedx-json", "-f", "spdx-json"),
        "--output-dir",
        str(out),
    )
    assert run.code == 0, run.err
    return out


def test_packages_with_hostile_names_were_found(outputs: Path) -> None:
    report = json.loads((outputs / "report.json").read_bytes())
    names = {p["name"] for p in report["images"][0]["packages"]}
    assert SCRIPT in names  # JSON keeps the value exactly: it is data, not markup
    assert any("<img src=x" in name for name in names), names


def test_html_has_no_markup_from_the_image(outputs: Path) -> None:
    html = (outputs / "report.html").read_text()
    for value in (SCRIPT, IMG, "<script>window", "<img src=x"):
        assert value not in html
    assert "\x1b" not in html
    hrefs = re.findall(r"""href\s*=\s*["']?([^"'\s>]*)""", html, flags=re.I)
    assert not [h for h in hrefs if h.lower().lstrip().startswith(("javascript:", "data:"))]
    # the report's own scripts only: none of them mention what the image said
    for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S | re.I):
        assert "__pwned" not in script


def test_markdown_has_no_markup_or_forged_cells(outputs: Path) -> None:
    md = (outputs / "report.md").read_text()
    assert "<script" not in md
    assert "<img" not in md
    assert "\x1b" not in md
    assert "| forged | row |" not in md
    assert "](javascript:" not in md.lower()
    for line in md.splitlines():
        assert not line.startswith("  ! error digest-mismatch: forged")
        assert not line.startswith("IMAGE linux/amd64 forged")
    # every table row has as many cells as its header
    width = 0
    for line in md.splitlines():
        if not line.startswith("|"):
            width = 0
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        if width == 0:
            width = cells
        assert cells == width, line


def test_sboms_keep_values_as_escaped_data(outputs: Path) -> None:
    for path in outputs.iterdir():
        if path.suffix == ".json":
            json.loads(path.read_bytes())  # well-formed whatever the strings were


def test_inspect_table_strips_terminal_sequences(
    hostile: Sample, capsys: pytest.CaptureFixture[str]
) -> None:
    run = cli(capsys, "inspect", str(hostile.root))
    assert run.code == 0, run.err
    assert "\x1b" not in run.out
    assert "\x07" not in run.out
    assert "\x9b" not in run.out
    assert "[2J" not in run.out
    for line in run.out.splitlines():
        assert not line.startswith("  ! error digest-mismatch: forged")
        assert not line.startswith("IMAGE linux/amd64 forged")


def test_inspect_table_cleans_every_image_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Platform, media types and digests come from the image too (they were printed raw)."""
    sample = custom_layout(
        tmp_path / "img",
        [gzip_bytes(tar_bytes([TarFile("a", b"a")]))],
        config={"architecture": "amd64\x1b[2J\nIMAGE forged", "os": "linux\x1b]0;t\x07"},
    )
    manifest = sample.manifest
    manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json\x1b[31m"
    data = canonical(manifest)
    from tests.hostile._build import sha256

    sample.blob(sha256(data)).write_bytes(data)
    index = json.loads(sample.index_json.read_bytes())
    index["manifests"][0].update(digest=sha256(data), size=len(data))
    index["manifests"][0].pop("platform")
    sample.index_json.write_bytes(canonical(index))
    run = cli(capsys, "inspect", str(sample.root))
    assert "\x1b" not in run.out
    assert "\x07" not in run.out
    assert not any(line.startswith("IMAGE forged") for line in run.out.splitlines())


def test_markdown_through_the_cli_to_stdout(
    hostile: Sample, capsys: pytest.CaptureFixture[str]
) -> None:
    run = cli(capsys, "report", str(hostile.root), "-f", "md")
    assert run.code == 0, run.err
    assert "\x1b" not in run.out
    assert "<script" not in run.out


def test_hostile_values_in_every_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each hostile string in turn as the value of every label the report shows."""
    for position, value in enumerate(HOSTILE):
        labels = dict.fromkeys(DEFAULT_LABELS, value)
        sample = custom_layout(
            tmp_path / str(position),
            [gzip_bytes(tar_bytes([TarFile("etc/os-release", b"ID=alpine\n")]))],
            labels=labels,
            annotations=dict.fromkeys(DEFAULT_ANNOTATIONS, value),
        )
        out = tmp_path / f"out{position}"
        run = cli(
            capsys, "report", str(sample.root), "-f", "html", "-f", "md", "--output-dir", str(out)
        )
        assert run.code == 0, run.err
        html = (out / "report.html").read_text()
        md = (out / "report.md").read_text()
        assert "<script>window" not in html
        assert "<img src=x" not in html
        assert "<script" not in md
        assert "\x1b" not in html + md
