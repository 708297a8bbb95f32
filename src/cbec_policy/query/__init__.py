"""Search queries as users write them: normalisation, field prefixes and synonyms (see :mod:`.parse`)."""

from cbec_policy.query.folding import has_letter_case, normalise_query_text
from cbec_policy.query.parse import SearchQuery, Term, parse_query
from cbec_policy.query.synonyms import expand, synonym_groups

__all__ = ["SearchQuery", "Term", "expand", "has_letter_case", "normalise_query_text", "parse_query", "synonym_groups"]
