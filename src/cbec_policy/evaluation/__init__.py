"""Policy evaluation the way Chinese policy research does it: a PMC index per policy and a
staggered difference-in-differences of the pilot zones.

* PMC: :func:`~cbec_policy.evaluation.scheme.load_scheme` reads a scheme (bundled name or YAML
  file); :func:`~cbec_policy.evaluation.pmc.evaluate_policies` codes policies from their text
  and classification with evidence, a researcher's matrix
  (:mod:`~cbec_policy.evaluation.matrix_io`) overriding any cell;
  :func:`~cbec_policy.evaluation.pmc.evaluate_matrix` scores a complete matrix as is.
* DID: :func:`~cbec_policy.evaluation.treatment.treatment_table` gives each city its first
  treated year; :func:`~cbec_policy.evaluation.did_panel.prepare_panel` checks a user's panel
  and :func:`~cbec_policy.evaluation.did.estimate` runs Callaway & Sant'Anna with TWFE beside it.

Figures are drawn by :mod:`~cbec_policy.evaluation.figures`; front ends go through
:mod:`~cbec_policy.evaluation.runs`. Nothing here writes to the store.

Other packages use the names exported here, each imported on first use (:mod:`cbec_policy.lazy`):
the modules behind them load numpy, pandas, scipy or matplotlib, which a command that only reads
a scheme should not pay for. ``TREATMENT_COLUMNS`` are the columns of the treatment table.
"""

from cbec_policy.lazy import lazy_exports

# name -> the module that defines it, imported on first use (tests/test_architecture.py reads this map)
_LAZY: dict[str, str] = {
    "PanelSpec": "cbec_policy.evaluation.did_panel",
    "event_study": "cbec_policy.evaluation.figures",
    "pmc_comparison": "cbec_policy.evaluation.figures",
    "pmc_surface": "cbec_policy.evaluation.figures",
    "png_bytes": "cbec_policy.evaluation.figures",
    "treatment_timing": "cbec_policy.evaluation.figures",
    "read_matrix": "cbec_policy.evaluation.matrix_io",
    "write_matrix": "cbec_policy.evaluation.matrix_io",
    "PmcResult": "cbec_policy.evaluation.pmc",
    "evaluate_policies": "cbec_policy.evaluation.pmc",
    "estimate_csv": "cbec_policy.evaluation.runs",
    "pmc_from_store": "cbec_policy.evaluation.runs",
    "stored_treatment": "cbec_policy.evaluation.runs",
    "bundled_schemes": "cbec_policy.evaluation.scheme",
    "load_scheme": "cbec_policy.evaluation.scheme",
    "TREATMENT_COLUMNS": "cbec_policy.evaluation.treatment",
    "DEFAULT_CUTOFF_MONTH": "cbec_policy.evaluation.treatment",
    "treatment_table": "cbec_policy.evaluation.treatment",
}

# The eager names, then every lazy one: the map is the one list of those.
__all__ = [*_LAZY]

__getattr__ = lazy_exports(globals(), _LAZY)
