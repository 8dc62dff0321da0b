"""CPE 2.3 candidates for a package, following syft 1.18.1's generation rules.

Scanners that match on CPEs (grype, Dependency-Track, NVD look-ups) need a guess at the NVD
vendor and product; no package database records them. syft's rules
(``syft/pkg/cataloger/internal/cpegenerate``), re-stated:

* products: the name; Python adds ``python-<name>`` (unless it starts with ``python``); Go
  uses the module path's last element, vendors its owner (``github.com/spf13/cobra`` →
  ``spf13:cobra``);
* vendors: every product candidate; Ruby adds ``ruby-lang``; Python adds the normalised
  Author (``benjamin_peterson``) and the Author-email's local part, each also with
  ``project`` and ``_project`` appended; rpm adds the lower-cased first word of Vendor;
  npm adds its author the same normalised way; a WordPress plugin's vendors are only its
  author, its Author URI's host, else ``<name>_project``, its products its name and directory;
* every candidate that allows it gets its ``-``/``_`` swapped variant; vendors also get
  their prefixes split at ``-``/``_`` (``gcc-12-base`` → ``gcc-12``, ``gcc``);
* the CPEs are vendor × product, most specific first (longest vendor+product, then by the
  formatted string), in the formatted-string binding (NISTIR 7695 §6.2: every character but
  letters, digits, ``-``, ``.`` and ``_`` is quoted with a backslash; a space is bound as
  ``_``, as syft binds ``Mono C# Compiler``).

Java (``java.go``): products add the pom.properties artifactId and the parts after the second
of each candidate groupId that could name the project (the artifactId starts or ends with it,
and neither is a plugin); vendors add each groupId whole and its parts after the first
(``plugin``/``plugins`` never), and the ``Specification-Vendor`` / ``Implementation-Vendor``
of the manifest that are not reverse domains, as person names (``The Netty Project`` →
``netty_project``). The candidate groupIds (``GroupIDsFromJavaMetadata``): the pom.properties
groupId (and its artifactId when that holds a dotted group), the pom.xml's and its parent's,
then syft's well-known artifactId table, else the manifest's group fields (``JavaFacts``).
A vendor ``apache`` among the candidates is the only one kept (syft's ``knownVendors``).

syft's per-type tables (``candidate_by_package_type.go``: vendors and products added or removed
for named packages) are re-stated in ``_ADDITIONS`` / ``_REMOVALS`` as syft 1.18.1 has them.

The NVD dictionary first (``FromDictionaryFind``): a package syft 1.18.1 looks up (npm, gem,
Python, Jenkins plugin, crate and Composer names; a WordPress plugin's directory) that the
dictionary lists gets the dictionary's CPEs, with its version, and no generated ones (measured
on syft 1.18.1 for npm, gem, Composer, Jenkins and WordPress). The slice it reads is vendored
in ``cpe_dictionary.json`` (origin and licence in its ``origin`` field). Java archives are
not looked up; Go modules, PECL/PEAR and WordPress themes are left out (not measured).
Pure: a ``FoundPackage`` (and, for Java, its ``JavaFacts``) in, CPE strings out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

import orjson

from reporter.catalog.interface import FoundPackage

__all__ = ["JavaFacts", "cpe_candidates", "dictionary_cpes", "format_cpe", "java_group_ids"]

_QUOTED = re.compile(r"([^A-Za-z0-9._-])")  # what a WFN value escapes with "\\"
_SPLIT = re.compile(r"([-_])")

# java.go: group fields that name no vendor / no product; syft's "top level domains" (a plain
# string prefix: "commons-io" starts with "com", and syft takes it so)
_FORBIDDEN_VENDOR_FIELDS = frozenset(("plugin", "plugins"))
_FORBIDDEN_PRODUCT_FIELDS = frozenset(("plugin", "plugins", "client"))
_DOMAINS = ("com", "org", "net", "io", "be")
# PrimaryJavaManifestGroupIDFields, SecondaryJavaManifestGroupIDFields, javaManifestNameFields.
# "Group-Id" (the Jenkins plugin manifest's) is not in the syft source read, but syft 1.18.1
# gives a .jpi without pom.properties the vendor of its Group-Id (measured: commons-lang3-api.jpi
# in tests/catalog/java_archives.py) and its binary holds the string among these tables.
_PRIMARY_GROUP_FIELDS = (
    "Bundle-SymbolicName",
    "Extension-Name",
    "Specification-Vendor",
    "Implementation-Vendor",
    "Implementation-Vendor-Id",
    "Implementation-Title",
    "Bundle-Activator",
    "Group-Id",
)
_SECONDARY_GROUP_FIELDS = ("Automatic-Module-Name", "Main-Class", "Package")
_NAME_FIELDS = ("Specification-Vendor", "Implementation-Vendor")
_KNOWN_VENDORS = frozenset(("apache",))  # generate.go knownVendors: preferred over all others
_JAVA_TYPES = ("java-archive", "jenkins-plugin")

# candidate_by_package_type.go (syft 1.18.1: the entries whose strings its binary holds):
# (package type, name) → (products added, vendors added)
_ADDITIONS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("java-archive", "springframework"): (
        ("spring_framework", "springsource_spring_framework"),
        ("pivotal_software", "springsource", "vmware"),
    ),
    ("java-archive", "spring-core"): (
        ("spring_framework", "springsource_spring_framework"),
        ("pivotal_software", "springsource", "vmware"),
    ),
    ("java-archive", "spring-security-core"): (("spring_security",), ("vmware",)),
    ("java-archive", "elasticsearch"): ((), ("elastic",)),
    ("java-archive", "log4j"): ((), ("apache",)),
    ("java-archive", "apache-cassandra"): (("cassandra",), ()),
    ("java-archive", "handlebars"): ((), ("handlebarsjs",)),
    ("npm", "next"): (("next.js",), ("vercel",)),
    ("npm", "hapi"): (("hapi_server_framework",), ()),
    ("npm", "handlebars.js"): (("handlebars",), ()),
    ("npm", "is-my-json-valid"): (("is_my_json_valid",), ()),
    ("npm", "mustache"): (("mustache.js",), ()),
    ("gem", "Arabic-Prawn"): (("arabic_prawn",), ()),
    ("gem", "bio-basespace-sdk"): (("basespace_ruby_sdk",), ()),
    ("gem", "cremefraiche"): (("creme_fraiche",), ()),
    ("gem", "html-sanitizer"): (("html_sanitizer",), ()),
    ("gem", "sentry-raven"): (("raven-ruby",), ()),
    ("gem", "RedCloth"): (("redcloth_library",), ()),
    ("gem", "VladTheEnterprising"): (("vladtheenterprising",), ()),
    ("gem", "yajl-ruby"): (("yajl-ruby_gem",), ()),
    **{("gem", n): ((), ("ruby-lang",)) for n in ("cgi", "date", "openssl", "rake", "rdoc")},
    **{("gem", n): ((), ("ruby-lang",)) for n in ("rexml", "trunk", "webrick")},
    ("python", "python-rrdtool"): (("rrdtool",), ()),
    ("python", "cryptography"): (("python-cryptography",), ("python-cryptography_project",)),
    ("python", "pip"): ((), ("pypa",)),
    ("python", "Django"): ((), ("djangoproject",)),
    ("apk", "curl"): ((), ("haxx",)),
    ("apk", "python3"): (("python",), ("python", "python_software_foundation")),
    ("apk", "python"): ((), ("python_software_foundation",)),
    ("apk", "nodejs"): (("node.js",), ()),
    ("apk", "nodejs-current"): (("node.js",), ()),
    ("apk", "go"): ((), ("golang",)),
    ("apk", "ruby"): ((), ("ruby-lang",)),
    ("apk", "bazel"): ((), ("google",)),
    ("apk", "clang"): ((), ("llvm",)),
    ("apk", "openjdk"): ((), ("oracle",)),
    ("apk", "glibc"): ((), ("gnu",)),
    ("apk", "glib"): ((), ("gnome",)),
    ("apk", "bash"): ((), ("gnu",)),
    ("apk", "alsa-lib"): ((), ("alsa-project",)),
    ("apk", "alsa"): ((), ("alsa-project",)),
    ("apk", "make"): ((), ("gnu",)),
    ("apk", "git"): ((), ("git-scm",)),
    ("apk", "bind"): ((), ("isc",)),
    ("apk", "libxpm"): ((), ("libxpm_project",)),
    ("apk", "musl"): ((), ("musl-libc",)),
    ("apk", "firefox"): ((), ("mozilla",)),
    ("apk", "firefox-esr"): ((), ("mozilla",)),
    ("apk", "thunderbird"): ((), ("mozilla",)),
    ("apk", "chromium"): (("chrome",), ("google",)),
    ("apk", "apache"): (("http_server",), ()),
    ("apk", "tiff"): (("libtiff",), ()),
    ("apk", "ghostscript"): ((), ("artifex",)),
    ("apk", "openjpeg"): ((), ("uclouvain",)),
    ("apk", "xorg-server"): (("x_server",), ("x.org",)),
    ("apk", "podofo"): ((), ("podofo_project",)),
    ("apk", "wpa_supplicant"): ((), ("w1.fi",)),
    ("conan", "poco"): ((), ("pocoproject",)),
    ("conan", "libcurl"): (("curl",), ("haxx",)),
    ("conan", "protobuf"): ((), ("google",)),
    ("conan", "lwip"): ((), ("lwip_project",)),
}
# the same, keyed also by a vendor candidate: (type, name, vendor) → vendors added
_VENDOR_ADDITIONS: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("apk", "dnsmasq", "dnsmasq"): ("thekelleys",),
    ("deb", "dnsmasq", "dnsmasq"): ("thekelleys",),
}
_MAVEN_PARTS = (
    "builder-support",
    "model",
    "repository-metadata",
    "settings",
    "settings-builder",
    "resolver-api",
    "resolver-connector-basic",
    "resolver-impl",
    "resolver-named-locks",
    "resolver-spi",
    "resolver-transport-file",
    "resolver-transport-http",
    "resolver-transport-wagon",
    "resolver-util",
    "shared-utils",
)
# (type, name) → (products removed, vendors removed)
_REMOVALS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("python", "redis"): ((), ("redis",)),
    ("python", "kubernetes"): (("kubernetes",), ()),
    ("npm", "redis"): ((), ("redis",)),
    ("npm", "php"): ((), ("php",)),
    ("npm", "delegate"): ((), ("delegate",)),
    ("npm", "docker"): ((), ("docker",)),
    **{("java-archive", f"maven-{part}"): (("maven",), ()) for part in _MAVEN_PARTS},
    ("java-archive", "gradle-enterprise"): (("gradle-enterprise",), ("gradle",)),
    ("gem", "redis"): (("redis",), ()),
    ("gem", "grpc"): (("grpc",), ()),
    ("rust-crate", "hyper"): ((), ("vercel",)),
    ("rust-crate", "opentelemetry"): (("opentelemetry",), ()),
    ("rust-crate", "prometheus"): ((), ("prometheus",)),
    ("rust-crate", "phf"): ((), ("phf",)),
    ("rust-crate", "redis"): ((), ("redis",)),
    ("php-pear", "redis"): (("redis",), ()),
}

ManifestSections = tuple[tuple[tuple[str, str], ...], ...]


@dataclass(frozen=True, slots=True)
class JavaFacts:
    """What syft's Java CPE rules read of an archive's metadata (``pkg.JavaArchive``).

    ``manifest``: the main section first, then the named ones, as (key, value) pairs; only the
    archive's own package has one (a package from a pom.properties inside has none, as in
    syft). ``pom_group_id`` / ``pom_artifact_id``: its pom.properties; ``project_*``: its
    pom.xml's own groupId / artifactId and its ``<parent>``'s."""

    manifest: ManifestSections | None = None
    pom_group_id: str = ""
    pom_artifact_id: str = ""
    has_pom_properties: bool = False
    project_group_id: str = ""
    project_artifact_id: str = ""
    parent_group_id: str = ""
    parent_artifact_id: str = ""
    has_project: bool = False
    well_known_group: str = ""  # DefaultArtifactIDToGroupID[name], if listed


@dataclass(frozen=True, slots=True)
class _Candidate:
    value: str
    variations: bool = True  # add the -/_ swapped spelling
    subselections: bool = True  # add the prefixes split at - and _


def _quote(value: str) -> str:
    return _QUOTED.sub(r"\\\1", value)


def _bindable(value: str) -> bool:
    # A WFN value holds printable ASCII only (NISTIR 7695 §5.3.2): a name with a control
    # character or a non-ASCII letter gets no CPE rather than a wrong one. A space is bound
    # as "_" (syft's normalizeField, after §5.3.2's "underscore for a space" convention).
    # (printable ASCII is " " to "~": what isprintable says of the ASCII characters)
    return value.isascii() and value.isprintable()


def format_cpe(vendor: str, product: str, version: str) -> str:
    """``cpe:2.3:a:vendor:product:version:*:*:*:*:*:*:*`` with each part quoted."""
    vendor, product = vendor.replace(" ", "_"), product.replace(" ", "_")
    version_part = _quote(version.replace(" ", "_")) if version else "*"
    return f"cpe:2.3:a:{_quote(vendor)}:{_quote(product)}:{version_part}:*:*:*:*:*:*:*"


def _person(text: str) -> str:
    # syft's normalizePersonName: lower case, trimmed, "-", " ", "." to "_", no leading "the_"
    name = text.strip().lower()
    for old in ("-", " ", "."):
        name = name.replace(old, "_")
    return name.removeprefix("the_")


def _go_parts(name: str) -> tuple[str, str]:
    parts = [p for p in name.split("/") if p]
    if len(parts) < 3 and not name.startswith("gopkg.in/"):
        return "", ""
    if name.startswith(("golang.org/x/", "go.googlesource.com/")):
        return "golang", parts[2] if len(parts) > 2 else ""
    return parts[1].lower(), parts[2].lower() if len(parts) > 2 else ""


def _domain_like(value: str) -> bool:
    return value.startswith(_DOMAINS)


def _clean_group(value: str) -> str:
    # cleanGroupID: drop OSGi directives (";uses:=...") and "#..." suffixes
    return value.split(";", 1)[0].split("#", 1)[0].strip()


def _group_pair(group: str, artifact: str) -> list[str]:
    # addGroupIDsFromGroupIDsAndArtifactID: a dotted artifactId is taken for a misplaced group
    out = [_clean_group(group)] if _domain_like(group) else []
    if _domain_like(artifact) and len(artifact.split(".")) > 1:
        out.append(_clean_group(artifact))
    return out


def _manifest_groups(manifest: ManifestSections, fields: tuple[str, ...]) -> list[str]:
    found = [
        _clean_group(value)
        for key in fields
        for section in manifest
        for k, value in section
        if k == key and _domain_like(value)
    ]
    return sorted(found)


def java_group_ids(facts: JavaFacts) -> list[str]:
    """syft's GroupIDsFromJavaMetadata: every groupId the metadata suggests."""
    groups: list[str] = []
    if facts.has_pom_properties:
        groups += _group_pair(facts.pom_group_id, facts.pom_artifact_id)
    if facts.has_project:
        groups += _group_pair(facts.project_group_id, facts.project_artifact_id)
        groups += _group_pair(facts.parent_group_id, facts.parent_artifact_id)
    if facts.well_known_group:
        return [*groups, facts.well_known_group]
    if facts.manifest is None:
        return groups
    manifest_groups = _manifest_groups(facts.manifest, _PRIMARY_GROUP_FIELDS)
    return groups + (manifest_groups or _manifest_groups(facts.manifest, _SECONDARY_GROUP_FIELDS))


def _java_artifact(facts: JavaFacts) -> str:
    artifact = facts.pom_artifact_id.strip() if facts.has_pom_properties else ""
    return "" if len(artifact.split(".")) > 1 else artifact  # a group in the artifactId field


def _java_products(facts: JavaFacts) -> list[str]:
    """productsFromArtifactAndGroupIDs."""
    artifact = _java_artifact(facts)
    products = [artifact] if artifact else []
    for group in java_group_ids(facts):
        plugin = "plugin" in artifact or "plugin" in group
        for index, part in enumerate(group.split(".")):
            part = part.strip()
            if not part or part.lower() in _FORBIDDEN_PRODUCT_FIELDS or index <= 1:
                continue
            # an umbrella project's parts start or end with its name
            project_name = artifact.startswith(part) or artifact.endswith(part)
            if not artifact or (project_name and not plugin):
                products.append(part)
    return products


def _java_vendors(facts: JavaFacts) -> list[_Candidate]:
    """vendorsFromGroupIDs + vendorsFromJavaManifestNames."""
    out: list[_Candidate] = []
    for group in java_group_ids(facts):
        # the whole groupId as it is: no -/_ variant, no prefixes (measured on syft 1.18.1:
        # com.graphql-java gives neither com.graphql_java nor com.graphql)
        out.append(_Candidate(group, variations=False, subselections=False))
        for index, part in enumerate(group.split(".")):
            part = part.strip()
            if index == 0 or not part or part.lower() in _FORBIDDEN_VENDOR_FIELDS:
                continue
            out.append(_Candidate(part))
    for key in _NAME_FIELDS:
        for section in facts.manifest or ():
            for k, value in section:
                if k == key and not _domain_like(value):
                    out.append(_Candidate(_person(value), subselections=False))
    return out


def _products(found: FoundPackage, java: JavaFacts | None) -> list[str]:
    if found.type == "go-module":
        product = _go_parts(found.name)[1]
        names = [product] if product else []
    else:
        names = [found.name]
        if found.type == "python" and not found.name.startswith("python"):
            names.append(f"python-{found.name}")
        if java is not None and found.type in _JAVA_TYPES:
            names += _java_products(java)
        if found.type == "wordpress-plugin":  # wordpress.go: these replace the name
            install = dict(found.metadata).get("plugin_name", "")
            names = [_wordpress_name(found.name), _wordpress_name(install)]
    candidates = _variations([_Candidate(n) for n in dict.fromkeys(names) if n not in ("", "*")])
    values = list(dict.fromkeys(c.value for c in candidates))
    added, _ = _ADDITIONS.get((found.type, found.name), ((), ()))
    removed, _ = _REMOVALS.get((found.type, found.name), ((), ()))
    return [v for v in dict.fromkeys([*values, *added]) if v not in removed]


def _wordpress_name(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


# wordpress.go vendorFromURLRegexp (Go's RE2 and Python agree on this greedy, anchored form)
_VENDOR_FROM_URL = re.compile(r"^https?://(www.)?(?P<vendor>.+)\.\w/?")


def _wordpress_vendors(found: FoundPackage) -> list[_Candidate]:
    """candidateVendorsForWordpressPlugin: the author, the Author URI's host; else
    ``<name>_project``. They replace every other vendor (the name is none)."""
    out = [_Candidate(a.lower()) for a in found.authors[:1] if a]
    match = _VENDOR_FROM_URL.match(dict(found.metadata).get("author_uri", ""))
    if match and match.group("vendor"):
        out.append(_Candidate(match.group("vendor").lower()))
    return out or [_Candidate(f"{_wordpress_name(found.name)}_project")]


def _people_vendors(people: list[str]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for person in people:
        if not person:
            continue
        name = _person(person)
        out.append(_Candidate(name, variations=False, subselections=False))
        if not name.endswith("project"):
            out.append(_Candidate(f"{name}project", variations=False, subselections=False))
            out.append(_Candidate(f"{name}_project", variations=False, subselections=False))
    return out


def _vendors(found: FoundPackage, products: list[str], java: JavaFacts | None) -> list[str]:
    metadata = dict(found.metadata)
    if found.type == "go-module":
        vendor = _go_parts(found.name)[0]
        vendors = [_Candidate(vendor)] if vendor else []
    else:
        vendors = [_Candidate(p) for p in products]
    if found.type == "gem":
        vendors.append(_Candidate("ruby-lang"))
    if found.type == "python":
        vendors += _people_vendors([metadata.get("author", "")])
        email = metadata.get("author_email", "")
        if email:
            local = _person(email.split("@", 1)[0])
            vendors.append(_Candidate(local, subselections=False))
            vendors += _people_vendors([local])[1:]
    if found.type == "rpm" and metadata.get("vendor", "").split():
        vendors.append(_Candidate(metadata["vendor"].split()[0].lower()))
    if found.type == "npm" and metadata.get("author", ""):
        vendors.append(_Candidate(_person(metadata["author"].split("<")[0])))
    if java is not None and found.type in _JAVA_TYPES:
        vendors += _java_vendors(java)
    if found.type == "wordpress-plugin":
        vendors = _wordpress_vendors(found)
    vendors = [v for v in vendors if v.value not in ("", "*")]
    values = list(dict.fromkeys(v.value for v in _subselections(_variations(vendors))))
    for value in list(values):
        values += _ADDITIONS.get((found.type, found.name), ((), ()))[1]
        values += _VENDOR_ADDITIONS.get((found.type, found.name, value), ())
    _, removed = _REMOVALS.get((found.type, found.name), ((), ()))
    values = [v for v in dict.fromkeys(values) if v not in removed]
    known = [v for v in values if v in _KNOWN_VENDORS]
    return known[:1] or values


def _variations(candidates: list[_Candidate]) -> list[_Candidate]:
    out = list(candidates)
    for candidate in candidates:
        if not candidate.variations:
            continue
        for old, new in (("-", "_"), ("_", "-")):
            if old in candidate.value:
                # the variant keeps the original's flags (as syft copies the candidate)
                out.append(replace(candidate, value=candidate.value.replace(old, new)))
    return out


def _subselections(candidates: list[_Candidate]) -> list[_Candidate]:
    out = list(candidates)
    for candidate in candidates:
        if not candidate.subselections:
            continue
        pieces = _SPLIT.split(candidate.value)  # words and the separators between them
        prefix = ""
        for index in range(0, len(pieces), 2):
            word = pieces[index]
            if not word:
                continue
            prefix = f"{prefix}{pieces[index - 1]}{word}" if prefix else word
            out.append(_Candidate(prefix))
    return out


def _filtered(found: FoundPackage, vendor: str, product: str) -> bool:
    """filter.go's cpeFilters: the Jira / Jenkins server CPEs on what is not them."""
    name = found.name.lower()
    if product == "jira" and "client" in name and vendor in ("jira", "atlassian"):
        return True
    if found.type == "jenkins-plugin" and product == "jenkins":
        return True
    return product == "jenkins" and "jenkins" not in name and vendor in ("jenkins", "cloudbees")


# our package type → (dictionary ecosystem, metadata key naming it; "" for the name)
_DICTIONARY_KEYS = {
    "npm": ("npm", ""),
    "gem": ("rubygems", ""),
    "python": ("pypi", ""),
    "jenkins-plugin": ("jenkins_plugins", ""),
    "rust-crate": ("rust_crates", ""),
    "php-composer": ("php_composer", ""),
    "wordpress-plugin": ("wordpress_plugins", "plugin_name"),
}
_UNQUOTED_COLON = re.compile(r"(?<!\\):")


@cache
def _dictionary() -> dict[str, dict[str, list[str]]]:
    raw = resources.files("reporter.catalog").joinpath("cpe_dictionary.json").read_bytes()
    ecosystems: dict[str, dict[str, list[str]]] = orjson.loads(raw)["ecosystems"]
    return ecosystems


def _specificity(cpe: str) -> tuple[int, int, str]:
    # cpe.BySpecificity: more fields given first, then longer fields, then the text
    fields = _UNQUOTED_COLON.split(cpe)[2:]
    given = sum(1 for f in fields if f not in ("*", "-"))
    return (-given, -sum(len(f.replace("\\", "")) for f in fields), cpe)


def dictionary_cpes(found: FoundPackage) -> tuple[str, ...]:
    """The NVD dictionary's CPEs for the package (its version filled in), or none."""
    ecosystem, key = _DICTIONARY_KEYS.get(found.type, ("", ""))
    if not ecosystem or not _bindable(found.version):
        return ()
    name = dict(found.metadata).get(key, "") if key else found.name
    listed = _dictionary().get(ecosystem, {}).get(name, [])
    version = _quote(found.version.replace(" ", "_")) if found.version else "*"
    out = []
    for cpe in listed:
        fields = _UNQUOTED_COLON.split(cpe)
        if len(fields) != 13:
            continue
        fields[5] = version
        out.append(":".join(fields))
    return tuple(sorted(set(out), key=_specificity))


def cpe_candidates(found: FoundPackage, java: JavaFacts | None = None) -> tuple[str, ...]:
    """The CPEs syft would give the package: the dictionary's, else generated, most specific
    first."""
    listed = dictionary_cpes(found)
    if listed:
        return listed
    products = _products(found, java)
    if not products or not _bindable(found.version):
        return ()
    vendors = _vendors(found, products, java)
    # syft's Java cataloger calls a missing version UNKNOWN; its CPEs leave the version open
    version = "" if found.type in _JAVA_TYPES and found.version == "UNKNOWN" else found.version
    pairs = {
        (v, p) for v in vendors for p in products if _bindable(v + p) and not _filtered(found, v, p)
    }
    # cpe.BySpecificity: longer fields first, then the formatted strings in byte order
    ordered = sorted((-(len(v) + len(p)), format_cpe(v, p, version)) for v, p in pairs)
    return tuple(cpe for _, cpe in ordered)
