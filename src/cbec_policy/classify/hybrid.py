"""Placeholder until the hybrid lands: the lexicon alone."""

from __future__ import annotations

from cbec_policy.classify.lexicon import LexiconClassifier


def default_classifier() -> LexiconClassifier:
    return LexiconClassifier()
