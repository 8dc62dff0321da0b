"""dpkg databases (status, distroless status.d, opkg) and licences from copyright files.

Behaviour follows syft 1.18.1's ``dpkg-db-cataloger`` (``syft/pkg/cataloger/debian``), checked
against syft 1.18.1 itself on hand-made trees and on the real fixtures:

* files: ``**/lib/dpkg/status``, ``**/lib/dpkg/status.d/*``, ``**/lib/opkg/status`` and
  ``**/lib/opkg/info/*.control`` (``*.md5sums`` in ``status.d`` hold no stanzas: skipped);
* stanzas are deb822 paragraphs (deb-control(5)): ``Key: value`` lines, continuation lines
  starting with a space, a blank line between packages. Like syft, a final line without a
  newline is dropped, an unparsable line is skipped, and a duplicate key or a continuation
  with nothing to continue makes the whole file unreadable (``CatalogError``);
* every stanza with a ``Package`` is a package, whatever its ``Status``: syft 1.18.1 does not
  look at ``Status`` (later syft versions skip ``deinstall``); parity wins here;
* ``Source: name (version)`` gives the source name and version (binNMUs, epochs);
* the purl exists only when the distro is Debian or Debian-like, with namespace = distro id,
  qualifiers ``arch``, ``upstream`` (``src`` or ``src@srcver``) and ``distro`` (id-version);
* licences come from ``usr/share/doc/<package>/copyright``: every ``License: <token>`` line
  (DEP-5, https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/) and every
  ``/usr/share/common-licenses/<name>`` mention, mapped to SPDX ids the way syft does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from reporter.catalog.interface import (
    Declared,
    Distro,
    FoundPackage,
    Hint,
    Identity,
    ParseContext,
    Scanner,
    WholeFile,
)
from reporter.catalog.licences import spdx_license
from reporter.catalog.purl import distro_qualifier, purl
from reporter.errors import CatalogError

__all__ = [
    "CATALOGER",
    "copyright_path",
    "identify",
    "licenses_from_copyright",
    "owned_paths",
    "parse",
    "parse_status",
]

_STATUS_MAX = WholeFile(max_bytes=256 * 1024 * 1024)  # a big status file is ~10 MB
_COPYRIGHT_MAX = WholeFile(max_bytes=4 * 1024 * 1024)


def copyright_path(package: str) -> str:
    return f"usr/share/doc/{package}/copyright"


def _is_db_path(path: str) -> bool:
    # Globs: **/lib/dpkg/status, **/lib/dpkg/status.d/*, **/lib/opkg/status,
    # **/lib/opkg/info/*.control. String tests only: this runs for every file of every layer.
    if path.endswith("/status") or path == "lib/dpkg/status" or path == "lib/opkg/status":
        return path in ("lib/dpkg/status", "lib/opkg/status") or path.endswith(
            ("/lib/dpkg/status", "/lib/opkg/status")
        )
    parent, _, base = path.rpartition("/")
    if parent == "lib/dpkg/status.d" or parent.endswith("/lib/dpkg/status.d"):
        return bool(base) and not base.endswith(".md5sums")
    if base.endswith(".control"):
        return parent == "lib/opkg/info" or parent.endswith("/lib/opkg/info")
    return False


def _is_copyright_path(path: str) -> bool:
    return (
        path.startswith("usr/share/doc/")
        and path.endswith("/copyright")
        and path.count("/") == 4
        and len(path) > len("usr/share/doc//copyright")
    )


def _is_md5sums_path(path: str) -> bool:
    # var/lib/dpkg/info/<pkg>[:<arch>].md5sums, distroless status.d/<pkg>.md5sums: the files
    # each package installed (syft's file ownership, which hides binaries dpkg owns)
    if not path.endswith(".md5sums"):
        return False
    parent = path.rpartition("/")[0]
    return parent.endswith(("lib/dpkg/info", "lib/dpkg/status.d"))


def wants(path: str, mode: int, size: int) -> WholeFile | Scanner | None:
    if _is_copyright_path(path):
        return _COPYRIGHT_MAX
    if _is_db_path(path):
        return _STATUS_MAX
    if _is_md5sums_path(path):
        return _COPYRIGHT_MAX
    return None


def owned_paths(md5sums: bytes) -> tuple[str, ...]:
    """Paths listed in a dpkg md5sums file (``<md5>  <path>`` lines), without leading "/"."""
    # a line without a space has no path: "" after partition, dropped as a blank line is
    paths = {
        line.partition(" ")[2].lstrip(" *").strip().lstrip("/")
        for line in md5sums.decode("utf-8", errors="replace").splitlines()
    }
    paths.discard("")
    return tuple(sorted(paths))


def _md5sums_candidates(path: str, name: str, arch: str) -> list[str]:
    parent = path.rpartition("/")[0]
    if parent.endswith("lib/dpkg/status.d"):
        return [f"{parent}/{name}.md5sums"]
    root = parent  # .../lib/dpkg
    return [f"{root}/info/{name}.md5sums", f"{root}/info/{name}:{arch}.md5sums"]


# --- status file ------------------------------------------------------------------------

# The fields syft decodes (mapstructure matches them case-insensitively; "-" is dropped from
# keys first, so "Installed-Size" is "InstalledSize").
_FIELDS = {
    "package": "package",
    "source": "source",
    "version": "version",
    "sourceversion": "source_version",
    "architecture": "architecture",
    "maintainer": "maintainer",
    "installedsize": "installed_size",
    "status": "status",
    # relationships (deb-control(5) "Package interrelationship fields"), for the graph
    "depends": "depends",
    "predepends": "pre_depends",
    "provides": "provides",
}

_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1024**3,
}
_SIZE_RE = re.compile(r"([0-9][0-9,]*(?:\.[0-9]*)?)\s*([A-Za-z]*)")


def _parse_size(value: str) -> int | None:
    """Installed-Size as go-humanize ParseBytes reads it ("4" → 4, "4KB" → 4000); None if bad."""
    match = _SIZE_RE.fullmatch(value.strip())
    if match is None:
        return None
    unit = _SIZE_UNITS.get(match.group(2).lower())
    if unit is None:
        return None
    return int(float(match.group(1).replace(",", "")) * unit)


_SOURCE_RE = re.compile(r"(\S+)( \((.*)\))?")


def _split_source(source: str) -> tuple[str, str]:
    """``gcc-12`` → (gcc-12, ""); ``util-linux (2.38.1-5+deb12u3)`` → (util-linux, 2.38.1-…)."""
    match = _SOURCE_RE.search(source)
    if match is None:
        return source, ""
    return match.group(1), match.group(3) or ""


def _stanzas(
    text: str, where: str, junk: list[tuple[int, str]] | None = None
) -> list[dict[str, str]]:
    """deb822 paragraphs as syft reads them: keys without "-", values trimmed; the lines
    syft skips unread go to ``junk`` as (line number, text)."""
    stanzas: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    key = ""
    lines = text.split("\n")
    # Go's ReadString('\n') returns the text after the last newline together with io.EOF,
    # and syft then stops without using it: an unterminated last line is ignored.
    for number, line in enumerate(lines[:-1], 1):
        if not line:
            if fields:
                stanzas.append(fields)
                fields = {}
                key = ""
            continue
        if line.startswith(" "):
            if not key or key not in fields:
                raise CatalogError(f"continuation line without a field: {line[:60]!r}", where=where)
            if key == "InstalledSize":
                raise CatalogError("Installed-Size has a continuation line", where=where)
            fields[key] = f"{fields[key]}\n {line.strip()}"
            continue
        colon = line.find(":")
        if colon <= 0:
            key = ""  # syft: unparsable line, skipped; a continuation after it is an error
            if junk is not None:
                junk.append((number, line))
            continue
        new_key = line[:colon].strip().replace("-", "")
        value = line[colon + 1 :].strip()
        if new_key == "InstalledSize" and _parse_size(value) is None:
            key = ""  # syft skips a bad size line the same way
            continue
        if new_key in fields:
            raise CatalogError(f"duplicate field {line[:colon].strip()!r}", where=where)
        key = new_key
        fields[key] = value
    if fields:
        stanzas.append(fields)
    return stanzas


def parse_status(
    data: bytes, where: str = "", junk: list[tuple[int, str]] | None = None
) -> list[dict[str, str]]:
    """The packages of a dpkg status file: dicts with the keys of ``_FIELDS``' values."""
    text = data.decode("utf-8", errors="replace")
    entries: list[dict[str, str]] = []
    for fields in _stanzas(text, where, junk):
        entry: dict[str, str] = {}
        for raw_key, value in fields.items():
            name = _FIELDS.get(raw_key.lower())
            if name is not None and name not in entry:
                entry[name] = value
        if "installed_size" in entry:
            entry["installed_size"] = str(_parse_size(entry["installed_size"]) or 0)
        source, source_version = _split_source(entry.get("source", ""))
        if source_version:
            entry["source"] = source
            entry["source_version"] = source_version
        if entry.get("package"):
            entries.append(entry)
    return entries


# --- relationships ------------------------------------------------------------------------

# One relation: a name, then optional ":arch", "(op version)", "[arch list]", "<profiles>".
_RELATION_NAME = re.compile(r"\s*([a-z0-9][a-z0-9+.\-]*)", re.IGNORECASE)


def relations(value: str) -> tuple[tuple[str, ...], ...]:
    """``Depends`` → one tuple of alternative names per requirement (Debian Policy §7.1).

    ``libc6 (>= 2.34), mawk | awk`` → (("libc6",), ("mawk", "awk")); versions, architecture
    qualifiers (``:any``), architecture lists and build profiles are dropped.
    """
    out: list[tuple[str, ...]] = []
    for requirement in value.replace("\n", " ").split(","):
        names = []
        for alternative in requirement.split("|"):
            match = _RELATION_NAME.match(alternative)
            if match:
                names.append(match.group(1).lower())
        if names:
            out.append(tuple(dict.fromkeys(names)))
    return tuple(out)


def _provided(value: str) -> tuple[str, ...]:
    return tuple(sorted({name for group in relations(value) for name in group}))


# --- licences -----------------------------------------------------------------------------

# A line that starts "License: ", in "\n" + the text: lines end at "\n" alone, as "."
# stops there; "\n" rather than re.MULTILINE's "^" lets the engine scan for the literal,
# five times faster. Every common-licenses mention (none spans a line).
_LICENSE_LINE_RE = re.compile(r"\nLicense: (.*)")
_COMMON_LICENSES_RE = re.compile(r"/usr/share/common-licenses/([0-9A-Za-z_.\-]+)")


def _single_license(candidate: str) -> str:
    # syft's ensureIsSingleLicense: drop summaries ("GPL-2 or Artistic"), "none", a final ".".
    candidate = candidate.strip()
    if " or " in candidate or " and " in candidate:
        return ""
    if not candidate or candidate.lower() == "none":
        return ""
    return candidate.removesuffix(".")


def licenses_from_copyright(data: bytes) -> list[str]:
    """The licence names a Debian copyright file declares, sorted and unique (as syft).

    Per line: the first word after a leading ``License: `` and the name of the first
    ``/usr/share/common-licenses/<name>`` mention. Regular expressions over the whole text
    find them, rather than a Python loop over thousands of lines.
    """
    text = data.decode("utf-8", errors="replace")
    found: set[str] = set()
    for match in _LICENSE_LINE_RE.finditer("\n" + text):
        rest = match.group(1)
        token = rest.split(maxsplit=1)[0] if rest[:1] and not rest[:1].isspace() else ""
        if value := _single_license(token):
            found.add(value)
    line_start = -2  # of the last line with a mention: only its first mention counts
    for match in _COMMON_LICENSES_RE.finditer(text):
        start = text.rfind("\n", 0, match.start())
        if start == line_start:
            continue
        line_start = start
        if value := _single_license(match.group(1)):
            found.add(value)
    return sorted(found)


# "version 2 of the License, or (at your option) any later version", "version 2 or later"
_GPL_LATER = re.compile(
    r"\bversion\s+([123])(?:\.0)?(?:\s+of\s+the\s+license)?,?\s+or\s+"
    r"(?:\(at\s+your\s+option\)\s+)?(?:any\s+)?later",
    re.IGNORECASE,
)


def _bare_gpl(text: bytes | None) -> str:
    """What a bare ``GPL`` means when the copyright text names one version "or later".

    base-files says "version 2 or later"; GPL-1.0-or-later (what the bare name maps to) would
    under-state it. Only one named version counts: two different ones stay ambiguous.
    """
    if text is None:
        return ""
    versions = {m.group(1) for m in _GPL_LATER.finditer(text.decode("utf-8", "replace"))}
    return f"GPL-{versions.pop()}.0-or-later" if len(versions) == 1 else ""


def _license_values(names: Iterable[str], text: bytes | None = None) -> tuple[str, ...]:
    names = list(names)
    # Only when "GPL" is the file's one licence does its text speak of that GPL; in a DEP-5
    # file with several paragraphs the "or later" may belong to another one.
    bare = _bare_gpl(text) if names == ["GPL"] else ""
    return tuple(
        sorted({bare if name == "GPL" and bare else spdx_license(name) or name for name in names})
    )


# --- packages -----------------------------------------------------------------------------


def package_url(entry: dict[str, str], distro: Distro | None) -> str:
    if distro is None or (distro.id != "debian" and "debian" not in distro.id_like):
        return ""
    qualifiers: dict[str, str] = {}
    if arch := entry.get("architecture", ""):
        qualifiers["arch"] = arch
    if source := entry.get("source", ""):
        version = entry.get("source_version", "")
        qualifiers["upstream"] = f"{source}@{version}" if version else source
    if qualifier := distro_qualifier(distro):
        qualifiers["distro"] = qualifier
    return purl("deb", distro.id, entry["package"], entry.get("version", ""), qualifiers)


def _metadata(entry: dict[str, str]) -> tuple[tuple[str, str], ...]:
    keys = {
        "architecture": "arch",
        "installed_size": "installed_size",
        "maintainer": "maintainer",
        "source": "source",
        "source_version": "source_version",
        "status": "status",
    }
    return tuple(sorted((keys[k], v) for k, v in entry.items() if k in keys and v))


def _packages(
    path: str,
    data: bytes,
    distro: Distro | None,
    read: Callable[[str], bytes | None],
    junk: list[tuple[int, str]],
) -> list[FoundPackage]:
    packages: list[FoundPackage] = []
    if _is_md5sums_path(path):
        return packages  # kept only for the ownership of the status entries
    for entry in parse_status(data, where=path, junk=junk):
        name = entry["package"]
        licenses: tuple[str, ...] = ()
        supporting: tuple[str, ...] = ()
        copyright_file = copyright_path(name) if "/" not in name else ""
        text = read(copyright_file) if copyright_file else None
        if text is not None:
            licenses = _license_values(licenses_from_copyright(text), text)
            supporting = (copyright_file,)
        owned: tuple[str, ...] = ()
        if "/" not in name:
            for candidate in _md5sums_candidates(path, name, entry.get("architecture", "")):
                listed = read(candidate)
                if listed is not None:
                    owned = owned_paths(listed)
                    break
        packages.append(
            FoundPackage(
                type="deb",
                name=name,
                version=entry.get("version", ""),
                purl=package_url(entry, distro),
                licenses=licenses,
                metadata=_metadata(entry),
                supporting_paths=supporting,
                owned_paths=owned,
                supplier=entry.get("maintainer", ""),
                provides=_provided(entry.get("provides", "")),
                requires=relations(
                    ", ".join(v for k in ("pre_depends", "depends") if (v := entry.get(k, "")))
                ),
            )
        )
    return packages


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    if _is_copyright_path(path):
        return []  # kept only so that status parsing can read it
    junk: list[tuple[int, str]] = []
    packages = _packages(path, data, ctx.distro, ctx.read, junk)
    _check(path, data, bool(packages), junk, ctx)
    return packages


def identify(path: str, data: bytes, ctx: ParseContext) -> list[Identity]:
    """``parse``'s packages as (type, name, version), without licences, purls, ownership or
    relations: the stanzas alone. It raises where ``parse`` does, since nothing ``parse``
    does past ``parse_status`` raises (copyright and md5sums text is decoded with
    "replace", the purl's qualifier keys are fixed and its name is never empty)."""
    if _is_copyright_path(path) or _is_md5sums_path(path):
        return []
    junk: list[tuple[int, str]] = []
    found = [
        ("deb", entry["package"], entry.get("version", ""))
        for entry in parse_status(data, where=path, junk=junk)
    ]
    _check(path, data, bool(found), junk, ctx)
    return found


def _check(
    path: str, data: bytes, found: bool, junk: list[tuple[int, str]], ctx: ParseContext
) -> None:
    """Warn of skipped lines in a file that lists packages; raise for one that should and
    does not."""
    if found or _is_md5sums_path(path):
        if junk:
            number, line = junk[0]
            more = f" and {len(junk) - 1} more" if len(junk) > 1 else ""
            ctx.warn(f"line {number} is not a field ({line[:60]!r}){more}; skipped")
        return
    # syft 1.18.1 says nothing here; an image whose database lists nothing deserves a word.
    # A distroless status.d file (or opkg .control) is one package's stanza: empty, it is
    # broken. The status file itself may be empty (nothing installed, as debootstrap
    # leaves it before the first package), but text without a Package stanza is not a
    # database dpkg would read ("missing 'Package' field", deb-control(5)).
    per_package = not path.endswith("/status") and path not in (
        "lib/dpkg/status",
        "lib/opkg/status",
    )
    if not data.strip():
        if per_package:
            raise CatalogError("empty file: no package stanza", where=path)
        return
    raise CatalogError(f"no stanza with a Package field in {len(data)} bytes", where=path)


CATALOGER = Declared(
    name="dpkg",
    wants=wants,
    hint=Hint(
        names=frozenset(("copyright", "status")),
        suffixes=(".control", ".md5sums"),
        parents=("lib/dpkg/status.d",),
    ),
    parser=parse,
    identify=identify,
    # defensive: never leak others
    unreadable=(ValueError, KeyError, UnicodeError),
    what="dpkg database",
)
