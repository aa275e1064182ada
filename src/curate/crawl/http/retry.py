"""When to retry a request and how long the host waits first.

Retried: network failures that may pass (`fetch_timeout`, `fetch_connection_error`) and HTTP
429, 500, 502, 503, 504; never DNS failures, refused addresses, size limits or a trickling
server. Wait before retry `n` (0-based): `Retry-After` when the server sends one (seconds or an
HTTP date; above `max_retry_after_s` the URL is given up as `retry_after_too_long`), else
`min(backoff_max_s, backoff_base_s * 2**n)` times a jitter factor in [0.5, 1.5), never below the
host's delay. The whole host waits, not only the URL.
"""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

from curate.crawl.policy.settings import Politeness

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
RETRY_REASONS = frozenset({"fetch_timeout", "fetch_connection_error"})


def retry_after_s(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header value, None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class RetryPolicy:
    """Decides whether attempt `n` is retried and after how many seconds."""

    def __init__(self, politeness: Politeness, rng: random.Random | None = None):
        self.p = politeness
        self.rng = rng or random.Random()

    def retryable(self, reason: str | None = None, status: int | None = None) -> bool:
        return (status in RETRY_STATUS) if status is not None else reason in RETRY_REASONS

    def wait_s(self, attempt: int, retry_after: str | None, delay_s: float) -> float | None:
        """Seconds the host waits before retry `attempt` (0-based), or None to give up now."""
        if attempt >= self.p.max_retries:
            return None
        asked = retry_after_s(retry_after)
        if asked is not None:
            if asked > self.p.max_retry_after_s:
                return None
            return max(asked, delay_s)
        backoff = min(self.p.backoff_max_s, self.p.backoff_base_s * 2**attempt)
        return max(delay_s, backoff * self.rng.uniform(0.5, 1.5))
