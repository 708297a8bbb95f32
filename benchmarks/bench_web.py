"""Load test of the web server: 20 concurrent clients on search, policy pages, tax and the aggregate pages.

Run: ``.venv/bin/python benchmarks/bench_web.py [--seconds 30] [--clients 20] [--policies 10000]
[--workers N] [--pg-url postgresql+psycopg://…]``.

Writes synthetic but realistic policy documents (titles, document numbers, issuers, dates,
~10 KB of Chinese text each) as text files and stores them through the ingest path
(``ingest_paths``, as ``cbec ingest`` does, without the classifier), then starts the server
the way a user does, ``cbec serve --db URL --workers N`` in its own process on 127.0.0.1
(read-only, no token). It times the dashboard ``/``, ``/api/stats`` and ``/policies`` for a
single user (the first request computes, the next ones are what later visitors get), warms
up, and runs the clients in this process for a bounded time over the mix of search, policy
pages, tax, dashboard, stats and policy list. Prints p50 / p95 per kind against its target
(≤ 100 ms, search ≤ 120 ms; every kind ≤ 150 ms on PostgreSQL), the request rate (≥ 600/s),
the errors (none) and the machine's load average (the clients share the CPUs with the
server, so a busy machine shows in the figures). SQLite always; PostgreSQL with
``--pg-url``. Loopback only; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

TARGET_P95_MS = 100.0  # every kind together, SQLite

# Building blocks for synthetic documents (written for this benchmark; not quotations).
_SUBJECTS = (
    "跨境电子商务零售进口", "跨境电子商务零售出口", "跨境电商综合试验区", "海外仓建设", "跨境电商企业出口退税",
    "跨境电商进口商品质量安全", "跨境支付结算", "跨境电商物流", "跨境电商人才培养", "市场采购贸易",
)  # fmt: skip
_ACTIONS = ("关于促进", "关于做好", "关于进一步规范", "关于支持", "关于加强", "关于完善", "关于开展")
_TAILS = ("工作的通知", "有关事项的公告", "的实施意见", "若干措施的通知", "管理办法")
_ISSUERS = (
    ("商务部",), ("海关总署",), ("财政部", "海关总署", "国家税务总局"), ("国家税务总局",),
    ("国务院办公厅",), ("国家外汇管理局",), ("商务部", "国家发展和改革委员会"),
)  # fmt: skip
_PREFIXES = ("商贸发", "署监发", "财关税", "税总发", "国办发", "汇发", "商财发")
_SENTENCES = (
    "各地要结合本地实际，明确责任分工，按时报送工作进展。",
    "企业应当如实申报商品信息，并对数据的真实性负责。",
    "海关对跨境电商零售进口商品实施分类监管，提高通关效率。",
    "支持综合试验区建设线上综合服务平台和线下产业园区。",
    "鼓励金融机构为跨境电商企业提供便利化的结算服务。",
    "对符合条件的出口货物，按规定享受增值税、消费税退（免）税政策。",
    "加强消费者权益保护，建立商品质量追溯和退换货机制。",
    "推动海外仓标准化建设，提升物流配送和售后服务能力。",
)
_SEARCH_TERMS = (
    "跨境电商",
    "零售进口",
    "海外仓",
    "综合试验区",
    "出口退税",
    "支付结算",
    "物流",
    "质量安全",
    "监管 通关",
)


def _search_query(rng: random.Random) -> str:
    """Half popular terms (which a cache may hold), half fresh 3–5-character windows of the corpus text.

    The store keeps recent rankings in memory; without fresh queries the benchmark would time
    mostly cache hits. The windows give hundreds of distinct queries, each a real substring.
    """
    if rng.random() < 0.5:
        return rng.choice(_SEARCH_TERMS)
    source = rng.choice(_SUBJECTS + _SENTENCES)
    size = rng.randint(3, 5)
    start = rng.randrange(0, max(1, len(source) - size))
    return source[start : start + size]


def _document(rng: random.Random, number: int) -> str:
    """One synthetic ~10 KB (UTF-8) policy document as a user would drop it in a folder."""
    day = date(2013, 1, 1) + timedelta(days=rng.randrange(0, 12 * 365))
    issuers = rng.choice(_ISSUERS)
    title = "、".join(issuers) + rng.choice(_ACTIONS) + rng.choice(_SUBJECTS) + rng.choice(_TAILS)
    body: list[str] = []
    while sum(map(len, body)) < 3300:  # ~3,300 characters ≈ 10 KB in UTF-8
        body.append(rng.choice(_SENTENCES))
    signed = f"{day.year}年{day.month}月{day.day}日"
    return "\n".join([title, f"{rng.choice(_PREFIXES)}〔{day.year}〕{number + 1}号", "各有关单位：", *body,
                      " ".join(issuers), signed])  # fmt: skip


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its ended children (the ingest's readers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _postgres_cpu_seconds() -> float | None:
    """CPU seconds used so far by the PostgreSQL server processes on this machine (None without ``/proc``)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "comm").read_text().startswith("postgres"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def build_database(url: str, count: int, folder: Path) -> tuple[float, list[str], dict[str, float]]:
    """Fill the store at ``url`` with ``count`` documents through the ingest path; (seconds, policy ids, CPU).

    The documents are written as text files and stored by ``ingest_paths`` (reading, decoding,
    normalising, extraction, chunked writes), as ``cbec ingest`` does, without the classifier.
    A store that already holds ``count`` ingested documents is reused (0 seconds). The CPU
    milliseconds per document are measured apart for the storing process, the reader processes
    and (PostgreSQL on this machine) the server: on a shared machine the wall clock depends on
    what else runs, the CPU a document costs does not.
    """
    from cbec_policy.store import ingest_paths, open_store
    from cbec_policy.store.filters import PolicyFilters

    store = open_store(url)
    try:
        store.init()
        briefs = [b for b in store.list_briefs(PolicyFilters(), limit=count + 1000) if b.id.startswith("ing-")]
        if len(briefs) >= count:
            return 0.0, [b.id for b in briefs], {}
        documents = folder / "documents"
        documents.mkdir(exist_ok=True)
        rng = random.Random(7)
        paths = []
        for number in range(count):
            path = documents / f"doc-{number:05d}.txt"
            path.write_text(_document(rng, number), encoding="utf-8")
            paths.append(str(path))
        server_before = _postgres_cpu_seconds() if store.dialect == "postgresql" else None
        own_before, readers_before = _cpu_seconds()
        started = time.perf_counter()
        summary = ingest_paths(paths, store, classify=False)
        elapsed = time.perf_counter() - started
        own_after, readers_after = _cpu_seconds()
        server_after = _postgres_cpu_seconds() if server_before is not None else None
        if summary.failed:
            raise SystemExit(f"{len(summary.failed)} documents failed to ingest; first: {summary.failed[0]}")
        cpu = {"storing": own_after - own_before, "reading": readers_after - readers_before}
        if server_before is not None and server_after is not None:
            cpu["server"] = server_after - server_before
        ids = [b.id for b in store.list_briefs(PolicyFilters(), limit=count + 1000) if b.id.startswith("ing-")]
        return elapsed, ids, {part: seconds / count * 1000 for part, seconds in cpu.items()}
    finally:
        store.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db_url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    """``cbec serve`` over the benchmark store, read-only, ``workers`` processes, its log in ``log``."""
    env = {**os.environ, "CBEC_BENCH_NO_TOKEN": ""}
    env.pop("CBEC_DB_URL", None)
    command = [
        sys.executable, "-m", "cbec_policy", "serve", "--db", db_url, "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--token-env", "CBEC_BENCH_NO_TOKEN",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server process exited before answering")
        try:
            if httpx.get(url + "/api/batches", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer in time")


KINDS = ("search", "policy_page", "tax", "dashboard", "stats", "policy_list")
# p95 targets per kind (ms) on SQLite; on PostgreSQL every kind has PG_TARGET_MS.
TARGETS_MS = {"search": 120.0, "policy_page": 100.0, "tax": 100.0, "dashboard": 100.0, "stats": 100.0,
              "policy_list": 100.0}  # fmt: skip
PG_TARGET_MS = 150.0
TARGET_RATE = 600.0  # requests/s of the whole mix
TARGET_BUILD_RATE = 900.0  # policies/s stored through the ingest path while building
SINGLE_USER_TARGET_MS = 50.0  # the aggregate pages alone
AGGREGATE_PATHS = {"dashboard": "/", "stats": "/api/stats", "policy_list": "/policies"}


def _path(rng: random.Random, kind: str, ids: list[str]) -> str:
    if kind == "search":
        return "/api/policies?q=" + quote(_search_query(rng))
    if kind == "policy_page":
        return "/policies/" + rng.choice(ids)
    if kind == "policy_list" and rng.random() < 0.5:
        return "/policies?status=" + quote(rng.choice(("现行有效", "已失效", "unknown")))
    return AGGREGATE_PATHS[kind]


def run_clients(
    url: str, clients: int, seconds: float, ids: list[str], kinds: tuple[str, ...] = KINDS
) -> dict[str, list[float]]:
    """``clients`` threads, each with its own keep-alive connection, for ``seconds``; latencies (ms) by kind.

    Each request picks one of ``kinds`` at random (in equal shares). The clients use the
    standard library's ``http.client``: a heavier client in 20 threads of one Python process
    saturates a CPU by itself and would measure its own overhead, not the server.
    """
    address = urlsplit(url)
    results: dict[str, list[float]] = {kind: [] for kind in (*KINDS, "errors")}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def request(rng: random.Random, kind: str) -> tuple[str, str, bytes | None]:
        if kind != "tax":
            return "GET", _path(rng, kind, ids), None
        order = {
            "date": f"{rng.randrange(2017, 2026)}-0{rng.randrange(1, 10)}-15",
            "price": round(rng.uniform(20, 6000), 2),
            "freight": round(rng.uniform(0, 50), 2),
            "tariff_rate": 0.1,
        }
        return "POST", "/api/tax/import", json.dumps(order).encode()

    def client(number: int) -> None:
        rng = random.Random(number)
        local: dict[str, list[float]] = {kind: [] for kind in results}
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        while time.monotonic() < stop_at:
            kind = kinds[rng.randrange(len(kinds))]
            method, path, body = request(rng, kind)
            headers = {"Content-Type": "application/json"} if body is not None else {}
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()  # the whole body, as a browser would, and so the connection is reusable
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()  # reconnects on the next request
            elapsed = (time.perf_counter() - started) * 1000
            local[kind if ok else "errors"].append(elapsed)
        connection.close()
        with lock:
            for key, values in local.items():
                results[key].extend(values)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[float, int]:
    """One GET on a kept-alive connection: (milliseconds, bytes of the body)."""
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    size = len(response.read())
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    return (time.perf_counter() - started) * 1000, size


def single_user(url: str, write: Callable[[int], None], writes: int = 3) -> dict[str, tuple[float, float, float, int]]:
    """The aggregate pages alone, one request at a time: (first ms, then ms, after a write ms, bytes) each.

    The first request after the server starts computes the page; the next ones (median of 5)
    are what later visitors get until a write moves the store's change counter. Then, ``writes``
    times, one document is stored through the ingest path by this process (as an analyst's
    ``cbec ingest`` beside the server would) and the first request after it is timed: the
    worst of those is what the first visitor after every ingest waits.
    """
    timings = {}
    connection = http.client.HTTPConnection(urlsplit(url).hostname, urlsplit(url).port, timeout=60)
    try:
        for kind, path in AGGREGATE_PATHS.items():
            times, size = [], 0
            for _ in range(6):
                elapsed, size = _get(connection, path)
                times.append(elapsed)
            after = []
            for number in range(writes):
                write(number)
                after.append(_get(connection, path)[0])
            timings[kind] = (times[0], statistics.median(times[1:]), max(after), size)
    finally:
        connection.close()
    return timings


def ingest_writer(db_url: str, folder: Path) -> Callable[[int], None]:
    """A function that stores one new synthetic document through the ingest path (for ``single_user``)."""
    from cbec_policy.store import ingest_paths, open_store

    rng = random.Random(11)
    written = folder / "written"
    written.mkdir(exist_ok=True)
    run = int(time.time())  # a new document each run, also on a kept database

    def write(number: int) -> None:
        path = written / f"after-write-{run}-{number}.txt"
        title, rest = _document(rng, 900_000 + run % 10_000 * 10 + number).split("\n", 1)
        text = f"{title}（第{run}-{number}次）\n{rest}"  # a title not stored before: a new policy
        path.write_text(text, encoding="utf-8")
        store = open_store(db_url)
        try:
            before = store.change_counter()
            summary = ingest_paths([str(path)], store, classify=False)
            moved = store.change_counter() != before
        finally:
            store.close()
        if summary.failed or not moved:
            outcome = summary.outcomes[0] if summary.outcomes else None
            raise SystemExit(f"the document written after start was not stored as new: {outcome}")

    return write


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} CPUs"


def run_backend(db_url: str, name: str, args: argparse.Namespace, kinds: tuple[str, ...], folder: Path) -> bool:
    """Build (or reuse) the store at ``db_url``, serve it, time single users and the mix; True when on target."""
    print(f"\n== {name}: building a {args.policies:,}-policy store through the ingest path …", flush=True)
    built, ids, cpu_ms = build_database(db_url, args.policies, folder)
    if built == 0:
        print("  reused (no build rate measured)")
    else:
        rate = args.policies / built
        verdict = "met" if rate >= TARGET_BUILD_RATE else "not met"
        print(f"  built in {built:.1f} s: {rate:,.0f} policies/s (target >= {TARGET_BUILD_RATE:g}: {verdict}); "
              f"load average {_load()}")  # fmt: skip
        parts = ", ".join(f"{part} {ms:.2f}" for part, ms in cpu_ms.items())
        print(f"  CPU per document: {sum(cpu_ms.values()):.2f} ms ({parts})")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / f"server-{name}.log"
    server = start_server(db_url, port, args.workers, log)
    try:
        _wait_until_up(url, server)
        alone = single_user(url, ingest_writer(db_url, folder))
        if args.warmup:
            run_clients(url, args.clients, args.warmup, ids, kinds)
        print(f"load average before: {_load()}")
        print(f"{args.clients} clients for {args.seconds:g} s against `cbec serve --workers {args.workers}` at {url} …")
        results = run_clients(url, args.clients, args.seconds, ids, kinds)
        print(f"load average after:  {_load()}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if results["errors"]:
        print(f"server log: {log}")
    ok = True
    print(f"\nsingle user ({name}), target <= {SINGLE_USER_TARGET_MS:g} ms, also the first request after a write:")
    print(f"{'page':<12} {'first ms':>9} {'then ms':>8} {'after write ms':>15} {'KB':>7} {'target':>7}")
    for kind, (first, then, after, size) in alone.items():
        met = then <= SINGLE_USER_TARGET_MS and after <= SINGLE_USER_TARGET_MS
        ok &= met
        print(
            f"{kind:<12} {first:>9.1f} {then:>8.1f} {after:>15.1f} {size / 1024:>7.0f} {'met' if met else 'not met':>7}"
        )
    print(f"\n{'kind':<12} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'p95/target':>11} {'':>7}")
    everything = []
    for key in kinds:
        values = results[key]
        everything.extend(values)
        target = PG_TARGET_MS if name == "postgresql" else TARGETS_MS[key]
        p95 = _percentile(values, 0.95)
        ok &= p95 <= target
        print(f"{key:<12} {len(values):>9} {_percentile(values, 0.5):>8.1f} {p95:>8.1f} {target:>7.0f} "
              f"{p95 / target:>11.2f} {'met' if p95 <= target else 'not met':>7}")  # fmt: skip
    p95 = _percentile(everything, 0.95)
    target = PG_TARGET_MS if name == "postgresql" else TARGET_P95_MS
    rate = len(everything) / args.seconds
    print(f"{'all':<12} {len(everything):>9} {_percentile(everything, 0.5):>8.1f} {p95:>8.1f} {target:>7.0f} "
          f"{p95 / target:>11.2f} {'met' if p95 <= target else 'not met':>7}")  # fmt: skip
    ok &= p95 <= target and not results["errors"] and rate >= TARGET_RATE
    rate_met, clean = rate >= TARGET_RATE, not results["errors"]
    print(f"throughput: {rate:,.0f} requests/s (target >= {TARGET_RATE:g}: {'met' if rate_met else 'not met'}); "
          f"errors: {len(results['errors'])} (target 0: {'met' if clean else 'not met'})")  # fmt: skip
    print(f"{name}: {'OK' if ok else 'MISSED'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients run (bounded)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument(
        "--workers", type=int, default=min(4, os.cpu_count() or 1), help="cbec serve --workers (default: CPUs, max 4)"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before the run")
    parser.add_argument("--db", type=Path, default=None, help="reuse this SQLite file (built on first use)")
    parser.add_argument("--pg-url", help="also run on this PostgreSQL database (built on first use)")
    parser.add_argument("--only", choices=KINDS, action="append", help="request only this kind (repeatable)")
    args = parser.parse_args()
    kinds = tuple(args.only or KINDS)
    if not 1 <= args.seconds <= 600 or not 0 <= args.warmup <= 60:
        raise SystemExit("--seconds must be between 1 and 600 and --warmup between 0 and 60")
    if not 1 <= args.clients <= 200 or not 1 <= args.workers <= 16:
        raise SystemExit("--clients must be between 1 and 200 and --workers between 1 and 16")
    folder = Path(tempfile.mkdtemp(prefix="cbec-bench-web-"))
    run_backend(f"sqlite:///{args.db or folder / 'bench.sqlite3'}", "sqlite", args, kinds, folder)
    if args.pg_url:
        run_backend(args.pg_url, "postgresql", args, kinds, folder)


if __name__ == "__main__":
    main()
