"""Installed Python distributions: core metadata (PEP 566 / PEP 643) in site-packages.

What is read, as syft 1.18.1's ``python-installed-package-cataloger`` reads it:

* ``<dir ending dist-info or DIST-INFO>/METADATA`` (wheels, pip installs);
* ``<dir ending egg-info or EGG-INFO>/PKG-INFO`` (setuptools eggs, unpacked ``.egg`` dirs);
* ``*.egg-info`` when it is a file (distutils / Debian's python3-* packages).

Beyond syft: a zipped ``*.egg`` archive's ``EGG-INFO/PKG-INFO`` (bounded; syft does not open
zipped eggs, so an image with one gets one more package than syft reports).

The package name is normalised as PEP 503 says (lower case, runs of ``-_.`` → ``-``) for both
the name and the purl, which is what syft does (``Foo_Bar.baz`` → ``foo-bar-baz``).

Licences: ``License-Expression`` (PEP 639), else ``License`` when it is a short one-line
declaration (not a pasted licence text), else ``License :: OSI Approved :: X`` classifiers
mapped to SPDX ids (an ambiguous one, such as ``BSD License``, in its own words). syft 1.18.1
reads the first two only (and keeps long ``License`` texts verbatim), so for a package that
declares only classifiers we report more than syft does.

``RECORD``, ``top_level.txt``, ``installed-files.txt`` and ``direct_url.json`` beside the
metadata are kept (small) and named as supporting paths, as syft lists them; a
``direct_url.json`` with ``vcs_info`` (pip's install from a VCS URL) gives the purl syft's
``vcs_url`` qualifier. A distribution named exactly ``Python`` (the interpreter's own
egg-info) is no package, as syft has it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

from reporter.catalog._langutil import ZIP_ERRORS, sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "normalize_name", "parse", "parse_core_metadata", "vcs_url", "wants"]

# What is kept, by the kind of file (``_metadata_kind``).
_CAPTURE = {
    "dist-info": WholeFile(8 * 1024 * 1024),
    "egg-info": WholeFile(8 * 1024 * 1024),
    "egg-info-file": WholeFile(8 * 1024 * 1024),
    "egg": WholeFile(64 * 1024 * 1024),
    "support": WholeFile(4 * 1024 * 1024),
}
_EGG_MEMBER_MAX = 4 * 1024 * 1024
_SHORT_LICENSE = 100
# CPython's own setup.py (install_egg_info, up to 3.11) wrote ``lib-dynload/Python-X.Y.Z-pyX.Y
# .egg-info`` naming the interpreter "Python"; Debian's python2.7 ships one too. It is not a
# distribution: syft 1.18.1 drops any metadata whose Name is exactly "Python" (measured:
# "python", "PYTHON", "Python3" are kept, "Python" in METADATA, PKG-INFO or .egg-info is not).
_INTERPRETER = "Python"

_SEPARATORS = re.compile(r"[-_.]+")
_SUPPORTING = {
    "dist-info": ("RECORD", "top_level.txt", "direct_url.json"),
    "egg-info": ("RECORD", "top_level.txt", "installed-files.txt"),
}

# Trove classifiers "License :: OSI Approved :: X" (and a few outside OSI) with one SPDX id.
# Ambiguous ones ("BSD License", "GNU General Public License (GPL)") map to "" and are reported
# in their own words.
CLASSIFIER_SPDX = {
    "Academic Free License (AFL)": "AFL-3.0",
    "Apache Software License": "Apache-2.0",
    "Apple Public Source License": "APSL-2.0",
    "Artistic License": "Artistic-2.0",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "BSD License": "",
    "CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)": "CECILL-2.1",
    "Common Development and Distribution License 1.0 (CDDL-1.0)": "CDDL-1.0",
    "Common Public License": "CPL-1.0",
    "Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "European Union Public Licence 1.1 (EUPL 1.1)": "EUPL-1.1",
    "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "GNU Free Documentation License (FDL)": "GFDL-1.3-only",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Library or Lesser General Public License (LGPL)": "",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "IBM Public License": "IPL-1.0",
    "ISC License (ISCL)": "ISC",
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "Mozilla Public License 1.0 (MPL)": "MPL-1.0",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "University of Illinois/NCSA Open Source License": "NCSA",
    "The Unlicense (Unlicense)": "Unlicense",
    "zlib/libpng License": "Zlib",
    "Zope Public License": "ZPL-2.1",
    "SIL Open Font License 1.1 (OFL-1.1)": "OFL-1.1",
}
_CC0 = "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication"


def normalize_name(name: str) -> str:
    """PEP 503: lower case, every run of ``-``, ``_``, ``.`` becomes one ``-``."""
    return _SEPARATORS.sub("-", name).lower()


def parse_core_metadata(text: str) -> dict[str, list[str]]:
    """The header block of a core metadata file (RFC 822 style), body excluded.

    Repeated fields (Classifier, Requires-Dist) keep every value in order; continuation lines
    (starting with space or tab) are joined with ``"\\n "`` as syft joins them.
    """
    fields: dict[str, list[str]] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line.strip():
            break  # the description body follows the first blank line
        if line[0] in " \t":
            if last is not None:
                fields[last][-1] += "\n " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or " " in key.strip():
            last = None
            continue
        last = key.strip().lower()
        fields.setdefault(last, []).append(value.strip())
    return fields


def _first(fields: dict[str, list[str]], key: str) -> str:
    values = fields.get(key)
    return values[0] if values else ""


def _licenses(fields: dict[str, list[str]]) -> tuple[str, ...]:
    expression = _first(fields, "license-expression")
    if expression:
        return (expression,)
    declared = _first(fields, "license")
    short = declared and "\n" not in declared and len(declared) <= _SHORT_LICENSE
    if short and declared.upper() not in ("UNKNOWN", "NONE"):
        return (declared,)
    found: list[str] = []
    for classifier in fields.get("classifier", []):
        classifier = " ".join(classifier.split())
        if not classifier.startswith("License :: ") or classifier == "License :: OSI Approved":
            continue
        declared = classifier.rsplit(" :: ", 1)[-1]
        # an SPDX id where one fits, else the classifier's own words ("BSD License")
        spdx = "CC0-1.0" if classifier == _CC0 else CLASSIFIER_SPDX.get(declared) or declared
        if spdx not in found:
            found.append(spdx)
    return tuple(found)


def _package(
    text: str, path: str, site_root: str, supporting: tuple[str, ...], vcs_url: str = ""
) -> list[FoundPackage]:
    fields = parse_core_metadata(text)
    raw_name = _first(fields, "name")
    if not raw_name:
        return []  # syft drops a package without a name
    if raw_name == _INTERPRETER:
        return []
    name = normalize_name(raw_name)
    version = _first(fields, "version")
    return [
        FoundPackage(
            type="python",
            name=name,
            version=version,
            purl=purl("pypi", "", name, version, {"vcs_url": vcs_url} if vcs_url else None),
            licenses=_licenses(fields),
            metadata=sorted_metadata(
                author=_first(fields, "author"),
                author_email=_first(fields, "author-email"),
                requires_python=_first(fields, "requires-python"),
                site_packages_root=site_root,
            ),
            supporting_paths=supporting,
            authors=_people(fields),
            requires=_requires_dist(fields),
        )
    ]


def vcs_url(direct_url: bytes) -> str:
    """The purl's ``vcs_url`` from a ``direct_url.json`` (PyPA "Direct URL Data Structure"):
    ``<vcs>+<url>@<commit_id>``, as syft spells it; "" for an archive or a local directory
    (no ``vcs_info``) or a file that is not such JSON."""
    try:
        data = json.loads(direct_url)
    except ValueError:
        return ""
    info = data.get("vcs_info") if isinstance(data, dict) else None
    if not isinstance(info, dict) or not info.get("vcs"):
        return ""
    return f"{info.get('vcs', '')}+{data.get('url', '')}@{info.get('commit_id', '')}"


def _people(fields: dict[str, list[str]]) -> tuple[str, ...]:
    """Author (else Maintainer) as "Name <email>"; core metadata 2.1 §Author, §Author-email.

    ``Author-email`` may already hold "Name <email>" (PEP 621 writes it that way).
    """
    for name_key, email_key in (("author", "author-email"), ("maintainer", "maintainer-email")):
        name, email = _first(fields, name_key).strip(), _first(fields, email_key).strip()
        if email and "<" not in email and name:
            return (f"{name} <{email}>",)
        if email or name:
            return (email or name,)
    return ()


_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _requires_dist(fields: dict[str, list[str]]) -> tuple[tuple[str, ...], ...]:
    """``Requires-Dist`` names (PEP 508), normalised; requirements of an extra are optional
    and left out, as are unparsable lines."""
    out: list[tuple[str, ...]] = []
    for line in fields.get("requires-dist", []):
        requirement, _, marker = line.partition(";")
        if "extra" in marker:
            continue
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            out.append((normalize_name(match.group(1)),))
    return tuple(dict.fromkeys(out))


def _metadata_kind(path: str) -> str:
    """``dist-info`` / ``egg-info`` / ``egg-info-file`` / ``egg`` / ``support`` / ``""``."""
    if path.endswith("/METADATA"):
        parent = path[: -len("/METADATA")]
        if parent.endswith(("dist-info", "DIST-INFO")):
            return "dist-info"
        return ""
    if path.endswith("/PKG-INFO"):
        parent = path[: -len("/PKG-INFO")]
        if parent.endswith(("egg-info", "EGG-INFO")):
            return "egg-info"
        return ""
    if path.endswith(".egg-info"):
        return "egg-info-file"
    if path.endswith(".egg"):
        return "egg"
    if path.endswith(("/RECORD", "/top_level.txt", "/installed-files.txt", "/direct_url.json")):
        parent = path.rsplit("/", 2)[-2] if path.count("/") >= 1 else ""
        if parent.endswith(("dist-info", "DIST-INFO", "egg-info", "EGG-INFO")):
            return "support"
    return ""


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _read_zipped_egg(path: str, data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                info = archive.getinfo("EGG-INFO/PKG-INFO")
            except KeyError:
                return None
            if info.file_size > _EGG_MEMBER_MAX:
                raise CatalogError("EGG-INFO/PKG-INFO is too large", where=path)
            with archive.open(info) as member:
                return _decode(member.read(_EGG_MEMBER_MAX + 1)[:_EGG_MEMBER_MAX])
    except CatalogError:
        raise
    except ZIP_ERRORS as exc:
        raise CatalogError(f"unreadable .egg archive: {exc}", where=path) from None


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    return _CAPTURE.get(_metadata_kind(path))


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    kind = _metadata_kind(path)
    if kind in ("", "support"):
        return []  # support files are kept only so that the metadata's parse can name them
    if kind == "egg":
        text = _read_zipped_egg(path, data)
        if text is None:
            return []
        return _package(text, path, path.rpartition("/")[0], ())
    if kind == "egg-info-file":
        return _package(_decode(data), path, path.rpartition("/")[0], ())
    meta_dir = path.rpartition("/")[0]
    site_root = meta_dir.rpartition("/")[0]
    if kind == "egg-info" and meta_dir.endswith("EGG-INFO"):
        site_root = site_root.rpartition("/")[0]  # <root>/<name>.egg/EGG-INFO/PKG-INFO
    supporting = tuple(
        candidate
        for candidate in (f"{meta_dir}/{n}" for n in _SUPPORTING[kind])
        if ctx.read(candidate) is not None
    )
    direct_url = ctx.read(f"{meta_dir}/direct_url.json") if kind == "dist-info" else None
    vcs = vcs_url(direct_url) if direct_url is not None else ""
    return _package(_decode(data), path, site_root, supporting, vcs)


CATALOGER = Declared(
    name="python-installed-package-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(
        names=frozenset(
            (
                "METADATA",
                "PKG-INFO",
                "RECORD",
                "top_level.txt",
                "installed-files.txt",
                "direct_url.json",
            )
        ),
        suffixes=(".egg-info", ".egg"),
    ),
)
