"""The synonym table of searches: abbreviations, official terms and English phrases that mean the same.

Three sources, each fact kept once: ``synonyms.yaml`` beside this module (CBEC vocabulary),
the department table of the reference data (税务总局 ↔ 国家税务总局) and the customs
supervision codes of the reference data (9610 ↔ 跨境贸易电子商务). Forms are normalised like queries
and documents (full-width folded, traditional → simplified) when the table is built.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from cbec_policy.errors import ReferenceDataError
from cbec_policy.query.folding import normalise_query_text
from cbec_policy.reference import load_customs_codes, load_departments

SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")
# A query word with many synonyms in several of its parts could multiply into dozens of
# alternatives; beyond this many the extra forms add cost and almost no recall.
MAX_FORMS = 12


def _groups_from_file(path: Path) -> list[tuple[str, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = data.get("groups")
    if not isinstance(groups, list):
        raise ReferenceDataError(path.name, 1, "groups", "expected a list of groups")
    out = []
    for index, group in enumerate(groups, start=1):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(f, str) and f.strip() for f in group):
            raise ReferenceDataError(path.name, index, "groups", f"group {index}: expected two or more words")
        out.append(tuple(form.strip() for form in group))
    return out


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Every group of equivalent forms, the file's first, then departments, then customs codes."""
    groups = list(_groups_from_file(SYNONYMS_FILE))
    for department in load_departments():
        if department.short_forms:
            groups.append((department.name, *department.short_forms))
    for code in load_customs_codes().values():
        # The short names (电子商务, 保税电商) are too general to stand for one code.
        groups.append((code.code, code.full_name))
    normalised = []
    for group in groups:
        forms = tuple(dict.fromkeys(normalise_query_text(form) for form in group))
        if len(forms) > 1:
            normalised.append(forms)
    return tuple(normalised)


@cache
def _forms_longest_first() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(form, its group) for every form, longest form first, so 国家税务总局 wins over 税务总局."""
    pairs = [(form.lower(), group) for group in synonym_groups() for form in group]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def expand(word: str) -> tuple[str, ...]:
    """``word`` first, then the same word with its longest known form replaced by each equivalent.

    >>> expand("综试区")[:2]
    ('综试区', '综合试验区')
    """
    lowered = word.lower()
    forms = [word]
    for form, group in _forms_longest_first():
        at = lowered.find(form)
        if at < 0:
            continue
        for other in group:
            candidate = word[:at] + other + word[at + len(form) :]
            if candidate.lower() not in (f.lower() for f in forms):
                forms.append(candidate)
        break
    return tuple(forms[:MAX_FORMS])
