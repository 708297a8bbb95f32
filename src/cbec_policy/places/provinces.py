"""Province names as people write them (浙江, 浙江省, Zhejiang, 臺灣), for list filters."""

from __future__ import annotations

import difflib

from cbec_policy.errors import InputError
from cbec_policy.places.hierarchy import hierarchy
from cbec_policy.places.names import name_keys, query_key


def find_provinces(text: str, what: str = "--province") -> list[str]:
    """Full names of the province-level units ``text`` names; an unknown name is an error with suggestions."""
    found = [p.name for p in hierarchy().find(text) if p.is_provincial]
    if found:
        return found
    provinces = [p for p in hierarchy().places.values() if p.is_provincial]
    keys: dict[str, str] = {}
    for province in provinces:
        for key in name_keys(province.name, with_pinyin=query_key(text).isascii()):
            keys.setdefault(key, province.name)
    close = difflib.get_close_matches(query_key(text), list(keys), n=5, cutoff=0.5)
    hint = f"; close matches: {', '.join(dict.fromkeys(keys[k] for k in close))}" if close else ""
    raise InputError(what, f"{text!r} is not a province-level division{hint}")
