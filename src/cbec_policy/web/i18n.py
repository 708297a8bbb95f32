"""Interface strings in Chinese (the default) and English, and how a request picks its language.

Pages are Chinese first because most readers of Chinese policy are; ``?lang=en`` (remembered in
a cookie) switches every interface string. Stored text (titles, issuers) is never translated.
"""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_COOKIE = "lang"

# key -> (Chinese, English). One table so a missing translation is easy to spot in review.
STRINGS: dict[str, tuple[str, str]] = {
    "site_name": ("跨境电商政策库", "CBEC Policy Library"),
    "site_tagline": (
        "中国跨境电子商务政策：文件、试验区、税费规则",
        "China cross-border e-commerce policy: documents, pilot zones, tax rules",
    ),
    "nav_dashboard": ("概览", "Dashboard"),
    "nav_policies": ("政策", "Policies"),
    "nav_zones": ("综试区", "Pilot zones"),
    "nav_tax": ("税费计算", "Tax calculator"),
    "nav_parameters": ("规则参数", "Rule parameters"),
    "nav_report": ("报告", "Report"),
    "nav_upload": ("上传", "Upload"),
    "nav_api": ("API 文档", "API docs"),
    "switch_lang": ("English", "中文"),
    "skip_to_content": ("跳到正文", "Skip to content"),
    # dashboard
    "policies_count": ("政策文件", "Policies"),
    "in_force_count": ("现行有效", "In force"),
    "zones_count": ("综试区（现有）", "Pilot zones (in force)"),
    "batches_count": ("批次", "Batches"),
    "provinces_count": ("覆盖省份", "Provinces covered"),
    "timeline": ("政策时间线", "Policy timeline"),
    "timeline_note": (
        "每个点是一份政策，颜色表示类型；底色带为论文划分的阶段。",
        "Each dot is one policy, coloured by type; shaded bands are the paper's periods.",
    ),
    "type_year": ("类型 × 年份", "Type × year"),
    "theme_year": ("主题 × 年份", "Theme × year"),
    "batch_growth": ("综试区批次增长（累计）", "Pilot-zone growth by batch (cumulative)"),
    "province_map": ("各省综试区数量", "Pilot zones per province"),
    "province_map_note": (
        "方格示意图，位置近似地理位置；数字为当前有效的综试区数。",
        "Tile map: positions approximate geography; numbers are zones in force today.",
    ),
    "trade_series": ("跨境电商进出口规模（亿元）", "CBEC imports and exports (100 million yuan)"),
    "trade_note": (
        "2020年前为口径较窄的早期序列，与之后不可比；初值与调查值已标出。",
        "Before 2020 the series is narrower and not comparable; preliminary and survey releases are marked.",
    ),
    "year": ("年份", "Year"),
    "total": ("合计", "Total"),
    "periods": ("阶段", "Periods"),
    "no_data": ("暂无数据", "No data"),
    # policies
    "search": ("全文检索", "Full-text search"),
    "search_placeholder": ("输入关键词，如 零售进口", "Keywords, e.g. 零售进口"),
    "filter": ("筛选", "Filter"),
    "reset": ("重置", "Reset"),
    "type": ("类型", "Type"),
    "theme": ("主题", "Theme"),
    "themes": ("主题", "Themes"),
    "issuer": ("发文机关", "Issuer"),
    "issuers": ("发文机关", "Issuers"),
    "date_from": ("起始日期", "From"),
    "date_to": ("截止日期", "To"),
    "status": ("时效性", "Status"),
    "level": ("效力级别", "Level"),
    "in_force_on": ("某日有效", "In force on"),
    "sort": ("排序", "Sort"),
    "sort_date_desc": ("日期（新→旧）", "Date (newest first)"),
    "sort_date_asc": ("日期（旧→新）", "Date (oldest first)"),
    "sort_title": ("标题", "Title"),
    "sort_relevance": ("相关度", "Relevance"),
    "any": ("全部", "Any"),
    "title": ("标题", "Title"),
    "doc_number": ("发文字号", "Document number"),
    "publish_date": ("公布日期", "Published"),
    "effective_date": ("施行日期", "Effective"),
    "end_date": ("失效日期", "Ended"),
    "results": ("共 {n} 条结果", "{n} results"),
    "results_more": ("已显示前 {n} 条，还有更多", "first {n} results shown; there are more"),
    "page_of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "unknown": ("未知", "unknown"),
    "none": ("无", "none"),
    # policy page
    "metadata": ("基本信息", "Metadata"),
    "history": ("法规沿革", "History and relations"),
    "no_relations": ("未记录关联文件。", "No related documents recorded."),
    "classification": ("分类与依据", "Classification and evidence"),
    "paper_entry": ("论文表1记录", "Paper's Table 1 entry"),
    "paper_differs": ("与论文不同之处", "Differs from the paper"),
    "summary": ("内容概要", "Summary"),
    "sources": ("来源", "Sources"),
    "notes": ("说明与不确定之处", "Notes on uncertainty"),
    "full_text": ("全文", "Full text"),
    "no_full_text": ("库中未存全文。", "Full text not stored."),
    "region": ("地区", "Region"),
    "source": ("来源", "Source"),
    "this_policy": ("本文件", "This document"),
    "not_found": ("未找到", "Not found"),
    "policy_not_found": ("没有这份政策：{q}", "No such policy: {q}"),
    "type_evidence": ("分类依据", "Evidence for the classification"),
    "extraction_evidence": ("提取依据", "Extraction evidence"),
    # zones
    "zone_lookup": ("我的城市是综试区吗？", "Is my city a pilot zone?"),
    "city": ("城市", "City"),
    "on_date": ("日期", "Date"),
    "check": ("查询", "Check"),
    "batch": ("批次", "Batch"),
    "province": ("省份", "Province"),
    "approval_date": ("批复日期", "Approved"),
    "approval_doc": ("批复文号", "Approval"),
    "revoked": ("撤销", "Revoked"),
    "confidence": ("核实程度", "Confidence"),
    "zone": ("综试区", "Pilot zone"),
    "is_zone_yes": (
        "是：{city} 在 {on} 是跨境电商综合试验区（第{batch}批，{doc}）。",
        "Yes: {city} was a CBEC comprehensive pilot zone on {on} (batch {batch}, {doc}).",
    ),
    "is_zone_no": (
        "否：{city} 在 {on} 不是跨境电商综合试验区。",
        "No: {city} was not a CBEC comprehensive pilot zone on {on}.",
    ),
    "is_zone_later": (
        "（{city} 于 {approved} 获批，晚于所查日期。）",
        "({city} was approved on {approved}, after that date.)",
    ),
    "is_zone_revoked": ("（该综试区已被撤销。）", "(The zone has been revoked.)"),
    "did_you_mean": ("您是不是要找：", "Did you mean: "),
    "zones_listed": ("共 {n} 个综试区", "{n} pilot zones"),
    "batches": ("批次", "Batches"),
    "zone_count": ("本批数量", "Zones in batch"),
    "cumulative": ("累计", "Cumulative"),
    # tax
    "tax_import": ("跨境电商零售进口税", "CBEC retail import tax"),
    "tax_postal": ("行邮税（对比）", "Postal articles tax (comparison)"),
    "tax_returns": ("出口退货", "Export returns"),
    "tax_batch": ("批量计算", "Batch calculation"),
    "tax_batch_note": (
        "上传 CSV（列：order_id, date, price, freight, insurance, items, vat_rate, ct_rate, tariff_rate, "
        "buyer_id），返回结果文件。",
        "Upload a CSV (columns: order_id, date, price, freight, insurance, items, vat_rate, ct_rate, tariff_rate, "
        "buyer_id); get a results file back.",
    ),
    "calculate": ("计算", "Calculate"),
    "price": ("商品价格（元）", "Goods price (yuan)"),
    "freight": ("运费（元）", "Freight (yuan)"),
    "insurance": ("保险费（元）", "Insurance (yuan)"),
    "items": ("件数", "Items"),
    "vat_rate": ("增值税率（留空=当日标准税率）", "VAT rate (blank = standard rate on the date)"),
    "ct_rate": ("消费税率", "Consumption-tax rate"),
    "category": ("消费税类别", "Consumption-tax category"),
    "tariff_rate": ("关税税率（仅全额征税时需要）", "Tariff rate (only for full tax)"),
    "annual_before": ("本年已购跨境电商金额（元）", "CBEC purchases so far this year (yuan)"),
    "path": ("适用路径", "Path taken"),
    "explanation": ("计算说明", "Explanation"),
    "citations": ("依据", "Citations"),
    "dutiable_value": ("完税价格", "Dutiable value"),
    "tariff": ("关税", "Tariff"),
    "consumption_tax": ("消费税", "Consumption tax"),
    "vat": ("增值税", "VAT"),
    "total_tax": ("应缴税额合计", "Total tax"),
    "effective_rate": ("综合税率", "Effective rate"),
    "upload_file": ("选择文件", "Choose file"),
    "rules_unavailable": ("税费规则模块尚未安装。", "The tax rules module is not installed."),
    "result": ("结果", "Result"),
    # report
    "report_title": ("生成分析报告", "Generate the analysis report"),
    "report_note": (
        "生成与命令 cbec report 相同的离线报告目录（HTML、Markdown、图表、表格），打包为 zip 下载。",
        "Builds the same offline report directory as `cbec report` (HTML, Markdown, figures, tables) "
        "and downloads it as a zip.",
    ),
    "report_generate": ("生成并下载", "Generate and download"),
    "report_unavailable": ("报告模块尚未安装。", "The report module is not installed."),
    "language": ("语言", "Language"),
    # upload
    "upload_title": ("上传政策文件入库", "Upload policy documents"),
    "upload_note": (
        "需要在服务器配置中设置的访问令牌。支持 .txt .html .pdf .docx。",
        "Needs the access token set in the server configuration. Accepts .txt .html .pdf .docx.",
    ),
    "token": ("访问令牌", "Access token"),
    "upload": ("上传", "Upload"),
    "read_only": ("本服务器为只读模式（未配置令牌）。", "This server is read-only (no token configured)."),
    # errors
    "error": ("错误", "Error"),
    "bad_input": ("输入有误", "Bad input"),
    "footer": (
        "数据来源见各政策页；“未知”表示资料中没有可靠记录。",
        "Sources are listed on each policy page; “unknown” means no reliable record was found.",
    ),
}


def translator(lang: str) -> Callable[..., str]:
    """A ``t(key, **values)`` function for one language; an unknown key shows itself (easy to spot)."""
    index = 1 if lang == "en" else 0

    def t(key: str, **values: object) -> str:
        pair = STRINGS.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def label_text(label: object, lang: str) -> str:
    """The readable text of a :class:`cbec_policy.labels.Label` in the page language."""
    return getattr(label, "en" if lang == "en" else "zh")
