"""Where each value the report uses comes from: ``verified``, ``secondary``, ``candidate``,
``paper`` (known only from the reviewed paper) or ``unknown``.

A value known only from the paper can reproduce the paper but never confirm it. Trade values
take their status from ``trade_provenance.csv`` (a value not listed there is verified against
its source URL); pilot zones from their ``confidence``; policies from their evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache

from cbec_policy.analysis._data import data_path, read_csv
from cbec_policy.errors import ReferenceDataError
from cbec_policy.models import PilotZone, Policy, TradeStat

STATUSES: tuple[str, ...] = ("verified", "secondary", "candidate", "paper", "unknown")
TRADE_MEASURES = ("total", "export", "import")
_COLUMNS = {"year", "period", "release", "measure", "status", "projection", "published", "reason"}


@cache
def _trade_table() -> dict[tuple[int, str, str, str], tuple[str, bool, str]]:
    """(year, period, release, measure) → (status, projection, published month); ``all`` expanded."""
    table = {}
    for line, row in read_csv(data_path("trade_provenance.csv"), _COLUMNS):
        if row["status"] not in STATUSES:
            raise ReferenceDataError("trade_provenance.csv", line, "status", f"unknown status {row['status']!r}")
        if row["measure"] not in (*TRADE_MEASURES, "all"):
            raise ReferenceDataError("trade_provenance.csv", line, "measure", f"unknown measure {row['measure']!r}")
        measures = TRADE_MEASURES if row["measure"] == "all" else (row["measure"],)
        for measure in measures:
            key = (int(row["year"]), row["period"], row["release"], measure)
            table[key] = (row["status"], row["projection"] == "yes", row["published"])
    return table


def published_month(stat: TradeStat) -> str | None:
    """When a release was published (YYYY-MM), where the data records it."""
    for measure in TRADE_MEASURES:
        found = _trade_table().get((stat.year, stat.period, stat.release, measure))
        if found and found[2]:
            return found[2]
    return None


def trade_status(stat: TradeStat, measure: str) -> str:
    """Provenance of one trade value; ``unknown`` when the value itself is missing."""
    measure = "import" if measure == "import_" else measure
    value = {"total": stat.total, "export": stat.export, "import": stat.import_}[measure]
    if value is None:
        return "unknown"
    found = _trade_table().get((stat.year, stat.period, stat.release, measure))
    return found[0] if found else "verified"


def is_projection(stat: TradeStat) -> bool:
    """Whether a trade row is a projection (never drawn or used as data)."""
    return any(
        projection
        for (year, period, release, _measure), (_status, projection, _month) in _trade_table().items()
        if (year, period, release) == (stat.year, stat.period, stat.release)
    )


def zone_status(zone: PilotZone) -> str:
    """A pilot zone's provenance: its recorded confidence (verified or candidate)."""
    return "candidate" if zone.confidence == "candidate" else "verified"


def policy_status(policy: Policy) -> str:
    """A national policy's provenance: verified with evidence, from the paper when only the paper has it."""
    if policy.evidence or policy.source != "bundled":
        return "verified"
    if policy.paper is not None:
        return "paper"
    return "unknown"


def provenance_counts(
    policies: Iterable[Policy], zones: Iterable[PilotZone], trade: Iterable[TradeStat]
) -> dict[str, dict[str, int]]:
    """How many values of each kind carry each status, for the methods note."""
    trade_counter: Counter[str] = Counter()
    for stat in trade:
        for measure in TRADE_MEASURES:
            value = {"total": stat.total, "export": stat.export, "import": stat.import_}[measure]
            if value is not None:
                trade_counter[trade_status(stat, measure)] += 1
    return {
        "policies": {s: n for s, n in Counter(policy_status(p) for p in policies).items()},
        "zones": {s: n for s, n in Counter(zone_status(z) for z in zones).items()},
        "trade_values": dict(trade_counter),
    }
