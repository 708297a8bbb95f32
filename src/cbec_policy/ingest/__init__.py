"""Ingest policy documents: read any common format, normalise, extract metadata with evidence.

Public entry points::

    from cbec_policy.ingest import process_document, extract_paths
    result = process_document("notice.html")          # read + normalise + extract (+ classify)
    result.as_record()                                 # the ``cbec extract`` JSON object

Storing what was read is the store's job: ``cbec_policy.store.ingest_paths``.
"""

from __future__ import annotations

from cbec_policy.ingest.decode import decode_bytes
from cbec_policy.ingest.divisions import divisions
from cbec_policy.ingest.extract import Evidence, Extraction, extract_metadata
from cbec_policy.ingest.extract.timeline import status_on
from cbec_policy.ingest.legal_time import policy_timeline
from cbec_policy.ingest.normalise import NormalisedText, normalise_text
from cbec_policy.ingest.pipeline import (
    EXTRACT_KEYS,
    UNKNOWN_TITLE,
    ClassificationResult,
    DocumentResult,
    PolicyMatcher,
    extract_paths,
    process_document,
)
from cbec_policy.ingest.reader_process import read_ahead
from cbec_policy.ingest.readers import DEFAULT_MAX_BYTES, RawDocument, expand_paths, read_bytes, read_file

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EXTRACT_KEYS",
    "UNKNOWN_TITLE",
    "ClassificationResult",
    "DocumentResult",
    "Evidence",
    "Extraction",
    "NormalisedText",
    "PolicyMatcher",
    "RawDocument",
    "decode_bytes",
    "divisions",
    "expand_paths",
    "extract_metadata",
    "extract_paths",
    "normalise_text",
    "policy_timeline",
    "process_document",
    "read_ahead",
    "read_bytes",
    "read_file",
    "status_on",
]
