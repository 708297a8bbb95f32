"""Lazy façades (PEP 562): a package exports names whose modules are imported on first use.

A package whose modules load heavy libraries (scipy, scikit-learn, matplotlib, pandas, Dask), or
whose many modules a light command would otherwise all import, lists those names in its
``__all__`` and in a literal map ``_LAZY`` (name → the module of the package that defines it),
and sets ``__getattr__ = lazy_exports(globals(), _LAZY)``. ``from cbec_policy.report import
build_report`` then imports ``cbec_policy.report.build`` at that moment, and only that module.

``tests/test_architecture.py`` reads every ``_LAZY`` map, so an import through a lazy façade is
an arrow to the real module for the layer and circle checks, and it checks that each map agrees
with its ``__all__``. This is the one place that imports the package's own modules by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(namespace: dict[str, Any], lazy: Mapping[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of the package whose ``globals()`` is ``namespace``.

    A name of ``lazy`` is imported from its module on first use and kept in ``namespace``, so
    later look-ups do not come here; any other name is an ``AttributeError`` (which also lets
    ``from package import submodule`` import the submodule as usual).
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = lazy.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
