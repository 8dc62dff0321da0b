"""What several renderers share: text cleaning, hashes, purls, image names, timestamps.

A leaf of ``reporter.render``: it imports no renderer, so any renderer (and the dispatcher)
can import it without a cycle. Every string in a ``Report`` comes from an untrusted image,
so the cleaning helpers here are the one definition of "safe text" for each kind of output:

* terminals, HTML and Markdown (``clean_text``, ``terminal_line``): ANSI/VT sequences go
  whole (stripping only the ESC byte would leave ``[31m`` behind), then control characters;
* SBOMs (``sbom_text``): XML 1.0 cannot carry most control characters at all, and SPDX
  consumers print what they read, so those (and lone surrogates) are stripped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson

from reporter.errors import RenderError
from reporter.model import Distro, ImageReport, to_jsonable
from reporter.render.spec import CYCLONEDX_SPEC_VERSIONS, DEFAULT_CYCLONEDX_SPEC_VERSION

if TYPE_CHECKING:  # imported where a purl is made: inspect's table needs none (issue 16)
    from packageurl import PackageURL

__all__ = [
    "CONTROL",
    "CYCLONEDX_SPEC_VERSIONS",
    "DEFAULT_CYCLONEDX_SPEC_VERSION",
    "DISTRO_FIELDS",
    "HASH_LENGTHS",
    "LINE_BREAKS",
    "clean_text",
    "content_uuid",
    "distro_field",
    "generated_time",
    "has_invalid",
    "human_size",
    "image_purl",
    "image_repository",
    "is_digest",
    "known_hashes",
    "manifest_digest_note",
    "own_label",
    "parse_purl",
    "parse_ref",
    "person",
    "registry_host",
    "sbom_text",
    "short_digest",
    "spdx_expression",
    "terminal_line",
]


# --------------------------------------------------------------------------- text

# ANSI/VT sequences first (CSI, OSC, two-byte ESC), then any control character that is left.
_TERMINAL_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\x85\u2028\u2029]")
# What an SBOM never carries: C0/C1 controls but tab/LF/CR, and lone surrogates; ``xml=True``
# adds the two XML 1.0 non-characters U+FFFE and U+FFFF.
_SBOM_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: object) -> str:
    """``str(value)`` minus terminal escape sequences and control characters (tab, newline kept)."""
    return CONTROL.sub("", _TERMINAL_SEQUENCE.sub("", str(value)))


def terminal_line(value: object) -> str:
    """One line for a table on a terminal: escape sequences gone, line breaks become spaces.

    Breaks become spaces before the other controls go, so a label holding ``"\\n  ! error"``
    cannot forge a line of its own and ``a\\vb`` stays two words.
    """
    return CONTROL.sub("", LINE_BREAKS.sub(" ", _TERMINAL_SEQUENCE.sub("", str(value))))


def sbom_text(value: object, *, xml: bool = False) -> str:
    """``str(value)`` minus what an SBOM (or, with ``xml``, XML 1.0) cannot carry."""
    return (_XML_INVALID if xml else _SBOM_INVALID).sub("", str(value))


def has_invalid(text: str, *, xml: bool = False) -> bool:
    """True when ``sbom_text`` would change ``text``."""
    return (_XML_INVALID if xml else _SBOM_INVALID).search(text) is not None


def human_size(value: object) -> str:
    """``1536`` → ``1.5 KiB``; ``None`` or non-numbers → ``""``."""
    if not isinstance(value, int) or isinstance(value, bool):
        return ""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 1024 or unit == "TiB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def short_digest(value: object, length: int = 12) -> str:
    """``sha256:abcdef…`` → ``sha256:abcdef012345`` (the algorithm kept, hex shortened)."""
    text = str(value)
    algorithm, sep, hexpart = text.partition(":")
    return f"{algorithm}:{hexpart[:length]}" if sep else text[:length]


# --------------------------------------------------------------------------- hashes

# Hex length per algorithm name as ecosystems spell it; each SBOM format maps the names it
# models onto its own enum and passes only those to ``known_hashes``.
HASH_LENGTHS = {
    "md5": 32,
    "sha1": 40,
    "sha256": 64,
    "sha384": 96,
    "sha512": 128,
    "sha3-256": 64,
    "sha3-512": 128,
}
_HEX = re.compile(r"[0-9a-f]+")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def known_hashes(
    pairs: Iterable[tuple[str, str]], algorithms: Iterable[str]
) -> list[tuple[str, str]]:
    """``(algorithm, hex)`` pairs, both lower-cased, of the given algorithms with well-formed hex.

    Anything else (an unknown algorithm, a wrong length, a non-hex character) is dropped: an
    SBOM hash a consumer cannot check is worse than none.
    """
    wanted = set(algorithms)
    out = []
    for algorithm, content in pairs:
        name, value = algorithm.lower(), content.lower()
        if name in wanted and len(value) == HASH_LENGTHS.get(name) and _HEX.fullmatch(value):
            out.append((name, value))
    return out


def is_digest(text: str) -> bool:
    """A well-formed ``sha256:<64 hex>`` digest (the only kind a ``pkg:oci`` version may be)."""
    return _DIGEST.fullmatch(text) is not None


# --------------------------------------------------------------------------- purls


@lru_cache(maxsize=4096)
def parse_purl(text: str, *, xml: bool = False, allow_space: bool = True) -> PackageURL | None:
    """The purl, or ``None`` for an empty, unclean (see ``sbom_text``) or unparsable string.

    Cached (render time, issue 16): a BOM asks for each package's purl three or four times
    (its component, its bom-ref, its dependencies) and packageurl's parser is most of a
    CycloneDX render. Callers only read the result (``to_string``, its fields).
    """
    if not text or has_invalid(text, xml=xml):
        return None
    if not allow_space and any(c.isspace() for c in text):
        return None
    from packageurl import PackageURL

    try:
        return PackageURL.from_string(text)
    except ValueError:
        return None


# --------------------------------------------------------------------------- image names

# OCI distribution spec: repository path components and tags.
_REPO_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9-]+)*(?::[0-9]+)?"
)


def parse_ref(ref: str) -> tuple[str, str] | None:
    """``registry.example.com/team/app:1.2`` → (``registry.example.com/team/app``, ``1.2``).

    ``None`` when the ref is not a valid image reference (hostile or just a bare tag, as an
    OCI layout's ``org.opencontainers.image.ref.name`` often is).
    """
    name = ref.split("@", 1)[0]
    tag = ""
    head, sep, tail = name.rpartition(":")
    if sep and "/" not in tail:
        name, tag = head, tail
        if not _TAG.fullmatch(tag):
            return None
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        if not _DOMAIN.fullmatch(parts[0]):
            return None
        path = parts[1:]
    else:
        if len(parts) == 1 and not tag:
            return None  # a bare word is more likely a tag than a repository
        path = parts
    if not path or not all(_REPO_COMPONENT.fullmatch(p) for p in path):
        return None
    return name, tag


def own_label(image: ImageReport, key: str) -> str:
    """The config label ``key`` when this image set it; "" when it is inherited from the base
    (``Provenance.inherited_labels``): the base's vendor did not ship this image."""
    if key in image.provenance.inherited_labels:
        return ""
    return image.description.config.labels.get(key, "")


def image_repository(image: ImageReport) -> tuple[str, str] | None:
    """(repository, tag) of the image's first ref that is a valid image reference."""
    return next((p for p in map(parse_ref, image.refs) if p), None)


def registry_host(repository: str) -> str:
    """``registry.example.com/team/app`` → ``registry.example.com``; ``""`` without a host part."""
    head, slash, _ = repository.partition("/")
    return head if slash and "." in head else ""


def image_purl(image: ImageReport) -> PackageURL | None:
    """``pkg:oci/app@sha256:…?arch=amd64&repository_url=registry.example.com/team/app&tag=1.2``."""
    digest = image.description.target.manifest.digest
    parsed = image_repository(image)
    if parsed is None or not is_digest(digest):
        return None
    repository, tag = parsed
    qualifiers = {"arch": image.platform.architecture, "repository_url": repository}
    if image.platform.variant:
        qualifiers["variant"] = image.platform.variant
    if tag:
        qualifiers["tag"] = tag
    qualifiers = {k: v for k, v in qualifiers.items() if v and not has_invalid(v, xml=True)}
    from packageurl import PackageURL

    return PackageURL(
        type="oci", name=repository.rsplit("/", 1)[-1], version=digest, qualifiers=qualifiers
    )


# --------------------------------------------------------------------------- timestamps


def generated_time(text: str) -> datetime:
    """The Report's ``generated`` as an aware datetime (naive means UTC); ``RenderError`` if bad."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise RenderError(f"report 'generated' is not an RFC 3339 time: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- SBOM identity


def content_uuid(namespace: uuid.UUID, *parts: object) -> uuid.UUID:
    """UUID5 of a SHA-256 over the parts' JSON: same content, same serial; any change, new one.

    CycloneDX wants ``serialNumber`` unique per BOM (a new BOM of the same image is a new
    serial), SPDX a unique ``documentNamespace``; hashing the content gives both and keeps
    the output reproducible under ``SOURCE_DATE_EPOCH``.
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(_content_json(part))
        digest.update(b"\x00")
    return uuid.uuid5(namespace, digest.hexdigest())


def _content_json(value: object) -> bytes:
    """``orjson.dumps(to_jsonable(value), option=OPT_SORT_KEYS)``, without the Python walk.

    Start-up (issue 16): ``to_jsonable`` visits every field of every package in Python (25 ms
    for 93 packages); here orjson walks the tuples, dicts, strings and enums in C and asks
    ``_as_dict`` only for each dataclass, whose dict it then sorts like any other (a dataclass
    orjson wrote itself would keep field order). Anything ``to_jsonable`` would re-shape (a
    non-``str`` key, a mapping that is not a dict) falls back to it, so the bytes, and the
    serials made of them, are those of ``to_jsonable``.
    """
    try:
        return orjson.dumps(
            value, default=_as_dict, option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
        )
    except TypeError:  # orjson.JSONEncodeError is one
        return orjson.dumps(to_jsonable(value), option=orjson.OPT_SORT_KEYS)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _as_dict(value: object) -> dict[str, object]:
    """A dataclass instance as ``to_jsonable`` sees it: its fields, by name (orjson ``default``)."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            raise TypeError(f"not a dataclass: {type(value).__name__}")
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    return {name: getattr(value, name) for name in names}


_PERSON = re.compile(r"^\s*(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>\s]+@[^<>\s]+)>)?\s*$")


def person(text: str) -> tuple[str, str]:
    """``"Name <mail@host>"`` → (``Name``, ``mail@host``); no e-mail → (text, "")."""
    match = _PERSON.match(text)
    if match is None:
        return " ".join(text.split()), ""
    return " ".join(match["name"].split()), match["email"] or ""


# --------------------------------------------------------------------------- licences


_LICENCE_TOKEN = re.compile(r"[A-Za-z0-9.+:-]+")
_OPERATORS = frozenset({"and", "or", "with"})


@lru_cache(maxsize=1)
def spdx_licensing() -> Any:
    """license_expression's SPDX licensing, built once: what spdx-tools keeps as its
    ``spdx_licensing`` singleton, without importing spdx-tools (the JSON writers do not)."""
    from license_expression import get_spdx_licensing  # type: ignore[import-untyped]

    return get_spdx_licensing()


@lru_cache(maxsize=1)
def _listed_ids() -> frozenset[str]:
    from reporter.catalog.licences import spdx_ids

    return frozenset(i.lower() for i in spdx_ids())


@lru_cache(maxsize=4096)
def spdx_expression(text: str) -> str | None:
    """``text`` as a valid SPDX licence expression of listed ids, else ``None``.

    "GPL" or "BSD License" are not (CycloneDX then carries them as ``license.name``; SPDX as
    a ``LicenseRef-``): every id must be on the SPDX list as written (ids match
    case-insensitively, SPDX 2.3 Annex D.2), not merely one the parser has an alias for —
    the parser would read "GPL" as GPL-1.0-or-later, which the package never said.
    """
    from license_expression import ExpressionError

    if not text.strip() or not all(c.isalnum() or c in " ().+:-" for c in text):
        return None
    listed = _listed_ids()
    for token in _LICENCE_TOKEN.findall(text):
        if token.lower() not in _OPERATORS and token.lower().removesuffix("+") not in listed:
            return None
    try:
        parsed = spdx_licensing().parse(text, validate=True, strict=True)
    except ExpressionError:
        return None
    if parsed is None:
        return None
    return str(parsed)


# The os-release fields an SBOM carries, by their ``Distro`` names.
DISTRO_FIELDS = ("id", "name", "pretty_name", "version_codename", "version_id")


def distro_field(distro: Distro | None, key: str) -> str:
    """An os-release field of ``ImageReport.distro`` (one of ``DISTRO_FIELDS``); "" when the
    image has no distro."""
    if distro is None or key not in DISTRO_FIELDS:
        return ""
    value = getattr(distro, key)
    return value if isinstance(value, str) else ""


def manifest_digest_note(input_format: str) -> str:
    """What a manifest digest of a ``docker save`` archive is, or "" for other inputs.

    A legacy archive holds no manifest: the digest is that of the schema-2 manifest the archive
    implies (as ``skopeo inspect docker-archive:`` derives it). Docker 25+ writes one, but from
    its own store. Either way a registry has the same digest only if the image is pushed
    unchanged (same layer bytes, no recompression), so the page must not present it as the
    digest to pin.
    """
    if input_format == "docker-archive":
        return (
            "Derived: a docker save archive holds no manifest, so this is the digest of the "
            "manifest the archive implies; a registry's digest is the same only if the image "
            "is pushed unchanged (same layer bytes, no recompression)."
        )
    if input_format.startswith("docker-archive"):
        return (
            "The manifest docker save wrote; a registry's digest is the same only if the image "
            "is pushed unchanged (same layer bytes, no recompression)."
        )
    return ""
