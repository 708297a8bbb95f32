"""Bytes to text for Chinese documents in any common encoding.

Most files are UTF-8 or GB18030 (a superset of GBK and GB2312), so those are tried first with
strict decoders: that costs microseconds. Statistical detection (charset-normalizer) is slow
(about ten times the cost of a strict decode), so it runs only when the strict decodes fail or
give implausible text — the classic case is Big5, whose bytes nearly always decode as GBK too,
into nonsense. BOMs and UTF-16 (with or without BOM) are recognised before anything else.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from cbec_policy.errors import InputError
from cbec_policy.ingest.charsets import big5_common, gb2312_level1
from cbec_policy.ingest.plausible import require_plausible_chinese

# How many characters are looked at to judge whether a GB decode is real Chinese.
_SAMPLE_CHARS = 600
# Real simplified-Chinese text keeps nearly all of its ideographs within the 3,755 level-1
# characters of GB2312; Big5 bytes read as GBK scatter over the whole table.
_MIN_COMMON_SHARE = 0.80
_DETECT_CANDIDATES = ("utf_8", "gb18030", "big5", "big5hkscs", "utf_16", "utf_16_le", "utf_16_be")


@dataclass(frozen=True)
class Decoded:
    """Decoded text and the encoding that produced it (as a Python codec name)."""

    text: str
    encoding: str


_NON_IDEOGRAPH = re.compile("[^\u4e00-\u9fff]+")
# Lead bytes outside the common blocks, deleted with bytes.translate to count the others.
_NOT_GB_LEVEL1_LEAD = bytes(b for b in range(256) if not 0xB0 <= b <= 0xD7)
_NOT_BIG5_COMMON_LEAD = bytes(b for b in range(256) if not 0xA4 <= b <= 0xC5)


def _ideographs(text: str) -> str:
    """The CJK unified ideographs (U+4E00–U+9FFF) of the sample at the start of ``text``."""
    return _NON_IDEOGRAPH.sub("", text[:_SAMPLE_CHARS])


def _gb_level1_share(ideographs: str) -> float:
    """Share of ``ideographs`` in :func:`gb2312_level1` (1.0 if none), counted in C.

    Every ideograph GB2312 has encodes to two bytes, and it is in level 1 exactly when its lead
    byte is 0xB0–0xD7 (the rows the set is built from), so counting lead bytes counts the
    members without a Python loop over the characters.
    """
    if not ideographs:
        return 1.0
    leads = ideographs.encode("gb2312", "ignore")[0::2]
    return len(leads.translate(None, _NOT_GB_LEVEL1_LEAD)) / len(ideographs)


def _big5_common_share(ideographs: str) -> float:
    """Share of ``ideographs`` in :func:`_big5_common` (Big5 0xA440–0xC67E; 1.0 if none), counted in C.

    As for GB2312, every Big5 ideograph encodes to two bytes and its lead (and, in row 0xC6,
    trail) byte says whether it is in the set.
    """
    if not ideographs:
        return 1.0
    encoded = ideographs.encode("big5", "ignore")
    leads = encoded[0::2]
    count = len(leads.translate(None, _NOT_BIG5_COMMON_LEAD))
    if 0xC6 in leads:  # row 0xC6 belongs to the set only up to 0xC67E
        count += sum(1 for lead, trail in zip(leads, encoded[1::2], strict=True) if lead == 0xC6 and trail <= 0x7E)
    return count / len(ideographs)


def _plausible_gb(text: str) -> bool:
    # Traditional characters encoded in GB18030 are legitimate too, so accept either table.
    ideographs = _ideographs(text)
    level1 = _gb_level1_share(ideographs)
    return level1 >= _MIN_COMMON_SHARE or (_big5_common_share(ideographs) >= 0.95 and level1 >= 0.5)


def _looks_utf16(data: bytes) -> str | None:
    """'utf_16_le' / 'utf_16_be' when ``data`` reads as text in one of them (no BOM present).

    ASCII-heavy UTF-16 shows NUL bytes in one lane; CJK-heavy UTF-16 has few NULs, so both
    byte orders are tried and kept only when nearly every character is a common one.
    """
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    for encoding in ("utf_16_le", "utf_16_be"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _utf16_plausible(text):
            return encoding
    return None


def _utf16_plausible(text: str) -> bool:
    common = gb2312_level1() | big5_common()
    good = sum(
        1 for ch in text if (ch.isascii() and (ch.isprintable() or ch in "\r\n\t")) or ch in common or ch in _PUNCT
    )
    return good >= len(text) * 0.9


_PUNCT = set("，。：；！？（）《》〈〉「」『』【】〔〕“”‘’、…—～·　○〇")


_TEXT_BYTES = bytes([9, 10, 11, 12, 13, 27, *range(32, 256)])


def is_binary(data: bytes) -> bool:
    """True when ``data`` holds control bytes that no text file contains (after UTF-16 is ruled out)."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _TEXT_BYTES))
    return controls > len(sample) * 0.05


def decode_bytes(data: bytes, source: str) -> Decoded:
    """Decode ``data`` (the contents of ``source``) into text, or raise :class:`InputError`.

    Order: BOM → UTF-16 without BOM → strict UTF-8 → strict GB18030 (kept only when it reads
    as real Chinese) → strict Big5 → charset-normalizer. Binary data is refused before any
    detection, so a picture never turns into a page of nonsense characters.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf_8", source, "UTF-8 with BOM")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf_16", source, "UTF-16")
    if b"\x00" in data[:4096]:
        lane = _looks_utf16(data)
        if lane:
            return _strict(data, lane, source, "UTF-16")
    if is_binary(data):
        raise InputError(source, "binary file, not text")
    try:
        return Decoded(data.decode("utf_8"), "utf_8")
    except UnicodeDecodeError:
        pass
    gb_text: str | None
    try:
        gb_text = data.decode("gb18030")
    except UnicodeDecodeError:
        gb_text = None
    if gb_text is not None and _plausible_gb(gb_text):
        return Decoded(gb_text, "gb18030")
    lane = _looks_utf16(data)  # UTF-16 of pure CJK text has no NUL bytes to give it away
    if lane:
        return _strict(data, lane, source, "UTF-16")
    try:
        big5_text = data.decode("big5hkscs")
        if _big5_common_share(_ideographs(big5_text)) >= _MIN_COMMON_SHARE:
            return Decoded(big5_text, "big5hkscs")
    except UnicodeDecodeError:
        pass
    return _detect(data, source, gb_text)


def _strict(data: bytes, encoding: str, source: str, label: str) -> Decoded:
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        raise InputError(source, f"undecodable bytes: not valid {label} (byte offset {exc.start})") from None


def _detect(data: bytes, source: str, gb_text: str | None) -> Decoded:
    """Last resort: let charset-normalizer choose among the Chinese encodings."""
    best = from_bytes(data, cp_isolation=list(_DETECT_CANDIDATES)).best()
    if best is not None and best.encoding and best.chaos < 0.3:
        require_plausible_chinese(str(best), data, source)  # Japanese or Latin bytes read as Chinese
        return Decoded(str(best), best.encoding)
    if gb_text is not None:
        # A strict GB18030 decode that detection could not beat is still the best reading.
        require_plausible_chinese(gb_text, data, source)
        return Decoded(gb_text, "gb18030")
    raise InputError(source, "undecodable bytes: not UTF-8, GB18030/GBK, Big5 or UTF-16 text")
