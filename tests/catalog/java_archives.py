"""An OCI image of real Java archives: Debian's jars, and archives made from them with real tools.

From Debian (``apt-get download``, cached like ``tests.catalog.binaries``):

* ``commons-lang3``, ``guava``, ``jackson-core``, ``maven-shade-plugin``: one
  ``pom.properties`` + ``pom.xml`` each (jackson-core's pom declares ``<licenses>``);
* ``netty-common``: Debian bundles jctools into it, so two ``pom.properties`` (a shaded jar);
* ``jna``, ``ant``, ``ant-launcher``, ``commons-logging``: no Maven files at all (built with
  ant), named by their manifest, file name and syft's well-known groupId table.

Made from those with ``zip`` / ``jar`` (``java_archives_tools``):

* ``lang3-pomxml-only.jar``: commons-lang3 with its ``pom.properties`` deleted (``zip -d``);
* ``inherit.jar``: netty-common without ``pom.properties`` and with a ``pom.xml`` whose
  project ``<groupId>``/``<version>`` lines are removed, so both are inherited from
  ``<parent>`` (Maven's inheritance, https://maven.apache.org/pom.html#Inheritance);
* ``commons-lang3-api.hpi`` / ``.jpi``: Jenkins plugins laid out as maven-hpi-plugin lays them
  out (https://www.jenkins.io/doc/developer/plugin-development/plugin-packaging/ ;
  ``WEB-INF/lib/`` holding the plugin's own classes jar and Debian's commons-lang3 jar; the
  manifest's ``Short-Name``, ``Plugin-Version``, ``Group-Id``, ``Plugin-License-Name`` ...),
  the ``.hpi`` with the ``pom.properties`` maven-hpi-plugin writes, the ``.jpi`` without;
* ``spring-4.3.0-1.0.jar``: commons-logging with a New Relic ``Weave-Classes`` manifest entry
  added by ``jar --update`` (the header New Relic's instrumentation modules carry);
* ``broken-1.0.jar``: the first 5000 bytes of guava's jar (a truncated download).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.catalog.binaries import AptUnavailable, download
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

__all__ = ["PACKAGES", "build_java_image", "cache_root", "image_dir"]

PACKAGES = (
    "ant",
    "libcommons-lang3-java",
    "libcommons-logging-java",
    "libguava-java",
    "libjackson2-core-java",
    "libjna-java",
    "libmaven-shade-plugin-java",
    "libnetty-java",
)
_RECIPE = "2"  # bump when what is built from the packages changes

# (package, path in the package) → name in the image
_COPIES = (
    ("libcommons-lang3-java", "usr/share/java/commons-lang3.jar", "commons-lang3-3.12.0.jar"),
    ("libguava-java", "usr/share/java/guava.jar", "guava-31.1-jre.jar"),
    ("libjackson2-core-java", "usr/share/java/jackson-core.jar", "jackson-core-2.14.1.jar"),
    ("libnetty-java", "usr/share/java/netty-common.jar", "netty-common-4.1.48.Final.jar"),
    (
        "libmaven-shade-plugin-java",
        "usr/share/maven-repo/org/apache/maven/plugins/maven-shade-plugin/3.4.1/"
        "maven-shade-plugin-3.4.1.jar",
        "maven-shade-plugin-3.4.1.jar",
    ),
    ("libjna-java", "usr/share/java/jna-5.13.0.jar", "jna-5.13.0.jar"),
    ("ant", "usr/share/java/ant-1.10.13.jar", "ant-1.10.13.jar"),
    ("ant", "usr/share/java/ant-launcher-1.10.13.jar", "ant-launcher-1.10.13.jar"),
    (
        "libcommons-logging-java",
        "usr/share/java/commons-logging-1.2.jar",
        "commons-logging-1.2.jar",
    ),
)

_PLUGIN_MANIFEST = """\
Specification-Title: Commons Lang3 API Plugin
Specification-Version: 3.12
Implementation-Title: commons-lang3-api
Implementation-Version: 3.12.0-36.vd97de6465d5b_
Group-Id: io.jenkins.plugins
Short-Name: commons-lang3-api
Long-Name: Commons Lang3 v3.x Jenkins API Plugin
Url: https://github.com/jenkinsci/commons-lang3-api-plugin
Plugin-Version: 3.12.0-36.vd97de6465d5b_
Hudson-Version: 2.361.4
Jenkins-Version: 2.361.4
Plugin-License-Name: MIT License
Plugin-License-Url: https://opensource.org/licenses/MIT
Plugin-ScmUrl: https://github.com/jenkinsci/commons-lang3-api-plugin
"""
_PLUGIN_POM_PROPERTIES = (
    "#Created by Apache Maven 3.9.4\n"
    "groupId=io.jenkins.plugins\nartifactId=commons-lang3-api\n"
    "version=3.12.0-36.vd97de6465d5b_\n"
)
_WEAVE_MANIFEST = (
    "Weave-Classes: org.springframework.web.servlet.DispatcherServlet\n"
    "Weave-Package-Name: com.newrelic.instrumentation.spring-4.3.0\n"
)


def cache_root() -> Path:
    return Path.home() / ".cache" / "oci-reporter-testdata" / "java-archives"


def _run(args: list[str], cwd: Path | None = None) -> None:
    try:
        done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AptUnavailable(f"{args[0]}: {exc}") from exc
    if done.returncode != 0:
        raise AptUnavailable(f"{' '.join(args)}: {done.stderr.strip()[-300:]}")


def _plugin(work: Path, lang3: Path, suffix: str, with_pom_properties: bool) -> Path:
    tree = work / f"plugin{suffix}"
    classes = work / f"classes{suffix}" / "io" / "jenkins" / "plugins" / "commons_lang3_api"
    classes.mkdir(parents=True)
    (classes / "package-info.txt").write_text("the plugin's own classes would be here\n")
    lib = tree / "WEB-INF" / "lib"
    lib.mkdir(parents=True)
    _run(
        [
            "jar",
            "--create",
            "--file",
            str(lib / "commons-lang3-api.jar"),
            "-C",
            str(classes.parents[3]),
            ".",
        ]
    )
    shutil.copy(lang3, lib / "commons-lang3-3.12.0.jar")
    (tree / "index.jelly").write_text(
        "<?jelly escape-by-default='true'?>\n<div>Bundles Apache Commons Lang3</div>\n"
    )
    if with_pom_properties:
        props = tree / "META-INF" / "maven" / "io.jenkins.plugins" / "commons-lang3-api"
        props.mkdir(parents=True)
        (props / "pom.properties").write_text(_PLUGIN_POM_PROPERTIES)
    manifest = work / f"manifest{suffix}.txt"
    manifest.write_text(_PLUGIN_MANIFEST)
    out = work / f"commons-lang3-api{suffix}"
    _run(["jar", "--create", "--file", str(out), "--manifest", str(manifest), "-C", str(tree), "."])
    return out


def _derived(work: Path, jars: dict[str, Path]) -> dict[str, Path]:
    if not (shutil.which("zip") and shutil.which("jar")):
        raise AptUnavailable("zip / jar (openjdk-17-jdk-headless) not installed")
    out: dict[str, Path] = {}
    pomxml_only = work / "lang3-pomxml-only.jar"
    shutil.copy(jars["commons-lang3-3.12.0.jar"], pomxml_only)
    _run(["zip", "-q", "-d", str(pomxml_only), "META-INF/maven/*/pom.properties"])
    out[pomxml_only.name] = pomxml_only

    inherit = work / "inherit.jar"
    shutil.copy(jars["netty-common-4.1.48.Final.jar"], inherit)
    _run(["zip", "-q", "-d", str(inherit), "META-INF/maven/*/pom.properties"])
    pom_dir = work / "inherit-tree"
    member = "META-INF/maven/io.netty/netty-common/pom.xml"
    _run(["unzip", "-q", str(inherit), member, "-d", str(pom_dir)])
    pom = pom_dir / member
    lines = pom.read_text().splitlines(keepends=True)
    # the project's own <groupId> and <version> (the lines before <parent>) go; the parent's stay
    parent_at = next(i for i, line in enumerate(lines) if "<parent>" in line)
    kept = [
        line
        for i, line in enumerate(lines)
        if i > parent_at or not ("<groupId>" in line or "<version>" in line)
    ]
    pom.write_text("".join(kept))
    _run(["zip", "-q", str(inherit), member], cwd=pom_dir)
    out[inherit.name] = inherit

    lang3 = jars["commons-lang3-3.12.0.jar"]
    out["commons-lang3-api.hpi"] = _plugin(work, lang3, ".hpi", with_pom_properties=True)
    out["commons-lang3-api.jpi"] = _plugin(work, lang3, ".jpi", with_pom_properties=False)

    weave = work / "spring-4.3.0-1.0.jar"
    shutil.copy(jars["commons-logging-1.2.jar"], weave)
    weave_mf = work / "weave.mf"
    weave_mf.write_text(_WEAVE_MANIFEST)
    _run(["jar", "--update", "--file", str(weave), "--manifest", str(weave_mf)])
    out[weave.name] = weave

    broken = work / "broken-1.0.jar"
    broken.write_bytes(jars["guava-31.1-jre.jar"].read_bytes()[:5000])
    out[broken.name] = broken
    return out


def image_dir() -> str:
    """Where the archives land in the image."""
    return "opt/app"


def build_java_image() -> Path:
    """The OCI layout (cached; rebuilt when a package version or the recipe changes)."""
    root = cache_root()
    debs = download(list(PACKAGES), root / "debs")
    key = hashlib.sha256(
        "\n".join([_RECIPE, *(d.name for d in sorted(debs.values()))]).encode()
    ).hexdigest()[:16]
    layout = root / f"image-{key}"
    if (layout / "index.json").exists():
        return layout
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        jars: dict[str, Path] = {}
        for package in sorted({c[0] for c in _COPIES}):
            unpacked = work / "deb" / package
            unpacked.mkdir(parents=True)
            _run(["dpkg-deb", "-x", str(debs[package]), str(unpacked)])
            for _, source, target in (c for c in _COPIES if c[0] == package):
                path = (unpacked / source).resolve()
                if not path.is_file():
                    raise AptUnavailable(f"{package} has no {source}")
                jars[target] = path
        made = {**jars, **_derived(work, jars)}
        files = [
            TarFile(f"{image_dir()}/{name}", path.read_bytes())
            for name, path in sorted(made.items())
        ]
        building = root / f".building-{key}-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        custom_layout(building, [tar_bytes(files)], media_type=TAR_LAYER, ref="java")
        building.rename(layout)
    return layout
