"""A made-up ninth pilot batch, written as rows of the data files into a copy of the reference folder.

ARCHITECTURE.md promises that a new batch is rows in ``pilot_batches.csv`` and
``pilot_zones.csv`` only. ``tests/test_newcomer.py`` and ``scripts/check_newcomer.sh`` both build
the copy here and point the package at it with ``CBEC_REFERENCE_DIR``; the bundled folder is
never written. The batch is made up for the check: two prefecture-level cities of 河北省 that
have no zone today, approved by a reply with a made-up number.

    python tests/ninth_batch.py FOLDER    # writes FOLDER/reference and prints its path
"""

from __future__ import annotations

import csv
import shutil
import sys
from datetime import date
from pathlib import Path

BUNDLED = Path(__file__).resolve().parents[1] / "src" / "cbec_policy" / "reference"

NINTH_DAY = date(2026, 6, 30)
# (zone name, short name as pilot_zones.csv writes it, province)
NINTH_ZONES = (("张家口市", "张家口", "河北省"), ("承德市", "承德", "河北省"))
NINTH_DOC_NUMBER = "国函〔2026〕90号"
NINTH_TITLE = "国务院关于同意在张家口等2个城市设立跨境电子商务综合试验区的批复"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Append ``rows`` to a CSV file in the file's own column order."""
    with path.open(encoding="utf-8", newline="") as handle:
        columns = next(csv.reader(handle))
    text = path.read_text(encoding="utf-8")
    with path.open("a", encoding="utf-8", newline="") as handle:
        if not text.endswith("\n"):
            handle.write("\n")
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writerows({column: row.get(column, "") for column in columns} for row in rows)


def ninth_batch_number(source: Path = BUNDLED) -> int:
    """The number the new batch gets: one more than the last batch of ``source``."""
    return max(int(row["batch"]) for row in _rows(source / "pilot_batches.csv")) + 1


def write_reference_copy(parent: Path, source: Path = BUNDLED) -> Path:
    """Copy the data files of ``source`` to ``parent/reference`` and add the batch there; return the copy."""
    folder = parent / "reference"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    number = ninth_batch_number(source)
    approved = len(_rows(source / "pilot_zones.csv"))
    append_rows(
        folder / "pilot_batches.csv",
        [{
            "batch": str(number), "approval_date": NINTH_DAY.isoformat(), "doc_number": NINTH_DOC_NUMBER,
            "title": NINTH_TITLE, "zone_count": str(len(NINTH_ZONES)),
            "cumulative_count": str(approved + len(NINTH_ZONES)),
        }],
    )  # fmt: skip
    append_rows(
        folder / "pilot_zones.csv",
        [{
            "batch": str(number), "zone_name": name, "city_std": city, "province": province,
            "admin_level": "prefecture-level city", "confidence": "verified", "evidence": "made up for this check",
        } for name, city, province in NINTH_ZONES],
    )  # fmt: skip
    return folder


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/ninth_batch.py FOLDER")
    print(write_reference_copy(Path(sys.argv[1])))
