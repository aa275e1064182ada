"""Which discovered URLs a project follows: its seeds' sites and paths, include/exclude patterns.

Each seed adds (site, path prefix) to its project's scope: the site is the registrable domain
(subdomains included) and the prefix is the seed's directory: `/` for a homepage or a file such
as `/bitcoin.pdf`, the path itself for `/projx` or `/en/docs/`. A link is followed when it lies
in its project's scope (`same_site`, `under_seed_path`), matches an `include` pattern if any is
given and no `exclude` pattern. Sitemaps listed in robots.txt are read only for sites a project
covers from the root, so a project on a shared host (medium.com/projx) does not pull the whole
host's sitemap.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from curate.crawl.policy.settings import Scope
from curate.crawl.urlnorm import site_of


def seed_prefix(path: str) -> str:
    """The directory a seed's path stands for (`/a/b.pdf` -> `/a/`, `/projx` -> `/projx/`)."""
    if not path or path == "/":
        return "/"
    if path.endswith("/"):
        return path
    last = path.rsplit("/", 1)[-1]
    if "." in last:
        return posixpath.dirname(path).rstrip("/") + "/"
    return path + "/"


class ScopeRules:
    """Scope of every project, built from the seeds."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.include = [re.compile(p) for p in scope.include]
        self.exclude = [re.compile(p) for p in scope.exclude]
        self.entries: dict[str | None, set[tuple[str, str]]] = {}

    def add_seed(self, project: str | None, url: str) -> None:
        parts = urlsplit(url)
        prefix = seed_prefix(parts.path) if self.scope.under_seed_path else "/"
        self.entries.setdefault(project, set()).add((site_of(parts.hostname or ""), prefix))

    def allows(self, project: str | None, url: str) -> bool:
        if self.include and not any(p.search(url) for p in self.include):
            return False
        if any(p.search(url) for p in self.exclude):
            return False
        if not self.scope.same_site:
            return True
        parts = urlsplit(url)
        site, path = site_of(parts.hostname or ""), parts.path or "/"
        for seed_site, prefix in self.entries.get(project, ()):
            if site == seed_site and (path.startswith(prefix) or path + "/" == prefix):
                return True
        return False

    def covers_site(self, project: str | None, url: str) -> bool:
        """True when `project` has a seed at the root of `url`'s site."""
        site = site_of(urlsplit(url).hostname or "")
        return (site, "/") in self.entries.get(project, ())
