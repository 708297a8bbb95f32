"""Level (national / provincial / municipal) and region from the issuers and the text's places."""

from __future__ import annotations

from cbec_policy.departments import canonical_department
from cbec_policy.ingest.divisions import Division, find_divisions, region_label
from cbec_policy.ingest.extract.common import (
    Evidence,
    Extraction,
)


def find_level(extraction: Extraction) -> None:
    local: list[Division] = []
    national = False
    for issuer in extraction.issuers:
        places = find_divisions(issuer)
        if places:
            local.append(places[0][0])
        elif canonical_department(issuer) is not None:
            national = True
    if local:
        # The most specific place decides: a city bureau is municipal even beside a province.
        division = max(local, key=lambda d: not d.is_provincial)
        extraction.level = "provincial" if division.is_provincial else "municipal"
        extraction.region = region_label(division)
        extraction.evidence["level"] = Evidence(None, division.name, 0.9, "issuer's administrative division")
        extraction.evidence["region"] = Evidence(None, division.name, 0.9, "issuer's administrative division")
    elif national:
        extraction.level = "national"
        extraction.evidence["level"] = Evidence(None, extraction.issuers[0], 0.9, "national issuer")
