"""Load test of the web server: 20 concurrent clients on search, policy pages and the tax endpoint.

Run: ``.venv/bin/python benchmarks/bench_web.py [--seconds 30] [--clients 20] [--policies 10000] [--workers N]``.

Builds a SQLite store of synthetic but realistic policies (titles, document numbers, issuers,
dates, a few KB of Chinese text each) through ``store.save_policy`` — the same path as an
ingest — then starts the server the way a user does, ``cbec serve --db URL --workers N`` in
its own process on 127.0.0.1 (read-only, no token), warms it up, and runs the clients in this
process for a bounded time. Prints p50 / p95 latency per request kind and overall, the
request rate, the number of errors and the machine's load average (the clients share the
CPUs with the server, so a busy machine shows in the figures), against the target
p95 < 100 ms with zero errors. Loopback only; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

TARGET_P95_MS = 100.0

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


def _synthetic_policies(count: int, seed: int = 7) -> list:
    """``count`` varied policies shaped like the bundled corpus (ids ``bench-N``)."""
    from cbec_policy.reference.loader import load_national_policies

    template = next(p for p in load_national_policies() if p.id == "2016-caiguanshui-18")
    rng = random.Random(seed)
    policies = []
    start = date(2013, 1, 1)
    for number in range(count):
        day = start + timedelta(days=rng.randrange(0, 12 * 365))
        prefix = rng.choice(_PREFIXES)
        title = rng.choice(_ACTIONS) + rng.choice(_SUBJECTS) + rng.choice(_TAILS)
        body = "\n".join(rng.choice(_SENTENCES) for _ in range(rng.randrange(40, 90)))
        policies.append(
            replace(
                template,
                id=f"bench-{number}",
                title=title,
                doc_number=f"{prefix}〔{day.year}〕{number + 1}号",
                issuers=rng.choice(_ISSUERS),
                publish_date=day,
                effective_date=day + timedelta(days=rng.randrange(0, 60)),
                end_date=None,
                status=rng.choice(("现行有效", "现行有效", "已失效", "unknown")),
                policy_type=rng.choice(("tax", "supervision", "management", "comprehensive", "norm")),
                themes=tuple(sorted(set(rng.sample(("tax", "customs", "supervision", "finance", "services"), 2)))),
                relations=(),
                paper=None,
                summary="",
                notes="synthetic benchmark document",
                source="benchmark",
                full_text=body,
            )
        )
    return policies


def build_database(path: Path, count: int) -> float:
    """Create (or reuse, when it already holds ``count`` synthetic policies) the benchmark store."""
    from cbec_policy.store import open_store

    store = open_store(f"sqlite:///{path}")
    try:
        store.init()
        if store.get_policy(f"bench-{count - 1}") is not None:
            return 0.0
        started = time.perf_counter()
        for policy in _synthetic_policies(count):
            store.save_policy(policy, original_text=policy.full_text)
        return time.perf_counter() - started
    finally:
        store.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db: Path, port: int, workers: int, log: Path) -> subprocess.Popen:
    """``cbec serve`` over the benchmark store, read-only, ``workers`` processes, its log in ``log``."""
    env = {**os.environ, "CBEC_BENCH_NO_TOKEN": ""}
    env.pop("CBEC_DB_URL", None)
    command = [
        sys.executable, "-m", "cbec_policy", "serve", "--db", f"sqlite:///{db}", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--token-env", "CBEC_BENCH_NO_TOKEN",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
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


KINDS = ("search", "policy_page", "tax")


def run_clients(
    url: str, clients: int, seconds: float, count: int, kinds: tuple[str, ...] = KINDS
) -> dict[str, list[float]]:
    """``clients`` threads, each with its own keep-alive connection, for ``seconds``; latencies (ms) by kind.

    Each request picks one of ``kinds`` at random (all three by default, in equal shares). The
    clients use the standard library's ``http.client``: a heavier client in 20 threads of one
    Python process saturates a CPU by itself and would measure its own overhead, not the server.
    """
    import http.client
    import json
    from urllib.parse import quote, urlsplit

    address = urlsplit(url)
    results: dict[str, list[float]] = {"search": [], "policy_page": [], "tax": [], "errors": []}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def request(rng: random.Random, kind: str) -> tuple[str, str, bytes | None]:
        if kind == "search":
            return "GET", "/api/policies?q=" + quote(_search_query(rng)), None
        if kind == "policy_page":
            return "GET", f"/policies/bench-{rng.randrange(count)}", None
        order = {
            "date": f"{rng.randrange(2017, 2026)}-0{rng.randrange(1, 10)}-15",
            "price": round(rng.uniform(20, 6000), 2),
            "freight": round(rng.uniform(0, 50), 2),
            "tariff_rate": 0.1,
        }
        return "POST", "/api/tax/import", json.dumps(order).encode()

    def client(number: int) -> None:
        rng = random.Random(number)
        local: dict[str, list[float]] = {"search": [], "policy_page": [], "tax": [], "errors": []}
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


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} CPUs"


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
    parser.add_argument("--only", choices=KINDS, action="append", help="request only this kind (repeatable)")
    args = parser.parse_args()
    kinds = tuple(args.only or KINDS)
    if not 1 <= args.seconds <= 600 or not 0 <= args.warmup <= 60:
        raise SystemExit("--seconds must be between 1 and 600 and --warmup between 0 and 60")
    if not 1 <= args.clients <= 200 or not 1 <= args.workers <= 16:
        raise SystemExit("--clients must be between 1 and 200 and --workers between 1 and 16")

    folder = Path(tempfile.mkdtemp(prefix="cbec-bench-web-"))
    db = args.db or folder / "bench.sqlite3"
    print(f"building a {args.policies:,}-policy SQLite store …", flush=True)
    built = build_database(db, args.policies)
    print(f"  {'reused' if built == 0 else f'built in {built:.1f} s ({args.policies / built:,.0f} policies/s)'}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    server = start_server(db, port, args.workers, log)
    try:
        _wait_until_up(url, server)
        if args.warmup:
            run_clients(url, args.clients, args.warmup, args.policies, kinds)
        print(f"load average before: {_load()}")
        print(f"{args.clients} clients for {args.seconds:g} s against `cbec serve --workers {args.workers}` at {url} …")
        results = run_clients(url, args.clients, args.seconds, args.policies, kinds)
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
    everything = [v for key in ("search", "policy_page", "tax") for v in results[key]]
    print(f"\n{'kind':<12} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for key in ("search", "policy_page", "tax"):
        values = results[key]
        print(f"{key:<12} {len(values):>9} {_percentile(values, 0.5):>8.1f} {_percentile(values, 0.95):>8.1f}")
    p95 = _percentile(everything, 0.95)
    print(f"{'all':<12} {len(everything):>9} {_percentile(everything, 0.5):>8.1f} {p95:>8.1f}")
    print(f"throughput: {len(everything) / args.seconds:,.0f} requests/s; errors: {len(results['errors'])}")
    verdict = "OK" if p95 < TARGET_P95_MS and not results["errors"] else "MISSED"
    print(f"p95 / target: {p95:.1f} / {TARGET_P95_MS:.0f} ms = {p95 / TARGET_P95_MS:.2f} ({verdict})")


if __name__ == "__main__":
    main()
