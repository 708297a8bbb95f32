"""Memory of an order-file run: Arrow's buffers come from the C allocator during the run, the pool restored after."""

from __future__ import annotations

import platform

import pyarrow as pa
import pytest

from cbec_policy.rules.order_file.memory import keep_freed_heap, order_file_memory

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="the allocator settings are glibc's")
def test_a_run_uses_the_c_allocator_and_restores_the_pool_even_when_it_fails() -> None:
    before = pa.default_memory_pool().backend_name
    with pytest.raises(RuntimeError, match="bad chunk"), order_file_memory():
        assert keep_freed_heap() is True
        assert pa.default_memory_pool().backend_name == "system"
        raise RuntimeError("bad chunk")
    assert pa.default_memory_pool().backend_name == before


def test_without_glibc_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    keep_freed_heap.cache_clear()
    monkeypatch.setattr(platform, "libc_ver", lambda: ("musl", "1.2"))
    try:
        assert keep_freed_heap() is False
        before = pa.default_memory_pool().backend_name
        with order_file_memory():
            assert pa.default_memory_pool().backend_name == before
    finally:
        keep_freed_heap.cache_clear()


@pytest.mark.skipif(not GLIBC, reason="the allocator settings are glibc's")
def test_overlapping_runs_restore_the_pool_only_when_the_last_ends() -> None:
    before = pa.default_memory_pool().backend_name
    first, second = order_file_memory(), order_file_memory()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert pa.default_memory_pool().backend_name == "system"  # the second run is still going
    second.__exit__(None, None, None)
    assert pa.default_memory_pool().backend_name == before
