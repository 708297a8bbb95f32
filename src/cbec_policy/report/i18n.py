"""The report's own words: its sections' headings and its marks. Codes are labelled by
:mod:`cbec_policy.i18n`, shared with the web and the CLI.
"""

from __future__ import annotations

NOT_APPLICABLE = "—"

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

# A short mark per provenance status for table cells: verified values stay unmarked.
PROVENANCE_MARKS: dict[str, str] = {"verified": "", "secondary": "²", "candidate": "?", "paper": "ᴾ", "unknown": "?"}
