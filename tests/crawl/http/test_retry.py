"""When a request is retried and how long its host waits."""

from __future__ import annotations

from curate.crawl.http.retry import RetryPolicy, retry_after_s
from curate.crawl.policy.settings import Politeness


def test_retry_policy():
    policy = RetryPolicy(Politeness(max_retries=2, backoff_base_s=1.0, max_retry_after_s=60))
    assert retry_after_s("120") == 120 and retry_after_s("soon") is None
    assert retry_after_s("Wed, 01 May 2024 12:00:10 GMT", now=1714564800.0) == 10
    assert policy.wait_s(0, "5", delay_s=1) == 5 and policy.wait_s(0, "600", delay_s=1) is None
    assert 0.5 <= policy.wait_s(0, None, delay_s=0) < 1.5 and 1.0 <= policy.wait_s(1, None, delay_s=0) < 3.0
    assert policy.wait_s(2, None, delay_s=0) is None  # retries spent
    assert policy.retryable(status=503) and not policy.retryable(status=404)
    assert policy.retryable(reason="fetch_timeout") and not policy.retryable(reason="fetch_dns_error")
