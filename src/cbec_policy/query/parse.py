"""A search box's text as the store searches it: normalised words, fields, synonyms.

What a user types is read the way documents were stored: full-width letters and digits
folded, traditional characters made simplified, document numbers written with 〔〕 (so
``跨境電子商務`` and ``财关税[2016]18号`` find what ``跨境电子商务`` and ``财关税〔2016〕18号`` find).

Words are separated by spaces; ``"two words"`` keeps a phrase together. A word may name the
field it must occur in, the way legal databases offer 标题/文号/发文机关/全文 search:

* ``title:`` (标题:) the title; ``number:`` (文号:) the document number; ``text:`` (全文:) the
  summary and full text; ``issuer:`` (发文机关:) an issuing department, alias-aware
  (税务总局 finds 国家税务总局), which the store applies as a filter.

Every other word may occur anywhere. Each word also matches its synonyms (see
:mod:`cbec_policy.query.synonyms`). A lone Latin letter or digit is only looked for in titles
and document numbers: inside English summaries it would match nearly every word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cbec_policy.docnumber import normalise_doc_number
from cbec_policy.errors import InputError
from cbec_policy.query.folding import normalise_query_text
from cbec_policy.query.synonyms import expand

# Field names users may type (English, or the column names of Chinese legal databases).
FIELD_NAMES = {
    "title": "title", "标题": "title",
    "number": "number", "文号": "number", "发文字号": "number", "no": "number",
    "text": "text", "全文": "text", "正文": "text",
    "issuer": "issuer", "发文机关": "issuer", "机关": "issuer",
}  # fmt: skip
# Where a word of each field is looked for, by column of the search index.
FIELD_COLUMNS: dict[str | None, tuple[str, ...]] = {
    None: ("title", "doc_number", "summary", "full_text"),
    "title": ("title",),
    "number": ("doc_number",),
    "text": ("summary", "full_text"),
    "short": ("title", "doc_number"),  # a lone Latin letter or digit
}
MAX_WORDS = 12
_TOKEN = re.compile(r'(?:(?P<field>[^\s:："“”]+)[:：])?(?:"(?P<quoted>[^"]*)"?|(?P<word>\S+))')
_DOC_NUMBER_LIKE = re.compile(r"[\[(（【〔［〖]\s*\d{4}\s*[\])）】〕］〗]|\d{4}年第\d+号")


@dataclass(frozen=True)
class Term:
    """One word of a query: where it must occur and the forms that count (the word first)."""

    field: str | None
    forms: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The index columns this word is looked for in."""
        return FIELD_COLUMNS[self.field]


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: words that must all occur, and issuer names that must be among the issuers."""

    text: str
    terms: tuple[Term, ...] = ()
    issuers: tuple[str, ...] = ()

    @property
    def words(self) -> list[str]:
        """The words as typed (normalised), for highlighting and snippets."""
        return [term.forms[0] for term in self.terms]

    @property
    def highlight_forms(self) -> list[str]:
        """Every form that can have matched, longest first (for marking hits in text)."""
        return sorted({form for term in self.terms for form in term.forms}, key=len, reverse=True)

    def key(self) -> str:
        """A stable text key for caches."""
        parts = [f"{t.field or ''}:{'|'.join(t.forms)}" for t in self.terms]
        return "\x1f".join([*parts, *(f"issuer:{name}" for name in self.issuers)])

    def __bool__(self) -> bool:
        return bool(self.terms or self.issuers)


def _is_lone_symbol(word: str) -> bool:
    return len(word) == 1 and word.isascii() and word.isalnum()


def parse_query(text: str) -> SearchQuery:
    """Parse a search box's text (see the module docstring); raises InputError for an unknown field."""
    normalised = normalise_query_text(text)
    if _DOC_NUMBER_LIKE.search(normalised) and " " not in normalised.strip():
        normalised = normalise_doc_number(normalised)
    terms: list[Term] = []
    issuers: list[str] = []
    for match in _TOKEN.finditer(normalised):
        raw_field = match.group("field")
        value = (match.group("quoted") if match.group("quoted") is not None else match.group("word") or "").strip()
        field = None
        if raw_field is not None:
            field = FIELD_NAMES.get(raw_field.lower())
            if field is None:  # not a field name: the colon belongs to the word (e.g. a time 10:30)
                value = f"{raw_field}:{value}" if value else raw_field
        if not value:
            continue
        if field == "issuer":
            issuers.append(value)
            continue
        if field == "number":
            value = normalise_doc_number(value)
        if field is None and _is_lone_symbol(value):
            field = "short"
        terms.append(Term(field, expand(value)))
    if len(terms) + len(issuers) > MAX_WORDS:
        raise InputError("q", f"more than {MAX_WORDS} search words")
    return SearchQuery(text=normalised, terms=tuple(terms), issuers=tuple(issuers))
