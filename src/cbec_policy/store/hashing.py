"""Stable content hashes of records, so re-saving identical data is recognised as "unchanged"."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from typing import Any

_SCALARS = (str, int, float, bool, type(None))
_FIELDS: dict[type, tuple[str, ...]] = {}  # dataclass field names by class, looked up once


def _plain(value: Any) -> Any:
    # Checked most frequent kind first: records are mostly strings and numbers, and a hash is
    # computed for every saved document. Scalars inside containers are taken as they are
    # without a call, which is most of the values of a record.
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {str(key): item if type(item) in _SCALARS else _plain(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [item if type(item) in _SCALARS else _plain(item) for item in value]
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS.setdefault(kind, tuple(f.name for f in dataclasses.fields(value)))
    if names is not None:
        plain = {}
        for name in names:
            item = getattr(value, name)
            plain[name] = item if type(item) in _SCALARS else _plain(item)
        return plain
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


# ``json.dumps`` with these options builds this same encoder on every call; built once here.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def record_hash(*values: Any) -> str:
    """SHA-256 of the values' canonical JSON (dataclasses, dates, tuples and dicts included)."""
    text = _ENCODER.encode([_plain(value) for value in values])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
