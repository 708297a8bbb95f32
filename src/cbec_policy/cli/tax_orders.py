"""``cbec tax import|quota|import-return``: whole CBEC retail import orders and the buyer's year.

Thin commands over :mod:`cbec_policy.rules` (orders, order_tax, ledger). An order comes from
``--line`` options (``--line "description=香水,category=high_end_cosmetics,price=1000"``), from
an order file (``--order order.json``), or, for one kind of goods, from ``--price`` and the
rate options. With ``--buyer`` the buyer's annual total is read from and written to the
ledger in the store (``--db``); without it ``--annual-before`` stands in for the year so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from cbec_policy.cli.options import db_option
from cbec_policy.cli.output import format_option, to_json
from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError
from cbec_policy.i18n import label
from cbec_policy.rules import (
    BuyerLedger,
    Citation,
    Order,
    OrderTax,
    load_order_file,
    make_order,
    order_import_tax,
    parse_line_spec,
)
from cbec_policy.store import open_store

_FORMATS = ("table", "json")
_LINE_HELP = (
    "订单行 one line: name=value,... with price (line total) or unit_price, quantity, freight, insurance, "
    "category, description, hs_code, vat_rate, ct_rate, tariff_rate, net_content, pieces; repeat per line"
)


def _print_citations_and_notes(console: Console, record: dict[str, Any]) -> None:
    citations = record.get("citations") or []
    if citations:
        console.print("依据:")
        for item in citations:
            citation = item if isinstance(item, Citation) else Citation(**{k: v for k, v in item.items() if k != "url"})
            console.print(f"  • {citation.label()} [{citation.policy_id}]", markup=False)
    for title, key in (("提示", "warnings"), ("说明", "caveats")):
        if record.get(key):
            console.print(f"{title}:")
            for text in record[key]:
                console.print(f"  • {text}", markup=False)


def show_order(result: OrderTax, output_format: str) -> None:
    """JSON: the whole record; table: the explanation, the lines, the totals, citations and caveats."""
    record = result.to_dict()
    if output_format == "json":
        click.echo(to_json(record))
        return
    console = Console(soft_wrap=True)
    console.print(result.explanation_zh, markup=False)
    lines = Table(title=f"订单 {result.order_id}：{label('tax_paths', result.path, 'zh')}")
    for header in ("行", "商品", "数量", "完税价格", "关税", "消费税", "增值税", "税额"):
        lines.add_column(header)
    for line in result.lines:
        lines.add_row(
            str(line.line), line.description or line.category or "—", str(line.quantity), str(line.dutiable_value),
            str(line.tariff), str(line.consumption_tax), str(line.vat), str(line.total_tax),
        )  # fmt: skip
    lines.add_row(
        "合计", "", str(result.items), str(result.dutiable_value), str(result.tariff), str(result.consumption_tax),
        str(result.vat), str(result.total_tax),
    )  # fmt: skip
    console.print(lines)
    console.print(
        f"本年累计 {result.annual_before} → {result.annual_after} 元；年度限值 {result.annual_limit} 元，"
        f"剩余额度 {result.quota_left} 元；综合税率 {result.effective_rate}",
        markup=False,
    )
    _print_citations_and_notes(console, record)


def build_order(
    day: str | None,
    order_file: Path | None,
    line_specs: Sequence[str],
    single: dict[str, Any],
    order_id: str,
    buyer: str | None,
) -> tuple[Order, dict[str, Any]]:
    """The order the options describe: an order file, ``--line`` options, or one line from ``--price``."""
    if order_file is not None:
        if line_specs or single.get("price") is not None:
            raise InputError("--order", "give an order file or --line/--price, not both")
        return load_order_file(order_file)
    if day is None:
        raise InputError("--date", "the customs declaration date is required (or an --order file)")
    if line_specs and single.get("price") is not None:
        raise InputError("--line/--price", "give the lines with --line, or one kind of goods with --price")
    if line_specs:
        lines = [parse_line_spec(spec, number, order_id) for number, spec in enumerate(line_specs, start=1)]
    elif single.get("price") is not None:
        lines = [{key: value for key, value in single.items() if value is not None}]
    else:
        raise InputError("--line", "an order needs at least one --line (or --price)")
    return make_order(order_id, day, lines, buyer), {}


@click.command("import")
@click.option("--date", "day", default=None, help="报关单申报日期 customs declaration date YYYY-MM-DD")
@click.option("--line", "line_specs", multiple=True, help=_LINE_HELP)
@click.option("--order", "order_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="订单文件 order file (JSON/YAML: order_id, declaration_date, buyer_id, lines)")  # fmt: skip
@click.option("--order-id", default="order", show_default=True, help="订单编号 order id")
@click.option("--buyer", default=None, help="订购人 buyer id: read and record the year in the ledger (--db)")
@click.option("--release-date", default=None, help="放行日期 release date (return windows count from it)")
@click.option("--price", default=None, help="一种商品时：商品价格 goods price of a one-line order")
@click.option("--freight", default=None, help="运费 freight")
@click.option("--insurance", default=None, help="保险费 insurance")
@click.option("--items", "quantity", default=None, type=int, help="件数 items")
@click.option("--vat-rate", default=None, help="增值税税率 (default: by goods category and date)")
@click.option("--ct-rate", default=None, help="消费税税率 (default: by category)")
@click.option("--category", default=None, help="商品类别 goods category (see `cbec params consumption_tax`)")
@click.option("--net-content", default=None, help="每件净含量 ml/g (cosmetics)")
@click.option("--pieces", default=None, help="每件片/支数 (cosmetics)")
@click.option("--tariff-rate", default=None, help="关税税率 (needed when taxed in full)")
@click.option("--annual-before", default=None, help="本年已用额度 year so far (without --buyer)")
@db_option
@format_option(choices=_FORMATS)
def tax_import(
    day: str | None,
    line_specs: tuple[str, ...],
    order_file: Path | None,
    order_id: str,
    buyer: str | None,
    release_date: str | None,
    annual_before: str | None,
    db_url: str | None,
    output_format: str,
    **single: Any,
) -> None:
    """跨境电商零售进口税 the tax of one order: limits on the order and the year, taxes per line.

    \b
    cbec tax import --date 2025-06-01 --line "description=香水,category=high_end_cosmetics,price=1000" \\
        --line "description=奶粉,price=3000"
    cbec tax import --order order.json --buyer B1 --db sqlite:///ledger.db
    cbec tax import --date 2025-06-01 --price 1000 --ct-rate 0.15
    """
    order, extra = build_order(day, order_file, line_specs, single, order_id, buyer)
    buyer_id = order.buyer_id
    if buyer_id is None:
        result = order_import_tax(order, annual_before or extra.get("annual_before") or 0)
    else:
        if annual_before is not None:
            raise InputError("--annual-before", "with --buyer the year so far comes from the ledger")
        release = release_date or extra.get("release_date")
        release_day = parse_date(str(release), "--release-date") if release else None
        with open_store(db_url) as store:
            result = BuyerLedger(store).tax_order(order, release_day)
    show_order(result, output_format)


@click.command("quota")
@click.option("--buyer", required=True, help="订购人 buyer id")
@click.option("--date", "day", required=True, help="日期 date YYYY-MM-DD")
@db_option
@format_option(choices=_FORMATS)
def tax_quota(buyer: str, day: str, db_url: str | None, output_format: str) -> None:
    """年度剩余额度 the buyer's annual CBEC quota left on a date, from the ledger."""
    with open_store(db_url) as store:
        quota = BuyerLedger(store).quota_left(buyer, parse_date(day, "--date"))
    record = quota.to_dict()
    if output_format == "json":
        click.echo(to_json(record))
        return
    console = Console(soft_wrap=True)
    console.print(
        f"{buyer} 于 {quota.day}：年度限值 {quota.annual_limit} 元，已用 {quota.used} 元，剩余 {quota.left} 元"
        f"（{quota.orders} 笔订单，其中退货 {quota.returned} 笔）",
        markup=False,
    )
    _print_citations_and_notes(console, record)


@click.command("import-return")
@click.option("--buyer", required=True, help="订购人 buyer id")
@click.option("--order-id", required=True, help="订单编号 order id")
@click.option("--applied-on", required=True, help="退货申请日期 date the return was applied for")
@click.option("--back-on", default=None, help="运抵原监管场所日期 date the goods were back in the bonded area")
@db_option
@format_option(choices=_FORMATS)
def tax_import_return(
    buyer: str, order_id: str, applied_on: str, back_on: str | None, db_url: str | None, output_format: str
) -> None:
    """零售进口退货 a return within 30/45 days of release: the tax is not collected and the quota comes back."""
    back = parse_date(back_on, "--back-on") if back_on else None
    with open_store(db_url) as store:
        result = BuyerLedger(store).record_return(buyer, order_id, parse_date(applied_on, "--applied-on"), back)
    record = result.to_dict()
    if output_format == "json":
        click.echo(to_json(record))
        return
    console = Console(soft_wrap=True)
    console.print(result.explanation_zh, markup=False)
    _print_citations_and_notes(console, record)


def register(group: click.Group) -> None:
    """Add the order commands to ``cbec tax``."""
    for command in (tax_import, tax_quota, tax_import_return):
        group.add_command(command)
