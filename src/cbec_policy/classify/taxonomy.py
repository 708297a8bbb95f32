"""Load and validate the classification scheme (``taxonomy.yaml``): types, themes, instruments, relevance.

The scheme is data so that a researcher can read every cue and its weight, and change them
without touching code. A type or theme entry carries its code, definitions and cues; its zh and
en labels are the vocabulary's (``vocabularies.yaml`` through :mod:`cbec_policy.labels`), never
repeated here. Loading checks everything a typo could break (codes against the vocabulary,
weights, regular expressions, duplicate terms) and names the place of the first problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cbec_policy.classify.base import Margins
from cbec_policy.classify.textcheck import fold
from cbec_policy.errors import InputError, ReferenceDataError
from cbec_policy.labels import POLICY_TYPES, THEMES, Label

_BUNDLED = Path(__file__).with_name("taxonomy.yaml")
_MAX_WEIGHT = 20.0


@dataclass(frozen=True)
class Cue:
    """A regular expression cue (title or document number) with its weight."""

    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class Category:
    """One label of the scheme with its definition and weighted cues."""

    code: str
    zh: str
    en: str
    definition_zh: str
    definition_en: str
    terms: dict[str, float]
    title_patterns: tuple[Cue, ...] = ()
    doc_number_patterns: tuple[Cue, ...] = ()
    # tried against the body once each (e.g. a customs code with digit boundaries, which a plain
    # substring would also find inside tariff numbers or telephone numbers)
    text_patterns: tuple[Cue, ...] = ()
    issuers: dict[str, float] = field(default_factory=dict)
    side: str | None = None  # instruments only: supply / environment / demand


@dataclass(frozen=True)
class Axis:
    """Scoring settings of one multi-label axis: score = 1 - exp(-raw / scale)."""

    scale: float
    threshold: float


@dataclass(frozen=True)
class Passing:
    """When body mentions of relevance cues are only passing ones (see taxonomy.yaml: passing).

    Terms of at least ``core_weight`` point at CBEC on their own; weaker ones only support them.
    Without a cue in the title, number or a strong pattern, the relevance raw is multiplied by
    ``factor`` when the document has no core term at all, or fewer than ``min_mentions`` core
    mentions none of which stands in the opening sentence or a heading of at most
    ``heading_chars`` characters.
    """

    core_weight: float
    min_mentions: int
    heading_chars: int
    factor: float


@dataclass(frozen=True)
class Scoring:
    """Global scoring settings (see the comments in taxonomy.yaml)."""

    title_multiplier: float
    repeat_cap: float
    reference_chars: int
    relevance: Axis
    passing: Passing
    themes: Axis
    instruments: Axis
    breadth_type: str
    breadth_min_themes: int
    breadth_weight: float
    uncertain: Margins


@dataclass(frozen=True)
class Taxonomy:
    """The whole scheme: relevance, seven types, seven themes, instrument sides and sub-instruments."""

    version: int
    scoring: Scoring
    relevance: Category
    types: tuple[Category, ...]
    themes: tuple[Category, ...]
    sides: tuple[Category, ...]
    instruments: tuple[Category, ...]

    def type_codes(self) -> list[str]:
        """Type codes in the paper's order."""
        return [c.code for c in self.types]

    def theme_codes(self) -> list[str]:
        """Theme codes in the paper's order."""
        return [c.code for c in self.themes]

    def instrument_codes(self) -> list[str]:
        """Sub-instrument codes, e.g. ``supply.talent``."""
        return [c.code for c in self.instruments]

    def side_codes(self) -> list[str]:
        """Instrument side codes: supply, environment, demand."""
        return [c.code for c in self.sides]

    def find(self, axis: str, value: str) -> Category:
        """The category of ``axis`` (type/theme/instrument/side) whose code, zh or en label is ``value``."""
        pools = {"type": self.types, "theme": self.themes, "instrument": self.instruments + self.sides}
        pool = pools[axis]
        wanted = value.strip()
        for category in pool:
            if wanted in (category.code, category.zh) or wanted.lower() == category.en.lower():
                return category
        accepted = ", ".join(f"{c.zh} ({c.code})" for c in pool)
        raise InputError(axis, f"unknown {axis} {value!r}; accepted: {accepted}")


class _Reader:
    """Walks the parsed YAML and raises errors that name the file and the path inside it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, where: str, reason: str) -> ReferenceDataError:
        return ReferenceDataError(self.name, None, where, reason)

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(where, "expected a mapping")
        return value

    def text(self, data: dict[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{where}.{key}", "a non-empty text is required")
        return value.strip()

    def number(self, data: dict[str, Any], key: str, where: str, low: float = 0.0) -> float:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low < float(value) <= 1e6:
            raise self.error(f"{where}.{key}", f"expected a number above {low}, got {value!r}")
        return float(value)

    def weight(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(where, f"weight must be a number, got {value!r}")
        if value == 0 or abs(value) > _MAX_WEIGHT:
            raise self.error(where, f"weight must be non-zero and within ±{_MAX_WEIGHT:g}, got {value!r}")
        return float(value)

    def weighted(self, value: Any, where: str, folded: bool) -> dict[str, float]:
        if value is None:
            return {}
        data = self.mapping(value, where)
        result: dict[str, float] = {}
        for term, weight in data.items():
            key = str(term).strip()
            if not key:
                raise self.error(where, "empty term")
            if folded:
                key = fold(key)
            if key in result:
                raise self.error(where, f"duplicate term {term!r}")
            result[key] = self.weight(weight, f"{where}.{term}")
        return result

    def cues(self, value: Any, where: str) -> tuple[Cue, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.error(where, "expected a list of {pattern, weight}")
        cues = []
        for index, item in enumerate(value):
            here = f"{where}[{index}]"
            entry = self.mapping(item, here)
            source = self.text(entry, "pattern", here)
            try:
                pattern = re.compile(source, re.IGNORECASE)
            except re.error as exc:
                raise self.error(f"{here}.pattern", f"bad regular expression {source!r}: {exc}") from None
            cues.append(Cue(pattern, self.weight(entry.get("weight"), f"{here}.weight")))
        return tuple(cues)

    def category(self, value: Any, where: str, side: str | None = None, label: Label | None = None) -> Category:
        """One label of the scheme; a vocabulary ``label`` gives its zh and en, which the entry must not repeat."""
        data = self.mapping(value, where)
        if label is not None:
            repeated = [key for key in ("zh", "en") if key in data]
            if repeated:
                raise self.error(f"{where}.{repeated[0]}", "labels come from vocabularies.yaml; give the code only")
        return Category(
            code=self.text(data, "code", where),
            zh=label.zh if label is not None else self.text(data, "zh", where),
            en=label.en if label is not None else self.text(data, "en", where),
            definition_zh=self.text(data, "definition_zh", where),
            definition_en=self.text(data, "definition_en", where),
            terms=self.weighted(data.get("terms"), f"{where}.terms", folded=True),
            title_patterns=self.cues(data.get("title_patterns"), f"{where}.title_patterns"),
            doc_number_patterns=self.cues(data.get("doc_number_patterns"), f"{where}.doc_number_patterns"),
            text_patterns=self.cues(data.get("text_patterns"), f"{where}.text_patterns"),
            issuers=self.weighted(data.get("issuers"), f"{where}.issuers", folded=False),
            side=side,
        )

    def axis(self, value: Any, where: str) -> Axis:
        data = self.mapping(value, where)
        threshold = self.number(data, "threshold", where)
        if threshold >= 1:
            raise self.error(f"{where}.threshold", "must be below 1")
        return Axis(scale=self.number(data, "scale", where), threshold=threshold)


def _vocabulary_categories(reader: _Reader, items: Any, expected: tuple[Label, ...], where: str) -> list[Category]:
    """Types or themes: exactly the codes of the vocabulary, in its (the paper's) order, labelled from it."""
    entries = [reader.mapping(item, f"{where}[{i}]") for i, item in enumerate(items or [])]
    got = [entry.get("code") for entry in entries]
    want = [label.code for label in expected]
    if got != want:
        raise reader.error(where, f"codes must be those of vocabularies.yaml in its order, {want}, got {got}")
    return [
        reader.category(entry, f"{where}[{i}]", label=label)
        for i, (entry, label) in enumerate(zip(entries, expected, strict=True))
    ]


def parse_taxonomy(data: Any, name: str = "taxonomy.yaml") -> Taxonomy:
    """Validate parsed YAML and build a :class:`Taxonomy`; errors name ``name`` and the place."""
    reader = _Reader(name)
    root = reader.mapping(data, "(top level)")
    scoring_data = reader.mapping(root.get("scoring"), "scoring")
    breadth = reader.mapping(scoring_data.get("breadth"), "scoring.breadth")
    uncertain_data = reader.mapping(scoring_data.get("uncertain"), "scoring.uncertain")
    types = _vocabulary_categories(reader, root.get("types"), POLICY_TYPES, "types")
    themes = _vocabulary_categories(reader, root.get("themes"), THEMES, "themes")
    instruments_data = reader.mapping(root.get("instruments"), "instruments")
    sides = [reader.category(item, f"instruments.sides[{i}]") for i, item in enumerate(instruments_data.get("sides"))]
    side_codes = {s.code for s in sides}
    if side_codes != {"supply", "environment", "demand"}:
        raise reader.error("instruments.sides", f"expected supply, environment and demand, got {sorted(side_codes)}")
    items = []
    for index, item in enumerate(instruments_data.get("items") or []):
        where = f"instruments.items[{index}]"
        side = reader.text(reader.mapping(item, where), "side", where)
        if side not in side_codes:
            raise reader.error(f"{where}.side", f"unknown side {side!r}")
        category = reader.category(item, where, side=side)
        if not category.code.startswith(side + "."):
            raise reader.error(f"{where}.code", f"code must start with {side + '.'!r}")
        items.append(category)
    codes = [c.code for c in items]
    if len(set(codes)) != len(codes) or not codes:
        raise reader.error("instruments.items", "codes must be present and unique")
    passing_data = reader.mapping(scoring_data.get("passing"), "scoring.passing")
    passing = Passing(
        core_weight=reader.number(passing_data, "core_weight", "scoring.passing"),
        min_mentions=int(reader.number(passing_data, "min_mentions", "scoring.passing")),
        heading_chars=int(reader.number(passing_data, "heading_chars", "scoring.passing")),
        factor=reader.number(passing_data, "factor", "scoring.passing"),
    )
    if passing.factor > 1:
        raise reader.error("scoring.passing.factor", "must be at most 1")
    breadth_type = reader.text(breadth, "type", "scoring.breadth")
    if breadth_type not in {c.code for c in types}:
        raise reader.error("scoring.breadth.type", f"unknown type {breadth_type!r}")
    for category in [*types, *themes, *items]:
        if not category.terms and not category.title_patterns and not category.doc_number_patterns:
            raise reader.error(category.code, "a label needs at least one cue")
    scoring = Scoring(
        title_multiplier=reader.number(scoring_data, "title_multiplier", "scoring"),
        repeat_cap=reader.number(scoring_data, "repeat_cap", "scoring"),
        reference_chars=int(reader.number(scoring_data, "reference_chars", "scoring")),
        relevance=reader.axis(scoring_data.get("relevance"), "scoring.relevance"),
        passing=passing,
        themes=reader.axis(scoring_data.get("themes"), "scoring.themes"),
        instruments=reader.axis(scoring_data.get("instruments"), "scoring.instruments"),
        breadth_type=breadth_type,
        breadth_min_themes=int(reader.number(breadth, "min_themes", "scoring.breadth")),
        breadth_weight=reader.number(breadth, "weight_per_theme", "scoring.breadth"),
        uncertain=Margins(
            relevance=reader.number(uncertain_data, "relevance", "scoring.uncertain"),
            type=reader.number(uncertain_data, "type", "scoring.uncertain"),
        ),
    )
    version = root.get("version")
    if not isinstance(version, int):
        raise reader.error("version", "an integer version is required")
    return Taxonomy(
        version=version,
        scoring=scoring,
        relevance=reader.category(root.get("relevance"), "relevance"),
        types=tuple(types),
        themes=tuple(themes),
        sides=tuple(sides),
        instruments=tuple(items),
    )


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The bundled scheme, or a researcher's own file of the same shape at ``path``."""
    if path is None:
        return _bundled()
    return _read(path)


@cache
def _bundled() -> Taxonomy:
    return _read(_BUNDLED)


def _read(path: Path) -> Taxonomy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReferenceDataError(str(path.name), None, None, f"cannot read: {exc.strerror}") from None
    try:
        data = yaml.load(text, Loader=yaml.CSafeLoader)  # the C parser: the scheme is read at every start
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReferenceDataError(path.name, mark.line + 1 if mark else None, None, "malformed YAML") from None
    return parse_taxonomy(data, path.name)
