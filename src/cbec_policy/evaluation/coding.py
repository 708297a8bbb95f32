"""Code every binary variable of a PMC scheme from a policy: its text, metadata and classification.

A variable is coded 1 as soon as one of its cues fires, and the first cue that fired is kept as
its evidence: a character span in the field it was found in (``title``, ``text``, ``issuers``,
``dates``, ``themes`` …), the matched term, how it was coded (``metadata``, ``classifier`` or
``cue``) and a confidence from the scheme. Metadata and classification cues are tried before
text cues because they are coded facts, not guesses. A 0 carries a confidence too: lower when
only a title and summary were read, since the full text may hold the cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from cbec_policy.classify import apply_classification, load_zh_summaries, needs_classification
from cbec_policy.evaluation.scheme import Scheme, Variable
from cbec_policy.models import Policy

_CONTEXT = 18
_DAYS_PER_YEAR = 365.25
# A stated validity (有效期为3年, valid for 5 years) or a target year (到2025年) gives the horizon.
_VALIDITY = re.compile(r"有效期(?:为|至)?\s*(\d{1,2})\s*年|valid for (\d{1,2}) years?", re.IGNORECASE)
_TARGET_YEAR = re.compile(r"(?:到|至|by )\s*(20\d\d)\s*年?", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    """Why a variable was coded 1."""

    method: str  # metadata / classifier / cue
    field: str
    start: int | None
    end: int | None
    matched: str
    excerpt: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class CodedPolicy:
    """One policy coded on every binary variable of a scheme."""

    policy_id: str
    title: str
    values: dict[str, int]
    confidence: dict[str, float]
    evidence: dict[str, Evidence] = field(default_factory=dict)
    text_source: str = "title"  # full_text / summary_zh / summary_en / title: what was read


@dataclass(frozen=True)
class _Fields:
    """The texts of one policy a cue can be found in."""

    title: str
    text: str
    text_source: str
    issuers: str

    def searchable(self) -> list[tuple[str, str, int]]:
        """(field, text, offset) to search: the title after its issuer prefix, then the text.

        A Chinese title names its issuers before 关于 (商务部 发展改革委 … 海关总署关于…): a cue
        found there (改革 in 发展改革委, 海关 in 海关总署) is the issuer's name, which the issuing
        level already codes, not the subject, so the search starts after the prefix.
        """
        cut = self.title.find("关于")
        offset = cut if cut > 0 else 0
        return [("title", self.title[offset:], offset), (self.text_source, self.text, 0)]


def ensure_classified(policy: Policy) -> Policy:
    """The policy with the lexicon classifier's answer filled in when it was never classified.

    Stored classifications (and a researcher's labels) are kept as they are; only a policy that
    ``cbec classify`` has not yet reached is classified here, with the rule classifier, so that
    its instruments can be coded from the same definitions the classifier uses.
    """
    if not needs_classification(policy):
        return policy
    from cbec_policy.classify import policy_document  # start-up: coding from text only

    result = _lexicon().explain(policy_document(policy, load_zh_summaries()))
    return apply_classification(policy, result)


@cache
def _lexicon() -> Any:
    """One rule classifier for the process: building its term matcher is the costly part."""
    from cbec_policy.classify import LexiconClassifier  # start-up: built once, on first use

    return LexiconClassifier()


def _fields(policy: Policy) -> _Fields:
    if policy.full_text:
        text, source = policy.full_text, "full_text"
    elif summary := load_zh_summaries().get(policy.id):
        text, source = summary, "summary_zh"
    elif policy.summary:
        text, source = policy.summary, "summary_en"
    else:
        text, source = "", "title"
    return _Fields(policy.title, text, source, "、".join(policy.issuers))


def _excerpt(text: str, start: int, end: int) -> str:
    left = max(0, start - _CONTEXT)
    right = min(len(text), end + _CONTEXT)
    return ("…" if left else "") + text[left:right].replace("\n", " ") + ("…" if right < len(text) else "")


def _term_evidence(variable: Variable, fields: _Fields, conf: Mapping[str, float]) -> Evidence | None:
    for name, searched, offset in fields.searchable():
        if not searched:
            continue
        text = fields.title if name == "title" else searched
        folded = searched.lower()
        for term in variable.cues.terms:
            needle = term.lower()
            start = folded.find(needle)
            if start < 0:
                continue
            if name == "title":
                confidence = conf["title"]
            else:
                confidence = conf["text_repeated"] if folded.count(needle) > 1 else conf["text_once"]
            start += offset
            end = start + len(needle)
            return Evidence("cue", name, start, end, text[start:end], _excerpt(text, start, end), confidence)
        for pattern in variable.cues.patterns:
            match = pattern.search(searched)
            if match:
                confidence = conf["title"] if name == "title" else conf["text_once"]
                start, end = match.start() + offset, match.end() + offset
                return Evidence("cue", name, start, end, match.group(0), _excerpt(text, start, end), confidence)
    return None


def horizon_years(policy: Policy, text: str) -> tuple[float, str, str] | None:
    """How long the policy is meant to act, in years, with where that came from and the words.

    From the effective (else publish) date to the end date when both are known; else a stated
    validity period; else a target year named in the text, counted from the publish year.
    """
    start = policy.effective_date or policy.publish_date
    if start is not None and policy.end_date is not None:
        span = (policy.end_date - start).days / _DAYS_PER_YEAR
        return span, "dates", f"{start.isoformat()} → {policy.end_date.isoformat()}"
    for source in (policy.title, text):
        match = _VALIDITY.search(source or "")
        if match:
            return float(match.group(1) or match.group(2)), "text", match.group(0)
    if policy.publish_date is not None:
        years = [int(m.group(1)) for m in _TARGET_YEAR.finditer(text or "")]
        later = [y for y in years if y >= policy.publish_date.year]
        if later:
            target = max(later)
            # a target "by 2025" published in 2021 runs to the end of 2025
            span = (date(target, 12, 31) - policy.publish_date).days / _DAYS_PER_YEAR
            return span, "text", f"{target}"
    return None


def _metadata_evidence(
    variable: Variable, policy: Policy, fields: _Fields, conf: Mapping[str, float]
) -> Evidence | None:
    cues = variable.cues
    meta = conf["metadata"]
    for issuer in cues.issuers:
        start = fields.issuers.find(issuer)
        if start >= 0:
            end = start + len(issuer)
            return Evidence("metadata", "issuers", start, end, issuer, fields.issuers, meta)
    if cues.min_issuers and len(policy.issuers) >= cues.min_issuers:
        return Evidence(
            "metadata", "issuers", 0, len(fields.issuers), f"{len(policy.issuers)} issuers", fields.issuers, meta
        )
    if cues.levels and policy.level in cues.levels:
        return Evidence("metadata", "level", None, None, policy.level, policy.level, meta)
    if cues.published and (policy.publish_date is not None or policy.doc_number):
        shown = policy.publish_date.isoformat() if policy.publish_date else policy.doc_number or ""
        return Evidence("metadata", "publish_date", None, None, shown, shown, meta)
    if cues.years is not None:
        horizon = horizon_years(policy, fields.text)
        if horizon is not None:
            span, source, words = horizon
            low, high = cues.years
            if low <= span <= high:
                confidence = meta if source == "dates" else conf["text_once"]
                return Evidence(
                    "metadata" if source == "dates" else "cue",
                    source,
                    None,
                    None,
                    words,
                    f"{words} ({span:.1f} years)",
                    confidence,
                )
    return None


def _classifier_evidence(variable: Variable, policy: Policy, conf: Mapping[str, float]) -> Evidence | None:
    stored = policy.classification_evidence or {}
    answer = stored.get("classifier", stored)  # a researcher-labelled policy keeps the classifier's answer inside
    spans = answer.get("evidence") or {}
    scores = answer.get("scores") or {}
    for theme in variable.cues.themes:
        if theme in policy.themes:
            hits = spans.get(f"theme:{theme}") or []
            score = (scores.get("themes") or {}).get(theme)
            # bundled themes are verified reference data, not a classifier's guess
            confidence = conf["metadata"] if policy.source == "bundled" else float(score or conf["classifier"])
            return _hit_evidence("classifier", theme, hits, confidence, "themes")
    for wanted in variable.cues.instruments:
        chosen = [code for code in policy.instruments if code == wanted or code.split(".", 1)[0] == wanted]
        if chosen:
            hits = [hit for code in chosen for hit in spans.get(f"instrument:{code}") or []]
            score = max(float((scores.get("instruments") or {}).get(code) or 0) for code in chosen)
            return _hit_evidence("classifier", ", ".join(chosen), hits, score or conf["classifier"], "instruments")
    return None


def _hit_evidence(method: str, label: str, hits: list[dict[str, Any]], confidence: float, field_name: str) -> Evidence:
    if hits:
        hit = hits[0]
        term = str(hit.get("term", label))
        return Evidence(
            method,
            str(hit.get("field", field_name)),
            hit.get("start"),
            hit.get("end"),
            term,
            f"{label}: {term}",
            round(confidence, 4),
        )
    return Evidence(method, field_name, None, None, label, label, round(confidence, 4))


def code_policy(policy: Policy, scheme: Scheme) -> CodedPolicy:
    """Code ``policy`` on every binary variable of ``scheme`` (classifying it first when needed)."""
    policy = ensure_classified(policy)
    fields = _fields(policy)
    conf = scheme.confidence
    absent = conf["absent_full_text"] if fields.text_source == "full_text" else conf["absent_summary"]
    values: dict[str, int] = {}
    confidence: dict[str, float] = {}
    evidence: dict[str, Evidence] = {}
    for variable in scheme.variables:
        found = (
            _metadata_evidence(variable, policy, fields, conf)
            or _classifier_evidence(variable, policy, conf)
            or _term_evidence(variable, fields, conf)
        )
        values[variable.code] = int(found is not None)
        confidence[variable.code] = found.confidence if found else absent
        if found:
            evidence[variable.code] = found
    return CodedPolicy(policy.id, policy.title, values, confidence, evidence, fields.text_source)


def code_policies(policies: Iterable[Policy], scheme: Scheme) -> list[CodedPolicy]:
    """:func:`code_policy` for each policy, in order."""
    return [code_policy(policy, scheme) for policy in policies]
