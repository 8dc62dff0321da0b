"""Java CPEs: syft's rules (``cpegenerate/java.go``) on hand-made metadata, then every CPE of
every Java package of Debian's jars (``tests.catalog.java_archives``) against syft 1.18.1 run
on the same image at test time, list for list, in syft's order."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reporter.catalog.cpe import JavaFacts, cpe_candidates, java_group_ids
from reporter.catalog.interface import FoundPackage
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.binaries import AptUnavailable
from tests.catalog.java_archives import build_java_image


def _vendor_product(cpes: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(c.split(":")[3], c.split(":")[4]) for c in cpes}


def test_group_id_gives_vendors_whole_and_in_parts() -> None:
    # syft's generate_test.go "java language with groupID"
    found = FoundPackage(type="java-archive", name="name", version="3.2")
    facts = JavaFacts(pom_group_id="org.sonatype.nexus", has_pom_properties=True)
    assert _vendor_product(cpe_candidates(found, facts)) == {
        (v, p)
        for v in ("name", "nexus", "sonatype", "org.sonatype.nexus")
        for p in ("name", "nexus")
    }


def test_apache_vendor_wins_and_manifest_tiers() -> None:
    # syft's generate_test.go "java language - multi tier manifest fields" (cxf)
    manifest = (
        (
            ("Automatic-Module-Name", "org.apache.cxf.binding.xml"),
            ("Bundle-SymbolicName", "org.apache.cxf.cxf-rt-bindings-xml"),
            ("Implementation-Vendor", "The Apache Software Foundation"),
            ("Implementation-Vendor-Id", "org.apache"),
            ("Specification-Vendor", "The Apache Software Foundation"),
        ),
    )
    facts = JavaFacts(
        manifest=manifest,
        pom_group_id="org.apache.cxf",
        pom_artifact_id="cxf-rt-bindings-xml",
        has_pom_properties=True,
    )
    found = FoundPackage(type="java-archive", name="cxf-rt-bindings-xml", version="3.3.10")
    assert cpe_candidates(found, facts) == (
        "cpe:2.3:a:apache:cxf-rt-bindings-xml:3.3.10:*:*:*:*:*:*:*",
        "cpe:2.3:a:apache:cxf_rt_bindings_xml:3.3.10:*:*:*:*:*:*:*",
        "cpe:2.3:a:apache:cxf:3.3.10:*:*:*:*:*:*:*",
    )
    # the secondary fields count only when no primary one is a reverse domain
    assert java_group_ids(facts) == [
        "org.apache.cxf",
        "org.apache",
        "org.apache.cxf.cxf-rt-bindings-xml",
    ]
    bare = JavaFacts(manifest=((("Automatic-Module-Name", "org.x.y"),),))
    assert java_group_ids(bare) == ["org.x.y"]


def test_plugin_groups_and_jenkins_filters() -> None:
    # forbidden group parts: "plugins" is neither vendor nor product; a Jenkins plugin never
    # gets product "jenkins"
    facts = JavaFacts(pom_group_id="org.jenkins-ci.plugins", has_pom_properties=True)
    found = FoundPackage(type="jenkins-plugin", name="jenkins", version="1")
    pairs = _vendor_product(cpe_candidates(found, facts))
    assert pairs == set()  # the only product is the name, and the filter takes it
    found = FoundPackage(type="jenkins-plugin", name="ant", version="1")
    pairs = _vendor_product(cpe_candidates(found, facts))
    # the whole groupId is taken as it is (no -/_ variant, no prefixes), its parts get both
    assert {v for v, _ in pairs} == {
        "ant",
        "org.jenkins-ci.plugins",
        "jenkins-ci",
        "jenkins_ci",
        "jenkins",
    }
    assert {p for _, p in pairs} == {"ant"}


def test_type_tables_add_and_remove() -> None:
    spring = cpe_candidates(FoundPackage(type="java-archive", name="spring-core", version="5"))
    assert "cpe:2.3:a:vmware:spring_framework:5:*:*:*:*:*:*:*" in spring
    shared = cpe_candidates(
        FoundPackage(type="java-archive", name="maven-shared-utils", version="3"),
        JavaFacts(
            pom_group_id="org.apache.maven.shared",
            pom_artifact_id="maven-shared-utils",
            has_pom_properties=True,
        ),
    )
    assert shared
    assert all(c.split(":")[4] != "maven" for c in shared)
    assert all(c.split(":")[3] == "apache" for c in shared)


# --- Debian's jars against syft 1.18.1 -------------------------------------------------------


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the Java test image could not be made: {reason}")
    pytest.skip(reason)


def _syft(layout: Path) -> list[dict[str, Any]]:
    found = shutil.which("syft") or str(Path(sys.executable).parent / "syft")
    if not Path(found).exists():
        _unavailable("syft is not installed (dev dependency)")
    done = subprocess.run(
        [found, f"oci-dir:{layout}", "-o", "syft-json", "-q"],
        capture_output=True,
        check=True,
        timeout=600,
        env={**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"},
    )
    return list(json.loads(done.stdout)["artifacts"])


_Key = tuple[str, str, str, str]  # type, name, version, virtual path


def test_debian_jars_cpes_equal_syfts_in_order() -> None:
    try:
        layout = build_java_image()
    except AptUnavailable as exc:
        _unavailable(str(exc))
        raise
    java = ("java-archive", "jenkins-plugin")
    ours: dict[_Key, tuple[str, ...]] = {
        (p.type, p.name, p.version, dict(p.metadata)["virtual_path"]): p.cpes
        for p in generate(str(layout), Options()).images[0].packages
        if p.type in java
    }
    theirs: dict[_Key, tuple[str, ...]] = {
        (a["type"], a["name"], a["version"], a["metadata"]["virtualPath"]): tuple(
            c["cpe"] for c in a["cpes"]
        )
        for a in _syft(layout)
        if a["type"] in java
    }
    assert len(theirs) >= 18
    assert ours == theirs
    by_name = {k[1]: v for k, v in ours.items()}
    assert by_name["ant"] == ("cpe:2.3:a:apache:ant:1.10.13:*:*:*:*:*:*:*",)
    assert (
        "cpe:2.3:a:netty_project:netty-common:4.1.48.Final:*:*:*:*:*:*:*" in by_name["netty-common"]
    )


def test_well_known_group_table_cpes_equal_syfts(tmp_path: Path) -> None:
    """A bare jar per entry of syft's artifactId → groupId table (``test_java``'s image): the
    table's group names every vendor and product, and syft and we agree on each list."""
    from tests.catalog.test_java import _table_layout

    layout = _table_layout(tmp_path / "groups")
    java = ("java-archive", "jenkins-plugin")
    ours = {
        (p.name, dict(p.metadata)["virtual_path"]): p.cpes
        for p in generate(str(layout), Options()).images[0].packages
        if p.type in java
    }
    theirs = {
        (a["name"], a["metadata"]["virtualPath"]): tuple(c["cpe"] for c in a["cpes"])
        for a in _syft(layout)
        if a["type"] in java
    }
    assert len(theirs) > 1800
    assert {k for k in ours if ours[k] != theirs.get(k)} == set()
