"""Places as people name them: the administrative-division hierarchy and which pilot zone covers a place.

Low in the layers (it reads only the division package and the bundled reference data), so
ingest, store, rules and the front ends can all use the same hierarchy and the same answers.
Other packages use the names exported here.
"""

from cbec_policy.places.coverage import PlaceAnswer, ZoneMembership, lookup_place, membership
from cbec_policy.places.hierarchy import Hierarchy, Place, hierarchy, label
from cbec_policy.places.names import english_place_name, name_keys, pinyin_of, short_name
from cbec_policy.places.provinces import find_provinces
from cbec_policy.places.records import answer_fields
from cbec_policy.places.retail_import import retail_import_1210

__all__ = [
    "Hierarchy",
    "Place",
    "PlaceAnswer",
    "ZoneMembership",
    "answer_fields",
    "english_place_name",
    "find_provinces",
    "hierarchy",
    "label",
    "lookup_place",
    "membership",
    "name_keys",
    "pinyin_of",
    "retail_import_1210",
    "short_name",
]
