"""Document numbers (发文字号): one canonical written form.

Web copies write 财关税〔2016〕18号 as 财关税[2016]18号, 财关税(2016)18号, 财关税（2016）18号,
财关税【2016】18号, 财关税〔2016〕18號 or with stray spaces. Everything that compares or stores a
number goes through :func:`normalise_doc_number`, so each form finds the same policy.
"""

from __future__ import annotations

import re
import unicodedata

_OPEN = "[(（【〔［〖"
_CLOSE = "])）】〕］〗"
_YEAR_IN_BRACKETS = re.compile(rf"[{re.escape(_OPEN)}]\s*(\d{{4}})\s*[{re.escape(_CLOSE)}]")
_SPACES = re.compile(r"\s+")
_GB = re.compile(r"^(GB(?:/[TZ])?)\s*(\d+(?:\.\d+)?)\s*[-—－–]\s*(\d{4})$", re.IGNORECASE)
# Joint announcements keep one space between issuers: 财政部 海关总署 税务总局公告2023年第4号
_JOINT_ISSUERS = re.compile(r"^((?:[\u4e00-\u9fff]+\s+)+[\u4e00-\u9fff]*公告)")


def normalise_doc_number(text: str) -> str:
    """Return the canonical form: 〔〕 around the year, 号 not 號, no stray spaces.

    >>> normalise_doc_number("财关税 [2016] 18 號")
    '财关税〔2016〕18号'
    >>> normalise_doc_number("gb/t 43291—2023")
    'GB/T 43291-2023'
    """
    value = unicodedata.normalize("NFKC", text).strip()
    # NFKC turns 〔〕 into themselves but （） into ()—both are handled below.
    value = value.replace("號", "号").replace("第 ", "第")
    gb = _GB.match(_SPACES.sub("", value))
    if gb:
        return f"{gb.group(1).upper()} {gb.group(2)}-{gb.group(3)}"
    value = _YEAR_IN_BRACKETS.sub(lambda m: f"〔{m.group(1)}〕", value)
    joint = _JOINT_ISSUERS.match(value)
    if joint:
        head = " ".join(joint.group(1).split())
        return head + _SPACES.sub("", value[joint.end() :])
    return _SPACES.sub("", value)


def doc_number_key(text: str) -> str:
    """A comparison key: the canonical form with every space removed."""
    return _SPACES.sub("", normalise_doc_number(text))
