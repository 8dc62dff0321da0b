"""The fleet inventory: one SQLite file (stdlib ``sqlite3``, WAL), schema documented in
``docs/inventory-schema.md``.

Each audited input is written in **one transaction** (``BEGIN IMMEDIATE`` … ``COMMIT``): its old
rows (and, through ``ON DELETE CASCADE``, their images, layers, packages, findings, provenance
and report files) are replaced by the new ones, or nothing changes. A killed audit therefore
loses at most the input it was writing, and the next run skips every input already committed
with the same identity. WAL lets ``query`` and the ``sqlite3`` shell read while an audit writes.

The fleet-wide columns (``images.fleet_base_id``, ``images.base_state``) depend on every image,
so they are recomputed by :meth:`Inventory.refresh_fleet` in a last transaction of their own.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import orjson

from reporter import __version__
from reporter.errors import UsageError
from reporter.model import Finding, ImageReport, Report

__all__ = [
    "SCHEMA_VERSION",
    "InputResult",
    "Inventory",
    "KnownInput",
    "ReportFile",
    "image_integrity_failed",
]

SCHEMA_VERSION = 1

# Keep in step with docs/inventory-schema.md (tests/fleet/test_inventory.py compares them).
SCHEMA = """
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE inputs (
  id          INTEGER PRIMARY KEY,
  path        TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL,
  size        INTEGER NOT NULL,
  mtime_ns    INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  format      TEXT,
  status      TEXT NOT NULL,
  integrity   TEXT NOT NULL,
  error_kind  TEXT,
  error       TEXT,
  exit_code   INTEGER NOT NULL,
  audited_at  TEXT NOT NULL,
  seconds     REAL NOT NULL,
  tool_version TEXT NOT NULL
);
CREATE TABLE images (
  id               INTEGER PRIMARY KEY,
  input_id         INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  position         INTEGER NOT NULL,
  reference        TEXT NOT NULL,
  refs             TEXT NOT NULL,
  platform         TEXT NOT NULL,
  index_digest     TEXT,
  manifest_digest  TEXT NOT NULL,
  config_digest    TEXT NOT NULL,
  created          TEXT,
  integrity        TEXT NOT NULL,
  distro_id        TEXT,
  distro_version   TEXT,
  distro_name      TEXT,
  base_name        TEXT,
  base_digest      TEXT,
  base_confidence  TEXT NOT NULL,
  base_layer_count INTEGER,
  fleet_base_id    INTEGER REFERENCES images(id) ON DELETE SET NULL,
  base_state       TEXT NOT NULL DEFAULT 'unknown',
  layer_count      INTEGER NOT NULL,
  package_count    INTEGER NOT NULL,
  UNIQUE (input_id, position)
);
CREATE TABLE layers (
  image_id          INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  position          INTEGER NOT NULL,
  digest            TEXT NOT NULL,
  diff_id           TEXT,
  media_type        TEXT NOT NULL,
  size              INTEGER NOT NULL,
  uncompressed_size INTEGER,
  verified          INTEGER NOT NULL,
  diff_id_verified  INTEGER,
  base              INTEGER,
  created_by        TEXT,
  PRIMARY KEY (image_id, position)
);
CREATE TABLE packages (
  id           INTEGER PRIMARY KEY,
  image_id     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  type         TEXT NOT NULL,
  name         TEXT NOT NULL,
  version      TEXT NOT NULL,
  purl         TEXT NOT NULL,
  cpe          TEXT,
  licenses     TEXT NOT NULL,
  layer_index  INTEGER,
  layer_digest TEXT,
  base         INTEGER,
  cataloger    TEXT NOT NULL,
  path         TEXT
);
CREATE TABLE findings (
  id        INTEGER PRIMARY KEY,
  input_id  INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  image_id  INTEGER REFERENCES images(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL,
  severity  TEXT NOT NULL,
  message   TEXT NOT NULL,
  location  TEXT NOT NULL,
  expected  TEXT,
  actual    TEXT,
  integrity INTEGER NOT NULL
);
CREATE TABLE provenance (
  image_id      INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  origin        TEXT NOT NULL,
  origin_detail TEXT NOT NULL
);
CREATE TABLE sources (
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  type     TEXT NOT NULL,
  ref      TEXT NOT NULL,
  pin      TEXT NOT NULL,
  origin   TEXT NOT NULL
);
CREATE TABLE report_files (
  input_id INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  image_id INTEGER REFERENCES images(id) ON DELETE CASCADE,
  format   TEXT NOT NULL,
  path     TEXT NOT NULL UNIQUE
);
CREATE INDEX packages_name ON packages (name);
CREATE INDEX packages_purl ON packages (purl);
CREATE INDEX packages_image ON packages (image_id);
CREATE INDEX images_input ON images (input_id);
CREATE INDEX images_manifest ON images (manifest_digest);
CREATE INDEX layers_digest ON layers (digest);
CREATE INDEX findings_input ON findings (input_id);
CREATE INDEX provenance_image ON provenance (image_id);
"""


@dataclass(frozen=True, slots=True)
class ReportFile:
    """A per-image report written by ``audit --output-dir``: (image position, format, path)."""

    position: int | None
    format: str
    path: str


@dataclass(frozen=True, slots=True)
class InputResult:
    """What auditing one input gave: a Report, or the one-line error that stopped it."""

    path: str
    kind: str  # "file" | "directory"
    size: int
    mtime_ns: int
    fingerprint: str  # directories: sha256 of index.json (it names the manifests); files: ""
    report: Report | None = None
    error_kind: str = ""  # the ReporterError class name, or "internal"
    error: str = ""
    exit_code: int = 0
    seconds: float = 0.0
    report_files: tuple[ReportFile, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class KnownInput:
    path: str
    size: int
    mtime_ns: int
    fingerprint: str
    exit_code: int
    tool_version: str


def _all_findings(image: ImageReport) -> tuple[Finding, ...]:
    return image.description.findings + image.findings


def image_integrity_failed(image: ImageReport) -> bool:
    return any(f.integrity for f in _all_findings(image))


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Inventory:
    """A read-write inventory; ``Inventory(path)`` creates it (schema v1) when missing."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per input.
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA foreign_keys = ON")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._setup()
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"not a usable inventory database ({exc})", where=path) from None
        self.journal_mode = str(mode[0]) if mode else ""

    def _setup(self) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if "meta" not in tables:
            if tables:
                raise UsageError(
                    "an SQLite database that is not an oci-reporter inventory", where=self.path
                )
            with self.transaction():
                # executescript() would COMMIT first: statement by statement, inside BEGIN.
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("created_by", f"oci-reporter {__version__}"),
                        ("created_at", _now()),
                    ],
                )
            return
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or row[0] != str(SCHEMA_VERSION):
            found = row[0] if row else "none"
            raise UsageError(
                f"inventory schema version {found} is not supported (this tool writes "
                f"v{SCHEMA_VERSION}; audit into a new --db file)",
                where=self.path,
            )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def known(self) -> dict[str, KnownInput]:
        """Every input already committed, by path: what the incremental skip compares."""
        rows = self._db.execute(
            "SELECT path, size, mtime_ns, fingerprint, exit_code, tool_version FROM inputs"
        )
        return {r[0]: KnownInput(*r) for r in rows}

    def report_paths(self, path: str) -> list[str]:
        """The report files recorded for input ``path`` (to mark the ones a re-run drops)."""
        rows = self._db.execute(
            "SELECT f.path FROM report_files f JOIN inputs i ON i.id = f.input_id "
            "WHERE i.path = ? ORDER BY f.path",
            (path,),
        )
        return [r[0] for r in rows]

    def all_report_paths(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT path FROM report_files")}

    def record(self, result: InputResult) -> None:
        """Replace every row of ``result.path`` with ``result``, in one transaction."""
        report = result.report
        # An input that could not be read has no verdict, unless what stopped it was tampering.
        integrity = "ok" if report is not None else "unknown"
        if result.exit_code == 4 or (report is not None and not report.integrity_ok):
            integrity = "failed"
        status = "error" if result.error else "ok"
        with self.transaction() as db:
            db.execute("DELETE FROM inputs WHERE path = ?", (result.path,))
            cursor = db.execute(
                "INSERT INTO inputs (path, kind, size, mtime_ns, fingerprint, format, status, "
                "integrity, error_kind, error, exit_code, audited_at, seconds, tool_version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result.path,
                    result.kind,
                    result.size,
                    result.mtime_ns,
                    result.fingerprint,
                    report.input_format if report else None,
                    status,
                    integrity,
                    result.error_kind or None,
                    result.error or None,
                    result.exit_code,
                    _now(),
                    round(result.seconds, 3),
                    __version__,
                ),
            )
            input_id = cursor.lastrowid
            assert input_id is not None
            image_ids: dict[int, int] = {}
            if report is not None:
                self._findings(db, input_id, None, report.findings)
                for position, image in enumerate(report.images):
                    image_ids[position] = self._image(db, input_id, position, image)
            for item in result.report_files:
                db.execute(
                    "INSERT OR REPLACE INTO report_files (input_id, image_id, format, path) "
                    "VALUES (?, ?, ?, ?)",
                    (
                        input_id,
                        None if item.position is None else image_ids.get(item.position),
                        item.format,
                        item.path,
                    ),
                )

    @staticmethod
    def _findings(
        db: sqlite3.Connection, input_id: int, image_id: int | None, found: Sequence[Finding]
    ) -> None:
        db.executemany(
            "INSERT INTO findings (input_id, image_id, kind, severity, message, location, "
            "expected, actual, integrity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    input_id,
                    image_id,
                    str(f.kind),
                    f.severity,
                    f.message,
                    f.where,
                    f.expected,
                    f.actual,
                    int(f.integrity),
                )
                for f in found
            ],
        )

    def _image(
        self, db: sqlite3.Connection, input_id: int, position: int, image: ImageReport
    ) -> int:
        desc = image.description
        target = desc.target
        distro = image.distro
        base = image.base
        cursor = db.execute(
            "INSERT INTO images (input_id, position, reference, refs, platform, index_digest, "
            "manifest_digest, config_digest, created, integrity, distro_id, distro_version, "
            "distro_name, base_name, base_digest, base_confidence, base_layer_count, "
            "layer_count, package_count) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                input_id,
                position,
                target.refs[0] if target.refs else "",
                orjson.dumps(list(target.refs)).decode(),
                str(desc.platform),
                target.parents[-1] if target.parents else None,
                target.manifest.digest,
                desc.config.digest,
                desc.config.created or None,
                "failed" if image_integrity_failed(image) else "ok",
                (distro.id or None) if distro else None,
                (distro.version_id or None) if distro else None,
                (distro.pretty_name or None) if distro else None,
                base.name or None,
                base.digest or None,
                base.confidence,
                base.layer_count,
                len(desc.layers),
                len(image.packages),
            ),
        )
        image_id = cursor.lastrowid
        assert image_id is not None
        db.executemany(
            "INSERT INTO layers (image_id, position, digest, diff_id, media_type, size, "
            "uncompressed_size, verified, diff_id_verified, base, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    image_id,
                    layer.index,
                    layer.digest,
                    layer.diff_id or None,
                    layer.media_type,
                    layer.size,
                    layer.uncompressed_size,
                    int(layer.verified),
                    _flag(layer.diff_id_verified),
                    _flag(layer.base),
                    layer.created_by or None,
                )
                for layer in desc.layers
            ],
        )
        db.executemany(
            "INSERT INTO packages (image_id, type, name, version, purl, cpe, licenses, "
            "layer_index, layer_digest, base, cataloger, path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    image_id,
                    p.type,
                    p.name,
                    p.version,
                    p.purl,
                    None,  # the catalogers derive no CPEs yet (docs/inventory-schema.md)
                    orjson.dumps(list(p.licenses)).decode(),
                    p.layer_index,
                    p.layer_digest or None,
                    _flag(p.base),
                    p.cataloger,
                    p.locations[0].path if p.locations else None,
                )
                for p in image.packages
            ],
        )
        self._findings(db, input_id, image_id, _all_findings(image))
        db.executemany(
            "INSERT INTO provenance (image_id, key, value, origin, origin_detail) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (image_id, fact.key, fact.value, fact.origin, fact.origin_detail)
                for fact in image.provenance.facts
            ],
        )
        db.executemany(
            "INSERT INTO sources (image_id, type, ref, pin, origin) VALUES (?, ?, ?, ?, ?)",
            [(image_id, s.type, s.ref, s.pin, s.origin) for s in image.provenance.sources],
        )
        return image_id

    def drop_missing(self, keep: set[str], under: Sequence[str]) -> list[str]:
        """Forget inputs below a searched directory that the search no longer finds."""
        gone: list[str] = []
        for (path,) in self._db.execute("SELECT path FROM inputs ORDER BY path").fetchall():
            if path in keep:
                continue
            if any(path.startswith(root.rstrip(os.sep) + os.sep) for root in under):
                gone.append(path)
        for path in gone:
            with self.transaction() as db:
                db.execute("DELETE FROM inputs WHERE path = ?", (path,))
        return gone

    def refresh_fleet(self) -> None:
        """Recompute each image's fleet base and base state from every image in the inventory.

        Fleet base: the image of the same platform whose layer diff_ids are the longest proper
        prefix of this image's (a layer-prefix match, the strongest base evidence). Base state,
        for an image whose base is named (annotation, label, provenance): ``current`` when an
        inventory image with that reference is a layer prefix of it, ``stale`` when inventory
        images carry that reference but none is a prefix (the base moved on: rebuild), else
        ``unknown``.
        """
        images = self._db.execute(
            "SELECT id, platform, refs, base_name FROM images ORDER BY id"
        ).fetchall()
        chains: dict[int, tuple[str, ...]] = {}
        for image_id, *_ in images:
            rows = self._db.execute(
                "SELECT COALESCE(diff_id, digest) FROM layers WHERE image_id = ? ORDER BY position",
                (image_id,),
            )
            chains[image_id] = tuple(r[0] for r in rows)
        by_ref: dict[str, list[int]] = {}
        for image_id, _, refs, _ in images:
            for ref in orjson.loads(refs):
                by_ref.setdefault(ref, []).append(image_id)
        platform = {row[0]: row[1] for row in images}
        updates: list[tuple[int | None, str, int]] = []
        for image_id, plat, _, base_name in images:
            chain = chains[image_id]
            best: tuple[int, int] | None = None  # (prefix length, image id)
            for other, other_chain in chains.items():
                if other == image_id or platform[other] != plat or not other_chain:
                    continue
                if len(other_chain) < len(chain) and chain[: len(other_chain)] == other_chain:
                    candidate = (len(other_chain), -other)
                    if best is None or candidate > best:
                        best = candidate
            fleet_base = -best[1] if best else None
            state = "unknown"
            named = [i for i in _named(by_ref, base_name) if platform[i] == plat and i != image_id]
            if named:
                prefix = any(_is_prefix(chains[i], chain) for i in named)
                state = "current" if prefix else "stale"
            updates.append((fleet_base, state, image_id))
        with self.transaction() as db:
            db.executemany(
                "UPDATE images SET fleet_base_id = ?, base_state = ? WHERE id = ?", updates
            )


def _is_prefix(base: tuple[str, ...], chain: tuple[str, ...]) -> bool:
    return bool(base) and len(base) < len(chain) and chain[: len(base)] == base


def _named(by_ref: dict[str, list[int]], base_name: str | None) -> list[int]:
    """Images whose reference is the declared base name (``name:tag`` or a bare ``tag``)."""
    if not base_name:
        return []
    found = list(by_ref.get(base_name, ()))
    name = base_name.split("@", 1)[0]
    if name != base_name:
        found.extend(by_ref.get(name, ()))
    tag = name.rpartition(":")[2] if ":" in name.rpartition("/")[2] else ""
    if tag:  # an OCI layout's ref.name is often just the tag ("1.0.0")
        found.extend(i for i in by_ref.get(tag, ()) if i not in found)
    return found
