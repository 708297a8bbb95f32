"""Who issues CBEC policy with whom, period by period, and which policy instruments meet which
themes and periods.

Agencies renamed or merged in the 2018 (and 2023) reforms are followed to their successor, from
``agency_succession.csv``, so 农业部 (2016) and 农业农村部 (2019) are one node. A document the
data knows only as "财政部等13部门" adds its unnamed co-issuers to the period's count of
issuers, not to the network (a count without names cannot place an edge).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

from cbec_policy.analysis.agencies import harmonise_agency
from cbec_policy.analysis.evolution import stated_department_count
from cbec_policy.analysis.periods import Framework, bundled_frameworks
from cbec_policy.labels import THEMES
from cbec_policy.models import Policy

if TYPE_CHECKING:
    import networkx as nx

INSTRUMENT_SIDES: tuple[str, ...] = ("supply", "environment", "demand")


def period_network(policies: Sequence[Policy]) -> nx.Graph:
    """Joint-issuance network with harmonised agencies; node ``policies`` counts documents issued."""
    import networkx as nx  # start-up: networkx loads when a network is built, not with the façade

    graph = nx.Graph()
    for policy in policies:
        names = sorted({harmonise_agency(n) for n in policy.issuers if n.strip()})
        for name in names:
            if name not in graph:
                graph.add_node(name, policies=0)
            graph.nodes[name]["policies"] += 1
        for left, right in combinations(names, 2):
            weight = graph[left][right]["weight"] + 1 if graph.has_edge(left, right) else 1
            graph.add_edge(left, right, weight=weight)
    return graph


def network_by_period(
    policies: Sequence[Policy], frameworks: Sequence[Framework] | None = None
) -> list[dict[str, Any]]:
    """Per period of the paper's nodes (framework ``d``): documents, joint documents, issuers, network shape.

    ``issuer_slots`` counts every issuer of every document — named ones plus the unnamed rest of a
    stated "等N部门" — so a 13-department document counts 13; ``unnamed_issuers`` is that rest.
    """
    import networkx as nx  # start-up: networkx loads when a network is built, not with the façade

    framework = next(f for f in (frameworks or bundled_frameworks()) if f.key == "d")
    rows = []
    for period in framework.periods:
        mine = [p for p in policies if p.publish_date and period.contains(p.publish_date)]
        graph = period_network(mine)
        slots = 0
        unnamed = 0
        joint = 0
        for policy in mine:
            named = len({harmonise_agency(n) for n in policy.issuers if n.strip()})
            stated = stated_department_count(policy) or 0
            slots += max(named, stated)
            unnamed += max(0, stated - named)
            joint += 1 if max(named, stated) >= 2 else 0
        betweenness = nx.betweenness_centrality(graph) if graph.number_of_nodes() > 2 else {}
        broker = max(betweenness, key=lambda n: (betweenness[n], n)) if betweenness else None
        rows.append(
            {
                "period": period.key,
                "span": period.span_text(),
                "documents": len(mine),
                "joint_documents": joint,
                "issuer_slots": slots,
                "unnamed_issuers": unnamed,
                "agencies": graph.number_of_nodes(),
                "edges": graph.number_of_edges(),
                "density": round(nx.density(graph), 3) if graph.number_of_nodes() > 1 else None,
                "broker": broker,
                "broker_betweenness": round(betweenness[broker], 3) if broker else None,
                "agency_list": sorted(graph.nodes),
            }
        )
    return rows


def _side(code: str) -> str:
    return code.split(".", 1)[0]


def instruments_by(
    policies: Sequence[Policy], axis: str, frameworks: Sequence[Framework] | None = None
) -> dict[str, Any]:
    """Instrument sides (supply / environment / demand) crossed with themes or with periods.

    Only policies the classifier (or a researcher) has coded with instruments count; ``uncoded``
    says how many were left out, so an empty table reads as "not coded yet", not as "none".
    """
    coded = [p for p in policies if p.instruments]
    if axis == "theme":
        columns = [label.code for label in THEMES]

        def keys(policy: Policy) -> set[str]:
            return set(policy.themes)
    else:
        framework = next(f for f in (frameworks or bundled_frameworks()) if f.key == "d")
        columns = [period.key for period in framework.periods]

        def keys(policy: Policy) -> set[str]:
            found = framework.period_of(policy.publish_date)
            return {found.key} if found else set()

    counts: Counter[tuple[str, str]] = Counter()
    for policy in coded:
        for side in {_side(code) for code in policy.instruments}:
            for key in keys(policy):
                counts[(side, key)] += 1
    rows = [{"side": side, **{c: counts.get((side, c), 0) for c in columns}} for side in INSTRUMENT_SIDES]
    return {"axis": axis, "columns": columns, "rows": rows, "coded": len(coded), "uncoded": len(policies) - len(coded)}
