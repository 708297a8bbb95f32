"""Bilingual labels for the report: every heading and column exists in Chinese and English."""

from __future__ import annotations

from cbec_policy.analysis import OUTSIDE
from cbec_policy.analysis import UNKNOWN as UNKNOWN_PERIOD
from cbec_policy.labels import label

LANGS = ("zh", "en")
UNKNOWN = {"zh": "未知", "en": "unknown"}
NOT_APPLICABLE = "—"


def tr(zh: str, en: str, lang: str) -> str:
    """``zh`` or ``en`` by language."""
    return zh if lang == "zh" else en


# Codes are labelled through the one vocabulary table shared with the web and the CLI.


def type_label(code: str, lang: str) -> str:
    """Readable policy type (税收类 / tax); unclassified documents say so."""
    if not code or code == "unclassified":
        return tr("未分类", "unclassified", lang)
    return label("policy_types", code, lang)


def theme_label(code: str, lang: str) -> str:
    """Readable theme (税收 / tax)."""
    return label("themes", code, lang)


def region_label(zh: str, lang: str) -> str:
    """Region name in the chosen language (东部 → east)."""
    return label("regions", zh, lang)


# Section keys in report order, with their headings. Tests check that each one is present.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("overview", "概览", "Overview"),
    ("claims", "论文所述与数据所示", "Paper says / data shows"),
    ("changes", "论文之后的变化", "What changed since the paper"),
    ("periods", "发展阶段划分", "Periodisation"),
    ("evolution", "政策演进：类型与主题", "Evolution: types and themes"),
    ("network", "发文部门与联合发文网络", "Issuing departments and joint-issuance network"),
    ("pilots", "综试区扩围", "Pilot-zone expansion"),
    ("regions", "区域平衡", "Regional balance"),
    ("positive_list", "零售进口正面清单", "Retail import positive list"),
    ("trade", "跨境电商进出口", "CBEC trade"),
    ("local", "地方政策差异化", "Local differentiation"),
    ("paper_tables", "论文表1与表2", "The paper's Tables 1 and 2"),
    ("method", "数据与方法说明", "Data and method notes"),
)


VERDICTS: dict[str, tuple[str, str]] = {
    "supported": ("支持", "supported"),
    "partly": ("部分支持", "partly supported"),
    "not_supported": ("不支持", "not supported"),
    "not_enough_data": ("数据不足", "not enough data"),
}
OUTCOMES: dict[str, tuple[str, str]] = {
    "up": ("显著上升", "significant rise"),
    "down": ("显著下降", "significant fall"),
    "none": ("无显著变化", "no significant change"),
    "differs": ("差异显著", "significant difference"),
    "holds": ("成立", "holds"),
    "fails": ("不成立", "fails"),
    "not_enough_data": ("数据不足", "not enough data"),
}
PROVENANCE: dict[str, tuple[str, str]] = {
    "verified": ("已核实", "verified"),
    "secondary": ("二手来源", "secondary"),
    "candidate": ("待核实", "candidate"),
    "paper": ("仅见于论文", "from the paper"),
    "unknown": ("未知", "unknown"),
}
# A short mark per status for table cells: verified values stay unmarked.
PROVENANCE_MARKS: dict[str, str] = {"verified": "", "secondary": "²", "candidate": "?", "paper": "ᴾ", "unknown": "?"}


def verdict_label(code: str, lang: str) -> str:
    """Readable verdict (支持 / supported ...)."""
    zh, en = VERDICTS.get(code, (code, code))
    return tr(zh, en, lang)


def outcome_label(code: str, lang: str) -> str:
    """Readable test outcome (显著上升 / significant rise ...)."""
    zh, en = OUTCOMES.get(code, (code, code))
    return tr(zh, en, lang)


def provenance_label(code: str, lang: str) -> str:
    """Readable provenance status (已核实 / verified ...)."""
    zh, en = PROVENANCE.get(code, (code, code))
    return tr(zh, en, lang)


def period_label(frameworks: object, framework_key: str, period_key: str, lang: str) -> str:
    """Readable name of a period key in a framework (handles ``outside`` and ``unknown``)."""

    if period_key == OUTSIDE:
        return tr("不在任何阶段", "outside every period", lang)
    if period_key == UNKNOWN_PERIOD:
        return UNKNOWN[lang]
    for framework in frameworks:  # type: ignore[attr-defined]
        if framework.key == framework_key:
            for period in framework.periods:
                if period.key == period_key:
                    return f"{tr(period.zh, period.en, lang)} ({period.span_text()})"
    return period_key


# How each trade release is called.
RELEASE_LABELS: dict[str, tuple[str, str]] = {
    "survey": ("统计调查数", "statistical survey"),
    "preliminary": ("初步数", "preliminary"),
    "backcast": ("回溯数", "back-cast"),
    "unknown": ("未知", "unknown"),
}
