"""In-toto attestations: statements (plain or DSSE-wrapped), SLSA provenance v0.2 / v1, SPDX.

BuildKit stores them as layers of an attestation manifest (``application/vnd.in-toto+json``,
annotation ``in-toto.io/predicate-type``); signed copies are DSSE envelopes
(``payloadType: application/vnd.in-toto+json``, base64 ``payload``). Signatures are carried, not
verified: this tool reports what the attestation claims and says where the claim came from.

Fact keys shared with ``buildinfo`` (so merge can compare sources): ``builder.id``,
``build.type``, ``frontend``, ``build-arg:X``, ``target``, ``context``, ``dockerfile``,
``vcs.source``, ``vcs.revision``, ``invocation.id``, ``started_on``, ``finished_on``,
``reproducible``, ``config-source.uri``, ``config-source.digest``, ``build.platform``.
Malformed content becomes ``Finding(kind=FindingKind.BAD_ATTESTATION, severity="warning")``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from reporter.model import AttestationRef, Descriptor, Fact, Finding, FindingKind, Source

from .buildinfo import attr_facts
from .common import Part, is_digest, parsed_sources, purl_to_ref, text

__all__ = [
    "DSSE_MEDIA_TYPE",
    "INTOTO_MEDIA_TYPE",
    "SLSA_V02",
    "SLSA_V1",
    "SPDX",
    "Statement",
    "material_source",
    "parse_statement",
    "read_attestation",
    "read_slsa",
    "read_spdx",
]

INTOTO_MEDIA_TYPE = "application/vnd.in-toto+json"
DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json"
SLSA_V02 = "https://slsa.dev/provenance/v0.2"
SLSA_V1 = "https://slsa.dev/provenance/v1"
SPDX = "https://spdx.dev/Document"
BUILDKIT_METADATA = "https://mobyproject.org/buildkit@v1#metadata"
CYCLONEDX = "https://cyclonedx.org/bom"
VSA_PREFIX = "https://slsa.dev/verification_summary/"
_MAX_ITEMS = 100_000


@dataclass(frozen=True, slots=True)
class Statement:
    type: str
    predicate_type: str
    # (name, "algorithm:hex" digests)
    subjects: tuple[tuple[str, tuple[str, ...]], ...]
    predicate: Mapping[str, Any]
    dsse: bool = False


def _bad(where: str, message: str) -> Finding:
    return Finding(FindingKind.BAD_ATTESTATION, message, where=where, severity="warning")


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _digests(value: object) -> tuple[str, ...]:
    return tuple(
        f"{alg}:{hexd}"
        for alg, hexd in sorted(_obj(value).items())
        if isinstance(alg, str) and isinstance(hexd, str) and is_digest(f"{alg}:{hexd}")
    )


def parse_statement(data: bytes, where: str) -> tuple[Statement | None, tuple[Finding, ...]]:
    """An in-toto statement, or a DSSE envelope around one."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None, (_bad(where, "attestation is not JSON"),)
    if not isinstance(doc, dict):
        return None, (_bad(where, "attestation is not a JSON object"),)
    dsse = False
    if "payloadType" in doc or "payload" in doc:
        dsse = True
        if doc.get("payloadType") != INTOTO_MEDIA_TYPE:
            return None, (
                _bad(where, f"DSSE payloadType {text(doc.get('payloadType'))!r} is not in-toto"),
            )
        payload = doc.get("payload")
        try:
            if not isinstance(payload, str):
                raise ValueError("payload is not a string")
            doc = orjson.loads(base64.b64decode(payload, validate=True))
        except (binascii.Error, ValueError):
            return None, (_bad(where, "DSSE payload is not base64 JSON"),)
        if not isinstance(doc, dict):
            return None, (_bad(where, "DSSE payload is not a JSON object"),)
    stype = text(doc.get("_type"))
    ptype = text(doc.get("predicateType"))
    findings: list[Finding] = []
    if not stype.startswith("https://in-toto.io/Statement/"):
        findings.append(_bad(where, f"not an in-toto statement (_type {stype!r})"))
    if not ptype:
        findings.append(_bad(where, "statement has no predicateType"))
        return None, tuple(findings)
    subjects = []
    raw_subjects = doc.get("subject")
    if isinstance(raw_subjects, list):
        for item in raw_subjects[:_MAX_ITEMS]:
            item = _obj(item)
            subjects.append((text(item.get("name")), _digests(item.get("digest"))))
    else:
        findings.append(_bad(where, "statement has no subject list"))
    predicate = doc.get("predicate")
    if not isinstance(predicate, dict):
        findings.append(_bad(where, "statement predicate is not an object"))
        predicate = {}
    return Statement(stype, ptype, tuple(subjects), predicate, dsse), tuple(findings)


def material_source(item: object, origin: str, detail: str) -> Source | None:
    """A SLSA material / resolved dependency (``uri`` + ``digest``) → ``Source``."""
    item = _obj(item)
    uri = text(item.get("uri"))
    if not uri:
        return None
    digests = _digests(item.get("digest"))
    pin = next((d for d in digests if d.startswith("sha256:")), digests[0] if digests else "")
    if uri.startswith("pkg:docker/"):
        ref = purl_to_ref(uri)
        if ref is not None:
            name = f"{ref.repository}:{ref.tag}" if ref.tag else ref.repository
            return Source("docker-image", name, pin or ref.digest, "", origin, detail)
    if pin.startswith("sha1:") and ("git" in uri or "#" in uri):
        return Source("git", uri, pin.removeprefix("sha1:"), "", origin, detail)
    if uri.startswith(("https://", "http://")):
        return Source("http", uri, pin, "", origin, detail)
    return Source("material", uri, pin, "", origin, detail)


def _layer_map(build_config: object, layers: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """docker-image source steps of the LLB definition → the layer digests BuildKit recorded."""
    steps: dict[str, str] = {}
    llb = _obj(build_config).get("llbDefinition")
    if isinstance(llb, list):
        for step in llb[:_MAX_ITEMS]:
            step = _obj(step)
            op = _obj(_obj(step.get("op")).get("Op"))
            ident = text(_obj(op.get("source")).get("identifier"))
            if ident.startswith("docker-image://") and isinstance(step.get("id"), str):
                steps[step["id"]] = ident.removeprefix("docker-image://")
    out: list[tuple[str, tuple[str, ...]]] = []
    for key, chains in sorted(_obj(layers).items()):
        if not isinstance(key, str) or not isinstance(chains, list) or not chains:
            continue
        step = key.rsplit(":", 1)[0]
        first = chains[0]
        if step in steps and isinstance(first, list):
            digests = tuple(text(_obj(d).get("digest")) for d in first)
            if digests and all(is_digest(d) for d in digests):
                out.append((steps[step], digests))
    return tuple(out)


def read_slsa(
    predicate: Mapping[str, Any], predicate_type: str, origin: str, detail: str, where: str
) -> Part:
    """SLSA provenance v0.2 or v1 predicate (BuildKit's shape, read defensively)."""
    facts: list[Fact] = []
    findings: list[Finding] = []
    build_args: dict[str, str] = {}
    sources: list[Source] = []

    def fact(key: str, value: object) -> None:
        val = text(value)
        if val:
            facts.append(Fact(key, val, origin, detail))

    def read_request(request: Mapping[str, Any]) -> None:
        fact("frontend", request.get("frontend"))
        args = request.get("args")
        if isinstance(args, dict):
            arg_facts, build = attr_facts(args, origin, detail)
            facts.extend(arg_facts)
            build_args.update(build)
        elif args is not None:
            findings.append(_bad(where, "provenance args is not an object"))

    def read_config_source(src: Mapping[str, Any], path_key: str) -> None:
        fact("dockerfile", src.get(path_key))
        fact("config-source.uri", src.get("uri"))
        for digest in _digests(src.get("digest"))[:1]:
            fact("config-source.digest", digest)

    def read_materials(items: object, name: str) -> None:
        if items is None:
            return
        if not isinstance(items, list):
            findings.append(_bad(where, f"provenance {name} is not a list"))
            return
        found, refused = parsed_sources(
            items, _MAX_ITEMS, lambda item: material_source(item, origin, detail)
        )
        sources.extend(found)
        findings.extend(_bad(where, f"provenance {name} #{n} has no uri") for n in refused)

    def read_buildkit_metadata(
        meta: Mapping[str, Any], build_config: object
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        vcs = _obj(meta.get("vcs"))
        fact("vcs.source", vcs.get("source"))
        fact("vcs.revision", vcs.get("revision"))
        return _layer_map(build_config, meta.get("layers"))

    layer_map: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if predicate_type == SLSA_V1 or "buildDefinition" in predicate:
        definition = _obj(predicate.get("buildDefinition"))
        run = _obj(predicate.get("runDetails"))
        if not definition:
            findings.append(_bad(where, "SLSA v1 predicate has no buildDefinition"))
        fact("build.type", definition.get("buildType"))
        external = _obj(definition.get("externalParameters"))
        read_config_source(_obj(external.get("configSource")), "path")
        read_request(_obj(external.get("request")))
        internal = _obj(definition.get("internalParameters"))
        fact("build.platform", internal.get("builderPlatform"))
        read_materials(definition.get("resolvedDependencies"), "resolvedDependencies")
        fact("builder.id", _obj(run.get("builder")).get("id"))
        meta = _obj(run.get("metadata"))
        fact("invocation.id", meta.get("invocationID") or meta.get("invocationId"))
        fact("started_on", meta.get("startedOn"))
        fact("finished_on", meta.get("finishedOn"))
        if isinstance(meta.get("buildkit_reproducible"), bool):
            fact("reproducible", meta["buildkit_reproducible"])
        layer_map = read_buildkit_metadata(
            _obj(meta.get("buildkit_metadata")), internal.get("buildConfig")
        )
    else:
        if predicate_type != SLSA_V02:
            findings.append(_bad(where, f"unknown provenance predicate type {predicate_type!r}"))
        fact("builder.id", _obj(predicate.get("builder")).get("id"))
        fact("build.type", predicate.get("buildType"))
        invocation = _obj(predicate.get("invocation"))
        read_config_source(_obj(invocation.get("configSource")), "entryPoint")
        read_request(_obj(invocation.get("parameters")))
        fact("build.platform", _obj(invocation.get("environment")).get("platform"))
        read_materials(predicate.get("materials"), "materials")
        meta = _obj(predicate.get("metadata"))
        fact("invocation.id", meta.get("buildInvocationID"))
        fact("started_on", meta.get("buildStartedOn"))
        fact("finished_on", meta.get("buildFinishedOn"))
        if isinstance(meta.get("reproducible"), bool):
            fact("reproducible", meta["reproducible"])
        layer_map = read_buildkit_metadata(
            _obj(meta.get(BUILDKIT_METADATA)), predicate.get("buildConfig")
        )
    facts.extend(
        Fact(f"material-layers:{ref}", ",".join(digests), origin, detail)
        for ref, digests in layer_map
    )
    return Part(
        facts=tuple(facts), sources=tuple(sources), build_args=build_args, findings=tuple(findings)
    )


def read_spdx(predicate: Mapping[str, Any], origin: str, detail: str, where: str) -> Part:
    """The packages of an SPDX 2.x document: (name, version, purl from externalRefs)."""
    raw = predicate.get("packages")
    if raw is None:
        return Part()
    if not isinstance(raw, list):
        return Part(findings=(_bad(where, "SPDX packages is not a list"),))
    packages: set[tuple[str, str, str]] = set()
    for item in raw[:_MAX_ITEMS]:
        item = _obj(item)
        spdx_id = text(item.get("SPDXID"))
        name = text(item.get("name"))
        if not name or spdx_id.startswith("SPDXRef-DocumentRoot"):
            continue  # the described root (image / directory), not a package
        purl = ""
        refs = item.get("externalRefs")
        for ref in refs if isinstance(refs, list) else ():
            ref = _obj(ref)
            if text(ref.get("referenceType")) == "purl":
                purl = text(ref.get("referenceLocator"))
                break
        version = text(item.get("versionInfo"))
        packages.add((name, "" if version == "NOASSERTION" else version, purl))
    doc_facts = tuple(
        Fact(key, val, origin, detail)
        for key, val in (
            ("sbom.creators", ", ".join(text(c) for c in _creators(predicate))),
            ("sbom.created", text(_obj(predicate.get("creationInfo")).get("created"))),
        )
        if val
    )
    return Part(facts=doc_facts, packages=tuple(sorted(packages)))


def _creators(predicate: Mapping[str, Any]) -> list[object]:
    creators = _obj(predicate.get("creationInfo")).get("creators")
    return creators[:100] if isinstance(creators, list) else []


_LINKS = {
    "attestation-manifest": "the index's vnd.docker.reference.digest annotation",
    "referrer": "the attestation manifest's OCI subject",
}


def _link_fact(
    ref: AttestationRef, layer: Descriptor, image_digest: str, subject_digests: set[str]
) -> Fact | None:
    """How a statement with an empty ``subject`` is tied to the image, or None when it is not.

    ``buildx build --output type=oci`` without an image name writes statements whose
    ``subject`` is ``[]`` (BuildKit attestation-storage.md says it *should* name the manifest).
    The attestation manifest is then this image's by the link that found it (the index
    annotation, or an OCI 1.1 ``subject``): the claims are used and the link is recorded. A
    subject naming some *other* digest stays a mismatch.
    """
    if subject_digests or not image_digest or ref.kind not in _LINKS:
        return None
    how = f"{_LINKS[ref.kind]} (the statement's subject is empty)"
    return Fact("attestation.linked-by", how, "attestation", layer.digest)


def read_attestation(
    ref: AttestationRef, layer: Descriptor, data: bytes, image_digest: str
) -> Part:
    """One in-toto layer of an attestation linked to the image whose manifest is ``image_digest``.

    A statement whose subjects name other digests than ``image_digest`` is reported and not
    used; one with an empty subject is used when the link to it names the image (``_link_fact``).
    """
    where = f"attestation {ref.manifest.digest} layer {layer.digest}"
    statement, findings = parse_statement(data, where)
    if statement is None:
        return Part(findings=findings)
    problems = list(findings)
    declared = layer.annotations.get("in-toto.io/predicate-type", "")
    if declared and declared != statement.predicate_type:
        problems.append(
            _bad(
                where,
                f"layer says predicate {declared!r}, statement says {statement.predicate_type!r}",
            )
        )
    subject_digests = {d for _, ds in statement.subjects for d in ds}
    # a statement that is malformed (no subject list at all, …) is not vouched for by its link
    linked = None if findings else _link_fact(ref, layer, image_digest, subject_digests)
    if image_digest and image_digest not in subject_digests and linked is None:
        problems.append(
            Finding(
                FindingKind.ATTESTATION_SUBJECT_MISMATCH,
                "attestation subject does not name this image; its claims are not used",
                where=where,
                severity="warning",
                expected=image_digest,
                actual=", ".join(sorted(subject_digests)) or "(none)",
            )
        )
        return Part(findings=tuple(problems))
    origin, detail = "attestation", layer.digest
    if statement.predicate_type in (SLSA_V02, SLSA_V1):
        part = read_slsa(statement.predicate, statement.predicate_type, origin, detail, where)
    elif statement.predicate_type == SPDX:
        part = read_spdx(statement.predicate, origin, detail, where)
    elif statement.predicate_type == CYCLONEDX:
        from .sbom_compare import cyclonedx_packages  # start-up: not for inspect's images

        part = Part(packages=cyclonedx_packages(statement.predicate))
    elif statement.predicate_type.startswith(VSA_PREFIX):
        # a verifier's verdict (provenance/vsa.py reads it), never build provenance
        part = Part(facts=(Fact("attestation.verification-summary", layer.digest, origin, detail),))
    else:
        part = Part(
            facts=(Fact("attestation.predicate-type", statement.predicate_type, origin, detail),)
        )
    return Part(
        facts=part.facts + ((linked,) if linked is not None else ()),
        sources=part.sources,
        build_args=part.build_args,
        packages=part.packages,
        findings=tuple(problems) + part.findings,
    )
