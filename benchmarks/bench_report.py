"""Time a full report on the bundled data, stage by stage, against the 15-second target.

Run: ``.venv/bin/python benchmarks/bench_report.py [--repeat N]``. Two ways of reading the
data are timed side by side in one run: straight from the bundled files, and through a fresh
SQLite store (what ``cbec report`` does on a new machine, including loading the store).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cbec_policy.report.build import STAGES, build_report
from cbec_policy.report.inputs import bundled_inputs

TARGET_SECONDS = 15.0


def _run(label: str, build: Callable[[], dict[str, float]], repeat: int) -> float:
    totals: list[float] = []
    stages: dict[str, list[float]] = {key: [] for key, _ in STAGES}
    for _ in range(repeat):
        start = time.perf_counter()
        timings = build()
        totals.append(time.perf_counter() - start)
        for key, value in timings.items():
            stages[key].append(value)
    best = min(totals)
    print(f"\n{label}: best {best:.2f} s, median {statistics.median(totals):.2f} s over {repeat} run(s)")
    for key, name in STAGES:
        if stages[key]:
            print(f"  {name:<28} {min(stages[key]):7.3f} s")
    verdict = "OK" if best <= TARGET_SECONDS else "SLOW"
    print(f"  ratio to the {TARGET_SECONDS:.0f} s target: {best / TARGET_SECONDS:.2f} ({verdict})")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        bundled = _run(
            "bundled data",
            lambda: build_report(base / "bundled", inputs=bundled_inputs(), progress=False).timings,
            args.repeat,
        )
        counter = iter(range(args.repeat))
        stored = _run(
            "fresh SQLite store",
            lambda: (
                build_report(
                    base / "store", db_url=f"sqlite:///{base / f'cbec{next(counter)}.db'}", progress=False
                ).timings
            ),
            args.repeat,
        )
    print(f"\nstore / bundled time ratio: {stored / bundled:.2f}")


if __name__ == "__main__":
    main()
