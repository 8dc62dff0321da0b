"""The fleet page and the per-image reports of audit --output-dir."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from reporter.fleet.outputs import per_image_name
from tests.fleet._run import cli, rows

Audited = tuple[Path, Path, Path]


def test_per_image_reports_are_distinct_and_recorded(audited: Audited) -> None:
    _, db, out = audited
    files = sorted(os.listdir(out))
    recorded = sorted(os.path.basename(p) for (p,) in rows(db, "SELECT path FROM report_files"))
    assert files == recorded
    assert len(files) == 2 * 9  # 8 images of good inputs + the tampered copy
    html = [f for f in files if f.endswith(".html")]
    assert any(f.startswith("tiny-multiarch.oci--multi--linux_arm_v7-") for f in html)
    text = (out / next(f for f in html if f.startswith("debian-app"))).read_text()
    assert "Content-Security-Policy" in text
    assert "libssl3" in text


def test_names_never_collide() -> None:
    names = {
        per_image_name("/a/app.tar", 0, "app:1", "linux/amd64", "sha256:1"),
        per_image_name("/b/app.tar", 0, "app:1", "linux/amd64", "sha256:1"),
        per_image_name("/a/app.tar", 1, "app:1", "linux/amd64", "sha256:1"),
        per_image_name("/a/app.tar", 0, "app:1", "linux/amd64", "sha256:2"),
    }
    assert len(names) == 4
    hostile = per_image_name("/x/../../etc/passwd", 0, "../../x\x1b[31m", "linux/amd64", "m")
    assert re.fullmatch(r"[a-z0-9._-]+", hostile)


def test_stale_reports_are_marked(
    fleet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out = tmp_path / "inv.sqlite", tmp_path / "out"
    target = fleet / "samples"
    assert (
        cli(capsys, "audit", str(target), "--db", str(db), "--output-dir", str(out), "-q")[0] == 0
    )
    before = set(os.listdir(out))
    shutil.rmtree(target / "demo-multiarch.oci")
    shutil.copytree(fleet / "real" / "tiny-multiarch.oci", target / "demo-multiarch.oci")
    assert (
        cli(capsys, "audit", str(target), "--db", str(db), "--output-dir", str(out), "-q")[0] == 0
    )
    after = set(os.listdir(out))
    stale = {f for f in after if f.endswith(".stale")}
    assert {f.removesuffix(".stale") for f in stale} == {
        f for f in before if f.startswith("demo-multiarch.oci--")
    }
    assert len([f for f in after - stale if f.startswith("demo-multiarch.oci--multi--")]) == 3


def test_fleet_page_html(
    audited: Audited, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fleet, db, out = audited
    page = out.parent / "fleet.html"
    code, _, err = cli(capsys, "report", "--db", str(db), "-f", "html", "-o", str(page))
    assert code == 0, err
    html = page.read_text()
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1)
    assert "<script src" not in html
    assert "<link" not in html
    assert html.count("<tr><td>deb</td><td>libssl3</td>") == 3
    links = re.findall(r'href="([^"#]+)"', html)
    assert len(links) == 18
    assert all((page.parent / link).is_file() for link in links)
    assert "FAILED" in html
    assert "corrupt.tar.gz" in html


def test_fleet_page_escapes_hostile_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    from reporter.fleet.inventory import Inventory

    db = tmp_path / "inv.sqlite"
    Inventory(str(db)).close()
    evil = "<script>alert(1)</script>|`x`"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO inputs VALUES (1, ?, 'file', 1, 1, '', NULL, 'error', 'unknown', "
            "'InputError', ?, 3, 'now', 0, 'v')",
            (f"/m/{evil}", evil),
        )
    code, out, _ = cli(capsys, "report", "--db", str(db), "-f", "html")
    assert code == 0
    assert "<script>alert" not in out
    assert "&lt;script&gt;" in out
    code, out, _ = cli(capsys, "report", "--db", str(db), "-f", "md")
    assert code == 0
    assert "<script>" not in out
    assert "\\|" in out


def test_report_db_usage_errors(audited: Audited, capsys: pytest.CaptureFixture[str]) -> None:
    fleet, db, _ = audited
    code, _, err = cli(capsys, "report", str(fleet), "--db", str(db))
    assert code == 2
    assert err.count("\n") == 1
    code, _, err = cli(capsys, "report", "--db", str(db), "-f", "cyclonedx-json")
    assert code == 2
    assert err.count("\n") == 1
