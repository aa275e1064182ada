"""Crawler traps stopped before they are fetched."""

from __future__ import annotations

from curate.crawl.policy.settings import Scope
from curate.crawl.policy.traps import TrapGuard, template


def test_traps():
    assert template("/calendar?month=2031-07&view=grid") == "/calendar?month&view"
    guard = TrapGuard(Scope(max_url_variants=2, max_url_length=80))
    assert [guard.check(f"http://x/ev/{y}/01/") for y in (2030, 2031, 2032)] == [
        None,
        None,
        "trap_url_variants",
    ]
    assert guard.check("http://x/a/b/a/b/a/b") == "trap_repeating_path"
    assert guard.check("http://x/" + "y" * 100) == "trap_url_too_long"
    assert guard.check("http://x/blog/my-first-post") is None
