"""Which Linux distribution an image is: the files syft 1.18.1 reads, in syft's order.

syft (``syft/linux/identify_release.go``) tries, and takes the first that yields a release:

1. ``/etc/os-release`` then ``/usr/lib/os-release`` (os-release(5));
2. ``/etc/system-release-cpe`` (CentOS 6: ``cpe:/o:centos:linux:6:GA``);
3. ``/etc/redhat-release`` (``CentOS release 6.10 (Final)``);
4. ``/bin/busybox``: the ``BusyBox v1.36.1`` banner inside the binary (last, because most
   distros ship a busybox too).

syft 1.18.1 does *not* read ``/etc/alpine-release``, ``/etc/debian_version`` or
``/etc/lsb-release``; since the distro ends up in every OS package's purl (``distro=``
qualifier, and whether a deb gets a purl at all), guessing from them would break parity, so
we do not either. An image with only a dpkg database and no os-release (e.g. a hand-made
busybox image) gets the busybox release, and its debs get no purl, exactly as syft does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from reporter.catalog.interface import Declared, Distro, Hint, Scanner, WholeFile, keep_nothing

__all__ = ["CATALOGER", "detect", "parse_os_release", "wants"]

OS_RELEASE_PATHS = ("etc/os-release", "usr/lib/os-release")
SYSTEM_RELEASE_CPE = "etc/system-release-cpe"
REDHAT_RELEASE = "etc/redhat-release"
BUSYBOX = "bin/busybox"

# Text release files are tiny; anything bigger is not one of them.
_SMALL = WholeFile(max_bytes=64 * 1024)
_TEXT_FILES = frozenset((*OS_RELEASE_PATHS, SYSTEM_RELEASE_CPE, REDHAT_RELEASE))

_BUSYBOX_MARK = b"BusyBox v"
_BUSYBOX_RE = re.compile(rb"BusyBox v[0-9.]+")
# A banner is "BusyBox v" plus a short version; keep this much of a chunk's tail so a banner
# split across two chunks is still found.
_BUSYBOX_OVERLAP = 64
# Longest banner we wait for across chunks.
_BUSYBOX_MAX = 1024


class BusyBoxScanner:
    """Finds the first ``BusyBox v<digits and dots>`` in a (multi-megabyte) binary.

    Keeps only the banner, never the binary. Same regex as syft (``BusyBox v[\\d.]+``).
    """

    __slots__ = ("_found", "_tail")

    def __init__(self) -> None:
        self._tail = b""
        self._found: bytes | None = None

    def feed(self, chunk: bytes) -> bool:
        if self._found is not None:
            return False
        window = self._tail + chunk
        start = window.find(_BUSYBOX_MARK)
        while start != -1:
            match = _BUSYBOX_RE.match(window, start)
            # A match that runs to the end of the window may continue in the next chunk.
            if match is not None and match.end() < len(window):
                self._found = match.group(0)
                return False
            if match is not None:
                if match.end() - start > _BUSYBOX_MAX:
                    # An endless run of digits is no banner we could use anyway: stop here.
                    self._found = match.group(0)
                    return False
                # Keep the unfinished banner whole for the next chunk.
                self._tail = window[start:]
                return True
            start = window.find(_BUSYBOX_MARK, start + 1)
        self._tail = window[-_BUSYBOX_OVERLAP:]
        return True

    def result(self) -> bytes | None:
        if self._found is None:
            # End of file: a banner touching the very end is complete now.
            match = _BUSYBOX_RE.search(self._tail)
            return match.group(0) if match else None
        return self._found


def wants(path: str, mode: int, size: int) -> WholeFile | Scanner | None:
    """The release files, whole; ``bin/busybox`` through a scanner that keeps the banner."""
    if path in _TEXT_FILES:
        return _SMALL
    if path == BUSYBOX:
        return BusyBoxScanner()
    return None


# os-release(5): "Variable assignment values must be enclosed in double or single quotes if
# they include spaces, semicolons or other special characters outside of A–Z, a–z, 0–9. Shell
# special characters ("$", quotes, backslash, backtick) must be escaped with backslashes,
# following shell style." Lines beginning with "#" are comments; blank lines are ignored.
def _unquote(value: str) -> str:
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(value):
        ch = value[i]
        if quote == "'":
            if ch == "'":
                quote = ""
            else:
                out.append(ch)
        elif ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            # Inside double quotes only these are escapes (sh(1)); elsewhere any char is.
            if quote == '"' and nxt not in '$"\\`\n':
                out.append(ch)
            else:
                out.append(nxt)
                i += 1
        elif ch == '"':
            quote = "" if quote == '"' else '"'
        elif ch == "'" and not quote:
            quote = "'"
        else:
            # Unquoted blanks are invalid per os-release(5) but real files have them
            # (``NAME=Foo Linux``); like syft's reader, keep them rather than cut the value.
            out.append(ch)
        i += 1
    return "".join(out)


def parse_os_release(text: str) -> dict[str, str]:
    """os-release(5) key/value pairs; malformed lines are skipped, later keys win."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key:
            continue
        values[key] = _unquote(value.strip())
    return values


# The keys syft's Release takes from os-release.
_OS_RELEASE_KEYS = (
    *("PRETTY_NAME", "NAME", "ID", "ID_LIKE", "VERSION", "VERSION_ID", "VERSION_CODENAME"),
    *("BUILD_ID", "IMAGE_ID", "IMAGE_VERSION", "VARIANT", "VARIANT_ID", "HOME_URL"),
    *("SUPPORT_URL", "BUG_REPORT_URL", "PRIVACY_POLICY_URL", "CPE_NAME", "SUPPORT_END"),
)


def _from_os_release(text: str, path: str) -> Distro | None:
    values = parse_os_release(text)
    distro = Distro(
        id=values.get("ID", ""),
        version_id=values.get("VERSION_ID", ""),
        version_codename=values.get("VERSION_CODENAME", ""),
        id_like=tuple(values.get("ID_LIKE", "").split()),
        name=values.get("NAME", ""),
        pretty_name=values.get("PRETTY_NAME", ""),
        source_path=path,
    )
    # syft: an os-release with none of the fields it knows is no release; try the next file.
    if not any(values.get(k) for k in _OS_RELEASE_KEYS):
        return None
    return distro


def _simple(pretty: str, name: str, version: str, path: str, ident: str = "") -> Distro:
    # syft's simpleRelease: ID = NAME = the name, ID_LIKE = [name], VERSION_ID = version;
    # redhat-release gives ID its own spelling (``ident``).
    ident = ident or name
    return Distro(
        id=ident,
        version_id=version,
        id_like=(ident,),
        name=name,
        pretty_name=pretty,
        source_path=path,
    )


_CPE_RE = re.compile(r"cpe:/o:(.*?):.*?:(.*?):.*?$", re.MULTILINE)


def _from_system_release_cpe(text: str, path: str) -> Distro | None:
    match = _CPE_RE.search(text)
    if match is None:
        return None
    return _simple(match.group(1), match.group(1).lower(), match.group(2), path)


# syft: `(?P<name>.*?)\srelease\s(?P<version>(?P<versionid>\d\.\d+).*)` on the trimmed text.
_REDHAT_RE = re.compile(r"(.*?)\srelease\s((\d\.\d+).*)")


def _from_redhat_release(text: str, path: str) -> Distro | None:
    contents = text.strip()
    match = _REDHAT_RE.search(contents)
    if match is None or not match.group(1) or not match.group(3):
        return None
    name, version_id = match.group(1), match.group(3)
    ident = name.lower()
    if ident.startswith("red hat enterprise linux"):
        ident = "rhel"
    return _simple(contents, name, version_id, path, ident)


def _from_busybox(text: str, path: str) -> Distro | None:
    match = _BUSYBOX_RE.search(text.encode("utf-8", "surrogateescape"))
    if match is None:
        return None
    banner = match.group(0).decode("ascii")
    return _simple(banner, "busybox", banner.split(" ", 1)[1].replace("v", ""), path)


_PARSERS: tuple[tuple[str, Callable[[str, str], Distro | None]], ...] = (
    (OS_RELEASE_PATHS[0], _from_os_release),
    (OS_RELEASE_PATHS[1], _from_os_release),
    (SYSTEM_RELEASE_CPE, _from_system_release_cpe),
    (REDHAT_RELEASE, _from_redhat_release),
    (BUSYBOX, _from_busybox),
)


def detect(read: Callable[[str], bytes | None]) -> Distro | None:
    """The distro of a squashed view, or None when no release file tells it (as syft)."""
    for path, parser in _PARSERS:
        data = read(path)
        if data is None:
            continue
        # Release files are UTF-8 text; never fail on a stray byte (syft reads them as Go
        # strings, which carry any bytes).
        distro = parser(data.decode("utf-8", "surrogateescape"), path)
        if distro is not None:
            return distro
    return None


# Asks for the release files so the walker keeps them; finds no packages itself.
CATALOGER = Declared(
    name="distro",
    wants=wants,
    parser=keep_nothing,
    hint=Hint(names=frozenset(("os-release", "system-release-cpe", "redhat-release", "busybox"))),
)
