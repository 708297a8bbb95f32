"""What the front ends ask for, over a store: the policies to score, a matrix merged over the
automatic coding, the treatment table of the stored pilot zones, a panel estimated end to end.

The store is passed in (the caller opens and closes it); nothing here writes to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.evaluation.did import DidResult, estimate
from cbec_policy.evaluation.did_panel import PanelSpec, prepare_panel, read_panel
from cbec_policy.evaluation.matrix_io import ImportedMatrix, complete
from cbec_policy.evaluation.pmc import PmcResult, evaluate_matrix, evaluate_policies
from cbec_policy.evaluation.scheme import Scheme
from cbec_policy.evaluation.treatment import DEFAULT_CUTOFF_MONTH, TreatmentRow, treatment_table
from cbec_policy.models import Policy


def select_policies(store: Any, ids: Sequence[str]) -> list[Policy]:
    """The policies named by id or document number, or every CBEC policy when none is named."""
    if not ids:
        return [p for p in store.list_policies() if p.is_cbec is not False]
    found: list[Policy] = []
    unknown: list[str] = []
    for key in ids:
        policy = store.get_policy(key)
        if policy is None:
            unknown.append(key)
        elif policy.id not in {p.id for p in found}:
            found.append(policy)
    if unknown:
        raise InputError("IDS", f"no policy with id or document number {', '.join(unknown)}")
    return found


def pmc_from_store(store: Any, ids: Sequence[str], scheme: Scheme, matrix: ImportedMatrix | None = None) -> PmcResult:
    """Score stored policies; a researcher's matrix overrides the cells it fills.

    A complete matrix whose policies are not in the store (a published study's) is scored as is;
    otherwise every matrix row must name a stored policy, and its empty cells keep the
    automatic coding.
    """
    if matrix is not None:
        in_store = [pid for pid in matrix.cells if store.get_policy(pid) is not None]
        full = complete(matrix.cells)
        if full is not None and not in_store:
            wanted = list(ids) or list(full)
            missing = [pid for pid in wanted if pid not in full]
            if missing:
                raise InputError("IDS", f"not rows of the matrix: {', '.join(missing)}")
            return evaluate_matrix({pid: full[pid] for pid in wanted}, scheme)
        absent = [pid for pid in matrix.cells if pid not in in_store]
        if absent:
            raise InputError("--matrix", f"rows name policies not in the store: {', '.join(absent[:10])}")
        policies = select_policies(store, list(ids) or list(matrix.cells))
        chosen = {p.id for p in policies}
        return evaluate_policies(policies, scheme, {k: v for k, v in matrix.cells.items() if k in chosen})
    return evaluate_policies(select_policies(store, ids), scheme)


def stored_treatment(
    store: Any, cutoff_month: int = DEFAULT_CUTOFF_MONTH, *, drop_revoked: bool = False
) -> list[TreatmentRow]:
    """The treatment table of every pilot-zone approval in the store."""
    return treatment_table(store.list_zones(), cutoff_month, drop_revoked=drop_revoked)


def estimate_csv(path: Path | str, spec: PanelSpec, treatment: Sequence[TreatmentRow] | None = None) -> DidResult:
    """Read, check and estimate a panel CSV (cohorts from ``spec.group`` or from ``treatment``)."""
    frame = read_panel(path)
    return estimate(prepare_panel(frame, spec, None if spec.group else treatment, name=str(path)))
