"""Level (national / provincial / municipal) and region, from the issuers or, without them, the text.

Sources, strongest first: the issuers' divisions (a city bureau is municipal even beside a
province); an issuer that is a national body; then, when no issuer places the document, the
place at the start of the title, the number's prefix, and the places and self-references
(我省, 我市, 省政府, 市政府) of the text. A county-level city counts for its province's level as the
division table says; a national issuer is national whatever places the text names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cbec_policy.departments import canonical_department
from cbec_policy.ingest.divisions import Division, find_divisions, region_label
from cbec_policy.ingest.extract.common import Evidence
from cbec_policy.ingest.extract.places import province_of, rank_in_wording

# A body whose name marks it as national: 国家…局, 中国电子口岸数据中心, 全国人民代表大会….
_NATIONAL_NAME = re.compile(r"^(?:国家|中国|中华人民共和国|全国|国务院)")


@dataclass
class LevelFinding:
    """Level and region with their evidence (all None when nothing places the document)."""

    level: str | None = None
    region: str | None = None
    level_evidence: Evidence | None = None
    region_evidence: Evidence | None = None


def _placed(division: Division, method: str, confidence: float) -> LevelFinding:
    # A county-level city (义乌市) is not provincial: its documents count as municipal, in its province.
    level = "provincial" if division.is_provincial else "municipal"
    evidence = Evidence(None, division.name, confidence, method)
    return LevelFinding(level, region_label(division), evidence, evidence)


def level_from_issuers(issuers: list[str]) -> LevelFinding:
    """Level from the issuers' own names."""
    local: list[Division] = []
    national = None
    for issuer in issuers:
        places = find_divisions(issuer)
        if places:
            local.append(places[0][0])
        elif canonical_department(issuer) is not None or _NATIONAL_NAME.match(issuer):
            national = national or issuer
    if local:
        division = max(local, key=lambda d: not d.is_provincial)
        return _placed(division, "issuer's administrative division", 0.9)
    if national:
        return LevelFinding("national", None, Evidence(None, national, 0.9, "national issuer"))
    return LevelFinding()


def level_from_text(
    title_place: Division | None, prefix_place: Division | None, places: Sequence[Division], text: str
) -> LevelFinding:
    """Level when no issuer places the document: title place, number prefix, then the text's wording."""
    if title_place is not None:
        return _placed(title_place, "place name at the start of the title", 0.8)
    if prefix_place is not None:
        return _placed(prefix_place, "document-number prefix", 0.8)
    rank = rank_in_wording(text)
    if rank is None:
        return LevelFinding()
    if rank == "municipal":
        city = next((d for d in places if not d.is_provincial or d.kind == "municipality"), None)
        if city is not None:
            return _placed(city, "the text speaks of 我市/市政府 and names the city", 0.7)
    else:
        province = next((province_of(d) for d in places if province_of(d) is not None), None)
        if province is not None:
            return _placed(province, "the text speaks of 我省/省政府 and names a place in the province", 0.7)
    # The rank is known, the place is not (the city is named only in short, 西安建设…).
    return LevelFinding(rank, None, Evidence(None, "", 0.6, "the text speaks of its own province or city"))
