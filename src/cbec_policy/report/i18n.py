"""Bilingual labels for the report: every heading and column exists in Chinese and English."""

from __future__ import annotations

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


def section_title(key: str, lang: str) -> str:
    """Heading of a section."""
    for code, zh, en in SECTIONS:
        if code == key:
            return tr(zh, en, lang)
    raise KeyError(key)
