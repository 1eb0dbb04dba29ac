"""The layout promises of CONTRIBUTING.md, checked: small modules and functions, imports that only
point downward (no cycles, core never imports a built-in plugin), plugins on the public API only,
and tests that mirror the source tree by name."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {"core": "ganvas", "plugins": "ganvas.plugins"}
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60

#: What a plugin may import: ``ganvas`` and these modules, each only the names in its ``__all__``.
PUBLIC_MODULES = (
    "ganvas",
    "ganvas.errors",
    "ganvas.device",
    "ganvas.seeds",
    "ganvas.data",
    "ganvas.recipe",
    "ganvas.training",
    "ganvas.training.augment",
    "ganvas.drawing",
    "ganvas.io",
    "ganvas.metrics",
    "ganvas.plugin",
    "ganvas.plugin.hookspecs",
    "ganvas.plugin.testing",
    "ganvas.bench",
    "ganvas.runs",
)
#: Test files that check the whole rather than one module, so they mirror nothing.
CROSS_CUTTING = {
    "test_layout.py",
    "test_bad_inputs.py",
    "test_end_to_end.py",
    "test_packaging.py",
    "test_plugin_acceptance.py",
    "test_gallery_browser.py",
    "test_watch_browser.py",
}


def python_files() -> Iterator[tuple[Path, str]]:
    """Every source file and its module name."""
    for folder, package in SOURCES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            yield path, ".".join((package, *parts))


def imports_of(path: Path, module: str) -> set[str]:
    """The ganvas modules ``path`` imports anywhere (functions too), except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text())
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in node.body
        for n in ast.walk(child)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("ganvas")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ganvas"):
            submodules = {f"{node.module}.{a.name}" for a in node.names}  # `from ganvas.x import module`
            found |= submodules if submodules <= set(MODULES) else {node.module}
    return found


MODULES = dict((module, path) for path, module in python_files())


def graph() -> dict[str, set[str]]:
    return {
        module: {i for i in imports_of(path, module) if i in MODULES and i != module}
        for module, path in MODULES.items()
    }


def test_no_module_is_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p, _ in python_files()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these by concern: {long}"


def test_no_function_is_over_60_lines():
    long = []
    for path, _ in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, "split these functions: " + "; ".join(long)


def test_core_never_imports_a_builtin_plugin():
    # the one exception: the plugin manager reads the package's list of built-in plugin modules
    # (ganvas.plugins.BUILTIN_PLUGINS), as datasette's does; the modules themselves load by name
    allowed = {"ganvas.plugin.manager": {"ganvas.plugins"}}
    bad = {
        m: sorted(i for i in deps - allowed.get(m, set()) if i.startswith("ganvas.plugins"))
        for m, deps in graph().items()
        if not m.startswith("ganvas.plugins")
    }
    assert not {m: d for m, d in bad.items() if d}


def test_imports_have_no_cycles():
    edges, state, stack, cycles = graph(), {}, [], []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for dep in sorted(edges[node]):
            if state.get(dep) == "open":
                cycles.append(" -> ".join(stack[stack.index(dep) :] + [dep]))
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles: " + "; ".join(cycles[:5])


def _public_names(module: str) -> set[str]:
    return set(getattr(importlib.import_module(module), "__all__", ()))


@pytest.mark.parametrize(
    "path", [p for p, m in python_files() if m.startswith("ganvas.plugins")], ids=lambda p: str(p.relative_to(ROOT))
)
def test_plugins_use_only_the_public_api(path):
    problems = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("ganvas")
            and not node.module.startswith("ganvas.plugins")
        ):
            if node.module not in PUBLIC_MODULES:
                problems.append(f"line {node.lineno}: {node.module} is private; import from one of {PUBLIC_MODULES}")
                continue
            missing = {a.name for a in node.names} - _public_names(node.module) - {"__version__"}
            if missing:
                problems.append(f"line {node.lineno}: {sorted(missing)} not in {node.module}.__all__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if (
                    alias.name.startswith("ganvas")
                    and not alias.name.startswith("ganvas.plugins")
                    and alias.name not in PUBLIC_MODULES
                ):
                    problems.append(f"line {node.lineno}: {alias.name} is private")
    assert not problems, "; ".join(problems)


def _mirrored(test: Path) -> bool:
    rel = test.relative_to(ROOT / "tests")
    name = rel.name[len("test_") : -len(".py")]
    if rel.parts[0] in SOURCES:
        folder = ROOT / Path(*rel.parts[:-1])
        if name == "init":  # tests of a package's __init__.py
            return (folder / "__init__.py").is_file()
        return (
            (folder / f"{name}.py").is_file() or (folder / name).is_dir() or (folder.name == name and folder.is_dir())
        )
    if rel.parts[0] == "gallery":
        return True  # tests of the committed gallery (gallery/)
    if rel.parts[0] == "docs":
        return True  # tests of README examples
    return len(rel.parts) == 1 and rel.name in CROSS_CUTTING


def test_tests_mirror_the_source_tree():
    tests = sorted((ROOT / "tests").rglob("test_*.py"))
    stray = [str(t.relative_to(ROOT)) for t in tests if not _mirrored(t)]
    assert not stray, "each tests/core/X/test_Y.py tests core/X/Y.py (plugins/ alike); move or rename: " + ", ".join(
        stray
    )
