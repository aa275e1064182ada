"""loguru's library folders computed once per sys.path, only on the loguru versions it was checked on."""

from __future__ import annotations

import io
import sysconfig

import loguru
import pytest
from loguru import logger
from loguru._better_exceptions import ExceptionFormatter

from curate.task_logging import cache_library_folders


@pytest.fixture
def original_formatter():
    saved = ExceptionFormatter.__dict__["_get_lib_dirs"]  # patched already if a task ran in this process
    original = staticmethod(getattr(saved.__func__, "original", saved.__func__))
    ExceptionFormatter._get_lib_dirs = original
    yield original
    ExceptionFormatter._get_lib_dirs = saved


def test_adding_a_sink_no_longer_asks_sysconfig_and_finds_the_same_folders(original_formatter, monkeypatch):
    before = sorted(ExceptionFormatter._get_lib_dirs())
    assert cache_library_folders() and cache_library_folders()  # applied once, then a no-op
    assert sorted(ExceptionFormatter._get_lib_dirs()) == before
    calls = []
    real = sysconfig.get_path
    monkeypatch.setattr(sysconfig, "get_path", lambda *a, **k: calls.append(a) or real(*a, **k))
    sink = logger.add(io.StringIO())
    logger.remove(sink)
    assert calls == []
    monkeypatch.syspath_prepend("/nowhere")  # another sys.path: computed again for it
    ExceptionFormatter._get_lib_dirs()
    assert calls


def test_other_loguru_versions_are_left_alone(original_formatter, monkeypatch):
    monkeypatch.setattr(loguru, "__version__", "0.8.0")
    assert not cache_library_folders()
    assert ExceptionFormatter.__dict__["_get_lib_dirs"] is original_formatter
