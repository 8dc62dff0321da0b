"""Which config labels this image inherited from its base (issue 12, item 7).

Labels are config (image-spec config.md ``config.Labels``), and a build starts from its base's
config: every label of the base stays unless the Dockerfile sets it again. So a label is only
*this* image's claim when this build set it. ``inherited_labels`` tells them apart, per key:

1. **this build's history sets it** — a ``LABEL`` entry at or after the build boundary
   (``baseimage.history_boundaries``): this image's, whatever the base says. BuildKit writes
   ``LABEL k=v k2=v2`` in ``created_by``; buildah and classic Docker write
   ``/bin/sh -c #(nop) LABEL k="v"``.
2. **the base's own config has the same value** — the base given with ``--base`` or another image
   of the same input, when its ``diff_ids`` are a proper prefix of ours: inherited.
3. **a LABEL entry before the boundary sets it** (and rule 1 did not apply): inherited.

Anything else stays this image's: a label no ``LABEL`` entry sets may come from
``docker build --label`` / ``buildah bud --label``, which write no history. When history cannot
tell where this build started, only rule 2 speaks.

Where the build starts is ``baseimage.history_boundaries``'s final boundary: BuildKit's first
trailing ``buildkit.dockerfile.v0`` entry; buildah's ``FROM <name>`` comment, which ``--layers``
writes on the build's first entry and ``--layers=false`` on its *last* — then the empty,
comment-less entries just before it are this build's steps too (the base's history ends at its
committed layer or at a commented entry).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from reporter.image import instruction
from reporter.model import Fact, ImageDescription

from .baseimage import history_boundaries

__all__ = ["build_start", "inherited_labels", "label_keys", "mark_inherited"]

# a key at the start or after a blank: ``k=``, ``"k"=``; values may be quoted or (BuildKit) not
_KEY = re.compile(r'(?:^|\s)(?:"([^"=]+)"|([^\s"=]+))=')


def label_keys(created_by: str) -> frozenset[str]:
    """The label keys one history entry's ``LABEL`` instruction sets (empty if not a LABEL).

    BuildKit does not quote values (``LABEL a=x y b=z``), so a value holding `` word=`` would
    read as another key: a rare over-count, which only makes a label look like this build's.
    """
    word, rest = instruction(created_by)
    if word != "LABEL":
        return frozenset()
    return frozenset(m.group(1) or m.group(2) for m in _KEY.finditer(rest))


def build_start(desc: ImageDescription) -> int | None:
    """The index of this build's first history entry, or ``None`` when history cannot tell."""
    _, final = history_boundaries(desc)
    return None if final is None else final.entry


def _prefix_bases(
    desc: ImageDescription, bases: Sequence[ImageDescription]
) -> list[ImageDescription]:
    ours = desc.config.diff_ids
    return [
        b
        for b in bases
        if b.config.diff_ids
        and len(b.config.diff_ids) < len(ours)
        and ours[: len(b.config.diff_ids)] == b.config.diff_ids
    ]


def inherited_labels(desc: ImageDescription, bases: Sequence[ImageDescription]) -> dict[str, str]:
    """label key → how we know this image inherited it (the module docstring's rules)."""
    history = desc.config.history
    start = build_start(desc)
    own: set[str] = set()
    before: dict[str, int] = {}
    if start is not None:
        for n, entry in enumerate(history):
            keys = label_keys(entry.created_by)
            if n >= start:
                own |= keys
            else:
                before.update(dict.fromkeys(keys, n))
    matched = _prefix_bases(desc, bases)
    out: dict[str, str] = {}
    for key, value in sorted(desc.config.labels.items()):
        if key in own:
            continue
        base = next((b for b in matched if b.config.labels.get(key) == value), None)
        if base is not None:
            name = base.target.refs[0] if base.target.refs else base.target.manifest.digest
            out[key] = f"the base {name} has the same label"
        elif key in before:
            assert start is not None
            out[key] = f"set by history entry {before[key]}; this build starts at entry {start}"
    return out


def mark_inherited(facts: Sequence[Fact], inherited: Mapping[str, str]) -> tuple[Fact, ...]:
    """Label facts (origin ``label``) of inherited keys, marked with how that was told."""
    return tuple(
        replace(f, inherited=inherited[f.key]) if f.origin == "label" and f.key in inherited else f
        for f in facts
    )
