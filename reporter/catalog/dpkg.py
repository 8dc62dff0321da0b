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

import functools
import json
import re
from collections.abc import Callable, Iterable

from packageurl import PackageURL

from reporter.catalog.interface import Distro, FoundPackage, ParseContext, Scanner, WholeFile
from reporter.errors import CatalogError

__all__ = [
    "CATALOGER",
    "copyright_path",
    "licenses_from_copyright",
    "owned_paths",
    "parse_status",
    "spdx_license",
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
    paths = []
    for line in md5sums.decode("utf-8", errors="replace").splitlines():
        _digest, sep, rest = line.partition(" ")
        path = rest.lstrip(" *").strip().lstrip("/")
        if sep and path:
            paths.append(path)
    return tuple(sorted(set(paths)))


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


def _stanzas(text: str, where: str) -> list[dict[str, str]]:
    """deb822 paragraphs as syft reads them: keys without "-", values trimmed."""
    stanzas: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    key = ""
    lines = text.split("\n")
    # Go's ReadString('\n') returns the text after the last newline together with io.EOF,
    # and syft then stops without using it: an unterminated last line is ignored.
    for line in lines[:-1]:
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


def parse_status(data: bytes, where: str = "") -> list[dict[str, str]]:
    """The packages of a dpkg status file: dicts with the keys of ``_FIELDS``' values."""
    text = data.decode("utf-8", errors="replace")
    entries: list[dict[str, str]] = []
    for fields in _stanzas(text, where):
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


# --- licences -----------------------------------------------------------------------------

_LICENSE_LINE = "License: "
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
    """The licence names a Debian copyright file declares, sorted and unique (as syft)."""
    found: set[str] = set()
    for line in data.decode("utf-8", errors="replace").split("\n"):
        if line.startswith(_LICENSE_LINE):
            rest = line[len(_LICENSE_LINE) :]
            token = rest.split(maxsplit=1)[0] if rest[:1] and not rest[:1].isspace() else ""
            if value := _single_license(token):
                found.add(value)
        if "/usr/share/common-licenses/" in line:
            match = _COMMON_LICENSES_RE.search(line)
            if match and (value := _single_license(match.group(1))):
                found.add(value)
    return sorted(found)


# SPDX ids that are licence *exceptions*, not licences, and contain no "exception" in them.
_EXCEPTIONS_WITHOUT_THE_WORD = frozenset(
    ("GPL-CC-1.0", "LLGPL", "Linux-syscall-note", "SHL-2.0", "SHL-2.1")
)
# syft's generator replaces deprecated ids by a current one: "X" by "X-only", "X+" by
# "X-or-later", and these three by hand (internal/spdxlicense/generate/license.go).
_REPLACED = {
    "BSD-2-Clause-NetBSD": "BSD-2-Clause",
    "BSD-2-Clause-FreeBSD": "BSD-2-Clause-Views",
    "bzip2-1.0.5": "bzip2-1.0.6",
}
_VERSION_RE = re.compile(r"-([0-9]+)\.?([0-9]+)?\.?([0-9]+)?\.?")
_ENDS_WITH_VERSION = re.compile(r"-[0-9]+(?:\.[0-9]+)*$")


def _spdx_ids() -> list[str]:
    # The SPDX licence list shipped with cyclonedx-python-lib (already a dependency).
    from cyclonedx.schema._res import SPDX_JSON

    with open(SPDX_JSON, encoding="utf-8") as handle:
        ids: list[str] = json.load(handle)["enum"]
    return [
        i
        for i in ids
        if i not in _EXCEPTIONS_WITHOUT_THE_WORD
        and ("exception" not in i.lower() or "-with-" in i or i.startswith("CAL-"))
    ]


def _version_permutations(license_id: str) -> list[str]:
    """syft's buildLicensePermutations: ``gpl-2.0`` → ``gpl-2``, ``gpl-2.0``, ``gpl-2.0.0``."""
    match = _VERSION_RE.search(license_id)
    if match is None:
        return []
    version = [g for g in match.groups() if g]
    joined = ".".join(version)
    perms: set[str] = set()
    ver = list(version)
    for i in range(1, 4):
        if len(ver) < i + 1:
            ver.append("0")
        perm = ".".join(ver[:i])
        if perm.count("0") + perm.count(".") != len(perm):
            perms.add(perm)
    return [license_id.replace(joined, p, 1) for p in sorted(perms)]


def _key(value: str) -> str:
    # syft's cleanLicenseID: trimmed, lower case, without "-".
    return value.strip().lower().replace("-", "")


@functools.cache
def _license_table() -> dict[str, str]:
    ids = _spdx_ids()
    known = set(ids)

    def current(license_id: str) -> str:
        if license_id in _REPLACED:
            return _REPLACED[license_id]
        if license_id + "-only" in known:
            return license_id + "-only"
        if license_id.endswith("+") and license_id[:-1] + "-or-later" in known:
            return license_id[:-1] + "-or-later"
        return license_id

    # First the list itself (SPDX's truth, never overwritten), then the short names Debian
    # uses: "X-or-later" is also "X+", "X-only" also "X"; then the version spellings
    # ("gpl-2" for "gpl-2.0", "apache-2.0.0" for "apache-2.0").
    table = {_key(i): current(i) for i in ids}
    targets = {i: current(i) for i in ids}
    for license_id in ids:
        base = license_id.removesuffix("-or-later").removesuffix("-only")
        # syft 1.18.1 knows "GFDL-1.1+" but not "GFDL-1.2-invariants+": only ids whose
        # version comes last get the short spellings.
        if base != license_id and _ENDS_WITH_VERSION.search(base):
            short = base + "+" if license_id.endswith("-or-later") else base
            targets.setdefault(short, license_id)
    for name, target in targets.items():
        table.setdefault(_key(name), target)
    for name in sorted(targets):  # sorted, so "gpl-1" goes to GPL-1.0, not GPL-1.1
        for perm in _version_permutations(name.lower()):
            table.setdefault(_key(perm), targets[name])
    return table


def _is_expression(value: str) -> bool:
    from cyclonedx.spdx import is_expression

    return bool(is_expression(value))


def spdx_license(value: str) -> str | None:
    """The SPDX id or expression syft would give ``value`` (``GPL-2+`` → GPL-2.0-or-later)."""
    if not value.strip():
        return None
    found = _license_table().get(_key(value))
    if found is not None:
        return found
    if value.startswith(("LicenseRef-", "DocumentRef-")) and " " not in value:
        return value
    # syft validates what is not in its table as an SPDX expression and keeps it as written:
    # "MIT+" is valid ("or later" of a listed id), "Artistic-2+" is not.
    if value.endswith("+") and " " not in value:
        base = value[:-1].lower()
        ids = _lower_ids()
        listed = base in ids or base + "-or-later" in ids or base + "-only" in ids
        return value if listed else None
    if " " in value.strip() and _is_expression(value):
        return value
    return None


@functools.cache
def _lower_ids() -> frozenset[str]:
    return frozenset(i.lower() for i in _spdx_ids())


def _license_values(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({spdx_license(name) or name for name in names}))


# --- packages -----------------------------------------------------------------------------


def _distro_qualifier(distro: Distro) -> str:
    return "-".join(part for part in (distro.id, distro.version_id) if part)


def package_url(entry: dict[str, str], distro: Distro | None) -> str:
    if distro is None or (distro.id != "debian" and "debian" not in distro.id_like):
        return ""
    qualifiers: dict[str, str] = {}
    if arch := entry.get("architecture", ""):
        qualifiers["arch"] = arch
    if source := entry.get("source", ""):
        version = entry.get("source_version", "")
        qualifiers["upstream"] = f"{source}@{version}" if version else source
    if qualifier := _distro_qualifier(distro):
        qualifiers["distro"] = qualifier
    return str(
        PackageURL(
            type="deb",
            namespace=distro.id or None,
            name=entry["package"],
            version=entry.get("version") or None,
            qualifiers=qualifiers,
        ).to_string()
    )


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
    path: str, data: bytes, distro: Distro | None, read: Callable[[str], bytes | None]
) -> list[FoundPackage]:
    packages: list[FoundPackage] = []
    if _is_md5sums_path(path):
        return packages  # kept only for the ownership of the status entries
    for entry in parse_status(data, where=path):
        name = entry["package"]
        licenses: tuple[str, ...] = ()
        supporting: tuple[str, ...] = ()
        copyright_file = copyright_path(name) if "/" not in name else ""
        text = read(copyright_file) if copyright_file else None
        if text is not None:
            licenses = _license_values(licenses_from_copyright(text))
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
            )
        )
    return packages


class _DpkgCataloger:
    @property
    def name(self) -> str:
        return "dpkg"

    def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
        return wants(path, mode, size)

    def parse(self, path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
        if _is_copyright_path(path):
            return []  # kept only so that status parsing can read it
        try:
            return _packages(path, data, ctx.distro, ctx.read)
        except CatalogError:
            raise
        except (ValueError, KeyError, UnicodeError) as exc:  # defensive: never leak others
            raise CatalogError(f"unreadable dpkg database: {exc}", where=path) from exc


CATALOGER = _DpkgCataloger()
