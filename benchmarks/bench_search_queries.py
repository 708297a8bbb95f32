"""Recall of realistic searches: each query of search_queries.yaml must find its documents in the top ten.

Builds a store from the bundled corpus (a temporary SQLite file, or the database given by
``--db``), runs every query through ``Store.search`` (normalisation, synonyms, field words),
and prints recall@10 per query and overall, the misses, and the latency of the same queries
run side by side with the raw FTS5 index query of their first word (SQLite), so the cost of
expansion is visible as a ratio. Exits 1 when recall@10 is below ``--target``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from cbec_policy.query import parse_query
from cbec_policy.store import open_store

QUERIES = Path(__file__).with_name("search_queries.yaml")


def load_queries(path: Path) -> list[dict]:
    """The benchmark's queries with their expected policy ids."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [{"q": str(item["q"]), "expect": [str(i) for i in item["expect"]]} for item in data["queries"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file built from the bundled data)")
    parser.add_argument("--queries", type=Path, default=QUERIES, help="YAML file of queries (default: %(default)s)")
    parser.add_argument("--target", type=float, default=0.95, help="required mean recall@10 (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each query (default: %(default)s)")
    args = parser.parse_args(argv)

    queries = load_queries(args.queries)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        store = open_store(url)
        store.init()
        recalls, misses = [], []
        for item in queries:
            found = [hit.policy.id for hit in store.search(item["q"], limit=10)]
            hit_count = sum(1 for policy_id in item["expect"] if policy_id in found)
            recall = hit_count / len(item["expect"])
            recalls.append(recall)
            if recall < 1:
                misses.append((item["q"], [i for i in item["expect"] if i not in found], found[:5]))
        mean = statistics.fmean(recalls)
        perfect = sum(1 for r in recalls if r == 1)
        print(f"queries: {len(queries)}; every expected document found for {perfect}")
        print(f"recall@10: {mean:.3f} (target >= {args.target})")
        for query, missing, top in misses:
            print(f"  miss  {query!r}: missing {missing}; top hits {top}")

        timings, raw = [], []
        for item in queries:
            parsed = parse_query(item["q"])
            for _ in range(args.repeat):
                start = time.perf_counter()
                store._search_cache = type(store._search_cache)()  # measure the search, not the cache
                store.search(parsed, limit=10)
                timings.append(time.perf_counter() - start)
            if store.dialect == "sqlite" and parsed.terms and len(parsed.terms[0].forms[0]) >= 3:
                phrase = '"' + parsed.terms[0].forms[0].replace('"', '""') + '"'
                with store._engine.connect() as conn:
                    for _ in range(args.repeat):
                        start = time.perf_counter()
                        conn.exec_driver_sql(
                            "SELECT rowid FROM policy_fts WHERE policy_fts MATCH ? ORDER BY rank LIMIT 10", (phrase,)
                        ).all()
                        raw.append(time.perf_counter() - start)
        store.close()

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else 0.0

    print(
        f"store search (parse, synonyms, lean hits, snippets): p50 {p(timings, 50):.2f} ms, p95 {p(timings, 95):.2f} ms"
    )
    if raw:
        print(f"raw FTS5 query of the first word:                   p50 {p(raw, 50):.2f} ms, p95 {p(raw, 95):.2f} ms")
        print(f"ratio p95 store / raw: {p(timings, 95) / max(p(raw, 95), 1e-9):.1f}x")
    return 0 if mean >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
