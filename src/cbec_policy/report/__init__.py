"""Writers that turn computed tables and figures into files (Markdown, CSV, Excel, LaTeX, HTML).

Other packages write tables through the names exported here; the report builder, its inputs
(which open the store) and its figures (matplotlib) are imported by module, when a report is made.
"""

from cbec_policy.report.table_writers import FORMATS, Column, TableData, rows_as_dicts, write

__all__ = ["FORMATS", "Column", "TableData", "rows_as_dicts", "write"]
