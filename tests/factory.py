"""The one place tests build Reports by hand, on the real model types (so they cannot drift).

``make_report()`` is a realistic two-platform image: four layers (two from the base), history,
provenance with pinned and unpinned sources, a base image with evidence, ~50 packages of
four ecosystems with purls, licences and locations, and a few findings; an SBOM attestation
compared with those packages (one only attested, one only observed, one version apart), one
attestation per signature status and a verification summary.
``make_report(hostile=True)`` is the same image after an attacker chose every string a label,
annotation, package database or file name can hold: script tags, ``javascript:`` URLs,
Markdown table breakers, backticks, newlines and terminal escapes. Payloads that would run
set ``window.__pwned`` so a browser test can tell.

Everything is derived from fixed seeds: two calls give equal Reports.

``layer``, ``pkg``, ``image`` and ``report`` build small Reports piece by piece, for tests
that compare two of them (the diff tests); real version strings from bookworm / PyPI / npm.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from reporter.model import (
    AttestationCheck,
    AttestationRef,
    BaseImage,
    Descriptor,
    Distro,
    Evidence,
    Fact,
    Finding,
    FindingKind,
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
    SignatureStatus,
    Source,
    VerificationSummary,
)
from reporter.provenance.sbom_compare import compare_sbom

__all__ = [
    "AMD64",
    "DEBIAN_12",
    "HOSTILE_STRINGS",
    "INDEX_DIGEST",
    "SCHEMA",
    "image",
    "layer",
    "make_report",
    "pkg",
    "report",
]

SCHEMA = "oci-reporter/report/v1"

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"

HOSTILE_STRINGS = (
    "<script>window.__pwned=1;alert(1)</script>",
    "javascript:window.__pwned=1;alert(1)",
    '"><img src=x onerror="window.__pwned=1">',
    "| table | breakers |",
    "`code` ``fence``",
    "line one\nline two\r\n| x | y |",
    "\x1b[31mred\x1b[0m\x1b]0;title\x07\x07",
    "[link](javascript:window.__pwned=1) *bold* _em_ ~~s~~ &amp; &lt;b&gt;",
)


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


INDEX_DIGEST = sha("index")

# What reporter.catalog.distro makes of bookworm's /etc/os-release.
DEBIAN_12 = Distro(
    id="debian",
    version_id="12",
    version_codename="bookworm",
    name="Debian GNU/Linux",
    pretty_name="Debian GNU/Linux 12 (bookworm)",
    source_path="etc/os-release",
)

# (type, name, version, licence, purl template) — purl built with the platform's arch
_DEBS = [
    ("base-files", "12.4+deb12u5", "GPL-2.0-or-later"),
    ("bash", "5.2.15-2+b2", "GPL-3.0-or-later"),
    ("ca-certificates", "20230311", "MPL-2.0"),
    ("coreutils", "9.1-1", "GPL-3.0-or-later"),
    ("debian-archive-keyring", "2023.3+deb12u1", "GPL-2.0-or-later"),
    ("dpkg", "1.21.22", "GPL-2.0-or-later"),
    ("gzip", "1.12-1", "GPL-3.0-or-later"),
    ("libc6", "2.36-9+deb12u4", "LGPL-2.1-or-later"),
    ("libgcc-s1", "12.2.0-14", "GPL-3.0-or-later WITH GCC-exception-3.1"),
    ("libssl3", "3.0.11-1~deb12u2", "Apache-2.0"),
    ("libstdc++6", "12.2.0-14", "GPL-3.0-or-later WITH GCC-exception-3.1"),
    ("libzstd1", "1.5.4+dfsg2-5", "BSD-3-Clause"),
    ("ncurses-base", "6.4-4", "X11"),
    ("openssl", "3.0.11-1~deb12u2", "Apache-2.0"),
    ("perl-base", "5.36.0-7+deb12u1", "Artistic-1.0-Perl"),
    ("sed", "4.9-1", "GPL-3.0-or-later"),
    ("tar", "1.34+dfsg-1.2+deb12u1", "GPL-3.0-or-later"),
    ("tzdata", "2024a-0+deb12u1", "public-domain"),
    ("zlib1g", "1:1.2.13.dfsg-1", "Zlib"),
    ("libpython3.11-minimal", "3.11.2-6", "PSF-2.0"),
    ("python3.11-minimal", "3.11.2-6", "PSF-2.0"),
    ("libsqlite3-0", "3.40.1-2", "blessing"),
]
_PYTHON = [
    ("certifi", "2024.2.2", "MPL-2.0"),
    ("charset-normalizer", "3.3.2", "MIT"),
    ("click", "8.1.7", "BSD-3-Clause"),
    ("flask", "3.0.2", "BSD-3-Clause"),
    ("idna", "3.6", "BSD-3-Clause"),
    ("itsdangerous", "2.1.2", "BSD-3-Clause"),
    ("jinja2", "3.1.3", "BSD-3-Clause"),
    ("markupsafe", "2.1.5", "BSD-3-Clause"),
    ("requests", "2.31.0", "Apache-2.0"),
    ("urllib3", "2.2.1", "MIT"),
    ("werkzeug", "3.0.1", "BSD-3-Clause"),
    ("gunicorn", "21.2.0", "MIT"),
]
_NPM = [
    ("@types/node", "20.11.20", "MIT"),
    ("express", "4.18.2", "MIT"),
    ("lodash", "4.17.21", "MIT"),
    ("debug", "2.6.9", "MIT"),
    ("ms", "2.0.0", "MIT"),
    ("qs", "6.11.0", "BSD-3-Clause"),
    ("body-parser", "1.20.1", "MIT"),
    ("cookie", "0.5.0", "MIT"),
]
_GO = [
    ("github.com/spf13/cobra", "v1.8.0", "Apache-2.0"),
    ("github.com/spf13/pflag", "v1.0.5", "BSD-3-Clause"),
    ("golang.org/x/sys", "v0.17.0", "BSD-3-Clause"),
    ("gopkg.in/yaml.v3", "v3.0.1", "MIT OR Apache-2.0"),
    ("stdlib", "go1.22.0", "BSD-3-Clause"),
]


def _layers(arch: str, hostile: bool) -> tuple[Layer, ...]:
    commands = [
        "/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcd"
        "caf449a75a9 in / ",
        "RUN /bin/sh -c apt-get update && apt-get install -y python3-minimal # buildkit",
        "COPY requirements.txt app/ /app/ # buildkit",
        "RUN /bin/sh -c pip install -r /app/requirements.txt && npm ci # buildkit",
    ]
    if hostile:
        commands[2] = "COPY <script>window.__pwned=1</script> | x | `y` \x1b[31m /app/"
    sizes = [29_123_456, 18_400_000, 52_113, 41_987_001]
    layers = []
    for index, (command, size) in enumerate(zip(commands, sizes, strict=True)):
        layers.append(
            Layer(
                index=index,
                digest=sha(f"layer-{arch}-{index}"),
                media_type=LAYER,
                size=size + (7 if arch == "arm64" else 0),
                diff_id=sha(f"diff-{arch}-{index}"),
                history=HistoryEntry(
                    created=f"2024-03-0{index + 1}T10:00:00Z",
                    created_by=command,
                    comment="buildkit.dockerfile.v0" if index else "",
                ),
                uncompressed_size=size * 3,
                verified=True,
                diff_id_verified=True,
                base=index < 2,
            )
        )
    return tuple(layers)


def _packages(arch: str, layers: tuple[Layer, ...], hostile: bool) -> tuple[Package, ...]:
    packages: list[Package] = []

    def add(
        type_: str,
        name: str,
        version: str,
        licence: str,
        purl: str,
        path: str,
        layer: int,
        cataloger: str,
        metadata: tuple[tuple[str, str], ...] = (),
        hashes: tuple[tuple[str, str], ...] = (),
        supplier: str = "",
        authors: tuple[str, ...] = (),
    ) -> None:
        packages.append(
            Package(
                type=type_,
                name=name,
                version=version,
                purl=purl,
                licenses=(licence,) if licence else (),
                locations=(Location(path, layer, layers[layer].digest, layers[layer].diff_id),),
                layer_index=layer,
                layer_digest=layers[layer].digest,
                layer_diff_id=layers[layer].diff_id,
                base=layers[layer].base,
                cataloger=cataloger,
                metadata=metadata,
                hashes=hashes,
                supplier=supplier or dict(metadata).get("maintainer", ""),
                authors=authors,
            )
        )

    deb_arch = {"amd64": "amd64", "arm64": "arm64"}[arch]
    for n, (name, version, licence) in enumerate(_DEBS):
        layer = 1 if "python" in name or "sqlite" in name else 0
        add(
            "deb",
            name,
            version,
            licence,
            f"pkg:deb/debian/{name.replace('+', '%2B')}@"
            f"{version.replace('+', '%2B').replace(':', '%3A')}"
            f"?arch={deb_arch}&distro=debian-12",
            "/var/lib/dpkg/status",
            layer,
            "dpkg",
            (("arch", deb_arch), ("maintainer", "Debian Maintainers <maint@example.org>"))
            if n % 3 == 0
            else (("arch", deb_arch),),
        )
    for name, version, licence in _PYTHON:
        add(
            "python",
            name,
            version,
            licence,
            f"pkg:pypi/{name}@{version}",
            f"/usr/local/lib/python3.11/site-packages/{name.replace('-', '_')}-{version}"
            ".dist-info/METADATA",
            3,
            "python",
            hashes=(("sha256", hashlib.sha256(name.encode()).hexdigest()),),
            authors=(f"{name.title()} Developers <{name}@example.org>",),
        )
    for name, version, licence in _NPM:
        scope, _, bare = name.rpartition("/")
        purl = (
            f"pkg:npm/{scope.replace('@', '%40')}/{bare}@{version}"
            if scope
            else f"pkg:npm/{name}@{version}"
        )
        add(
            "npm",
            name,
            version,
            licence,
            purl,
            f"/app/node_modules/{name}/package.json",
            3,
            "npm",
            hashes=(("sha512", hashlib.sha512(name.encode()).hexdigest()),),
            authors=(f"{bare} authors",),
        )
    for name, version, licence in _GO:
        purl = (
            f"pkg:golang/{name}@{version}" if name != "stdlib" else f"pkg:golang/stdlib@{version}"
        )
        add(
            "go-module",
            name,
            version,
            licence,
            purl,
            "/usr/local/bin/app",
            2,
            "golang",
            supplier="The Go Authors" if name == "stdlib" else "",
        )
    if hostile:
        bad = HOSTILE_STRINGS
        add(
            "npm",
            bad[0],
            bad[3],
            bad[1],
            "pkg:npm/%3Cscript%3E@1.0.0",
            "/app/node_modules/" + bad[0] + "/package.json",
            3,
            "npm",
            ((bad[2], bad[6]),),
            authors=(bad[0],),
        )
        add("python", bad[3], bad[4], bad[5], "", "/x/" + bad[5], 3, "python", authors=(bad[1],))
        add(
            "deb",
            bad[6],
            bad[7],
            bad[2],
            "not a purl",
            "/var/lib/dpkg/status",
            0,
            "dpkg",
            supplier=bad[2],
        )
        go_purl = "pkg:golang/" + bad[1]
        add("go-module", bad[7], "", "", go_purl, bad[4], 2, "golang", supplier=bad[3])
    return tuple(sorted(packages, key=lambda p: p.sort_key))


def _attested(
    arch: str, hostile: bool, packages: tuple[Package, ...]
) -> tuple[tuple[str, str, str], ...]:
    """What the image's SBOM attestation claims: our packages minus the first (only observed),
    the second at another version (version differs), plus one the layers lack (only attested)."""
    claims = [(p.name, p.version, p.purl) for p in packages[2:]]
    second = packages[1]
    claims.append((second.name, second.version + "+attested", second.purl))
    extra = HOSTILE_STRINGS[3] if hostile else "left-pad"
    claims.append((extra, "1.3.0", f"pkg:npm/left-pad@1.3.0?arch={arch}"))
    return tuple(claims)


def _checks(arch: str, hostile: bool) -> tuple[AttestationCheck, ...]:
    """One attestation layer per signature status."""
    detail = HOSTILE_STRINGS[0] if hostile else "DSSE signature does not verify"
    return (
        AttestationCheck(
            sha(f"attestation-{arch}"),
            sha(f"slsa-{arch}"),
            "application/vnd.in-toto+json",
            "https://slsa.dev/provenance/v0.2",
            "attestation-manifest",
            SignatureStatus(
                "verified",
                key=sha("trusted-key"),
                key_file="keys/release.pem" if not hostile else HOSTILE_STRINGS[3],
                keyids=("release",),
                detail="ecdsa-p256 key keys/release.pem",
            ),
        ),
        AttestationCheck(
            sha(f"attestation-{arch}"),
            sha(f"spdx-{arch}"),
            "application/vnd.in-toto+json",
            "https://spdx.dev/Document",
            "attestation-manifest",
        ),
        AttestationCheck(
            sha(f"referrer-{arch}"),
            sha(f"cosign-{arch}"),
            "application/vnd.dev.cosign.simplesigning.v1+json",
            "",
            "cosign-signature",
            SignatureStatus("untrusted-key", keyids=("ci",), detail="no trusted key matches"),
        ),
        AttestationCheck(
            sha(f"referrer-{arch}"),
            sha(f"vsa-{arch}"),
            "application/vnd.in-toto.verification_summary+dsse",
            "https://slsa.dev/verification_summary/v1",
            "referrer",
            SignatureStatus("invalid", keyids=("ci",), detail=detail),
            used=False,
        ),
    )


def _summaries(arch: str, hostile: bool) -> tuple[VerificationSummary, ...]:
    return (
        VerificationSummary(
            "https://slsa.dev/verification_summary/v1",
            verifier_id=HOSTILE_STRINGS[0] if hostile else "https://verifier.example.com",
            policy_uri=HOSTILE_STRINGS[1] if hostile else "https://example.com/policy/slsa-l3",
            result="PASSED",
            resource_uri=f"pkg:docker/registry.example.com/team/webapp@1.4.2?platform=linux%2F{arch}",
            levels=("SLSA_BUILD_LEVEL_3",),
            time_verified="2024-03-04T10:05:00Z",
            origin_detail=sha(f"vsa-{arch}"),
            signature=SignatureStatus(
                "verified", key=sha("trusted-key"), key_file="keys/release.pem"
            ),
        ),
    )


def _image(arch: str, variant: str, hostile: bool) -> ImageReport:
    platform = Platform("linux", arch, variant)
    layers = _layers(arch, hostile)
    labels = {
        "org.opencontainers.image.source": "https://github.com/example/webapp",
        "org.opencontainers.image.revision": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
        "org.opencontainers.image.title": "webapp",
        "org.opencontainers.image.vendor": "Example Corp",
        "org.opencontainers.image.licenses": "Apache-2.0",
    }
    annotations = {
        "org.opencontainers.image.base.name": "docker.io/library/python:3.11-slim",
        "org.opencontainers.image.base.digest": sha("python-base"),
        "org.opencontainers.image.created": "2024-03-04T10:00:00Z",
    }
    refs: tuple[str, ...] = ("registry.example.com/team/webapp:1.4.2",)
    if hostile:
        labels.update(
            {
                "org.opencontainers.image.source": HOSTILE_STRINGS[1],
                "org.opencontainers.image.url": "javascript:window.__pwned=1",
                "org.opencontainers.image.documentation": (
                    "data:text/html,<script>window.__pwned=1</script>"
                ),
                "evil": HOSTILE_STRINGS[0],
                HOSTILE_STRINGS[2]: HOSTILE_STRINGS[3],
                "ansi": HOSTILE_STRINGS[6],
                "md": HOSTILE_STRINGS[7],
                "multi": HOSTILE_STRINGS[5],
            }
        )
        annotations["org.opencontainers.image.description"] = HOSTILE_STRINGS[0]
        refs = ("registry.example.com/team/webapp:1.4.2", "<script>window.__pwned=1</script>")
    manifest = Descriptor(MANIFEST, sha(f"manifest-{arch}"), 1_234, platform=platform)
    attestation = AttestationRef(
        manifest=Descriptor(MANIFEST, sha(f"attestation-{arch}"), 842),
        kind="attestation-manifest",
        layers=(
            Descriptor(
                "application/vnd.in-toto+json",
                sha(f"slsa-{arch}"),
                5_000,
                annotations={"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"},
            ),
        ),
    )
    target = ImageTarget(
        manifest=manifest,
        refs=refs,
        platform=platform,
        parents=(INDEX_DIGEST,),
        index_annotations=(("index.json", {"org.opencontainers.image.ref.name": "1.4.2"}),),
        attestations=(attestation,),
    )
    config = ImageConfig(
        digest=sha(f"config-{arch}"),
        media_type=CONFIG,
        size=4_321,
        created="2024-03-04T10:00:00Z",
        os="linux",
        architecture=arch,
        variant=variant,
        user="app",
        env=("PATH=/usr/local/bin:/usr/bin:/bin", "PYTHONUNBUFFERED=1"),
        entrypoint=("gunicorn",),
        cmd=("app:app", "--bind", "0.0.0.0:8000"),
        working_dir="/app",
        exposed_ports=("8000/tcp",),
        labels=labels,
        diff_ids=tuple(layer.diff_id for layer in layers),
        history=tuple(layer.history for layer in layers if layer.history),
    )
    description = ImageDescription(
        target=target,
        manifest_media_type=MANIFEST,
        manifest_annotations=annotations,
        config=config,
        layers=layers,
        findings=(
            Finding(
                FindingKind.UNKNOWN_MEDIA_TYPE,
                "layer 2 uses a vendor media type",
                where=f"manifest {manifest.digest}",
                severity="info",
            ),
        ),
    )
    packages = _packages(arch, layers, hostile)
    vcs = HOSTILE_STRINGS[1] if hostile else "https://github.com/example/webapp.git"
    provenance = Provenance(
        facts=(
            Fact(
                "builder_id",
                "https://github.com/actions/runner",
                "attestation",
                sha(f"slsa-{arch}"),
            ),
            Fact("frontend", "dockerfile.v0", "config-buildinfo"),
            Fact("vcs_source", vcs, "label", "org.opencontainers.image.source"),
            Fact(
                "vcs_revision",
                "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
                "annotation",
                "manifest",
            ),
        ),
        sources=(
            Source(
                "docker-image",
                "docker.io/library/python:3.11-slim",
                sha("python-base"),
                origin="config-buildinfo",
            ),
            Source(
                "git",
                vcs,
                "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
                alias="context",
                origin="attestation",
            ),
            Source("http", "https://example.org/tool.tar.gz", "", origin="attestation"),
        )
        + (
            (Source("local", HOSTILE_STRINGS[3], "", HOSTILE_STRINGS[0], "attestation"),)
            if hostile
            else ()
        ),
        builder_id="https://github.com/actions/runner",
        build_type="https://mobyproject.org/buildkit@v1",
        frontend="dockerfile.v0",
        build_args={"PYTHON_VERSION": "3.11", "BUILDKIT_INLINE_CACHE": "1"}
        | ({"EVIL": HOSTILE_STRINGS[0]} if hostile else {}),
        vcs_source=vcs,
        vcs_revision="0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
        invocation_id="inv-8d7c" if not hostile else HOSTILE_STRINGS[5],
        started_on="2024-03-04T09:58:00Z",
        finished_on="2024-03-04T10:00:00Z",
        reproducible=False,
        attested_packages=_attested(arch, hostile, packages),
        attestations=_checks(arch, hostile),
        verification_summaries=_summaries(arch, hostile),
    )
    sbom = compare_sbom(provenance.attested_packages, packages)
    base = BaseImage(
        name="docker.io/library/python:3.11-slim" if not hostile else HOSTILE_STRINGS[0],
        digest=sha("python-base"),
        confidence="high",
        layer_count=2,
        evidence=(
            Evidence("annotation", "org.opencontainers.image.base.name", "manifest"),
            Evidence("layer-prefix", "first 2 diff_ids match the base image", "--base"),
        )
        + (
            (Evidence(HOSTILE_STRINGS[3], HOSTILE_STRINGS[6], HOSTILE_STRINGS[2]),)
            if hostile
            else ()
        ),
        note="" if not hostile else HOSTILE_STRINGS[7],
    )
    findings = (
        Finding(
            FindingKind.PROVENANCE_CONFLICT,
            "vcs revision differs between label and attestation",
            where="label org.opencontainers.image.revision",
            severity="warning",
            expected="0f1e2d3c",
            actual="aaaa1111",
        ),
    ) + (
        (
            Finding(
                FindingKind.DIGEST_MISMATCH,
                HOSTILE_STRINGS[0],
                where=HOSTILE_STRINGS[3],
                expected=HOSTILE_STRINGS[4],
                actual=HOSTILE_STRINGS[6],
                integrity=True,
            ),
        )
        if hostile
        else ()
    )
    return ImageReport(
        description=description,
        provenance=provenance,
        base=base,
        packages=packages,
        findings=findings,
        distro=DEBIAN_12,
        only_attested=sbom.only_attested,
        only_observed=sbom.only_observed,
        version_differs=sbom.version_differs,
    )


def make_report(*, hostile: bool = False, platforms: int = 2) -> Report:
    """A two-platform (or one-platform) report; ``hostile`` poisons every image-derived string."""
    images = (_image("amd64", "", hostile), _image("arm64", "v8", hostile))[:platforms]
    return Report(
        schema=SCHEMA,
        tool_version="0.1.0",
        input_name="webapp.tar" if not hostile else "hostile.tar",
        input_format="oci-archive",
        generated="2024-03-04T10:00:00Z",
        images=images,
        findings=(
            Finding(
                FindingKind.LIMIT,
                "attestation larger than 1 MiB skipped",
                where="index.json",
                severity="info",
            ),
        ),
    )


# --------------------------------------------------------------------------- piece by piece

AMD64 = Platform("linux", "amd64")
NO_BASE = BaseImage()
NO_PROVENANCE = Provenance()


def layer(index: int, tag: str, *, base: bool | None = None, size: int = 1000) -> Layer:
    return Layer(
        index=index,
        digest=f"sha256:{'b' * 8}{tag}",
        media_type=LAYER,
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
    distro: Distro | None = DEBIAN_12,
) -> ImageReport:
    config = ImageConfig(
        digest="sha256:" + "c" * 64,
        media_type=CONFIG,
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
        manifest=Descriptor(MANIFEST, digest, 999),
        refs=refs,
        platform=platform,
    )
    description = ImageDescription(
        target=target,
        manifest_media_type=MANIFEST,
        manifest_annotations=dict(annotations or {}),
        config=config,
        layers=layers,
    )
    return ImageReport(
        description=description,
        provenance=provenance,
        base=base,
        packages=tuple(sorted(packages, key=lambda p: p.sort_key)),
        distro=distro,
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
