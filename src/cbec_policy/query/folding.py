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
