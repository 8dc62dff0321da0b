"""An OCI image of real executables taken from Debian's packages, for the binary classifiers.

``apt-get download`` fetches the packages (versions from deb.debian.org, never a third-party
repository configured on the machine), ``dpkg-deb -x`` unpacks them, and the executables are
packed, without any dpkg database (so no package manager owns them), into a one-layer
image with the project's own builder (``tests.hostile._build.custom_layout``). Some land under
the name an upstream image gives them, since syft's globs look for that name: Debian's
``apache2`` is ``httpd`` in the official httpd image, ``redis-check-rdb`` is the
``redis-server`` binary (Debian ships one binary under both names).

Everything is cached under ``~/.cache/oci-reporter-testdata/debian-binaries/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

__all__ = ["PICKS", "AptUnavailable", "Pick", "build_binaries_image", "cache_root", "download"]


class AptUnavailable(Exception):
    """apt-get or dpkg-deb missing, or the Debian mirror unreachable."""


@dataclass(frozen=True)
class Pick:
    package: str  # Debian binary package
    source: str  # path inside the package, no leading "/"
    target: str  # path in the image


PICKS: tuple[Pick, ...] = (
    Pick("python3.11-minimal", "usr/bin/python3.11", "usr/bin/python3.11"),
    Pick(
        "libpython3.11",
        "usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0",
        "usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0",
    ),
    Pick("nodejs", "usr/bin/node", "usr/bin/node"),
    Pick("golang-1.19-go", "usr/lib/go-1.19/bin/go", "usr/local/go/bin/go"),
    Pick("golang-1.19-go", "usr/lib/go-1.19/VERSION", "usr/local/go/VERSION"),
    Pick(
        "openjdk-17-jre-headless",
        "usr/lib/jvm/java-17-openjdk-amd64/bin/java",
        "usr/lib/jvm/java-17-openjdk-amd64/bin/java",
    ),
    Pick(
        "openjdk-17-jre-headless",
        "usr/lib/jvm/java-17-openjdk-amd64/release",
        "usr/lib/jvm/java-17-openjdk-amd64/release",
    ),
    Pick("openssl", "usr/bin/openssl", "usr/bin/openssl"),
    Pick("busybox", "bin/busybox", "bin/busybox"),
    Pick("bash", "bin/bash", "bin/bash"),
    Pick("curl", "usr/bin/curl", "usr/bin/curl"),
    Pick("redis-tools", "usr/bin/redis-check-rdb", "usr/local/bin/redis-server"),
    Pick("nginx", "usr/sbin/nginx", "usr/sbin/nginx"),
    Pick("apache2-bin", "usr/sbin/apache2", "usr/local/apache2/bin/httpd"),
    Pick(
        "postgresql-15",
        "usr/lib/postgresql/15/bin/postgres",
        "usr/lib/postgresql/15/bin/postgres",
    ),
    Pick("mariadb-client-core", "usr/bin/mariadb", "usr/bin/mariadb"),
    Pick("haproxy", "usr/sbin/haproxy", "usr/sbin/haproxy"),
    Pick("perl-base", "usr/bin/perl", "usr/bin/perl"),
    Pick("ruby3.1", "usr/bin/ruby3.1", "usr/bin/ruby"),
    Pick("php8.2-cli", "usr/bin/php8.2", "usr/bin/php8.2"),
    Pick("memcached", "usr/bin/memcached", "usr/bin/memcached"),
    Pick(
        "erlang-base",
        "usr/lib/erlang/erts-*/bin/erlexec",
        "usr/lib/erlang/erts/bin/erlexec",
    ),
    Pick(
        "erlang-base",
        "usr/lib/erlang/erts-*/bin/beam.smp",
        "usr/lib/erlang/erts/bin/beam.smp",
    ),
    Pick("libstd-rust-1.63", "usr/lib/x86_64-linux-gnu/libstd-*.so", ""),
)


def cache_root() -> Path:
    return Path.home() / ".cache" / "oci-reporter-testdata" / "debian-binaries"


def _run(args: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AptUnavailable(f"{args[0]}: {exc}") from exc
    if done.returncode != 0:
        raise AptUnavailable(f"{' '.join(args)}: {done.stderr.strip()[-300:]}")
    return done.stdout


def _debian_version(package: str) -> str:
    """The newest version deb.debian.org offers (skips e.g. a nodesource repository)."""
    for line in _run(["apt-cache", "madison", package]).splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) == 3 and "debian.org" in fields[2] and "Packages" in fields[2]:
            return fields[1]
    raise AptUnavailable(f"no deb.debian.org version of {package} (apt-get update needed?)")


def download(packages: list[str], into: Path) -> dict[str, Path]:
    """``apt-get download`` each package (cached); package name → .deb path."""
    if not (shutil.which("apt-get") and shutil.which("dpkg-deb") and shutil.which("apt-cache")):
        raise AptUnavailable("apt-get / apt-cache / dpkg-deb not installed")
    into.mkdir(parents=True, exist_ok=True)
    try:
        versions = {p: _debian_version(p) for p in packages}
    except AptUnavailable:
        if os.geteuid() != 0:
            raise
        _run(["apt-get", "update", "-qq"])
        versions = {p: _debian_version(p) for p in packages}
    debs: dict[str, Path] = {}
    missing = []
    for package, version in versions.items():
        quoted = version.replace(":", "%3a")
        found = sorted(into.glob(f"{package}_{quoted}_*.deb"))
        if found:
            debs[package] = found[0]
        else:
            missing.append(f"{package}={version}")
    if missing:
        _run(["apt-get", "download", "-qq", *missing], cwd=into)
        for package, version in versions.items():
            quoted = version.replace(":", "%3a")
            found = sorted(into.glob(f"{package}_{quoted}_*.deb"))
            if not found:
                raise AptUnavailable(f"apt-get download left no .deb for {package}")
            debs[package] = found[0]
    return debs


def _picked_files(debs: dict[str, Path]) -> list[TarFile]:
    files: list[TarFile] = []
    with tempfile.TemporaryDirectory() as tmp:
        for package in sorted({p.package for p in PICKS}):
            root = Path(tmp) / package
            _run(["dpkg-deb", "-x", str(debs[package]), str(root)])
            for pick in (p for p in PICKS if p.package == package):
                matches = sorted(root.glob(pick.source))
                if len(matches) != 1 or not matches[0].is_file() or matches[0].is_symlink():
                    raise AptUnavailable(f"{package} has no single regular file {pick.source}")
                source = matches[0]
                target = pick.target or source.relative_to(root).as_posix()
                mode = source.stat().st_mode & 0o777
                files.append(TarFile(target, source.read_bytes(), mode=mode))
    return sorted(files, key=lambda f: f.path)


def build_binaries_image() -> Path:
    """The OCI layout (cached; rebuilt when a package version changes)."""
    root = cache_root()
    debs = download(sorted({p.package for p in PICKS}), root / "debs")
    key = hashlib.sha256(
        "\n".join([*(d.name for d in sorted(debs.values())), *map(repr, PICKS)]).encode()
    ).hexdigest()[:16]
    layout = root / f"image-{key}"
    if (layout / "index.json").exists():
        return layout
    work = root / f".building-{key}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    custom_layout(work, [tar_bytes(_picked_files(debs))], media_type=TAR_LAYER, ref="binaries")
    work.rename(layout)
    return layout
