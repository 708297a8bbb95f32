"""Issuing agencies across the 2018 (and 2023) State Council reforms, as data.

An agency renamed or merged into another (农业部 → 农业农村部, 国家工商行政管理总局 →
国家市场监督管理总局 …) is followed to its present name from ``agency_succession.csv``, so a
network or a count over years treats one body as one node.
"""

from __future__ import annotations

from functools import cache

from cbec_policy.analysis._data import data_path, read_csv
from cbec_policy.departments import normalise_issuer
from cbec_policy.errors import ReferenceDataError


@cache
def _succession() -> dict[str, str]:
    table: dict[str, str] = {}
    for line, row in read_csv(data_path("agency_succession.csv"), {"old", "new", "reform", "note"}):
        if row["old"] == row["new"]:
            raise ReferenceDataError("agency_succession.csv", line, "new", "an agency cannot succeed itself")
        table[row["old"]] = row["new"]
    return table


def harmonise_agency(name: str) -> str:
    """The present name of an issuing agency: the official name, followed through every reform."""
    current = normalise_issuer(name)
    seen = {current}
    while current in _succession():
        current = _succession()[current]
        if current in seen:
            raise ReferenceDataError("agency_succession.csv", None, "new", f"succession loops at {current!r}")
        seen.add(current)
    return current
