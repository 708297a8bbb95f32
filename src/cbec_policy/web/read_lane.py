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

Searches have a lane of their own (``CBEC_WEB_SEARCH_THREADS``): a search of a word found in
most documents costs tens of milliseconds, a policy page or a list a few, and in one queue
every short read waited behind the long ones. With two lanes a page read gets a thread at once
and shares the interpreter with the searches running, so short reads stay short. By default
the search lane is 2 wide on SQLite (a search there is CPU in this process) and 4 on
PostgreSQL (a search there mostly waits on the server): the best of 2 and 4 on each with
``benchmarks/bench_web.py``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from starlette.requests import Request

from cbec_policy.errors import InputError

READ_THREADS_ENV = "CBEC_WEB_READ_THREADS"
DEFAULT_READ_THREADS = 3  # best of 1, 3, 8 and 40 on SQLite with benchmarks/bench_web.py (2 CPUs)
SEARCH_THREADS_ENV = "CBEC_WEB_SEARCH_THREADS"
# Searches at once per worker process, by the store's database (others: SQLite's).
DEFAULT_SEARCH_THREADS = {"sqlite": 2, "postgresql": 4}
MAX_READ_THREADS = 64

P = ParamSpec("P")
R = TypeVar("R")

# One limiter per lane and event loop (a limiter must not be shared between loops, e.g. in tests).
_READ_LIMITER: RunVar[CapacityLimiter] = RunVar("cbec_read_lane")
_SEARCH_LIMITER: RunVar[CapacityLimiter] = RunVar("cbec_search_lane")


def _threads(variable: str, default: int) -> int:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(variable, f"not a whole number: {raw!r}") from None
    if not 1 <= value <= MAX_READ_THREADS:
        raise InputError(variable, f"must be between 1 and {MAX_READ_THREADS}")
    return value


def read_threads() -> int:
    """How many store reads one worker process runs at once (``CBEC_WEB_READ_THREADS``, default 3)."""
    return _threads(READ_THREADS_ENV, DEFAULT_READ_THREADS)


def search_threads(dialect: str = "sqlite") -> int:
    """How many searches one worker process runs at once over ``dialect`` (``CBEC_WEB_SEARCH_THREADS``).

    Without the variable: :data:`DEFAULT_SEARCH_THREADS` of the database.
    """
    return _threads(SEARCH_THREADS_ENV, DEFAULT_SEARCH_THREADS.get(dialect, DEFAULT_SEARCH_THREADS["sqlite"]))


def _limiter(lane: RunVar[CapacityLimiter], size: Callable[[], int]) -> CapacityLimiter:
    try:
        return lane.get()
    except LookupError:
        limiter = CapacityLimiter(size())
        lane.set(limiter)
        return limiter


def _search_request(kwargs: dict[str, object]) -> Request | None:
    """The request handled when it asks for a search (search words in its ``q`` parameter), else None."""
    request = kwargs.get("request")
    if isinstance(request, Request) and request.query_params.get("q", "").strip():
        return request
    return None


def _dialect_of(request: Request) -> str:
    """The database of the store the request's app serves ("sqlite" when it has none yet)."""
    app = request.scope.get("app")
    store = getattr(getattr(app, "state", None), "store", None)
    return str(getattr(store, "dialect", "sqlite"))


def reads_store(handler: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Turn a synchronous handler that reads the store into an async one that runs in a read lane.

    A request with search words (``q``) runs in the search lane, any other in the read lane;
    a handler that searches therefore takes the ``request`` among its parameters.
    ``functools.wraps`` keeps the handler's signature and globals, which FastAPI reads to
    find the parameters; the returned coroutine function tells FastAPI not to use its own pool.
    """

    @functools.wraps(handler)
    async def in_lane(*args: P.args, **kwargs: P.kwargs) -> R:
        search = _search_request(kwargs)
        if search is not None:
            limiter = _limiter(_SEARCH_LIMITER, lambda: search_threads(_dialect_of(search)))
        else:
            limiter = _limiter(_READ_LIMITER, read_threads)
        return await to_thread.run_sync(functools.partial(handler, *args, **kwargs), limiter=limiter)

    return in_lane
