"""Put the finders together: one :class:`Extraction` per normalised document."""

from __future__ import annotations

from functools import lru_cache

from cbec_policy.ingest.extract.common import (
    Extraction,
    make_lines,
)
from cbec_policy.ingest.extract.dates import find_publish_date
from cbec_policy.ingest.extract.issuers import find_issuers
from cbec_policy.ingest.extract.layout import find_header_end
from cbec_policy.ingest.extract.level import find_level
from cbec_policy.ingest.extract.numbers import find_doc_number
from cbec_policy.ingest.extract.title import find_title
from cbec_policy.ingest.htmltext import read_metadata
from cbec_policy.ingest.normalise import normalise_text


@lru_cache(maxsize=8192)
def _normalised_value(value: str) -> str:
    """A metadata value or page title normalised as the document text is (script, width, brackets)."""
    return normalise_text(value).text


def extract_metadata(text: str, metadata: dict[str, str] | None = None, page_title: str | None = None) -> Extraction:
    """Extract the metadata of a normalised document ``text``.

    ``metadata`` holds fields of a metadata block read by the HTML reader; when it is empty the
    first lines of ``text`` are searched for such a block (plain-text copies of gov.cn pages).
    """
    extraction = Extraction()
    lines = make_lines(text)
    header_end = find_header_end(lines)
    # The reader hands over metadata and <title> as the page wrote them: a traditional-script or
    # full-width mirror needs the same normalisation as the text, or they match nothing in it.
    fields = {key: _normalised_value(value) for key, value in (metadata or {}).items()}
    page_title = _normalised_value(page_title) if page_title else page_title
    if not fields:
        fields = read_metadata(text[: lines[min(len(lines), 40) - 1].end])  # the first 40 lines
    found_title = find_title(text, lines, header_end, fields, page_title)
    if found_title:
        extraction.title, extraction.evidence["title"] = found_title
    else:
        extraction.warnings.append("title: no title line found")
    title_span = extraction.evidence["title"].span if found_title else None
    found_number = find_doc_number(text, lines, header_end, title_span, fields)
    if found_number:
        extraction.doc_number, extraction.evidence["doc_number"] = found_number
    find_publish_date(text, lines, header_end, fields, extraction)
    if extraction.publish_date is None:
        extraction.warnings.append("publish_date: no document date found")
    find_issuers(text, lines, fields, extraction)
    if not extraction.issuers:
        extraction.warnings.append("issuers: no issuer found")
    find_level(extraction)
    return extraction
