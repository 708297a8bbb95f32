"""Table cells: a column spec and the one place an empty value becomes 未知/unknown or "—"."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cbec_policy.i18n import UNKNOWN_LABEL, tr
from cbec_policy.report.i18n import NOT_APPLICABLE
from cbec_policy.report.table_writers import Column, TableData


@dataclass(frozen=True)
class Col:
    """A column spec: key, labels, width, and what an empty value means (``unknown`` or ``na``)."""

    key: str
    zh: str
    en: str
    width: int = 12
    empty: str = "unknown"
    fmt: Callable[[Any], str] | None = None


def _text(value: Any, col: Col, lang: str) -> str:
    if value is None or value == "" or value == []:
        return UNKNOWN_LABEL[lang] if col.empty == "unknown" else NOT_APPLICABLE
    if col.fmt is not None:
        return col.fmt(value)
    if isinstance(value, bool):
        return tr("是", "yes", lang) if value else tr("否", "no", lang)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return str(value)


def pct(value: Any) -> str:
    return f"{float(value) * 100:.1f}%"


def make_table(
    title_zh: str,
    title_en: str,
    cols: Sequence[Col],
    rows: Sequence[Mapping[str, Any]],
    lang: str,
    notes: Sequence[str] = (),
) -> TableData:
    return TableData(
        title=tr(title_zh, title_en, lang),
        columns=tuple(Column(c.key, tr(c.zh, c.en, lang), c.width) for c in cols),
        rows=tuple({c.key: _text(row.get(c.key), c, lang) for c in cols} for row in rows),
        notes=tuple(notes),
    )


def na_note(lang: str) -> str:
    return tr(
        "“—”表示无法计算；“未知”表示数据中没有该值。",
        "'—' means not computable; 'unknown' means the data lacks the value.",
        lang,
    )
