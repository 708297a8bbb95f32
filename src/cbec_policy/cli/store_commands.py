"""Commands over the store: ``cbec init``, ``cbec policies list|show``, ``cbec search``.

Every command takes ``--db URL`` (or ``CBEC_DB_URL``); without either the SQLite file in the
user's data directory is used. A query command on a database that was never initialised loads
the bundled data first (and says so on stderr), so a fresh machine answers at once.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from cbec_policy.citation_export import EXPORT_FORMATS
from cbec_policy.cli.options import date_value, db_option, open_ready_store
from cbec_policy.cli.output import emit_record, emit_rows, format_option, to_json
from cbec_policy.cli.policy_output import brief_row, filter_options, filters_from, write_export
from cbec_policy.errors import InputError
from cbec_policy.i18n import code_label, label, pick
from cbec_policy.ingest import policy_timeline
from cbec_policy.models import Policy
from cbec_policy.query import parse_query
from cbec_policy.store import TABLE_ZH, Store, delete_ingested, open_store, set_relevance


def _run_init(store: Store, show_progress: bool) -> Any:
    if not show_progress:
        return store.init()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def report(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(f"{TABLE_ZH.get(table, table)} {table}", total=total)
            progress.update(tasks[table], completed=done)

        return store.init(progress=report)


# --------------------------------------------------------------------------- row builders

_LIST_COLUMNS = {
    "publish_date": ("公布日期", "published"),
    "type_label": ("类型", "type"),
    "title": ("标题", "title"),
    "doc_number": ("发文字号", "number"),
    "status_label": ("时效性", "status"),
    "id": ("编号 id", "id"),
}
_LIST_DATA_COLUMNS = [
    "id", "publish_date", "type", "type_zh", "title", "doc_number", "issuers", "status", "status_label",
    "level", "level_label", "themes", "themes_label", "region", "in_force_today", "in_force_today_label",
]  # fmt: skip


def _row(policy: Any, lang: str) -> dict[str, Any]:
    row = brief_row(policy, lang)
    row["type_label"] = label("policy_types", policy.policy_type, lang) if policy.policy_type else row["type_zh"]
    return row


def policy_record(store: Store, policy: Policy, for_json: bool, days: list[date] | None = None) -> dict[str, Any]:
    """Everything known about one policy, relations both ways, for ``policies show``.

    ``days`` are the dates on which 时效性 is shown (today when none are given).
    """
    relations = store.relations_of(policy.id)
    verdict = policy.in_force_on(date.today())
    timeline = policy_timeline(policy, relations, days or [date.today()])
    record: dict[str, Any] = {
        "id": policy.id,
        "title": policy.title,
        "doc_number": policy.doc_number or "",
        "issuers": list(policy.issuers),
        "publish_date": policy.publish_date,
        "written_date": timeline.written_date,
        "release_date": timeline.release_date,
        "effective_date": policy.effective_date,
        "end_date": policy.end_date,
        "status": policy.status if for_json else label("statuses", policy.status, "zh"),
        "in_force_today": verdict if for_json else label("in_force", verdict, "zh"),
        "status_on": (
            [
                {"date": day, "status": code, "status_zh": label("statuses", code, "zh")}
                for day, code in timeline.status_on
            ]
            if for_json
            else [f"{day.isoformat()}: {label('statuses', code, 'zh')}" for day, code in timeline.status_on]
        ),
        "legal_force": (
            (timeline.legal_force or None)
            if for_json
            else code_label("legal_forces", timeline.legal_force, "zh", missing="")
        ),
        "repeals": (
            [{"printed": item.printed, "target_id": item.target_id} for item in timeline.repeals]
            if for_json
            else [
                f"{item.printed} → {item.target_id}" if item.target_id else f"{item.printed}（库中未找到 not stored）"
                for item in timeline.repeals
            ]
        ),
        "level": policy.level if for_json else label("levels", policy.level, "zh"),
        "region": policy.region or "",
        "type": policy.policy_type if for_json else label("policy_types", policy.policy_type, "zh"),
        "themes": list(policy.themes) if for_json else [label("themes", theme, "zh") for theme in policy.themes],
        "summary": policy.summary,
        "notes": policy.notes or "",
        "evidence": list(policy.evidence),
        "source": policy.source,
    }
    if policy.paper is not None:
        record.update(
            {
                "paper_type": policy.paper.policy_type,
                "paper_date": policy.paper.date_text,
                "paper_issuers": policy.paper.issuers_text,
                "paper_title": policy.paper.title,
                "paper_doc_number": policy.paper.doc_number,
            }
        )
    if for_json:
        # Codes above, labels beside them (as the REST API does).
        record.update(
            status_label=label("statuses", policy.status, "zh"),
            in_force_today_label=label("in_force", verdict, "zh"),
            level_label=label("levels", policy.level, "zh"),
            type_label=label("policy_types", policy.policy_type, "zh"),
            themes_label=[label("themes", theme, "zh") for theme in policy.themes],
        )
        record["relations"] = [
            {
                "kind": kind,
                "kind_zh": label("relations", kind, "zh"),
                "id": other.id,
                "doc_number": other.doc_number or "",
                "title": other.title,
                "publish_date": other.publish_date,
            }
            for kind, other in relations
        ]
    else:
        record["relations"] = [
            f"{label('relations', kind, 'zh')} {kind}: {other.doc_number or other.id} {other.title}"
            for kind, other in relations
        ]
    return record


_SHOW_LABELS = {
    "id": "编号 id",
    "title": "标题 title",
    "doc_number": "发文字号 document number",
    "issuers": "发文机关 issuers",
    "publish_date": "公布日期 published",
    "written_date": "成文日期 written",
    "release_date": "发布日期 released",
    "effective_date": "施行日期 effective",
    "end_date": "失效日期 end date",
    "status": "时效性 status",
    "status_on": "时效性（按日期） status on date",
    "legal_force": "效力级别（法律层级） legal force",
    "repeals": "废止文件 repeals",
    "in_force_today": "今日是否有效 in force today",
    "level": "效力级别 level",
    "region": "地区 region",
    "type": "类型 type",
    "themes": "主题 themes",
    "summary": "摘要 summary",
    "notes": "说明/存疑 notes (uncertainty)",
    "evidence": "来源 evidence",
    "source": "数据来源 source",
    "paper_type": "论文表1 类型 paper: type",
    "paper_date": "论文表1 日期 paper: date",
    "paper_issuers": "论文表1 发文机关 paper: issuers",
    "paper_title": "论文表1 标题 paper: title",
    "paper_doc_number": "论文表1 文号 paper: document number",
    "relations": "关联 relations",
}


# --------------------------------------------------------------------------- commands


def register(cli: click.Group) -> None:
    """Add ``init``, ``policies`` and ``search`` to the ``cbec`` group."""

    @cli.command("init")
    @db_option
    @click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
                  show_default=True, help="输出格式 output format")  # fmt: skip
    def init_command(db_url: str | None, output_format: str) -> None:
        """建库或升级：载入内置参考数据（可重复运行）。

        Build or upgrade the database from the bundled reference data. Idempotent: a second
        run changes nothing and says so.
        """
        with open_store(db_url) as store:
            summary = _run_init(store, output_format == "table" and sys.stderr.isatty())
        if output_format == "json":
            click.echo(to_json(summary.as_dict()))
        else:
            click.echo("\n".join(summary.lines()))

    @cli.group("policies")
    def policies_group() -> None:
        """政策：列出、查看、排除/计入、删除。 Policies: list, show, exclude/include, delete."""

    @policies_group.command("list")
    @db_option
    @filter_options
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                  help="标签语言 label language of tables and *_label fields")  # fmt: skip
    @format_option()
    def policies_list(db_url: str | None, lang: str, output_format: str, **options: Any) -> None:
        """列出政策（按公布日期排序）。 List policies, oldest first.

        With --in-force-on, a policy is left out when its dates or status show it was not in
        force that day; one that cannot be decided (已失效 with no known end date, or a status
        nobody checked) is kept and marked 未知 unknown in the 当日有效 column.
        """
        # Check every option before touching the database, so a typo fails fast and cleanly.
        filters = filters_from(options)
        with open_ready_store(db_url) as store:
            policies = store.list_briefs(filters, order="date_asc", limit=1_000_000)
        rows = [_row(policy, lang) for policy in policies]
        table = output_format == "table"
        labels = pick(_LIST_COLUMNS, lang) if table else {key: key for key in _LIST_DATA_COLUMNS}
        footer = f"共 {len(rows)} 条 {len(rows)} policies"
        day = filters.in_force_on
        if day is not None:
            undecided = 0
            for row, policy in zip(rows, policies, strict=True):
                verdict = policy.in_force_on(day)
                undecided += verdict is None
                row["in_force"] = label("in_force", verdict, lang) if table else verdict
            labels["in_force"] = f"{day} 有效 in force" if table else "in_force"
            if undecided:
                footer += f"；其中 {undecided} 条无法判定 {undecided} undecided (unknown)"
        emit_rows(rows, labels, output_format, footer=footer)

    @policies_group.command("show")
    @db_option
    @click.argument("id_or_doc_number")
    @format_option()
    @click.option("--on", "days", multiple=True,
                  help="显示该日的时效性（可重复） status on this date (repeatable; default today)")  # fmt: skip
    def policies_show(db_url: str | None, id_or_doc_number: str, output_format: str, days: tuple[str, ...]) -> None:
        """查看一项政策：元数据、关联（双向）、存疑说明。 Show one policy by id or document number.

        The document number may be written with 〔〕 [] () （） or spaces: 财关税〔2016〕18号.
        --on 2024-05-01 --on 2025-01-01 shows 时效性 on each date from 施行日期 and 失效日期.
        """
        with open_ready_store(db_url) as store:
            policy = store.get_policy(id_or_doc_number)
            if policy is None:
                hits = store.search(id_or_doc_number, limit=3)
                hint = f"; did you mean: {', '.join(hit.policy.id for hit in hits)}" if hits else ""
                raise InputError(id_or_doc_number, f"no policy with this id or document number{hint}")
            record = policy_record(
                store, policy, for_json=output_format == "json", days=[date_value(day, "--on") for day in days] or None
            )
        emit_record(record, _SHOW_LABELS, output_format)

    @policies_group.command("exclude")
    @db_option
    @click.argument("id_or_doc_number")
    def policies_exclude(db_url: str | None, id_or_doc_number: str) -> None:
        """标为非跨境电商，排除出统计（仍可检索）。 Mark not CBEC: out of every statistic, still searchable."""
        _relevance(db_url, id_or_doc_number, False)

    @policies_group.command("include")
    @db_option
    @click.argument("id_or_doc_number")
    def policies_include(db_url: str | None, id_or_doc_number: str) -> None:
        """标为跨境电商，计入统计。 Mark CBEC: counted in every statistic again."""
        _relevance(db_url, id_or_doc_number, True)

    @policies_group.command("delete")
    @db_option
    @click.argument("id_or_doc_number")
    def policies_delete(db_url: str | None, id_or_doc_number: str) -> None:
        """删除一份导入的文件及其索引（内置政策不可删）。 Delete an ingested document and its index entries."""
        with open_ready_store(db_url) as store:
            removed = delete_ingested(store, id_or_doc_number)
        click.echo(f"已删除 deleted {removed.id} {removed.title}")

    @cli.command("search")
    @db_option
    @click.argument("text")
    @filter_options
    @click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500), help="最多条数 at most N hits")
    @click.option("--sort", type=click.Choice(["relevance", "date_desc", "date_asc"]), default="relevance",
                  show_default=True, help="排序 order: relevance or publish date")  # fmt: skip
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                  help="标签语言 label language")  # fmt: skip
    @click.option("--format", "output_format", type=click.Choice(["table", "json", *EXPORT_FORMATS]),
                  default="table", show_default=True,
                  help="输出 output: table, json, or an export (csv, xlsx, ris, bibtex)")  # fmt: skip
    @click.option("--out", metavar="FILE", help="导出文件 write the export to FILE (needed for xlsx)")
    def search_command(
        db_url: str | None, text: str, limit: int, sort: str, lang: str, output_format: str, out: str | None,
        **options: Any,
    ) -> None:  # fmt: skip
        """检索：中文子串、简称同义、字段检索。 Search: Chinese substrings, synonyms, field words.

        \b
        Words must all match, anywhere or in a field:
          title:跨境电商  number:〔2018〕49号  issuer:税务总局  text:退货
        Abbreviations find their full terms (综试区 → 综合试验区, 行邮税 → 行李和邮递物品进口税),
        traditional and full-width forms are folded (跨境電子商務 = 跨境电子商务).
        """
        if not text.strip():
            raise InputError("TEXT", "empty search text")
        query = parse_query(text)
        filters = filters_from(options)
        with open_ready_store(db_url) as store:
            hits = store.search(query, limit=limit, filters=filters)
        if sort != "relevance":
            dated = sorted(
                (h for h in hits if h.policy.publish_date), key=lambda h: (h.policy.publish_date, h.policy.id)
            )
            hits = (dated[::-1] if sort == "date_desc" else dated) + [h for h in hits if not h.policy.publish_date]
        if output_format in EXPORT_FORMATS:
            write_export([hit.policy for hit in hits], output_format, out, lang)
            return
        rows = []
        for rank, hit in enumerate(hits, start=1):
            row = _row(hit.policy, lang)
            row.update(rank=rank, score=hit.score, snippet=hit.snippet)
            rows.append(row)
        if output_format == "json":
            emit_rows(rows, {key: key for key in ["rank", "score", *_LIST_DATA_COLUMNS, "snippet"]}, "json")
            return
        if not rows:
            click.echo(f"没有找到 no match for {text!r}")
            return
        columns = {
            "rank": ("名次", "rank"), "publish_date": ("公布日期", "published"), "doc_number": ("发文字号", "number"),
            "title": ("标题", "title"), "status_label": ("时效性", "status"), "snippet": ("摘录", "snippet"),
            "id": ("编号 id", "id"),
        }  # fmt: skip
        if Console().width < 110:  # a narrow terminal: the snippet would squeeze the title to a column of characters
            columns.pop("snippet")
        emit_rows(rows, pick(columns, lang), "table", footer=f"共 {len(rows)} 条 {len(rows)} hits")


def _relevance(db_url: str | None, id_or_doc_number: str, is_cbec: bool) -> None:
    """Relabel one stored policy's relevance as a researcher's call and say what changed."""
    command = "include" if is_cbec else "exclude"
    with open_ready_store(db_url) as store:
        policy, outcome = set_relevance(store, id_or_doc_number, is_cbec, f"cbec policies {command}")
    verdict = "计入跨境电商统计 counted as CBEC" if is_cbec else "排除出跨境电商统计 kept out of CBEC statistics"
    click.echo(f"{policy.id}: {verdict} ({outcome})")
