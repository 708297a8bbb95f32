"""``cbec local list|show|compare``: the local CBEC documents (claim ④), kept apart from national policies.

The bundled list of local documents is joined with local documents ingested into the store.
"""

from __future__ import annotations

from typing import Any

import click

from cbec_policy.analysis import (
    bundled_focus_categories,
    document_row,
    find_local,
    find_province,
    focus_table,
    focus_test,
    local_documents,
    provinces_without_documents,
)
from cbec_policy.cli.options import db_option, open_ready_store
from cbec_policy.cli.output import emit_record, emit_rows, format_option, to_json
from cbec_policy.errors import InputError
from cbec_policy.i18n import bilingual, local_confidence_label, local_level_label
from cbec_policy.labels import REGIONS, find_label, lookup
from cbec_policy.models import LocalPolicy
from cbec_policy.reference import load_local_policies

_LIST_LABELS = {
    "province": "省份 province",
    "level": "级别 level",
    "kind": "类别 kind",
    "date": "日期 date",
    "title": "标题 title",
    "doc_number": "文号 number",
    "confidence": "可信度 confidence",
    "id": "编号 id",
}


def _group(code: str) -> str:
    """沿海 coastal, 内陆 inland; a region or a province stays as it is."""
    return bilingual("focus_groups", code) if lookup("focus_groups", code) else code


def _documents(db_url: str | None) -> list[LocalPolicy]:
    store = open_ready_store(db_url)
    try:
        policies = store.list_policies()
    finally:
        store.close()
    return local_documents(load_local_policies(), policies)


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A document row with readable level and confidence (codes stay in JSON)."""
    return {
        **row,
        "level": local_level_label(row["level"], "zh"),
        "confidence": local_confidence_label(row["confidence"], "zh"),
        "date": row["date"] or "未知",
        "doc_number": row["doc_number"] or "未知",
        "kind": row["kind"] or "未知",
    }


@click.group("local")
def local_group() -> None:
    """地方政策 — local (provincial, municipal, district) CBEC documents, apart from national ones."""


@local_group.command("list")
@click.option("--province", default=None, help="省份 province, e.g. 广东 or 广东省")
@click.option("--region", default=None, help="区域 region: 东部 中部 西部 东北 (or east ...)")
@format_option()
@db_option
def list_command(province: str | None, region: str | None, output_format: str, db_url: str | None) -> None:
    """列出地方文件 List local documents (bundled list plus ingested ones).

    \b
    例 Example:
      cbec local list --province 广东
    """
    everything = _documents(db_url)
    documents = everything
    if province:
        found = find_province(province)
        if found is None:
            raise InputError("--province", f"unknown province {province!r}")
        documents = [d for d in documents if d.province == found.name]
    if region:
        wanted = find_label(REGIONS, region, "--region").zh
        documents = [d for d in documents if document_row(d)["region"] == wanted]
    rows = [document_row(d) for d in sorted(documents, key=lambda d: (d.province, d.date_text or "9999"))]
    if output_format == "json":
        click.echo(to_json(rows))
        return
    missing = provinces_without_documents(everything) if not (province or region) else []
    footer = f"{len(rows)} 份 documents" + (
        f"；数据中没有地方文件的省份 provinces with none in the data: {'、'.join(missing)}" if missing else ""
    )
    emit_rows(
        [_shown(r) for r in rows],
        _LIST_LABELS,
        output_format,
        title="地方跨境电商政策 local CBEC documents",
        footer=footer,
    )


@local_group.command("show")
@click.argument("key")
@format_option()
@db_option
def show_command(key: str, output_format: str, db_url: str | None) -> None:
    """显示一份地方文件 Show one local document by id, number or title."""
    document = find_local(_documents(db_url), key)
    if document is None:
        raise InputError(key, "no local document with this id, number or title")
    row = document_row(document)
    if output_format == "json":
        click.echo(to_json(row))
        return
    labels = {**_LIST_LABELS, "issuers": "发文机关 issuers", "cities": "城市 cities", "region": "区域 region",
              "coastal": "沿海 coastal", "focus_terms": "侧重词 focus terms", "focus": "侧重类别 focus categories",
              "evidence": "来源 evidence", "notes": "备注 notes", "source": "数据来源 source"}  # fmt: skip
    shown = _shown(row)
    names = {c.code: c.zh for c in bundled_focus_categories()}
    shown["focus"] = [names.get(code, code) for code in row["focus"]]
    emit_record(shown, labels, output_format)


@local_group.command("compare")
@click.option(
    "--by",
    type=click.Choice(["region", "coastal", "province"]),
    default="region",
    show_default=True,
    help="分组 group by region, coastal/inland or province",
)
@format_option()
@db_option
def compare_command(by: str, output_format: str, db_url: str | None) -> None:
    """比较侧重点 Focus of local documents by group, with a χ² test (permutation p).

    \b
    例 Example:
      cbec local compare --by region
    """
    documents = _documents(db_url)
    rows = focus_table(documents, by)
    categories = bundled_focus_categories()
    test = focus_test(documents, by) if by != "province" else None
    if output_format == "json":
        result: dict[str, Any] = {"by": by, "rows": rows}
        if test is not None:
            result["test"] = {
                "chi2": test.chi2,
                "dof": test.dof,
                "p_permutation": test.p_permutation,
                "p_asymptotic": test.p_asymptotic,
                "cramers_v": test.cramers_v,
                "n": test.n,
                "outcome": test.outcome,
            }
        click.echo(to_json(result))
        return
    labels = {"group": "分组 group", "documents": "文件数 documents"}
    labels.update({c.code: c.zh for c in categories})  # Chinese only: ten columns must fit a terminal
    shown = []
    for row in rows:
        cells: dict[str, Any] = {"group": _group(row["group"]), "documents": row["documents"]}
        for c in categories:
            # one rounding, from the counts
            cells[c.code] = f"{row[c.code]} ({100 * row[c.code] / row['documents']:.0f}%)" if row["documents"] else ""
        shown.append(cells)
    footer = None
    if test is not None and test.chi2 is not None:
        footer = (
            f"χ²({test.dof}) = {test.chi2:.1f}，置换 permutation p = {test.p_permutation:.4f}"
            f"（渐近 asymptotic p = {test.p_asymptotic:.4f}），Cramér's V = {test.cramers_v:.2f}，n = {test.n}"
        )
    emit_rows(shown, labels, output_format, title=f"地方文件侧重点 local focus by {by}", footer=footer)


def register(cli: click.Group) -> None:
    """Add ``cbec local`` to the main command group."""
    cli.add_command(local_group)
