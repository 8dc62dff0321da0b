"""Shared by the provenance readers: ``Part`` (what one source says) and image references.

References and digests are plain data: parsed, normalised, compared; nothing is resolved.

``docker.io/library/alpine:3.14@sha256:…``, ``alpine``, ``docker-image://…`` and package URLs
``pkg:docker/alpine@latest?platform=linux%2Famd64`` all become an ``ImageRef`` whose
``repository`` is normalised the way the Docker CLI does it (``docker.io`` and ``library/``
filled in), so names from annotations, buildinfo and provenance materials can be compared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from reporter.model import Fact, Finding, Source

__all__ = [
    "ImageRef",
    "Part",
    "is_digest",
    "parse_ref",
    "parsed_sources",
    "purl_to_ref",
    "ref_from_any",
    "text",
]

_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-f]{32,}$")
_MAX_REF = 4096


_HEX_LENGTH = {"sha256": 64, "sha512": 128, "sha1": 40}


def is_digest(text: object) -> bool:
    """``algorithm:hex`` as in the OCI descriptor spec, with the algorithm's length when known."""
    if not isinstance(text, str) or not _DIGEST.match(text):
        return False
    algorithm, _, hexd = text.partition(":")
    return len(hexd) == _HEX_LENGTH.get(algorithm, len(hexd))


@dataclass(frozen=True, slots=True)
class ImageRef:
    repository: str  # normalised: docker.io/library/alpine
    tag: str = ""
    digest: str = ""

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    def same_image(self, other: ImageRef) -> bool:
        """Same repository, and the same tag when both name one."""
        if self.repository != other.repository:
            return False
        return not (self.tag and other.tag and self.tag != other.tag)


def _normalise_repository(name: str) -> str:
    name = name.strip().strip("/")
    parts = name.split("/")
    first = parts[0]
    if len(parts) == 1 or not ("." in first or ":" in first or first == "localhost"):
        parts.insert(0, "docker.io")
    if parts[0] in ("index.docker.io", "registry-1.docker.io"):
        parts[0] = "docker.io"
    if parts[0] == "docker.io" and len(parts) == 2:
        parts.insert(1, "library")
    return "/".join(parts)


def parse_ref(text: str) -> ImageRef | None:
    """A Docker-style reference; ``None`` when it is empty, ``scratch`` or not a name."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_REF:
        return None
    ref = text.strip()
    for prefix in ("docker-image://", "docker://", "oci-layout://"):
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
    digest = ""
    if "@" in ref:
        ref, _, digest = ref.partition("@")
        if not is_digest(digest):
            return None
    tag = ""
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
    if not ref or ref == "scratch" or any(c.isspace() for c in ref):
        return None
    return ImageRef(_normalise_repository(ref), tag, digest)


def purl_to_ref(purl: str) -> ImageRef | None:
    """``pkg:docker/[namespace/]name@version?qualifiers`` → ``ImageRef`` (tag or digest)."""
    if not isinstance(purl, str) or not purl.startswith("pkg:docker/") or len(purl) > _MAX_REF:
        return None
    body = purl[len("pkg:docker/") :].split("#", 1)[0].split("?", 1)[0]
    name, _, version = body.rpartition("@") if "@" in body else (body, "", "")
    name = unquote(name)
    version = unquote(version)
    base = parse_ref(name)
    if base is None:
        return None
    if is_digest(version):
        return ImageRef(base.repository, base.tag, version)
    return ImageRef(base.repository, version or base.tag, base.digest)


def ref_from_any(text: str) -> ImageRef | None:
    """A package URL or a plain reference."""
    if isinstance(text, str) and text.startswith("pkg:"):
        return purl_to_ref(text)
    return parse_ref(text)


@dataclass(frozen=True, slots=True)
class Part:
    """What one provenance source says: facts with origin, build inputs, problems found."""

    facts: tuple[Fact, ...] = ()
    sources: tuple[Source, ...] = ()
    build_args: Mapping[str, str] = field(default_factory=dict)
    packages: tuple[tuple[str, str, str], ...] = ()
    findings: tuple[Finding, ...] = ()


def text(value: object, limit: int = 4096) -> str:
    """A JSON scalar as a one-line string (bools as ``true``/``false``); other values → ``""``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return " ".join(value.split())[:limit]
    return ""


def parsed_sources(
    items: list[object], limit: int, parse: Callable[[object], Source | None]
) -> tuple[list[Source], list[int]]:
    """The first ``limit`` items that ``parse`` reads as sources, and the positions of those it
    could not (the caller names them in a finding of its own kind)."""
    sources: list[Source] = []
    refused: list[int] = []
    for n, item in enumerate(items[:limit]):
        source = parse(item)
        if source is None:
            refused.append(n)
        else:
            sources.append(source)
    return sources, refused
