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
  npm/Java add their author / organisation the same normalised way;
* every candidate that allows it gets its ``-``/``_`` swapped variant; vendors also get
  their prefixes split at ``-``/``_`` (``gcc-12-base`` → ``gcc-12``, ``gcc``);
* the CPEs are vendor × product, most specific first (longest vendor+product, then by text),
  in the formatted-string binding (NISTIR 7695 §6.2: every character but letters, digits,
  ``-``, ``.`` and ``_`` is quoted with a backslash).

Not re-stated: syft's hand-kept addition/removal tables and its NVD dictionary look-up for
npm/gem/pypi/crates, so a few ecosystem packages get other candidates than syft's.
Pure: a ``FoundPackage`` in, CPE strings out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from reporter.catalog.interface import FoundPackage

__all__ = ["cpe_candidates", "format_cpe"]

_UNQUOTED = re.compile(r"[A-Za-z0-9._-]")
_SPLIT = re.compile(r"([-_])")


@dataclass(frozen=True, slots=True)
class _Candidate:
    value: str
    variations: bool = True  # add the -/_ swapped spelling
    subselections: bool = True  # add the prefixes split at - and _


def _quote(value: str) -> str:
    return "".join(c if _UNQUOTED.fullmatch(c) else "\\" + c for c in value)


def _bindable(value: str) -> bool:
    # A WFN value holds printable ASCII only, no spaces (NISTIR 7695 §5.3.2): a name with a
    # control character or a non-ASCII letter gets no CPE rather than a wrong one.
    return all("!" <= c <= "~" for c in value)


def format_cpe(vendor: str, product: str, version: str) -> str:
    """``cpe:2.3:a:vendor:product:version:*:*:*:*:*:*:*`` with each part quoted."""
    version_part = _quote(version) if version else "*"
    return f"cpe:2.3:a:{_quote(vendor)}:{_quote(product)}:{version_part}:*:*:*:*:*:*:*"


def _person(text: str) -> str:
    # syft's normalizePersonName: lower case, spaces to underscores, trimmed
    return "_".join(text.strip().lower().split())


def _go_parts(name: str) -> tuple[str, str]:
    parts = [p for p in name.split("/") if p]
    if len(parts) < 3 and not name.startswith("gopkg.in/"):
        return "", ""
    if name.startswith(("golang.org/x/", "go.googlesource.com/")):
        return "golang", parts[2] if len(parts) > 2 else ""
    return parts[1].lower(), parts[2].lower() if len(parts) > 2 else ""


def _products(found: FoundPackage) -> list[_Candidate]:
    if found.type == "go-module":
        product = _go_parts(found.name)[1]
        return [_Candidate(product)] if product else []
    names = [found.name]
    if found.type == "python" and not found.name.startswith("python"):
        names.append(f"python-{found.name}")
    if found.type == "java-archive":
        artifact = dict(found.metadata).get("artifact_id", "")
        if artifact:
            names.append(artifact)
    return [_Candidate(n) for n in dict.fromkeys(names) if n and n != "*"]


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


def _vendors(found: FoundPackage, products: list[_Candidate]) -> list[_Candidate]:
    metadata = dict(found.metadata)
    if found.type == "go-module":
        vendor = _go_parts(found.name)[0]
        return [_Candidate(vendor)] if vendor else []
    vendors = [_Candidate(p.value) for p in products]
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
    if found.type == "java-archive":
        for key in ("group_id", "organization"):
            if metadata.get(key):
                vendors.append(_Candidate(metadata[key].lower()))
    return [v for v in vendors if v.value not in ("", "*")]


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


def cpe_candidates(found: FoundPackage) -> tuple[str, ...]:
    """The CPEs syft would generate for the package, most specific first."""
    products = _variations(_products(found))
    if not products:
        return ()
    vendors = _subselections(_variations(_vendors(found, products)))
    vendor_values = list(dict.fromkeys(v.value for v in vendors))
    product_values = list(dict.fromkeys(p.value for p in products))
    if not _bindable(found.version):
        return ()
    pairs = {(v, p) for v in vendor_values for p in product_values if _bindable(v + p)}
    ordered = sorted(pairs, key=lambda vp: (-(len(vp[0]) + len(vp[1])), vp[0], vp[1]))
    return tuple(format_cpe(v, p, found.version) for v, p in ordered)
