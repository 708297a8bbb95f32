"""Reading ahead in a reader process stores exactly what storing the files one by one stores.

The documents are written here: local notices on cross-border e-commerce with and without a
document number, copies of the same notice, a notice that repeals an earlier one, an HTML page,
and files that cannot be read. The runs are large enough (over ``MIN_FILES_FOR_PROCESS``) for
``ingest_paths`` to read in a reader process and to build the new records there.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

import cbec_policy.ingest.reader_process as reader_process
from cbec_policy.cli import cli
from cbec_policy.ingest import read_ahead
from cbec_policy.store import Store, ingest_one, ingest_paths, open_store
from cbec_policy.store.filters import PolicyFilters
from cbec_policy.store.hashing import record_hash

_PROVINCES = [
    ("浙江省人民政府办公厅", "浙政办发", "杭州"),
    ("广东省商务厅", "粤商务电函", "广州"),
    ("河南省人民政府", "豫政", "郑州"),
    ("福建省财政厅", "闽财税", "福州"),
    ("四川省人民政府办公厅", "川办发", "成都"),
    ("山东省商务厅", "鲁商字", "青岛"),
]
_MEASURES = [
    "支持{city}跨境电子商务综合试验区建设线上综合服务平台和线下产业园区，推动海关、税务、外汇等部门数据共享。",
    "对符合条件的跨境电商零售出口企业，落实增值税、消费税无票免税政策，按规定核定征收企业所得税。",
    "鼓励企业在重点市场布局海外仓，对新建或租用海外仓面积达到一定规模的企业给予一次性奖励。",
    "引导金融机构为跨境电商企业提供出口信用保险、跨境人民币结算和供应链融资服务。",
    "加强跨境电商零售进口商品质量安全风险监测，建立进口商品追溯体系，依法保护消费者合法权益。",
    "培育跨境电商人才，支持高等院校和职业院校开设跨境电子商务相关专业和课程。",
    "优化跨境电商出口海外仓监管模式，简化企业备案手续，推广“9710”“9810”报关方式。",
]


def _notice(number: int, *, with_number: bool = True, repeals: str | None = None, extra: int = 0) -> str:
    """One provincial notice on cross-border e-commerce, a few kilobytes long."""
    issuer, prefix, city = _PROVINCES[number % len(_PROVINCES)]
    year = 2016 + number % 8
    title = f"{issuer}关于促进{city}跨境电子商务高质量发展的若干措施（第{number + 1}号）"
    lines = [title]
    if with_number:
        lines.append(f"{prefix}〔{year}〕{number + 11}号")
    lines.append("各市、县人民政府，省政府直属各单位：")
    for paragraph in range(6 + number % 4 + extra):
        measure = _MEASURES[(number + paragraph) % len(_MEASURES)].format(city=city)
        lines.append(f"{paragraph + 1}. {measure}")
    lines.append("本措施自印发之日起施行，有效期五年。")
    if repeals:
        lines.append(f"{repeals}同时废止。")
    lines += [issuer, f"{year}年{number % 12 + 1}月{number % 27 + 1}日"]
    return "\n".join(lines)


def _write_documents(folder: Path) -> list[str]:
    """About eighty files in the order an analyst's folder would give them."""
    folder.mkdir()
    paths: list[Path] = []
    for number in range(70):
        path = folder / f"notice-{number:03d}.txt"
        path.write_text(_notice(number, with_number=number % 9 != 4), encoding="utf-8")
        paths.append(path)
    # The same notice again (unchanged), and a longer copy of another one.
    copy = folder / "notice-003-copy.txt"
    copy.write_text(_notice(3), encoding="utf-8")
    longer = folder / "notice-010-longer.txt"
    longer.write_text(_notice(10, extra=3), encoding="utf-8")
    # A notice that repeals one stored earlier in the same run (looked up in the store).
    repealing = folder / "notice-repealing.txt"
    issuer, prefix, _ = _PROVINCES[0]
    repealing.write_text(
        _notice(90, repeals=f"《{issuer}关于印发措施的通知》（{prefix}〔2016〕11号）"), encoding="utf-8"
    )
    page = folder / "notice-page.html"
    body = "".join(f"<p>{line}</p>" for line in _notice(95).splitlines())
    page.write_text(f"<html><head><meta charset='utf-8'><title>通知</title></head><body>{body}</body></html>")
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    garbage = folder / "scanned.pdf"
    garbage.write_bytes(b"%PDF-1.4 not really a pdf \x00\x01\x02")
    paths += [copy, longer, repealing, page, empty, garbage]
    return [str(path) for path in paths]


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of the policy tables and the full-text indexes, in a fixed order."""
    with sqlite3.connect(db) as conn:
        tables = ["policies", "policy_issuers", "policy_themes", "policy_instruments", "policy_evidence",
                  "policy_relations", "departments"]  # fmt: skip
        rows = {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in tables}
        rows["policy_fts"] = conn.execute("SELECT rowid, * FROM policy_fts ORDER BY rowid").fetchall()
        rows["policy_brief_fts"] = conn.execute("SELECT rowid, * FROM policy_brief_fts ORDER BY rowid").fetchall()
    return rows


@pytest.fixture
def reader_pools(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The reader pools ``read_ahead`` starts, so a test can tell that a reader process was used."""
    started: list[object] = []
    make_pool = reader_process._reader_pool

    def recording(readers: int) -> object:
        pool = make_pool(readers)
        started.append(pool)
        return pool

    monkeypatch.setattr(reader_process, "_reader_pool", recording)
    return started


def test_read_ahead_stores_what_one_by_one_stores(
    sqlite_store_url: str, tmp_path: Path, reader_pools: list[object]
) -> None:
    paths = _write_documents(tmp_path / "docs")
    assert len(paths) > reader_process.MIN_FILES_FOR_PROCESS
    plain_db = tmp_path / "plain.sqlite3"
    shutil.copyfile(sqlite_store_url.removeprefix("sqlite:///"), plain_db)
    with open_store(sqlite_store_url) as store:
        summary = ingest_paths(paths, store, classify=False)
        ahead_hits = {query: [hit.policy.id for hit in store.search(query)] for query in ("海外仓", "无票免税", "成都")}
    assert reader_pools and all(pool is not None for pool in reader_pools)
    with open_store(f"sqlite:///{plain_db}") as store:
        plain = [ingest_one(path, store, classify=False) for path in paths]
        plain_hits = {query: [hit.policy.id for hit in store.search(query)] for query in ahead_hits}
    assert [(o.path, o.status, o.policy_id, o.title, o.reason) for o in summary.outcomes] == [
        (o.path, o.status, o.policy_id, o.title, o.reason) for o in plain
    ]
    statuses = [o.status for o in summary.outcomes]
    assert statuses.count("new") == 70 + 2 and statuses.count("unchanged") == 2 and statuses.count("failed") == 2
    failed = [o for o in summary.outcomes if o.status == "failed"]
    assert [Path(o.path).name for o in failed] == ["empty.txt", "scanned.pdf"] and all(o.reason for o in failed)
    ahead_rows, plain_rows = _snapshot(Path(sqlite_store_url.removeprefix("sqlite:///"))), _snapshot(plain_db)
    assert ahead_rows == plain_rows
    assert any(row[2] == "replaces" for row in ahead_rows["policy_relations"])  # the repeal was resolved
    assert ahead_hits == plain_hits and all(ahead_hits.values())


def test_stored_content_hashes_are_those_of_the_stored_records(
    store: Store, store_url: str, tmp_path: Path, reader_pools: list[object]
) -> None:
    paths = _write_documents(tmp_path / "docs")
    summary = ingest_paths(paths, store, classify=False)
    assert reader_pools and reader_pools[0] is not None
    ids = sorted({o.policy_id for o in summary.outcomes if o.status == "new" and o.policy_id})
    assert len(ids) == 72
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, content_hash FROM policies WHERE id LIKE 'ing-%'")).all()
    finally:
        engine.dispose()
    hashes = dict(rows)
    assert sorted(hashes) == ids
    for policy_id in ids:
        policy = store.get_policy(policy_id)
        assert policy is not None
        assert hashes[policy_id] == record_hash(policy, store.get_original_text(policy_id))
    # A second run finds every document stored: nothing is written twice.
    again = ingest_paths(paths, store, classify=False)
    assert {o.status for o in again.outcomes} == {"unchanged", "failed"}


def test_chunks_come_back_in_order_and_as_read_here(tmp_path: Path, reader_pools: list[object]) -> None:
    paths = _write_documents(tmp_path / "docs")
    groups = [paths[:1], paths[1:20], paths[20:50], paths[50:]]
    ahead = [result for chunk in read_ahead(groups, then=list, classify=False) for result in chunk]
    assert reader_pools and reader_pools[0] is not None
    here = [result for group in groups for result in reader_process.read_chunk(group, 1 << 20, False, list)]
    assert [result.path for result in ahead] == paths
    assert [(r.error, r.normalised, r.extraction) for r in ahead] == [
        (r.error, r.normalised, r.extraction) for r in here
    ]


def test_a_reader_that_dies_leaves_the_rest_to_be_read_here(
    sqlite_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _write_documents(tmp_path / "docs")
    make_pool = reader_process._reader_pool

    def dying(readers: int) -> object:
        pool = make_pool(readers)
        assert pool is not None
        pool.submit(_exit_reader)  # the reader's first task ends it: every chunk sent after it fails
        return pool

    monkeypatch.setattr(reader_process, "_reader_pool", dying)
    with open_store(sqlite_store_url) as store:
        summary = ingest_paths(paths, store, classify=False)
    assert [o.status for o in summary.outcomes].count("new") == 72
    assert sum(o.status == "failed" for o in summary.outcomes) == 2


def _exit_reader() -> None:
    """Ends the reader process at once, as the system would kill it."""
    os._exit(1)


def test_cbec_ingest_reads_in_a_reader_process(
    sqlite_store_url: str, tmp_path: Path, reader_pools: list[object]
) -> None:
    paths = _write_documents(tmp_path / "docs")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "docs"), "--db", sqlite_store_url])
    assert result.exit_code == 1, result.output  # two files cannot be read: "some failed"
    assert reader_pools and all(pool is not None for pool in reader_pools)  # no progress thread stopped it
    with open_store(sqlite_store_url) as store:
        ingested = [b for b in store.list_briefs(PolicyFilters(), limit=10_000) if b.id.startswith("ing-")]
    assert len(ingested) == 72 and len(paths) == 76
