"""Closed vocabularies used across the system, in the paper's order, with Chinese and English labels.

Codes are ASCII (stable in JSON, URLs and CSV); labels are what users read. Every lookup
accepts either the code or the Chinese label, so ``--type 税收类`` and ``--type tax`` agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from cbec_policy.errors import InputError


@dataclass(frozen=True)
class Label:
    """One entry of a vocabulary."""

    code: str
    zh: str
    en: str


# Table 1 of the paper groups policies in exactly this order.
POLICY_TYPES: tuple[Label, ...] = (
    Label("tax", "税收类", "tax"),
    Label("supervision", "监管类", "supervision"),
    Label("management", "管理类", "management"),
    Label("law", "法律类", "law"),
    Label("norm", "规范类", "norm"),
    Label("standard", "标准类", "standard"),
    Label("comprehensive", "综合类", "comprehensive"),
)

# §3.1 of the paper: the seven content themes.
THEMES: tuple[Label, ...] = (
    Label("tax", "税收", "tax"),
    Label("customs", "通关", "customs clearance"),
    Label("supervision", "监管", "supervision"),
    Label("finance", "金融支付", "finance and payment"),
    Label("services", "服务(平台、物流、人才)", "services (platform, logistics, talent)"),
    Label("market_access", "市场准入", "market access"),
    Label("international", "国际合作", "international cooperation"),
)

# Validity status in the convention of Chinese legal databases.
STATUSES: tuple[Label, ...] = (
    Label("现行有效", "现行有效", "in force"),
    Label("已被修改", "已被修改", "amended"),
    Label("部分失效", "部分失效", "partly repealed"),
    Label("已失效", "已失效", "repealed or expired"),
    Label("尚未生效", "尚未生效", "not yet in force"),
    Label("unknown", "未知", "unknown"),
)

# 效力级别 in two levels, as legal databases classify documents: the national or local tier,
# then the form. Inferred from the issuer and the document's form (令, 条例, 法).
LEGAL_FORCES: tuple[Label, ...] = (
    Label("law", "法律", "law"),
    Label("law_interpretation", "有关法律问题的决定", "decision of the legislature"),
    Label("administrative_regulation", "行政法规", "administrative regulation"),
    Label("state_council_normative", "国务院规范性文件", "State Council normative document"),
    Label("departmental_rule", "部门规章", "departmental rule"),
    Label("departmental_normative", "部门规范性文件", "departmental normative document"),
    Label("local_regulation", "地方性法规", "local regulation"),
    Label("local_government_rule", "地方政府规章", "local government rule"),
    Label("local_normative", "地方规范性文件", "local normative document"),
    Label("standard", "国家标准", "national standard"),
)

LEVELS: tuple[Label, ...] = (
    Label("national", "国家级", "national"),
    Label("provincial", "省级", "provincial"),
    Label("municipal", "市级", "municipal"),
    # An ingested document whose issuer gives no level (e.g. a notice from a school) is stored as unknown.
    Label("unknown", "未知", "unknown"),
)

# The four economic regions of China's statistics (东部/中部/西部/东北).
REGIONS: tuple[Label, ...] = (
    Label("east", "东部", "east"),
    Label("central", "中部", "central"),
    Label("west", "西部", "west"),
    Label("northeast", "东北", "northeast"),
)

# Directed relation verbs between policies and the verb seen from the other side.
RELATION_INVERSES: dict[str, str] = {
    "amends": "amended_by",
    "extends": "extended_by",
    "replaces": "replaced_by",
    "implements": "implemented_by",
    "supplements": "supplemented_by",
    "related": "related",
}
RELATION_INVERSES.update({v: k for k, v in list(RELATION_INVERSES.items())})

RELATION_ZH: dict[str, str] = {
    "amends": "修改",
    "amended_by": "被修改",
    "extends": "延续/扩展",
    "extended_by": "被延续/扩展",
    "replaces": "替代",
    "replaced_by": "被替代",
    "implements": "实施",
    "implemented_by": "被实施",
    "supplements": "补充",
    "supplemented_by": "被补充",
    "related": "相关",
}


def find_label(vocabulary: tuple[Label, ...], value: str, what: str) -> Label:
    """Return the entry whose code, Chinese or English label equals ``value``.

    Raises :class:`InputError` naming ``what`` and listing the accepted values.
    """
    wanted = value.strip()
    for label in vocabulary:
        if wanted in (label.code, label.zh) or wanted.lower() == label.en.lower():
            return label
    accepted = ", ".join(f"{label.zh} ({label.code})" for label in vocabulary)
    raise InputError(what, f"unknown value {value!r}; accepted: {accepted}")


def type_by_zh(zh: str) -> Label:
    """The policy type whose Chinese label is ``zh`` (e.g. 税收类)."""
    return find_label(POLICY_TYPES, zh, "policy type")
