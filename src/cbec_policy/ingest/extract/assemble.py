"""Put the finders together: one :class:`Extraction` per normalised document.

Each finder returns its value and evidence; this module decides the order (title and number
first, as the issuers and the level lean on them), completes short forms once the issuer is
known (公告2020年第75号 → 海关总署公告2020年第75号, printed form kept in the evidence) and records
what was not found as a warning.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from cbec_policy.ingest.dates_zh import find_dates
from cbec_policy.ingest.extract.common import Evidence, Extraction, make_lines
from cbec_policy.ingest.extract.dates import find_publish_date
from cbec_policy.ingest.extract.decree import find_decree_header
from cbec_policy.ingest.extract.issuers import find_issuers
from cbec_policy.ingest.extract.layout import find_header_end
from cbec_policy.ingest.extract.level import level_from_issuers, level_from_text
from cbec_policy.ingest.extract.numbers import complete_announcement, find_doc_number
from cbec_policy.ingest.extract.places import DocumentPlaces, government_issuer, place_of_prefix, title_place
from cbec_policy.ingest.extract.timeline import find_timeline
from cbec_policy.ingest.extract.title import find_title
from cbec_policy.ingest.extract.title_rebuild import covering_notice_title, promulgated_work
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
    evidence = extraction.evidence
    lines = make_lines(text)
    header_end = find_header_end(lines)
    # The reader hands over metadata and <title> as the page wrote them: a traditional-script or
    # full-width mirror needs the same normalisation as the text, or they match nothing in it.
    fields = {key: _normalised_value(value) for key, value in (metadata or {}).items()}
    page_title = _normalised_value(page_title) if page_title else page_title
    if not fields:
        fields = read_metadata(text[: lines[min(len(lines), 40) - 1].end])  # the first 40 lines
    found_title = find_title(text, lines, header_end, fields, page_title)
    # An order header (国务院令 第691号) names the issuer and the number, and its promulgation
    # clause names the work; they outrank what the finders guess from the layout, never a metadata block.
    decree = find_decree_header(lines) if "令" in text[: lines[min(len(lines), 8) - 1].end] else None
    if decree is not None and not fields.get("title"):
        work = promulgated_work(text, "work promulgated under the order header", 0.9)
        if work is not None:
            found_title = work
    if found_title:
        extraction.title, evidence["title"] = found_title
    title_span = evidence["title"].span if found_title else None
    found_number = find_doc_number(text, lines, header_end, title_span, fields)
    if decree is not None and decree.doc_number and not fields.get("doc_number"):
        found_number = decree.doc_number, decree.evidence
    if found_number:
        extraction.doc_number, evidence["doc_number"] = found_number
        if fields.get("doc_number"):
            # A metadata block's number against the one printed under the title: keep both if they differ.
            printed = find_doc_number(text, lines, header_end, title_span, {})
            if printed and "".join(printed[0].split()) != "".join(found_number[0].split()):
                evidence["doc_number_conflict"] = printed[1]
                extraction.warnings.append(
                    f"doc_number: the metadata block says {found_number[0]}, the text prints {printed[0]}"
                )
    all_dates = list(find_dates(text))  # once: the document date and the 施行日期 both look at them
    standard = bool(extraction.doc_number and extraction.doc_number.startswith("GB"))
    dates = find_publish_date(text, lines, header_end, fields, standard=standard, dates=all_dates)
    extraction.publish_date, extraction.release_date = dates.publish_date, dates.release_date
    if dates.evidence is not None:
        evidence["publish_date"] = dates.evidence
    extraction.warnings.extend(dates.warnings)
    if extraction.publish_date is not None and extraction.publish_date > date.today():
        extraction.warnings.append(f"publish_date: {extraction.publish_date.isoformat()} is in the future")
    # Places the document points at, for short forms (省政府) and for the level without an issuer.
    prefix = place_of_prefix(extraction.doc_number, text)
    at_title = title_place(extraction.title)
    places = DocumentPlaces([place for place in (prefix[0] if prefix else None, at_title) if place is not None], text)
    issuers = find_issuers(
        text, lines, fields, extraction.title, evidence.get("publish_date"), extraction.doc_number, places
    )
    if not issuers.issuers and prefix is not None and prefix[1]:
        # 浙政办发 / 川府函: the government's own number names the government (or its office).
        general_office = "办" in extraction.doc_number.split("〔", 1)[0]  # type: ignore[union-attr]
        name = government_issuer(prefix[0], general_office)
        issuers.issuers = [name]
        issuers.evidence = Evidence(None, extraction.doc_number or "", 0.7, "government document-number prefix")
    if decree is not None and decree.issuers and not fields.get("issuer"):
        issuers.issuers, issuers.evidence = decree.issuers, decree.evidence
        issuers.warnings = [warning for warning in issuers.warnings if not warning.startswith("issuers:")]
    extraction.issuers = issuers.issuers
    if issuers.evidence is not None:
        evidence["issuers"] = issuers.evidence
    extraction.warnings.extend(issuers.warnings)
    if extraction.doc_number:
        completed = complete_announcement(extraction.doc_number, extraction.issuers[:1])
        if completed is not None:
            printed = evidence["doc_number"]
            extraction.doc_number = completed
            evidence["doc_number"] = Evidence(
                printed.span,
                printed.text,
                printed.confidence * 0.95,
                printed.method + "; issuer added to the short form",
            )
    if extraction.title is None:
        rebuilt = covering_notice_title(text, extraction.issuers[0] if extraction.issuers else None)
        if rebuilt is not None:
            extraction.title, evidence["title"] = rebuilt
    level = level_from_issuers(extraction.issuers)
    if level.level is None:
        level = level_from_text(at_title, prefix[0] if prefix else None, places, text)
    extraction.level, extraction.region = level.level, level.region
    if level.level_evidence is not None:
        evidence["level"] = level.level_evidence
    if level.region_evidence is not None:
        evidence["region"] = level.region_evidence
    extraction.timeline = find_timeline(text, fields, extraction, all_dates)
    for name, value in (("title", extraction.title), ("publish_date", extraction.publish_date)):
        if value is None:
            extraction.warnings.append(
                f"{name}: {'no title line found' if name == 'title' else 'no document date found'}"
            )
    if not extraction.issuers:
        extraction.warnings.append("issuers: no issuer found")
    return extraction
