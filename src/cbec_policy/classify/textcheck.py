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
_FOLDED = {chr(code): chr(folded) for code, folded in _FOLD.items()}


def fold(text: str) -> str:
    """Full-width ASCII to ASCII and Latin letters to lower case, keeping the length unchanged."""
    # str.translate looks up every character; replacing each distinct character that changes
    # (a few digits and letters) is far faster, and so is a C-level replace over a callback per match
    for char in set(_NEEDS_FOLD.findall(text)):
        text = text.replace(char, _FOLDED[char])
    return text


# Document numbers cited in a body (财关税〔2018〕49号, 海关总署公告2018年第194号) name other
# documents; their prefixes (财关税 holds 关税) say nothing about this document's content. Only
# the four characters before the bracket are blanked: enough for 财关税 or 国办发, and a word
# before the prefix (参照, 根据) loses at most a character or two.
#
# What is blanked is what ``_CITED_NUMBER`` matches. Trying that pattern at every Chinese
# character is slow, so the search looks for its tail (bracketed year and number, or 公告 with
# year and number), which starts with a rare character, and then walks back over at most four
# Chinese characters. The tails cannot overlap and neither can a tail start inside the Chinese
# prefix of another match, so this gives the same matches as the full pattern.
_HAN_PREFIX = 4
_CITED_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,4}[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*\d+\s*号"
    r"|[\u4e00-\u9fff]{0,4}公告\s*\d{4}\s*年\s*第\s*\d+\s*号"
)
_CITED_TAIL = re.compile(
    r"(?P<bracket>[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*\d+\s*号)"
    r"|公告\s*\d{4}\s*年\s*第\s*\d+\s*号"
)


# Where a tail can start: its opening bracket, or 公告. Found with str.find, which skips
# through a text far faster than the regex engine trying the tail at every character.
_TAIL_OPENINGS = ("〔", "[", "［", "(", "（", "【", "公告")


def _tail_candidates(text: str) -> list[int]:
    """Every position where a cited-number tail may start, in text order."""
    positions: list[int] = []
    for opening in _TAIL_OPENINGS:
        position = text.find(opening)
        while position != -1:
            positions.append(position)
            position = text.find(opening, position + 1)
    positions.sort()
    return positions


def mask_cited_numbers(text: str) -> str:
    """Blank out cited document numbers with spaces, keeping every other position unchanged."""
    pieces: list[str] = []
    done = 0  # end of the previous match: the next one cannot start before it
    scanned = 0  # end of the previous tail: tails do not overlap
    for candidate in _tail_candidates(text):
        if candidate < scanned:
            continue
        tail = _CITED_TAIL.match(text, candidate)
        if tail is None:
            continue
        scanned = tail.end()
        start = candidate
        floor = max(done, start - _HAN_PREFIX)
        while start > floor and "\u4e00" <= text[start - 1] <= "\u9fff":
            start -= 1
        if start == candidate and tail.group("bracket") is not None:
            continue  # a bracketed number needs a Chinese prefix (财关税〔…〕), a bare 〔2018〕 is not one
        pieces.append(text[done:start])
        pieces.append(" " * (tail.end() - start))
        done = tail.end()
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


_HAN_RUN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]+")
_KANA_RUN = re.compile("[\u3040-\u30ff]+")
# Every alphabetic character is a word character that is neither a decimal digit nor "_"; the
# converse does not hold (〇 and ② are numeric), so candidates are checked with str.isalpha.
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _count_letters(text: str) -> tuple[int, int, int]:
    """(Chinese characters, kana, all letters) of ``text``, counted by regular expressions in C."""
    without_han = _HAN_RUN.sub("", text)
    without_kana = _KANA_RUN.sub("", without_han)
    han = len(text) - len(without_han)
    kana = len(without_han) - len(without_kana)
    others = 0
    for run in _LETTER_RUN.findall(without_kana):
        others += len(run) if run.isalpha() else sum(char.isalpha() for char in run)
    return han, kana, han + kana + others


# The language of a document shows in its first few thousand characters; counting every
# character of a long text would cost more than classifying it.
_LANGUAGE_SAMPLE = 4000


def require_chinese(text: str, source: str) -> None:
    """Raise :class:`InputError` naming ``source`` unless ``text`` is non-empty Chinese text.

    The check reads the first _LANGUAGE_SAMPLE characters that are not blank.
    """
    if not text or not text.strip():
        raise InputError(source, "empty text")
    text = text.lstrip()[:_LANGUAGE_SAMPLE]
    without_han = _HAN_RUN.sub("", text)
    han = len(text) - len(without_han)
    if han and han >= _MIN_HAN_SHARE * len(text) and not _KANA_RUN.search(without_han):
        return  # mostly Chinese characters and no kana: no need to count the other letters
    han, kana, letters = _count_letters(text)
    if han == 0:
        raise InputError(source, "not Chinese text (no Chinese characters)")
    if kana > _MAX_KANA_SHARE * (han + kana):
        raise InputError(source, f"not Chinese text ({kana} Japanese kana against {han} Chinese characters)")
    if han < _MIN_HAN_SHARE * letters:
        raise InputError(source, f"not Chinese text (only {han} of {letters} letters are Chinese characters)")
