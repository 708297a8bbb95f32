"""Growth of the CBEC retail import positive list (零售进口商品清单), version by version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cbec_policy.models import PositiveListVersion


def positive_list_growth(versions: Iterable[PositiveListVersion]) -> list[dict[str, Any]]:
    """Per version, oldest first: tariff lines, lines added since the previous version and growth (%).

    The paper's sequence is 1142 → 1293 → 1321 → 1413 → 1476; lines can also be removed in an
    adjustment, so ``added`` is the net change, not the number of new headings.
    """
    rows: list[dict[str, Any]] = []
    previous: int | None = None
    for version in sorted(versions, key=lambda v: (v.effective, v.announced)):
        rows.append(
            {
                "label": version.label,
                "doc_number": version.doc_number,
                "announced": version.announced,
                "effective": version.effective,
                "tariff_lines": version.tariff_lines,
                "net_added": version.tariff_lines - previous if previous is not None else None,
                "growth_pct": round((version.tariff_lines / previous - 1) * 100, 1) if previous else None,
                "source_status": version.status,
            }
        )
        previous = version.tariff_lines
    return rows
