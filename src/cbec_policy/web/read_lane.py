"""The read lane: store reads of the HTTP handlers run on a few threads per worker process.

FastAPI runs a plain ``def`` handler on a pool of up to 40 threads. Store reads are short and
CPU-bound (SQLite from the page cache, SQLAlchemy, building policies), so many of them at once
in one process only fight over the interpreter lock: each takes longer, and under load the
switching itself costs CPU. Handlers decorated with :func:`reads_store` instead queue on the
event loop and run at most ``CBEC_WEB_READ_THREADS`` at a time (default 3) on the thread pool.
A few at once let a short page read overlap a long search (SQLite lets go of the lock while it
works); one at a time, or 40, measured slower. The event loop stays free for cheap requests
(the tax calculators run on it directly), and more worker processes (``cbec serve --workers``)
use more cores. Long jobs (uploads, reports, order files) stay plain ``def`` handlers on the
default pool, so they never hold up page views. Over PostgreSQL, where a read waits on the
network, a larger value can help.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar

from cbec_policy.errors import InputError

READ_THREADS_ENV = "CBEC_WEB_READ_THREADS"
DEFAULT_READ_THREADS = 3  # best of 1, 3, 8 and 40 on SQLite with benchmarks/bench_web.py (2 CPUs)
MAX_READ_THREADS = 64

P = ParamSpec("P")
R = TypeVar("R")

# One limiter per event loop (a limiter must not be shared between loops, e.g. in tests).
_LIMITER: RunVar[CapacityLimiter] = RunVar("cbec_read_lane")


def read_threads() -> int:
    """How many store reads one worker process runs at once (``CBEC_WEB_READ_THREADS``, default 3)."""
    raw = os.environ.get(READ_THREADS_ENV, "").strip()
    if not raw:
        return DEFAULT_READ_THREADS
    try:
        value = int(raw)
    except ValueError:
        raise InputError(READ_THREADS_ENV, f"not a whole number: {raw!r}") from None
    if not 1 <= value <= MAX_READ_THREADS:
        raise InputError(READ_THREADS_ENV, f"must be between 1 and {MAX_READ_THREADS}")
    return value


def _limiter() -> CapacityLimiter:
    try:
        return _LIMITER.get()
    except LookupError:
        limiter = CapacityLimiter(read_threads())
        _LIMITER.set(limiter)
        return limiter


def reads_store(handler: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Turn a synchronous handler that reads the store into an async one that runs in the read lane.

    ``functools.wraps`` keeps the handler's signature and globals, which FastAPI reads to
    find the parameters; the returned coroutine function tells FastAPI not to use its own pool.
    """

    @functools.wraps(handler)
    async def in_lane(*args: P.args, **kwargs: P.kwargs) -> R:
        return await to_thread.run_sync(functools.partial(handler, *args, **kwargs), limiter=_limiter())

    return in_lane
