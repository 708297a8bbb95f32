"""Counts read straight from the bundled data files, for tests that would otherwise pin today's data.

A new pilot batch is rows in ``pilot_batches.csv`` and ``pilot_zones.csv``; the tests that count
zones, batches or zones in force take their expected numbers from here, computed with the
``csv`` module and not through the package's loader, so they check the code against the files.
Each takes the folder to read, the package's one by default (a check that builds its own copy
passes the folder it copied from).
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


def rows(name: str, folder: Path = REFERENCE) -> list[dict[str, str]]:
    """Every row of a reference CSV file."""
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def province_regions(folder: Path = REFERENCE) -> dict[str, str]:
    """Each province's region (东部/中部/西部/东北), from ``provinces.csv``."""
    return {row["province"]: row["region"] for row in rows("provinces.csv", folder)}


def batch_numbers(folder: Path = REFERENCE) -> list[int]:
    """Pilot batch numbers in order, from ``pilot_batches.csv``."""
    return sorted(int(row["batch"]) for row in rows("pilot_batches.csv", folder))


def zones_approved(folder: Path = REFERENCE) -> int:
    """Every approval of a pilot zone: one row of ``pilot_zones.csv`` each."""
    return len(rows("pilot_zones.csv", folder))


def cumulative_approved(folder: Path = REFERENCE) -> list[int]:
    """Zones approved up to and including each batch, batch by batch."""
    per_batch = Counter(int(row["batch"]) for row in rows("pilot_zones.csv", folder))
    return list(accumulate(per_batch[number] for number in batch_numbers(folder)))


def ended_by_batch(folder: Path = REFERENCE) -> Counter[int]:
    """How many zones each batch's reply ended (``zone_succession.csv``)."""
    return Counter(int(row["ended_by_batch"]) for row in rows("zone_succession.csv", folder))


def in_force_after_each_batch(folder: Path = REFERENCE) -> list[int]:
    """Zones in force after each batch: approved so far minus those ended so far."""
    ended = list(accumulate(ended_by_batch(folder)[number] for number in batch_numbers(folder)))
    return [approved - gone for approved, gone in zip(cumulative_approved(folder), ended, strict=True)]
