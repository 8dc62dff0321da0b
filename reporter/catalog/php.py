"""Installed Composer packages (``vendor/composer/installed.json``) and PECL packages (the
PEAR installer's registry).

Composer 1 writes a JSON array of packages; Composer 2 writes ``{"packages": [...],
"dev": ..., "dev-package-names": [...]}``. syft 1.18.1's ``php-composer-installed-cataloger``
reads every file named ``installed.json`` (not only under ``vendor/composer/``), so we do too,
for parity; a JSON document of another shape gives no package. Each entry with a ``name``
becomes ``php-composer`` ``pkg:composer/<vendor>/<name>@<version>`` (case kept, as syft keeps
it); licences from ``license`` (a list, or a string).

PECL: the PEAR installer (which ``pecl install`` is) records each installed package as a
PHP-``serialize()``d array (php.net, "serialize"; the format of ``a:``/``s:``/``i:``... is in
the PHP language spec's "Serialization" appendix) in ``<php_dir>/.registry/.channel.<channel>/
<name>.reg``; packages of the default channel, pear.php.net, go to ``.registry/<name>.reg``
directly. syft 1.18.1's ``php-pecl-serialized-cataloger`` (on in image scans) reads only
``**/php/.registry/.channel.*/*.reg`` (so not the pear.php.net packages Debian's ``php-pear``
ships), and so do we: ``php-pecl`` ``pkg:pecl/<name>@<version.release>``, licence
``license._content`` when the licence is an array (as ``<license uri=...>`` gives).
"""

from __future__ import annotations

from typing import Any, TypeAlias

from reporter.catalog._langutil import json_text, load_json, sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.licences import spdx_license
from reporter.catalog.purl import purl, scoped_purl
from reporter.errors import CatalogError

__all__ = [
    "CATALOGER",
    "PECL_CATALOGER",
    "parse",
    "parse_pecl",
    "unserialize",
    "wants",
    "wants_pecl",
]

_MAX = WholeFile(64 * 1024 * 1024)


def _licenses(entry: dict[str, Any]) -> tuple[str, ...]:
    value = entry.get("license")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(v.strip() for v in value if isinstance(v, str) and v.strip()))


def _source(entry: dict[str, Any]) -> str:
    for key in ("source", "dist"):
        value = entry.get(key)
        if isinstance(value, dict):
            url = json_text(value, "url")
            if url:
                return url
    return ""


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    if path.endswith("installed.json") and (path == "installed.json" or path[-15] == "/"):
        return _MAX
    return None


def _package(entry: dict[str, Any]) -> FoundPackage | None:
    name = json_text(entry, "name")
    if not name:
        return None
    version = json_text(entry, "version")
    source = entry.get("source")
    return FoundPackage(
        type="php-composer",
        name=name,
        version=version,
        purl=scoped_purl("composer", name, version),
        licenses=_licenses(entry),
        metadata=sorted_metadata(
            package_type=json_text(entry, "type"),
            source=_source(entry),
            reference=json_text(source, "reference") if isinstance(source, dict) else "",
        ),
    )


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    doc = load_json(data, path)
    if isinstance(doc, dict):
        doc = doc.get("packages")
        if doc is None:
            return []
    if not isinstance(doc, list):
        raise CatalogError("installed.json has no packages list", where=path)
    packages = (_package(entry) for entry in doc if isinstance(entry, dict))
    return [found for found in packages if found is not None]


CATALOGER = Declared(
    name="php-composer-installed-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(names=frozenset(("installed.json",))),
)


# --- PECL: the PEAR registry --------------------------------------------------------------

_PECL_MAX = WholeFile(16 * 1024 * 1024)
_PECL_MARK = "php/.registry/.channel."
_MAX_DEPTH = 64  # .reg files nest 5-6 deep; a hostile file must not exhaust the stack

PhpValue: TypeAlias = "str | int | float | bool | dict[str | int, PhpValue] | None"


def wants_pecl(path: str, mode: int, size: int) -> WholeFile | None:
    if not path.endswith(".reg"):
        return None
    at = path.rfind(_PECL_MARK)
    if at < 0 or (at > 0 and path[at - 1] != "/"):
        return None
    rest = path[at + len(_PECL_MARK) :]  # "<channel>/<name>.reg", one "/" only
    if rest.count("/") != 1:
        return None
    return _PECL_MAX


class _Reader:
    """PHP's ``unserialize`` for the scalar and array forms (objects are not in .reg files)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def _fail(self, why: str) -> CatalogError:
        return CatalogError(f"not a PHP serialized value ({why} at byte {self.at})")

    def _until(self, stop: bytes) -> bytes:
        end = self.data.find(stop, self.at)
        if end < 0:
            raise self._fail(f"no {stop.decode()!r}")
        out = self.data[self.at : end]
        self.at = end + len(stop)
        return out

    def _int(self, stop: bytes) -> int:
        text = self._until(stop)
        if not text.lstrip(b"-+").isdigit():
            raise self._fail("bad integer")
        return int(text)

    def value(self, depth: int = 0) -> PhpValue:
        if depth > _MAX_DEPTH:
            raise self._fail("nesting too deep")
        kind = self.data[self.at : self.at + 2]
        self.at += 2
        if kind == b"N;":
            return None
        if kind == b"b:":
            return self._int(b";") != 0
        if kind == b"i:":
            return self._int(b";")
        if kind == b"d:":
            text = self._until(b";")
            try:
                return float(text)
            except ValueError:
                raise self._fail("bad float") from None
        if kind == b"s:":
            return self._string()
        if kind == b"a:":
            return self._array(depth)
        raise self._fail(f"unsupported type {kind!r}")

    def _string(self) -> str:
        length = self._int(b":")
        end = self.at + 1 + length
        if (
            length < 0
            or self.data[self.at : self.at + 1] != b'"'
            or self.data[end : end + 2] != b'";'
        ):
            raise self._fail("bad string")
        text = self.data[self.at + 1 : end].decode("utf-8", errors="replace")
        self.at = end + 2
        return text

    def _array(self, depth: int) -> dict[str | int, PhpValue]:
        count = self._int(b":")
        if self.data[self.at : self.at + 1] != b"{":
            raise self._fail("no '{'")
        self.at += 1
        out: dict[str | int, PhpValue] = {}
        for _ in range(count):
            key = self.value(depth + 1)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise self._fail("bad array key")
            out[key] = self.value(depth + 1)
        if self.data[self.at : self.at + 1] != b"}":
            raise self._fail("no '}'")
        self.at += 1
        return out


def unserialize(data: bytes) -> PhpValue:
    return _Reader(data).value()


def _field(doc: PhpValue, *keys: str) -> str:
    for key in keys:
        if not isinstance(doc, dict):
            return ""
        doc = doc.get(key)
    return doc if isinstance(doc, str) else ""


def parse_pecl(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    doc = unserialize(data)
    if not isinstance(doc, dict):
        raise CatalogError("PEAR registry file is not a serialized array", where=path)
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        raise CatalogError("PEAR registry file has no package name", where=path)
    version = _field(doc, "version", "release")
    licence = _field(doc, "license", "_content")
    licence = spdx_license(licence) or licence  # syft maps every licence it reads
    return [
        FoundPackage(
            type="php-pecl",
            name=name,
            version=version,
            purl=purl("pecl", "", name, version),
            licenses=(licence,) if licence else (),
            metadata=sorted_metadata(
                channel=_field(doc, "channel"), summary=" ".join(_field(doc, "summary").split())
            ),
        )
    ]


PECL_CATALOGER = Declared(
    name="php-pecl-serialized-cataloger",
    wants=wants_pecl,
    parser=parse_pecl,
    hint=Hint(suffixes=(".reg",)),
)
