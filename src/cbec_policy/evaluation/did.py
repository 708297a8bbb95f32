"""Staggered difference-in-differences: Callaway & Sant'Anna (2021) with a TWFE estimate beside it.

The estimator is moderndid's port of the R package ``did`` (``att_gt`` and ``aggte``, doubly
robust, analytical standard errors: no bootstrap, so results are reproducible); it reproduces
R's values on ``mpdta``. The two-way fixed-effects regression is statsmodels OLS on the
unit-demeaned panel with period dummies, clustered by unit with the small-sample correction
fixest applies, so it equals ``feols(y ~ treat_post | unit + time, cluster = ~unit)``. TWFE is
shown for comparison only: with staggered timing and effects that change over time it weights
already-treated units as controls and is biased (Goodman-Bacon 2021).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cbec_policy.errors import InputError
from cbec_policy.evaluation.did_panel import GROUP, PreparedPanel

AGGREGATIONS = ("simple", "group", "dynamic", "calendar")
_CONTROL = {"never": "nevertreated", "notyet": "notyettreated"}
_DETAIL_KEY = {"group": "group", "dynamic": "event_time", "calendar": "time"}


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error."""

    estimate: float
    se: float | None

    def to_dict(self) -> dict[str, float | None]:
        """JSON form."""
        return {"estimate": self.estimate, "se": self.se}


@dataclass
class DidResult:
    """ATT(g,t), the four aggregations, the pre-trend test and TWFE of one panel."""

    att_gt: list[dict[str, float | int | None]]
    aggregations: dict[str, Estimate]
    details: dict[str, list[dict[str, float | int | None]]]  # group / dynamic / calendar parts
    pretrend: dict[str, float | int | None]
    twfe: Estimate
    control: str
    method: str
    n_units: int
    periods: list[int]
    cohorts: dict[int, int]  # first treated period -> units (0 = never treated)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``cbec did estimate --format json``."""
        return {
            "att_gt": self.att_gt,
            "aggregations": {key: value.to_dict() for key, value in self.aggregations.items()},
            "details": self.details,
            "pretrend": self.pretrend,
            "twfe": self.twfe.to_dict(),
            "control": self.control,
            "method": self.method,
            "n_units": self.n_units,
            "periods": self.periods,
            "cohorts": {str(g): n for g, n in self.cohorts.items()},
            "estimator": f"Callaway & Sant'Anna (2021), {self.method}, analytical SE (moderndid)",
            "notes": self.notes,
        }


def _float(value: Any) -> float | None:
    number = float(value)
    return None if np.isnan(number) else number


def estimate(panel: PreparedPanel, alpha: float = 0.05) -> DidResult:
    """Run ATT(g,t), its aggregations, the pre-trend Wald test and TWFE on a checked panel."""
    import moderndid  # start-up: the estimator stack loads only when a panel is estimated

    spec = panel.spec
    data = panel.data
    covariates = list(spec.covariates)
    frame = data[[spec.unit, spec.time, spec.outcome, GROUP, *covariates]].copy()
    frame["_unit_id"] = pd.factorize(frame[spec.unit], sort=True)[0] + 1  # the estimator wants numeric ids
    xformla = "~ " + " + ".join(covariates) if covariates else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = moderndid.att_gt(
                frame.drop(columns=[spec.unit]),
                yname=spec.outcome,
                tname=spec.time,
                idname="_unit_id",
                gname=GROUP,
                xformla=xformla,
                control_group=_CONTROL[spec.control],
                est_method=spec.method,
                boot=False,
                cband=False,
                alp=alpha,
            )
            aggregated = {kind: moderndid.aggte(result, type=kind, boot=False, cband=False) for kind in AGGREGATIONS}
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise InputError("panel", f"the estimator could not run on this panel: {exc}") from None
    att_gt = [
        {"group": int(g), "time": int(t), "estimate": _float(a), "se": _float(s)}
        for g, t, a, s in zip(result.groups, result.times, result.att_gt, result.se_gt, strict=True)
    ]
    aggregations = {kind: Estimate(float(a.overall_att), _float(a.overall_se)) for kind, a in aggregated.items()}
    details = {
        kind: [
            {_DETAIL_KEY[kind]: int(e), "estimate": _float(a), "se": _float(s)}
            for e, a, s in zip(
                aggregated[kind].event_times, aggregated[kind].att_by_event, aggregated[kind].se_by_event, strict=True
            )
        ]
        for kind in ("group", "dynamic", "calendar")
    }
    pre = [row for row in att_gt if row["time"] < row["group"]]
    pretrend = {
        "wald_stat": _float(result.wald_stat) if result.wald_stat is not None else None,
        "p_value": _float(result.wald_pvalue) if result.wald_pvalue is not None else None,
        "pre_periods": len(pre),
    }
    cohorts = data.drop_duplicates(spec.unit)[GROUP].value_counts().sort_index()
    return DidResult(
        att_gt=att_gt,
        aggregations=aggregations,
        details=details,
        pretrend=pretrend,
        twfe=twfe(panel),
        control=spec.control,
        method=spec.method,
        n_units=int(data[spec.unit].nunique()),
        periods=sorted(int(t) for t in data[spec.time].unique()),
        cohorts={int(g): int(n) for g, n in cohorts.items()},
        notes=list(panel.notes),
    )


def twfe(panel: PreparedPanel) -> Estimate:
    """The static TWFE coefficient on treated×post, clustered by unit (fixest's CR1 correction).

    By Frisch–Waugh–Lovell, OLS of the unit-demeaned outcome on the unit-demeaned indicator and
    period dummies gives the two-way fixed-effects coefficient exactly, balanced or not; with the
    intercept kept, statsmodels' cluster correction G/(G−1)·(N−1)/(N−K) counts the same K as
    fixest does when the unit effects are nested in the clusters.
    """
    import statsmodels.api as sm  # start-up: as moderndid above

    spec = panel.spec
    data = panel.data
    treated = ((data[GROUP] > 0) & (data[spec.time] >= data[GROUP])).astype(float)
    regressors = pd.concat(
        [treated.rename("treat_post"), pd.get_dummies(data[spec.time], prefix="t", drop_first=True, dtype=float)],
        axis=1,
    )
    if spec.covariates:
        regressors = pd.concat([regressors, data[list(spec.covariates)]], axis=1)
    units = data[spec.unit]
    y = data[spec.outcome] - data.groupby(units)[spec.outcome].transform("mean")
    x = regressors - regressors.groupby(units).transform("mean")
    x = x.loc[:, x.abs().sum() > 1e-12]  # time-constant covariates vanish with the unit effects
    fitted = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit(
        cov_type="cluster", cov_kwds={"groups": units.factorize()[0]}
    )
    return Estimate(float(fitted.params["treat_post"]), float(fitted.bse["treat_post"]))
