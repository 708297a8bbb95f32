"""The record hash: one canonical JSON text per record, whichever way it is encoded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from cbec_policy.models import Policy, Relation
from cbec_policy.store.hashing import _ENCODER, _plain, record_hash


def _reference(*values: object) -> str:
    """The definition: SHA-256 of the sorted-key JSON of the plain copy (``str`` of every key)."""
    return hashlib.sha256(_ENCODER.encode([_plain(value) for value in values]).encode("utf-8")).hexdigest()


@dataclass
class _Inner:
    when: date
    tags: tuple[str, ...] = ("税收", "监管")


@dataclass
class _Outer:
    inner: _Inner
    stamps: list[datetime] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def test_policy_hash_is_the_canonical_one() -> None:
    policy = Policy(
        id="ing-0001",
        title="关于完善跨境电子商务零售进口监管有关工作的通知",
        doc_number="商财发〔2018〕486号",
        issuers=("商务部", "海关总署"),
        publish_date=date(2018, 11, 28),
        effective_date=date(2019, 1, 1),
        end_date=None,
        status="现行有效",
        level="national",
        policy_type="监管类",
        themes=("customs",),
        relations=(Relation("replaces", "2016-caiguanshui-18"),),
        full_text="一、适用范围\n二、各方责任",
        extraction_evidence={"title": {"value": "关于…通知", "span": [0, 22], "confidence": 0.9}},
    )
    assert record_hash(policy, "原文") == _reference(policy, "原文")
    assert record_hash(policy, None) != record_hash(policy, "原文")


def test_nested_dataclasses_dates_and_odd_keys_hash_as_defined() -> None:
    outer = _Outer(_Inner(date(2016, 4, 8)), [datetime(2019, 1, 1, 8, 30)], {"a": {"b": [1, 2.5, None]}})
    assert record_hash(outer) == _reference(outer)
    # keys the encoder would spell differently (true / null) or could not sort (mixed kinds)
    for odd in ({True: 1, "x": 2}, {None: "空"}, {1: "一", "2": "二"}, {date(2020, 1, 1): "元旦"}):
        assert record_hash(odd) == _reference(odd), odd
    # a value that merely reads like such a key is text, and hashes the same either way
    assert record_hash({"note": '"true": 是'}) == _reference({"note": '"true": 是'})
