"""An order-file run's file work beside its computing: the next chunk is read and the last one written meanwhile.

Arrow decodes and encodes Parquet and CSV without holding Python's interpreter lock, so while
the main thread taxes a chunk, one thread reads the next chunk of order lines and another writes
the previous chunks' results. At most :data:`DEPTH` chunks wait on each side (two: the small
table of an order that ends one read and goes on in the next must not hold up the reads and
writes of the large ones), so memory stays that of five chunks. Errors of either thread are
raised in the main thread, where the run removes its temporary file as for any other failure;
results are written in input order.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_END = object()
_POLL_S = 0.05  # how often a blocked reader checks whether the run has stopped
DEPTH = 2  # chunks read ahead, and chunks waiting to be written


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """``items`` produced on a background thread, up to :data:`DEPTH` ahead of the consumer."""
    box: queue.Queue = queue.Queue(maxsize=DEPTH)
    stop = threading.Event()

    def put(entry: tuple[object, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                box.put(entry, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed over: the consumer raises it
            put((_END, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=work, name="order-file-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = box.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


class WriteBehind:
    """Runs ``write`` on one background thread, one call at a time, in the order given."""

    def __init__(self, write: Callable[[T], None]) -> None:
        self._write = write
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="order-file-write")
        self._pending: deque[Future] = deque()

    def submit(self, item: T) -> None:
        """Queue ``item`` once fewer than :data:`DEPTH` writes wait (raising a finished write's error, if any)."""
        while len(self._pending) >= DEPTH:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._write, item))

    def wait(self) -> None:
        """Wait for every write in flight; the first error is raised here."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Finish the last writes and stop the thread."""
        try:
            self.wait()
        finally:
            self._pending.clear()
            self._pool.shutdown(wait=True)
