"""Requirements → edges between the packages of one image, as syft's relationship pass does.

Each ``Package.requires`` entry is a tuple of alternatives (``mawk | awk``); a requirement is
met by every package of the same ecosystem whose name, or one of whose ``provides``, equals
an alternative: dpkg virtual packages (Debian Policy §7.5), rpm Provides, apk ``p:`` names
(``so:libc.musl-x86_64.so.1``, ``cmd:sh``). Like syft, every provider of the first
alternative that has one gets an edge (a virtual package two packages provide gives two
edges); self-edges are dropped. Requirements nothing in the image meets stay unresolved:
the image may simply not need them installed (an ``Recommends`` promoted by hand, a
``Provides`` of a package from another layer that was removed).

Pure: packages in, packages with ``depends_on`` out, order kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from reporter.model import Package

__all__ = ["ECOSYSTEMS", "package_id", "resolve_dependencies"]

# Package types that share one namespace of names (python wheels and eggs are both "python").
ECOSYSTEMS = {"deb": "deb", "rpm": "rpm", "apk": "apk", "python": "python", "npm": "npm"}


def package_id(package: Package) -> str:
    """The id edges point at: the purl, else ``type:name@version``.

    The CycloneDX renderer builds its bom-refs from the same text, so an edge maps onto the
    first component with that id.
    """
    return package.purl or f"{package.type}:{package.name}@{package.version}"


def _key(package: Package, name: str) -> tuple[str, str]:
    ecosystem = ECOSYSTEMS.get(package.type, package.type)
    return ecosystem, name.lower() if ecosystem in ("deb", "python", "apk") else name


def resolve_dependencies(packages: Sequence[Package]) -> tuple[Package, ...]:
    providers: dict[tuple[str, str], list[Package]] = defaultdict(list)
    for package in packages:
        for name in (package.name, *package.provides):
            providers[_key(package, name)].append(package)
    out = []
    for package in packages:
        edges: set[str] = set()
        for alternatives in package.requires:
            for name in alternatives:
                found = [p for p in providers.get(_key(package, name), []) if p is not package]
                if found:
                    edges.update(package_id(p) for p in found)
                    break
        edges.discard(package_id(package))
        out.append(replace(package, depends_on=tuple(sorted(edges))) if edges else package)
    return tuple(out)
