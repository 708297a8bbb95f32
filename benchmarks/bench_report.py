"""Time a full report on the bundled data, in total and stage by stage, against the 15-second target.

Run: ``.venv/bin/python benchmarks/bench_report.py [--repeat N]``. Every run starts a fresh
Python process and a fresh SQLite store, as ``cbec report`` does on a new machine, so start-up,
imports and loading the store are counted. Three ways are timed side by side in one run:

* ``cbec report``: the command itself, end to end (the number the target is about);
* the same build with each stage timed, figures drawn by parallel worker processes (default);
* the same again with the figures drawn one after another in one process (the old way).

The machine may be shared: the best of N runs says what the code can do, the median how it did.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 15.0
STAGE_KEYS = ("imports", "load", "analysis", "figures", "tables", "markdown", "html")
STAGE_NAMES = {
    "imports": "start-up and imports",
    "load": "load data (fresh store)",
    "analysis": "analyse",
    "figures": "figures (PNG + SVG)",
    "tables": "tables (CSV, XLSX)",
    "markdown": "report.md",
    "html": "index.html",
}

_CLI = "import sys; from cbec_policy.cli import main; sys.argv[0] = 'cbec'; main()"


def _child(out_dir: str, db_url: str, workers: int) -> None:
    """In a fresh process: import, build one report, print the stage timings as JSON."""
    start = time.perf_counter()
    from cbec_policy.report.build import build_report

    imported = time.perf_counter()
    result = build_report(out_dir, db_url=db_url, progress=False, workers=workers or None)
    timings = {"imports": imported - start, **result.timings, "total": time.perf_counter() - start}
    print(json.dumps(timings))


def _run_cli(base: Path, index: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            _CLI,
            "report",
            "--out",
            str(base / f"cli{index}"),
            "--db",
            f"sqlite:///{base}/c{index}.db",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def _run_stages(base: Path, index: int, workers: int) -> dict[str, float]:
    """One build in a fresh process; the total is measured from outside (interpreter start included)."""
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            str(base / f"w{workers}-{index}"),
            f"sqlite:///{base}/w{workers}-{index}.db",
            str(workers),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    timings["imports"] += wall - timings["total"]  # interpreter start-up before the first line ran
    timings["total"] = wall
    return timings


def _summary(label: str, totals: list[float]) -> str:
    return f"{label}: best {min(totals):.2f} s, median {statistics.median(totals):.2f} s over {len(totals)} run(s)"


def _print_stages(label: str, runs: list[dict[str, float]]) -> None:
    print(f"\n{_summary(label, [run['total'] for run in runs])}")
    for key in STAGE_KEYS:
        values = [run[key] for run in runs]
        print(f"  {STAGE_NAMES[key]:<26} best {min(values):7.3f} s   median {statistics.median(values):7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("OUT", "DB_URL", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return
    cli: list[float] = []
    parallel: list[dict[str, float]] = []
    serial: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        for index in range(args.repeat):  # interleaved, so that a busy spell hits every variant alike
            cli.append(_run_cli(base, index))
            parallel.append(_run_stages(base, index, 0))
            serial.append(_run_stages(base, index, 1))
    print(_summary("cbec report --out DIR (fresh SQLite store, end to end)", cli))
    verdict = "OK" if min(cli) <= TARGET_SECONDS else "SLOW"
    print(f"  ratio to the {TARGET_SECONDS:.0f} s target: best {min(cli) / TARGET_SECONDS:.2f} ({verdict})")
    _print_stages("stages, figures drawn in parallel processes (default)", parallel)
    _print_stages("stages, figures drawn in one process", serial)
    figures_ratio = statistics.median(r["figures"] for r in serial) / statistics.median(r["figures"] for r in parallel)
    total_ratio = statistics.median(r["total"] for r in serial) / statistics.median(r["total"] for r in parallel)
    print(f"\none process / parallel, median: figures {figures_ratio:.2f}x, total {total_ratio:.2f}x")


if __name__ == "__main__":
    main()
