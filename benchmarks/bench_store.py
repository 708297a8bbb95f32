"""Store speed, measured side by side in one run: trigram full-text index vs a LIKE scan, and saving.

Builds a throw-away SQLite store with N synthetic ~10 KB Chinese documents (made-up sentences
from a fixed word list), then times the same 4-character query through the FTS5 trigram
index and through the LIKE fallback, and prints the ratio. Usage:

    .venv/bin/python benchmarks/bench_store.py [N]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from cbec_policy.models import Policy
from cbec_policy.store import open_store
from cbec_policy.store import search as store_search

_WORDS = ("跨境", "电商", "零售", "进口", "出口", "海关", "监管", "税收", "试点", "企业", "平台", "物流", "支付",
          "清单", "申报", "退货", "仓储", "服务", "便利", "措施", "地方", "支持", "发展", "规范")  # fmt: skip


def _text(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        parts.append("".join(rng.choice(_WORDS) for _ in range(8)) + "。")
    return "".join(parts)


def main(count: int) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        policies = [
            Policy(
                id=f"bench-{i}",
                title=_text(rng, 20),
                doc_number=f"测发〔2024〕{i}号",
                issuers=("某市商务局",),
                publish_date=date(2024, 1, 1),
                effective_date=None,
                end_date=None,
                status="unknown",
                level="municipal",
                policy_type=None,
                themes=(),
                full_text=_text(rng, 3300),  # about 10 KB of UTF-8
            )
            for i in range(count)
        ]
        # A rare phrase in a few documents, so the query has something to find.
        for i in range(0, count, max(1, count // 10)):
            policies[i] = Policy(**{**policies[i].__dict__, "full_text": policies[i].full_text + "海外仓储示范"})
        start = time.perf_counter()
        for policy in policies:
            store.save_policy(policy)
        saved = time.perf_counter() - start

        query, repeats = "海外仓储", 20
        fts_hits = store.search(query, limit=50)
        # The ranking itself, every time (store.search would answer repeats from its cache).
        start = time.perf_counter()
        with store._engine.connect() as conn:
            for _ in range(repeats):
                store_search.search_ids(conn, query, 50)
        fts = (time.perf_counter() - start) / repeats
        start = time.perf_counter()
        for _ in range(repeats):
            store.search(query, limit=50)
        cached = (time.perf_counter() - start) / repeats

        # The same query through the LIKE path (the one 1–2 character terms take).
        start = time.perf_counter()
        for _ in range(repeats):
            like_hits = _like_search(store, query)
        like = (time.perf_counter() - start) / repeats
        store.close()

    assert {h.policy.id for h in fts_hits} == set(like_hits), "both paths must find the same documents"
    print(f"documents: {count} (~10 KB each); found {len(fts_hits)} for {query!r}")
    print(f"save_policy incl. full-text index: {count / saved:,.0f} docs/s")
    print(f"ranking via FTS5 trigram: {fts * 1000:.1f} ms; LIKE scan: {like * 1000:.1f} ms; ratio {like / fts:.1f}x")
    print(f"store.search of a repeated query (cached ranking, policies read afresh): {cached * 1000:.1f} ms")


def _like_search(store, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from cbec_policy.store import schema

    with store._engine.connect() as conn:
        terms = store_search.query_terms(query)
        rows = conn.execute(select(schema.policies.c.id).where(store_search.all_terms_match(terms))).all()
    return [row[0] for row in rows]


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
