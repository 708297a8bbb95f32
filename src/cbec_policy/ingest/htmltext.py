"""Main text and metadata out of a saved web page (gov.cn style or any mirror).

A government page wraps the document in navigation, share buttons, footers and scripts, and
often puts its metadata in a table (索引号 / 发文机关 / 成文日期 / 发文字号 / 发布日期). The
metadata block is read as fields; the main text is taken from the usual content containers,
or else from the element holding the most paragraph text. Scripts, styles and event-handler
attributes never reach the text: they are dropped and counted so that the caller can warn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

# Labels of gov.cn-style metadata blocks, mapped to stable keys.
META_LABELS: dict[str, str] = {
    "索引号": "index_number",
    "主题分类": "topic",
    "发文机关": "issuer",
    # A site's 发布机构 is the body that posted the page (often a 办公厅 posting its government's
    # document): weaker evidence of the issuer than the title or the signature.
    "发布机构": "publisher",
    "发文单位": "issuer",
    "成文日期": "written_date",
    "标题": "title",
    "名称": "title",
    "发文字号": "doc_number",
    "文号": "doc_number",
    "发布日期": "release_date",
    "公布日期": "release_date",
    "发文日期": "written_date",
    "发布部门": "issuer",
    "颁布日期": "release_date",
    "实施日期": "effective_date",
    "生效日期": "effective_date",
    "主题词": "keywords",
    "效力级别": "level_text",
    "时效性": "status_text",
    # Traditional-script mirrors (Hong Kong, Taiwan) write the same labels in their script.
    "索引號": "index_number",
    "主題分類": "topic",
    "發文機關": "issuer",
    "發布機構": "publisher",
    "發佈機構": "publisher",
    "發文單位": "issuer",
    "標題": "title",
    "名稱": "title",
    "發文字號": "doc_number",
    "文號": "doc_number",
    "發布日期": "release_date",
    "發佈日期": "release_date",
    "發文日期": "written_date",
    "發布部門": "issuer",
    "頒布日期": "release_date",
    "實施日期": "effective_date",
    "主題詞": "keywords",
    "效力級別": "level_text",
    "時效性": "status_text",
    # Standards' catalogue pages.
    "标准号": "doc_number",
    "标准编号": "doc_number",
    "标准名称": "title",
    "中文标准名称": "title",
    "中文名称": "title",
    "实施时间": "effective_date",
    # A posting time; the document's own date only on a standard's catalogue page.
    "发布时间": "posted_date",
    # English and bilingual law-database records.
    "Document Number": "doc_number",
    "Issuing Authority": "issuer",
    "Issuing Department": "issuer",
    "Date Issued": "written_date",
    "Issue Date": "written_date",
    "Effective Date": "effective_date",
    "Local Title": "title",
    "Chinese Title": "title",
    "Validity Status": "status_text",
}
_CHINESE_LABELS = [label for label in META_LABELS if not label.isascii()]
_ENGLISH_LABELS = [label for label in META_LABELS if label.isascii()]
_LABEL_ALTERNATION = "|".join(sorted((re.escape(k) for k in _CHINESE_LABELS), key=len, reverse=True))
# "发文字号：…" or, as legal databases write it, "【发文字号】…"
_LABEL_RE = re.compile(rf"(?:【\s*({_LABEL_ALTERNATION})\s*】\s*[:：]?|({_LABEL_ALTERNATION})\s*[:：])\s*")
_ENGLISH_LABEL_RE = re.compile(
    "(" + "|".join(sorted((re.escape(k) for k in _ENGLISH_LABELS), key=len, reverse=True)) + r")\s*[:：]\s*"
)
_ENGLISH_HINTS = tuple(sorted({label.split()[0] for label in _ENGLISH_LABELS}))
_LABEL_SPACES = re.compile(r"(?<=[\u4e00-\u9fff])[\s\u3000]+(?=[\u4e00-\u9fff][\s\u3000]*[:：])")
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "canvas", "form", "button")
_CHROME_TAGS = ("nav", "header", "footer", "aside")
_CHROME_HINT = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|footer|foot|header|head|top|breadcrumb|crumb|share|sidebar|side|copyright|"
    r"bottom|toolbar|search|login|related|links?|ad|banner)([\s_-]|$)",
    re.IGNORECASE,
)
_CONTENT_SELECTORS = (
    "#UCAP-CONTENT",
    ".pages_content",
    ".TRS_Editor",
    "#zoom",
    ".zoom",
    "#content",
    ".article-content",
    ".article",
    "article",
    ".content",
    ".main-content",
    "#mainText",
)
_TITLE_SELECTORS = ("h1", ".article-title", ".title", "#title", "h2")
_SITE_SUFFIX = re.compile(r"\s*[_|｜\-—]+\s*[^_|｜]{0,30}(网|網|网站|網站|门户|門戶|政府|平台|首页|首頁)[^_|｜]{0,20}$")
_BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
    "ul", "ol", "dt", "dd", "blockquote", "pre", "hr", "center", "td", "th",
}  # fmt: skip


@dataclass
class HtmlDocument:
    """Text and metadata read from one HTML page."""

    text: str
    metadata: dict[str, str] = field(default_factory=dict)
    page_title: str | None = None
    removed_scripts: int = 0
    removed_handlers: int = 0


def _node_text(node: Node) -> str:
    """Text of ``node`` with a line break at every block element, so lines stay lines."""
    parts: list[str] = []

    def walk(current: Node) -> None:
        child = current.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                parts.append(child.text_content or "")
            elif tag in ("td", "th"):
                parts.append("\t")
                walk(child)
            elif tag in _BLOCK_TAGS:
                parts.append("\n")
                walk(child)
                parts.append("\n")
            elif not tag.startswith("-"):
                walk(child)
            child = child.next

    walk(node)
    # Each line with its runs of white space (tabs included) made one space, empty lines dropped;
    # map/filter keep the loop over the many short lines in C.
    lines = map(" ".join, map(str.split, "".join(parts).split("\n")))
    return "\n".join(filter(None, lines))


def _text_of(node: Node) -> str:
    return " ".join((node.text(deep=True, separator=" ") or "").split())


def _is_chrome(node: Node) -> bool:
    attrs = node.attributes
    hint = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return bool(_CHROME_HINT.search(hint))


def _labels_in(line: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every label in ``line`` ('LABEL：', 'LABEL:' or '【LABEL】'), left to right."""
    found = [(m.start(), m.end(), META_LABELS[m.group(1) or m.group(2)]) for m in _LABEL_RE.finditer(line)]
    if ":" in line and any(word in line for word in _ENGLISH_HINTS):
        # English labels are tried only on lines that can hold one: the Chinese lines are most.
        found.extend((m.start(), m.end(), META_LABELS[m.group(1)]) for m in _ENGLISH_LABEL_RE.finditer(line))
        found.sort()
    return found


def read_metadata(text: str) -> dict[str, str]:
    """Fields of a metadata block found in ``text`` (one label per cell or line)."""
    metadata: dict[str, str] = {}
    for line in text.split("\n"):
        if "：" not in line and ":" not in line and "】" not in line:
            continue  # most lines hold no label: skip the regex
        line = _LABEL_SPACES.sub("", line)  # 标　　题： → 标题：
        labels = _labels_in(line)
        for index, (_start, label_end, key) in enumerate(labels):
            end = labels[index + 1][0] if index + 1 < len(labels) else len(line)
            value = line[label_end:end].strip(" \t:：")
            if value and key not in metadata and len(value) <= 200:
                metadata[key] = value
    return metadata


def parse_html(html: str) -> HtmlDocument:
    """Split a page into main text, metadata fields and the page title."""
    tree = HTMLParser(html)
    removed_scripts = 0
    for tag in _DROP_TAGS:
        for node in tree.css(tag):
            removed_scripts += tag == "script"
            node.decompose()
    removed_handlers = 0
    for node in tree.css("*"):
        for name in list(node.attributes):
            if name.lower().startswith("on"):
                removed_handlers += 1
    title_node = tree.css_first("title")
    page_title = _SITE_SUFFIX.sub("", _text_of(title_node)) if title_node is not None else None
    body = tree.body or tree.root
    if body is None:
        return HtmlDocument("", {}, page_title or None, removed_scripts, removed_handlers)
    # The metadata block often sits outside the content container, so read it from the whole page.
    metadata = read_metadata(_node_text(body))
    for tag in _CHROME_TAGS:
        for node in body.css(tag):
            node.decompose()
    for node in body.css("div, ul, ol, section, table, span, p"):
        if _is_chrome(node):
            node.decompose()
    heading = None
    for selector in _TITLE_SELECTORS:
        node = body.css_first(selector)
        if node is not None and 4 <= len(_text_of(node)) <= 150:
            heading = _text_of(node)
            break
    content = _main_container(body)
    text = _node_text(content)
    if heading and heading not in text[: len(heading) + 400]:
        text = heading + "\n" + text
    return HtmlDocument(text, metadata, page_title or None, removed_scripts, removed_handlers)


def _main_container(body: Node) -> Node:
    for selector in _CONTENT_SELECTORS:
        node = body.css_first(selector)
        if node is not None and len(_text_of(node)) >= 50:
            return node
    # Otherwise the element whose own paragraphs hold the most text.
    best, best_score = body, 0
    for node in body.css("div, td, section, article"):
        score = sum(len(_text_of(p)) for p in node.css("p") if p.parent == node)
        if score > best_score:
            best, best_score = node, score
    return best if best_score >= 50 else body
