"""The periodisation frameworks of §2.2 and the assignment of every policy to a period in each.

The paper cites three published frameworks and adds its own three nodes after 2013. They
disagree on where the boundaries lie, so each policy is placed in every framework side by
side; a policy outside a framework's span is reported as outside rather than forced into one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from cbec_policy.analysis._data import data_path, read_yaml
from cbec_policy.errors import ReferenceDataError
from cbec_policy.models import Policy

PERIOD_OUTSIDE = "outside"  # key used when a date falls in no period of a framework
PERIOD_UNKNOWN = "unknown"  # key used when the policy has no date


@dataclass(frozen=True)
class Period:
    """One period of a framework; years inclusive, ``None`` meaning open-ended."""

    key: str
    zh: str
    en: str
    start: int | None
    end: int | None

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in this period (by calendar year, as the frameworks are stated)."""
        return (self.start is None or day.year >= self.start) and (self.end is None or day.year <= self.end)

    def span_text(self) -> str:
        """The period's years as text, e.g. ``2012–2016`` or ``2017–``."""
        start = "" if self.start is None else str(self.start)
        end = "" if self.end is None else str(self.end)
        return f"{start}–{end}"


@dataclass(frozen=True)
class Framework:
    """A periodisation scheme: non-overlapping periods in time order."""

    key: str
    zh: str
    en: str
    periods: tuple[Period, ...]

    def period_of(self, day: date | None) -> Period | None:
        """The period holding ``day``; None when the day is unknown or outside every period."""
        if day is None:
            return None
        for period in self.periods:
            if period.contains(day):
                return period
        return None


def _optional_year(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ReferenceDataError("periods.yaml", None, where, f"expected a year or null, got {value!r}")


def load_frameworks(path: Path | None = None) -> list[Framework]:
    """The frameworks in ``periods.yaml`` (or a file of the same shape), validated for order and overlap."""
    source = path or data_path("periods.yaml")
    data = read_yaml(source)
    frameworks = []
    for index, entry in enumerate(data.get("frameworks") or [], start=1):
        where = f"frameworks[{index}]"
        try:
            periods = tuple(
                Period(
                    key=str(p["key"]),
                    zh=str(p["zh"]),
                    en=str(p["en"]),
                    start=_optional_year(p.get("start"), f"{where}.{p['key']}.start"),
                    end=_optional_year(p.get("end"), f"{where}.{p['key']}.end"),
                )
                for p in entry["periods"]
            )
            framework = Framework(key=str(entry["key"]), zh=str(entry["zh"]), en=str(entry["en"]), periods=periods)
        except (KeyError, TypeError) as exc:
            raise ReferenceDataError(source.name, None, where, f"malformed framework: missing {exc}") from None
        _check_order(framework, source.name)
        frameworks.append(framework)
    if not frameworks:
        raise ReferenceDataError(source.name, None, "frameworks", "no framework defined")
    return frameworks


def _check_order(framework: Framework, file_name: str) -> None:
    """Periods must run forward without overlap, or one date could land in two periods."""
    previous_end: int | None = None
    for number, period in enumerate(framework.periods):
        if period.start is not None and period.end is not None and period.start > period.end:
            raise ReferenceDataError(file_name, None, f"{framework.key}.{period.key}", "start after end")
        if number > 0:
            if previous_end is None or period.start is None or period.start <= previous_end:
                raise ReferenceDataError(file_name, None, f"{framework.key}.{period.key}", "overlaps the period before")
        previous_end = period.end


@cache
def bundled_frameworks() -> tuple[Framework, ...]:
    """The bundled frameworks, loaded once."""
    return tuple(load_frameworks())


@dataclass(frozen=True)
class PeriodAssignment:
    """Where one policy falls in each framework (period key, or ``outside`` / ``unknown``)."""

    policy_id: str
    title: str
    day: date | None
    periods: dict[str, str]


def assign_periods(policies: Iterable[Policy], frameworks: Sequence[Framework] | None = None) -> list[PeriodAssignment]:
    """Place every policy (by publish date) in every framework."""
    chosen = list(frameworks if frameworks is not None else bundled_frameworks())
    result = []
    for policy in policies:
        periods = {}
        for framework in chosen:
            if policy.publish_date is None:
                periods[framework.key] = PERIOD_UNKNOWN
            else:
                found = framework.period_of(policy.publish_date)
                periods[framework.key] = found.key if found else PERIOD_OUTSIDE
        result.append(PeriodAssignment(policy.id, policy.title, policy.publish_date, periods))
    return result


def period_counts(
    assignments: Iterable[PeriodAssignment], frameworks: Sequence[Framework] | None = None
) -> list[dict[str, object]]:
    """Rows ``framework, period, span, policies`` counting policies per period (outside/unknown included)."""
    chosen = list(frameworks if frameworks is not None else bundled_frameworks())
    items = list(assignments)
    rows: list[dict[str, object]] = []
    for framework in chosen:
        counts = Counter(item.periods.get(framework.key, PERIOD_UNKNOWN) for item in items)
        for period in framework.periods:
            rows.append(
                {
                    "framework": framework.key,
                    "framework_zh": framework.zh,
                    "framework_en": framework.en,
                    "period": period.key,
                    "period_zh": period.zh,
                    "period_en": period.en,
                    "span": period.span_text(),
                    "policies": counts.get(period.key, 0),
                }
            )
        extras = (
            (PERIOD_OUTSIDE, "不在任何阶段", "outside every period"),
            (PERIOD_UNKNOWN, "日期未知", "date unknown"),
        )
        for extra, zh, en in extras:
            if counts.get(extra):
                rows.append(
                    {
                        "framework": framework.key,
                        "framework_zh": framework.zh,
                        "framework_en": framework.en,
                        "period": extra,
                        "period_zh": zh,
                        "period_en": en,
                        "span": "",
                        "policies": counts[extra],
                    }
                )
    return rows
