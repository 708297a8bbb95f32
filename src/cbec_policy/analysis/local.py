"""Local differentiation (§3.2 ④): does each province's policy mix differ from the national one?

A province's theme profile (share of theme mentions in its documents) is compared with the
national profile by cosine distance (0 = same mix, 1 = nothing in common). The bundled data
holds national documents only, so until local documents are ingested the honest answer is
"local documents are needed" — never a profile made up from national rows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cbec_policy.analysis.provinces import find_province
from cbec_policy.labels import THEMES
from cbec_policy.models import Policy

MIN_DOCUMENTS = 3  # fewer themed documents than this make a profile too thin to compare
LOCAL_LEVELS = frozenset({"provincial", "municipal"})
UNKNOWN_PROVINCE = "未知"


def theme_profile(policies: Iterable[Policy]) -> dict[str, float]:
    """Share of each theme among all theme mentions of ``policies`` (every theme code present, zeros kept)."""
    counts = Counter(theme for policy in policies for theme in set(policy.themes))
    total = sum(counts.values())
    return {label.code: (counts.get(label.code, 0) / total if total else 0.0) for label in THEMES}


def cosine_distance(left: Mapping[str, float], right: Mapping[str, float]) -> float | None:
    """1 − cosine similarity of two profiles over the same keys; None when either is all zeros."""
    keys = set(left) | set(right)
    dot = sum(left.get(k, 0.0) * right.get(k, 0.0) for k in keys)
    norm_left = math.sqrt(sum(left.get(k, 0.0) ** 2 for k in keys))
    norm_right = math.sqrt(sum(right.get(k, 0.0) ** 2 for k in keys))
    if norm_left == 0 or norm_right == 0:
        return None
    return max(0.0, 1.0 - dot / (norm_left * norm_right))


def province_of(policy: Policy) -> str:
    """The province a local policy belongs to, from its ``region`` field; 未知 when it cannot be told."""
    if not policy.region:
        return UNKNOWN_PROVINCE
    found = find_province(policy.region)
    return found.name if found else policy.region.strip()


@dataclass(frozen=True)
class LocalComparison:
    """Result of the local-vs-national comparison, or the plain statement that data is missing."""

    available: bool
    national_count: int
    local_count: int
    message_zh: str
    message_en: str
    national_profile: dict[str, float]
    rows: list[dict[str, Any]] = field(default_factory=list)


def is_local(policy: Policy) -> bool:
    """Whether a policy was issued below the national level."""
    return policy.level in LOCAL_LEVELS


def local_differentiation(policies: Iterable[Policy]) -> LocalComparison:
    """Theme profile of each province's documents against the national profile (cosine distance)."""
    items = list(policies)
    national = [p for p in items if not is_local(p) and p.themes]
    local = [p for p in items if is_local(p)]
    national_profile = theme_profile(national)
    if not local:
        return LocalComparison(
            available=False,
            national_count=len(national),
            local_count=0,
            message_zh="库中只有国家层面的政策文件；要检验地方政策的差异化，需要先导入各省市的地方政策文件。",
            message_en="The store holds national documents only; local (provincial or municipal) documents must be "
            "ingested before local differentiation can be measured.",
            national_profile=national_profile,
        )
    by_province: dict[str, list[Policy]] = {}
    for policy in local:
        by_province.setdefault(province_of(policy), []).append(policy)
    rows = []
    for province, documents in sorted(by_province.items(), key=lambda item: (-len(item[1]), item[0])):
        themed = [p for p in documents if p.themes]
        profile = theme_profile(themed)
        distance = cosine_distance(profile, national_profile) if themed else None
        gaps = {code: profile[code] - national_profile.get(code, 0.0) for code in profile}
        emphasis = max(gaps, key=lambda code: gaps[code]) if themed else None
        rows.append(
            {
                "province": province,
                "documents": len(documents),
                "themed_documents": len(themed),
                "enough_documents": len(themed) >= MIN_DOCUMENTS,
                "cosine_distance": round(distance, 4) if distance is not None else None,
                "emphasis_theme": emphasis,
                **{f"share_{code}": round(share, 3) for code, share in profile.items()},
            }
        )
    enough = sum(1 for row in rows if row["enough_documents"])
    return LocalComparison(
        available=enough > 0,
        national_count=len(national),
        local_count=len(local),
        message_zh=f"{len(local)} 份地方政策文件，{len(rows)} 个省级地区；其中 {enough} 个地区有至少 "
        f"{MIN_DOCUMENTS} 份已标注主题的文件，可与全国主题结构比较。",
        message_en=f"{len(local)} local documents from {len(rows)} provinces; {enough} of them have at least "
        f"{MIN_DOCUMENTS} themed documents and can be compared with the national theme profile.",
        national_profile=national_profile,
        rows=rows,
    )
