"""Find a policy document's own metadata in its normalised text, each value with its evidence.

One module per field, each with finders that return values and their evidence; the caller
(:func:`extract_metadata` in :mod:`.assemble`) puts them together:

* :mod:`.common` — the result types, the line layout and the issuer vocabulary;
* :mod:`.layout` — where the header ends and the body starts;
* :mod:`.title`, :mod:`.numbers`, :mod:`.dates`, :mod:`.issuers`, :mod:`.level` — one field each;
* :mod:`.timeline` — 施行日期, 失效日期, repeal clauses and the two-level 效力级别.
"""

from __future__ import annotations

from cbec_policy.ingest.extract.assemble import extract_metadata
from cbec_policy.ingest.extract.common import Evidence, Extraction

__all__ = ["Evidence", "Extraction", "extract_metadata"]
