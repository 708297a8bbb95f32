"""Text for people: every code the lower layers return, in Chinese or English.

Analysis, rules, the store and ingest return codes, numbers and structured results and never
take a language; this layer turns them into what a person reads, for the report, the web and
the CLI alike. Labels are data: closed vocabularies in ``vocabularies.yaml``, the words of
results (verdicts, outcomes, provenance …) in ``result_labels.yaml``, periods in
``analysis/periods.yaml``, instruments in ``classify/taxonomy.yaml``; here they are only looked
up. Each front end keeps its own interface strings (headings, navigation); none keeps labels
of codes.
"""

from __future__ import annotations

from cbec_policy.i18n.codes import (
    LANGS,
    UNKNOWN_LABEL,
    bilingual,
    code_label,
    group_label,
    in_force_label,
    instrument_label,
    label,
    local_confidence_label,
    local_level_label,
    measure_label,
    method_label,
    outcome_label,
    pick,
    provenance_label,
    reason_label,
    region_label,
    release_label,
    text,
    theme_label,
    tr,
    type_label,
    variant_label,
    verdict_label,
)
from cbec_policy.i18n.language import in_language, text_language
from cbec_policy.i18n.periods import period_label
from cbec_policy.i18n.places import place_name

__all__ = [
    "LANGS",
    "UNKNOWN_LABEL",
    "bilingual",
    "code_label",
    "group_label",
    "in_force_label",
    "in_language",
    "instrument_label",
    "label",
    "local_confidence_label",
    "local_level_label",
    "measure_label",
    "method_label",
    "outcome_label",
    "period_label",
    "pick",
    "place_name",
    "provenance_label",
    "reason_label",
    "region_label",
    "release_label",
    "text",
    "text_language",
    "theme_label",
    "tr",
    "type_label",
    "variant_label",
    "verdict_label",
]
