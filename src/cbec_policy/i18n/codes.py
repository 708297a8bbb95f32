"""Codes in words: the label of a code in one language, from the label data (never a dict here).

``label`` is the general lookup over ``vocabularies.yaml`` and ``result_labels.yaml``; the named
functions say which list a code belongs to and keep each front end's answer for a code that is
not in it (shown as it is, or as 未知 / unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from cbec_policy.labels import Label, lookup, vocabulary

LANGS = ("zh", "en")
UNKNOWN_LABEL = {"zh": "未知", "en": "unknown"}


def tr(zh: str, en: str, lang: str) -> str:
    """``zh`` or ``en`` by language."""
    return zh if lang == "zh" else en


def pick(pairs: Mapping[str, tuple[str, str]], lang: str) -> dict[str, str]:
    """Key → its text in ``lang`` from (Chinese, English) pairs (column headers, interface strings)."""
    return {key: (en if lang == "en" else zh) for key, (zh, en) in pairs.items()}


def text(entry: Label, lang: str) -> str:
    """An entry's label in ``lang`` (``en``; anything else is Chinese)."""
    return entry.en if lang == "en" else entry.zh


def label(name: str, value: object, lang: str) -> str:
    """What a person reads for ``value`` of vocabulary ``name`` in ``lang``.

    A value outside the vocabulary is shown as it is (stored free text such as an issuer);
    an empty value reads 未知 / unknown.
    """
    found = lookup(name, value)
    if found is not None:
        return text(found, lang)
    if value is None or value == "":
        return "unknown" if lang == "en" else "未知"
    return str(value)


def bilingual(name: str, value: object) -> str:
    """``中文 English`` for ``value`` of vocabulary ``name``, as the CLI prints a code (是 yes)."""
    return f"{label(name, value, 'zh')} {label(name, value, 'en')}"


_SAME = object()


def code_label(name: str, code: str | None, lang: str, missing: object = _SAME) -> str | None:
    """The label of exactly ``code`` in vocabulary ``name``; any other value (None too) is returned
    as it is, or as ``missing`` when that is given."""
    for entry in vocabulary(name):
        if entry.code == code:
            return text(entry, lang)
    return code if missing is _SAME else missing  # type: ignore[return-value]


def _result(name: str, code: str, lang: str) -> str:
    """A result code's label, or the code itself when the list does not hold it."""
    found = lookup(name, code)
    return text(found, lang) if found is not None else code


def type_label(code: str | None, lang: str) -> str:
    """Readable policy type (税收类 / tax); unclassified documents say so."""
    if not code or code == "unclassified":
        return label("type_groups", "unclassified", lang)
    return label("policy_types", code, lang)


def theme_label(code: str, lang: str) -> str:
    """Readable theme (税收 / tax)."""
    return label("themes", code, lang)


def region_label(zh: str, lang: str) -> str:
    """Region name in the chosen language (东部 → east)."""
    return label("regions", zh, lang)


def in_force_label(verdict: bool | None, lang: str) -> str:
    """是 / 否 / 未知 (yes / no / unknown) for an in-force verdict."""
    return label("in_force", verdict, lang)


def verdict_label(code: str, lang: str) -> str:
    """Readable verdict of a claim (支持 / supported ...)."""
    return _result("claim_verdicts", code, lang)


def outcome_label(code: str, lang: str) -> str:
    """Readable test outcome (显著上升 / significant rise ...)."""
    return _result("test_outcomes", code, lang)


def provenance_label(code: str, lang: str) -> str:
    """Readable provenance status (已核实 / verified ...)."""
    return _result("provenance", code, lang)


def release_label(code: str, lang: str) -> str:
    """A trade release (统计调查数 / survey, 初步数 / preliminary ...), as the dashboard names it too."""
    return label("release_types", code, lang)


def measure_label(code: str, lang: str) -> str:
    """A trade figure's measure (进出口总额 / total trade, 出口 / exports ...)."""
    return label("trade_flows", code, lang)


def variant_label(code: str, lang: str) -> str:
    """What a sensitivity row of a claim changes (窗口自 2015 年起 / window from 2015 ...)."""
    return _result("sensitivity_variants", code, lang)


def reason_label(code: str, lang: str) -> str:
    """Why a test has no result (数据中无第 8 批 / no batch 8 in the data ...)."""
    return _result("claim_reasons", code, lang)


def group_label(name: str, lang: str) -> str:
    """A local focus-table group in words: coastal/inland, a region, or a province as named."""
    found = lookup("focus_groups", name)
    return text(found, lang) if found is not None else region_label(name, lang)


def local_level_label(code: str | None, lang: str) -> str:
    """A local document's level (省级 / provincial ...); any other value reads 未知 / unknown."""
    found = lookup("local_levels", code)
    return text(found, lang) if found is not None else UNKNOWN_LABEL["en" if lang == "en" else "zh"]


def local_confidence_label(code: str, lang: str) -> str:
    """How a local document is known (高（见原文） / high (seen), 中（引用/转载/译本） ...)."""
    return _result("local_confidence", code, lang)


def method_label(method: object, lang: str) -> str:
    """How ingest found a value, in ``lang`` (ingest writes its methods in English); '' for none."""
    return label("extraction_methods", method, lang) if method else ""


@cache
def _instruments() -> dict[str, tuple[str, str]]:
    # start-up: the taxonomy's module loads the classifier's code; only pages with instruments need it
    from cbec_policy.classify import load_taxonomy

    taxonomy = load_taxonomy()
    return {c.code: (c.zh, c.en) for c in (*taxonomy.instruments, *taxonomy.sides)}


def instrument_label(code: str, lang: str) -> str:
    """A policy instrument or its side (人才培养 / talent development, 供给型 / supply side)."""
    zh, en = _instruments().get(code, (code, code))
    return en if lang == "en" else zh
