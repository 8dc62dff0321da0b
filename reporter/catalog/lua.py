"""Installed Lua rocks: the rockspec LuaRocks keeps for each installed rock.

``luarocks install`` / ``luarocks make`` put a copy of the rock's rockspec in the tree, at
``<tree>/lib/luarocks/rocks-<lua version>/<name>/<version>/<name>-<version>.rockspec``
(next to ``rock_manifest``). A rockspec is a Lua file of assignments (LuaRocks wiki,
"Rockspec format"): ``package``, ``version``, ``source = {url=...}``, ``description =
{summary, homepage, license}``, ``dependencies = {"lua >= 5.1", ...}``. syft 1.18.1's
``lua-rock-cataloger`` (on in image scans) reads every ``**/*.rockspec`` with a small Lua-table
parser; so do we, never running Lua: string values (``"..."``, ``'...'``, ``[[...]]``), ``..``
concatenation, ``local`` and earlier top-level names, nested tables, ``--`` comments. A file
using other Lua (functions, calls, arithmetic) is reported as unreadable, as syft gives up on it.

Type ``lua-rocks``, purl ``pkg:luarocks/<package>@<version>``; the licence with spaces turned
into dashes, as syft does.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from reporter.catalog._langutil import sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.licences import spdx_license
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "parse_rockspec", "wants"]

_MAX = WholeFile(1024 * 1024)
_MAX_DEPTH = 64

LuaValue: TypeAlias = "str | float | bool | dict[str, LuaValue] | list[LuaValue] | None"

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<comment>--(?:\[(?P<ceq>=*)\[.*?\](?P=ceq)\]|[^\n]*))
      | (?P<long>\[(?P<eq>=*)\[.*?\](?P=eq)\])
      | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<number>0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>\.\.|[{}=,;\[\]])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "\n": "\n"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1], flags=re.S)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if not match:
            raise CatalogError(f"rockspec: unexpected {text[at : at + 10]!r} at {at}")
        at = match.end()
        kind = match.lastgroup or ""
        if kind in ("space", "comment", "ceq", "eq"):
            continue
        value = match.group(kind)
        if kind == "long":
            body = value[len(match.group("eq")) + 2 : -len(match.group("eq")) - 2]
            value, kind = body.removeprefix("\n"), "str"
        elif kind == "string":
            value, kind = _unquote(value), "str"
        out.append((kind, value))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0
        self.names: dict[str, LuaValue] = {}

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def _take(self, value: str) -> None:
        if self._peek()[1] != value:
            raise CatalogError(f"rockspec: expected {value!r}, got {self._peek()[1]!r}")
        self.at += 1

    def chunk(self) -> dict[str, LuaValue]:
        top: dict[str, LuaValue] = {}
        while self._peek()[0] != "end":
            if self._peek() == ("op", ";"):
                self.at += 1
                continue
            local = self._peek() == ("name", "local")
            self.at += local
            targets = [self._name()]
            while self._peek() == ("op", ","):
                self.at += 1
                targets.append(self._name())
            self._take("=")
            values = [self.expression(0)]
            while self._peek() == ("op", ","):
                self.at += 1
                values.append(self.expression(0))
            for target, value in zip(targets, values + [None] * len(targets), strict=False):
                self.names[target] = value
                if not local:
                    top[target] = value
        return top

    def _name(self) -> str:
        kind, value = self._peek()
        if kind != "name":
            raise CatalogError(f"rockspec: expected a name, got {value!r}")
        self.at += 1
        return value

    def expression(self, depth: int) -> LuaValue:
        value = self._simple(depth)
        while self._peek() == ("op", ".."):
            self.at += 1
            right = self._simple(depth)
            value = f"{_text(value)}{_text(right)}"
        return value

    def _simple(self, depth: int) -> LuaValue:
        if depth > _MAX_DEPTH:
            raise CatalogError("rockspec: tables nested too deep")
        kind, value = self._peek()
        self.at += 1
        if kind == "str":
            return value
        if kind == "number":
            return value
        if kind == "name":
            if value in ("true", "false"):
                return value == "true"
            if value == "nil":
                return None
            if value in self.names:
                return self.names[value]
            raise CatalogError(f"rockspec: unknown name {value!r}")
        if (kind, value) == ("op", "{"):
            return self._table(depth + 1)
        raise CatalogError(f"rockspec: unexpected {value!r}")

    def _table(self, depth: int) -> LuaValue:
        fields: dict[str, LuaValue] = {}
        items: list[LuaValue] = []
        while self._peek() != ("op", "}"):
            kind, value = self._peek()
            following = self.tokens[self.at + 1] if self.at + 1 < len(self.tokens) else ("", "")
            if kind == "name" and following == ("op", "="):
                self.at += 2
                fields[value] = self.expression(depth)
            elif (kind, value) == ("op", "["):
                self.at += 1
                key = self.expression(depth)
                self._take("]")
                self._take("=")
                fields[_text(key)] = self.expression(depth)
            else:
                items.append(self.expression(depth))
            if self._peek()[1] in (",", ";"):
                self.at += 1
            elif self._peek() != ("op", "}"):
                raise CatalogError(f"rockspec: expected ',' or '}}', got {self._peek()[1]!r}")
        self.at += 1
        return fields if fields or not items else items


def _text(value: LuaValue) -> str:
    if isinstance(value, str):
        return value
    raise CatalogError("rockspec: only strings can be concatenated")


def parse_rockspec(text: str) -> dict[str, LuaValue]:
    """The top-level assignments of a rockspec."""
    return _Parser(_tokens(text)).chunk()


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    return _MAX if path.endswith(".rockspec") else None


def _get(doc: LuaValue, *keys: str) -> str:
    for key in keys:
        if not isinstance(doc, dict):
            return ""
        doc = doc.get(key)
    return doc if isinstance(doc, str) else ""


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    doc = parse_rockspec(data.decode("utf-8", errors="replace"))
    name, version = _get(doc, "package"), _get(doc, "version")
    if not name:
        return []
    licence = _get(doc, "description", "license").replace(" ", "-")
    licence = spdx_license(licence) or licence
    dependencies = doc.get("dependencies")
    requires = tuple(
        (item.split()[0],)
        for item in (dependencies if isinstance(dependencies, list) else [])
        if isinstance(item, str) and item.split()
    )
    return [
        FoundPackage(
            type="lua-rocks",
            name=name,
            version=version,
            purl=purl("luarocks", "", name, version),
            licenses=(licence,) if licence else (),
            metadata=sorted_metadata(
                homepage=_get(doc, "description", "homepage"),
                summary=_get(doc, "description", "summary"),
                url=_get(doc, "source", "url"),
            ),
            requires=requires,
        )
    ]


CATALOGER = Declared(
    name="lua-rock-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(suffixes=(".rockspec",)),
)
