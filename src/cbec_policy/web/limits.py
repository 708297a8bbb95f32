"""Limits applied before any route does work: body size, the write token, heavy-job concurrency.

FastAPI parses a multipart body (spooling it to a temporary file) before a route's
dependencies run, so a token check in a dependency comes after a 1 GiB upload has already
filled the temporary folder. This ASGI middleware answers first, from the request line and
headers alone:

* a write route (upload, label edit, delete) without the right bearer token → 401/403 before
  one byte of the body is read;
* a ``Content-Length`` over the limit → 413 before the body is read; a chunked body is counted
  as it streams and refused with 413 the moment it passes the limit (the route never sees it);
* report builds and order files cost seconds of CPU each: at most ``heavy_jobs`` run at once per
  worker process, a further one gets 429 with ``Retry-After`` instead of queueing.

The route dependencies (:func:`cbec_policy.web.deps.require_token`) keep the same token check:
the middleware is the early refusal, not the only one.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from cbec_policy.web.config import WebConfig

# Multipart boundaries, part headers and ordinary form fields around the files themselves.
FORM_OVERHEAD_BYTES = 1024 * 1024
RETRY_AFTER_SECONDS = 10

# (method, path pattern) of the routes that change stored data and so need the write token.
_WRITE_ROUTES = (
    ("POST", re.compile(r"^/api/ingest/?$")),
    ("PATCH", re.compile(r"^/api/policies/.+/labels$")),
    ("DELETE", re.compile(r"^/api/policies/.+$")),
)
# Routes that build a report or run an order file: seconds of CPU and a work folder each.
_HEAVY_ROUTES = (
    ("POST", re.compile(r"^/(api/)?report/?$")),
    ("POST", re.compile(r"^/(api/)?tax/batch/?$")),
)


def token_refusal(config: WebConfig, authorization: str) -> tuple[int, str] | None:
    """Why a write is refused (status, message), or None when the bearer token is right.

    No token configured → 403 (the server is read-only); a missing or wrong token → 401.
    The comparison takes the same time whatever the supplied token, so it leaks nothing.
    """
    if not config.writable:
        return 403, "read-only server: no write token configured (CBEC_WEB_TOKEN)"
    scheme, _, supplied = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(supplied.strip().encode(), (config.token or "").encode()):
        return 401, "missing or wrong bearer token"
    return None


def body_limit(config: WebConfig) -> int:
    """The largest request body accepted: one upload limit's worth of files plus the form around them."""
    return config.max_upload_bytes + FORM_OVERHEAD_BYTES


def _matches(routes: tuple[tuple[str, re.Pattern[str]], ...], method: str, path: str) -> bool:
    return any(method == wanted and pattern.match(path) for wanted, pattern in routes)


class RequestLimits:
    """A plain ASGI middleware applying the three limits of the module docstring."""

    def __init__(self, app: Any, config: WebConfig) -> None:
        self.app = app
        self.config = config
        self.limit = body_limit(config)
        self.running = 0  # heavy jobs now in this process (one event loop: no lock needed)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope.get("path", "")
        headers = dict(scope.get("headers", []))
        if _matches(_WRITE_ROUTES, method, path):
            refusal = token_refusal(self.config, headers.get(b"authorization", b"").decode("latin-1"))
            if refusal is not None:
                extra = [(b"www-authenticate", b"Bearer")] if refusal[0] == 401 else []
                await _answer(send, scope, *refusal, extra)
                return
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > self.limit:
            await _answer(send, scope, 413, self._too_large())
            return
        if not _matches(_HEAVY_ROUTES, method, path):
            await self._guarded(scope, receive, send)
            return
        if self.running >= self.config.heavy_jobs:
            message = f"busy: {self.running} report or order jobs are running; try again in {RETRY_AFTER_SECONDS} s"
            await _answer(send, scope, 429, message, [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())])
            return
        self.running += 1
        try:
            await self._guarded(scope, receive, send)
        finally:
            self.running -= 1

    def _too_large(self) -> str:
        return f"request body larger than the limit of {self.limit // 1024} KB (CBEC_WEB_MAX_UPLOAD_MB plus the form)"

    async def _guarded(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Run the app with the body counted as it arrives; past the limit the app gets a disconnect.

        Whatever the app then answers (a parse error, a half-done result) is dropped and the
        client gets 413: the route's own answer could not be about the whole body.
        """
        state = {"received": 0, "over": False, "started": False}

        async def counted_receive() -> dict[str, Any]:
            if state["over"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.limit:
                    state["over"] = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            if state["over"] and not state["started"]:
                return  # swallowed: the 413 below answers instead
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not state["over"]:
                raise
        if state["over"] and not state["started"]:
            await _answer(send, scope, 413, self._too_large())


async def _answer(
    send: Any, scope: dict[str, Any], status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    """A JSON refusal for the API, a short HTML page for the browser pages (security headers come outside)."""
    if scope.get("path", "").startswith("/api"):
        body = json.dumps({"message": message}, ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        body = f"<!doctype html><title>{status}</title><p>{_html_escape(message)}</p>".encode()
        content_type = b"text/html; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(extra or [])]
    if status == 413:
        headers.append((b"connection", b"close"))  # the unread body must not be taken for the next request
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
