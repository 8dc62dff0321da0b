""".NET: PE version resources of the real assemblies in Debian's mono packages, and deps.json
files, against syft 1.18.1 run at test time.

No .NET SDK is reachable here (it is not in Debian bookworm), so the deps.json bytes are
written after the format's documentation (dotnet/sdk,
documentation/specs/runtime-configuration-file.md: ``runtimeTarget``, ``targets``,
``libraries`` keyed ``"<name>/<version>"``). syft 1.18.1 reads deps.json only in directory
scans, so that parity test runs ``syft dir:``.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog.dotnet import (
    DEPS_CATALOGER,
    PE_CATALOGER,
    PeScanner,
    choose_name,
    choose_version,
    version_strings,
)
from reporter.catalog.interface import ParseContext
from reporter.errors import CatalogError
from tests.catalog.ecosys_images import (
    TarFile,
    build_image,
    debian_files,
    dpkg_database,
    ours,
    syft_artifacts,
    theirs,
)

CTX = ParseContext(distro=None, arch="amd64")
MONO = "libmono-system-core4.0-cil"


# more of mono's real assemblies: mscorlib, System, and the C# compiler (an .exe)
MORE = ("libmono-corlib4.5-dll", "libmono-system4.0-cil", "mono-mcs")


def _mono_dlls(packages: tuple[str, ...] = (MONO,)) -> list[TarFile]:
    files = []
    for package in packages:
        root = debian_files(package)
        files += [
            TarFile(path.relative_to(root).as_posix(), path.read_bytes())
            for path in sorted(root.rglob("*"))
            if path.suffix in (".dll", ".exe") and path.is_file() and not path.is_symlink()
        ]
    return files


def _scan(data: bytes, chunk: int) -> bytes | None:
    scanner = PeScanner()
    for at in range(0, len(data), chunk):
        if not scanner.feed(data[at : at + chunk]):
            break
    return scanner.result()


def test_mono_assemblies_equal_syft(tmp_path: Path) -> None:
    files = _mono_dlls((MONO, *MORE))
    files.append(TarFile("opt/app/notes.dll", b"not a PE file"))
    files.append(TarFile("opt/app/stub.exe", files[0].data[:512]))  # truncated: no package
    layout = build_image(tmp_path / "mono", files)
    mine = ours(layout, {"dotnet"})
    assert mine == theirs(syft_artifacts(f"oci-dir:{layout}"), {"dotnet"})
    # mscorlib, System and System.Core share the product name; '#' is escaped in the purl
    assert mine == {
        (
            "dotnet",
            "Mono Common Language Infrastructure",
            "4.6.57.0",
            "pkg:nuget/Mono%20Common%20Language%20Infrastructure@4.6.57.0",
        ),
        ("dotnet", "Mono C# Compiler", "4.6.57.0", "pkg:nuget/Mono%20C%23%20Compiler@4.6.57.0"),
    }


def test_assemblies_dpkg_owns_stay_as_syft_keeps_them(tmp_path: Path) -> None:
    # unlike ``binary`` packages, syft keeps a dotnet package whose file dpkg installed
    layout = build_image(tmp_path / "owned", [*_mono_dlls(), *dpkg_database([MONO])])
    mine = ours(layout, {"dotnet", "deb"})
    assert mine == theirs(syft_artifacts(f"oci-dir:{layout}"), {"dotnet", "deb"})
    assert {kind for kind, *_ in mine} == {"dotnet", "deb"}


def test_version_strings_of_a_real_assembly() -> None:
    data = _mono_dlls()[0].data
    strings = version_strings(data)
    assert strings["CompanyName"] == "Mono development team"
    assert strings["InternalName"] == "System.Core"
    assert strings["FileVersion"] == strings["ProductVersion"] == "4.6.57.0"
    # the scanner keeps a small part of the file, from which the same strings are read
    for chunk in (1, 4096, 65536, len(data)):
        if chunk == 1 and len(data) > 200_000:
            chunk = 7  # byte-by-byte over a megabyte is slow; 7 still splits every header
        kept = _scan(data, chunk)
        assert kept is not None
        assert len(kept) < len(data) // 4
        assert version_strings(kept) == strings


def test_scanner_stops_on_other_files() -> None:
    assert _scan(b"\x7fELF" + b"\x00" * 5000, 1024) is None
    assert _scan(b"MZ" + b"\x00" * 70_000, 1024) is None  # no PE header within 64 KiB


def test_name_and_version_choice_like_syft() -> None:
    assert choose_name({"ProductName": " A\xa0 B\x01 ", "FileDescription": "F"}) == "A B"
    microsoft = {
        "CompanyName": "Microsoft Corporation",
        "ProductName": "Windows",
        "FileDescription": "Kernel",
    }
    assert choose_name(microsoft) == "Kernel"
    assert choose_version({"ProductVersion": "1.0.0", "FileVersion": "1.0.0.5"}) == "1.0.0.5"
    assert choose_version({"ProductVersion": "2.0", "FileVersion": "1.9.9.9"}) == "2.0"
    assert (
        choose_version({"ProductVersion": "", "FileVersion": "4.7.4076.0 built by: NET472REL1"})
        == "4.7.4076.0"
    )
    assert choose_version({"ProductVersion": "Release 73", "FileVersion": "1, 0, 0, 0"}) == (
        "1, 0, 0, 0"
    )
    assert choose_version({}) == ""


def _deps(root: str) -> bytes:
    target = ".NETCoreApp,Version=v8.0"
    doc = {
        "runtimeTarget": {"name": target, "signature": ""},
        "compilationOptions": {},
        "targets": {
            target: {
                f"{root}/1.0.0": {
                    "dependencies": {"Newtonsoft.Json": "13.0.3", "Humanizer.Core": "2.14.1"},
                    "runtime": {f"{root}.dll": {}},
                },
                "Newtonsoft.Json/13.0.3": {
                    "runtime": {
                        "lib/net6.0/Newtonsoft.Json.dll": {
                            "assemblyVersion": "13.0.0.0",
                            "fileVersion": "13.0.3.27908",
                        }
                    }
                },
                "Humanizer.Core/2.14.1": {"runtime": {"lib/net6.0/Humanizer.dll": {}}},
            }
        },
        "libraries": {
            f"{root}/1.0.0": {"type": "project", "serviceable": False, "sha512": ""},
            "Newtonsoft.Json/13.0.3": {
                "type": "package",
                "serviceable": True,
                "sha512": "sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+"
                "UvDNPv4a2d18lOReHMOagPa+zQ==",
                "path": "newtonsoft.json/13.0.3",
                "hashPath": "newtonsoft.json.13.0.3.nupkg.sha512",
            },
            "Humanizer.Core/2.14.1": {
                "type": "package",
                "serviceable": True,
                "sha512": "",
                "path": "humanizer.core/2.14.1",
                "hashPath": "humanizer.core.2.14.1.nupkg.sha512",
            },
            # a self-contained app's runtime pack and a reference assembly: packages too
            "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {
                "type": "runtimepack",
                "serviceable": False,
                "sha512": "",
            },
            "Lib.Ref/2.0.0": {"type": "reference", "serviceable": False, "sha512": ""},
        },
    }
    return json.dumps(doc, indent=2).encode()


def test_deps_json_equals_syft_directory_scan(tmp_path: Path) -> None:
    files = [
        TarFile("app/hello.deps.json", _deps("hello")),
        # no project library named like the file: syft takes nothing from it
        TarFile("app/other.deps.json", _deps("hello")),
    ]
    layout = build_image(tmp_path / "deps", files)
    mine = ours(layout, {"dotnet"})
    tree = tmp_path / "tree"
    for f in files:
        (tree / f.path).parent.mkdir(parents=True, exist_ok=True)
        (tree / f.path).write_bytes(f.data)
    assert mine == theirs(syft_artifacts(f"dir:{tree}"), {"dotnet"})
    assert {name for _, name, _, _ in mine} == {
        "hello",
        "Newtonsoft.Json",
        "Humanizer.Core",
        "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64",
        "Lib.Ref",
    }
    # ... and syft's image scan leaves deps.json out (we do not)
    assert theirs(syft_artifacts(f"oci-dir:{layout}"), {"dotnet"}) == set()


def test_deps_json_key_without_version() -> None:
    # syft 1.18.1 panics on such a key (index out of range in extractNameAndVersion) and
    # reports nothing for the whole scan; we keep the package, with no version
    doc = json.loads(_deps("hello"))
    doc["libraries"]["NoVersion"] = {"type": "package"}
    found = DEPS_CATALOGER.parse("app/hello.deps.json", json.dumps(doc).encode(), CTX)
    assert ("NoVersion", "", "pkg:nuget/NoVersion") in {(p.name, p.version, p.purl) for p in found}


def test_deps_json_errors() -> None:
    assert DEPS_CATALOGER.wants("app/x.deps.json", 0o644, 1) is not None
    assert DEPS_CATALOGER.wants("app/x.runtimeconfig.json", 0o644, 1) is None
    with pytest.raises(CatalogError, match="no libraries") as caught:
        DEPS_CATALOGER.parse("app/x.deps.json", b"[]", CTX)
    assert caught.value.where == "app/x.deps.json"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096), st.integers(min_value=0, max_value=4095))
def test_pe_random_bytes_raise_only_catalog_error(data: bytes, cut: int) -> None:
    for blob in (data, b"MZ" + data, _HEADER + data[:cut]):
        with contextlib.suppress(CatalogError):
            PE_CATALOGER.parse("x.dll", blob, CTX)


_HEADER = b"MZ" + b"\x00" * 58 + b"\x40\x00\x00\x00" + b"PE\x00\x00"
