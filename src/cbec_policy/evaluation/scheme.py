"""PMC schemes as data: primary variables, their binary secondaries, grade bands, surface layout.

A PMC (Policy Modeling Consistency) index scores a policy on primary variables X1…Xn, each the
mean of its binary secondary variables (a primary without secondaries is itself one binary
variable, as 政策公开 often is); PMC = ΣXi. Studies differ in their variables, their grade
bands and the order in which the 3×3 surface is filled, so all of that lives in a YAML scheme:
``load_scheme("cbec-default")`` or ``load_scheme("family-doctor-2022")`` loads a bundled one,
``load_scheme("my_scheme.yaml")`` a researcher's own file of the same shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cbec_policy.errors import InputError, ReferenceDataError

SCHEME_DIR = Path(__file__).with_name("schemes")
DATA_DIR = Path(__file__).with_name("data")
DEFAULT_SCHEME = "cbec-default"
SURFACE_ORDERS = ("column", "row")
# What a secondary's ``cues`` may hold: each key names one way of coding it (see coding.py).
CUE_KINDS = ("terms", "patterns", "issuers", "min_issuers", "levels", "themes", "instruments", "years", "published")
CONFIDENCE_KEYS = (
    "metadata",
    "classifier",
    "title",
    "text_once",
    "text_repeated",
    "absent_full_text",
    "absent_summary",
)


@dataclass(frozen=True)
class Cues:
    """How a binary variable is coded from a document: any cue that fires codes it 1."""

    terms: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    issuers: tuple[str, ...] = ()
    min_issuers: int = 0  # coded 1 when the document has at least this many issuers (joint issuance)
    levels: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    years: tuple[float, float] | None = None  # span of the policy's horizon in years, inclusive
    published: bool = False


@dataclass(frozen=True)
class Variable:
    """A binary (0/1) variable: a secondary, or a primary that has no secondaries."""

    code: str
    zh: str
    en: str
    definition: str
    cues: Cues

    @property
    def column(self) -> str:
        """Matrix CSV header of the variable, e.g. ``X1.1 预测``."""
        return f"{self.code} {self.zh}"


@dataclass(frozen=True)
class Primary:
    """A primary variable: its score is the mean of its binary variables."""

    code: str
    zh: str
    en: str
    definition: str
    variables: tuple[Variable, ...]  # its secondaries, or itself as one binary variable


@dataclass(frozen=True)
class Grade:
    """A grade band: a PMC (rounded to the scheme's decimals) of at least ``min`` earns it."""

    zh: str
    en: str
    min: float


@dataclass(frozen=True)
class Scheme:
    """A whole PMC scheme."""

    name: str
    zh: str
    en: str
    source: str
    primaries: tuple[Primary, ...]
    grades: tuple[Grade, ...]  # highest first
    decimals: int
    surface_variables: tuple[str, ...]
    surface_rows: int
    surface_order: str  # column (fill down the columns first) or row
    confidence: dict[str, float]
    reference_matrix: str | None = None
    published_results: str | None = None
    path: Path | None = field(default=None, compare=False)

    @property
    def variables(self) -> tuple[Variable, ...]:
        """Every binary variable in matrix-column order."""
        return tuple(v for p in self.primaries for v in p.variables)

    def primary(self, code: str) -> Primary:
        """The primary variable with this code."""
        for primary in self.primaries:
            if primary.code == code:
                return primary
        raise KeyError(code)

    def grade(self, pmc_rounded: float) -> Grade:
        """The band of a rounded PMC value."""
        for band in self.grades:
            if pmc_rounded >= band.min:
                return band
        return self.grades[-1]

    def with_surface_order(self, order: str) -> Scheme:
        """The same scheme with the surface filled in another order (``column`` or ``row``)."""
        if order not in SURFACE_ORDERS:
            raise InputError("surface order", f"{order!r} is not one of {', '.join(SURFACE_ORDERS)}")
        return Scheme(**{**self.__dict__, "surface_order": order})


def bundled_schemes() -> list[str]:
    """Names of the bundled schemes."""
    return sorted(path.stem for path in SCHEME_DIR.glob("*.yaml"))


def load_scheme(name_or_path: str | Path | None = None) -> Scheme:
    """A bundled scheme by name (default ``cbec-default``) or a scheme file by path."""
    key = str(name_or_path or DEFAULT_SCHEME)
    if key in bundled_schemes():
        return _load_file(SCHEME_DIR / f"{key}.yaml")
    path = Path(key)
    if not path.is_file():
        raise InputError(
            f"--scheme {key}", f"neither a bundled scheme ({', '.join(bundled_schemes())}) nor a readable file"
        )
    return _load_file(path.resolve())


@cache
def _load_file(path: Path) -> Scheme:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReferenceDataError(path.name, None, None, f"cannot read the scheme: {exc}") from None
    return _parse(raw, path)


def _need(mapping: Any, key: str, where: str, path: Path) -> Any:
    if not isinstance(mapping, dict) or mapping.get(key) in (None, ""):
        raise ReferenceDataError(path.name, None, where, f"'{key}' is required")
    return mapping[key]


def _strings(value: Any, where: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str | int) for item in value):
        raise ReferenceDataError(path.name, None, where, "must be a list of strings")
    return tuple(str(item) for item in value)


def _cues(raw: Any, where: str, path: Path) -> Cues:
    if raw is None:
        raise ReferenceDataError(path.name, None, where, "a binary variable needs 'cues' saying how it is coded")
    unknown = set(raw) - set(CUE_KINDS)
    if unknown:
        raise ReferenceDataError(path.name, None, where, f"unknown cue kinds {sorted(unknown)}; known: {CUE_KINDS}")
    patterns = []
    for pattern in _strings(raw.get("patterns"), f"{where}.patterns", path):
        try:
            patterns.append(re.compile(pattern))
        except re.error as exc:
            raise ReferenceDataError(path.name, None, f"{where}.patterns", f"bad pattern {pattern!r}: {exc}") from None
    years = None
    if raw.get("years") is not None:
        span = raw["years"]
        if not isinstance(span, dict) or not set(span) <= {"min", "max"}:
            raise ReferenceDataError(path.name, None, f"{where}.years", "must be {min: N, max: N}")
        years = (float(span.get("min", 0)), float(span.get("max", float("inf"))))
    return Cues(
        terms=_strings(raw.get("terms"), f"{where}.terms", path),
        patterns=tuple(patterns),
        issuers=_strings(raw.get("issuers"), f"{where}.issuers", path),
        min_issuers=int(raw.get("min_issuers", 0)),
        levels=_strings(raw.get("levels"), f"{where}.levels", path),
        themes=_strings(raw.get("themes"), f"{where}.themes", path),
        instruments=_strings(raw.get("instruments"), f"{where}.instruments", path),
        years=years,
        published=bool(raw.get("published", False)),
    )


def _variable(raw: Any, where: str, path: Path) -> Variable:
    return Variable(
        code=str(_need(raw, "code", where, path)),
        zh=str(_need(raw, "zh", where, path)),
        en=str(raw.get("en", "")),
        definition=str(_need(raw, "definition", where, path)),
        cues=_cues(raw.get("cues"), f"{where}.cues", path),
    )


def _primary(raw: Any, index: int, path: Path) -> Primary:
    where = f"primaries[{index}]"
    code = str(_need(raw, "code", where, path))
    secondaries = raw.get("secondaries") or []
    if secondaries:
        variables = tuple(_variable(item, f"{code}.secondaries[{i}]", path) for i, item in enumerate(secondaries))
        for variable in variables:
            if not variable.code.startswith(f"{code}."):
                raise ReferenceDataError(path.name, None, variable.code, f"a secondary of {code} must be {code}.N")
    else:
        variables = (_variable({**raw, "definition": raw.get("definition")}, where, path),)
    return Primary(code, str(raw["zh"]), str(raw.get("en", "")), str(raw.get("definition", "")), variables)


def _parse(raw: Any, path: Path) -> Scheme:
    primaries = tuple(_primary(item, i, path) for i, item in enumerate(_need(raw, "primaries", "scheme", path)))
    codes = [v.code for p in primaries for v in p.variables] + [p.code for p in primaries]
    duplicates = sorted({c for c in codes if codes.count(c) > 1} - {p.code for p in primaries if len(p.variables) == 1})
    if duplicates:
        raise ReferenceDataError(path.name, None, "primaries", f"duplicate variable codes {duplicates}")
    grades = tuple(
        Grade(str(_need(g, "zh", "grades", path)), str(g.get("en", "")), float(_need(g, "min", "grades", path)))
        for g in _need(raw, "grades", "scheme", path)
    )
    if [g.min for g in grades] != sorted((g.min for g in grades), reverse=True):
        raise ReferenceDataError(path.name, None, "grades", "bands must be listed from the highest minimum down")
    surface = _need(raw, "surface", "scheme", path)
    variables = _strings(_need(surface, "variables", "surface", path), "surface.variables", path)
    rows = int(_need(surface, "rows", "surface", path))
    order = str(surface.get("order", "column"))
    known = {p.code for p in primaries}
    if order not in SURFACE_ORDERS or not set(variables) <= known or len(variables) % rows:
        raise ReferenceDataError(
            path.name,
            None,
            "surface",
            f"needs primaries of this scheme, a row count dividing them, order {SURFACE_ORDERS}",
        )
    confidence = {key: float(value) for key, value in (raw.get("confidence") or {}).items()}
    missing = set(CONFIDENCE_KEYS) - set(confidence)
    if missing:
        raise ReferenceDataError(path.name, None, "confidence", f"missing {sorted(missing)}")
    return Scheme(
        name=str(_need(raw, "name", "scheme", path)),
        zh=str(raw.get("zh", "")),
        en=str(raw.get("en", "")),
        source=str(raw.get("source", "")),
        primaries=primaries,
        grades=grades,
        decimals=int(raw.get("decimals", 2)),
        surface_variables=variables,
        surface_rows=rows,
        surface_order=order,
        confidence=confidence,
        reference_matrix=raw.get("reference_matrix"),
        published_results=raw.get("published_results"),
        path=path,
    )
