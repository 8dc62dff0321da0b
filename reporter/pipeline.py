"""The only module that composes stages: path + Options → Report.

archive (open, verified blobs) → resolve (targets per platform) → image (manifest + config)
→ layers (one streaming pass each: hash, decompress, diff_id, tar walk, capture)
→ catalog (squashed view, packages with the layer that brought them)
→ provenance (facts with origins, base image with evidence) → report (sorted, deterministic).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reporter import __version__
from reporter.archive.detect import open_input
from reporter.archive.interface import Archive, blob_path
from reporter.catalog import CATALOG_VERSION
from reporter.errors import InputError, IntegrityError, LayoutError, NotFoundError, UsageError
from reporter.image import describe, describe_docker
from reporter.integrity import image_integrity_findings, require
from reporter.layers.schedule import scan_layers, stream_scanner
from reporter.layers.verify import verify_layer
from reporter.model import (
    REPORT_SCHEMA,
    AttestationRef,
    Descriptor,
    Distro,
    Finding,
    ImageDescription,
    ImageReport,
    ImageTarget,
    Layer,
    Package,
    Report,
)
from reporter.options import Options
from reporter.provenance.baseimage import BaseCheck, check_base, find_base
from reporter.provenance.merge import build_provenance
from reporter.provenance.metadata_file import MetadataEntry, load_metadata_file, match_metadata
from reporter.provenance.sbom_compare import Comparison
from reporter.provenance.signature_tags import cosign_signature_refs
from reporter.report import assemble_image, assemble_report
from reporter.resolve import matches_platform, read_blob, resolve
from reporter.selector import available, split_selector

# Start-up (issue 16): what ``inspect`` never runs is imported where it is used: the
# catalog runner, build records, signature keys (cryptography), the SBOM comparison.
if TYPE_CHECKING:
    from reporter.catalog.interface import Cataloger
    from reporter.layers.scan import LayerScan
    from reporter.progress import ProgressCallback
    from reporter.provenance.buildrecord import RecordEntry
    from reporter.provenance.signatures import TrustedKey

__all__ = [
    "Scanned",
    "check_base_images",
    "describe_input",
    "diff_sides",
    "generate",
    "load_side",
    "split_selector",
]


@dataclass(frozen=True, slots=True)
class Scanned:
    """An opened input with its images described and (optionally) their layers scanned."""

    archive: Archive
    format: str
    images: tuple[ImageDescription, ...]
    scans: tuple[tuple[LayerScan | None, ...], ...]  # per image, per layer
    findings: tuple[Finding, ...]


def _selected(target: ImageTarget, options: Options) -> bool:
    if options.tag:
        tag = options.tag
        if not any(ref == tag or ref.endswith(f":{tag}") for ref in target.refs):
            return False
    return not options.digest or (
        options.digest == target.manifest.digest or options.digest in target.parents
    )


def describe_input(
    path: str,
    options: Options,
    catalogers: Sequence[Cataloger] = (),
    progress: ProgressCallback | None = None,
) -> Scanned:
    """Open, resolve, select, describe and (unless told not to) stream every selected layer."""
    streaming = options.catalog or options.verify_layers
    scan = stream_scanner(catalogers, options, progress) if streaming else None
    archive = open_input(path, scan=scan, max_small_bytes=options.limits.max_small_blob_bytes)
    try:
        return _describe_open(archive, options, catalogers, progress)
    except BaseException:
        archive.close()
        raise


def _nothing_found(archive: Archive, findings: Sequence[Finding], message: str) -> Exception:
    """Why no image came out: tampering or unreadable metadata before "nothing matched".

    A tampered index or manifest is skipped by ``resolve`` with a finding; without this, the
    run ended in exit 8 ("no images found"), as if the selector were wrong, and the integrity
    findings were never shown (hostile-input suite, tests/hostile/test_tamper.py).
    """
    broken = [f for f in findings if f.integrity]
    if not broken and message == "no images found":  # with a selector, errors may be unrelated
        broken = [f for f in findings if f.severity == "error"]
    if not broken:
        notes = [f for f in findings if f.severity == "warning"] or findings
        if notes and message == "no images found":  # e.g. a duplicate, empty "manifests" key
            message += f" ({notes[0].where}: {notes[0].message})"
        return NotFoundError(message, where=archive.name)
    first = broken[0]
    more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
    named = first.where in ("", archive.name) or first.message.startswith(first.where)
    place = "" if named else f"{first.where}: "
    text = f"{message}: {place}{first.message}{more}"
    if first.integrity:
        return IntegrityError(text, where=archive.name)
    return LayoutError(text, where=archive.name)


def _describe_open(
    archive: Archive,
    options: Options,
    catalogers: Sequence[Cataloger],
    progress: ProgressCallback | None = None,
) -> Scanned:
    resolution = resolve(archive, options.limits)
    findings = list(archive.findings) + list(resolution.findings)
    targets = [t for t in resolution.targets if _selected(t, options)]
    if not targets and (options.tag or options.digest):
        asked = options.tag or options.digest
        there = available(resolution.targets)
        raise _nothing_found(archive, findings, f"no image matches {asked} (there: {there})")

    # A docker-save image has no manifest blob: it is described once its layers are hashed.
    docker = resolution.format == "docker-archive"
    kept: list[ImageTarget] = []
    descriptions: list[ImageDescription | None] = []
    layer_paths: list[list[tuple[str, str, str]]] = []
    expected: dict[str, tuple[str, int, str]] = {}  # path -> (digest, size, diff_id) claimed
    seen: list[str] = []  # platforms of the images described, for a "matched nothing" error
    for target in targets:
        if docker:
            paths = [(p, "sha256", "") for p in target.docker_layer_paths[1:]]
            descriptions.append(None)
        else:
            desc = describe(archive, target, options.limits)
            seen.append(str(desc.platform))
            if not matches_platform(desc.platform, options.platforms):
                continue  # never stream the layers of a platform nobody asked for
            descriptions.append(desc)
            paths = [
                (
                    blob_path(layer.digest) or layer.digest,
                    layer.digest.partition(":")[0],
                    layer.media_type,
                )
                for layer in desc.layers
            ]
            for layer, item in zip(desc.layers, paths, strict=True):
                expected.setdefault(item[0], (layer.digest, layer.size, layer.diff_id))
        kept.append(target)
        layer_paths.append(paths)

    streaming = options.catalog or options.verify_layers
    scans_by_path: dict[str, LayerScan | None] = {}
    if docker or streaming:
        wanted = [p for paths in layer_paths for p in paths]
        scans_by_path = scan_layers(
            archive,
            wanted,
            catalogers,
            options,
            expected,
            progress,
            catalog_version=CATALOG_VERSION,
        )

    images: list[ImageDescription] = []
    all_scans: list[tuple[LayerScan | None, ...]] = []
    for target, described, paths in zip(kept, descriptions, layer_paths, strict=True):
        scans = [scans_by_path.get(p[0]) for p in paths]
        if described is None:
            blobs = [(s.blob_digest, s.blob_size) if s is not None else None for s in scans]
            desc = describe_docker(archive, target, options.limits, blobs)
        else:
            desc = described
        seen.append(str(desc.platform))
        if not matches_platform(desc.platform, options.platforms):
            continue
        layers: list[Layer] = []
        layer_findings: list[Finding] = []
        for layer, scan_result, item in zip(desc.layers, scans, paths, strict=True):
            if streaming or docker:
                checked, problems = verify_layer(layer, scan_result, f"{archive.name}/{item[0]}")
                layers.append(checked)
                layer_findings.extend(problems)
            else:
                layers.append(layer)
        desc = replace(desc, layers=tuple(layers), findings=desc.findings + tuple(layer_findings))
        images.append(desc)
        all_scans.append(tuple(scans))
    # The archive also records problems met while layers were opened (a layer blob that is a
    # symlink out of the layout, a FIFO): the list taken above predates them, and they were lost.
    known = set(findings)
    findings.extend(f for f in archive.findings if f not in known)
    if not images:
        wanted_text = ", ".join(str(p) for p in options.platforms)
        raise _nothing_found(
            archive,
            findings,
            f"no image for platform {wanted_text} (there: {available(kept, seen)})"
            if options.platforms
            else "no images found",
        )
    return Scanned(archive, resolution.format, tuple(images), tuple(all_scans), tuple(findings))


def _attestation_blobs(
    archive: Archive, desc: ImageDescription, options: Options, findings: list[Finding]
) -> list[tuple[AttestationRef, Descriptor, bytes]]:
    blobs = []
    for ref in desc.target.attestations:
        for layer in ref.layers:
            data = read_blob(
                archive,
                layer,
                options.limits.max_json_bytes,
                findings,
                f"attestation layer {layer.digest}",
            )
            if data is not None:
                blobs.append((ref, layer, data))
    return blobs


def _load_build_records(options: Options) -> list[RecordEntry]:
    if not options.build_records:
        return []
    from reporter.provenance.buildrecord import load_dockerbuild

    return [
        entry
        for name in options.build_records
        for entry in load_dockerbuild(name, options.limits.max_json_bytes)
    ]


def _load_metadata(options: Options) -> list[MetadataEntry]:
    entries: list[MetadataEntry] = []
    for name in options.metadata_files:
        try:
            with open(name, "rb") as handle:
                data = handle.read(options.limits.max_json_bytes + 1)
        except OSError as exc:
            raise UsageError(f"cannot read metadata file ({exc.strerror})", where=name) from None
        if len(data) > options.limits.max_json_bytes:
            raise InputError("metadata file is too large", where=name)
        entries.extend(load_metadata_file(name, data))
    return entries


def _base_candidates(options: Options) -> list[ImageDescription]:
    candidates: list[ImageDescription] = []
    for spec in options.base_images:
        path, base_options = split_selector(
            spec, replace(options, base_images=(), catalog=False, verify_layers=False, platforms=())
        )
        scanned = describe_input(path, base_options)
        candidates.extend(scanned.images)
        scanned.archive.close()
    return candidates


def generate(path: str, options: Options, progress: ProgressCallback | None = None) -> Report:
    """Scan ``path`` into a Report; ``progress`` is told how the layer scan advances."""
    catalogers: tuple[Cataloger, ...] = ()
    if options.catalog:  # importing every parser costs start-up time: only runs that catalog
        from reporter.catalog.registry import catalogers as select_catalogers

        catalogers = select_catalogers(catalog=True, lockfiles=options.lockfiles)
    metadata = _load_metadata(options)
    records = _load_build_records(options)
    metadata.extend(r.metadata for r in records)
    trusted_keys: tuple[TrustedKey, ...] = ()
    if options.trust_keys:
        from reporter.provenance.signatures import load_trusted_keys

        trusted_keys = load_trusted_keys(options.trust_keys)
    candidates = _base_candidates(options)
    scanned = describe_input(path, options, catalogers, progress)
    try:
        findings = list(scanned.findings)
        signature_refs, signature_findings = cosign_signature_refs(scanned.archive, options.limits)
        findings.extend(signature_findings)
        matched, metadata_findings = match_metadata(metadata, scanned.images)
        findings.extend(metadata_findings)
        reports: list[ImageReport] = []
        for position, (desc, scans) in enumerate(zip(scanned.images, scanned.scans, strict=True)):
            image_findings: list[Finding] = []
            signed = signature_refs.get(desc.target.manifest.digest, ())
            if signed:
                linked = desc.target.attestations + signed
                desc = replace(desc, target=replace(desc.target, attestations=linked))
            blobs = _attestation_blobs(scanned.archive, desc, options, image_findings)
            entries = matched.get(position, ())
            # labels the same input's other images or a --base also carry may be inherited
            bases = (*candidates, *scanned.images)
            provenance = build_provenance(desc, blobs, entries, trusted_keys, bases)
            provenance = replace(
                provenance,
                build_records=tuple(r.record for r in records if r.metadata in entries),
            )
            base = find_base(desc, provenance, candidates)
            packages: tuple[Package, ...] = ()
            distro: Distro | None = None
            if options.catalog:
                pairs = [
                    (layer, scan)
                    for layer, scan in zip(desc.layers, scans, strict=True)
                    # bytes that are not the layer's say nothing about the image's packages
                    if scan is not None and not layer.failed_verification
                ]
                from reporter.catalog.run import catalog_image

                result = catalog_image(pairs, catalogers, desc.config.architecture)
                packages = result.packages
                distro = result.distro
                image_findings.extend(result.findings)
            sbom = Comparison()
            if options.catalog and provenance.attested_packages:
                from reporter.provenance.sbom_compare import compare_sbom

                sbom = compare_sbom(provenance.attested_packages, packages)
            image_findings.extend(provenance.findings)
            reports.append(
                assemble_image(desc, provenance, base, packages, image_findings, distro, sbom)
            )
        # ... and while attestation blobs were read just now
        known = set(findings)
        findings.extend(f for f in scanned.archive.findings if f not in known)
    finally:
        scanned.archive.close()
    return assemble_report(
        schema=REPORT_SCHEMA,
        tool_version=__version__,
        input_name=path,
        input_format=scanned.format,
        images=reports,
        findings=findings,
        source_date_epoch=options.source_date_epoch,
    )


def check_base_images(
    image_spec: str, base_spec: str, options: Options
) -> list[tuple[ImageDescription, BaseCheck]]:
    """Every selected image of ``image_spec`` checked against ``base_spec``'s same platform.

    Neither side is cataloged: layer digests and diff_ids are all it compares.
    """
    # Layers are streamed (hashed, diff_ids checked): a verdict over a blob that does not match
    # its digest would be a claim about bytes nobody has verified.
    light = replace(options, catalog=False, verify_layers=True)
    image_path, image_options = split_selector(image_spec, light)
    base_path, base_options = split_selector(base_spec, replace(light, platforms=()))
    images = describe_input(image_path, image_options)
    images.archive.close()
    require(image_integrity_findings(images.images, images.findings), image_path, "base verdict")
    bases = describe_input(base_path, base_options)
    bases.archive.close()
    require(image_integrity_findings(bases.images, bases.findings), base_path, "base verdict")
    results = []
    for desc in images.images:
        key = desc.platform.normalized()
        same_platform = [b for b in bases.images if b.platform.normalized() == key]
        if not same_platform:
            raise NotFoundError(f"no base image for platform {desc.platform}", where=base_path)
        newer = same_platform[0]
        provenance = build_provenance(desc, (), (), bases=images.images)
        refs = newer.target.refs or (base_path,)
        results.append((desc, check_base(desc, provenance, newer, refs)))
    return results


def load_side(spec: str, options: Options) -> Report:
    """A diff side: a saved ``report -f json`` document, or any input the pipeline reads."""
    from reporter.report_io import load_report_json, looks_like_report_json

    path, side_options = split_selector(spec, options)
    if path != "-" and os.path.isfile(path):
        with open(path, "rb") as handle:
            head = handle.read(64)
            if looks_like_report_json(head):
                return load_report_json(path, head + handle.read())
    return generate(path, side_options)


def diff_sides(old_spec: str, new_spec: str, options: Options) -> tuple[Report, Report]:
    """Both sides of a diff, kept to the platforms asked for (``--platform``)."""
    old = load_side(old_spec, options)
    new = load_side(new_spec, options)
    if options.platforms:
        keys = {p.normalized() for p in options.platforms}
        old = replace(old, images=tuple(i for i in old.images if i.platform.normalized() in keys))
        new = replace(new, images=tuple(i for i in new.images if i.platform.normalized() in keys))
    return old, new
