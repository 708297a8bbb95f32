"""The paper's Table 1 (national CBEC policies by type) and Table 2 (pilot-zone batches), rebuilt from data.

Table 1 takes the paper's cells from the ``paper_*`` columns of ``national_policies.csv``
(titles without the 《》 the paper prints around them, numbers without its parentheses) and
adds a short Chinese summary written for this project, kept in ``table1_zh.csv`` (not the
paper's 主要内容 text). Rows are grouped in the paper's type order and, within a type, in
date order, which is the order the paper prints them.

Table 2 is derived from ``pilot_batches.csv`` by :func:`paper_batch_title`: the paper drops
the 国务院 issuer prefix and prints half-width parentheses.

With ``verified=True`` the verified values replace the paper's, and every cell whose *fact*
differs from the paper is listed with the paper's value. What counts as the same fact: the
paper's print conventions are not differences (titles cited without the issuer prefix,
document numbers without the issuing body's prefix, bracket width, 《》 and the parentheses
around numbers, "商务部等6部门" for a list of issuers); any other change of text is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import yaml

from cbec_policy.analysis import cbec_policies, policy_type_of
from cbec_policy.departments import canonical_department
from cbec_policy.docnumber import doc_number_key
from cbec_policy.errors import ReferenceDataError
from cbec_policy.i18n import type_label
from cbec_policy.labels import POLICY_TYPES
from cbec_policy.models import PilotBatch, Policy
from cbec_policy.reference import load_national_policies, load_pilot_batches, load_table1_summaries, reference_path
from cbec_policy.report import Column, TableData

FACT_FIELDS_1 = ("date", "issuers", "title", "doc_number")
FACT_FIELDS_2 = ("date", "title", "doc_number")
PAPER_BATCHES = 7  # the paper's Table 2 stops at the seventh batch (2022)
TABLE1_TITLE = "表1 2013~2024年国家层面跨境电商相关政策汇总"
TABLE2_TITLE = "表2 中国设立跨境电商综合试验区批次政策"
UNKNOWN = "未知 unknown"


@dataclass(frozen=True)
class TableRow:
    """One row of Table 1 or 2: the cells shown, and for a verified table the paper's cells that differ."""

    key: str  # policy id (Table 1) or batch number (Table 2)
    cells: dict[str, str]
    paper: dict[str, str]
    differs: dict[str, str] = field(default_factory=dict)  # field → the paper's value, verified tables only


def paper_date(day: date) -> str:
    """A date in the paper's print form, 2015.03.07."""
    return day.strftime("%Y.%m.%d")


def _compact(text: str) -> str:
    """Text with print-only differences removed: width of brackets, spaces, 《》, 〈〉."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s《》〈〉]", "", text)


def _strip_parentheses(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in "(（" and text[-1] in ")）":
        return text[1:-1].strip()
    return text


# --------------------------------------------------------------------------- Table 1 print details


def _table1_policies(policies: Sequence[Policy] | None) -> list[Policy]:
    """The Table 1 policies in the paper's order: by type as the paper groups them, then by date."""
    chosen = [policy for policy in (policies if policies is not None else load_national_policies()) if policy.paper]
    type_order = {label.zh: position for position, label in enumerate(POLICY_TYPES)}
    summaries = load_table1_summaries()
    for policy in chosen:
        if policy.id not in summaries:
            raise ReferenceDataError("table1_zh.csv", None, "id", f"no row for Table 1 policy {policy.id!r}")
    return sorted(chosen, key=lambda p: (type_order[p.paper.policy_type], p.paper.date_text))  # type: ignore[union-attr]


def _paper_cells_1(policy: Policy) -> dict[str, str]:
    assert policy.paper is not None
    return {
        "type": policy.paper.policy_type,
        "date": policy.paper.date_text,
        "issuers": policy.paper.issuers_text,
        "title": policy.paper.title,
        "doc_number": policy.paper.doc_number,
    }


# --------------------------------------------------------------------------- comparing facts

_GROUP = re.compile(r"^(?P<lead>.+?)等(?P<count>\d+)(?:个)?部门$")


def _issuers_cell(policy: Policy, paper_text: str) -> str:
    """Verified issuers joined with 、; when the data names only the lead of a group, keep the paper's count."""
    if not policy.issuers:
        return UNKNOWN
    group = _GROUP.match(paper_text)
    if group and len(policy.issuers) < int(group["count"]) and policy.issuers[0] == group["lead"]:
        # The data lists only the lead issuer when the others were not seen by name;
        # the paper's count is then the only count there is.
        return f"{policy.issuers[0]}等{group['count']}部门"
    return "、".join(policy.issuers)


@cache
def _conventions() -> dict[str, list[str]]:
    """The paper's print conventions for Table 1 (``table1_conventions.yaml``)."""
    path = reference_path("table1_conventions.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("issuer_names_not_equivalent", "title_suffixes_omitted", "unresolved_dates"):
        if not isinstance(data.get(key), list):
            raise ReferenceDataError(path.name, None, key, "expected a list")
    return data


def _official(name: str) -> str:
    """The official name of an issuer as the paper prints it (税务总局 → 国家税务总局), unless the
    printed name belongs to another body."""
    cleaned = name.strip()
    if cleaned in _conventions()["issuer_names_not_equivalent"]:
        return cleaned
    return canonical_department(cleaned) or cleaned


def _same_issuers(paper_text: str, verified: Sequence[str]) -> bool:
    group = _GROUP.match(paper_text)
    if group:
        return bool(verified) and verified[0] == group["lead"] and len(verified) in (1, int(group["count"]))
    return [_official(name) for name in paper_text.split("、")] == [_official(name) for name in verified]


def _without_issuer_prefix(title: str) -> str:
    """The title as usually cited, without the issuing departments in front of 关于."""
    head, found, rest = title.partition("关于")
    if not found or not head.strip():
        return title
    names = re.sub(r"等\d+(?:个)?部门$", "", head.strip()).split()
    if names and all(canonical_department(name) for name in names):
        return found + rest
    return title


def _same_title(paper_title: str, verified_title: str) -> bool:
    verified = _compact(_without_issuer_prefix(verified_title))
    shortened = [verified.removesuffix(suffix) for suffix in _conventions()["title_suffixes_omitted"]]
    return _compact(paper_title) in {verified, *shortened}


def _same_doc_number(paper_number: str, verified_number: str | None) -> bool:
    """Equal, or the paper's number is the official one without the issuing body's prefix."""
    paper_key = doc_number_key(_strip_parentheses(paper_number)) if paper_number else ""
    verified_key = doc_number_key(verified_number) if verified_number else ""
    if paper_key == verified_key:
        return True
    if not paper_key or not verified_key.endswith(paper_key):
        return False
    before = verified_key[: -len(paper_key)]
    return not before[-1:].isdigit()  # 2023年第4号 must not match …2023年第34号's tail


def _differences_1(policy: Policy) -> dict[str, str]:
    """Fact fields where the verified value differs from the paper's, mapped to the paper's cell."""
    assert policy.paper is not None
    paper = _paper_cells_1(policy)
    differs = {}
    unresolved = policy.id in _conventions()["unresolved_dates"]
    if not unresolved and (policy.publish_date is None or paper_date(policy.publish_date) != policy.paper.date_text):
        differs["date"] = paper["date"]
    if not _same_issuers(policy.paper.issuers_text, policy.issuers):
        differs["issuers"] = paper["issuers"]
    if not _same_title(policy.paper.title, policy.title):
        differs["title"] = paper["title"]
    if not _same_doc_number(policy.paper.doc_number, policy.doc_number):
        differs["doc_number"] = paper["doc_number"]
    return differs


# --------------------------------------------------------------------------- Table 1


def table1_rows(*, verified: bool = False, policies: Sequence[Policy] | None = None) -> list[TableRow]:
    """The 26 rows of Table 1: the paper's cells, or the verified values with the differing cells listed."""
    rows = []
    for policy in _table1_policies(policies):
        paper = _paper_cells_1(policy)
        summary = load_table1_summaries()[policy.id]
        if not verified:
            rows.append(TableRow(policy.id, {**paper, "summary": summary}, paper))
            continue
        cells = {
            "type": paper["type"],
            "date": paper_date(policy.publish_date) if policy.publish_date else UNKNOWN,
            "issuers": _issuers_cell(policy, paper["issuers"]),
            "title": policy.title,
            "doc_number": policy.doc_number or "",
            "summary": summary,
        }
        rows.append(TableRow(policy.id, cells, paper, _differences_1(policy)))
    return rows


_TABLE1_COLUMNS = (
    Column("type", "政策类型", 8),
    Column("date", "发布时间", 11),
    Column("issuers", "发布部门", 20),
    Column("title", "政策名称", 36),
    Column("doc_number", "发文字号", 22),
    Column("summary", "内容概要（本项目撰写）", 48),
)


def table1(*, verified: bool = False, policies: Sequence[Policy] | None = None) -> TableData:
    """Table 1 ready for the writers (grouped by type, as the paper prints it)."""
    rows = table1_rows(verified=verified, policies=policies)
    notes = ["数据来源 source: 论文表1 the paper's Table 1; 内容概要为本项目自撰 summaries written for this project."]
    if verified:
        notes.append(
            "核对值 verified values: national_policies.csv. "
            "题名省略发文机关、文号省略机关前缀、括号全半角等引用习惯不计为差异 "
            "citation conventions (issuer prefix in titles, issuing-body prefix in numbers, bracket width) "
            "are not counted as differences."
        )
        unresolved = ", ".join(_conventions()["unresolved_dates"])
        notes.append(
            "签发日与发布日未能确定的日期不标为差异 dates that may be the signing or the release date are not "
            f"marked: {unresolved}; 税务总局 即 国家税务总局 (the same body)."
        )
    return _as_table(TABLE1_TITLE, _TABLE1_COLUMNS, rows, FACT_FIELDS_1, verified, notes, group_by="type")


# --------------------------------------------------------------------------- Table 1 from the store

_STORE_COLUMNS = (*_TABLE1_COLUMNS[:5], Column("summary", "内容概要（本项目撰写）", 48), Column("id", "编号", 24))


def table1_from_policies(
    policies: Sequence[Policy],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    level: str = "national",
) -> TableData:
    """Table 1 rebuilt from whatever is stored: the paper's columns, grouped and ordered by type
    as the paper prints them (then by date), with our description column.

    Only CBEC policies of ``level`` count (documents judged not CBEC stay out); a document the
    classifier has not typed goes to a last 未分类 group. The description is our own summary
    for Table 1 rows and empty (unknown) for others.
    """
    chosen = [
        p
        for p in cbec_policies(policies, level=level)
        if (date_from is None or (p.publish_date is not None and p.publish_date >= date_from))
        and (date_to is None or (p.publish_date is not None and p.publish_date <= date_to))
    ]
    order = {label.code: position for position, label in enumerate(POLICY_TYPES)}
    summaries = load_table1_summaries()

    def key(policy: Policy) -> tuple[int, date, str]:
        return (order.get(policy_type_of(policy), len(order)), policy.publish_date or date.max, policy.id)

    rows = []
    for policy in sorted(chosen, key=key):
        issuers = "、".join(dict.fromkeys(canonical_department(n) or n for n in policy.issuers)) or UNKNOWN
        rows.append(
            {
                "type": type_label(policy_type_of(policy), "zh"),
                "date": paper_date(policy.publish_date) if policy.publish_date else UNKNOWN,
                "issuers": issuers,
                "title": policy.title,
                "doc_number": policy.doc_number or "",
                "summary": summaries.get(policy.id, ""),
                "id": policy.id,
            }
        )
    span = f"{date_from or '…'} ~ {date_to or '…'}"
    return TableData(
        title=f"表1（据政策库重建 rebuilt from the store）{span}",
        columns=_STORE_COLUMNS,
        rows=tuple(rows),
        group_by="type",
        notes=(
            f"层级 level: {level}; {len(rows)} 项 policies. 按论文的类型顺序分组，组内按日期 grouped by type in the "
            "paper's order, by date within a type; 判定为非跨境电商的文件不计入 "
            "documents judged not CBEC are left out.",
        ),
    )


# --------------------------------------------------------------------------- Table 2

_ISSUER_PREFIX_2 = "国务院"


def paper_batch_title(official_title: str) -> str:
    """The paper's print of a batch approval's title: no 国务院 prefix, half-width ().

    >>> paper_batch_title("国务院关于同意设立中国（杭州）跨境电子商务综合试验区的批复")
    '关于同意设立中国(杭州)跨境电子商务综合试验区的批复'
    """
    title = official_title.strip()
    if title.startswith(_ISSUER_PREFIX_2 + "关于"):
        title = title[len(_ISSUER_PREFIX_2) :]
    return title.replace("（", "(").replace("）", ")")


_BATCH_NOTES = {
    8: "日期为公布日期，签发日期未见，是上限 publication date; signing date not found (upper bound)",
}


def table2_rows(
    *, verified: bool = False, through_latest: bool = False, batches: Sequence[PilotBatch] | None = None
) -> list[TableRow]:
    """The paper's 7 batches (and with ``through_latest`` every later batch in the data)."""
    chosen = sorted(batches if batches is not None else load_pilot_batches(), key=lambda b: b.batch)
    rows = []
    for batch in chosen:
        if batch.batch > PAPER_BATCHES and not through_latest:
            continue
        paper = (
            {
                "date": paper_date(batch.approval_date),
                "title": paper_batch_title(batch.title),
                "doc_number": batch.doc_number,
            }
            if batch.batch <= PAPER_BATCHES
            else {}
        )
        cells = {
            "date": paper_date(batch.approval_date),
            "title": batch.title if verified else paper_batch_title(batch.title),
            "doc_number": batch.doc_number,
        }
        if through_latest:
            later = [] if paper else ["论文之后 after the paper"]
            cells["note"] = "; ".join(later + ([_BATCH_NOTES[batch.batch]] if batch.batch in _BATCH_NOTES else []))
        differs = {}
        if verified and paper:
            # The paper's dates are the approval dates themselves, so only title and number can differ.
            if not _same_title(paper["title"], batch.title):
                differs["title"] = paper["title"]
            if not _same_doc_number(paper["doc_number"], batch.doc_number):
                differs["doc_number"] = paper["doc_number"]
        rows.append(TableRow(str(batch.batch), cells, paper, differs))
    return rows


def table2(*, verified: bool = False, through_latest: bool = False) -> TableData:
    """Table 2 ready for the writers."""
    rows = table2_rows(verified=verified, through_latest=through_latest)
    columns = [Column("date", "时间", 11), Column("title", "政策名称", 60), Column("doc_number", "发文字号", 18)]
    if through_latest:
        columns.append(Column("note", "说明", 30))
    notes = ["数据来源 source: pilot_batches.csv; 论文表2止于第7批 the paper's Table 2 stops at batch 7."]
    return _as_table(TABLE2_TITLE, tuple(columns), rows, FACT_FIELDS_2, verified, notes)


def _as_table(
    title: str,
    columns: tuple[Column, ...],
    rows: list[TableRow],
    compared: tuple[str, ...],
    verified: bool,
    notes: list[str],
    group_by: str | None = None,
) -> TableData:
    return TableData(
        title=title + ("（核对版 verified）" if verified else ""),
        columns=columns,
        rows=tuple(row.cells for row in rows),
        group_by=group_by,
        checked=verified,
        compared=compared,
        differs=tuple(row.differs for row in rows),
        reference=tuple(row.paper for row in rows),
        notes=tuple(notes),
    )
