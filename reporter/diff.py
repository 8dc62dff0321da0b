"""What changed between two releases of an image, per platform. Pure: Reports in, data out.

``diff_reports(old, new)`` pairs the images of two reports by platform (``os/arch/variant``
after ``Platform.normalized()``, so ``arm64`` meets ``arm64/v8``) and compares, per pair:

- packages, keyed by ``(type, name)``, ordered with ``reporter.versions`` (the ecosystem's own
  rules); each change says whether it came with the base image's layers (``Package.base``);
- licences of packages present on both sides;
- the base image (name, digest, and whether its layers are the same);
- layers, matched by ``diff_id`` (content), so a rebuilt-but-identical layer counts as reused;
- config (user, entrypoint, cmd, working dir, ports, volumes, stop signal, env, labels),
  manifest annotations, os-release fields and provenance (builder, build type, frontend, VCS,
  build args, source pins).

CI gates: ``diff_triggers(diff, conditions)`` returns which of the requested ``--fail-on``
conditions hold; **the CLI exits with code 9 when the tuple is non-empty**. Conditions:

=====================  ==========================================================================
``added``              a package (or a platform) is new
``removed``            a package (or a platform) is gone
``upgraded``           a package moved to a newer version
``downgraded``         a package moved to an older version
``base-changed``       base image name, digest or base layers differ, or one side has none
``layers-changed``     a layer was added, removed or reordered
``config-changed``     user, entrypoint, cmd, working dir, ports, volumes, stop signal, env or a
                       label changed; labels that change with every build (``VOLATILE_LABELS``:
                       created, revision, version...) are reported but do not trigger
``provenance-changed`` builder, build type, frontend, VCS source, build args or source pins
                       changed; the VCS revision and invocation times change with every build,
                       so they are reported (revision) but do not trigger
``any``                the two sides differ at all, including manifest digests
=====================  ==========================================================================

Packages with several versions under one ``(type, name)`` (npm's nested ``node_modules``, Python
in two site-packages, jars shading a library) are matched in steps: identical versions cancel;
then versions installed in the same place (same evidence directory) pair up; then, when exactly
as many old as new versions remain, they pair in version order; whatever is left is added or
removed. A version change the scheme orders as equal (``1.0`` → ``1.0.0`` in PEP 440) is
listed as ``changed``.
"""

from __future__ import annotations

import functools
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import orjson

from . import versions
from .errors import UsageError
from .model import BaseImage, Distro, ImageReport, Layer, Package, Provenance, Report

__all__ = [
    "DIFF_SCHEMA",
    "FAIL_ON",
    "VOLATILE_LABELS",
    "BaseDiff",
    "ConfigDiff",
    "FieldChange",
    "ImageDiff",
    "KeyChange",
    "LayerDiff",
    "LayerPair",
    "LayerRef",
    "LicenseChange",
    "PackageDiff",
    "PackageRef",
    "ProvenanceDiff",
    "ReleaseDiff",
    "VersionChange",
    "diff_reports",
    "diff_triggers",
    "image_conditions",
]

DIFF_SCHEMA = "oci-reporter/diff/v1"

FAIL_ON = (
    "added",
    "removed",
    "upgraded",
    "downgraded",
    "base-changed",
    "layers-changed",
    "config-changed",
    "provenance-changed",
    "any",
)

# Labels stamped anew by every build: shown in the diff, never a config-changed trigger.
VOLATILE_LABELS = frozenset(
    {
        "org.opencontainers.image.created",
        "org.opencontainers.image.revision",
        "org.opencontainers.image.version",
        "org.label-schema.build-date",
        "org.label-schema.vcs-ref",
        "org.label-schema.version",
        "build-date",
        "io.buildah.version",
    }
)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class PackageRef:
    """A package as the diff shows it (no file evidence)."""

    type: str
    name: str
    version: str
    purl: str = ""
    licenses: tuple[str, ...] = ()
    base: bool | None = None  # came with the base image's layers; None when unknown
    layer_index: int | None = None


@dataclass(frozen=True, slots=True)
class VersionChange:
    type: str
    name: str
    old_version: str
    new_version: str
    direction: str  # upgraded | downgraded | changed (different string, same order)
    scheme: str = ""  # the versions scheme that ordered them: dpkg, rpm, pep440, ...
    old_purl: str = ""
    new_purl: str = ""
    base: bool | None = None  # of the new package
    layer_index: int | None = None  # of the new package


@dataclass(frozen=True, slots=True)
class LicenseChange:
    type: str
    name: str
    version: str  # the new version
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PackageDiff:
    added: tuple[PackageRef, ...] = ()
    removed: tuple[PackageRef, ...] = ()
    upgraded: tuple[VersionChange, ...] = ()
    downgraded: tuple[VersionChange, ...] = ()
    changed: tuple[VersionChange, ...] = ()
    licenses: tuple[LicenseChange, ...] = ()
    unchanged: int = 0
    old_total: int = 0
    new_total: int = 0


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A single-valued field; lists are shown as JSON arrays, absent values as ``""``."""

    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class KeyChange:
    """One key of a mapping (env, labels, annotations, build args...); None means absent."""

    key: str
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


@dataclass(frozen=True, slots=True)
class BaseDiff:
    """``status``: ``unchanged``; ``refreshed`` (same name, new digest: the tag was rebuilt);
    ``updated`` (same repository, another tag: ``debian:12.7`` → ``debian:12.8``); ``rebased``
    (another repository); ``changed`` (no names, digests differ); ``added`` / ``removed`` (only
    one side names a base); ``unknown`` (neither does)."""

    status: str
    old_name: str = ""
    new_name: str = ""
    old_digest: str = ""
    new_digest: str = ""
    old_confidence: str = "none"
    new_confidence: str = "none"
    # base layers (Layer.base) identical by diff_id; None when a side marks none
    layers_same: bool | None = None
    # package changes that came with base layers / the application's own / unknown
    package_changes_from_base: int = 0
    package_changes_from_app: int = 0
    package_changes_unattributed: int = 0


@dataclass(frozen=True, slots=True)
class LayerRef:
    index: int
    digest: str
    diff_id: str
    size: int
    created_by: str = ""
    base: bool | None = None


@dataclass(frozen=True, slots=True)
class LayerPair:
    """A layer present on both sides (same diff_id)."""

    old_index: int
    new_index: int
    diff_id: str
    size: int


@dataclass(frozen=True, slots=True)
class LayerDiff:
    reused: tuple[LayerPair, ...] = ()
    added: tuple[LayerRef, ...] = ()
    removed: tuple[LayerRef, ...] = ()
    reordered: bool = False  # reused layers do not keep their relative order
    old_count: int = 0
    new_count: int = 0
    old_size: int = 0  # sum of (compressed) blob sizes
    new_size: int = 0

    @property
    def size_delta(self) -> int:
        return self.new_size - self.old_size


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    fields: tuple[FieldChange, ...] = ()
    env: tuple[KeyChange, ...] = ()
    labels: tuple[KeyChange, ...] = ()


@dataclass(frozen=True, slots=True)
class ProvenanceDiff:
    fields: tuple[FieldChange, ...] = ()
    build_args: tuple[KeyChange, ...] = ()
    # key "type ref" (+ " as alias"); value the pin (digest or commit), "" when unpinned
    sources: tuple[KeyChange, ...] = ()


@dataclass(frozen=True, slots=True)
class ImageDiff:
    platform: str
    old_ref: str
    new_ref: str
    old_digest: str  # manifest digests
    new_digest: str
    packages: PackageDiff
    base: BaseDiff
    layers: LayerDiff
    config: ConfigDiff = field(default_factory=ConfigDiff)
    annotations: tuple[KeyChange, ...] = ()
    provenance: ProvenanceDiff = field(default_factory=ProvenanceDiff)
    distro: tuple[KeyChange, ...] = ()
    conditions: tuple[str, ...] = ()  # the FAIL_ON conditions this pair meets


@dataclass(frozen=True, slots=True)
class ReleaseDiff:
    old_input: str
    new_input: str
    images: tuple[ImageDiff, ...] = ()
    added_platforms: tuple[str, ...] = ()
    removed_platforms: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()  # union over images and platforms
    schema: str = DIFF_SCHEMA


# --------------------------------------------------------------------------- entry points


def diff_reports(old: Report, new: Report) -> ReleaseDiff:
    """Compare two reports platform by platform."""
    old_groups = _by_platform(old.images)
    new_groups = _by_platform(new.images)
    images: list[ImageDiff] = []
    added: list[str] = []
    removed: list[str] = []
    for key in sorted(set(old_groups) | set(new_groups)):
        olds, news = old_groups.get(key, []), new_groups.get(key, [])
        # several images of one platform (an OCI layout with many tags): pair in report order
        for o, n in zip(olds, news, strict=False):
            images.append(_diff_image(o, n))
        removed.extend(_platform_label(i) for i in olds[len(news) :])
        added.extend(_platform_label(i) for i in news[len(olds) :])
    conditions: set[str] = set()
    for image in images:
        conditions.update(image.conditions)
    if added:
        conditions.update(("added", "any"))
    if removed:
        conditions.update(("removed", "any"))
    return ReleaseDiff(
        old_input=old.input_name,
        new_input=new.input_name,
        images=tuple(images),
        added_platforms=tuple(added),
        removed_platforms=tuple(removed),
        conditions=_ordered(conditions),
    )


def diff_triggers(diff: ReleaseDiff, conditions: Iterable[str]) -> tuple[str, ...]:
    """The requested ``--fail-on`` conditions that hold, in ``FAIL_ON`` order.

    The CLI exits 9 when this is non-empty. Unknown condition names raise ``UsageError``.
    """
    wanted = set(conditions)
    unknown = wanted - set(FAIL_ON)
    if unknown:
        raise UsageError(
            f"unknown --fail-on condition {', '.join(sorted(unknown))}; "
            f"choose from {', '.join(FAIL_ON)}"
        )
    return tuple(c for c in diff.conditions if c in wanted)


def image_conditions(d: ImageDiff) -> tuple[str, ...]:
    """The ``FAIL_ON`` conditions one platform's diff meets (see the module docstring)."""
    met: set[str] = set()
    p = d.packages
    for name, items in (
        ("added", p.added),
        ("removed", p.removed),
        ("upgraded", p.upgraded),
        ("downgraded", p.downgraded),
    ):
        if items:
            met.add(name)
    if d.base.status not in ("unchanged", "unknown") or d.base.layers_same is False:
        met.add("base-changed")
    if d.layers.added or d.layers.removed or d.layers.reordered:
        met.add("layers-changed")
    c = d.config
    if c.fields or c.env or any(k.key not in VOLATILE_LABELS for k in c.labels):
        met.add("config-changed")
    pv = d.provenance
    if pv.build_args or pv.sources or any(f.field != "vcs_revision" for f in pv.fields):
        met.add("provenance-changed")
    anything = bool(
        met
        or p.changed
        or p.licenses
        or c.labels
        or pv.fields
        or d.annotations
        or d.distro
        or d.old_digest != d.new_digest
    )
    if anything:
        met.add("any")
    return _ordered(met)


# --------------------------------------------------------------------------- per image


def _ordered(conditions: Iterable[str]) -> tuple[str, ...]:
    s = set(conditions)
    return tuple(c for c in FAIL_ON if c in s)


def _by_platform(images: Sequence[ImageReport]) -> dict[tuple[str, str, str], list[ImageReport]]:
    groups: dict[tuple[str, str, str], list[ImageReport]] = defaultdict(list)
    for image in images:
        groups[image.platform.normalized()].append(image)
    return groups


def _platform_label(image: ImageReport) -> str:
    ref = image.refs[0] if image.refs else ""
    return f"{image.platform} ({ref})" if ref else str(image.platform)


def _diff_image(old: ImageReport, new: ImageReport) -> ImageDiff:
    packages = _diff_packages(old.packages, new.packages)
    layers = _diff_layers(old.layers, new.layers)
    d = ImageDiff(
        platform=str(new.platform),
        old_ref=old.refs[0] if old.refs else "",
        new_ref=new.refs[0] if new.refs else "",
        old_digest=old.description.target.manifest.digest,
        new_digest=new.description.target.manifest.digest,
        packages=packages,
        base=_diff_base(old, new, packages),
        layers=layers,
        config=_diff_config(old, new),
        annotations=_diff_mapping(
            old.description.manifest_annotations, new.description.manifest_annotations
        ),
        provenance=_diff_provenance(old.provenance, new.provenance),
        distro=_diff_mapping(_distro_map(old.distro), _distro_map(new.distro)),
    )
    return replace(d, conditions=image_conditions(d))


# --------------------------------------------------------------------------- packages


def _ref(p: Package) -> PackageRef:
    return PackageRef(
        type=p.type,
        name=p.name,
        version=p.version,
        purl=p.purl,
        licenses=tuple(sorted(set(p.licenses))),
        base=p.base,
        layer_index=p.layer_index,
    )


def _slot(p: Package) -> tuple[str, str]:
    """Where a package is installed: the directory of its first evidence file (one level up
    for ``*.dist-info`` / ``*.egg-info``, whose names carry the version), plus its arch."""
    arch = dict(p.metadata).get("arch", "") or dict(p.metadata).get("architecture", "")
    if not p.locations:
        return ("", arch)
    directory = posixpath.dirname(p.locations[0].path)
    if directory.endswith((".dist-info", ".egg-info")):
        directory = posixpath.dirname(directory)
    return (directory, arch)


def _diff_packages(old: Sequence[Package], new: Sequence[Package]) -> PackageDiff:
    old_by: dict[tuple[str, str], list[Package]] = defaultdict(list)
    new_by: dict[tuple[str, str], list[Package]] = defaultdict(list)
    for p in old:
        old_by[(p.type, p.name)].append(p)
    for p in new:
        new_by[(p.type, p.name)].append(p)

    added: list[PackageRef] = []
    removed: list[PackageRef] = []
    moved: list[VersionChange] = []
    licenses: list[LicenseChange] = []
    unchanged = 0
    for key in sorted(set(old_by) | set(new_by)):
        olds = sorted(old_by.get(key, []), key=lambda p: p.sort_key)
        news = sorted(new_by.get(key, []), key=lambda p: p.sort_key)
        pairs, olds, news = _pair_same_version(olds, news)
        unchanged += len(pairs)
        more, olds, news = _pair_versions(key[0], olds, news)
        pairs.extend(more)
        for o, n in pairs:
            ol, nl = tuple(sorted(set(o.licenses))), tuple(sorted(set(n.licenses)))
            if ol != nl:
                licenses.append(LicenseChange(n.type, n.name, n.version, ol, nl))
            if o.version != n.version:
                moved.append(_version_change(o, n))
        removed.extend(_ref(p) for p in olds)
        added.extend(_ref(p) for p in news)

    def by_direction(direction: str) -> tuple[VersionChange, ...]:
        return tuple(c for c in moved if c.direction == direction)

    return PackageDiff(
        added=tuple(added),
        removed=tuple(removed),
        upgraded=by_direction("upgraded"),
        downgraded=by_direction("downgraded"),
        changed=by_direction("changed"),
        licenses=tuple(licenses),
        unchanged=unchanged,
        old_total=len(old),
        new_total=len(new),
    )


_Pairs = list[tuple[Package, Package]]


def _pair_same_version(
    olds: list[Package], news: list[Package]
) -> tuple[_Pairs, list[Package], list[Package]]:
    pairs: _Pairs = []
    rest_new = list(news)
    rest_old: list[Package] = []
    for o in olds:
        match = next((n for n in rest_new if n.version == o.version), None)
        if match is None:
            rest_old.append(o)
        else:
            rest_new.remove(match)
            pairs.append((o, match))
    return pairs, rest_old, rest_new


def _pair_versions(
    pkg_type: str, olds: list[Package], news: list[Package]
) -> tuple[_Pairs, list[Package], list[Package]]:
    if not olds or not news:
        return [], olds, news
    if len(olds) == 1 and len(news) == 1:
        return [(olds[0], news[0])], [], []
    pairs: _Pairs = []
    # same install place: pair when the place is unique on both sides
    old_slots = defaultdict(list)
    new_slots = defaultdict(list)
    for p in olds:
        old_slots[_slot(p)].append(p)
    for p in news:
        new_slots[_slot(p)].append(p)
    for slot, group in old_slots.items():
        if slot[0] and len(group) == 1 and len(new_slots.get(slot, [])) == 1:
            pairs.append((group[0], new_slots[slot][0]))
    paired = {id(x) for pair in pairs for x in pair}
    olds = [p for p in olds if id(p) not in paired]
    news = [p for p in news if id(p) not in paired]
    if olds and len(olds) == len(news):

        def by_version(a: Package, b: Package) -> int:
            return versions.compare(pkg_type, a.version, b.version)

        order = functools.cmp_to_key(by_version)
        olds, news = sorted(olds, key=order), sorted(news, key=order)
        pairs.extend(zip(olds, news, strict=True))
        olds, news = [], []
    return pairs, olds, news


def _version_change(o: Package, n: Package) -> VersionChange:
    r = versions.compare(n.type, o.version, n.version)
    direction = "upgraded" if r < 0 else "downgraded" if r > 0 else "changed"
    return VersionChange(
        type=n.type,
        name=n.name,
        old_version=o.version,
        new_version=n.version,
        direction=direction,
        scheme=versions.scheme_for(n.type),
        old_purl=o.purl,
        new_purl=n.purl,
        base=n.base,
        layer_index=n.layer_index,
    )


# --------------------------------------------------------------------------- base image


def _repository(name: str) -> str:
    """``registry/repo:tag@digest`` → ``registry/repo``."""
    name = name.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def _base_known(b: BaseImage) -> bool:
    return bool(b.name or b.digest)


def _base_layers(layers: Sequence[Layer]) -> tuple[str, ...]:
    return tuple(layer.diff_id or layer.digest for layer in layers if layer.base)


def _diff_base(old: ImageReport, new: ImageReport, packages: PackageDiff) -> BaseDiff:
    ob, nb = old.base, new.base
    if not _base_known(ob) and not _base_known(nb):
        status = "unknown"
    elif not _base_known(ob):
        status = "added"
    elif not _base_known(nb):
        status = "removed"
    elif ob.name == nb.name:
        if not (ob.digest and nb.digest and ob.digest != nb.digest):
            status = "unchanged"
        elif ob.name:
            status = "refreshed"
        else:
            status = "changed"
    elif ob.name and nb.name and _repository(ob.name) == _repository(nb.name):
        status = "updated"
    else:
        status = "rebased"
    old_layers, new_layers = _base_layers(old.layers), _base_layers(new.layers)
    layers_same = old_layers == new_layers if old_layers and new_layers else None
    flags = [p.base for p in (*packages.added, *packages.removed)]
    flags += [c.base for c in (*packages.upgraded, *packages.downgraded, *packages.changed)]
    return BaseDiff(
        status=status,
        old_name=ob.name,
        new_name=nb.name,
        old_digest=ob.digest,
        new_digest=nb.digest,
        old_confidence=ob.confidence,
        new_confidence=nb.confidence,
        layers_same=layers_same,
        package_changes_from_base=sum(1 for f in flags if f is True),
        package_changes_from_app=sum(1 for f in flags if f is False),
        package_changes_unattributed=sum(1 for f in flags if f is None),
    )


# --------------------------------------------------------------------------- layers


def _layer_ref(layer: Layer) -> LayerRef:
    return LayerRef(
        index=layer.index,
        digest=layer.digest,
        diff_id=layer.diff_id,
        size=layer.size,
        created_by=layer.created_by,
        base=layer.base,
    )


def _diff_layers(old: Sequence[Layer], new: Sequence[Layer]) -> LayerDiff:
    # match by content (diff_id; the blob digest when unknown), first unmatched occurrence
    # first, since identical layers (empty ones) can repeat within an image
    pending: dict[str, list[Layer]] = defaultdict(list)
    for layer in old:
        pending[layer.diff_id or layer.digest].append(layer)
    reused: list[LayerPair] = []
    added: list[LayerRef] = []
    for layer in new:
        candidates = pending.get(layer.diff_id or layer.digest)
        if candidates:
            o = candidates.pop(0)
            reused.append(
                LayerPair(o.index, layer.index, layer.diff_id or layer.digest, layer.size)
            )
        else:
            added.append(_layer_ref(layer))
    removed = sorted((_layer_ref(x) for group in pending.values() for x in group), key=_idx)
    old_positions = [pair.old_index for pair in reused]
    return LayerDiff(
        reused=tuple(reused),
        added=tuple(added),
        removed=tuple(removed),
        reordered=old_positions != sorted(old_positions),
        old_count=len(old),
        new_count=len(new),
        old_size=sum(layer.size for layer in old),
        new_size=sum(layer.size for layer in new),
    )


def _idx(layer: LayerRef) -> int:
    return layer.index


# --------------------------------------------------------------------------- config, provenance


def _diff_mapping(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[KeyChange, ...]:
    return tuple(
        KeyChange(k, old.get(k), new.get(k))
        for k in sorted(set(old) | set(new))
        if old.get(k) != new.get(k)
    )


def _distro_map(distro: Distro | None) -> dict[str, str]:
    """The os-release fields that are set, by their model name (``source_path`` is where the
    file was, not what it says: a move from /etc to /usr/lib is no change of distro)."""
    if distro is None:
        return {}
    fields = {
        "id": distro.id,
        "version_id": distro.version_id,
        "version_codename": distro.version_codename,
        "id_like": " ".join(distro.id_like),  # os-release(5): space-separated
        "name": distro.name,
        "pretty_name": distro.pretty_name,
    }
    return {k: v for k, v in fields.items() if v}


def _env_map(env: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in env:
        name, _, value = item.partition("=")
        out[name] = value  # later entries win, as in the runtime
    return out


def _as_json(items: Sequence[str]) -> str:
    return orjson.dumps(list(items)).decode() if items else ""


def _fields(pairs: Iterable[tuple[str, str, str]]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(name, o, n) for name, o, n in pairs if o != n)


def _diff_config(old: ImageReport, new: ImageReport) -> ConfigDiff:
    oc, nc = old.description.config, new.description.config
    fields = _fields(
        [
            ("user", oc.user, nc.user),
            ("entrypoint", _as_json(oc.entrypoint), _as_json(nc.entrypoint)),
            ("cmd", _as_json(oc.cmd), _as_json(nc.cmd)),
            ("working_dir", oc.working_dir, nc.working_dir),
            # already sorted: reporter.image reads both from JSON objects and sorts the keys
            ("exposed_ports", ", ".join(oc.exposed_ports), ", ".join(nc.exposed_ports)),
            ("volumes", ", ".join(oc.volumes), ", ".join(nc.volumes)),
            ("stop_signal", oc.stop_signal, nc.stop_signal),
        ]
    )
    return ConfigDiff(
        fields=fields,
        env=_diff_mapping(_env_map(oc.env), _env_map(nc.env)),
        labels=_diff_mapping(oc.labels, nc.labels),
    )


def _tristate(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def _sources(p: Provenance) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in p.sources:
        key = f"{s.type} {s.ref}" + (f" as {s.alias}" if s.alias else "")
        # the same source may be stated by several origins: keep one pin, preferring a real one
        out[key] = out.get(key) or s.pin
    return out


def _diff_provenance(old: Provenance, new: Provenance) -> ProvenanceDiff:
    # invocation_id, started_on, finished_on differ on every build: not a release change
    fields = _fields(
        [
            ("builder_id", old.builder_id, new.builder_id),
            ("build_type", old.build_type, new.build_type),
            ("frontend", old.frontend, new.frontend),
            ("vcs_source", old.vcs_source, new.vcs_source),
            ("vcs_revision", old.vcs_revision, new.vcs_revision),
            ("reproducible", _tristate(old.reproducible), _tristate(new.reproducible)),
        ]
    )
    return ProvenanceDiff(
        fields=fields,
        build_args=_diff_mapping(old.build_args, new.build_args),
        sources=_diff_mapping(_sources(old), _sources(new)),
    )
