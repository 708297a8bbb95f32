"""Store what ingest read: build the policy record, match it against the store, write in chunks.

Documents are read and extracted a chunk at a time (:func:`cbec_policy.ingest.process_document`) and
stored a chunk at a time: each chunk is matched against the store with a few bulk queries and
written in one transaction, every document in a SAVEPOINT of its own (see
``cbec_policy.store.bulk``). A run that is killed leaves every document either fully stored or
not at all, and running the same command again finishes the job. Ids of ingested documents are
derived from the document itself (its number, else its title and date, else its text), so a
rerun finds the same record instead of adding a duplicate; a document that matches an already
stored policy (same number, or same title and date) updates that policy. The documents that a
repeal clause names are looked up in the same transaction and become ``replaces`` relations.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from cbec_policy.ingest import (
    DEFAULT_MAX_BYTES,
    UNKNOWN_TITLE,
    ClassificationResult,
    DocumentResult,
    Extraction,
    expand_paths,
    process_document,
    read_ahead,
    status_on,
)
from cbec_policy.models import Policy, Relation
from cbec_policy.store.hashing import record_hash
from cbec_policy.store.policy_rows import cached_doc_key, cached_title_key

if TYPE_CHECKING:
    from cbec_policy.store.bulk import BulkSession
    from cbec_policy.store.db import Store


def _doc_number_key(number: str) -> str:
    """The store's matching key of a document number, from the store's cache (asked several times per document)."""
    return cached_doc_key(number)


def policy_id_for(found: Extraction, text: str) -> str:
    """A stable id for a newly ingested document, so that a rerun finds the same record."""
    if found.doc_number:
        key = "doc:" + _doc_number_key(found.doc_number)
    elif found.title:
        key = f"title:{''.join(found.title.split())}|{found.publish_date or ''}"
    else:
        key = "text:" + "".join(text.split())
    return "ing-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _evidence_dict(result: DocumentResult) -> dict[str, object]:
    """What is stored as a policy's extraction evidence: the record's evidence and warnings, no classification.

    Built directly rather than from ``as_record()``, which is made for output and costs more.
    """
    evidence: dict[str, object] = result.extraction_evidence()
    warnings = list(result.warnings) + (list(result.extraction.warnings) if result.extraction else [])
    if warnings:
        evidence["warnings"] = warnings
    return evidence


def _relations(result: DocumentResult) -> tuple[Relation, ...]:
    """``replaces`` relations to the stored policies that the document's repeal clauses name."""
    return tuple(Relation("replaces", target) for target in dict.fromkeys(result.replaces.values()) if target)


def build_policy(result: DocumentResult, stored: Policy | None, *, update: bool, today: date | None = None) -> Policy:
    """The policy record to store for ``result``: new, or merged into the ``stored`` one.

    Without ``update`` a stored policy keeps its metadata and only gains what it lacks (the
    full text, extraction evidence, classification). With ``update`` the document's values
    replace the stored ones wherever the document has a value; the id, relations, status,
    paper entry and summary are kept.
    """
    assert result.extraction is not None and result.normalised is not None and result.raw is not None
    found = result.extraction
    classified = result.classification or ClassificationResult()
    evidence = _evidence_dict(result)
    text = result.normalised.text
    timeline = found.timeline
    # 时效性 as of the day the document is stored; any other day follows from the stored dates.
    status = status_on(today or date.today(), timeline.effective_date, timeline.end_date, found.publish_date)
    if stored is None:
        return Policy(
            id=policy_id_for(found, text),
            title=found.title or f"{UNKNOWN_TITLE}（{Path(result.path).name}）",
            doc_number=found.doc_number,
            issuers=tuple(found.issuers),
            publish_date=found.publish_date,
            effective_date=timeline.effective_date,
            end_date=timeline.end_date,
            status=status,
            relations=_relations(result),
            level=found.level or "unknown",
            policy_type=classified.policy_type,
            themes=classified.themes,
            region=found.region,
            source=str(result.path),
            full_text=text,
            is_cbec=classified.is_cbec,
            instruments=classified.instruments,
            extraction_evidence=evidence,
            classification_evidence=classified.evidence,
        )
    if not update:
        changes: dict[str, Any] = {}
        if not stored.full_text:
            changes["full_text"] = text
        if stored.effective_date is None and timeline.effective_date is not None:
            changes["effective_date"] = timeline.effective_date
        if stored.end_date is None and timeline.end_date is not None:
            changes["end_date"] = timeline.end_date
        new_relations = tuple(r for r in _relations(result) if r not in stored.relations)
        if new_relations:
            changes["relations"] = stored.relations + new_relations
        if not stored.extraction_evidence:
            changes["extraction_evidence"] = evidence
        if stored.is_cbec is None and classified.is_cbec is not None:
            changes.update(is_cbec=classified.is_cbec, classification_evidence=classified.evidence)
            if not stored.instruments:
                changes["instruments"] = classified.instruments
        if stored.policy_type is None and classified.policy_type:
            changes["policy_type"] = classified.policy_type
        if not stored.themes and classified.themes:
            changes["themes"] = classified.themes
        return dataclasses.replace(stored, **changes) if changes else stored
    return dataclasses.replace(
        stored,
        title=found.title or stored.title,
        doc_number=found.doc_number or stored.doc_number,
        issuers=tuple(found.issuers) or stored.issuers,
        publish_date=found.publish_date or stored.publish_date,
        effective_date=timeline.effective_date or stored.effective_date,
        end_date=timeline.end_date or stored.end_date,
        relations=stored.relations + tuple(r for r in _relations(result) if r not in stored.relations),
        level=found.level or stored.level,
        region=found.region or stored.region,
        full_text=text,
        extraction_evidence=evidence,
        is_cbec=classified.is_cbec if classified.is_cbec is not None else stored.is_cbec,
        policy_type=classified.policy_type or stored.policy_type,
        themes=classified.themes or stored.themes,
        instruments=classified.instruments or stored.instruments,
        classification_evidence=classified.evidence or stored.classification_evidence,
    )


@dataclass(frozen=True)
class NewRecord:
    """A document's record as a new policy, with its content hash, made where the document was read.

    It is what :func:`build_policy` makes of the document when the store holds no copy of it,
    and it is used only then: when the document is stored on the same day (the status depends
    on the day) and names no repealed document (those are looked up in the store first).
    """

    day: date
    policy: Policy
    content_hash: str


def prepare_new(results: list[DocumentResult]) -> list[tuple[DocumentResult, NewRecord | None]]:
    """Each read document with its record as a new policy (None when that needs the store).

    Runs in the reader (see ``cbec_policy.ingest.reader_process``), so that building the record and
    hashing its texts, the larger part of storing a new document outside the database, take
    place on the reader's core while the store writes the previous chunk.
    """
    day = date.today()
    prepared: list[tuple[DocumentResult, NewRecord | None]] = []
    for result in results:
        record = None
        if result.error is None and result.extraction is not None and not result.extraction.timeline.repeals:
            try:
                policy = build_policy(result, None, update=False, today=day)
                record = NewRecord(day, policy, record_hash(policy, result.raw.text if result.raw else None))
            except Exception:  # the store builds it again and reports what is wrong
                record = None
        prepared.append((result, record))
    return prepared


@dataclass
class IngestOutcome:
    """What happened to one file: new / updated / unchanged / failed (with the reason)."""

    path: str
    status: str
    policy_id: str | None = None
    title: str | None = None
    reason: str | None = None


@dataclass
class IngestSummary:
    """Every file's outcome, in input order, with counts by status."""

    outcomes: list[IngestOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many files ended with ``status``."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> list[IngestOutcome]:
        """The files that could not be ingested."""
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]


ProgressCallback = Callable[[int, int, IngestOutcome], None]

# Documents are stored in chunks of growing size (1, 2, 4, … up to this many): the first
# outcomes show quickly, and large runs pay one commit per chunk instead of one per document.
MAX_CHUNK = 256


def _chunks(items: list[str], largest: int) -> Iterable[list[str]]:
    size, start = 1, 0
    while start < len(items):
        yield items[start : start + size]
        start += size
        size = min(size * 2, largest)


def ingest_paths(
    paths: Iterable[str],
    store: Store,
    *,
    update: bool = False,
    dry_run: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    classify: bool = True,
    progress: ProgressCallback | None = None,
    chunk_size: int = MAX_CHUNK,
) -> IngestSummary:
    """Store every document named by ``paths``; each document atomically.

    Documents are read and extracted a chunk at a time, then matched and written in one
    transaction per chunk (one SAVEPOINT per document inside it, so a document the database
    refuses fails alone). ``progress(done, total, outcome)`` is called for each file once its
    chunk is committed, so "done" always means stored. A killed run leaves whole documents
    only; running it again finishes the job without duplicates. With ``dry_run`` nothing is
    written and each outcome says what would have happened. On PostgreSQL a run that stored
    anything ends by folding the search index's pending entries in (:meth:`Store.fold_search_index`).
    """
    files = list(expand_paths(list(paths)))
    summary = IngestSummary()
    done = 0

    chunks = list(_chunks(files, max(1, chunk_size)))
    # The coming chunks are read in a reader process while this one is stored (see
    # cbec_policy.ingest.read_ahead): chunks still come back, and are stored, in input order.
    for chunk in read_ahead(chunks, then=prepare_new, max_bytes=max_bytes, classify=classify):
        results = [result for result, _ in chunk]
        new_records = [record for _, record in chunk]
        for outcome in store_results(results, store, update=update, dry_run=dry_run, new_records=new_records):
            summary.outcomes.append(outcome)
            done += 1
            if progress is not None:
                progress(done, len(files), outcome)
    if not dry_run and any(outcome.status in ("new", "updated") for outcome in summary.outcomes):
        store.fold_search_index()  # the searches that follow read the index alone
    return summary


def ingest_one(
    path: str,
    store: Store,
    *,
    update: bool = False,
    dry_run: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    classify: bool = True,
    source: str | None = None,
) -> IngestOutcome:
    """Ingest one file (see :func:`ingest_paths`); never raises for a bad file.

    ``source`` is what the stored policy names as where it came from, when that is not the
    path read (an upload is named by its stored file name, never by the server's folders).
    """
    result = process_document(path, max_bytes=max_bytes, classify=classify)
    if source is not None:
        result = dataclasses.replace(result, path=source)
    return store_results([result], store, update=update, dry_run=dry_run)[0]


def _derived_id(result: DocumentResult) -> str:
    assert result.extraction is not None and result.normalised is not None
    return policy_id_for(result.extraction, result.normalised.text)


def _match_keys(result: DocumentResult, derived: str) -> set[tuple[str, str]]:
    """Keys under which ``result`` could find (or become, as ``derived``) a stored policy."""
    assert result.extraction is not None
    found = result.extraction
    keys = {("id", derived)}
    if found.doc_number and found.doc_number.strip():
        keys.add(("doc", _doc_number_key(found.doc_number)))
    if found.title and found.title.strip():
        keys.add(("title", cached_title_key(found.title)))
    return keys


def _independent_prefix(keys_in_order: list[set[tuple[str, str]]]) -> int:
    """How many leading documents share no match key, so matching them together equals one by one."""
    seen: set[tuple[str, str]] = set()
    for count, keys in enumerate(keys_in_order):
        if count and keys & seen:
            return count
        seen |= keys
    return len(keys_in_order)


def store_results(
    results: list[DocumentResult],
    store: Store,
    *,
    update: bool = False,
    dry_run: bool = False,
    new_records: Sequence[NewRecord | None] = (),
) -> list[IngestOutcome]:
    """Match and store extracted documents in one transaction; one outcome per result, in order.

    The outcome of each document is the same as storing the documents one after another: a
    document that matches one earlier in the same chunk (same number, title or target policy)
    is matched only after the earlier one is written. ``new_records`` (from :func:`prepare_new`,
    one per result, or empty) spares building and hashing again the record of a new document.
    """
    outcomes: list[IngestOutcome | None] = [None] * len(results)
    todo: list[int] = []
    for index, result in enumerate(results):
        if result.error is not None:
            outcomes[index] = IngestOutcome(result.path, "failed", reason=result.error)
        else:
            todo.append(index)
    prepared = dict(enumerate(new_records))
    derived = {
        index: record.policy.id if (record := prepared.get(index)) else _derived_id(results[index]) for index in todo
    }
    keys = {index: _match_keys(results[index], derived[index]) for index in todo}
    try:
        with store.bulk(write=not dry_run) as session:
            while todo:
                group = todo[: _independent_prefix([keys[i] for i in todo])]
                group = _store_group(
                    session, results, group, derived, outcomes, prepared, update=update, dry_run=dry_run
                )
                todo = todo[len(group) :]
    except SQLAlchemyError as exc:
        # The chunk's transaction was rolled back: none of its documents is stored.
        reason = f"database error: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}"
        for index, result in enumerate(results):
            if result.error is None:
                previous = outcomes[index] or IngestOutcome(result.path, "failed")
                outcomes[index] = IngestOutcome(result.path, "failed", previous.policy_id, previous.title, reason)
    return [outcome for outcome in outcomes if outcome is not None]


def _resolve_repeals(session: BulkSession, results: list[DocumentResult]) -> None:
    """Look up the documents the repeal clauses name (by number, else title); one query for the group."""
    asked: list[tuple[DocumentResult, str]] = []
    keys: list[tuple[str | None, str | None, date | None]] = []
    for result in results:
        for reference in result.extraction.timeline.repeals if result.extraction else ():
            asked.append((result, reference.printed))
            keys.append((reference.doc_number, None if reference.doc_number else reference.title, None))
    if not keys:
        return
    for (result, printed), target in zip(asked, session.find_matching_policies(keys), strict=True):
        result.replaces[printed] = target


def _store_group(
    session: BulkSession,
    results: list[DocumentResult],
    group: list[int],
    derived_ids: dict[int, str],
    outcomes: list[IngestOutcome | None],
    prepared: dict[int, NewRecord | None],
    *,
    update: bool,
    dry_run: bool,
) -> list[int]:
    """Match, merge and save the documents ``group`` (indexes into ``results``); returns those handled.

    The group is cut before the first document whose target policy an earlier one in it
    already targets, so each stored policy is merged with its latest version.
    """
    found = [results[i].extraction for i in group]
    matched = session.find_matching_policies(
        [(item.doc_number, item.title, item.publish_date) if item else (None, None, None) for item in found]
    )
    targets: list[str | None] = []
    lookups: list[str] = []
    seen: set[str] = set()
    for count, (index, policy_id) in enumerate(zip(group, matched, strict=True)):
        result = results[index]
        assert result.extraction is not None and result.normalised is not None
        derived = derived_ids[index]
        if (policy_id or derived) in seen:
            group, matched = group[:count], matched[:count]
            break
        seen.add(policy_id or derived)
        result.matched_policy_id = policy_id
        if policy_id is None and not result.extraction.doc_number and not result.extraction.title:
            # A document ingested before without number or title is found again by its derived id.
            targets.append(derived)
            lookups.append(derived)
        else:
            targets.append(policy_id)
            if policy_id:
                lookups.append(policy_id)
    stored_by_id = session.get_policies(lookups)
    _resolve_repeals(session, [results[index] for index in group])
    to_save: list[tuple[int, Policy]] = []
    known_hashes: list[str | None] = []
    today = date.today()
    for index, target in zip(group, targets, strict=True):
        result = results[index]
        assert result.raw is not None
        stored = stored_by_id.get(target) if target else None
        record = prepared.get(index)
        if stored is None and record is not None and record.day == today:
            policy, content_hash = record.policy, record.content_hash
        else:
            policy, content_hash = build_policy(result, stored, update=update, today=today), None
        if stored is not None and policy == stored and not update:
            # Already stored with its text: a second copy of the same document changes nothing.
            outcomes[index] = IngestOutcome(result.path, "unchanged", policy.id, policy.title)
        elif dry_run:
            status = "new" if stored is None else ("unchanged" if policy == stored else "updated")
            outcomes[index] = IngestOutcome(result.path, status, policy.id, policy.title)
        else:
            to_save.append((index, policy))
            known_hashes.append(content_hash)
    saved = session.save_policies(
        [(policy, results[index].raw.text) for index, policy in to_save],  # type: ignore[union-attr]
        known_hashes,
    )
    for (index, policy), answer in zip(to_save, saved, strict=True):
        path = results[index].path
        outcomes[index] = IngestOutcome(path, answer.status, policy.id, policy.title, reason=answer.reason)
    return group
