"""What the paper could not know: later documents and what they change, revocations, revisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cbec_policy.analysis.corpus import cbec_policies
from cbec_policy.analysis.provenance import published_month
from cbec_policy.models import PilotZone, Policy, TradeStat

_LATER_ACTIONS = ("amends", "extends", "replaces", "supplements")


def changes_since_paper(
    policies: Sequence[Policy],
    zones: Sequence[PilotZone],
    stats: Sequence[TradeStat],
    cutoff: date,
    quoted: set[tuple[int, str]],
) -> list[dict[str, Any]]:
    """Rows ``date, kind, policy_id`` plus the facts of each change (codes and values, no sentences).

    ``kind`` is ``document`` (a later national document, with ``relation`` and ``target`` when it
    acts on an earlier one), ``revocation`` or ``trade_revision`` (a survey figure replacing a
    figure the paper quoted; ``quoted`` holds the (year, period) pairs it quotes).
    """
    national = cbec_policies(policies)
    by_id = {p.id: p for p in national}
    rows: list[dict[str, Any]] = []
    later = [p for p in national if p.publish_date and p.publish_date > cutoff and p.paper is None]
    for policy in sorted(later, key=lambda p: (p.publish_date, p.id)):
        actions = [r for r in policy.relations if r.kind in _LATER_ACTIONS and r.target_id in by_id]
        for relation in actions:
            target = by_id[relation.target_id]
            rows.append(
                {
                    "date": policy.publish_date,
                    "kind": "document",
                    "policy_id": policy.id,
                    "label": policy.doc_number or policy.title,
                    "relation": relation.kind,
                    "target": target.doc_number or target.title,
                    "target_in_table1": target.paper is not None,
                    "until": policy.end_date,
                }
            )
        if not actions:
            rows.append(
                {
                    "date": policy.publish_date,
                    "kind": "document",
                    "policy_id": policy.id,
                    "label": policy.title,
                    "doc_number": policy.doc_number,
                    "relation": None,
                }
            )
    for zone in sorted((z for z in zones if z.revoked_date and z.revoked_date > cutoff), key=lambda z: z.revoked_date):
        rows.append(
            {
                "date": zone.revoked_date,
                "kind": "revocation",
                "policy_id": "",
                "zone": zone.zone_name,
                "batch": zone.batch,
                "by": zone.revoked_by,
            }
        )
    for stat in stats:
        if (stat.year, stat.period) in quoted and stat.release == "survey":
            rows.append(
                {
                    "date": None,
                    "kind": "trade_revision",
                    "policy_id": "",
                    "year": stat.year,
                    "period": stat.period,
                    "total": stat.total,
                    "yoy_pct": stat.total_yoy_pct,
                    "published": published_month(stat),
                }
            )
    return rows
