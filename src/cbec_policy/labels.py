"""Closed vocabularies used across the system, with Chinese and English labels and colours.

The vocabularies live in one data file, ``vocabularies.yaml`` beside this module; this module
only loads them. Codes are stable in JSON, URLs and CSV; labels are what users read. Every
lookup accepts the code, the Chinese or the English label, so ``--type 税收类`` and
``--type tax`` agree. Turning a code into the text of one language is the front ends' layer:
:func:`cbec_policy.i18n.label` (one table, one answer in each language).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from cbec_policy.errors import InputError, ReferenceDataError

VOCABULARIES_FILE = Path(__file__).with_name("vocabularies.yaml")
# The words of results (verdicts, test outcomes, provenance …): same shape, kept apart from the
# closed vocabularies that people filter and search by.
RESULT_LABELS_FILE = Path(__file__).with_name("result_labels.yaml")


@dataclass(frozen=True)
class Label:
    """One entry of a vocabulary."""

    code: str
    zh: str
    en: str
    colour: str = ""


def read_vocabularies(path: Path) -> dict[str, tuple[Label, ...]]:
    """Every vocabulary of a file shaped like ``vocabularies.yaml``, by name, in the file's order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: dict[str, tuple[Label, ...]] = {}
    for name, entries in data.items():
        labels = []
        for index, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not {"code", "zh", "en"} <= set(entry):
                raise ReferenceDataError(path.name, None, name, f"entry {index} needs code, zh and en")
            labels.append(Label(str(entry["code"]), str(entry["zh"]), str(entry["en"]), str(entry.get("colour", ""))))
        out[name] = tuple(labels)
    return out


@cache
def vocabularies() -> dict[str, tuple[Label, ...]]:
    """Every vocabulary of the data file, by name, in the file's order."""
    return read_vocabularies(VOCABULARIES_FILE)


@cache
def result_labels() -> dict[str, tuple[Label, ...]]:
    """The labels of result codes (``claim_verdicts``, ``test_outcomes``, ``provenance`` …), by name."""
    return read_vocabularies(RESULT_LABELS_FILE)


def vocabulary(name: str) -> tuple[Label, ...]:
    """One vocabulary (``policy_types``, ``themes``, ``statuses`` …) or list of result labels
    (``claim_verdicts`` …); KeyError for an unknown name."""
    found = vocabularies().get(name)
    return found if found is not None else result_labels()[name]


# Table 1 of the paper groups policies in exactly this order.
POLICY_TYPES: tuple[Label, ...] = vocabulary("policy_types")
# §3.1 of the paper: the seven content themes.
THEMES: tuple[Label, ...] = vocabulary("themes")
# Validity status in the convention of Chinese legal databases.
STATUSES: tuple[Label, ...] = vocabulary("statuses")
# 效力级别 in two levels, as legal databases classify documents: the national or local tier,
# then the form. Inferred from the issuer and the document's form (令, 条例, 法).
LEGAL_FORCES: tuple[Label, ...] = vocabulary("legal_forces")
LEVELS: tuple[Label, ...] = vocabulary("levels")
# The four economic regions of China's statistics (东部/中部/西部/东北).
REGIONS: tuple[Label, ...] = vocabulary("regions")

# Directed relation verbs between policies and the verb seen from the other side.
RELATION_INVERSES: dict[str, str] = {
    "amends": "amended_by",
    "extends": "extended_by",
    "replaces": "replaced_by",
    "implements": "implemented_by",
    "supplements": "supplemented_by",
    "related": "related",
}
RELATION_INVERSES.update({v: k for k, v in list(RELATION_INVERSES.items())})


@cache
def _index(name: str) -> dict[str, Label]:
    table: dict[str, Label] = {}
    for entry in vocabulary(name):
        table.setdefault(entry.code, entry)
        table.setdefault(entry.zh, entry)
        table.setdefault(entry.en.lower(), entry)
    return table


def lookup(name: str, value: object) -> Label | None:
    """The entry of vocabulary ``name`` for ``value`` (code, Chinese or English label; True/False/None
    for ``in_force``), or None when the value is not in it."""
    if name == "in_force" and (value is None or isinstance(value, bool)):
        value = {True: "true", False: "false", None: "null"}[value]
    if value is None:
        return None
    key = str(value).strip()
    table = _index(name)
    return table.get(key) or table.get(key.lower())


def colour(name: str, value: object) -> str:
    """The colour of ``value`` in vocabulary ``name`` ('' when it has none)."""
    found = lookup(name, value)
    return found.colour if found is not None else ""


def find_label(vocabulary_: tuple[Label, ...], value: str, what: str) -> Label:
    """Return the entry whose code, Chinese or English label equals ``value``.

    Raises :class:`InputError` naming ``what`` and listing the accepted values.
    """
    wanted = value.strip()
    for entry in vocabulary_:
        if wanted in (entry.code, entry.zh) or wanted.lower() == entry.en.lower():
            return entry
    accepted = ", ".join(f"{entry.zh} ({entry.code})" for entry in vocabulary_)
    raise InputError(what, f"unknown value {value!r}; accepted: {accepted}")


def type_by_zh(zh: str) -> Label:
    """The policy type whose Chinese label is ``zh`` (e.g. 税收类)."""
    return find_label(POLICY_TYPES, zh, "policy type")
