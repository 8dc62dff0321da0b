"""Java archives (jar, war, ear, jpi, hpi, ...): manifest, ``pom.properties``, nested archives.

Modelled on syft 1.18.1's ``java-archive-cataloger`` (``archive_parser.go``):

1. the archive's own package comes from its file name (``commons-io-2.11.0.jar`` → name
   ``commons-io``, version ``2.11.0``, syft's ``nameAndVersionPattern``), then the manifest
   (``Name``, ``Bundle-Name``, ``Short-Name``, ``Extension-Name``, ``Implementation-Title``;
   ``Implementation-Version``, ``Specification-Version``, ``Plugin-Version``,
   ``Bundle-Version``); there is none without a ``META-INF/MANIFEST.MF``;
2. each ``META-INF/maven/<g>/<a>/pom.properties`` whose artifactId is the archive's own
   (equal to the name, or matching the file name) replaces the archive's name, version and
   group; any other becomes a package of its own (shaded / fat jars);
3. archives inside (``WEB-INF/lib/*.jar``, ``BOOT-INF/lib/*.jar``, a war in an ear) are read
   the same way, recursively, to depth ``_MAX_DEPTH``; their packages are located at the outer
   file, as syft locates them.

purl ``pkg:maven/<group>/<artifact>@<version>``: the group is the ``pom.properties`` groupId,
else a manifest field that starts like a reverse domain (``com``, ``org``, ``net``, ``io``,
``be``: ``Group-Id``, ``Bundle-SymbolicName``, ... then ``Automatic-Module-Name``,
``Main-Class``, ``Package``), else the name itself. Not done: syft's built-in table of
well-known artifactIds → groupIds (``spring-core`` → ``org.springframework``), used only when
an archive has no ``pom.properties``; pom.xml parsing (licences, parent groupId).

Zip bombs are bounded: nested archives up to ``_NESTED_MAX`` bytes each, metadata files up to
``_SMALL_MAX``, at most ``_BUDGET`` bytes inflated in total and ``_MAX_ENTRIES`` entries per
archive; a nested archive that cannot be read is skipped, the outer one raises CatalogError.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field, replace

from reporter.catalog._langutil import ZIP_ERRORS, sorted_metadata
from reporter.catalog.hashes import file_hashes
from reporter.catalog.interface import Declared, FoundPackage, ParseContext, WholeFile
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "parse_archive_filename", "parse_manifest", "wants"]

_FILE_MAX = 256 * 1024 * 1024
_NESTED_MAX = 128 * 1024 * 1024
_SMALL_MAX = 1024 * 1024
_BUDGET = 512 * 1024 * 1024
_MAX_ENTRIES = 200_000
_MAX_DEPTH = 4

_JAVA_EXTS = ("jar", "war", "ear", "par", "sar", "nar", "kar", "rar", "lpkg")
_JENKINS_EXTS = ("jpi", "hpi")
_ARCHIVE_SUFFIXES = tuple("." + e for e in _JAVA_EXTS + _JENKINS_EXTS)

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
_PRIMARY_GROUP_FIELDS = (
    "Group-Id",
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
_POM_PROPERTIES = re.compile(r"^META-INF/maven/[^/]+/[^/]+/pom\.properties$")


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
    """JAR manifest: ``Key: value`` lines, 1-space continuations, blank-line sections."""
    sections: Manifest = [{}]
    last: str | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            if sections[-1]:
                sections.append({})
            last = None
            continue
        if raw.startswith(" ") and last is not None:
            sections[-1][last] += raw[1:]
            continue
        key, sep, value = raw.partition(":")
        if not sep or not key.strip():
            last = None
            continue
        last = key.strip()
        sections[-1][last] = value.strip()
    return [s for i, s in enumerate(sections) if s or i == 0]


def _manifest_get(manifest: Manifest, key: str) -> str:
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


def _parse_properties(text: str) -> dict[str, str]:
    props: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        match = re.match(r"([^=:\s]+)\s*[=:\s]\s*(.*)$", line)
        if match:
            props[match.group(1)] = match.group(2).strip()
    return props


@dataclass(slots=True)
class _Pkg:
    name: str
    version: str
    group: str = ""
    licenses: tuple[str, ...] = ()
    manifest_group: str = ""
    jenkins: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def found(self, virtual_path: str) -> FoundPackage:
        group = self.group or self.manifest_group or self.name
        return FoundPackage(
            type="jenkins-plugin" if self.jenkins else "java-archive",
            name=self.name,
            version=self.version,
            purl=purl("maven", group, self.name, self.version),
            licenses=self.licenses,
            metadata=sorted_metadata(virtual_path=virtual_path, group_id=group, **self.extra),
        )


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


def _read_archive(
    data: bytes, name: str, virtual_path: str, depth: int, budget: _Budget
) -> list[FoundPackage]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > _MAX_ENTRIES:
            raise CatalogError(f"more than {_MAX_ENTRIES} entries in {virtual_path}")
        by_name = {info.filename: info for info in infos}
        jenkins = name.lower().endswith(_JENKINS_EXTS)
        filename = parse_archive_filename(name)
        found: list[FoundPackage] = []

        main: _Pkg | None = None
        manifest_info = by_name.get("META-INF/MANIFEST.MF")
        if manifest_info is not None:
            raw = budget.read(archive, manifest_info, _SMALL_MAX)
            manifest = parse_manifest(raw.decode("utf-8", "replace")) if raw is not None else [{}]
            main_name = filename.name or next(
                (v for v in (_manifest_get(manifest, f) for f in _NAME_FIELDS) if v), ""
            )
            version = filename.version or next(
                (v for v in (_manifest_get(manifest, f) for f in _VERSION_FIELDS) if v), ""
            )
            licence = _manifest_get(manifest, "Bundle-License") or _manifest_get(
                manifest, "Plugin-License-Name"
            )
            if main_name:
                main = _Pkg(
                    main_name,
                    version,
                    licenses=(licence,) if licence else (),
                    manifest_group=_manifest_group(manifest),
                    jenkins=jenkins,
                )

        others: list[_Pkg] = []
        for info in infos:
            if not _POM_PROPERTIES.match(info.filename):
                continue
            raw = budget.read(archive, info, _SMALL_MAX)
            if raw is None:
                continue
            props = _parse_properties(raw.decode("utf-8", "replace"))
            artifact = props.get("artifactId", "")
            if not artifact:
                continue
            group = _clean_group(props.get("groupId", ""))
            if not group and "." in artifact:
                group = _clean_group(artifact)
            pom = _Pkg(artifact, props.get("version", ""), group=group, jenkins=jenkins)
            same = main is not None and (
                artifact == main.name
                or (
                    bool(filename.name)
                    and (artifact.startswith(filename.name) or filename.name.endswith(artifact))
                )
            )
            if same and main is not None:
                main.name, main.version, main.group = pom.name, pom.version, pom.group
            else:
                others.append(pom)

        if main is not None:
            # the archive's bytes are in hand (kept whole, or read from the outer archive)
            found.append(replace(main.found(virtual_path), hashes=file_hashes(data)))
        for pom in others:
            found.append(pom.found(f"{virtual_path}:{pom.group}:{pom.name}"))

        if depth < _MAX_DEPTH:
            for info in infos:
                if info.is_dir() or not info.filename.lower().endswith(_ARCHIVE_SUFFIXES):
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


_NESTED_ERRORS: tuple[type[Exception], ...] = (CatalogError, *ZIP_ERRORS)


_WHOLE_ARCHIVE = WholeFile(_FILE_MAX)


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    return _WHOLE_ARCHIVE if path.lower().endswith(_ARCHIVE_SUFFIXES) else None


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    return _read_archive(data, path, "/" + path, 0, _Budget())


CATALOGER = Declared(
    name="java-archive-cataloger",
    wants=wants,
    parser=parse,
    unreadable=ZIP_ERRORS,
    what="Java archive",
)
