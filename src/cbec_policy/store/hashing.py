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


def _as_json(value: Any) -> Any:
    """What :func:`_plain` makes of a value the JSON encoder does not know, one level at a time."""
    if isinstance(value, date):
        return value.isoformat()
    names = _FIELDS.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS.setdefault(type(value), tuple(f.name for f in dataclasses.fields(value)))
    if names is not None:
        return {name: getattr(value, name) for name in names}
    return str(value)


# The encoder's C loop walks dicts, lists and tuples itself and calls ``_as_json`` only for
# dataclasses and dates, so a saved document's nested evidence is not copied into plain
# containers first. With ``check_circular`` off, the C encoder is used for the whole record.
_FAST_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_as_json, check_circular=False)


def _has_unusual_keys(text: str) -> bool:
    """True when the encoded text shows a dict key that ``_plain`` would spell differently.

    ``_plain`` turns every key into ``str(key)``; the encoder spells ``True``/``False``/``None``
    keys as ``"true"``/``"false"``/``"null"``. Such keys are never written by the store, but a
    record that may hold one is hashed the reference way, so the hash never depends on the path.
    """
    return '"true":' in text or '"false":' in text or '"null":' in text


def record_hash(*values: Any) -> str:
    """SHA-256 of the values' canonical JSON (dataclasses, dates, tuples and dicts included).

    The canonical JSON is that of :func:`_plain`'s plain copy; the fast encoder produces the
    same text without building the copy (a hash is computed for every saved document).
    """
    try:
        text = _FAST_ENCODER.encode(list(values))
    except (TypeError, ValueError, RecursionError):
        # keys of mixed or non-JSON types: only the plain copy (``str`` of every key) sorts them
        text = ""
    if not text or _has_unusual_keys(text):
        text = _ENCODER.encode([_plain(value) for value in values])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
