"""Customs supervision mode codes used in CBEC (9610, 1210, 1239, 9710, 9810).

Loaded from ``rules/codes.yaml`` and validated: unknown keys and unknown policy ids are
errors naming the file and code. Each code cites the announcement that created it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cbec_policy.errors import InputError
from cbec_policy.rules.citations import Citation, cite, known_source_ids
from cbec_policy.rules.errors import ParameterFileError

CODES_FILE = Path(__file__).with_name("codes.yaml")
_KEYS = {
    "full_name", "short_name", "direction", "created_by", "dated", "effective", "effective_status",
    "expanded_by", "status", "zh", "en",
}  # fmt: skip
_REQUIRED = {"full_name", "short_name", "direction", "created_by", "effective", "status", "zh", "en"}


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


def _date(value: object, code: str, key: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        raise ParameterFileError(CODES_FILE.name, f"{code}.{key}", f"not a date: {value!r}")
    return value


def load_codes(path: Path | None = None) -> dict[str, SupervisionCode]:
    """All supervision codes by code (the bundled file by default, cached)."""
    return _load(path or CODES_FILE) if path else _bundled()


@cache
def _bundled() -> dict[str, SupervisionCode]:
    return _load(CODES_FILE)


def _load(path: Path) -> dict[str, SupervisionCode]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterFileError(path.name, None, f"malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ParameterFileError(path.name, None, "expected a mapping of codes")
    known = known_source_ids()
    codes = {}
    for raw_code, entry in data.items():
        code = str(raw_code)
        if not isinstance(entry, dict):
            raise ParameterFileError(path.name, code, "expected a mapping")
        if set(entry) - _KEYS:
            raise ParameterFileError(path.name, code, f"unknown keys: {', '.join(sorted(set(entry) - _KEYS))}")
        if _REQUIRED - set(entry):
            raise ParameterFileError(path.name, code, f"missing keys: {', '.join(sorted(_REQUIRED - set(entry)))}")
        for source in [entry["created_by"], *entry.get("expanded_by", [])]:
            if source not in known:
                raise ParameterFileError(path.name, code, f"unknown policy id {source!r}")
        codes[code] = SupervisionCode(
            code=code,
            full_name=entry["full_name"],
            short_name=entry["short_name"],
            direction=tuple(entry["direction"]),
            effective=_date(entry["effective"], code, "effective"),  # type: ignore[arg-type]
            effective_status=str(entry.get("effective_status", entry["status"])),
            dated=_date(entry.get("dated"), code, "dated"),
            zh=entry["zh"],
            en=entry["en"],
            created_by=cite(entry["created_by"]),
            expanded_by=tuple(cite(s) for s in entry.get("expanded_by", [])),
        )
    return codes


def explain_code(code: str) -> SupervisionCode:
    """The named code; an unknown code is an :class:`InputError` listing the known ones."""
    codes = load_codes()
    key = code.strip()
    if key not in codes:
        raise InputError("CODE", f"unknown supervision code {code!r}; known: {', '.join(codes)}")
    return codes[key]
