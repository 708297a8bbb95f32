"""Report tables of the claims: the summary (paper says / test / data shows / verdict) and one
sensitivity table per tested claim, showing where a robustness row disagrees with the main test.
"""

from __future__ import annotations

from cbec_policy.i18n import tr
from cbec_policy.report.claims_text import RULE, claim_summary, sensitivity_rows
from cbec_policy.report.results import Results
from cbec_policy.report.table_writers import Column, TableData

_SUMMARY = (
    ("section", "章节", "section", 8),
    ("paper_says", "论文所述（原文）", "paper says (quoted)", 36),
    ("hypothesis", "假设：度量、窗口、检验、阈值", "hypothesis: measure, window, test, threshold", 48),
    ("test", "主检验与区间", "main test and interval", 40),
    ("data_shows", "数据所示", "data shows", 56),
    ("verdict", "结论", "verdict", 10),
    ("disagree", "不一致的稳健性行", "robustness rows that disagree", 24),
)
_SENSITIVITY = (
    ("variant", "变体", "variant", 30),
    ("test", "检验结果", "test result", 60),
    ("outcome", "结果", "outcome", 12),
    ("agrees", "与主检验", "vs main test", 12),
)
# claim key → table file stem (an Excel sheet name holds at most 31 characters)
TESTED = {
    "content_widening": "sensitivity_widening",
    "pilot_expansion": "sensitivity_pilots",
    "regional_balance": "sensitivity_balance",
    "local_differentiation": "sensitivity_local",
    "period_theme_mix": "sensitivity_periods",
}


def _columns(spec: tuple[tuple[str, str, str, int], ...], lang: str) -> tuple[Column, ...]:
    return tuple(Column(key, tr(zh, en, lang), width) for key, zh, en, width in spec)


def claims_table(results: Results, lang: str) -> TableData:
    """One row per claim, with the verdict rule in the notes."""
    return TableData(
        title=tr("论文所述与数据所示", "Paper says / data shows", lang),
        columns=_columns(_SUMMARY, lang),
        rows=tuple(claim_summary(c, lang) for c in results.claims),
        notes=(
            tr(*RULE, lang),
            tr(
                "检验均来自 scipy：Kendall τ（Mann–Kendall）、Theil–Sen 斜率、置换检验、χ² 与 Fisher 精确检验。",
                "All tests come from scipy: Kendall's tau (Mann–Kendall), Theil–Sen slopes, permutation tests, χ² and "
                "Fisher's exact test.",
                lang,
            ),
        ),
    )


def sensitivity_tables(results: Results, lang: str) -> dict[str, TableData]:
    """A sensitivity table for every tested claim (see :data:`TESTED`): main test first, then each variant."""
    tables = {}
    for claim in results.claims:
        if claim.key not in TESTED:
            continue
        tables[TESTED[claim.key]] = TableData(
            title=tr(f"敏感性分析：{claim.section}", f"Sensitivity: {claim.section}", lang),
            columns=_columns(_SENSITIVITY, lang),
            rows=tuple(sensitivity_rows(claim, lang)),
            notes=(tr(*RULE, lang),),
        )
    return tables
