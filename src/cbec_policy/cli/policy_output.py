"""What ``cbec policies list|show`` and ``cbec search`` print: rows with codes, labels beside them.

JSON and CSV carry the same codes as the REST API (``status``: 现行有效 / unknown …,
``level``: national …, ``in_force_today``: true / false / null) with ``*_label`` fields
beside them; tables show the labels only. The filters are one option set shared by the list
and the search, so both accept the same values and answer alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from cbec_policy.citation_export import EXPORT_FORMATS, export
from cbec_policy.cli.options import date_value
from cbec_policy.errors import InputError
from cbec_policy.i18n import label, place_name, type_label
from cbec_policy.store import PolicyFilters


def filter_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The filters shared by ``policies list`` and ``search`` (values: code or Chinese label)."""
    options = [
        click.option("--type", "policy_type", help="类型 type: 税收类/tax, 监管类/supervision …"),
        click.option("--theme", help="主题 theme: 税收/tax, 通关/customs …"),
        click.option("--issuer", help="发文机关 issuer, short forms accepted (税务总局)"),
        click.option("--from", "date_from", metavar="DATE", help="公布日期起 published on or after (YYYY-MM-DD)"),
        click.option("--to", "date_to", metavar="DATE", help="公布日期止 published on or before (YYYY-MM-DD)"),
        click.option("--status", help="时效性 status: 现行有效/已失效/已被修改/部分失效/unknown"),
        click.option("--level", help="效力级别 level: 国家级/national, 省级/provincial, 市级/municipal"),
        click.option("--in-force-on", "in_force_on", metavar="DATE", help="在该日有效 in force on DATE"),
        click.option("--region", help="地区 province or city of local documents (浙江, 杭州)"),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def filters_from(options: dict[str, Any]) -> PolicyFilters:
    """The checked filters from the options of :func:`filter_options` (InputError naming the option)."""
    start = date_value(options.get("date_from"), "--from")
    end = date_value(options.get("date_to"), "--to")
    if start and end and start > end:
        raise InputError("--from/--to", f"{start} is after {end}")
    try:
        return PolicyFilters(
            policy_type=options.get("policy_type"), theme=options.get("theme"), issuer=options.get("issuer"),
            date_from=start, date_to=end, status=options.get("status"), level=options.get("level"),
            in_force_on=date_value(options.get("in_force_on"), "--in-force-on"), region=options.get("region"),
        ).checked()  # fmt: skip
    except InputError as exc:
        name = {"policy type": "--type"}.get(exc.source, f"--{exc.source}")
        raise InputError(name, exc.reason) from None


def brief_row(policy: Any, lang: str = "zh", today: date | None = None) -> dict[str, Any]:
    """One policy (a full record or a brief) as a flat row: codes, and labels beside them."""
    verdict = policy.in_force_on(today or date.today())
    return {
        "id": policy.id,
        "publish_date": policy.publish_date,
        "type": policy.policy_type,
        "type_zh": type_label(policy.policy_type, "zh"),
        "title": policy.title,
        "doc_number": policy.doc_number or "",
        "issuers": list(policy.issuers),
        "status": policy.status,
        "status_label": label("statuses", policy.status, lang),
        "level": policy.level,
        "level_label": label("levels", policy.level, lang),
        "themes": list(policy.themes),
        "themes_label": [label("themes", theme, lang) for theme in policy.themes],
        "region": policy.region or "",
        "region_label": place_name(policy.region, lang) if policy.region else "",
        "in_force_today": verdict,
        "in_force_today_label": label("in_force", verdict, lang),
    }


def write_export(briefs: list[Any], fmt: str, out: str | None, lang: str) -> None:
    """Write ``briefs`` as ``fmt`` to ``out`` (or stdout for the text formats); XLSX needs ``--out``."""
    if fmt not in EXPORT_FORMATS:
        raise InputError("--format", f"unknown export format {fmt!r}")
    body = export(briefs, fmt, lang)
    if out is None:
        if fmt == "xlsx":
            raise InputError("--out", "an XLSX file needs --out FILE (it is not text)")
        click.echo(body.decode("utf-8"), nl=False)
        return
    target = Path(out)
    if not target.parent.is_dir():
        raise InputError("--out", f"folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(body)
    partial.replace(target)  # never a half-written file under the final name
    click.echo(f"已写入 written: {target} ({len(briefs)} 条 records)", err=True)
