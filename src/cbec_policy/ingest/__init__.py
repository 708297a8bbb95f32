"""Ingest policy documents: read any common format, normalise, extract metadata with evidence, store once.

Public entry points::

    from cbec_policy.ingest import process_document, extract_paths, ingest_paths
    result = process_document("notice.html")          # read + normalise + extract (+ classify)
    result.as_record()                                 # the ``cbec extract`` JSON object
    summary = ingest_paths(["folder/"], store)         # each document atomic (savepoint), committed in batches
"""

from __future__ import annotations

from cbec_policy.ingest.extract import Evidence, Extraction, extract_metadata
from cbec_policy.ingest.normalise import NormalisedText, normalise_text
from cbec_policy.ingest.pipeline import EXTRACT_KEYS, DocumentResult, extract_paths, process_document
from cbec_policy.ingest.readers import DEFAULT_MAX_BYTES, RawDocument, expand_paths, read_bytes, read_file
from cbec_policy.ingest.storing import IngestOutcome, IngestSummary, build_policy, ingest_one, ingest_paths

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EXTRACT_KEYS",
    "DocumentResult",
    "Evidence",
    "Extraction",
    "IngestOutcome",
    "IngestSummary",
    "NormalisedText",
    "RawDocument",
    "build_policy",
    "expand_paths",
    "extract_metadata",
    "extract_paths",
    "ingest_one",
    "ingest_paths",
    "normalise_text",
    "process_document",
    "read_bytes",
    "read_file",
]
