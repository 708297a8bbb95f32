"""A stored policy's time and legal force as the front ends show them: dates, 时效性 on given days, 效力级别.

The dates come from the policy's columns (施行日期, 失效日期) and from the extraction evidence of an
ingested document (成文日期, 发布日期, the repeal references and the inferred 效力级别). 时效性 on a
day follows from the dates (see :func:`cbec_policy.ingest.extract.timeline.status_on`); a policy
that a stored one ``replaces`` is 已失效 from the replacing policy's 施行日期 on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cbec_policy.ingest.extract.timeline import status_on
from cbec_policy.models import Policy


@dataclass(frozen=True)
class RepealShown:
    """A document a repeal clause of this policy names: resolved to a stored policy or not."""

    printed: str
    target_id: str | None


@dataclass
class PolicyTimeline:
    """What the policy page and ``policies show`` print about time and legal force."""

    written_date: date | None
    release_date: date | None
    effective_date: date | None
    end_date: date | None
    legal_force: str | None  # code of labels.LEGAL_FORCES
    repeals: list[RepealShown] = field(default_factory=list)
    status_on: list[tuple[date, str]] = field(default_factory=list)  # (day, code of labels.STATUSES)


def _iso(value: object) -> date | None:
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _earliest(relations: list[tuple[str, Policy]], kind: str) -> date | None:
    """The earliest 施行日期 (else date) of the stored policies related to this one by ``kind``."""
    days = [
        day for relation, other in relations if relation == kind and (day := other.effective_date or other.publish_date)
    ]
    return min(days) if days else None


def _status(policy: Policy, day: date, replaced: date | None, amended: date | None) -> str:
    """时效性 on ``day`` from the dates, then what the stored status and the relations add."""
    code = status_on(
        day, policy.effective_date, policy.end_date, policy.publish_date, replaced=bool(replaced and day >= replaced)
    )
    if code != "现行有效":
        return code
    if amended is not None and day >= amended and policy.status in ("已被修改", "部分失效"):
        return policy.status  # amended from the amending policy's 施行日期 on
    if policy.status == "已失效" and policy.end_date is None and replaced is None:
        # Repealed, but no date says since when: certain for today, unknown for a past day.
        return "已失效" if day >= date.today() else "unknown"
    return code


def policy_timeline(policy: Policy, relations: list[tuple[str, Policy]], days: list[date]) -> PolicyTimeline:
    """The policy's dates, 效力级别, repeal references and 时效性 on each of ``days``."""
    evidence = policy.extraction_evidence or {}
    recorded = evidence.get("timeline") if isinstance(evidence, dict) else None
    recorded = recorded if isinstance(recorded, dict) else {}
    release = evidence.get("release_date") if isinstance(evidence, dict) else None
    force = recorded.get("legal_force")
    repeals = [
        RepealShown(str(item.get("printed", "")), item.get("target_id"))
        for item in recorded.get("repeals", [])
        if isinstance(item, dict)
    ]
    replaced, amended = _earliest(relations, "replaced_by"), _earliest(relations, "amended_by")
    statuses = [(day, _status(policy, day, replaced, amended)) for day in days]
    return PolicyTimeline(
        written_date=_iso(recorded.get("written_date")) or policy.publish_date,
        release_date=_iso(release.get("value")) if isinstance(release, dict) else None,
        effective_date=policy.effective_date,
        end_date=policy.end_date,
        legal_force=force,
        repeals=repeals,
        status_on=statuses,
    )
