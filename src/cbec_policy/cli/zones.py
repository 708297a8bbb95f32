"""``cbec zones list`` and ``cbec zones lookup``: CBEC comprehensive pilot zones (跨境电子商务综合试验区).

Candidate rows (not yet confirmed against an official list) are always flagged as unverified.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from cbec_policy.cli.options import date_value, db_option, open_ready_store
from cbec_policy.cli.output import emit_record, emit_rows, format_option, to_csv, to_json
from cbec_policy.errors import InputError
from cbec_policy.labels import REGIONS, find_label
from cbec_policy.models import PilotZone
from cbec_policy.places import answer_fields, retail_import_1210
from cbec_policy.places.hierarchy import label
from cbec_policy.reference import load_pilot_batches
from cbec_policy.store import ZoneLookup

_UNVERIFIED = "候选未核实 unverified"

# The JSON keys of ``zones lookup``, fixed by the public interface.
LOOKUP_KEYS = (
    "query",
    "is_pilot_zone",
    "zone_name",
    "province",
    "region",
    "batch",
    "approval_date",
    "doc_number",
    "revoked_date",
    "covered_by",
    "via",
    "candidates",
    "history",
)
_LOOKUP_LABELS = {
    "query": "查询 query",
    "is_pilot_zone": "是否综试区 is pilot zone",
    "zone_name": "综试区 zone",
    "province": "省份 province",
    "region": "区域 region",
    "batch": "批次 batch",
    "approval_date": "获批日期 approved",
    "doc_number": "批复文号 approval document",
    "revoked_date": "撤销日期 revoked",
    "via": "经由 via",
}


def zone_row(zone: PilotZone) -> dict[str, Any]:
    """One approval as a flat row."""
    return {
        "batch": zone.batch,
        "zone_name": zone.zone_name,
        "province": zone.province,
        "region": zone.region,
        "approval_date": zone.approval_date,
        "doc_number": zone.doc_number,
        "revoked_date": zone.revoked_date,
        "confidence": "已核实" if zone.confidence == "verified" else _UNVERIFIED,
    }


def lookup_record(result: ZoneLookup) -> dict[str, Any]:
    """The lookup answer: the public JSON keys of old, then covered_by, via, candidates, history."""
    zone = result.zone
    record: dict[str, Any] = {
        "query": result.query,
        "is_pilot_zone": None if result.ambiguous else result.is_pilot_zone,
        "zone_name": zone.zone_name if zone else None,
        "province": zone.province if zone else None,
        "region": zone.region if zone else None,
        "batch": zone.batch if zone else None,
        "approval_date": zone.approval_date if zone else None,
        "doc_number": zone.doc_number if zone else None,
        "revoked_date": zone.revoked_date if zone else None,
    }
    extra = answer_fields(result.answer)
    record.update({key: extra[key] for key in ("covered_by", "via", "candidates", "history")})
    return record


def lookup_sentence(result: ZoneLookup, on: date) -> str:
    """A one-line answer for people, in Chinese and English."""
    if result.answer is not None:
        return result.answer.sentence()
    return f"否 no: {result.query} 不是跨境电商综试区 is not a CBEC comprehensive pilot zone (on {on})"


def _flat(record: dict[str, Any], result: ZoneLookup) -> dict[str, Any]:
    """The record with its lists as readable cells, for one CSV row."""
    flat = dict(record)
    flat["covered_by"] = "; ".join(f"{c['zone_name']} {c['doc_number']}" for c in record["covered_by"])
    flat["candidates"] = "; ".join(c["label"] for c in record["candidates"])
    flat["history"] = "; ".join(answer_fields(result.answer)["history_text"])
    return flat


def _print_details(result: ZoneLookup) -> None:
    answer = result.answer
    if answer is None:
        return
    for candidate in answer.candidates:
        state = {True: "是 yes", False: "否 no", None: "未能确定 unknown"}[candidate.covered]
        zones = f" — {'、'.join(candidate.zones)}" if candidate.zones else ""
        click.echo(f"  - {label(candidate.place)}：{state}{zones}")
    lines = answer_fields(answer)["history_text"]
    if lines:
        click.echo("沿革 history:")
        for line in lines:
            click.echo(f"  {line}")
    if answer.alternatives:
        others = "、".join(label(p) for p in answer.alternatives)
        click.echo(f"同名的还有 also called so: {others}")
    for caveat in answer.caveats:
        click.echo(f"注意 caveat: {caveat}")


def register(cli: click.Group) -> None:
    """Add the ``zones`` group to ``cbec``."""

    @cli.group("zones")
    def zones_group() -> None:
        """跨境电商综合试验区。 CBEC comprehensive pilot zones."""

    # The batch numbers and regions come from the data, so a new batch shows in the help.
    batch_numbers = [batch.batch for batch in load_pilot_batches()]
    regions = f"{'/'.join(r.zh for r in REGIONS)} ({'/'.join(r.en for r in REGIONS)})"

    @zones_group.command("list")
    @db_option
    @click.option(
        "--batch", type=click.IntRange(1, None), help=f"批次 batch number ({min(batch_numbers)}–{max(batch_numbers)})"
    )
    @click.option("--province", help="省份 province (浙江, 浙江省, Zhejiang, 臺灣)")
    @click.option("--region", help=f"区域 region: {regions}")
    @click.option("--on", "on", metavar="DATE", help="在该日有效（已获批且未撤销） in force on DATE")
    @format_option()
    def zones_list(
        db_url: str | None,
        batch: int | None,
        province: str | None,
        region: str | None,
        on: str | None,
        output_format: str,
    ) -> None:
        """列出综试区，页脚给出数量与省份数。 List pilot zones with a count of zones and provinces."""
        day = date_value(on, "--on")
        if region is not None:
            find_label(REGIONS, region, "--region")
        with open_ready_store(db_url) as store:
            zones = store.list_zones(batch=batch, province=province, region=region, on=day)
        rows = [zone_row(zone) for zone in zones]
        provinces = len({zone.province for zone in zones})
        unverified = sum(zone.confidence != "verified" for zone in zones)
        footer = (
            f"共 {len(zones)} 个综试区，分布于 {provinces} 个省级行政区 {len(zones)} zones in {provinces} provinces"
        )
        if day is not None:
            footer += f"（{day}）"
        if unverified:
            footer += f"；其中 {unverified} 个为候选、未核实 {unverified} unverified candidates"
        labels = {
            "batch": "批次",
            "zone_name": "综试区",
            "province": "省份",
            "region": "区域",
            "approval_date": "获批日期",
            "doc_number": "批复文号",
            "revoked_date": "撤销日期",
            "confidence": "核实",
        }
        if output_format != "table":
            labels = {key: key for key in labels}
        emit_rows(rows, labels, output_format, footer=footer)

    @zones_group.command("lookup")
    @db_option
    @click.argument("name")
    @click.option("--on", "on", metavar="DATE", help="日期 date (default today)")
    @format_option()
    def zones_lookup(db_url: str | None, name: str, on: str | None, output_format: str) -> None:
        """某地在某日是否为综试区（杭州、杭州市、Hangzhou）。 Is NAME a pilot zone on DATE (default today)?"""
        day = date_value(on, "--on") or date.today()
        if not name.strip():
            raise InputError("NAME", "empty zone name")
        with open_ready_store(db_url) as store:
            result = store.lookup_zone(name, day)
        if result.zone is None and not result.known_place:
            hint = f"; close matches: {', '.join(result.suggestions)}" if result.suggestions else ""
            raise InputError(f"place name {name!r}", f"not a known pilot zone or place{hint}")
        record = lookup_record(result)
        warning = None
        if result.unverified:
            warning = (
                f"注意 warning: {result.zone.zone_name} 为候选记录，未经官方名单核实 is an unverified candidate row"
            )
        if output_format == "json":
            click.echo(to_json(record))
        elif output_format == "csv":
            click.echo(to_csv([_flat(record, result)], list(LOOKUP_KEYS)), nl=False)
        else:
            click.echo(lookup_sentence(result, day))
            if not result.ambiguous:
                emit_record({k: record[k] for k in _LOOKUP_LABELS}, _LOOKUP_LABELS, output_format)
            _print_details(result)
        if warning:
            click.echo(warning, err=output_format != "table")

    @zones_group.command("retail-import")
    @db_option
    @click.argument("name")
    @click.option("--on", "on", metavar="DATE", help="日期 date (default today)")
    @format_option()
    def zones_retail_import(db_url: str | None, name: str, on: str | None, output_format: str) -> None:
        """某地某日能否开展网购保税进口（1210）。 Can 1210 bonded retail imports be used in NAME on DATE?"""
        day = date_value(on, "--on") or date.today()
        if not name.strip():
            raise InputError("NAME", "empty place name")
        with open_ready_store(db_url) as store:
            found = retail_import_1210(name, day, store.list_zones(), store.list_batches())
        if found.answer == "unknown_place":
            hint = f"; close matches: {', '.join(found.place.suggestions)}" if found.place.suggestions else ""
            raise InputError(f"place name {name!r}", f"not a known place{hint}")
        record = found.to_dict()
        if output_format == "json":
            click.echo(to_json(record))
            return
        verdict = {True: "是 yes", False: "否 no", None: "视情况 depends"}[found.allowed]
        click.echo(f"{verdict}: {found.reason_zh}")
        click.echo(found.reason_en)
        for candidate in record["candidates"]:
            click.echo(f"  - {candidate}")
        click.echo("依据 citations:")
        for citation in record["citations"]:
            click.echo(f"  • {citation['doc_number']}《{citation['title']}》")
        click.echo(f"注 note: {found.note}")
