"""The house rules of ARCHITECTURE.md, checked over every import of the package.

Each rule walks the source with ``ast`` (nothing is imported), so a rule cannot be satisfied by
an import that happens to succeed. Today's exceptions are listed below, each with its reason;
an entry that no longer applies fails the test, so the lists can only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "src" / "cbec_policy"
MAX_LINES = 500

# Layers of ARCHITECTURE.md: a module may import from its own layer and the layers below.
LAYERS: dict[str, int] = {
    # 0: shared basics and the bundled reference data
    "cbec_policy": 0,
    "lazy": 0,
    "errors": 0,
    "dates": 0,
    "docnumber": 0,
    "labels": 0,
    "models": 0,
    "cells": 0,
    "reference": 0,
    "departments": 0,
    # 1: reading documents, classifying them, places, search queries
    "places": 1,
    "ingest": 1,
    "classify": 1,
    "query": 1,
    # 2: the database
    "store": 2,
    # 3: what is computed from the store and the reference data
    "analysis": 3,
    "rules": 3,
    "evaluation": 3,
    # 4: front ends and what turns results into text for people
    "i18n": 4,
    "citation_export": 4,
    "tables": 4,
    "report": 4,
    "web": 4,
    "cli": 4,
    "__main__": 4,
}

# Imports from a lower layer to a higher one: "importer -> imported module".
UPWARD_ALLOWED: dict[str, str] = {}

# Reaches into another package's module that its __init__.py __all__ does not export.
PRIVATE_ALLOWED: dict[str, str] = {}

# Import circles, each as its sorted modules joined by " <-> ".
CYCLES_ALLOWED: dict[str, str] = {}

# Modules over MAX_LINES lines.
LONG_ALLOWED: dict[str, str] = {}

# Imports inside a function without a "# deferred:" or "# start-up:" comment: "module -> target".
INNER_ALLOWED: dict[str, str] = {}


@dataclass(frozen=True)
class Import:
    """One import statement's target as the walker resolved it."""

    importer: str
    target: str
    names: tuple[str, ...]
    line: int
    in_function: bool
    type_only: bool
    commented: bool
    via: str = ""  # the package whose lazy façade (_LAZY) resolved the name to ``target``


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {_module_name(path): path for path in sorted(PACKAGE_ROOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, in_function: bool, type_only: bool):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function, type_only
        inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        typed = type_only or (isinstance(child, ast.If) and _is_type_checking(child))
        yield from _walk(child, inner, typed)


def _says_why(lines: list[str], first: int, end: int) -> bool:
    """Whether the import's own lines, or the comments and imports just above it, say why it is deferred."""
    start = first
    while start > 0 and lines[start - 1].strip().startswith(("#", "from ", "import ")):
        start -= 1
    nearby = " ".join(lines[start:end])
    return "# deferred:" in nearby or "# start-up:" in nearby


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


LAZY_LOADER = "cbec_policy.lazy"  # the lazy façades' loader: the one module that uses importlib


def _assigned(node: ast.stmt, name: str) -> ast.expr | None:
    """The value a module-level statement assigns to ``name`` (plain or annotated), else None."""
    if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
        return node.value
    if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == name:
        return node.value
    return None


@cache
def lazy_maps() -> dict[str, dict[str, str]]:
    """Each package's lazy façade: the literal ``_LAZY`` map (name → module) of its ``__init__.py``."""
    found = {}
    for module, path in modules().items():
        if path.name != "__init__.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = _assigned(node, "_LAZY")
            if value is not None:
                found[module] = ast.literal_eval(value)
    return found


def _target(base: str, name: str) -> tuple[str, tuple[str, ...], str]:
    """What ``from base import name`` reaches: a submodule, the module behind a lazy name, or base."""
    full = f"{base}.{name}"
    if full in modules():
        return full, (), ""
    lazy = lazy_maps().get(base, {})
    if name in lazy:  # importing the name runs base/__init__.py, then imports the module that defines it
        return lazy[name], (name,), base
    return base, (name,), ""


@cache
def imports() -> tuple[Import, ...]:
    """Every import of a module of this package, from every module of it."""
    found = []
    for module, path in modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for node, in_function, type_only in _walk(tree, False, False):
            commented = _says_why(lines, node.lineno - 1, node.end_lineno or node.lineno)
            if isinstance(node, ast.Import):
                targets = [(alias.name, (), "") for alias in node.names]
            else:
                base = _resolve(module, path.name == "__init__.py", node)
                targets = [_target(base, alias.name) for alias in node.names]
            for target, names, via in targets:
                found.append(Import(module, target, names, node.lineno, in_function, type_only, commented, via))
    return tuple(found)


def package_of(module: str) -> str:
    """The top unit of a module: ``store`` for ``cbec_policy.store.db``, ``cbec_policy`` for the root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_of(module: str) -> int:
    """The layer of a module's top unit; a unit missing from LAYERS is a failure of its own."""
    return LAYERS[package_of(module)]


@cache
def facade(package: str) -> frozenset[str]:
    """Names a package's __init__.py lists in ``__all__`` (empty when it has none)."""
    path = PACKAGE_ROOT / package / "__init__.py"
    if not path.exists():  # a namespace package has no façade at all
        return frozenset()
    return frozenset(_all_of(path))


def _own(imp: Import) -> bool:
    return imp.target == "cbec_policy" or imp.target.startswith("cbec_policy.")


def upward_imports() -> set[str]:
    """Imports from a lower layer to a higher one, as "importer -> target"."""
    return {
        f"{imp.importer} -> {imp.target}"
        for imp in imports()
        if _own(imp) and layer_of(imp.importer) < layer_of(imp.target)
    }


def private_reaches() -> set[str]:
    """Imports of another package's module or name that its façade does not export."""
    found = set()
    for imp in imports():
        if not _own(imp) or imp.target == "cbec_policy":
            continue
        target_package = package_of(imp.target)
        if target_package == package_of(imp.importer) or not (PACKAGE_ROOT / target_package).is_dir():
            continue
        published = facade(target_package)
        head = f"cbec_policy.{target_package}"
        if head in (imp.target, imp.via) and set(imp.names) <= published:
            continue
        if imp.target.removeprefix(head + ".").split(".")[0] in published:
            continue
        found.add(f"{imp.importer} -> {imp.target}")
    return found


def cycles() -> set[str]:
    """Strongly connected groups of modules in the run-time import graph (Tarjan)."""
    graph: dict[str, set[str]] = {name: set() for name in modules()}
    for imp in imports():
        if not _own(imp) or imp.type_only or imp.target not in graph:
            continue
        # Importing a.b.c runs a/__init__.py and a/b/__init__.py first: those are arrows too.
        parts = imp.target.split(".")
        for depth in range(2, len(parts) + 1):
            step = ".".join(parts[:depth])
            if step in graph and step != imp.importer and not imp.importer.startswith(step + "."):
                graph[imp.importer].add(step)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: set[str] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.add(" <-> ".join(sorted(group)))

    for name in graph:
        if name not in index:
            visit(name)
    return groups


def long_modules() -> set[str]:
    """Modules over MAX_LINES lines."""
    return {name for name, path in modules().items() if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES}


def uncommented_inner_imports() -> set[str]:
    """Imports inside a function that do not say why (``# deferred:`` or ``# start-up:``), as "module -> target"."""
    return {f"{imp.importer} -> {imp.target}" for imp in imports() if imp.in_function and not imp.commented}


def importlib_uses() -> set[str]:
    """Modules that import ``importlib``: the package's own modules are imported plainly, so arrows show.

    The lazy façades' loader is the exception: it imports only what a literal ``_LAZY`` map names,
    and the walker reads those maps (see ``lazy_facade_faults``).
    """
    return {imp.importer for imp in imports() if imp.target.split(".")[0] == "importlib"} - {LAZY_LOADER}


def _top_level_names(path: Path) -> set[str]:
    """Names a module binds at its top level: imports, definitions and assignments."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _all_of(path: Path) -> list[str]:
    """The names of a module's ``__all__``: a literal list, where ``*_LAZY`` stands for its lazy map's names."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    lazy = next((ast.literal_eval(v) for node in body if (v := _assigned(node, "_LAZY")) is not None), {})
    for node in body:
        value = _assigned(node, "__all__")
        if isinstance(value, ast.List | ast.Tuple):
            names: list[str] = []
            for element in value.elts:
                if isinstance(element, ast.Starred) and getattr(element.value, "id", None) == "_LAZY":
                    names.extend(lazy)
                else:
                    names.append(ast.literal_eval(element))
            return names
        if value is not None:
            return list(ast.literal_eval(value))
    return []


def lazy_facade_faults() -> set[str]:
    """Where a lazy façade and its ``__all__`` disagree, or a name is not where its map says."""
    faults = set()
    for package, lazy in lazy_maps().items():
        init = modules()[package]
        source = init.read_text(encoding="utf-8")
        exported = _all_of(init)
        eager = _top_level_names(init) - {"_LAZY", "__all__", "__getattr__", "lazy_exports"}
        if "__getattr__ = lazy_exports(globals(), _LAZY)" not in source:
            faults.add(f"{package}: no __getattr__ = lazy_exports(globals(), _LAZY)")
        for name in sorted(set(lazy) - set(exported)):
            faults.add(f"{package}: lazy {name} is not in __all__")
        for name in sorted(set(exported) - set(lazy) - eager):
            faults.add(f"{package}: {name} of __all__ is neither imported nor lazy")
        for name, module in sorted(lazy.items()):
            if name in eager:
                faults.add(f"{package}: {name} is both imported and lazy")
            if f"{package}.{name}" in modules():
                faults.add(f"{package}: lazy {name} is also the name of a submodule")
            if not module.startswith(package + ".") or module not in modules():
                faults.add(f"{package}: lazy {name} -> {module}, not a module of the package")
            elif name not in _top_level_names(modules()[module]):
                faults.add(f"{package}: lazy {name} -> {module}, which does not define it")
    for imp in imports():
        if imp.target == LAZY_LOADER and imp.importer not in lazy_maps():
            faults.add(f"{imp.importer}: uses the lazy loader without a literal _LAZY map")
    return faults


def lang_parameters() -> set[str]:
    """Functions below the front ends' layer that take a ``lang``: "module.function".

    Analysis, rules, the store and the layers under them return codes, numbers and structured
    results; turning them into Chinese or English is the front ends' layer (``cbec_policy.i18n``).
    """
    front_ends = max(LAYERS.values())
    found = set()
    for module, path in modules().items():
        if layer_of(module) >= front_ends:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            if any(arg is not None and arg.arg == "lang" for arg in every):
                found.add(f"{module}.{getattr(node, 'name', '<lambda>')}")
    return found


def assert_exactly_allowed(found: set[str], allowed: dict[str, str], rule: str) -> None:
    """Fail on a breach of ``rule`` that its list does not allow, and on a listed one now fixed."""
    new = sorted(found - set(allowed))
    stale = sorted(set(allowed) - found)
    message = []
    if new:
        message.append(f"{rule}: {len(new)} new, fix them: " + "; ".join(new))
    if stale:
        message.append(f"{rule}: {len(stale)} allowed but fixed, delete them from the list: " + "; ".join(stale))
    assert not message, "\n".join(message)


def test_walker_sees_the_package() -> None:
    """The walker finds every module file and the imports the façades are built from."""
    assert len(modules()) == len(list(PACKAGE_ROOT.rglob("*.py")))
    assert any(imp.importer == "cbec_policy.store" and imp.target == "cbec_policy.store.db" for imp in imports())


def test_walker_sees_through_lazy_facades() -> None:
    """A name imported from a lazy façade is an arrow to the module that defines it."""
    assert lazy_maps()["cbec_policy.analysis"]["bundled_provinces"] == "cbec_policy.analysis.provinces"
    assert any(
        imp.importer == "cbec_policy.i18n.places"
        and imp.target == "cbec_policy.analysis.provinces"
        and imp.via == "cbec_policy.analysis"
        for imp in imports()
    )


def test_lazy_facades_agree_with_all() -> None:
    """Each ``_LAZY`` name is exported, defined where the map says, and not imported eagerly too."""
    assert_exactly_allowed(lazy_facade_faults(), {}, "lazy façade")


def test_every_unit_has_a_layer() -> None:
    """A new package or top-level module must be placed in a layer before it can be imported."""
    assert {package_of(name) for name in modules()} <= set(LAYERS)


def test_no_import_from_a_lower_layer_to_a_higher_one() -> None:
    assert_exactly_allowed(upward_imports(), UPWARD_ALLOWED, "upward import")


def test_no_reach_into_another_package_private_module() -> None:
    assert_exactly_allowed(private_reaches(), PRIVATE_ALLOWED, "private reach")


def test_no_import_circles() -> None:
    assert_exactly_allowed(cycles(), CYCLES_ALLOWED, "import circle")


def test_no_module_over_the_line_limit() -> None:
    assert_exactly_allowed(long_modules(), LONG_ALLOWED, f"module over {MAX_LINES} lines")


def test_inner_imports_say_why() -> None:
    assert_exactly_allowed(uncommented_inner_imports(), INNER_ALLOWED, "uncommented import inside a function")


def test_no_importlib() -> None:
    assert_exactly_allowed(importlib_uses(), {}, "importlib")


def test_no_lang_parameter_below_the_front_ends() -> None:
    assert_exactly_allowed(lang_parameters(), {}, "lang parameter below layer 4")


def test_lang_rule_catches_a_planted_violation() -> None:
    """A function below the front ends that takes ``lang`` is reported (the rule is not vacuous)."""
    planted = PACKAGE_ROOT / "places" / "_planted_for_architecture_test.py"
    planted.write_text("def name_of(code, lang):\n    return code\n", encoding="utf-8")
    modules.cache_clear()
    try:
        assert "cbec_policy.places._planted_for_architecture_test.name_of" in lang_parameters()
    finally:
        planted.unlink()
        modules.cache_clear()


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("from cbec_policy.web.app import create_app\n", upward_imports),
        ("from cbec_policy.store.db import Store\n", private_reaches),
        ("def f():\n    import json\n", uncommented_inner_imports),
        ("import importlib\n", importlib_uses),
    ],
)
def test_rules_catch_a_planted_violation(source: str, rule: Callable[[], set[str]]) -> None:
    """A module that breaks a rule is reported: the rules are not vacuous."""
    planted = PACKAGE_ROOT / "places" / "_planted_for_architecture_test.py"
    before = rule()
    planted.write_text(source, encoding="utf-8")
    for cached in (modules, imports, lazy_maps):
        cached.cache_clear()
    try:
        assert any("_planted_for_architecture_test" in entry for entry in rule() - before)
    finally:
        planted.unlink()
        for cached in (modules, imports, lazy_maps):
            cached.cache_clear()
