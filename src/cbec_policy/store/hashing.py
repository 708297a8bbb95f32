"""Stable content hashes of records, so re-saving identical data is recognised as "unchanged"."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from typing import Any


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def record_hash(*values: Any) -> str:
    """SHA-256 of the values' canonical JSON (dataclasses, dates, tuples and dicts included)."""
    text = json.dumps([_plain(value) for value in values], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
