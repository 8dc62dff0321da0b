"""Executables recognised by path and content: syft 1.18.1's ``binary`` packages.

Two catalogers, as syft has them:

* ``binary-classifier-cataloger``: a table of classifiers (syft's ``DefaultClassifiers`` in
  ``syft/pkg/cataloger/binary/classifiers.go``), each a file-name glob, ordered version
  regexes and the package it names (``pkg:generic/<name>@<version>`` and CPEs);
* ``java-jvm-cataloger``: JDK/JRE ``release`` files (``parse_jvm_release.go``).

Cost on the layer pass: ``wants`` looks at the base name only (a dict lookup plus a few
``startswith``), so files whose name no classifier's glob can match cost nothing. A file that
matches gets a ``ClassifierScanner``: it gives up after 4 bytes unless they are an
executable's magic (ELF, Mach-O, PE ``MZ``, or ``!<arch>`` for the Erlang archive), then runs
the candidate regexes over the stream in windows that overlap by ``_OVERLAP`` bytes, and keeps
only the first version each regex found (a few bytes of JSON), never the file.

Not done (reported): syft's ``SharedLibraryLookup`` (a binary's version read from the
``DT_NEEDED`` library, e.g. ``ruby`` → ``libruby.so``), and ``VERSION*`` globs (we read the
exact file ``VERSION``). Where syft merges one package found in two files (python binary and
libpython) into one package with two locations, we report one package per file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from reporter.catalog.interface import (
    Declared,
    FoundPackage,
    Hint,
    ParseContext,
    Scanner,
    WholeFile,
)
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = [
    "CLASSIFIERS",
    "CLASSIFIER_CATALOGER",
    "JVM_CATALOGER",
    "Classifier",
    "ClassifierScanner",
    "classifiers_for",
    "format_cpe",
    "packages_from_scan",
    "parse_jvm_release",
]

_OVERLAP = 4096  # longest match we look for, bytes; windows overlap by this much
# ELF; Mach-O 32/64-bit either byte order and universal; ar archives (liberts_internal.a)
_MAGICS = frozenset(
    (
        b"\x7fELF",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
        b"!<ar",
    )
)


def _is_executable(head: bytes) -> bool:
    return head[:4] in _MAGICS or head.startswith(b"MZ")  # MZ: PE (DOS header)


_VERSION_FILE = WholeFile(max_bytes=4096)
_RELEASE_FILE = WholeFile(max_bytes=500 * 1024)  # syft reads at most 500 KB of it


@dataclass(frozen=True, slots=True)
class Classifier:
    cls: str  # syft's Class
    package: str
    purl: str  # "type/namespace/name" without version: "generic/python"
    cpes: tuple[str, ...]  # CPE 2.3 templates; the version attribute is filled in
    patterns: tuple[bytes, ...] = ()  # tried in order (syft's MatchAny); group "version"
    # python: the version regex is a template filled from the file name
    name_template: tuple[str, bytes] | None = None
    # go: a VERSION file next to the binary, or one directory up, when the content says nothing
    version_file_pattern: bytes = b""


def _cpe(vendor: str, product: str) -> str:
    return f"cpe:2.3:a:{vendor}:{product}:*:*:*:*:*:*:*:*"


_PYTHON_TEMPLATE = rb"\x00(?P<version>{version}[-._a-zA-Z0-9]*)\x00"
_PYTHON_CPES = (_cpe("python_software_foundation", "python"), _cpe("python", "python"))
_GO_VERSION = (
    rb"go(?P<version>[0-9]+\.[0-9]+(\.[0-9]+|beta[0-9]+|alpha[0-9]+|rc[0-9]+|-[_0-9a-z]+)?)"
)
_ERLANG = (
    rb"/src/otp_src_(?P<version>[0-9]+\.[0-9]+(\.[0-9]+){0,2}(-rc[0-9])?)/erts/",
    rb"/usr/local/src/otp-(?P<version>[0-9]+\.[0-9]+(\.[0-9]+){0,2}(-rc[0-9])?)/erts/",
)
_ERLANG_CPE = (r"cpe:2.3:a:erlang:erlang\/otp:*:*:*:*:*:*:*:*",)
_MYSQL_VERSION = rb"(?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)?(alpha[0-9]|beta[0-9]|rc[0-9])?)"

# The table, keyed by the glob's base name. syft's regexes, with Go's "(?m).*" prefixes
# dropped (they only widen the match, never change the version group).
CLASSIFIERS: dict[str, tuple[Classifier, ...]] = {
    "go": (
        Classifier(
            "go-binary",
            "go",
            "generic/go",
            (_cpe("golang", "go"),),
            (rb"go(?P<version>[0-9]+\.[0-9]+(\.[0-9]+|beta[0-9]+|alpha[0-9]+|rc[0-9]+)?)\x00",),
            version_file_pattern=_GO_VERSION,
        ),
    ),
    "redis-server": (
        Classifier(
            "redis-binary",
            "redis",
            "generic/redis",
            (_cpe("redislabs", "redis"), _cpe("redis", "redis")),
            (
                rb"[^\d](?P<version>\d+.\d+\.\d+)buildkitsandbox-\d+",
                rb"[^\d](?P<version>[0-9]+\.[0-9]+\.[0-9]+)\w{12}-\d+",
                rb"Redis version (?P<version>[0-9]+\.[0-9]+\.[0-9]+)",
            ),
        ),
    ),
    "node": (
        Classifier(
            "nodejs-binary",
            "node",
            "generic/node",
            (_cpe("nodejs", "node.js"),),
            (
                rb"\x00(node )?v(?P<version>(0|4|5|6)\.[0-9]+\.[0-9]+)\x00",
                rb"node\.js/v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",
            ),
        ),
    ),
    "busybox": (
        Classifier(
            "busybox-binary",
            "busybox",
            "generic/busybox",
            (_cpe("busybox", "busybox"),),
            (rb"BusyBox\s+v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",),
        ),
    ),
    "haproxy": (
        Classifier(
            "haproxy-binary",
            "haproxy",
            "generic/haproxy",
            (_cpe("haproxy", "haproxy"),),
            (
                rb"version (?P<version>[0-9]+\.[0-9]+(\.|-dev|-rc)[0-9]+)(-[a-z0-9]{7})?"
                rb", released 20",
                rb"HA-Proxy version (?P<version>[0-9]+\.[0-9]+(\.|-dev)[0-9]+)",
                rb"(?P<version>[0-9]+\.[0-9]+(\.|-dev)[0-9]+)-[0-9a-zA-Z]{7}.+HAProxy version",
            ),
        ),
    ),
    "perl": (
        Classifier(
            "perl-binary",
            "perl",
            "generic/perl",
            (_cpe("perl", "perl"),),
            (rb"/usr/local/lib/perl\d/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",),
        ),
    ),
    "httpd": (
        Classifier(
            "httpd-binary",
            "httpd",
            "generic/httpd",
            (_cpe("apache", "http_server"),),
            (rb"Apache/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",),
        ),
    ),
    "memcached": (
        Classifier(
            "memcached-binary",
            "memcached",
            "generic/memcached",
            (_cpe("memcached", "memcached"),),
            (rb"memcached\s(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",),
        ),
    ),
    "traefik": (
        Classifier(
            "traefik-binary",
            "traefik",
            "generic/traefik",
            (_cpe("traefik", "traefik"),),
            # Go's \x{FFFD} matches any byte that is not valid UTF-8
            (
                rb"(\x00v?|[\x80-\xff].?)(?P<version>[0-9]+\.[0-9]+\.[0-9]+"
                rb"(-alpha[0-9]|-beta[0-9]|-rc[0-9])?)\x00",
            ),
        ),
    ),
    "postgres": (
        Classifier(
            "postgresql-binary",
            "postgresql",
            "generic/postgresql",
            (_cpe("postgresql", "postgresql"),),
            (
                rb"(\x00|\?)PostgreSQL (?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)?"
                rb"(alpha[0-9]|beta[0-9]|rc[0-9])?)",
            ),
        ),
    ),
    "mysql": (
        Classifier(
            "mysql-binary",
            "mysql",
            "generic/mysql",
            (_cpe("oracle", "mysql"),),
            (rb"\x00" + _MYSQL_VERSION + rb"\x00+mysql", rb"/mysql-" + _MYSQL_VERSION),
        ),
        Classifier(
            "mysql-binary",
            "percona-server",
            "generic/percona-server",
            (_cpe("oracle", "mysql"), _cpe("percona", "percona_server")),
            (rb"/percona-server-" + _MYSQL_VERSION,),
        ),
        Classifier(
            "mysql-binary",
            "percona-xtradb-cluster",
            "generic/percona-xtradb-cluster",
            (
                _cpe("oracle", "mysql"),
                _cpe("percona", "percona_server"),
                _cpe("percona", "xtradb_cluster"),
            ),
            (rb"/Percona-XtraDB-Cluster-" + _MYSQL_VERSION,),
        ),
    ),
    "mariadb": (),  # filled below: the mariadb classifier's glob is **/{mariadb,mysql}
    "ruby": (
        Classifier(
            "ruby-binary",
            "ruby",
            "generic/ruby",
            (_cpe("ruby-lang", "ruby"),),
            (rb"ruby (?P<version>[0-9]+\.[0-9]+\.[0-9]+((p|preview|rc|dev)[0-9]*)?) ",),
        ),
    ),
    "erlexec": (Classifier("erlang-binary", "erlang", "generic/erlang", _ERLANG_CPE, _ERLANG),),
    "beam.smp": (
        Classifier(
            "erlang-alpine-binary",
            "erlang",
            "generic/erlang",
            _ERLANG_CPE,
            (
                *_ERLANG,
                rb"\x00+(?P<version>[0-9]+\.[0-9]+(\.[0-9]+){0,2}(-rc[0-9])?)\x00+Erlang/OTP",
            ),
        ),
    ),
    "liberts_internal.a": (
        Classifier("erlang-library", "erlang", "generic/erlang", _ERLANG_CPE, _ERLANG),
    ),
    "consul": (
        Classifier(
            "consul-binary",
            "consul",
            "golang/github.com/hashicorp/consul",
            (_cpe("hashicorp", "consul"),),
            (
                rb"CONSUL_VERSION: (?P<version>\d+\.\d+\.\d+)",
                rb'GitDescribe=(?P<version>\d+\.\d+\.\d+)"',
                rb"\x00+v(?P<version>\d+\.\d+\.\d+)\x00+",
            ),
        ),
    ),
    "vault": (
        Classifier(
            "hashicorp-vault-binary",
            "github.com/hashicorp/vault",
            "golang/github.com/hashicorp/vault",
            (_cpe("hashicorp", "vault"),),
            (
                rb"revoke(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",
                rb"state(?P<version>[0-9]+\.[0-9]+\.[0-9]+\-rc[0-9])",
                rb"016x(?P<version>1.1[1,3,4].[0-9]{1,2})",
                rb"\x00+(?P<version>1\.[0-9][0,1]?\.[0-9]+)\x00+",
            ),
        ),
    ),
    "nginx": (
        Classifier(
            "nginx-binary",
            "nginx",
            "generic/nginx",
            (_cpe("f5", "nginx"), _cpe("nginx", "nginx")),
            (
                rb"(\x00|\?)nginx version: [^/]+/(?P<version>[0-9]+\.[0-9]+\.[0-9]+"
                rb"(?:\+\d+)?(?:-\d+)?)",
            ),
        ),
    ),
    "bash": (
        Classifier(
            "bash-binary",
            "bash",
            "generic/bash",
            (_cpe("gnu", "bash"),),
            (rb"@\(#\)Bash version (?P<version>[0-9]+\.[0-9]+\.[0-9]+)\([0-9]\) [a-z0-9]+ GNU",),
        ),
    ),
    "openssl": (
        # syft's BranchingEvidenceMatcher: AWS-LC's openssl first, then OpenSSL's
        Classifier(
            "openssl-binary-aws-lc",
            "aws-lc",
            "generic/aws-lc",
            (_cpe("amazon", "aws_libcrypto"),),
            (rb"AWS-LC (?P<version>[0-9]+\.[0-9]+\.[0-9]+)\)\x00",),
        ),
        Classifier(
            "openssl-binary",
            "openssl",
            "generic/openssl",
            (_cpe("openssl", "openssl"),),
            (
                rb"\x00OpenSSL (?P<version>[0-9]+\.[0-9]+\.[0-9]+"
                rb"([a-z]+|-alpha[0-9]|-beta[0-9]|-rc[0-9])?)",
            ),
        ),
    ),
    "curl": (
        Classifier(
            "curl-binary",
            "curl",
            "generic/curl",
            (_cpe("haxx", "curl"),),
            (rb"curl/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",),
        ),
    ),
}
_MARIADB = Classifier(
    "mariadb-binary",
    "mariadb",
    "generic/mariadb",
    (_cpe("mariadb", "mariadb"),),
    (_MYSQL_VERSION + rb"-MariaDB",),
)
CLASSIFIERS["mariadb"] = (_MARIADB,)
CLASSIFIERS["mysql"] = (*CLASSIFIERS["mysql"], _MARIADB)
CLASSIFIERS["go.exe"] = CLASSIFIERS["go"]

_PYTHON_BINARY = Classifier(
    "python-binary",
    "python",
    "generic/python",
    _PYTHON_CPES,
    name_template=(r"(?:.*/|^)python(?P<version>[0-9]+(?:\.[0-9]+)+)$", _PYTHON_TEMPLATE),
)
_PYTHON_LIB = Classifier(
    "python-binary-lib",
    "python",
    "generic/python",
    _PYTHON_CPES,
    name_template=(
        r"(?:.*/|^)libpython(?P<version>[0-9]+(?:\.[0-9]+)+)[a-z]?\.so.*$",
        _PYTHON_TEMPLATE,
    ),
)
_RUST_STD = Classifier(
    "rust-standard-library-linux",
    "rust",
    "generic/rust",
    (_cpe("rust-lang", "rust"),),
    (
        rb"(\x00)clang LLVM \(rustc version (?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)) "
        rb"\(\w+ \d{4}\-\d{2}\-\d{2}\)",
    ),
)
_RUST_STD_MAC = Classifier(
    "rust-standard-library-macos",
    "rust",
    "generic/rust",
    (_cpe("rust-lang", "rust"),),
    (rb"c (?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)) \(\w+ \d{4}\-\d{2}\-\d{2}\)",),
)
_RUST_HASH = re.compile(r"libstd-.{16}\.(so|dylib)")


def classifiers_for(base: str) -> tuple[Classifier, ...]:
    """The classifiers whose glob can match a file of this base name (cheap: runs per file)."""
    found = CLASSIFIERS.get(base, ())
    if base.startswith("python"):
        found = (*found, _PYTHON_BINARY)
    elif base.startswith("libpython") and ".so" in base:
        found = (*found, _PYTHON_LIB)
    elif base.startswith("libstd-") and _RUST_HASH.fullmatch(base):
        found = (*found, _RUST_STD if base.endswith(".so") else _RUST_STD_MAC)
    return found


def _patterns(classifier: Classifier, path: str) -> tuple[bytes, ...]:
    if classifier.name_template is None:
        return classifier.patterns
    name_re, template = classifier.name_template
    match = re.match(name_re, path)
    if match is None:
        return ()
    # syft inserts the file name's version into the template unescaped, "." and all
    return (template.replace(b"{version}", match.group("version").encode()),)


class ClassifierScanner:
    """Streams one file through its candidate classifiers' regexes; keeps the versions found."""

    def __init__(self, path: str, candidates: tuple[Classifier, ...]) -> None:
        self._regexes: list[tuple[int, int, re.Pattern[bytes]]] = []
        for ci, classifier in enumerate(candidates):
            for pi, pattern in enumerate(_patterns(classifier, path)):
                self._regexes.append((ci, pi, re.compile(pattern)))
        self._found: dict[int, tuple[int, str]] = {}  # classifier → (pattern index, version)
        self._head = b""
        self._tail = b""
        self._dead = not self._regexes
        # go: keep an empty result too, so that parse can look for the VERSION file
        self._keep_empty = any(c.version_file_pattern for c in candidates)

    def feed(self, chunk: bytes) -> bool:
        if self._dead:
            return False
        if len(self._head) < 4:
            self._head += chunk[: 4 - len(self._head)]
            if len(self._head) >= 4 and not _is_executable(self._head):
                self._dead = True
                return False
        window = self._tail + chunk
        pending = False
        for ci, pi, regex in self._regexes:
            best = self._found.get(ci)
            if best is not None and best[0] <= pi:
                continue  # an earlier pattern of this classifier already matched
            match = regex.search(window)
            if match is not None:
                version = match.group("version").decode("ascii", errors="replace")
                self._found[ci] = (pi, version)
            else:
                pending = True
        self._tail = window[-_OVERLAP:]
        return pending

    def result(self) -> bytes | None:
        if self._dead or len(self._head) < 4 or not (self._found or self._keep_empty):
            return None
        return json.dumps(sorted(self._found.items()), separators=(",", ":")).encode()


def format_cpe(template: str, version: str) -> str:
    """The CPE with its version attribute set; CPE 2.3 §6.2 quoting for the version."""
    parts = template.split(":")
    parts[5] = re.sub(r"([^A-Za-z0-9._\-])", r"\\\1", version)
    return ":".join(parts)


def _package(classifier: Classifier, version: str, supporting: tuple[str, ...]) -> FoundPackage:
    ptype, _, rest = classifier.purl.partition("/")
    namespace, _, name = rest.rpartition("/")
    return FoundPackage(
        type="binary",
        name=classifier.package,
        version=version,
        purl=purl(ptype, namespace, name, version),
        metadata=(("class", classifier.cls),),
        cpes=tuple(format_cpe(c, version) for c in classifier.cpes),
        supporting_paths=supporting,
    )


def _version_file(classifier: Classifier, path: str, ctx: ParseContext) -> tuple[str, str] | None:
    directory = path.rpartition("/")[0]
    parent = directory.rpartition("/")[0]
    for candidate in (f"{directory}/VERSION", f"{parent}/VERSION" if parent else "VERSION"):
        data = ctx.read(candidate.lstrip("/"))
        if data is None:
            continue
        match = re.search(classifier.version_file_pattern, data)
        if match is not None:
            return match.group("version").decode("ascii", errors="replace"), candidate
    return None


def packages_from_scan(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    """The scanner's kept JSON → packages (the first classifier that matched, as syft does)."""
    candidates = classifiers_for(path.rpartition("/")[2])
    try:
        found = {int(ci): (int(pi), str(v)) for ci, (pi, v) in json.loads(data)}
    except (ValueError, TypeError) as exc:
        raise CatalogError(f"unreadable binary scan result: {exc}", where=path) from exc
    for ci, classifier in enumerate(candidates):
        # go: syft 1.18.1 reports the VERSION file as evidence even when the binary has the
        # version too (checked on golang-1.19-go), so the file is tried first
        if classifier.version_file_pattern:
            hit = _version_file(classifier, path, ctx)
            if hit is not None:
                return [_package(classifier, hit[0], (hit[1],))]
        if ci in found:
            return [_package(classifier, found[ci][1], ())]
    return []


def _is_version_file(base: str) -> bool:
    return base == "VERSION"


def _classifier_wants(path: str, mode: int, size: int) -> WholeFile | Scanner | None:
    base = path.rpartition("/")[2]
    if _is_version_file(base):
        return _VERSION_FILE
    candidates = classifiers_for(base)
    if not candidates or size < 8:
        return None
    return ClassifierScanner(path, candidates)


def _classifier_parse(path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
    base = path.rpartition("/")[2]
    if _is_version_file(base):
        return []  # evidence for the go classifier only
    return packages_from_scan(path, data, ctx)


# --- JVM release files --------------------------------------------------------------------


def _is_release_path(path: str) -> bool:
    # syft 1.18.1: **/{java,jvm}/*/release
    parts = path.split("/")
    return len(parts) >= 3 and parts[-1] == "release" and parts[-3] in ("java", "jvm")


def _is_javac_path(path: str) -> bool:
    parts = path.split("/")
    return (
        len(parts) >= 5
        and parts[-1] == "javac"
        and parts[-2] == "bin"
        and (parts[-4] in ("java", "jvm"))
    )


def _release_fields(data: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in data[: 500 * 1024].decode("utf-8", errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            fields[key] = value.strip('"')
    return fields


def _jvm_version(fields: dict[str, str]) -> str:
    if fields.get("JAVA_RUNTIME_VERSION"):
        return fields["JAVA_RUNTIME_VERSION"]
    full, java = fields.get("FULL_VERSION", ""), fields.get("JAVA_VERSION", "")
    if full and full.split(".")[0] == java.split(".")[0]:
        return full
    return java


def _jvm_cpe_version(version: str) -> tuple[str, str]:
    if "_" in version:
        fields = version.split("_")
        if len(fields) == 2:
            update = fields[1].split("-")[0]
            return fields[0], update
    if "+" in version:
        return version.split("+")[0], ""
    return version, ""


def parse_jvm_release(path: str, data: bytes, has_jdk: bool) -> list[FoundPackage]:
    """syft's parseJVMRelease: one ``binary`` package for a JDK/JRE installation."""
    fields = _release_fields(data)
    if "JAVA_VERSION" not in fields and "JAVA_RUNTIME_VERSION" not in fields:
        return []
    version = _jvm_version(fields)
    implementor = fields.get("IMPLEMENTOR", "").lower().replace(" ", "")
    image_type = fields.get("IMAGE_TYPE", "")
    jdk_like = has_jdk or "jre" not in image_type.lower()
    product_pick = "jdk" if jdk_like else "jre"
    if "azul" in implementor or "zulu" in path:
        vendor, product = "azul", "zulu"
    elif "sun" in implementor:
        vendor, product = "sun", product_pick
    elif "oracle" in implementor or "oracle" in path:
        vendor, product = "oracle", product_pick
    else:
        vendor, product = "oracle", "openjdk"
    candidates: list[tuple[str, str]] = []
    if vendor == "azul":
        candidates = [("azul", "zulu"), ("oracle", "openjdk")]
    elif vendor == "sun" or (vendor == "oracle" and product != "openjdk"):
        if vendor == "oracle":
            candidates.append(("oracle", "java_se"))
        candidates.append((vendor, "jre"))
        if jdk_like:
            candidates.append((vendor, "jdk"))
    else:
        candidates = [(vendor, product)]
    short, update = _jvm_cpe_version(version)
    if update and "update" not in update.lower():
        update = "update" + (update.lstrip("0") or "0")
    cpes = []
    if short:
        for cpe_vendor, cpe_product in candidates:
            cpe = format_cpe(_cpe(cpe_vendor, cpe_product), short).split(":")
            if update:
                cpe[6] = update
            cpes.append(":".join(cpe))
    repo = fields.get("SOURCE_REPO") or fields.get("BUILD_SOURCE_REPO") or ""
    package_url = purl(
        "generic", vendor, product, version, {"repository_url": repo} if repo else None
    )
    return [
        FoundPackage(
            type="binary",
            name=product,
            version=version,
            purl=package_url,
            metadata=(
                ("implementor", fields.get("IMPLEMENTOR", "")),
                ("java_version", fields.get("JAVA_VERSION", "")),
            ),
            cpes=tuple(cpes),
        )
    ]


class _Marker:
    """Keeps an empty result: the file exists (``bin/javac`` tells a JDK from a JRE)."""

    def feed(self, chunk: bytes) -> bool:
        return False

    def result(self) -> bytes | None:
        return b""


def _jvm_wants(path: str, mode: int, size: int) -> WholeFile | Scanner | None:
    if path.endswith("/release") and _is_release_path(path):
        return _RELEASE_FILE
    if path.endswith("/javac") and _is_javac_path(path):
        return _Marker()
    return None


def _jvm_parse(path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
    if not _is_release_path(path):
        return []
    install = path.rpartition("/")[0]
    has_jdk = ctx.read(f"{install}/bin/javac") is not None
    return parse_jvm_release(path, data, has_jdk)


CLASSIFIER_CATALOGER = Declared(
    "binary-classifier-cataloger",
    _classifier_wants,
    _classifier_parse,
    hint=Hint(
        names=frozenset((*CLASSIFIERS, "VERSION")), prefixes=("python", "libpython", "libstd-")
    ),
)
JVM_CATALOGER = Declared(
    "java-jvm-cataloger", _jvm_wants, _jvm_parse, hint=Hint(names=frozenset(("release", "javac")))
)
