"""Customs supervision mode codes used in CBEC (9610, 1210, 1239, 9710, 9810).

Read from ``reference/customs_codes.yaml`` by the reference loader (unknown keys, missing keys
and bad dates are errors naming the file and code); here each source id is resolved to a
citation, and an unknown policy id is an error naming the file and code. Each code cites the
announcement that created it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from cbec_policy.errors import InputError
from cbec_policy.reference import CUSTOMS_CODES_FILE, load_customs_codes
from cbec_policy.rules.citations import Citation, cite, known_source_ids
from cbec_policy.rules.errors import ParameterFileError


@dataclass(frozen=True)
class SupervisionCode:
    """One supervision mode code with its meaning and the announcement that created it."""

    code: str
    full_name: str
    short_name: str
    direction: tuple[str, ...]
    effective: date
    effective_status: str
    dated: date | None
    zh: str
    en: str
    created_by: Citation
    expanded_by: tuple[Citation, ...]

    def in_use_on(self, day: date) -> bool:
        """Whether the code existed on ``day``."""
        return day >= self.effective

    def to_dict(self) -> dict[str, Any]:
        """The result as a record; amounts stay Decimal (JSON writers emit them as numbers)."""
        return {
            "code": self.code,
            "full_name": self.full_name,
            "short_name": self.short_name,
            "direction": list(self.direction),
            "effective": self.effective.isoformat(),
            "effective_status": self.effective_status,
            "dated": self.dated.isoformat() if self.dated else None,
            "zh": self.zh,
            "en": self.en,
            "created_by": self.created_by.to_dict(),
            "expanded_by": [c.to_dict() for c in self.expanded_by],
        }


def load_codes(path: Path | None = None) -> dict[str, SupervisionCode]:
    """All supervision codes by code (the bundled file by default, cached)."""
    return _load(path) if path else _bundled()


@cache
def _bundled() -> dict[str, SupervisionCode]:
    return _load(None)


def _load(path: Path | None) -> dict[str, SupervisionCode]:
    entries = load_customs_codes(path)
    name = (path or CUSTOMS_CODES_FILE).name
    known = known_source_ids()
    codes = {}
    for code, entry in entries.items():
        for source in [entry.created_by, *entry.expanded_by]:
            if source not in known:
                raise ParameterFileError(name, code, f"unknown policy id {source!r}")
        codes[code] = SupervisionCode(
            code=code,
            full_name=entry.full_name,
            short_name=entry.short_name,
            direction=entry.direction,
            effective=entry.effective,
            effective_status=entry.effective_status,
            dated=entry.dated,
            zh=entry.zh,
            en=entry.en,
            created_by=cite(entry.created_by),
            expanded_by=tuple(cite(source) for source in entry.expanded_by),
        )
    return codes


def explain_code(code: str) -> SupervisionCode:
    """The named code; an unknown code is an :class:`InputError` listing the known ones."""
    codes = load_codes()
    key = code.strip()
    if key not in codes:
        raise InputError("CODE", f"unknown supervision code {code!r}; known: {', '.join(codes)}")
    return codes[key]
