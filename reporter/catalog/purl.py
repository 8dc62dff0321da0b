"""The one package-URL builder of every cataloger (https://github.com/package-url/purl-spec).

``purl(type, namespace, name, version, qualifiers, subpath)`` spells
``pkg:type/ns1/ns2/name@version?k=v&...#subpath``. Two spellings are kept, each byte-identical
to what the catalogers emitted before there was one builder (the goldens and the syft-parity
tests hold them):

* language ecosystems (pypi, npm, composer, golang, cargo, gem, maven): syft 1.18.1's
  (packageurl-go's) escaping, measured on syft itself (every printable ASCII character put
  through npm and composer names and versions): space, ``#``, ``+``, ``?``, ``@`` and every
  byte outside printable ASCII are percent-encoded, all else is left as is (``%``, ``(``,
  ``/`` included). So ``@scope`` → ``%40scope``, ``v1.0.0+incompatible`` →
  ``v1.0.0%2Bincompatible``, ``(devel)`` stays ``(devel)``;
* OS packages (deb, apk, rpm), which carry qualifiers: packageurl-python's ``to_string``,
  which encodes more (``!``, ``(``, ``,``, ...). On the names real distros use (letters,
  digits, ``.+-~:_``) both spellings agree; unifying them for the rest would change output.
"""

from __future__ import annotations

from collections.abc import Mapping

from packageurl import PackageURL

from reporter.catalog.interface import Distro

__all__ = ["distro_qualifier", "purl", "scoped_purl"]

# The types whose purls are spelled by packageurl-python (see the module docstring); the
# binary classifiers' ``generic`` purls (``pkg:generic/oracle/jdk@…?repository_url=…``) too.
_PACKAGEURL_TYPES = frozenset(("deb", "apk", "rpm", "generic"))
_ESCAPED = frozenset(b" #+?@")


def _escape(text: str) -> str:
    return "".join(
        f"%{byte:02X}" if byte in _ESCAPED or not 0x21 <= byte <= 0x7E else chr(byte)
        for byte in text.encode("utf-8", "surrogatepass")
    )


def purl(
    type_: str,
    namespace: str,
    name: str,
    version: str = "",
    qualifiers: Mapping[str, str] | None = None,
    subpath: str = "",
) -> str:
    """A package URL; empty ``namespace`` / ``version`` / ``subpath`` parts are left out."""
    if type_ in _PACKAGEURL_TYPES:
        return str(
            PackageURL(
                type=type_,
                namespace=namespace or None,
                name=name,
                version=version or None,
                qualifiers=dict(qualifiers or {}),
                subpath=subpath or None,
            ).to_string()
        )
    parts = [type_]
    parts.extend(_escape(segment) for segment in namespace.split("/") if segment)
    tail = _escape(name)
    if version:
        tail += "@" + _escape(version)
    parts.append(tail)
    text = "pkg:" + "/".join(parts)
    if qualifiers:  # pypi's vcs_url: "git%2Bfile:///src%40<commit>", as syft spells it
        text += "?" + "&".join(f"{k}={_escape(v)}" for k, v in sorted(qualifiers.items()) if v)
    if subpath:
        text += "#" + _escape(subpath)
    return text


def scoped_purl(type_: str, name: str, version: str) -> str:
    """npm's ``@scope/name`` and composer's ``vendor/name``: the part before ``/`` is the
    namespace (``@types/node`` → ``pkg:npm/%40types/node@…``)."""
    namespace, sep, local = name.partition("/")
    if not sep:
        namespace, local = "", name
    return purl(type_, namespace, local, version)


def distro_qualifier(distro: Distro) -> str:
    """The ``distro=`` qualifier syft gives OS packages: ``<id>-<version_id>``."""
    return "-".join(part for part in (distro.id, distro.version_id) if part)
