"""A project's scope: its seeds' sites and directories, include/exclude patterns."""

from __future__ import annotations

from curate.crawl.policy.scope import ScopeRules, seed_prefix
from curate.crawl.policy.settings import Scope


def test_scope():
    assert (
        seed_prefix("/") == "/" and seed_prefix("/bitcoin.pdf") == "/" and seed_prefix("/projx") == "/projx/"
    )
    rules = ScopeRules(Scope(exclude=[r"\.zip$"]))
    rules.add_seed("P", "https://medium.com/projx")
    rules.add_seed("P", "https://ethereum.org/")
    assert rules.allows("P", "https://medium.com/projx/post-1") and not rules.allows(
        "P", "https://medium.com/other"
    )
    assert rules.allows("P", "https://blog.ethereum.org/2024/x") and not rules.allows(
        "Q", "https://ethereum.org/"
    )
    assert not rules.allows("P", "https://ethereum.org/dump.zip")
    assert rules.covers_site("P", "https://ethereum.org/x") and not rules.covers_site(
        "P", "https://medium.com/"
    )
