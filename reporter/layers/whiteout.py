"""The OCI whiteout rules, as pure functions over normalised paths (no leading ``/``).

image-spec layer.md, "Whiteouts":

* "A whiteout filename consists of the prefix ``.wh.`` plus the basename of the path to be
  deleted."
* "Once a whiteout is applied, the whiteout itself MUST also be hidden."
* "Whiteout files MUST only apply to resources in lower/parent layers. Files that are present in
  the same layer as a whiteout file can only be hidden by whiteout files in subsequent layers."
* "Opaque Whiteout": "An opaque whiteout entry is a file with the name ``.wh..wh..opq``
  indicating that all siblings are hidden in the lower layer" and it "hides *all* children of
  the [directory] including sub-directories and all descendants" — not the directory itself.
* The opaque marker "is applied first, before creating the new version of" its siblings,
  "regardless of the ordering in which the whiteout file was encountered".

Other names starting with ``.wh..wh.`` (AUFS bookkeeping such as ``.wh..wh.plnk``) are neither
files nor whiteouts; like moby's archive package we drop them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, TypeVar

__all__ = [
    "OPAQUE_MARKER",
    "WHITEOUT_PREFIX",
    "apply_whiteouts",
    "classify",
    "hidden_by_opaque",
    "hidden_by_whiteout",
]

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
_META_PREFIX = ".wh..wh."

T = TypeVar("T")

Marker = tuple[Literal["whiteout", "opaque", "meta"], str]


def classify(path: str) -> Marker | None:
    """What a layer entry at ``path`` means, if it is a whiteout marker.

    ``("whiteout", deleted path)``, ``("opaque", directory)`` (``""`` is the root), ``("meta",
    path)`` for AUFS bookkeeping names, or None for an ordinary entry.
    """
    parent, _, base = path.rpartition("/")
    if not base.startswith(WHITEOUT_PREFIX):
        return None
    if base == OPAQUE_MARKER:
        return ("opaque", parent)
    if base.startswith(_META_PREFIX):
        return ("meta", path)
    target = base[len(WHITEOUT_PREFIX) :]
    if target in ("", ".", ".."):  # names nothing that could be deleted
        return ("meta", path)
    return ("whiteout", f"{parent}/{target}" if parent else target)


def hidden_by_whiteout(path: str, deleted: str) -> bool:
    """A whiteout deletes the path and, for a directory, everything below it."""
    return path == deleted or path.startswith(deleted + "/")


def hidden_by_opaque(path: str, directory: str) -> bool:
    """An opaque directory hides its lower-layer descendants, but stays itself."""
    if not directory:
        return bool(path)
    return path.startswith(directory + "/")


def apply_whiteouts(
    lower: Mapping[str, T], whiteouts: Iterable[str], opaque_dirs: Iterable[str]
) -> dict[str, T]:
    """``lower`` (the view of all lower layers) minus what one upper layer's markers hide.

    Only the lower view is filtered: the upper layer's own entries are added afterwards by the
    caller, since whiteouts never apply to their own layer.
    """
    deleted = set(whiteouts)
    opaque = set(opaque_dirs)
    if "" in opaque:
        return {path: value for path, value in lower.items() if not path}
    if not deleted and not opaque:
        return dict(lower)
    kept: dict[str, T] = {}
    for path, value in lower.items():
        if path in deleted:
            continue
        hidden = False
        end = path.find("/")
        while end != -1:
            ancestor = path[:end]
            if ancestor in deleted or ancestor in opaque:
                hidden = True
                break
            end = path.find("/", end + 1)
        if not hidden:
            kept[path] = value
    return kept
