"""``go.mod`` (with ``go.sum`` beside it), as syft 1.18.1's ``go-module-file-cataloger`` reads it.

The file (https://go.dev/ref/mod#go-mod-file) is line oriented: ``//`` comments, directives
alone or in ``verb ( ... )`` blocks. As in syft (parse_go_mod.go):

* every ``require`` gives its module at its version, ``// indirect`` ones included;
* every ``replace old [v] => new [v]`` puts ``new`` at its version in ``old``'s place, whether
  or not ``old`` is required (so a local ``=> ../mod`` becomes a package ``../mod`` without a
  version, as syft reports it);
* every ``exclude`` removes its module (whatever the version);
* the module itself, ``go`` and ``toolchain`` give no package.

``go.sum`` (kept beside it) gives the ``h1:`` digest of ``name version`` as metadata. Each is a
``go-module`` ``pkg:golang/...``, spelled as the binary cataloger spells it.
"""

from __future__ import annotations

from reporter.catalog.golang import golang_purl
from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import basename, declared_metadata, named_files
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

wants, _HINT = named_files("go.mod", "go.sum")

_VERBS = frozenset(("require", "replace", "exclude", "module", "go", "toolchain", "retract"))


def _tokens(line: str) -> list[str]:
    """Whitespace-separated tokens, ``//`` comment dropped, quotes removed."""
    out: list[str] = []
    rest = line
    while rest:
        rest = rest.lstrip()
        if not rest or rest.startswith("//"):
            break
        if rest[0] in '"`':
            end = rest.find(rest[0], 1)
            if end < 0:
                raise CatalogError(f"unterminated quoted string: {line.strip()!r}")
            out.append(rest[1:end])
            rest = rest[end + 1 :]
        else:
            cut = len(rest)
            for stop in (" ", "\t", "//"):
                found = rest.find(stop)
                if 0 <= found < cut:
                    cut = found
            out.append(rest[:cut])
            rest = rest[cut:]
    return out


def _directives(text: str) -> list[tuple[str, list[str]]]:
    directives: list[tuple[str, list[str]]] = []
    block = ""
    for line in text.splitlines():
        tokens = _tokens(line)
        if not tokens:
            continue
        if block:
            if tokens == [")"]:
                block = ""
            else:
                directives.append((block, tokens))
        elif len(tokens) == 2 and tokens[1] == "(" and tokens[0] in _VERBS:
            block = tokens[0]
        else:
            directives.append((tokens[0], tokens[1:]))
    return directives


def _sums(data: bytes | None) -> dict[tuple[str, str], str]:
    sums: dict[tuple[str, str], str] = {}
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        fields = line.split()
        if len(fields) == 3 and not fields[1].endswith("/go.mod"):
            sums[(fields[0], fields[1])] = fields[2]
    return sums


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    if basename(path) != "go.mod":
        return []  # go.sum is only read beside its go.mod
    modules: dict[str, tuple[str, str]] = {}
    excluded: list[str] = []
    for verb, args in _directives(data.decode("utf-8", "replace")):
        if verb == "require" and len(args) >= 2:
            modules[args[0]] = (args[0], args[1])
        elif verb == "replace" and "=>" in args:
            arrow = args.index("=>")
            old, new = args[:arrow], args[arrow + 1 :]
            if old and new:
                modules[old[0]] = (new[0], new[1] if len(new) > 1 else "")
        elif verb == "exclude" and args:
            excluded.append(args[0])
    for name in excluded:
        modules.pop(name, None)
    folder = path.rpartition("/")[0]
    sums = _sums(ctx.read(f"{folder}/go.sum" if folder else "go.sum"))
    return [
        FoundPackage(
            type="go-module",
            name=name,
            version=version,
            purl=golang_purl(name, version),
            metadata=declared_metadata(h1_digest=sums.get((name, version), "")),
        )
        for name, version in modules.values()
    ]


CATALOGER = Declared(name="go-module-file-cataloger", wants=wants, parser=parse, hint=_HINT)
