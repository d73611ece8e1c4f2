"""The project's layers: every module imports, no import cycle, and no import runs back up.

The layers, from the bottom: ``reference`` (the math), ``grading`` (checks, mistakes, the
grading-call parser), ``sandbox`` (running student code), ``course`` (what the instructor runs),
``simulation`` (the simulated class of the demo, tests and benchmarks), ``bench`` (benchmarks).
A module may import its own layer and those below. The graph is read from the source (every
``import``, also inside functions), so a lazy import that closes a cycle is caught as well.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("reference", "grading", "sandbox", "course", "simulation", "bench")


def _modules() -> dict[str, Path]:
    found = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module ``name`` lives in (a module, or the package holding it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    """The project modules ``module`` imports anywhere in its source."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {_resolve(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                kept = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*kept, base] if base else kept)
            elif base.split(".")[0] not in LAYERS and f"{package}.{base}" in MODULES:
                base = f"{package}.{base}"  # a benchmark script's sibling module
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.add(whole if whole in MODULES else _resolve(base))
    return {name for name in found if name and name != module}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in GRAPH[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return components


def test_the_graph_sees_every_layer():
    """The test would pass on an empty graph: it must see the project's real imports."""
    assert len(MODULES) > 80
    assert "grading.registry" in GRAPH["grading.runner"]
    assert "bench.mutation_mistakes" in GRAPH["bench.mutation_score"]
    assert "grading.checks.quiz" in GRAPH["grading.answers"]  # imported inside a function


def test_no_import_cycle():
    assert _cycles() == []


def test_no_import_runs_back_up():
    upward = [f"{module} imports {other}" for module, others in GRAPH.items() for other in others
              if LAYERS.index(other.split(".")[0]) > LAYERS.index(module.split(".")[0])]
    assert upward == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.startswith("bench")))
def test_every_module_imports(module):
    importlib.import_module(module)


def test_the_instructors_package_reads_no_grading_internals():
    """course/ runs a real course through nbgrader; only the simulated class (and the sandbox's
    preprocessors, through nbgrader's config) reach into the graders."""
    reaching = sorted(f"{module} imports {other}" for module, others in GRAPH.items()
                      if module.startswith("course") for other in others
                      if other.startswith("grading"))
    assert reaching == []
