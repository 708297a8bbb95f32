"""Places as people name them: the administrative-division hierarchy and which pilot zone covers a place.

Low in the layers (it reads only the division package and the bundled reference data), so
ingest, store, rules and the front ends can all use the same hierarchy and the same answers.
"""

from cbec_policy.places.hierarchy import Hierarchy, Place, hierarchy, label
from cbec_policy.places.names import name_keys

__all__ = ["Hierarchy", "Place", "hierarchy", "label", "name_keys"]
