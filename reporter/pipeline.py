"""The only module that composes stages: path + Options → Report.

archive (open, verified blobs) → resolve (targets per platform) → image (manifest + config)
→ layers (one streaming pass each: hash, decompress, diff_id, tar walk, capture)
→ catalog (squashed view, packages with the layer that brought them)
→ provenance (facts with origins, base image with evidence) → report (sorted, deterministic).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from reporter import __version__
from reporter.archive.detect import open_input
from reporter.archive.interface import Archive, blob_path
from reporter.catalog import ALL_CATALOGERS, CATALOG_VERSION
from reporter.catalog.interface import Cataloger
from reporter.catalog.run import catalog_image
from reporter.errors import InputError, IntegrityError, LayoutError, NotFoundError, UsageError
from reporter.image import describe, describe_docker
from reporter.layers.scan import LayerScan
from reporter.layers.schedule import scan_layers, stream_scanner
from reporter.layers.verify import verify_layer
from reporter.model import (
    AttestationRef,
    Descriptor,
    Finding,
    ImageDescription,
    ImageReport,
    ImageTarget,
    Layer,
    Package,
    Report,
)
from reporter.options import Options
from reporter.progress import ProgressCallback
from reporter.provenance.baseimage import find_base
from reporter.provenance.merge import build_provenance
from reporter.provenance.metadata_file import MetadataEntry, load_metadata_file, match_metadata
from reporter.report import assemble_report
from reporter.resolve import matches_platform, read_blob, resolve
from reporter.selector import split_selector

__all__ = ["Scanned", "describe_input", "generate", "split_selector"]

REPORT_SCHEMA = "oci-reporter/report/v1"


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
        raise _nothing_found(archive, findings, f"no image matches {options.tag or options.digest}")

    # A docker-save image has no manifest blob: it is described once its layers are hashed.
    docker = resolution.format == "docker-archive"
    kept: list[ImageTarget] = []
    descriptions: list[ImageDescription | None] = []
    layer_paths: list[list[tuple[str, str, str]]] = []
    expected: dict[str, tuple[str, int, str]] = {}  # path -> (digest, size, diff_id) claimed
    for target in targets:
        if docker:
            paths = [(p, "sha256", "") for p in target.docker_layer_paths[1:]]
            descriptions.append(None)
        else:
            desc = describe(archive, target, options.limits)
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
            f"no image for platform {wanted_text}" if options.platforms else "no images found",
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
    catalogers = ALL_CATALOGERS if options.catalog else ()
    metadata = _load_metadata(options)
    candidates = _base_candidates(options)
    scanned = describe_input(path, options, catalogers, progress)
    try:
        findings = list(scanned.findings)
        matched, metadata_findings = match_metadata(metadata, scanned.images)
        findings.extend(metadata_findings)
        reports: list[ImageReport] = []
        for position, (desc, scans) in enumerate(zip(scanned.images, scanned.scans, strict=True)):
            image_findings: list[Finding] = []
            blobs = _attestation_blobs(scanned.archive, desc, options, image_findings)
            provenance = build_provenance(desc, blobs, matched.get(position, ()))
            base = find_base(desc, provenance, candidates)
            if base.layer_count is not None:
                desc = replace(
                    desc,
                    layers=tuple(
                        replace(layer, base=layer.index < (base.layer_count or 0))
                        for layer in desc.layers
                    ),
                )
            packages: tuple[Package, ...] = ()
            distro: dict[str, str] = {}
            if options.catalog:
                pairs = [
                    (layer, scan)
                    for layer, scan in zip(desc.layers, scans, strict=True)
                    if scan is not None
                ]
                result = catalog_image(pairs, catalogers, desc.config.architecture)
                packages = result.packages
                image_findings.extend(result.findings)
                if result.distro is not None:
                    distro = {
                        k: v
                        for k, v in (
                            ("id", result.distro.id),
                            ("version_id", result.distro.version_id),
                            ("version_codename", result.distro.version_codename),
                            ("pretty_name", result.distro.pretty_name),
                        )
                        if v
                    }
                if base.layer_count is not None:
                    packages = tuple(
                        replace(
                            p, base=p.layer_index is not None and p.layer_index < base.layer_count
                        )
                        for p in packages
                    )
            reports.append(
                ImageReport(
                    desc,
                    provenance,
                    base,
                    packages,
                    tuple(image_findings) + provenance.findings,
                    distro,
                )
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
