"""Hand-built Reports for the diff tests (real version strings from bookworm / PyPI / npm)."""

from __future__ import annotations

from collections.abc import Mapping

from reporter.model import (
    BaseImage,
    Descriptor,
    HistoryEntry,
    ImageConfig,
    ImageDescription,
    ImageReport,
    ImageTarget,
    Layer,
    Location,
    Package,
    Platform,
    Provenance,
    Report,
)

SCHEMA = "oci-reporter/report/v1"
AMD64 = Platform("linux", "amd64")
NO_BASE = BaseImage()
NO_PROVENANCE = Provenance()


def layer(index: int, tag: str, *, base: bool | None = None, size: int = 1000) -> Layer:
    return Layer(
        index=index,
        digest=f"sha256:{'b' * 8}{tag}",
        media_type="application/vnd.oci.image.layer.v1.tar+gzip",
        size=size,
        diff_id=f"sha256:{'d' * 8}{tag}",
        history=HistoryEntry(created_by=f"RUN step {tag} # buildkit"),
        base=base,
    )


def pkg(
    type_: str,
    name: str,
    version: str,
    *,
    base: bool | None = None,
    licenses: tuple[str, ...] = (),
    path: str = "",
    layer_index: int | None = None,
) -> Package:
    purl_type = {"deb": "deb/debian", "python": "pypi", "npm": "npm"}.get(type_, type_)
    return Package(
        type=type_,
        name=name,
        version=version,
        purl=f"pkg:{purl_type}/{name}@{version}",
        licenses=licenses,
        locations=(Location(path, layer_index or 0, "sha256:x"),) if path else (),
        layer_index=layer_index,
        base=base,
    )


def image(
    *,
    platform: Platform = AMD64,
    digest: str = "sha256:" + "1" * 64,
    refs: tuple[str, ...] = ("app:1.0.0",),
    packages: tuple[Package, ...] = (),
    layers: tuple[Layer, ...] = (),
    base: BaseImage = NO_BASE,
    labels: Mapping[str, str] | None = None,
    env: tuple[str, ...] = ("PATH=/usr/local/bin:/usr/bin",),
    user: str = "",
    cmd: tuple[str, ...] = ("python3", "-m", "app"),
    ports: tuple[str, ...] = ("8080/tcp",),
    annotations: Mapping[str, str] | None = None,
    provenance: Provenance = NO_PROVENANCE,
    distro: Mapping[str, str] | None = None,
) -> ImageReport:
    config = ImageConfig(
        digest="sha256:" + "c" * 64,
        media_type="application/vnd.oci.image.config.v1+json",
        size=1234,
        os=platform.os,
        architecture=platform.architecture,
        variant=platform.variant,
        user=user,
        env=env,
        cmd=cmd,
        exposed_ports=ports,
        labels=dict(labels or {}),
        diff_ids=tuple(x.diff_id for x in layers),
    )
    target = ImageTarget(
        manifest=Descriptor("application/vnd.oci.image.manifest.v1+json", digest, 999),
        refs=refs,
        platform=platform,
    )
    description = ImageDescription(
        target=target,
        manifest_media_type="application/vnd.oci.image.manifest.v1+json",
        manifest_annotations=dict(annotations or {}),
        config=config,
        layers=layers,
    )
    return ImageReport(
        description=description,
        provenance=provenance,
        base=base,
        packages=tuple(sorted(packages, key=lambda p: p.sort_key)),
        distro=dict(distro or {"ID": "debian", "VERSION_ID": "12"}),
    )


def report(*images: ImageReport, name: str = "app.tar") -> Report:
    return Report(
        schema=SCHEMA,
        tool_version="0.1.0",
        input_name=name,
        input_format="oci-archive",
        generated="2024-06-01T00:00:00Z",
        images=images,
    )
