"""Highlight search terms in stored text without ever trusting that text.

The text is cut at the match positions found in the *raw* string; every piece is escaped on
its own and only the ``<mark>`` tags we add are markup. Matching the raw text (not the escaped
one) means a query such as ``amp`` can never split an ``&amp;`` entity.
"""

from __future__ import annotations

from markupsafe import Markup, escape


def query_terms(query: str | list[str]) -> list[str]:
    """The distinct non-empty terms, longest first (so longer matches win).

    ``query`` is either a plain text (split on spaces) or the list of forms a parsed query
    can have matched (:attr:`cbec_policy.query.SearchQuery.highlight_forms`).
    """
    parts = query.split() if isinstance(query, str) else query
    return sorted({part for part in parts if part}, key=len, reverse=True)


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for term in terms:
        needle = term.lower()
        start = lowered.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + len(needle))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str | None, query: str | list[str]) -> Markup:
    """``text`` escaped, with each occurrence of a query term wrapped in ``<mark>``."""
    if not text:
        return Markup("")
    terms = query_terms(query)
    if not terms:
        return escape(text)
    pieces: list[str] = []
    cursor = 0
    for start, end in _spans(text, terms):
        pieces.append(str(escape(text[cursor:start])))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(str(escape(text[cursor:])))
    return Markup("".join(pieces))


def excerpt(text: str | None, query: str | list[str], width: int = 80) -> str:
    """A window of ``text`` around the first match (or its start), for result lists."""
    if not text:
        return ""
    spans = _spans(text, query_terms(query))
    start = max(0, spans[0][0] - width // 2) if spans else 0
    end = min(len(text), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + text[start:end].replace("\n", " ") + suffix


def strip_hit_brackets(snippet: str, query: str | list[str]) -> str:
    """Remove the 【】 the store puts around hits in its plain-text snippet (we mark hits ourselves)."""
    lowered = snippet.lower()
    for term in query_terms(query):
        needle = f"【{term.lower()}】"
        start = lowered.find(needle)
        while start != -1:
            snippet = snippet[:start] + snippet[start + 1 : start + 1 + len(term)] + snippet[start + 2 + len(term) :]
            lowered = snippet.lower()
            start = lowered.find(needle, start)
    return snippet
