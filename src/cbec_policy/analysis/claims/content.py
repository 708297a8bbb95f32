"""§3.2 ① "content keeps widening" and §2.2's nodes as tests on the national corpus.

The yearly Shannon diversity rises with the number of documents in a year, so years with
many documents are not comparable with years with few; the main measure is therefore the
number of themes *per document*, which does not grow with volume, averaged per year. The
cumulative number of themes reached cannot fall and is reported, never tested.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean
from typing import Any

from cbec_policy.analysis.claims.base import Claim, claim_spec
from cbec_policy.analysis.corpus import cbec_policies
from cbec_policy.analysis.evolution import shannon, theme_widening
from cbec_policy.analysis.periods import Framework, bundled_frameworks
from cbec_policy.analysis.stats import (
    NOT_ENOUGH,
    RobustnessRow,
    contingency_test,
    trend_test,
    verdict_from,
)
from cbec_policy.labels import THEMES
from cbec_policy.models import Policy

_THEME_ORDER = [label.code for label in THEMES]


def _in_window(policies: Sequence[Policy], start: int | None, end: int | None) -> list[Policy]:
    return [
        p
        for p in policies
        if p.publish_date is not None
        and (start is None or p.publish_date.year >= start)
        and (end is None or p.publish_date.year <= end)
    ]


def _yearly_mean_themes(policies: Sequence[Policy]) -> list[tuple[float, float]]:
    years: dict[int, list[int]] = {}
    for policy in policies:
        years.setdefault(policy.publish_date.year, []).append(len(set(policy.themes)))  # type: ignore[union-attr]
    return [(year, mean(values)) for year, values in sorted(years.items())]


def _yearly_shannon(policies: Sequence[Policy]) -> list[tuple[float, float]]:
    years: dict[int, list[Policy]] = {}
    for policy in policies:
        years.setdefault(policy.publish_date.year, []).append(policy)  # type: ignore[union-attr]
    points = []
    for year, items in sorted(years.items()):
        if len(items) >= 2:
            counts: dict[str, int] = {}
            for p in items:
                for theme in set(p.themes):
                    counts[theme] = counts.get(theme, 0) + 1
            # Summed in theme order: a set's order follows the hash seed and would move the last digit.
            points.append((year, shannon(counts[theme] for theme in sorted(counts))))
    return points


def _document_points(policies: Sequence[Policy]) -> list[tuple[float, float]]:
    return [
        (p.publish_date.toordinal() / 365.25, float(len(set(p.themes))))  # type: ignore[union-attr]
        for p in policies
    ]


def _row(key: str, dimension: str, variant: str, points: list[tuple[float, float]], alpha: float) -> RobustnessRow:
    test = trend_test(points, alpha=alpha)
    return RobustnessRow(key, dimension, variant, test.outcome, test, tuple(points))


def claim_content_widening(policies: Sequence[Policy], paper: dict[str, Any]) -> Claim:
    """① as a trend test of themes per document, with its sensitivity table."""
    spec = claim_spec(paper, "content_widening")
    alpha = float(paper.get("alpha", 0.05))
    start, end = spec["window"].get("start"), spec["window"].get("end")
    national = [p for p in cbec_policies(policies) if p.themes]
    inside = _in_window(national, start, end)
    primary = trend_test(_yearly_mean_themes(inside), alpha=alpha)
    rows = [
        _row("measure:shannon", "measure", "shannon_yearly", _yearly_shannon(inside), alpha),
        _row("measure:document", "measure", "per_document", _document_points(inside), alpha),
        _row(
            "window:latest", "window", "through_latest", _yearly_mean_themes(_in_window(national, start, None)), alpha
        ),
        _row("window:from_2015", "window", "from_2015", _yearly_mean_themes(_in_window(national, 2015, end)), alpha),
        _row(
            "corpus:table1",
            "corpus",
            "paper_table1",
            _yearly_mean_themes([p for p in inside if p.paper is not None]),
            alpha,
        ),
    ]
    verdict, disagree = verdict_from(str(spec.get("expected", "up")), primary.outcome, rows)
    widening = theme_widening(inside)
    full = next((row["year"] for row in widening if row["cumulative_themes"] == len(THEMES)), None)
    return Claim(
        key="content_widening",
        section=str(spec["section"]),
        verdict=verdict,
        spec=spec,
        primary=primary,
        robustness=tuple(rows),
        disagree=tuple(disagree),
        numbers={
            "documents": len(inside),
            "documents_outside_window": len(national) - len(inside),
            "all_themes_year": full,
            "first_year": widening[0]["year"] if widening else None,
            "first_year_themes": widening[0]["cumulative_themes"] if widening else None,
        },
    )


def claim_period_theme_mix(
    policies: Sequence[Policy], paper: dict[str, Any], frameworks: Sequence[Framework] | None = None
) -> Claim:
    """§2.2: does the theme mix differ between the paper's own nodes (framework ``d``)?"""
    spec = claim_spec(paper, "period_theme_mix")
    alpha = float(paper.get("alpha", 0.05))
    framework = next(f for f in (frameworks or bundled_frameworks()) if f.key == "d")
    national = [p for p in cbec_policies(policies) if p.themes and p.publish_date]
    start, end = spec["window"].get("start"), spec["window"].get("end")

    def test_of(items: Sequence[Policy]) -> Any:
        groups, labels = [], []
        for policy in items:
            period = framework.period_of(policy.publish_date)
            if period is not None:
                groups.append(period.key)
                labels.append(tuple(policy.themes))
        return contingency_test(
            groups, labels, alpha=alpha, group_order=[p.key for p in framework.periods], label_order=_THEME_ORDER
        )

    inside = _in_window(national, start, end)
    primary = test_of(inside)
    variants = (
        ("window:latest", "window", "through_latest", _in_window(national, start, None)),
        ("corpus:table1", "corpus", "paper_table1", [p for p in inside if p.paper is not None]),
    )
    rows = []
    for key, dimension, variant, items in variants:
        test = test_of(items)
        rows.append(RobustnessRow(key, dimension, variant, test.outcome, None, (), details={"contingency": test}))
    outcome = primary.outcome if primary.outcome != NOT_ENOUGH else NOT_ENOUGH
    verdict, disagree = verdict_from("differs", outcome, rows)
    return Claim(
        key="period_theme_mix",
        section=str(spec["section"]),
        verdict=verdict,
        spec=spec,
        primary=primary,
        robustness=tuple(rows),
        disagree=tuple(disagree),
        numbers={"documents": primary.n, "framework": framework.key},
    )
