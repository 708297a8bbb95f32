"""Check a user's panel and give every unit its treatment cohort, before any estimator runs.

A panel that cannot be estimated is refused with an error naming the rows: missing columns,
non-numeric or missing values, duplicate unit-years, an unbalanced panel (unless allowed),
units the treatment table does not know, a cohort treated in the panel's first year (it has no
pre-period to compare with), a cohort that changes within a unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cbec_policy.errors import InputError
from cbec_policy.evaluation.treatment import TreatmentRow, unit_index

GROUP = "_cohort"  # first treated period of the unit, 0 = never treated
_LISTED = 8
SMALL_COHORT = 5


@dataclass(frozen=True)
class PanelSpec:
    """Which columns hold what, and how the panel is to be estimated."""

    unit: str
    time: str
    outcome: str
    group: str | None = None  # the panel's own first-treated column (0 = never treated)
    covariates: tuple[str, ...] = ()
    control: str = "never"  # never / notyet
    drop_incomplete: bool = False  # balance the panel by dropping units that lack periods (named in notes)
    method: str = "dr"  # dr (doubly robust) / reg (outcome regression) / ipw (inverse probability weighting)


@dataclass
class PreparedPanel:
    """The checked panel (original columns plus :data:`GROUP`) and what was recoded, said plainly."""

    data: pd.DataFrame
    spec: PanelSpec
    notes: list[str] = field(default_factory=list)


def _listed(items: Sequence[object]) -> str:
    shown = ", ".join(str(item) for item in items[:_LISTED])
    return shown + (f" … ({len(items)} in all)" if len(items) > _LISTED else "")


def read_panel(path: Path | str) -> pd.DataFrame:
    """Read a panel CSV (UTF-8, with or without BOM), keeping unit names as text."""
    source = Path(path)
    try:
        return pd.read_csv(source, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(str(source), f"cannot read the panel: {exc}") from None


def _numeric(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    raw = frame[column]
    text = raw.astype(str).str.strip() if raw.dtype == object else raw
    values = pd.to_numeric(text, errors="coerce")
    bad = frame.index[values.isna()].tolist()
    if bad:
        lines = [f"line {i + 2} ({raw.iloc[i]!r})" for i in bad]
        raise InputError(name, f"column {column!r} needs a number in every row: {_listed(lines)}")
    return values


def prepare_panel(
    frame: pd.DataFrame, spec: PanelSpec, treatment: Sequence[TreatmentRow] | None = None, name: str = "panel"
) -> PreparedPanel:
    """Check ``frame`` and add the cohort column, from ``spec.group`` or the treatment table."""
    if spec.control not in ("never", "notyet"):
        raise InputError("--control", f"{spec.control!r} is not 'never' or 'notyet'")
    if spec.method not in ("dr", "reg", "ipw"):
        raise InputError("--method", f"{spec.method!r} is not dr, reg or ipw")
    needed = [spec.unit, spec.time, spec.outcome, *spec.covariates] + ([spec.group] if spec.group else [])
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise InputError(name, f"no column {_listed(missing)}; the panel has {_listed(list(frame.columns))}")
    if spec.group is None and treatment is None:
        raise InputError("--group", "give the panel's first-treated column, or join the pilot-zone treatment table")
    data = frame.reset_index(drop=True).copy()
    data[spec.unit] = data[spec.unit].astype(str).str.strip()
    data[spec.time] = _numeric(data, spec.time, name).astype(int)
    for column in (spec.outcome, *spec.covariates):
        data[column] = _numeric(data, column, name).astype(float)
    duplicated = data[data.duplicated([spec.unit, spec.time], keep=False)]
    if not duplicated.empty:
        pairs = sorted({f"{u}/{t}" for u, t in zip(duplicated[spec.unit], duplicated[spec.time], strict=True)})
        raise InputError(name, f"unit-periods appear more than once: {_listed(pairs)}")
    notes: list[str] = []
    if spec.group is not None:
        data[GROUP] = _numeric(data, spec.group, name).astype(int)
        varying = data.groupby(spec.unit)[GROUP].nunique()
        varying = varying[varying > 1].index.tolist()
        if varying:
            raise InputError(
                name, f"column {spec.group!r} must be constant within a unit; it is not for {_listed(varying)}"
            )
    else:
        data[GROUP] = _cohorts_from_table(data[spec.unit], treatment or (), name)
        notes.append("cohort = first treated year from the pilot-zone treatment table (0 = never treated)")
    data = _check_balance(data, spec, name, notes)
    _check_cohorts(data, spec, name, notes)
    return PreparedPanel(data, spec, notes)


def _cohorts_from_table(units: pd.Series, treatment: Sequence[TreatmentRow], name: str) -> pd.Series:
    index = unit_index(treatment)
    unknown = sorted(set(units) - set(index))
    if unknown:
        raise InputError(
            name,
            f"units not in the treatment table (join on city code, full or short city name): {_listed(unknown)}",
        )
    return units.map(lambda unit: index[unit].first_treated_year or 0).astype(int)


def _check_balance(data: pd.DataFrame, spec: PanelSpec, name: str, notes: list[str]) -> pd.DataFrame:
    """The panel when balanced; with ``drop_incomplete`` the units lacking periods are dropped.

    The estimator's own unbalanced-panel path is not usable in the pinned release, so an
    unbalanced panel is either refused or balanced the way R ``did`` balances one by default.
    """
    periods = np.sort(data[spec.time].unique())
    counts = data.groupby(spec.unit)[spec.time].nunique()
    short = counts[counts < len(periods)]
    if short.empty:
        return data
    present = data.groupby(spec.unit)[spec.time].apply(set)
    if spec.drop_incomplete:
        notes.append(
            f"dropped {len(short)} unit(s) that lack periods, to balance the panel: {_listed(list(short.index))}"
        )
        return data[~data[spec.unit].isin(short.index)].reset_index(drop=True)
    described = [
        f"{unit} (missing {', '.join(str(p) for p in periods if p not in present[unit])})" for unit in short.index
    ]
    raise InputError(
        name,
        f"unbalanced panel: {len(short)} unit(s) lack periods: {_listed(described)}; "
        "fill them, or pass --drop-incomplete to drop those units",
    )


def _check_cohorts(data: pd.DataFrame, spec: PanelSpec, name: str, notes: list[str]) -> None:
    first, last = int(data[spec.time].min()), int(data[spec.time].max())
    late = data[GROUP] > last
    if late.any():
        cohorts = sorted(int(g) for g in data.loc[late, GROUP].unique())
        data.loc[late, GROUP] = 0
        notes.append(f"cohorts {cohorts} are first treated after the panel ends ({last}): counted as never treated")
    early = data[(data[GROUP] > 0) & (data[GROUP] <= first)]
    if not early.empty:
        cohorts = sorted(int(g) for g in early[GROUP].unique())
        units = sorted(early[spec.unit].unique())
        raise InputError(
            name,
            f"cohort(s) {cohorts} are treated in or before the panel's first period {first}, so they have no "
            f"pre-period: units {_listed(units)}; start the panel earlier or drop those units",
        )
    treated = data[data[GROUP] > 0]
    sizes = treated.drop_duplicates(spec.unit)[GROUP].value_counts()
    small = sorted(int(g) for g, n in sizes.items() if n < SMALL_COHORT)
    if small:
        # One treated unit has no variance of its own in the influence function: its ATT(g,t)
        # standard errors (and a Wald pre-test that includes them) come out far too small.
        notes.append(
            f"cohorts {small} have fewer than {SMALL_COHORT} units: their standard errors and the pre-trend "
            "test that includes them understate the uncertainty (consider merging or dropping them)"
        )
    if treated.empty:
        raise InputError(name, "no unit is treated within the panel's periods: there is no effect to estimate")
    if spec.control == "never" and (data[GROUP] == 0).sum() == 0:
        raise InputError("--control never", "the panel has no never-treated unit; use --control notyet")
