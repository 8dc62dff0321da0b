"""Catalog one image from its layer scans: squash, detect the distro, parse, attribute layers.

Pure: layer scans in, packages out. Which layer *introduced* a package is decided by walking
back through the versions of the file that lists it: a package present since layer 0 is layer
0's even when apt rewrote ``var/lib/dpkg/status`` in every later layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reporter.catalog import distro as distro_detection
from reporter.catalog.cpe import cpe_candidates
from reporter.catalog.dependencies import resolve_dependencies
from reporter.catalog.interface import (
    Cataloger,
    Distro,
    FoundPackage,
    ParseContext,
    Want,
    WholeFile,
)
from reporter.layers.capture import scan_whole
from reporter.layers.filesystem import FileSystem, Version, build_filesystem
from reporter.layers.scan import Captured, LayerScan
from reporter.model import Finding, FindingKind, Layer, Location, Package

__all__ = ["CatalogResult", "catalog_image"]

_Identity = tuple[str, str, str]  # (type, name, version)


@dataclass(frozen=True, slots=True)
class CatalogResult:
    packages: tuple[Package, ...]  # sorted by Package.sort_key, then primary location
    distro: Distro | None
    findings: tuple[Finding, ...]


def catalog_image(
    layers: Sequence[tuple[Layer, LayerScan]], catalogers: Sequence[Cataloger], arch: str
) -> CatalogResult:
    fs = build_filesystem(layers)
    findings: list[Finding] = []

    try:
        distro = distro_detection.detect(_reader(fs, distro_detection.CATALOGER.name))
    except Exception as exc:  # a broken release file must not stop the run
        distro = None
        findings.append(
            Finding(FindingKind.CATALOG, f"distro detection failed: {exc}", severity="warning")
        )

    by_name = {cataloger.name: cataloger for cataloger in catalogers}
    packages: dict[tuple[str, str, str, str, str], Package] = {}
    owned: set[str] = set()  # files a package manager installed
    listed = _listed(fs, catalogers)
    linked = _linked(fs, catalogers, findings)
    for path, captured, version in (*fs.visible_captured(), *linked, *listed):
        cataloger = by_name.get(captured.cataloger)
        if cataloger is None:
            continue
        warn = _warner(cataloger.name, path, fs.layers[version.layer], findings)
        context = ParseContext(distro, arch, _reader(fs, cataloger.name), warn)
        found = _parse(cataloger, path, captured.data, context, fs, version, findings)
        if not found:
            continue
        history = fs.history(path)
        introduced = _introduced(
            cataloger, path, history, {_identity(p) for p in found}, distro, arch, fs, findings
        )
        for item in found:
            owned.update(item.owned_paths)
            position = introduced.get(_identity(item), version.layer)
            package = _package(item, cataloger.name, version.location, position, fs)
            key = (package.type, package.name, package.version, package.purl, path)
            packages.setdefault(key, package)

    ordered = sorted(
        _not_owned_binaries(packages.values(), owned, fs),
        key=lambda p: (p.sort_key, p.locations[0].path if p.locations else "", p.cataloger),
    )
    return CatalogResult(resolve_dependencies(ordered), distro, tuple(findings))


def _listed(fs: FileSystem, catalogers: Sequence[Cataloger]) -> list[tuple[str, Captured, Version]]:
    """Empty captures for the visible entries a cataloger lists by name (``Declared.lists``).

    The location is the visible version's; ``_introduced`` gives the package the layer that
    first brought the entry (a tar lists a directory again in every layer that adds something
    below it)."""
    out: list[tuple[str, Captured, Version]] = []
    for cataloger in catalogers:
        lists = getattr(cataloger, "lists", None)
        if lists is None:
            continue
        for path in sorted(filter(lists, fs.versions)):  # the few it lists, then sorted
            out.append((path, Captured(path, cataloger.name, b""), fs.versions[path][-1]))
    return out


def _linked(
    fs: FileSystem, catalogers: Sequence[Cataloger], findings: list[Finding]
) -> list[tuple[str, Captured, Version]]:
    """Captures for visible hard links to a lower layer's file: the target's kept content,
    offered under the link's name as the walker offers a same-layer link's.

    A layer is read once, before the layers above it are seen, so a target is only kept when
    some cataloger wanted it under its own name (or another name in its layer). When it was
    not, the link is a ``capture-skipped`` finding that says so.
    """
    out: list[tuple[str, Captured, Version]] = []
    links = (
        path for path, versions in fs.versions.items() if versions[-1].entry.type == "hardlink"
    )
    for path in sorted(links):
        link = fs.versions[path][-1]
        entry = link.entry
        if entry.linkname in fs.per_layer[link.layer]:
            continue
        target = fs.link_target(path)
        layer = fs.layers[link.layer]
        for cataloger in catalogers:
            size = target.entry.size if target is not None else 1 << 20
            mode = target.entry.mode if target is not None else entry.mode
            try:
                want = cataloger.wants(path, mode, size)
            except Exception:  # the walker has said so for this name already
                continue
            if want is None or (isinstance(want, WholeFile) and size > want.max_bytes):
                continue
            kept = _link_content(fs, target, cataloger.name, want) if target else None
            if kept is not None:
                out.append((path, Captured(path, cataloger.name, *kept), link))
                continue
            if target is not None and _offered(cataloger, target):
                continue  # it read the target under its own name and kept nothing: nothing there
            why = (
                "which no cataloger kept when its layer was read"
                if target is not None
                else "which is not in the image"
            )
            findings.append(
                Finding(
                    FindingKind.CAPTURE_SKIPPED,
                    f"/{path} (layer {layer.index} {layer.digest}) is a hard link to "
                    f"/{entry.linkname} of a lower layer, {why}: its content is not read for "
                    f"cataloger {cataloger.name}",
                    where=f"/{path}",
                    severity="info",
                )
            )
    return out


def _offered(cataloger: Cataloger, target: Version) -> bool:
    """Whether the walker offered the target to ``cataloger`` under its own name (``wants``
    is pure, so asking again gives the walker's answer)."""
    entry = target.entry
    try:
        return cataloger.wants(entry.path, entry.mode, entry.size) is not None
    except Exception:
        return False


def _link_content(
    fs: FileSystem, target: Version, cataloger: str, want: Want
) -> tuple[bytes, bool] | None:
    """(data, whole) for ``cataloger`` from what the target's layer kept; None if nothing."""
    captures = fs.captured(target)
    full = next((c.data for c in captures if c.whole), None)
    if isinstance(want, WholeFile):
        return None if full is None else (full, True)
    own = next((c for c in captures if c.cataloger == cataloger and not c.whole), None)
    if own is not None:
        return own.data, False
    if full is None:
        return None
    try:
        result = scan_whole(want, full)  # the walker's bytes for a same-layer link to it
    except Exception:
        return None
    return None if result is None else (result, False)


def _not_owned_binaries(
    packages: Iterable[Package], owned: set[str], fs: FileSystem
) -> list[Package]:
    """The packages but syft's ExcludeBinariesByFileOwnershipOverlap: a ``binary`` package
    in a file an OS package owns is that OS package's, not a package of its own.

    md5sums name bin/bash where merged-/usr images hold usr/bin/bash, so an owned path counts
    with its directory links followed too. Resolving thousands of owned paths is only worth
    it for a binary package that is not owned as written: done then, once.
    """
    resolved: set[str] | None = None
    out = []
    for package in packages:
        if package.type == "binary" and package.locations:
            path = package.locations[0].path.lstrip("/")
            if path in owned:
                continue
            if resolved is None:
                resolved = fs.resolved(owned)
            if path in resolved:
                continue
        out.append(package)
    return out


def _identity(found: FoundPackage) -> _Identity:
    return (found.type, found.name, found.version)


def _parse(
    cataloger: Cataloger,
    path: str,
    data: bytes,
    context: ParseContext,
    fs: FileSystem,
    version: Version,
    findings: list[Finding],
) -> list[FoundPackage]:
    try:
        return list(cataloger.parse(path, data, context))
    except Exception as exc:  # CatalogError or a parser bug: one finding, never a crash
        findings.append(_parse_failed(cataloger, path, fs, version, exc))
        return []


def _parse_failed(
    cataloger: Cataloger, path: str, fs: FileSystem, version: Version, exc: Exception
) -> Finding:
    layer = fs.layers[version.layer]
    return Finding(
        FindingKind.CATALOG,
        f"cataloger {cataloger.name} could not parse /{path} "
        f"(layer {layer.index} {layer.digest}): {exc}",
        where=f"/{path}",
        severity="warning",
    )


def _identities(
    cataloger: Cataloger,
    path: str,
    data: bytes,
    context: ParseContext,
    fs: FileSystem,
    version: Version,
    findings: list[Finding],
) -> set[_Identity]:
    """The identities ``_parse`` would give, by the cataloger's cheaper ``identities`` when
    it has one (``Declared.identify``): an older version's licences and purls are not used."""
    identities = getattr(cataloger, "identities", None)
    if identities is None:
        return {_identity(p) for p in _parse(cataloger, path, data, context, fs, version, findings)}
    try:
        return set(identities(path, data, context))
    except Exception as exc:  # as in _parse: one finding, never a crash
        findings.append(_parse_failed(cataloger, path, fs, version, exc))
        return set()


def _warner(
    cataloger: str, path: str, layer: Layer, findings: list[Finding]
) -> Callable[[str], None]:
    """``ParseContext.warn`` for the visible version of a file (older versions stay quiet:
    what they held is not in the image)."""

    def warn(message: str) -> None:
        findings.append(
            Finding(
                FindingKind.CATALOG,
                f"cataloger {cataloger} read /{path} (layer {layer.index} {layer.digest}) "
                f"with problems: {message}",
                where=f"/{path}",
                severity="warning",
            )
        )

    return warn


def _introduced(
    cataloger: Cataloger,
    path: str,
    history: Sequence[Version],
    wanted: set[_Identity],
    distro: Distro | None,
    arch: str,
    fs: FileSystem,
    findings: list[Finding],
) -> dict[_Identity, int]:
    """For each identity, the earliest layer from which every version of the file lists it.

    Walks back from the visible version; a version that was not kept (or cannot be parsed)
    ends the walk, since nothing can be said about what it listed.
    """
    introduced = dict.fromkeys(wanted, history[-1].layer)
    alive = set(wanted)
    for version in reversed(history[:-1]):
        if not alive:
            break
        # a listed entry is read by name: every version of the path says the same
        listing = getattr(cataloger, "lists", None) is not None
        data = b"" if listing else _kept_data(fs, version, cataloger.name)
        if data is None:
            break
        context = ParseContext(distro, arch, _reader(fs, cataloger.name, version.layer))
        alive &= _identities(cataloger, path, data, context, fs, version, findings)
        for identity in alive:
            introduced[identity] = version.layer
    return introduced


def _kept_data(fs: FileSystem, version: Version, cataloger: str) -> bytes | None:
    for item in fs.captured(version):
        if item.cataloger == cataloger:
            return item.data
    return None


def _reader(
    fs: FileSystem, cataloger: str, upto: int | None = None
) -> Callable[[str], bytes | None]:
    """``ParseContext.read``: other kept files of the view (as of layer ``upto``, if given)."""

    def read(path: str) -> bytes | None:
        return fs.read(path, cataloger, upto=upto)

    return read


def _package(
    found: FoundPackage, cataloger: str, primary: Location, position: int, fs: FileSystem
) -> Package:
    layer = fs.layers[position]
    locations = [primary]
    seen = {primary.path}
    for support in found.supporting_paths:
        location = fs.location(support.lstrip("/"))
        if location is not None and location.path not in seen:
            seen.add(location.path)
            locations.append(location)
    return Package(
        type=found.type,
        name=found.name,
        version=found.version,
        purl=found.purl,
        licenses=found.licenses,
        locations=(primary, *sorted(locations[1:], key=lambda loc: loc.path)),
        layer_index=layer.index,
        layer_digest=layer.digest,
        layer_diff_id=fs.diff_ids[position],
        base=layer.base,
        cataloger=cataloger,
        metadata=found.metadata,
        hashes=tuple(sorted(found.hashes)),
        cpes=found.cpes or cpe_candidates(found),
        supplier=found.supplier,
        authors=found.authors,
        provides=found.provides,
        requires=found.requires,
    )
