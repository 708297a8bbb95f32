"""The import rules over millions of order lines, equal to the single-order path.

- :mod:`~cbec_policy.rules.batch.orders` — line columns parsed, checked, grouped into orders;
  errors naming order, line and field;
- :mod:`~cbec_policy.rules.batch.engine` — the kernel (the shared regime choice on the
  parameters' own lookup, the running buyer ledger, line taxes to the fen);
- :mod:`~cbec_policy.rules.batch.files` — CSV/Parquet streaming and the results file;
- :mod:`~cbec_policy.rules.batch.distributed` — the same kernel on a Dask cluster, partitioned
  by buyer (not imported here: Dask takes about a second to import).
"""

from __future__ import annotations

from cbec_policy.rules.batch.engine import BatchEngine, ChunkResult
from cbec_policy.rules.batch.files import DEFAULT_CHUNK_ROWS, RESULT_COLUMNS, BatchSummary, parquet_rows, run_batch
from cbec_policy.rules.batch.orders import parse_lines

__all__ = [
    "DEFAULT_CHUNK_ROWS", "RESULT_COLUMNS", "BatchEngine", "BatchSummary", "ChunkResult", "parquet_rows",
    "parse_lines", "run_batch",
]  # fmt: skip
