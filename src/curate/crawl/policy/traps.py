"""Crawler traps: URL shapes that generate pages without end, stopped before they are fetched.

Checked per host when a URL's turn comes (each is recorded as a rejection, so a trap ends with
a reason and the crawl goes on):

- `trap_url_too_long`: longer than `max_url_length` characters (default 2048);
- `trap_repeating_path`: a path segment occurring 3 or more times (`/a/b/a/b/a/b`), or more than
  20 segments, the signature of relative-link loops;
- `trap_url_variants`: more than `max_url_variants` URLs (default 250) of one host share a
  template, the path with digit runs replaced by `N` plus the sorted query keys, so
  `/calendar?month=2031-07` and `/events/2031/07/` sequences stop; a blog's slug URLs differ
  in their template and are not affected.

Depth (`max_depth`) and the per-host page budget (`max_pages_per_host`) bound what is left.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

from curate.crawl.policy.settings import Scope

_DIGITS = re.compile(r"\d+")
MAX_SEGMENTS = 20
MAX_REPEATS = 3


def template(url: str) -> str:
    """The URL's shape: path with digits as `N`, and the sorted query keys."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return _DIGITS.sub("N", parts.path) + ("?" + "&".join(keys) if keys else "")


class TrapGuard:
    """Trap checks for the URLs of one host (counts live as long as the host's turn in a run)."""

    def __init__(self, scope: Scope):
        self.max_length = scope.max_url_length
        self.max_variants = scope.max_url_variants
        self.templates: Counter[str] = Counter()

    def check(self, url: str) -> str | None:
        """The trap reason for `url`, or None; a URL that passes counts towards its template."""
        if len(url) > self.max_length:
            return "trap_url_too_long"
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if len(segments) > MAX_SEGMENTS or any(n >= MAX_REPEATS for n in Counter(segments).values()):
            return "trap_repeating_path"
        shape = template(url)
        if self.templates[shape] >= self.max_variants:
            return "trap_url_variants"
        self.templates[shape] += 1
        return None
