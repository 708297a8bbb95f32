"""How the policy corpus changes over time: types and themes per year, widening content,
departments per policy and the joint-issuance network.

These are the measurements behind §3.2 ① ("content keeps widening"): a year-by-year count
is only descriptive, so the widening is measured two ways — the cumulative number of distinct
themes reached, and the Shannon diversity of themes in each year's documents.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

from cbec_policy.analysis.agencies import harmonise_agency
from cbec_policy.departments import normalise_issuer
from cbec_policy.labels import POLICY_TYPES, THEMES
from cbec_policy.models import Policy

if TYPE_CHECKING:
    import networkx as nx

UNCLASSIFIED = "unclassified"
_TYPE_BY_ZH = {label.zh: label.code for label in POLICY_TYPES}
# "财政部等13部门", "商务部等6 部门": the paper states how many departments co-issued a document
_STATED_COUNT = re.compile(r"等\s*(\d+)\s*(?:个)?\s*部门")


def policy_type_of(policy: Policy) -> str:
    """Type code of a policy: its own type, else the paper's Table 1 type, else ``unclassified``."""
    return type_code(policy.policy_type, policy.paper.policy_type if policy.paper is not None else None)


def type_code(policy_type: str | None, paper_type: str | None) -> str:
    """The type code counted for a policy of ``policy_type`` (a code) and the paper's type (its Chinese name)."""
    if policy_type:
        return policy_type
    if paper_type in _TYPE_BY_ZH:
        return _TYPE_BY_ZH[paper_type]
    return UNCLASSIFIED


def dated(policies: Iterable[Policy]) -> list[Policy]:
    """Policies with a known publish date, oldest first (undated ones cannot be placed on a year)."""
    return sorted((p for p in policies if p.publish_date is not None), key=lambda p: (p.publish_date, p.id))


def _year_span(policies: Sequence[Policy]) -> list[int]:
    return _year_range(p.publish_date.year for p in policies if p.publish_date is not None)


def _year_range(years: Iterable[int]) -> list[int]:
    """Every year from the first to the last of ``years`` (gaps included), or none."""
    present = set(years)
    return list(range(min(present), max(present) + 1)) if present else []


def year_by_type(policies: Iterable[Policy]) -> list[dict[str, object]]:
    """One row per year (gaps filled with zeros): policies of each type code, and the total."""
    items = dated(policies)
    return type_rows(Counter((p.publish_date.year, policy_type_of(p)) for p in items))  # type: ignore[union-attr]


def type_rows(counts: Mapping[tuple[int, str], int]) -> list[dict[str, object]]:
    """The rows of :func:`year_by_type` from policies counted by (year, type code).

    The dashboard's counts come grouped from the database; the report's from the policies:
    both are laid out here, so the two tables cannot drift apart.
    """
    codes = [label.code for label in POLICY_TYPES]
    if any(code == UNCLASSIFIED for _, code in counts):
        codes.append(UNCLASSIFIED)
    rows = []
    for year in _year_range(year for year, _ in counts):
        row: dict[str, object] = {"year": year}
        for code in codes:
            row[code] = counts.get((year, code), 0)
        row["total"] = sum(counts.get((year, code), 0) for code in codes)
        rows.append(row)
    return rows


def year_by_theme(policies: Iterable[Policy]) -> list[dict[str, object]]:
    """One row per year: how many policies touch each theme (a policy may touch several)."""
    items = dated(policies)
    counts = Counter((p.publish_date.year, theme) for p in items for theme in set(p.themes))  # type: ignore[union-attr]
    return theme_rows(Counter(p.publish_date.year for p in items), counts)  # type: ignore[union-attr]


def theme_rows(per_year: Mapping[int, int], counts: Mapping[tuple[int, str], int]) -> list[dict[str, object]]:
    """The rows of :func:`year_by_theme` from policies per year and policies counted by (year, theme)."""
    rows = []
    for year in _year_range(per_year):
        row: dict[str, object] = {"year": year, "policies": per_year.get(year, 0)}
        for label in THEMES:
            row[label.code] = counts.get((year, label.code), 0)
        rows.append(row)
    return rows


def shannon(counts: Iterable[float]) -> float:
    """Shannon entropy (natural log) of a distribution given as counts; 0 for an empty one."""
    values = [c for c in counts if c > 0]
    total = sum(values)
    if total <= 0:
        return 0.0
    value = -sum((c / total) * math.log(c / total) for c in values)
    return value if value > 0 else 0.0  # a single category gives -0.0, which should print as 0


def evenness(counts: Sequence[float]) -> float:
    """Pielou evenness: Shannon entropy divided by its maximum ln(k) over the ``k`` categories given."""
    if len(counts) < 2:
        return 0.0
    return shannon(counts) / math.log(len(counts))


def theme_widening(policies: Iterable[Policy]) -> list[dict[str, object]]:
    """Per year: themes seen that year, new themes, cumulative distinct themes and Shannon diversity.

    ``shannon`` is over the year's theme mentions; ``cumulative_shannon`` over every mention up to
    and including the year, which is steadier when a year has only one or two documents.
    """
    items = dated(policies)
    seen: set[str] = set()
    seen_types: set[str] = set()
    running: Counter[str] = Counter()
    rows = []
    order = {label.code: index for index, label in enumerate(THEMES)}
    for year in _year_span(items):
        mentions: Counter[str] = Counter()
        count = 0
        for policy in items:
            if policy.publish_date.year == year:  # type: ignore[union-attr]
                count += 1
                mentions.update(set(policy.themes))
                seen_types.add(policy_type_of(policy))
        new = sorted(set(mentions) - seen, key=lambda code: order.get(code, 99))
        seen |= set(mentions)
        running.update(mentions)
        rows.append(
            {
                "year": year,
                "policies": count,
                "themes_this_year": len(mentions),
                "new_themes": new,
                "cumulative_themes": len(seen),
                "cumulative_types": len(seen_types - {UNCLASSIFIED}),
                "shannon": round(shannon(mentions.values()), 4),
                "cumulative_shannon": round(shannon(running.values()), 4),
            }
        )
    return rows


def stated_department_count(policy: Policy) -> int | None:
    """The number of co-issuing departments the paper states (``财政部等13部门`` → 13), if any."""
    if policy.paper is None:
        return None
    match = _STATED_COUNT.search(policy.paper.issuers_text)
    return int(match.group(1)) if match else None


def department_count(policy: Policy) -> int:
    """Departments behind a policy: the named issuers, or the paper's stated count when larger.

    The reference data names only the lead issuer where only the count was verified, so the
    count stated in Table 1 is the better figure for those rows.
    """
    named = len({normalise_issuer(name) for name in policy.issuers})
    stated = stated_department_count(policy) or 0
    return max(named, stated)


def departments_per_year(policies: Iterable[Policy]) -> list[dict[str, object]]:
    """Per year: policies, mean and maximum departments per policy, and the share issued jointly."""
    items = dated(policies)
    rows = []
    for year in _year_span(items):
        counts = [department_count(p) for p in items if p.publish_date.year == year]  # type: ignore[union-attr]
        joint = sum(1 for c in counts if c >= 2)
        rows.append(
            {
                "year": year,
                "policies": len(counts),
                "mean_departments": round(sum(counts) / len(counts), 2) if counts else None,
                "max_departments": max(counts) if counts else None,
                "joint_share": round(joint / len(counts), 3) if counts else None,
            }
        )
    return rows


def issuer_network(policies: Iterable[Policy]) -> nx.Graph:
    """Joint-issuance network: nodes are departments, an edge's ``weight`` counts co-issued policies.

    Agencies are harmonised across the 2018 reform (农业部 and 农业农村部 are one node). Only
    named issuers enter the network (a stated count without names cannot place an edge).
    Node attribute ``policies`` counts the policies a department issued alone or jointly.
    """
    import networkx as nx  # start-up: networkx loads when a network is built, not with the façade

    graph = nx.Graph()
    for policy in policies:
        names = sorted({harmonise_agency(name) for name in policy.issuers if name.strip()})
        for name in names:
            if name not in graph:
                graph.add_node(name, policies=0)
            graph.nodes[name]["policies"] += 1
        for left, right in combinations(names, 2):
            if graph.has_edge(left, right):
                graph[left][right]["weight"] += 1
            else:
                graph.add_edge(left, right, weight=1)
    return graph


def network_table(graph: nx.Graph) -> list[dict[str, object]]:
    """Per department: policies issued, partners (degree), co-issuances (weighted degree), betweenness.

    Betweenness is unweighted and normalised: how often a department lies on the shortest path
    between two others, i.e. how much it brokers joint work.
    """
    import networkx as nx  # start-up: networkx loads when a network is built, not with the façade

    betweenness = nx.betweenness_centrality(graph, normalized=True) if graph.number_of_nodes() > 2 else {}
    rows: list[dict[str, Any]] = [
        {
            "department": node,
            "policies": graph.nodes[node].get("policies", 0),
            "degree": graph.degree(node),
            "co_issuances": graph.degree(node, weight="weight"),
            "betweenness": round(betweenness.get(node, 0.0), 4),
        }
        for node in graph.nodes
    ]
    rows.sort(key=lambda row: (-row["betweenness"], -row["degree"], -row["policies"], row["department"]))
    return rows


def linear_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of ``y`` on ``x``; None with fewer than two distinct ``x`` values."""
    if len({x for x, _ in points}) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in points)
    denominator = sum((x - mean_x) ** 2 for x, _ in points)
    return numerator / denominator
