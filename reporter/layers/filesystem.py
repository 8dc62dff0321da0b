"""Squashed and per-layer views of an image's filesystem, built from layer scans.

Layers are applied in order the way image-spec layer.md "Applying Changesets" says: first the
layer's whiteouts hide lower-layer paths (``reporter.layers.whiteout``), then its entries are
added. An entry replaces what was at its path; unless both are directories, whatever lay below
the old path goes too ("Changeset over existing files": unlink, then recreate). Parent
directories are looked up through symlinks inside the root, as containerd's applier does
(``fs.RootPath``), so ``lib/x`` lands in ``usr/lib/x`` when ``lib`` links there.

Paths in this module's API have no leading ``/`` (the catalogers' convention); every
``Location`` carries the ``/``-rooted form.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from reporter.layers.scan import Captured, Entry, LayerScan
from reporter.model import Layer, Location

__all__ = ["FileSystem", "Version", "build_filesystem"]

# Same bound as Linux's MAXSYMLINKS: beyond it a lookup is a loop.
_MAX_SYMLINKS = 40


@dataclass(frozen=True, slots=True)
class Version:
    """One layer's version of a path."""

    layer: int  # position in the layer sequence
    entry: Entry
    location: Location


class _Node:
    __slots__ = ("children", "versions")

    def __init__(self) -> None:
        # None until something lands below: most nodes are files, and every empty dict was
        # one more object for the garbage collector (a quarter of a big image's build time).
        self.children: dict[str, _Node] | None = None
        # Versions since the path last appeared, oldest first; empty for a directory that only
        # exists because something below it does. A tuple: ``flatten`` hands it out as is.
        self.versions: tuple[Version, ...] = ()

    @property
    def type(self) -> str:
        return self.versions[-1].entry.type if self.versions else "dir"

    def child(self, name: str) -> _Node | None:
        return self.children.get(name) if self.children else None

    def new_child(self, name: str) -> _Node:
        """A fresh node at ``name``, in place of whatever was there."""
        child = _Node()
        if self.children is None:
            self.children = {}
        self.children[name] = child
        return child


@dataclass(frozen=True, slots=True)
class FileSystem:
    """The squashed view of the image, each path's history, and what was captured where."""

    layers: tuple[Layer, ...]
    diff_ids: tuple[str, ...]  # per layer: the config's, else the one the scan computed
    # path -> versions since it last appeared, oldest first; the last one is visible
    versions: Mapping[str, tuple[Version, ...]]
    per_layer: tuple[Mapping[str, Location], ...]
    # (layer position, entry path as written in that layer) -> captures, last write wins
    _captures: Mapping[tuple[int, str], tuple[Captured, ...]] = field(repr=False)

    def paths(self) -> tuple[str, ...]:
        return tuple(sorted(self.versions))

    def __contains__(self, path: object) -> bool:
        return path in self.versions

    def entry(self, path: str) -> Entry | None:
        versions = self.versions.get(path)
        return versions[-1].entry if versions else None

    def location(self, path: str) -> Location | None:
        """Where the visible version of ``path`` comes from."""
        versions = self.versions.get(path)
        return versions[-1].location if versions else None

    def squashed(self) -> dict[str, Location]:
        return {path: versions[-1].location for path, versions in self.versions.items()}

    def history(self, path: str) -> tuple[Version, ...]:
        """The layers that had a version of ``path`` since it last appeared, oldest first.

        A deletion (whiteout, opaque directory, replaced parent) resets it: what came before
        is not part of the file the final image shows.
        """
        return self.versions.get(path, ())

    def layer_view(self, layer: int) -> Mapping[str, Location]:
        """The entries the layer at position ``layer`` itself holds."""
        return self.per_layer[layer]

    def captured(self, version: Version) -> tuple[Captured, ...]:
        return self._captures.get((version.layer, version.entry.path), ())

    def visible_captured(self) -> Iterator[tuple[str, Captured, Version]]:
        """``(path, captured, version)`` for every capture of a visible file, sorted by path."""
        kept = {
            path: captures
            for path, versions in self.versions.items()
            if (captures := self._captures.get((versions[-1].layer, versions[-1].entry.path)))
        }  # a few hundred of the image's paths: sorted after filtering
        for path in sorted(kept):
            version = self.versions[path][-1]
            for item in kept[path]:
                yield path, item, version

    def link_target(self, path: str) -> Version | None:
        """For a visible hard link whose target is in a lower layer: the version of the target
        the link names (the last one below the link's layer). None when ``path`` is no such
        link, or the target is not in the view (deleted since, or never there).

        image-spec layer.md allows a hard link to a lower layer's file; an extractor links to
        the target as it is when the link's layer is applied, so a later layer's version of
        the target is not the link's content.
        """
        versions = self.versions.get(path)
        if not versions or versions[-1].entry.type != "hardlink":
            return None
        link = versions[-1]
        target = link.entry.linkname
        if target in self.per_layer[link.layer]:
            return None  # the same layer: the walker already kept its content under this name
        older = self.versions.get(target) or self.versions.get(self._resolve(target)) or ()
        below = [v for v in older if v.layer < link.layer and v.entry.type == "file"]
        return below[-1] if below else None

    def read(self, path: str, cataloger: str = "", *, upto: int | None = None) -> bytes | None:
        """Kept content of ``path`` in the squashed view (or as of layer position ``upto``).

        Whole-file content first, whichever cataloger kept it; else ``cataloger``'s own
        scanner result. None when nothing was kept.
        """
        versions = self.versions.get(path) or self.versions.get(self._resolve(path))
        if not versions:
            return None
        version = versions[-1]
        if upto is not None:
            older = [v for v in versions if v.layer <= upto]
            if not older:
                return None
            version = older[-1]
        captures = self._captures.get((version.layer, version.entry.path), ())
        fallback = None
        for item in captures:
            if item.whole:
                return item.data
            if item.cataloger == cataloger:
                fallback = item.data
        return fallback

    def _resolve(self, path: str) -> str:
        """``path`` with symlinked directories in it followed (as syft's resolver does, e.g.
        Debian's ``usr/share/doc/libgcc-s1`` → ``gcc-12-base``), never above the root."""
        return _Resolver(self.versions)(path)

    def resolved(self, paths: Iterable[str]) -> set[str]:
        """``{_resolve(path) for path in paths}``, each directory resolved once for all."""
        resolve = _Resolver(self.versions)
        return {resolve(path) for path in paths}


# (parts the directory resolved to, symlinks followed so far)
_DirState = tuple[tuple[str, ...], int]


class _Resolver:
    """``FileSystem._resolve`` with a memo of the directories it has resolved.

    The parts of a path are followed left to right, each symlink's target taken lexically
    (not looked up again) and the last part never followed: so what a directory prefix
    resolves to depends on the prefix alone, and every path below it can reuse it.
    """

    __slots__ = ("_dirs", "_versions")

    def __init__(self, versions: Mapping[str, tuple[Version, ...]]) -> None:
        self._versions = versions
        self._dirs: dict[str, _DirState] = {}

    def __call__(self, path: str) -> str:
        parent, sep, name = path.rpartition("/")
        if not sep:
            return path
        done, _hops = self._directory(parent)
        return "/".join((*done, name))

    def _directory(self, prefix: str) -> _DirState:
        pending: list[tuple[str, str]] = []  # (prefix, its last part), innermost first
        key = prefix
        state = self._dirs.get(key)
        while state is None:
            head, sep, last = key.rpartition("/")
            pending.append((key, last))
            if not sep:
                state = ((), 0)
                break
            key = head
            state = self._dirs.get(key)
        for key, part in reversed(pending):
            state = self._step(state, part)
            self._dirs[key] = state
        return state

    def _step(self, state: _DirState, part: str) -> _DirState:
        done, hops = state
        versions = self._versions.get("/".join((*done, part)))
        entry = versions[-1].entry if versions else None
        if entry is None or entry.type != "symlink" or hops >= _MAX_SYMLINKS:
            return (*done, part), hops
        target = entry.linkname
        base = [] if target.startswith("/") else list(done)
        for piece in target.split("/"):
            if piece in ("", "."):
                continue
            if piece == "..":
                if base:
                    base.pop()
            else:
                base.append(piece)
        return tuple(base), hops + 1


class _Builder:
    def __init__(self) -> None:
        self.root = _Node()
        # parent path as written -> (its directory node, its resolved parts), for the layer
        # being applied: a tar lists a directory's entries together, so most entries skip the
        # walk from the root. Emptied whenever an entry could change what a parent path
        # resolves to (a symlink, a type change between directory and not, a whiteout).
        # The resolved parts are kept as the Location prefix, "/" + resolved + "/".
        self._parents: dict[str, tuple[_Node, str]] = {}

    def forget_parents(self) -> None:
        self._parents.clear()

    def _walk(self, parts: Sequence[str], create: bool) -> tuple[_Node, list[str]] | None:
        """The directory node that holds ``parts[-1]``, following symlinks in the parents."""
        node = self.root
        resolved: list[str] = []
        pending = list(reversed(parts[:-1]))
        hops = 0
        while pending:
            name = pending.pop()
            if name == "..":  # only from symlink targets; clamped at the root
                if resolved:
                    resolved.pop()
                node = self.root
                for part in resolved:
                    below = node.child(part)
                    assert below is not None  # walked through on the way here
                    node = below
                continue
            child = node.child(name)
            if child is None:
                if not create:
                    return None
                child = node.new_child(name)
            elif child.type == "symlink":
                hops += 1
                if hops > _MAX_SYMLINKS:
                    return None
                target = child.versions[-1].entry.linkname
                if target.startswith("/"):
                    node = self.root
                    resolved = []
                pending.extend(reversed([p for p in target.split("/") if p and p != "."]))
                continue
            elif child.type != "dir":
                if not create:
                    return None
                # A non-directory cannot have children: applying the entry replaces it with one.
                child = node.new_child(name)
            resolved.append(name)
            node = child
        return node, resolved

    def remove(self, path: str) -> None:
        parts = path.split("/")
        found = self._walk(parts, create=False)
        if found is not None and found[0].children:
            found[0].children.pop(parts[-1], None)

    def make_opaque(self, directory: str) -> None:
        if not directory:
            self.root.children = None
            return
        parts = [*directory.split("/"), ""]
        found = self._walk(parts, create=False)
        if found is not None:
            found[0].children = None

    def add(self, entry: Entry, layer: int, layer_model: Layer, diff_id: str) -> Location | None:
        """Apply ``entry``; the Location of the path it landed on (None: it could not land)."""
        parent_path, _, name = entry.path.rpartition("/")
        found = self._parents.get(parent_path)
        if found is None:
            walked = self._walk(entry.path.split("/"), create=True)
            if walked is None:
                return None
            directory, resolved = walked
            found = directory, "/" + "".join(f"{part}/" for part in resolved)
            self._parents[parent_path] = found
        parent, prefix = found
        location = Location(prefix + name, layer_model.index, layer_model.digest, diff_id)
        version = Version(layer, entry, location)
        children = parent.children  # parent.child(name), inline: this runs for every entry
        node = children.get(name) if children else None
        if node is None:
            # new: no cached parent was resolved through it
            parent.new_child(name).versions = (version,)
            return location
        versions = node.versions
        was = versions[-1].entry.type if versions else "dir"
        if not (entry.type == "dir" and was == "dir"):
            if was in ("dir", "symlink") or entry.type in ("dir", "symlink"):
                self._parents.clear()  # cached parents may lie below, or resolve through it
            node.children = None
        if versions and versions[-1].layer == layer:
            versions = versions[:-1]  # the same path twice in one layer: the last one wins
        node.versions = (*versions, version)
        return location

    def flatten(self) -> dict[str, tuple[Version, ...]]:
        out: dict[str, tuple[Version, ...]] = {}
        stack: list[tuple[str, _Node]] = [("", self.root)]
        while stack:
            prefix, node = stack.pop()
            for name, child in (node.children or {}).items():
                path = f"{prefix}/{name}" if prefix else name
                if child.versions:
                    out[path] = child.versions
                if child.children:
                    stack.append((path, child))
        return out


def build_filesystem(layers: Sequence[tuple[Layer, LayerScan]]) -> FileSystem:
    """Apply the scans in order (lowest layer first) and index the result."""
    builder = _Builder()
    per_layer: list[dict[str, Location]] = []
    captures: dict[tuple[int, str], tuple[Captured, ...]] = {}
    for position, (layer, scan) in enumerate(layers):
        diff_id = layer.diff_id or scan.diff_id
        # Whiteouts apply to lower layers only, so they go before this layer's own entries,
        # whatever their order in the tar.
        builder.forget_parents()
        for directory in scan.opaque_dirs:
            builder.make_opaque(directory)
        for path in scan.whiteouts:
            builder.remove(path)
        view: dict[str, Location] = {}
        for entry in scan.entries:
            landed = builder.add(entry, position, layer, diff_id)
            if landed is not None and landed.path[1:] == entry.path:
                view[entry.path] = landed  # the same value: one object instead of two
            else:
                view[entry.path] = Location("/" + entry.path, layer.index, layer.digest, diff_id)
        per_layer.append(view)
        grouped: dict[str, dict[str, Captured]] = {}
        for item in scan.captured:
            grouped.setdefault(item.path, {})[item.cataloger] = item
        for path, by_cataloger in grouped.items():
            captures[(position, path)] = tuple(by_cataloger.values())
    return FileSystem(
        layers=tuple(layer for layer, _ in layers),
        diff_ids=tuple(layer.diff_id or scan.diff_id for layer, scan in layers),
        versions=builder.flatten(),
        per_layer=tuple(per_layer),
        _captures=captures,
    )
