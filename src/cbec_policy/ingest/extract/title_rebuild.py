"""Titles out of what web copies do to them: site chrome around the title, and pages without one.

Cleanup (:func:`clean_title`): the number a site appends in brackets (…的公告（海关总署公告2018年第194号）),
a leading year or 最新, a file name's extension and a sharing site's note (….docx》由会员分享), SEO
suffixes (…_某某网, …-百度文库), the issuer written twice, a sentence stop after the title, and
〈〉 used as the outer title marks.

Rebuilding, each with its own lower confidence, where no title line exists:

* a promulgation announcement or order (…人民代表大会常务委员会公告, 主席令) stands for the law or
  regulation it promulgates: 《X》已由…通过，现予公布 → X;
* a news report's headline 'ORG发布《X》' → X;
* a drafting note '…制定《X》' / '起草了《X》，现向社会公开征求意见' → X;
* a file name in the first lines (X.docx, X.pdf) → X;
* a standard's cover 'GB/T 40292—2021 跨境电子商务 电子运单规范 Cross-border…' → the Chinese name;
* a covering notice that says '现将《X》印发给你们' and whose issuer is known → ISSUER关于印发X的通知.
"""

from __future__ import annotations

import re

from cbec_policy.ingest.extract.common import Evidence

# Words a document title ends with (the genre of the document).
TYPE_WORDS = (
    "通知|公告|通告|意见|批复|决定|复函|函|办法|规定|方案|措施|通报|规划|细则|指引|指南|规则|条例|规范|要求|标准|"
    "规程|公示|报告|纪要|命令|令|决议|法|安排|计划|清单|目录|名单|答复|说明"
)
TITLE_END = re.compile(rf"(?:{TYPE_WORDS})(?:（[^（）]{{1,20}}）|\([^()]{{1,20}}\))?$")
_SEPARATORS = re.compile(r"[_|｜]")
_TRAILING_NUMBER = re.compile(
    r"\s*[（(]\s*[\u4e00-\u9fff、 ]{0,30}"
    r"(?:公告\s*\d{4}\s*年\s*第\s*\d{1,5}\s*号|〔\d{4}〕\s*第?\d{1,5}\s*号|令第\d{1,5}号)\s*[）)]$"
)
_LEADING_NOISE = re.compile(
    r"^(?:附件\s*\d{0,2}\s*[:：]\s*|最新|重磅|权威发布|全文|【[^】]{1,12}】|(?:19|20)\d{2}年?\s+|(?:19|20)\d{2}(?=[\u4e00-\u9fff]))"
)
# A site's note after the title: （全文）, 【附解读】, 完整版.
_SITE_NOTE = re.compile(
    r"\s*(?:[（(【\[]\s*(?:附|含)?(?:全文|原文|解读|政策解读|最新版|完整版|PDF版|word版)\s*[）)】\]]|全文)$"
)
_FILE_EXTENSION = re.compile(r"\.(?:pdf|docx?|wps|ofd|txt|html?)$", re.IGNORECASE)
_SEO_SUFFIX = re.compile(
    r"\s*(?:[_|｜]|\s[-—]\s?|[-—](?=[^\u4e00-\u9fff]*$))\s*[^_|｜]{0,20}(?:网|網|文库|百科|门户|平台|在线|首页|频道)[^_|｜]{0,10}$"
)
_SHARED_NOTE = re.compile(r"》?\s*(?:由会员分享|由用户分享|免费下载|在线阅读|文档下载).*$")
_PROMULGATION_TITLE = re.compile(
    r"(?:人民代表大会常务委员会公告|主席令|国务院令|[部署局委]令)(?:[（(]?第\S{1,8}号[）)]?)?$"
)
_PROMULGATED = re.compile(
    r"《([^《》\n]{2,60})》(?:已由|已经|已于|经)[^。\n]{0,120}?(?:通过|审议通过|公布)[^。\n]{0,30}?(?:现予公布|现将[^。，\n]{0,12}?公布)"
)
_REPORTED = re.compile(
    r"^[\u4e00-\u9fff]{2,30}?(?:近日|日前|正式|联合)?(?:发布|印发|出台|公布)了?《([^《》]{4,120})》$"
)
_DRAFTED = re.compile(r"(?:特?制定|起草了?|研究制定了?|编制了?)《([^《》\n]{4,120})》")
_FILE_NAME = re.compile(r"《?([^《》\n/\\:：]{4,100}?)\.(?:pdf|docx?|wps|ofd)》?", re.IGNORECASE)
_STANDARD_COVER = re.compile(
    r"GB(?:/[TZ])?\s*\d{3,6}(?:\.\d+)?\s*[-—–]\s*(?:19|20)\d{2}\s+"
    r"([\u4e00-\u9fff][\u4e00-\u9fff （）()、—-]{3,60}?)\s*(?=[A-Za-z]|(?:19|20)\d{2}-\d{2}-\d{2}|$)",
    re.M,
)
_PRINTED = re.compile(r"现将《([^《》\n]{4,120})》(?:印发|转发)给你们")


def clean_title(value: str) -> str:
    """A title without the chrome that sites add around it (see the module docstring)."""
    value = " ".join(value.split()).strip(" ：:　")
    # Each pattern runs only where a character it needs is present: titles are short but many.
    if "分享" in value or "下载" in value or "阅读" in value:
        value = _SHARED_NOTE.sub("", value)
    if value.startswith("《") and value.endswith("》") and value.count("《") == 1:
        value = value[1:-1]
    if "." in value:
        value = _FILE_EXTENSION.sub("", value)
    if value.startswith("《") and value.count("《") > value.count("》"):
        value = value[1:]
    if any(mark in value for mark in "_|｜"):
        # 标题_栏目_网站: the first segment that reads as a title is the title.
        segment = next((part.strip() for part in _SEPARATORS.split(value) if TITLE_END.search(part.strip())), None)
        if segment:
            value = segment
    if any(mark in value for mark in "_|｜-—"):
        value = _SEO_SUFFIX.sub("", value)
    if value.endswith((")", "）", "】", "]", "文")):
        value = _SITE_NOTE.sub("", value)
    if value.endswith((")", "）")):
        value = _TRAILING_NUMBER.sub("", value)
    for _ in range(3):  # '2019最新…': a year, then 最新
        if "\u4e00" <= value[:1] <= "\u9fff" and not value.startswith(("最新", "重磅", "权威", "全文", "附件")):
            break
        stripped = _LEADING_NOISE.sub("", value).strip()
        if stripped == value:
            break
        value = stripped
    if value.endswith("。") and "。" not in value[:-1]:
        value = value[:-1]
    # 〈〉 as the outer marks of a title inside the title: 〈X实施方案〉实施细则 → 《X实施方案》实施细则.
    if "〈" in value and "《" not in value:
        value = value.replace("〈", "《").replace("〉", "》")
    for size in range(min(len(value) // 2, 30), 1, -1):
        if value[:size] == value[size : 2 * size] and value[:size].endswith(
            ("部", "署", "局", "厅", "府", "委", "会", "室")
        ):
            value = value[size:]  # the issuer written twice: 海关总署海关总署关于…
            break
    return value


def promulgated_title(title: str, text: str) -> tuple[str, Evidence] | None:
    """The law or regulation that a promulgation announcement (the found ``title``) publishes."""
    if ("令" not in title and "公告" not in title) or not _PROMULGATION_TITLE.search(title):
        return None
    return promulgated_work(text, "law promulgated by the announcement")


def promulgated_work(text: str, method: str, confidence: float = 0.85) -> tuple[str, Evidence] | None:
    """The work a promulgation clause publishes: 《X》已经…通过，现予公布 → X."""
    match = _PROMULGATED.search(text, 0, min(len(text), 2000))
    if match is None:
        return None
    return match.group(1), Evidence(match.span(1), match.group(1), confidence, method)


def reported_title(line: str) -> str | None:
    """The document a news headline reports: 'ORG发布《X》' → X."""
    match = _REPORTED.match(line)
    return match.group(1) if match else None


def rebuilt_title(text: str, limit: int = 1500) -> tuple[str, Evidence] | None:
    """A title rebuilt from the text where no title line exists (drafting note, file name, standard cover)."""
    window = text[:limit]
    for pattern, method, confidence in (
        (_STANDARD_COVER, "standard cover: the name after the number", 0.75),
        (_DRAFTED, "rebuilt from 制定《…》 / 起草了《…》", 0.6),
        (_FILE_NAME, "rebuilt from a file name", 0.55),
    ):
        match = pattern.search(window)
        if match:
            value = clean_title(match.group(1))
            if len(value) >= 4:
                return value, Evidence(match.span(1), match.group(1), confidence, method)
    return None


def covering_notice_title(text: str, issuer: str | None) -> tuple[str, Evidence] | None:
    """'现将《X》印发给你们' with a known issuer → the covering notice's title, ISSUER关于印发X的通知."""
    if not issuer:
        return None
    match = _PRINTED.search(text, 0, min(len(text), 2000))
    if match is None:
        return None
    value = f"{issuer}关于印发{match.group(1)}的通知"
    return value, Evidence(match.span(1), match.group(0), 0.5, "rebuilt from the 印发 pattern and the issuer")
