"""Warm a new server process before it takes requests, so no visitor pays its first-request costs.

The first dashboard, statistics, list, search and policy page a worker process answers cost
what no later one does: importing the analysis and query modules, compiling the templates,
opening the database and filling its caches — about half a second in all, where a later page
takes milliseconds. With several workers, which one answers a request is chance, so a visitor
could meet that cost long after the server started (and a benchmark's "first request after a
write" measured it instead of the write). ``cbec serve`` therefore has each worker ask itself
these pages once, through its own application, before it listens: the same code a visitor's
request runs, its answers kept where any answer is (the ETag cache). A page that fails here
is logged and the worker starts anyway; the visitor who asks for it then gets the error, as
without the warm-up.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import quote

from cbec_policy.store import PolicyFilters

_LOG = logging.getLogger("cbec_policy.web")
# The pages whose first answer costs the most; a search word found in most documents takes the
# search's longest path (the ranked tiers, then the newest-first walk).
WARM_PATHS = ("/", "/api/stats", "/policies", "/api/policies?q=" + quote("跨境电商"))


async def _get(app: Any, target: str) -> int:
    """GET ``target`` through the ASGI ``app`` in this process; the status of the answer."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"localhost")], "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 0),
    }  # fmt: skip
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


async def warm_up(app: Any) -> list[tuple[str, int]]:
    """Ask ``app`` for the costly pages once (and one policy page); (path, status) of each, 0 when it raised."""
    targets = list(WARM_PATHS)
    newest = app.state.store.list_briefs(PolicyFilters(), limit=1)
    if newest:
        targets.append("/policies/" + quote(newest[0].id))
    started = time.perf_counter()
    answered: list[tuple[str, int]] = []
    for target in targets:
        try:
            answered.append((target, await _get(app, target)))
        except Exception:  # a broken page must not keep the server from starting: logged, the next one is tried
            _LOG.warning("warm-up: %s failed", target, exc_info=True)
            answered.append((target, 0))
    _LOG.info("warm-up: %d pages in %.0f ms", len(answered), (time.perf_counter() - started) * 1000)
    return answered
