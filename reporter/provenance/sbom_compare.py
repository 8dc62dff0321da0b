"""Attested vs observed: the SBOM an image claims against the packages its layers hold.

Pure: takes the attested ``(name, version, purl)`` triples (SPDX ``packages`` or CycloneDX
``components`` of an SBOM attestation) and our cataloged ``Package`` list; returns three sorted
lists of ``PackageDelta``:

- ``only_attested``: the build claims it, the layers do not hold it;
- ``only_observed``: the layers hold it, the claim does not name it (with the layer);
- ``version_differs``: both name it, with versions the ecosystem orders differently.

Matching, strongest first: the package URL without version, qualifiers and subpath (purl-spec:
qualifiers such as ``arch`` or ``distro`` are extra facts, not identity), then ``(type, name)``
with the type read from the purl, then the name alone when exactly one candidate is left.
Versions equal under the ecosystem's scheme (``reporter.versions``: ``1.0`` and ``1.0.0`` in PEP
440) are the same version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from reporter.model import Package, PackageDelta, Report

__all__ = [
    "Comparison",
    "attested_mismatch",
    "compare_sbom",
    "cyclonedx_packages",
    "purl_core",
    "purl_package_type",
]

_MAX_ITEMS = 100_000

# purl type → Package.type (syft's names, which ours follow)
_PURL_TYPES = {
    "deb": "deb",
    "apk": "apk",
    "rpm": "rpm",
    "alpm": "alpm",
    "pypi": "python",
    "npm": "npm",
    "golang": "go-module",
    "maven": "java-archive",
    "gem": "gem",
    "cargo": "rust-crate",
    "composer": "php-composer",
    "nuget": "dotnet",
    "hex": "hex",
    "pub": "dart-pub",
    "swift": "swift",
    "cocoapods": "pod",
    "conan": "conan",
    "github": "github-action",
    # the newer ecosystems, as our catalogers (and syft 1.18.1) write their purls
    "cran": "R-package",
    "pecl": "php-pecl",
    "luarocks": "lua-rocks",
    "ebuild": "portage",
    "conda": "conda",
    "nix": "nix",
    "hackage": "hackage",
}
# purl-spec (PURL-TYPES.rst): names these types compare without case ("nuget: name is not case
# sensitive"; "luarocks: the name is case insensitive"), pypi also with "_" ≡ "-"
_CASELESS = frozenset(("nuget", "luarocks"))
_CASELESS_PACKAGES = frozenset(("dotnet", "lua-rocks"))


@dataclass(frozen=True, slots=True)
class Comparison:
    only_attested: tuple[PackageDelta, ...] = ()
    only_observed: tuple[PackageDelta, ...] = ()
    version_differs: tuple[PackageDelta, ...] = ()

    @property
    def mismatched(self) -> bool:
        return bool(self.only_attested or self.only_observed or self.version_differs)


def purl_core(purl: str) -> str:
    """``pkg:type/namespace/name`` (lower-case type, no version, qualifiers or subpath)."""
    if not purl.startswith("pkg:"):
        return ""
    body = purl[4:].split("#", 1)[0].split("?", 1)[0].lstrip("/")
    if "@" in body:
        body = body.rsplit("@", 1)[0]
    kind, _, rest = body.partition("/")
    if not kind or not rest:
        return ""
    kind = kind.lower()
    rest = unquote(rest)
    # purl-spec: pypi names are case-insensitive with _ ≡ -; deb/apk/rpm/npm/golang/cran are not
    if kind == "pypi":
        rest = rest.lower().replace("_", "-")
    elif kind in _CASELESS:
        rest = rest.lower()
    return f"pkg:{kind}/{rest}"


def purl_package_type(purl: str) -> str:
    core = purl_core(purl)
    kind = core[4:].split("/", 1)[0] if core else ""
    return _PURL_TYPES.get(kind, kind)


def _name_key(name: str, kind: str) -> str:
    if kind == "python":
        return name.lower().replace("_", "-")
    return name.lower() if kind in _CASELESS_PACKAGES else name


@dataclass(slots=True)
class _Claim:
    name: str
    version: str
    purl: str
    type: str


def _same_version(kind: str, a: str, b: str) -> bool:
    if a == b:
        return True
    if not a or not b:
        return False
    from reporter import versions  # the version schemes: only when versions differ

    return versions.compare(kind, a, b) == 0


def _pair(
    kind: str, claims: list[_Claim], seen: list[Package]
) -> tuple[list[_Claim], list[Package], list[tuple[_Claim, Package]]]:
    """Equal versions pair off first; the rest pair in version order; leftovers come back."""
    claims = sorted(claims, key=lambda c: c.version)
    seen = sorted(seen, key=lambda p: p.version)
    differ: list[tuple[_Claim, Package]] = []
    left_claims: list[_Claim] = []
    for claim in claims:
        match = next((p for p in seen if _same_version(kind, claim.version, p.version)), None)
        if match is None:
            left_claims.append(claim)
        else:
            seen.remove(match)
    while left_claims and seen:
        differ.append((left_claims.pop(0), seen.pop(0)))
    return left_claims, seen, differ


def _group(items: Iterable[Any], key: Any) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = {}
    for item in items:
        k = key(item)
        if k:
            out.setdefault(k, []).append(item)
    return out


def compare_sbom(
    attested: Sequence[tuple[str, str, str]], observed: Sequence[Package]
) -> Comparison:
    """Per image: what the attested SBOM and the cataloged packages disagree on."""
    claims = [
        _Claim(name, version, purl, purl_package_type(purl)) for name, version, purl in attested
    ]
    remaining_claims = list(claims)
    remaining_seen = list(observed)
    differs: list[tuple[_Claim, Package]] = []

    def match_on(claim_key: Any, package_key: Any) -> None:
        nonlocal remaining_claims, remaining_seen
        by_claim = _group(remaining_claims, claim_key)
        by_seen = _group(remaining_seen, package_key)
        matched_claims: set[int] = set()
        matched_seen: set[int] = set()
        for key in sorted(set(by_claim) & set(by_seen), key=str):
            group_claims, group_seen = by_claim[key], by_seen[key]
            kind = group_seen[0].type
            left_claims, left_seen, differ = _pair(kind, group_claims, group_seen)
            differs.extend(differ)
            kept_claims = {id(c) for c in left_claims}
            kept_seen = {id(p) for p in left_seen}
            matched_claims.update(id(c) for c in group_claims if id(c) not in kept_claims)
            matched_seen.update(id(p) for p in group_seen if id(p) not in kept_seen)
        remaining_claims = [c for c in remaining_claims if id(c) not in matched_claims]
        remaining_seen = [p for p in remaining_seen if id(p) not in matched_seen]

    match_on(lambda c: purl_core(c.purl), lambda p: purl_core(p.purl))
    match_on(
        lambda c: (c.type, _name_key(c.name, c.type)) if c.type else None,
        lambda p: (p.type, _name_key(p.name, p.type)),
    )
    # a claim with neither purl nor type: by name, only when exactly one package is left
    untyped = _group([c for c in remaining_claims if not c.type], lambda c: c.name)
    seen_by_name = _group(remaining_seen, lambda p: p.name)
    for name, group in untyped.items():
        candidates = seen_by_name.get(name, [])
        if len(group) == 1 and len(candidates) == 1:
            claim, package = group[0], candidates[0]
            remaining_claims = [c for c in remaining_claims if c is not claim]
            remaining_seen = [p for p in remaining_seen if p is not package]
            if not _same_version(package.type, claim.version, package.version):
                differs.append((claim, package))

    def observed_delta(p: Package, attested_version: str = "") -> PackageDelta:
        return PackageDelta(
            name=p.name,
            type=p.type,
            purl=p.purl,
            attested_version=attested_version,
            observed_version=p.version,
            layer_digest=p.layer_digest,
            layer_index=p.layer_index,
        )

    def key(d: PackageDelta) -> tuple[str, str, str, str, str]:
        return (d.type, d.name, d.attested_version, d.observed_version, d.purl)

    return Comparison(
        only_attested=tuple(
            sorted(
                {
                    PackageDelta(name=c.name, type=c.type, purl=c.purl, attested_version=c.version)
                    for c in remaining_claims
                },
                key=key,
            )
        ),
        only_observed=tuple(sorted({observed_delta(p) for p in remaining_seen}, key=key)),
        version_differs=tuple(sorted({observed_delta(p, c.version) for c, p in differs}, key=key)),
    )


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def cyclonedx_packages(predicate: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """(name, version, purl) of a CycloneDX BOM's components, nested ones included."""
    out: set[tuple[str, str, str]] = set()
    stack = (
        list(predicate.get("components") or ())
        if isinstance(predicate.get("components"), list)
        else []
    )
    count = 0
    while stack and count < _MAX_ITEMS:
        count += 1
        item = _obj(stack.pop())
        nested = item.get("components")
        if isinstance(nested, list):
            stack.extend(nested)
        name = item.get("name")
        if not isinstance(name, str) or not name:
            continue
        if item.get("type") in ("container", "operating-system", "file"):
            continue  # the image itself, the distro, files: not packages
        version = item.get("version")
        purl = item.get("purl")
        group = item.get("group")
        full = f"{group}/{name}" if isinstance(group, str) and group and not purl else name
        out.add(
            (
                full,
                version if isinstance(version, str) else "",
                purl if isinstance(purl, str) else "",
            )
        )
    return tuple(sorted(out))


def attested_mismatch(report: Report) -> bool:
    """Does any image's attested SBOM disagree with its scan? (``--fail-on attested-mismatch``)"""
    return any(i.only_attested or i.only_observed or i.version_differs for i in report.images)
