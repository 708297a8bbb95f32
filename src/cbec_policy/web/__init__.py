"""The web application and REST API over the store: ``create_app`` builds it, ``cbec serve`` runs it.

Other packages use the name exported here; it is imported on first use (:mod:`cbec_policy.lazy`),
so importing one module of the app (its templates' helpers, its i18n) does not build all of it.
"""

from cbec_policy.lazy import lazy_exports

# name -> the module that defines it, imported on first use (tests/test_architecture.py reads this map)
_LAZY: dict[str, str] = {"create_app": "cbec_policy.web.app"}

# The eager names, then every lazy one: the map is the one list of those.
__all__ = [*_LAZY]

__getattr__ = lazy_exports(globals(), _LAZY)
