"""datatrove's installed-distribution check answered by name lookup, with datatrove's own answers."""

from __future__ import annotations

import importlib.metadata

import pytest
from datatrove.utils import _import_utils as utils

from curate.datatrove_deps import fast_distribution_check


@pytest.fixture
def datatrove_check(monkeypatch):
    current = utils._is_distribution_available
    original = getattr(current, "original", current)  # curate.stageio applied it already
    monkeypatch.setattr(utils, "_is_distribution_available", original)
    return original


def test_answers_are_datatroves_without_parsing_every_distribution(datatrove_check, monkeypatch):
    assert fast_distribution_check() and fast_distribution_check()  # applied once, then a no-op
    fast = utils._is_distribution_available
    assert fast is not datatrove_check
    scanned = []
    real = importlib.metadata.distributions
    monkeypatch.setattr(
        importlib.metadata, "distributions", lambda *a, **k: scanned.append(1) or real(*a, **k)
    )
    assert fast("orjson") is True and fast("numpy") is True and scanned == []  # found by name
    for name in ("orjson", "numpy", "no-such-distribution-xyz", "ORJSON"):
        assert fast(name) == datatrove_check.__wrapped__(name)  # same answer, found or not
    assert scanned  # what the lookup cannot settle goes to datatrove's scan


def test_other_datatrove_versions_are_left_alone(datatrove_check, monkeypatch):
    monkeypatch.setattr("curate.datatrove_deps.CHECKED_VERSIONS", ("0.99.",))
    assert not fast_distribution_check()
    assert utils._is_distribution_available is datatrove_check
