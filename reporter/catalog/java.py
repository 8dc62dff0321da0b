"""Java archives (jar, war, ear, jpi, hpi, ...): manifest, ``pom.properties``, ``pom.xml``, nesting.

Modelled on syft 1.18.1's ``java-archive-cataloger`` (``syft/pkg/cataloger/java/
archive_parser.go``, ``parse_java_manifest.go``, ``package_url.go``), checked against syft run on
real Debian jars (``tests/catalog/test_java.py``):

1. an archive without ``META-INF/MANIFEST.MF``, or whose manifest has ``Weave-Classes`` (New
   Relic instrumentation jars, which would pass for what they instrument), has no package of
   its own and none from its ``pom.properties`` (syft: no parent package, so no Maven packages);
   the archives inside it are still read;
2. otherwise its package is named by, in order: a ``pom.properties`` whose artifactId matches
   the file name (``artifactIDMatchesFilename``: the artifactId starts with the file name's
   name, or the file name's name ends with it), the last part of ``Bundle-SymbolicName`` when
   the Apache Maven Bundle Plugin made the jar, the file name (``commons-io-2.11.0.jar`` →
   ``commons-io`` / ``2.11.0``; ``a.b.c`` → ``c``), the main section's ``Name``,
   ``Bundle-Name``, ``Short-Name``, ``Extension-Name``, ``Implementation-Title``; versioned by
   that ``pom.properties``, the file name, ``Implementation-Version``,
   ``Specification-Version``, ``Plugin-Version``, ``Bundle-Version``; no version at all is
   ``UNKNOWN`` (as syft 1.18.1 prints it) with a purl without version;
3. every ``META-INF/maven/<g>/<a>/pom.properties`` with an artifactId and a version is a
   package, except one that is the archive's own (same group, name and version; or its
   artifactId is the archive's name): that one renames the archive's package (name, version,
   type, group) instead. So a shaded jar keeps all the jars it swallowed;
4. a ``pom.xml`` beside a ``pom.properties`` gives that package its licences and, when the
   properties have no groupId, its group (the pom's, else its parent's: Maven inheritance).
   A ``pom.xml`` without ``pom.properties`` names nothing: syft 1.18.1 reads it only through
   the ``pom.properties`` beside it;
5. licences: the manifest's ``Bundle-License`` and ``Plugin-License-Name``, else the
   ``<licenses>`` of the archive's own ``pom.xml``; each an SPDX id where
   ``reporter.catalog.licences`` maps it (as syft maps it), else the text as written;
6. type ``jenkins-plugin`` for ``.hpi`` / ``.jpi`` files and for any package whose
   ``pom.properties`` group is a Jenkins plugin group (``PkgTypeIndicated``), else
   ``java-archive``;
7. archives inside (``WEB-INF/lib/*.jar``, ``BOOT-INF/lib/*.jar``, ``WEB-INF/plugins/*.hpi``, a
   war in an ear) are read the same way, recursively, to depth ``_MAX_DEPTH``; their packages
   are located at the outer file, as syft locates them.

purl ``pkg:maven/<group>/<artifact>@<version>``, the group from (``groupIDFromJavaMetadata``):
the ``pom.properties`` groupId (or its artifactId if that has a dot), the ``pom.xml``'s (then
its parent's), syft's table of well-known artifactIds (``reporter.catalog.java_groups``), a
manifest field that starts like a reverse domain (``Bundle-SymbolicName``, ... then
``Automatic-Module-Name``, ``Main-Class``, ``Package``; the smallest, as syft sorts them), else
the name itself.

Not done: syft's licence-file classifier (``META-INF/LICENSE*`` texts → SPDX ids by text
matching, used when neither manifest nor pom names a licence).

Zip bombs are bounded: nested archives up to ``_NESTED_MAX`` bytes each, metadata files up to
``_SMALL_MAX``, at most ``_BUDGET`` bytes inflated in total and ``_MAX_ENTRIES`` entries per
archive; a nested archive that cannot be read is skipped (syft logs it), the outer one raises
CatalogError, which ``reporter.catalog.run`` turns into a finding naming the file.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from reporter.catalog._langutil import ZIP_ERRORS, sorted_metadata
from reporter.catalog.cpe import JavaFacts, cpe_candidates
from reporter.catalog.hashes import file_hashes
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.java_groups import WELL_KNOWN_GROUP_IDS
from reporter.catalog.licences import spdx_license
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

if TYPE_CHECKING:
    from xml.etree import ElementTree

__all__ = [
    "CATALOGER",
    "PomProject",
    "parse",
    "parse_archive_filename",
    "parse_manifest",
    "parse_pom_xml",
    "wants",
]

_FILE_MAX = 256 * 1024 * 1024
_NESTED_MAX = 128 * 1024 * 1024
_SMALL_MAX = 1024 * 1024
_BUDGET = 512 * 1024 * 1024
_MAX_ENTRIES = 200_000
_MAX_DEPTH = 4

# syft 1.18.1's archiveFormatGlobs ("**/*.jar", ...; kar yes, rar no: measured)
_JAVA_EXTS = ("jar", "war", "ear", "par", "sar", "nar", "kar", "lpkg")
_JENKINS_EXTS = ("jpi", "hpi")
_ARCHIVE_SUFFIXES = tuple("." + e for e in _JAVA_EXTS + _JENKINS_EXTS)
_JENKINS_SUFFIXES = tuple("." + e for e in _JENKINS_EXTS)

# syft's nameAndVersionPattern / secondaryVersionPattern (archive_filename.go), in Python terms:
# Go's (?U) "ungreedy" flag swaps every quantifier's greediness: written out here. [[:alpha:]]
# and [[:word:]] are ASCII in Go.
_NAME_VERSION = re.compile(
    r"^(?P<name>(?:[a-z][0-9a-z_.]*?(?:\.[a-z][0-9a-z_.]*?)*?-??)+?)"
    r"(?:-(?P<version>(\d.*?|(build\d+?.*?)|(rc??\d+?(?:^[a-z].*?)??))))??$",
    re.IGNORECASE,
)
_SECONDARY_VERSION = re.compile(
    r"(?:[._-](?P<version>(\d.*|(build\d+.*)|(rc?\d+(?:^[a-z].*)?))))?$", re.IGNORECASE
)

_DOMAINS = ("com", "org", "net", "io", "be")
# cpegenerate.PrimaryJavaManifestGroupIDFields / SecondaryJavaManifestGroupIDFields
_PRIMARY_GROUP_FIELDS = (
    "Bundle-SymbolicName",
    "Extension-Name",
    "Specification-Vendor",
    "Implementation-Vendor",
    "Implementation-Vendor-Id",
    "Implementation-Title",
    "Bundle-Activator",
)
_SECONDARY_GROUP_FIELDS = ("Automatic-Module-Name", "Main-Class", "Package")
_NAME_FIELDS = ("Name", "Bundle-Name", "Short-Name", "Extension-Name", "Implementation-Title")
_VERSION_FIELDS = (
    "Implementation-Version",
    "Specification-Version",
    "Plugin-Version",
    "Bundle-Version",
)
_LICENCE_FIELDS = ("Bundle-License", "Plugin-License-Name")
# pkg.JavaPomProperties.PkgTypeIndicated
_JENKINS_GROUPS = (
    "io.jenkins.plugins",
    "org.jenkins.plugins",
    "org.jenkins-ci.plugins",
    "io.jenkins-ci.plugins",
    "com.cloudbees.jenkins.plugins",
)
# syft's pomPropertiesGlob / pomXMLGlob: "**/*pom.properties", "**/*pom.xml", anywhere in the
# archive (BOOT-INF/classes/META-INF/maven/... too), with case (measured: POM.PROPERTIES is not)
_POM_PROPERTIES = "pom.properties"
_POM_XML = "pom.xml"
_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_UNKNOWN_VERSION = "UNKNOWN"  # what syft 1.18.1 reports for an archive with no version


@dataclass(frozen=True, slots=True)
class ArchiveFilename:
    name: str
    version: str


def parse_archive_filename(path: str) -> ArchiveFilename:
    """``commons-io-2.11.0.jar`` → (``commons-io``, ``2.11.0``) as syft splits it."""
    base = path.rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    match = _NAME_VERSION.match(stem)
    name = match.group("name") if match else ""
    version = (match.group("version") or "") if match else ""
    if not version and name:
        secondary = _SECONDARY_VERSION.search(name)
        if secondary and secondary.group("version"):
            version = secondary.group("version")
            name = name[: len(name) - len(version) - 1]
    return ArchiveFilename(name, version)


Manifest = list[dict[str, str]]  # main section first, then the named sections


def parse_manifest(text: str) -> Manifest:
    """JAR manifest as syft's parseJavaManifest reads it: ``Key: value`` lines, continuations
    (a line starting with a space, appended trimmed), sections separated by empty lines; the
    first of a repeated key wins (``KeyValues.MustGet``)."""
    sections: Manifest = [{}]
    last: str | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw:
            if sections[-1]:
                sections.append({})
            last = None
            continue
        if raw.startswith(" "):
            if last is not None:
                sections[-1][last] += raw.strip()
            continue
        key, sep, value = raw.partition(":")
        if not sep or not key.strip():
            continue
        key = key.strip()
        if key in sections[-1]:
            last = None  # a repeated key: its continuations are lost with it
            continue
        last = key
        sections[-1][key] = value.strip()
    return [s for i, s in enumerate(sections) if s or i == 0]


def _manifest_get(manifest: Manifest, key: str) -> str:
    """syft's fieldValueFromManifest: the main section, then the named ones."""
    for section in manifest:
        value = section.get(key, "").strip()
        if value:
            return value
    return ""


def _clean_group(value: str) -> str:
    return value.split(";", 1)[0].split("#", 1)[0].strip()


def _manifest_group(manifest: Manifest) -> str:
    for fields in (_PRIMARY_GROUP_FIELDS, _SECONDARY_GROUP_FIELDS):
        found = sorted(
            _clean_group(section[key])
            for key in fields
            for section in manifest
            if key in section and section[key].startswith(_DOMAINS)
        )
        if found:
            return found[0]
    return ""


def _bundle_plugin_name(main: dict[str, str]) -> str:
    """syft's extractNameFromApacheMavenBundlePlugin: the BND default Bundle-SymbolicName is
    ``${groupId}.${artifactId}``, so its last part is taken for the artifactId."""
    if "Apache Maven Bundle Plugin" not in main.get("Created-By", ""):
        return ""
    symbolic = main.get("Bundle-SymbolicName", "")
    if not symbolic:
        return ""
    vendor = main.get("Implementation-Vendor-Id", "")
    if vendor and vendor == symbolic:
        return ""
    return symbolic.split(".")[-1]


# Java identifier start = Lu Ll Lt Lm Lo Nl Sc Pc (syft's isValidJavaIdentifier)
_JAVA_IDENTIFIER_START = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Sc", "Pc"))


def _java_identifier_start(part: str) -> bool:
    return bool(part) and unicodedata.category(part[0]) in _JAVA_IDENTIFIER_START


def _filename_name(name: str) -> str:
    """syft's extractNameFromArchiveFilename: ``org.foo.bar`` may be group + artifact."""
    if "." in name and not name.startswith("org.eclipse."):
        parts = name.split(".")
        if all(_java_identifier_start(p) for p in parts):
            return parts[-1]
    return name


def _select_name(manifest: Manifest, filename: ArchiveFilename) -> str:
    main = manifest[0]
    name = _bundle_plugin_name(main) or _filename_name(filename.name)
    if name:
        return name
    return next((main[f] for f in _NAME_FIELDS if main.get(f, "")), "")


def _select_version(manifest: Manifest, filename: ArchiveFilename) -> str:
    if filename.version:
        return filename.version
    return next((v for v in (_manifest_get(manifest, f) for f in _VERSION_FIELDS) if v), "")


def _licence(text: str) -> str:
    return spdx_license(text) or text


def _parse_properties(text: str) -> dict[str, str] | None:
    """``pom.properties`` as syft's parsePomProperties reads it: ``key=value`` or
    ``key: value`` split at the first ``=`` / ``:``, ``#`` comments; keys matched without case
    (mapstructure). A line with neither separator (a ``!`` comment too) spoils the file: None."""
    props: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip(" ").startswith("#"):
            continue
        match = re.search(r"[=:]", line)
        if match is None:
            return None
        props[line[: match.start()].strip().lower()] = line[match.end() :].strip()
    return props


@dataclass(frozen=True, slots=True)
class PomProject:
    """What a ``pom.xml`` says of its project (POM 4.0.0, https://maven.apache.org/pom.html).

    ``group_id`` / ``version`` are the project's own, else the ``<parent>``'s: Maven's
    inheritance ("groupId and version ... inherited from the parent" when not declared)."""

    group_id: str
    artifact_id: str
    version: str
    parent_group_id: str = ""
    parent_artifact_id: str = ""
    parent_version: str = ""
    licenses: tuple[str, ...] = ()  # <license><name>, else its <url>
    declared_group_id: str = ""  # the project's own <groupId>, before inheritance


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ElementTree.Element | None, name: str) -> str:
    if element is None:
        return ""
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def parse_pom_xml(data: bytes) -> PomProject | None:
    """The project of a ``pom.xml``, or None if it is not one (bad XML, a DTD, no project).

    ``${...}`` references are resolved from ``<properties>`` and the ``project.*`` fields, as
    syft resolves them; what cannot be resolved stays as written."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None  # no POM needs a DTD; refusing it keeps entity expansion out
    from xml.etree import ElementTree  # only images with jars pay for it (~5 ms of start-up)

    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, LookupError, ValueError):  # LookupError: unknown encoding
        try:  # syft reads an undeclared ISO-8859-1 pom too
            root = ElementTree.fromstring(data.decode("latin-1").encode("utf-8"))
        except (ElementTree.ParseError, LookupError, ValueError):
            return None
    if _local(root.tag) != "project":
        return None
    parent = _child(root, "parent")
    properties = _child(root, "properties")
    props = (
        {_local(c.tag): (c.text or "").strip() for c in properties}
        if properties is not None
        else {}
    )
    raw = {
        "groupId": _child_text(root, "groupId"),
        "artifactId": _child_text(root, "artifactId"),
        "version": _child_text(root, "version"),
        "parent.groupId": _child_text(parent, "groupId"),
        "parent.artifactId": _child_text(parent, "artifactId"),
        "parent.version": _child_text(parent, "version"),
    }
    for key, value in list(raw.items()):
        props.setdefault("project." + key, value)
        props.setdefault("pom." + key, value)

    def resolve(value: str) -> str:
        for _ in range(8):  # properties may name properties; bounded
            new = _PROPERTY.sub(lambda m: props.get(m.group(1), m.group(0)), value)
            if new == value:
                break
            value = new
        return value

    licenses: list[str] = []
    block = _child(root, "licenses")
    for lic in block if block is not None else ():
        if _local(lic.tag) != "license":
            continue
        text = resolve(_child_text(lic, "name")) or resolve(_child_text(lic, "url"))
        if text:
            licenses.append(text)
    group = resolve(raw["groupId"])
    parent_group = resolve(raw["parent.groupId"])
    parent_version = resolve(raw["parent.version"])
    return PomProject(
        group_id=group or parent_group,
        artifact_id=resolve(raw["artifactId"]),
        version=resolve(raw["version"]) or parent_version,
        parent_group_id=parent_group,
        parent_artifact_id=resolve(raw["parent.artifactId"]),
        parent_version=parent_version,
        licenses=tuple(licenses),
        declared_group_id=group,
    )


@dataclass(frozen=True, slots=True)
class _PomProperties:
    group_id: str
    artifact_id: str
    version: str


@dataclass(slots=True)
class _Pkg:
    name: str
    version: str
    type: str
    virtual_path: str
    manifest: Manifest | None = None
    properties: _PomProperties | None = None
    project: PomProject | None = None
    licenses: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def group(self) -> str:
        """syft's groupIDFromJavaMetadata."""
        props = self.properties
        if props is not None:
            if props.group_id:
                return _clean_group(props.group_id)
            if "." in props.artifact_id:
                return _clean_group(props.artifact_id)
        project = self.project
        if project is not None:
            for value, needs_dot in (
                (project.declared_group_id, False),
                (project.artifact_id, True),
                (project.parent_group_id, False),
                (project.parent_artifact_id, True),
            ):
                if value and (not needs_dot or "." in value):
                    return _clean_group(value)
        if self.name in WELL_KNOWN_GROUP_IDS:
            return WELL_KNOWN_GROUP_IDS[self.name]
        return _manifest_group(self.manifest) if self.manifest is not None else ""

    def cpe_facts(self) -> JavaFacts:
        """What syft's Java CPE rules read (``reporter.catalog.cpe.JavaFacts``)."""
        props, project = self.properties, self.project
        return JavaFacts(
            manifest=None
            if self.manifest is None
            else tuple(tuple(section.items()) for section in self.manifest),
            pom_group_id=props.group_id if props else "",
            pom_artifact_id=props.artifact_id if props else "",
            has_pom_properties=props is not None,
            project_group_id=project.declared_group_id if project else "",
            project_artifact_id=project.artifact_id if project else "",
            parent_group_id=project.parent_group_id if project else "",
            parent_artifact_id=project.parent_artifact_id if project else "",
            has_project=project is not None,
            well_known_group=WELL_KNOWN_GROUP_IDS.get(self.name, ""),
        )

    def found(self, data: bytes | None) -> FoundPackage:
        group = self.group() or self.name
        package = FoundPackage(
            type=self.type,
            name=self.name,
            version=self.version or _UNKNOWN_VERSION,
            purl=purl("maven", group, self.name, self.version),
            licenses=self.licenses,
            metadata=sorted_metadata(virtual_path=self.virtual_path, group_id=group, **self.extra),
        )
        package = replace(package, cpes=cpe_candidates(package, self.cpe_facts()))
        # the archive's own bytes are in hand (kept whole, or read from the outer archive)
        return replace(package, hashes=file_hashes(data)) if data is not None else package


def _type_indicated(group: str) -> str:
    if group.startswith(_JENKINS_GROUPS) or ".jenkins.plugin" in group:
        return "jenkins-plugin"
    return "java-archive"


def _matches_filename(artifact: str, filename: ArchiveFilename) -> bool:
    """syft's artifactIDMatchesFilename."""
    if not artifact or not filename.name:
        return False
    return artifact.startswith(filename.name) or filename.name.endswith(artifact)


def _same_package(pom: _Pkg, parent: _Pkg) -> bool:
    """syft's packageIdentitiesMatch (the virtual-path test folded in: the paths are equal
    exactly when the raw groupId:artifactId:version equals the parent's)."""
    if (pom.group(), pom.name, pom.version) == (parent.group(), parent.name, parent.version):
        return True
    props = pom.properties
    if props is None:
        return False
    if (props.group_id, props.artifact_id, props.version) == (
        parent.group(),
        parent.name,
        parent.version,
    ):
        return True
    return bool(props.artifact_id) and props.artifact_id == parent.name


class _Budget:
    """What is left of the bytes one outer archive may inflate."""

    def __init__(self) -> None:
        self.left = _BUDGET

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
        if info.file_size > limit or info.file_size > self.left:
            return None
        with archive.open(info) as member:
            data = member.read(min(limit, self.left) + 1)
        if len(data) > limit or len(data) > self.left:
            return None  # the header lied about the size
        self.left -= len(data)
        return data


def _maven_files(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], budget: _Budget
) -> tuple[dict[str, _PomProperties], dict[str, PomProject]]:
    """pom.properties and pom.xml by their directory, as syft keeps them: properties with an
    artifactId and a version; projects with an artifactId and a version or a parent."""
    properties: dict[str, _PomProperties] = {}
    projects: dict[str, PomProject] = {}
    for info in sorted(infos, key=lambda i: i.filename):
        is_props = info.filename.endswith(_POM_PROPERTIES)
        if info.is_dir() or not (is_props or info.filename.endswith(_POM_XML)):
            continue
        raw = budget.read(archive, info, _SMALL_MAX)
        if raw is None:
            continue
        folder = info.filename.rpartition("/")[0]  # pairs a pom.properties with its pom.xml
        if is_props:
            props = _parse_properties(raw.decode("utf-8", "replace"))
            if props is None:
                continue
            found = _PomProperties(
                props.get("groupid", ""), props.get("artifactid", ""), props.get("version", "")
            )
            if found.artifact_id and found.version:
                properties[folder] = found
        else:
            project = parse_pom_xml(raw)
            usable = project is not None and project.artifact_id
            if usable and project is not None and (project.version or project.parent_artifact_id):
                projects[folder] = project
    return properties, projects


def _read_archive(
    data: bytes, name: str, virtual_path: str, depth: int, budget: _Budget
) -> list[FoundPackage]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > _MAX_ENTRIES:
            raise CatalogError(f"more than {_MAX_ENTRIES} entries in {virtual_path}")
        by_name = {info.filename: info for info in infos}
        filename = parse_archive_filename(name)
        properties, projects = _maven_files(archive, infos, budget)

        main: _Pkg | None = None
        manifest_info = by_name.get("META-INF/MANIFEST.MF")
        if manifest_info is not None:
            raw = budget.read(archive, manifest_info, _SMALL_MAX)
            manifest = parse_manifest(raw.decode("utf-8", "replace")) if raw is not None else [{}]
            if "Weave-Classes" not in manifest[0]:
                main = _main_package(manifest, filename, name, virtual_path, properties, projects)

        others: list[_Pkg] = []
        if main is not None:
            for folder, props in sorted(properties.items()):
                pom = _Pkg(
                    props.artifact_id,
                    props.version,
                    _type_indicated(props.group_id),
                    f"{virtual_path}:{props.group_id}:{props.artifact_id}",
                    properties=props,
                    project=projects.get(folder),
                )
                if pom.project is not None:
                    pom.licenses = tuple(_licence(t) for t in pom.project.licenses)
                if _same_package(pom, main):
                    # syft's updateParentPackage: the properties rename the archive's package
                    main.name, main.version, main.type = pom.name, pom.version, pom.type
                    if main.properties is None:
                        main.properties = props
                else:
                    others.append(pom)

        found: list[FoundPackage] = []
        if main is not None and main.name:
            found.append(main.found(data))
        found.extend(pom.found(None) for pom in others)

        if depth < _MAX_DEPTH:
            for info in infos:
                # syft's globs have case: lib/x.JAR is not read (measured)
                if info.is_dir() or not info.filename.endswith(_ARCHIVE_SUFFIXES):
                    continue
                inner = budget.read(archive, info, _NESTED_MAX)
                if inner is None:
                    continue
                try:
                    found.extend(
                        _read_archive(
                            inner,
                            info.filename,
                            f"{virtual_path}:{info.filename}",
                            depth + 1,
                            budget,
                        )
                    )
                except _NESTED_ERRORS:
                    continue  # an unreadable nested archive does not spoil the outer one
        return found


def _main_package(
    manifest: Manifest,
    filename: ArchiveFilename,
    name: str,
    virtual_path: str,
    properties: dict[str, _PomProperties],
    projects: dict[str, PomProject],
) -> _Pkg:
    """syft's discoverMainPackage + parseLicenses (see the module docstring, 2 and 5)."""
    # guessMainPackageNameAndVersionFromPomInfo: syft walks a Go map (random order) and stops
    # at a match with a pom.xml beside it; here the first such in path order, else the first
    # match, so that the answer does not change from run to run.
    matching = [
        f for f in sorted(properties) if _matches_filename(properties[f].artifact_id, filename)
    ]
    chosen = next((f for f in matching if f in projects), matching[0] if matching else None)
    props = properties[chosen] if chosen is not None else None
    project = projects.get(chosen) if chosen is not None else None
    licences = tuple(
        _licence(v) for v in (_manifest_get(manifest, f) for f in _LICENCE_FIELDS) if v
    )
    if not licences and project is not None:
        licences = tuple(_licence(t) for t in project.licenses)
    jenkins = name.endswith(_JENKINS_SUFFIXES)
    return _Pkg(
        name=(props.artifact_id if props else "") or _select_name(manifest, filename),
        version=(props.version if props else "") or _select_version(manifest, filename),
        type="jenkins-plugin" if jenkins else "java-archive",
        virtual_path=virtual_path,
        manifest=manifest,
        licenses=licences,
    )


_NESTED_ERRORS: tuple[type[Exception], ...] = (CatalogError, *ZIP_ERRORS)


_WHOLE_ARCHIVE = WholeFile(_FILE_MAX)


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    # with case, as syft's "**/*.jar" globs are (x.JAR is not cataloged: measured); one
    # str.endswith over a tuple, since this runs for every file of every layer
    return _WHOLE_ARCHIVE if path.endswith(_ARCHIVE_SUFFIXES) else None


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    return _read_archive(data, path, "/" + path, 0, _Budget())


CATALOGER = Declared(
    name="java-archive-cataloger",
    wants=wants,
    hint=Hint(suffixes=_ARCHIVE_SUFFIXES),
    parser=parse,
    unreadable=ZIP_ERRORS,
    what="Java archive",
)
