"""A result list as files people take elsewhere: CSV, XLSX, RIS and BibTeX statute records.

Researchers export from a law database into a reference manager (Zotero, EndNote) or a
spreadsheet. Each record carries what a citation of a Chinese policy needs: title, 发文字号,
issuing departments (as corporate authors), publish and effective dates, validity status and
a link. Spreadsheet cells that begin like a formula are neutralised (OWASP CSV-injection
guidance), because titles and issuers of ingested pages are text from the web.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from cbec_policy.errors import InputError
from cbec_policy.i18n import label

EXPORT_FORMATS = ("csv", "xlsx", "ris", "bibtex")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "ris": "ris", "bibtex": "bib"}
CITATION_COLUMNS = (
    "id", "title", "doc_number", "issuers", "publish_date", "effective_date", "end_date",
    "status", "status_label", "level", "policy_type", "themes", "url",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def export_rows(briefs: Iterable[Any], lang: str = "zh", base_url: str = "") -> list[dict[str, str]]:
    """One flat row per policy (codes, with the status label beside its code)."""
    rows = []
    for brief in briefs:
        rows.append(
            {
                "id": brief.id,
                "title": brief.title,
                "doc_number": brief.doc_number or "",
                "issuers": "；".join(brief.issuers),
                "publish_date": _iso(brief.publish_date),
                "effective_date": _iso(brief.effective_date),
                "end_date": _iso(brief.end_date),
                "status": brief.status,
                "status_label": label("statuses", brief.status, lang),
                "level": brief.level,
                "policy_type": brief.policy_type or "",
                "themes": ";".join(brief.themes),
                "url": f"{base_url}/policies/{brief.id}" if base_url else "",
            }
        )
    return rows


def safe_cell(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(rows: Sequence[dict[str, str]]) -> str:
    """CSV with the ASCII column names as header (UTF-8 with BOM so spreadsheets read Chinese)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CITATION_COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row[column]) for column in CITATION_COLUMNS])
    return buffer.getvalue()


def to_xlsx(rows: Sequence[dict[str, str]]) -> bytes:
    """One sheet, header row then one row per policy; every cell stored as text."""
    book = Workbook()
    sheet = book.active
    sheet.title = "policies"
    sheet.append(list(CITATION_COLUMNS))
    for row in rows:
        sheet.append([safe_cell(row[column]) for column in CITATION_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def to_ris(rows: Sequence[dict[str, str]]) -> str:
    """RIS ``STAT`` (statute) records: TI title, AU each issuer, DA date, M1 发文字号, N1 status."""
    out = []
    for row in rows:
        lines = [_ris_line("TY", "STAT"), _ris_line("TI", row["title"])]
        lines += [_ris_line("AU", issuer) for issuer in row["issuers"].split("；") if issuer]
        if row["publish_date"]:
            lines.append(_ris_line("PY", row["publish_date"][:4]))
            lines.append(_ris_line("DA", row["publish_date"].replace("-", "/")))
        if row["doc_number"]:
            lines.append(_ris_line("M1", row["doc_number"]))
        note = f"时效性 status: {row['status_label']}"
        if row["effective_date"]:
            note += f"; 施行日期 effective: {row['effective_date']}"
        if row["end_date"]:
            note += f"; 失效日期 end: {row['end_date']}"
        lines.append(_ris_line("N1", note))
        lines.append(_ris_line("LA", "zh"))
        if row["url"]:
            lines.append(_ris_line("UR", row["url"]))
        lines.append(_ris_line("ID", row["id"]))
        lines.append("ER  - ")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _bib(value: str) -> str:
    """A BibTeX field value: braces and backslashes escaped, special characters made literal."""
    escaped = value.replace("\\", "\\textbackslash{}")
    for char in "{}":
        escaped = escaped.replace(char, "\\" + char)
    for char in "&%$#_":
        escaped = escaped.replace(char, "\\" + char)
    return escaped.replace("~", "\\textasciitilde{}").replace("^", "\\textasciicircum{}")


def _bib_key(policy_id: str) -> str:
    return "".join(char if char.isascii() and (char.isalnum() or char in "-_:") else "_" for char in policy_id)


def to_bibtex(rows: Sequence[dict[str, str]]) -> str:
    """biblatex ``@legislation`` entries (Zotero's statute type) with 发文字号 as ``number``.

    Issuers are corporate authors, each in braces so no reference manager splits a
    department name into given and family names.
    """
    out = []
    for row in rows:
        fields = [("title", row["title"])]
        issuers = [issuer for issuer in row["issuers"].split("；") if issuer]
        if issuers:
            fields.append(("author", " and ".join("{" + _bib(issuer) + "}" for issuer in issuers)))
        if row["doc_number"]:
            fields.append(("number", row["doc_number"]))
        if row["publish_date"]:
            fields += [("date", row["publish_date"]), ("year", row["publish_date"][:4])]
        note = f"时效性: {row['status_label']}"
        if row["effective_date"]:
            note += f"; 施行日期: {row['effective_date']}"
        fields += [("note", note), ("langid", "chinese"), ("entrysubtype", "statute")]
        if row["url"]:
            fields.append(("url", row["url"]))
        body = ",\n".join(f"  {name} = {{{value if name == 'author' else _bib(value)}}}" for name, value in fields)
        out.append(f"@legislation{{{_bib_key(row['id'])},\n{body}\n}}")
    return "\n\n".join(out) + "\n"


def export(briefs: Iterable[Any], fmt: str, lang: str = "zh", base_url: str = "") -> bytes:
    """The whole list in ``fmt`` (one of :data:`EXPORT_FORMATS`) as bytes."""
    rows = export_rows(briefs, lang, base_url)
    if fmt == "csv":
        return to_csv(rows).encode("utf-8")
    if fmt == "xlsx":
        return to_xlsx(rows)
    if fmt == "ris":
        return to_ris(rows).encode("utf-8")
    if fmt == "bibtex":
        return to_bibtex(rows).encode("utf-8")
    raise InputError("format", f"unknown export format {fmt!r}; accepted: {', '.join(EXPORT_FORMATS)}")
