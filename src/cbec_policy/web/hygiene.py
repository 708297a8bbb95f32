"""Request hygiene around every route: control characters refused, HEAD answered, conditional GETs.

* A NUL or other control character in the path or a query parameter is refused with 422
  naming the parameter, before any route or database sees it (SQLite's FTS5 and PostgreSQL
  both fail on NUL in a bound string, and no legitimate value holds one); so is an API query
  parameter given twice (``?on=2020-01-01&on=2021-01-01``: each takes one value).
* ``HEAD`` is answered for every ``GET`` route, as HTTP requires: the route runs as GET and
  the body is dropped.
* Pages and API reads over policies carry an ``ETag`` built from the store's change counter,
  the URL, the language cookie and the day (the in-force figures change at midnight); a
  request with a matching ``If-None-Match`` gets 304 without running the route, and a request
  for an ETag already answered gets the kept answer (:mod:`cbec_policy.web.caching`).
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from cbec_policy.web.caching import AnswerCache

_CONTROL = {chr(code) for code in range(0x20)} | {"\x7f"}
CONTROL_REASON = "control characters (such as NUL) are not allowed"
# The same rule as a schema pattern, for path parameters the middleware guards: the contract
# then says what the server refuses with 422.
NO_CONTROL_PATTERN = r"^[^\x00-\x1f\x7f]+$"
NO_CONTROL_OR_EMPTY_PATTERN = r"^[^\x00-\x1f\x7f]*$"
# Reads whose answer depends only on the stored policies (and the URL, language and day).
_CACHEABLE_PREFIXES = ("/policies", "/api/policies", "/api/stats")
_CACHEABLE_EXACT = ("/",)


def _control_in(text: str) -> bool:
    return any(char in _CONTROL for char in text)


def bad_parameter(scope: dict[str, Any]) -> tuple[str, str] | None:
    """(name, reason) of the first refused parameter (or ``path``), else None.

    Refused: a control character in the path or a query parameter; on the API, a query
    parameter given twice (every one takes a single value, and which copy would count is
    nowhere said). The pages' forms may repeat a name, so they are not checked for that.
    """
    if _control_in(scope.get("path", "")):
        return "path", CONTROL_REASON
    raw = scope.get("query_string", b"").decode("latin-1")
    seen: set[str] = set()
    api = scope.get("path", "").startswith("/api")
    for name, value in parse_qsl(raw, keep_blank_values=True):
        # parse_qsl decodes percent escapes as UTF-8 (errors replaced), so %00 arrives as NUL here.
        if _control_in(name) or _control_in(value):
            return (name if not _control_in(name) else "query"), CONTROL_REASON
        if api and name in seen:
            return name, "given more than once; every parameter takes a single value"
        seen.add(name)
    return None


class RequestHygiene:
    """A plain ASGI middleware doing the checks and the caching of the module docstring."""

    def __init__(self, app: Any, store: Any) -> None:
        self.app = app
        self.store = store
        self.answers = AnswerCache()

    def _etag(self, scope: dict[str, Any]) -> str | None:
        path = scope.get("path", "")
        if not (path in _CACHEABLE_EXACT or path.startswith(_CACHEABLE_PREFIXES)) or path.endswith("/export"):
            return None
        version = self.store.change_counter()
        if version is None:
            return None
        cookies = dict(scope.get("headers", [])).get(b"cookie", b"")
        key = b"|".join([str(version).encode(), path.encode(), scope.get("query_string", b""), cookies,
                         date.today().isoformat().encode()])  # fmt: skip
        return 'W/"' + hashlib.sha256(key).hexdigest()[:24] + '"'

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = bad_parameter(scope)
        if refused is not None:
            await _reject(send, *refused, scope)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        etag = self._etag(scope) if scope["method"] == "GET" else None
        if etag is not None:
            wanted = dict(scope.get("headers", [])).get(b"if-none-match", b"").decode("latin-1")
            if etag in [tag.strip() for tag in wanted.split(",")]:
                await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag.encode())]})
                await send({"type": "http.response.body", "body": b""})
                return

        # The whole answer is kept by ETag (see web.caching): the next request for it costs no store read.
        cached = self.answers.get(etag) if etag is not None else None
        record = self.answers.recorder(etag) if etag is not None and cached is None else None

        async def send_wrapped(message: dict[str, Any]) -> None:
            if record is not None:
                record(message)
            if message["type"] == "http.response.start" and etag is not None and message.get("status") == 200:
                message = {**message, "headers": [*message.get("headers", []), (b"etag", etag.encode())]}
            if head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        if cached is not None:
            for message in cached.messages():
                await send_wrapped(message)
            return
        await self.app(scope, receive, send_wrapped)


async def _reject(send: Any, name: str, reason: str, scope: dict[str, Any]) -> None:
    message = f"{name}: {reason}"
    if scope.get("path", "").startswith("/api"):
        body = json.dumps({"message": message, "field": name}).encode()
        content_type = b"application/json"
    else:
        text = f"{html.escape(name)}: 不允许控制字符 / {html.escape(message)}"
        body = f"<!doctype html><title>422</title><p>{text}</p>".encode()
        content_type = b"text/html; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})
