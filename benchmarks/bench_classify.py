"""Classifier speed, measured side by side in one run on a seeded corpus of ~10 KB documents.

The ingest pipeline classifies every document it reads, so the classifier must cost well under
a couple of milliseconds per 10 KB document. This script generates N made-up policy-like
documents (sentences assembled from a fixed phrase list, cited document numbers, full-width
digits and punctuation, some unrelated distractors) and times, over the same documents:

(a) reference: the naive design, one ``str.find`` scan of the folded text per lexicon term,
    collecting every position and summing weights per label;
(b) floor: one ``str.count`` per lexicon term, no positions and no scoring at all;
(c) ``classify_document`` with the lexicon (no trained model saved), as ingest calls it;
(d) ``classify_document`` with a model trained on the bundled policies (hybrid), on a subset.

It prints documents per second for each and the ratios. Usage:

    .venv/bin/python benchmarks/bench_classify.py [N]
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence

from cbec_policy.classify.taxonomy import load_taxonomy
from cbec_policy.classify.textcheck import fold, mask_cited_numbers
from cbec_policy.reference.loader import load_national_policies

TARGET_BYTES = 10_000
HYBRID_SHARE = 10  # the hybrid is timed on every tenth document: it is far slower by design

# Phrases written for this benchmark (not taken from any document): typical policy wording on
# CBEC topics, and generic wording from unrelated fields for the distractors.
_CBEC_PHRASES = (
    "支持跨境电子商务企业在综合试验区开展业务", "完善跨境电商零售进口监管", "对网购保税进口商品实施清单管理",
    "落实出口货物增值税、消费税退税政策", "优化海关通关流程，推进无纸化申报", "鼓励企业建设海外仓",
    "规范跨境支付和外汇结算业务", "加强平台责任和消费者权益保护", "推动物流配送体系和快递服务发展",
    "培养跨境电商专业人才", "开展９６１０和１２１０模式试点", "落实所得税核定征收办法",
    "建立质量安全风险监测制度", "扩大跨境电商零售进口试点城市范围", "支持外贸新业态新模式发展",
    "完善跨境电商B2B出口监管", "对退运商品实行税收优惠", "加强检验检疫和疫病防控",
    "推进丝路电商国际合作", "建立统计监测体系", "落实市场准入负面清单",
)  # fmt: skip
_OTHER_PHRASES = (
    "做好农田水利设施建设", "加强中小学教师队伍建设", "推进城市老旧小区改造", "提高基层医疗服务能力",
    "做好森林防火工作", "加快推进乡村道路建设", "完善养老服务体系", "加强文物保护利用",
    "推动公共文化服务均等化", "做好汛期安全生产工作",
)  # fmt: skip
_CONNECTORS = ("各地区各部门要", "同时，", "进一步", "根据有关规定，", "按照统一部署，", "积极稳妥地")
_CITED = ("财关税〔2016〕18号", "海关总署公告2018年第194号", "国办发〔2015〕46号", "商财发[2018]486号")
_ISSUERS = ("财政部", "海关总署", "国家税务总局", "商务部", "国务院办公厅", "国家发展和改革委员会")
_OTHER_TITLES = (
    "关于做好今冬明春农田水利建设的通知",
    "关于加强乡村教师队伍建设的意见",
    "关于开展老旧小区改造试点的通知",
)


def _document(rng: random.Random, titles: Sequence[str]) -> tuple[str, str, list[str], str | None]:
    """One ~10 KB (UTF-8) document: title, text, issuers, document number."""
    related = rng.random() < 0.8
    phrases = _CBEC_PHRASES if related else _OTHER_PHRASES
    title = rng.choice(titles) if related else rng.choice(_OTHER_TITLES)
    sentences: list[str] = []
    size = 0
    while size < TARGET_BYTES:
        parts = [rng.choice(_CONNECTORS), rng.choice(phrases)]
        if rng.random() < 0.5:
            parts += ["，", rng.choice(phrases if rng.random() < 0.7 else _OTHER_PHRASES)]
        if rng.random() < 0.1:
            parts += ["（依据", rng.choice(_CITED), "）"]
        sentence = "".join(parts) + ("。\n" if rng.random() < 0.2 else "。")
        sentences.append(sentence)
        size += len(sentence.encode("utf-8"))
    issuers = rng.sample(_ISSUERS, rng.randint(1, 3))
    number = f"署税发〔20{rng.randint(10, 23)}〕{rng.randint(1, 300)}号" if rng.random() < 0.7 else None
    return title, "".join(sentences), issuers, number


def corpus(count: int, seed: int = 20240601) -> list[tuple[str, str, list[str], str | None]]:
    """``count`` seeded documents (titles of related ones are those of bundled national policies)."""
    rng = random.Random(seed)
    titles = [policy.title for policy in load_national_policies()]
    return [_document(rng, titles) for _ in range(count)]


def _weighted_terms() -> list[tuple[str, list[tuple[str, float]]]]:
    """Every lexicon term with the (label, weight) pairs it counts for."""
    taxonomy = load_taxonomy()
    labels = [("is_cbec", taxonomy.relevance), *[(f"type:{c.code}", c) for c in taxonomy.types]]
    labels += [(f"theme:{c.code}", c) for c in taxonomy.themes]
    labels += [(f"instrument:{c.code}", c) for c in taxonomy.instruments]
    terms: dict[str, list[tuple[str, float]]] = {}
    for key, category in labels:
        for term, weight in category.terms.items():
            terms.setdefault(term, []).append((key, weight))
    return list(terms.items())


def reference_scan(terms: list[tuple[str, list[tuple[str, float]]]]) -> Callable[..., dict[str, float]]:
    """The naive design: the folded text is scanned once per term, every position collected."""

    def classify(title: str, text: str, issuers: list[str], doc_number: str | None) -> dict[str, float]:
        scores: dict[str, float] = {}
        for field in (fold(title), fold(mask_cited_numbers(text))):
            for term, targets in terms:
                positions = []
                position = field.find(term)
                while position != -1:
                    positions.append(position)
                    position = field.find(term, position + 1)
                for key, weight in targets if positions else ():
                    scores[key] = scores.get(key, 0.0) + weight * len(positions)
        return scores

    return classify


def count_floor(terms: list[tuple[str, list[tuple[str, float]]]]) -> Callable[..., int]:
    """The cheapest lexical pass imaginable: one ``str.count`` per term over title and text."""
    words = [term for term, _targets in terms]

    def classify(title: str, text: str, issuers: list[str], doc_number: str | None) -> int:
        joined = f"{title}\n{text}"
        return sum(joined.count(word) for word in words)

    return classify


def _rate(function: Callable[..., object], documents: Sequence[tuple[str, str, list[str], str | None]]) -> float:
    function(*documents[0])  # warm-up: loads and compiles what is cached
    start = time.perf_counter()
    for title, text, issuers, number in documents:
        function(title, text, issuers, number)
    return len(documents) / (time.perf_counter() - start)


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as models:
        os.environ["CBEC_MODEL_DIR"] = models  # no saved model: classify_document uses the lexicon
        from cbec_policy.classify import classify_document

        documents = corpus(count)
        size = sum(len(text.encode("utf-8")) for _t, text, _i, _n in documents) / len(documents)
        terms = _weighted_terms()
        print(f"{len(documents)} documents, {size / 1000:.1f} KB each on average, {len(terms)} lexicon terms")

        reference = _rate(reference_scan(terms), documents)
        floor = _rate(count_floor(terms), documents)
        lexicon = _rate(classify_document, documents)

        from cbec_policy.classify.persist import save_model
        from cbec_policy.classify.trained import TrainedClassifier
        from cbec_policy.classify.training import bundled_records

        save_model(TrainedClassifier().fit(bundled_records()))
        hybrid = _rate(classify_document, documents[::HYBRID_SHARE])

    rows = [
        ("(a) reference: one find-scan per term", reference),
        ("(b) floor: one str.count per term", floor),
        ("(c) classify_document, lexicon", lexicon),
        (f"(d) classify_document, hybrid (1/{HYBRID_SHARE} of docs)", hybrid),
    ]
    for name, rate in rows:
        print(f"{name:48s} {rate:9.1f} docs/s  {1000 / rate:7.3f} ms/doc")
    ratios = f"(c)/(a): {lexicon / reference:.2f}x   (c)/(b): {lexicon / floor:.2f}x   (c)/(d): {lexicon / hybrid:.1f}x"
    print(f"ratios {ratios}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=2000, help="documents to generate (default: %(default)s)")
    main(parser.parse_args().count)
