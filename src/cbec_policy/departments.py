"""Department names: short forms to official full names, and issuers implied by a document number.

Documents and papers write the same department many ways (税务总局, 国家税务局, 国家税务总局);
counting, filtering and joint-issuance networks need one name per department.
"""

from __future__ import annotations

from functools import cache

from cbec_policy.docnumber import normalise_doc_number
from cbec_policy.reference import load_departments, load_doc_number_prefixes


@cache
def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for department in load_departments():
        table[department.name] = department.name
        for short in department.short_forms:
            table[short] = department.name
    return table


@cache
def english_names() -> dict[str, str]:
    """Official full name → English name of every department, for tables written in English."""
    return {department.name: department.en for department in load_departments()}


@cache
def shortest_short_forms() -> dict[str, str]:
    """Official full name → its shortest short form (海关总署 for 中华人民共和国海关总署), for chart labels."""
    return {d.name: min(d.short_forms, key=len) for d in load_departments() if d.short_forms}


def canonical_department(name: str) -> str | None:
    """The official full name for ``name`` (a full name or a short form); None when unknown.

    >>> canonical_department("税务总局")
    '国家税务总局'
    """
    cleaned = "".join(name.split())
    return _alias_table().get(cleaned) or _alias_table().get(name.strip())


def normalise_issuer(name: str) -> str:
    """Like :func:`canonical_department` but returns the input unchanged when it is not in the table."""
    return canonical_department(name) or name.strip()


@cache
def _prefixes_longest_first() -> list[tuple[str, tuple[str, ...]]]:
    return sorted(load_doc_number_prefixes(), key=lambda item: len(item[0]), reverse=True)


def issuers_for_doc_number(doc_number: str) -> list[str]:
    """Issuers implied by a document number's prefix (财关税〔2016〕18号 → three departments)."""
    canonical = normalise_doc_number(doc_number)
    compact = "".join(canonical.split())
    for prefix, issuers in _prefixes_longest_first():
        if compact.startswith("".join(prefix.split())):
            # a mandatory "GB" prefix must not swallow "GB/T"
            rest = compact[len("".join(prefix.split())) :]
            if prefix == "GB" and rest.startswith("/"):
                continue
            if rest[:1] in ("〔", "") or rest[:1].isdigit() or prefix.endswith("公告"):
                return list(issuers)
    return []
