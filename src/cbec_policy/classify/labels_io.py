"""A researcher's own coding as CSV: import into the store, export from it.

Columns: ``id`` or ``doc_number`` (one is enough), ``type``, ``themes``, ``instruments`` and,
optionally, ``is_cbec``. Labels may be codes or Chinese labels (``tax`` or ``税收类``); several
themes or instruments are separated by ``;``, ``；`` or ``、``. An empty cell leaves that axis as
it is. Every row is checked before anything is written: an unknown class or an id that is not
in the store is an error naming the file and row, and then nothing changes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from cbec_policy.classify.taxonomy import Taxonomy, load_taxonomy
from cbec_policy.classify.training import RESEARCHER_METHOD, researcher_labelled
from cbec_policy.errors import InputError
from cbec_policy.models import Policy

EXPORT_COLUMNS = ("id", "doc_number", "title", "type", "themes", "instruments", "is_cbec", "labelled_by")
_SPLIT = re.compile(r"[;；、]")
_YES = {"yes", "y", "true", "1", "是"}
_NO = {"no", "n", "false", "0", "否"}


class PolicyStore(Protocol):
    """The part of the store this module needs (see cbec_policy.store)."""

    def get_policy(self, id_or_doc_number: str) -> Policy | None: ...

    def save_policy(self, policy: Policy, *, original_text: str | None = None) -> str: ...


@dataclass(frozen=True)
class LabelRow:
    """One checked row of a label file: which policy, and the labels given (None = not given)."""

    line: int
    key: str  # the id or document number as written
    policy_type: str | None
    themes: tuple[str, ...] | None
    instruments: tuple[str, ...] | None
    is_cbec: bool | None

    def axes(self) -> list[str]:
        """Names of the axes this row labels."""
        given = {"policy_type": self.policy_type, "themes": self.themes, "instruments": self.instruments,
                 "is_cbec": self.is_cbec}  # fmt: skip
        return [name for name, value in given.items() if value is not None]


def _items(value: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(value) if part.strip()]


def parse_label_rows(text: str, source: str, taxonomy: Taxonomy | None = None) -> list[LabelRow]:
    """Check every row of a label CSV; raise one InputError naming the first bad row (and how many)."""
    taxonomy = taxonomy or load_taxonomy()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {name.strip() for name in reader.fieldnames or [] if name}
    if not header & {"id", "doc_number"}:
        raise InputError(source, "needs an 'id' or 'doc_number' column")
    if not header & {"type", "themes", "instruments", "is_cbec"}:
        raise InputError(source, "needs at least one of the columns type, themes, instruments, is_cbec")
    rows: list[LabelRow] = []
    errors: list[InputError] = []
    for values in reader:
        line = reader.line_num
        cells = {(k or "").strip(): (v or "").strip() for k, v in values.items() if k is not None}
        if not any(cells.values()):
            continue  # blank line
        where = f"{source}, row {line}"
        try:
            rows.append(_parse_row(cells, line, where, taxonomy))
        except InputError as exc:
            errors.append(exc)
    if errors:
        more = f" (and {len(errors) - 1} more bad rows)" if len(errors) > 1 else ""
        raise InputError(errors[0].source, errors[0].reason + more)
    if not rows:
        raise InputError(source, "no label rows")
    seen: dict[str, int] = {}
    for row in rows:
        if row.key in seen:
            raise InputError(f"{source}, row {row.line}", f"{row.key!r} is already labelled in row {seen[row.key]}")
        seen[row.key] = row.line
    return rows


def _parse_row(cells: dict[str, str], line: int, where: str, taxonomy: Taxonomy) -> LabelRow:
    key = cells.get("id") or cells.get("doc_number") or ""
    if not key:
        raise InputError(where, "neither id nor doc_number is given")

    def find(axis: str, value: str) -> str:
        try:
            return taxonomy.find(axis, value).code
        except InputError as exc:
            raise InputError(where, exc.reason) from None

    type_cell = cells.get("type", "")
    themes_cell = cells.get("themes", "")
    instruments_cell = cells.get("instruments", "")
    relevance_cell = cells.get("is_cbec", "").lower()
    if relevance_cell and relevance_cell not in _YES | _NO:
        raise InputError(where, f"is_cbec must be yes or no, got {cells.get('is_cbec')!r}")
    return LabelRow(
        line=line,
        key=key,
        policy_type=find("type", type_cell) if type_cell else None,
        themes=tuple(dict.fromkeys(find("theme", item) for item in _items(themes_cell))) if themes_cell else None,
        instruments=(
            tuple(dict.fromkeys(find("instrument", item) for item in _items(instruments_cell)))
            if instruments_cell
            else None
        ),
        is_cbec=(relevance_cell in _YES) if relevance_cell else None,
    )


def read_label_file(path: Path, taxonomy: Taxonomy | None = None) -> list[LabelRow]:
    """Read and check a label CSV file (UTF-8, with or without BOM)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text") from None
    return parse_label_rows(text, path.name)


def resolve_rows(rows: Sequence[LabelRow], store: PolicyStore, source: str) -> list[tuple[LabelRow, Policy]]:
    """Find the stored policy of every row; an unknown id or number is an error naming the row."""
    resolved = []
    owners: dict[str, int] = {}
    for row in rows:
        policy = store.get_policy(row.key)
        if policy is None:
            raise InputError(f"{source}, row {row.line}", f"no stored policy with id or doc_number {row.key!r}")
        if policy.id in owners:
            raise InputError(f"{source}, row {row.line}", f"policy {policy.id!r} is already labelled in row "
                             f"{owners[policy.id]}")  # fmt: skip
        owners[policy.id] = row.line
        resolved.append((row, policy))
    return resolved


def labelled_policy(row: LabelRow, policy: Policy, source: str) -> Policy:
    """``policy`` with the row's labels, marked as a researcher's coding (axes merged with earlier imports)."""
    changes: dict[str, Any] = {}
    if row.policy_type is not None:
        changes["policy_type"] = row.policy_type
    if row.themes is not None:
        changes["themes"] = row.themes
    if row.instruments is not None:
        changes["instruments"] = row.instruments
    if row.is_cbec is not None:
        changes["is_cbec"] = row.is_cbec
    earlier = researcher_labelled(policy)
    if earlier is not None and set(row.axes()) <= earlier and replace(policy, **changes) == policy:
        return policy  # the same coding again: keep its provenance, write nothing
    previous = dict(policy.classification_evidence or {})
    evidence: dict[str, Any] = {
        "method": RESEARCHER_METHOD,
        "labelled": sorted((earlier or set()) | set(row.axes())),
        "source": source,
        "row": row.line,
    }
    # keep the machine's evidence for the axes the researcher left alone
    machine = previous.get("classifier") if earlier is not None else (previous or None)
    if machine:
        evidence["classifier"] = machine
    changes["classification_evidence"] = evidence
    return replace(policy, **changes)


def relabelled(
    policy: Policy,
    source: str,
    *,
    policy_type: str | None = None,
    themes: tuple[str, ...] | None = None,
    is_cbec: bool | None = None,
) -> Policy:
    """``policy`` with the given axes relabelled as a researcher's coding (None = axis left alone)."""
    row = LabelRow(line=0, key=policy.id, policy_type=policy_type, themes=themes, instruments=None, is_cbec=is_cbec)
    return labelled_policy(row, policy, source)


def import_labels(path: Path, store: PolicyStore) -> list[tuple[str, str]]:
    """Check the whole file, then write each labelled policy; returns (policy id, store outcome)."""
    rows = read_label_file(path)
    resolved = resolve_rows(rows, store, path.name)
    updated = [labelled_policy(row, policy, path.name) for row, policy in resolved]
    return [(policy.id, store.save_policy(policy)) for policy in updated]


def export_rows(policies: Iterable[Policy], taxonomy: Taxonomy | None = None) -> list[dict[str, Any]]:
    """One row per policy in the import format (plus title and who labelled it)."""
    rows = []
    for policy in policies:
        axes = researcher_labelled(policy)
        if axes is not None:
            labelled_by = RESEARCHER_METHOD
        else:
            labelled_by = str((policy.classification_evidence or {}).get("method") or policy.source or "")
        rows.append(
            {
                "id": policy.id,
                "doc_number": policy.doc_number or "",
                "title": policy.title,
                "type": policy.policy_type or "",
                "themes": ";".join(policy.themes),
                "instruments": ";".join(policy.instruments),
                "is_cbec": "" if policy.is_cbec is None else ("yes" if policy.is_cbec else "no"),
                "labelled_by": labelled_by,
            }
        )
    return rows


def export_csv(policies: Iterable[Policy]) -> str:
    """The export rows as CSV text (UTF-8; the header is the import format's)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(policies))
    return buffer.getvalue()
