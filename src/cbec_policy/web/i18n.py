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
    "nav_local": ("地方政策", "Local policies"),
    "nav_evaluation": ("政策评价", "Evaluation"),
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
    "search_help": (
        "可按字段检索：标题:跨境 文号:〔2018〕49号 发文机关:海关总署 全文:退货；"
        "简称与全称互通（综试区 = 综合试验区，行邮税 = 行李和邮递物品进口税）。",
        "Field search: title:跨境 number:〔2018〕49号 issuer:海关总署 text:退货; abbreviations find full terms "
        "(综试区 = 综合试验区, 行邮税 = postal articles tax).",
    ),
    "export": ("导出结果", "Export results"),
    "first_page": ("第一页", "First page"),
    "only_en": ("（仅有英文摘要）", "(English only)"),
    "only_zh": ("（仅有中文）", "(Chinese only)"),
    "in_force_today": ("今日是否有效", "In force today"),
    "status_counts": ("按时效性统计", "By validity status"),
    "any": ("全部", "Any"),
    "title": ("标题", "Title"),
    "doc_number": ("发文字号", "Document number"),
    "publish_date": ("公布日期", "Published"),
    "effective_date": ("施行日期", "Effective"),
    "end_date": ("失效日期", "Ended"),
    "written_date": ("成文日期", "Written"),
    "release_date": ("发布日期", "Released"),
    "legal_force": ("效力级别（法律层级）", "Legal force"),
    "status_on": ("时效性（按日期）", "Status on date"),
    "repeals": ("废止文件", "Repeals"),
    "not_stored": ("库中未找到", "not stored"),
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
    "evidence_in_text": ("在原文中标出依据", "Evidence marked in the text"),
    "evidence_note": (
        "黄色为提取的字段，蓝色为分类线索；鼠标悬停可见字段、取值、方法和置信度。",
        "Yellow: extracted fields; blue: classification cues. Hover a mark for field, value, method and confidence.",
    ),
    "evidence_list": ("依据列表", "Evidence list"),
    "field": ("字段", "Field"),
    "value": ("取值", "Value"),
    "method": ("方法", "Method"),
    "instrument": ("政策工具", "Instrument"),
    "instruments": ("政策工具", "Instruments"),
    "cue_match": ("词语匹配", "term match"),
    "weight": ("权重", "weight"),
    "is_cbec": ("跨境电商相关", "About CBEC"),
    "is_cbec_score": ("跨境电商相关度", "CBEC relevance score"),
    "policy_type": ("类型", "Type"),
    "policy_type_score": ("类型得分", "Type score"),
    "classifier_answer": ("分类器结果", "Classifier's answer"),
    "not_placed": ("（无原文位置）", "(no position in the text)"),
    "summary_only_en": ("仅有英文摘要", "English summary only"),
    "summary_only_zh": ("仅有中文摘要", "Chinese summary only"),
    "notes_only_en": ("说明仅有英文", "Notes in English only"),
    "release": ("发布口径", "Release"),
    "yoy": ("同比（%）", "Year on year (%)"),
    "source_bundled": ("内置参考数据（已核实，见上列来源）", "bundled reference data (verified; sources above)"),
    "chart_batches": ("综试区累计数量（按批次）", "pilot zones by batch, cumulative"),
    "chart_provinces": ("各省综试区数量", "pilot zones per province"),
    "chart_trade": ("跨境电商进出口规模", "CBEC trade"),
    "paper_value": ("论文所载", "Paper"),
    "verified_value": ("核实值", "Verified"),
    "by_status": ("按时效性", "By validity status"),
    "in_force_today_counts": ("今日是否有效", "In force today"),
    "marks_count": ("共 {n} 处标注", "{n} marks"),
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
    "zone_covered": (
        "是：{place} 在 {on} 属于 {zone} 综试区（第{batch}批，{doc}，自 {since} 起）。",
        "Yes: {place} was inside the {zone} pilot zone on {on} (batch {batch}, {doc}, since {since}).",
    ),
    "zone_via": ("经由所在的 {via}", "through {via}, which contains it"),
    "zone_not_covered": (
        "否：{place} 在 {on} 不在跨境电商综试区内。",
        "No: {place} was not inside a pilot zone on {on}.",
    ),
    "zone_unknown": (
        "未能确定：{place} 在 {on} 是否属于综试区。",
        "Unknown: whether {place} was inside a pilot zone on {on}.",
    ),
    "zone_ambiguous": ("有多个地方叫 {q}，请选择：", "Several places are called {q}; choose one:"),
    "zone_before_any": (
        "{on} 时尚无跨境电商综试区（第一个于 {first} 获批）。",
        "No pilot zone existed yet on {on} (the first was approved on {first}).",
    ),
    "zone_unknown_place": ("未知地名：{q}", "Unknown place: {q}"),
    "zones_inside": ("其中的综试区：", "Pilot zones inside it: "),
    "zone_history": ("沿革", "History"),
    "also_called": ("同名的还有：", "Also called so: "),
    "retail_1210": ("网购保税进口（1210）：", "Bonded retail import (1210):"),
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
        "上传 CSV 或 Parquet 文件，返回结果文件。列名：",
        "Upload a CSV or Parquet file; get a results file back. Columns:",
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
    "tax_item": ("税目", "Tax item"),
    "rate": ("税率", "Rate"),
    "export_date": ("出口日期", "Export date"),
    "supervision_code": ("监管方式代码", "Supervision code"),
    "return_date": ("复运进境日期", "Return date"),
    "reason": ("退运原因", "Reason"),
    "goods_value": ("货值（元）", "Goods value (yuan)"),
    "assessed_tax": ("应征税额", "Assessed tax"),
    "exempt": ("免征", "Exempt"),
    "payable": ("应缴", "Payable"),
    "eligible": ("符合免税条件", "Eligible"),
    "return_by": ("最迟复运进境日", "Return by"),
    "exempt_taxes": ("免征税种", "Taxes exempted"),
    "exempt_amount": ("免征金额（元）", "Amount exempted (yuan)"),
    "failures": ("不符合之处", "Conditions not met"),
    "steps": ("办理步骤", "Steps"),
    "rules_unavailable": ("税费规则模块尚未安装。", "The tax rules module is not installed."),
    "result": ("结果", "Result"),
    # report
    "report_title": ("生成分析报告", "Generate the analysis report"),
    "report_note": (
        "生成与命令行报告命令相同的离线报告目录（HTML、Markdown、图表、表格），打包为 zip 下载。",
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
    "upload_review_note": (
        "上传后先显示提取的字段、原文依据和分类结果，核对修改并再次输入令牌确认后才入库。",
        "After the upload you see the extracted fields, their evidence in the text and the classifier's labels; "
        "nothing is stored until you check them and confirm with the token again.",
    ),
    "review_title": ("核对并确认入库", "Review and confirm"),
    "review_note": (
        "以下为系统从文件中提取的信息，尚未入库。请核对、修改后确认。文件：",
        "Extracted from the file, not stored yet. Check, correct, then confirm. File:",
    ),
    "confirm_store": ("确认入库", "Confirm and store"),
    "cancel": ("取消", "Cancel"),
    "stored_notice": ("已入库。", "Stored."),
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
