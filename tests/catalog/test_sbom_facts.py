"""CPEs, suppliers and the dependency graph: unit cases, then syft's answers on debian-app."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from reporter.catalog.apk import apk_names
from reporter.catalog.cpe import cpe_candidates, format_cpe
from reporter.catalog.dependencies import package_id, resolve_dependencies
from reporter.catalog.dpkg import relations
from reporter.catalog.interface import FoundPackage
from reporter.model import Package, Report
from reporter.options import Options
from reporter.pipeline import generate
from tests.conftest import shared_path


def test_dpkg_relations_keep_alternatives_and_drop_versions() -> None:
    value = "libc6 (>= 2.34), mawk | awk, python3:any (>= 3.11~), foo [amd64] <!nocheck>"
    assert relations(value) == (("libc6",), ("mawk", "awk"), ("python3",), ("foo",))
    assert relations("") == ()


def test_apk_names_strip_constraints_and_conflicts() -> None:
    value = "so:libc.musl-x86_64.so.1 busybox=1.36.1-r0 !foo cmd:sh>=1"
    assert apk_names(value) == ("so:libc.musl-x86_64.so.1", "busybox", "cmd:sh")


def _pkg(name: str, type_: str = "deb", **kw: object) -> Package:
    return Package(type=type_, name=name, version="1", purl=f"pkg:{type_}/{name}@1", **kw)  # type: ignore[arg-type]


def test_resolution_through_names_provides_and_alternatives() -> None:
    packages = [
        _pkg("app", requires=(("mawk", "awk"), ("mail-transport-agent",), ("missing",))),
        _pkg("gawk", provides=("awk",)),
        _pkg("exim4", provides=("mail-transport-agent",)),
        _pkg("postfix", provides=("mail-transport-agent",)),
        _pkg("self", requires=(("self",),), provides=("self",)),
        _pkg("py", "python", requires=(("gawk",),)),  # another ecosystem: no edge
    ]
    out = {p.name: p.depends_on for p in resolve_dependencies(packages)}
    # "mawk" is not installed: the alternative "awk" is met by gawk's Provides; a virtual
    # package two packages provide gives two edges (as syft); unmet ones give none
    assert out["app"] == tuple(sorted(package_id(p) for p in packages[1:4]))
    assert out["self"] == ()
    assert out["py"] == ()


def test_cpe_quoting_and_subselections() -> None:
    assert format_cpe("libstdc++6", "libstdc++6", "1:2.3~rc") == (
        "cpe:2.3:a:libstdc\\+\\+6:libstdc\\+\\+6:1\\:2.3\\~rc:*:*:*:*:*:*:*"
    )
    found = FoundPackage(type="deb", name="gcc-12-base", version="12")
    vendors = {re.split(r"(?<!\\):", c)[3] for c in cpe_candidates(found)}
    assert vendors == {"gcc-12-base", "gcc_12_base", "gcc-12", "gcc_12", "gcc"}
    go = FoundPackage(type="go-module", name="github.com/spf13/cobra", version="v1.8.0")
    assert cpe_candidates(go) == (format_cpe("spf13", "cobra", "v1.8.0"),)


@cache
def _debian_app() -> Report:
    return generate(
        str(shared_path("fixtures", "real", "debian-app.oci-gzip")), Options(source_date_epoch=1)
    )


@cache
def _syft_components() -> list[dict[str, object]]:
    path = shared_path("fixtures", "real", "_reference", "syft", "debian-app.oci-gzip.cdx.json")
    return [c for c in json.loads(path.read_text())["components"] if c["type"] == "library"]


def test_debian_app_cpes_equal_syfts_in_order() -> None:
    ours = {p.name: p.cpes for p in _debian_app().images[0].packages}
    theirs = {
        str(c["name"]): (
            str(c["cpe"]),
            *(str(p["value"]) for p in c["properties"] if p["name"] == "syft:cpe23"),  # type: ignore[attr-defined]
        )
        for c in _syft_components()
    }
    assert ours == theirs


def test_debian_app_suppliers_and_authors_equal_syfts_publisher_and_author() -> None:
    packages = _debian_app().images[0].packages
    assert {p.name: p.supplier for p in packages if p.supplier} == {
        str(c["name"]): str(c["publisher"]) for c in _syft_components() if c.get("publisher")
    }
    assert {p.name: p.authors for p in packages if p.authors} == {
        str(c["name"]): (str(c["author"]),) for c in _syft_components() if c.get("author")
    }


@pytest.mark.parametrize("ecosystem", ["deb"])
def test_debian_app_edges_equal_syfts(ecosystem: str) -> None:
    packages = _debian_app().images[0].packages
    by_id = {package_id(p): p.name for p in packages}
    ours = {(p.name, by_id[d]) for p in packages if p.type == ecosystem for d in p.depends_on}
    path = shared_path("fixtures", "real", "_reference", "syft", "debian-app.oci-gzip.cdx.json")
    bom = json.loads(path.read_text())
    names = {c["bom-ref"]: c["name"] for c in bom["components"]}
    theirs = {(names[d["ref"]], names[t]) for d in bom["dependencies"] for t in d["dependsOn"]}
    assert len(ours) == 221
    assert ours == theirs
