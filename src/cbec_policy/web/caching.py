"""Answers of the policy reads kept in memory per worker, keyed on their ETag (the store's change counter).

The dashboard, ``/api/stats`` and the policy list aggregate every stored policy: with ten
thousand ingested documents one of them costs seconds of CPU, and under twenty clients the
cheap routes starve behind them. Their answer depends only on what is stored, the URL, the
language cookie and the day, which is exactly what the ETag of
:mod:`cbec_policy.web.hygiene` is made of. So the first 200 answer for an ETag is kept
(status, headers, body) and later requests for the same ETag, from any client, are answered
from memory. A write anywhere (ingest, upload, exclusion, deletion, in any process) moves the
change counter, so every ETag changes and no stale answer is ever served.

Bounded: at most :data:`MAX_BYTES` of bodies in all, none over :data:`MAX_ENTRY_BYTES`,
least recently used first out. Answers that set a cookie are not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class CachedAnswer:
    """One complete 200 answer: the ASGI start message and the whole body."""

    start: dict[str, Any]
    body: bytes

    def messages(self) -> list[dict[str, Any]]:
        """The ASGI messages that send this answer again."""
        return [self.start, {"type": "http.response.body", "body": self.body, "more_body": False}]


class AnswerCache:
    """Least-recently-used answers by ETag, bounded in bytes; safe across the server's threads."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self._entries: OrderedDict[str, CachedAnswer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, etag: str) -> CachedAnswer | None:
        """The answer kept for ``etag``, or None."""
        with self._lock:
            answer = self._entries.get(etag)
            if answer is not None:
                self._entries.move_to_end(etag)
            return answer

    def put(self, etag: str, answer: CachedAnswer) -> None:
        """Keep ``answer`` for ``etag`` unless it is too large; drop the oldest beyond the bound."""
        size = len(answer.body)
        if size > self.max_entry_bytes:
            return
        with self._lock:
            previous = self._entries.pop(etag, None)
            if previous is not None:
                self._bytes -= len(previous.body)
            self._entries[etag] = answer
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def recorder(self, etag: str) -> Callable[[dict[str, Any]], None]:
        """A function fed each ASGI message of an answer; it keeps the answer when it is a complete 200."""
        parts: list[bytes] = []
        state: dict[str, Any] = {}

        def record(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                keep = message.get("status") == 200 and not any(name.lower() == b"set-cookie" for name, _ in headers)
                state["start"] = message if keep else None
            elif message["type"] == "http.response.body" and state.get("start") is not None:
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.put(etag, CachedAnswer(state["start"], b"".join(parts)))
                    state["start"] = None

        return record
