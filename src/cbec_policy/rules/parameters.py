"""Time-versioned rule parameters, the OpenFisca way: one YAML file per parameter.

``rules/parameters/<node>/<key>.yaml``::

    description: 单次交易限值 ...      # required
    unit: CNY                         # optional
    outside: "no CBEC ..."            # optional: the answer for a date no value covers
    values:
      2016-04-08: {value: 2000, source: 2016-caiguanshui-18, status: verified}
      2019-01-01: {value: 5000, source: 2018-caiguanshui-49}
      2028-01-01: {value: null}        # optional explicit end

A value runs from its start date to the day before the next start (or is still in force);
``~`` as a key means "since before the records start". Each folder may hold an
``index.yaml`` with the node's own data (the consumption-tax categories, the low-VAT goods);
the root ``index.yaml`` gives the date the facts were compiled (the data's horizon).

Loading validates everything and names the file of the first problem: unknown keys, a
missing or unknown ``source`` (a policy id of the corpus or of ``rules/sources.yaml``),
unsorted dates, a bad status. The one vectorised lookup, :meth:`Parameter.lookup`, serves
the single-order path (:meth:`Parameter.at`) and the order file alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError
from cbec_policy.rules.citations import Citation, cite, known_source_ids
from cbec_policy.rules.errors import ParameterFileError, RuleNotApplicableError

PARAMETER_DIR = Path(__file__).with_name("parameters")
INDEX_FILE = "index.yaml"
_PARAMETER_KEYS = {"description", "unit", "outside", "values"}
_VALUE_KEYS = {"value", "source", "status", "note"}
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

    def to_dict(self) -> dict[str, Any]:
        """Plain record for JSON: dates as ISO strings, the source with its document number."""
        citation = self.citation
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "value": self.value,
            "source": self.source,
            "source_label": citation.label(),
            "status": self.status,
            "note": self.note,
        }


@dataclass(frozen=True)
class Parameter:
    """A named parameter: its periods in date order and what to answer outside them."""

    key: str
    description: str
    unit: str
    periods: tuple[Period, ...]
    outside: str
    file: str
    node: str = ""
    _bounds: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[assignment]
    _segments: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[assignment]
    _tables: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The time line cut at every start and every day after an end: between two cuts one
        # period is in force, or none (a gap after an explicit end, before the first start).
        starts = [_MIN_DAY if p.start is None else np.datetime64(p.start, "D") for p in self.periods]
        ends = [_MAX_DAY if p.end is None else np.datetime64(p.end, "D") for p in self.periods]
        bounds = np.unique(np.array([*starts, *(end + 1 for end in ends)], dtype="datetime64[D]"))
        segments = np.full(len(bounds) + 1, -1, dtype=np.int64)  # segment j: from bounds[j-1] to bounds[j]
        for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
            inside = (bounds >= start) & (bounds <= end)
            segments[1:][inside] = number
        object.__setattr__(self, "_bounds", bounds)
        object.__setattr__(self, "_segments", segments)

    def lookup(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The period index in force on each ``datetime64[D]`` day and the covered mask (-1 where none).

        One binary search among the cut days and one look-up in a table of a few entries:
        an order file asks this for every order of a chunk, the single-order path for one day.
        """
        index = self._segments[np.searchsorted(self._bounds, days, side="right")]
        return index, index >= 0

    def at(self, day: date) -> Period:
        """The period in force on ``day`` (the same lookup as the order file); RuleNotApplicableError if none."""
        index, covered = self.lookup(np.array([np.datetime64(day, "D")]))
        if covered[0]:
            return self.periods[int(index[0])]
        first, last = self.periods[0], self.periods[-1]
        covered_text = f"{_fmt(first.start, 'the records start')} to {_fmt(last.end, 'now')}"
        reason = self.outside or f"{self.key} is not defined on this date (covered: {covered_text})"
        raise RuleNotApplicableError(day, self.key, reason)

    def value_at(self, day: date) -> Any:
        """The value in force on ``day``."""
        return self.at(day).value

    def values_array(self, days: np.ndarray, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised numeric value on each day (0 where not covered) and the covered mask."""
        table = self._tables.get(np.dtype(dtype))
        if table is None:  # per segment, 0 where no period is in force; built once per type
            values = np.array([float(p.value) for p in self.periods] + [0.0], dtype=dtype)
            table = self._tables[np.dtype(dtype)] = values[self._segments]  # index -1: the trailing 0
        segment = np.searchsorted(self._bounds, days, side="right")
        return table[segment], self._segments[segment] >= 0

    @property
    def last_change(self) -> date | None:
        """The latest start date of a value (None if the only value has an open start)."""
        starts = [p.start for p in self.periods if p.start is not None]
        return max(starts) if starts else None

    def to_dict(self) -> dict[str, Any]:
        """The parameter with every dated value and its source."""
        return {
            "name": self.key,
            "node": self.node,
            "description": self.description,
            "unit": self.unit,
            "outside": self.outside,
            "values": [p.to_dict() for p in self.periods],
        }


def _fmt(day: date | None, open_text: str) -> str:
    return day.isoformat() if day else open_text


class ParameterSet(Mapping[str, Parameter]):
    """All parameters by key; ``params["single_limit_cny"].value_at(day)``; node data by folder."""

    def __init__(self, parameters: dict[str, Parameter], nodes: dict[str, dict[str, Any]]) -> None:
        self._parameters = parameters
        self.nodes = nodes

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __len__(self) -> int:
        return len(self._parameters)

    @property
    def compiled(self) -> date | None:
        """The date the verified facts were compiled: the data's horizon."""
        value = self.nodes.get("", {}).get("compiled")
        return value if isinstance(value, date) else None

    def horizon_caveat(self, day: date, keys: list[str]) -> str | None:
        """A caveat for a date after the data's horizon, naming the last change known among ``keys``."""
        compiled = self.compiled
        if compiled is None or day <= compiled:
            return None
        changes = [(self[key].last_change, key) for key in keys if self[key].last_change is not None]
        last_day, last_key = max(changes)  # type: ignore[type-var]
        period = self[last_key].at(last_day)  # type: ignore[arg-type]
        return (
            f"{day}晚于资料整理日{compiled}：此后的政策变化未收录；已知最近一次相关变更为{last_day}"
            f"（{last_key}，{period.citation.label()}）"
        )


def _date(value: object, where: str, key: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value), "start date")
    except InputError as exc:
        raise ParameterFileError(where, key, f"start date: {exc.reason}") from None


def _parse_parameter(file: str, key: str, node: str, entry: object, sources: frozenset[str]) -> Parameter:
    if not isinstance(entry, dict):
        raise ParameterFileError(file, key, "expected a mapping with description and values")
    unknown = set(entry) - _PARAMETER_KEYS
    if unknown:
        raise ParameterFileError(file, key, f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
    if not entry.get("description"):
        raise ParameterFileError(file, key, "description is required")
    raw_values = entry.get("values")
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterFileError(file, key, "values must be a non-empty mapping of start date -> value")
    dated = [(_date(start, file, key), raw) for start, raw in raw_values.items()]
    if any(start is None for start, _ in dated[1:]):
        raise ParameterFileError(file, key, "only the first value may have an open start (~)")
    starts = [start for start, _ in dated if start is not None]
    if any(a >= b for a, b in pairwise(starts)):
        raise ParameterFileError(file, key, "start dates must be in increasing order")
    periods: list[Period] = []
    for number, (start, raw) in enumerate(dated):
        where = f"{key} value from {start or '~'}"
        if not isinstance(raw, dict) or "value" not in raw:
            raise ParameterFileError(file, where, "expected a mapping {value, source}")
        unknown = set(raw) - _VALUE_KEYS
        if unknown:
            raise ParameterFileError(file, where, f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
        following = dated[number + 1][0] if number + 1 < len(dated) else None
        end = following - timedelta(days=1) if following else None
        if raw["value"] is None:  # an explicit end: the previous value stops here
            if number == 0:
                raise ParameterFileError(file, where, "the first value cannot be an end marker (null)")
            continue
        source = raw.get("source")
        if not source:
            raise ParameterFileError(file, where, "source is missing")
        if str(source) not in sources:
            raise ParameterFileError(file, where, f"unknown source {source!r} (not a policy id nor in sources.yaml)")
        status = raw.get("status", "verified")
        if status not in _STATUSES:
            raise ParameterFileError(file, where, f"status must be one of {', '.join(sorted(_STATUSES))}")
        periods.append(Period(start, end, raw["value"], str(source), status, str(raw.get("note") or "")))
    return Parameter(
        key=key,
        description=str(entry["description"]),
        unit=str(entry.get("unit") or ""),
        periods=tuple(periods),
        outside=str(entry.get("outside") or ""),
        file=file,
        node=node,
    )


def load_parameters(directory: Path | None = None) -> ParameterSet:
    """Load and validate every parameter file (the bundled tree by default, cached)."""
    if directory is None:
        return _bundled()
    return _load(directory)


@cache
def _bundled() -> ParameterSet:
    return _load(PARAMETER_DIR)


def _read(path: Path, root: Path) -> Any:
    name = path.relative_to(root).as_posix()
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for 2019-02-30
        raise ParameterFileError(name, None, f"malformed YAML: {exc}") from None
    except OSError as exc:
        raise ParameterFileError(name, None, f"cannot read: {exc.strerror}") from None


def _load(directory: Path) -> ParameterSet:
    sources = known_source_ids()
    parameters: dict[str, Parameter] = {}
    nodes: dict[str, dict[str, Any]] = {}
    files = sorted(directory.rglob("*.yaml"))
    if not any(path.name != INDEX_FILE for path in files):
        raise ParameterFileError(str(directory.name), None, "no parameter files (*.yaml) found")
    for path in files:
        name = path.relative_to(directory).as_posix()
        node = path.parent.relative_to(directory).as_posix().replace(".", "")
        data = _read(path, directory)
        if not isinstance(data, dict):
            raise ParameterFileError(name, None, "expected a mapping")
        if path.name == INDEX_FILE:
            nodes[node] = data
            continue
        key = path.stem
        if key in parameters:
            raise ParameterFileError(name, key, f"duplicate parameter name (also {parameters[key].file})")
        parameters[key] = _parse_parameter(name, key, node, data, sources)
    return ParameterSet(parameters, nodes)


def describe(params: ParameterSet, name: str | None = None, on: date | None = None) -> list[dict[str, Any]]:
    """Parameters as records with every dated value and its source; ``name`` is a parameter or a node.

    With ``on``, each record also carries ``value_on`` (None where no value is in force then).
    An unknown name is an :class:`InputError` listing the nodes.
    """
    if name is None:
        chosen = list(params.values())
    elif name in params:
        chosen = [params[name]]
    else:
        chosen = [p for p in params.values() if p.node == name or p.node.startswith(f"{name}/")]
        if not chosen:
            nodes = sorted({p.node for p in params.values()})
            raise InputError("parameter", f"unknown name {name!r}; nodes: {', '.join(nodes)}")
    records = []
    for parameter in sorted(chosen, key=lambda p: (p.node, p.key)):
        record = parameter.to_dict()
        if on is not None:
            index, covered = parameter.lookup(np.array([np.datetime64(on, "D")]))
            record["value_on"] = parameter.periods[int(index[0])].value if covered[0] else None
            record["on"] = on.isoformat()
        records.append(record)
    return records
