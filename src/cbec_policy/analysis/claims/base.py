"""The record every claim returns, and the paper's stated figures it is tested against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from cbec_policy.analysis._data import data_path, read_yaml
from cbec_policy.analysis.stats import RobustnessRow
from cbec_policy.dates import parse_date
from cbec_policy.errors import InputError, ReferenceDataError
from cbec_policy.models import Policy

VERDICT_CODES: tuple[str, ...] = ("supported", "partly", "not_supported", "not_enough_data")


@dataclass(frozen=True)
class Claim:
    """One claim of the paper as a hypothesis with its test, robustness rows and verdict.

    Language-neutral: ``spec`` is the hypothesis as stated in ``paper_claims.yaml`` (quote,
    measure, window, test, threshold), ``primary`` the main test's result, ``robustness`` the
    sensitivity table, ``disagree`` the keys of rows whose outcome differs from the main test,
    ``numbers`` the figures a reader needs, ``events`` structured facts learned since the paper.
    The report, web and CLI turn these into sentences.
    """

    key: str
    section: str
    verdict: str
    spec: dict[str, Any] = field(default_factory=dict)
    primary: Any = None
    robustness: tuple[RobustnessRow, ...] = ()
    disagree: tuple[str, ...] = ()
    numbers: dict[str, Any] = field(default_factory=dict)
    events: tuple[dict[str, Any], ...] = ()


@cache
def _bundled_claims() -> dict[str, Any]:
    return read_yaml(data_path("paper_claims.yaml"))


def load_paper_claims(path: Path | None = None) -> dict[str, Any]:
    """The paper's stated numbers and hypotheses (``paper_claims.yaml`` or a file of the same shape)."""
    data = _bundled_claims() if path is None else read_yaml(path)
    for key in ("pilot_zones", "trade_figures", "claims"):
        if key not in data:
            raise ReferenceDataError("paper_claims.yaml", None, key, "section is missing")
    return data


def claim_spec(paper: dict[str, Any], key: str) -> dict[str, Any]:
    """The stated hypothesis of one claim, or a :class:`ReferenceDataError` naming it."""
    try:
        return dict(paper["claims"][key])
    except KeyError:
        raise ReferenceDataError("paper_claims.yaml", None, f"claims.{key}", "hypothesis is missing") from None


def as_date(value: object, where: str) -> date:
    """A YAML date or ISO text as a date."""
    if isinstance(value, date):
        return value
    return parse_date(str(value), where)


def paper_cutoff(policies: Sequence[Policy]) -> date | None:
    """The latest date in the paper's Table 1: documents after it are news to the paper."""
    days = []
    for policy in policies:
        if policy.paper is not None and policy.paper.date_text:
            try:
                days.append(parse_date(policy.paper.date_text, f"{policy.id} paper date"))
            except InputError:
                continue
    return max(days) if days else None
