"""The fast paths of decoding, normalising and date finding give the same answers as the plain definitions.

Decoding counts common characters by their encoded lead bytes, normalising finds document
numbers from their opening brackets and the date finder tests the lines for the 抄送 block with
str methods; each is checked here against the straightforward form (set membership, a regular
expression with a look-behind, a pattern matched on each line) that it replaces for speed.
"""

from __future__ import annotations

import random
import re

import pytest

from cbec_policy.ingest.charsets import big5_common, gb2312_level1
from cbec_policy.ingest.decode import _big5_common_share, _gb_level1_share
from cbec_policy.ingest.extract.common import line_at as _line_at
from cbec_policy.ingest.extract.common import make_lines as _lines
from cbec_policy.ingest.extract.dates import _cc_block_start
from cbec_policy.ingest.normalise import (
    _POSTING_LINE,
    _SPAM_KEYS,
    _SPAM_MARKERS,
    _SPAM_MAX_LINE,
    _is_spam_line,
    _spam_lines,
    normalise_doc_number_forms,
    normalise_text,
)

_ALL_IDEOGRAPHS = "".join(chr(code) for code in range(0x4E00, 0xA000))


def _share(ideographs: str, common: frozenset[str]) -> float:
    return sum(char in common for char in ideographs) / len(ideographs) if ideographs else 1.0


def test_level1_count_by_lead_byte_matches_the_gb2312_table() -> None:
    # GB2312 level 1 holds 3,755 characters, all in the unified block.
    assert len(gb2312_level1()) == 3755
    for char in _ALL_IDEOGRAPHS:
        assert _gb_level1_share(char) == _share(char, gb2312_level1()), char
    assert _gb_level1_share(_ALL_IDEOGRAPHS) == pytest.approx(3755 / len(_ALL_IDEOGRAPHS))


def test_big5_count_by_lead_byte_matches_the_big5_table() -> None:
    # Big5 0xA440–0xC67E: the 5,401 frequently used characters.
    assert len(big5_common()) == 5401
    for char in _ALL_IDEOGRAPHS:
        assert _big5_common_share(char) == _share(char, big5_common()), char
    assert _big5_common_share("跨境電子商務零售進口") == 1.0
    assert _gb_level1_share("") == _big5_common_share("") == 1.0


_REFERENCE = re.compile(
    r"(?<=[\u4e00-\u9fffA-Za-z])\s?[\[(（【〔［〖]\s*((?:19|20)\d{2})\s*[\])）】〕］〗]\s*(第?\s*\d{1,5})\s*[号號]"
)


def _reference_forms(text: str) -> str:
    text = _REFERENCE.sub(lambda m: f"〔{m.group(1)}〕{m.group(2).replace(' ', '')}号", text)
    return re.sub(r"((?:19|20)\d{2}\s*年\s*第\s*\d{1,5}\s*)號", lambda m: m.group(1) + "号", text)


@pytest.mark.parametrize(
    "text",
    [
        "财关税[2018]49號",
        "财关税 （2018） 第 49 号",
        "依据财关税【2018】49号和商贸函〔2019〕3号的规定",
        "豫政\n(2016)28号",
        "（2016）28号：年份前没有前缀",
        " (2016)28号",
        "厦商务规〖2022〗5号；GB/T 1-2020",
        "（一）按照（2018）号文件（（2019）12号）执行",
        "海关总署公告2018年第194號",
        "没有文号的正文（见附件）。",
    ],
)
def test_document_number_brackets_match_the_lookbehind_definition(text: str) -> None:
    assert normalise_doc_number_forms(text) == _reference_forms(text)


def test_line_lookup_finds_the_line_holding_an_offset() -> None:
    text = "标题\n\n财关税〔2018〕49号\n正文第一段。"
    lines = _lines(text)
    assert [line.text for line in lines] == text.split("\n")
    for offset in range(len(text)):
        line = _line_at(lines, offset)
        assert line.start <= offset <= line.end
        assert text[line.start : line.end] == line.text
        assert lines[line.index] is line


# The spam-marker pattern as first written (case-insensitive throughout, look-behind first).
_SPAM_REFERENCE = re.compile(
    r"(扫一扫|分享到|打印本页|关闭窗口|【?\s*字体\s*[:：]?\s*[大中小]|浏览次数|阅读次数|访问量|点击数|点击量|点击率|"
    r"责任编辑|编辑\s*[:：]|版权所有|ICP\s*备|网站地图|联系我们|免责声明|返回顶部|上一篇|下一篇|相关阅读|相关链接|"
    r"热门推荐|收藏本页|加入收藏|设为首页|微信公众号|官方微博|下载\s*APP|【\s*打印\s*】|【\s*关闭\s*】|"
    r"当前位置\s*[:：]|您现在的位置|首页\s*[>›»]|(?<!文)字号\s*[:：]\s*[大中小]|原文链接|本文链接|转载请注明|技术支持\s*[:：]|"
    r"扫描二维码|手机版|无障碍|政务微博|网站标识码)",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "line",
    [
        "【字体：大 中 小】",
        "【 字体 大中小",
        "字号：大 中 小",
        "发文字号：大",  # 文字号 is the label 发文字号, not the font-size switch
        "京icp备12345号",
        "京İCP备12345号",
        "下载app",
        "首页 > 政策文件 > 正文",
        "各有关单位：",
        "财政部 海关总署 税务总局",
    ],
)
def test_spam_markers_match_the_case_insensitive_definition(line: str) -> None:
    assert bool(_SPAM_MARKERS.search(line)) == bool(_SPAM_REFERENCE.search(line))


def _branches(pattern: re.Pattern[str]) -> list[str]:
    """The top-level alternatives of a pattern written as one group ``(a|b|…)``."""
    source, depth, start, parts = pattern.pattern[1:-1], 0, 0, []
    for index, char in enumerate(source):
        if char == "\\":
            continue
        if char == "(" and source[index - 1] != "\\":
            depth += 1
        elif char == ")" and source[index - 1] != "\\":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:index])
            start = index + 1
    return [*parts, source[start:]]


# Branches whose matches hold their key somewhere other than at their start.
_KEY_INSIDE = {r"(?i:ICP)\s*备": "备", r"字(?<!文字)号\s*[:：]\s*[大中小]": "字号"}


def test_every_spam_branch_holds_a_key() -> None:
    # _spam_lines runs the two patterns only on lines that hold a key: each branch must hold one.
    keys = _SPAM_KEYS.pattern.split("|")
    for branch in _branches(_SPAM_MARKERS) + _branches(_POSTING_LINE):
        if branch.startswith(r"\d{4}-"):
            assert r"-(?<=\d{4}-)" in keys, branch  # the first dash after four digits
            continue
        key = _KEY_INSIDE.get(branch) or next((key for key in keys if branch.startswith(key)), None)
        if key is None:  # a longer literal start holding a shorter key (发布时间 holds 时间)
            literal = re.match(r"[^\\\[(?*+{]+", branch)
            key = next((key for key in keys if literal and key in literal.group(0)), None)
        assert key in keys, branch


_SPAM_PIECES = [
    "扫一扫在手机打开", "【字体：大 中 小】", "字号：大", "发文字号：", "京ICP备12345号", "京icp 备", "浏览次数：12",
    "来源：示例网", "发布时间：2024-05-06 10:23", "发布时间：2024-05-06", "2024-05-06 10:23", "作者：",
    "首页 > 政策", "【打印】", "【 关闭 】", "成文日期：", "时间：2024-1-2 9:05", "下载APP", "编辑：王",
]  # fmt: skip
_TEXT_PIECES = ["各有关单位：", "跨境电子商务", "加强监管", "2018年", "-", "12", " ", "时间", "下", "备案", "【注】"]


def test_spam_lines_are_exactly_the_lines_the_line_test_finds() -> None:
    rng = random.Random(5)
    for _ in range(400):
        lines = [
            "".join(
                rng.choice(_SPAM_PIECES if rng.random() < 0.2 else _TEXT_PIECES) for _ in range(rng.randint(1, 8))
            ).strip()
            or "正文"
            for _ in range(rng.randint(1, 12))
        ]
        lines.append("很长的正文" * 20 + "浏览次数")  # too long to be site chrome
        expected = {line for line in lines if len(line) <= _SPAM_MAX_LINE and _is_spam_line(line)}
        assert _spam_lines(lines) == expected, lines


_CC_PIECES = [
    "抄送：海关总署", "主送", "印发", "分送", "抄报", "报送", "按时报送", " ", "\u3000", "\n", "各单位", "。", "送",
]  # fmt: skip


def _cc_block_by_lines(text: str, header_end: int) -> int:
    """The definition: the start of the first line after the header whose stripped text opens with a word."""
    lines = _lines(text)
    for index in range(len(lines)):
        if lines.starts[index] > header_end and re.match("(抄送|抄报|主送|印发|分送)", lines.texts[index].strip()):
            return lines.starts[index]
    return len(text)


def test_cc_block_search_finds_the_line_the_line_test_finds() -> None:
    rng = random.Random(9)
    for _ in range(2000):
        text = "".join(rng.choice(_CC_PIECES) for _ in range(rng.randint(0, 14)))
        header_end = rng.randint(-1, len(text) + 1)
        expected = _cc_block_by_lines(text, header_end)
        assert _cc_block_start(text, _lines(text), header_end) == expected, (text, header_end)


def test_a_text_that_needs_no_cleaning_is_kept_as_one_string() -> None:
    # The reader sends the original and the normalised text to the store: when they are equal
    # they must be one object, so that it is pickled once.
    clean = "海关总署关于跨境电子商务零售进口商品有关监管事宜的公告\n海关总署公告2018年第194号\n特此公告。"
    assert normalise_text(clean).text is clean
    cleaned = normalise_text(clean + "\n\n")
    assert cleaned.text == clean and cleaned.original == clean + "\n\n"
