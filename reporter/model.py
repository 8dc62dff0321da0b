"""Frozen data that flows between stages.

Every stage takes and returns these; renderers take a finished ``Report`` and never compute.
Mappings (labels, annotations) are plain ``dict`` by convention treated as read-only; sequences
are tuples. ``to_jsonable`` turns any of these into the JSON shape that ``reporter.render.json``
writes (field names kept, mappings sorted; the schema string and ``summary`` are added there)
and ``reporter.report_io`` reads back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# in its own module so that a run that needs no other model type (a warm whole-report cache
# hit, ``--help``) does not pay for creating them all (issue 16); the same class
from reporter.platforms import Platform

__all__ = [
    "REPORT_SCHEMA",
    "SEVERITIES",
    "AttestationCheck",
    "AttestationRef",
    "BaseImage",
    "BuildRecord",
    "Descriptor",
    "Distro",
    "Evidence",
    "Fact",
    "Finding",
    "FindingKind",
    "HistoryEntry",
    "ImageConfig",
    "ImageDescription",
    "ImageReport",
    "ImageTarget",
    "Layer",
    "Location",
    "Package",
    "PackageDelta",
    "Platform",
    "Provenance",
    "Report",
    "SignatureStatus",
    "Source",
    "VerificationSummary",
    "to_jsonable",
]

# The one definition of the report document's version: ``reporter.render.json`` writes it,
# ``reporter.report_io`` reads it back and the pipeline stamps it on every ``Report``.
REPORT_SCHEMA = "oci-reporter/report/v1"

# Finding severities, most severe first.
SEVERITIES = ("error", "warning", "info")


class FindingKind(StrEnum):
    """The stable slug of a finding. A ``StrEnum``: it serialises and compares as its slug."""

    ATTESTATION_SUBJECT_MISMATCH = "attestation-subject-mismatch"
    BAD_ATTESTATION = "bad-attestation"
    BAD_BUILDINFO = "bad-buildinfo"
    BAD_CONFIG = "bad-config"
    BAD_DESCRIPTOR = "bad-descriptor"
    BAD_DIGEST = "bad-digest"
    BAD_JSON = "bad-json"
    BAD_METADATA = "bad-metadata"
    BAD_SIGNATURE = "bad-signature"
    CAPTURE_SKIPPED = "capture-skipped"
    CATALOG = "catalog"
    COMPRESSION_MISMATCH = "compression-mismatch"
    CORRUPT_LAYER = "corrupt-layer"
    DANGLING_ATTESTATION = "dangling-attestation"
    DIFFID_COUNT = "diffid-count"
    DIFFID_MISMATCH = "diffid-mismatch"
    DIGEST_MISMATCH = "digest-mismatch"
    DUPLICATE_ENTRY = "duplicate-entry"
    DUPLICATE_KEY = "duplicate-key"
    INDEX_CYCLE = "index-cycle"
    LAYOUT_VERSION = "layout-version"
    LIMIT = "limit"
    LINK_LOOP = "link-loop"
    METADATA_UNMATCHED = "metadata-unmatched"
    MISSING_BLOB = "missing-blob"
    NOT_A_FILE = "not-a-file"
    NOT_AN_IMAGE = "not-an-image"
    PATH_ESCAPE = "path-escape"
    PROVENANCE_CONFLICT = "provenance-conflict"
    SIZE_MISMATCH = "size-mismatch"
    TRAILING_DATA = "trailing-data"
    TRUNCATED_LAYER = "truncated-layer"
    UNKNOWN_MEDIA_TYPE = "unknown-media-type"
    UNSUPPORTED_COMPRESSION = "unsupported-compression"
    UNSUPPORTED_DIGEST = "unsupported-digest"
    VERIFICATION_FAILED = "verification-failed"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something wrong or notable, with where it was found.

    ``kind`` is a ``FindingKind``: a short stable slug such as ``digest-mismatch``.
    ``integrity`` is true for findings that mean the bytes on disk are not what they claim.
    """

    kind: FindingKind
    message: str
    where: str = ""
    severity: str = "error"
    expected: str | None = None
    actual: str | None = None
    integrity: bool = False


@dataclass(frozen=True, slots=True)
class Descriptor:
    """An OCI content descriptor (image-spec descriptor.md)."""

    media_type: str
    digest: str
    size: int
    annotations: Mapping[str, str] = field(default_factory=dict)
    platform: Platform | None = None
    artifact_type: str = ""
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AttestationRef:
    """An attestation manifest or OCI 1.1 referrer linked to the image it describes."""

    manifest: Descriptor
    kind: str  # "attestation-manifest" | "referrer"
    artifact_type: str = ""
    # in-toto layers of the attestation manifest (their annotations carry the predicate type)
    layers: tuple[Descriptor, ...] = ()

    @property
    def predicate_types(self) -> tuple[str, ...]:
        return tuple(
            sorted(
                {layer.annotations.get("in-toto.io/predicate-type", "") for layer in self.layers}
                - {""}
            )
        )


@dataclass(frozen=True, slots=True)
class ImageTarget:
    """One runnable image found in the input: what ``resolve`` hands to ``image``."""

    manifest: Descriptor
    refs: tuple[str, ...] = ()
    platform: Platform | None = None  # from the index descriptor, if any
    # digests of the indexes walked to reach it, outermost first
    parents: tuple[str, ...] = ()
    # annotations of the indexes walked, outermost first:
    # (index digest or "index.json", annotations)
    index_annotations: tuple[tuple[str, Mapping[str, str]], ...] = ()
    attestations: tuple[AttestationRef, ...] = ()
    # docker save: layer blob keys as named in manifest.json (digests once streamed)
    docker_layer_paths: tuple[str, ...] = ()

    @property
    def index_digest(self) -> str:
        """The digest of the outermost image index above this manifest, or "" when none.

        That is the multi-platform digest a tag names and ``docker pull NAME@sha256:…`` pins
        (image-spec image-index.md); ``index.json`` itself is not content-addressed, so an image
        it lists directly has none.
        """
        return self.parents[0] if self.parents else ""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One entry of the config's ``history`` (OCI config.md): the build step, when, by whom."""

    created: str = ""
    created_by: str = ""
    author: str = ""
    comment: str = ""
    empty_layer: bool = False


@dataclass(frozen=True, slots=True)
class ImageConfig:
    """The fields of the image config (OCI config.md / Docker image JSON) that we report."""

    digest: str
    media_type: str
    size: int
    created: str = ""
    author: str = ""
    os: str = ""
    architecture: str = ""
    variant: str = ""
    user: str = ""
    env: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    working_dir: str = ""
    exposed_ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    stop_signal: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    diff_ids: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    # Top-level keys we do not model (e.g. moby.buildkit.buildinfo.v1) for provenance.
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Layer:
    """One layer of an image: its descriptor, diff_id, history and what verifying it found."""

    index: int
    digest: str
    media_type: str
    size: int
    diff_id: str = ""  # from the config's rootfs.diff_ids
    annotations: Mapping[str, str] = field(default_factory=dict)
    history: HistoryEntry | None = None  # the non-empty history entry that made this layer
    # empty unless a tool squashed a build into this layer under a config-only entry (buildah
    # --layers=false marks its COPY/RUN steps empty_layer and the last step, often a LABEL,
    # not): then the COPY / RUN / ADD steps whose file changes the layer holds
    made_by: tuple[HistoryEntry, ...] = ()
    uncompressed_size: int | None = None
    verified: bool = False  # blob digest and size checked
    diff_id_verified: bool | None = None  # None: not streamed; True/False: checked
    base: bool | None = None  # belongs to the base image; None when unknown
    present: bool = True  # False when the blob is absent from the input

    @property
    def created_by(self) -> str:
        """The build step(s) that made the layer: the squashed steps when there are, else the
        history entry's ``created_by``."""
        if self.made_by:
            return " && ".join(h.created_by for h in self.made_by)
        return self.history.created_by if self.history else ""

    @property
    def failed_verification(self) -> bool:
        """Absent, or streamed and not matching its digest, size or diff_id: its files are not
        the image's, so nothing is catalogued from it."""
        if not self.present:
            return True
        streamed = self.uncompressed_size is not None
        return streamed and (not self.verified or self.diff_id_verified is False)


@dataclass(frozen=True, slots=True)
class ImageDescription:
    """Manifest + config, resolved and verified: what every later stage reads."""

    target: ImageTarget
    manifest_media_type: str
    manifest_annotations: Mapping[str, str]
    config: ImageConfig
    layers: tuple[Layer, ...]
    subject: Descriptor | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def platform(self) -> Platform:
        if self.config.os or self.config.architecture:
            return Platform(self.config.os, self.config.architecture, self.config.variant)
        return self.target.platform or Platform("unknown", "unknown")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a package's evidence is: a path in the final filesystem and its layer."""

    path: str  # absolute path inside the image filesystem, "/"-rooted
    layer_index: int
    layer_digest: str
    diff_id: str = ""


@dataclass(frozen=True, slots=True)
class Package:
    """One package found in an image, with the files and the layer that prove it."""

    type: str  # deb, apk, rpm, python, npm, go-module, java-archive, rust-crate, gem, php-composer
    name: str
    version: str
    purl: str = ""
    licenses: tuple[str, ...] = ()
    locations: tuple[Location, ...] = ()  # the files that prove it, in the final filesystem
    layer_index: int | None = None  # the layer that introduced it
    layer_digest: str = ""
    layer_diff_id: str = ""
    base: bool | None = None  # introduced by a base-image layer; None when unknown
    cataloger: str = ""
    # ecosystem details: arch, source, origin, epoch, release, ... sorted by key
    metadata: tuple[tuple[str, str], ...] = ()
    # digests the ecosystem records for the package: (algorithm, hex), e.g. ("sha256", "ab12…");
    # algorithm names are lower-case hashlib names (md5, sha1, sha256, sha512), sorted
    hashes: tuple[tuple[str, str], ...] = ()
    # SBOM facts (issue 14), as on ``FoundPackage``
    cpes: tuple[str, ...] = ()
    supplier: str = ""
    authors: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    requires: tuple[tuple[str, ...], ...] = ()
    # resolved requirements: ``reporter.catalog.dependencies.package_id`` of packages of the
    # same image and ecosystem, sorted
    depends_on: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.type, self.name, self.version, self.purl)


@dataclass(frozen=True, slots=True)
class Fact:
    """One provenance statement and where it came from.

    ``origin`` is one of ``config-buildinfo``, ``metadata-file``, ``attestation``, ``annotation``,
    ``label``, ``history``, ``buildpacks``; ``origin_detail`` names the exact place (the
    attestation digest, ``manifest`` / ``index`` / ``descriptor`` for annotations, the file path).
    """

    key: str
    value: str
    origin: str
    origin_detail: str = ""
    # Non-empty for a label this image inherited from its base (how that was told, e.g.
    # "set by history entry 2, before this build"): the base's claim, not this image's.
    inherited: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """A build input: base image, named context, git repo, http download, material."""

    type: str  # docker-image, git, http, local, material
    ref: str
    pin: str = ""  # digest or commit
    alias: str = ""
    origin: str = ""
    origin_detail: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason to believe a base image: a layer-prefix match, an annotation, ..."""

    kind: str  # layer-prefix, annotation, buildpacks, provenance-material, buildinfo, history
    detail: str
    origin: str = ""


@dataclass(frozen=True, slots=True)
class BaseImage:
    """The image this one was built on, with how sure we are and why."""

    name: str = ""
    digest: str = ""
    confidence: str = "none"  # high | medium | low | none
    layer_count: int | None = None  # how many of our layers are the base's
    evidence: tuple[Evidence, ...] = ()
    note: str = ""  # e.g. why multi-stage inputs could not be told apart
    scratch: bool = False  # the evidence says there is no base: built FROM scratch


@dataclass(frozen=True, slots=True)
class Provenance:
    """How the image was built: facts with their origins, sources, attestations read."""

    facts: tuple[Fact, ...] = ()
    sources: tuple[Source, ...] = ()
    builder_id: str = ""
    build_type: str = ""
    frontend: str = ""
    build_args: Mapping[str, str] = field(default_factory=dict)
    vcs_source: str = ""
    vcs_revision: str = ""
    # org.opencontainers.image.source / .revision labels inherited from the base: the base's
    inherited_vcs_source: str = ""
    inherited_vcs_revision: str = ""
    # config label keys this image inherited from its base (sorted): not this image's claims
    inherited_labels: tuple[str, ...] = ()
    invocation_id: str = ""
    started_on: str = ""
    finished_on: str = ""
    reproducible: bool | None = None
    # packages an SPDX attestation claims: (name, version, purl)
    attested_packages: tuple[tuple[str, str, str], ...] = ()
    findings: tuple[Finding, ...] = ()
    # every attestation layer / cosign signature read, with its signature status
    attestations: tuple[AttestationCheck, ...] = ()
    verification_summaries: tuple[VerificationSummary, ...] = ()
    build_records: tuple[BuildRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Distro:
    """The distribution, from os-release (os-release(5)) or an older release file.

    ``id`` is empty when no distro could be told. ``source_path`` is the file it came from,
    without the leading ``/``.
    """

    id: str = ""
    version_id: str = ""
    version_codename: str = ""
    id_like: tuple[str, ...] = ()
    name: str = ""
    pretty_name: str = ""
    source_path: str = ""


@dataclass(frozen=True, slots=True)
class ImageReport:
    """Everything reported about one image: description, provenance, base, packages."""

    description: ImageDescription
    provenance: Provenance = field(default_factory=Provenance)
    base: BaseImage = field(default_factory=BaseImage)
    packages: tuple[Package, ...] = ()
    findings: tuple[Finding, ...] = ()
    distro: Distro | None = None  # None when not cataloged or no release file told it
    # attested SBOM vs our catalog (reporter/provenance/sbom_compare.py); empty without one
    only_attested: tuple[PackageDelta, ...] = ()
    only_observed: tuple[PackageDelta, ...] = ()
    version_differs: tuple[PackageDelta, ...] = ()

    @property
    def refs(self) -> tuple[str, ...]:
        return self.description.target.refs

    @property
    def platform(self) -> Platform:
        return self.description.platform

    @property
    def layers(self) -> tuple[Layer, ...]:
        return self.description.layers

    @property
    def index_digest(self) -> str:
        """See ``ImageTarget.index_digest``."""
        return self.description.target.index_digest


@dataclass(frozen=True, slots=True)
class Report:
    """The finished report of one input: its images and input-level findings."""

    schema: str
    tool_version: str
    input_name: str  # as the user named it (never derived from image content)
    input_format: str  # oci-layout, oci-archive, docker-archive, docker-archive+oci, ...
    generated: str  # RFC 3339: when the report was made (SOURCE_DATE_EPOCH when set)
    images: tuple[ImageReport, ...]
    findings: tuple[Finding, ...] = ()
    # who made the SBOM (--sbom-author / --sbom-supplier): "Name <email>" text, or ""
    sbom_author: str = ""
    sbom_supplier: str = ""

    @property
    def integrity_ok(self) -> bool:
        all_findings = list(self.findings)
        for image in self.images:
            all_findings.extend(image.findings)
            all_findings.extend(image.description.findings)
        return not any(f.integrity for f in all_findings)


def to_jsonable(value: Any) -> Any:
    """Dataclasses → dicts recursively (field names kept), tuples → lists, mappings sorted."""
    # Render time (issue 16): a report is mostly strings, ints, tuples and a few dataclass
    # types; telling them by exact type first, and each dataclass's field names once, spares
    # the generic checks (``is_dataclass``, the ``Mapping`` ABC) on every value.
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
    if kind is tuple or kind is list:
        return [to_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
        return {name: to_jsonable(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(value[k]) for k in sorted(value)}
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v) for v in value]
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # dataclass type -> its field names, in order


# --- signatures, attested vs observed, build records, verification summaries (issue 17) ---


@dataclass(frozen=True, slots=True)
class SignatureStatus:
    """How an attestation or a cosign signature stands against the keys the user trusts.

    ``status``: ``verified`` | ``invalid`` | ``untrusted-key`` | ``unsigned``
    (reporter/provenance/signatures.py says when each applies).
    """

    status: str = "unsigned"
    key: str = ""  # fingerprint (sha256 of the DER public key) of the key that verified it
    key_file: str = ""  # the --trust-key file it came from
    keyids: tuple[str, ...] = ()  # keyids the signatures declare
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AttestationCheck:
    """One attestation layer (or cosign signature) read for an image, with its signature."""

    manifest: str  # digest of the attestation / signature manifest
    layer: str  # digest of the layer
    media_type: str
    predicate_type: str = ""
    kind: str = ""  # attestation-manifest | referrer | cosign-signature | build-record
    signature: SignatureStatus = field(default_factory=SignatureStatus)
    used: bool = True  # False when its claims were not used (invalid, subject mismatch)


@dataclass(frozen=True, slots=True)
class PackageDelta:
    """A package the attested SBOM and our scan disagree on."""

    name: str
    type: str
    purl: str = ""
    attested_version: str = ""
    observed_version: str = ""
    layer_digest: str = ""  # the layer that brought the observed package
    layer_index: int | None = None


@dataclass(frozen=True, slots=True)
class VerificationSummary:
    """A SLSA verification summary attestation (VSA v0.1 / v1): someone else's verdict."""

    predicate_type: str
    verifier_id: str = ""
    policy_uri: str = ""
    result: str = ""  # PASSED | FAILED
    resource_uri: str = ""
    levels: tuple[str, ...] = ()  # verifiedLevels (v1) / policyLevel (v0.1)
    time_verified: str = ""
    origin_detail: str = ""  # the attestation layer digest
    signature: SignatureStatus = field(default_factory=SignatureStatus)


@dataclass(frozen=True, slots=True)
class BuildRecord:
    """A BuildKit build history record (``docker buildx history export``) matched to an image."""

    ref: str
    file: str  # the .dockerbuild file
    frontend: str = ""
    status: str = ""  # completed | failed | running
    error: str = ""
    created_at: str = ""
    completed_at: str = ""
    total_steps: int | None = None
    completed_steps: int | None = None
    cached_steps: int | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    materials: tuple[Source, ...] = ()
    matched_by: str = ""  # containerimage.digest | containerimage.config digest
