"""The import rules over millions of order lines, equal to the single-order path.

- :mod:`~cbec_policy.rules.order_file.parsing` — line columns parsed, checked, grouped into orders;
  errors naming order, line and field;
- :mod:`~cbec_policy.rules.order_file.engine` — the kernel (the shared regime choice on the
  parameters' own lookup, the running buyer ledger, line taxes to the fen);
- :mod:`~cbec_policy.rules.order_file.files` — CSV/Parquet streaming and the results file;
- :mod:`~cbec_policy.rules.order_file.distributed` — the same kernel on a Dask cluster, partitioned
  by buyer (not imported here: Dask takes about a second to import).
"""

from __future__ import annotations

from cbec_policy.rules.order_file.engine import ChunkResult, OrderFileEngine
from cbec_policy.rules.order_file.files import (
    DEFAULT_CHUNK_ROWS,
    RESULT_COLUMNS,
    OrderFileSummary,
    parquet_rows,
    run_order_file,
)
from cbec_policy.rules.order_file.parsing import parse_lines

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "RESULT_COLUMNS",
    "ChunkResult",
    "OrderFileEngine",
    "OrderFileSummary",
    "parquet_rows",
    "parse_lines",
    "run_order_file",
]  # fmt: skip
