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

from cbec_policy.cli.options import date_value, db_option, open_ready_store
from cbec_policy.cli.output import emit_record, emit_rows, format_option, to_json
from cbec_policy.errors import InputError
from cbec_policy.ingest.legal_time import policy_timeline
from cbec_policy.labels import LEVELS, POLICY_TYPES, RELATION_ZH, STATUSES, THEMES, find_label
from cbec_policy.models import Policy
from cbec_policy.store import Store, open_store
from cbec_policy.store.records import TABLE_ZH

_TYPE_ZH = {label.code: label.zh for label in POLICY_TYPES}
_THEME_ZH = {label.code: label.zh for label in THEMES}
_LEVEL_ZH = {label.code: label.zh for label in LEVELS}
_STATUS_ZH = {label.code: label.zh for label in STATUSES}


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


def policy_row(policy: Policy) -> dict[str, Any]:
    """One policy as a flat row for ``policies list`` (ASCII keys, Chinese values)."""
    return {
        "id": policy.id,
        "publish_date": policy.publish_date,
        "type": policy.policy_type,
        "type_zh": _TYPE_ZH.get(policy.policy_type or "", "未知"),
        "title": policy.title,
        "doc_number": policy.doc_number or "",
        "issuers": list(policy.issuers),
        "status": _STATUS_ZH.get(policy.status, policy.status),
        "level": _LEVEL_ZH.get(policy.level, policy.level),
        "themes": [_THEME_ZH.get(theme, theme) for theme in policy.themes],
    }


_LIST_LABELS = {
    "publish_date": "公布日期",
    "type_zh": "类型",
    "title": "标题",
    "doc_number": "发文字号",
    "status": "时效性",
    "id": "编号 id",
}
_LIST_DATA_COLUMNS = [
    "id",
    "publish_date",
    "type",
    "type_zh",
    "title",
    "doc_number",
    "issuers",
    "status",
    "level",
    "themes",
]


def _in_force_text(value: bool | None) -> str:
    return {True: "是 yes", False: "否 no", None: "未知 unknown"}[value]


def policy_record(store: Store, policy: Policy, for_json: bool, days: list[date] | None = None) -> dict[str, Any]:
    """Everything known about one policy, relations both ways, for ``policies show``.

    ``days`` are the dates on which 时效性 is shown (today when none are given).
    """
    relations = store.relations_of(policy.id)
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
        "status": _STATUS_ZH.get(policy.status, policy.status),
        "status_on": (
            [{"date": day, "status": code, "status_zh": label} for day, code, label in timeline.status_on]
            if for_json
            else [f"{day.isoformat()}: {label}" for day, _code, label in timeline.status_on]
        ),
        "in_force_today": _in_force_text(policy.in_force_on(date.today())),
        "legal_force": timeline.legal_force_zh or "",
        "repeals": (
            [{"printed": item.printed, "target_id": item.target_id} for item in timeline.repeals]
            if for_json
            else [
                f"{item.printed} → {item.target_id}" if item.target_id else f"{item.printed}（库中未找到 not stored）"
                for item in timeline.repeals
            ]
        ),
        "level": _LEVEL_ZH.get(policy.level, policy.level),
        "region": policy.region or "",
        "type": _TYPE_ZH.get(policy.policy_type or "", "未知"),
        "themes": [_THEME_ZH.get(theme, theme) for theme in policy.themes],
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
        record["relations"] = [
            {
                "kind": kind,
                "kind_zh": RELATION_ZH.get(kind, kind),
                "id": other.id,
                "doc_number": other.doc_number or "",
                "title": other.title,
                "publish_date": other.publish_date,
            }
            for kind, other in relations
        ]
    else:
        record["relations"] = [
            f"{RELATION_ZH.get(kind, kind)} {kind}: {other.doc_number or other.id} {other.title}"
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
        """政策：列出与查看。 Policies: list and show."""

    @policies_group.command("list")
    @db_option
    @click.option("--type", "policy_type", help="类型 type: 税收类/tax, 监管类/supervision …")
    @click.option("--theme", help="主题 theme: 税收/tax, 通关/customs …")
    @click.option("--issuer", help="发文机关 issuer, short forms accepted (税务总局)")
    @click.option("--from", "date_from", metavar="DATE", help="公布日期起 published on or after (YYYY-MM-DD)")
    @click.option("--to", "date_to", metavar="DATE", help="公布日期止 published on or before (YYYY-MM-DD)")
    @click.option("--status", help="时效性 status: 现行有效/已失效/已被修改/部分失效/unknown")
    @click.option("--level", help="效力级别 level: 国家级/national, 省级/provincial, 市级/municipal")
    @click.option("--in-force-on", "in_force_on", metavar="DATE", help="在该日有效 in force on DATE")
    @format_option()
    def policies_list(
        db_url: str | None,
        policy_type: str | None,
        theme: str | None,
        issuer: str | None,
        date_from: str | None,
        date_to: str | None,
        status: str | None,
        level: str | None,
        in_force_on: str | None,
        output_format: str,
    ) -> None:
        """列出政策（按公布日期排序）。 List policies, oldest first.

        With --in-force-on, a policy is left out when its dates or status show it was not in
        force that day; one that cannot be decided (已失效 with no known end date) is kept and
        marked 未知 unknown in the 当日有效 column.
        """
        # Check every option before touching the database, so a typo fails fast and cleanly.
        day = date_value(in_force_on, "--in-force-on")
        start = date_value(date_from, "--from")
        end = date_value(date_to, "--to")
        for value, vocabulary, what in (
            (policy_type, POLICY_TYPES, "--type"),
            (theme, THEMES, "--theme"),
            (status, STATUSES, "--status"),
            (level, LEVELS, "--level"),
        ):
            if value is not None:
                find_label(vocabulary, value, what)
        if start and end and start > end:
            raise InputError("--from/--to", f"{start} is after {end}")
        with open_ready_store(db_url) as store:
            policies = store.list_policies(
                policy_type=policy_type,
                theme=theme,
                issuer=issuer,
                date_from=start,
                date_to=end,
                status=status,
                level=level,
                in_force_on=day,
            )
        rows = [policy_row(policy) for policy in policies]
        labels = dict(_LIST_LABELS) if output_format == "table" else {key: key for key in _LIST_DATA_COLUMNS}
        footer = f"共 {len(rows)} 条 {len(rows)} policies"
        if day is not None:
            undecided = 0
            for row, policy in zip(rows, policies, strict=True):
                verdict = policy.in_force_on(day)
                undecided += verdict is None
                row["in_force"] = _in_force_text(verdict)
            labels["in_force"] = f"{day} 有效 in force" if output_format == "table" else "in_force"
            if undecided:
                footer += (
                    f"；其中 {undecided} 条无法判定（已失效但失效日期未知） "
                    f"{undecided} undecided (repealed, date unknown)"
                )
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

    @cli.command("search")
    @db_option
    @click.argument("text")
    @click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500), help="最多条数 at most N hits")
    @format_option()
    def search_command(db_url: str | None, text: str, limit: int, output_format: str) -> None:
        """全文检索（中文子串），按相关度排序。 Full-text search (Chinese substrings), best match first."""
        if not text.strip():
            raise InputError("TEXT", "empty search text")
        with open_ready_store(db_url) as store:
            hits = store.search(text, limit=limit)
        rows = [
            {
                "rank": rank,
                "score": hit.score,
                "id": hit.policy.id,
                "publish_date": hit.policy.publish_date,
                "doc_number": hit.policy.doc_number or "",
                "title": hit.policy.title,
                "snippet": hit.snippet,
            }
            for rank, hit in enumerate(hits, start=1)
        ]
        labels = {
            "rank": "名次",
            "score": "得分",
            "publish_date": "公布日期",
            "doc_number": "发文字号",
            "title": "标题",
            "snippet": "摘录",
            "id": "编号 id",
        }
        if output_format != "table":
            labels = {key: key for key in labels}
        if not rows and output_format == "table":
            click.echo(f"没有找到 no match for {text!r}")
            return
        emit_rows(rows, labels, output_format, footer=f"共 {len(rows)} 条 {len(rows)} hits")
