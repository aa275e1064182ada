"""A parser in a forked child: its result, or a rejection named after the bound it exceeded."""

from __future__ import annotations

import os
import time

import pytest

from curate.extract.bounded import BoundExceeded, run_bounded


def _add(a, b):
    return {"sum": a + b, "text": "x" * 3_000_000}


def _sleep(seconds):
    time.sleep(seconds)


def _allocate(n_bytes):
    return len(bytearray(n_bytes))


def _raise():
    raise RecursionError("too deep")


def _die():
    os.kill(os.getpid(), 11)


def test_result_comes_back_whole():
    out = run_bounded(_add, (2, 3), seconds=30, memory_bytes=2**30)
    assert out["sum"] == 5 and len(out["text"]) == 3_000_000


def test_each_bound_has_its_reason():
    start = time.monotonic()
    with pytest.raises(BoundExceeded) as slow:
        run_bounded(_sleep, (60,), seconds=0.5, memory_bytes=2**30, name="pdf")
    assert slow.value.reason == "pdf_time_limit" and time.monotonic() - start < 10
    with pytest.raises(BoundExceeded) as big:
        run_bounded(_allocate, (2**31,), seconds=30, memory_bytes=256 * 2**20, name="pdf")
    assert big.value.reason == "pdf_memory_limit"
    with pytest.raises(BoundExceeded) as failed:
        run_bounded(_raise, (), seconds=30, memory_bytes=2**30, name="pdf")
    assert failed.value.reason == "pdf_error" and "RecursionError" in str(failed.value)
    with pytest.raises(BoundExceeded) as crashed:
        run_bounded(_die, (), seconds=30, memory_bytes=2**30, name="pdf")
    assert crashed.value.reason == "pdf_crashed"
