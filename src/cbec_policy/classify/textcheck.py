"""Input checks and matching normalisation for the classifiers.

The lexicon is written in simplified Chinese; classifying an empty, English or Japanese text
would return confident-looking nonsense, so such input is refused with a clear reason. Matching
folds full-width Latin letters and digits to ASCII (１２１０ → 1210) without changing the length
of the text, so that every evidence span points at the original characters.
"""

from __future__ import annotations

import re

from cbec_policy.errors import InputError

# One character in, one character out: evidence positions stay valid after folding.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20  # ideographic space
_FOLD.update({code: code + 32 for code in range(ord("A"), ord("Z") + 1)})
_FOLD.update({code: _FOLD[code] + 32 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ → a-z

# Share of Chinese characters among all letters below which a text is not Chinese. Policy texts
# quote English names and codes, so the bar is low; a kana-rich text is Japanese even though it
# uses Chinese characters too.
_MIN_HAN_SHARE = 0.3
_MAX_KANA_SHARE = 0.2


_NEEDS_FOLD = re.compile("[A-Z\uff01-\uff5e\u3000]")


def fold(text: str) -> str:
    """Full-width ASCII to ASCII and Latin letters to lower case, keeping the length unchanged."""
    # str.translate looks up every character; substituting only the few that change is far faster
    return _NEEDS_FOLD.sub(lambda match: chr(_FOLD[ord(match.group())]), text)


# Document numbers cited in a body (财关税〔2018〕49号, 海关总署公告2018年第194号) name other
# documents; their prefixes (财关税 holds 关税) say nothing about this document's content. Only
# the four characters before the bracket are blanked: enough for 财关税 or 国办发, and a word
# before the prefix (参照, 根据) loses at most a character or two.
_CITED_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,4}[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*\d+\s*号"
    r"|[\u4e00-\u9fff]{0,4}公告\s*\d{4}\s*年\s*第\s*\d+\s*号"
)


def mask_cited_numbers(text: str) -> str:
    """Blank out cited document numbers with spaces, keeping every other position unchanged."""
    return _CITED_NUMBER.sub(lambda match: " " * len(match.group()), text)


def _is_han(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def _is_kana(char: str) -> bool:
    return 0x3040 <= ord(char) <= 0x30FF


def require_chinese(text: str, source: str) -> None:
    """Raise :class:`InputError` naming ``source`` unless ``text`` is non-empty Chinese text."""
    if not text or not text.strip():
        raise InputError(source, "empty text")
    han = kana = letters = 0
    for char in text:
        if _is_han(char):
            han += 1
            letters += 1
        elif _is_kana(char):
            kana += 1
            letters += 1
        elif char.isalpha():
            letters += 1
    if han == 0:
        raise InputError(source, "not Chinese text (no Chinese characters)")
    if kana > _MAX_KANA_SHARE * (han + kana):
        raise InputError(source, f"not Chinese text ({kana} Japanese kana against {han} Chinese characters)")
    if han < _MIN_HAN_SHARE * letters:
        raise InputError(source, f"not Chinese text (only {han} of {letters} letters are Chinese characters)")
