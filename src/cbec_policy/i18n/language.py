"""Which language a stored text is in, and one language of a bilingual "中文 English" string."""

from __future__ import annotations

import re


def text_language(text: str) -> str:
    """``zh`` when ``text`` is mostly Chinese, else ``en`` (stored summaries are one or the other)."""
    if not text:
        return ""
    cjk = sum(1 for char in text if "\u4e00" <= char <= "\u9fff")
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    return "zh" if cjk * 2 >= latin else "en"


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def in_language(text: str, lang: str) -> str:
    """One language of a bilingual "中文 English" string (the form rule notes and caveats take).

    Such a string gives the Chinese first and its English after the last Chinese character; a
    Chinese page shows the first part, an English page the second. A text in one language
    only is returned whole.
    """
    last = None
    for match in _CJK.finditer(text):
        last = match
    if last is None or not text[: last.start()].strip():
        return text
    chinese, english = text[: last.end()].strip(), text[last.end() :].strip()
    if not english or not re.search(r"[A-Za-z]{2,}", english) or not _CJK.search(chinese):
        return text
    return english if lang == "en" else chinese
