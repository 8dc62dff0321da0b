"""Images written at test time by the real tools (umoci, buildah, podman), rootless where they
can be; each test skips when its tool is missing, and fails under CI=true (.ci/run installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
DPKG_STATUS = (
    "Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n\n"
    "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\n\n"
)


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {name} is not installed (.ci/run installs it)")
        pytest.skip(f"{name} not installed")
    return found


def run(argv: Sequence[str], cwd: Path | None = None) -> str:
    done = subprocess.run(
        list(argv), cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


class Buildah:
    """buildah/podman on a private vfs store under tmp: no daemon, no root-owned state."""

    def __init__(self, root: Path, runroot: Path) -> None:
        # podman refuses a runroot path longer than 50 characters: it lives in a short tmp dir
        self.store = ["--storage-driver", "vfs", "--root", str(root), "--runroot", str(runroot)]
        os.environ.setdefault("BUILDAH_ISOLATION", "chroot")

    def build(self, context: Path, tag: str, containerfile: str, *extra: str) -> None:
        (context / "Containerfile").write_text(containerfile)
        run([tool("buildah"), *self.store, "bud", "-q", "--layers=false", *extra, "-t", tag,
             "-f", str(context / "Containerfile"), str(context)])  # fmt: skip

    def podman(self, *args: str) -> str:
        return run([tool("podman"), *self.store, "--cgroup-manager=cgroupfs", *args])


def rootfs(into: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = into / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return into


@pytest.fixture
def buildah(tmp_path: Path) -> Iterator[Buildah]:
    tool("buildah")
    runroot = Path(tempfile.mkdtemp(prefix="ocr-run-"))
    try:
        yield Buildah(tmp_path / "store", runroot)
    finally:
        shutil.rmtree(runroot, ignore_errors=True)


def flip_byte(path: Path, at: int | None = None) -> None:
    """Change one bit of a blob in place (a tampered copy)."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2 if at is None else at] ^= 1
    path.chmod(0o644)
    path.write_bytes(bytes(data))
