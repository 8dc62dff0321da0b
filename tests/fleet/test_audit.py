"""audit over a real fleet: discovery, per-input errors, exit codes, incremental re-runs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from reporter.fleet.audit import Candidate, audit_exit_code, discover, run_audit
from reporter.fleet.executors import local_executor
from reporter.fleet.inventory import InputResult, Inventory
from reporter.options import Options
from tests.fleet._run import cli, rows


def test_discovery_follows_links_but_not_loops(fleet: Path) -> None:
    found, searched = discover([str(fleet)])
    names = [os.path.relpath(c.path, fleet) for c in found]
    assert searched == [str(fleet)]
    # the alias names the same layout as real/debian-app.oci-gzip: kept once, by its real name
    assert names == [
        "bad/corrupt.tar.gz",
        "bad/tampered.oci",
        "real/debian-app.oci-gzip",
        "real/docker-buildkit-app.docker-save.tar.gz",
        "real/tiny-multiarch.oci",
        "samples/demo-docker-save.tar",
        "samples/demo-multiarch.oci",
    ]
    kinds = {os.path.basename(c.path): c.kind for c in found}
    assert kinds["tampered.oci"] == "directory"
    assert kinds["demo-docker-save.tar"] == "file"


def test_discovery_by_content_and_list_file(fleet: Path, tmp_path: Path) -> None:
    hidden = fleet / "samples" / "no-extension"
    hidden.write_bytes((fleet / "samples" / "demo-docker-save.tar").read_bytes())
    listing = tmp_path / "list.txt"
    listing.write_text(f"# the samples\n{fleet / 'samples'}\n\nfleet/real/tiny-multiarch.oci\n")
    found, _ = discover([f"@{listing}"])
    names = sorted(os.path.relpath(c.path, fleet) for c in found)
    assert "samples/no-extension" in names  # a tar by content, whatever its name
    assert "real/tiny-multiarch.oci" in names  # relative to the list file's directory
    # the layout reached only through the alias symlink in samples/ is audited under that name
    assert "samples/alias-of-debian" in names


def test_audit_real_fleet(fleet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "inv.sqlite"
    code, _, err = cli(capsys, "audit", str(fleet), "--db", str(db), "-q")
    assert code == 4, err  # the tampered copy outranks the corrupt file (3)
    status = dict(rows(db, "SELECT path, status || '/' || integrity FROM inputs"))
    assert status == {
        str(fleet / "bad/corrupt.tar.gz"): "error/unknown",
        str(fleet / "bad/tampered.oci"): "ok/failed",
        str(fleet / "real/debian-app.oci-gzip"): "ok/ok",
        str(fleet / "real/docker-buildkit-app.docker-save.tar.gz"): "ok/ok",
        str(fleet / "real/tiny-multiarch.oci"): "ok/ok",
        str(fleet / "samples/demo-docker-save.tar"): "ok/ok",
        str(fleet / "samples/demo-multiarch.oci"): "ok/ok",
    }
    (error,) = rows(db, "SELECT error FROM inputs WHERE path LIKE '%corrupt%'")[0]
    assert "corrupt.tar.gz" in error
    assert "\n" not in error
    # ground truth of the real fixtures (their README): 91 deb + 2 python, 92 deb + 2 python
    counts = dict(
        rows(
            db,
            "SELECT i.path || ' ' || m.platform, m.package_count FROM images m "
            "JOIN inputs i ON i.id = m.input_id WHERE i.path LIKE '%/real/%'",
        )
    )
    assert counts == {
        f"{fleet}/real/debian-app.oci-gzip linux/amd64": 93,
        f"{fleet}/real/docker-buildkit-app.docker-save.tar.gz linux/amd64": 94,
        f"{fleet}/real/tiny-multiarch.oci linux/amd64": 1,
        f"{fleet}/real/tiny-multiarch.oci linux/arm64": 1,
        f"{fleet}/real/tiny-multiarch.oci linux/arm/v7": 1,
    }
    by_type = rows(
        db,
        "SELECT p.type, count(*) FROM packages p JOIN images m ON m.id = p.image_id "
        "JOIN inputs i ON i.id = m.input_id WHERE i.path LIKE '%docker-buildkit%' GROUP BY 1",
    )
    assert dict(by_type) == {"deb": 92, "python": 2}
    # the tampered layer is named, with the digest it should have had
    kinds = rows(
        db,
        "SELECT f.kind FROM findings f JOIN inputs i ON i.id = f.input_id "
        "WHERE i.path LIKE '%tampered%' AND f.integrity = 1",
    )
    assert ("digest-mismatch",) in kinds
    # the docker-save app is built on debian-app by layer prefix (first 5 layers)
    (base,) = rows(
        db,
        "SELECT b.reference FROM images m JOIN images b ON b.id = m.fleet_base_id "
        "WHERE m.reference LIKE '%docker-buildkit-app%'",
    )
    assert base == ("1.0.0",)
    (packages,) = rows(
        db,
        "SELECT count(*) FROM packages p JOIN images m ON m.id = p.image_id "
        "WHERE m.reference LIKE '%docker-buildkit-app%' AND p.base = 0",
    )
    assert packages == (2,)  # netbase and urllib3 were added on top of debian-app


def test_rerun_skips_unchanged_and_replaces_changed(
    fleet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "inv.sqlite"
    cli(capsys, "audit", str(fleet / "real"), str(fleet / "samples"), "--db", str(db), "-q")
    first = rows(db, "SELECT path, id, audited_at FROM inputs ORDER BY path")
    code, _, err = cli(
        capsys, "audit", str(fleet / "real"), str(fleet / "samples"), "--db", str(db)
    )
    assert code == 0
    assert "audited 0, unchanged 5" in err
    assert rows(db, "SELECT path, id, audited_at FROM inputs ORDER BY path") == first

    # replace one input by another image: its rows are replaced, the others kept
    save = fleet / "samples" / "demo-docker-save.tar"
    tiny_packages = rows(db, "SELECT count(*) FROM packages")[0][0]
    os.unlink(save)
    shutil.copyfile(fleet / "real" / "docker-buildkit-app.docker-save.tar.gz", save)
    code, _, err = cli(
        capsys, "audit", str(fleet / "real"), str(fleet / "samples"), "--db", str(db)
    )
    assert "audited 1, unchanged 4" in err
    refs = rows(
        db,
        "SELECT m.reference FROM images m JOIN inputs i ON i.id = m.input_id WHERE i.path = ?",
        str(save),
    )
    assert refs == [("localhost/corpus/docker-buildkit-app:2.0.0",)]
    assert rows(db, "SELECT count(*) FROM packages")[0][0] == tiny_packages - 5 + 94

    # --verify audits everything again; a removed input is forgotten
    shutil_target = fleet / "samples" / "demo-multiarch.oci"
    shutil.rmtree(shutil_target)
    code, _, err = cli(
        capsys, "audit", str(fleet / "real"), str(fleet / "samples"), "--db", str(db), "--verify"
    )
    assert "audited 4, unchanged 0, forgotten 1" in err
    assert not rows(db, "SELECT 1 FROM inputs WHERE path = ?", str(shutil_target))


def test_verify_catches_a_blob_changed_behind_an_unchanged_index(
    fleet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.fleet.conftest import tamper_layer

    db = tmp_path / "inv.sqlite"
    layout = fleet / "real" / "debian-app.oci-gzip"
    assert cli(capsys, "audit", str(layout), "--db", str(db), "-q")[0] == 0
    tamper_layer(layout)
    assert cli(capsys, "audit", str(layout), "--db", str(db), "-q")[0] == 0  # skipped: says so
    assert cli(capsys, "audit", str(layout), "--db", str(db), "-q", "--verify")[0] == 4
    assert rows(db, "SELECT integrity FROM inputs") == [("failed",)]


def test_killed_audit_keeps_what_it_committed(fleet: Path, tmp_path: Path) -> None:
    db = tmp_path / "inv.sqlite"
    seen: list[str] = []

    def dies_after_two(candidates: Sequence[Candidate], options: Options) -> Iterator[InputResult]:
        for n, result in enumerate(local_executor(candidates, options)):
            if n == 2:
                raise KeyboardInterrupt
            seen.append(result.path)
            yield result

    inventory = Inventory(str(db))
    with pytest.raises(KeyboardInterrupt):
        run_audit(
            [str(fleet / "real"), str(fleet / "samples")],
            inventory,
            Options(),
            executor=dies_after_two,
        )
    inventory.close()
    assert sorted(r[0] for r in rows(db, "SELECT path FROM inputs")) == sorted(seen)
    inventory = Inventory(str(db))
    summary = run_audit(
        [str(fleet / "real"), str(fleet / "samples")], inventory, Options(), executor=local_executor
    )
    inventory.close()
    assert sorted(summary.skipped) == sorted(seen)
    assert len(summary.audited) == 3


def test_exit_code_ranking() -> None:
    assert audit_exit_code([]) == 0
    assert audit_exit_code([0, 3, 0]) == 3
    assert audit_exit_code([3, 4, 1]) == 4
    assert audit_exit_code([3, 1]) == 1


def test_inventory_files_are_refused_when_foreign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite"
    import sqlite3

    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    code, _, err = cli(capsys, "audit", str(tmp_path), "--db", str(other), "-q")
    assert code == 2
    assert err.count("\n") == 1
    assert "not an oci-reporter inventory" in err
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    code, _, err = cli(capsys, "query", "--db", str(junk))
    assert code == 2
    assert err.count("\n") == 1


def test_schema_doc_matches_the_ddl() -> None:
    from reporter.fleet.inventory import SCHEMA
    from tests.conftest import REPO

    doc = (REPO / "docs" / "inventory-schema.md").read_text()
    assert f"```sql\n{SCHEMA.strip()}\n```" in doc


def test_inventory_is_wal_and_versioned(tmp_path: Path) -> None:
    inventory = Inventory(str(tmp_path / "inv.sqlite"))
    assert inventory.journal_mode == "wal"
    inventory.close()
    assert rows(tmp_path / "inv.sqlite", "SELECT value FROM meta WHERE key = 'schema_version'") == [
        ("1",)
    ]
