"""Writers that turn computed tables and figures into files (Markdown, CSV, Excel, LaTeX, HTML).

Other packages use the names exported here. The table writers are imported with the package;
the report builder, its inputs (which open the store) and its figures (matplotlib) are imported
on first use of their names (:mod:`cbec_policy.lazy`), so writing a table does not load them.
"""

from cbec_policy.lazy import lazy_exports
from cbec_policy.report.table_writers import FORMATS, Column, TableData, rows_as_dicts, write

# name -> the module that defines it, imported on first use (tests/test_architecture.py reads this map)
_LAZY: dict[str, str] = {
    "build_report": "cbec_policy.report.build",
    "find_cjk_font": "cbec_policy.report.chart_base",
    "read_did_result": "cbec_policy.report.evaluation_section",
    "ReportInputs": "cbec_policy.report.inputs",
}

# The eager names, then every lazy one: the map is the one list of those.
__all__ = [
    "FORMATS",
    "Column",
    "TableData",
    "rows_as_dicts",
    "write",
    *_LAZY,
]

__getattr__ = lazy_exports(globals(), _LAZY)
