"""query over an audited real fleet: ecosystem version order, filters, formats, read-only SQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from reporter.fleet.query import parse_spec
from tests.fleet._run import cli, rows

Audited = tuple[Path, Path, Path]


def _json(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> list[dict[str, object]]:
    code, out, err = cli(capsys, "query", "--db", str(db), "-f", "json", *argv)
    assert code == 0, err
    result: list[dict[str, object]] = json.loads(out)
    return result


def test_libssl3_versions_in_ecosystem_order(
    audited: Audited, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet, db, _ = audited
    # What the real images hold (syft's reference output agrees): libssl3 3.0.20-1~deb12u2 in
    # debian-app, in the docker-save app built on it, and in the tampered copy of debian-app.
    expected = {
        (str(fleet / p), "3.0.20-1~deb12u2")
        for p in (
            "bad/tampered.oci",
            "real/debian-app.oci-gzip",
            "real/docker-buildkit-app.docker-save.tar.gz",
        )
    }
    everything = _json(capsys, db, "--package", "libssl3")
    assert {(r["input"], r["version"]) for r in everything} == expected
    assert _json(capsys, db, "--package", "libssl3", "--version", "<3.0.14") == []
    # As strings "3.0.20" < "3.0.9"; in dpkg order it is newer: 3 rows, not 0.
    newer = _json(capsys, db, "--package", "libssl3", "--version", ">3.0.9")
    assert {(r["input"], r["version"]) for r in newer} == expected
    assert _json(capsys, db, "--package", "libssl3", "--version", "<3.0.9") == []
    ranged = _json(capsys, db, "--package", "libssl3", "--version", ">=3.0.20,<3.0.20-2")
    assert len(ranged) == 3
    # not the tampered copy's row: its failed layer 0 (os-release among its files) is not
    # catalogued, so that libssl3 has no distro and no purl
    row = next(r for r in newer if "/bad/" not in str(r["input"]))
    assert {
        "input",
        "reference",
        "platform",
        "manifest_digest",
        "type",
        "name",
        "version",
        "purl",
    } <= set(row)
    assert row["type"] == "deb"
    assert str(row["purl"]).startswith("pkg:deb/debian/libssl3@3.0.20-1~deb12u2")


def test_python_and_purl_filters(audited: Audited, capsys: pytest.CaptureFixture[str]) -> None:
    fleet, db, _ = audited
    urllib3 = _json(capsys, db, "--type", "python", "--package", "urllib3")
    assert [(r["input"], r["version"]) for r in urllib3] == [
        (str(fleet / "real/docker-buildkit-app.docker-save.tar.gz"), "2.2.1")
    ]
    assert _json(capsys, db, "--package", "urllib3", "--version", "<2.2.1") == []
    assert len(_json(capsys, db, "--package", "urllib3", "--version", "==2.2.1.0")) == 1  # PEP 440
    purl = _json(capsys, db, "--purl", "pkg:pypi/packaging")
    assert {str(r["name"]).lower() for r in purl} == {"packaging"}
    assert len(purl) == 3  # debian-app, its tampered copy, and the app built on it


def test_integrity_and_base_queries(audited: Audited, capsys: pytest.CaptureFixture[str]) -> None:
    fleet, db, _ = audited
    failed = _json(capsys, db, "--integrity", "failed")
    assert [r["input"] for r in failed] == [str(fleet / "bad/tampered.oci")]
    on_debian_app = _json(capsys, db, "--base", "1.0.0")  # the fleet base's reference
    assert [r["input"] for r in on_debian_app] == [
        str(fleet / "real/docker-buildkit-app.docker-save.tar.gz")
    ]
    named = _json(capsys, db, "--base", "localhost/corpus/debian-minbase")
    assert {r["input"] for r in named} == {
        str(fleet / "bad/tampered.oci"),
        str(fleet / "real/debian-app.oci-gzip"),
    }
    assert _json(capsys, db, "--stale-base") == []


def test_stale_base_when_the_named_base_moved_on(tmp_path: Path) -> None:
    import sqlite3

    from reporter.fleet.inventory import Inventory

    inv = Inventory(str(tmp_path / "inv.sqlite"))
    inv.close()
    with sqlite3.connect(tmp_path / "inv.sqlite") as db:
        db.execute(
            "INSERT INTO inputs VALUES (1, '/x', 'file', 1, 1, '', 'oci', 'ok', 'ok', NULL, NULL,"
            " 0, 'now', 0, 'v')"
        )
        for image_id, ref, base in ((1, "base:1", None), (2, "app:1", "base:1")):
            db.execute(
                "INSERT INTO images (id, input_id, position, reference, refs, platform, "
                "manifest_digest, config_digest, integrity, base_name, base_confidence, "
                "layer_count, package_count) VALUES (?, 1, ?, ?, json_array(?), 'linux/amd64', "
                "'m', 'c', 'ok', ?, 'medium', 2, 0)",
                (image_id, image_id, ref, ref, base),
            )
        # the app was built on a base whose second layer is no longer base:1's
        db.executemany(
            "INSERT INTO layers (image_id, position, digest, media_type, size, verified) "
            "VALUES (?, ?, ?, 't', 1, 1)",
            [(1, 0, "a"), (1, 1, "b"), (2, 0, "a"), (2, 1, "old-b"), (2, 2, "c")],
        )
    inv = Inventory(str(tmp_path / "inv.sqlite"))
    inv.refresh_fleet()
    inv.close()
    assert rows(tmp_path / "inv.sqlite", "SELECT reference, base_state FROM images") == [
        ("base:1", "unknown"),
        ("app:1", "stale"),
    ]


def test_sql_is_read_only(
    audited: Audited,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, db, _ = audited
    monkeypatch.chdir(tmp_path)
    before = rows(db, "SELECT count(*) FROM inputs")
    for statement in (
        "DELETE FROM inputs",
        "UPDATE images SET integrity = 'ok'",
        "CREATE TABLE x (y)",
        "ATTACH DATABASE 'other.sqlite' AS o",
    ):
        code, out, err = cli(capsys, "query", "--db", str(db), "--sql", statement)
        assert code == 2, statement
        assert out == ""
        assert err.count("\n") == 1, err
        assert "read-only" in err, err
    assert rows(db, "SELECT count(*) FROM inputs") == before
    assert list(tmp_path.iterdir()) == []  # ATTACH created no file
    code, out, _ = cli(
        capsys,
        "query",
        "--db",
        str(db),
        "-f",
        "csv",
        "--sql",
        "SELECT name, count(*) AS images FROM packages WHERE name = 'busybox-static' GROUP BY 1",
    )
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [["name", "images"], ["busybox-static", "3"]]


def test_table_format(audited: Audited, capsys: pytest.CaptureFixture[str]) -> None:
    _, db, _ = audited
    code, out, _ = cli(capsys, "query", "--db", str(db), "--package", "netbase")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["input", "reference", "platform", "manifest_digest"]
    assert lines[-1] == "(1 row)"


def test_version_spec_parsing() -> None:
    assert parse_spec(">=1.2, <2").clauses == ((">=", "1.2"), ("<", "2"))
    assert parse_spec("1.0").clauses == (("==", "1.0"),)
    assert parse_spec(">=1.2,<2").matches("python", "1.10")
    assert not parse_spec(">=1.2,<2").matches("python", "2.0")
    from reporter.errors import UsageError

    with pytest.raises(UsageError):
        parse_spec("<")
