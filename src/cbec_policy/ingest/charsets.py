"""The common Chinese characters of the two legacy encodings, as sets.

GB2312 level 1 holds the 3,755 most common simplified characters and Big5's first block the
5,401 frequently used traditional ones. Deciding whether a legacy decode is really Chinese
(the decoder's choice of encoding, the plausibility check on its slow path) counts how many
ideographs fall among them; both read the sets from here.
"""

from __future__ import annotations

from functools import cache


@cache
def gb2312_level1() -> frozenset[str]:
    """The 3,755 most common simplified characters (GB2312 level 1, rows 0xB0–0xD7)."""
    chars = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


@cache
def big5_common() -> frozenset[str]:
    """The 5,401 frequently used traditional characters (Big5 0xA440–0xC67E)."""
    chars = set()
    for lead in range(0xA4, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if lead == 0xC6 and trail > 0x7E:
                break
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)
