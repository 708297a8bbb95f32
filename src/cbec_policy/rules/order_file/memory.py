"""Memory for an order-file run: a chunk's freed buffers are kept for the next chunk, not handed back.

Each chunk of order lines is a few dozen column arrays of a few megabytes. By default the C
allocator returns freed blocks of that size to the operating system, and Arrow's own pool
(mimalloc) purges freed pages just as soon; the next chunk then takes fresh pages, and every
fresh page is a fault the kernel serves and zeroes. On a file of a million lines that is some
30,000 faults per run, about a third of its CPU time, and more on a busy machine.

During a run, :func:`order_file_memory` gives Arrow the C allocator (restoring the previous pool when
the last run of the process ends) and tells the C allocator (glibc) to keep up to
:data:`KEEP_FREED_BYTES` of freed memory and to serve blocks below :data:`HEAP_BLOCK_BYTES` from
its heap. glibc offers no way to read these settings back, so they stay for the process: at most
that much freed memory is held for reuse. Elsewhere (another C library) nothing changes.
"""

from __future__ import annotations

import ctypes
import platform
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pyarrow as pa

KEEP_FREED_BYTES = 64 << 20  # glibc M_TRIM_THRESHOLD: freed memory kept at the top of the heap
HEAP_BLOCK_BYTES = 4 << 20  # glibc M_MMAP_THRESHOLD: larger blocks are mapped apart
_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3


@cache
def keep_freed_heap() -> bool:
    """Tell glibc's allocator to keep freed chunk buffers for reuse (once per process); False elsewhere."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, HEAP_BLOCK_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, KEEP_FREED_BYTES))


class _Runs:
    """Runs in progress in this process: the first sets the pool, the last one out restores it."""

    lock = threading.Lock()
    count = 0
    previous: pa.MemoryPool | None = None


@contextmanager
def order_file_memory() -> Iterator[None]:
    """Arrow's buffers from the C allocator, which keeps freed chunks, for the duration of a run."""
    if not keep_freed_heap():
        yield
        return
    with _Runs.lock:
        if _Runs.count == 0:
            _Runs.previous = pa.default_memory_pool()
            pa.set_memory_pool(pa.system_memory_pool())
        _Runs.count += 1
    try:
        yield
    finally:
        with _Runs.lock:
            _Runs.count -= 1
            if _Runs.count == 0 and _Runs.previous is not None:
                pa.set_memory_pool(_Runs.previous)
                _Runs.previous = None
