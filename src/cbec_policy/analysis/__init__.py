"""Analysis: the paper's hand-made arguments recomputed from the data.

Every function here takes plain lists of models (``Policy``, ``PilotZone``, ``TradeStat`` ...)
and returns plain rows or small records, so that the same numbers feed the report, the web
pages and the tests. Nothing in this package opens the database or writes files.
"""
