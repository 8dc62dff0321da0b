"""Import direction over ``reporter/``: the data flow of DESIGN.md, checked on the source.

DESIGN.md "Data flow": imports follow the arrows: a stage never imports a later one, an
interface never imports its implementations, and no two files import each other. This test
parses every ``.py`` under ``reporter/`` with :mod:`ast` (nothing is imported or executed),
resolves relative imports, and counts imports everywhere: at module level, inside functions
(lazy imports are still dependencies) and under ``if TYPE_CHECKING:`` (a type-only import still
couples the two files). The tables below are the rules; a failure lists every offending edge
as ``file:line source -> target``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT_PACKAGE = "reporter"
SOURCE_DIR = Path(__file__).resolve().parents[1] / ROOT_PACKAGE

# The stages, earliest first. A module is placed by its first name under ``reporter.``
# (``reporter.archive.detect`` is in ``archive``). A module may import its own stage and any
# earlier one, never a later one.
STAGES: tuple[tuple[str, ...], ...] = (
    # foundation: importable by every stage (cycles among them are still caught below)
    # (progress: the callback type every stage may report through, and the terminal bar)
    # (selector: PATH[:TAG] splitting; integrity: the exit-4 gate over findings in the model)
    # (sealed: the self-checking entry format both caches write)
    (
        "errors",
        "platforms",
        "model",
        "options",
        "compression",
        "jsonread",
        "versions",
        "progress",
        "selector",
        "integrity",
        "sealed",
    ),
    ("archive",),  # path or "-" → files and blobs by path
    ("resolve",),  # index / manifest list → per-platform image targets
    ("image",),  # manifest + config → ImageDescription
    ("layers",),  # one streaming pass per layer, the layer cache, layer verification
    ("catalog",),  # packages with Location
    ("provenance",),  # Provenance + BaseImage
    ("report", "diff", "report_io"),  # Report (frozen, sorted), its diff and its file form
    ("render",),  # Report → bytes
    ("pipeline", "report_cache"),  # the one module that composes stages; the whole-report cache
    ("commands", "fleet"),  # what a command does with many reports
    ("cli", "__main__"),  # argv → Options → output
)

# Leaf utilities: import only the foundation; importable from this stage on (render,
# pipeline, commands, cli), never by the stages that compute the report.
LEAF_UTILITIES: tuple[str, ...] = ("output",)
LEAF_USERS_FROM = "render"

# ``reporter/__init__.py`` (the public API) runs before every other module of the package, so
# at import time it may import the foundation only; anything later only lazily (in a function
# or a module ``__getattr__``), which this test allows and leaves out of the cycle check.

# What ``<package>/interface.py`` may import from its own package: helpers shared by the
# implementations, never the implementations (nor ``__init__``, where the registry lives).
INTERFACE_MAY_IMPORT: tuple[str, ...] = ("common",)


# ---------------------------------------------------------------------------------------------
# The checker


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # dotted module name, "reporter.archive.detect"
    target: str
    file: str  # relative path of the source, for messages
    line: int
    lazy: bool = False  # inside a function body
    type_only: bool = False  # under ``if TYPE_CHECKING:``

    def __str__(self) -> str:
        how = " (lazy)" if self.lazy else ""
        how += " (TYPE_CHECKING)" if self.type_only else ""
        return f"{self.file}:{self.line} {self.source} -> {self.target}{how}"


@dataclass(frozen=True, slots=True)
class Graph:
    modules: frozenset[str]
    packages: frozenset[str]  # modules that are a package's __init__.py
    edges: tuple[Edge, ...]


def module_name(relative: str) -> tuple[str, bool]:
    """``reporter/archive/__init__.py`` → (``reporter.archive``, True)."""
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(
    nodes: Iterable[ast.stmt], lazy: bool = False, type_only: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    """Every import statement, with whether it sits in a function and under TYPE_CHECKING."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, lazy, type_only
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _imports(node.body, True, type_only)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _imports(node.body, lazy, True)
            yield from _imports(node.orelse, lazy, type_only)
        else:
            # class bodies, try/with/for/while/match and plain ifs run with their scope
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    flat: list[ast.stmt] = []
                    for child in children:
                        if isinstance(child, ast.stmt):
                            flat.append(child)
                        elif isinstance(child, ast.ExceptHandler | ast.match_case):
                            flat.extend(child.body)
                    yield from _imports(flat, lazy, type_only)


def _known(name: str, modules: frozenset[str]) -> str | None:
    """The longest prefix of ``name`` that is a module of the tree (``import a.b`` runs a.b)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def graph_from_sources(sources: Mapping[str, str]) -> Graph:
    """The import graph of files given as {relative path: source}; only in-tree targets."""
    names = {path: module_name(path) for path in sources}
    modules = frozenset(name for name, _ in names.values())
    packages = frozenset(name for name, is_pkg in names.values() if is_pkg)
    edges: list[Edge] = []
    for path, source in sorted(sources.items()):
        name, is_pkg = names[path]
        tree = ast.parse(source, filename=path)
        for node, lazy, type_only in _imports(tree.body):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_known(alias.name, modules) for alias in node.names]
            else:
                if node.level:
                    # PEP 328: level 1 is the current package (the module itself for __init__)
                    base = name.split(".") if is_pkg else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    stem = ".".join([*base, node.module] if node.module else base)
                else:
                    stem = node.module or ""
                for alias in node.names:
                    # ``from pkg import sub`` imports the submodule when there is one
                    sub = f"{stem}.{alias.name}"
                    targets.append(sub if sub in modules else _known(stem, modules))
            for target in dict.fromkeys(targets):
                if target is not None and target != name:
                    edges.append(Edge(name, target, path, node.lineno, lazy, type_only))
    return Graph(modules, packages, tuple(edges))


def graph_of_tree(root: Path) -> Graph:
    sources = {
        path.relative_to(root.parent).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*.py"))
    }
    return graph_from_sources(sources)


_RANK = {stage: rank for rank, names in enumerate(STAGES) for stage in names}


def stage_of(module: str) -> str:
    """``reporter.archive.detect`` → ``archive``; the root package itself → ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def unplaced_modules(graph: Graph) -> list[str]:
    """Modules whose stage is in no table: place them, so the direction rule covers them."""
    placed = {*_RANK, *LEAF_UTILITIES, ""}
    return sorted(m for m in graph.modules if stage_of(m) not in placed)


def _why_not(edge: Edge) -> str | None:
    """Why ``edge`` goes against the data flow, or None when it is allowed."""
    source, target = stage_of(edge.source), stage_of(edge.target)
    foundation = STAGES[0]
    if source == target or target in foundation:
        return None
    if source == "":
        if edge.lazy:
            return None
        return "reporter/__init__.py may import the foundation only, anything later lazily"
    if target == "":
        return None  # the root package is imported first anyway; its own imports are checked
    if source in LEAF_UTILITIES:
        return f"{source} is a leaf utility: it may import the foundation only"
    if target in LEAF_UTILITIES:
        if source in _RANK and _RANK[source] >= _RANK[LEAF_USERS_FROM]:
            return None
        return f"{target} is a leaf utility, importable from {LEAF_USERS_FROM} on, not by {source}"
    if source not in _RANK or target not in _RANK:
        return None  # reported by unplaced_modules
    if _RANK[target] > _RANK[source]:
        return (
            f"{source} (stage {_RANK[source]}) imports the later stage {target} ({_RANK[target]})"
        )
    return None


def backward_edges(graph: Graph) -> list[str]:
    return [f"{edge}: {why}" for edge in graph.edges if (why := _why_not(edge)) is not None]


def strongly_connected(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components sorted, each sorted."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(succ):
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(succ[node]):
                work.append((node, i + 1))
                nxt = succ[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return sorted(components)


def import_cycles(graph: Graph) -> list[str]:
    """Every strongly connected component of more than one file, with the edges inside it."""
    # The root package's lazy imports are its documented way out (see above); every module
    # importing ``__version__`` would otherwise close a loop through them.
    edges = [e for e in graph.edges if not (stage_of(e.source) == "" and e.lazy)]
    problems = []
    for component in strongly_connected(graph.modules, ((e.source, e.target) for e in edges)):
        if len(component) < 2:
            continue
        members = set(component)
        inside = sorted(str(e) for e in edges if e.source in members and e.target in members)
        problems.append(
            f"cycle of {len(component)} files: {', '.join(component)}\n      "
            + "\n      ".join(inside)
        )
    return problems


def interface_imports(graph: Graph) -> list[str]:
    """``<pkg>.interface`` importing a sibling other than the shared helpers."""
    problems = []
    for edge in graph.edges:
        package, _, leaf = edge.source.rpartition(".")
        if leaf != "interface" or not package:
            continue
        allowed = {f"{package}.{helper}" for helper in INTERFACE_MAY_IMPORT}
        if (edge.target == package or edge.target.startswith(f"{package}.")) and (
            edge.target not in allowed
        ):
            problems.append(f"{edge}: an interface may not import its implementations")
    return problems


def _fail_with(title: str, problems: Sequence[str]) -> None:
    if problems:
        pytest.fail(f"{title} ({len(problems)}):\n  " + "\n  ".join(problems), pytrace=False)


# ---------------------------------------------------------------------------------------------
# The real tree


@pytest.fixture(scope="module")
def tree() -> Graph:
    return graph_of_tree(SOURCE_DIR)


def test_the_parser_sees_the_tree(tree: Graph) -> None:
    # Guards the checks below against passing on an empty or misread graph.
    assert "reporter.pipeline" in tree.modules
    assert "reporter.archive" in tree.packages
    pairs = {(e.source, e.target) for e in tree.edges}
    assert ("reporter.pipeline", "reporter.archive.detect") in pairs
    assert ("reporter.archive.detect", "reporter.archive.interface") in pairs
    assert any(e.lazy for e in tree.edges)  # cli.py imports in its functions


def test_every_module_has_a_stage(tree: Graph) -> None:
    _fail_with("modules in no stage of STAGES or LEAF_UTILITIES", unplaced_modules(tree))


def test_no_stage_imports_a_later_one(tree: Graph) -> None:
    _fail_with("imports against the data flow", backward_edges(tree))


def test_no_import_cycles(tree: Graph) -> None:
    _fail_with("import cycles between files of reporter/", import_cycles(tree))


def test_interfaces_do_not_import_their_implementations(tree: Graph) -> None:
    _fail_with("interfaces importing implementations", interface_imports(tree))


# ---------------------------------------------------------------------------------------------
# The checker itself, on synthetic trees


def _graph(files: Mapping[str, str]) -> Graph:
    """Files named without ``.py``: {"reporter/archive/detect": source}."""
    return graph_from_sources({f"{name}.py": source for name, source in files.items()})


def _pairs(graph: Graph) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in graph.edges}


def test_checker_resolves_relative_lazy_and_type_checking_imports() -> None:
    graph = graph_from_sources(
        {
            "reporter/__init__.py": "",
            "reporter/model.py": "",
            "reporter/archive/__init__.py": "from . import detect\n",
            "reporter/archive/detect.py": (
                "from typing import TYPE_CHECKING\n"
                "from .interface import Archive\n"
                "from .. import model\n"
                "if TYPE_CHECKING:\n"
                "    from reporter.pipeline import generate\n"
                "def f() -> None:\n"
                "    import reporter.image.sub\n"
                "    import os\n"
            ),
            "reporter/archive/interface.py": "",
            "reporter/image.py": "",
            "reporter/pipeline.py": "from reporter.archive import detect, interface\n",
        }
    )
    by_pair = {(e.source, e.target): e for e in graph.edges}
    assert set(by_pair) == {
        ("reporter.archive", "reporter.archive.detect"),
        ("reporter.archive.detect", "reporter.archive.interface"),
        ("reporter.archive.detect", "reporter.model"),
        ("reporter.archive.detect", "reporter.pipeline"),
        ("reporter.archive.detect", "reporter.image"),  # longest known prefix
        ("reporter.pipeline", "reporter.archive.detect"),
        ("reporter.pipeline", "reporter.archive.interface"),
    }
    assert by_pair["reporter.archive.detect", "reporter.pipeline"].type_only
    assert by_pair["reporter.archive.detect", "reporter.image"].lazy
    assert by_pair["reporter.archive.detect", "reporter.image"].line == 7


def test_checker_flags_a_backward_edge_and_allows_forward_ones() -> None:
    graph = _graph(
        {
            "reporter/errors": "",
            "reporter/model": "from reporter.errors import E\n",
            "reporter/resolve": "from reporter.archive.interface import Archive\n",
            "reporter/archive/interface": "from reporter.resolve import resolve\n",
        }
    )
    problems = backward_edges(graph)
    assert len(problems) == 1, problems
    assert (
        "reporter/archive/interface.py:1 reporter.archive.interface -> reporter.resolve"
        in (problems[0])
    )
    assert "later stage resolve" in problems[0]


def test_checker_flags_a_lazy_backward_edge_everywhere_but_the_root() -> None:
    graph = _graph(
        {
            "reporter/__init__": "def generate() -> None:\n    from reporter.pipeline import g\n",
            "reporter/layers/scan": "def f() -> None:\n    from reporter.render import r\n",
            "reporter/pipeline": "",
            "reporter/render": "",
        }
    )
    problems = backward_edges(graph)
    assert [p.split(":")[0] for p in problems] == ["reporter/layers/scan.py"]


def test_checker_flags_root_package_importing_a_stage_at_import_time() -> None:
    graph = _graph(
        {
            "reporter/__init__": "from reporter.pipeline import generate\nfrom .options import O\n",
            "reporter/pipeline": "",
            "reporter/options": "",
        }
    )
    problems = backward_edges(graph)
    assert len(problems) == 1
    assert "reporter/__init__.py:1 reporter -> reporter.pipeline" in problems[0]


def test_checker_leaf_utilities() -> None:
    graph = _graph(
        {
            "reporter/output": "from reporter.render.common import x\n",
            "reporter/layers/schedule": "from reporter.output import write\n",
            "reporter/render/common": "from reporter.output import write\n",
            "reporter/cli": "from reporter.output import write\n",
            "reporter/model": "",
        }
    )
    flagged = sorted(p.split(" ")[1] for p in backward_edges(graph))
    assert flagged == [
        "reporter.layers.schedule",  # a computing stage may not use a leaf utility
        "reporter.output",  # a leaf utility imports only the foundation
    ]


def test_checker_finds_a_cycle_and_lists_its_edges() -> None:
    graph = _graph(
        {
            "reporter/report": "from reporter.diff import d\n",
            "reporter/diff": "import reporter.report_io\n",
            "reporter/report_io": "from reporter import report\n",
            "reporter/model": "",
            "reporter/errors": "from reporter.model import M\n",
        }
    )
    (problem,) = import_cycles(graph)
    assert "cycle of 3 files: reporter.diff, reporter.report, reporter.report_io" in problem
    assert "reporter/report_io.py:1 reporter.report_io -> reporter.report" in problem
    assert "reporter.errors" not in problem


def test_checker_finds_a_two_file_cycle_through_a_lazy_import() -> None:
    graph = _graph(
        {
            "reporter/cli": "from reporter.commands import run\n",
            "reporter/commands": "def f() -> None:\n    from reporter.cli import main\n",
        }
    )
    (problem,) = import_cycles(graph)
    assert "reporter.cli, reporter.commands" in problem
    assert "(lazy)" in problem


def test_checker_no_cycle_in_a_dag() -> None:
    graph = _graph(
        {
            "reporter/a": "from reporter import b, c\n",
            "reporter/b": "from reporter import c\n",
            "reporter/c": "",
        }
    )
    assert import_cycles(graph) == []
    assert strongly_connected("abc", [("a", "b"), ("b", "c"), ("c", "a")]) == [["a", "b", "c"]]


def test_checker_flags_an_interface_importing_an_implementation() -> None:
    graph = _graph(
        {
            "reporter/render/__init__": "",
            "reporter/render/interface": (
                "from reporter.model import Report\n"
                "from reporter.render.common import escape\n"
                "def find() -> None:\n"
                "    from reporter.render.json import JSONRenderer\n"
            ),
            "reporter/render/common": "",
            "reporter/render/json": "from reporter.render.interface import Renderer\n",
            "reporter/catalog/interface": "from reporter.catalog import ALL\n",
            "reporter/catalog/__init__": "",
            "reporter/model": "",
        }
    )
    problems = interface_imports(graph)
    assert len(problems) == 2, problems
    assert "reporter.catalog.interface -> reporter.catalog:" in problems[0]
    assert "reporter.render.interface -> reporter.render.json (lazy):" in problems[1]


def test_checker_reports_unplaced_modules() -> None:
    graph = _graph({"reporter/mystery": "", "reporter/model": "", "reporter/__init__": ""})
    assert unplaced_modules(graph) == ["reporter.mystery"]
