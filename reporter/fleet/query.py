"""``query --db FILE``: read-only questions over an inventory, as table, JSON or CSV.

The database is opened read-only twice over: the URI says ``mode=ro`` (SQLite refuses to open
it for writing) and ``PRAGMA query_only`` makes any write statement fail, so ``--sql`` cannot
change the inventory whatever it says; such an attempt is one line and exit 2.

Version specs (``--version '<3.0.14'``, ``'>=1.2,<2'``, ``'==1.0'``, ``'!=2'``, a bare version
meaning ``==``) are compared with ``reporter.versions.compare`` under each package's own
ecosystem (dpkg for deb, PEP 440 for python, …), never as strings: ``3.0.9 < 3.0.14``.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from reporter.errors import UsageError
from reporter.fleet.inventory import SCHEMA_VERSION
from reporter.versions import compare

__all__ = ["Query", "VersionSpec", "format_rows", "open_read_only", "parse_spec", "run_query"]

_CLAUSE = re.compile(r"^\s*(<=|>=|==|!=|<|>|=)?\s*([0-9A-Za-z]\S*)\s*$")
_TESTS: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
    "==": lambda c: c == 0,
    "!=": lambda c: c != 0,
}


@dataclass(frozen=True, slots=True)
class VersionSpec:
    clauses: tuple[tuple[str, str], ...]

    def matches(self, pkg_type: str, version: str) -> bool:
        return all(_TESTS[op](compare(pkg_type, version, bound)) for op, bound in self.clauses)


def parse_spec(text: str) -> VersionSpec:
    clauses = []
    for part in text.split(","):
        match = _CLAUSE.match(part)
        if match is None:
            raise UsageError(f"--version: not a version constraint: {part.strip()!r}")
        op = match.group(1) or "=="
        clauses.append(("==" if op == "=" else op, match.group(2)))
    return VersionSpec(tuple(clauses))


@dataclass(frozen=True, slots=True)
class Query:
    package: str = ""
    version: str = ""
    type: str = ""
    purl: str = ""
    integrity: str = ""  # "failed" | "ok" | ""
    base: str = ""
    stale_base: bool = False
    sql: str = ""


def open_read_only(path: str) -> sqlite3.Connection:
    if not Path(path).is_file():
        raise UsageError("no such inventory", where=path)
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True)
        db.execute("PRAGMA query_only = ON")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        # Third lock: mode=ro and query_only leave ATTACH (which creates a file) and PRAGMAs
        # open; the authorizer lets a statement read and compute, nothing else.
        db.set_authorizer(_authorize)
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"not an oci-reporter inventory ({exc})", where=path) from None
    if row is None or row[0] != str(SCHEMA_VERSION):
        raise UsageError(f"inventory schema version {row[0] if row else 'none'} is not v1")
    return db


_ALLOWED = frozenset(
    (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE)
)


def _authorize(action: int, table: str | None, *_: object) -> int:
    if action in _ALLOWED:
        return sqlite3.SQLITE_OK
    # Opening a table-valued function (json_each) re-reads the schema, which SQLite reports as
    # an "update" of sqlite_master; a real write there is still refused by mode=ro.
    if action == sqlite3.SQLITE_UPDATE and table == "sqlite_master":
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


_IMAGE_COLUMNS = (
    "i.path AS input, COALESCE(m.reference, '') AS reference, "
    "COALESCE(m.platform, '') AS platform, COALESCE(m.manifest_digest, '') AS manifest_digest"
)


def _image_filters(query: Query) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if query.integrity == "failed":
        where.append("(m.integrity = 'failed' OR i.integrity = 'failed')")
    elif query.integrity == "ok":
        where.append("(m.integrity = 'ok' AND i.integrity = 'ok')")
    elif query.integrity:
        raise UsageError("--integrity must be 'failed' or 'ok'")
    if query.base:
        where.append(
            "(m.base_name = ? OR m.base_name LIKE ? ESCAPE '\\' OR m.base_name LIKE ? ESCAPE '\\'"
            " OR EXISTS (SELECT 1 FROM images b, json_each(b.refs) r"
            " WHERE b.id = m.fleet_base_id AND r.value = ?))"
        )
        escaped = query.base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args.extend([query.base, escaped + ":%", escaped + "@%", query.base])
    if query.stale_base:
        where.append("m.base_state = 'stale'")
    return where, args


def run_query(db: sqlite3.Connection, query: Query) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(column names, rows) for ``query``, sorted so the same inventory gives the same output."""
    if query.sql:
        if any((query.package, query.version, query.type, query.purl, query.integrity)):
            raise UsageError("--sql goes alone, without the other filters")
        try:
            cursor = db.execute(query.sql)
            rows = cursor.fetchall()
        except (sqlite3.DatabaseError, sqlite3.ProgrammingError) as exc:
            text = str(exc)
            if any(w in text for w in ("readonly", "read-only", "query_only", "not authorized")):
                raise UsageError(
                    f"--sql is read-only: the statement tries to write ({text})"
                ) from None
            raise UsageError(f"--sql: {text}") from None
        return [d[0] for d in cursor.description or ()], rows
    where, args = _image_filters(query)
    if query.version and not query.package:
        raise UsageError("--version needs --package NAME")
    packages = bool(query.package or query.type or query.purl)
    if packages:
        if query.package:
            where.append("p.name = ? COLLATE NOCASE")
            args.append(query.package)
        if query.type:
            where.append("p.type = ?")
            args.append(query.type)
        if query.purl:
            where.append("(p.purl = ? OR substr(p.purl, 1, length(?) + 1) IN (? || '@', ? || '?'))")
            args.extend([query.purl] * 4)
        sql = (
            f"SELECT {_IMAGE_COLUMNS}, p.type, p.name, p.version, p.purl, p.layer_index, "
            "CASE p.base WHEN 1 THEN 'base' WHEN 0 THEN 'added' END AS origin "
            "FROM packages p JOIN images m ON m.id = p.image_id JOIN inputs i ON i.id = m.input_id"
        )
        order = " ORDER BY i.path, m.position, p.type, p.name, p.version, p.purl"
    else:
        sql = (
            f"SELECT {_IMAGE_COLUMNS}, COALESCE(m.config_digest, '') AS config_digest, "
            "COALESCE(m.integrity, i.integrity) AS integrity, m.base_name, m.base_state, "
            "(SELECT b.reference FROM images b WHERE b.id = m.fleet_base_id) AS fleet_base, "
            "m.package_count, i.error "
            "FROM inputs i LEFT JOIN images m ON m.input_id = i.id"
        )
        if query.base or query.stale_base:
            where.append("m.id IS NOT NULL")
        order = " ORDER BY i.path, m.position"
    if where:
        sql += " WHERE " + " AND ".join(where)
    cursor = db.execute(sql + order, args)
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if query.version:
        spec = parse_spec(query.version)
        at_type, at_version = columns.index("type"), columns.index("version")
        rows = [r for r in rows if spec.matches(r[at_type], r[at_version])]
    return columns, rows


def format_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> bytes:
    if fmt == "json":
        doc = [dict(zip(columns, row, strict=True)) for row in rows]
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if fmt != "table":
        raise UsageError(f"unknown --format {fmt!r} (table, json or csv)")
    cells = [[_cell(c) for c in columns], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return ("\n".join(lines) + "\n").encode("utf-8")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _cell(value: Any) -> str:
    # Terminal escapes in package names or paths must not reach the user's terminal raw.
    text = "" if value is None else str(value)
    return _CONTROL.sub("?", text)
