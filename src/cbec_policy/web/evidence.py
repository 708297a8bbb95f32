"""The policy page's evidence, readable: each extracted field and classification cue marked in the text.

Ingest keeps, for every extracted value, the character span it came from, the method and a
confidence; the classifier keeps the cue terms it matched (span, weight, field) under labels
such as ``type:tax`` or ``theme:customs``. Here both become marks placed in the full text
(escaped piece by piece; only our ``<mark>`` tags are markup) and a side list naming the
field, value, method and confidence, and every code is labelled in the page's language.
Nothing is shown as a raw structure: a value that is neither a span nor a cue becomes a
labelled row of text.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from markupsafe import Markup, escape

from cbec_policy.i18n import instrument_label, label, method_label
from cbec_policy.web.i18n import translator

MAX_MARKS = 400  # a long document matches common cues hundreds of times; the side list stays readable


@dataclass(frozen=True)
class Mark:
    """One highlighted span of the full text."""

    number: int
    start: int
    end: int
    kind: str  # "field" (an extracted value) or "cue" (a classification cue)
    name: str  # what it supports, readable: 发文字号, 类型：税收类 …
    value: str
    method: str
    confidence: str


def cue_name(key: str, lang: str) -> str:
    """``type:tax`` → 类型：税收类; ``theme:customs`` → 主题：通关; ``is_cbec`` → 跨境电商相关."""
    t = translator(lang)
    axis, _, code = key.partition(":")
    sep = ": " if lang == "en" else "："
    if axis == "type":
        return f"{t('type')}{sep}{label('policy_types', code, lang)}"
    if axis == "theme":
        return f"{t('theme')}{sep}{label('themes', code, lang)}"
    if axis == "instrument":
        return f"{t('instrument')}{sep}{instrument_label(code, lang)}"
    return t(key)


def _percent(value: object) -> str:
    return f"{float(value):.0%}" if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _cue_lists(evidence: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every ``label → [cue, …]`` list, wherever the classifier put it (top level or under ``evidence``)."""
    found: dict[str, list[dict[str, Any]]] = {}
    stack = [evidence]
    while stack:
        current = stack.pop()
        for key, value in current.items():
            if isinstance(value, list) and value and all(isinstance(v, dict) and "term" in v for v in value):
                found.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                stack.append(value)
    return found


def marks(full_text: str | None, extraction: dict[str, Any], classification: dict[str, Any], lang: str) -> list[Mark]:
    """The marks that can be placed in ``full_text``: a span is used only where the text there is the value."""
    if not full_text:
        return []
    t = translator(lang)
    out: list[tuple[int, int, str, str, str, str, str]] = []
    for field, item in extraction.items():
        if not isinstance(item, dict) or not isinstance(item.get("span"), list | tuple) or len(item["span"]) != 2:
            continue
        start, end = item["span"]
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(full_text):
            out.append((start, end, "field", t(field), str(item.get("text") or full_text[start:end]),
                        method_label(item.get("method"), lang), _percent(item.get("confidence"))))  # fmt: skip
    for key, cues in _cue_lists(classification).items():
        for cue in cues:
            start, end, term = cue.get("start"), cue.get("end"), str(cue.get("term") or "")
            if cue.get("field", "text") != "text" or not isinstance(start, int) or not isinstance(end, int):
                continue
            if full_text[start:end] != term:
                continue  # the span belongs to another text (e.g. before a re-normalisation): not placed
            weight = cue.get("weight")
            out.append((start, end, "cue", cue_name(key, lang), term, t("cue_match"),
                        f"{t('weight')} {weight}" if weight is not None else ""))  # fmt: skip
    out.sort(key=lambda item: (item[0], -item[1]))
    return [Mark(number, *item) for number, item in enumerate(out[:MAX_MARKS], start=1)]


def marked_text(full_text: str, found: list[Mark]) -> Markup:
    """``full_text`` escaped, each mark's span wrapped in ``<mark>`` linked to its row in the side list.

    Overlapping marks (a title that is also the issuer's source) are merged into one span that
    names every mark it carries.
    """
    boundaries = sorted({0, len(full_text), *(m.start for m in found), *(m.end for m in found)})
    starting: dict[int, list[Mark]] = {}
    for mark in found:
        starting.setdefault(mark.start, []).append(mark)
    active: list[Mark] = []  # the marks covering the current piece: a sweep, not a scan per piece
    pieces: list[str] = []
    for left, right in pairwise(boundaries):
        active = [m for m in active if m.end > left] + starting.get(left, [])
        chunk = str(escape(full_text[left:right]))
        if active:
            covering = sorted(active, key=lambda m: m.number)
            kinds = " ".join(sorted({m.kind for m in covering}))
            title = "; ".join(f"{m.number}. {m.name}: {m.value}" for m in covering[:6])
            ids = " ".join(f"ev-{m.number}" for m in covering[:6])
            pieces.append(f'<mark class="ev {kinds}" title="{escape(title)}" aria-describedby="{ids}">{chunk}</mark>')
        else:
            pieces.append(chunk)
    return Markup("".join(pieces))


_SUMMARY_KEYS = ("method", "is_cbec", "is_cbec_score", "policy_type", "policy_type_score", "themes", "instruments")


def classification_rows(classification: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The classifier's answer as (label, readable value) rows; cue lists are shown as marks instead."""
    t = translator(lang)
    source = classification.get("classifier") if isinstance(classification.get("classifier"), dict) else classification
    rows: list[tuple[str, str]] = []
    for key in _SUMMARY_KEYS:
        if key not in source:
            continue
        value = source[key]
        if isinstance(value, list) and value and isinstance(value[0], dict):
            continue  # cue lists
        if key == "method":
            text = label("classifier_methods", value, lang)
        elif key == "policy_type":
            text = label("policy_types", value, lang)
        elif key == "themes":
            text = "、".join(label("themes", v, lang) for v in value) if value else t("none")
        elif key == "instruments":
            text = "、".join(instrument_label(v, lang) for v in value) or t("none")
        elif isinstance(value, bool) or value is None:
            text = label("in_force", value, lang)
        elif isinstance(value, float):
            text = f"{value:.2f}"
        else:
            text = str(value)
        rows.append((t(key), text))
    return rows


def extraction_rows(extraction: dict[str, Any], lang: str) -> list[tuple[str, str, str, str]]:
    """Every extracted field as (field, value, method, confidence), also those without a text position."""
    t = translator(lang)
    rows = []
    for field, item in extraction.items():
        if isinstance(item, dict) and "text" in item:
            rows.append((t(field), str(item.get("text") or ""), method_label(item.get("method"), lang),
                         _percent(item.get("confidence"))))  # fmt: skip
    return rows
