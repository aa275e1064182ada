"""The typed inputs of one crawl: its seeds, its settings blocks and where its state lives.

A source step (`crawl`, `urls`) reads its seeds and settings from the YAML and hands the engine a
`CrawlJob`; nothing else of the step reaches the engine. `discover` is off for `urls`: the seeds
are fetched (robots.txt, delay, guard and limits as in a crawl) and nothing they link to is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from curate.crawl.policy.settings import Limits, Politeness, Scope


@dataclass(frozen=True)
class Seed:
    """A URL to start from: its project, document kind and role (`page`, `sitemap`, `feed`)."""

    url: str
    project: str | None
    kind: str
    role: str = "page"


@dataclass(frozen=True)
class CrawlSettings:
    """The three settings blocks (see `policy.settings`) and whether discovered URLs are followed."""

    politeness: Politeness = field(default_factory=Politeness)
    limits: Limits = field(default_factory=Limits)
    scope: Scope = field(default_factory=Scope)
    discover: bool = True


@dataclass
class CrawlJob:
    """One crawl as the engine runs it.

    Args:
        seeds: the seeds of every task (each task keeps its own sites).
        settings: politeness, limits, scope.
        source: name recorded in the `source` column.
        state_dir: frontier (`crawl.sqlite`), WARC bodies and progress snapshots.
        progress_every_s: seconds between progress log lines.
        problems: (id, reason, detail) of seeds that could not be read, rejected by task 0.
    """

    seeds: list[Seed]
    settings: CrawlSettings
    source: str
    state_dir: Path
    progress_every_s: float = 30.0
    problems: list[tuple[str, str, str]] = field(default_factory=list)
