"""``cbec tax ...`` and ``cbec codes``: rules as code, every answer citing its policy.

Thin commands over :mod:`cbec_policy.rules`. ``--format json`` prints the result's own
dict (for ``tax import`` the keys start ``date, path, dutiable_value, tariff,
consumption_tax, vat, total_tax, effective_rate, citations``); the table format prints a
readable Chinese/English explanation, the amounts, the citations and the caveats.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cbec_policy.cli import tax_orders
from cbec_policy.cli.exits import EXIT_SOME_FAILED
from cbec_policy.cli.options import db_option, open_ready_store
from cbec_policy.cli.output import emit_rows, format_option, to_csv, to_json
from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError
from cbec_policy.i18n import bilingual, label
from cbec_policy.places import ZoneMembership, membership
from cbec_policy.rules import (
    DEFAULT_CHUNK_ROWS,
    REASONS,
    Citation,
    OrderFileSummary,
    ZoneLookup,
    compare_postal_cbec,
    explain_code,
    export_income_tax,
    export_return_exemption,
    load_codes,
    parquet_rows,
    run_order_file,
)

if TYPE_CHECKING:  # the store is opened only for --ledger
    from cbec_policy.store import Store

_DETAIL_FORMATS = ("table", "json")
_SHOWN_PROBLEMS = 20  # file problems printed in the table format; JSON has them all


def _date(value: str, option: str) -> date:
    return parse_date(value, option)


def _optional_date(value: str | None, option: str) -> date | None:
    return parse_date(value, option) if value else None


def _show(record: Mapping[str, Any], labels: Mapping[str, str], explanation: str, output_format: str) -> None:
    """JSON: the whole record; table: explanation, labelled amounts, citations and caveats."""
    if output_format == "json":
        click.echo(to_json(dict(record)))
        return
    console = Console(soft_wrap=True)
    console.print(explanation)
    table = Table(show_header=False)
    table.add_column("项目 item", style="bold")
    table.add_column("值 value", overflow="fold")
    for key, name in labels.items():
        value = record.get(key)
        if isinstance(value, bool) or value is None:
            value = bilingual("in_force", value)
        elif isinstance(value, list | tuple):
            value = "；".join(str(item) for item in value) or "—"
        table.add_row(name, str(value))
    console.print(table)
    citations = record.get("citations") or []
    if citations:
        console.print("依据 citations:")
        for item in citations:
            citation = item if isinstance(item, Citation) else Citation(**item)
            console.print(f"  • {citation.label()} [{citation.policy_id}]", markup=False)
    caveats = record.get("caveats") or []
    if caveats:
        console.print("说明 caveats:")
        for caveat in caveats:
            console.print(f"  • {caveat}", markup=False)


@click.group("tax")
def tax_group() -> None:
    """税费计算 tax rules with dates: 跨境电商零售进口、行邮税、出口、退运."""


# --------------------------------------------------------------------------- tax postal

_POSTAL_LABELS = {
    "date": "日期 date",
    "value": "完税价格 value",
    "item": "税目 tax item",
    "rate": "税率 rate",
    "assessed_tax": "应征税额 assessed tax",
    "exempt": "免征（≤50元）exempt",
    "payable": "实缴 payable",
    "cbec_path": "跨境电商路径 CBEC path (same goods)",
    "cbec_total_tax": "跨境电商税额 CBEC tax (same goods)",
}


@tax_group.command("postal")
@click.option("--date", "day", required=True, help="日期 date YYYY-MM-DD")
@click.option("--value", required=True, help="完税价格 value assessed by customs (yuan)")
@click.option("--item", type=int, default=None, help="税目 tax item 1/2/3 (1-4 before 2016-04-08)")
@click.option("--rate", default=None, help="或直接给税率 or the rate itself")
@click.option("--hmt", is_flag=True, help="港澳台包裹 parcel to or from Hong Kong, Macao or Taiwan")
@click.option("--single-item", is_flag=True, help="单件不可分割物品 a single indivisible item")
@click.option("--ct-rate", default=None, help="对比跨境电商时的消费税税率 consumption-tax rate for the CBEC comparison")
@format_option(choices=_DETAIL_FORMATS)
def tax_postal(
    day: str,
    value: str,
    item: int | None,
    rate: str | None,
    hmt: bool,
    single_item: bool,
    ct_rate: str | None,
    output_format: str,
) -> None:
    """行邮税 postal articles tax, compared with the CBEC tax on the same goods.

    \b
    cbec tax postal --date 2025-06-01 --value 250 --item 2
    """
    comparison = compare_postal_cbec(
        _date(day, "--date"), value, item=item, rate=rate, hk_macao_taiwan=hmt, single_indivisible=single_item,
        ct_rate=ct_rate,
    )  # fmt: skip
    _show(comparison.to_dict(), _POSTAL_LABELS, comparison.postal.explanation_zh, output_format)


# --------------------------------------------------------------------------- tax returns

_RETURN_LABELS = {
    "export_date": "出口申报日期 export date",
    "code": "监管方式 code",
    "eligible": "可免税 exempt",
    "failures": "不符合的条件 failed conditions",
    "window_from": "适用出口期间起 window from",
    "window_to": "适用出口期间止 window to",
    "return_by": "复运进境期限 back by",
    "return_date": "复运进境日期 returned on",
    "exempt_taxes": "免征税种 exempt taxes",
    "exempt_amount": "免征税额 exempt amount",
    "steps": "办理步骤 steps",
}


@tax_group.command("returns")
@click.option("--export-date", required=True, help="出口申报日期 export declaration date")
@click.option("--code", required=True, help="出口监管方式 supervision code (1210/9610/9710/9810)")
@click.option("--return-date", default=None, help="复运进境日期 date the goods came back")
@click.option("--reason", type=click.Choice(sorted(REASONS)), default="unsold", show_default=True)
@click.option("--food", is_flag=True, help="食品 the goods are food (excluded)")
@click.option("--not-original", is_flag=True, help="未保持原状 not in original state")
@click.option("--used", is_flag=True, help="已使用 used")
@click.option("--defect-needs-trial", is_flag=True, help="质量问题须试用才能发现 defect only found by trial use")
@click.option("--left-zone-date", default=None, help="1210: 离开特殊区域/B型中心日期 date the goods left the zone")
@click.option("--refund-received", is_flag=True, help="已办理出口退税 export tax refund already received")
@click.option("--value", default=None, help="退运货物价值 value, to show the import tax exempted")
@click.option("--tariff-rate", default="0", show_default=True)
@click.option("--vat-rate", default=None, help="default: standard import VAT rate on the return date")
@click.option("--ct-rate", default="0", show_default=True)
@format_option(choices=_DETAIL_FORMATS)
def tax_returns(
    export_date: str,
    code: str,
    return_date: str | None,
    reason: str,
    food: bool,
    not_original: bool,
    used: bool,
    defect_needs_trial: bool,
    left_zone_date: str | None,
    refund_received: bool,
    value: str | None,
    tariff_rate: str,
    vat_rate: str | None,
    ct_rate: str,
    output_format: str,
) -> None:
    """出口退运商品免税 tax exemption for CBEC export goods returned to China.

    \b
    cbec tax returns --export-date 2025-03-01 --code 9610 --return-date 2025-08-15
    """
    result = export_return_exemption(
        _date(export_date, "--export-date"),
        code=code.strip(),
        return_date=_optional_date(return_date, "--return-date"),
        reason=reason,
        is_food=food,
        original_state=not not_original,
        used=used,
        defect_needs_trial=defect_needs_trial,
        left_zone_date=_optional_date(left_zone_date, "--left-zone-date"),
        export_refund_received=refund_received,
        value=value,
        tariff_rate=tariff_rate,
        vat_rate=vat_rate,
        ct_rate=ct_rate,
    )
    _show(result.to_dict(), _RETURN_LABELS, result.explanation_zh, output_format)


# --------------------------------------------------------------------------- tax export-income

_EXPORT_LABELS = {
    "date": "日期 date",
    "zone": "综试区 zone",
    "invoice_free_eligible": "无票免税 invoice-free exemption",
    "deemed_cit_applicable": "核定征收 deemed CIT applies",
    "revenue": "收入总额 revenue",
    "taxable_income_rate": "应税所得率 taxable income rate",
    "taxable_income": "应纳税所得额 taxable income",
    "cit": "企业所得税 CIT",
}


def _store_zone_lookup(db_url: str | None) -> tuple[ZoneLookup, Callable[[], None]]:
    """Pilot-zone membership from the store (the contract's ``lookup_zone``)."""
    store = open_ready_store(db_url)

    def lookup(name: str, on: date) -> ZoneMembership:
        answer = store.lookup_zone(name, on)
        return membership(answer.answer)  # unknown or ambiguous places give None, not "no"

    return lookup, store.close


def _relief_bands(values: Sequence[str]) -> list[tuple[str | None, str]]:
    bands = []
    for text in values:
        upper, sep, band_rate = text.partition(":")
        if not sep or not band_rate.strip():
            raise InputError("--relief-band", f"expected UPPER:RATE (e.g. 1000000:0.05), got {text!r}")
        bands.append((None if upper.strip() in ("", "*") else upper.strip(), band_rate.strip()))
    return bands


@tax_group.command("export-income")
@click.option("--date", "day", required=True, help="出口日期/纳税年度内日期 export date")
@click.option("--zone", required=True, help="综试区城市 pilot-zone city, e.g. 杭州")
@click.option("--revenue", default=None, help="收入总额 total revenue, for the deemed CIT")
@click.option("--relief-band", "relief_bands", multiple=True, help="小型微利优惠 UPPER:RATE, e.g. 1000000:0.05")
@click.option(
    "--no-platform-record", is_flag=True, help="未在综试区线上综合服务平台登记 not recorded on the zone platform"
)
@click.option("--not-zone-customs", is_flag=True, help="未在综试区所在地海关申报 not declared at the zone's customs")
@click.option("--excluded-goods", is_flag=True, help="属于取消出口退（免）税的货物 goods excluded from export relief")
@click.option("--with-invoices", is_flag=True, help="取得了有效进货凭证 has valid purchase invoices")
@db_option
@format_option(choices=_DETAIL_FORMATS)
def tax_export_income(
    day: str,
    zone: str,
    revenue: str | None,
    relief_bands: tuple[str, ...],
    no_platform_record: bool,
    not_zone_customs: bool,
    excluded_goods: bool,
    with_invoices: bool,
    db_url: str | None,
    output_format: str,
) -> None:
    """综试区零售出口：无票免税与核定征收企业所得税 invoice-free exemption and deemed CIT.

    \b
    cbec tax export-income --date 2020-12-31 --zone 杭州 --revenue 25000000 --relief-band 1000000:0.05
    """
    on = _date(day, "--date")
    bands = _relief_bands(relief_bands)
    lookup, close = _store_zone_lookup(db_url)
    try:
        result = export_income_tax(
            on,
            zone,
            zone_lookup=lookup,
            revenue=revenue,
            platform_recorded=not no_platform_record,
            declared_at_zone_customs=not not_zone_customs,
            goods_excluded=excluded_goods,
            has_purchase_invoices=with_invoices,
            relief_bands=bands,
        )
    finally:
        close()
    record = result.to_dict()
    if output_format == "table":
        record["conditions_text"] = [f"{c['zh']}: {label('in_force', c['met'], 'zh')}" for c in record["conditions"]]
    labels = {**_EXPORT_LABELS, "conditions_text": "条件 conditions"}
    _show(record, labels, result.explanation_zh, output_format)


# --------------------------------------------------------------------------- tax batch (an order file)


@tax_group.command("batch")
@click.argument("orders", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--chunk-rows", default=DEFAULT_CHUNK_ROWS, show_default=True, type=click.IntRange(min=1))
@click.option("--ledger", is_flag=True, help="买家台账 read and record each buyer's year in the stored ledger (--db)")
@click.option("--na-as-missing", is_flag=True, help="把 NA、N/A、#N/A、NULL、NaN 当作空 read them as empty cells")
@click.option("--engine", type=click.Choice(["single", "dask"]), default="single", show_default=True,
              help="dask: partitioned by buyer on a Dask cluster; --out is then a Parquet dataset")  # fmt: skip
@click.option("--scheduler", default=None, help="Dask scheduler address (default: a local cluster on loopback)")
@db_option
@format_option(choices=_DETAIL_FORMATS)
def tax_order_file(
    orders: Path, out_path: Path, chunk_rows: int, ledger: bool, na_as_missing: bool, engine: str,
    scheduler: str | None, db_url: str | None, output_format: str,
) -> None:  # fmt: skip
    """批量计算 order lines from ORDERS.csv|parquet into --out RESULTS.csv|parquet (one row per line).

    Columns: order_id, declaration_date, price [, buyer_id, line, quantity, freight,
    insurance, category, description, hs_code, vat_rate, ct_rate, tariff_rate, net_content,
    pieces]; the lines of an order are consecutive rows. Limits apply to each order and each
    buyer's calendar year (orders of a buyer in date order); taxes to each line, the same as
    `cbec tax import`. A bad line rejects its order; every error names order, line and field.
    With --ledger each buyer's year starts from the stored ledger and the accepted orders are
    recorded (a re-run records nothing twice). Exit 0: every order computed; 1: some orders
    rejected or rows unreadable (listed, the rest written); 2: the file or an option is unusable.
    """
    if scheduler is not None and engine != "dask":
        raise InputError("--scheduler", "a scheduler is only used with --engine dask")
    if engine == "dask" and (ledger or na_as_missing):
        # The cluster engine reads and computes the file only; the stored ledger and the NA
        # reading are the single process's.
        raise InputError("--engine", "--ledger and --na-as-missing work with --engine single only")
    if ledger:
        from cbec_policy.store import open_store  # deferred: only --ledger needs the database

        with open_store(db_url) as store:
            summary = _run_order_file(orders, out_path, chunk_rows, na_as_missing, store, engine, scheduler)
    else:
        summary = _run_order_file(orders, out_path, chunk_rows, na_as_missing, None, engine, scheduler)
    data = summary.to_dict()
    if output_format == "json":
        click.echo(to_json({"out": str(out_path), **data}))
    else:
        rows = [
            {"path": name, "label": label("tax_paths", name, "zh"), "orders": count}
            for name, count in data["paths"].items()
        ]
        rows.append({"path": "rejected", "label": "被拒订单 rejected orders", "orders": data["rejected_orders"]})
        ledger_note = (
            f"\n台账 ledger: {data['ledger_recorded']} 笔记入 recorded, {data['ledger_already']} 笔已有 already there"
            if ledger else ""
        )  # fmt: skip
        emit_rows(
            rows,
            {"path": "路径 path", "label": "说明 meaning", "orders": "订单数 orders"},
            "table",
            title=f"{data['orders']} 订单 orders, {data['lines']} 行 lines → {out_path}",
            footer=f"应缴税额合计 total tax: {data['total_tax']} 元{ledger_note}"
            + "".join(f"\n  {example}" for example in data["error_examples"])
            + "".join(f"\n  {problem}" for problem in data["file_problems"][:_SHOWN_PROBLEMS])
            + (
                f"\n  … {len(data['file_problems']) - _SHOWN_PROBLEMS} more (--format json lists all)"
                if len(data["file_problems"]) > _SHOWN_PROBLEMS
                else ""
            ),
        )
    if summary.failed:
        sys.exit(EXIT_SOME_FAILED)


def _run_order_file(
    orders: Path,
    out_path: Path,
    chunk_rows: int,
    na_as_missing: bool,
    store: Store | None,
    engine: str,
    scheduler: str | None,
) -> OrderFileSummary:
    console = Console(stderr=True)
    total = parquet_rows(orders)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("计算 computing", total=total)
        if engine == "dask":
            # deferred: dask and distributed take about a second to import; only this engine needs them
            from cbec_policy.rules import run_order_file_dask

            return run_order_file_dask(orders, out_path, scheduler=scheduler, chunk_rows=chunk_rows)
        return run_order_file(
            orders, out_path, chunk_rows=chunk_rows, on_chunk=lambda n: progress.advance(task, n),
            na_as_missing=na_as_missing, store=store,
        )  # fmt: skip


# --------------------------------------------------------------------------- codes


@click.command("codes")
@click.argument("code", required=False)
@format_option(choices=("table", "json", "csv"))
def codes_command(code: str | None, output_format: str) -> None:
    """海关监管方式代码 customs supervision codes 9610/1210/1239/9710/9810 with their announcements."""
    if code is not None:
        entry = explain_code(code)
        record = entry.to_dict()
        if output_format == "json":
            click.echo(to_json(record))
            return
        if output_format == "csv":
            flat = {**record, "created_by": entry.created_by.doc_number, "policy_id": entry.created_by.policy_id}
            flat["expanded_by"] = [c.doc_number for c in entry.expanded_by]
            click.echo(to_csv([flat], list(flat)), nl=False)
            return
        labels = {
            "code": "代码 code",
            "full_name": "全称 full name",
            "short_name": "简称 short name",
            "direction": "方向 direction",
            "effective": "施行 effective",
            "zh": "说明",
            "en": "meaning",
        }
        record["citations"] = [entry.created_by, *entry.expanded_by]
        _show(record, labels, f"{entry.code} {entry.full_name}（{entry.short_name}）", "table")
        return
    rows = [
        {
            "code": entry.code,
            "full_name": entry.full_name,
            "short_name": entry.short_name,
            "direction": "/".join(entry.direction),
            "effective": entry.effective,
            "created_by": entry.created_by.doc_number,
            "policy_id": entry.created_by.policy_id,
        }
        for entry in load_codes().values()
    ]
    labels = {
        "code": "代码 code",
        "full_name": "全称 full name",
        "short_name": "简称 short",
        "direction": "方向 direction",
        "effective": "施行 effective",
        "created_by": "设立文件 created by",
        "policy_id": "政策编号 policy id",
    }
    emit_rows(rows, labels, output_format, title="跨境电商海关监管方式代码 CBEC supervision codes")


def register(cli: click.Group) -> None:
    """Add ``tax`` and ``codes`` to the ``cbec`` command."""
    tax_orders.register(tax_group)
    cli.add_command(tax_group)
    cli.add_command(codes_command)
