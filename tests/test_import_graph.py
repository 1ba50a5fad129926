"""The package's layers, read from its source: storage below alerts and extractors, no import
cycles, the web page and `status` apart from the service, no module past 500 lines.

Every `import presswatch.x` and `from presswatch.x import y` counts, wherever it is: at module
level, inside a function, or under `if TYPE_CHECKING:`. `from presswatch.x import y` is an edge
to the module `presswatch.x.y` when there is one, else to `presswatch.x`. Running a package's
`__init__` before its submodules is Python's doing, not an import the code makes: it is no edge
(a submodule that imports its own package by name makes one).

- storage: nothing under `presswatch.storage` reaches `presswatch.alerts` or
  `presswatch.extractors`, through any chain of imports, TYPE_CHECKING ones included (a type
  that storage names comes from a module below it, such as `presswatch.model`).
- cycles: none through imports that run (module level or in a function); a cycle closed only
  by a TYPE_CHECKING import never runs, and is allowed.
- web and status: no chain of imports that run leads to `presswatch.scheduler`, and none at
  module level to APScheduler: importing them loads no scheduler. (A cron source's next run
  is computed with APScheduler's cron trigger through `presswatch.cron`, imported when there is
  one to compute, as the config does to check a cron expression.)
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import presswatch

PACKAGE_DIR = Path(presswatch.__file__).resolve().parent
MAX_LINES = 500
BELOW_STORAGE = ("presswatch.alerts", "presswatch.extractors")
APART_FROM_SERVICE = ("presswatch.web", "presswatch.status")


@dataclass(frozen=True, slots=True)
class Import:
    target: str  # a module of the package, or the top-level name of another package
    line: int
    is_type_checking: bool
    is_module_level: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {_module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def _resolve(name: str) -> str:
    """The package module `name` is, or is in (the longest known prefix); else its top-level
    package."""
    if not name.startswith("presswatch"):
        return name.split(".")[0]
    parts = name.split(".")
    while parts and ".".join(parts) not in modules():
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    path = modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if _is_package(module) else module.rpartition(".")[0]
    found: list[Import] = []

    def add(
        name: str, node: ast.Import | ast.ImportFrom, type_checking: bool, module_level: bool
    ) -> None:
        found.append(Import(_resolve(name), node.lineno, type_checking, module_level))

    def visit(node: ast.AST, type_checking: bool, module_level: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node, type_checking, module_level)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from its package upwards
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                add(
                    submodule if submodule in modules() else source,
                    node,
                    type_checking,
                    module_level,
                )
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                visit(statement, True, module_level)
            for statement in node.orelse:
                visit(statement, type_checking, module_level)
            return
        inner = module_level and not isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        )
        for child in ast.iter_child_nodes(node):
            visit(child, type_checking, inner)

    visit(tree, False, True)
    return tuple(i for i in found if i.target and i.target != module)


def _reach(
    start: str, follow: Callable[[Import], bool], stop: Iterable[str] = ()
) -> dict[str, list[str]]:
    """Everything `start` leads to through imports that `follow` accepts, each with the chain
    of modules (and lines) that leads there; not walked past the modules under `stop`."""
    paths: dict[str, list[str]] = {start: [start]}
    todo = [start]
    while todo:
        current = todo.pop()
        if current not in modules() or (current != start and _under(current, stop)):
            continue  # another package's imports are not ours to walk
        for found in imports_of(current):
            if follow(found) and found.target not in paths:
                paths[found.target] = [*paths[current], f"{found.target} (line {found.line})"]
                todo.append(found.target)
    return paths


def _under(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_graph_is_read_from_every_module() -> None:
    assert "presswatch.storage.db" in modules()
    targets = {i.target for i in imports_of("presswatch.storage.db")}
    assert "presswatch.errors" in targets
    assert "sqlalchemy" in targets


def test_storage_imports_neither_alerts_nor_extractors() -> None:
    found = []
    for module in modules():
        if _under(module, ["presswatch.storage"]):
            for target, path in _reach(module, lambda _: True, BELOW_STORAGE).items():
                if _under(target, BELOW_STORAGE):
                    found.append(" -> ".join(path))
    assert not found, "storage reaches above itself:\n" + "\n".join(found)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each group of modules that import each other (Tarjan's strongly
    connected components, then a path around each)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    cycles = []
    for group in groups:
        members = set(group)
        first = group[0]
        # the shortest way round from the group's first module back to it
        paths = {first: [first]}
        todo = [first]
        cycle: list[str] | None = None
        while todo and cycle is None:
            current = todo.pop(0)
            for target in sorted(edges[current] & members):
                if target == first:
                    cycle = [*paths[current], first]
                    break
                if target not in paths:
                    paths[target] = [*paths[current], target]
                    todo.append(target)
        assert cycle is not None
        cycles.append(cycle)
    return cycles


def test_a_cycle_is_found_and_shown_as_a_path() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert _cycles(edges) == [["a", "b", "c", "a"]]


def test_no_import_cycles() -> None:
    edges = {
        module: {
            i.target for i in imports_of(module) if i.target in modules() and not i.is_type_checking
        }
        for module in modules()
    }
    cycles = _cycles(edges)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_web_and_status_do_not_import_the_scheduler() -> None:
    found = []
    for module in modules():
        if not _under(module, APART_FROM_SERVICE):
            continue
        service = ["presswatch.scheduler"]
        runs = _reach(module, lambda i: not i.is_type_checking, service)
        at_import = _reach(module, lambda i: not i.is_type_checking and i.is_module_level, service)
        found += [" -> ".join(runs[t]) for t in runs if _under(t, service)]
        found += [" -> ".join(at_import[t]) for t in at_import if t == "apscheduler"]
    assert not found, "the service's scheduler is imported by:\n" + "\n".join(found)


def test_no_module_is_over_500_lines() -> None:
    long = {
        name: count
        for name, path in modules().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by responsibility): {long}"


def _loaded_after(statements: str) -> set[str]:
    """The modules in sys.modules after running `statements` in a fresh interpreter."""
    script = textwrap.dedent(statements) + "\nimport sys\nprint('\\n'.join(sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    ("statements", "unwanted"),
    [
        (
            # every storage module but the migrations (Alembic loads those, in its own context)
            """
            import importlib, pkgutil
            import presswatch.storage as storage
            for info in pkgutil.iter_modules(storage.__path__, "presswatch.storage."):
                if not info.name.endswith(".migrations"):
                    importlib.import_module(info.name)
            """,
            BELOW_STORAGE,
        ),
        (
            """
            import importlib, pkgutil
            import presswatch.web as web, presswatch.status
            for info in pkgutil.iter_modules(web.__path__, "presswatch.web."):
                importlib.import_module(info.name)
            """,
            ("presswatch.scheduler", "apscheduler"),
        ),
        (
            # what `presswatch crawl` loads before it starts the crawl process: the command
            # line, the config and the crawl host, not the database layer, Scrapy or the
            # extractor (the crawl process loads those, in parallel with nothing else to do)
            """
            import presswatch.cli, presswatch.cli.crawl, presswatch.crawler.run
            """,
            ("sqlalchemy", "scrapy", "trafilatura", "presswatch.storage"),
        ),
        (
            # what the crawl process loads: never the extractor, which only its workers need
            """
            import presswatch.crawler.host, presswatch.crawler.pipelines
            import presswatch.crawler.spiders.source, presswatch.crawler.settings
            """,
            ("trafilatura", "presswatch.extractors.article", "alembic"),
        ),
    ],
    ids=["storage", "web-and-status", "crawl-command", "crawl-process"],
)
def test_importing_loads_no_module_from_above(statements: str, unwanted: tuple[str, ...]) -> None:
    loaded = _loaded_after(statements)
    assert len(loaded) > 10
    assert sorted(m for m in loaded if _under(m, unwanted)) == []
