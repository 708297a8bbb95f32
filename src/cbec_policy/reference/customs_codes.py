"""Load and validate the customs supervision mode codes (``reference/customs_codes.yaml``).

The codes (9610, 1210, 1239, 9710, 9810) are reference facts: the search synonyms read their
full names and the rules cite the announcements that created them. This loader checks the
file's shape (known keys, required keys, dates) and keeps the policy ids as written; the
rules resolve them to citations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from cbec_policy.errors import ReferenceDataError
from cbec_policy.reference.files import reference_path

CUSTOMS_CODES_FILE = reference_path("customs_codes.yaml")
_KEYS = {
    "full_name", "short_name", "direction", "created_by", "dated", "effective", "effective_status",
    "expanded_by", "status", "zh", "en",
}  # fmt: skip
_REQUIRED = {"full_name", "short_name", "direction", "created_by", "effective", "status", "zh", "en"}


@dataclass(frozen=True)
class CustomsCodeEntry:
    """One supervision mode code as the file states it; sources are policy ids, not yet resolved."""

    code: str
    full_name: str
    short_name: str
    direction: tuple[str, ...]
    effective: date
    effective_status: str
    dated: date | None
    zh: str
    en: str
    created_by: str
    expanded_by: tuple[str, ...]


def _date(value: object, path: Path, code: str, key: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        raise ReferenceDataError(path.name, None, f"{code}.{key}", f"not a date: {value!r}")
    return value


def _entry(path: Path, code: str, entry: Any) -> CustomsCodeEntry:
    if not isinstance(entry, dict):
        raise ReferenceDataError(path.name, None, code, "expected a mapping")
    if set(entry) - _KEYS:
        raise ReferenceDataError(path.name, None, code, f"unknown keys: {', '.join(sorted(set(entry) - _KEYS))}")
    if _REQUIRED - set(entry):
        raise ReferenceDataError(path.name, None, code, f"missing keys: {', '.join(sorted(_REQUIRED - set(entry)))}")
    effective = _date(entry["effective"], path, code, "effective")
    if effective is None:
        raise ReferenceDataError(path.name, None, f"{code}.effective", "a code needs the day it took effect")
    return CustomsCodeEntry(
        code=code,
        full_name=entry["full_name"],
        short_name=entry["short_name"],
        direction=tuple(entry["direction"]),
        effective=effective,
        effective_status=str(entry.get("effective_status", entry["status"])),
        dated=_date(entry.get("dated"), path, code, "dated"),
        zh=entry["zh"],
        en=entry["en"],
        created_by=str(entry["created_by"]),
        expanded_by=tuple(str(source) for source in entry.get("expanded_by", [])),
    )


def load_customs_codes(path: Path | None = None) -> dict[str, CustomsCodeEntry]:
    """Every supervision code by code, in file order (the bundled file by default)."""
    path = path or CUSTOMS_CODES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReferenceDataError(path.name, None, None, f"malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ReferenceDataError(path.name, None, None, "expected a mapping of codes")
    return {str(code): _entry(path, str(code), entry) for code, entry in data.items()}
