"""Lazy façades (:mod:`cbec_policy.lazy`): a name loads its module on first use, so light commands stay light.

The start-up checks run each import in a fresh interpreter and look at what it loaded: the
reason the façades are lazy, and the heavy imports deferred into functions, is that a command
naming a province or a table does not pay for scipy, scikit-learn, matplotlib, pandas or Dask.
"""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from cbec_policy.lazy import lazy_exports

HEAVY = ("dask", "fastapi", "matplotlib", "networkx", "pandas", "pyarrow", "scipy", "sklearn")


def _loaded_after(code: str) -> set[str]:
    """The modules of HEAVY and of the package that ``code`` leaves loaded in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return {name for name in out.split() if name.split(".")[0] in HEAVY or name.startswith("cbec_policy.")}


@pytest.mark.parametrize(
    ("code", "absent"),
    [
        # every façade imports without its heavy names' modules
        (
            "import cbec_policy.analysis, cbec_policy.classify, cbec_policy.evaluation, cbec_policy.report,"
            " cbec_policy.rules, cbec_policy.web",
            HEAVY,
        ),
        # a command that names a province loads the province table, not the rest of analysis
        (
            "from cbec_policy.analysis import bundled_provinces",
            ("cbec_policy.analysis.claims", "cbec_policy.analysis.stats", "cbec_policy.analysis.evolution"),
        ),
        # the claims load without scipy and networkx: the tests import them when they run
        ("from cbec_policy.analysis import evaluate_claims, focus_test", ("scipy", "networkx")),
        # the command groups that never compute a statistic or draw a chart
        ("import cbec_policy.cli.zones, cbec_policy.cli.local", ("scipy", "networkx", "matplotlib", "sklearn")),
        ("import cbec_policy.cli.tables", ("scipy", "networkx", "matplotlib", "sklearn", "pandas")),
        ("import cbec_policy.cli.rules", ("pandas", "pyarrow", "dask", "matplotlib")),
    ],
)
def test_light_imports_stay_light(code: str, absent: tuple[str, ...]) -> None:
    loaded = _loaded_after(code)
    assert not {name for name in loaded for heavy in absent if name == heavy or name.startswith(heavy + ".")}


def test_a_lazy_name_is_its_module_object() -> None:
    """The façade hands out the module's own object and keeps it, so identity and patches hold."""
    from cbec_policy import report
    from cbec_policy.report import build as build_module

    assert report.build_report is build_module.build_report
    assert "build_report" in vars(report)


def test_an_unknown_name_is_an_attribute_error() -> None:
    """A name outside the map is an AttributeError naming the package (so ``hasattr`` and submodules work)."""
    namespace = {"__name__": "cbec_policy.example"}
    getter = lazy_exports(namespace, {"dumps": "json"})
    with pytest.raises(AttributeError, match=r"'cbec_policy\.example' has no attribute 'loads'"):
        getter("loads")
    import json

    assert getter("dumps") is json.dumps
    assert namespace["dumps"] is json.dumps


def test_a_submodule_still_imports_through_a_lazy_facade() -> None:
    """``from package import submodule`` falls through the façade's AttributeError to the import system."""
    from cbec_policy.analysis import periods

    assert isinstance(periods, types.ModuleType)
    assert periods.__name__ == "cbec_policy.analysis.periods"
