"""BEAM lock files: Elixir's ``mix.lock`` and Erlang's ``rebar.lock``, as syft 1.18.1's
``elixir-mix-lock-cataloger`` and ``erlang-rebar-lock-cataloger`` read them. Both give ``hex``
packages, ``pkg:hex/<name>@<version>``.

``mix.lock`` is an Elixir map literal, one dependency a line
(https://hexdocs.pm/mix/Mix.Tasks.Deps.html):
``"jason": {:hex, :jason, "1.4.1", "<inner sha256>", [:mix], [...], "hexpm", "<outer sha256>"},``.
syft does not parse Elixir: it splits each line at runs of ``%{}"`` space, comma, colon and
newline and takes the second field as the name, the fifth as the version, the sixth and the
last-but-one as the hashes, for any line of six fields or more. So a ``:git`` dependency gets
the version ``//github.com/...`` (the URL after its ``https:``); we reproduce that, and a last
line without its newline is dropped, as syft drops it.

``rebar.lock`` (https://rebar3.org/docs/configuration/dependencies/#lock-files) is an Erlang
term ``{"1.2.0", [{<<"name">>, {pkg, <<"name">>, <<"version">>}, Depth}, ...]}.`` followed by
the ``pkg_hash`` lists: every ``pkg`` dependency gives its name and version, a ``git`` one its
``{ref | tag | branch, "..."}`` value as the version (as syft gives it). syft reads the
dependencies as the second element of the first term, so the older format rebar3 still writes
when no dependency comes from Hex (a bare list: ``[{<<"name">>, {git, ...}, 0}].``, measured
with Debian's rebar3 3.19) gives no package in syft, nor here.
"""

from __future__ import annotations

import re

from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import declared_metadata, named_files
from reporter.catalog.purl import purl

__all__ = ["MIX_CATALOGER", "REBAR_CATALOGER", "parse_mix", "parse_rebar"]

_MIX_DELIMITER = re.compile(r'[%{}\n" ,:]+')


def _hex(name: str, version: str, **metadata: str) -> FoundPackage:
    return FoundPackage(
        type="hex",
        name=name,
        version=version,
        purl=purl("hex", "", name, version),
        metadata=declared_metadata(**metadata),
    )


def parse_mix(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    found = []
    text = data.decode("utf-8", "replace")
    for line in text.split("\n")[:-1]:  # only lines that end with a newline (see above)
        tokens = _MIX_DELIMITER.split(line + "\n")
        if len(tokens) < 6 or not tokens[1]:
            continue
        found.append(_hex(tokens[1], tokens[4], pkg_hash=tokens[5], pkg_hash_ext=tokens[-2]))
    return found


_REBAR_PKG = re.compile(r'\{\s*<<"([^"]+)">>\s*,\s*\{\s*pkg\s*,\s*<<"[^"]*">>\s*,\s*<<"([^"]*)">>')
_REBAR_GIT = re.compile(
    r'\{\s*<<"([^"]+)">>\s*,\s*\{\s*git\s*,\s*"[^"]*"\s*,\s*\{\s*(?:ref|tag|branch)\s*,\s*"([^"]*)"\s*\}'
)
_REBAR_VERSIONED = re.compile(r'\s*\{\s*"')  # {"1.2.0", [...]}: the format syft reads


def parse_rebar(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    text = data.decode("utf-8", "replace")
    if not _REBAR_VERSIONED.match(text):
        return []
    matches = [(m.start(), m.group(1), m.group(2)) for m in _REBAR_PKG.finditer(text)]
    matches += [(m.start(), m.group(1), m.group(2)) for m in _REBAR_GIT.finditer(text)]
    latest = {name: version for _, name, version in sorted(matches)}  # syft keys them by name
    return [_hex(name, version) for name, version in latest.items()]


_MIX_WANTS, _MIX_HINT = named_files("mix.lock")
_REBAR_WANTS, _REBAR_HINT = named_files("rebar.lock")
MIX_CATALOGER = Declared(
    name="elixir-mix-lock-cataloger", wants=_MIX_WANTS, parser=parse_mix, hint=_MIX_HINT
)
REBAR_CATALOGER = Declared(
    name="erlang-rebar-lock-cataloger",
    wants=_REBAR_WANTS,
    parser=parse_rebar,
    hint=_REBAR_HINT,
)
