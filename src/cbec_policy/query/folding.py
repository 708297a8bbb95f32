"""A query folded the way documents are folded, so that what people type meets what was stored.

Apart from parsing and synonyms because both need it: the synonym table folds its forms with
it, and the parser folds every query.
"""

from __future__ import annotations

from cbec_policy.ingest import normalise_text


def normalise_query_text(text: str) -> str:
    """Fold a query the way documents are folded (width, script, document-number brackets)."""
    stripped = " ".join(text.split())
    if not stripped:
        return ""
    folded = normalise_text(stripped).text.strip()
    # Normalising a whole document drops lines that look like site chrome; a query is kept.
    return " ".join(folded.split()) or stripped


def has_letter_case(form: str) -> bool:
    """True when ``form`` has letters with case (Latin, say), so matching it must fold case.

    Chinese, digits and punctuation have none: for them a plain substring test is exact, and
    the stores skip folding the case of 10 KB texts, which costs more than finding the word.
    """
    return form.lower() != form.upper()
