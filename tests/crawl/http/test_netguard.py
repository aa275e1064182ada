"""The address guard: private networks refused, DNS with a time limit and an offline switch."""

from __future__ import annotations

import pytest

from curate.crawl.http.netguard import AddressGuard, FetchError


def test_address_guard():
    guard = AddressGuard([])
    for ip in (
        "127.0.0.1",
        "10.1.2.3",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "224.0.0.1",
    ):
        assert not guard.permitted(ip), ip
    assert guard.permitted("93.184.216.34") and guard.permitted("2606:4700::1111")
    assert AddressGuard(["127.0.0.0/8"]).permitted("127.0.0.9")
    with pytest.raises(FetchError) as err:
        guard.addresses("localhost")
    assert err.value.reason == "blocked_address"


def test_dns_counts_as_down_after_many_failures_and_none_resolved(monkeypatch):
    from curate.crawl.http import netguard

    calls: list[str] = []

    def fake_resolve(host, timeout_s):
        calls.append(host)
        if host.startswith("up"):
            return ["93.184.216.34"]
        raise FetchError("fetch_dns_timeout", "slow resolver")

    monkeypatch.setattr(netguard, "resolve", fake_resolve)
    guard = AddressGuard([], offline_after=3)
    for i in range(3):
        with pytest.raises(FetchError):
            guard.addresses(f"down{i}.example")
    with pytest.raises(FetchError):
        guard.addresses("probe.example")  # the first lookup after tripping is a real probe
    with pytest.raises(FetchError, match="DNS unavailable") as err:
        guard.addresses("down9.example")  # then names fail at once, without a lookup
    assert err.value.reason == "fetch_dns_error" and "down9.example" not in calls
    online = AddressGuard([], offline_after=3)
    assert online.addresses("up.example") == ["93.184.216.34"]
    for i in range(5):
        with pytest.raises(FetchError, match="slow resolver"):
            online.addresses(f"down{i}.example")  # one name resolved: never counts as offline
