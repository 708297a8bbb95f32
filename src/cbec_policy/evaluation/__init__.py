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
"""
