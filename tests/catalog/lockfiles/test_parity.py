"""Lock files in an image, compared with syft 1.18.1 at test time.

syft catalogs lock files on directory sources only: ``syft oci-dir:`` of an image holding
them finds nothing, so our default (no ``--lockfiles``) finds nothing either. With
``Options(lockfiles=True)`` we must find, in the image, what ``syft dir:`` finds in the same
files laid out as a directory: the same cataloger, type, name, version, purl, file and
licences, package for package. The files are the real tools' output (``realdata.py``) and the
documented bytes of the formats nothing here writes (``documented.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reporter.catalog import LOCKFILE_CATALOGERS
from reporter.model import Package
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.lockfiles.documented import DOCUMENTED
from tests.catalog.lockfiles.realdata import GENERATORS, Unavailable, generated
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

# cataloger, type, name, version, purl, path, licences
_Row = tuple[str, str, str, str, str, str, tuple[str, ...]]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but lock-file test data could not be made: {reason}")
    pytest.skip(f"lock-file test data unavailable: {reason}")


def _syft_binary() -> str:
    found = shutil.which("syft") or str(Path(sys.executable).parent / "syft")
    if not Path(found).exists():
        _unavailable("syft is not installed (dev dependency)")
    return found


def _syft(target: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [_syft_binary(), target, "-o", "syft-json", "-q"],
        capture_output=True,
        check=True,
        timeout=600,
        env={**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"},
    )
    return list(json.loads(done.stdout)["artifacts"])


def _files(source: str) -> dict[str, bytes]:
    if source == "documented":
        return DOCUMENTED
    try:
        return generated(source)
    except Unavailable as exc:
        _unavailable(f"{source}: {exc}")
        raise  # unreachable: skip/fail raise


def _image(files: dict[str, bytes], out: Path) -> Path:
    entries = [TarFile(f"app/{name}", data) for name, data in sorted(files.items())]
    custom_layout(out, [tar_bytes(entries)], media_type=TAR_LAYER, ref="lockfiles")
    return out


def _directory(files: dict[str, bytes], out: Path) -> Path:
    for name, data in files.items():
        target = out / "app" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return out


def _ours(packages: tuple[Package, ...]) -> set[_Row]:
    return {
        (
            p.cataloger,
            p.type,
            p.name,
            p.version or "UNKNOWN",  # how syft's JSON prints an empty version
            p.purl,
            loc.path.lstrip("/"),
            tuple(sorted(p.licenses)),
        )
        for p in packages
        for loc in p.locations
    }


def _theirs(artifacts: list[dict[str, Any]]) -> set[_Row]:
    return {
        (
            str(a["foundBy"]),
            str(a["type"]),
            str(a["name"]),
            str(a["version"]),
            str(a["purl"]),
            str(loc["path"]).lstrip("/"),
            tuple(sorted(str(lic["value"]) for lic in a["licenses"])),
        )
        for a in artifacts
        for loc in a["locations"]
    }


SOURCES = [*GENERATORS, "documented"]


@pytest.mark.parametrize("source", SOURCES)
def test_lock_file_packages_in_an_image_equal_syft_on_the_directory(
    source: str, tmp_path: Path
) -> None:
    files = _files(source)
    layout = _image(files, tmp_path / "image")
    report = generate(str(layout), Options(lockfiles=True))
    (image,) = report.images
    ours = _ours(image.packages)
    theirs = _theirs(_syft(f"dir:{_directory(files, tmp_path / 'tree')}"))
    assert theirs, f"syft found nothing in {sorted(files)}: the test data is not what it says"
    assert ours == theirs
    assert all(dict(p.metadata).get("declared") == "lock-file" for p in image.packages)


def test_by_default_an_image_of_lock_files_has_no_packages_as_in_syft(tmp_path: Path) -> None:
    files = dict(DOCUMENTED)
    for source in GENERATORS:
        # the documented files alone cover every cataloger; the generated ones add formats
        with contextlib.suppress(Unavailable):
            files.update({f"{source}/{k}": v for k, v in generated(source).items()})
    layout = _image(files, tmp_path / "image")
    assert _syft(f"oci-dir:{layout}") == []
    (image,) = generate(str(layout), Options()).images
    assert image.packages == ()
    (opted,) = generate(str(layout), Options(lockfiles=True)).images
    assert len(opted.packages) > 40
    assert {p.cataloger for p in opted.packages} == {c.name for c in LOCKFILE_CATALOGERS}
