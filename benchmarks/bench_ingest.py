"""Ingest speed, measured side by side in one run on a seeded corpus of ~10 KB documents.

    python benchmarks/bench_ingest.py [--docs 10000] [--seed 7] [--classify-sample 200]

Stages, each over the same files:
  (a) read + decode only;
  (b) the full-text index insert alone (SQLite FTS5 trigram, one transaction per document:
      the floor any store write pays);
  (c) normalise + extract only (from decoded text);
  (d) full ingest into SQLite (read, normalise, extract, match, store with the index,
      one transaction per document), without the classifier;
  (e) optional: the same with the classifier, on a sample (the classifier is another
      module's cost and is reported separately).
Targets (ingest issue): (d) >= 600 docs/s on one core and within 4x of (b).

The corpus is synthetic benchmark data: numbers and dates are drawn at random, the sentences
are filler written for this script, encodings and noise are mixed the way web copies are.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from cbec_policy.ingest.decode import decode_bytes
from cbec_policy.ingest.extract import extract_metadata
from cbec_policy.ingest.normalise import normalise_text, traditional
from cbec_policy.ingest.pipeline import ingest_paths
from cbec_policy.ingest.readers import read_file
from cbec_policy.store import open_store

ISSUERS = [
    ("财政部 海关总署 税务总局", "财关税"),
    ("国务院办公厅", "国办发"),
    ("商务部", "商贸函"),
    ("国家外汇管理局", "汇发"),
    ("河南省人民政府", "豫政"),
    ("湖南省人民政府", "湘政发"),
    ("厦门市商务局", "厦商务规"),
]
TOPICS = ["跨境电子商务零售进口", "跨境电商出口海外仓", "综合试验区建设", "跨境人民币结算", "出口退运商品"]
FILLER = [
    "各有关单位要加强组织领导，明确责任分工，确保各项措施落到实处。",
    "支持企业利用跨境电子商务开拓国际市场，提升品牌和服务水平。",
    "优化通关、物流、支付和结汇等环节的服务，降低企业的经营成本。",
    "加强事中事后监管，完善风险防控体系，维护公平竞争的市场秩序。",
    "鼓励金融机构创新产品和服务，为中小企业提供便利的融资支持。",
    "推进数据共享和信息化建设，提高监管和服务的效率与精准度。",
]
SPAM = [
    "首页 > 政策文件 > 正文",
    "来源：示例政务网 发布时间：2024-05-06 10:23 浏览次数：1024",
    "扫一扫在手机打开当前页",
]
ZH = "〇一二三四五六七八九"


def _zh_date(day: date) -> str:
    def small(n: int) -> str:
        tens, units = divmod(n, 10)
        return ZH[n] if n < 10 else ("" if tens == 1 else ZH[tens]) + "十" + (ZH[units] if units else "")

    return "".join(ZH[int(d)] for d in str(day.year)) + f"年{small(day.month)}月{small(day.day)}日"


def make_document(rng: random.Random, index: int) -> tuple[str, bytes]:
    """One synthetic ~10 KB document: (suffix, bytes) in a random encoding with random noise."""
    issuer, prefix = rng.choice(ISSUERS)
    day = date(2014, 1, 1) + timedelta(days=rng.randrange(3600))
    title = f"{issuer}关于推进{rng.choice(TOPICS)}工作的通知（第{index}号文件）"
    number = f"{prefix}〔{day.year}〕{index + 1}号"
    signed = _zh_date(day) if rng.random() < 0.4 else f"{day.year}年{day.month}月{day.day}日"
    body = []
    while sum(len(line) for line in body) < 3300:  # ~3,300 characters ≈ 10 KB in UTF-8
        body.append("".join(rng.choice(FILLER) for _ in range(3)))
    body.insert(2, "依据财关税〔2018〕49号的规定，现提出以下要求。")
    lines = [title, number, "各有关单位：", *body, issuer, signed]
    if rng.random() < 0.3:
        lines = SPAM[:2] + lines + SPAM[2:]
    if rng.random() < 0.1:
        lines = [line + "👍\u200b" if i % 7 == 3 else line for i, line in enumerate(lines)]
    text = "\n".join(lines)
    roll = rng.random()
    if roll < 0.55:
        return ".txt", text.encode("utf-8")
    if roll < 0.80:
        return ".txt", text.encode("gb18030")
    if roll < 0.85:
        return ".txt", text.encode("utf-8-sig")
    if roll < 0.90:
        return ".txt", text.encode("utf-16")
    if roll < 0.95:
        return ".txt", traditional(text).replace("👍", "").translate({0x7232: 0x70BA}).encode("big5hkscs", "replace")
    return ".html", f"<html><body><div id='UCAP-CONTENT'><p>{'</p><p>'.join(lines)}</p></div></body></html>".encode()


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--classify-sample", type=int, default=200, help="documents for stage (e); 0 skips it")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as workdir:
        root = Path(workdir)
        corpus = root / "corpus"
        corpus.mkdir()
        paths = []
        for index in range(args.docs):
            suffix, data = make_document(rng, index)
            path = corpus / f"{index:06d}{suffix}"
            path.write_bytes(data)
            paths.append(str(path))
        size = sum(Path(p).stat().st_size for p in paths) / len(paths)
        print(f"corpus: {len(paths)} documents, mean {size / 1024:.1f} KB, seed {args.seed}")

        start = time.perf_counter()
        texts = []
        for path in paths:
            if path.endswith(".txt"):
                texts.append(decode_bytes(Path(path).read_bytes(), path).text)
            else:
                texts.append(read_file(path).text)
        read_s = time.perf_counter() - start

        start = time.perf_counter()
        extracted = []
        for text in texts:
            normalised = normalise_text(text)
            extracted.append((normalised.text, extract_metadata(normalised.text)))
        extract_s = time.perf_counter() - start

        fts = sqlite3.connect(root / "fts.db", isolation_level=None)
        fts.execute("PRAGMA journal_mode=WAL")
        fts.execute("PRAGMA synchronous=NORMAL")
        fts.execute(
            "CREATE VIRTUAL TABLE policy_fts USING fts5(title, doc_number, summary, full_text, tokenize='trigram')"
        )
        start = time.perf_counter()
        for text, found in extracted:
            fts.execute("BEGIN IMMEDIATE")
            fts.execute(
                "INSERT INTO policy_fts (title, doc_number, summary, full_text) VALUES (?, ?, '', ?)",
                (found.title or "", found.doc_number or "", text),
            )
            fts.execute("COMMIT")
        fts_s = time.perf_counter() - start
        fts.close()

        store = open_store(f"sqlite:///{root / 'ingest.db'}")
        start = time.perf_counter()
        summary = ingest_paths(paths, store, classify=False)
        ingest_s = time.perf_counter() - start
        failed = summary.count("failed")
        stored = store.count_policies()
        store.close()

        classify_rate = None
        if args.classify_sample:
            sample = paths[: args.classify_sample]
            store = open_store(f"sqlite:///{root / 'classified.db'}")
            store.init()  # theme codes are reference rows
            start = time.perf_counter()
            ingest_paths(sample, store, classify=True)
            classify_rate = rate(len(sample), time.perf_counter() - start)
            store.close()

    n = len(paths)
    rows = [
        ("(a) read + decode", rate(n, read_s)),
        ("(b) FTS5 trigram insert alone", rate(n, fts_s)),
        ("(c) normalise + extract", rate(n, extract_s)),
        ("(d) full ingest into SQLite", rate(n, ingest_s)),
    ]
    for name, value in rows:
        print(f"{name:<36} {value:>10,.0f} docs/s")
    if classify_rate is not None:
        print(
            f"{'(e) full ingest with classifier':<36} {classify_rate:>10,.0f} docs/s"
            f"  (sample of {args.classify_sample})"
        )
    full, floor = rate(n, ingest_s), rate(n, fts_s)
    print(f"ratio (b)/(d): {floor / full:.2f}x  (target <= 4x)")
    print(f"ratio (a)/(d): {rate(n, read_s) / full:.2f}x;  ratio (c)/(d): {rate(n, extract_s) / full:.2f}x")
    print(f"stored {stored} policies, {failed} failed; target (d) >= 600 docs/s: {'met' if full >= 600 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
