"""The house's layering, read from the source: every import of every module (those
inside functions too, which a lazy import would otherwise hide), then no import
circle anywhere and each package's rules:

* ``engine`` imports nothing of ours but itself;
* ``mcts`` never imports ``nets`` or torch (a network reaches the search as an evaluator);
* ``analysis`` (what a search shows, and the JSON analysis engine) builds on ``engine``
  and ``mcts`` only;
* ``gtp`` builds on ``engine``, ``mcts`` and ``analysis`` only, and its engine knows nothing of its
  extensions (they register on it; ``gtp.build`` installs them);
* Ray stays in ``selfplay`` (and the tournament runner's workers), pygame in ``gui``.

The import graph is built with ``ast``, so nothing is imported to check it.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
RAY_ALLOWED = ("selfplay", "arena.tournament_runner")  # the tournament runs its games on Ray workers
PYGAME_ALLOWED = ("gui",)
GTP_MAY_IMPORT = ("gtp", "analysis", "engine", "mcts")
ANALYSIS_MAY_IMPORT = ("analysis", "engine", "mcts")
GTP_ENGINE_CORE = ("gtp.protocol", "gtp.arguments", "gtp.engine", "gtp.time_control")


def installed_packages(root: Path = REPO_ROOT) -> list[str]:
    """The top-level packages pyproject.toml installs (``include = ["engine*", ...]``)."""
    config = tomllib.loads((root / "pyproject.toml").read_text())
    return [name.rstrip("*") for name in config["tool"]["setuptools"]["packages"]["find"]["include"]]


def module_files(root: Path, packages: list[str]) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under the packages."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported_modules(name: str, path: Path) -> set[str]:
    """The modules ``name`` imports, anywhere in the file, as written: ``import a.b``
    gives ``a.b``, ``from a import b`` gives ``a``; relative imports are resolved
    against the module's package."""
    found = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.add(".".join([*package[: len(package) - node.level + 1], node.module or ""]).strip("."))
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module)
    return found


def imported_names(name: str, path: Path) -> set[str]:
    """Every dotted name ``name`` imports: ``imported_modules``, and ``a.b`` for each
    ``from a import b`` (``b`` may be a module)."""
    names = imported_modules(name, path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            base = ".".join([*package[: len(package) - node.level + 1], node.module or ""]).strip(".")
            base = base if node.level else node.module
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def missing_modules(root: Path, packages: list[str]) -> set[tuple[str, str]]:
    """``(importer, module)`` for each import of one of ``packages`` that names no module
    there: a module moved or renamed under an import that runs only inside a function."""
    modules = module_files(root, packages)
    return {
        (name, imported)
        for name, path in modules.items()
        for imported in imported_modules(name, path)
        if imported.split(".")[0] in packages and imported not in modules
    }


def import_graph(root: Path, packages: list[str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``(graph, external)``: each module's imports among our modules, and the top-level
    names of everything else it imports (``torch``, ``ray``, ...).

    ``from a import b`` is an edge to module ``a.b`` when there is one, else to ``a``
    (so re-exports through a package's ``__init__`` count); a package's own ``__init__``
    importing its modules is no circle, since importing ``a.b`` alone does not need it.
    """
    modules = module_files(root, packages)
    graph, external = {}, {}
    for name, path in modules.items():
        edges, others = set(), set()
        for imported in imported_names(name, path):
            if imported.split(".")[0] not in packages:
                others.add(imported.split(".")[0])
                continue
            target = imported
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                edges.add(target)
        # "from a import b" adds both a and a.b: keep a only when b is no module of a.
        graph[name] = {t for t in edges if not any(u.startswith(t + ".") for u in edges)}
        external[name] = others
    return graph, external


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(start: str) -> None:  # iterative: deep import chains must not hit the recursion limit
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def in_package(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


# --- the house ---------------------------------------------------------------

PACKAGES = installed_packages()
GRAPH, EXTERNAL = import_graph(REPO_ROOT, [*PACKAGES, "tests"])


def test_every_package_is_installed():
    """A package pyproject.toml leaves out works in the checkout and breaks in an install."""
    on_disk = sorted(p.name for p in REPO_ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "tests")
    assert sorted(PACKAGES) == on_disk


def test_every_import_of_ours_names_a_module_that_exists():
    assert missing_modules(REPO_ROOT, [*PACKAGES, "tests"]) == set()


def test_no_import_circle_anywhere():
    assert import_cycles(GRAPH) == []


def test_engine_imports_nothing_of_ours():
    for module in GRAPH:
        if in_package(module, ("engine",)):
            assert all(in_package(t, ("engine",)) for t in GRAPH[module]), (module, GRAPH[module])


def test_search_never_imports_networks_or_torch():
    for module in GRAPH:
        if in_package(module, ("mcts",)):
            assert not any(in_package(t, ("nets",)) for t in GRAPH[module]), module
            assert "torch" not in EXTERNAL[module], module


def test_gtp_builds_on_the_rules_and_the_search_only():
    for module in GRAPH:
        if in_package(module, ("gtp",)):
            assert all(in_package(t, GTP_MAY_IMPORT) for t in GRAPH[module]), (module, GRAPH[module])
            assert "torch" not in EXTERNAL[module], module


def test_analysis_builds_on_the_rules_and_the_search_only():
    for module in GRAPH:
        if in_package(module, ("analysis",)):
            assert all(in_package(t, ANALYSIS_MAY_IMPORT) for t in GRAPH[module]), (module, GRAPH[module])


def test_the_gtp_engine_knows_nothing_of_its_extensions():
    for module in GTP_ENGINE_CORE:
        assert not any(in_package(t, ("gtp.extensions", "gtp.build")) for t in reachable(GRAPH, module)), module


def test_ray_and_pygame_stay_in_their_packages():
    ours = [m for m in GRAPH if not in_package(m, ("tests",))]
    assert {m for m in ours if "ray" in EXTERNAL[m] and not in_package(m, RAY_ALLOWED)} == set()
    assert {m for m in ours if "pygame" in EXTERNAL[m] and not in_package(m, PYGAME_ALLOWED)} == set()


# --- the checker itself ------------------------------------------------------


def write_modules(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_circle_through_an_import_inside_a_function_is_found(tmp_path):
    write_modules(tmp_path, {
        "a/__init__.py": "",
        "a/one.py": "from a.two import helper\n",
        "a/two.py": "def helper():\n    from a import one  # lazy, still a circle\n    return one\n",
        "a/three.py": "from . import two\nimport numpy\n",
        "b/__init__.py": "from b.inner import thing\n",  # a package re-exporting its module: no circle
        "b/inner.py": "thing = 1\n",
    })  # fmt: skip
    graph, external = import_graph(tmp_path, ["a", "b"])
    assert graph["a.three"] == {"a.two"} and external["a.three"] == {"numpy"}
    assert import_cycles(graph) == [["a.one", "a.two"]]
    assert reachable(graph, "a.three") == {"a.one", "a.two"}
    assert missing_modules(tmp_path, ["a", "b"]) == set()
    write_modules(tmp_path, {"b/late.py": "def f():\n    from a.moved import x\n    import b.inner\n"})
    assert missing_modules(tmp_path, ["a", "b"]) == {("b.late", "a.moved")}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from .. import engine\n", {"gtp", "gtp.engine"}),
        ("from ..protocol import Streamed\n", {"gtp.protocol", "gtp.protocol.Streamed"}),
        ("from . import kgs_time\n", {"gtp.extensions", "gtp.extensions.kgs_time"}),
        ("import ray.train\n", {"ray.train"}),
    ],
)
def test_relative_imports_resolve_against_the_package(tmp_path, source, expected):
    path = tmp_path / "analyze.py"
    path.write_text(source)
    assert imported_names("gtp.extensions.analyze", path) == expected
