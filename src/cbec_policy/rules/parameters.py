"""Time-versioned rule parameters, the OpenFisca way: ``{from, to, value, source}`` periods.

Each ``rules/parameters/*.yaml`` file maps a parameter key to::

    single_limit_cny:
      description: ...           # required
      unit: CNY                  # optional
      outside: "no CBEC ..."     # optional: the answer for a date no period covers
      periods:
        - {from: 2016-04-08, to: 2018-12-31, value: 2000, source: 2016-caiguanshui-18, status: verified}

Loading validates everything and names the file and key of the first problem: unknown
keys, a missing or unknown ``source`` (a policy id of the corpus or of ``rules/sources.yaml``),
unsorted or overlapping periods, a ``to`` before its ``from``. ``from: null`` means "since
before the records start" (first period only); ``to: null`` means still in force.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError
from cbec_policy.rules.citations import Citation, cite, known_source_ids
from cbec_policy.rules.errors import ParameterFileError, RuleNotApplicableError

PARAMETER_DIR = Path(__file__).with_name("parameters")
_PARAMETER_KEYS = {"description", "unit", "outside", "periods"}
_PERIOD_KEYS = {"from", "to", "value", "source", "status", "note"}
_STATUSES = {"verified", "secondary", "uncertain"}
# Sentinels for open ends in vectorised lookups (numpy day numbers).
_MIN_DAY = np.datetime64("0001-01-01", "D")
_MAX_DAY = np.datetime64("9999-12-31", "D")


@dataclass(frozen=True)
class Period:
    """One dated value of a parameter, with the policy that sets it."""

    start: date | None  # None: since before the records start
    end: date | None  # None: still in force
    value: Any
    source: str
    status: str
    note: str = ""

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls in this period (both ends inclusive)."""
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    @property
    def citation(self) -> Citation:
        """The policy that sets this value."""
        return cite(self.source)


@dataclass(frozen=True)
class Parameter:
    """A named parameter: its periods in date order and what to answer outside them."""

    key: str
    description: str
    unit: str
    periods: tuple[Period, ...]
    outside: str
    file: str

    def at(self, day: date) -> Period:
        """The period in force on ``day``; :class:`RuleNotApplicableError` if none is."""
        for period in self.periods:
            if period.covers(day):
                return period
        first, last = self.periods[0], self.periods[-1]
        covered = f"{_fmt(first.start, 'the records start')} to {_fmt(last.end, 'now')}"
        reason = self.outside or f"{self.key} is not defined on this date (covered: {covered})"
        raise RuleNotApplicableError(day, self.key, reason)

    def value_at(self, day: date) -> Any:
        """The value in force on ``day``."""
        return self.at(day).value

    def lookup(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`at` over ``datetime64[D]`` days: (period index, covered mask).

        The index is -1 where no period covers the day.
        """
        starts = np.array([_MIN_DAY if p.start is None else np.datetime64(p.start, "D") for p in self.periods])
        ends = np.array([_MAX_DAY if p.end is None else np.datetime64(p.end, "D") for p in self.periods])
        index = np.searchsorted(starts, days, side="right") - 1
        safe = np.clip(index, 0, len(self.periods) - 1)
        covered = (index >= 0) & (days <= ends[safe])
        return np.where(covered, index, -1), covered

    def values_array(self, days: np.ndarray, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised numeric value on each day (NaN/0 where not covered) and the covered mask."""
        index, covered = self.lookup(days)
        table = np.array([float(p.value) for p in self.periods], dtype=dtype)
        return np.where(covered, table[np.clip(index, 0, None)], 0), covered


def _fmt(day: date | None, open_text: str) -> str:
    return day.isoformat() if day else open_text


class ParameterSet(Mapping[str, Parameter]):
    """All parameters by key; ``params["single_limit_cny"].value_at(day)``."""

    def __init__(self, parameters: dict[str, Parameter]) -> None:
        self._parameters = parameters

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __len__(self) -> int:
        return len(self._parameters)


def _date(value: object, where: str, key: str, field: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value), field)
    except InputError as exc:
        raise ParameterFileError(where, key, f"{field}: {exc.reason}") from None


def _parse_parameter(file: str, key: str, entry: object, sources: frozenset[str]) -> Parameter:
    if not isinstance(entry, dict):
        raise ParameterFileError(file, key, "expected a mapping with description and periods")
    unknown = set(entry) - _PARAMETER_KEYS
    if unknown:
        raise ParameterFileError(file, key, f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
    if not entry.get("description"):
        raise ParameterFileError(file, key, "description is required")
    raw_periods = entry.get("periods")
    if not isinstance(raw_periods, list) or not raw_periods:
        raise ParameterFileError(file, key, "periods must be a non-empty list")
    periods: list[Period] = []
    for number, raw in enumerate(raw_periods, start=1):
        where = f"{key} period {number}"
        if not isinstance(raw, dict):
            raise ParameterFileError(file, where, "expected a mapping {from, to, value, source}")
        unknown = set(raw) - _PERIOD_KEYS
        if unknown:
            raise ParameterFileError(file, where, f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
        for required in ("from", "to", "value", "source"):
            if required not in raw:
                raise ParameterFileError(file, where, f"{required!r} is required (use null for an open end)")
        source = raw["source"]
        if not source:
            raise ParameterFileError(file, where, "source is missing")
        if str(source) not in sources:
            raise ParameterFileError(file, where, f"unknown source {source!r} (not a policy id nor in sources.yaml)")
        status = raw.get("status", "verified")
        if status not in _STATUSES:
            raise ParameterFileError(file, where, f"status must be one of {', '.join(sorted(_STATUSES))}")
        start = _date(raw["from"], file, where, "from")
        end = _date(raw["to"], file, where, "to")
        if start is not None and end is not None and end < start:
            raise ParameterFileError(file, where, f"'to' {end} is before 'from' {start}")
        if start is None and periods:
            raise ParameterFileError(file, where, "only the first period may have an open start (from: null)")
        if periods:
            previous = periods[-1]
            if previous.end is None or start is None or start <= previous.end:
                raise ParameterFileError(file, where, "periods overlap or are not in date order")
        periods.append(Period(start, end, raw["value"], str(source), status, str(raw.get("note") or "")))
    return Parameter(
        key=key,
        description=str(entry["description"]),
        unit=str(entry.get("unit") or ""),
        periods=tuple(periods),
        outside=str(entry.get("outside") or ""),
        file=file,
    )


def load_parameters(directory: Path | None = None) -> ParameterSet:
    """Load and validate every ``*.yaml`` parameter file (the bundled ones by default, cached)."""
    if directory is None:
        return _bundled()
    return _load(directory)


@cache
def _bundled() -> ParameterSet:
    return _load(PARAMETER_DIR)


def _load(directory: Path) -> ParameterSet:
    sources = known_source_ids()
    parameters: dict[str, Parameter] = {}
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ParameterFileError(str(directory.name), None, "no parameter files (*.yaml) found")
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for 2019-02-30
            raise ParameterFileError(path.name, None, f"malformed YAML: {exc}") from None
        except OSError as exc:
            raise ParameterFileError(path.name, None, f"cannot read: {exc.strerror}") from None
        if not isinstance(data, dict):
            raise ParameterFileError(path.name, None, "expected a mapping of parameter keys")
        for key, entry in data.items():
            if key in parameters:
                raise ParameterFileError(path.name, str(key), f"duplicate key (also in {parameters[key].file})")
            parameters[str(key)] = _parse_parameter(path.name, str(key), entry, sources)
    return ParameterSet(parameters)
