"""Read documents chunk by chunk, the coming chunks in a separate process while the caller stores.

Storing a chunk (the database's full-text indexing, the commit) and reading the next one
(decoding, normalising, extracting, classifying) are both mostly CPU work. In one process they
share the interpreter lock: a reader thread and the storing thread hand the lock back and forth
and run one after the other, not side by side. A reader *process* runs on another core. The
chunks come back in input order, each document read exactly as :func:`process_document` reads
it in the calling process, so what is stored does not depend on where a document was read.

Small runs (a few files) are read in the calling process: starting a reader process costs more
than it saves. If the reader process cannot be started or dies (killed, out of memory), the
remaining chunks are read in the calling process, so a run never fails because of it.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from cbec_policy.ingest.pipeline import DocumentResult, process_document
from cbec_policy.ingest.readers import DEFAULT_MAX_BYTES

T = TypeVar("T")

# Below this many files a run is read in the calling process: forking a reader and sending
# the documents back costs more than overlapping a few files' reading with storing saves.
MIN_FILES_FOR_PROCESS = 64
# Reader processes at most: the store writes through one connection, so the reading needs one
# core and the store another; more readers only help when classifying makes reading the slower part.
MAX_READERS = 2
_PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent ends (linux/prctl.h)


def read_chunk(paths: Sequence[str], max_bytes: int, classify: bool, then: Callable[[list[DocumentResult]], T]) -> T:
    """``then`` of :func:`process_document` for each path, in order (what a reader runs for one chunk)."""
    return then([process_document(path, max_bytes=max_bytes, classify=classify) for path in paths])


def _reader_count() -> int:
    """Reader processes for this machine: one core is left to the process that stores."""
    return max(1, min(MAX_READERS, (os.cpu_count() or 1) - 1))


def _reader_pool(readers: int) -> ProcessPoolExecutor | None:
    """Reader processes forked from this one, or None where that is not safe (then the caller reads).

    A forked reader starts at once with everything already imported, and never touches what
    it inherited besides the readers (it leaves through ``os._exit``, so no inherited database
    connection is closed or flushed by it). Forking is safe only while no other thread runs,
    which could hold a lock at that instant the copy would then wait for forever; it is also
    Linux's way (other systems' libraries are not fork-safe), so elsewhere nothing is forked.
    """
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return None
    try:
        return ProcessPoolExecutor(
            max_workers=readers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_reader,
            initargs=(os.getpid(),),
        )
    except (OSError, ValueError):
        return None


def _start_reader(parent: int) -> None:
    """Set up a forked reader: it ends with its parent, and the collector leaves what it inherited alone."""
    _leave_with_parent(parent)
    # The inherited objects (modules, reference tables, the caller's store) live as long as the
    # reader does: frozen, they are not walked by every full garbage collection, which the
    # documents of a chunk set off when they pile up, nor are their pages copied by it.
    gc.freeze()


def _leave_with_parent(parent: int) -> None:
    """Make this reader end when the process that stores ends, even by ``kill -9``.

    A reader blocked on sending a chunk back holds both ends of the result pipe (it inherited
    them), so it would never see the other side go and would wait forever; Linux's
    parent-death signal ends it instead. If the parent is already gone, the reader leaves now.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)


def read_ahead(
    chunks: Sequence[Sequence[str]],
    *,
    then: Callable[[list[DocumentResult]], T],
    max_bytes: int = DEFAULT_MAX_BYTES,
    classify: bool = True,
) -> Iterator[T]:
    """``then`` of the documents of each chunk, in order; later chunks are read while one is used.

    The next chunks are read in reader processes (see the module docstring) while the caller
    handles the current one. ``then`` runs where the chunk was read, so whatever it derives
    from the documents alone is done on the reader's core too; it must be a module-level
    function (it is sent to the reader by name). At most one chunk more than there are readers
    is waiting, so the memory used stays that of a few chunks however many files there are.
    """
    if sum(len(chunk) for chunk in chunks) < MIN_FILES_FOR_PROCESS or len(chunks) < 2:
        for chunk in chunks:
            yield read_chunk(chunk, max_bytes, classify, then)
        return
    readers = _reader_count()
    pool = _reader_pool(readers)
    pending: deque[Future[T]] = deque()
    try:
        # The first chunk is read here while the reader processes start up.
        ahead = 1  # the next chunk to hand to a reader
        while pool is not None and ahead < min(len(chunks), readers + 2):
            pending.append(pool.submit(read_chunk, chunks[ahead], max_bytes, classify, then))
            ahead += 1
        yield read_chunk(chunks[0], max_bytes, classify, then)
        for index in range(1, len(chunks)):
            future = pending.popleft() if pool is not None and pending else None
            if future is not None:
                try:
                    results = future.result()
                except (BrokenProcessPool, OSError):
                    # The reader is gone (killed, out of memory): this chunk and the rest are read here.
                    assert pool is not None  # the future came from it
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool, future = None, None
                    pending.clear()
            if future is None:
                results = read_chunk(chunks[index], max_bytes, classify, then)
            if pool is not None and ahead < len(chunks):
                pending.append(pool.submit(read_chunk, chunks[ahead], max_bytes, classify, then))
                ahead += 1
            yield results
        if pool is not None:
            pool.shutdown(wait=True)  # every chunk is read: the readers leave at once
            pool = None
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
