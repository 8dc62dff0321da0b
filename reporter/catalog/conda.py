"""Installed conda packages: ``<prefix>/conda-meta/<name>-<version>-<build>.json``.

conda (and mamba) write one JSON record per package linked into an environment (conda's
``PrefixRecord``: ``name``, ``version``, ``build``, ``channel``, ``subdir``, ``license``,
``files``, ``md5``/``sha256``...). syft 1.18.1 has no conda cataloger (``syft cataloger list``
shows none, and a scan of an image holding a conda-meta record finds nothing); later syft
releases add ``conda-meta-cataloger`` (``**/conda-meta/*.json``, for directory scans only),
with package type ``conda`` and no purl, which is what we emit, so that a later syft agrees.
A record without a ``name`` gives no package; a file that is not JSON is an error.
"""

from __future__ import annotations

from reporter.catalog._langutil import json_text, load_json, sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.licences import spdx_license
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

_MAX = WholeFile(64 * 1024 * 1024)  # big environments' records list every file
_MARK = "conda-meta/"


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    if not path.endswith(".json"):
        return None
    at = path.rfind(_MARK)
    if at < 0 or (at > 0 and path[at - 1] != "/") or "/" in path[at + len(_MARK) :]:
        return None
    return _MAX


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    doc = load_json(data, path)
    if not isinstance(doc, dict):
        raise CatalogError("conda-meta record is not a JSON object", where=path)
    name = json_text(doc, "name")
    if not name:
        return []
    licence = json_text(doc, "license")
    return [
        FoundPackage(
            type="conda",
            name=name,
            version=json_text(doc, "version"),
            licenses=(spdx_license(licence) or licence,) if licence else (),
            metadata=sorted_metadata(
                build=json_text(doc, "build"),
                channel=json_text(doc, "channel"),
                subdir=json_text(doc, "subdir"),
                url=json_text(doc, "url"),
                # of the package archive, not of this record: metadata, not ``hashes``
                sha256=json_text(doc, "sha256"),
            ),
        )
    ]


CATALOGER = Declared(
    name="conda-meta-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(suffixes=(".json",)),
)
