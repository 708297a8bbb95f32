"""Counts read straight from the bundled data files, for tests that would otherwise pin today's data.

A new pilot batch is rows in ``pilot_batches.csv`` and ``pilot_zones.csv``; the tests that count
zones, batches or zones in force take their expected numbers from here, computed with the
``csv`` module and not through the package's loader, so they check the code against the files.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from itertools import accumulate
from pathlib import Path

# The folder the package reads its reference files from: the bundled one, or the copy named by
# CBEC_REFERENCE_DIR (the newcomer check runs tests against a copy holding a ninth batch).
BUNDLED = Path(__file__).resolve().parents[1] / "src" / "cbec_policy" / "reference"
REFERENCE = Path(os.environ.get("CBEC_REFERENCE_DIR") or BUNDLED)


def rows(name: str) -> list[dict[str, str]]:
    """Every row of a bundled reference CSV file."""
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def province_regions() -> dict[str, str]:
    """Each province's region (东部/中部/西部/东北), from ``provinces.csv``."""
    return {row["province"]: row["region"] for row in rows("provinces.csv")}


def batch_numbers() -> list[int]:
    """Pilot batch numbers in order, from ``pilot_batches.csv``."""
    return sorted(int(row["batch"]) for row in rows("pilot_batches.csv"))


def zones_approved() -> int:
    """Every approval of a pilot zone: one row of ``pilot_zones.csv`` each."""
    return len(rows("pilot_zones.csv"))


def cumulative_approved() -> list[int]:
    """Zones approved up to and including each batch, batch by batch."""
    per_batch = Counter(int(row["batch"]) for row in rows("pilot_zones.csv"))
    return list(accumulate(per_batch[number] for number in batch_numbers()))


def ended_by_batch() -> Counter[int]:
    """How many zones each batch's reply ended (``zone_succession.csv``)."""
    return Counter(int(row["ended_by_batch"]) for row in rows("zone_succession.csv"))


def in_force_after_each_batch() -> list[int]:
    """Zones in force after each batch: approved so far minus those ended so far."""
    ended = list(accumulate(ended_by_batch()[number] for number in batch_numbers()))
    return [approved - gone for approved, gone in zip(cumulative_approved(), ended, strict=True)]
