"""Store search speed, side by side in one run: the store's search, the raw FTS5 query and a LIKE scan.

Builds a throw-away store with N synthetic ~10 KB Chinese documents (made-up sentences from a
fixed word list, written in bulk through the ingest path's ``Store.bulk``), then runs 20
queries three ways and prints p50/p95 of each with the ratios:

* ``Store.search``: query parsing (normalisation, synonyms, fields), ranking and lean hits
  with snippets, each run with an empty ranking cache;
* the raw FTS5 trigram query of the same text (SQLite) — the floor the store builds on;
* a LIKE scan over the same columns — what searching costs without an index.

With ``--pg-url`` the same runs on PostgreSQL, where the raw query is the pg_trgm ``ILIKE``
on the search table. Each backend prints the store's p95 against the target (≤ 20 ms and
≤ 3× the raw query at 100,000 documents). A kept database (``--db``, ``--pg-url``) that already
holds the documents is reused. Usage::

    python benchmarks/bench_store.py [--docs 100000] [--db sqlite:///FILE] [--pg-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from cbec_policy.models import Policy
from cbec_policy.store import open_store
from cbec_policy.store.search import SearchCache

_WORDS = ("跨境", "电商", "零售", "进口", "出口", "海关", "监管", "税收", "试点", "企业", "平台", "物流", "支付",
          "清单", "申报", "退货", "仓储", "服务", "便利", "措施", "地方", "支持", "发展", "规范")  # fmt: skip
QUERIES = (
    "海外仓储", "跨境电商", "零售进口", "海关监管", "退货仓储", "支付平台", "物流服务", "税收措施", "试点企业",
    "申报清单", "地方支持", "规范发展", "出口退货", "电商平台", "便利措施", "进口税收", "监管服务", "综试区",
    "仓储物流 支付", "跨境 电商 零售",
)  # fmt: skip


def _text(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        parts.append("".join(rng.choice(_WORDS) for _ in range(8)) + "。")
    return "".join(parts)


def _policies(count: int, rng: random.Random):  # type: ignore[no-untyped-def]
    for i in range(count):
        full = _text(rng, 3300) + ("海外仓储示范" if i % max(1, count // 10) == 0 else "")
        yield Policy(
            id=f"bench-{i}", title=_text(rng, 20), doc_number=f"测发〔2024〕{i}号", issuers=("某市商务局",),
            publish_date=date(2024, 1, 1 + i % 28), effective_date=None, end_date=None, status="unknown",
            level="municipal", policy_type=None, themes=(), full_text=full,
        )  # fmt: skip


def _ms(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000


TARGET_P95_MS = 20.0  # store search p95 at 100,000 documents
TARGET_RATIO = 3.0  # store search p95 / raw index query p95


def build(store, docs: int) -> float:  # type: ignore[no-untyped-def]
    """Write ``docs`` synthetic documents in chunks of 1,000 (seconds taken; 0 when already there)."""
    if store.get_policy(f"bench-{docs - 1}") is not None and store.get_policy(f"bench-{docs}") is None:
        return 0.0  # the same documents are already stored (a re-run on a kept database)
    rng = random.Random(7)
    start = time.perf_counter()
    chunk: list[tuple[Policy, str | None]] = []
    for policy in _policies(docs, rng):
        chunk.append((policy, None))
        if len(chunk) == 1000:
            with store.bulk() as session:
                session.save_policies(chunk)
            chunk = []
    if chunk:
        with store.bulk() as session:
            session.save_policies(chunk)
    store.fold_search_index()  # as an ingest does at its end: the searches read the index alone
    return time.perf_counter() - start


def _raw(conn, dialect: str, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    if dialect == "sqlite":
        match = " AND ".join('"' + w + '"' for w in words if len(w) >= 3) or '"跨境电"'
        conn.exec_driver_sql(
            "SELECT rowid FROM policy_fts WHERE policy_fts MATCH ? ORDER BY rank LIMIT 20", (match,)
        ).all()
    else:
        where = " AND ".join("body ILIKE %s" for _ in words)
        conn.exec_driver_sql(
            f"SELECT policy_id FROM policy_search WHERE {where} LIMIT 20", tuple(f"%{w}%" for w in words)
        ).all()


def _like(conn, dialect: str, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    where = " AND ".join("(title LIKE ? OR summary LIKE ? OR full_text LIKE ?)" for _ in words)
    params = tuple(f"%{w}%" for w in words for _ in range(3))
    sql = f"SELECT id FROM policies WHERE {where} ORDER BY publish_date DESC LIMIT 20"
    if dialect != "sqlite":
        sql = sql.replace("?", "%s")
    conn.exec_driver_sql(sql, params).all()


def run(url: str, docs: int, repeat: int, like_repeat: int) -> None:
    """Build (or reuse) the store at ``url``, time the three methods on the 20 queries, print the table."""
    store = open_store(url)
    try:
        built = build(store, docs)
        store_times: list[float] = []
        raw_times: list[float] = []
        like_times: list[float] = []
        for query in QUERIES:
            words = query.split()
            store.search(query, limit=20)  # warm the statement caches once, as a running server has
            for _ in range(repeat):
                store._search_cache = SearchCache()  # the ranking itself, not the cache
                t0 = time.perf_counter()
                store.search(query, limit=20)
                store_times.append(time.perf_counter() - t0)
            with store._engine.connect() as conn:
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    _raw(conn, store.dialect, words)
                    raw_times.append(time.perf_counter() - t0)
                for _ in range(like_repeat):
                    t0 = time.perf_counter()
                    _like(conn, store.dialect, words)
                    like_times.append(time.perf_counter() - t0)
        dialect = store.dialect
    finally:
        store.close()
    rate = "reused" if built == 0 else f"built at {docs / built:,.0f} docs/s"
    print(f"\nbackend: {dialect}; documents: {docs:,} (~10 KB each), {rate}; {len(QUERIES)} queries")
    print(f"{'':34s}{'p50 ms':>10s}{'p95 ms':>10s}")
    for name, values in (("store search (parse+rank+hits)", store_times), ("raw index query", raw_times),
                         ("LIKE scan", like_times)):  # fmt: skip
        print(f"{name:34s}{_ms(values, 50):10.2f}{_ms(values, 95):10.2f}")
    p95, ratio = _ms(store_times, 95), _ms(store_times, 95) / _ms(raw_times, 95)
    print(f"ratio p95 store / raw index: {ratio:.2f}x (target <= {TARGET_RATIO:g}x: {_met(ratio <= TARGET_RATIO)})")
    print(f"ratio p95 LIKE scan / store: {_ms(like_times, 95) / p95:.1f}x")
    print(f"store search p95 / target: {p95:.2f} / {TARGET_P95_MS:g} ms ({_met(p95 <= TARGET_P95_MS)})")
    one, five, fifteen = os.getloadavg()
    print(f"load average: {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} CPUs")


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents to build (default: %(default)s)")
    parser.add_argument("--db", help="SQLite URL to build or reuse (default: a temporary file)")
    parser.add_argument("--pg-url", help="also run on this PostgreSQL database (its policies are replaced)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query per method (default: %(default)s)")
    parser.add_argument("--no-sqlite", action="store_true", help="with --pg-url: run PostgreSQL only")
    parser.add_argument("--like-repeat", type=int, default=1, help="runs of each LIKE scan (default: %(default)s)")
    args = parser.parse_args(argv)
    if not (args.no_sqlite and args.pg_url):
        with tempfile.TemporaryDirectory() as folder:
            run(args.db or f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.docs, args.repeat, args.like_repeat)
    if args.pg_url:
        run(args.pg_url, args.docs, args.repeat, args.like_repeat)


if __name__ == "__main__":
    main()
