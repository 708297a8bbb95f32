"""PostgreSQL keeps the long texts LZ4-compressed; the texts read back are those written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cbec_policy.store import Store, ingest_paths, open_store
from cbec_policy.store.pg_storage import LONG_TEXT_COLUMNS

_NOTICE = "\n".join(
    [
        "福建省商务厅关于推进跨境电子商务海外仓建设的通知",
        "闽商务〔2022〕31号",
        "各设区市商务局：",
        *[f"{n}. 支持企业在“一带一路”沿线国家布局海外仓，完善仓储、配送和退换货服务。" for n in range(1, 60)],
        "福建省商务厅",
        "2022年6月8日",
    ]
)


def _compression(url: str) -> dict[tuple[str, str], str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a "
                    "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname IN ('policies', 'policy_search')"
                )
            ).all()
    finally:
        engine.dispose()
    return {(table, name): method for table, name, method in rows}


def test_long_texts_are_lz4_compressed_and_read_back_unchanged(store: Store, store_url: str, tmp_path: Path) -> None:
    if store.dialect != "postgresql":
        pytest.skip("column compression is PostgreSQL's")
    methods = _compression(store_url)
    assert all(methods[column] == "l" for column in LONG_TEXT_COLUMNS)
    open_store(store_url).close()  # opening again leaves the settings as they are
    assert _compression(store_url) == methods
    path = tmp_path / "notice.txt"
    path.write_text(_NOTICE, encoding="utf-8")
    summary = ingest_paths([str(path)], store, classify=False)
    policy_id = summary.outcomes[0].policy_id
    assert summary.outcomes[0].status == "new" and policy_id
    stored = store.get_policy(policy_id)
    assert stored is not None and stored.full_text == _NOTICE
    assert store.get_original_text(policy_id) == _NOTICE
    assert [hit.policy.id for hit in store.search("退换货服务")] == [policy_id]


def test_an_ingest_leaves_no_entry_pending_in_the_search_indexes(store: Store, tmp_path: Path) -> None:
    """Searches after an ingest read the trigram indexes alone, not a list of entries still pending.

    A policy saved on its own leaves its entries pending (folding them finds pages); after
    an ingest there is nothing left to fold, and what was ingested is found.
    """
    if store.dialect != "postgresql":
        pytest.skip("GIN pending lists are PostgreSQL's")
    template = store.get_policy("2016-caiguanshui-18")
    assert template is not None
    saved = dataclasses.replace(template, id="test-pending", title="测试待并入索引的文件", relations=(), paper=None)
    assert store.save_policy(saved) == "new"
    assert store.fold_search_index() > 0
    assert store.fold_search_index() == 0
    assert store.save_policy(dataclasses.replace(saved, id="test-pending-2")) == "new"
    path = tmp_path / "notice.txt"
    path.write_text(_NOTICE, encoding="utf-8")
    summary = ingest_paths([str(path)], store, classify=False)
    assert summary.outcomes[0].status == "new"
    assert store.fold_search_index() == 0
    assert [hit.policy.id for hit in store.search("退换货服务")] == [summary.outcomes[0].policy_id]
