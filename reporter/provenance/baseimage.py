"""Which image this one was built on, with evidence and a confidence; and whether it is stale.

``find_base`` weighs, strongest first:

1. **layer prefix** — a supplied candidate whose ``diff_ids`` are a proper prefix of ours
   (``high``; the longest wins; ties prefer the one the base annotation's digest names).
2. **base annotation / label** — ``org.opencontainers.image.base.name`` / ``base.digest``
   (``medium``; ``high`` when a supplied image has that manifest or index digest and its layers
   are a prefix). Labels are inherited from base images, so a label marked ``inherited``
   (``labels.inherited_labels``: the base has it, or only a LABEL before this build sets it), a
   label a matched candidate also carries, or one that names an *ancestor* (an earlier build
   boundary in history), is disregarded and said so in ``note``. Empty ``base.name`` /
   ``base.digest`` annotations with no other claim (buildah FROM scratch) say "built FROM
   scratch" (``BaseImage.scratch``, no name).
3. **buildpacks run image** — ``runImage.topLayer`` located in our ``diff_ids`` (``medium``).
4. **provenance materials / buildinfo sources** of type docker-image, minus build tooling
   (frontend ``# syntax`` images, the SBOM scanner). When BuildKit recorded the layers it pulled
   for an input (mode=max), the input is the base only if those layers open our layer list
   (``medium``) and is ruled out otherwise. One remaining input: ``low``. Several: none is
   picked unless history names one of them; ``note`` says why.
5. **history** — the build boundary: the first entry of the trailing run of
   ``comment: buildkit.dockerfile.v0`` entries, or buildah's last ``FROM <name>`` comment (when
   that is the last entry, as ``--layers=false`` writes it, the empty uncommented entries just
   before it too); the
   non-empty layers before it came from the base (``low``; ``layer_count`` only, and the name
   buildah wrote). A boundary at the very first entry is not evidence (FROM scratch and a base
   built by the same tool look alike).

``check_base`` rules (``BaseCheck.verdict``):

* ``current`` — the newer base's ``diff_ids`` are a (non-empty) prefix of the image's.
* ``stale`` — otherwise, when (a) a base claim (annotation / label, buildpacks run image or a
  provenance input) names the newer base's repository with a digest that is not the newer base's
  manifest or index digest, or names it without a digest; or (a') no claim names it, but the labels
  that say what the base is (``source``, ``title``), which this image *inherited*
  (``labels.inherited_labels``), are the newer base's own; or (b) nothing names a repository, but
  the image shares a non-empty proper prefix with the newer base and history says the image's
  base had exactly as many layers as the newer base (same base rebuilt with new top layers).
* ``unknown`` — anything else, with the reason (no shared layers and no claim; a claim for
  another repository; a shared prefix that could be a common ancestor; contradictory evidence).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reporter.model import BaseImage, Evidence, Fact, ImageDescription, Provenance, Source

from .common import ImageRef, is_digest, parse_ref

__all__ = ["BaseCheck", "HistoryBoundary", "check_base", "find_base", "history_boundaries"]

TOOLING_REPOSITORIES = frozenset(
    {
        "docker.io/docker/buildkit-syft-scanner",
        "docker.io/docker/dockerfile",
        "docker.io/docker/dockerfile-upstream",
        "docker.io/docker/dockerfile-copy",
    }
)
BUILDKIT_COMMENT = "buildkit.dockerfile.v0"
_HEX_ID = re.compile(r"^(?:sha256:)?[0-9a-f]{12,64}$")
_BUILD_ORIGINS = ("attestation", "metadata-file", "config-buildinfo")


@dataclass(frozen=True, slots=True)
class BaseCheck:
    verdict: str  # current | stale | unknown
    reason: str
    old_digest: str = ""  # the base digest the image was built on, when known
    new_digest: str = ""  # the supplied newer base's manifest digest
    old_layer_count: int | None = None  # how many of the image's layers came from its base
    new_layer_count: int | None = None  # how many layers the newer base has
    shared_layer_count: int = 0  # length of the common diff_id prefix
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class HistoryBoundary:
    entry: int  # history index where a build starts
    layer_count: int  # non-empty layers before it
    marker: str  # "buildkit" | "buildah"
    name: str = ""  # buildah's FROM <name>


# ---------------------------------------------------------------------------------------- helpers


def _name(ref: ImageRef) -> str:
    return f"{ref.repository}:{ref.tag}" if ref.tag else ref.repository


def _candidate_name(desc: ImageDescription) -> str:
    return desc.target.refs[0] if desc.target.refs else ""


def _digests_of(desc: ImageDescription) -> set[str]:
    return {desc.target.manifest.digest, *desc.target.parents} - {""}


def _buildkit_marked(comment: str, created_by: str) -> bool:
    return comment == BUILDKIT_COMMENT or created_by.endswith("# buildkit")


def _buildah_from(comment: str) -> str | None:
    """``FROM <name>`` → name; ``FROM <image id>`` (a step of the same build) → ``None``."""
    if not comment.startswith("FROM "):
        return None
    name = comment[5:].strip()
    return None if not name or _HEX_ID.match(name) else name


def history_boundaries(
    desc: ImageDescription,
) -> tuple[tuple[HistoryBoundary, ...], HistoryBoundary | None]:
    """All build boundaries in history (oldest first) and the final build's, if it can be told.

    History is trusted only when its non-empty entries match the number of ``diff_ids``.
    """
    history = desc.config.history
    if not history or sum(not h.empty_layer for h in history) != len(desc.config.diff_ids):
        return (), None
    before: list[int] = []
    count = 0
    for entry in history:
        before.append(count)
        count += 0 if entry.empty_layer else 1
    marks = [_buildkit_marked(h.comment, h.created_by) for h in history]
    found: list[HistoryBoundary] = []
    for i, entry in enumerate(history):
        name = _buildah_from(entry.comment)
        if name is not None:
            found.append(HistoryBoundary(i, before[i], "buildah", name))
        elif marks[i] and i > 0 and not marks[i - 1]:
            found.append(HistoryBoundary(i, before[i], "buildkit"))
    final: HistoryBoundary | None = None
    last = len(history) - 1
    if found:
        cand = found[-1]
        tail = history[cand.entry :]
        buildkit_tail = cand.marker == "buildkit" and all(marks[cand.entry :])
        buildah_tail = cand.marker == "buildah" and all(h.comment.startswith("FROM ") for h in tail)
        if buildkit_tail or buildah_tail:
            final = cand
        if final is not None and final.entry == 0 and last >= 0 and final.marker == "buildkit":
            final = None
        if final is not None and final.marker == "buildah" and final.entry == last:
            # buildah --layers=false writes its FROM comment on the build's *last* entry; the
            # empty, comment-less steps just before it are the same build's
            start = final.entry
            while start > 0 and history[start - 1].empty_layer and not history[start - 1].comment:
                start -= 1
            final = found[-1] = HistoryBoundary(start, before[start], final.marker, final.name)
    return tuple(found), final


def _facts(provenance: Provenance, key: str) -> list[Fact]:
    return [f for f in provenance.facts if f.key == key]


def _base_claims(provenance: Provenance) -> list[tuple[Fact, Fact | None]]:
    """(base.name or lone base.digest fact, its digest fact) per place, strongest first."""
    by_place: dict[tuple[str, str], dict[str, Fact]] = {}
    for fact in provenance.facts:
        if fact.value and fact.key in (
            "org.opencontainers.image.base.name",
            "org.opencontainers.image.base.digest",
        ):
            by_place.setdefault((fact.origin, fact.origin_detail), {})[
                fact.key.rsplit(".", 1)[1]
            ] = fact
    order = {"annotation": 0, "label": 1}
    detail_order = {"manifest": 0, "descriptor": 1}
    claims = []
    for place in sorted(
        by_place, key=lambda p: (order.get(p[0], 2), detail_order.get(p[1], 2), p[1])
    ):
        got = by_place[place]
        main = got.get("name") or got["digest"]
        claims.append((main, got.get("digest")))
    return claims


def _claim_ref(name_fact: Fact, digest_fact: Fact | None) -> tuple[ImageRef | None, str]:
    ref = parse_ref(name_fact.value) if name_fact.key.endswith(".name") else None
    digest = digest_fact.value if digest_fact is not None else (ref.digest if ref else "")
    if name_fact.key.endswith(".digest"):
        digest = name_fact.value
    return ref, digest if is_digest(digest) else ""


def _image_inputs(provenance: Provenance) -> tuple[list[Source], list[str]]:
    """docker-image build inputs (deduplicated), minus build tooling; and what was left out."""
    frontend_images = {
        r.repository
        for f in _facts(provenance, "frontend.image")
        if (r := parse_ref(f.value)) is not None
    }
    kept: dict[tuple[str, str, str], Source] = {}
    tooling: set[str] = set()
    for source in provenance.sources:
        if source.type != "docker-image" or source.origin not in _BUILD_ORIGINS:
            continue
        ref = parse_ref(source.ref)
        if ref is None:
            continue
        if ref.repository in TOOLING_REPOSITORIES or ref.repository in frontend_images:
            tooling.add(_name(ref))
            continue
        pin = source.pin if is_digest(source.pin) else ref.digest
        kept.setdefault((ref.repository, ref.tag, pin), source)
    return [kept[k] for k in sorted(kept)], sorted(tooling)


def _layer_map(provenance: Provenance) -> list[tuple[ImageRef, tuple[str, ...]]]:
    out = []
    for fact in provenance.facts:
        if fact.key.startswith("material-layers:"):
            ref = parse_ref(fact.key.removeprefix("material-layers:"))
            if ref is not None:
                out.append((ref, tuple(d for d in fact.value.split(",") if d)))
    return out


def _source_matches(source: Source, ref: ImageRef) -> bool:
    other = parse_ref(source.ref)
    if other is None or not other.same_image(ref):
        return False
    pin = source.pin if is_digest(source.pin) else other.digest
    return not (pin and ref.digest and pin != ref.digest)


# ---------------------------------------------------------------------------------------- find_base


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What step (4) learnt from the build's docker-image inputs."""

    inputs: tuple[Source, ...]  # every docker-image input, minus build tooling
    confirmed: tuple[tuple[Source, int], ...]  # inputs whose recorded layers open ours (count)
    ruled_out: tuple[Source, ...]  # inputs whose recorded layers are not ours
    open_inputs: tuple[Source, ...]  # inputs with no recorded layers either way


def find_base(
    desc: ImageDescription, provenance: Provenance, candidates: Sequence[ImageDescription]
) -> BaseImage:
    """Weigh the evidence in the module docstring's order; every step adds its ``Evidence`` and
    notes, and the strongest answer wins."""
    evidence: list[Evidence] = []
    notes: list[str] = []
    boundaries, final = history_boundaries(desc)
    claims = _base_claims(provenance)
    claim_digests = {d for n, df in claims for d in [_claim_ref(n, df)[1]] if d}
    matches, best = _by_layer_prefix(desc, candidates, claim_digests, evidence, notes)
    ancestor_names = [b.name for b in boundaries if b is not final and b.name]
    usable_claim = _by_base_claims(claims, matches, best, ancestor_names, evidence, notes)
    run_layer, run_source = _by_buildpacks(desc, provenance, evidence, notes)
    found = _by_build_inputs(desc, provenance, evidence)
    _by_history(desc, final, evidence, notes)

    def result(name: str, digest: str, confidence: str, count: int | None) -> BaseImage:
        if name == "scratch" and not digest:  # no base: nothing for an SBOM to descend from
            return BaseImage("", "", confidence, 0, tuple(evidence), "; ".join(notes), True)
        return BaseImage(name, digest, confidence, count, tuple(evidence), "; ".join(notes))

    if best is not None:
        return result(
            _candidate_name(best), best.target.manifest.digest, "high", len(best.config.diff_ids)
        )
    if usable_claim is not None:
        name, digest, count = _claim_answer(
            usable_claim, candidates, found, run_layer, final, evidence, notes
        )
        return result(name, digest, "medium", count)
    if run_layer is not None or run_source is not None:
        ref = parse_ref(run_source.ref) if run_source is not None else None
        return result(
            _name(ref) if ref else "", run_source.pin if run_source else "", "medium", run_layer
        )
    answer = _inputs_answer(desc, found, final, notes, result)
    if answer.confidence == "none" and _scratch_annotation(provenance, boundaries, evidence):
        notes[:] = [n for n in notes if not n.startswith("history cannot tell")]
        return result("scratch", "", "medium", 0)
    return answer


def _scratch_annotation(
    provenance: Provenance, boundaries: Sequence[HistoryBoundary], evidence: list[Evidence]
) -> bool:
    """buildah writes the ``base.name`` / ``base.digest`` manifest annotations with empty values
    when it builds FROM scratch (its commit copies the from-image's name and digest, none): with
    no other base claim and no ``FROM <name>`` in history, that says "no base"."""
    empty = [
        f
        for f in provenance.facts
        if f.origin == "annotation"
        and f.key == "org.opencontainers.image.base.name"
        and not f.value
    ]
    if not empty or any(b.name for b in boundaries):
        return False
    evidence.append(
        Evidence(
            "annotation",
            "base.name / base.digest are empty: the image was built FROM scratch",
            f"annotation {empty[0].origin_detail}",
        )
    )
    return True


def _by_layer_prefix(
    desc: ImageDescription,
    candidates: Sequence[ImageDescription],
    claim_digests: set[str],
    evidence: list[Evidence],
    notes: list[str],
) -> tuple[list[ImageDescription], ImageDescription | None]:
    """(1) Supplied images whose diff_ids open ours, and the best of them (the longest; ties
    prefer the one a base claim's digest names)."""
    ours = desc.config.diff_ids
    matches = [
        c
        for c in candidates
        if c.config.diff_ids
        and len(c.config.diff_ids) < len(ours)
        and ours[: len(c.config.diff_ids)] == c.config.diff_ids
        and c.target.manifest.digest != desc.target.manifest.digest
    ]
    if not matches:
        return matches, None
    longest = max(len(c.config.diff_ids) for c in matches)
    tied = [c for c in matches if len(c.config.diff_ids) == longest]
    tied.sort(
        key=lambda c: (
            not (_digests_of(c) & claim_digests),
            _candidate_name(c),
            c.target.manifest.digest,
        )
    )
    best = tied[0]
    evidence.append(
        Evidence(
            "layer-prefix",
            f"the first {longest} diff_ids are those of supplied image "
            f"{_candidate_name(best) or '(unnamed)'} ({best.target.manifest.digest})",
            "candidate",
        )
    )
    if len(tied) > 1:
        others = ", ".join(_candidate_name(c) or c.target.manifest.digest for c in tied[1:])
        notes.append(f"also a {longest}-layer prefix: {others}")
    return matches, best


def _by_base_claims(
    claims: list[tuple[Fact, Fact | None]],
    matches: list[ImageDescription],
    best: ImageDescription | None,
    ancestor_names: list[str],
    evidence: list[Evidence],
    notes: list[str],
) -> tuple[ImageRef | None, str, Fact] | None:
    """(2) Base annotations and labels; the first one not inherited is the usable claim."""
    usable_claim: tuple[ImageRef | None, str, Fact] | None = None
    for name_fact, digest_fact in claims:
        ref, digest = _claim_ref(name_fact, digest_fact)
        where = f"{name_fact.origin} {name_fact.origin_detail}"
        if name_fact.inherited:
            notes.append(
                f"label {name_fact.key}={name_fact.value!r} is inherited from the base "
                f"({name_fact.inherited}); not used"
            )
            evidence.append(
                Evidence("annotation", f"inherited label names {name_fact.value} (ignored)", where)
            )
            continue
        if name_fact.origin == "label":
            inherited_from = [
                c for c in matches if c.config.labels.get(name_fact.key) == name_fact.value
            ]
            ancestor = ref is not None and any(
                (a := parse_ref(n)) is not None and a.same_image(ref) for n in ancestor_names
            )
            if inherited_from or ancestor:
                notes.append(
                    f"label {name_fact.key}={name_fact.value!r} is inherited from "
                    + ("the supplied base" if inherited_from else "an ancestor build (history)")
                    + "; not used"
                )
                evidence.append(
                    Evidence(
                        "annotation", f"inherited label names {name_fact.value} (ignored)", where
                    )
                )
                continue
        agrees = best is not None and (
            (digest and digest in _digests_of(best))
            or (
                ref is not None
                and any(
                    (r := parse_ref(x)) is not None and r.same_image(ref) for x in best.target.refs
                )
            )
        )
        detail = f"names {name_fact.value}" + (
            f" at {digest}" if digest and digest != name_fact.value else ""
        )
        if best is not None:
            detail += (
                "; agrees with the layer prefix" if agrees else "; does not match the supplied base"
            )
        evidence.append(Evidence("annotation", detail, where))
        if usable_claim is None:
            usable_claim = (ref, digest, name_fact)
    return usable_claim


def _by_buildpacks(
    desc: ImageDescription, provenance: Provenance, evidence: list[Evidence], notes: list[str]
) -> tuple[int | None, Source | None]:
    """(3) The buildpacks run image: how many of our layers it holds, and its source."""
    ours = desc.config.diff_ids
    run_layer: int | None = None
    run_source = next((s for s in provenance.sources if s.origin == "buildpacks"), None)
    for fact in _facts(provenance, "buildpacks.run-image.top-layer"):
        if fact.value in ours:
            run_layer = ours.index(fact.value) + 1
            evidence.append(
                Evidence(
                    "buildpacks", f"run image top layer is our layer {run_layer - 1}", "buildpacks"
                )
            )
        else:
            notes.append("buildpacks run image top layer is not among this image's diff_ids")
    return run_layer, run_source


def _by_build_inputs(
    desc: ImageDescription, provenance: Provenance, evidence: list[Evidence]
) -> _Inputs:
    """(4) Provenance / buildinfo image inputs, confirmed or ruled out by the layers BuildKit
    recorded for them."""
    layer_digests = tuple(layer.digest for layer in desc.layers)
    inputs, tooling = _image_inputs(provenance)
    if tooling:
        evidence.append(
            Evidence("provenance-material", "build tooling, not a base: " + ", ".join(tooling))
        )
    confirmed: list[tuple[Source, int]] = []
    ruled_out: list[Source] = []
    layer_map = _layer_map(provenance)
    for source in inputs:
        layers = next((digests for ref, digests in layer_map if _source_matches(source, ref)), None)
        if layers is None:
            continue
        if layer_digests[: len(layers)] == layers and len(layers) <= len(layer_digests):
            confirmed.append((source, len(layers)))
            evidence.append(
                Evidence(
                    "provenance-material",
                    f"{source.ref} layers open this image ({len(layers)})",
                    source.origin,
                )
            )
        else:
            ruled_out.append(source)
            evidence.append(
                Evidence(
                    "provenance-material",
                    f"{source.ref} was a build input whose layers are not in this image",
                    source.origin,
                )
            )
    open_inputs = [
        s for s in inputs if s not in ruled_out and all(s is not c for c, _ in confirmed)
    ]
    for source in open_inputs:
        evidence.append(
            Evidence(
                "provenance-material",
                f"image input {source.ref} {source.pin}".strip(),
                source.origin,
            )
        )
    return _Inputs(tuple(inputs), tuple(confirmed), tuple(ruled_out), tuple(open_inputs))


def _by_history(
    desc: ImageDescription,
    final: HistoryBoundary | None,
    evidence: list[Evidence],
    notes: list[str],
) -> None:
    """(5) The build boundary in history."""
    if final is not None:
        evidence.append(
            Evidence(
                "history",
                f"{final.marker} build starts at history entry {final.entry} "
                f"after {final.layer_count} layers"
                + (f" (FROM {final.name})" if final.name else ""),
                "history",
            )
        )
    elif desc.config.history:
        notes.append("history cannot tell where this build started")


def _claim_answer(
    usable_claim: tuple[ImageRef | None, str, Fact],
    candidates: Sequence[ImageDescription],
    found: _Inputs,
    run_layer: int | None,
    final: HistoryBoundary | None,
    evidence: list[Evidence],
    notes: list[str],
) -> tuple[str, str, int | None]:
    """The base a usable claim names, (name, digest, layer count): the count from a confirmed
    input of the same image, else the buildpacks run image, else history's boundary."""
    ref, digest, _ = usable_claim
    name = _name(ref) if ref is not None else ""
    count: int | None = None
    confirmed_by = [c for c in candidates if digest and digest in _digests_of(c)]
    for c in confirmed_by:
        evidence.append(
            Evidence(
                "annotation",
                f"supplied image {c.target.manifest.digest} has that digest",
                "candidate",
            )
        )
        notes.append("the supplied image with the base digest does not share our first layers")
    same = [n for s, n in found.confirmed if ref is not None and _source_matches(s, ref)]
    if same:
        count = same[0]
    elif run_layer is not None:
        count = run_layer
    elif final is not None and (
        not final.name
        or (ref is not None and (f := parse_ref(final.name)) is not None and f.same_image(ref))
    ):
        count = final.layer_count
    return name, digest, count


def _inputs_answer(
    desc: ImageDescription,
    found: _Inputs,
    final: HistoryBoundary | None,
    notes: list[str],
    result: Callable[[str, str, str, int | None], BaseImage],
) -> BaseImage:
    """With no layer prefix, claim or run image: the build inputs, then history, then scratch
    (every input a build stage: ``scratch``), else none."""
    confirmed, open_inputs = found.confirmed, found.open_inputs
    if len(confirmed) == 1:
        source, count = confirmed[0]
        return result(source.ref, source.pin, "medium", count)
    if len(open_inputs) == 1 and not confirmed:
        source = open_inputs[0]
        notes.append(
            "provenance names one image input; a multi-stage build may have used it only "
            "as a build stage"
        )
        return result(source.ref, source.pin, "low", final.layer_count if final else None)
    if len(open_inputs) > 1:
        by_history = [
            s
            for s in open_inputs
            if final is not None
            and final.name
            and (f := parse_ref(final.name)) is not None
            and _source_matches(s, f)
        ]
        names = ", ".join(s.ref for s in open_inputs)
        if len(by_history) == 1:
            notes.append(
                f"several image inputs ({names}); history's FROM names {by_history[0].ref}"
            )
            return result(
                by_history[0].ref, by_history[0].pin, "low", final.layer_count if final else None
            )
        notes.append(
            f"several image inputs ({names}): multi-stage build inputs cannot be told from the base"
        )
    if final is not None:
        return result(final.name, "", "low", final.layer_count)
    if (
        found.inputs
        and len(found.ruled_out) == len(found.inputs)
        and not confirmed
        and desc.config.history
        and all(_buildkit_marked(h.comment, h.created_by) for h in desc.config.history)
    ):
        notes.append("every image input was a build stage and every history entry is this build's")
        return result("scratch", "", "low", 0)
    return result("", "", "none", None)


# --------------------------------------------------------------------------------------- check_base


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


IDENTITY_LABELS = ("org.opencontainers.image.source", "org.opencontainers.image.title")


def _inherited_identity(provenance: Provenance, newer_base: ImageDescription) -> list[str]:
    """``key=value`` of the labels naming what the base is (its source repository, its title)
    that this image inherited and the newer base also carries; none when one of them differs."""
    inherited = {
        f.key: f.value
        for f in provenance.facts
        if f.inherited and f.origin == "label" and f.key in IDENTITY_LABELS
    }
    theirs = newer_base.config.labels
    shared = [k for k in IDENTITY_LABELS if k in inherited and k in theirs]
    if not shared or any(inherited[k] != theirs[k] for k in shared):
        return []
    return [f"{k}={inherited[k]}" for k in shared]


def check_base(
    image: ImageDescription,
    provenance: Provenance,
    newer_base: ImageDescription,
    newer_base_refs: Sequence[str] = (),
) -> BaseCheck:
    """Is ``image`` built on ``newer_base`` (current), on an older version (stale), or unknown."""
    ours = image.config.diff_ids
    new = newer_base.config.diff_ids
    new_digest = newer_base.target.manifest.digest
    new_digests = _digests_of(newer_base)
    shared = _common_prefix(ours, new)
    evidence: list[Evidence] = [
        Evidence(
            "layer-prefix",
            f"{shared} leading diff_ids shared; newer base has {len(new)}",
            "candidate",
        )
    ]
    _, final = history_boundaries(image)

    def check(verdict: str, reason: str, old: str = "", old_count: int | None = None) -> BaseCheck:
        return BaseCheck(
            verdict, reason, old, new_digest, old_count, len(new), shared, tuple(evidence)
        )

    if new and shared == len(new):
        return check(
            "current",
            f"the image's first {len(new)} layers are the newer base's",
            new_digest,
            len(new),
        )

    repos = {
        r.repository
        for text_ref in (*newer_base_refs, *newer_base.target.refs)
        if (r := parse_ref(text_ref)) is not None
    }
    # base claims: annotations / labels, buildpacks run image, provenance image inputs
    claims: list[tuple[ImageRef | None, str, str]] = []
    for name_fact, digest_fact in _base_claims(provenance):
        if name_fact.inherited:  # the base's claim about *its* base (an ancestor)
            continue
        ref, digest = _claim_ref(name_fact, digest_fact)
        claims.append((ref, digest, f"{name_fact.origin} {name_fact.origin_detail}"))
    inputs, _ = _image_inputs(provenance)
    for source in [*inputs, *(s for s in provenance.sources if s.origin == "buildpacks")]:
        ref = parse_ref(source.ref)
        pin = source.pin if is_digest(source.pin) else (ref.digest if ref else "")
        claims.append((ref, pin, f"{source.origin} {source.origin_detail}".strip()))

    old_count = final.layer_count if final is not None else None
    named = [(r, d, w) for r, d, w in claims if r is not None and r.repository in repos]
    for ref, digest, where in named:
        assert ref is not None
        if digest and digest in new_digests:
            evidence.append(
                Evidence(
                    "annotation", f"{where} pins {_name(ref)} to the newer base's digest", where
                )
            )
            return check(
                "unknown",
                f"{where} pins the newer base's digest {digest}, but the image's layers "
                "do not start with its layers",
                digest,
                old_count,
            )
    for ref, digest, where in named:
        assert ref is not None
        kind = "annotation" if where.startswith(("annotation", "label")) else "provenance-material"
        if digest:
            evidence.append(
                Evidence(
                    kind, f"{where} pins {_name(ref)}@{digest}; newer base is {new_digest}", where
                )
            )
            return check(
                "stale",
                f"built on {_name(ref)}@{digest}; the newer base {new_digest} is another "
                "version of that repository",
                digest,
                old_count,
            )
        evidence.append(Evidence(kind, f"{where} names {_name(ref)} without a digest", where))
        return check(
            "stale",
            f"{where} names {_name(ref)}, and the image's layers diverge from the newer base after "
            f"{shared} of {len(new)}",
            "",
            old_count,
        )
    same_labels = _inherited_identity(provenance, newer_base)
    rebuilt = final is not None and final.layer_count == len(new) and 0 < shared < len(new)
    if same_labels and not named and new and not rebuilt:  # rebuilt: the more telling reason
        evidence.append(
            Evidence(
                "annotation",
                "labels this image inherited from its base are the newer base's: "
                + ", ".join(same_labels),
                "label config",
            )
        )
        pinned = sorted({d for r, d, w in claims if d})
        return check(
            "stale",
            "the image inherited from its base "
            + " and ".join(same_labels)
            + f", as the newer base has it; their layers diverge after {shared} of {len(new)}",
            pinned[0] if len(pinned) == 1 else "",
            old_count,
        )
    by_digest = [d for r, d, w in claims if d and d in new_digests]
    if by_digest:
        return check(
            "unknown",
            "a base claim pins the newer base's digest but the layers do not match",
            by_digest[0],
            old_count,
        )
    other = sorted({_name(r) for r, _, _ in claims if r is not None})
    if not new:
        return check("unknown", "the newer base has no layers (diff_ids) to compare")
    if shared == 0:
        reason = "the image shares no layers with the newer base"
        if other:
            reason += f"; its base claims name {', '.join(other)}"
        return check("unknown", reason, "", old_count)
    if rebuilt:
        assert final is not None
        evidence.append(
            Evidence(
                "history",
                f"the image's base had {final.layer_count} layers, like the newer base; "
                f"they share {shared}",
                "history",
            )
        )
        return check(
            "stale",
            f"the image's {final.layer_count}-layer base shares its first {shared} layers "
            "with the newer base and differs after: the same base, rebuilt",
            "",
            final.layer_count,
        )
    reason = (
        f"the image shares its first {shared} of the newer base's {len(new)} layers; that may be a "
        "common ancestor, and nothing names the newer base's repository"
    )
    if other:
        reason += f" (base claims name {', '.join(other)})"
    return check("unknown", reason, "", old_count)
