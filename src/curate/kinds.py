"""Guess what kind of page a document is (whitepaper, blog, docs, ...) from its URL or path."""

from __future__ import annotations

import re

KINDS = ("whitepaper", "docs", "research", "blog", "news", "other", "code")  # code: source files (`git`)

_PATTERNS = [
    ("whitepaper", re.compile(r"white[-_ ]?paper|litepaper|yellow[-_ ]?paper|\.pdf$", re.I)),
    ("docs", re.compile(r"(^|[/._-])(docs?|documentation|developers?|guide|wiki)([/._-]|$)", re.I)),
    ("research", re.compile(r"(^|[/._-])(research|papers?|notes?)([/._-]|$)", re.I)),
    ("blog", re.compile(r"(^|[/._-])(blog|posts?|medium|feed|rss|articles?)([/._-]|$)", re.I)),
    ("news", re.compile(r"(^|[/._-])(news|press|announcements?)([/._-]|$)", re.I)),
]


def guess_kind(location: str) -> str:
    """The first kind whose pattern matches `location` (a URL or path), else `other`."""
    for kind, pattern in _PATTERNS:
        if pattern.search(location):
            return kind
    return "other"
