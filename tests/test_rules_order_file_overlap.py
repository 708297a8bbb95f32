"""An order-file run's read-ahead and write-behind threads: order kept, errors raised in the caller."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from cbec_policy.rules.order_file.overlap import DEPTH, WriteBehind, read_ahead


def test_writes_land_in_the_order_given_with_at_most_depth_waiting() -> None:
    written: list[int] = []
    release = threading.Event()

    def write(item: int) -> None:
        release.wait()
        written.append(item)

    behind = WriteBehind(write)
    for item in range(DEPTH):
        behind.submit(item)  # the writer is held: these only queue
    assert written == []
    release.set()
    for item in range(DEPTH, 7):
        behind.submit(item)
    behind.close()
    assert written == list(range(7))


def test_a_failed_write_is_raised_by_a_later_submit_or_close() -> None:
    def write(item: int) -> None:
        if item == 1:
            raise OSError("disk full")
        time.sleep(0.001)

    behind = WriteBehind(write)
    with pytest.raises(OSError, match="disk full"):
        try:
            for item in range(10):
                behind.submit(item)
        finally:
            behind.close()


def test_read_ahead_gives_every_item_in_order_and_raises_the_readers_error() -> None:
    assert list(read_ahead(iter(range(9)))) == list(range(9))

    def broken() -> Iterator[int]:
        yield 1
        raise ValueError("bad row group")

    with pytest.raises(ValueError, match="bad row group"):
        list(read_ahead(broken()))
