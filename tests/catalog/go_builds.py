"""Real Go executables for the Go build-info tests, compiled at test time (offline, stdlib only).

Two toolchains:

* the local one (Debian bookworm's ``golang-go``, Go 1.19: the inline build info format);
* Debian bullseye's ``golang-1.15-go`` + ``golang-1.15-src`` (Go 1.15: the pointer format of
  Go < 1.18), fetched with ``apt-get download`` from deb.debian.org through a private apt
  directory holding one bullseye sources entry (signed by the archive keyring), unpacked with
  ``dpkg-deb -x`` and used as a GOROOT.

The program is a module with one vendored dependency (``example.com/dep v1.2.3``, so the build
info has a real ``dep`` line without the network), built for linux/darwin/windows, with and
without ``-ldflags -X``, and once inside a git repository (``vcs.*`` settings). Builds are cached
under ``~/.cache/oci-reporter-testdata/go-builds/`` keyed by toolchain and recipe.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

__all__ = [
    "AUDIT",
    "BUILDS",
    "Build",
    "GoUnavailable",
    "Identity",
    "auditable_builds",
    "build_all",
    "build_image",
    "go115_root",
    "syft_by_path",
]


class GoUnavailable(Exception):
    """No Go toolchain, or the bullseye one could not be fetched."""


@dataclass(frozen=True)
class Build:
    name: str  # file name in the image (under usr/local/bin/)
    toolchain: str  # "1.19" (local) or "1.15" (bullseye)
    goos: str
    goarch: str
    ldflags: str = ""
    vcs: bool = False


BUILDS: tuple[Build, ...] = (
    Build("hello-linux", "1.19", "linux", "amd64"),
    Build("hello-linux-x", "1.19", "linux", "amd64", "-X main.version=1.2.3"),
    Build("hello-darwin", "1.19", "darwin", "amd64"),
    Build("hello-darwin-x", "1.19", "darwin", "arm64", "-s -w -X main.version=v1.2.3"),
    Build("hello-windows.exe", "1.19", "windows", "amd64"),
    Build(
        "hello-windows-x.exe",
        "1.19",
        "windows",
        "amd64",
        "-X example.com/hello/internal/version.Version=2.0.0-rc.1",
    ),
    Build("hello-vcs", "1.19", "linux", "amd64", vcs=True),
    # an -X of another module's variable (syft's patterns do not look at whose it is)
    Build(
        "hello-vcs-x", "1.19", "linux", "amd64", "-X github.com/other/lib/v3.Version=3.0.0", True
    ),
    Build("hello-go115-linux", "1.15", "linux", "amd64"),
    Build("hello-go115-linux-x", "1.15", "linux", "386", "-X main.version=1.2.3"),
    Build("hello-go115-darwin", "1.15", "darwin", "amd64"),
    Build("hello-go115-windows.exe", "1.15", "windows", "amd64"),
    Build("hello-go115-linux-s390x", "1.15", "linux", "s390x"),  # big-endian pointers
)

_GO_MOD = "module example.com/hello\n\ngo 1.15\n\nrequire example.com/dep v1.2.3\n"
_MAIN = (
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/dep"\n)\n\nvar version = "dev"\n\n'
    "func main() { fmt.Println(dep.Hello(), version) }\n"
)
_DEP = 'package dep\n\nfunc Hello() string { return "hi" }\n'
_MODULES_TXT = "# example.com/dep v1.2.3\n## explicit\nexample.com/dep\n"


def _cache() -> Path:
    return Path.home() / ".cache" / "oci-reporter-testdata" / "go-builds"


def _run(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GoUnavailable(f"{args[0]}: {exc}") from exc
    if done.returncode != 0:
        raise GoUnavailable(f"{' '.join(args)}: {done.stderr.strip()[-400:]}")
    return done.stdout


def go115_root() -> Path:
    """GOROOT of Debian bullseye's Go 1.15 (downloaded once, cached)."""
    root = _cache() / "go-1.15"
    goroot = root / "tree" / "usr" / "lib" / "go-1.15"
    if (goroot / "bin" / "go").exists():
        return goroot
    if not (shutil.which("apt-get") and shutil.which("dpkg-deb")):
        raise GoUnavailable("apt-get / dpkg-deb not installed")
    apt = root / "apt"
    for sub in ("lists/partial", "cache/archives/partial", "etc/sources.list.d"):
        (apt / sub).mkdir(parents=True, exist_ok=True)
    (apt / "etc" / "sources.list").write_text(
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
        "http://deb.debian.org/debian bullseye main\n"
    )
    opts = [
        f"-oDir::Etc={apt / 'etc'}",
        f"-oDir::Etc::sourcelist={apt / 'etc' / 'sources.list'}",
        f"-oDir::Etc::sourceparts={apt / 'etc' / 'sources.list.d'}",
        f"-oDir::State::Lists={apt / 'lists'}",
        f"-oDir::Cache={apt / 'cache'}",
        "-oDir::State::status=/dev/null",
    ]
    if os.geteuid() == 0:  # root: no _apt sandbox user for files in a root-owned cache
        opts.append("-oAPT::Sandbox::User=root")
    debs = root / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    try:
        _run(["apt-get", "-qq", *opts, "update"])
        _run(["apt-get", "-qq", *opts, "download", "golang-1.15-go", "golang-1.15-src"], debs)
    except GoUnavailable as exc:
        raise GoUnavailable(f"bullseye golang-1.15 not reachable: {exc}") from exc
    tree = root / f".tree-{os.getpid()}"
    shutil.rmtree(tree, ignore_errors=True)
    for deb in sorted(debs.glob("*.deb")):
        _run(["dpkg-deb", "-x", str(deb), str(tree)])
    shutil.rmtree(root / "tree", ignore_errors=True)
    tree.rename(root / "tree")
    return goroot


def _write_source(src: Path) -> None:
    (src / "vendor" / "example.com" / "dep").mkdir(parents=True)
    (src / "go.mod").write_text(_GO_MOD)
    (src / "main.go").write_text(_MAIN)
    (src / "vendor" / "modules.txt").write_text(_MODULES_TXT)
    (src / "vendor" / "example.com" / "dep" / "dep.go").write_text(_DEP)


def _git_commit(src: Path) -> None:
    git = shutil.which("git")
    if git is None:
        raise GoUnavailable("git is needed for the vcs build")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z",
        "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
    }
    _run([git, "init", "-q", "."], src, env)
    _run([git, "add", "."], src, env)
    _run([git, "commit", "-q", "-m", "hello"], src, env)


def _go(toolchain: str) -> tuple[str, dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(GOPROXY="off", GOFLAGS="-mod=vendor", GOTOOLCHAIN="local", CGO_ENABLED="0")
    env.update(GOCACHE=str(_cache() / f"gocache-{toolchain}"), GOPATH=str(_cache() / "gopath"))
    if toolchain == "1.15":
        goroot = go115_root()
        env["GOROOT"] = str(goroot)
        return str(goroot / "bin" / "go"), env
    go = shutil.which("go")
    if go is None:
        raise GoUnavailable("no Go toolchain on PATH (Debian: golang-go)")
    return go, env


def _build_one(build: Build, out: Path) -> None:
    go, env = _go(build.toolchain)
    env.update(GOOS=build.goos, GOARCH=build.goarch)
    src = out.parent / f".src-{build.name}-{os.getpid()}"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    try:
        _write_source(src)
        # no -trimpath: with it, Go leaves -ldflags out of the build settings (go.dev/issue/52372)
        args = [go, "build", "-o", str(out)]
        if build.vcs:
            _git_commit(src)
        elif build.toolchain != "1.15":  # -buildvcs came with Go 1.18
            args.append("-buildvcs=false")
        if build.ldflags:
            args.append(f"-ldflags={build.ldflags}")
        _run([*args, "."], src, env)
    finally:
        shutil.rmtree(src, ignore_errors=True)


def build_all(builds: tuple[Build, ...] = BUILDS) -> dict[str, Path]:
    """name → built executable (cached). Raises GoUnavailable."""
    local = shutil.which("go")
    stamp = _run([local, "version"]) if local else "none"
    found: dict[str, Path] = {}
    for build in builds:
        key = hashlib.sha256(
            f"{stamp}|{build!r}|no-trimpath|{_GO_MOD}{_MAIN}{_DEP}".encode()
        ).hexdigest()
        out = _cache() / key[:16] / build.name
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(f".{build.name}-{os.getpid()}")
            _build_one(build, tmp)
            tmp.rename(out)
        found[build.name] = out
    return found


# --- cargo-auditable: real executables given a real .dep-v0 section -------------------------

# cargo-auditable's format (auditable-serde): zlib-compressed JSON, one entry per package,
# ``dependencies`` as indices, ``kind`` "build" for build-script-only dependencies
AUDIT: dict[str, object] = {
    "packages": [
        {
            "name": "myapp",
            "version": "0.1.0",
            "source": "local",
            "kind": "runtime",
            "dependencies": [1, 2],
            "root": True,
        },
        {"name": "serde", "version": "1.0.193", "source": "crates.io"},
        {"name": "cc", "version": "1.0.83", "source": "crates.io", "kind": "build"},
    ]
}


def auditable_builds(go_builds: dict[str, Path]) -> dict[str, Path]:
    """A rustc-built ELF given ``.dep-v0`` by GNU objcopy, and Go-built Mach-O and PE given it
    by llvm-objcopy (no Rust target for them here); plus the plain rustc build."""
    rustc, objcopy, llvm = (shutil.which(t) for t in ("rustc", "objcopy", "llvm-objcopy"))
    if rustc is None or objcopy is None or llvm is None:
        raise GoUnavailable("rustc, objcopy (binutils) and llvm-objcopy (llvm) are needed")
    section = zlib.compress(json.dumps(AUDIT).encode())
    stamp = _run([rustc, "--version"]) + _run([llvm, "--version"])
    inputs = b"".join(
        hashlib.sha256(go_builds[n].read_bytes()).digest()
        for n in ("hello-darwin", "hello-windows.exe")
    )
    key = hashlib.sha256(stamp.encode() + section + inputs).hexdigest()[:16]
    root = _cache() / f"rust-{key}"
    names = ("rust-plain", "rust-elf", "rust-macho", "rust-pe.exe")
    if not all((root / n).exists() for n in names):
        work = _cache() / f".rust-{key}-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / "main.rs").write_text('fn main() { println!("hi"); }\n')
        (work / "dep.bin").write_bytes(section)
        _run([rustc, "-O", "-o", str(work / "rust-plain"), str(work / "main.rs")], work)
        dep = str(work / "dep.bin")
        _run([objcopy, "--add-section", f".dep-v0={dep}", "rust-plain", "rust-elf"], work)
        mac, pe = str(go_builds["hello-darwin"]), str(go_builds["hello-windows.exe"])
        _run([llvm, "--add-section", f"__DATA,.dep-v0={dep}", mac, "rust-macho"], work)
        _run([llvm, "--add-section", f".dep-v0={dep}", pe, "rust-pe.exe"], work)
        (work / "main.rs").unlink()
        (work / "dep.bin").unlink()
        shutil.rmtree(root, ignore_errors=True)
        work.rename(root)
    return {n: root / n for n in names}


def build_image() -> Path:
    """One-layer OCI layout of every build under usr/local/bin/ (cached by content)."""
    go_builds = build_all()
    files = {**go_builds, **auditable_builds(go_builds)}
    members = [
        TarFile(f"usr/local/bin/{name}", path.read_bytes(), mode=0o755)
        for name, path in sorted(files.items())
    ]
    key = hashlib.sha256(b"".join(hashlib.sha256(m.data).digest() for m in members)).hexdigest()
    layout = _cache() / f"image-{key[:16]}"
    if not (layout / "index.json").exists():
        work = _cache() / f".image-{key[:16]}-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        custom_layout(work, [tar_bytes(members)], media_type=TAR_LAYER, ref="go-builds")
        shutil.rmtree(layout, ignore_errors=True)
        work.rename(layout)
    return layout


# --- the same image through syft and through the pipeline ------------------------------------

Identity = tuple[str, str, str, str]  # type, name, version, purl


def syft_by_path(layout: Path) -> dict[str, set[Identity]]:
    """syft 1.18.1 (the dev dependency) on the layout: file path → what it reports there."""
    syft = shutil.which("syft") or str(Path(sys.executable).parent / "syft")
    if not Path(syft).exists():
        raise GoUnavailable("syft is not installed (dev dependency)")
    done = subprocess.run(
        [syft, f"oci-dir:{layout}", "-o", "syft-json", "-q"],
        capture_output=True,
        check=True,
        timeout=600,
        env={**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"},
    )
    found: dict[str, set[Identity]] = {}
    for art in json.loads(done.stdout)["artifacts"]:
        for loc in art["locations"]:
            ident = (str(art["type"]), str(art["name"]), str(art["version"]), str(art["purl"]))
            found.setdefault(str(loc["path"]).lstrip("/"), set()).add(ident)
    return found
