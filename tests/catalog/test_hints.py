"""Capturer hints: the walker asks a cataloger's ``wants`` only about files its hint matches.

A hint must be a superset of what ``wants`` accepts, or a file is silently not cataloged: the
property test checks the implication over paths built from every name the catalogers test for,
and the real-image test checks that layer scans are identical with and without hints.
"""

from __future__ import annotations

import dataclasses
import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog.binary import CLASSIFIERS
from reporter.catalog.interface import Cataloger, Declared, Hint, WholeFile
from reporter.catalog.registry import ALL_CATALOGERS, LOCKFILE_CATALOGERS
from reporter.compression import detect
from reporter.layers.capture import CapturerIndex
from reporter.layers.tarwalk import scan_layer
from reporter.options import Limits

_WORDS = """
usr lib lib64 share doc var etc bin sbin opt app srv root local
dpkg status status.d info opkg copyright base-files.md5sums bash.control
apk db installed repositories rpm sysimage Packages Packages.db rpmdb.sqlite
rpmmanifest container-manifest-2 pacman desc files mtree os-release
system-release-cpe redhat-release pkg portage CONTENTS LICENSE SIZE
site-packages dist-packages a-1.0.dist-info A-1.0.DIST-INFO METADATA
b.egg-info EGG-INFO PKG-INFO RECORD top_level.txt installed-files.txt
direct_url.json c-1.0-py3.egg node_modules package.json app.jar x.war
y.ear plugin.hpi plugin.jpi specifications g-1.0.gemspec vendor composer
installed.json php .registry .channel.pecl.php.net .channel.__uri x.reg
DESCRIPTION wp-content plugins akismet p.php a.dll a.exe app.deps.json
conda-meta numpy-1.0.json r-1.0.rockspec nix store release javac busybox
VERSION python3.11 python3 libpython3.11.so.1.0 libstd-0123456789abcdef.so
libstd-0123456789abcdef.dylib libfoo.so libfoo.so.1 libfoo.so.1.2 go.exe
README a.txt . .. jvm java-17-openjdk-amd64 Cargo.lock go.mod go.sum
package-lock.json yarn.lock pnpm-lock.yaml poetry.lock Pipfile.lock requirements.txt
dev-requirements.txt Gemfile.lock composer.lock mix.lock rebar.lock pubspec.lock
Package.resolved .package.resolved stack.yaml stack.yaml.lock cabal.project.freeze
"""
_VOCABULARY = sorted({*CLASSIFIERS, *_WORDS.split()})

_segment = st.one_of(st.sampled_from(_VOCABULARY), st.text("abc.-_/x", min_size=1, max_size=8))
_paths = st.lists(_segment, min_size=1, max_size=7).map("/".join)
_CATALOGERS = tuple(c for c in (*ALL_CATALOGERS, *LOCKFILE_CATALOGERS))
_HINTED = tuple(c for c in _CATALOGERS if getattr(c, "hint", None) is not None)


def _without_hints() -> tuple[Cataloger, ...]:
    return tuple(
        dataclasses.replace(c, hint=None) if isinstance(c, Declared) else c for c in _CATALOGERS
    )


def test_every_registered_cataloger_carries_a_hint() -> None:
    assert [c.name for c in _CATALOGERS] == [c.name for c in _HINTED]


@settings(max_examples=3000, deadline=None)
@given(
    path=_paths,
    mode=st.sampled_from((0o644, 0o755, 0o600, 0o100)),
    size=st.integers(0, 1 << 21),
)
def test_a_hint_matches_every_file_wants_accepts(path: str, mode: int, size: int) -> None:
    index = CapturerIndex(_CATALOGERS)
    candidates = index.candidates(path, mode)
    for cataloger in _HINTED:
        hint = cataloger.hint  # type: ignore[attr-defined]
        assert (cataloger in candidates) == hint.matches(path, mode), (cataloger.name, path)
        if cataloger.wants(path, mode, size) is not None:
            assert cataloger in candidates, (cataloger.name, path, oct(mode), size)


# Files each cataloger keeps in real images (``wants`` must accept them: asserted), so a hint
# that forgot one fails here even if random paths never spell it.
_KNOWN = (
    ("etc/os-release", 0o644, 100),
    ("usr/lib/os-release", 0o644, 100),
    ("etc/redhat-release", 0o644, 100),
    ("etc/system-release-cpe", 0o644, 100),
    ("bin/busybox", 0o755, 900_000),
    ("var/lib/dpkg/status", 0o644, 100),
    ("var/lib/dpkg/status.d/tzdata", 0o644, 100),
    ("var/lib/dpkg/status.d/tzdata.md5sums", 0o644, 100),
    ("var/lib/dpkg/info/bash.md5sums", 0o644, 100),
    ("usr/share/doc/bash/copyright", 0o644, 100),
    ("usr/lib/opkg/info/busybox.control", 0o644, 100),
    ("lib/apk/db/installed", 0o644, 100),
    ("etc/apk/repositories", 0o644, 100),
    ("var/lib/rpm/Packages", 0o644, 100),
    ("var/lib/rpm/rpmdb.sqlite", 0o644, 100),
    ("usr/lib/sysimage/rpm/Packages.db", 0o644, 100),
    ("var/lib/rpmmanifest/container-manifest-2", 0o644, 100),
    ("var/lib/pacman/local/bash-5.2-1/desc", 0o644, 100),
    ("var/lib/pacman/local/bash-5.2-1/files", 0o644, 100),
    ("var/db/pkg/app-shells/bash-5.2/CONTENTS", 0o644, 100),
    ("var/db/pkg/app-shells/bash-5.2/LICENSE", 0o644, 100),
    ("usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA", 0o644, 100),
    ("usr/lib/python3/dist-packages/six-1.16.0.dist-info/RECORD", 0o644, 100),
    ("usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", 0o644, 100),
    ("usr/lib/python3/dist-packages/six-1.16.0.egg-info", 0o644, 100),
    ("usr/lib/python3/site-packages/six-1.16.0-py3.11.egg", 0o644, 100),
    ("usr/lib/node_modules/npm/package.json", 0o644, 100),
    ("opt/app/lib/commons-lang3-3.12.0.jar", 0o644, 100),
    ("usr/local/go/bin/go", 0o755, 1 << 20),
    ("usr/lib/x86_64-linux-gnu/libfoo.so.1", 0o644, 1 << 20),
    ("usr/local/bin/ripgrep", 0o755, 1 << 20),
    ("usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec", 0o644, 100),
    ("app/vendor/composer/installed.json", 0o644, 100),
    ("usr/share/php/.registry/.channel.pecl.php.net/xdebug.reg", 0o644, 100),
    ("usr/lib/R/library/base/DESCRIPTION", 0o644, 100),
    ("var/www/html/wp-content/plugins/akismet/akismet.php", 0o644, 100),
    ("app/System.Text.Json.dll", 0o644, 100),
    ("app/app.deps.json", 0o644, 100),
    ("opt/conda/conda-meta/numpy-1.26.0-py311.json", 0o644, 100),
    ("usr/local/lib/luarocks/rocks-5.1/lpeg/1.1.0-1/lpeg-1.1.0-1.rockspec", 0o644, 100),
    ("usr/lib/jvm/java-17-openjdk-amd64/release", 0o644, 100),
    ("usr/lib/jvm/java-17-openjdk-amd64/bin/javac", 0o755, 1000),
    ("usr/bin/python3.11", 0o755, 1 << 20),
    ("usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", 0o644, 1 << 20),
    ("usr/local/go/VERSION", 0o644, 10),
    ("usr/sbin/nginx", 0o755, 1 << 20),
    # the opt-in lock-file catalogers (``--lockfiles``)
    ("app/package-lock.json", 0o644, 100),
    ("app/yarn.lock", 0o644, 100),
    ("app/pnpm-lock.yaml", 0o644, 100),
    ("app/poetry.lock", 0o644, 100),
    ("app/Pipfile.lock", 0o644, 100),
    ("app/requirements-dev.txt", 0o644, 100),
    ("app/Gemfile.lock", 0o644, 100),
    ("app/Cargo.lock", 0o644, 100),
    ("app/go.mod", 0o644, 100),
    ("app/go.sum", 0o644, 100),
    ("app/composer.lock", 0o644, 100),
    ("app/mix.lock", 0o644, 100),
    ("app/rebar.lock", 0o644, 100),
    ("app/pubspec.lock", 0o644, 100),
    ("app/Package.resolved", 0o644, 100),
    ("app/.package.resolved", 0o644, 100),
    ("app/stack.yaml", 0o644, 100),
    ("app/stack.yaml.lock", 0o644, 100),
    ("app/cabal.project.freeze", 0o644, 100),
)


@pytest.mark.parametrize(("path", "mode", "size"), _KNOWN)
def test_known_files_reach_the_catalogers_that_keep_them(path: str, mode: int, size: int) -> None:
    index = CapturerIndex(_CATALOGERS)
    wanting = [c for c in _CATALOGERS if c.wants(path, mode, size) is not None]
    assert wanting, f"no cataloger keeps {path}: the example is wrong"
    candidates = index.candidates(path, mode)
    assert [c.name for c in wanting if c not in candidates] == []


def test_the_index_keeps_the_capturers_order_and_asks_hintless_ones_always() -> None:
    def keep(path: str, mode: int, size: int) -> WholeFile:
        return WholeFile()

    def parse(path: str, data: bytes, ctx: object) -> list[object]:
        return []

    made = [
        Declared("a", keep, parse, hint=Hint(suffixes=(".jar",))),  # type: ignore[arg-type]
        Declared("b", keep, parse),  # type: ignore[arg-type]
        Declared("c", keep, parse, hint=Hint(names=frozenset(("x.jar",)))),  # type: ignore[arg-type]
        Declared("d", keep, parse, hint=Hint(executable=True)),  # type: ignore[arg-type]
        Declared("e", keep, parse, hint=Hint(parents=("lib/dpkg/status.d",))),  # type: ignore[arg-type]
        Declared("f", keep, parse, hint=Hint(prefixes=("lib",), contains=(".so.",))),  # type: ignore[arg-type]
        Declared("g", keep, parse, hint=Hint()),  # type: ignore[arg-type]
    ]
    index = CapturerIndex(made)

    def names(path: str, mode: int = 0o644) -> str:
        return "".join(c.name for c in index.candidates(path, mode))

    assert names("opt/x.jar") == "abc"
    assert names("opt/y.JAR") == "b"  # suffixes keep their case, as the catalogers do
    assert names("usr/bin/tool", 0o755) == "bd"
    assert names("var/lib/dpkg/status.d/tzdata") == "be"
    assert names("lib/dpkg/status.d/tzdata") == "be"
    assert names("xlib/dpkg/status.d/tzdata") == "b"
    assert names("usr/lib/libz.a") == "bf"
    assert names("usr/lib/x.so.1/data") == "bf"  # a path part, not only the base name
    with pytest.raises(ValueError, match="start with"):
        Hint(suffixes=("jar",))


def _layer_blobs(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every layer blob of the real fixtures, read into memory (they are small)."""
    for image in sorted(root.iterdir()):
        if (image / "blobs" / "sha256").is_dir():
            for blob in sorted((image / "blobs" / "sha256").iterdir()):
                data = blob.read_bytes()
                if detect(data[:6]) != "none" or data[257:262] == b"ustar":
                    yield f"{image.name}/{blob.name[:12]}", data
        elif image.name.endswith(".docker-save.tar.gz"):
            with tarfile.open(image, "r:gz") as outer:
                for member in outer:
                    if member.name.endswith("layer.tar"):
                        handle = outer.extractfile(member)
                        assert handle is not None
                        yield f"{image.name}/{member.name[:12]}", handle.read()


def test_layer_scans_of_real_images_are_the_same_with_and_without_hints(
    real_fixtures: Path,
) -> None:
    hintless = _without_hints()
    seen = 0
    for where, data in _layer_blobs(real_fixtures):
        with_hints = scan_layer(io.BytesIO(data), _CATALOGERS, limits=Limits(), where=where)
        without = scan_layer(io.BytesIO(data), hintless, limits=Limits(), where=where)
        assert with_hints == without, where
        seen += 1 if with_hints.captured else 0
    assert seen >= 5  # layers where something was kept: the comparison saw real captures
