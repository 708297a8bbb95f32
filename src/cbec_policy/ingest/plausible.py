"""Is a legacy-encoding decode really Chinese? Refuse mojibake instead of storing it as a document.

Almost any byte string decodes as GB18030: Japanese Shift-JIS pairs up into rare ideographs
and kana-like symbols, and Latin-1 accented letters pair with the next ASCII letter into a
stray ideograph ("d閏laration"). Such text would be stored with a nonsense title. Real Chinese
prose, whatever its topic, keeps most ideographs among the common characters (GB2312 level 1,
3,755 characters, close to the 3,500 of the 现代汉语常用字表) and uses function words (的, 和,
在, 为 ...) throughout; mojibake does neither. The check runs only on the slow path of the
decoder (after the strict UTF-8 decode failed and GB18030 looked implausible), so well-formed
files never pay for it.
"""

from __future__ import annotations

import re
from functools import cache

from cbec_policy.errors import InputError
from cbec_policy.ingest.charsets import big5_common, gb2312_level1

_SAMPLE_CHARS = 3000
# Fewer ideographs than this give no evidence either way (a short English note, a number list).
_MIN_IDEOGRAPHS = 12
# Function characters of written Chinese, official style included: a page of real text without
# any of them is vanishingly rare.
_FUNCTION_CHARS = frozenset("的了和与及或是在为对以于由按将其之等中不有应并被所从向也就这该")
_MIN_FUNCTION_SHARE = 0.02
_MIN_COMMON_SHARE = 0.75
_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")
# An ideograph squeezed between ASCII letters: what Latin-1 accents become when read as GB18030.
_LATIN_SANDWICH = re.compile("[A-Za-z][\u4e00-\u9fff\u3000-\u33ff\ue000-\uf8ff][A-Za-z]")


@cache
def _common_characters() -> frozenset[str]:
    """GB2312 level 1 (the 3,755 common simplified characters) and Big5's 5,401 common traditional ones."""
    return gb2312_level1() | big5_common()


def implausible_reason(text: str, data: bytes) -> str | None:
    """Why ``text`` (decoded from ``data``) is probably not Chinese, or None when it may well be.

    The reason names the encoding the bytes look like: Shift-JIS when they decode strictly as
    Shift-JIS into text with kana, Latin-1 when most ideographs sit inside Latin words.
    """
    sample = text[:_SAMPLE_CHARS]
    ideographs = _IDEOGRAPH.findall(sample)
    if len(ideographs) < _MIN_IDEOGRAPHS:
        return None
    common = _common_characters()
    common_share = sum(1 for char in ideographs if char in common) / len(ideographs)
    function_share = sum(1 for char in ideographs if char in _FUNCTION_CHARS) / len(ideographs)
    latin_share = len(_LATIN_SANDWICH.findall(sample)) / len(ideographs)
    if latin_share < 0.5 and (function_share >= _MIN_FUNCTION_SHARE and common_share >= _MIN_COMMON_SHARE):
        return None
    return f"probably not Chinese text (looks like {_looks_like(data, latin_share)})"


def _looks_like(data: bytes, latin_share: float) -> str:
    # A sample cut inside a two-byte character is fine: a few replacements do not matter.
    japanese = data[:20_000].decode("cp932", "replace")
    kana = sum(1 for char in japanese if "\u3040" <= char <= "\u30ff")
    if japanese.count("\ufffd") <= len(japanese) // 100 + 1 and kana >= max(5, len(japanese) // 20):
        return "Shift-JIS"
    if latin_share >= 0.3:
        return "Latin-1"
    return "another encoding: Shift-JIS, Latin-1 or a binary format"


def require_plausible_chinese(text: str, data: bytes, source: str) -> None:
    """Raise :class:`InputError` for ``source`` when its decoded ``text`` is probably not Chinese."""
    reason = implausible_reason(text, data)
    if reason is not None:
        raise InputError(source, reason)
