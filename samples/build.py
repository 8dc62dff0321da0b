"""Build the project's own small, byte-reproducible sample images from real tar streams.

    python samples/build.py [OUT_DIR]      (default: samples/)

writes
  demo-multiarch.oci/   OCI image layout: index.json → image index (ref.name "1.0") →
                        linux/amd64 + linux/arm64 manifests and one BuildKit-style attestation
                        manifest (SLSA provenance v1 + SPDX) for the amd64 image
  demo-docker-save.tar  legacy ``docker save`` tarball of the amd64 image (manifest.json,
                        repositories, <id>/layer.tar), tagged demo/app:1.0

Each image has three gzip layers: a Debian-like base (os-release, dpkg status with three
packages and their copyright files), an app layer (a Python dist-info, an npm package, a
file to be deleted) and a layer that whites the deleted file out. Every byte is fixed: tar
headers carry mtime SOURCE_DATE_EPOCH, uid/gid 0, gzip headers mtime 0, JSON is sorted.
``build_images`` is also used by the tests to make variants (hostile labels, corrupt blobs).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import sys
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

EPOCH = 1700000000
CREATED = "2023-11-14T22:13:20Z"

OS_RELEASE = """PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
"""

DPKG_PACKAGES = (
    ("base-files", "12.4+deb12u5", "Standard base files", "GPL-2+"),
    ("libc6", "2.36-9+deb12u7", "GNU C Library: Shared libraries", "LGPL-2.1+"),
    ("zlib1g", "1:1.2.13.dfsg-1", "compression library - runtime", "Zlib"),
)

DEB_ARCH = {"amd64": "amd64", "arm64": "arm64"}


def _dpkg_status(arch: str) -> str:
    stanzas = []
    for name, version, summary, _licence in DPKG_PACKAGES:
        source = "glibc" if name == "libc6" else ""
        stanza = [
            f"Package: {name}",
            "Status: install ok installed",
            "Priority: required",
            "Section: libs",
            "Installed-Size: 100",
            "Maintainer: Debian Developers <debian-devel@lists.debian.org>",
            f"Architecture: {arch}",
        ]
        if source:
            stanza.append(f"Source: {source}")
        stanza += [
            f"Version: {version}",
            f"Description: {summary}",
            " A sample package built by oci-reporter's samples/build.py.",
        ]
        stanzas.append("\n".join(stanza))
    return "\n\n".join(stanzas) + "\n"


def _copyright(licence: str) -> str:
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
        f"Files: *\nCopyright: 2023 Sample Authors\nLicense: {licence}\n"
    )


PY_METADATA = """Metadata-Version: 2.1
Name: Sample_Requests
Version: 2.31.0
Summary: A sample distribution
License: Apache-2.0
Classifier: License :: OSI Approved :: Apache Software License
"""

NPM_PACKAGE = {"name": "left-pad", "version": "1.3.0", "license": "WTFPL", "main": "index.js"}


@dataclass(frozen=True)
class TarFile:
    path: str
    data: bytes = b""
    kind: str = "file"  # file | dir | symlink
    mode: int = 0o644
    link: str = ""


def tar_bytes(files: Sequence[TarFile], *, fmt: int = tarfile.PAX_FORMAT) -> bytes:
    """A real tar stream with fixed metadata (PAX headers carry no timestamps of their own)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for item in files:
            info = tarfile.TarInfo(item.path)
            info.mtime = EPOCH
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mode = item.mode
            if item.kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            elif item.kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = item.link
                tar.addfile(info)
            else:
                info.size = len(item.data)
                tar.addfile(info, io.BytesIO(item.data))
    return out.getvalue()


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(doc: object) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def base_layer(arch: str) -> list[TarFile]:
    files = [
        TarFile("etc", kind="dir"),
        TarFile("etc/os-release", OS_RELEASE.encode()),
        TarFile("bin", kind="dir"),
        TarFile("bin/sh", b"#!sample shell\n", mode=0o755),
        TarFile("var", kind="dir"),
        TarFile("var/lib", kind="dir"),
        TarFile("var/lib/dpkg", kind="dir"),
        TarFile("var/lib/dpkg/status", _dpkg_status(DEB_ARCH[arch]).encode()),
        TarFile("usr", kind="dir"),
        TarFile("usr/share", kind="dir"),
        TarFile("usr/share/doc", kind="dir"),
    ]
    for name, _version, _summary, licence in DPKG_PACKAGES:
        files.append(TarFile(f"usr/share/doc/{name}", kind="dir"))
        files.append(TarFile(f"usr/share/doc/{name}/copyright", _copyright(licence).encode()))
    return files


def app_layer() -> list[TarFile]:
    site = "usr/local/lib/python3.11/site-packages"
    dist = f"{site}/Sample_Requests-2.31.0.dist-info"
    return [
        TarFile("usr/local", kind="dir"),
        TarFile("usr/local/lib", kind="dir"),
        TarFile("usr/local/lib/python3.11", kind="dir"),
        TarFile(site, kind="dir"),
        TarFile(dist, kind="dir"),
        TarFile(f"{dist}/METADATA", PY_METADATA.encode()),
        TarFile("opt", kind="dir"),
        TarFile("opt/app", kind="dir"),
        TarFile("opt/app/node_modules", kind="dir"),
        TarFile("opt/app/node_modules/left-pad", kind="dir"),
        TarFile("opt/app/node_modules/left-pad/package.json", canonical(NPM_PACKAGE)),
        TarFile("opt/app/server.js", b"console.log('hello')\n"),
        TarFile("opt/app/debug.log", b"to be deleted\n"),
    ]


def cleanup_layer() -> list[TarFile]:
    # image-spec layer.md "Whiteouts": .wh.<name> deletes <name> from lower layers.
    return [
        TarFile("opt", kind="dir"),
        TarFile("opt/app", kind="dir"),
        TarFile("opt/app/.wh.debug.log"),
    ]


@dataclass
class Blobs:
    by_digest: dict[str, bytes] = field(default_factory=dict)

    def add(self, data: bytes) -> dict[str, object]:
        digest = sha256(data)
        self.by_digest[digest] = data
        return {"digest": digest, "size": len(data)}


@dataclass(frozen=True)
class BuiltImage:
    arch: str
    manifest: dict[str, object]  # descriptor in the index
    config: bytes
    layers_raw: tuple[bytes, ...]  # uncompressed tars


def build_image(
    blobs: Blobs, arch: str, labels: Mapping[str, str], annotations: Mapping[str, str]
) -> BuiltImage:
    raw_layers = (tar_bytes(base_layer(arch)), tar_bytes(app_layer()), tar_bytes(cleanup_layer()))
    layer_descs = []
    for raw in raw_layers:
        desc = blobs.add(gzip_bytes(raw))
        layer_descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **desc})
    history = [
        # the base image's own steps, recorded as debian's official images do (no buildkit
        # comment): history tells the base's one layer from this build's two
        {
            "created": "2023-11-01T00:00:00Z",
            "created_by": "/bin/sh -c #(nop) ADD file:5a3f7e0c in / ",
        },
        {
            "created": "2023-11-01T00:00:00Z",
            "created_by": '/bin/sh -c #(nop)  CMD ["bash"]',
            "empty_layer": True,
        },
        {
            "created": CREATED,
            "created_by": "COPY app/ / # buildkit",
            "comment": "buildkit.dockerfile.v0",
        },
        {
            "created": CREATED,
            "created_by": "RUN rm /opt/app/debug.log # buildkit",
            "comment": "buildkit.dockerfile.v0",
        },
    ]
    config = {
        "architecture": arch,
        "os": "linux",
        "created": CREATED,
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Entrypoint": ["/bin/sh", "-c"],
            "Cmd": ["node /opt/app/server.js"],
            "WorkingDir": "/opt/app",
            "User": "1000:1000",
            "ExposedPorts": {"8080/tcp": {}},
            "Labels": dict(labels),
        },
        "rootfs": {"type": "layers", "diff_ids": [sha256(raw) for raw in raw_layers]},
        "history": history,
    }
    if arch == "arm64":
        config["variant"] = "v8"
    config_bytes = canonical(config)
    config_desc = {
        "mediaType": "application/vnd.oci.image.config.v1+json",
        **blobs.add(config_bytes),
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config_desc,
        "layers": layer_descs,
        "annotations": dict(annotations),
    }
    platform: dict[str, str] = {"architecture": arch, "os": "linux"}
    if arch == "arm64":
        platform["variant"] = "v8"
    desc = {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        **blobs.add(canonical(manifest)),
        "platform": platform,
    }
    return BuiltImage(arch, desc, config_bytes, raw_layers)


def attestation_manifest(
    blobs: Blobs, subject: BuiltImage, *, empty_subject: bool = False
) -> dict[str, object]:
    """BuildKit attestation storage (docs/attestations/attestation-storage.md).

    ``empty_subject``: the statements' ``subject`` is ``[]``, as ``buildx build --output
    type=oci`` writes them for a build without an image name.
    """
    subject_digest = str(subject.manifest["digest"])
    statement_subject = [
        {
            "name": "pkg:docker/demo/app@1.0?platform=linux%2Famd64",
            "digest": {"sha256": subject_digest.split(":", 1)[1]},
        }
    ]
    if empty_subject:
        statement_subject = []
    provenance = {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v1",
        "subject": statement_subject,
        "predicate": {
            "buildDefinition": {
                "buildType": "https://mobyproject.org/buildkit@v1",
                "externalParameters": {
                    "configSource": {
                        "uri": "https://example.invalid/demo/app.git#refs/tags/v1.0",
                        "digest": {"sha1": "0123456789abcdef0123456789abcdef01234567"},
                        "path": "Dockerfile",
                    },
                    "request": {
                        "frontend": "dockerfile.v0",
                        "args": {"build-arg:VERSION": "1.0", "source": "docker/dockerfile:1"},
                    },
                },
                "resolvedDependencies": [
                    {
                        "uri": "pkg:docker/debian@12?platform=linux%2Famd64",
                        "digest": {"sha256": "b" * 64},
                    },
                ],
            },
            "runDetails": {
                "builder": {"id": "https://example.invalid/ci/runner"},
                "metadata": {
                    "invocationID": "demo-invocation-1",
                    "startedOn": CREATED,
                    "finishedOn": CREATED,
                    "buildkit_reproducible": True,
                },
            },
        },
    }
    spdx = {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document",
        "subject": statement_subject,
        "predicate": {
            "spdxVersion": "SPDX-2.3",
            "SPDXID": "SPDXRef-DOCUMENT",
            "name": "demo/app:1.0",
            "dataLicense": "CC0-1.0",
            "documentNamespace": "https://example.invalid/spdx/demo-app-1.0",
            "creationInfo": {"created": CREATED, "creators": ["Tool: samples/build.py"]},
            "packages": [
                {
                    "SPDXID": f"SPDXRef-Package-{name}",
                    "name": name,
                    "versionInfo": version,
                    "downloadLocation": "NOASSERTION",
                    "externalRefs": [
                        {
                            "referenceCategory": "PACKAGE-MANAGER",
                            "referenceType": "purl",
                            "referenceLocator": f"pkg:deb/debian/{name}@{version}?arch=amd64",
                        }
                    ],
                }
                for name, version, _s, _l in DPKG_PACKAGES
            ],
        },
    }
    layers = []
    for statement in (provenance, spdx):
        layers.append(
            {
                "mediaType": "application/vnd.in-toto+json",
                **blobs.add(canonical(statement)),
                "annotations": {"in-toto.io/predicate-type": statement["predicateType"]},
            }
        )
    config = canonical(
        {
            "architecture": "unknown",
            "os": "unknown",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [str(x["digest"]) for x in layers]},
        }
    )
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **blobs.add(config)},
        "layers": layers,
    }
    return {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        **blobs.add(canonical(manifest)),
        "annotations": {
            "vnd.docker.reference.digest": subject_digest,
            "vnd.docker.reference.type": "attestation-manifest",
        },
        "platform": {"architecture": "unknown", "os": "unknown"},
    }


DEFAULT_LABELS = {
    "org.opencontainers.image.title": "demo-app",
    "org.opencontainers.image.version": "1.0",
    "org.opencontainers.image.source": "https://example.invalid/demo/app",
    "org.opencontainers.image.licenses": "Apache-2.0",
    "org.opencontainers.image.base.name": "docker.io/library/debian:12",
}
DEFAULT_ANNOTATIONS = {
    "org.opencontainers.image.base.name": "docker.io/library/debian:12",
    "org.opencontainers.image.base.digest": "sha256:" + "b" * 64,
    "org.opencontainers.image.created": CREATED,
    "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
}


def write_layout(
    out: Path,
    *,
    labels: Mapping[str, str] = DEFAULT_LABELS,
    annotations: Mapping[str, str] = DEFAULT_ANNOTATIONS,
    arches: Sequence[str] = ("amd64", "arm64"),
    empty_subject: bool = False,
) -> list[BuiltImage]:
    blobs = Blobs()
    images = [build_image(blobs, arch, labels, annotations) for arch in arches]
    attestation = attestation_manifest(blobs, images[0], empty_subject=empty_subject)
    entries = [img.manifest for img in images] + [attestation]
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": entries,
    }
    index_desc = {
        "mediaType": "application/vnd.oci.image.index.v1+json",
        **blobs.add(canonical(index)),
        "annotations": {"org.opencontainers.image.ref.name": "1.0"},
    }
    (out / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    for digest, data in sorted(blobs.by_digest.items()):
        (out / "blobs" / "sha256" / digest.split(":", 1)[1]).write_bytes(data)
    (out / "oci-layout").write_bytes(canonical({"imageLayoutVersion": "1.0.0"}))
    (out / "index.json").write_bytes(canonical({"schemaVersion": 2, "manifests": [index_desc]}))
    return images


def docker_save_bytes(image: BuiltImage, tag: str = "demo/app:1.0") -> bytes:
    """Legacy ``docker save`` (moby image/spec/v1.2.md + manifest.json): uncompressed layers."""
    files: list[TarFile] = []
    layer_paths = []
    parent = ""
    for raw in image.layers_raw:
        layer_id = hashlib.sha256((parent + sha256(raw)).encode()).hexdigest()
        files += [
            TarFile(layer_id, kind="dir"),
            TarFile(f"{layer_id}/VERSION", b"1.0"),
            TarFile(
                f"{layer_id}/json",
                canonical({"id": layer_id, "parent": parent} if parent else {"id": layer_id}),
            ),
            TarFile(f"{layer_id}/layer.tar", raw),
        ]
        layer_paths.append(f"{layer_id}/layer.tar")
        parent = layer_id
    config_name = sha256(image.config).split(":", 1)[1] + ".json"
    files.append(TarFile(config_name, image.config))
    repo, _, version = tag.rpartition(":")
    files.append(TarFile("repositories", canonical({repo: {version: parent}})))
    files.append(
        TarFile(
            "manifest.json",
            canonical([{"Config": config_name, "RepoTags": [tag], "Layers": layer_paths}]),
        )
    )
    return tar_bytes(files, fmt=tarfile.USTAR_FORMAT)


def build_all(out: Path) -> None:
    layout = out / "demo-multiarch.oci"
    if layout.exists():
        import shutil

        shutil.rmtree(layout)
    images = write_layout(layout)
    (out / "demo-docker-save.tar").write_bytes(docker_save_bytes(images[0]))


def _b64(data: bytes) -> str:  # kept for tests that embed buildinfo
    return base64.b64encode(data).decode()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    target.mkdir(parents=True, exist_ok=True)
    build_all(target)
    print(f"wrote {target / 'demo-multiarch.oci'} and {target / 'demo-docker-save.tar'}")
